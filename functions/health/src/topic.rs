//! Paging the admins through SNS: alerts must not depend only on the queue they report on.

use std::future::Future;

use aws_sdk_sns::Client;
use deskbell_errors::{Classify, ErrorKind};
use deskbell_runtime::retry::{sdk_error_kind, sdk_error_text};
use tokio::sync::Mutex;

/// An alert that could not be published to the topic.
#[derive(Debug, Clone, thiserror::Error)]
#[error("topic {topic}: publishing the alert failed: {message}")]
pub struct PageError {
    pub topic: String,
    pub message: String,
    pub kind: ErrorKind,
}

impl Classify for PageError {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
}

/// Where alert texts go besides the notifications queue.
pub trait AlertTopic: Send + Sync {
    /// Publishes one alert: a one-line `subject` and its `text`.
    fn page(&self, subject: &str, text: &str) -> impl Future<Output = Result<(), PageError>> + Send;
}

/// No topic configured: nothing is published.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTopic;

impl AlertTopic for NoTopic {
    async fn page(&self, _subject: &str, _text: &str) -> Result<(), PageError> {
        Ok(())
    }
}

impl<T: AlertTopic> AlertTopic for Option<T> {
    async fn page(&self, subject: &str, text: &str) -> Result<(), PageError> {
        match self {
            Some(topic) => topic.page(subject, text).await,
            None => Ok(()),
        }
    }
}

/// An SNS topic, by ARN (`DESKBELL_ALERTS_TOPIC_ARN`).
#[derive(Clone)]
pub struct SnsAlertTopic {
    client: Client,
    topic_arn: String,
}

impl SnsAlertTopic {
    pub fn new(client: Client, topic_arn: impl Into<String>) -> Self {
        Self { client, topic_arn: topic_arn.into() }
    }
}

impl AlertTopic for SnsAlertTopic {
    async fn page(&self, subject: &str, text: &str) -> Result<(), PageError> {
        self.client.publish().topic_arn(&self.topic_arn).subject(subject).message(text).send().await.map_err(|e| {
            PageError { topic: self.topic_arn.clone(), message: sdk_error_text(&e), kind: sdk_error_kind(&e) }
        })?;
        Ok(())
    }
}

/// Keeps pages in memory, for unit tests.
#[derive(Default)]
pub struct MemoryTopic {
    pages: Mutex<Vec<(String, String)>>,
}

impl MemoryTopic {
    /// What was published, in order: (subject, text).
    pub async fn pages(&self) -> Vec<(String, String)> {
        self.pages.lock().await.clone()
    }
}

impl AlertTopic for MemoryTopic {
    async fn page(&self, subject: &str, text: &str) -> Result<(), PageError> {
        self.pages.lock().await.push((subject.to_owned(), text.to_owned()));
        Ok(())
    }
}
