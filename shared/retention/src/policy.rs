//! The retention policy and the judgement of one stored thing against it: pure, no I/O, no
//! clock (`now` is passed in).

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// What the cleanup deletes, one kind per retention rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// In-app notifications the user has read (notifications table).
    ReadNotifications,
    /// Send-log records, `delivery#…` (jobs table).
    Deliveries,
    /// Failure reasons, `failure#…` (jobs table).
    Failures,
    /// Report status records, `report#…` (jobs table).
    ReportRecords,
    /// Report files under `reports/` (reports bucket).
    ReportFiles,
}

impl Kind {
    /// Every kind, in the order a sweep visits them.
    pub const ALL: [Kind; 5] =
        [Kind::ReadNotifications, Kind::Deliveries, Kind::Failures, Kind::ReportRecords, Kind::ReportFiles];

    /// The wire name (`read_notifications`, …), as in events and responses.
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::ReadNotifications => "read_notifications",
            Kind::Deliveries => "deliveries",
            Kind::Failures => "failures",
            Kind::ReportRecords => "report_records",
            Kind::ReportFiles => "report_files",
        }
    }

    /// Where things of this kind are stored.
    pub const fn source(self) -> Source {
        match self {
            Kind::ReadNotifications => Source::Notifications,
            Kind::Deliveries | Kind::Failures | Kind::ReportRecords => Source::Jobs,
            Kind::ReportFiles => Source::ReportFiles,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One place a sweep pages through: a table or the reports bucket's `reports/` prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The notifications table.
    Notifications,
    /// The jobs table (deliveries, failures, report records in one scan).
    Jobs,
    /// The reports bucket, `reports/` prefix.
    ReportFiles,
}

impl Source {
    /// Every source, in sweep order.
    pub const ALL: [Source; 3] = [Source::Notifications, Source::Jobs, Source::ReportFiles];

    pub const fn as_str(self) -> &'static str {
        match self {
            Source::Notifications => "notifications",
            Source::Jobs => "jobs",
            Source::ReportFiles => "report_files",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The object-key prefix of report files; nothing outside it is ever deleted.
pub const REPORTS_PREFIX: &str = "reports/";

/// How long each kind is kept. Something is past retention when its age is at least the
/// period: stored at `t`, it goes from `t + period` on (`t <= now - period`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Read in-app notifications, from their creation.
    pub read_notifications: Duration,
    /// Delivery and failure records, from their last update / the failure.
    pub records: Duration,
    /// Report files (from their last write) and report status records (from the end of the
    /// report, or its request when it never finished).
    pub reports: Duration,
}

impl Default for Policy {
    /// 90 days for read notifications, 30 for send logs and failure reasons, 7 for reports.
    fn default() -> Self {
        Self { read_notifications: Duration::days(90), records: Duration::days(30), reports: Duration::days(7) }
    }
}

impl Policy {
    /// The retention period of `kind`.
    pub fn period(&self, kind: Kind) -> Duration {
        match kind {
            Kind::ReadNotifications => self.read_notifications,
            Kind::Deliveries | Kind::Failures => self.records,
            Kind::ReportRecords | Kind::ReportFiles => self.reports,
        }
    }

    /// Things of `kind` stored at or before this instant are past retention at `now`.
    pub fn cutoff(&self, kind: Kind, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.period(kind)
    }

    /// Whether something of `kind` dated `at` is past retention at `now`. Without a date
    /// (a missing or unreadable attribute) nothing is judged past retention: DynamoDB TTL
    /// and the bucket's lifecycle rule remain its backstop.
    pub fn expired(&self, kind: Kind, at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
        at.is_some_and(|at| at <= self.cutoff(kind, now))
    }

    /// The kind of `facts` if it is past retention at `now`, else `None`.
    pub fn judge(&self, facts: &Facts, now: DateTime<Utc>) -> Option<Kind> {
        let (kind, at) = match facts {
            // Unread notifications are never the cleanup's: they live until their TTL.
            Facts::Notification { read: false, .. } => return None,
            Facts::Notification { read: true, created_at } => (Kind::ReadNotifications, *created_at),
            Facts::Record { pk, updated_at, failed_at, requested_at, finished_at } => match record_kind(pk)? {
                Kind::Deliveries => (Kind::Deliveries, *updated_at),
                Kind::Failures => (Kind::Failures, *failed_at),
                kind => (kind, finished_at.or(*requested_at)),
            },
            Facts::File { key, last_modified } => {
                if !key.starts_with(REPORTS_PREFIX) {
                    return None;
                }
                (Kind::ReportFiles, *last_modified)
            }
        };
        self.expired(kind, at, now).then_some(kind)
    }
}

/// The kind of a jobs-table record from its partition key; `None` for anything else (the
/// cleanup's own pass record, items other functions may add), which is never deleted.
pub fn record_kind(pk: &str) -> Option<Kind> {
    let (prefix, rest) = pk.split_once('#')?;
    if rest.is_empty() {
        return None;
    }
    match prefix {
        "delivery" => Some(Kind::Deliveries),
        "failure" => Some(Kind::Failures),
        "report" => Some(Kind::ReportRecords),
        _ => None,
    }
}

/// What a sweep read of one stored thing: exactly what the policy needs to judge it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Facts {
    /// An in-app notification (`read`, `created_at`).
    Notification { read: bool, created_at: Option<DateTime<Utc>> },
    /// A jobs-table record, its kind told by `pk`, dated by the attribute of its kind.
    Record {
        pk: String,
        updated_at: Option<DateTime<Utc>>,
        failed_at: Option<DateTime<Utc>>,
        requested_at: Option<DateTime<Utc>>,
        finished_at: Option<DateTime<Utc>>,
    },
    /// An object in the reports bucket.
    File { key: String, last_modified: Option<DateTime<Utc>> },
}

/// Parses an RFC 3339 attribute (any offset) into UTC; `None` when absent or unreadable.
pub fn parse_time(value: Option<&str>) -> Option<DateTime<Utc>> {
    value.and_then(|v| DateTime::parse_from_rfc3339(v).ok()).map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-12-01T03:00:00Z".parse().unwrap()
    }

    fn record(pk: &str, at: DateTime<Utc>) -> Facts {
        Facts::Record {
            pk: pk.into(),
            updated_at: Some(at),
            failed_at: Some(at),
            requested_at: None,
            finished_at: Some(at),
        }
    }

    #[test]
    fn each_kind_goes_one_second_after_its_limit_not_before() {
        let p = Policy::default();
        let cases = [
            (Facts::Notification { read: true, created_at: None }, Kind::ReadNotifications, 90),
            (record("delivery#j1", now()), Kind::Deliveries, 30),
            (record("failure#m1", now()), Kind::Failures, 30),
            (record("report#r1", now()), Kind::ReportRecords, 7),
            (Facts::File { key: "reports/r1.csv".into(), last_modified: None }, Kind::ReportFiles, 7),
        ];
        for (facts, kind, days) in cases {
            for (offset, expected) in [(-1, Some(kind)), (0, Some(kind)), (1, None)] {
                let at = now() - Duration::days(days) + Duration::seconds(offset);
                let facts = match facts.clone() {
                    Facts::Notification { read, .. } => Facts::Notification { read, created_at: Some(at) },
                    Facts::Record { pk, .. } => record(&pk, at),
                    Facts::File { key, .. } => Facts::File { key, last_modified: Some(at) },
                };
                assert_eq!(p.judge(&facts, now()), expected, "{kind} at limit {offset:+} s");
            }
        }
    }

    #[test]
    fn unread_notifications_are_left_to_their_ttl() {
        let old = Some(now() - Duration::days(400));
        assert_eq!(Policy::default().judge(&Facts::Notification { read: false, created_at: old }, now()), None);
    }

    #[test]
    fn unknown_records_and_files_outside_reports_are_never_judged() {
        let p = Policy::default();
        let old = now() - Duration::days(400);
        for pk in ["cleanup#pass", "incident#dlq", "delivery#", "delivery", "stats#daily"] {
            assert_eq!(p.judge(&record(pk, old), now()), None, "{pk}");
        }
        for key in ["stats/2026-11-30.json", "report/x.csv", "xreports/y.csv"] {
            assert_eq!(p.judge(&Facts::File { key: key.into(), last_modified: Some(old) }, now()), None, "{key}");
        }
    }

    #[test]
    fn report_records_age_from_their_end_else_their_request() {
        let p = Policy::default();
        let old = now() - Duration::days(8);
        let young = now() - Duration::days(1);
        let facts = |requested_at, finished_at| Facts::Record {
            pk: "report#r".into(),
            updated_at: None,
            failed_at: None,
            requested_at,
            finished_at,
        };
        assert_eq!(p.judge(&facts(Some(old), None), now()), Some(Kind::ReportRecords));
        assert_eq!(p.judge(&facts(Some(old), Some(young)), now()), None);
        assert_eq!(p.judge(&facts(None, None), now()), None);
    }

    #[test]
    fn times_in_any_offset_are_read_as_utc() {
        assert_eq!(parse_time(Some("2026-12-01T04:00:00+01:00")), Some(now()));
        assert_eq!(parse_time(Some("yesterday")), None);
        assert_eq!(parse_time(None), None);
    }

    proptest! {
        #[test]
        fn expired_exactly_when_age_reaches_the_period(age_secs in -1_000_000i64..20_000_000, days in 1i64..400) {
            let p = Policy { read_notifications: Duration::days(days), ..Policy::default() };
            let at = now() - Duration::seconds(age_secs);
            prop_assert_eq!(p.expired(Kind::ReadNotifications, Some(at), now()), age_secs >= days * 86_400);
        }
    }
}
