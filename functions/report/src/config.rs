//! report's configuration, from `DESKBELL_*` environment variables.

use chrono::Duration;
use deskbell_jobs::{RetryPolicy, deadline_margin_from_env};
use deskbell_runtime::{ConfigError, Env};

use crate::reporter::ReportSettings;

/// Everything report reads from its environment (the configuration table: docs/deploy.md#configuration).
#[derive(Debug, Clone)]
pub struct ReportConfig {
    pub settings: ReportSettings,
    pub jobs_table: String,
    pub tickets_table: String,
    pub bucket: String,
    /// Where report.ready jobs go.
    pub notifications_queue_url: String,
    pub record_retention: Duration,
    /// Back-off and retry window (`DESKBELL_RETRY_BASE_SECS`, `_MAX_SECS`, `_WINDOW_SECS`).
    pub retry: RetryPolicy,
    /// No record starts with less time than this left before the invocation's deadline
    /// (`DESKBELL_DEADLINE_MARGIN_SECS`).
    pub deadline_margin: Duration,
    pub concurrency: usize,
}

/// 8 MiB: above S3's 5 MiB minimum part, small enough to keep memory flat.
const DEFAULT_PART_SIZE: usize = 8 * 1024 * 1024;

impl ReportConfig {
    pub fn from_env<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Self, ConfigError> {
        let part_size = env.parsed_or("DESKBELL_REPORT_PART_SIZE", DEFAULT_PART_SIZE)?;
        if part_size < 1024 {
            return Err(ConfigError::Invalid {
                name: "DESKBELL_REPORT_PART_SIZE".into(),
                value: part_size.to_string(),
                reason: "at least 1024 bytes (S3 itself needs 5242880 for all parts but the last)".into(),
            });
        }
        Ok(Self {
            settings: ReportSettings {
                part_size,
                lease: Duration::seconds(env.parsed_or("DESKBELL_REPORT_LEASE_SECS", 900)?),
            },
            jobs_table: env.required("DESKBELL_JOBS_TABLE")?,
            tickets_table: env.required("DESKBELL_TICKETS_TABLE")?,
            bucket: env.required("DESKBELL_REPORTS_BUCKET")?,
            notifications_queue_url: env.url("DESKBELL_NOTIFICATIONS_QUEUE_URL")?,
            record_retention: Duration::days(env.parsed_or("DESKBELL_RECORD_RETENTION_DAYS", 30)?),
            retry: RetryPolicy::from_env(env)?,
            deadline_margin: deadline_margin_from_env(env)?,
            concurrency: env.parsed_or("DESKBELL_BATCH_CONCURRENCY", 2)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &[(&str, &str)] = &[
        ("DESKBELL_JOBS_TABLE", "jobs"),
        ("DESKBELL_TICKETS_TABLE", "tickets"),
        ("DESKBELL_REPORTS_BUCKET", "reports"),
        ("DESKBELL_NOTIFICATIONS_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/1/deskbell-notifications"),
    ];

    #[test]
    fn minimal_environment_gets_safe_defaults() {
        let c = ReportConfig::from_env(&Env::pairs(MINIMAL)).unwrap();
        assert_eq!(c.settings.part_size, 8 * 1024 * 1024);
        assert_eq!(c.settings.lease, Duration::minutes(15));
    }

    #[test]
    fn retry_window_and_deadline_margin_are_read() {
        let vars: &'static [(&str, &str)] =
            [MINIMAL, &[("DESKBELL_RETRY_WINDOW_SECS", "7200"), ("DESKBELL_DEADLINE_MARGIN_SECS", "10")]]
                .concat()
                .leak();
        let c = ReportConfig::from_env(&Env::pairs(vars)).unwrap();
        assert_eq!((c.retry.window_secs, c.deadline_margin), (7200, Duration::seconds(10)));
    }

    #[test]
    fn missing_bucket_is_named() {
        let err = ReportConfig::from_env(&Env::pairs(&MINIMAL[..2])).unwrap_err();
        assert_eq!(err.to_string(), "missing environment variable DESKBELL_REPORTS_BUCKET");
    }
}
