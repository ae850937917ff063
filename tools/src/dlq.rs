//! `deskbell dlq`: the dead-letter queues' messages beside the failure reasons the job core
//! recorded for them (jobs table, `failure#<message id>`), redrive back to the source queue,
//! and purge.

use std::collections::BTreeMap;

use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use deskbell_errors::ErrorKind;
use deskbell_records::{DynamoRecords, FailureLog, FailureRecord};

use crate::cli::DlqAction;
use crate::context::{CliError, QueueKind, Stack};
use crate::output;

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

fn records(stack: &Stack) -> Result<DynamoRecords, CliError> {
    // Reading only: the retention is for writes.
    Ok(DynamoRecords::new(stack.dynamodb.clone(), stack.output("JobsTableName")?, chrono::Duration::days(30)))
}

/// Every message of a DLQ with its reason. Messages are received with a visibility timeout of
/// 0, so listing hides nothing from a redrive; rounds stop when one brings nothing new.
pub async fn list(stack: &Stack, kind: QueueKind) -> Result<Vec<DeadLetter>, CliError> {
    let url = stack.dlq_url(kind)?;
    let mut seen: BTreeMap<String, DeadLetter> = BTreeMap::new();
    for _ in 0..100 {
        let out = stack
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
    let records = records(stack)?;
    let mut letters: Vec<DeadLetter> = seen.into_values().collect();
    for letter in &mut letters {
        letter.reason =
            records.get(&letter.message_id).await.map_err(|e| CliError::Invalid(e.to_string()))?.map(Reason::from);
    }
    Ok(letters)
}

/// One DLQ message by id.
pub async fn show(stack: &Stack, kind: QueueKind, message_id: &str) -> Result<DeadLetter, CliError> {
    list(stack, kind).await?.into_iter().find(|l| l.message_id == message_id).ok_or_else(|| {
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
pub async fn redrive(stack: &Stack, kind: QueueKind) -> Result<Redriven, CliError> {
    let mapping = stack.mapping(kind)?;
    let dlq_url = stack.dlq_url(kind)?;
    let dlq_arn = stack
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
        stack.sqs.start_message_move_task().source_arn(&dlq_arn).destination_arn(&mapping.queue_arn).send().await;
    if let Ok(out) = task {
        let waiting = stack.depth(dlq_url).await?.visible as usize;
        return Ok(Redriven { method: "move-task", moved: waiting, task_handle: out.task_handle().map(str::to_owned) });
    }
    // The emulator has no move tasks: copy each message to the source queue, then delete it.
    let mut moved = 0;
    loop {
        let out = stack
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
            stack
                .sqs
                .send_message()
                .queue_url(&mapping.queue_url)
                .message_body(m.body().unwrap_or_default())
                .send()
                .await
                .map_err(|e| CliError::aws(&mapping.queue_url, "send", &e))?;
            stack
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
pub async fn purge(stack: &Stack, kind: QueueKind) -> Result<u64, CliError> {
    let url = stack.dlq_url(kind)?;
    let depth = stack.depth(url).await?.total();
    stack.sqs.purge_queue().queue_url(url).send().await.map_err(|e| CliError::aws(url, "purge", &e))?;
    Ok(depth)
}

/// Runs `deskbell dlq ACTION` and prints what it found or did (JSON with `json`); answers the
/// exit code.
pub async fn command(stack: &Stack, action: DlqAction, json: bool) -> Result<i32, CliError> {
    match action {
        DlqAction::List(q) => {
            let letters = list(stack, q.queue).await?;
            if json {
                output::json(&letters);
            } else {
                print_table(&letters);
            }
        }
        DlqAction::Show { message_id, queue } => {
            let letter = show(stack, queue.queue, &message_id).await?;
            if json {
                output::json(&letter);
            } else {
                print_letter(&letter);
            }
        }
        DlqAction::Redrive(q) => {
            let r = redrive(stack, q.queue).await?;
            if json {
                output::json(&r);
            } else {
                println!("redrove {} message(s) to the {:?} queue ({})", r.moved, q.queue, r.method);
            }
        }
        DlqAction::Purge { queue, yes } => {
            if !yes {
                return Err(CliError::Invalid("purge deletes every dead letter for good: add --yes".into()));
            }
            let n = purge(stack, queue.queue).await?;
            println!("purged {n} message(s) from the {:?} DLQ", queue.queue);
        }
    }
    Ok(0)
}

/// Prints one dead letter: its id, receive count and time, the full failure reason, the body.
fn print_letter(letter: &DeadLetter) {
    println!(
        "message  {}\nreceived {} time(s) in the DLQ; sent {}",
        letter.message_id,
        letter.receive_count,
        letter.sent_at.as_deref().unwrap_or("-")
    );
    match &letter.reason {
        Some(r) => println!(
            "reason   {} failure on attempt {} at {} (queue {})\n         {}\njob      {} {}",
            r.kind,
            r.attempt,
            r.failed_at,
            r.queue,
            r.error,
            r.job_type.as_deref().unwrap_or("(type unreadable)"),
            r.job_id.as_deref().unwrap_or("(id unreadable)")
        ),
        None => println!("reason   (no failure recorded for this message id)"),
    }
    println!("body     {}", letter.body);
}

/// Prints dead letters as a table, one row a message: its id, its job type, the failure's kind
/// with the attempt it was recorded on, and the error cut to one line of 70 characters
/// (`deskbell dlq list` and the demo's DLQ sections).
pub fn print_table(letters: &[DeadLetter]) {
    output::table(&["message id", "type", "kind", "reason"], &table_rows(letters));
}

fn table_rows(letters: &[DeadLetter]) -> Vec<Vec<String>> {
    letters
        .iter()
        .map(|l| {
            let r = l.reason.as_ref();
            vec![
                l.message_id.clone(),
                r.and_then(|r| r.job_type.clone()).unwrap_or("-".into()),
                r.map(|r| format!("{} (attempt {})", r.kind, r.attempt)).unwrap_or("-".into()),
                output::cut(&r.map(|r| r.error.clone()).unwrap_or("(no reason recorded)".into()), 70),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(id: &str, reason: Option<Reason>) -> DeadLetter {
        DeadLetter { message_id: id.into(), body: "{}".into(), receive_count: 1, sent_at: None, reason }
    }

    #[test]
    fn a_dead_letters_row_names_the_attempt_and_cuts_the_reason_to_one_line() {
        let reason = Reason {
            queue: "deskbell-notifications".into(),
            job_id: Some("j1".into()),
            job_type: Some("user.welcome".into()),
            kind: ErrorKind::Permanent,
            error: format!("MessageRejected:\n{}", "x".repeat(100)),
            attempt: 5,
            failed_at: "2026-11-24T10:00:00+00:00".into(),
        };
        let rows = table_rows(&[letter("m1", Some(reason)), letter("m2", None)]);
        assert_eq!(rows[0][..3], ["m1", "user.welcome", "permanent (attempt 5)"]);
        assert_eq!(rows[0][3].chars().count(), 70);
        assert!(rows[0][3].starts_with("MessageRejected: x") && rows[0][3].ends_with('…'), "{}", rows[0][3]);
        assert_eq!(rows[1], ["m2", "-", "-", "(no reason recorded)"]);
    }
}
