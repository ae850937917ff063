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
//!
//! [`plan_queries`] turns report filters into those queries; the rows are then checked with the
//! exact filters by the reader.

mod dynamo;
mod keys;
mod memory;
mod query;

use std::future::Future;

pub use dynamo::{BY_COMPANY, BY_CREATED, DynamoTickets};
pub use keys::{created_key, created_month};
pub use memory::MemoryTickets;
pub use query::{Page, RangeQuery, plan_queries};

use deskbell_contract::Ticket;

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
}
