//! Builders of SQS records as Lambda hands them over (feature `fixtures`), for tests.

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};

/// The queue ARN test records come from.
pub const QUEUE_ARN: &str = "arn:aws:sqs:eu-west-1:123456789012:deskbell-notifications";

/// A record of message `message_id` (receipt handle `rh-<id>`) received `receive_count` times.
pub fn record(message_id: &str, body: String, receive_count: u32) -> SqsMessage {
    let mut m = SqsMessage::default();
    m.message_id = Some(message_id.into());
    m.receipt_handle = Some(format!("rh-{message_id}"));
    m.body = Some(body);
    m.event_source_arn = Some(QUEUE_ARN.into());
    m.attributes.insert("ApproximateReceiveCount".into(), receive_count.to_string());
    m
}

/// An event of these records.
pub fn event(records: Vec<SqsMessage>) -> SqsEvent {
    let mut e = SqsEvent::default();
    e.records = records;
    e
}
