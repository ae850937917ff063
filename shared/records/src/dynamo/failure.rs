//! Failures: why a job failed, kept beside its SQS message id for the DLQ tooling.

use aws_sdk_dynamodb::types::AttributeValue;
use deskbell_dynamo::{get_n, get_s, get_time, n, s};
use deskbell_errors::ErrorKind;

use super::DynamoRecords;
use crate::*;

fn failure_pk(message_id: &str) -> (AttributeValue, AttributeValue) {
    (s(format!("failure#{message_id}")), s("failure"))
}

impl FailureLog for DynamoRecords {
    async fn record(&self, f: &FailureRecord) -> Result<(), RecordError> {
        let mut put = self
            .put(failure_pk(&f.message_id))
            .item("message_id", s(&f.message_id))
            .item("queue", s(&f.queue))
            .item("error_kind", s(f.kind.as_str()))
            .item("error", s(&f.error))
            .item("attempt", n(f.attempt))
            .item("failed_at", s(f.failed_at.to_rfc3339()))
            .item("expires_at", self.expires_at(f.failed_at));
        if let Some(id) = &f.job_id {
            put = put.item("job_id", s(id));
        }
        if let Some(t) = &f.job_type {
            put = put.item("job_type", s(t));
        }
        put.send().await.map_err(|e| self.error("record failure", &e))?;
        Ok(())
    }

    /// A stored `error_kind` that is not one of [`ErrorKind`]'s names (a newer writer, a hand
    /// edit) reads as a permanent error naming the attribute and the value: no kind is guessed.
    async fn get(&self, message_id: &str) -> Result<Option<FailureRecord>, RecordError> {
        let Some(item) = self.get_item(failure_pk(message_id), "get failure").await? else {
            return Ok(None);
        };
        let stored = get_s(&item, "error_kind");
        let kind = stored.as_deref().and_then(ErrorKind::parse).ok_or_else(|| {
            let found = stored.map_or("no error_kind".to_owned(), |v| format!("error_kind \"{v}\""));
            RecordError {
                table: self.table.clone(),
                operation: "get failure",
                message: format!("failure#{message_id} has {found}, not transient, systemic or permanent"),
                kind: ErrorKind::Permanent,
            }
        })?;
        Ok(Some(FailureRecord {
            message_id: message_id.to_owned(),
            queue: get_s(&item, "queue").unwrap_or_default(),
            job_id: get_s(&item, "job_id"),
            job_type: get_s(&item, "job_type"),
            kind,
            error: get_s(&item, "error").unwrap_or_default(),
            attempt: get_n(&item, "attempt").unwrap_or(0),
            failed_at: get_time(&item, "failed_at").unwrap_or_default(),
        }))
    }
}
