//! Changing a record's visibility timeout: the retry clock of SQS.

use std::collections::HashMap;
use std::future::Future;

use aws_sdk_sqs::Client;
use deskbell_runtime::retry::sdk_error_text;
use tokio::sync::Mutex;

/// A visibility change that did not happen (the record then keeps the queue's default).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("queue {queue}: change visibility failed: {message}")]
pub struct VisibilityError {
    pub queue: String,
    pub message: String,
}

/// Sets how long until SQS hands a received message out again.
pub trait Visibility: Send + Sync {
    fn set_timeout(
        &self,
        queue_arn: &str,
        receipt_handle: &str,
        seconds: i32,
    ) -> impl Future<Output = Result<(), VisibilityError>> + Send;
}

/// The queue name at the end of an SQS ARN (`arn:aws:sqs:eu-west-1:123:deskbell-notifications`).
pub fn queue_name(queue_arn: &str) -> &str {
    queue_arn.rsplit(':').next().unwrap_or(queue_arn)
}

/// Through SQS `ChangeMessageVisibility`; queue URLs are looked up once per queue and kept.
pub struct SqsVisibility {
    client: Client,
    urls: Mutex<HashMap<String, String>>,
}

impl SqsVisibility {
    pub fn new(client: Client) -> Self {
        Self { client, urls: Mutex::default() }
    }

    async fn url(&self, queue_arn: &str) -> Result<String, VisibilityError> {
        if let Some(url) = self.urls.lock().await.get(queue_arn) {
            return Ok(url.clone());
        }
        let parts: Vec<&str> = queue_arn.split(':').collect();
        let (account, name) = match parts.as_slice() {
            [_, _, _, _, account, name] => (*account, *name),
            _ => {
                return Err(VisibilityError { queue: queue_arn.to_owned(), message: "not an SQS queue ARN".into() });
            }
        };
        let out = self
            .client
            .get_queue_url()
            .queue_name(name)
            .queue_owner_aws_account_id(account)
            .send()
            .await
            .map_err(|e| VisibilityError { queue: name.to_owned(), message: sdk_error_text(&e) })?;
        let url = out.queue_url().unwrap_or_default().to_owned();
        self.urls.lock().await.insert(queue_arn.to_owned(), url.clone());
        Ok(url)
    }
}

impl Visibility for SqsVisibility {
    async fn set_timeout(&self, queue_arn: &str, receipt_handle: &str, seconds: i32) -> Result<(), VisibilityError> {
        let url = self.url(queue_arn).await?;
        self.client
            .change_message_visibility()
            .queue_url(url)
            .receipt_handle(receipt_handle)
            .visibility_timeout(seconds)
            .send()
            .await
            .map_err(|e| VisibilityError { queue: queue_name(queue_arn).to_owned(), message: sdk_error_text(&e) })?;
        Ok(())
    }
}

/// Remembers each change, for unit tests: (receipt handle, seconds).
#[derive(Default)]
pub struct MemoryVisibility {
    changes: Mutex<Vec<(String, i32)>>,
}

impl MemoryVisibility {
    pub async fn changes(&self) -> Vec<(String, i32)> {
        self.changes.lock().await.clone()
    }
}

impl Visibility for MemoryVisibility {
    async fn set_timeout(&self, _queue_arn: &str, receipt_handle: &str, seconds: i32) -> Result<(), VisibilityError> {
        self.changes.lock().await.push((receipt_handle.to_owned(), seconds));
        Ok(())
    }
}
