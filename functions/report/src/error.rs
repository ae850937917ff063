//! What can go wrong building a report, each classified transient or permanent.

use deskbell_jobs::PublishError;
use deskbell_objects::ObjectError;
use deskbell_records::RecordError;
use deskbell_reports::ReportError;
use deskbell_runtime::{Classify, ErrorKind};
use deskbell_tickets::TicketStoreError;

/// Why a report job failed.
#[derive(Debug, thiserror::Error)]
pub enum ReportJobError {
    #[error("{job_type} does not belong on the reports queue: the notify function handles it")]
    WrongQueue { job_type: &'static str },
    #[error("report {report_id} is being built by another worker")]
    InFlight { report_id: String },
    #[error(transparent)]
    Records(#[from] RecordError),
    #[error(transparent)]
    Tickets(#[from] TicketStoreError),
    #[error(transparent)]
    Objects(#[from] ObjectError),
    #[error(transparent)]
    Encode(#[from] ReportError),
    #[error(transparent)]
    Publish(#[from] PublishError),
}

impl Classify for ReportJobError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::WrongQueue { .. } | Self::Encode(_) => ErrorKind::Permanent,
            Self::InFlight { .. } => ErrorKind::Transient,
            Self::Records(e) => e.kind(),
            Self::Tickets(e) => e.kind(),
            Self::Objects(e) => e.kind(),
            Self::Publish(e) => e.kind(),
        }
    }
}
