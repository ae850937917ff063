//! A retention store in memory, for unit tests of the sweep.

use std::collections::BTreeMap;
use std::ops::Bound;

use chrono::{DateTime, Utc};
use tokio::sync::Mutex;

use crate::{Entry, EntryKey, Facts, Page, Pass, REPORTS_PREFIX, RetentionError, RetentionStore, Source};

/// Every source in ordered maps; behaves like [`crate::AwsRetention`] (pages in key order,
/// deleting a missing key is not an error). Counts the delete batches it was sent.
#[derive(Default)]
pub struct MemoryRetention {
    entries: Mutex<BTreeMap<Source, BTreeMap<EntryKey, Facts>>>,
    passes: Mutex<BTreeMap<String, Pass>>,
    delete_calls: Mutex<u64>,
}

impl MemoryRetention {
    /// Stores `facts` under `key` in `source`.
    pub async fn insert(&self, source: Source, key: EntryKey, facts: Facts) {
        self.entries.lock().await.entry(source).or_default().insert(key, facts);
    }

    /// Keys left in `source`, in order.
    pub async fn keys(&self, source: Source) -> Vec<EntryKey> {
        self.entries.lock().await.get(&source).map(|m| m.keys().cloned().collect()).unwrap_or_default()
    }

    /// The pass saved under `selection`.
    pub async fn pass(&self, selection: &str) -> Option<Pass> {
        self.passes.lock().await.get(selection).cloned()
    }

    /// How many times [`RetentionStore::delete`] was called.
    pub async fn delete_calls(&self) -> u64 {
        *self.delete_calls.lock().await
    }
}

impl RetentionStore for MemoryRetention {
    async fn page(&self, source: Source, after: Option<&EntryKey>, limit: usize) -> Result<Page, RetentionError> {
        let entries = self.entries.lock().await;
        let Some(map) = entries.get(&source) else {
            return Ok(Page::default());
        };
        let lower = after.map_or(Bound::Unbounded, Bound::Excluded);
        let mut page: Vec<Entry> = map
            .range((lower, Bound::Unbounded))
            .filter(|(key, _)| {
                source != Source::ReportFiles || matches!(key, EntryKey::Object(k) if k.starts_with(REPORTS_PREFIX))
            })
            .take(limit.max(1) + 1)
            .map(|(key, facts)| Entry { key: key.clone(), facts: facts.clone() })
            .collect();
        let more = page.len() > limit.max(1);
        page.truncate(limit.max(1));
        let next = if more { page.last().map(|e| e.key.clone()) } else { None };
        Ok(Page { entries: page, next })
    }

    async fn delete(&self, source: Source, keys: Vec<EntryKey>) -> Result<u64, RetentionError> {
        *self.delete_calls.lock().await += 1;
        let mut entries = self.entries.lock().await;
        let map = entries.entry(source).or_default();
        for key in &keys {
            map.remove(key);
        }
        Ok(keys.len() as u64)
    }

    async fn load_pass(&self, selection: &str) -> Result<Option<Pass>, RetentionError> {
        Ok(self.passes.lock().await.get(selection).cloned())
    }

    async fn save_pass(&self, selection: &str, pass: &Pass, _now: DateTime<Utc>) -> Result<(), RetentionError> {
        self.passes.lock().await.insert(selection.to_owned(), pass.clone());
        Ok(())
    }

    async fn clear_pass(&self, selection: &str) -> Result<(), RetentionError> {
        self.passes.lock().await.remove(selection);
        Ok(())
    }
}
