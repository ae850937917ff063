//! The fault layer of the fault-injection suite: a small HTTP/1.1 proxy on 127.0.0.1 between
//! the real AWS SDK and moto, which recognises each request's service and operation and, as
//! its rules say, throttles, fails, stalls, resets or forwards then drops it. Verification
//! reads moto directly, past the proxy. See docs/faults.md.

mod call;
mod proxy;
mod reply;
mod rule;
pub mod scenario;
mod wire;

pub use call::{Call, Service};
pub use proxy::{FaultProxy, RuleHandle};
pub use rule::{Fault, Limit, Rule};
