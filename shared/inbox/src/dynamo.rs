//! In-app notifications in DynamoDB.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::types::Select;
use aws_smithy_runtime_api::http::Response;
use chrono::{DateTime, Utc};
use deskbell_dynamo::{Item, get_bool, get_n, get_s, get_time, n, query_pages, s, unless_condition_failed};
use futures::{StreamExt, TryStreamExt, stream};

use crate::{InboxError, Notification, NotificationStore, Page, PageRequest, Stored, UNREAD_ATTRIBUTE, UNREAD_INDEX};

/// Updates of one read-all run at once.
const READ_ALL_CONCURRENCY: usize = 16;

/// Notifications in one DynamoDB table (`user_id` + `id`, TTL on `expires_at`, sparse index
/// [`UNREAD_INDEX`] on `user_id` + [`UNREAD_ATTRIBUTE`]).
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

fn key(user_id: &str, id: &str) -> Item {
    HashMap::from([("user_id".to_owned(), s(user_id)), ("id".to_owned(), s(id))])
}

fn item_of(n: &Notification) -> Item {
    let mut item = HashMap::from([
        ("user_id".to_owned(), s(&n.user_id)),
        ("id".to_owned(), s(&n.id)),
        ("job_id".to_owned(), s(&n.job_id)),
        ("type".to_owned(), s(&n.job_type)),
        ("title".to_owned(), s(&n.title)),
        ("body".to_owned(), s(&n.body)),
        ("link".to_owned(), s(&n.link)),
        ("created_at".to_owned(), s(n.created_at.to_rfc3339())),
        ("read".to_owned(), AttributeValue::Bool(n.read)),
        ("expires_at".to_owned(), AttributeValue::N(n.expires_at.timestamp().to_string())),
    ]);
    if !n.read {
        item.insert(UNREAD_ATTRIBUTE.to_owned(), s(&n.id));
    }
    item
}

/// Live at `now`: TTL deletes within days, not at once, so reads filter on the attribute.
const LIVE: &str = "expires_at > :now";

fn notification_of(item: &Item) -> Notification {
    let text = |name: &str| get_s(item, name).unwrap_or_default();
    let time = |name: &str| get_time(item, name).unwrap_or_default();
    Notification {
        user_id: text("user_id"),
        id: text("id"),
        job_id: text("job_id"),
        job_type: text("type"),
        title: text("title"),
        body: text("body"),
        link: text("link"),
        created_at: time("created_at"),
        read: get_bool(item, "read").unwrap_or(false),
        expires_at: get_n(item, "expires_at").and_then(|secs| DateTime::from_timestamp(secs, 0)).unwrap_or_default(),
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
        let written = unless_condition_failed(result).map_err(|e| self.error("store notification", &e))?;
        Ok(if written.is_some() { Stored::New } else { Stored::Existing })
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

    async fn page(&self, r: &PageRequest<'_>) -> Result<Page, InboxError> {
        let mut page = Page::default();
        let mut start = r.after.map(|id| {
            let mut k = key(r.user_id, id);
            if r.unread_only {
                k.insert(UNREAD_ATTRIBUTE.to_owned(), s(id));
            }
            k
        });
        // Each query evaluates at most what is still missing, so the page never overshoots
        // and the last evaluated key is where the next page starts.
        while page.items.len() < r.limit {
            let remaining = i32::try_from(r.limit - page.items.len()).unwrap_or(i32::MAX);
            let query = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("user_id = :u")
                .filter_expression(LIVE)
                .expression_attribute_values(":u", s(r.user_id))
                .expression_attribute_values(":now", n(r.now.timestamp()))
                .scan_index_forward(false)
                .limit(remaining)
                .set_exclusive_start_key(start.take());
            let query = if r.unread_only { query.index_name(UNREAD_INDEX) } else { query };
            let out = query.send().await.map_err(|e| self.error("list notifications", &e))?;
            page.items.extend(out.items().iter().map(notification_of));
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() => {
                    page.last_id = get_s(&k, "id");
                    start = Some(k);
                }
                _ => {
                    page.last_id = None;
                    break;
                }
            }
        }
        Ok(page)
    }

    async fn unread_count(&self, user_id: &str, now: DateTime<Utc>) -> Result<u64, InboxError> {
        let mut count = 0u64;
        query_pages(self.unread_query(user_id, now).select(Select::Count), |out| {
            count += u64::try_from(out.count).unwrap_or(0);
        })
        .await
        .map_err(|e| self.error("count unread notifications", &e))?;
        Ok(count)
    }

    async fn set_read(&self, user_id: &str, id: &str, read: bool, now: DateTime<Utc>) -> Result<bool, InboxError> {
        self.update_read(user_id, id, read, now).await
    }

    async fn read_all(&self, user_id: &str, now: DateTime<Utc>) -> Result<u64, InboxError> {
        let ids = self.unread_ids(user_id, now).await?;
        let marked: Vec<bool> = stream::iter(ids)
            .map(|id| async move { self.update_read(user_id, &id, true, now).await })
            .buffer_unordered(READ_ALL_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(marked.into_iter().filter(|m| *m).count() as u64)
    }

    async fn delete(&self, user_id: &str, id: &str, now: DateTime<Utc>) -> Result<bool, InboxError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(user_id, id)))
            .condition_expression(format!("attribute_exists(id) AND {LIVE}"))
            .expression_attribute_values(":now", n(now.timestamp()))
            .send()
            .await;
        let deleted = unless_condition_failed(result).map_err(|e| self.error("delete notification", &e))?;
        Ok(deleted.is_some())
    }
}

impl DynamoInbox {
    /// Sets `read` (and the sparse attribute with it) on one live notification of the user.
    async fn update_read(&self, user_id: &str, id: &str, read: bool, now: DateTime<Utc>) -> Result<bool, InboxError> {
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(user_id, id)))
            .condition_expression(format!("attribute_exists(id) AND {LIVE}"))
            .expression_attribute_names("#read", "read")
            .expression_attribute_values(":now", n(now.timestamp()));
        let update = if read {
            update
                .update_expression(format!("SET #read = :true REMOVE {UNREAD_ATTRIBUTE}"))
                .expression_attribute_values(":true", AttributeValue::Bool(true))
        } else {
            update
                .update_expression(format!("SET #read = :false, {UNREAD_ATTRIBUTE} = :id"))
                .expression_attribute_values(":false", AttributeValue::Bool(false))
                .expression_attribute_values(":id", s(id))
        };
        let marked = unless_condition_failed(update.send().await).map_err(|e| self.error("mark notification", &e))?;
        Ok(marked.is_some())
    }

    /// A query of the user's live unread notifications on the sparse index (count and read-all
    /// page through it).
    fn unread_query(
        &self,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        self.client
            .query()
            .table_name(&self.table)
            .index_name(UNREAD_INDEX)
            .key_condition_expression("user_id = :u")
            .filter_expression(LIVE)
            .expression_attribute_values(":u", s(user_id))
            .expression_attribute_values(":now", n(now.timestamp()))
    }

    /// The ids of the user's live unread notifications, from the sparse index.
    async fn unread_ids(&self, user_id: &str, now: DateTime<Utc>) -> Result<Vec<String>, InboxError> {
        let mut ids = Vec::new();
        query_pages(self.unread_query(user_id, now).projection_expression("id"), |out| {
            ids.extend(out.items().iter().filter_map(|i| get_s(i, "id")));
        })
        .await
        .map_err(|e| self.error("list unread notifications", &e))?;
        Ok(ids)
    }
}
