//! The failure log: why a message failed, kept by SQS message id.

use std::future::Future;

use chrono::{DateTime, Utc};
use deskbell_errors::ErrorKind;

use crate::RecordError;

/// Why one SQS message failed, on its latest attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureRecord {
    /// The SQS message id (kept when SQS moves the message to the DLQ).
    pub message_id: String,
    /// Queue name the message came from.
    pub queue: String,
    /// Envelope id and type, when the body was readable enough to tell.
    pub job_id: Option<String>,
    pub job_type: Option<String>,
    /// How the failure classified; stored as its name (`transient`, `systemic`, `permanent`).
    pub kind: ErrorKind,
    pub error: String,
    /// The receive count of the failed attempt (1 = first delivery).
    pub attempt: u32,
    pub failed_at: DateTime<Utc>,
}

/// Where failure reasons are kept.
pub trait FailureLog: Send + Sync {
    /// Stores (or replaces with a later attempt) the failure of a message.
    fn record(&self, failure: &FailureRecord) -> impl Future<Output = Result<(), RecordError>> + Send;

    /// The failure recorded for a message, if any.
    fn get(&self, message_id: &str) -> impl Future<Output = Result<Option<FailureRecord>, RecordError>> + Send;
}
