//! Benchmark: the cleanup of N expired items against moto's server (started by the bench,
//! as the integration tests do): items deleted per second and the API calls made.
//!
//! `cargo bench -p deskbell-integration --bench cleanup` — N = `DESKBELL_BENCH_ITEMS`
//! (default 100,000: 40 % read notifications, 60 % delivery / failure / report records, all
//! past retention) plus `DESKBELL_BENCH_FILES` report files (default 1,000). Every request
//! the cleanup sends is counted by an SDK interceptor, retries included.

use std::collections::HashMap;
use std::time::Instant;

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use aws_sdk_s3::primitives::ByteStream;
use chrono::{DateTime, Duration, Utc};
use deskbell_cleanup::Cleanup;
use deskbell_integration::{CallCounter, Stack};
use deskbell_retention::AwsRetention;
use futures::{StreamExt, stream};
use serde_json::json;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

/// Item `i`: a read notification for 2 in 5, else a delivery, failure or report record, all
/// dated a year before `now`.
fn item(i: usize, old: &str) -> (bool, HashMap<String, AttributeValue>) {
    if i % 5 < 2 {
        let item = HashMap::from([
            ("user_id".to_owned(), s(format!("user-{}", i % 500))),
            ("id".to_owned(), s(format!("{i:012x}{:020x}", i))),
            ("created_at".to_owned(), s(old)),
            ("read".to_owned(), AttributeValue::Bool(true)),
            ("title".to_owned(), s("Ticket #1042 was assigned to you")),
        ]);
        return (true, item);
    }
    let (pk, sk, date) = match i % 3 {
        0 => (format!("delivery#job-{i}"), "email#u-1", "updated_at"),
        1 => (format!("failure#msg-{i}"), "failure", "failed_at"),
        _ => (format!("report#rpt-{i}"), "report", "finished_at"),
    };
    let item = HashMap::from([
        ("pk".to_owned(), s(pk)),
        ("sk".to_owned(), s(sk)),
        (date.to_owned(), s(old)),
        ("status".to_owned(), s("sent")),
    ]);
    (false, item)
}

async fn seed(stack: &Stack, items: usize, files: usize, now: DateTime<Utc>) {
    let old = (now - Duration::days(365)).to_rfc3339();
    let (notifications, records): (Vec<_>, Vec<_>) = (0..items).map(|i| item(i, &old)).partition(|(n, _)| *n);
    let mut batches = Vec::new();
    for (table, list) in [(&stack.notifications_table, notifications), (&stack.jobs_table, records)] {
        for chunk in list.chunks(25) {
            let requests: Vec<WriteRequest> = chunk
                .iter()
                .map(|(_, item)| {
                    WriteRequest::builder()
                        .put_request(PutRequest::builder().set_item(Some(item.clone())).build().unwrap())
                        .build()
                })
                .collect();
            batches.push((table.clone(), requests));
        }
    }
    stream::iter(batches)
        .for_each_concurrent(8, |(table, requests)| async move {
            let out = stack.dynamodb.batch_write_item().request_items(&table, requests).send().await.unwrap();
            assert!(out.unprocessed_items().is_none_or(|u| u.is_empty()), "seeding left items unprocessed");
        })
        .await;
    stream::iter(0..files)
        .for_each_concurrent(8, |i| async move {
            stack
                .s3
                .put_object()
                .bucket(&stack.bucket)
                .key(format!("reports/rpt-{i}.csv"))
                .body(ByteStream::from_static(b"number,id\n1,t-1\n"))
                .send()
                .await
                .unwrap();
        })
        .await;
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async {
        let items = env_or("DESKBELL_BENCH_ITEMS", 100_000);
        let files = env_or("DESKBELL_BENCH_FILES", 1_000);
        let concurrency = env_or("DESKBELL_CLEANUP_CONCURRENCY", 4);
        let stack = Stack::new("bench_cleanup").await;
        // Report files are judged by S3's own dates: run as of a year from now.
        let now = Utc::now() + Duration::days(365);
        let seeding = Instant::now();
        seed(&stack, items, files, now).await;
        eprintln!("seeded {items} items and {files} files in {:.1} s", seeding.elapsed().as_secs_f64());

        let counter = CallCounter::default();
        let store = AwsRetention::new(
            counter.dynamodb(&stack.aws),
            counter.s3(&stack.aws),
            &stack.notifications_table,
            &stack.jobs_table,
            &stack.bucket,
            concurrency,
        );
        // The run is judged a year ahead: so is the function's clock.
        let function =
            Cleanup::new(store, stack.cleanup_config_with(&[])).with_clock(|| Utc::now() + Duration::days(366));
        let event = serde_json::from_value(json!({
            "detail-type": "Scheduled Event", "source": "aws.events",
            "detail": {"now": now.to_rfc3339()},
        }))
        .unwrap();
        let started = Instant::now();
        let report = function.run(&event, 0).await.expect("cleanup run");
        let secs = started.elapsed().as_secs_f64();
        let deleted: u64 = report.kinds.values().map(|c| c.deleted).sum();
        assert!(report.complete, "{report:?}");
        assert_eq!(deleted, (items + files) as u64, "{report:?}");

        let calls = counter.calls();
        let total = counter.total();
        println!("cleanup of {items} expired items + {files} report files against moto (concurrency {concurrency}):");
        for (kind, c) in &report.kinds {
            println!("  {:<20} {:>8} deleted", kind.as_str(), c.deleted);
        }
        println!("  {deleted} deleted in {secs:.1} s: {:.0} items/s", deleted as f64 / secs);
        for (operation, n) in &calls {
            println!("  {operation:<16} {n:>6} calls");
        }
        println!(
            "  {total} API calls in all: {:.1} items per call; BatchWriteItem {} = DynamoDB items / {:.1}",
            deleted as f64 / total as f64,
            counter.of("BatchWriteItem"),
            items as f64 / counter.of("BatchWriteItem").max(1) as f64
        );
    });
}
