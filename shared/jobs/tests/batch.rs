//! The job core's batch semantics, with in-memory records and visibility.

use std::collections::BTreeSet;
use std::fmt;

use aws_lambda_events::event::sqs::SqsMessage;
use deskbell_contract::{Job, fixtures};
use deskbell_jobs::fixtures::{event, record};
use std::sync::{Arc, Mutex};

use chrono::{Duration, Utc};
use deskbell_errors::{Classify, ErrorKind};
use deskbell_jobs::metrics::{RecordMetrics, RecordOutcome};
use deskbell_jobs::{BatchProcessor, JobContext, JobHandler, MemoryVisibility, RetryPolicy};
use deskbell_records::{FailureLog, MemoryRecords};

/// Fails jobs whose id starts with `transient-`, `systemic-` or `permanent-`; counts the rest.
#[derive(Default)]
struct Picky {
    done: std::sync::Mutex<Vec<String>>,
}

struct PickyError(ErrorKind);

impl fmt::Display for PickyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "picky says {}", self.0.as_str())
    }
}

impl Classify for PickyError {
    fn kind(&self) -> ErrorKind {
        self.0
    }
}

impl JobHandler for Picky {
    type Error = PickyError;

    async fn handle(&self, job: &Job, _ctx: &JobContext) -> Result<(), PickyError> {
        if job.id.starts_with("transient-") {
            return Err(PickyError(ErrorKind::Transient));
        }
        if job.id.starts_with("systemic-") {
            return Err(PickyError(ErrorKind::Systemic));
        }
        if job.id.starts_with("permanent-") {
            return Err(PickyError(ErrorKind::Permanent));
        }
        self.done.lock().unwrap().push(job.id.clone());
        Ok(())
    }
}

fn welcome(id: &str) -> String {
    let mut job = fixtures::one_of_each().swap_remove(5);
    job.id = id.into();
    job.to_body()
}

fn processor() -> BatchProcessor<MemoryVisibility, MemoryRecords> {
    BatchProcessor::new(MemoryVisibility::default(), MemoryRecords::default(), RetryPolicy::default(), 4)
}

#[tokio::test]
async fn batch_item_failures_name_exactly_the_failed_records() {
    let p = processor();
    let handler = Picky::default();
    let mut records: Vec<SqsMessage> =
        (0..7).map(|i| record(&format!("ok-{i}"), welcome(&format!("good-{i}")), 1)).collect();
    records.push(record("bad-json", "{not json".into(), 1));
    records.push(record("bad-type", welcome("x").replace("user.welcome", "user.exploded"), 1));
    records.push(record("bad-field", welcome("y").replace("\"email\":", "\"e-mail\":"), 1));
    let response = p.process(event(records), None, &handler).await.unwrap();

    let failed: BTreeSet<_> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    assert_eq!(failed, BTreeSet::from(["bad-json", "bad-type", "bad-field"]));
    assert_eq!(handler.done.lock().unwrap().len(), 7);

    let reason = p.failures().get("bad-field").await.unwrap().unwrap();
    assert_eq!(reason.kind, ErrorKind::Permanent);
    assert_eq!(reason.error, "missing field data.user.email");
    assert_eq!(reason.job_id.as_deref(), Some("y"));
    assert_eq!(reason.job_type.as_deref(), Some("user.welcome"));
    assert_eq!(reason.queue, "deskbell-notifications");
    let unknown = p.failures().get("bad-type").await.unwrap().unwrap();
    assert_eq!(unknown.error, "unknown job type \"user.exploded\"");
}

#[tokio::test]
async fn permanent_failure_is_released_at_once_transient_waits_by_receive_count() {
    let p = processor();
    let records = vec![
        record("p", welcome("permanent-1"), 1),
        record("t1", welcome("transient-1"), 1),
        record("t4", welcome("transient-4"), 4),
    ];
    p.process(event(records), None, &Picky::default()).await.unwrap();
    let changes: std::collections::HashMap<_, _> = p.visibility().changes().await.into_iter().collect();
    assert_eq!(changes["rh-p"], 0);
    assert!((5..=10).contains(&changes["rh-t1"]), "{}", changes["rh-t1"]);
    assert!((40..=80).contains(&changes["rh-t4"]), "{}", changes["rh-t4"]);
    let t4 = p.failures().get("t4").await.unwrap().unwrap();
    assert_eq!((t4.kind, t4.attempt, t4.error.as_str()), (ErrorKind::Transient, 4, "picky says transient"));
}

#[tokio::test]
async fn successful_batch_reports_no_failures_and_touches_nothing() {
    let p = processor();
    let response = p
        .process(event(vec![record("a", welcome("a"), 1), record("b", welcome("b"), 2)]), None, &Picky::default())
        .await
        .unwrap();
    assert!(response.batch_item_failures.is_empty());
    assert!(p.visibility().changes().await.is_empty());
    assert!(p.failures().failures().await.is_empty());
}

#[tokio::test]
async fn response_serialises_as_lambda_expects() {
    let p = processor();
    let response = p.process(event(vec![record("m-1", "nope".into(), 1)]), None, &Picky::default()).await.unwrap();
    let json = serde_json::to_value(&response).unwrap();
    assert_eq!(json, serde_json::json!({"batchItemFailures": [{"itemIdentifier": "m-1"}]}));
}

#[tokio::test]
async fn record_without_message_id_fails_the_whole_batch_rather_than_vanish() {
    let p = processor();
    let mut anonymous = record("x", welcome("a"), 1);
    anonymous.message_id = None;
    let response =
        p.process(event(vec![anonymous, record("b", welcome("b"), 1)]), None, &Picky::default()).await.unwrap();
    let ids: Vec<&str> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    assert_eq!(ids, vec![""], "an empty itemIdentifier makes Lambda retry the whole batch");
}

#[tokio::test]
async fn every_finished_record_is_counted_done_or_failed_in_its_queue_and_hour() {
    use deskbell_records::OutcomeCounts;
    let p = processor();
    let records = vec![
        record("ok-1", welcome("good-1"), 1),
        record("ok-2", welcome("good-2"), 1),
        record("t-1", welcome("transient-1"), 1),
        record("bad-json", "{not json".into(), 1),
    ];
    p.process(event(records), None, &Picky::default()).await.unwrap();

    let now = chrono::Utc::now();
    let queue =
        deskbell_jobs::queue_name(record("x", String::new(), 1).event_source_arn.as_deref().unwrap()).to_owned();
    let hours = p.failures().hours(&queue, now - chrono::Duration::hours(1), now).await.unwrap();
    let (done, failed): (u64, u64) = hours.iter().fold((0, 0), |(d, f), h| (d + h.done, f + h.failed));
    assert_eq!((done, failed), (2, 2), "{hours:?}");
    assert!(p.failures().latest(&queue).await.unwrap().and_then(|h| h.last_at).is_some());
}

/// A record first received `ago` before now (Lambda passes the attribute in epoch ms).
fn first_received(mut r: SqsMessage, ago: Duration) -> SqsMessage {
    let at = (Utc::now() - ago).timestamp_millis().to_string();
    r.attributes.insert("ApproximateFirstReceiveTimestamp".into(), at.clone());
    r.attributes.insert("SentTimestamp".into(), at);
    r
}

/// A processor whose record metrics are collected.
fn metered() -> (BatchProcessor<MemoryVisibility, MemoryRecords>, Arc<Mutex<Vec<RecordMetrics>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let p = processor().with_metrics(Arc::new(move |m: &RecordMetrics| sink.lock().unwrap().push(m.clone())));
    (p, seen)
}

#[tokio::test]
async fn retried_failures_back_off_inside_the_window_and_are_released_past_it() {
    let (p, seen) = metered();
    let records = vec![
        first_received(record("s-young", welcome("systemic-1"), 6), Duration::minutes(30)),
        first_received(record("t-young", welcome("transient-1"), 6), Duration::minutes(59)),
        first_received(record("t-old", welcome("transient-2"), 15), Duration::minutes(61)),
        record("ok", welcome("good"), 1),
    ];
    let response = p.process(event(records), None, &Picky::default()).await.unwrap();
    assert_eq!(response.batch_item_failures.len(), 3);
    let changes: std::collections::HashMap<_, _> = p.visibility().changes().await.into_iter().collect();
    // Receive 6: 160..320 s of back-off, systemic or transient alike, within the hour.
    assert!((160..=320).contains(&changes["rh-s-young"]), "{}", changes["rh-s-young"]);
    assert!((160..=320).contains(&changes["rh-t-young"]), "{}", changes["rh-t-young"]);
    assert_eq!(changes["rh-t-old"], 0, "past the window: released for the redrive policy");

    let young = p.failures().get("s-young").await.unwrap().unwrap();
    assert_eq!((young.kind, young.error.as_str()), (ErrorKind::Systemic, "picky says systemic"));
    let old = p.failures().get("t-old").await.unwrap().unwrap();
    assert_eq!(old.error, "retry window of 3600 s spent after 15 receives; last error: picky says transient");

    let outcomes: std::collections::HashMap<String, RecordOutcome> =
        seen.lock().unwrap().iter().map(|m| (m.message_id.clone(), m.outcome)).collect();
    assert_eq!(outcomes["s-young"], RecordOutcome::Systemic);
    assert_eq!(outcomes["t-young"], RecordOutcome::Transient);
    assert_eq!(outcomes["t-old"], RecordOutcome::Expired);
    assert_eq!(outcomes["ok"], RecordOutcome::Done);
}

#[tokio::test]
async fn a_batch_failing_only_for_systemic_reasons_fails_the_invocation() {
    let p = processor();
    let records = vec![record("a", welcome("systemic-1"), 1), record("b", welcome("systemic-2"), 3)];
    let err = p.process(event(records), None, &Picky::default()).await.unwrap_err();
    assert_eq!(
        (err.queue.as_str(), err.records, err.error.as_str()),
        ("deskbell-notifications", 2, "picky says systemic")
    );
    // Each record still waits out its back-off, and its reason is recorded.
    let changes: std::collections::HashMap<_, _> = p.visibility().changes().await.into_iter().collect();
    assert!((5..=10).contains(&changes["rh-a"]) && (20..=40).contains(&changes["rh-b"]), "{changes:?}");
    assert_eq!(p.failures().get("b").await.unwrap().unwrap().kind, ErrorKind::Systemic);

    // One record of another kind (or done) and the batch answers per record as usual.
    let mixed = vec![record("c", welcome("systemic-3"), 1), record("d", welcome("transient-3"), 1)];
    let response = p.process(event(mixed), None, &Picky::default()).await.unwrap();
    assert_eq!(response.batch_item_failures.len(), 2);
    let partly = vec![record("e", welcome("systemic-4"), 1), record("f", welcome("good-f"), 1)];
    let response = p.process(event(partly), None, &Picky::default()).await.unwrap();
    let ids: Vec<&str> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    assert_eq!(ids, vec!["e"]);
}

#[tokio::test]
async fn no_record_starts_within_the_deadline_margin_they_come_back_soon() {
    let (p, seen) = metered();
    let p = p.with_deadline_margin(Duration::seconds(3));
    let handler = Picky::default();
    let records = vec![record("a", welcome("good-a"), 1), record("b", welcome("good-b"), 2)];
    let response = p.process(event(records), Some(Utc::now() + Duration::seconds(1)), &handler).await.unwrap();
    assert!(handler.done.lock().unwrap().is_empty(), "nothing started");
    let ids: std::collections::BTreeSet<&str> =
        response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    assert_eq!(ids, std::collections::BTreeSet::from(["a", "b"]));
    let changes: std::collections::HashMap<_, _> = p.visibility().changes().await.into_iter().collect();
    assert!((5..=10).contains(&changes["rh-b"]), "the first step of the back-off, whatever the receive count");
    let reason = p.failures().get("a").await.unwrap().unwrap();
    assert_eq!(reason.kind, ErrorKind::Transient);
    assert!(
        reason.error.starts_with("not started: ") && reason.error.ends_with("under the margin of 3000 ms"),
        "{}",
        reason.error
    );
    assert_eq!(reason.job_id.as_deref(), Some("good-a"));
    assert!(seen.lock().unwrap().iter().all(|m| m.outcome == RecordOutcome::Deferred));

    // With time enough, the same records run.
    let records = vec![record("a", welcome("good-a"), 2)];
    p.process(event(records), Some(Utc::now() + Duration::seconds(30)), &handler).await.unwrap();
    assert_eq!(handler.done.lock().unwrap().as_slice(), ["good-a"]);
}

#[tokio::test]
async fn every_record_gets_one_metric_with_its_queue_type_outcome_attempt_and_wait() {
    let (p, seen) = metered();
    let records = vec![
        first_received(record("ok", welcome("good"), 2), Duration::seconds(40)),
        record("bad-type", welcome("x").replace("user.welcome", "user.exploded"), 1),
        record("perm", welcome("permanent-1"), 1),
    ];
    p.process(event(records), None, &Picky::default()).await.unwrap();
    let mut seen = seen.lock().unwrap().clone();
    seen.sort_by(|a, b| a.message_id.cmp(&b.message_id));
    let summary: Vec<(&str, &str, &str, RecordOutcome, u32)> = seen
        .iter()
        .map(|m| (m.message_id.as_str(), m.queue.as_str(), m.job_type.as_str(), m.outcome, m.attempt))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("bad-type", "deskbell-notifications", "invalid", RecordOutcome::Permanent, 1),
            ("ok", "deskbell-notifications", "user.welcome", RecordOutcome::Done, 2),
            ("perm", "deskbell-notifications", "user.welcome", RecordOutcome::Permanent, 1),
        ]
    );
    let wait = seen[1].wait_ms.unwrap();
    assert!((40_000.0..100_000.0).contains(&wait), "waited since SentTimestamp: {wait} ms");
    assert_eq!(seen[0].wait_ms, None, "no SentTimestamp, no wait");
}
