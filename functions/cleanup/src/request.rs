//! decode: the scheduled event, and what its `detail` asks for.

use std::collections::BTreeSet;

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Duration, Utc};
use deskbell_contract::limits;
use deskbell_retention::Kind;
use serde::Deserialize;
use serde_json::Value;

use crate::CleanupError;

/// What one run does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Count what is past retention, delete nothing, save no progress.
    pub dry_run: bool,
    /// The instant retention is judged at.
    pub now: DateTime<Utc>,
    /// The kinds to clean (all by default).
    pub kinds: BTreeSet<Kind>,
    /// At most this many pages in this run (then it stops and saves its progress).
    pub max_pages: Option<u32>,
}

/// How far ahead of the function's clock `detail.now` (or the event's `time`) may be: clocks
/// differ a little; a run judged further in the future would delete what is not yet due.
pub const MAX_CLOCK_SKEW: Duration = Duration::minutes(5);

/// The optional overrides in the event's `detail` (a schedule's default event has `{}`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Detail {
    #[serde(default)]
    dry_run: bool,
    now: Option<DateTime<Utc>>,
    kinds: Option<Vec<Kind>>,
    max_pages: Option<u32>,
}

/// The run a scheduled event asks for. `now` is `detail.now` (replay a past day), else the
/// event's `time` (when the schedule fired, so a retried invocation judges the same way),
/// else `clock`. A detail that is not an object, an unknown field, an unknown kind, an
/// empty `kinds`, or a `now` (or `time`) outside 2000..2100 or, unless it is a dry run, more
/// than [`MAX_CLOCK_SKEW`] ahead of `clock` is refused, naming the field. A dry run deletes
/// nothing, so it may preview what a later day's run would delete.
pub fn decode(event: &EventBridgeEvent<Value>, clock: DateTime<Utc>) -> Result<Request, CleanupError> {
    let detail: Detail = match &event.detail {
        Value::Null => Detail::default(),
        value => serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            CleanupError::InvalidEvent {
                path: if path == "." { "detail".into() } else { format!("detail.{path}") },
                message: e.into_inner().to_string(),
            }
        })?,
    };
    let kinds: BTreeSet<Kind> = match detail.kinds {
        None => Kind::ALL.into_iter().collect(),
        Some(kinds) if kinds.is_empty() => {
            return Err(CleanupError::InvalidEvent {
                path: "detail.kinds".into(),
                message: "empty: name at least one kind, or leave it out for all".into(),
            });
        }
        Some(kinds) => kinds.into_iter().collect(),
    };
    if detail.max_pages == Some(0) {
        return Err(CleanupError::InvalidEvent {
            path: "detail.max_pages".into(),
            message: "must be at least 1".into(),
        });
    }
    let now = match (detail.now, event.time) {
        (Some(now), _) => judged_at("detail.now", now, clock, detail.dry_run)?,
        (None, Some(time)) => judged_at("time", time, clock, detail.dry_run)?,
        (None, None) => clock,
    };
    Ok(Request { dry_run: detail.dry_run, now, kinds, max_pages: detail.max_pages })
}

/// `at`, if a run may be judged at it: within the contract's instant range, and (unless the
/// run is a dry run, which deletes nothing) not ahead of `clock` by more than [`MAX_CLOCK_SKEW`].
fn judged_at(
    path: &str,
    at: DateTime<Utc>,
    clock: DateTime<Utc>,
    dry_run: bool,
) -> Result<DateTime<Utc>, CleanupError> {
    let refuse = |message: String| CleanupError::InvalidEvent { path: path.to_owned(), message };
    if !limits::in_range(at) {
        return Err(refuse(limits::out_of_range_message(at)));
    }
    if !dry_run && at - clock > MAX_CLOCK_SKEW {
        return Err(refuse(format!(
            "{} is ahead of the clock ({}) by more than {} minutes: a cleanup is never judged in the future",
            at.to_rfc3339(),
            clock.to_rfc3339(),
            MAX_CLOCK_SKEW.num_minutes()
        )));
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn event(json: &str) -> EventBridgeEvent<Value> {
        serde_json::from_str(json).unwrap()
    }

    fn clock() -> DateTime<Utc> {
        "2026-12-01T03:00:07Z".parse().unwrap()
    }

    const SCHEDULED: &str = r#"{"version":"0","id":"e1","detail-type":"Scheduled Event","source":"aws.events",
        "time":"2026-12-01T03:00:00Z","region":"eu-west-1","resources":[],"detail":{}}"#;

    #[test]
    fn a_plain_scheduled_event_cleans_every_kind_as_of_its_time() {
        let r = decode(&event(SCHEDULED), clock()).unwrap();
        assert!(!r.dry_run);
        assert_eq!(r.now, "2026-12-01T03:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!(r.kinds.len(), Kind::ALL.len());
        assert_eq!(r.max_pages, None);
    }

    #[test]
    fn detail_overrides_now_kinds_dry_run_and_pages() {
        let json = SCHEDULED.replace(
            r#""detail":{}"#,
            r#""detail":{"dry_run":true,"now":"2026-06-30T00:00:00Z","kinds":["failures","report_files"],"max_pages":2}"#,
        );
        let r = decode(&event(&json), clock()).unwrap();
        assert!(r.dry_run);
        assert_eq!(r.now, "2026-06-30T00:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!(r.kinds, BTreeSet::from([Kind::Failures, Kind::ReportFiles]));
        assert_eq!(r.max_pages, Some(2));
    }

    #[test]
    fn without_a_time_the_clock_is_now() {
        let json = r#"{"detail-type":"Scheduled Event","source":"aws.events","detail":null}"#;
        assert_eq!(decode(&event(json), clock()).unwrap().now, clock());
    }

    #[test]
    fn bad_overrides_are_refused_naming_the_field() {
        for (detail, expected) in [
            (r#"{"kinds":["failures","tickets"]}"#, "invalid field detail.kinds[1]: unknown variant `tickets`"),
            (r#"{"kinds":[]}"#, "invalid field detail.kinds: empty"),
            (r#"{"dry-run":true}"#, "invalid field detail.dry-run: unknown field `dry-run`"),
            (r#"{"now":"yesterday"}"#, "invalid field detail.now: "),
            (r#"{"max_pages":0}"#, "invalid field detail.max_pages: must be at least 1"),
        ] {
            let json = SCHEDULED.replace(r#""detail":{}"#, &format!(r#""detail":{detail}"#));
            let err = decode(&event(&json), clock()).unwrap_err().to_string();
            assert!(err.starts_with(expected), "{detail}: {err}");
        }
    }

    #[test]
    fn a_now_in_the_future_is_refused_naming_detail_now() {
        let with_now = |now: &str| SCHEDULED.replace(r#""detail":{}"#, &format!(r#""detail":{{"now":"{now}"}}"#));
        // Within the skew: accepted (clocks differ a little).
        let r = decode(&event(&with_now("2026-12-01T03:05:07Z")), clock()).unwrap();
        assert_eq!(r.now, clock() + MAX_CLOCK_SKEW);
        for (now, expected) in [
            ("2026-12-01T03:05:08Z", "invalid field detail.now: 2026-12-01T03:05:08+00:00 is ahead of the clock"),
            ("2099-01-01T00:00:00Z", "invalid field detail.now: 2099-01-01T00:00:00+00:00 is ahead of the clock"),
            ("2100-01-01T00:00:00Z", "invalid field detail.now: 2100-01-01T00:00:00Z is outside 2000..2100"),
            ("1969-07-20T20:17:00Z", "invalid field detail.now: 1969-07-20T20:17:00Z is outside 2000..2100"),
        ] {
            let err = decode(&event(&with_now(now)), clock()).unwrap_err().to_string();
            assert!(err.starts_with(expected), "{now}: {err}");
        }
    }

    #[test]
    fn a_dry_run_may_preview_a_later_day_but_not_leave_the_instant_range() {
        let dry =
            |now: &str| SCHEDULED.replace(r#""detail":{}"#, &format!(r#""detail":{{"dry_run":true,"now":"{now}"}}"#));
        let r = decode(&event(&dry("2027-01-01T00:00:00Z")), clock()).unwrap();
        assert!(r.dry_run);
        assert_eq!(r.now.to_rfc3339(), "2027-01-01T00:00:00+00:00");
        let err = decode(&event(&dry("2100-01-01T00:00:00Z")), clock()).unwrap_err().to_string();
        assert!(err.starts_with("invalid field detail.now: 2100-01-01T00:00:00Z is outside 2000..2100"), "{err}");
    }

    #[test]
    fn an_event_time_in_the_future_is_refused_naming_time() {
        let json = SCHEDULED.replace("2026-12-01T03:00:00Z", "2027-12-01T03:00:00Z");
        let err = decode(&event(&json), clock()).unwrap_err().to_string();
        assert!(err.starts_with("invalid field time: 2027-12-01T03:00:00+00:00 is ahead of the clock"), "{err}");
    }

    /// Strings the decoder gives a meaning to, so that cases also get past its type checks.
    const WORDS: &[&str] = &["2026-12-01T03:00:00Z", "failures", "deliveries", "read_notifications", "report_files"];
    const FIELDS: &str = "(dry_run|now|kinds|max_pages|time|detail|[a-z]{1,6})";

    fn hostile() -> impl Strategy<Value = Value> {
        deskbell_contract::hostile::hostile_value(FIELDS, WORDS)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn a_hostile_event_is_decoded_or_refused_naming_a_field(time in hostile(), detail in hostile()) {
            let json = serde_json::json!({"detail-type": "Scheduled Event", "source": "aws.events", "time": time, "detail": detail});
            // The envelope itself (time) is parsed by aws_lambda_events before decode runs.
            if let Ok(event) = serde_json::from_value::<EventBridgeEvent<Value>>(json) {
                match decode(&event, clock()) {
                    Ok(r) => prop_assert!(r.now <= clock() + MAX_CLOCK_SKEW && limits::in_range(r.now)),
                    Err(e) => {
                        let message = e.to_string();
                        prop_assert!(message.starts_with("invalid field detail") || message.starts_with("invalid field time"), "{}", message);
                    }
                }
            }
        }
    }

    #[test]
    fn the_sample_events_decode() {
        let plain: EventBridgeEvent<Value> =
            serde_json::from_str(include_str!("../../../events/scheduled/cleanup.json")).unwrap();
        let r = decode(&plain, clock()).unwrap();
        assert!(!r.dry_run);
        assert_eq!(r.kinds.len(), Kind::ALL.len());
        let dry: EventBridgeEvent<Value> =
            serde_json::from_str(include_str!("../../../events/scheduled/cleanup.dry-run.json")).unwrap();
        let r = decode(&dry, clock()).unwrap();
        assert!(r.dry_run);
        assert_eq!(r.now, "2026-11-15T03:00:00Z".parse::<DateTime<Utc>>().unwrap());
    }
}
