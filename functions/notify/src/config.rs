//! notify's configuration, from `DESKBELL_*` environment variables.

use chrono::Duration;
use deskbell_jobs::{RetryPolicy, deadline_margin_from_env};
use deskbell_runtime::{ConfigError, Env};

use deskbell_records::{FinishRetry, LockExpiry};

use crate::message::Site;
use crate::notifier::Settings;
use crate::pacing::Pacing;

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
    /// Back-off and retry window (`DESKBELL_RETRY_BASE_SECS`, `_MAX_SECS`, `_WINDOW_SECS`).
    pub retry: RetryPolicy,
    /// No record starts with less time than this left before the invocation's deadline
    /// (`DESKBELL_DEADLINE_MARGIN_SECS`).
    pub deadline_margin: Duration,
    /// Records of one batch processed at once.
    pub concurrency: usize,
    /// Real-time push of new in-app notifications, when configured.
    pub push: Option<PushTarget>,
}

/// Where notify pushes new in-app notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushTarget {
    /// The WebSocket connections table (`DESKBELL_CONNECTIONS_TABLE`).
    pub connections_table: String,
    /// The API Gateway Management API endpoint of the WebSocket API's stage
    /// (`DESKBELL_PUSH_ENDPOINT`: `https://{api}.execute-api.{region}.amazonaws.com/{stage}`, or
    /// the local gateway's `http://127.0.0.1:PORT`).
    pub endpoint: String,
}

/// Both push variables, or neither.
fn push_target<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Option<PushTarget>, ConfigError> {
    let table: String = env.parsed_or("DESKBELL_CONNECTIONS_TABLE", String::new())?;
    let endpoint: String = env.parsed_or("DESKBELL_PUSH_ENDPOINT", String::new())?;
    match (table.is_empty(), endpoint.is_empty()) {
        (true, true) => Ok(None),
        (false, false) => {
            Ok(Some(PushTarget { connections_table: table, endpoint: env.url("DESKBELL_PUSH_ENDPOINT")? }))
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
        // One margin for both checks: no record starts, and no delivery of a started record.
        let deadline_margin = deadline_margin_from_env(env)?;
        Ok(Self {
            settings: Settings {
                site: Site {
                    app_url: env.url("DESKBELL_APP_URL")?,
                    product: env.parsed_or("DESKBELL_PRODUCT_NAME", "Helpdesk".to_owned())?,
                },
                sender,
                notification_ttl: Duration::days(env.parsed_or("DESKBELL_NOTIFICATION_TTL_DAYS", 180)?),
                lock: LockExpiry {
                    fallback: Duration::seconds(env.parsed_or("DESKBELL_DELIVERY_LEASE_SECS", 60)?),
                    ..LockExpiry::default()
                },
                finish_retry: FinishRetry::default(),
                pacing: pacing(env, deadline_margin)?,
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
            retry: RetryPolicy::from_env(env)?,
            deadline_margin,
            concurrency: env.parsed_or("DESKBELL_BATCH_CONCURRENCY", 10)?,
            push: push_target(env)?,
        })
    }
}

/// The bounds of one job's fan-out: at least one delivery at a time, a send rate that is a
/// number of emails per second (0: unpaced), and the batch's deadline margin.
fn pacing<F: Fn(&str) -> Option<String>>(env: &Env<F>, deadline_margin: Duration) -> Result<Pacing, ConfigError> {
    let defaults = Pacing::default();
    let concurrency: usize = env.parsed_or("DESKBELL_DELIVERY_CONCURRENCY", defaults.concurrency)?;
    if concurrency == 0 {
        return Err(ConfigError::Invalid {
            name: "DESKBELL_DELIVERY_CONCURRENCY".into(),
            value: "0".into(),
            reason: "expected at least 1 delivery at a time".into(),
        });
    }
    let max_send_rate: f64 = env.parsed_or("DESKBELL_SES_MAX_SEND_RATE", defaults.max_send_rate)?;
    if !max_send_rate.is_finite() || max_send_rate < 0.0 {
        return Err(ConfigError::Invalid {
            name: "DESKBELL_SES_MAX_SEND_RATE".into(),
            value: max_send_rate.to_string(),
            reason: "expected emails per second, 0 or more (0: not paced)".into(),
        });
    }
    Ok(Pacing { concurrency, max_send_rate, deadline_margin })
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
        assert_eq!(c.settings.pacing, Pacing::default());
        assert_eq!(c.settings.lock.fallback, Duration::seconds(60));
    }

    #[test]
    fn fan_out_bounds_are_read_and_nonsense_is_refused_by_name() {
        let vars = minimal_and(&[
            ("DESKBELL_DELIVERY_CONCURRENCY", "3"),
            ("DESKBELL_SES_MAX_SEND_RATE", "50.5"),
            ("DESKBELL_DEADLINE_MARGIN_SECS", "2"),
        ]);
        let pacing = NotifyConfig::from_env(&Env::pairs(vars)).unwrap().settings.pacing;
        assert_eq!(pacing, Pacing { concurrency: 3, max_send_rate: 50.5, deadline_margin: Duration::seconds(2) });
        for (name, value) in [
            ("DESKBELL_DELIVERY_CONCURRENCY", "0"),
            ("DESKBELL_SES_MAX_SEND_RATE", "-1"),
            ("DESKBELL_SES_MAX_SEND_RATE", "inf"),
            ("DESKBELL_DEADLINE_MARGIN_SECS", "-3"),
        ] {
            let err = NotifyConfig::from_env(&Env::pairs(minimal_and(&[(name, value)]))).unwrap_err();
            assert!(err.to_string().contains(name), "{err}");
        }
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
    fn retry_window_and_deadline_margin_are_read() {
        let c = NotifyConfig::from_env(&Env::pairs(MINIMAL)).unwrap();
        assert_eq!((c.retry, c.deadline_margin), (RetryPolicy::default(), Duration::seconds(3)));
        let vars = minimal_and(&[
            ("DESKBELL_RETRY_BASE_SECS", "1"),
            ("DESKBELL_RETRY_MAX_SECS", "4"),
            ("DESKBELL_RETRY_WINDOW_SECS", "60"),
            ("DESKBELL_DEADLINE_MARGIN_SECS", "1.5"),
        ]);
        let c = NotifyConfig::from_env(&Env::pairs(vars)).unwrap();
        assert_eq!(c.retry, RetryPolicy { base_secs: 1, max_secs: 4, window_secs: 60 });
        assert_eq!(c.deadline_margin, Duration::milliseconds(1500));
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
