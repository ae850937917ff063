//! health's configuration, from `DESKBELL_*` environment variables.

use chrono::Duration;
use deskbell_contract::User;
use deskbell_runtime::{ConfigError, Env};

use crate::{Thresholds, Watched};

/// Everything health reads from its environment (the configuration table: docs/deploy.md#configuration).
#[derive(Debug, Clone)]
pub struct HealthConfig {
    pub jobs_table: String,
    /// Where `system.alert` jobs go.
    pub notifications_queue_url: String,
    pub watched: Watched,
    pub thresholds: Thresholds,
    /// Who is told about incidents.
    pub admins: Vec<User>,
    /// The SNS topic alerts are paged to as well (`DESKBELL_ALERTS_TOPIC_ARN`), if any.
    pub alerts_topic_arn: Option<String>,
}

impl HealthConfig {
    pub fn from_env<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Self, ConfigError> {
        let d = Thresholds::default();
        let rate: f64 = env.parsed_or("DESKBELL_HEALTH_MAX_FAILURE_RATE", d.max_failure_rate)?;
        if !(0.0..=1.0).contains(&rate) {
            return Err(ConfigError::Invalid {
                name: "DESKBELL_HEALTH_MAX_FAILURE_RATE".into(),
                value: rate.to_string(),
                reason: "a fraction from 0 to 1 (0.01 is 1 %)".into(),
            });
        }
        let secs = |name: &str, default: Duration| -> Result<Duration, ConfigError> {
            Ok(Duration::seconds(env.parsed_or(name, default.num_seconds())?))
        };
        Ok(Self {
            jobs_table: env.required("DESKBELL_JOBS_TABLE")?,
            notifications_queue_url: env.url("DESKBELL_NOTIFICATIONS_QUEUE_URL")?,
            watched: Watched { queues: urls(env, "DESKBELL_HEALTH_QUEUES")?, dlqs: urls(env, "DESKBELL_HEALTH_DLQS")? },
            thresholds: Thresholds {
                max_wait: secs("DESKBELL_HEALTH_MAX_WAIT_SECS", d.max_wait)?,
                max_dlq_messages: env.parsed_or("DESKBELL_HEALTH_MAX_DLQ_MESSAGES", d.max_dlq_messages)?,
                max_failure_rate: rate,
                failure_window: secs("DESKBELL_HEALTH_FAILURE_WINDOW_SECS", d.failure_window)?,
                min_jobs: env.parsed_or("DESKBELL_HEALTH_MIN_JOBS", d.min_jobs)?,
            },
            alerts_topic_arn: {
                const NAME: &str = "DESKBELL_ALERTS_TOPIC_ARN";
                let arn: String = env.parsed_or(NAME, String::new())?;
                if !arn.is_empty() && !arn.starts_with("arn:") {
                    return Err(ConfigError::Invalid {
                        name: NAME.into(),
                        value: arn,
                        reason: "not an SNS topic ARN".into(),
                    });
                }
                Some(arn).filter(|a| !a.is_empty())
            },
            admins: env.admins()?,
        })
    }
}

/// A comma-separated list of queue URLs; at least one.
fn urls<F: Fn(&str) -> Option<String>>(env: &Env<F>, name: &str) -> Result<Vec<String>, ConfigError> {
    let list = env.required(name)?;
    let urls: Vec<String> = list.split(',').map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned).collect();
    if let Some(bad) = urls.iter().find(|u| !(u.starts_with("https://") || u.starts_with("http://"))) {
        return Err(ConfigError::Invalid {
            name: name.into(),
            value: list.clone(),
            reason: format!("{bad} is not a queue URL"),
        });
    }
    Ok(urls)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &[(&str, &str)] = &[
        ("DESKBELL_JOBS_TABLE", "jobs"),
        ("DESKBELL_NOTIFICATIONS_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/1/deskbell-notifications"),
        (
            "DESKBELL_HEALTH_QUEUES",
            "https://sqs.eu-west-1.amazonaws.com/1/deskbell-notifications, https://sqs.eu-west-1.amazonaws.com/1/deskbell-reports",
        ),
        ("DESKBELL_HEALTH_DLQS", "https://sqs.eu-west-1.amazonaws.com/1/deskbell-notifications-dlq"),
        ("DESKBELL_ADMINS", r#"[{"id":"u1","email":"ada@example.com","name":"Ada","role":"admin"}]"#),
    ];

    #[test]
    fn minimal_environment_gets_the_issue_thresholds() {
        let c = HealthConfig::from_env(&Env::pairs(MINIMAL)).unwrap();
        assert_eq!(c.watched.queues.len(), 2);
        assert_eq!(c.watched.dlqs.len(), 1);
        assert_eq!(c.thresholds, Thresholds::default());
        assert_eq!(c.thresholds.max_wait, Duration::hours(1));
        assert_eq!(c.alerts_topic_arn, None);
    }

    #[test]
    fn the_alerts_topic_is_an_arn() {
        let vars: &'static [(&str, &str)] =
            [MINIMAL, &[("DESKBELL_ALERTS_TOPIC_ARN", "arn:aws:sns:eu-west-1:1:alerts")]].concat().leak();
        let c = HealthConfig::from_env(&Env::pairs(vars)).unwrap();
        assert_eq!(c.alerts_topic_arn.as_deref(), Some("arn:aws:sns:eu-west-1:1:alerts"));
        let vars: &'static [(&str, &str)] = [MINIMAL, &[("DESKBELL_ALERTS_TOPIC_ARN", "alerts")]].concat().leak();
        let err = HealthConfig::from_env(&Env::pairs(vars)).unwrap_err();
        assert!(err.to_string().contains("DESKBELL_ALERTS_TOPIC_ARN"), "{err}");
    }

    #[test]
    fn a_rate_above_one_is_refused_by_name() {
        let vars: &'static [(&str, &str)] = [MINIMAL, &[("DESKBELL_HEALTH_MAX_FAILURE_RATE", "5")]].concat().leak();
        let err = HealthConfig::from_env(&Env::pairs(vars)).unwrap_err();
        assert!(err.to_string().contains("DESKBELL_HEALTH_MAX_FAILURE_RATE"), "{err}");
    }
}
