//! The report status record: requested → running → succeeded (key, rows, bytes, duration) or
//! failed (reason). One per report id; a retried job finds it and never builds a second file.

use std::future::Future;

use chrono::{DateTime, Duration, Utc};

use crate::{Attempt, RecordError};

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportStatus {
    Requested,
    Running,
    Succeeded,
    Failed,
}

impl ReportStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Requested, Self::Running, Self::Succeeded, Self::Failed].into_iter().find(|v| v.as_str() == s)
    }
}

/// What a finished report produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportOutcome {
    /// Object key in the reports bucket.
    pub key: String,
    pub rows: u64,
    pub bytes: u64,
    pub duration_ms: u64,
}

/// The status record of one report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRecord {
    pub report_id: String,
    pub status: ReportStatus,
    pub requested_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Set once succeeded.
    pub outcome: Option<ReportOutcome>,
    /// Set once failed.
    pub error: Option<String>,
    /// Times a worker started building it.
    pub attempts: u32,
    pub lease_until: Option<DateTime<Utc>>,
}

impl ReportRecord {
    /// What this record means for a worker wanting to start at `now`, if it stops it.
    pub fn blocks(&self, now: DateTime<Utc>) -> Option<ReportStart> {
        match self.status {
            ReportStatus::Succeeded => Some(ReportStart::Done(self.clone())),
            ReportStatus::Running if self.lease_until.is_some_and(|until| until > now) => Some(ReportStart::InFlight),
            _ => None,
        }
    }
}

/// What starting a report found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportStart {
    /// This worker builds it now.
    Acquired,
    /// Already built (a redelivered job): nothing to build again.
    Done(ReportRecord),
    /// Another worker is building it and its lease has not run out.
    InFlight,
}

/// Where report status records are kept.
pub trait ReportLog: Send + Sync {
    /// Records the report as requested (once), then claims it as running for `lease`.
    fn start(
        &self,
        report_id: &str,
        requested_at: DateTime<Utc>,
        attempt: &Attempt,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> impl Future<Output = Result<ReportStart, RecordError>> + Send;

    fn succeed(
        &self,
        report_id: &str,
        outcome: &ReportOutcome,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), RecordError>> + Send;

    fn fail(
        &self,
        report_id: &str,
        error: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), RecordError>> + Send;

    fn get_report(&self, report_id: &str) -> impl Future<Output = Result<Option<ReportRecord>, RecordError>> + Send;
}
