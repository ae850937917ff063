//! In-app notifications in DynamoDB.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_smithy_runtime_api::http::Response;
use chrono::{DateTime, Utc};

use crate::{InboxError, Notification, NotificationStore, Stored};

/// Notifications in one DynamoDB table (`user_id` + `id`, TTL on `expires_at`).
#[derive(Clone)]
pub struct DynamoInbox {
    client: Client,
    table: String,
}

impl DynamoInbox {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    fn error<E: ProvideErrorMetadata + std::error::Error>(
        &self,
        operation: &'static str,
        err: &SdkError<E, Response>,
    ) -> InboxError {
        InboxError::from_sdk(&self.table, operation, err)
    }
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn item_of(n: &Notification) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("user_id".to_owned(), s(&n.user_id)),
        ("id".to_owned(), s(&n.id)),
        ("job_id".to_owned(), s(&n.job_id)),
        ("type".to_owned(), s(&n.job_type)),
        ("title".to_owned(), s(&n.title)),
        ("body".to_owned(), s(&n.body)),
        ("link".to_owned(), s(&n.link)),
        ("created_at".to_owned(), s(&n.created_at.to_rfc3339())),
        ("read".to_owned(), AttributeValue::Bool(n.read)),
        ("expires_at".to_owned(), AttributeValue::N(n.expires_at.timestamp().to_string())),
    ])
}

fn notification_of(item: &HashMap<String, AttributeValue>) -> Notification {
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
    let time =
        |name: &str| DateTime::parse_from_rfc3339(&text(name)).map(|t| t.with_timezone(&Utc)).unwrap_or_default();
    Notification {
        user_id: text("user_id"),
        id: text("id"),
        job_id: text("job_id"),
        job_type: text("type"),
        title: text("title"),
        body: text("body"),
        link: text("link"),
        created_at: time("created_at"),
        read: item.get("read").and_then(|v| v.as_bool().ok()).copied().unwrap_or(false),
        expires_at: item
            .get("expires_at")
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .and_then(|secs| DateTime::from_timestamp(secs, 0))
            .unwrap_or_default(),
    }
}

impl NotificationStore for DynamoInbox {
    async fn store(&self, n: &Notification) -> Result<Stored, InboxError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item_of(n)))
            .condition_expression("attribute_not_exists(id)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(Stored::New),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                Ok(Stored::Existing)
            }
            Err(err) => Err(self.error("store notification", &err)),
        }
    }

    async fn recent(&self, user_id: &str, limit: usize) -> Result<Vec<Notification>, InboxError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("user_id = :u")
            .expression_attribute_values(":u", s(user_id))
            .scan_index_forward(false)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(|e| self.error("list notifications", &e))?;
        Ok(out.items().iter().map(notification_of).collect())
    }
}
