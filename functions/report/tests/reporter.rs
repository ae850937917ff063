//! The reporter with in-memory stores: claims, redeliveries and misrouted jobs.

use chrono::{Duration, Utc};
use deskbell_contract::{Job, JobType, fixtures};
use deskbell_errors::ErrorKind;
use deskbell_jobs::fixtures::{event, record};
use deskbell_jobs::{BatchProcessor, MemoryJobQueue, MemoryVisibility, RetryPolicy};
use deskbell_objects::MemoryObjects;
use deskbell_records::{Attempt, FailureLog, MemoryRecords, ReportLog, ReportStart};
use deskbell_report::{ReportFunction, ReportSettings, Reporter};
use deskbell_tickets::MemoryTickets;
use lambda_runtime::{Context, LambdaEvent};

type Memory =
    ReportFunction<MemoryTickets, MemoryObjects, MemoryRecords, MemoryJobQueue, MemoryVisibility, MemoryRecords>;

fn function() -> Memory {
    let settings = ReportSettings { part_size: 1024, lease: Duration::minutes(15) };
    ReportFunction::new(
        BatchProcessor::new(MemoryVisibility::default(), MemoryRecords::default(), RetryPolicy::default(), 2),
        Reporter::new(
            MemoryTickets::default(),
            MemoryObjects::default(),
            MemoryRecords::default(),
            MemoryJobQueue::default(),
            settings,
        ),
    )
}

fn job(t: JobType) -> Job {
    fixtures::one_of_each().into_iter().find(|j| j.job_type() == t).unwrap()
}

async fn run(f: &Memory, message_id: &str, job: &Job) -> Vec<String> {
    let response = f.handle(LambdaEvent::new(event(vec![record(message_id, job.to_body(), 1)]), Context::default()));
    response.await.unwrap().batch_item_failures.into_iter().map(|f| f.item_identifier).collect()
}

#[tokio::test]
async fn a_report_another_worker_is_building_is_retried_later_not_built_twice() {
    let f = function();
    let requested = job(JobType::ReportRequested);
    let other = Attempt { message_id: "other".into(), receive_count: 1 };
    let claim = f.reporter().reports().start("r-1", requested.occurred_at, &other, Utc::now(), Duration::minutes(15));
    assert_eq!(claim.await.unwrap(), ReportStart::Acquired);

    assert_eq!(run(&f, "m1", &requested).await, vec!["m1"]);
    let reason = FailureLog::get(f.processor().failures(), "m1").await.unwrap().unwrap();
    assert_eq!(
        (reason.kind, reason.error.as_str()),
        (ErrorKind::Transient, "report r-1 is being built by another worker")
    );
    assert!(f.reporter().objects().keys().await.is_empty());
}

#[tokio::test]
async fn a_redelivered_report_is_not_rebuilt_but_its_requester_is_told_again_with_the_same_envelope() {
    let f = function();
    let requested = job(JobType::ReportRequested);
    assert!(run(&f, "m1", &requested).await.is_empty());
    assert!(run(&f, "m2", &requested).await.is_empty());

    assert_eq!(f.reporter().objects().keys().await, vec!["reports/r-1.csv"]);
    assert_eq!(f.reporter().reports().get_report("r-1").await.unwrap().unwrap().attempts, 1);
    let published = f.reporter().notifications().published().await;
    assert_eq!(published.len(), 2);
    // Same id, same time, same payload: notify's idempotency key and payload hash both match.
    assert_eq!(published[0], published[1]);
    assert_eq!(published[0].occurred_at, requested.occurred_at);
    assert_eq!(published[0].job_type(), JobType::ReportReady);
}

#[tokio::test]
async fn a_notification_job_on_the_reports_queue_is_refused_with_its_reason() {
    let f = function();
    assert_eq!(run(&f, "m1", &job(JobType::TicketAssigned)).await, vec!["m1"]);
    let reason = FailureLog::get(f.processor().failures(), "m1").await.unwrap().unwrap();
    assert_eq!(reason.kind, ErrorKind::Permanent);
    assert_eq!(reason.error, "ticket.assigned does not belong on the reports queue: the notify function handles it");
}
