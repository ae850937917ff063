//! Retention: what the cleanup deletes, and when.
//!
//! *decide* — [`Policy`] judges the [`Facts`] read of one stored thing at a given `now`
//! (pure, no AWS types): read notifications after 90 days, delivery and failure records after
//! 30, report files and report status records after 7 (each configurable).
//!
//! *act* — a [`RetentionStore`] pages through each [`Source`] and deletes in batches:
//! [`AwsRetention`] (DynamoDB Scan + BatchWriteItem of 25, S3 ListObjectsV2 + DeleteObjects
//! of 1000, unprocessed items retried with back-off) and [`MemoryRetention`] for unit tests.
//! An unfinished [`Pass`] is saved in the jobs table (`pk = cleanup#pass`) so the next run
//! continues it.

mod aws;
mod memory;
mod policy;
mod store;

pub use aws::{AwsRetention, PASS_PK};
pub use memory::MemoryRetention;
pub use policy::{Facts, Kind, Policy, REPORTS_PREFIX, Source, parse_time, record_kind};
pub use store::{Entry, EntryKey, Page, Pass, Progress, RetentionError, RetentionStore, selection_key};
