//! notify's configuration, from `DESKBELL_*` environment variables.

use chrono::Duration;
use deskbell_jobs::RetryPolicy;
use deskbell_runtime::{ConfigError, Env};

use crate::message::Site;
use crate::notifier::Settings;

/// Everything notify reads from its environment (the configuration table: docs/deploy.md#configuration).
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    pub settings: Settings,
    pub jobs_table: String,
    pub notifications_table: String,
    pub tickets_table: String,
    pub configuration_set: Option<String>,
    /// The bucket of report files; without it, report emails link to the app's report page.
    pub reports_bucket: Option<String>,
    /// How long delivery and failure records are kept (their TTL).
    pub record_retention: Duration,
    pub retry: RetryPolicy,
    /// Records of one batch processed at once.
    pub concurrency: usize,
    /// Real-time push of new in-app notifications, when configured.
    pub push: Option<PushConfig>,
}

/// Where notify pushes new in-app notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushConfig {
    /// The WebSocket connections table (`DESKBELL_CONNECTIONS_TABLE`).
    pub connections_table: String,
    /// The API Gateway Management API endpoint of the WebSocket API's stage
    /// (`DESKBELL_PUSH_ENDPOINT`: `https://{api}.execute-api.{region}.amazonaws.com/{stage}`, or
    /// the local gateway's `http://127.0.0.1:PORT`).
    pub endpoint: String,
}

/// Both push variables, or neither.
fn push_config<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Option<PushConfig>, ConfigError> {
    let table: String = env.parsed_or("DESKBELL_CONNECTIONS_TABLE", String::new())?;
    let endpoint: String = env.parsed_or("DESKBELL_PUSH_ENDPOINT", String::new())?;
    match (table.is_empty(), endpoint.is_empty()) {
        (true, true) => Ok(None),
        (false, false) => {
            Ok(Some(PushConfig { connections_table: table, endpoint: env.url("DESKBELL_PUSH_ENDPOINT")? }))
        }
        (true, false) => Err(ConfigError::Missing { name: "DESKBELL_CONNECTIONS_TABLE".into() }),
        (false, true) => Err(ConfigError::Missing { name: "DESKBELL_PUSH_ENDPOINT".into() }),
    }
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
                report_link_ttl: report_link_ttl(env)?,
            },
            jobs_table: env.required("DESKBELL_JOBS_TABLE")?,
            notifications_table: env.required("DESKBELL_NOTIFICATIONS_TABLE")?,
            tickets_table: env.required("DESKBELL_TICKETS_TABLE")?,
            configuration_set: env
                .parsed_or("DESKBELL_SES_CONFIGURATION_SET", String::new())
                .map(|s| Some(s).filter(|s| !s.is_empty()))?,
            reports_bucket: env
                .parsed_or("DESKBELL_REPORTS_BUCKET", String::new())
                .map(|s| Some(s).filter(|s| !s.is_empty()))?,
            record_retention: Duration::days(env.parsed_or("DESKBELL_RECORD_RETENTION_DAYS", 30)?),
            retry: RetryPolicy {
                base_secs: env.parsed_or("DESKBELL_RETRY_BASE_SECS", RetryPolicy::default().base_secs)?,
                max_secs: env.parsed_or("DESKBELL_RETRY_MAX_SECS", RetryPolicy::default().max_secs)?,
            },
            concurrency: env.parsed_or("DESKBELL_BATCH_CONCURRENCY", 10)?,
            push: push_config(env)?,
        })
    }
}

/// The life of a report download link: 1 s to 7 days (the longest S3 presigns for).
fn report_link_ttl<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<std::time::Duration, ConfigError> {
    const NAME: &str = "DESKBELL_REPORT_LINK_TTL_SECS";
    let secs: u64 = env.parsed_or(NAME, 3600)?;
    if !(1..=604_800).contains(&secs) {
        return Err(ConfigError::Invalid {
            name: NAME.into(),
            value: secs.to_string(),
            reason: "expected 1 to 604800 seconds (7 days, the longest a presigned link lives)".into(),
        });
    }
    Ok(std::time::Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &[(&str, &str)] = &[
        ("DESKBELL_SENDER", "Helpdesk <no-reply@example.com>"),
        ("DESKBELL_APP_URL", "https://help.example.com/"),
        ("DESKBELL_JOBS_TABLE", "jobs"),
        ("DESKBELL_NOTIFICATIONS_TABLE", "notifications"),
        ("DESKBELL_TICKETS_TABLE", "tickets"),
    ];

    fn minimal_and(extra: &[(&'static str, &'static str)]) -> &'static [(&'static str, &'static str)] {
        [MINIMAL, extra].concat().leak()
    }

    #[test]
    fn minimal_environment_gets_safe_defaults() {
        let c = NotifyConfig::from_env(&Env::pairs(MINIMAL)).unwrap();
        assert_eq!(c.settings.site.app_url, "https://help.example.com");
        assert_eq!(c.concurrency, 10);
        assert_eq!(c.settings.notification_ttl, Duration::days(180));
        assert_eq!(c.configuration_set, None);
        assert_eq!(c.reports_bucket, None);
        assert_eq!(c.settings.report_link_ttl, std::time::Duration::from_secs(3600));
    }

    #[test]
    fn reports_bucket_and_link_life_are_read() {
        let vars =
            minimal_and(&[("DESKBELL_REPORTS_BUCKET", "acme-reports"), ("DESKBELL_REPORT_LINK_TTL_SECS", "900")]);
        let c = NotifyConfig::from_env(&Env::pairs(vars)).unwrap();
        assert_eq!(c.reports_bucket.as_deref(), Some("acme-reports"));
        assert_eq!(c.settings.report_link_ttl, std::time::Duration::from_secs(900));
    }

    #[test]
    fn link_life_outside_one_second_to_seven_days_is_refused_by_name() {
        for ttl in ["0", "604801", "-5", "an hour"] {
            let err = NotifyConfig::from_env(&Env::pairs(minimal_and(&[("DESKBELL_REPORT_LINK_TTL_SECS", ttl)])))
                .unwrap_err();
            assert!(err.to_string().contains("DESKBELL_REPORT_LINK_TTL_SECS"), "{err}");
        }
        assert!(
            NotifyConfig::from_env(&Env::pairs(minimal_and(&[("DESKBELL_REPORT_LINK_TTL_SECS", "604800")]))).is_ok()
        );
    }

    #[test]
    fn push_needs_both_its_variables() {
        assert_eq!(NotifyConfig::from_env(&Env::pairs(MINIMAL)).unwrap().push, None);
        let both =
            minimal_and(&[("DESKBELL_CONNECTIONS_TABLE", "c"), ("DESKBELL_PUSH_ENDPOINT", "http://127.0.0.1:9001/")]);
        let push = NotifyConfig::from_env(&Env::pairs(both)).unwrap().push.unwrap();
        assert_eq!((push.connections_table.as_str(), push.endpoint.as_str()), ("c", "http://127.0.0.1:9001"));
        let err = NotifyConfig::from_env(&Env::pairs(minimal_and(&[("DESKBELL_CONNECTIONS_TABLE", "c")]))).unwrap_err();
        assert!(err.to_string().contains("DESKBELL_PUSH_ENDPOINT"), "{err}");
    }

    #[test]
    fn first_missing_variable_is_named() {
        let err = NotifyConfig::from_env(&Env::pairs(&MINIMAL[..3])).unwrap_err();
        assert_eq!(err.to_string(), "missing environment variable DESKBELL_NOTIFICATIONS_TABLE");
    }

    #[test]
    fn sender_with_a_line_break_is_refused() {
        let err = NotifyConfig::from_env(&Env::pairs(&[("DESKBELL_SENDER", "a@b.io\r\nBcc: x@y.io")])).unwrap_err();
        assert!(err.to_string().contains("DESKBELL_SENDER"), "{err}");
    }
}
