//! Which index ranges a report's filters need.

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use deskbell_contract::{ReportFilters, Ticket, limits};

use crate::keys::{created_month, instant};

/// One index query: tickets whose `created_key` lies in `[from, to)` within one partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeQuery {
    /// `by_created`, partition `month` (`2026-11`).
    CreatedIn { month: String, from: DateTime<Utc>, to: DateTime<Utc> },
    /// `by_company`, partition `company_id`.
    CompanyCreatedIn { company_id: String, from: DateTime<Utc>, to: DateTime<Utc> },
}

impl RangeQuery {
    /// The sort-key bounds: every `<instant>#<id>` key of the range sorts between them.
    pub fn key_bounds(&self) -> (String, String) {
        let (from, to) = match self {
            Self::CreatedIn { from, to, .. } | Self::CompanyCreatedIn { from, to, .. } => (*from, *to),
        };
        // `to` is exclusive: "<to>" sorts before every "<to>#<id>".
        (instant(from), instant(to))
    }
}

/// One page of tickets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Page {
    pub tickets: Vec<Ticket>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<String>,
}

/// Why report filters make no plan. Permanent: the same filters never will.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The range is wider than one report may be (one query per month of it).
    #[error("invalid field filters.created_to: is more than {max_days} days after created_from")]
    RangeTooLong { max_days: i64 },
    /// A date outside what the index keys hold.
    #[error("invalid field filters.{field}: {message}")]
    OutOfRange { field: &'static str, message: String },
}

/// The queries that cover `filters`' date range: one per listed company, or one per month of
/// the range. Statuses and priorities are not indexed: the reader checks them row by row.
///
/// The decoder already refuses what this refuses (a range over
/// [`limits::REPORT_MAX_DAYS`] days, dates outside 2000..2100); filters built in code meet
/// the same bounds here, so a plan is at most 14 queries and no date arithmetic can overflow.
pub fn plan_queries(filters: &ReportFilters) -> Result<Vec<RangeQuery>, PlanError> {
    let (from, to) = (filters.created_from, filters.created_to);
    for (field, at) in [("created_from", from), ("created_to", to)] {
        if !limits::in_range(at) {
            return Err(PlanError::OutOfRange { field, message: limits::out_of_range_message(at) });
        }
    }
    if to <= from {
        return Ok(vec![]);
    }
    if to - from > Duration::days(limits::REPORT_MAX_DAYS) {
        return Err(PlanError::RangeTooLong { max_days: limits::REPORT_MAX_DAYS });
    }
    if !filters.companies.is_empty() {
        let mut companies = filters.companies.clone();
        companies.sort();
        companies.dedup();
        return Ok(companies
            .into_iter()
            .map(|company_id| RangeQuery::CompanyCreatedIn { company_id, from, to })
            .collect());
    }
    let mut queries = Vec::new();
    let mut month_start = first_of_month(from);
    // Each step is checked: `None` (past chrono's range) ends the plan instead of panicking.
    while month_start < to {
        let Some(next) = next_month(month_start) else { break };
        queries.push(RangeQuery::CreatedIn {
            month: created_month(month_start),
            from: from.max(month_start),
            to: to.min(next),
        });
        month_start = next;
    }
    Ok(queries)
}

fn first_of_month(t: DateTime<Utc>) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(t.year(), t.month(), 1, 0, 0, 0).single().unwrap_or(t)
}

/// The first instant of the month after `t`'s, if chrono can hold it.
fn next_month(t: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let (y, m) = if t.month() == 12 { (t.year().checked_add(1)?, 1) } else { (t.year(), t.month() + 1) };
    Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).single()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filters(from: &str, to: &str, companies: &[&str]) -> ReportFilters {
        ReportFilters {
            created_from: from.parse().unwrap(),
            created_to: to.parse().unwrap(),
            companies: companies.iter().map(|c| c.to_string()).collect(),
            statuses: vec![],
            priorities: vec![],
        }
    }

    #[test]
    fn a_range_over_366_days_is_refused_not_planned() {
        let q = plan_queries(&filters("2025-01-01T00:00:00Z", "2026-01-02T00:00:00Z", &[])).unwrap();
        assert_eq!(q.len(), 13, "366 days: January 2025 to January 2026");
        let err = plan_queries(&filters("2025-01-01T00:00:00Z", "2026-01-02T00:00:01Z", &[])).unwrap_err();
        assert_eq!(err, PlanError::RangeTooLong { max_days: 366 });
        assert_eq!(err.to_string(), "invalid field filters.created_to: is more than 366 days after created_from");
    }

    #[test]
    fn edge_dates_are_refused_without_panicking() {
        let edges = [
            (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC),
            (DateTime::<Utc>::MAX_UTC - Duration::days(1), DateTime::<Utc>::MAX_UTC),
            (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MIN_UTC + Duration::days(1)),
        ];
        for (from, to) in edges {
            let f = ReportFilters {
                created_from: from,
                created_to: to,
                ..filters("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", &[])
            };
            let err = plan_queries(&f).unwrap_err();
            assert!(matches!(err, PlanError::OutOfRange { .. }), "{from}..{to}: {err}");
        }
        // The last month of the range: December 2099 steps to 2100 without overflow.
        let q = plan_queries(&filters("2099-12-15T00:00:00Z", "2099-12-31T23:59:59Z", &[])).unwrap();
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn a_range_within_one_month_is_one_query() {
        let q = plan_queries(&filters("2026-11-03T00:00:00Z", "2026-11-10T00:00:00Z", &[])).unwrap();
        assert_eq!(q.len(), 1);
        assert!(matches!(&q[0], RangeQuery::CreatedIn { month, .. } if month == "2026-11"));
    }

    #[test]
    fn a_range_over_a_new_year_is_one_query_per_month_clipped_at_both_ends() {
        let q = plan_queries(&filters("2026-11-15T00:00:00Z", "2027-02-01T00:00:00Z", &[])).unwrap();
        let months: Vec<&str> = q
            .iter()
            .map(|q| match q {
                RangeQuery::CreatedIn { month, .. } => month.as_str(),
                _ => "",
            })
            .collect();
        assert_eq!(months, vec!["2026-11", "2026-12", "2027-01"]);
        assert_eq!(q[0].key_bounds().0, "2026-11-15T00:00:00.000000Z");
        assert_eq!(q[2].key_bounds().1, "2027-02-01T00:00:00.000000Z");
    }

    #[test]
    fn listed_companies_are_one_query_each() {
        let q = plan_queries(&filters("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", &["b", "a", "b"])).unwrap();
        assert_eq!(q.len(), 2);
        assert!(matches!(&q[0], RangeQuery::CompanyCreatedIn { company_id, .. } if company_id == "a"));
    }
}
