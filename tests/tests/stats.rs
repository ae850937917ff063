//! stats against the emulator: a known fixture of tickets and status changes in DynamoDB, the
//! figures of 2026-11-24 computed by hand below, the item, the S3 snapshot and the digest job.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use deskbell_contract::{Company, Payload, Priority, StatsFigures, StatsPeriod, Status, Ticket, decode, fixtures};
use deskbell_integration::Stack;
use deskbell_jobs::SqsJobQueue;
use deskbell_objects::S3Objects;
use deskbell_stats::{Period, Statistician};
use deskbell_tickets::{Activity, ActivityKind, DynamoTickets, StatsRecord, StatsStore, TicketStore};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Ticket `n` as its latest snapshot says.
fn ticket(n: u64, created: &str, status: Status, priority: Priority, company: Option<&str>) -> Ticket {
    let mut t = fixtures::ticket(n);
    t.created_at = at(created);
    t.updated_at = t.created_at;
    t.status = status;
    t.priority = priority;
    t.company = company.map(|c| Company { id: c.into(), name: c.to_uppercase() });
    t
}

fn responded(mut t: Ticket, secs: i64) -> Ticket {
    t.first_response_at = Some(t.created_at + Duration::seconds(secs));
    t
}

fn change(job: &str, t: &Ticket, kind: ActivityKind, when: &str) -> Activity {
    Activity { job_id: job.into(), ticket_id: t.id.clone(), kind, at: at(when), created_at: t.created_at }
}

/// The fixture, around the day 2026-11-24 (UTC):
///
/// | ticket | created | now | first response | status changes |
/// |---|---|---|---|---|
/// | t-1 | 24th 09:00 | open, normal, acme | 30 min | |
/// | t-2 | 24th 10:00 | solved, high, globex | 1 h | closed 24th 14:00 |
/// | t-3 | 24th 23:59:59 | new, urgent, — | | |
/// | t-4 | 23rd 08:00 | open, normal, acme | | closed 24th 12:00, reopened 24th 16:00 |
/// | t-5 | 22nd | closed | | closed 25th 10:00 (after the day) |
/// | t-6 | 25th 01:00 | open | | |
/// | t-7 | 20th | closed | | closed 21st (before the day) |
/// | t-8 | 24th 00:00:00 | pending, low, acme | 10 min | |
/// | t-9 | 25th 00:00:00 | open | | |
/// | t-10 | 24th 08:00 | open, normal, acme | | closed 24th 09:00, reopened 25th 09:00 |
async fn seed(store: &DynamoTickets) {
    use Priority::*;
    use Status::*;
    let t1 = responded(ticket(1, "2026-11-24T09:00:00Z", Open, Normal, Some("acme")), 1800);
    let t2 = responded(ticket(2, "2026-11-24T10:00:00Z", Solved, High, Some("globex")), 3600);
    let t3 = ticket(3, "2026-11-24T23:59:59Z", New, Urgent, None);
    let t4 = ticket(4, "2026-11-23T08:00:00Z", Open, Normal, Some("acme"));
    let t5 = ticket(5, "2026-11-22T08:00:00Z", Closed, Normal, Some("acme"));
    let t6 = ticket(6, "2026-11-25T01:00:00Z", Open, Normal, Some("acme"));
    let t7 = ticket(7, "2026-11-20T08:00:00Z", Closed, Normal, Some("acme"));
    let t8 = responded(ticket(8, "2026-11-24T00:00:00Z", Pending, Low, Some("acme")), 600);
    let t9 = ticket(9, "2026-11-25T00:00:00Z", Open, Normal, Some("acme"));
    let t10 = ticket(10, "2026-11-24T08:00:00Z", Open, Normal, Some("acme"));
    let activity = [
        change("j-2-close", &t2, ActivityKind::Closed, "2026-11-24T14:00:00Z"),
        change("j-4-close", &t4, ActivityKind::Closed, "2026-11-24T12:00:00Z"),
        change("j-4-reopen", &t4, ActivityKind::Reopened, "2026-11-24T16:00:00Z"),
        change("j-5-close", &t5, ActivityKind::Closed, "2026-11-25T10:00:00Z"),
        change("j-7-close", &t7, ActivityKind::Closed, "2026-11-21T08:00:00Z"),
        change("j-10-close", &t10, ActivityKind::Closed, "2026-11-24T09:00:00Z"),
        change("j-10-reopen", &t10, ActivityKind::Reopened, "2026-11-25T09:00:00Z"),
    ];
    for t in [t1, t2, t3, t4, t5, t6, t7, t8, t9, t10] {
        store.upsert(&t).await.unwrap();
    }
    for a in &activity {
        store.record_activity(a).await.unwrap();
    }
    // A replayed status change (same job id) is the same item: counted once.
    store.record_activity(&activity[0]).await.unwrap();
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// The figures of 2026-11-24, by hand from the table above.
fn expected() -> StatsFigures {
    StatsFigures {
        // t-1, t-2, t-3, t-8 (at midnight: in), t-10; not t-9 (next midnight: out).
        created: 5,
        // t-2, t-4 and t-10 crossed into resolved during the day; t-5 and t-7 did not.
        closed: 3,
        // t-4 (t-10's reopening is the next day).
        reopened: 1,
        // Created before the end and unresolved at the end: t-1, t-3, t-4 (reopened at 16:00),
        // t-5 (closed only the next day), t-8. Not t-2 (solved), t-10 (solved at the end,
        // reopened after), t-6 and t-9 (created at or after the end), t-7.
        backlog: 5,
        by_status: counts(&[("new", 1), ("open", 2), ("pending", 1), ("solved", 1)]),
        by_priority: counts(&[("high", 1), ("low", 1), ("normal", 2), ("urgent", 1)]),
        by_company: counts(&[("acme", 3), ("globex", 1)]),
        // 600, 1800, 3600 s: nearest rank ⌈0.5·3⌉ = 2nd, ⌈0.9·3⌉ = 3rd.
        first_response_median_secs: Some(1800),
        first_response_p90_secs: Some(3600),
        // t-10 1 h (3600), t-2 4 h (14400), t-4 28 h (100800).
        resolution_median_secs: Some(14_400),
        resolution_p90_secs: Some(100_800),
    }
}

fn statistician(stack: &Stack) -> Statistician<DynamoTickets, S3Objects, SqsJobQueue> {
    Statistician::new(
        DynamoTickets::new(stack.dynamodb.clone(), &stack.tickets_table),
        S3Objects::new(stack.s3.clone(), &stack.bucket),
        SqsJobQueue::new(stack.sqs.clone(), &stack.queue_url),
        vec![fixtures::user("admin", deskbell_contract::Role::Admin)],
    )
}

async fn object(stack: &Stack, key: &str) -> StatsRecord {
    let out = stack.s3.get_object().bucket(&stack.bucket).key(key).send().await.unwrap();
    let bytes = out.body.collect().await.unwrap().into_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

/// Every job id on the notifications queue (received and deleted).
async fn queued_job_ids(stack: &Stack) -> Vec<(String, Payload)> {
    let event = stack.receive(10).await;
    let mut out = Vec::new();
    for r in &event.records {
        let job = decode(r.body.as_deref().unwrap()).unwrap();
        out.push((job.id, job.payload));
    }
    out
}

#[tokio::test]
async fn daily_stats_of_a_known_fixture_equal_the_figures_computed_by_hand() {
    let stack = Stack::new("stats-daily").await;
    let stats = statistician(&stack);
    seed(stats.tickets()).await;
    let period = Period::containing(StatsPeriod::Daily, "2026-11-24".parse().unwrap());

    let outcome = stats.run(&period, at("2026-12-01T00:00:00Z")).await.unwrap();

    assert_eq!(outcome.record.figures, expected());
    assert_eq!(outcome.key, "stats#daily#2026-11-24");
    let stored = stats.tickets().get_stats(&outcome.key).await.unwrap().expect("stats item");
    assert_eq!(stored, outcome.record);
    assert_eq!((stored.period_start, stored.period_end), (at("2026-11-24T00:00:00Z"), at("2026-11-25T00:00:00Z")));
    assert_eq!(outcome.object_key, "stats/daily/2026-11-24.json");
    assert_eq!(object(&stack, &outcome.object_key).await, stored);

    let queued = queued_job_ids(&stack).await;
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].0, "stats-daily-2026-11-24");
    let Payload::StatsDigest(digest) = &queued[0].1 else { panic!("not a digest: {:?}", queued[0].1) };
    assert_eq!(digest.figures, expected());
    assert_eq!(digest.recipients[0].id, "admin");
}

#[tokio::test]
async fn computing_the_same_period_twice_yields_the_same_item_and_one_digest_job_id() {
    let stack = Stack::new("stats-twice").await;
    let stats = statistician(&stack);
    seed(stats.tickets()).await;
    let period = Period::containing(StatsPeriod::Daily, "2026-11-24".parse().unwrap());

    let first = stats.run(&period, at("2026-12-01T00:00:00Z")).await.unwrap();
    let second = stats.run(&period, at("2026-12-01T06:00:00Z")).await.unwrap();

    assert_eq!(first, second);
    let stored = stats.tickets().get_stats(&first.key).await.unwrap().expect("stats item");
    assert_eq!(stored, first.record);
    let objects = stack.s3.list_objects_v2().bucket(&stack.bucket).prefix("stats/").send().await.unwrap();
    assert_eq!(objects.contents().len(), 1, "one snapshot, replaced");
    let queued = queued_job_ids(&stack).await;
    assert_eq!(queued.len(), 2, "published twice");
    assert!(queued.iter().all(|(id, _)| id == "stats-daily-2026-11-24"), "{queued:?}");
}

/// A ticket of the day that reached the table after the first run (a late producer): the
/// second run counts it, yet publishes the very digest of the first, byte for byte, so that
/// notify takes it as a redelivery of the same job instead of refusing a reused id.
#[tokio::test]
async fn a_recomputation_with_new_figures_republishes_the_first_digest_unchanged() {
    let stack = Stack::new("stats-recomputed").await;
    let stats = statistician(&stack);
    seed(stats.tickets()).await;
    let period = Period::containing(StatsPeriod::Daily, "2026-11-24".parse().unwrap());

    let first = stats.run(&period, at("2026-12-01T00:00:00Z")).await.unwrap();
    let late = ticket(11, "2026-11-24T12:00:00Z", Status::Open, Priority::Normal, Some("acme"));
    stats.tickets().upsert(&late).await.unwrap();
    let second = stats.run(&period, at("2026-12-01T06:00:00Z")).await.unwrap();

    assert_eq!(second.record.figures.created, first.record.figures.created + 1, "the late ticket is counted");
    let stored = stats.tickets().get_stats(&second.key).await.unwrap().expect("stats item");
    assert_eq!(stored, second.record, "the record holds the new figures");
    assert_eq!(object(&stack, &second.object_key).await, second.record, "so does the snapshot");
    let bodies: Vec<String> = stack.receive(10).await.records.into_iter().filter_map(|r| r.body).collect();
    assert_eq!(bodies.len(), 2, "published by each run");
    assert_eq!(bodies[0], bodies[1], "the same job both times");
    let Payload::StatsDigest(digest) = decode(&bodies[1]).unwrap().payload else { panic!("not a digest") };
    assert_eq!(digest.figures, expected(), "the digest keeps the figures first sent");
}

#[tokio::test]
async fn the_week_of_the_fixture_counts_its_seven_days() {
    let stack = Stack::new("stats-weekly").await;
    let stats = statistician(&stack);
    seed(stats.tickets()).await;
    // Monday 23 to Monday 30 November: every ticket but t-5 and t-7 (created before) is new.
    let period = Period::containing(StatsPeriod::Weekly, "2026-11-26".parse().unwrap());

    let outcome = stats.run(&period, at("2026-12-01T00:00:00Z")).await.unwrap();

    let f = &outcome.record.figures;
    assert_eq!(outcome.key, "stats#weekly#2026-11-23");
    assert_eq!(f.created, 8);
    // t-2, t-4, t-10 on the 24th, t-5 on the 25th; t-4 and t-10 reopened.
    assert_eq!((f.closed, f.reopened), (4, 2));
    // Unresolved on 30 November: t-1, t-3, t-4, t-6, t-8, t-9, t-10.
    assert_eq!(f.backlog, 7);
}
