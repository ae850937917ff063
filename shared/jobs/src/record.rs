//! The record Lambda's SQS poller hands a function for a received message: what the local
//! runner and the integration tests build when they play the event source mapping.

use aws_lambda_events::event::sqs::SqsMessage;
use aws_sdk_sqs::types::Message;

/// The `SqsEvent` record of message `m` received from the queue `queue_arn` in `region`, with
/// its system attributes (receive count, sent time) as Lambda passes them.
pub fn lambda_record(m: &Message, queue_arn: &str, region: &str) -> SqsMessage {
    let mut r = SqsMessage::default();
    r.message_id = m.message_id().map(str::to_owned);
    r.receipt_handle = m.receipt_handle().map(str::to_owned);
    r.body = m.body().map(str::to_owned);
    r.md5_of_body = m.md5_of_body().map(str::to_owned);
    r.event_source = Some("aws:sqs".into());
    r.event_source_arn = Some(queue_arn.to_owned());
    r.aws_region = Some(region.to_owned());
    if let Some(attributes) = m.attributes() {
        r.attributes = attributes.iter().map(|(k, v)| (k.as_str().to_owned(), v.clone())).collect();
    }
    r
}

#[cfg(test)]
mod tests {
    use aws_sdk_sqs::types::MessageSystemAttributeName;

    use super::*;

    #[test]
    fn a_received_message_becomes_the_record_lambda_would_pass() {
        let m = Message::builder()
            .message_id("m-1")
            .receipt_handle("rh")
            .body("{}")
            .attributes(MessageSystemAttributeName::ApproximateReceiveCount, "3")
            .build();
        let r = lambda_record(&m, "arn:aws:sqs:eu-west-1:1:q", "eu-west-1");
        assert_eq!(
            (r.message_id.as_deref(), r.receipt_handle.as_deref(), r.body.as_deref()),
            (Some("m-1"), Some("rh"), Some("{}"))
        );
        assert_eq!(r.event_source_arn.as_deref(), Some("arn:aws:sqs:eu-west-1:1:q"));
        assert_eq!(r.attributes.get("ApproximateReceiveCount").map(String::as_str), Some("3"));
    }
}
