//! What the health check reads and keeps: per-queue, per-hour counts of the jobs the job core
//! finished ([`OutcomeLog`], [`OutcomeCounts`]) and the state of each incident ([`IncidentLog`]).

use std::future::Future;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

use crate::RecordError;

/// How one SQS record ended in the job core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Failed,
}

/// The jobs of one queue that finished within one hour (UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HourOutcomes {
    /// The hour's start.
    pub hour: DateTime<Utc>,
    pub done: u64,
    pub failed: u64,
    /// When the job core last finished a record of this queue in that hour.
    pub last_at: Option<DateTime<Utc>>,
}

/// The start of the hour `at` falls in.
pub fn hour_of(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::hours(1)).unwrap_or(at)
}

/// The sort key of an hour's counters: `2026-11-24T10`.
pub fn hour_key(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H").to_string()
}

/// Counts job outcomes per queue and hour (the read side is [`OutcomeCounts`]).
pub trait OutcomeLog: Send + Sync {
    /// Adds one `outcome` of a record of `queue` at `at` to that hour's counters.
    fn count(
        &self,
        queue: &str,
        outcome: Outcome,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), RecordError>> + Send;
}

/// Reads the counters [`OutcomeLog`] keeps.
pub trait OutcomeCounts: Send + Sync {
    /// The hours of `queue` from the hour of `from` to the hour of `to`, oldest first; hours
    /// without any finished job are absent.
    fn hours(
        &self,
        queue: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<HourOutcomes>, RecordError>> + Send;

    /// The latest hour of `queue` with a finished job, however old.
    fn latest(&self, queue: &str) -> impl Future<Output = Result<Option<HourOutcomes>, RecordError>> + Send;
}

/// Where an incident stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentState {
    Raised,
    Cleared,
}

impl IncidentState {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Raised => "raised",
            Self::Cleared => "cleared",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Raised, Self::Cleared].into_iter().find(|k| k.as_str() == s)
    }
}

/// The latest incident of one check (`dlq_not_empty:deskbell-notifications-dlq`), as kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// The check and its resource: one incident at a time per key.
    pub key: String,
    pub incident_id: String,
    pub state: IncidentState,
    pub raised_at: DateTime<Utc>,
    pub cleared_at: Option<DateTime<Utc>>,
    /// Whether the notice of the current state was published (a run that failed in between
    /// publishes it again, with the same job id).
    pub notified: bool,
    /// What was observed when it was raised.
    pub observed: f64,
    pub threshold: f64,
    pub details: String,
}

/// Keeps incidents; every change is conditional, so two overlapping runs raise (or clear) an
/// incident once.
pub trait IncidentLog: Send + Sync {
    /// The latest incident of `key`, if any.
    fn incident(&self, key: &str) -> impl Future<Output = Result<Option<Incident>, RecordError>> + Send;

    /// Stores `incident` (state raised) unless an incident of its key is already raised;
    /// `false` when one is.
    fn raise(&self, incident: &Incident) -> impl Future<Output = Result<bool, RecordError>> + Send;

    /// Clears the raised incident `incident_id` of `key`; `false` when it is not the raised one.
    fn clear(
        &self,
        key: &str,
        incident_id: &str,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, RecordError>> + Send;

    /// Notes that the notice of `state` of `incident_id` was published.
    fn mark_notified(
        &self,
        key: &str,
        incident_id: &str,
        state: IncidentState,
    ) -> impl Future<Output = Result<(), RecordError>> + Send;

    /// Since when `queue` has been seen holding visible messages, run after run.
    fn waiting_since(&self, queue: &str) -> impl Future<Output = Result<Option<DateTime<Utc>>, RecordError>> + Send;

    /// Sets (or, with `None`, forgets) since when `queue` has been seen holding messages.
    fn set_waiting_since(
        &self,
        queue: &str,
        since: Option<DateTime<Utc>>,
    ) -> impl Future<Output = Result<(), RecordError>> + Send;
}
