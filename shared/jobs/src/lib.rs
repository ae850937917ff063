//! The SQS job core shared by every SQS-triggered function.
//!
//! A function writes a [`JobHandler`] for *one* job; [`BatchProcessor::process`] gives the whole
//! SQS batch its semantics:
//!
//! - each record's body is decoded into a [`deskbell_contract::Job`] (a decode error is permanent);
//! - records run concurrently, at most `concurrency` at a time, each in its own span carrying the
//!   message id, queue, attempt and job type;
//! - a failed record is recorded in the [`FailureLog`](deskbell_records::FailureLog) (message id,
//!   queue, job id and type, error, attempt, time) and reported in `batchItemFailures`;
//! - a transient failure waits before its next try: the record's visibility timeout is raised
//!   by [`RetryPolicy`] from its receive count (exponential back-off with jitter);
//! - a permanent failure is made visible again at once (timeout 0), so it reaches the DLQ
//!   through the queue's redrive policy after `maxReceiveCount` quick receives instead of
//!   waiting out the back-off. The redrive policy stays the only way into a DLQ: messages keep
//!   their id and source, so redriving them back needs nothing special;
//! - every finished record is counted per queue and hour, done or failed
//!   ([`OutcomeLog`](deskbell_records::OutcomeLog)), for the health check's failure rate and
//!   waiting times (a count that cannot be written is logged, never fails the record).

mod backoff;
mod batch;
mod depth;
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
mod publish;
mod record;
mod visibility;

pub use backoff::RetryPolicy;
pub use batch::{BatchProcessor, JobContext, JobHandler};
pub use depth::{DepthError, MemoryQueueDepths, QueueDepth, QueueDepths, SqsQueueDepths};
pub use publish::{JobQueue, MemoryJobQueue, PublishError, SqsJobQueue};
pub use record::lambda_record;
pub use visibility::{MemoryVisibility, SqsVisibility, Visibility, VisibilityError, queue_name};
