//! Which AWS service and operation a request is, read the way AWS routes it.

use std::fmt;

use super::wire::Request;

/// An AWS service, by the name SigV4 signs requests for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    /// SES v2 (`ses`), REST-JSON.
    Ses,
    /// DynamoDB (`dynamodb`), JSON 1.0 with `X-Amz-Target`.
    Dynamodb,
    /// SQS (`sqs`), JSON 1.0 with `X-Amz-Target` (query-compatible errors).
    Sqs,
    /// S3 (`s3`), REST-XML.
    S3,
    /// Anything else, by signing name (`unsigned` when the request carries no SigV4).
    Other(String),
}

impl Service {
    /// The service a SigV4 signing name stands for.
    pub fn from_signing_name(name: &str) -> Self {
        match name {
            "ses" | "email" => Self::Ses,
            "dynamodb" => Self::Dynamodb,
            "sqs" => Self::Sqs,
            "s3" => Self::S3,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The signing name.
    pub fn name(&self) -> &str {
        match self {
            Self::Ses => "ses",
            Self::Dynamodb => "dynamodb",
            Self::Sqs => "sqs",
            Self::S3 => "s3",
            Self::Other(name) => name,
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A request identified: `ses SendEmail`, `dynamodb UpdateItem`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Call {
    pub service: Service,
    pub operation: String,
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.service, self.operation)
    }
}

impl Call {
    /// Identifies `request`: the service from the SigV4 credential scope
    /// (`Credential=KEY/DATE/REGION/SERVICE/aws4_request`), the operation from `X-Amz-Target`
    /// (JSON protocols), SES v2's REST routes, the query protocol's `Action`, or else the
    /// method and path.
    pub fn of(request: &Request) -> Call {
        let service = request
            .header("authorization")
            .and_then(signing_name)
            .map_or_else(|| Service::Other("unsigned".into()), Service::from_signing_name);
        let path = request.path.split('?').next().unwrap_or_default();
        let operation = if let Some(target) = request.header("x-amz-target") {
            target.rsplit('.').next().unwrap_or(target).to_owned()
        } else if let Some(op) = (service == Service::Ses).then(|| ses_operation(&request.method, path)).flatten() {
            op.to_owned()
        } else if let Some(action) = query_action(&request.body) {
            action
        } else {
            format!("{} {path}", request.method)
        };
        Call { service, operation }
    }
}

/// The service of a SigV4 `Authorization` header.
fn signing_name(authorization: &str) -> Option<&str> {
    let scope = authorization.split("Credential=").nth(1)?.split([',', ' ']).next()?;
    let parts: Vec<&str> = scope.split('/').collect();
    match parts.as_slice() {
        [.., service, "aws4_request"] => Some(service),
        _ => None,
    }
}

/// The SES v2 operations deskbell and its tests call, by REST route.
fn ses_operation(method: &str, path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    Some(match (method, segments.as_slice()) {
        ("POST", ["v2", "email", "outbound-emails"]) => "SendEmail",
        ("POST", ["v2", "email", "outbound-bulk-emails"]) => "SendBulkEmail",
        ("POST", ["v2", "email", "identities"]) => "CreateEmailIdentity",
        ("GET", ["v2", "email", "identities"]) => "ListEmailIdentities",
        ("GET", ["v2", "email", "identities", _]) => "GetEmailIdentity",
        ("GET", ["v2", "email", "account"]) => "GetAccount",
        _ => return None,
    })
}

/// `Action=...` of a query-protocol (form-encoded) body.
fn query_action(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&').find_map(|pair| pair.strip_prefix("Action=")).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Request {
        Request {
            method: method.into(),
            path: path.into(),
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: body.as_bytes().to_vec(),
            raw: Vec::new(),
        }
    }

    const DYNAMODB_AUTH: &str = "AWS4-HMAC-SHA256 Credential=test/20261201/eu-west-1/dynamodb/aws4_request, \
                                 SignedHeaders=host;x-amz-date, Signature=abc";

    #[test]
    fn json_protocol_operations_come_from_the_target_header() {
        let r = request(
            "POST",
            "/",
            &[("authorization", DYNAMODB_AUTH), ("x-amz-target", "DynamoDB_20120810.UpdateItem")],
            "{}",
        );
        assert_eq!(Call::of(&r), Call { service: Service::Dynamodb, operation: "UpdateItem".into() });
    }

    #[test]
    fn ses_v2_operations_come_from_the_route() {
        let auth = DYNAMODB_AUTH.replace("/dynamodb/", "/ses/");
        let r = request("POST", "/v2/email/outbound-emails", &[("authorization", &auth)], "{}");
        assert_eq!(Call::of(&r).to_string(), "ses SendEmail");
        let r = request("DELETE", "/v2/email/identities/x", &[("authorization", &auth)], "");
        assert_eq!(Call::of(&r).to_string(), "ses DELETE /v2/email/identities/x");
    }

    #[test]
    fn query_protocol_and_unsigned_requests() {
        let auth = DYNAMODB_AUTH.replace("/dynamodb/", "/sqs/");
        let r = request("POST", "/", &[("authorization", &auth)], "Action=SendMessage&QueueUrl=x");
        assert_eq!(Call::of(&r).to_string(), "sqs SendMessage");
        let r = request("GET", "/moto-api/data.json?x=1", &[], "");
        assert_eq!(Call::of(&r).to_string(), "unsigned GET /moto-api/data.json");
    }
}
