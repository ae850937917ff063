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
//! - a transient or systemic failure waits before its next try: the record's visibility
//!   timeout is raised by [`RetryPolicy`] from its receive count (exponential back-off with
//!   jitter), for as long as the policy's retry window lasts from the first receive;
//! - a permanent failure, or one past the retry window, is made visible again at once
//!   (timeout 0), so it reaches the DLQ through the queue's redrive policy after
//!   `maxReceiveCount` quick receives instead of waiting out the back-off
//!   ([`RetryPolicy::max_receive_count`] sizes that count). The redrive policy stays the only
//!   way into a DLQ: messages keep their id and source, so redriving them back needs nothing
//!   special;
//! - when every record of a batch failed for a systemic reason, [`BatchProcessor::process`]
//!   answers a [`SystemicBatchError`] and the function fails the invocation, so the poller
//!   backs off; [`records_to_delete`] is what Lambda (and the local runner) then deletes;
//! - no record starts within the deadline margin of the invocation's deadline: it is failed
//!   (transient, short back-off) and recorded as deferred;
//! - every record prints one CloudWatch EMF line ([`metrics`]): queue, type, outcome,
//!   attempt, duration, wait since it was sent;
//! - every finished record is counted per queue and hour, done or failed
//!   ([`OutcomeLog`](deskbell_records::OutcomeLog)), for the health check's failure rate and
//!   waiting times (a count that cannot be written is logged, never fails the record).

mod backoff;
mod batch;
mod depth;
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
mod margin;
pub mod metrics;
mod publish;
mod record;
mod settle;
mod visibility;

pub use backoff::{RECEIVE_HEADROOM, RetryPolicy};
pub use batch::{BatchProcessor, JobContext, JobHandler, SystemicBatchError};
pub use depth::{DepthError, MemoryQueueDepths, QueueDepth, QueueDepths, SqsQueueDepths};
pub use margin::{DEFAULT_DEADLINE_MARGIN, deadline_margin_from_env};
pub use publish::{JobQueue, MemoryJobQueue, PublishError, SqsJobQueue};
pub use record::lambda_record;
pub use settle::{Invocation, records_to_delete};
pub use visibility::{MemoryVisibility, SqsVisibility, Visibility, VisibilityError, queue_name};
