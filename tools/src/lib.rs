//! The deskbell CLI for operators and the local stack's runner.
//!
//! - [`topology`]: the deployed local stack (written by `scripts/deploy-local-stack.py`);
//! - [`runner`], [`mappings`], [`schedule`], [`invoke`]: what AWS runs around the functions,
//!   played locally — SQS event source mappings and EventBridge schedules — invoking the
//!   functions served by `cargo lambda watch`;
//! - [`cli`]: the arguments and the dispatch; each command's module runs it and prints its
//!   output: [`send`], [`dlq`], [`notifications`], [`mail`], [`stats`], [`seed`], [`schedule`],
//!   [`demo`] (and `stack run` / `stack env` in [`runner`] / [`topology`]);
//! - [`context`] (the [`context::Stack`] a command works on, local or in AWS) and [`output`].

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
pub mod stats;
pub mod topology;
