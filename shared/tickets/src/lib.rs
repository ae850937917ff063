//! The ticket store: the latest snapshot of every ticket notify has seen.
//!
//! A newer snapshot (larger `version`) replaces an older one; an older or equal one never
//! overwrites (replays and out-of-order deliveries are harmless). Reports and statistics read
//! it through two indexes, never a scan:
//!
//! | index | partition key | sort key | serves |
//! |---|---|---|---|
//! | `by_created` | `created_month` (`2026-11`) | `created_key` (`<created_at>#<id>`) | a date range: one query per month |
//! | `by_company` | `company_id` | `created_key` | a date range for listed companies: one query per company |
//! | `by_activity` | `activity_day` (`2026-11-24`) | `activity_key` (`<at>#<ticket>#<job>`) | tickets closed / reopened on a day |
//! | `by_backlog` | `backlog` (`open`, only on unresolved snapshots: sparse) | `created_key` | the open tickets created before an instant |
//!
//! Besides snapshots the table holds [`Activity`] items (`activity#<job id>`: a status change
//! across the resolved line, written by notify) and [`StatsRecord`] items (`stats#<period>#<day>`,
//! written by the stats function).
//!
//! [`plan_queries`] turns report filters into those queries; the rows are then checked with the
//! exact filters by the reader.

mod activity;
mod dynamo;
mod keys;
mod memory;
mod query;
mod stats;

use std::future::Future;

pub use activity::{Activity, ActivityKind, ActivityPage, ActivityQuery, activity_day};
pub use dynamo::{BY_ACTIVITY, BY_BACKLOG, BY_COMPANY, BY_CREATED, DynamoTickets};
pub use keys::{created_key, created_month};
pub use memory::MemoryTickets;
pub use query::{Page, PlanError, RangeQuery, plan_queries};
pub use stats::{StatsRecord, stats_key};

use chrono::{DateTime, Utc};
use deskbell_contract::{StatsDigest, Ticket};

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Stored,
    /// A snapshot of the same or a newer version is already stored: nothing written.
    Stale,
}

/// A ticket-store operation that did not complete.
pub type TicketStoreError = deskbell_runtime::TableError;

/// Where ticket snapshots are kept.
pub trait TicketStore: Send + Sync {
    /// Keeps `ticket` unless a snapshot of the same or a newer version is stored.
    fn upsert(&self, ticket: &Ticket) -> impl Future<Output = Result<Upsert, TicketStoreError>> + Send;

    /// One page of the tickets in `query`'s index range; pass the page's `next` to continue.
    fn page(
        &self,
        query: &RangeQuery,
        next: Option<String>,
    ) -> impl Future<Output = Result<Page, TicketStoreError>> + Send;

    /// Keeps a status transition; writing the same one again (a replayed job) changes nothing.
    fn record_activity(&self, activity: &Activity) -> impl Future<Output = Result<(), TicketStoreError>> + Send;

    /// One page of the activities of `query`'s day and range; pass the page's `next` to continue.
    fn activity_page(
        &self,
        query: &ActivityQuery,
        next: Option<String>,
    ) -> impl Future<Output = Result<ActivityPage, TicketStoreError>> + Send;

    /// How many tickets are unresolved now and were created before `before`.
    fn count_open(&self, before: DateTime<Utc>) -> impl Future<Output = Result<u64, TicketStoreError>> + Send;
}

/// Where the statistics of each period are kept.
pub trait StatsStore: Send + Sync {
    /// Stores the period's record, replacing any earlier computation of it, and `digest` unless
    /// the period has a digest already; returns the period's digest as first stored. A
    /// recomputation (a retry, a manual run) then republishes the digest the admins were sent,
    /// same id and same payload, which notify's idempotency takes as a redelivery; new figures
    /// under the same id would be refused as a conflicting reuse and dead-lettered.
    fn put_stats(
        &self,
        record: &StatsRecord,
        digest: &StatsDigest,
    ) -> impl Future<Output = Result<StatsDigest, TicketStoreError>> + Send;

    /// The stored record with key `key` ([`stats_key`]).
    fn get_stats(&self, key: &str) -> impl Future<Output = Result<Option<StatsRecord>, TicketStoreError>> + Send;
}
