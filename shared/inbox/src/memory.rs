//! An inbox in memory, for unit tests.

use std::collections::BTreeMap;

use tokio::sync::Mutex;

use crate::{InboxError, Notification, NotificationStore, Stored};

/// Notifications kept in memory by (user, id); behaves like [`crate::DynamoInbox`].
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
}
