//! WebSocket connections per user, with a TTL.

use std::collections::HashMap;
use std::future::Future;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use deskbell_dynamo::{get_s, query_pages};
use deskbell_runtime::TableError;
use tokio::sync::Mutex;

/// The connections table's index by user: `user_id` + `connection_id`.
pub const BY_USER: &str = "by_user";

/// Where open connections are recorded (by the connect route) and found (by notify).
pub trait Connections: Send + Sync {
    /// Records `connection_id` of `user_id`, forgotten after `expires_at` if never removed.
    fn add(
        &self,
        user_id: &str,
        connection_id: &str,
        expires_at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), TableError>> + Send;

    /// Forgets a connection (disconnect route, or gone when posted to).
    fn remove(&self, connection_id: &str) -> impl Future<Output = Result<(), TableError>> + Send;

    /// The user's connections still live at `now`.
    fn of_user(
        &self,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<String>, TableError>> + Send;
}

/// Connections in DynamoDB: key `connection_id`, `user_id`, TTL `expires_at`, index [`BY_USER`].
#[derive(Clone)]
pub struct DynamoConnections {
    client: Client,
    table: String,
}

impl DynamoConnections {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }
}

impl Connections for DynamoConnections {
    async fn add(&self, user_id: &str, connection_id: &str, expires_at: DateTime<Utc>) -> Result<(), TableError> {
        let item = HashMap::from([
            ("connection_id".to_owned(), AttributeValue::S(connection_id.to_owned())),
            ("user_id".to_owned(), AttributeValue::S(user_id.to_owned())),
            ("expires_at".to_owned(), AttributeValue::N(expires_at.timestamp().to_string())),
        ]);
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| TableError::from_sdk(&self.table, "record connection", &e))?;
        Ok(())
    }

    async fn remove(&self, connection_id: &str) -> Result<(), TableError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("connection_id", AttributeValue::S(connection_id.to_owned()))
            .send()
            .await
            .map_err(|e| TableError::from_sdk(&self.table, "remove connection", &e))?;
        Ok(())
    }

    async fn of_user(&self, user_id: &str, now: DateTime<Utc>) -> Result<Vec<String>, TableError> {
        let mut ids = Vec::new();
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(BY_USER)
            .key_condition_expression("user_id = :u")
            .filter_expression("expires_at > :now")
            .expression_attribute_values(":u", AttributeValue::S(user_id.to_owned()))
            .expression_attribute_values(":now", AttributeValue::N(now.timestamp().to_string()));
        query_pages(query, |out| ids.extend(out.items().iter().filter_map(|i| get_s(i, "connection_id"))))
            .await
            .map_err(|e| TableError::from_sdk(&self.table, "list connections", &e))?;
        Ok(ids)
    }
}

/// Connections in memory (tests, the local gateway without a table).
#[derive(Default)]
pub struct MemoryConnections {
    /// connection id → (user id, expires at)
    items: Mutex<HashMap<String, (String, DateTime<Utc>)>>,
}

impl Connections for MemoryConnections {
    async fn add(&self, user_id: &str, connection_id: &str, expires_at: DateTime<Utc>) -> Result<(), TableError> {
        self.items.lock().await.insert(connection_id.to_owned(), (user_id.to_owned(), expires_at));
        Ok(())
    }

    async fn remove(&self, connection_id: &str) -> Result<(), TableError> {
        self.items.lock().await.remove(connection_id);
        Ok(())
    }

    async fn of_user(&self, user_id: &str, now: DateTime<Utc>) -> Result<Vec<String>, TableError> {
        let items = self.items.lock().await;
        Ok(items.iter().filter(|(_, (u, exp))| u == user_id && *exp > now).map(|(id, _)| id.clone()).collect())
    }
}
