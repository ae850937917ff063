//! How many messages a queue holds, for the health check.
//!
//! SQS's `GetQueueAttributes` answers the depth without touching any message. It has no "age
//! of the oldest message" (that is a CloudWatch metric), and receiving a message to look at it
//! would raise its receive count and spend its redrive budget: the health check gets waiting
//! times another way (see the health function).

use std::collections::HashMap;
use std::future::Future;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::QueueAttributeName;
use deskbell_errors::{Classify, ErrorKind};
use deskbell_runtime::retry::{sdk_error_kind, sdk_error_text};
use tokio::sync::Mutex;

/// The approximate counts SQS keeps for a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueueDepth {
    /// Waiting to be received.
    pub visible: u64,
    /// Received and not yet deleted (being worked on, or waiting out a back-off).
    pub in_flight: u64,
    /// Sent with a delay that has not passed.
    pub delayed: u64,
}

impl QueueDepth {
    /// Every message the queue holds.
    pub fn total(&self) -> u64 {
        self.visible + self.in_flight + self.delayed
    }
}

/// A queue's depth that could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[error("queue {queue}: reading its depth failed: {message}")]
pub struct DepthError {
    pub queue: String,
    pub message: String,
    pub kind: ErrorKind,
}

impl Classify for DepthError {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
}

/// Reads queue depths by queue URL.
pub trait QueueDepths: Send + Sync {
    fn depth(&self, queue_url: &str) -> impl Future<Output = Result<QueueDepth, DepthError>> + Send;
}

/// Through SQS `GetQueueAttributes`.
#[derive(Clone)]
pub struct SqsQueueDepths {
    client: Client,
}

impl SqsQueueDepths {
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

impl QueueDepths for SqsQueueDepths {
    async fn depth(&self, queue_url: &str) -> Result<QueueDepth, DepthError> {
        let out = self
            .client
            .get_queue_attributes()
            .queue_url(queue_url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesDelayed)
            .send()
            .await
            .map_err(|e| DepthError {
                queue: crate::queue_name(&queue_url.replace('/', ":")).to_owned(),
                message: sdk_error_text(&e),
                kind: sdk_error_kind(&e),
            })?;
        let attributes = out.attributes().cloned().unwrap_or_default();
        let get = |k: QueueAttributeName| attributes.get(&k).and_then(|v| v.parse().ok()).unwrap_or(0);
        Ok(QueueDepth {
            visible: get(QueueAttributeName::ApproximateNumberOfMessages),
            in_flight: get(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
            delayed: get(QueueAttributeName::ApproximateNumberOfMessagesDelayed),
        })
    }
}

/// Depths set by hand, for unit tests; an unknown queue is empty.
#[derive(Default)]
pub struct MemoryQueueDepths {
    depths: Mutex<HashMap<String, QueueDepth>>,
}

impl MemoryQueueDepths {
    pub async fn set(&self, queue_url: &str, depth: QueueDepth) {
        self.depths.lock().await.insert(queue_url.to_owned(), depth);
    }
}

impl QueueDepths for MemoryQueueDepths {
    async fn depth(&self, queue_url: &str) -> Result<QueueDepth, DepthError> {
        Ok(self.depths.lock().await.get(queue_url).copied().unwrap_or_default())
    }
}
