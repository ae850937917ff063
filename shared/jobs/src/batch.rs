//! One batch of SQS records: decode, run with bounded concurrency, classify, record, respond.

use std::fmt::Display;
use std::future::Future;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use chrono::{DateTime, Utc};
use deskbell_contract::{Job, decode, peek};
use deskbell_records::{Attempt, FailureLog, FailureRecord, Outcome, OutcomeLog};
use deskbell_runtime::{Classify, ErrorKind};
use futures::StreamExt;
use tracing::{Instrument, field};

use crate::{RetryPolicy, Visibility, queue_name};

/// What a handler knows about the delivery of the job it runs.
#[derive(Debug, Clone)]
pub struct JobContext {
    /// The SQS message id and how many times it has been received.
    pub attempt: Attempt,
    /// The queue name it came from.
    pub queue: String,
    /// The time this record's processing started: the only clock a handler reads.
    pub now: DateTime<Utc>,
    /// When the invocation must have answered (Lambda's deadline; none for a hand-built
    /// context): no side effect may start that cannot finish before it.
    pub deadline: Option<DateTime<Utc>>,
}

/// Handles one job. Everything else about a batch is the [`BatchProcessor`]'s.
pub trait JobHandler: Send + Sync {
    type Error: Classify + Display + Send;

    fn handle(&self, job: &Job, ctx: &JobContext) -> impl Future<Output = Result<(), Self::Error>> + Send;
}

/// Gives a [`JobHandler`] the semantics of an SQS batch with `ReportBatchItemFailures`.
pub struct BatchProcessor<V, F> {
    visibility: V,
    failures: F,
    policy: RetryPolicy,
    concurrency: usize,
}

struct Failure {
    kind: ErrorKind,
    error: String,
    job_id: Option<String>,
    job_type: Option<String>,
}

impl<V: Visibility, F: FailureLog + OutcomeLog> BatchProcessor<V, F> {
    /// A processor running at most `concurrency` records of a batch at once.
    pub fn new(visibility: V, failures: F, policy: RetryPolicy, concurrency: usize) -> Self {
        Self { visibility, failures, policy, concurrency: concurrency.max(1) }
    }

    /// The failure log, for callers that show failures (tests, tools).
    pub fn failures(&self) -> &F {
        &self.failures
    }

    /// The visibility controller (tests read what it was asked to do).
    pub fn visibility(&self) -> &V {
        &self.visibility
    }

    /// Processes a batch that must be answered by `deadline` (when there is one); the response
    /// names exactly the records that failed.
    pub async fn process<H: JobHandler>(
        &self,
        event: SqsEvent,
        deadline: Option<DateTime<Utc>>,
        handler: &H,
    ) -> SqsBatchResponse {
        let failed: Vec<String> = futures::stream::iter(event.records)
            .map(|record| self.process_record(record, deadline, handler))
            .buffer_unordered(self.concurrency)
            .filter_map(|failed| async move { failed })
            .collect()
            .await;
        let mut response = SqsBatchResponse::default();
        response.set_failures(failed);
        response
    }

    /// Runs one record; `Some(message id)` when it failed (`Some("")` when it had no id).
    async fn process_record<H: JobHandler>(
        &self,
        record: SqsMessage,
        deadline: Option<DateTime<Utc>>,
        handler: &H,
    ) -> Option<String> {
        let Some(message_id) = record.message_id.clone().filter(|id| !id.is_empty()) else {
            // It cannot be named alone; Lambda treats an empty itemIdentifier as the failure
            // of the whole batch, which retries everything (idempotent) and loses nothing.
            tracing::error!("record without messageId: failing the whole batch");
            return Some(String::new());
        };
        let receive_count =
            record.attributes.get("ApproximateReceiveCount").and_then(|c| c.parse().ok()).unwrap_or(1u32);
        let queue_arn = record.event_source_arn.clone().unwrap_or_default();
        let queue = queue_name(&queue_arn).to_owned();
        let span = tracing::info_span!(
            "job",
            message_id = %message_id,
            queue = %queue,
            attempt = receive_count,
            job_type = field::Empty,
            job_id = field::Empty,
        );
        let ctx = JobContext { attempt: Attempt { message_id, receive_count }, queue, now: Utc::now(), deadline };
        let outcome =
            self.run(record.body.as_deref().unwrap_or_default(), handler, &ctx).instrument(span.clone()).await;
        let counted = if outcome.is_ok() { Outcome::Done } else { Outcome::Failed };
        if let Err(e) = self.failures.count(&ctx.queue, counted, Utc::now()).await {
            tracing::warn!(parent: &span, error = %e, "job outcome not counted");
        }
        match outcome {
            Ok(()) => None,
            Err(failure) => {
                self.fail(&record, &queue_arn, &ctx, failure).instrument(span).await;
                Some(ctx.attempt.message_id)
            }
        }
    }

    async fn run<H: JobHandler>(&self, body: &str, handler: &H, ctx: &JobContext) -> Result<(), Failure> {
        let job = decode(body).map_err(|e| {
            let (job_id, job_type) = peek(body);
            Failure { kind: ErrorKind::Permanent, error: e.to_string(), job_id, job_type }
        })?;
        let span = tracing::Span::current();
        span.record("job_type", job.job_type().wire_name());
        span.record("job_id", job.id.as_str());
        handler.handle(&job, ctx).await.map_err(|e| Failure {
            kind: e.kind(),
            error: e.to_string(),
            job_id: Some(job.id.clone()),
            job_type: Some(job.job_type().wire_name().to_owned()),
        })?;
        tracing::info!("job done");
        Ok(())
    }

    /// Records why, then sets when SQS hands the record out again.
    async fn fail(&self, record: &SqsMessage, queue_arn: &str, ctx: &JobContext, failure: Failure) {
        let retry_in = match failure.kind {
            ErrorKind::Permanent => 0,
            ErrorKind::Transient => self.policy.visibility_secs(ctx.attempt.receive_count, fastrand::f64()),
        };
        tracing::warn!(kind = failure.kind.as_str(), error = %failure.error, retry_in_secs = retry_in, "job failed");
        let entry = FailureRecord {
            message_id: ctx.attempt.message_id.clone(),
            queue: ctx.queue.clone(),
            job_id: failure.job_id,
            job_type: failure.job_type,
            kind: failure.kind.as_str().to_owned(),
            error: failure.error,
            attempt: ctx.attempt.receive_count,
            failed_at: ctx.now,
        };
        if let Err(e) = self.failures.record(&entry).await {
            tracing::error!(error = %e, "failure reason not recorded");
        }
        match record.receipt_handle.as_deref() {
            Some(receipt) => {
                if let Err(e) = self.visibility.set_timeout(queue_arn, receipt, retry_in).await {
                    tracing::warn!(error = %e, "visibility not changed; the queue's default timeout applies");
                }
            }
            None => tracing::warn!("record without receiptHandle: visibility not changed"),
        }
    }
}
