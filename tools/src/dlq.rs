//! `deskbell dlq`: the dead-letter queues' messages beside the failure reasons the job core
//! recorded for them (jobs table, `failure#<message id>`), redrive back to the source queue,
//! and purge.

use std::collections::BTreeMap;

use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use deskbell_errors::ErrorKind;
use deskbell_records::{DynamoRecords, FailureLog, FailureRecord};

use crate::context::{CliError, Local, QueueKind};

/// One DLQ message and, when recorded, why it failed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeadLetter {
    pub message_id: String,
    pub body: String,
    pub receive_count: u32,
    pub sent_at: Option<String>,
    pub reason: Option<Reason>,
}

/// The recorded failure, as shown to an operator.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Reason {
    pub queue: String,
    pub job_id: Option<String>,
    pub job_type: Option<String>,
    /// `transient`, `systemic` or `permanent` (in JSON too).
    pub kind: ErrorKind,
    pub error: String,
    pub attempt: u32,
    pub failed_at: String,
}

impl From<FailureRecord> for Reason {
    fn from(f: FailureRecord) -> Self {
        Reason {
            queue: f.queue,
            job_id: f.job_id,
            job_type: f.job_type,
            kind: f.kind,
            error: f.error,
            attempt: f.attempt,
            failed_at: f.failed_at.to_rfc3339(),
        }
    }
}

fn records(local: &Local) -> Result<DynamoRecords, CliError> {
    // Reading only: the retention is for writes.
    Ok(DynamoRecords::new(local.dynamodb.clone(), local.output("JobsTableName")?, chrono::Duration::days(30)))
}

/// Every message of a DLQ with its reason. Messages are received with a visibility timeout of
/// 0, so listing hides nothing from a redrive; rounds stop when one brings nothing new.
pub async fn list(local: &Local, kind: QueueKind) -> Result<Vec<DeadLetter>, CliError> {
    let url = local.dlq_url(kind)?;
    let mut seen: BTreeMap<String, DeadLetter> = BTreeMap::new();
    for _ in 0..100 {
        let out = local
            .sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .visibility_timeout(0)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await
            .map_err(|e| CliError::aws(url, "receive", &e))?;
        let mut new = 0;
        for m in out.messages() {
            let Some(id) = m.message_id() else { continue };
            if seen.contains_key(id) {
                continue;
            }
            new += 1;
            let attr = |k: MessageSystemAttributeName| m.attributes().and_then(|a| a.get(&k)).cloned();
            seen.insert(
                id.to_owned(),
                DeadLetter {
                    message_id: id.to_owned(),
                    body: m.body().unwrap_or_default().to_owned(),
                    receive_count: attr(MessageSystemAttributeName::ApproximateReceiveCount)
                        .and_then(|c| c.parse().ok())
                        .unwrap_or(0),
                    sent_at: attr(MessageSystemAttributeName::SentTimestamp)
                        .and_then(|t| t.parse::<i64>().ok())
                        .and_then(chrono::DateTime::from_timestamp_millis)
                        .map(|t| t.to_rfc3339()),
                    reason: None,
                },
            );
        }
        if new == 0 {
            break;
        }
    }
    let records = records(local)?;
    let mut letters: Vec<DeadLetter> = seen.into_values().collect();
    for letter in &mut letters {
        letter.reason =
            records.get(&letter.message_id).await.map_err(|e| CliError::Invalid(e.to_string()))?.map(Reason::from);
    }
    Ok(letters)
}

/// One DLQ message by id.
pub async fn show(local: &Local, kind: QueueKind, message_id: &str) -> Result<DeadLetter, CliError> {
    list(local, kind).await?.into_iter().find(|l| l.message_id == message_id).ok_or_else(|| {
        CliError::Invalid(format!("no message {message_id} in the {kind:?} DLQ (see `deskbell dlq list`)"))
    })
}

/// How a redrive was done.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Redriven {
    /// `move-task` (SQS StartMessageMoveTask, AWS) or `copy` (receive, send to the source,
    /// delete: for emulators without move tasks).
    pub method: &'static str,
    pub moved: usize,
    pub task_handle: Option<String>,
}

/// Moves every DLQ message back to its source queue.
pub async fn redrive(local: &Local, kind: QueueKind) -> Result<Redriven, CliError> {
    let mapping = local.mapping(kind)?;
    let dlq_url = local.dlq_url(kind)?;
    let dlq_arn = local
        .sqs
        .get_queue_attributes()
        .queue_url(dlq_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|e| CliError::aws(dlq_url, "get queue attributes", &e))?
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .unwrap_or_default();
    let task =
        local.sqs.start_message_move_task().source_arn(&dlq_arn).destination_arn(&mapping.queue_arn).send().await;
    if let Ok(out) = task {
        let waiting = local.depth(dlq_url).await?.visible as usize;
        return Ok(Redriven { method: "move-task", moved: waiting, task_handle: out.task_handle().map(str::to_owned) });
    }
    // The emulator has no move tasks: copy each message to the source queue, then delete it.
    let mut moved = 0;
    loop {
        let out = local
            .sqs
            .receive_message()
            .queue_url(dlq_url)
            .max_number_of_messages(10)
            .visibility_timeout(60)
            .send()
            .await
            .map_err(|e| CliError::aws(dlq_url, "receive", &e))?;
        if out.messages().is_empty() {
            break;
        }
        for m in out.messages() {
            local
                .sqs
                .send_message()
                .queue_url(&mapping.queue_url)
                .message_body(m.body().unwrap_or_default())
                .send()
                .await
                .map_err(|e| CliError::aws(&mapping.queue_url, "send", &e))?;
            local
                .sqs
                .delete_message()
                .queue_url(dlq_url)
                .receipt_handle(m.receipt_handle().unwrap_or_default())
                .send()
                .await
                .map_err(|e| CliError::aws(dlq_url, "delete", &e))?;
            moved += 1;
        }
    }
    Ok(Redriven { method: "copy", moved, task_handle: None })
}

/// Deletes every message of a DLQ; answers how many there were.
pub async fn purge(local: &Local, kind: QueueKind) -> Result<u64, CliError> {
    let url = local.dlq_url(kind)?;
    let depth = local.depth(url).await?.total();
    local.sqs.purge_queue().queue_url(url).send().await.map_err(|e| CliError::aws(url, "purge", &e))?;
    Ok(depth)
}
