//! What can go wrong in notify, each classified transient or permanent.

use std::fmt;

use deskbell_errors::{Classify, ErrorKind};
use deskbell_mailer::MailError;
use deskbell_objects::ObjectError;
use deskbell_records::{Channel, FinishError};
use deskbell_runtime::TableError;

/// Why one delivery (one recipient, one channel) did not happen.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    Mail(#[from] MailError),
    /// The delivery log or the inbox (DynamoDB).
    #[error(transparent)]
    Table(#[from] TableError),
    #[error("{channel} to user {recipient} is being delivered by another worker")]
    InFlight { channel: Channel, recipient: String },
    #[error("email to {to} was rejected on an earlier receive of this message: {error}")]
    Refused { to: String, error: String },
    #[error("email to user {recipient}: address {to:?} or sender cannot be used in a header")]
    Unaddressable { recipient: String, to: String },
    /// The outcome was not written (table error, or the lock was lost to another worker).
    #[error(transparent)]
    Finish(#[from] FinishError),
    /// The idempotency key was first claimed with another payload.
    #[error("envelope id {job_id} reused with a different payload")]
    PayloadMismatch { job_id: String },
    /// Not started: too little time left before the invocation's deadline.
    #[error("deadline near")]
    DeadlineNear,
}

impl Classify for DeliveryError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Mail(e) => e.kind(),
            Self::Table(e) => e.kind(),
            Self::Finish(e) => e.kind(),
            Self::InFlight { .. } | Self::DeadlineNear => ErrorKind::Transient,
            Self::Refused { .. } | Self::Unaddressable { .. } | Self::PayloadMismatch { .. } => ErrorKind::Permanent,
        }
    }
}

/// Why a notify job failed.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("{job_type} does not belong on the notifications queue: the {function} function handles it")]
    WrongQueue { job_type: &'static str, function: &'static str },
    #[error(transparent)]
    Tickets(#[from] TableError),
    /// notify signs download links only into the bucket it was given.
    #[error("report {report_id} is in bucket {bucket}, not in notify's reports bucket {reports_bucket}")]
    ForeignBucket { report_id: String, bucket: String, reports_bucket: String },
    #[error("download link of report {report_id}: {error}")]
    ReportLink { report_id: String, error: ObjectError },
    /// Some deliveries failed or were left for the next receive (`deferred`, the deadline
    /// being near); the others are done and will not be repeated on retry.
    #[error("{}", DeliveriesText(.total, .errors, .deferred))]
    Deliveries { total: usize, errors: Vec<DeliveryError>, deferred: usize },
}

impl Classify for NotifyError {
    /// Retried when any failed delivery may succeed later (the retry repeats only what is
    /// not done): systemic when any is (the account, not the job), else transient; permanent
    /// when every failure is.
    fn kind(&self) -> ErrorKind {
        match self {
            Self::WrongQueue { .. } | Self::ForeignBucket { .. } => ErrorKind::Permanent,
            Self::Tickets(e) => e.kind(),
            Self::ReportLink { error, .. } => error.kind(),
            Self::Deliveries { errors, deferred, .. } => {
                // Systemic wins (the account, not the job, is at fault), then anything worth
                // retrying: a deferred delivery comes back on the next receive.
                let kinds: Vec<ErrorKind> = errors.iter().map(Classify::kind).collect();
                if kinds.contains(&ErrorKind::Systemic) {
                    ErrorKind::Systemic
                } else if *deferred > 0 || kinds.contains(&ErrorKind::Transient) {
                    ErrorKind::Transient
                } else {
                    ErrorKind::Permanent
                }
            }
        }
    }
}

/// Total, failed deliveries, deferred ones.
struct DeliveriesText<'a>(&'a usize, &'a [DeliveryError], &'a usize);

impl fmt::Display for DeliveriesText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self(total, errors, deferred) = *self;
        if !errors.is_empty() {
            write!(f, "{} of {total} deliveries failed: ", errors.len())?;
            for (i, e) in errors.iter().enumerate() {
                if i > 0 {
                    f.write_str("; ")?;
                }
                write!(f, "{e}")?;
            }
        }
        if *deferred > 0 {
            if !errors.is_empty() {
                f.write_str("; ")?;
            }
            write!(f, "deadline near: {deferred} deliveries left for the next receive")?;
        }
        Ok(())
    }
}
