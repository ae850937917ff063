//! The harness for deskbell's integration tests: the local AWS emulator (moto's server),
//! per-test resources with unique names, and helpers that play Lambda's part (receive SQS
//! messages as an `SqsEvent`, delete the ones a handler did not report as failed).
//!
//! Everything goes through the real AWS SDK over HTTP to 127.0.0.1.

mod calls;
mod emulator;
pub mod faults;
pub mod inbox_model;
mod stack;

pub use calls::CallCounter;
pub use emulator::{Emulator, SentEmail, TEST_PART_SIZE, workspace};
pub use stack::Stack;
