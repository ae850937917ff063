//! What can go wrong checking the job system's health.

use deskbell_errors::{Classify, ErrorKind};
use deskbell_jobs::{DepthError, PublishError};
use deskbell_runtime::TableError;

use crate::PageError;

/// Why a health run failed (the next run starts again from the stored incidents).
#[derive(Debug, thiserror::Error)]
pub enum HealthError {
    #[error(transparent)]
    Depth(#[from] DepthError),
    /// Outcome counters, waiting marks or incidents (DynamoDB jobs table).
    #[error(transparent)]
    Table(#[from] TableError),
    /// An alert job (SQS).
    #[error(transparent)]
    Publish(#[from] PublishError),
    /// An alert page (SNS).
    #[error(transparent)]
    Page(#[from] PageError),
}

impl Classify for HealthError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Depth(e) => e.kind(),
            Self::Table(e) => e.kind(),
            Self::Publish(e) => e.kind(),
            Self::Page(e) => e.kind(),
        }
    }
}
