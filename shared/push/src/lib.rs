//! Real-time push: when notify stores a new notification, every WebSocket connection of its
//! user gets it, with the user's new unread count.
//!
//! - [`Connections`]: connection ids per user, kept with a TTL ([`DynamoConnections`]: table
//!   key `connection_id`, index [`BY_USER`] on `user_id`; [`MemoryConnections`]).
//! - [`Gateway`]: posts to one connection ([`ManagementGateway`]: the API Gateway Management
//!   API, `POST /@connections/{id}`; [`MemoryGateway`]); a connection that is gone (410) is
//!   removed from [`Connections`].
//! - [`Pusher`] puts the two together behind [`Push`], which notify calls.

mod connections;
mod gateway;

use std::future::Future;

use chrono::{DateTime, Utc};
use deskbell_inbox::Notification;
use futures::future::join_all;
use serde::{Deserialize, Serialize};

pub use connections::{BY_USER, Connections, DynamoConnections, MemoryConnections};
pub use gateway::{Gateway, ManagementGateway, MemoryGateway, Posted};

/// A push that did not complete.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PushError {
    #[error(transparent)]
    Table(#[from] deskbell_runtime::TableError),
    #[error("connection {connection_id}: post failed: {message}")]
    Post { connection_id: String, message: String },
}

/// What a connected client receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushMessage {
    /// Always `notification.new`.
    #[serde(rename = "type")]
    pub kind: String,
    pub notification: Notification,
    pub unread_count: u64,
}

impl PushMessage {
    pub fn new(notification: Notification, unread_count: u64) -> Self {
        Self { kind: "notification.new".into(), notification, unread_count }
    }
}

/// What one push did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PushReport {
    pub delivered: usize,
    /// Connections found gone and removed.
    pub gone: usize,
    pub failed: usize,
}

/// Where notify sends new notifications for connected clients.
pub trait Push: Send + Sync {
    /// The live connections of `user_id` (none: nothing to push, no count to read).
    fn connections_of(
        &self,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<String>, PushError>> + Send;

    /// Posts `message` to each connection; removes those that are gone.
    fn send(&self, connection_ids: &[String], message: &PushMessage) -> impl Future<Output = PushReport> + Send;
}

/// No push configured.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPush;

impl Push for NoPush {
    async fn connections_of(&self, _: &str, _: DateTime<Utc>) -> Result<Vec<String>, PushError> {
        Ok(Vec::new())
    }

    async fn send(&self, _: &[String], _: &PushMessage) -> PushReport {
        PushReport::default()
    }
}

/// A push that may not be configured.
impl<P: Push> Push for Option<P> {
    async fn connections_of(&self, user_id: &str, now: DateTime<Utc>) -> Result<Vec<String>, PushError> {
        match self {
            Some(p) => p.connections_of(user_id, now).await,
            None => Ok(Vec::new()),
        }
    }

    async fn send(&self, connection_ids: &[String], message: &PushMessage) -> PushReport {
        match self {
            Some(p) => p.send(connection_ids, message).await,
            None => PushReport::default(),
        }
    }
}

/// Push through a connections store and a gateway.
pub struct Pusher<C, G> {
    connections: C,
    gateway: G,
}

impl<C: Connections, G: Gateway> Pusher<C, G> {
    pub fn new(connections: C, gateway: G) -> Self {
        Self { connections, gateway }
    }

    pub fn connections(&self) -> &C {
        &self.connections
    }

    pub fn gateway(&self) -> &G {
        &self.gateway
    }
}

impl<C: Connections, G: Gateway> Push for Pusher<C, G> {
    async fn connections_of(&self, user_id: &str, now: DateTime<Utc>) -> Result<Vec<String>, PushError> {
        Ok(self.connections.of_user(user_id, now).await?)
    }

    async fn send(&self, connection_ids: &[String], message: &PushMessage) -> PushReport {
        let body = serde_json::to_vec(message).unwrap_or_default();
        let body = &body;
        let posts = connection_ids.iter().map(|id| async move {
            match self.gateway.post(id, body).await {
                Ok(Posted::Delivered) => (1, 0, 0),
                Ok(Posted::Gone) => {
                    if let Err(error) = self.connections.remove(id).await {
                        tracing::warn!(connection = %id, %error, "gone connection not removed");
                    }
                    (0, 1, 0)
                }
                Err(error) => {
                    tracing::warn!(connection = %id, %error, "push failed");
                    (0, 0, 1)
                }
            }
        });
        let results = join_all(posts).await;
        results.into_iter().fold(PushReport::default(), |r, (d, g, f)| PushReport {
            delivered: r.delivered + d,
            gone: r.gone + g,
            failed: r.failed + f,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn notification() -> Notification {
        let t = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        Notification::new("u-1", "job-1", "ticket.assigned", "T".into(), "B".into(), "L".into(), t, Duration::days(1))
    }

    #[tokio::test]
    async fn live_connections_get_the_message_and_gone_ones_are_removed() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let pusher = Pusher::new(MemoryConnections::default(), MemoryGateway::default());
        for id in ["c-1", "c-2", "c-gone"] {
            pusher.connections().add("u-1", id, now + Duration::hours(2)).await.unwrap();
        }
        pusher.connections().add("u-2", "c-other", now + Duration::hours(2)).await.unwrap();
        pusher.connections().add("u-1", "c-expired", now).await.unwrap();
        pusher.gateway().mark_gone("c-gone").await;

        let mut ids = pusher.connections_of("u-1", now).await.unwrap();
        ids.sort();
        assert_eq!(ids, ["c-1", "c-2", "c-gone"]);
        let report = pusher.send(&ids, &PushMessage::new(notification(), 3)).await;
        assert_eq!(report, PushReport { delivered: 2, gone: 1, failed: 0 });
        let posted = pusher.gateway().posted().await;
        assert_eq!(posted.len(), 2);
        let message: PushMessage = serde_json::from_slice(&posted[0].1).unwrap();
        assert_eq!((message.kind.as_str(), message.unread_count), ("notification.new", 3));
        assert_eq!(pusher.connections_of("u-1", now).await.unwrap().len(), 2);
    }
}
