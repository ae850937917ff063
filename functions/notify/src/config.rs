//! notify's configuration, from `DESKBELL_*` environment variables.

use chrono::Duration;
use deskbell_jobs::RetryPolicy;
use deskbell_runtime::{ConfigError, Env};

use crate::message::Site;
use crate::notifier::Settings;

/// Everything notify reads from its environment (see the README's configuration table).
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    pub settings: Settings,
    pub jobs_table: String,
    pub notifications_table: String,
    pub tickets_table: String,
    pub configuration_set: Option<String>,
    /// How long delivery and failure records are kept (their TTL).
    pub record_retention: Duration,
    pub retry: RetryPolicy,
    /// Records of one batch processed at once.
    pub concurrency: usize,
}

impl NotifyConfig {
    pub fn from_env<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Self, ConfigError> {
        let sender = env.required("DESKBELL_SENDER")?;
        if sender.chars().any(char::is_control) || !sender.contains('@') {
            return Err(ConfigError::Invalid {
                name: "DESKBELL_SENDER".into(),
                value: sender,
                reason: "expected `Name <address>` or an address, on one line".into(),
            });
        }
        Ok(Self {
            settings: Settings {
                site: Site {
                    app_url: env.url("DESKBELL_APP_URL")?,
                    product: env.parsed_or("DESKBELL_PRODUCT_NAME", "Helpdesk".to_owned())?,
                },
                sender,
                notification_ttl: Duration::days(env.parsed_or("DESKBELL_NOTIFICATION_TTL_DAYS", 180)?),
                lease: Duration::seconds(env.parsed_or("DESKBELL_DELIVERY_LEASE_SECS", 60)?),
            },
            jobs_table: env.required("DESKBELL_JOBS_TABLE")?,
            notifications_table: env.required("DESKBELL_NOTIFICATIONS_TABLE")?,
            tickets_table: env.required("DESKBELL_TICKETS_TABLE")?,
            configuration_set: env
                .parsed_or("DESKBELL_SES_CONFIGURATION_SET", String::new())
                .map(|s| Some(s).filter(|s| !s.is_empty()))?,
            record_retention: Duration::days(env.parsed_or("DESKBELL_RECORD_RETENTION_DAYS", 30)?),
            retry: RetryPolicy {
                base_secs: env.parsed_or("DESKBELL_RETRY_BASE_SECS", RetryPolicy::default().base_secs)?,
                max_secs: env.parsed_or("DESKBELL_RETRY_MAX_SECS", RetryPolicy::default().max_secs)?,
            },
            concurrency: env.parsed_or("DESKBELL_BATCH_CONCURRENCY", 10)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> Env<impl Fn(&str) -> Option<String>> {
        Env::from_fn(move |n| pairs.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string()))
    }

    const MINIMAL: &[(&str, &str)] = &[
        ("DESKBELL_SENDER", "Helpdesk <no-reply@example.com>"),
        ("DESKBELL_APP_URL", "https://help.example.com/"),
        ("DESKBELL_JOBS_TABLE", "jobs"),
        ("DESKBELL_NOTIFICATIONS_TABLE", "notifications"),
        ("DESKBELL_TICKETS_TABLE", "tickets"),
    ];

    #[test]
    fn minimal_environment_gets_safe_defaults() {
        let c = NotifyConfig::from_env(&env(MINIMAL)).unwrap();
        assert_eq!(c.settings.site.app_url, "https://help.example.com");
        assert_eq!(c.concurrency, 10);
        assert_eq!(c.settings.notification_ttl, Duration::days(180));
        assert_eq!(c.configuration_set, None);
    }

    #[test]
    fn first_missing_variable_is_named() {
        let err = NotifyConfig::from_env(&env(&MINIMAL[..3])).unwrap_err();
        assert_eq!(err.to_string(), "missing environment variable DESKBELL_NOTIFICATIONS_TABLE");
    }

    #[test]
    fn sender_with_a_line_break_is_refused() {
        let err = NotifyConfig::from_env(&env(&[("DESKBELL_SENDER", "a@b.io\r\nBcc: x@y.io")])).unwrap_err();
        assert!(err.to_string().contains("DESKBELL_SENDER"), "{err}");
    }
}
