//! Handler time of the list and unread-count routes, no network: the in-memory store.
//! `cargo bench -p inbox --bench routes`

use chrono::{DateTime, Duration, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use deskbell_inbox::{Centre, MemoryInbox, Notification, NotificationStore};
use deskbell_inbox_api::InboxApi;
use lambda_http::Request;

const USER: &str = "usr_helen_okafor";

fn request(path: &str, query: &str) -> Request {
    let text = include_str!("../../../events/http/list.json");
    let mut event: serde_json::Value = serde_json::from_str(text).unwrap();
    event["rawPath"] = path.into();
    event["requestContext"]["http"]["path"] = path.into();
    event["rawQueryString"] = query.into();
    let params: serde_json::Map<String, serde_json::Value> =
        query.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_owned(), v.into())).collect();
    event["queryStringParameters"] = params.into();
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-11-24T14:00:00Z").unwrap().into();
    let store = MemoryInbox::default();
    runtime.block_on(async {
        for i in 0..1000 {
            let at = now - Duration::minutes(i);
            let n = Notification::new(
                USER,
                &format!("job-{i}"),
                "ticket.assigned",
                format!("Ticket #{i} was assigned to you"),
                "Priya Raman assigned it to you.".into(),
                format!("https://help.example.com/tickets/{i}"),
                at,
                Duration::days(180),
            );
            store.store(&n).await.unwrap();
            if i % 3 == 0 {
                store.set_read(USER, &n.id, true, now).await.unwrap();
            }
        }
    });
    let api = InboxApi::new(Centre::new(store), None);
    let list = request("/notifications", "limit=20");
    let unread = request("/notifications", "limit=20&unread=true");
    let count = request("/notifications/unread-count", "");
    let mut group = c.benchmark_group("inbox (1000 notifications, memory store)");
    group.bench_function("GET /notifications?limit=20", |b| b.iter(|| runtime.block_on(api.handle(list.clone(), now))));
    group.bench_function("GET /notifications?limit=20&unread=true", |b| {
        b.iter(|| runtime.block_on(api.handle(unread.clone(), now)))
    });
    group.bench_function("GET /notifications/unread-count", |b| {
        b.iter(|| runtime.block_on(api.handle(count.clone(), now)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
