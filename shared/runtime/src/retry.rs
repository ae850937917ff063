//! How AWS errors classify: service error codes and HTTP statuses, then SDK errors, become an
//! [`ErrorKind`] (defined, with [`Classify`], in `deskbell-errors`); the one-line text of an SDK
//! error; and [`TableError`], the classified error of every DynamoDB store.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use deskbell_errors::{Classify, ErrorKind};

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

/// Service error codes that say the account, its credentials or the deployment is at fault,
/// not the job: every job would fail the same way until someone (or the deploy) fixes it.
pub const SYSTEMIC_CODES: &[&str] = &[
    // SES: the account cannot send at all right now.
    "SendingPausedException",
    "AccountSuspendedException",
    "MailFromDomainNotVerifiedException",
    // IAM / STS / signing: a policy or credential change still settling, or broken.
    "AccessDenied",
    "AccessDeniedException",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "MissingAuthenticationToken",
    "AuthFailure",
    // A resource missing while a deploy creates or replaces it.
    "ResourceNotFoundException",
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
    "NoSuchBucket",
    // KMS behind SQS / DynamoDB / S3 encryption.
    "KMSThrottlingException",
    "KMS.ThrottlingException",
    "KmsThrottled",
    "KMSAccessDeniedException",
    "KMS.AccessDeniedException",
    "KMSDisabledException",
    "KMS.DisabledException",
    "KMSInvalidStateException",
    "KMS.KMSInvalidStateException",
    "KMSNotFoundException",
];

/// Classifies a service error code and HTTP status: systemic codes first (an SES
/// `SendingPausedException` is systemic whatever its status), then throttling and 5xx
/// (transient); any other answer (validation, not found, `MessageRejected`) is permanent.
pub fn code_kind(code: &str, status: u16) -> ErrorKind {
    if SYSTEMIC_CODES.contains(&code) {
        ErrorKind::Systemic
    } else if (500..600).contains(&status) || RETRYABLE_CODES.contains(&code) {
        ErrorKind::Transient
    } else {
        ErrorKind::Permanent
    }
}

/// Classifies an AWS SDK error: network failures and timeouts are transient, service answers
/// as [`code_kind`] says.
pub fn sdk_error_kind<E: ProvideErrorMetadata>(err: &SdkError<E, Response>) -> ErrorKind {
    match err {
        SdkError::ConstructionFailure(_) => ErrorKind::Permanent,
        SdkError::ServiceError(service) => {
            code_kind(service.err().code().unwrap_or_default(), service.raw().status().as_u16())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_level_errors_are_systemic_not_the_jobs_fault() {
        for (code, status) in [
            ("SendingPausedException", 400),
            ("AccountSuspendedException", 400),
            ("MailFromDomainNotVerifiedException", 400),
            ("AccessDeniedException", 400),
            ("AccessDenied", 403),
            ("ResourceNotFoundException", 400),
            ("UnrecognizedClientException", 400),
            ("ExpiredTokenException", 400),
            ("KMSThrottlingException", 400),
        ] {
            assert_eq!(code_kind(code, status), ErrorKind::Systemic, "{code}");
        }
    }

    #[test]
    fn throttling_and_5xx_are_transient_a_rejected_message_is_permanent() {
        assert_eq!(code_kind("ThrottlingException", 400), ErrorKind::Transient);
        assert_eq!(code_kind("TooManyRequestsException", 429), ErrorKind::Transient);
        assert_eq!(code_kind("", 503), ErrorKind::Transient);
        assert_eq!(code_kind("MessageRejected", 400), ErrorKind::Permanent);
        assert_eq!(code_kind("ValidationException", 400), ErrorKind::Permanent);
        assert_eq!(code_kind("ConditionalCheckFailedException", 400), ErrorKind::Permanent);
    }
}
