//! The fault proxy: an HTTP/1.1 endpoint on 127.0.0.1 that the SDK is pointed at, forwarding
//! each request to moto unless a rule says otherwise.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use super::call::Call;
use super::reply;
use super::rule::{ActiveRule, Fault, Rule};
use super::wire::{Request, Response, Wire, WireError};

/// A running proxy in front of moto. Rules are checked in the order they were added; the
/// first that applies to a request decides its fault. It stops when dropped.
pub struct FaultProxy {
    endpoint: String,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

/// A rule installed in a [`FaultProxy`]: reads what it injected.
#[derive(Debug, Clone)]
pub struct RuleHandle(Arc<ActiveRule>);

impl RuleHandle {
    /// Requests given this rule's fault so far.
    pub fn injected(&self) -> u64 {
        self.0.injected()
    }

    /// The rule, for reports.
    pub fn describe(&self) -> String {
        self.0.rule().to_string()
    }
}

struct Shared {
    upstream: String,
    rules: Mutex<Vec<Arc<ActiveRule>>>,
    forwarded: Mutex<BTreeMap<Call, u64>>,
}

impl Shared {
    fn fault_for(&self, call: &Call, request: &Request) -> Option<Fault> {
        let now = Instant::now();
        let rules = self.rules.lock().unwrap_or_else(PoisonError::into_inner).clone();
        rules.iter().find_map(|rule| rule.take(call, request, now))
    }

    /// Sends `request` to moto on a connection of its own and reads the answer.
    async fn forward(&self, call: &Call, request: &Request) -> Result<Response, WireError> {
        let mut upstream = Wire::new(TcpStream::connect(&self.upstream).await?);
        upstream.write_all(&request.raw).await?;
        let response = upstream.read_response(&request.method).await?;
        *self.forwarded.lock().unwrap_or_else(PoisonError::into_inner).entry(call.clone()).or_default() += 1;
        Ok(response)
    }
}

impl FaultProxy {
    /// Starts a proxy on a free port of 127.0.0.1, forwarding to `upstream`
    /// (`http://127.0.0.1:PORT`, moto's server).
    pub async fn start(upstream: &str) -> std::io::Result<FaultProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let upstream = upstream.trim_start_matches("http://").trim_end_matches('/').to_owned();
        let shared = Arc::new(Shared { upstream, rules: Mutex::default(), forwarded: Mutex::default() });
        let accepting = shared.clone();
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                // The SDK sends one request at a time per connection: no Nagle delays.
                let _ = client.set_nodelay(true);
                tokio::spawn(serve(accepting.clone(), client));
            }
        });
        Ok(FaultProxy { endpoint, shared, accept })
    }

    /// The URL to point the SDK at (`AWS_ENDPOINT_URL`).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Adds `rule` after the ones already there.
    pub fn add(&self, rule: Rule) -> RuleHandle {
        let active = Arc::new(ActiveRule::new(rule));
        self.shared.rules.lock().unwrap_or_else(PoisonError::into_inner).push(active.clone());
        RuleHandle(active)
    }

    /// Removes every rule: from now on everything passes through.
    pub fn clear(&self) {
        self.shared.rules.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    /// Requests moto received through this proxy (it did their work), by call.
    pub fn forwarded(&self) -> BTreeMap<Call, u64> {
        self.shared.forwarded.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Serves one client connection, request after request, until it closes or a fault ends it.
async fn serve(shared: Arc<Shared>, client: TcpStream) {
    let mut wire = Wire::new(client);
    while let Ok(request) = wire.read_request().await {
        let call = Call::of(&request);
        let answer = match shared.fault_for(&call, &request) {
            None => shared.forward(&call, &request).await,
            Some(Fault::Throttle) => Ok(reply::throttling(&call.service)),
            Some(Fault::ServerError(status)) => Ok(reply::server_error(&call.service, status)),
            Some(Fault::Error { status, code, message }) => Ok(reply::error(&call.service, status, &code, &message)),
            Some(Fault::Stall(hold)) => {
                if gave_up_within(&mut wire, hold).await {
                    return;
                }
                shared.forward(&call, &request).await
            }
            Some(Fault::SlowAnswer(hold)) => {
                let answer = shared.forward(&call, &request).await;
                if gave_up_within(&mut wire, hold).await {
                    return;
                }
                answer
            }
            Some(Fault::Reset) => return reset(wire),
            Some(Fault::DropAnswer) => {
                let _ = shared.forward(&call, &request).await;
                return reset(wire);
            }
        };
        let response = answer.unwrap_or_else(|e| {
            reply::error(&call.service, 502, "BadGateway", &format!("fault proxy: moto did not answer: {e}"))
        });
        if wire.write_all(&response.to_bytes()).await.is_err() {
            return;
        }
    }
}

/// Waits `hold`; true when the client closed the connection first.
async fn gave_up_within(wire: &mut Wire<TcpStream>, hold: Duration) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(hold) => false,
        _ = wire.closed() => true,
    }
}

/// Closes the client's connection with a TCP reset.
fn reset(wire: Wire<TcpStream>) {
    let _ = wire.stream().set_zero_linger();
    drop(wire);
}
