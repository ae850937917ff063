//! Transient or permanent: the one classification every error in deskbell gets.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Whether trying the same job again later can succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Throttling, 5xx, timeouts, a delivery still in flight: retry with back-off.
    Transient,
    /// Bad payload, unknown type, rejected address: retrying cannot help; record and dead-letter.
    Permanent,
}

impl ErrorKind {
    /// `transient` / `permanent`, as stored in failure records.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Transient => "transient",
            Self::Permanent => "permanent",
        }
    }
}

/// An error that knows whether it is worth retrying.
pub trait Classify {
    fn kind(&self) -> ErrorKind;
}

/// Service error codes that mean "slow down / try again", across the AWS services we call.
const RETRYABLE_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "LimitExceededException",
    "TransactionConflictException",
    "TransactionInProgressException",
    "InternalServerError",
    "InternalFailure",
    "InternalError",
    "ServiceUnavailable",
    "SlowDown",
    "RequestTimeout",
    "RequestTimeoutException",
];

/// Classifies an AWS SDK error: network failures, timeouts, 5xx and throttling are transient;
/// any other service answer (validation, not found, rejected) is permanent.
pub fn sdk_error_kind<E: ProvideErrorMetadata>(err: &SdkError<E, Response>) -> ErrorKind {
    match err {
        SdkError::ConstructionFailure(_) => ErrorKind::Permanent,
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or_default();
            if service.raw().status().is_server_error() || RETRYABLE_CODES.contains(&code) {
                ErrorKind::Transient
            } else {
                ErrorKind::Permanent
            }
        }
        _ => ErrorKind::Transient,
    }
}

/// A one-line description of an SDK error: the service's code and message when it answered.
pub fn sdk_error_text<E: ProvideErrorMetadata + std::error::Error>(err: &SdkError<E, Response>) -> String {
    match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            match (e.code(), e.message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code.to_owned(),
                _ => format!("HTTP {}", service.raw().status().as_u16()),
            }
        }
        SdkError::TimeoutError(_) => "timed out".to_owned(),
        SdkError::DispatchFailure(_) => "could not reach the service".to_owned(),
        other => other.to_string(),
    }
}

/// A DynamoDB table operation that did not complete, for every store of the project: which
/// table, which operation, what the service said, and whether to retry.
#[derive(Debug, Clone, thiserror::Error)]
#[error("table {table}: {operation} failed: {message}")]
pub struct TableError {
    pub table: String,
    pub operation: &'static str,
    pub message: String,
    pub kind: ErrorKind,
}

impl TableError {
    /// The error of an SDK call on `table`, classified.
    pub fn from_sdk<E: ProvideErrorMetadata + std::error::Error>(
        table: &str,
        operation: &'static str,
        err: &SdkError<E, Response>,
    ) -> Self {
        Self { table: table.to_owned(), operation, message: sdk_error_text(err), kind: sdk_error_kind(err) }
    }
}

impl Classify for TableError {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
}
