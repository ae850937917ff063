//! The job core's batch semantics, with in-memory records and visibility.

use std::collections::BTreeSet;
use std::fmt;

use aws_lambda_events::event::sqs::SqsMessage;
use deskbell_contract::{Job, fixtures};
use deskbell_jobs::fixtures::{event, record};
use deskbell_jobs::{BatchProcessor, JobContext, JobHandler, MemoryVisibility, RetryPolicy};
use deskbell_records::{FailureLog, MemoryRecords};
use deskbell_runtime::{Classify, ErrorKind};

/// Fails jobs whose id starts with `transient-` or `permanent-`; counts the rest.
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
    let response = p.process(event(records), None, &handler).await;

    let failed: BTreeSet<_> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    assert_eq!(failed, BTreeSet::from(["bad-json", "bad-type", "bad-field"]));
    assert_eq!(handler.done.lock().unwrap().len(), 7);

    let reason = p.failures().get("bad-field").await.unwrap().unwrap();
    assert_eq!(reason.kind, "permanent");
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
    p.process(event(records), None, &Picky::default()).await;
    let changes: std::collections::HashMap<_, _> = p.visibility().changes().await.into_iter().collect();
    assert_eq!(changes["rh-p"], 0);
    assert!((5..=10).contains(&changes["rh-t1"]), "{}", changes["rh-t1"]);
    assert!((40..=80).contains(&changes["rh-t4"]), "{}", changes["rh-t4"]);
    let t4 = p.failures().get("t4").await.unwrap().unwrap();
    assert_eq!((t4.kind.as_str(), t4.attempt, t4.error.as_str()), ("transient", 4, "picky says transient"));
}

#[tokio::test]
async fn successful_batch_reports_no_failures_and_touches_nothing() {
    let p = processor();
    let response = p
        .process(event(vec![record("a", welcome("a"), 1), record("b", welcome("b"), 2)]), None, &Picky::default())
        .await;
    assert!(response.batch_item_failures.is_empty());
    assert!(p.visibility().changes().await.is_empty());
    assert!(p.failures().failures().await.is_empty());
}

#[tokio::test]
async fn response_serialises_as_lambda_expects() {
    let p = processor();
    let response = p.process(event(vec![record("m-1", "nope".into(), 1)]), None, &Picky::default()).await;
    let json = serde_json::to_value(&response).unwrap();
    assert_eq!(json, serde_json::json!({"batchItemFailures": [{"itemIdentifier": "m-1"}]}));
}

#[tokio::test]
async fn record_without_message_id_fails_the_whole_batch_rather_than_vanish() {
    let p = processor();
    let mut anonymous = record("x", welcome("a"), 1);
    anonymous.message_id = None;
    let response = p.process(event(vec![anonymous, record("b", welcome("b"), 1)]), None, &Picky::default()).await;
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
    p.process(event(records), None, &Picky::default()).await;

    let now = chrono::Utc::now();
    let queue =
        deskbell_jobs::queue_name(record("x", String::new(), 1).event_source_arn.as_deref().unwrap()).to_owned();
    let hours = p.failures().hours(&queue, now - chrono::Duration::hours(1), now).await.unwrap();
    let (done, failed): (u64, u64) = hours.iter().fold((0, 0), |(d, f), h| (d + h.done, f + h.failed));
    assert_eq!((done, failed), (2, 2), "{hours:?}");
    assert!(p.failures().latest(&queue).await.unwrap().and_then(|h| h.last_at).is_some());
}
