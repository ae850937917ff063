//! Decide: the figures of a period, from what the indexes returned. Pure: no I/O, no clock.
//!
//! - `created`: tickets created in `[start, end)`; `by_status`, `by_priority`, `by_company`
//!   count those same tickets by their latest snapshot (tickets without a company are not in
//!   `by_company`); first-response times are theirs (`first_response_at − created_at`).
//! - `closed` / `reopened`: status changes across the resolved line in the period (a ticket
//!   closed twice counts twice); resolution times are those of the closes (`at − created_at`).
//! - `backlog`: tickets created before `end` and unresolved at `end`: the ones unresolved now,
//!   corrected by every close (+1) and reopening (−1) since `end` of a ticket created before
//!   it (each close after `end` means it was open at `end`, each reopening that it was not).
//! - Percentiles are nearest-rank: the p-th of n sorted values is the ⌈p·n/100⌉-th (so the
//!   median of an even count is the lower middle value); `None` without any value.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use deskbell_contract::{StatsFigures, Ticket};
use deskbell_tickets::{Activity, ActivityKind};

use crate::Period;

/// What the stats function read for one period.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// Tickets created in the period (latest snapshots).
    pub created: Vec<Ticket>,
    /// Closes and reopenings in the period.
    pub activity: Vec<Activity>,
    /// Tickets unresolved now and created before the period's end.
    pub open_now: u64,
    /// Closes and reopenings from the period's end until now.
    pub since_end: Vec<Activity>,
}

/// The figures of `period` from what was observed.
pub fn figures(period: &Period, seen: &Observed) -> StatsFigures {
    let mut f = StatsFigures { created: seen.created.len() as u64, ..StatsFigures::default() };
    let mut first_response = Vec::new();
    for t in &seen.created {
        *f.by_status.entry(t.status.as_str().to_owned()).or_default() += 1;
        *f.by_priority.entry(t.priority.as_str().to_owned()).or_default() += 1;
        if let Some(company) = &t.company {
            *f.by_company.entry(company.id.clone()).or_default() += 1;
        }
        if let Some(secs) = t.first_response_at.and_then(|at| seconds_between(t.created_at, at)) {
            first_response.push(secs);
        }
    }
    let mut resolution = Vec::new();
    for a in seen.activity.iter().filter(|a| a.at >= period.start && a.at < period.end) {
        match a.kind {
            ActivityKind::Closed => {
                f.closed += 1;
                resolution.extend(seconds_between(a.created_at, a.at));
            }
            ActivityKind::Reopened => f.reopened += 1,
        }
    }
    let correction: i64 = seen
        .since_end
        .iter()
        .filter(|a| a.at >= period.end && a.created_at < period.end)
        .map(|a| match a.kind {
            ActivityKind::Closed => 1,
            ActivityKind::Reopened => -1,
        })
        .sum();
    f.backlog = (i64::try_from(seen.open_now).unwrap_or(i64::MAX).saturating_add(correction)).max(0) as u64;
    f.first_response_median_secs = percentile(&mut first_response, 50);
    f.first_response_p90_secs = percentile(&mut first_response, 90);
    f.resolution_median_secs = percentile(&mut resolution, 50);
    f.resolution_p90_secs = percentile(&mut resolution, 90);
    f
}

/// Whole seconds from `from` to `to`; `None` when `to` is earlier (bad data is left out).
fn seconds_between(from: DateTime<Utc>, to: DateTime<Utc>) -> Option<u64> {
    u64::try_from((to - from).num_seconds()).ok()
}

/// The nearest-rank `p`-th percentile of `values` (sorted in place).
pub fn percentile(values: &mut [u64], p: u32) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len() as u64;
    let rank = (u64::from(p) * n).div_ceil(100).max(1);
    values.get(usize::try_from(rank - 1).ok()?).copied()
}

/// Counts of a field, for tests and callers that build figures by hand.
pub fn tally<'a>(keys: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for k in keys {
        *out.entry(k.to_owned()).or_default() += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use deskbell_contract::{Priority, StatsPeriod, Status, fixtures};

    use super::*;

    fn day() -> Period {
        Period::containing(StatsPeriod::Daily, "2026-11-24".parse().unwrap())
    }

    fn activity(kind: ActivityKind, at: DateTime<Utc>, created_at: DateTime<Utc>) -> Activity {
        Activity { job_id: format!("j-{at}"), ticket_id: "t".into(), kind, at, created_at }
    }

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(percentile(&mut [], 50), None);
        assert_eq!(percentile(&mut [7], 90), Some(7));
        assert_eq!(percentile(&mut [40, 10, 30, 20], 50), Some(20));
        let mut ten: Vec<u64> = (1..=10).rev().collect();
        assert_eq!(percentile(&mut ten, 90), Some(9));
        assert_eq!(percentile(&mut ten, 50), Some(5));
    }

    #[test]
    fn created_tickets_are_counted_by_status_priority_and_company() {
        let mut a = fixtures::ticket(1);
        a.first_response_at = Some(a.created_at + Duration::minutes(30));
        let mut b = fixtures::ticket(2);
        b.status = Status::Solved;
        b.priority = Priority::Urgent;
        b.company = None;
        let seen = Observed { created: vec![a, b], ..Observed::default() };
        let f = figures(&day(), &seen);
        assert_eq!(f.created, 2);
        assert_eq!(f.by_status, tally(["open", "solved"]));
        assert_eq!(f.by_priority, tally(["normal", "urgent"]));
        assert_eq!(f.by_company, tally(["acme"]));
        assert_eq!(f.first_response_median_secs, Some(1800));
        assert_eq!(f.resolution_median_secs, None);
    }

    #[test]
    fn backlog_is_corrected_by_what_happened_after_the_end() {
        let p = day();
        let before = p.start - Duration::days(3);
        let seen = Observed {
            open_now: 5,
            since_end: vec![
                // Closed after the end: it was open at the end.
                activity(ActivityKind::Closed, p.end + Duration::hours(2), before),
                // Reopened after the end: it was not open at the end.
                activity(ActivityKind::Reopened, p.end + Duration::hours(3), before),
                activity(ActivityKind::Reopened, p.end + Duration::hours(4), before),
                // Created after the end: not part of that backlog whatever it did.
                activity(ActivityKind::Closed, p.end + Duration::hours(5), p.end + Duration::hours(1)),
            ],
            ..Observed::default()
        };
        assert_eq!(figures(&p, &seen).backlog, 4);
    }

    #[test]
    fn closes_and_reopenings_count_inside_the_period_only() {
        let p = day();
        let created = p.start - Duration::hours(10);
        let seen = Observed {
            activity: vec![
                activity(ActivityKind::Closed, p.start, created),
                activity(ActivityKind::Closed, p.start + Duration::hours(2), created),
                activity(ActivityKind::Reopened, p.start + Duration::hours(1), created),
                activity(ActivityKind::Closed, p.end, created),
            ],
            ..Observed::default()
        };
        let f = figures(&p, &seen);
        assert_eq!((f.closed, f.reopened), (2, 1));
        assert_eq!(f.resolution_median_secs, Some(36_000));
        assert_eq!(f.resolution_p90_secs, Some(43_200));
    }
}
