//! What can go wrong in notify, each classified transient or permanent.

use std::fmt;

use deskbell_mailer::MailError;
use deskbell_objects::ObjectError;
use deskbell_records::Channel;
use deskbell_runtime::{Classify, ErrorKind, TableError};

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
}

impl Classify for DeliveryError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Mail(e) => e.kind(),
            Self::Table(e) => e.kind(),
            Self::InFlight { .. } => ErrorKind::Transient,
            Self::Refused { .. } | Self::Unaddressable { .. } => ErrorKind::Permanent,
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
    /// Some deliveries failed; the others are done and will not be repeated on retry.
    #[error("{} of {total} deliveries failed: {}", .errors.len(), Joined(.errors))]
    Deliveries { total: usize, errors: Vec<DeliveryError> },
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
            Self::Deliveries { errors, .. } => {
                let kinds: Vec<ErrorKind> = errors.iter().map(Classify::kind).collect();
                [ErrorKind::Systemic, ErrorKind::Transient]
                    .into_iter()
                    .find(|k| kinds.contains(k))
                    .unwrap_or(ErrorKind::Permanent)
            }
        }
    }
}

struct Joined<'a>(&'a [DeliveryError]);

impl fmt::Display for Joined<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}
