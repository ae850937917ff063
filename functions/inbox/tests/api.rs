//! The inbox API over the in-memory store: the sample events, isolation between users, and
//! every kind of bad request answered with a problem naming what is wrong.

use chrono::{DateTime, Duration, Utc};
use deskbell_inbox::{Centre, MemoryInbox, Notification, NotificationStore};
use deskbell_inbox_api::InboxApi;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::Value;

const HELEN: &str = "usr_helen_okafor";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-24T14:00:00Z").unwrap().with_timezone(&Utc)
}

fn sample(name: &str) -> Request {
    let path = format!("{}/../../events/http/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A sample event, asked by `user` instead of Helen, at `path` with `query`.
fn request(method: &str, path: &str, query: &str, user: Option<&str>) -> Request {
    let mut event: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}/../../events/http/list.json", env!("CARGO_MANIFEST_DIR"))).unwrap(),
    )
    .unwrap();
    event["rawPath"] = path.into();
    event["requestContext"]["http"]["path"] = path.into();
    event["requestContext"]["http"]["method"] = method.into();
    event["rawQueryString"] = query.into();
    let params: serde_json::Map<String, Value> = query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k.to_owned(), Value::from(v))
        })
        .collect();
    event["queryStringParameters"] = Value::Object(params);
    match user {
        Some(u) => event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] = u.into(),
        None => event["requestContext"].as_object_mut().unwrap().remove("authorizer").map(drop).unwrap_or(()),
    }
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

fn body(response: &Response<Body>) -> Value {
    match response.body() {
        Body::Text(t) => serde_json::from_str(t).unwrap(),
        Body::Empty => Value::Null,
        Body::Binary(b) => serde_json::from_slice(b).unwrap(),
        _ => Value::Null,
    }
}

fn content_type(response: &Response<Body>) -> &str {
    response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default()
}

fn notification(user: &str, job: &str, at: DateTime<Utc>) -> Notification {
    Notification::new(
        user,
        job,
        "ticket.assigned",
        format!("About {job}"),
        "Body".into(),
        "https://help.example.com/t".into(),
        at,
        Duration::days(180),
    )
}

/// Helen's report.ready notification (as notify stores it for events/sqs/report.ready.json) and
/// two more, plus one of Bob's.
async fn api() -> InboxApi<MemoryInbox> {
    let store = MemoryInbox::default();
    let ready = DateTime::parse_from_rfc3339("2026-11-24T13:42:18Z").unwrap().with_timezone(&Utc);
    store.store(&notification(HELEN, "evt-report-ready-0001", ready)).await.unwrap();
    store.store(&notification(HELEN, "job-2", ready - Duration::hours(1))).await.unwrap();
    store.store(&notification(HELEN, "job-3", ready - Duration::hours(2))).await.unwrap();
    store.store(&notification("usr_bob", "job-b", ready)).await.unwrap();
    InboxApi::new(Centre::new(store), None)
}

#[tokio::test]
async fn every_sample_event_answers_as_its_route_says() {
    let api = api().await;
    let list = api.handle(sample("list.json"), now()).await;
    assert_eq!(list.status(), StatusCode::OK);
    assert_eq!(content_type(&list), "application/json");
    let ids: Vec<String> =
        body(&list)["notifications"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 3);
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    assert_eq!(body(&api.handle(sample("unread-count.json"), now()).await)["unread_count"], 3);

    let read = api.handle(sample("read.json"), now()).await;
    assert_eq!(read.status(), StatusCode::OK, "{:?}", body(&read));
    assert_eq!(body(&read)["unread_count"], 2);
    assert_eq!(
        body(&api.handle(sample("list.unread.json"), now()).await)["notifications"].as_array().unwrap().len(),
        2
    );
    assert_eq!(body(&api.handle(sample("unread.json"), now()).await)["unread_count"], 3);
    let all = api.handle(sample("read-all.json"), now()).await;
    assert_eq!((body(&all)["marked"].as_u64(), body(&all)["unread_count"].as_u64()), (Some(3), Some(0)));
    assert_eq!(api.handle(sample("delete.json"), now()).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(api.handle(sample("delete.json"), now()).await.status(), StatusCode::NOT_FOUND);
    let bad = api.handle(sample("bad-cursor.json"), now()).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(body(&bad)["parameter"], "cursor");
}

#[tokio::test]
async fn another_users_notification_is_404_like_a_missing_one_and_never_listed() {
    let api = api().await;
    let bobs = api.centre().store().recent("usr_bob", 1).await.unwrap()[0].id.clone();
    for (method, path) in [
        ("POST", format!("/notifications/{bobs}/read")),
        ("POST", format!("/notifications/{bobs}/unread")),
        ("DELETE", format!("/notifications/{bobs}")),
    ] {
        let r = api.handle(request(method, &path, "", Some(HELEN)), now()).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{method} {path}");
        assert_eq!(content_type(&r), "application/problem+json");
        let missing = path.replace(&bobs, "0000000000000000000000000000beef");
        let m = api.handle(request(method, &missing, "", Some(HELEN)), now()).await;
        assert_eq!((m.status(), body(&m)["type"].clone()), (r.status(), body(&r)["type"].clone()));
    }
    let list = body(&api.handle(request("GET", "/notifications", "limit=100", Some(HELEN)), now()).await);
    assert!(list["notifications"].as_array().unwrap().iter().all(|n| n["user_id"] == HELEN));
    // A user id in the query changes nothing: the user is the token's.
    let list = body(&api.handle(request("GET", "/notifications", "user_id=usr_bob", Some(HELEN)), now()).await);
    assert!(list["notifications"].as_array().unwrap().iter().all(|n| n["user_id"] == HELEN));
    assert_eq!(api.centre().store().unread_count("usr_bob", now()).await.unwrap(), 1);
}

#[tokio::test]
async fn bad_requests_get_a_problem_naming_what_is_wrong() {
    let api = api().await;
    let cases = [
        (request("GET", "/notifications", "limit=0", Some(HELEN)), 400, "bad-parameter", "limit"),
        (request("GET", "/notifications", "limit=1000", Some(HELEN)), 400, "bad-parameter", "limit"),
        (request("GET", "/notifications", "unread=maybe", Some(HELEN)), 400, "bad-parameter", "unread"),
        (request("GET", "/notifications", "cursor=bm9wZQ", Some(HELEN)), 400, "bad-parameter", "cursor"),
        (request("GET", "/tickets", "", Some(HELEN)), 404, "not-found", "/tickets"),
        (request("PUT", "/notifications", "", Some(HELEN)), 405, "method-not-allowed", "GET"),
        (request("GET", "/notifications", "", None), 401, "unauthenticated", "token"),
    ];
    for (req, status, kind, named) in cases {
        let r = api.handle(req, now()).await;
        let b = body(&r);
        assert_eq!(r.status().as_u16(), status, "{b}");
        assert_eq!(content_type(&r), "application/problem+json");
        assert_eq!(b["type"], format!("urn:deskbell:problem:{kind}"));
        assert_eq!(b["status"], status);
        assert!(b.to_string().contains(named), "{b} should name {named}");
    }
    let r = api.handle(request("PUT", "/notifications", "", Some(HELEN)), now()).await;
    assert_eq!(r.headers().get("allow").unwrap(), "GET");
}

#[tokio::test]
async fn pages_follow_the_cursor_to_the_end() {
    let api = api().await;
    let first = body(&api.handle(request("GET", "/notifications", "limit=2", Some(HELEN)), now()).await);
    assert_eq!(first["notifications"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = body(
        &api.handle(request("GET", "/notifications", &format!("limit=2&cursor={cursor}"), Some(HELEN)), now()).await,
    );
    assert_eq!(second["notifications"].as_array().unwrap().len(), 1);
    assert!(second.get("next_cursor").is_none());
}

#[tokio::test]
async fn expired_notifications_are_gone_before_ttl_removes_them() {
    let api = api().await;
    let later = now() + Duration::days(181);
    assert_eq!(body(&api.handle(sample("unread-count.json"), later).await)["unread_count"], 0);
    assert_eq!(api.handle(sample("read.json"), later).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_development_token_is_accepted_only_when_a_secret_is_configured() {
    let store = MemoryInbox::default();
    let token = deskbell_tokens::sign(b"dev-secret", HELEN, now().timestamp() + 60);
    let mut req = request("GET", "/notifications/unread-count", "", None);
    req.headers_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    let without = InboxApi::new(Centre::new(MemoryInbox::default()), None);
    assert_eq!(without.handle(req.clone(), now()).await.status(), StatusCode::UNAUTHORIZED);
    let with = InboxApi::new(Centre::new(store), Some(b"dev-secret".to_vec()));
    assert_eq!(with.handle(req.clone(), now()).await.status(), StatusCode::OK);
    let other = InboxApi::new(Centre::new(MemoryInbox::default()), Some(b"other".to_vec()));
    assert_eq!(other.handle(req, now()).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_signed_in_user_gets_a_push_pass_for_themselves_that_expires_within_a_minute() {
    let api = InboxApi::new(Centre::new(MemoryInbox::default()), None).with_pass_secret(Some(b"passes".to_vec()));
    let answer = api.handle(sample("socket-ticket.json"), now()).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let pass = body(&answer)["ticket"].as_str().unwrap().to_owned();
    let claims = deskbell_tokens::verify_pass(b"passes", &pass, now().timestamp()).unwrap();
    assert_eq!(claims.sub, HELEN, "the pass names the token's user, nobody else");
    let late = now().timestamp() + deskbell_tokens::PASS_LIFE_SECS;
    assert!(deskbell_tokens::verify_pass(b"passes", &pass, late).is_err());

    let anonymous = api.handle(request("POST", "/notifications/socket-ticket", "", None), now()).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let unconfigured = InboxApi::new(Centre::new(MemoryInbox::default()), None);
    let answer = unconfigured.handle(request("POST", "/notifications/socket-ticket", "", Some(HELEN)), now()).await;
    assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
}
