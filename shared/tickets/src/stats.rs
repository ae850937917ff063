//! The statistics of one period, as stored beside the tickets.

use chrono::{DateTime, NaiveDate, Utc};
use deskbell_contract::{StatsFigures, StatsPeriod};
use serde::{Deserialize, Serialize};

/// The figures of one period: one item per period, replaced when the period is recomputed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsRecord {
    pub period: StatsPeriod,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub figures: StatsFigures,
}

impl StatsRecord {
    /// The item's key: `stats#daily#2026-11-24`, `stats#weekly#2026-11-23` (the week's Monday).
    pub fn key(&self) -> String {
        stats_key(self.period, self.period_start.date_naive())
    }
}

/// The key of the period of `kind` starting on `start`.
pub fn stats_key(kind: StatsPeriod, start: NaiveDate) -> String {
    let kind = match kind {
        StatsPeriod::Daily => "daily",
        StatsPeriod::Weekly => "weekly",
    };
    format!("stats#{kind}#{}", start.format("%Y-%m-%d"))
}
