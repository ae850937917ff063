//! What can go wrong building a report, each classified transient or permanent.

use deskbell_errors::{Classify, ErrorKind};
use deskbell_jobs::PublishError;
use deskbell_objects::ObjectError;
use deskbell_reports::ReportError;
use deskbell_runtime::TableError;

/// Why a report job failed.
#[derive(Debug, thiserror::Error)]
pub enum ReportJobError {
    #[error("{job_type} does not belong on the reports queue: the {function} function handles it")]
    WrongQueue { job_type: &'static str, function: &'static str },
    #[error("report {report_id} is being built by another worker")]
    InFlight { report_id: String },
    /// The status record, the failure log or the ticket store (DynamoDB).
    #[error(transparent)]
    Table(#[from] TableError),
    #[error(transparent)]
    Objects(#[from] ObjectError),
    #[error(transparent)]
    Encode(#[from] ReportError),
    /// Filters no plan covers (a range too long); the decoder refuses them first.
    #[error(transparent)]
    Plan(#[from] deskbell_tickets::PlanError),
    #[error(transparent)]
    Publish(#[from] PublishError),
}

impl Classify for ReportJobError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::WrongQueue { .. } | Self::Encode(_) | Self::Plan(_) => ErrorKind::Permanent,
            Self::InFlight { .. } => ErrorKind::Transient,
            Self::Table(e) => e.kind(),
            Self::Objects(e) => e.kind(),
            Self::Publish(e) => e.kind(),
        }
    }
}
