//! Why a cleanup run failed.

use deskbell_errors::{Classify, ErrorKind};
use deskbell_retention::RetentionError;

/// A cleanup run that did not complete: a bad event (permanent) or a store that failed.
#[derive(Debug, thiserror::Error)]
pub enum CleanupError {
    /// The event's `detail` did not decode; names the field (`detail.kinds[0]: unknown variant …`).
    #[error("invalid field {path}: {message}")]
    InvalidEvent { path: String, message: String },
    #[error(transparent)]
    Store(#[from] RetentionError),
}

impl Classify for CleanupError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::InvalidEvent { .. } => ErrorKind::Permanent,
            Self::Store(e) => e.kind(),
        }
    }
}
