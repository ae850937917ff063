//! cleanup's configuration, from `DESKBELL_*` environment variables.

use std::time::Duration;

use chrono::Duration as Days;
use deskbell_retention::Policy;
use deskbell_runtime::{ConfigError, Env};

use crate::Settings;

/// Everything cleanup reads from its environment (the configuration table: docs/deploy.md#configuration).
#[derive(Debug, Clone)]
pub struct CleanupConfig {
    pub settings: Settings,
    pub jobs_table: String,
    pub notifications_table: String,
    pub bucket: String,
    /// Time kept in hand before the invocation's deadline.
    pub margin: Duration,
    /// Pages per run unless the event says otherwise (none: until done or the deadline).
    pub max_pages: Option<u32>,
    /// Delete requests in flight at once.
    pub concurrency: usize,
}

impl CleanupConfig {
    pub fn from_env<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Self, ConfigError> {
        let days = |name: &str, default: i64| -> Result<Days, ConfigError> {
            let value = env.parsed_or(name, default)?;
            if !(1..=36_500).contains(&value) {
                return Err(ConfigError::Invalid {
                    name: name.into(),
                    value: value.to_string(),
                    reason: "a number of days from 1 to 36500".into(),
                });
            }
            Ok(Days::days(value))
        };
        let page_size: usize = env.parsed_or("DESKBELL_CLEANUP_PAGE_SIZE", 1000)?;
        if !(1..=1000).contains(&page_size) {
            return Err(ConfigError::Invalid {
                name: "DESKBELL_CLEANUP_PAGE_SIZE".into(),
                value: page_size.to_string(),
                reason: "from 1 to 1000 (S3 lists at most 1000 keys a page)".into(),
            });
        }
        let max_pages: u32 = env.parsed_or("DESKBELL_CLEANUP_MAX_PAGES", 0)?;
        Ok(Self {
            settings: Settings {
                policy: Policy {
                    read_notifications: days("DESKBELL_READ_NOTIFICATION_RETENTION_DAYS", 90)?,
                    records: days("DESKBELL_RECORD_RETENTION_DAYS", 30)?,
                    reports: days("DESKBELL_REPORT_RETENTION_DAYS", 7)?,
                },
                page_size,
            },
            jobs_table: env.required("DESKBELL_JOBS_TABLE")?,
            notifications_table: env.required("DESKBELL_NOTIFICATIONS_TABLE")?,
            bucket: env.required("DESKBELL_REPORTS_BUCKET")?,
            margin: Duration::from_secs(env.parsed_or("DESKBELL_CLEANUP_MARGIN_SECS", 20)?),
            max_pages: (max_pages > 0).then_some(max_pages),
            concurrency: env.parsed_or::<usize>("DESKBELL_CLEANUP_CONCURRENCY", 4)?.max(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &[(&str, &str)] = &[
        ("DESKBELL_JOBS_TABLE", "jobs"),
        ("DESKBELL_NOTIFICATIONS_TABLE", "notifications"),
        ("DESKBELL_REPORTS_BUCKET", "reports"),
    ];

    #[test]
    fn minimal_environment_gets_the_default_policy() {
        let c = CleanupConfig::from_env(&Env::pairs(MINIMAL)).unwrap();
        assert_eq!(c.settings.policy, Policy::default());
        assert_eq!(c.settings.page_size, 1000);
        assert_eq!(c.margin, Duration::from_secs(20));
        assert_eq!(c.max_pages, None);
    }

    #[test]
    fn missing_bucket_is_named() {
        let err = CleanupConfig::from_env(&Env::pairs(&MINIMAL[..2])).unwrap_err();
        assert_eq!(err.to_string(), "missing environment variable DESKBELL_REPORTS_BUCKET");
    }

    #[test]
    fn zero_days_is_refused_naming_the_variable() {
        let vars: &'static [(&str, &str)] = &[
            ("DESKBELL_JOBS_TABLE", "jobs"),
            ("DESKBELL_NOTIFICATIONS_TABLE", "notifications"),
            ("DESKBELL_REPORTS_BUCKET", "reports"),
            ("DESKBELL_REPORT_RETENTION_DAYS", "0"),
        ];
        let err = CleanupConfig::from_env(&Env::pairs(vars)).unwrap_err().to_string();
        assert!(err.starts_with("environment variable DESKBELL_REPORT_RETENTION_DAYS=\"0\" is invalid"), "{err}");
    }
}
