//! The idempotency primitive against the emulator: DynamoDB's conditional writes as the state
//! machine, a completion write that fails after SES accepted, a republished envelope, a
//! redelivered report. Each step runs one at a time: moto's conditional writes are not atomic
//! under concurrency (../shared/LOCAL-AWS.md), so no test here races two claims.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use chrono::{DateTime, Duration, Utc};
use deskbell_contract::{Job, JobType, Payload, ReportFilters, ReportFormat, ReportRequested, Role, fixtures};
use deskbell_inbox::{DynamoInbox, NotificationStore};
use deskbell_integration::Stack;
use deskbell_jobs::{JobContext, JobHandler};
use deskbell_mailer::SesMailer;
use deskbell_notify::{AwsNotify, AwsPorts, Notifier, Ports};
use deskbell_records::{
    Attempt, Channel, Claim, DeliveryKey, DeliveryLog, DeliveryOutcome, DeliveryStatus, DynamoRecords, FinishError,
    FinishRetry, LockRequest, PayloadHash, finish,
};
use deskbell_report::AwsReport;
use deskbell_tickets::DynamoTickets;
use lambda_runtime::{Context, LambdaEvent};

fn records(stack: &Stack) -> DynamoRecords {
    DynamoRecords::new(stack.dynamodb.clone(), &stack.jobs_table, Duration::days(30))
}

fn at(message_id: &str, receive_count: u32) -> Attempt {
    Attempt { message_id: message_id.into(), receive_count }
}

/// Claims `key` for `payload` as `attempt` at `now`, locked for a minute.
async fn claim(log: &DynamoRecords, key: &DeliveryKey, attempt: &Attempt, payload: &str, now: DateTime<Utc>) -> Claim {
    let (hash, token) = (PayloadHash::of(payload.as_bytes()), attempt.token());
    let request = LockRequest {
        key,
        job_type: "user.welcome",
        payload_hash: &hash,
        attempt,
        token: &token,
        now,
        until: now + Duration::seconds(60),
    };
    log.claim(&request).await.unwrap()
}

const QUICK: FinishRetry = FinishRetry { retries: 3, base: std::time::Duration::from_millis(20) };

#[tokio::test]
async fn dynamodb_records_follow_the_lock_state_machine() {
    let stack = Stack::new("idem-states").await;
    let log = records(&stack);
    let key = DeliveryKey { job_id: format!("{}-j", stack.name), recipient_id: "u1".into(), channel: Channel::Email };
    let t0 = Utc::now();

    let Claim::Acquired(slow) = claim(&log, &key, &at("m1", 1), "p", t0).await else { panic!("first claim") };
    assert!(matches!(claim(&log, &key, &at("m2", 1), "p", t0 + Duration::seconds(59)).await, Claim::InFlight { .. }));
    assert_eq!(claim(&log, &key, &at("m2", 1), "other", t0).await, Claim::PayloadMismatch);

    // The lock lapsed: another worker takes it, and the first claim's time stays.
    let Claim::Acquired(fast) = claim(&log, &key, &at("m2", 1), "p", t0 + Duration::seconds(61)).await else {
        panic!("reclaim after the lock lapsed")
    };
    assert_eq!(fast.first_claimed_at.timestamp_micros(), slow.first_claimed_at.timestamp_micros());

    // The slow worker's completion is refused and overwrites nothing.
    let sent = DeliveryOutcome::Completed { provider_id: Some("ses-slow") };
    let err = finish(&log, &slow, &sent, t0 + Duration::seconds(62), QUICK).await.unwrap_err();
    assert!(matches!(err, FinishError::LockLost { .. }), "{err}");
    let record = DeliveryLog::get(&log, &key).await.unwrap().unwrap();
    assert_eq!((record.status, record.lock_token.as_deref()), (DeliveryStatus::Pending, Some(fast.token.as_str())));

    finish(&log, &fast, &DeliveryOutcome::Completed { provider_id: Some("ses-fast") }, t0, QUICK).await.unwrap();
    // Writing the same completion again (its first answer lost) is not a lost lock.
    finish(&log, &fast, &DeliveryOutcome::Completed { provider_id: Some("ses-fast") }, t0, QUICK).await.unwrap();
    assert_eq!(
        claim(&log, &key, &at("m3", 1), "p", t0 + Duration::hours(1)).await,
        Claim::Completed { provider_id: Some("ses-fast".into()) }
    );
    let record = DeliveryLog::get(&log, &key).await.unwrap().unwrap();
    assert_eq!((record.attempts, record.payload_hash), (2, Some(PayloadHash::of(b"p"))));
}

/// Fails the first `left` completion writes (an UpdateItem setting `sent` under the lock's
/// condition) before they leave, as a connection reset would.
#[derive(Debug, Clone)]
struct FailCompletions {
    left: Arc<AtomicU32>,
    failed: Arc<AtomicU32>,
}

impl Intercept for FailCompletions {
    fn name(&self) -> &'static str {
        "FailCompletions"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let body = context.request().body().bytes().map(String::from_utf8_lossy).unwrap_or_default();
        let completion = body.contains("lock_token = :token") && body.contains("{\"S\":\"sent\"}");
        if completion && self.left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
            self.failed.fetch_add(1, Ordering::SeqCst);
            return Err("injected: connection reset".into());
        }
        Ok(())
    }
}

#[tokio::test]
async fn ses_accepted_but_the_first_sent_write_failed_gives_no_second_email_on_redelivery() {
    let stack = Stack::new("idem-sent-write").await;
    let faults = FailCompletions { left: Arc::new(AtomicU32::new(1)), failed: Arc::new(AtomicU32::new(0)) };
    let dynamodb = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&stack.aws).interceptor(faults.clone()).build(),
    );
    // Locks of 1 s without a deadline: a redelivery soon after finds an unfinished one lapsed.
    let settings = stack.notify_config_with(&[("DESKBELL_DELIVERY_LEASE_SECS", "1")]).settings;
    let ports = Ports::<AwsPorts> {
        mailer: SesMailer::new(aws_sdk_sesv2::Client::new(&stack.aws), None),
        deliveries: DynamoRecords::new(dynamodb.clone(), &stack.jobs_table, Duration::days(30)),
        inbox: DynamoInbox::new(dynamodb.clone(), &stack.notifications_table),
        tickets: DynamoTickets::new(dynamodb, &stack.tickets_table),
        reports: None,
        push: None,
    };
    let notifier = Notifier::new(ports, settings);
    let job = welcome(&stack, "w");
    let ctx = |message_id: &str| JobContext {
        attempt: at(message_id, 1),
        queue: "notifications".into(),
        now: Utc::now(),
        deadline: None,
    };
    notifier.handle(&job, &ctx("m1")).await.unwrap();
    assert_eq!(faults.failed.load(Ordering::SeqCst), 1, "the first sent write failed");
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    notifier.handle(&job, &ctx("m2")).await.unwrap();

    assert_eq!(stack.emulator.emails_to_domain(&stack.domain).await.len(), 1);
    let key = DeliveryKey { job_id: job.id.clone(), recipient_id: "newbie".into(), channel: Channel::Email };
    let record = DeliveryLog::get(&records(&stack), &key).await.unwrap().unwrap();
    assert_eq!((record.status, record.attempts), (DeliveryStatus::Sent, 1));
}

/// `user.welcome` for `newbie` at this stack's domain.
fn welcome(stack: &Stack, id: &str) -> Job {
    let mut job = fixtures::one_of_each().into_iter().find(|j| j.job_type() == JobType::UserWelcome).unwrap();
    job.id = format!("{}-{id}", stack.name);
    let Payload::UserWelcome(p) = &mut job.payload else { unreachable!() };
    p.user.email = format!("newbie@{}", stack.domain);
    job
}

/// Invokes `f` on what the notifications queue holds until it is empty.
async fn drain_notifications(f: &AwsNotify, stack: &Stack) {
    for _ in 0..30 {
        if stack.queue_depth().await == (0, 0) {
            return;
        }
        let event = stack.receive(10).await;
        let response = f.handle(LambdaEvent::new(event.clone(), Context::default())).await.unwrap();
        stack.complete(&event, &response).await;
    }
    panic!("queue {} not drained: {:?}", stack.queue_url, stack.queue_depth().await);
}

async fn notifications_of(stack: &Stack, user_id: &str) -> usize {
    DynamoInbox::new(stack.dynamodb.clone(), &stack.notifications_table).recent(user_id, 100).await.unwrap().len()
}

#[tokio::test]
async fn a_republished_envelope_with_a_new_occurred_at_gives_one_email_and_one_notification() {
    let stack = Stack::new("idem-republish").await;
    let f = AwsNotify::from_aws(&stack.aws, stack.notify_config_with(&[("DESKBELL_RETRY_BASE_SECS", "1")]));
    let first = welcome(&stack, "again");
    let mut again = first.clone();
    again.occurred_at = first.occurred_at + Duration::minutes(3);
    stack.send(&[first.to_body()]).await;
    drain_notifications(&f, &stack).await;
    stack.send(&[again.to_body()]).await;
    drain_notifications(&f, &stack).await;

    assert_eq!(stack.emulator.emails_to_domain(&stack.domain).await.len(), 1);
    assert_eq!(notifications_of(&stack, "newbie").await, 1);
}

#[tokio::test]
async fn a_redelivered_report_job_gives_one_email_and_one_notification() {
    let stack = Stack::new("idem-report").await;
    let report = AwsReport::from_aws(&stack.aws, stack.report_config_with(&[]));
    let mut job = fixtures::one_of_each().into_iter().find(|j| j.job_type() == JobType::ReportRequested).unwrap();
    job.id = format!("{}-req", stack.name);
    job.payload = Payload::ReportRequested(ReportRequested {
        report_id: format!("{}-r", stack.name),
        requested_by: fixtures::user_at("owner", Role::Admin, &stack.domain),
        format: ReportFormat::Csv,
        gzip: false,
        filters: ReportFilters {
            created_from: "2026-10-01T00:00:00Z".parse().unwrap(),
            created_to: "2026-11-01T00:00:00Z".parse().unwrap(),
            companies: vec![],
            statuses: vec![],
            priorities: vec![],
        },
    });
    // The report job delivered twice (at-least-once), one receive after the other: each
    // receive publishes report.ready.
    stack.send_to(&stack.reports_queue_url, &[job.to_body(), job.to_body()]).await;
    for _ in 0..2 {
        let event = stack.receive_from(&stack.reports_queue_url, &stack.reports_queue_arn, 1).await;
        assert_eq!(event.records.len(), 1);
        let response = report.handle(LambdaEvent::new(event.clone(), Context::default())).await.unwrap();
        assert!(response.batch_item_failures.is_empty(), "{:?}", response.batch_item_failures);
        stack.complete_on(&stack.reports_queue_url, &event, &response).await;
    }
    assert_eq!(stack.queue_depth().await.0, 2, "report.ready published on each receive");

    // One record at a time: two copies claimed at once would race moto's non-atomic
    // conditional writes, testing the emulator rather than notify.
    let config = stack.notify_config_with(&[("DESKBELL_RETRY_BASE_SECS", "1"), ("DESKBELL_BATCH_CONCURRENCY", "1")]);
    let notify = AwsNotify::from_aws(&stack.aws, config);
    drain_notifications(&notify, &stack).await;
    assert_eq!(stack.emulator.emails_to_domain(&stack.domain).await.len(), 1);
    assert_eq!(notifications_of(&stack, "owner").await, 1);
}
