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

use deskbell_runtime::{Classify, ErrorKind};

/// Whether a store wrote a new notification or found it already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    New,
    /// Same id stored before (a redelivered job): nothing written.
    Existing,
}

/// An inbox operation that did not complete.
#[derive(Debug, thiserror::Error)]
#[error("table {table}: {operation} failed: {message}")]
pub struct InboxError {
    pub table: String,
    pub operation: &'static str,
    pub message: String,
    pub kind: ErrorKind,
}

impl Classify for InboxError {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
}

/// Where in-app notifications are kept.
pub trait NotificationStore: Send + Sync {
    /// Stores a notification once: storing the same id again changes nothing.
    fn store(&self, notification: &Notification) -> impl Future<Output = Result<Stored, InboxError>> + Send;

    /// A user's most recent notifications, newest first.
    fn recent(&self, user_id: &str, limit: usize)
    -> impl Future<Output = Result<Vec<Notification>, InboxError>> + Send;
}
