//! cleanup: on an EventBridge schedule, deletes what is past retention.
//!
//! decode ([`decode`]: the scheduled event and its optional `detail` overrides) → decide
//! (`deskbell_retention::Policy::judge`, pure, `now` passed in) → act ([`sweep`] pages
//! through each source of a `RetentionStore`, deletes in batches, stops before the deadline
//! and saves where it got to, so the next run continues).

mod config;
mod error;
mod function;
mod request;
mod sweep;

pub use config::CleanupConfig;
pub use error::CleanupError;
pub use function::{AwsCleanup, Cleanup};
pub use request::{Request, decode};
pub use sweep::{Budget, KindCount, Report, Settings, SourceCount, Stop, sweep};
