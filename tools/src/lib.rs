//! The deskbell CLI for operators and the local stack's runner.
//!
//! - [`topology`]: the deployed local stack (written by `scripts/deploy-local-stack.py`);
//! - [`runner`], [`mappings`], [`schedule`], [`invoke`]: what AWS runs around the functions,
//!   played locally — SQS event source mappings and EventBridge schedules — invoking the
//!   functions served by `cargo lambda watch`;
//! - [`cli`] and the commands: [`send`], [`dlq`], [`notifications`], [`mail`], [`seed`], [`demo`].

pub mod cli;
pub mod context;
pub mod demo;
pub mod dlq;
pub mod invoke;
pub mod mail;
pub mod mappings;
pub mod notifications;
pub mod output;
pub mod runner;
pub mod schedule;
pub mod seed;
pub mod send;
pub mod topology;
