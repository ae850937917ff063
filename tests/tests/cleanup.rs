//! cleanup against the emulator: exactly what is past retention goes, one second either side
//! of each limit; a dry run deletes nothing and counts the same; an interrupted run resumes
//! and its runs add up to one full run; deletes go out in batches of 25.

use std::collections::{BTreeMap, BTreeSet};

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_s3::primitives::ByteStream;
use chrono::{DateTime, Duration, Utc};
use deskbell_cleanup::{AwsCleanup, Cleanup, Report};
use deskbell_errors::ErrorKind;
use deskbell_inbox::{DynamoInbox, Notification, NotificationStore};
use deskbell_integration::{CallCounter, Stack};
use deskbell_records::{
    Attempt, Channel, Claim, DeliveryKey, DeliveryLog, DeliveryOutcome, DynamoRecords, FailureLog, FailureRecord,
    LockRequest, PayloadHash, ReportLog, ReportOutcome,
};
use deskbell_retention::{AwsRetention, Kind, PASS_PK, Policy};
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{Value, json};

fn event(detail: Value) -> EventBridgeEvent<Value> {
    serde_json::from_value(json!({
        "version": "0", "id": "test", "detail-type": "Scheduled Event", "source": "aws.events",
        "time": "2026-12-01T03:00:00Z", "region": "eu-west-1", "resources": [], "detail": detail,
    }))
    .unwrap()
}

fn attempt() -> Attempt {
    Attempt { message_id: "m-1".into(), receive_count: 1 }
}

/// One second past the limit of `kind` (goes) or one second short of it (stays), at `now`.
fn dated(kind: Kind, past: bool, now: DateTime<Utc>) -> DateTime<Utc> {
    Policy::default().cutoff(kind, now) + Duration::seconds(if past { -1 } else { 1 })
}

/// What a seed stored: the keys expected to go, by kind, and those expected to stay.
#[derive(Default)]
struct Seeded {
    doomed: BTreeMap<Kind, BTreeSet<String>>,
    kept: BTreeSet<String>,
}

/// `n` things of each kind, alternately one second past and one second short of their limit
/// at the `now` it answers, plus things the cleanup must never touch: unread notifications
/// far older than 90 days, records of other kinds, objects outside `reports/`.
///
/// S3 dates objects itself, so the report files are written first and `now` is chosen one
/// second after the newest of them turns 7 days old; the table items are dated from it.
/// (That report files go no earlier than their limit is shown by
/// `report_files_go_one_second_after_their_limit_not_before`.)
async fn seed(stack: &Stack, n: usize) -> (Seeded, DateTime<Utc>) {
    let mut seeded = Seeded::default();
    for i in 0..n {
        let object = format!("reports/rpt-{i}.csv");
        put_object(stack, &object).await;
        seeded.doomed.entry(Kind::ReportFiles).or_default().insert(object);
    }
    for key in ["stats/2026-11-30.json", "reportsx/1.csv", "README"] {
        put_object(stack, key).await;
        seeded.kept.insert(key.to_owned());
    }
    let newest = report_files(stack).await.values().max().copied().unwrap();
    let now = newest + Duration::days(7) + Duration::seconds(1);

    let inbox = DynamoInbox::new(stack.dynamodb.clone(), &stack.notifications_table);
    let records = DynamoRecords::new(stack.dynamodb.clone(), &stack.jobs_table, Duration::days(30));
    for i in 0..n {
        let past = i % 2 == 0;
        let mut note = Notification::new(
            &format!("user-{}", i % 3),
            &format!("job-{i}"),
            "ticket.assigned",
            "Title".into(),
            "Body".into(),
            "https://help.example.com/t/1".into(),
            dated(Kind::ReadNotifications, past, now),
            Duration::days(180),
        );
        note.read = true;
        inbox.store(&note).await.unwrap();
        let key = format!("{}/{}", note.user_id, note.id);
        if past {
            seeded.doomed.entry(Kind::ReadNotifications).or_default().insert(key);
        } else {
            seeded.kept.insert(key);
        }

        let delivery = DeliveryKey { job_id: format!("job-{i}"), recipient_id: "u-1".into(), channel: Channel::Email };
        let sent = dated(Kind::Deliveries, past, now);
        let (hash, token) = (PayloadHash::of(b"payload"), attempt().token());
        let lock = LockRequest {
            key: &delivery,
            job_type: "ticket.assigned",
            payload_hash: &hash,
            attempt: &attempt(),
            token: &token,
            now: sent,
            until: sent + Duration::seconds(60),
        };
        let Claim::Acquired(lock) = records.claim(&lock).await.unwrap() else { panic!("fresh delivery claimed") };
        let outcome = DeliveryOutcome::Completed { provider_id: Some("ses-1") };
        records.finish(&lock, &outcome, sent).await.unwrap();
        let failure = FailureRecord {
            message_id: format!("msg-{i}"),
            queue: "deskbell-notifications".into(),
            job_id: None,
            job_type: None,
            kind: ErrorKind::Permanent,
            error: "missing field data.ticket".into(),
            attempt: 1,
            failed_at: dated(Kind::Failures, past, now),
        };
        FailureLog::record(&records, &failure).await.unwrap();
        let report_id = format!("rpt-{i}");
        let finished = dated(Kind::ReportRecords, past, now);
        let start = finished - Duration::minutes(2);
        records.start(&report_id, start, &attempt(), start, Duration::minutes(15)).await.unwrap();
        if i % 4 != 3 {
            let outcome = ReportOutcome { key: format!("reports/{report_id}.csv"), rows: 1, bytes: 10, duration_ms: 5 };
            records.succeed(&report_id, &outcome, finished).await.unwrap();
        }
        let keep_or_doom = |seeded: &mut Seeded, kind: Kind, key: String, past: bool| {
            if past {
                seeded.doomed.entry(kind).or_default().insert(key);
            } else {
                seeded.kept.insert(key);
            }
        };
        keep_or_doom(&mut seeded, Kind::Deliveries, format!("delivery#job-{i}/email#u-1"), past);
        keep_or_doom(&mut seeded, Kind::Failures, format!("failure#msg-{i}/failure"), past);
        // A report that never finished is dated by its request, two minutes earlier: past either way.
        let report_past = past || i % 4 == 3;
        keep_or_doom(&mut seeded, Kind::ReportRecords, format!("report#{report_id}/report"), report_past);
    }

    for i in 0..3 {
        let mut unread = Notification::new(
            "user-unread",
            &format!("old-{i}"),
            "ticket.created",
            "Old".into(),
            "Unread".into(),
            "https://help.example.com/t/2".into(),
            now - Duration::days(400),
            Duration::days(180),
        );
        unread.read = false;
        inbox.store(&unread).await.unwrap();
        seeded.kept.insert(format!("{}/{}", unread.user_id, unread.id));
    }
    let old = (now - Duration::days(400)).to_rfc3339();
    for pk in ["incident#dlq-notifications", "stats#daily"] {
        stack
            .dynamodb
            .put_item()
            .table_name(&stack.jobs_table)
            .item("pk", AttributeValue::S(pk.into()))
            .item("sk", AttributeValue::S("x".into()))
            .item("updated_at", AttributeValue::S(old.clone()))
            .item("failed_at", AttributeValue::S(old.clone()))
            .item("finished_at", AttributeValue::S(old.clone()))
            .send()
            .await
            .unwrap();
        seeded.kept.insert(format!("{pk}/x"));
    }
    (seeded, now)
}

async fn put_object(stack: &Stack, key: &str) {
    stack
        .s3
        .put_object()
        .bucket(&stack.bucket)
        .key(key)
        .body(ByteStream::from_static(b"number,id\n"))
        .send()
        .await
        .unwrap();
}

/// Last-modified times of the objects under `reports/`.
async fn report_files(stack: &Stack) -> BTreeMap<String, DateTime<Utc>> {
    let out = stack.s3.list_objects_v2().bucket(&stack.bucket).prefix("reports/").send().await.unwrap();
    out.contents()
        .iter()
        .map(|o| {
            let t = o.last_modified().unwrap();
            (o.key().unwrap().to_owned(), DateTime::from_timestamp(t.secs(), t.subsec_nanos()).unwrap())
        })
        .collect()
}

/// Every key left: `user_id/id` of notifications, `pk/sk` of records (the cleanup's own pass
/// record left out), object keys.
async fn everything(stack: &Stack) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for (table, hash, range) in [(&stack.notifications_table, "user_id", "id"), (&stack.jobs_table, "pk", "sk")] {
        let mut start = None;
        loop {
            let out =
                stack.dynamodb.scan().table_name(table).set_exclusive_start_key(start.take()).send().await.unwrap();
            for item in out.items() {
                let text = |n: &str| item[n].as_s().unwrap().clone();
                if text(hash) != PASS_PK {
                    keys.insert(format!("{}/{}", text(hash), text(range)));
                }
            }
            match out.last_evaluated_key() {
                Some(k) => start = Some(k.clone()),
                None => break,
            }
        }
    }
    let out = stack.s3.list_objects_v2().bucket(&stack.bucket).send().await.unwrap();
    keys.extend(out.contents().iter().filter_map(|o| o.key().map(str::to_owned)));
    keys
}

fn cleanup(stack: &Stack, overrides: &[(&str, &str)]) -> AwsCleanup {
    AwsCleanup::from_aws(&stack.aws, stack.cleanup_config_with(overrides)).with_clock(eight_days_ahead)
}

/// S3 dates report files itself, so the runs are judged a week ahead; the function refuses a
/// `detail.now` ahead of its clock, so its clock is moved forward too.
fn eight_days_ahead() -> DateTime<Utc> {
    Utc::now() + Duration::days(8)
}

/// Runs the handler as Lambda would, with five minutes before the deadline.
async fn invoke(function: &AwsCleanup, detail: Value) -> Report {
    let mut context = Context::default();
    context.deadline = u64::try_from((Utc::now() + Duration::minutes(5)).timestamp_millis()).unwrap();
    function.handle(LambdaEvent::new(event(detail), context)).await.unwrap()
}

fn deleted(report: &Report) -> BTreeMap<Kind, u64> {
    report.kinds.iter().map(|(k, c)| (*k, c.deleted)).collect()
}

fn counts(seeded: &Seeded) -> BTreeMap<Kind, u64> {
    Kind::ALL.into_iter().map(|k| (k, seeded.doomed.get(&k).map_or(0, |s| s.len() as u64))).collect()
}

fn detail(now: DateTime<Utc>, extra: Value) -> Value {
    let mut detail = json!({"now": now.to_rfc3339()});
    if let (Some(d), Some(e)) = (detail.as_object_mut(), extra.as_object()) {
        d.extend(e.clone());
    }
    detail
}

#[tokio::test]
async fn cleanup_removes_exactly_what_is_past_retention_and_nothing_else() {
    let stack = Stack::new("cleanup_exact").await;
    let (seeded, now) = seed(&stack, 12).await;
    let before = everything(&stack).await;

    let report = invoke(&cleanup(&stack, &[]), detail(now, json!({}))).await;

    assert!(report.complete && !report.dry_run && report.stopped.is_none(), "{report:?}");
    assert_eq!(deleted(&report), counts(&seeded));
    let after = everything(&stack).await;
    let gone: BTreeSet<String> = before.difference(&after).cloned().collect();
    let doomed: BTreeSet<String> = seeded.doomed.values().flatten().cloned().collect();
    assert_eq!(gone, doomed);
    assert!(seeded.kept.is_subset(&after));
    // Nothing is left over from the pass: it finished.
    let pass = stack
        .dynamodb
        .query()
        .table_name(&stack.jobs_table)
        .key_condition_expression("pk = :p")
        .expression_attribute_values(":p", AttributeValue::S(PASS_PK.into()))
        .send()
        .await
        .unwrap();
    assert_eq!(pass.count(), 0);
}

#[tokio::test]
async fn dry_run_deletes_nothing_and_reports_the_same_counts() {
    let stack = Stack::new("cleanup_dry").await;
    let (seeded, now) = seed(&stack, 8).await;
    let before = everything(&stack).await;

    let dry = invoke(&cleanup(&stack, &[]), detail(now, json!({"dry_run": true}))).await;
    assert!(dry.dry_run && dry.complete);
    assert_eq!(everything(&stack).await, before, "a dry run deleted something");
    assert!(dry.kinds.values().all(|c| c.deleted == 0));

    let real = invoke(&cleanup(&stack, &[]), detail(now, json!({}))).await;
    let would: BTreeMap<Kind, u64> = dry.kinds.iter().map(|(k, c)| (*k, c.expired)).collect();
    assert_eq!(would, deleted(&real));
    assert_eq!(would, counts(&seeded));
}

#[tokio::test]
async fn an_interrupted_run_resumes_and_its_runs_add_up_to_one_full_run() {
    let stack = Stack::new("cleanup_resume").await;
    let (seeded, now) = seed(&stack, 30).await;
    let before = everything(&stack).await;
    // Small pages and two pages a run: the pass needs many runs.
    let function = cleanup(&stack, &[("DESKBELL_CLEANUP_PAGE_SIZE", "7")]);
    let full = invoke(&function, detail(now, json!({"dry_run": true}))).await;

    let mut totals: BTreeMap<Kind, u64> = BTreeMap::new();
    let mut runs = 0;
    loop {
        runs += 1;
        let r = invoke(&function, detail(now, json!({"max_pages": 2}))).await;
        assert_eq!(r.resumed, runs > 1, "run {runs}: {r:?}");
        for (kind, c) in &r.kinds {
            *totals.entry(*kind).or_default() += c.deleted;
        }
        if r.complete {
            break;
        }
        assert_eq!(r.pages, 2, "run {runs}");
        assert!(runs < 50, "the pass never completes");
    }
    assert!(runs >= 4, "only {runs} runs: the page budget did not interrupt the pass");
    let expected: BTreeMap<Kind, u64> = full.kinds.iter().map(|(k, c)| (*k, c.expired)).collect();
    assert_eq!(totals, expected);
    assert_eq!(totals, counts(&seeded));
    let doomed: BTreeSet<String> = seeded.doomed.values().flatten().cloned().collect();
    assert_eq!(everything(&stack).await, before.difference(&doomed).cloned().collect::<BTreeSet<_>>());
    // The next run starts a new pass from the beginning, and finds nothing left to delete.
    let next = invoke(&function, detail(now, json!({}))).await;
    assert!(!next.resumed && next.complete);
    assert!(next.kinds.values().all(|c| c.expired == 0), "{next:?}");
}

#[tokio::test]
async fn report_files_go_one_second_after_their_limit_not_before() {
    let stack = Stack::new("cleanup_files").await;
    put_object(&stack, "reports/a.csv").await;
    let written = report_files(&stack).await["reports/a.csv"];
    let limit = written + Duration::days(7);
    let function = cleanup(&stack, &[]);

    let early = invoke(&function, detail(limit - Duration::seconds(1), json!({"kinds": ["report_files"]}))).await;
    assert_eq!(early.kinds[&Kind::ReportFiles].expired, 0);
    assert_eq!(report_files(&stack).await.len(), 1);
    let late = invoke(&function, detail(limit + Duration::seconds(1), json!({"kinds": ["report_files"]}))).await;
    assert_eq!(late.kinds[&Kind::ReportFiles].deleted, 1);
    assert!(report_files(&stack).await.is_empty());
}

#[tokio::test]
async fn deletes_go_out_in_batches_of_25() {
    let stack = Stack::new("cleanup_batches").await;
    let (seeded, now) = seed(&stack, 100).await;
    let counter = CallCounter::default();
    let store = AwsRetention::new(
        counter.dynamodb(&stack.aws),
        counter.s3(&stack.aws),
        &stack.notifications_table,
        &stack.jobs_table,
        &stack.bucket,
        4,
    );
    let function = Cleanup::new(store, stack.cleanup_config_with(&[])).with_clock(eight_days_ahead);
    let report = function.run(&event(detail(now, json!({}))), 0).await.unwrap();
    assert_eq!(deleted(&report), counts(&seeded));

    // 50 read notifications in one table, 50 + 50 + 75 records in the other, 100 files.
    let notifications = report.kinds[&Kind::ReadNotifications].deleted;
    let records: u64 =
        [Kind::Deliveries, Kind::Failures, Kind::ReportRecords].iter().map(|k| report.kinds[k].deleted).sum();
    assert_eq!(
        counter.of("BatchWriteItem"),
        notifications.div_ceil(25) + records.div_ceil(25),
        "{:?}",
        counter.calls()
    );
    assert_eq!(counter.of("DeleteObjects"), 1);
    assert_eq!(counter.of("Scan"), 2);
}
