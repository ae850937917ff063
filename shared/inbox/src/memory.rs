//! An inbox in memory, for unit tests, property tests and benchmarks.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use tokio::sync::Mutex;

use crate::{InboxError, Notification, NotificationStore, Page, PageRequest, Stored};

/// Notifications kept in memory by (user, id); behaves like [`crate::DynamoInbox`], expiry
/// included (a notification whose `expires_at` has passed is gone).
#[derive(Default)]
pub struct MemoryInbox {
    items: Mutex<BTreeMap<(String, String), Notification>>,
}

impl MemoryInbox {
    /// Every notification, ordered by user then id.
    pub async fn all(&self) -> Vec<Notification> {
        self.items.lock().await.values().cloned().collect()
    }
}

/// The live notification `(user_id, id)`, if any.
fn live<'a>(
    items: &'a mut BTreeMap<(String, String), Notification>,
    user_id: &str,
    id: &str,
    now: DateTime<Utc>,
) -> Option<&'a mut Notification> {
    items.get_mut(&(user_id.to_owned(), id.to_owned())).filter(|n| n.is_live(now))
}

impl NotificationStore for MemoryInbox {
    async fn store(&self, n: &Notification) -> Result<Stored, InboxError> {
        let mut items = self.items.lock().await;
        let key = (n.user_id.clone(), n.id.clone());
        if items.contains_key(&key) {
            return Ok(Stored::Existing);
        }
        items.insert(key, n.clone());
        Ok(Stored::New)
    }

    async fn recent(&self, user_id: &str, limit: usize) -> Result<Vec<Notification>, InboxError> {
        let items = self.items.lock().await;
        Ok(items.values().rev().filter(|n| n.user_id == user_id).take(limit).cloned().collect())
    }

    async fn page(&self, r: &PageRequest<'_>) -> Result<Page, InboxError> {
        let items = self.items.lock().await;
        let start = (r.user_id.to_owned(), String::new());
        let end = (r.user_id.to_owned(), r.after.map(str::to_owned).unwrap_or_else(|| "\u{10ffff}".to_owned()));
        let mut matching =
            items.range(start..end).rev().map(|(_, n)| n).filter(|n| n.is_live(r.now) && !(r.unread_only && n.read));
        let page: Vec<Notification> = matching.by_ref().take(r.limit).cloned().collect();
        let more = matching.next().is_some();
        let last_id = page.last().filter(|_| more).map(|n| n.id.clone());
        Ok(Page { items: page, last_id })
    }

    async fn unread_count(&self, user_id: &str, now: DateTime<Utc>) -> Result<u64, InboxError> {
        let items = self.items.lock().await;
        Ok(items.values().filter(|n| n.user_id == user_id && !n.read && n.is_live(now)).count() as u64)
    }

    async fn set_read(&self, user_id: &str, id: &str, read: bool, now: DateTime<Utc>) -> Result<bool, InboxError> {
        let mut items = self.items.lock().await;
        Ok(live(&mut items, user_id, id, now).map(|n| n.read = read).is_some())
    }

    async fn read_all(&self, user_id: &str, now: DateTime<Utc>) -> Result<u64, InboxError> {
        let mut items = self.items.lock().await;
        let mut marked = 0;
        for n in items.values_mut().filter(|n| n.user_id == user_id && !n.read && n.is_live(now)) {
            n.read = true;
            marked += 1;
        }
        Ok(marked)
    }

    async fn delete(&self, user_id: &str, id: &str, now: DateTime<Utc>) -> Result<bool, InboxError> {
        let mut items = self.items.lock().await;
        if live(&mut items, user_id, id, now).is_none() {
            return Ok(false);
        }
        Ok(items.remove(&(user_id.to_owned(), id.to_owned())).is_some())
    }
}
