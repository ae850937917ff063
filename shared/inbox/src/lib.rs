//! In-app notifications: the [`NotificationStore`] trait, [`DynamoInbox`] and [`MemoryInbox`].
//!
//! Table layout: partition key `user_id`, sort key `id`. Ids start with the creation time in
//! fixed-width hex, so a query on one user's partition in reverse key order lists newest
//! first; `expires_at` is the TTL attribute.

mod dynamo;
mod memory;
mod notification;

use std::future::Future;

pub use dynamo::DynamoInbox;
pub use memory::MemoryInbox;
pub use notification::Notification;

/// Whether a store wrote a new notification or found it already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    New,
    /// Same id stored before (a redelivered job): nothing written.
    Existing,
}

/// An inbox operation that did not complete.
pub type InboxError = deskbell_runtime::TableError;

/// Where in-app notifications are kept.
pub trait NotificationStore: Send + Sync {
    /// Stores a notification once: storing the same id again changes nothing.
    fn store(&self, notification: &Notification) -> impl Future<Output = Result<Stored, InboxError>> + Send;

    /// A user's most recent notifications, newest first.
    fn recent(&self, user_id: &str, limit: usize)
    -> impl Future<Output = Result<Vec<Notification>, InboxError>> + Send;
}
