//! Hostile requests to the inbox API (memory store): any method, path, query and token gets an
//! answer, never a panic; every refusal is an RFC 9457 problem whose `detail` says what is
//! wrong and whose extension member names the parameter, path or id at fault.

use chrono::{DateTime, Utc};
use deskbell_inbox::{Centre, MemoryInbox};
use deskbell_inbox_api::InboxApi;
use proptest::prelude::*;
use serde_json::{Map, Value};

fn request(
    method: &str,
    path: &str,
    query: &[(String, String)],
    authorization: Option<&str>,
) -> Option<lambda_http::Request> {
    let mut event: Value = serde_json::from_str(include_str!("../../../events/http/list.json")).ok()?;
    event["rawPath"] = path.into();
    event["requestContext"]["http"]["path"] = path.into();
    event["requestContext"]["http"]["method"] = method.into();
    // API Gateway percent-encodes the raw query string; the decoded values are the parameters.
    let raw: Vec<String> = query.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
    event["rawQueryString"] = raw.join("&").into();
    let params: Map<String, Value> = query.iter().map(|(k, v)| (k.clone(), v.clone().into())).collect();
    event["queryStringParameters"] = params.into();
    if let Some(token) = authorization {
        // No authorizer claims: the request stands on its (development) token alone.
        event["requestContext"]["authorizer"] = Value::Null;
        event["headers"]["authorization"] = token.into();
    }
    // A request API Gateway would never send (not a valid HTTP method or URI) is not a case.
    lambda_http::request::from_str(&event.to_string()).ok()
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        Just("-1".to_owned()),
        Just("0".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("1e308".to_owned()),
        Just("true".to_owned()),
        Just("a\r\nb\u{202E}c".to_owned()),
        // API Gateway refuses URLs over 10 KB; 8 KiB of one parameter is the longest that arrives.
        Just("x".repeat(8 * 1024)),
        Just("%00%ff".to_owned()),
    ]
}

fn path() -> impl Strategy<Value = String> {
    let id = prop_oneof![
        "[0-9a-f]{32}",
        "[0-9a-zA-Z%._~-]{0,40}",
        Just("ffffffffffffffffffffffffffffffff".to_owned()),
        Just("x".repeat(8 * 1024)),
    ];
    prop_oneof![
        Just("/notifications".to_owned()),
        Just("/notifications/unread-count".to_owned()),
        Just("/notifications/read-all".to_owned()),
        Just("/notifications/socket-ticket".to_owned()),
        id.clone().prop_map(|id| format!("/notifications/{id}")),
        (id, prop_oneof![Just("read"), Just("unread"), Just("x")])
            .prop_map(|(id, a)| format!("/notifications/{id}/{a}")),
        "/[a-z/]{0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_request_is_answered_and_every_refusal_names_what_is_wrong(
        method in prop_oneof![Just("GET"), Just("POST"), Just("DELETE"), Just("PUT"), Just("PATCH"), Just("OPTIONS")],
        path in path(),
        query in prop::collection::vec((prop_oneof![Just("limit".to_owned()), Just("unread".to_owned()), Just("cursor".to_owned()), "[a-z]{1,8}"], text()), 0..4),
        authorization in prop::option::weighted(0.2, prop_oneof![Just("Bearer ".to_owned()), Just("Bearer a.b.c".to_owned()), text()]),
    ) {
        let Some(request) = request(method, &path, &query, authorization.as_deref()) else { return Ok(()) };
        let api = InboxApi::new(Centre::new(MemoryInbox::default()), Some(b"development secret".to_vec()))
            .with_pass_secret(Some(b"pass secret".to_vec()));
        let now: DateTime<Utc> = "2026-11-24T14:00:00Z".parse().unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let response = runtime.block_on(api.handle(request, now));
        let status = response.status().as_u16();
        prop_assert!([200, 204, 400, 401, 404, 405].contains(&status), "{} {}: status {}", method, path, status);
        if status >= 400 {
            let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok());
            prop_assert_eq!(content_type, Some("application/problem+json"));
            let body: Value = match response.body() {
                lambda_http::Body::Text(t) => serde_json::from_str(t).unwrap(),
                other => panic!("problem body is not text: {other:?}"),
            };
            let detail = body["detail"].as_str().unwrap_or_default();
            prop_assert!(!detail.is_empty(), "{}", body);
            let named = match status {
                400 => "parameter",
                404 if body["id"].is_string() => "id",
                404 => "path",
                405 => "allow",
                _ => "detail",
            };
            prop_assert!(body[named].as_str().is_some_and(|v| !v.is_empty()), "{} {}: {} names no {}", method, path, body, named);
        }
    }
}
