//! The fault-injection suite (issue 11). Here: the fault proxy itself.

#[path = "faults/proxy.rs"]
mod proxy;
