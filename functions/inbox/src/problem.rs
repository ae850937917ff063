//! RFC 9457 problem details: every refusal says what is wrong, as `application/problem+json`.

use lambda_http::http::header::{ALLOW, CONTENT_TYPE};
use lambda_http::{Body, Response};
use serde_json::{Value, json};

/// A problem answer: `status`, a `type` URI under `urn:deskbell:problem:`, a title, the detail
/// naming what is wrong, and extension members (`parameter`, `id`…).
pub fn problem(status: u16, kind: &str, title: &str, detail: &str, extensions: &[(&str, &str)]) -> Response<Body> {
    let mut body = json!({
        "type": format!("urn:deskbell:problem:{kind}"),
        "title": title,
        "status": status,
        "detail": detail,
    });
    for (k, v) in extensions {
        body[*k] = Value::from(*v);
    }
    let mut response = Response::builder().status(status).header(CONTENT_TYPE, "application/problem+json");
    if let Some((_, allow)) = extensions.iter().find(|(k, _)| *k == "allow") {
        response = response.header(ALLOW, *allow);
    }
    response.body(Body::Text(body.to_string())).unwrap_or_else(|_| Response::new(Body::Empty))
}

/// A JSON answer.
pub fn json(status: u16, body: &Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "application/json")
        .body(Body::Text(body.to_string()))
        .unwrap_or_else(|_| Response::new(Body::Empty))
}

/// An empty answer (204).
pub fn no_content() -> Response<Body> {
    Response::builder().status(204).body(Body::Empty).unwrap_or_else(|_| Response::new(Body::Empty))
}
