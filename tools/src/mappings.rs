//! Plays an SQS event source mapping, as Lambda's pollers do: receive up to the batch size,
//! invoke the function with the records as an `SqsEvent`, delete the records the response
//! does not name in `batchItemFailures`, and leave the failed ones (or the whole batch when the
//! invocation fails) to come back after their visibility timeout — so a record that keeps
//! failing reaches the DLQ through the queue's redrive policy, as in AWS.

use std::collections::HashSet;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, Message, MessageSystemAttributeName};
use deskbell_jobs::{Invocation, records_to_delete};

use crate::invoke::{InvokeError, Invoker};
use crate::topology::Mapping;

/// What one poll did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Records received and handed to the function.
    pub received: usize,
    /// Records the function processed (deleted from the queue).
    pub deleted: usize,
    /// Message ids left for redelivery.
    pub failed: Vec<String>,
    /// Why the whole batch was left, when the invocation itself failed.
    pub invocation_error: Option<String>,
}

/// A poll that could not talk to the queue.
#[derive(Debug, thiserror::Error)]
#[error("queue {queue}: {operation}: {message}")]
pub struct PollError {
    pub queue: String,
    pub operation: &'static str,
    pub message: String,
}

/// The `SqsEvent` Lambda builds from received messages.
pub fn sqs_event(mapping: &Mapping, region: &str, messages: &[Message]) -> SqsEvent {
    let records = messages.iter().map(|m| deskbell_jobs::lambda_record(m, &mapping.queue_arn, region)).collect();
    let mut event = SqsEvent::default();
    event.records = records;
    event
}

/// Receives one batch (waiting up to `wait_secs` for it), invokes, deletes what succeeded.
pub async fn poll_once<I: Invoker>(
    sqs: &Client,
    region: &str,
    mapping: &Mapping,
    invoker: &I,
    wait_secs: i32,
) -> Result<BatchOutcome, PollError> {
    let error = |operation, message: String| PollError { queue: mapping.queue_name.clone(), operation, message };
    let out = sqs
        .receive_message()
        .queue_url(&mapping.queue_url)
        .max_number_of_messages(i32::try_from(mapping.batch_size.clamp(1, 10)).unwrap_or(10))
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .wait_time_seconds(wait_secs)
        .send()
        .await
        .map_err(|e| error("receive", deskbell_runtime::retry::sdk_error_text(&e)))?;
    let messages = out.messages();
    if messages.is_empty() {
        return Ok(BatchOutcome::default());
    }
    let event = sqs_event(mapping, region, messages);
    let payload = serde_json::to_value(&event).map_err(|e| error("encode event", e.to_string()))?;
    let ids = |records: &[SqsMessage]| records.iter().filter_map(|r| r.message_id.clone()).collect::<Vec<_>>();
    let response = match invoker.invoke(&mapping.function, &payload).await {
        Ok(body) => serde_json::from_value::<SqsBatchResponse>(body).map_err(|e| e.to_string()),
        Err(InvokeError::Unreachable { message, .. } | InvokeError::Failed { message, .. }) => Err(message),
    };
    // The one decision of what is deleted (deskbell_jobs::records_to_delete): a failed
    // invocation deletes nothing, every record comes back after its visibility timeout.
    let delete = records_to_delete(&event, Invocation::of(&response), mapping.report_batch_item_failures);
    let deleted: HashSet<&str> = delete.iter().filter_map(|r| r.message_id.as_deref()).collect();
    for chunk in delete.chunks(10) {
        let entries = chunk
            .iter()
            .enumerate()
            .map(|(i, r)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(r.receipt_handle.clone().unwrap_or_default())
                    .build()
                    .map_err(|e| error("delete", e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        sqs.delete_message_batch()
            .queue_url(&mapping.queue_url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| error("delete", deskbell_runtime::retry::sdk_error_text(&e)))?;
    }
    Ok(BatchOutcome {
        received: event.records.len(),
        deleted: deleted.len(),
        failed: ids(&event.records).into_iter().filter(|id| !deleted.contains(id.as_str())).collect(),
        invocation_error: response.err(),
    })
}
