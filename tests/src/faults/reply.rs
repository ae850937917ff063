//! Error answers in each service's own wire shape, so the SDK parses them as it would AWS's.

use super::call::Service;
use super::wire::Response;

/// The error `code` with HTTP `status`, shaped as `service` sends errors:
/// - DynamoDB (JSON 1.0): `{"__type":"com.amazonaws.dynamodb.v20120810#Code","message":..}`;
/// - SQS (JSON 1.0, query-compatible): `__type` plus `x-amzn-query-error: Code;Sender`;
/// - SES v2 (REST-JSON): `x-amzn-ErrorType: Code` and `{"message":..}`;
/// - S3 (REST-XML): `<Error><Code>..</Code><Message>..</Message></Error>`.
pub fn error(service: &Service, status: u16, code: &str, message: &str) -> Response {
    let request_id = ulid::Ulid::new().to_string();
    let mut headers = vec![("x-amzn-requestid".to_owned(), request_id.clone())];
    let json = |value: serde_json::Value| value.to_string().into_bytes();
    let body = match service {
        Service::Dynamodb => {
            headers.push(("content-type".into(), "application/x-amz-json-1.0".into()));
            json(
                serde_json::json!({ "__type": format!("com.amazonaws.dynamodb.v20120810#{code}"), "message": message }),
            )
        }
        Service::Sqs => {
            let fault = if status >= 500 { "Receiver" } else { "Sender" };
            headers.push(("content-type".into(), "application/x-amz-json-1.0".into()));
            headers.push(("x-amzn-query-error".into(), format!("{code};{fault}")));
            json(serde_json::json!({ "__type": format!("com.amazonaws.sqs#{code}"), "message": message }))
        }
        Service::Ses | Service::Other(_) => {
            headers.push(("content-type".into(), "application/json".into()));
            headers.push(("x-amzn-errortype".into(), code.to_owned()));
            json(serde_json::json!({ "message": message }))
        }
        Service::S3 => {
            headers.push(("content-type".into(), "application/xml".into()));
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message>\
                 <RequestId>{request_id}</RequestId></Error>"
            )
            .into_bytes()
        }
    };
    Response::new(status, headers, body)
}

/// What `service` answers when it throttles the caller.
pub fn throttling(service: &Service) -> Response {
    match service {
        Service::Dynamodb => {
            error(service, 400, "ThrottlingException", "Rate of requests exceeds the allowed throughput.")
        }
        Service::Sqs => error(service, 400, "ThrottlingException", "Rate exceeded."),
        Service::Ses => error(service, 429, "TooManyRequestsException", "Maximum sending rate exceeded."),
        Service::S3 => error(service, 503, "SlowDown", "Please reduce your request rate."),
        Service::Other(_) => error(service, 429, "ThrottlingException", "Rate exceeded."),
    }
}

/// What `service` answers on an internal failure with HTTP `status` (500, 503, ...).
pub fn server_error(service: &Service, status: u16) -> Response {
    let code = match (service, status) {
        (Service::Dynamodb, 500) => "InternalServerError",
        (Service::S3, 500) => "InternalError",
        (_, 503) => "ServiceUnavailable",
        _ => "InternalFailure",
    };
    error(service, status, code, "We encountered an internal error. Please try again.")
}
