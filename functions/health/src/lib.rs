//! health: the job system's health check, on a short schedule.
//!
//! decode (the scheduled event: nothing in it is needed) → observe (queue depths from SQS,
//! outcome counters and waiting marks from the jobs table) → decide ([`checks`]: verdicts and
//! incident steps, pure) → act ([`Doctor`]: conditional incident writes, one `system.alert`
//! per incident when it begins and one when it ends, paged to the alerts topic too).

pub mod checks;
mod config;
mod doctor;
mod error;
mod function;
mod topic;

pub use checks::{Thresholds, Verdict};
pub use config::HealthConfig;
pub use doctor::{Doctor, HealthReport, Watched, alert_text};
pub use error::HealthError;
pub use function::{AwsHealth, HealthFunction};
pub use topic::{AlertTopic, MemoryTopic, NoTopic, PageError, SnsAlertTopic};
