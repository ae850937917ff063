//! The delivery log: one record per (job, recipient, channel), the idempotency key of a send.

use std::fmt;
use std::future::Future;

use chrono::{DateTime, Duration, Utc};

use crate::RecordError;

/// How a recipient is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    Email,
    InApp,
}

impl Channel {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::InApp => "in_app",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Identifies one delivery: the envelope id + recipient + channel.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeliveryKey {
    pub job_id: String,
    pub recipient_id: String,
    pub channel: Channel,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Claimed by a worker that has not reported back yet.
    Pending,
    Sent,
    Failed,
}

impl DeliveryStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Sent, Self::Failed].into_iter().find(|v| v.as_str() == s)
    }
}

/// One line of the send log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub key: DeliveryKey,
    pub job_type: String,
    pub status: DeliveryStatus,
    /// Times this delivery was claimed.
    pub attempts: u32,
    /// The provider's id (SES message id) once sent.
    pub provider_id: Option<String>,
    /// The last error, once failed.
    pub error: Option<String>,
    /// Whether that error was permanent (the provider refused this recipient).
    pub permanent: bool,
    /// The SQS delivery that made the last attempt.
    pub attempt: Attempt,
    /// Until when a pending claim belongs to its worker.
    pub lease_until: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl DeliveryRecord {
    /// Why this record stops `message_id` from claiming the delivery at `now`, if it does.
    /// The DynamoDB condition expression says the same thing; this is its readable twin.
    pub fn blocks(&self, attempt: &Attempt, now: DateTime<Utc>) -> Option<Claim> {
        match self.status {
            DeliveryStatus::Sent => Some(Claim::AlreadySent),
            DeliveryStatus::Pending if self.lease_until.is_some_and(|until| until > now) => Some(Claim::InFlight),
            // Refused again only while the same message is still being retried: a copy that an
            // operator redrove starts counting receives afresh, and may try again.
            DeliveryStatus::Failed
                if self.permanent
                    && self.attempt.message_id == attempt.message_id
                    && attempt.receive_count > self.attempt.receive_count =>
            {
                Some(Claim::Refused { error: self.error.clone().unwrap_or_default() })
            }
            _ => None,
        }
    }
}

/// One receive of an SQS message: which message, and how many times SQS has handed it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub message_id: String,
    pub receive_count: u32,
}

/// What a claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This worker owns the delivery now: send, then report.
    Acquired,
    /// Already sent by an earlier delivery of the same job: do nothing.
    AlreadySent,
    /// Another worker claimed it and its lease has not run out: try again later.
    InFlight,
    /// This same SQS message was already refused permanently on an earlier receive: do not
    /// send again.
    Refused { error: String },
}

/// The log that makes deliveries happen once.
///
/// A sender first [`claim`](DeliveryLog::claim)s with a lease, sends, then marks the outcome.
/// A claim succeeds when there is no record, when the last attempt failed, or when a pending
/// claim's lease ran out (its worker died between send and report: the only case in which a
/// recipient can get a duplicate).
pub trait DeliveryLog: Send + Sync {
    fn claim(
        &self,
        key: &DeliveryKey,
        job_type: &str,
        attempt: &Attempt,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> impl Future<Output = Result<Claim, RecordError>> + Send;

    fn mark_sent(
        &self,
        key: &DeliveryKey,
        job_type: &str,
        attempt: &Attempt,
        provider_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), RecordError>> + Send;

    fn mark_failed(
        &self,
        key: &DeliveryKey,
        attempt: &Attempt,
        error: &str,
        permanent: bool,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), RecordError>> + Send;

    /// The record of one delivery, if any.
    fn get(&self, key: &DeliveryKey) -> impl Future<Output = Result<Option<DeliveryRecord>, RecordError>> + Send;
}
