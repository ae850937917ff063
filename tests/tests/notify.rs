//! notify against the emulator: SQS messages through the handler, emails recorded by SES,
//! notifications and records in DynamoDB, failures to the DLQ through the redrive policy.

use std::collections::{BTreeSet, HashMap};

use deskbell_contract::{Job, JobType, Payload, fixtures};
use deskbell_errors::ErrorKind;
use deskbell_inbox::{DynamoInbox, NotificationStore};
use deskbell_integration::Stack;
use deskbell_jobs::RetryPolicy;
use deskbell_notify::AwsNotify;
use deskbell_records::{Channel, DeliveryKey, DeliveryLog, DeliveryStatus, DynamoRecords, FailureLog};
use lambda_runtime::{Context, LambdaEvent};

fn job(t: JobType, id: &str) -> Job {
    let mut job = fixtures::one_of_each().into_iter().find(|j| j.job_type() == t).unwrap();
    job.id = id.into();
    job
}

/// Seven valid jobs with exactly one recipient each (email + in-app), per the fixtures.
fn seven_single_recipient_jobs(stack: &Stack) -> Vec<(String, String)> {
    [
        JobType::TicketCreated,       // requester is the actor: the assignee only
        JobType::TicketStatusChanged, // the assignee is the actor: the requester only
        JobType::CommentCreated,      // public reply by the assignee: the requester
        JobType::UserWelcome,
        JobType::SystemMaintenance,
        JobType::ReportReady,
        JobType::StatsDigest,
    ]
    .iter()
    .enumerate()
    .map(|(i, t)| (format!("{}-{i}", stack.name), stack.retarget(&job(*t, &format!("{}-{i}", stack.name)).to_body())))
    .collect()
}

fn bad_bodies(stack: &Stack) -> Vec<String> {
    let unknown = job(JobType::UserWelcome, "bad-type").to_body().replace("user.welcome", "user.exploded");
    let missing = job(JobType::TicketAssigned, "bad-field").to_body().replace("\"email\":\"cust@example.com\",", "");
    vec!["{\"id\": \"bad-json\", oops".to_owned(), stack.retarget(&unknown), stack.retarget(&missing)]
}

async fn invoke(f: &AwsNotify, stack: &Stack, max: usize) -> (usize, BTreeSet<String>) {
    let event = stack.receive(max).await;
    let received = event.records.len();
    let response = f.handle(LambdaEvent::new(event.clone(), Context::default())).await.unwrap();
    stack.complete(&event, &response).await;
    (received, response.batch_item_failures.into_iter().map(|f| f.item_identifier).collect())
}

async fn notifications_of(stack: &Stack, user_id: &str) -> usize {
    DynamoInbox::new(stack.dynamodb.clone(), &stack.notifications_table).recent(user_id, 100).await.unwrap().len()
}

#[tokio::test]
async fn batch_of_ten_with_three_bad_sends_seven_emails_and_names_the_three() {
    let stack = Stack::new("batch10").await;
    let f = AwsNotify::from_aws(&stack.aws, stack.notify_config());
    let good = seven_single_recipient_jobs(&stack);
    let mut bodies: Vec<String> = good.iter().map(|(_, b)| b.clone()).collect();
    bodies.extend(bad_bodies(&stack));
    let ids = stack.send(&bodies).await;
    let bad_ids: BTreeSet<String> = ids[7..].iter().cloned().collect();

    let (received, failed) = invoke(&f, &stack, 10).await;
    assert_eq!(received, 10);
    assert_eq!(failed, bad_ids);

    let emails = stack.emulator.emails_to_domain(&stack.domain).await;
    assert_eq!(emails.len(), 7, "{emails:#?}");
    let mut to: Vec<&str> = emails.iter().map(|e| e.to[0].split('@').next().unwrap()).collect();
    to.sort();
    assert_eq!(to, vec!["admin", "admin", "admin", "agent", "cust", "cust", "newbie"]);
    assert_eq!(notifications_of(&stack, "admin").await, 3);
    assert_eq!(
        notifications_of(&stack, "agent").await
            + notifications_of(&stack, "cust").await
            + notifications_of(&stack, "newbie").await,
        4
    );

    // Why each bad one failed is stored, by message id.
    let records = DynamoRecords::new(stack.dynamodb.clone(), &stack.jobs_table, chrono::Duration::days(30));
    let reasons: Vec<String> = {
        let mut v = Vec::new();
        for id in &ids[7..] {
            let r = FailureLog::get(&records, id).await.unwrap().expect("failure recorded");
            assert_eq!((r.kind, r.attempt), (ErrorKind::Permanent, 1));
            assert!(r.queue.ends_with("-notifications"));
            v.push(r.error);
        }
        v
    };
    assert!(reasons[0].starts_with("body is not JSON"), "{}", reasons[0]);
    assert_eq!(reasons[1], "unknown job type \"user.exploded\"");
    assert_eq!(reasons[2], "missing field data.ticket.requester.email");

    // The send log has each email as sent with its SES message id.
    let key = DeliveryKey { job_id: good[3].0.clone(), recipient_id: "newbie".into(), channel: Channel::Email };
    let delivery = DeliveryLog::get(&records, &key).await.unwrap().unwrap();
    assert_eq!(delivery.status, DeliveryStatus::Sent);
    assert!(emails.iter().any(|e| Some(&e.id) == delivery.provider_id.as_ref()));
}

#[tokio::test]
async fn duplicated_message_sends_one_email_and_stores_one_notification() {
    let stack = Stack::new("dup").await;
    let config = stack.notify_config_with(&[("DESKBELL_RETRY_BASE_SECS", "1")]);
    let f = AwsNotify::from_aws(&stack.aws, config);
    let body = stack.retarget(&job(JobType::UserWelcome, &format!("{}-welcome", stack.name)).to_body());
    // Two copies in one batch, then a third later, as an at-least-once redelivery.
    stack.send(&[body.clone(), body.clone()]).await;
    let (received, _) = invoke(&f, &stack, 2).await;
    assert_eq!(received, 2);
    stack.send(&[body]).await;
    drain(&f, &stack).await;

    assert_eq!(stack.emulator.emails_to_domain(&stack.domain).await.len(), 1);
    assert_eq!(notifications_of(&stack, "newbie").await, 1);
}

/// Eight copies of one envelope in one SendMessageBatch, handled concurrently in one batch,
/// five times over: one email and one notification each. Real DynamoDB lets one conditional
/// claim win; so must the emulator (scripts/moto-local-server.py serialises its writes).
#[tokio::test]
async fn concurrent_copies_of_one_envelope_in_one_batch_send_one_email() {
    let stack = Stack::new("copies").await;
    let config = stack.notify_config_with(&[("DESKBELL_RETRY_BASE_SECS", "1"), ("DESKBELL_BATCH_CONCURRENCY", "10")]);
    let f = AwsNotify::from_aws(&stack.aws, config);
    for round in 0..5 {
        let mut j = job(JobType::UserWelcome, &format!("{}-welcome-{round}", stack.name));
        let Payload::UserWelcome(p) = &mut j.payload else { unreachable!() };
        p.user.id = format!("newbie-{round}");
        p.user.email = format!("newbie-{round}@example.com");
        let body = stack.retarget(&j.to_body());
        stack.send(&vec![body; 8]).await;
    }
    drain(&f, &stack).await;

    let emails = stack.emulator.emails_to_domain(&stack.domain).await;
    let mut to: Vec<String> = emails.iter().flat_map(|e| e.to.clone()).collect();
    to.sort();
    let expected: Vec<String> = (0..5).map(|round| format!("newbie-{round}@{}", stack.domain)).collect();
    assert_eq!(to, expected, "one email per envelope");
    for round in 0..5 {
        assert_eq!(notifications_of(&stack, &format!("newbie-{round}")).await, 1);
    }
    assert!(stack.dlq_message_ids().await.is_empty());
}

/// Invokes until the queue is empty (back-offs of a few seconds with DESKBELL_RETRY_BASE_SECS=1).
async fn drain(f: &AwsNotify, stack: &Stack) {
    for _ in 0..60 {
        if stack.queue_depth().await == (0, 0) {
            return;
        }
        invoke(f, stack, 10).await;
    }
    panic!("queue {} not drained: {:?}", stack.queue_url, stack.queue_depth().await);
}

#[tokio::test]
async fn permanent_failures_reach_the_dlq_after_max_receives_without_backoff() {
    let stack = Stack::new("dlq").await;
    let f = AwsNotify::from_aws(&stack.aws, stack.notify_config());
    let ids = stack.send(&bad_bodies(&stack)).await;
    // Each invocation releases the bad records at once (visibility 0): no waiting between.
    for _ in 0..stack.max_receives {
        let (received, failed) = invoke(&f, &stack, 3).await;
        assert_eq!(received, 3);
        assert_eq!(failed.len(), 3);
    }
    // The next receive finds them over maxReceiveCount: SQS moves them to the DLQ.
    let (received, _) = invoke(&f, &stack, 3).await;
    assert_eq!(received, 0);
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(stack.dlq_message_ids().await, expected);

    let records = DynamoRecords::new(stack.dynamodb.clone(), &stack.jobs_table, chrono::Duration::days(30));
    let last = FailureLog::get(&records, &ids[2]).await.unwrap().unwrap();
    assert_eq!(last.attempt, stack.max_receives);
    assert_eq!(last.error, "missing field data.ticket.requester.email");
}

#[tokio::test]
async fn transient_failure_waits_out_its_backoff_before_the_next_receive() {
    // A back-off far longer than the test (60-120 s on the first receive), so that "not visible
    // yet" holds however slowly a loaded machine runs the steps below.
    let stack = Stack::with_retry("transient", RetryPolicy { base_secs: 60, max_secs: 120, window_secs: 3600 }).await;
    // The emulator cannot throttle, so the transient case is a claim still in flight: a pending
    // email delivery whose lease has not run out, as when another worker is sending it now.
    let f = AwsNotify::from_aws(&stack.aws, stack.notify_config());
    let body = stack.retarget(&job(JobType::UserWelcome, &format!("{}-w", stack.name)).to_body());
    // The job as sent: the other worker claimed it for the same payload.
    let j = deskbell_contract::decode(&body).unwrap();
    let records = DynamoRecords::new(stack.dynamodb.clone(), &stack.jobs_table, chrono::Duration::days(30));
    let key = DeliveryKey { job_id: j.id.clone(), recipient_id: "newbie".into(), channel: Channel::Email };
    let other_worker = deskbell_records::Attempt { message_id: "someone-else".into(), receive_count: 1 };
    let (hash, token, now) = (deskbell_notify::payload_hash(&j), other_worker.token(), chrono::Utc::now());
    let request = deskbell_records::LockRequest {
        key: &key,
        job_type: "user.welcome",
        payload_hash: &hash,
        attempt: &other_worker,
        token: &token,
        now,
        until: now + chrono::Duration::minutes(10),
    };
    let claim = records.claim(&request).await;
    assert!(matches!(claim.unwrap(), deskbell_records::Claim::Acquired(_)));

    let ids = stack.send(&[body]).await;
    let (_, failed) = invoke(&f, &stack, 1).await;
    assert_eq!(failed, BTreeSet::from([ids[0].clone()]));
    let reason = FailureLog::get(&records, &ids[0]).await.unwrap().unwrap();
    assert_eq!(reason.kind, ErrorKind::Transient);
    assert!(reason.error.contains("being delivered by another worker"), "{}", reason.error);
    // Backed off: in flight (its visibility pushed out), not visible to the next receive.
    assert_eq!(stack.queue_depth().await, (0, 1));
    assert_eq!(stack.receive(1).await.records.len(), 0);
    assert!(stack.emulator.emails_to_domain(&stack.domain).await.is_empty());
}

#[tokio::test]
async fn hostile_subject_arrives_escaped_and_a_crlf_name_cannot_add_a_header() {
    let stack = Stack::new("hostile").await;
    let f = AwsNotify::from_aws(&stack.aws, stack.notify_config());
    let mut j = job(JobType::CommentCreated, &format!("{}-xss", stack.name));
    let Payload::CommentCreated(p) = &mut j.payload else { unreachable!() };
    p.ticket.subject = "<script>alert(1)</script>".into();
    p.actor.name = "Mallory\r\nBcc: evil@example.org".into();
    stack.send(&[stack.retarget(&j.to_body())]).await;
    assert!(invoke(&f, &stack, 1).await.1.is_empty());

    let emails = stack.emulator.emails_to_domain(&stack.domain).await;
    assert_eq!(emails.len(), 1);
    let email = &emails[0];
    assert_eq!(email.to, vec![format!("cust@{}", stack.domain)], "no extra recipient");
    assert!(!email.subject.contains(['\r', '\n']), "{:?}", email.subject);
    assert_eq!(email.subject, "[#1042] New reply: <script>alert(1)</script>");
    assert!(email.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{}", email.body);
    assert!(!email.body.contains("<script>alert(1)</script>"));
    // In the body a line break is only text: the name shows, escaped, where it belongs.
    assert!(email.body.contains(">Mallory\r\nBcc: evil@example.org replied on ticket #1042</h1>"), "{}", email.body);
    assert!(!email.body.contains("<script>"));
}

#[tokio::test]
async fn a_failure_keeps_its_kind_under_the_stored_name_and_an_unknown_stored_kind_reads_as_an_error() {
    use aws_sdk_dynamodb::types::AttributeValue;
    use deskbell_records::FailureRecord;

    let stack = Stack::new("failure-kind").await;
    let records = DynamoRecords::new(stack.dynamodb.clone(), &stack.jobs_table, chrono::Duration::days(30));
    let failure = FailureRecord {
        message_id: format!("{}-m1", stack.name),
        queue: "deskbell-notifications".into(),
        job_id: None,
        job_type: None,
        kind: ErrorKind::Systemic,
        error: "queue deskbell-notifications: AccessDenied".into(),
        attempt: 2,
        failed_at: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
    };
    FailureLog::record(&records, &failure).await.unwrap();
    let key = HashMap::from([
        ("pk".to_owned(), AttributeValue::S(format!("failure#{}", failure.message_id))),
        ("sk".to_owned(), AttributeValue::S("failure".into())),
    ]);
    let item = stack.dynamodb.get_item().table_name(&stack.jobs_table).set_key(Some(key)).send().await;
    let mut stored = item.unwrap().item.unwrap();
    assert_eq!(stored["error_kind"], AttributeValue::S("systemic".into()), "the name items have always had");
    assert_eq!(FailureLog::get(&records, &failure.message_id).await.unwrap(), Some(failure.clone()));

    // A kind this version does not know (a newer writer, a hand edit).
    stored.insert("error_kind".into(), AttributeValue::S("fatal".into()));
    stack.dynamodb.put_item().table_name(&stack.jobs_table).set_item(Some(stored)).send().await.unwrap();
    let err = FailureLog::get(&records, &failure.message_id).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Permanent);
    assert!(err.to_string().contains(&format!("failure#{} has error_kind \"fatal\"", failure.message_id)), "{err}");
}
