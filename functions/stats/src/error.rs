//! What can go wrong computing a period's statistics.

use deskbell_errors::{Classify, ErrorKind};
use deskbell_jobs::PublishError;
use deskbell_objects::ObjectError;
use deskbell_runtime::TableError;

/// Why a stats run failed.
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    /// The scheduled event's `detail` names no valid period.
    #[error("invalid field {field}: {message}")]
    Event { field: String, message: String },
    /// The ticket store or the stats item (DynamoDB).
    #[error(transparent)]
    Table(#[from] TableError),
    /// The JSON snapshot (S3).
    #[error(transparent)]
    Objects(#[from] ObjectError),
    /// The digest job (SQS).
    #[error(transparent)]
    Publish(#[from] PublishError),
    /// A period the ticket indexes cannot be queried for (past 2100).
    #[error(transparent)]
    Plan(#[from] deskbell_tickets::PlanError),
}

impl Classify for StatsError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Event { .. } | Self::Plan(_) => ErrorKind::Permanent,
            Self::Table(e) => e.kind(),
            Self::Objects(e) => e.kind(),
            Self::Publish(e) => e.kind(),
        }
    }
}
