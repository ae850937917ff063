//! Transient, systemic or permanent: the one classification every error in deskbell gets.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Whether trying the same job again later can succeed, and whose fault the failure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Throttling, 5xx, timeouts, a delivery still in flight: retry with back-off.
    Transient,
    /// The account or the deployment, not the job: sending paused, access denied, credentials
    /// expired, a table or queue missing while a deploy settles, KMS refusing. Retried like a
    /// transient error for the whole retry window; never dead-lettered before it ends.
    Systemic,
    /// Bad payload, unknown type, rejected address: retrying cannot help; record and dead-letter.
    Permanent,
}

impl ErrorKind {
    /// `transient` / `systemic` / `permanent`, as stored in failure records.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Transient => "transient",
            Self::Systemic => "systemic",
            Self::Permanent => "permanent",
        }
    }

    /// Whether a later try may succeed (transient or systemic).
    pub const fn is_retried(self) -> bool {
        !matches!(self, Self::Permanent)
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

    #[test]
    fn only_permanent_errors_are_not_retried() {
        assert!(ErrorKind::Transient.is_retried() && ErrorKind::Systemic.is_retried());
        assert!(!ErrorKind::Permanent.is_retried());
        assert_eq!(ErrorKind::Systemic.as_str(), "systemic");
    }
}
