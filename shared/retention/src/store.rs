//! The store a sweep pages through and deletes from: [`RetentionStore`], its keys, pages and
//! the saved progress of an unfinished pass.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use chrono::{DateTime, Utc};
use deskbell_errors::{Classify, ErrorKind};
use deskbell_runtime::TableError;
use serde::{Deserialize, Serialize};

use crate::{Facts, Kind, Source};

/// The key of one stored thing, as its store deletes it (and as a cursor, the position after it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKey {
    /// A DynamoDB item: its key attributes by name (all strings in deskbell's tables). As a
    /// cursor: DynamoDB's `LastEvaluatedKey`.
    Item(BTreeMap<String, String>),
    /// An S3 object key. As a cursor: the key to list after.
    Object(String),
}

/// One stored thing: its key and what the policy needs to judge it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: EntryKey,
    pub facts: Facts,
}

/// One page of a source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    pub entries: Vec<Entry>,
    /// Where the next page starts; `None` at the end of the source.
    pub next: Option<EntryKey>,
}

/// How far an unfinished pass got in one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Progress {
    /// Continue after this key.
    After(EntryKey),
    /// Swept to the end.
    Done,
}

/// A pass that stopped before the end (deadline, page budget or error), saved so the next
/// run continues it. One per selection of kinds: a run restricted to some kinds never marks
/// a source done for the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pass {
    pub started_at: DateTime<Utc>,
    pub sources: BTreeMap<Source, Progress>,
}

impl Pass {
    pub fn new(started_at: DateTime<Utc>) -> Self {
        Self { started_at, sources: BTreeMap::new() }
    }
}

/// The name a pass over `kinds` is saved under: the kinds' wire names, sorted, comma-separated.
pub fn selection_key(kinds: &BTreeSet<Kind>) -> String {
    kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(",")
}

/// A retention-store operation that did not complete.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RetentionError {
    #[error(transparent)]
    Table(#[from] TableError),
    #[error("bucket {bucket}: {operation} failed: {message}")]
    Bucket { bucket: String, operation: &'static str, message: String, kind: ErrorKind },
    #[error("{store}: {count} deletes still unprocessed after {attempts} attempts")]
    Unprocessed { store: String, count: usize, attempts: u32 },
    #[error("{store}: {message}")]
    Invalid { store: String, message: String },
}

impl Classify for RetentionError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Table(e) => e.kind(),
            Self::Bucket { kind, .. } => *kind,
            Self::Unprocessed { .. } => ErrorKind::Transient,
            Self::Invalid { .. } => ErrorKind::Permanent,
        }
    }
}

/// Where the things under retention live, page by page.
pub trait RetentionStore: Send + Sync {
    /// Up to `limit` entries of `source` after `after` (`None`: from the start).
    fn page(
        &self,
        source: Source,
        after: Option<&EntryKey>,
        limit: usize,
    ) -> impl Future<Output = Result<Page, RetentionError>> + Send;

    /// Deletes `keys` of `source` in batches (25 items / 1000 objects a request), retrying
    /// what the service left unprocessed; answers how many were deleted (all, or an error).
    fn delete(&self, source: Source, keys: Vec<EntryKey>) -> impl Future<Output = Result<u64, RetentionError>> + Send;

    /// The unfinished pass saved under `selection`, if any.
    fn load_pass(&self, selection: &str) -> impl Future<Output = Result<Option<Pass>, RetentionError>> + Send;

    /// Saves the progress of an unfinished pass.
    fn save_pass(
        &self,
        selection: &str,
        pass: &Pass,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), RetentionError>> + Send;

    /// Forgets the pass saved under `selection` (it finished).
    fn clear_pass(&self, selection: &str) -> impl Future<Output = Result<(), RetentionError>> + Send;
}
