//! The notification centre against the emulator: the inbox API over the DynamoDB store with a
//! token for user A never reaches user B's notifications, and the model check (unread count,
//! pagination under arrivals) holds for DynamoDB as for the memory store.

use chrono::{Duration, Utc};
use deskbell_inbox::{Centre, DynamoInbox, MemoryInbox, Notification, NotificationStore};
use deskbell_inbox_api::InboxApi;
use deskbell_integration::{Stack, inbox_model};
use lambda_http::{Body, Request};
use proptest::prelude::*;
use serde_json::Value;

const SECRET: &[u8] = b"test-dev-secret";

/// A request as the local stack receives it: no authorizer, a development token for `user`.
fn request(method: &str, path: &str, query: &str, user: &str) -> Request {
    let params: serde_json::Map<String, Value> =
        query.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_owned(), v.into())).collect();
    let event = serde_json::json!({
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
        "queryStringParameters": params,
        "headers": {"authorization": format!("Bearer {}", deskbell_tokens::sign(SECRET, user, Utc::now().timestamp() + 600))},
        "requestContext": {"accountId": "123456789012", "apiId": "local", "domainName": "127.0.0.1", "domainPrefix": "local",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "test"},
            "requestId": "r", "routeKey": "$default", "stage": "$default", "time": "01/Dec/2026:00:00:00 +0000", "timeEpoch": 0},
        "isBase64Encoded": false
    });
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

fn json(body: &Body) -> Value {
    match body {
        Body::Text(t) => serde_json::from_str(t).unwrap(),
        _ => Value::Null,
    }
}

#[tokio::test]
async fn user_a_cannot_list_read_mark_or_delete_user_bs_notifications() {
    let stack = Stack::new("inbox_isolation").await;
    let store = DynamoInbox::new(stack.dynamodb.clone(), &stack.notifications_table);
    let now = Utc::now();
    let (a, b) = (format!("{}-alice", stack.name), format!("{}-bob", stack.name));
    for (user, job) in [(&a, "a-1"), (&b, "b-1"), (&b, "b-2")] {
        let n =
            Notification::new(user, job, "ticket.assigned", "t".into(), "b".into(), "l".into(), now, Duration::days(1));
        store.store(&n).await.unwrap();
    }
    let bs: Vec<String> = store.recent(&b, 10).await.unwrap().into_iter().map(|n| n.id).collect();
    let api = InboxApi::new(Centre::new(store), Some(SECRET.to_vec()));

    let list = api.handle(request("GET", "/notifications", "limit=100", &a), now).await;
    let listed = json(list.body());
    assert_eq!(listed["notifications"].as_array().unwrap().len(), 1, "{listed}");
    assert!(listed["notifications"].as_array().unwrap().iter().all(|n| n["user_id"] == a.as_str()));
    let unread = api.handle(request("GET", "/notifications", "unread=true", &a), now).await;
    assert_eq!(json(unread.body())["notifications"].as_array().unwrap().len(), 1);

    for id in &bs {
        for (method, path) in [
            ("POST", format!("/notifications/{id}/read")),
            ("POST", format!("/notifications/{id}/unread")),
            ("DELETE", format!("/notifications/{id}")),
        ] {
            let r = api.handle(request(method, &path, "", &a), now).await;
            assert_eq!(r.status(), 404, "{method} {path} as A");
            assert_eq!(json(r.body())["type"], "urn:deskbell:problem:not-found");
        }
    }
    let all = api.handle(request("POST", "/notifications/read-all", "", &a), now).await;
    assert_eq!(json(all.body())["marked"], 1);

    // B's notifications are untouched: both still there, both unread.
    let count = api.handle(request("GET", "/notifications/unread-count", "", &b), now).await;
    assert_eq!(json(count.body())["unread_count"], 2);
    let r = api.handle(request("POST", &format!("/notifications/{}/read", bs[0]), "", &b), now).await;
    assert_eq!((r.status().as_u16(), json(r.body())["unread_count"].as_u64()), (200, Some(1)));
}

#[tokio::test]
async fn unread_index_and_pages_hold_across_dynamodb_pages() {
    let stack = Stack::new("inbox_pages").await;
    let store = DynamoInbox::new(stack.dynamodb.clone(), &stack.notifications_table);
    let now = Utc::now();
    let user = format!("{}-u", stack.name);
    for i in 0..25 {
        let n = Notification::new(
            &user,
            &format!("j-{i}"),
            "ticket.assigned",
            "t".into(),
            "b".into(),
            "l".into(),
            now - Duration::minutes(i),
            Duration::days(1),
        );
        store.store(&n).await.unwrap();
    }
    // One expired but not yet removed by TTL: never counted, never listed.
    let old = Notification::new(
        &user,
        "j-old",
        "ticket.assigned",
        "t".into(),
        "b".into(),
        "l".into(),
        now - Duration::days(2),
        Duration::days(1),
    );
    store.store(&old).await.unwrap();
    assert_eq!(store.unread_count(&user, now).await.unwrap(), 25);
    let centre = Centre::new(store);
    assert!(!centre.store().set_read(&user, &old.id, true, now).await.unwrap());
    let page = centre.list(&user, &deskbell_inbox::ListParams { limit: 100, ..Default::default() }, now).await.unwrap();
    assert_eq!(page.notifications.len(), 25);
    assert_eq!(centre.read_all(&user, now).await.unwrap(), 25);
    assert_eq!(centre.unread_count(&user, now).await.unwrap(), 0);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn memory_store_keeps_the_unread_count_and_pages_exact(ops in inbox_model::ops(40), limit in 1usize..6) {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(inbox_model::check(MemoryInbox::default(), "owner", "other", &ops, limit))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn dynamodb_store_keeps_the_unread_count_and_pages_exact(ops in inbox_model::ops(25), limit in 1usize..6) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let stack = Stack::new("inbox_model").await;
            let store = DynamoInbox::new(stack.dynamodb.clone(), &stack.notifications_table);
            let owner = format!("{}-owner", stack.name);
            let other = format!("{}-other", stack.name);
            inbox_model::check(store, &owner, &other, &ops, limit).await
        })?;
    }
}
