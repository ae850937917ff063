//! Decide: which checks fail, and what that means for each check's incident. Pure: what was
//! observed and the time in, verdicts and steps out.
//!
//! - **DLQ**: a DLQ holding more than `max_dlq_messages` (default 0) messages fails.
//! - **Oldest waiting**: SQS does not say how old its oldest message is (CloudWatch's
//!   `ApproximateAgeOfOldestMessage` does, in AWS only), and receiving one to look would spend
//!   its redrive budget. So: a queue is failing when it has held visible messages at every run
//!   since `S` (the health check's own waiting mark) and the job core has finished none of its
//!   records since `P` (the outcome counters), for longer than `max_wait`: some message present
//!   at `max(S, P)` was never received since, so it has waited at least `now − max(S, P)`. A
//!   lower bound, exact when the consumer is stuck; a queue that flows never trips it.
//! - **Failure rate**: failed / (done + failed) over the hourly counters covering the window,
//!   once at least `min_jobs` finished; more than `max_failure_rate` fails.

use chrono::{DateTime, Duration, Utc};
use deskbell_contract::AlertCheck;
use deskbell_jobs::QueueDepth;
use deskbell_records::{HourOutcomes, Incident, IncidentState};
use serde::Serialize;

/// When a check fails (docs/scheduled.md#health-check; the variables: docs/deploy.md#configuration).
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    pub max_wait: Duration,
    pub max_dlq_messages: u64,
    /// A fraction: 0.01 is 1 %.
    pub max_failure_rate: f64,
    pub failure_window: Duration,
    pub min_jobs: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            max_wait: Duration::hours(1),
            max_dlq_messages: 0,
            max_failure_rate: 0.01,
            failure_window: Duration::hours(1),
            min_jobs: 20,
        }
    }
}

/// What was seen of a work queue.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueueSeen {
    pub name: String,
    pub depth: QueueDepth,
    /// The health check's waiting mark: visible messages at every run since then.
    pub waiting_since: Option<DateTime<Utc>>,
    /// The counters of the hours covering the failure window.
    pub window: Vec<HourOutcomes>,
    /// When the job core last finished one of its records.
    pub last_finished: Option<DateTime<Utc>>,
}

/// What was seen of a dead-letter queue.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DlqSeen {
    pub name: String,
    pub depth: QueueDepth,
}

/// One check of one resource, this run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// `<check>:<resource>`: one incident at a time per key.
    pub key: String,
    #[serde(serialize_with = "check_name")]
    pub check: AlertCheck,
    pub resource: String,
    pub failing: bool,
    pub observed: f64,
    pub threshold: f64,
    pub details: String,
}

fn check_name<S: serde::Serializer>(check: &AlertCheck, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(check.as_str())
}

fn verdict(
    check: AlertCheck,
    resource: &str,
    failing: bool,
    observed: f64,
    threshold: f64,
    details: String,
) -> Verdict {
    Verdict {
        key: format!("{}:{resource}", check.as_str()),
        check,
        resource: resource.to_owned(),
        failing,
        observed,
        threshold,
        details,
    }
}

/// The new waiting mark of a queue: kept (or set to `now`) while it holds visible messages.
pub fn next_waiting_since(
    depth: &QueueDepth,
    mark: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    (depth.visible > 0).then(|| mark.unwrap_or(now))
}

/// Every check's verdict, work queues first (waiting, failure rate), then DLQs.
pub fn verdicts(queues: &[QueueSeen], dlqs: &[DlqSeen], t: &Thresholds, now: DateTime<Utc>) -> Vec<Verdict> {
    let mut out = Vec::new();
    for q in queues {
        out.push(waiting(q, t, now));
        out.push(failure_rate(q, t));
    }
    for d in dlqs {
        let n = d.depth.total();
        let details = format!("{n} messages in {} (alert above {})", d.name, t.max_dlq_messages);
        out.push(verdict(
            AlertCheck::DlqNotEmpty,
            &d.name,
            n > t.max_dlq_messages,
            n as f64,
            t.max_dlq_messages as f64,
            details,
        ));
    }
    out
}

fn waiting(q: &QueueSeen, t: &Thresholds, now: DateTime<Utc>) -> Verdict {
    let limit = t.max_wait.num_seconds();
    let waited = match next_waiting_since(&q.depth, q.waiting_since, now) {
        Some(since) => (now - q.last_finished.map_or(since, |p| p.max(since))).num_seconds().max(0),
        None => 0,
    };
    let details = if waited > 0 {
        format!(
            "{} messages waiting in {}; none received and finished for at least {waited} s (alert above {limit} s)",
            q.depth.visible, q.name
        )
    } else {
        format!("{} messages waiting in {}", q.depth.visible, q.name)
    };
    verdict(AlertCheck::OldestWaiting, &q.name, waited > limit, waited as f64, limit as f64, details)
}

fn failure_rate(q: &QueueSeen, t: &Thresholds) -> Verdict {
    let (done, failed) = q.window.iter().fold((0u64, 0u64), |(d, f), h| (d + h.done, f + h.failed));
    let total = done + failed;
    let rate = if total == 0 { 0.0 } else { failed as f64 / total as f64 };
    let failing = total >= t.min_jobs && rate > t.max_failure_rate;
    let (percent, limit) = (rate * 100.0, t.max_failure_rate * 100.0);
    let window = t.failure_window.num_minutes();
    let details = format!(
        "{failed} of {total} jobs of {} failed in the last {window} min: {percent:.2} % (alert above {limit:.2} % from {} jobs)",
        q.name, t.min_jobs
    );
    verdict(AlertCheck::FailureRate, &q.name, failing, (percent * 100.0).round() / 100.0, limit, details)
}

/// What to do about one check's incident.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Raise this new incident, then tell the admins.
    Raise(Incident),
    /// Clear this raised incident, then tell the admins.
    Clear(Incident),
    /// Tell the admins the current state of this incident (its notice was not published).
    Notify(Incident),
}

/// The steps for a check whose stored incident is `stored` and whose verdict is `v`: an
/// incident is told once when it begins and once when it ends, never once per run.
pub fn steps(stored: Option<&Incident>, v: &Verdict, now: DateTime<Utc>) -> Vec<Step> {
    let mut out = Vec::new();
    // A notice that a failed run did not publish comes first, with its own job id.
    if let Some(i) = stored.filter(|i| !i.notified) {
        out.push(Step::Notify(i.clone()));
    }
    match (stored.map(|i| i.state), v.failing) {
        (None | Some(IncidentState::Cleared), true) => out.push(Step::Raise(Incident {
            key: v.key.clone(),
            incident_id: format!("{}:{}", v.key, now.format("%Y%m%dT%H%M%SZ")),
            state: IncidentState::Raised,
            raised_at: now,
            cleared_at: None,
            notified: false,
            observed: v.observed,
            threshold: v.threshold,
            details: v.details.clone(),
        })),
        (Some(IncidentState::Raised), false) => {
            if let Some(i) = stored {
                out.push(Step::Clear(i.clone()));
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(mins: i64) -> DateTime<Utc> {
        "2026-11-24T10:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::minutes(mins)
    }

    fn depth(visible: u64) -> QueueDepth {
        QueueDepth { visible, ..QueueDepth::default() }
    }

    fn queue(visible: u64, waiting_since: Option<i64>, last_finished: Option<i64>) -> QueueSeen {
        QueueSeen {
            name: "q".into(),
            depth: depth(visible),
            waiting_since: waiting_since.map(at),
            last_finished: last_finished.map(at),
            window: vec![],
        }
    }

    fn hours(done: u64, failed: u64) -> Vec<HourOutcomes> {
        vec![HourOutcomes { hour: at(0), done, failed, last_at: Some(at(0)) }]
    }

    #[test]
    fn a_queue_waiting_longer_than_the_limit_with_nothing_finished_fails() {
        let t = Thresholds::default();
        let v = waiting(&queue(3, Some(0), None), &t, at(61));
        assert!(v.failing, "{v:?}");
        assert_eq!(v.observed, 3660.0);
        // Finished a record 10 minutes ago: the queue flows.
        assert!(!waiting(&queue(3, Some(0), Some(51)), &t, at(61)).failing);
        // First seen waiting now: nothing known yet.
        assert!(!waiting(&queue(3, None, Some(-600)), &t, at(61)).failing);
        // Empty: nothing waits.
        assert_eq!(waiting(&queue(0, Some(0), None), &t, at(61)).observed, 0.0);
    }

    #[test]
    fn the_waiting_mark_lives_while_messages_are_visible() {
        assert_eq!(next_waiting_since(&depth(2), None, at(5)), Some(at(5)));
        assert_eq!(next_waiting_since(&depth(2), Some(at(0)), at(5)), Some(at(0)));
        assert_eq!(next_waiting_since(&depth(0), Some(at(0)), at(5)), None);
    }

    #[test]
    fn failure_rate_above_the_limit_fails_once_enough_jobs_finished() {
        let t = Thresholds::default();
        let q = |done, failed| QueueSeen { window: hours(done, failed), ..queue(0, None, None) };
        assert!(failure_rate(&q(98, 2), &t).failing);
        assert_eq!(failure_rate(&q(98, 2), &t).observed, 2.0);
        assert!(!failure_rate(&q(99, 1), &t).failing, "exactly 1 % is not above 1 %");
        assert!(!failure_rate(&q(5, 5), &t).failing, "10 jobs: below min_jobs");
    }

    #[test]
    fn an_incident_is_raised_once_and_cleared_once() {
        let failing = verdict(AlertCheck::DlqNotEmpty, "dlq", true, 1.0, 0.0, "1 message".into());
        let passing = Verdict { failing: false, ..failing.clone() };
        let Step::Raise(raised) = steps(None, &failing, at(0)).remove(0) else { panic!() };
        assert_eq!(raised.incident_id, "dlq_not_empty:dlq:20261124T100000Z");
        let told = Incident { notified: true, ..raised.clone() };
        assert!(steps(Some(&told), &failing, at(5)).is_empty(), "still failing: nothing new");
        assert_eq!(steps(Some(&raised), &failing, at(5)), vec![Step::Notify(raised.clone())], "notice lost: again");
        assert_eq!(steps(Some(&told), &passing, at(10)), vec![Step::Clear(told.clone())]);
        let cleared = Incident { state: IncidentState::Cleared, cleared_at: Some(at(10)), ..told };
        assert!(steps(Some(&cleared), &passing, at(15)).is_empty());
        assert!(
            matches!(steps(Some(&cleared), &failing, at(20)).as_slice(), [Step::Raise(i)] if i.raised_at == at(20))
        );
    }
}
