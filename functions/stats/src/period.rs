//! Decode: which period a scheduled event asks for.
//!
//! The event is EventBridge's (`{"time": "…", "detail": {…}, …}`); only `time` and `detail`
//! are read. `detail` may name the period and a day inside it:
//!
//! ```json
//! {"detail": {"period": "weekly", "date": "2026-11-18"}}
//! ```
//!
//! Without `date`, the last whole period before the event's `time` (or before now, when the
//! schedule's fixed input carries no `time`): yesterday, or last Monday–Sunday.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use deskbell_contract::{StatsPeriod, limits};
use serde::Deserialize;

use crate::StatsError;

/// What a scheduled event's `detail` may say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsRequest {
    /// `daily` (default) or `weekly`.
    #[serde(default)]
    pub period: Option<StatsPeriod>,
    /// A day inside the period to (re)compute, `YYYY-MM-DD`.
    #[serde(default)]
    pub date: Option<NaiveDate>,
}

#[derive(Deserialize)]
struct ScheduledEvent {
    #[serde(default)]
    time: Option<DateTime<Utc>>,
    #[serde(default)]
    detail: Option<StatsRequest>,
}

/// One statistics period: `[start, end)`, UTC. Weeks run Monday to Monday (ISO 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub kind: StatsPeriod,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Period {
    /// The period of `kind` that contains `day`.
    pub fn containing(kind: StatsPeriod, day: NaiveDate) -> Period {
        let first = match kind {
            StatsPeriod::Daily => day,
            StatsPeriod::Weekly => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
        };
        let start = first.and_time(chrono::NaiveTime::MIN).and_utc();
        let length = match kind {
            StatsPeriod::Daily => Duration::days(1),
            StatsPeriod::Weekly => Duration::weeks(1),
        };
        Period { kind, start, end: start + length }
    }

    /// The last whole period of `kind` ending at or before `at`.
    pub fn last_before(kind: StatsPeriod, at: DateTime<Utc>) -> Period {
        let current = Self::containing(kind, at.date_naive());
        let step = current.end - current.start;
        Period { kind, start: current.start - step, end: current.start }
    }

    /// The period a scheduled event asks for; `now` stands in for a missing `time`.
    pub fn from_event(event: &serde_json::Value, now: DateTime<Utc>) -> Result<Period, StatsError> {
        let event: ScheduledEvent = serde_path_to_error::deserialize(event).map_err(|e| StatsError::Event {
            field: match e.path().to_string().as_str() {
                "." | "" => "event".to_owned(),
                path => path.to_owned(),
            },
            message: e.inner().to_string(),
        })?;
        let request = event.detail.unwrap_or_default();
        let kind = request.period.unwrap_or(StatsPeriod::Daily);
        // Within the contract's instant range: the period's arithmetic cannot overflow, and
        // the digest it produces decodes.
        let bounded = |field: &str, at: DateTime<Utc>| {
            if limits::in_range(at) {
                Ok(())
            } else {
                Err(StatsError::Event { field: field.to_owned(), message: limits::out_of_range_message(at) })
            }
        };
        if let Some(day) = request.date {
            bounded("detail.date", day.and_time(chrono::NaiveTime::MIN).and_utc())?;
        }
        if let Some(time) = event.time {
            bounded("time", time)?;
        }
        Ok(match request.date {
            Some(day) => Self::containing(kind, day),
            None => Self::last_before(kind, event.time.unwrap_or(now)),
        })
    }

    /// The period's first day, `YYYY-MM-DD`: the last part of its keys.
    pub fn label(&self) -> String {
        self.start.format("%Y-%m-%d").to_string()
    }

    /// `daily` or `weekly`.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            StatsPeriod::Daily => "daily",
            StatsPeriod::Weekly => "weekly",
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_plain_schedule_computes_yesterday() {
        let p = Period::from_event(&json!({"time": "2026-11-25T00:15:00Z", "detail": {}}), at("2030-01-01T00:00:00Z"))
            .unwrap();
        assert_eq!(
            (p.kind, p.start, p.end),
            (StatsPeriod::Daily, at("2026-11-24T00:00:00Z"), at("2026-11-25T00:00:00Z"))
        );
    }

    #[test]
    fn a_weekly_schedule_computes_last_monday_to_monday() {
        // Wednesday 2026-11-25: the last whole week is 16–23 November.
        let p = Period::from_event(&json!({"detail": {"period": "weekly"}}), at("2026-11-25T08:00:00Z")).unwrap();
        assert_eq!((p.start, p.end), (at("2026-11-16T00:00:00Z"), at("2026-11-23T00:00:00Z")));
        assert_eq!(p.label(), "2026-11-16");
    }

    #[test]
    fn a_date_recomputes_the_period_that_contains_it() {
        let p = Period::from_event(&json!({"detail": {"period": "weekly", "date": "2026-11-01"}}), Utc::now()).unwrap();
        assert_eq!((p.start, p.end), (at("2026-10-26T00:00:00Z"), at("2026-11-02T00:00:00Z")));
        let d = Period::from_event(&json!({"detail": {"date": "2026-02-28"}}), Utc::now()).unwrap();
        assert_eq!((d.kind, d.start), (StatsPeriod::Daily, at("2026-02-28T00:00:00Z")));
    }

    #[test]
    fn a_bad_detail_is_refused_naming_the_field() {
        let err = Period::from_event(&json!({"detail": {"period": "monthly"}}), Utc::now()).unwrap_err();
        assert!(err.to_string().starts_with("invalid field detail.period: unknown variant `monthly`"), "{err}");
        let err = Period::from_event(&json!({"detail": {"date": "24/11/2026"}}), Utc::now()).unwrap_err();
        assert!(err.to_string().starts_with("invalid field detail.date"), "{err}");
        let err = Period::from_event(&json!({"detail": {"dry_run": true}}), Utc::now()).unwrap_err();
        assert!(err.to_string().contains("unknown field `dry_run`"), "{err}");
    }

    #[test]
    fn dates_outside_2000_to_2100_are_refused_naming_the_field() {
        let err = Period::from_event(&json!({"detail": {"date": "+262143-12-31"}}), Utc::now()).unwrap_err();
        assert!(err.to_string().starts_with("invalid field detail.date: "), "{err}");
        let err = Period::from_event(&json!({"detail": {"date": "2100-01-01"}}), Utc::now()).unwrap_err();
        assert_eq!(err.to_string(), "invalid field detail.date: 2100-01-01T00:00:00Z is outside 2000..2100");
        let err = Period::from_event(&json!({"time": "1970-01-01T00:00:00Z"}), Utc::now()).unwrap_err();
        assert!(err.to_string().starts_with("invalid field time: "), "{err}");
        let p = Period::from_event(&json!({"detail": {"period": "weekly", "date": "2099-12-31"}}), Utc::now()).unwrap();
        assert_eq!(p.end, at("2100-01-04T00:00:00Z"));
    }

    /// Strings the decoder gives a meaning to, so that cases also get past its type checks.
    const WORDS: &[&str] = &["2026-12-01T03:00:00Z", "2026-12-01", "weekly", "daily"];
    const FIELDS: &str = "(period|date|time|detail|[a-z]{1,6})";

    fn hostile() -> impl Strategy<Value = Value> {
        deskbell_contract::hostile::hostile_value(FIELDS, WORDS)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn a_hostile_event_gives_a_period_or_a_refusal_naming_a_field(event in hostile(), time in hostile(), detail in hostile()) {
            for event in [event, json!({"time": time, "detail": detail})] {
                match Period::from_event(&event, at("2026-12-01T00:15:00Z")) {
                    Ok(p) => prop_assert!(p.start < p.end && p.start >= limits::EARLIEST),
                    Err(StatsError::Event { field, message }) => {
                        prop_assert!(!field.is_empty(), "{}", message);
                        // A list where the event should be is refused naming its element (`[0]`).
                        prop_assert!(["event", "detail", "time", "["].iter().any(|f| field.starts_with(f)), "{}: {}", field, message);
                    }
                    Err(other) => prop_assert!(false, "not an event error: {}", other),
                }
            }
        }
    }

    #[test]
    fn every_sample_scheduled_event_for_stats_decodes() {
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../events/scheduled"));
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("stats.") && name.ends_with(".json") {
                let event: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                Period::from_event(&event, Utc::now()).unwrap_or_else(|e| panic!("{name}: {e}"));
                seen += 1;
            }
        }
        assert!(seen >= 3, "expected the daily, weekly and past-date samples, found {seen}");
    }
}
