//! Which index ranges a report's filters need.

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use deskbell_contract::{ReportFilters, Ticket};

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

/// The queries that cover `filters`' date range: one per listed company, or one per month of
/// the range. Statuses and priorities are not indexed: the reader checks them row by row.
pub fn plan_queries(filters: &ReportFilters) -> Vec<RangeQuery> {
    let (from, to) = (filters.created_from, filters.created_to);
    if to <= from {
        return vec![];
    }
    if !filters.companies.is_empty() {
        let mut companies = filters.companies.clone();
        companies.sort();
        companies.dedup();
        return companies.into_iter().map(|company_id| RangeQuery::CompanyCreatedIn { company_id, from, to }).collect();
    }
    let mut queries = Vec::new();
    let mut month_start = first_of_month(from);
    let last = to - Duration::microseconds(1);
    while month_start <= last {
        let next = next_month(month_start);
        queries.push(RangeQuery::CreatedIn {
            month: created_month(month_start),
            from: from.max(month_start),
            to: to.min(next),
        });
        month_start = next;
    }
    queries
}

fn first_of_month(t: DateTime<Utc>) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(t.year(), t.month(), 1, 0, 0, 0).single().unwrap_or(t)
}

fn next_month(t: DateTime<Utc>) -> DateTime<Utc> {
    let (y, m) = if t.month() == 12 { (t.year() + 1, 1) } else { (t.year(), t.month() + 1) };
    Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).single().unwrap_or(t + Duration::days(31))
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
    fn a_range_within_one_month_is_one_query() {
        let q = plan_queries(&filters("2026-11-03T00:00:00Z", "2026-11-10T00:00:00Z", &[]));
        assert_eq!(q.len(), 1);
        assert!(matches!(&q[0], RangeQuery::CreatedIn { month, .. } if month == "2026-11"));
    }

    #[test]
    fn a_range_over_a_new_year_is_one_query_per_month_clipped_at_both_ends() {
        let q = plan_queries(&filters("2026-11-15T00:00:00Z", "2027-02-01T00:00:00Z", &[]));
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
        let q = plan_queries(&filters("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", &["b", "a", "b"]));
        assert_eq!(q.len(), 2);
        assert!(matches!(&q[0], RangeQuery::CompanyCreatedIn { company_id, .. } if company_id == "a"));
    }
}
