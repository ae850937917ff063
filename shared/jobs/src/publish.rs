//! Publishing jobs onto a queue (report.ready, stats digests, the CLI).

use std::future::Future;

use aws_sdk_sqs::Client;
use deskbell_contract::Job;
use deskbell_errors::{Classify, ErrorKind};
use deskbell_runtime::retry::{sdk_error_kind, sdk_error_text};
use tokio::sync::Mutex;

/// A job that could not be published.
#[derive(Debug, Clone, thiserror::Error)]
#[error("queue {queue}: publishing job {job_id} failed: {message}")]
pub struct PublishError {
    pub queue: String,
    pub job_id: String,
    pub message: String,
    pub kind: ErrorKind,
}

impl Classify for PublishError {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
}

/// A queue jobs are sent to.
pub trait JobQueue: Send + Sync {
    fn publish(&self, job: &Job) -> impl Future<Output = Result<(), PublishError>> + Send;
}

/// An SQS queue, by URL.
#[derive(Clone)]
pub struct SqsJobQueue {
    client: Client,
    queue_url: String,
}

impl SqsJobQueue {
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self { client, queue_url: queue_url.into() }
    }
}

impl JobQueue for SqsJobQueue {
    async fn publish(&self, job: &Job) -> Result<(), PublishError> {
        self.client.send_message().queue_url(&self.queue_url).message_body(job.to_body()).send().await.map_err(
            |e| PublishError {
                queue: crate::queue_name(&self.queue_url.replace('/', ":")).to_owned(),
                job_id: job.id.clone(),
                message: sdk_error_text(&e),
                kind: sdk_error_kind(&e),
            },
        )?;
        Ok(())
    }
}

/// Keeps published jobs in memory, for unit tests.
#[derive(Default)]
pub struct MemoryJobQueue {
    jobs: Mutex<Vec<Job>>,
}

impl MemoryJobQueue {
    /// What was published, in order.
    pub async fn published(&self) -> Vec<Job> {
        self.jobs.lock().await.clone()
    }
}

impl JobQueue for MemoryJobQueue {
    async fn publish(&self, job: &Job) -> Result<(), PublishError> {
        self.jobs.lock().await.push(job.clone());
        Ok(())
    }
}
