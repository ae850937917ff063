//! In-app notifications: the [`NotificationStore`] trait, [`DynamoInbox`] and [`MemoryInbox`],
//! and the notification centre's operations ([`Centre`]) that the inbox API and the CLI call.
//!
//! Table layout: partition key `user_id`, sort key `id`. Ids start with the creation time in
//! fixed-width hex, so a query on one user's partition in reverse key order lists newest
//! first; `expires_at` is the TTL attribute. While a notification is unread it also carries
//! `unread_id` (= its id), the sort key of the sparse index [`UNREAD_INDEX`]: the unread
//! count is a `Select=COUNT` query of that index filtered on `expires_at > now`, so it never
//! scans and stays exact through new / read / unread / read-all / delete / TTL expiry.

mod centre;
mod cursor;
mod dynamo;
mod memory;
mod notification;

use std::future::Future;

use chrono::{DateTime, Utc};

pub use centre::{Centre, CentreError, DEFAULT_LIMIT, ListPage, ListParams, MAX_LIMIT};
pub use cursor::{Cursor, CursorError};
pub use dynamo::DynamoInbox;
pub use memory::MemoryInbox;
pub use notification::Notification;

/// The sparse global secondary index of unread notifications: `user_id` + [`UNREAD_ATTRIBUTE`].
pub const UNREAD_INDEX: &str = "unread";
/// The attribute present only while a notification is unread (its id), key of [`UNREAD_INDEX`].
pub const UNREAD_ATTRIBUTE: &str = "unread_id";

/// Whether a store wrote a new notification or found it already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    New,
    /// Same id stored before (a redelivered job): nothing written.
    Existing,
}

/// An inbox operation that did not complete.
pub type InboxError = deskbell_runtime::TableError;

/// What one page of a user's notifications asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest<'a> {
    pub user_id: &'a str,
    /// Only unread notifications.
    pub unread_only: bool,
    /// At most this many notifications (at least 1).
    pub limit: usize,
    /// Continue after (older than) this id.
    pub after: Option<&'a str>,
    /// Notifications expiring at or before `now` are gone, whether or not TTL removed them yet.
    pub now: DateTime<Utc>,
}

/// One page of notifications, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Page {
    pub items: Vec<Notification>,
    /// The id to continue after, when there may be more.
    pub last_id: Option<String>,
}

/// Where in-app notifications are kept. Every operation but [`NotificationStore::store`] is
/// scoped to one user: another user's notification is as missing as one that never existed.
pub trait NotificationStore: Send + Sync {
    /// Stores a notification once: storing the same id again changes nothing.
    fn store(&self, notification: &Notification) -> impl Future<Output = Result<Stored, InboxError>> + Send;

    /// A user's most recent notifications, newest first.
    fn recent(&self, user_id: &str, limit: usize)
    -> impl Future<Output = Result<Vec<Notification>, InboxError>> + Send;

    /// One page of a user's live notifications, newest first.
    fn page(&self, request: &PageRequest<'_>) -> impl Future<Output = Result<Page, InboxError>> + Send;

    /// How many of a user's live notifications are unread.
    fn unread_count(&self, user_id: &str, now: DateTime<Utc>) -> impl Future<Output = Result<u64, InboxError>> + Send;

    /// Marks one of the user's live notifications read or unread; `false` when there is none.
    fn set_read(
        &self,
        user_id: &str,
        id: &str,
        read: bool,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, InboxError>> + Send;

    /// Marks every live notification of the user read; answers how many were unread.
    fn read_all(&self, user_id: &str, now: DateTime<Utc>) -> impl Future<Output = Result<u64, InboxError>> + Send;

    /// Deletes one of the user's live notifications; `false` when there is none.
    fn delete(
        &self,
        user_id: &str,
        id: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, InboxError>> + Send;
}
