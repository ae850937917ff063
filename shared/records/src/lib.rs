//! Job records in the jobs table (DynamoDB): the [`DeliveryLog`], the idempotency primitive
//! that makes every side effect happen once and logs it (in progress / completed / failed), and the [`FailureLog`] that keeps why a
//! job failed, for the DLQ tooling to show beside the message.
//!
//! Both traits have a DynamoDB implementation ([`DynamoRecords`]) and an in-memory one
//! ([`MemoryRecords`]) for unit tests.
//!
//! Table layout (one table, `pk`/`sk` strings, TTL attribute `expires_at`):
//!
//! | item | pk | sk |
//! |---|---|---|
//! | delivery | `delivery#<job id>` | `<channel>#<recipient id>` |
//! | failure | `failure#<SQS message id>` | `failure` |
//! | report status | `report#<report id>` | `report` |
//! | job outcomes of an hour | `outcomes#<queue>` | `<YYYY-MM-DDTHH>` |
//! | incident of a check | `incident#<check>:<resource>` | `incident` |
//! | queue seen waiting since | `waiting#<queue>` | `waiting` |

mod dynamo;
mod failure;
mod health;
mod idempotency;
mod memory;
mod report;

pub use dynamo::DynamoRecords;
pub use failure::{FailureLog, FailureRecord};
pub use health::{
    HourOutcomes, Incident, IncidentLog, IncidentState, Outcome, OutcomeCounts, OutcomeLog, hour_key, hour_of,
};
pub use idempotency::{
    Attempt, Channel, Claim, DeliveryKey, DeliveryLog, DeliveryOutcome, DeliveryRecord, DeliveryStatus, FinishError,
    FinishRetry, Lock, LockExpiry, LockRequest, PayloadHash, finish,
};
pub use memory::MemoryRecords;
pub use report::{ReportLog, ReportOutcome, ReportRecord, ReportStart, ReportStatus};

/// A job-records operation that did not complete.
pub type RecordError = deskbell_runtime::TableError;
