//! One batch of SQS records: decode, run with bounded concurrency, classify, record, respond.

use std::fmt::Display;
use std::future::Future;
use std::time::Instant;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use chrono::{DateTime, Duration, Utc};
use deskbell_contract::{Job, JobType, decode, peek};
use deskbell_errors::{Classify, ErrorKind};
use deskbell_records::{Attempt, FailureLog, FailureRecord, Outcome, OutcomeLog};
use futures::StreamExt;
use tracing::{Instrument, field};

use crate::metrics::{INVALID_TYPE, MetricsSink, RecordMetrics, RecordOutcome, stdout_sink};
use crate::{DEFAULT_DEADLINE_MARGIN, RetryPolicy, Visibility, queue_name};

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

/// A batch whose every record failed for a systemic reason: the invocation fails, so Lambda's
/// poller backs off (as Powertools' batch utility does) and no record is deleted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "queue {queue}: all {records} records failed for a systemic reason (the account or the deployment, not the jobs): {error}"
)]
pub struct SystemicBatchError {
    pub queue: String,
    pub records: usize,
    /// The first record's error.
    pub error: String,
}

/// Gives a [`JobHandler`] the semantics of an SQS batch with `ReportBatchItemFailures`.
pub struct BatchProcessor<V, F> {
    visibility: V,
    failures: F,
    policy: RetryPolicy,
    concurrency: usize,
    margin: Duration,
    metrics: MetricsSink,
}

struct Failure {
    kind: ErrorKind,
    error: String,
    job_id: Option<String>,
    job_type: Option<String>,
}

/// How one record ended, for the batch's answer.
enum Settled {
    Done,
    /// Failed: its message id (empty when it had none), the error's kind and text.
    Failed {
        message_id: String,
        kind: ErrorKind,
        error: String,
    },
}

/// The SQS system attribute `name`, an epoch-milliseconds time.
fn attribute_time(record: &SqsMessage, name: &str) -> Option<DateTime<Utc>> {
    record.attributes.get(name)?.parse().ok().and_then(DateTime::from_timestamp_millis)
}

impl<V: Visibility, F: FailureLog + OutcomeLog> BatchProcessor<V, F> {
    /// A processor running at most `concurrency` records of a batch at once, starting none
    /// within [`DEFAULT_DEADLINE_MARGIN`] of the deadline, printing each record's metrics.
    pub fn new(visibility: V, failures: F, policy: RetryPolicy, concurrency: usize) -> Self {
        Self {
            visibility,
            failures,
            policy,
            concurrency: concurrency.max(1),
            margin: DEFAULT_DEADLINE_MARGIN,
            metrics: stdout_sink(),
        }
    }

    /// No record starts when less than `margin` is left before the invocation's deadline.
    pub fn with_deadline_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// Sends each record's metrics to `sink` instead of stdout (tests).
    pub fn with_metrics(mut self, sink: MetricsSink) -> Self {
        self.metrics = sink;
        self
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
    /// names exactly the records that failed. When every record failed for a systemic reason,
    /// the answer is a [`SystemicBatchError`] instead, for the handler to fail the invocation
    /// with (each record's back-off is set either way).
    pub async fn process<H: JobHandler>(
        &self,
        event: SqsEvent,
        deadline: Option<DateTime<Utc>>,
        handler: &H,
    ) -> Result<SqsBatchResponse, SystemicBatchError> {
        let queue = event
            .records
            .first()
            .and_then(|r| r.event_source_arn.as_deref())
            .map(|arn| queue_name(arn).to_owned())
            .unwrap_or_default();
        let settled: Vec<Settled> = futures::stream::iter(event.records)
            .map(|record| self.process_record(record, deadline, handler))
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        let systemic = !settled.is_empty()
            && settled.iter().all(|s| matches!(s, Settled::Failed { kind: ErrorKind::Systemic, .. }));
        if systemic {
            let error = settled
                .iter()
                .find_map(|s| match s {
                    Settled::Failed { error, .. } => Some(error.clone()),
                    Settled::Done => None,
                })
                .unwrap_or_default();
            let e = SystemicBatchError { queue, records: settled.len(), error };
            tracing::error!(error = %e, "batch failed");
            return Err(e);
        }
        let failed = settled.into_iter().filter_map(|s| match s {
            Settled::Failed { message_id, .. } => Some(message_id),
            Settled::Done => None,
        });
        let mut response = SqsBatchResponse::default();
        response.set_failures(failed.collect::<Vec<_>>());
        Ok(response)
    }

    /// Runs one record, unless the deadline is too near.
    async fn process_record<H: JobHandler>(
        &self,
        record: SqsMessage,
        deadline: Option<DateTime<Utc>>,
        handler: &H,
    ) -> Settled {
        let Some(message_id) = record.message_id.clone().filter(|id| !id.is_empty()) else {
            // It cannot be named alone; Lambda treats an empty itemIdentifier as the failure
            // of the whole batch, which retries everything (idempotent) and loses nothing.
            tracing::error!("record without messageId: failing the whole batch");
            return Settled::Failed {
                message_id: String::new(),
                kind: ErrorKind::Transient,
                error: "record without messageId".into(),
            };
        };
        let started = Instant::now();
        let receive_count =
            record.attributes.get("ApproximateReceiveCount").and_then(|c| c.parse().ok()).unwrap_or(1u32);
        let sent_at = attribute_time(&record, "SentTimestamp");
        let first_received = attribute_time(&record, "ApproximateFirstReceiveTimestamp").or(sent_at);
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
        let (peeked_id, peeked_type) = peek(record.body.as_deref().unwrap_or_default());
        // A known wire name or `invalid`: never a producer's string as a dimension value.
        let metric_type =
            peeked_type.as_deref().and_then(JobType::from_wire).map_or(INVALID_TYPE, JobType::wire_name).to_owned();

        let left = deadline.map(|d| d - ctx.now);
        let (outcome, failed) = match left.filter(|left| *left < self.margin) {
            Some(left) => {
                let failure = Failure {
                    kind: ErrorKind::Transient,
                    error: format!(
                        "not started: {} ms left before the invocation's deadline, under the margin of {} ms",
                        left.num_milliseconds(),
                        self.margin.num_milliseconds()
                    ),
                    job_id: peeked_id,
                    job_type: peeked_type,
                };
                let failed = (failure.kind, failure.error.clone());
                // A short wait: the job did nothing wrong, the next invocation has time.
                let retry_in = self.policy.visibility_secs(1, fastrand::f64());
                self.fail(&record, &queue_arn, &ctx, failure, RecordOutcome::Deferred, retry_in)
                    .instrument(span.clone())
                    .await;
                (RecordOutcome::Deferred, Some(failed))
            }
            None => {
                let result =
                    self.run(record.body.as_deref().unwrap_or_default(), handler, &ctx).instrument(span.clone()).await;
                let counted = if result.is_ok() { Outcome::Done } else { Outcome::Failed };
                if let Err(e) = self.failures.count(&ctx.queue, counted, Utc::now()).await {
                    tracing::warn!(parent: &span, error = %e, "job outcome not counted");
                }
                match result {
                    Ok(()) => (RecordOutcome::Done, None),
                    Err(failure) => {
                        let (outcome, retry_in) = self.verdict(failure.kind, first_received, ctx.attempt.receive_count);
                        let failed = (failure.kind, failure.error.clone());
                        self.fail(&record, &queue_arn, &ctx, failure, outcome, retry_in).instrument(span.clone()).await;
                        (outcome, Some(failed))
                    }
                }
            }
        };
        (self.metrics)(&RecordMetrics {
            queue: ctx.queue.clone(),
            job_type: metric_type,
            outcome,
            attempt: ctx.attempt.receive_count,
            message_id: ctx.attempt.message_id.clone(),
            duration_ms: started.elapsed().as_secs_f64() * 1000.0,
            wait_ms: sent_at.map(|sent| (ctx.now - sent).num_milliseconds().max(0) as f64),
            at: Utc::now(),
        });
        match failed {
            None => Settled::Done,
            Some((kind, error)) => Settled::Failed { message_id: ctx.attempt.message_id, kind, error },
        }
    }

    /// What becomes of a failure of `kind`: permanent ones and those past the retry window
    /// are released at once (visibility 0) for the redrive policy to take on the next
    /// receives; the others wait out their back-off.
    fn verdict(&self, kind: ErrorKind, first_received: Option<DateTime<Utc>>, receives: u32) -> (RecordOutcome, i32) {
        match kind {
            ErrorKind::Permanent => (RecordOutcome::Permanent, 0),
            _ if self.policy.window_spent(first_received, Utc::now()) => (RecordOutcome::Expired, 0),
            ErrorKind::Transient => (RecordOutcome::Transient, self.policy.visibility_secs(receives, fastrand::f64())),
            ErrorKind::Systemic => (RecordOutcome::Systemic, self.policy.visibility_secs(receives, fastrand::f64())),
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
    async fn fail(
        &self,
        record: &SqsMessage,
        queue_arn: &str,
        ctx: &JobContext,
        failure: Failure,
        outcome: RecordOutcome,
        retry_in: i32,
    ) {
        tracing::warn!(
            kind = failure.kind.as_str(),
            outcome = outcome.as_str(),
            error = %failure.error,
            retry_in_secs = retry_in,
            "job failed"
        );
        let error = match outcome {
            RecordOutcome::Expired => format!(
                "retry window of {} s spent after {} receives; last error: {}",
                self.policy.window_secs, ctx.attempt.receive_count, failure.error
            ),
            _ => failure.error,
        };
        let entry = FailureRecord {
            message_id: ctx.attempt.message_id.clone(),
            queue: ctx.queue.clone(),
            job_id: failure.job_id,
            job_type: failure.job_type,
            kind: failure.kind,
            error,
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
