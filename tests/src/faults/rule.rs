//! What to break, when, and how often: a rule matches requests and says which fault they get.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::call::{Call, Service};
use super::wire::Request;

/// What a matched request gets instead of (or on top of) moto's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The service's own throttling error (DynamoDB `ThrottlingException` 400, SES v2
    /// `TooManyRequestsException` 429, SQS `ThrottlingException` 400, S3 `SlowDown` 503).
    Throttle,
    /// An internal failure with this HTTP status (500, 503...), in the service's shape.
    ServerError(u16),
    /// Any service error: HTTP status, error code, message (SES `SendingPausedException`).
    Error { status: u16, code: String, message: String },
    /// Held this long before the service, then forwarded; dropped if the client gave up
    /// meanwhile (the request never reached the service). Makes SDK timeouts fire.
    Stall(Duration),
    /// Forwarded at once, its answer held this long: the service did the work whether or not
    /// the client still waits (a slow service).
    SlowAnswer(Duration),
    /// The connection closed with a TCP reset, nothing answered, nothing forwarded.
    Reset,
    /// Forwarded, then the connection reset instead of the answer: the service did the work,
    /// the client sees a failure (SES accepted, the caller does not know).
    DropAnswer,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Throttle => f.write_str("throttled"),
            Self::ServerError(status) => write!(f, "HTTP {status}"),
            Self::Error { code, .. } => f.write_str(code),
            Self::Stall(d) => write!(f, "stalled {:.1} s", d.as_secs_f64()),
            Self::SlowAnswer(d) => write!(f, "answers {:.1} s late", d.as_secs_f64()),
            Self::Reset => f.write_str("connection reset"),
            Self::DropAnswer => f.write_str("answer dropped"),
        }
    }
}

/// How many matching requests get the fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Every one (within the rule's window).
    Every,
    /// The next n.
    Next(u64),
    /// The first n for each DynamoDB item (the `pk` and `sk` in the body): with n the SDK's
    /// attempts per call (3 by default), each item's first call fails once, whatever else
    /// runs concurrently.
    FirstPerItem(u64),
    /// One in every n, counted over matching requests (the 1st, the n+1-th...).
    OneIn(u64),
}

/// Which requests a fault applies to, and for how long.
#[derive(Debug, Clone)]
pub struct Rule {
    service: Service,
    operation: Option<String>,
    body_contains: Vec<String>,
    fault: Fault,
    limit: Limit,
    from: Option<Instant>,
    until: Option<Instant>,
}

impl Rule {
    /// A rule for every request to `service`, injecting `fault`, from now on.
    pub fn new(service: Service, fault: Fault) -> Self {
        Self {
            service,
            operation: None,
            body_contains: Vec::new(),
            fault,
            limit: Limit::Every,
            from: None,
            until: None,
        }
    }

    /// Only this operation (`SendEmail`, `UpdateItem`).
    pub fn operation(mut self, operation: &str) -> Self {
        self.operation = Some(operation.to_owned());
        self
    }

    /// Only requests whose body contains `text` (all such texts, when called again).
    pub fn body_contains(mut self, text: &str) -> Self {
        self.body_contains.push(text.to_owned());
        self
    }

    /// Applies only to this many matching requests.
    pub fn limit(mut self, limit: Limit) -> Self {
        self.limit = limit;
        self
    }

    /// Applies from now for `length`, then never again.
    pub fn for_the_next(self, length: Duration) -> Self {
        let now = Instant::now();
        self.between(now, now + length)
    }

    /// Applies from `from` until `until`.
    pub fn between(mut self, from: Instant, until: Instant) -> Self {
        self.from = Some(from);
        self.until = Some(until);
        self
    }

    /// The fault it injects.
    pub fn fault(&self) -> &Fault {
        &self.fault
    }

    fn matches(&self, call: &Call, request: &Request, now: Instant) -> bool {
        self.from.is_none_or(|from| now >= from)
            && self.until.is_none_or(|until| now < until)
            && call.service == self.service
            && self.operation.as_ref().is_none_or(|op| *op == call.operation)
            && self.body_contains.iter().all(|text| find(&request.body, text.as_bytes()))
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.service, self.operation.as_deref().unwrap_or("*"))?;
        if !self.body_contains.is_empty() {
            write!(f, " with {:?}", self.body_contains)?;
        }
        write!(f, ": {}", self.fault)
    }
}

/// A rule installed in a proxy, with what it injected so far.
#[derive(Debug)]
pub struct ActiveRule {
    rule: Rule,
    matched: AtomicU64,
    injected: AtomicU64,
    per_item: Mutex<HashMap<String, u64>>,
}

impl ActiveRule {
    /// Installs `rule` with nothing injected yet.
    pub fn new(rule: Rule) -> Self {
        Self { rule, matched: AtomicU64::new(0), injected: AtomicU64::new(0), per_item: Mutex::default() }
    }

    /// The rule.
    pub fn rule(&self) -> &Rule {
        &self.rule
    }

    /// Requests this rule gave its fault to.
    pub fn injected(&self) -> u64 {
        self.injected.load(Ordering::SeqCst)
    }

    /// The fault for `request` when the rule applies to it now (and counts it).
    pub fn take(&self, call: &Call, request: &Request, now: Instant) -> Option<Fault> {
        if !self.rule.matches(call, request, now) {
            return None;
        }
        let nth = self.matched.fetch_add(1, Ordering::SeqCst);
        let applies = match self.rule.limit {
            Limit::Every => true,
            Limit::Next(n) => nth < n,
            Limit::OneIn(n) => nth % n.max(1) == 0,
            Limit::FirstPerItem(n) => {
                let mut seen = self.per_item.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let count = seen.entry(item_key(&request.body)).or_default();
                *count += 1;
                *count <= n
            }
        };
        if applies {
            self.injected.fetch_add(1, Ordering::SeqCst);
            Some(self.rule.fault.clone())
        } else {
            None
        }
    }
}

/// A DynamoDB item's key as a request body names it (`"pk":{"S":"..."}` and `"sk"`), or the
/// whole body when it names none.
fn item_key(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let value = |name: &str| {
        let marker = format!("\"{name}\":{{\"S\":\"");
        text.find(&marker).map(|at| {
            let rest = &text[at + marker.len()..];
            rest[..rest.find('"').unwrap_or(rest.len())].to_owned()
        })
    };
    match (value("pk"), value("sk")) {
        (None, None) => text.into_owned(),
        (pk, sk) => format!("{}|{}", pk.unwrap_or_default(), sk.unwrap_or_default()),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: &str) -> Request {
        Request { method: "POST".into(), path: "/".into(), headers: vec![], body: body.into(), raw: vec![] }
    }

    fn update_item() -> Call {
        Call { service: Service::Dynamodb, operation: "UpdateItem".into() }
    }

    #[test]
    fn a_rule_matches_its_service_operation_and_body_only() {
        let rule = ActiveRule::new(
            Rule::new(Service::Dynamodb, Fault::Throttle).operation("UpdateItem").body_contains("sent"),
        );
        let now = Instant::now();
        assert_eq!(rule.take(&update_item(), &request(r#"{"s":"sent"}"#), now), Some(Fault::Throttle));
        assert_eq!(rule.take(&update_item(), &request(r#"{"s":"pending"}"#), now), None);
        let get = Call { service: Service::Dynamodb, operation: "GetItem".into() };
        assert_eq!(rule.take(&get, &request("sent"), now), None);
        let ses = Call { service: Service::Ses, operation: "UpdateItem".into() };
        assert_eq!(rule.take(&ses, &request("sent"), now), None);
        assert_eq!(rule.injected(), 1);
    }

    #[test]
    fn limits_count_matching_requests() {
        let now = Instant::now();
        let next = ActiveRule::new(Rule::new(Service::Dynamodb, Fault::Reset).limit(Limit::Next(2)));
        let hits: Vec<bool> = (0..4).map(|_| next.take(&update_item(), &request("{}"), now).is_some()).collect();
        assert_eq!(hits, [true, true, false, false]);

        let per_item = ActiveRule::new(Rule::new(Service::Dynamodb, Fault::Reset).limit(Limit::FirstPerItem(1)));
        let a = request(r#"{"Key":{"sk":{"S":"email#u1"},"pk":{"S":"delivery#j1"}}}"#);
        let b = request(r#"{"Key":{"pk":{"S":"delivery#j2"},"sk":{"S":"email#u1"}}}"#);
        let hits: Vec<bool> =
            [&a, &b, &a, &b].iter().map(|r| per_item.take(&update_item(), r, now).is_some()).collect();
        assert_eq!(hits, [true, true, false, false]);
        assert_eq!(per_item.injected(), 2);
    }

    #[test]
    fn a_window_opens_and_closes() {
        let start = Instant::now();
        let rule = ActiveRule::new(
            Rule::new(Service::Ses, Fault::Throttle)
                .between(start + Duration::from_secs(1), start + Duration::from_secs(2)),
        );
        let send = Call { service: Service::Ses, operation: "SendEmail".into() };
        let at = |ms| rule.take(&send, &request("{}"), start + Duration::from_millis(ms)).is_some();
        assert_eq!([at(500), at(1000), at(1999), at(2000)], [false, true, true, false]);
    }
}
