//! stats' configuration, from `DESKBELL_*` environment variables.

use deskbell_contract::{User, recipients_from_json};
use deskbell_runtime::{ConfigError, Env};

/// Everything stats reads from its environment (the configuration table: docs/deploy.md#configuration).
#[derive(Debug, Clone)]
pub struct StatsConfig {
    pub tickets_table: String,
    pub bucket: String,
    /// Where `stats.digest` jobs go.
    pub notifications_queue_url: String,
    /// Who receives the digest.
    pub admins: Vec<User>,
}

impl StatsConfig {
    pub fn from_env<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Self, ConfigError> {
        Ok(Self {
            tickets_table: env.required("DESKBELL_TICKETS_TABLE")?,
            bucket: env.required("DESKBELL_REPORTS_BUCKET")?,
            notifications_queue_url: env.url("DESKBELL_NOTIFICATIONS_QUEUE_URL")?,
            admins: admins(env)?,
        })
    }
}

/// `DESKBELL_ADMINS`: a JSON list of users (`[{"id", "email", "name", "locale", "role"}]`),
/// checked like a job's recipients.
pub fn admins<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Vec<User>, ConfigError> {
    const NAME: &str = "DESKBELL_ADMINS";
    let json = env.required(NAME)?;
    recipients_from_json(&json).map_err(|e| ConfigError::Invalid {
        name: NAME.into(),
        value: json,
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADMINS: &str = r#"[{"id":"u1","email":"ada@example.com","name":"Ada","locale":"fr","role":"admin"}]"#;

    #[test]
    fn admins_are_read_as_users() {
        let c = StatsConfig::from_env(&Env::pairs(&[
            ("DESKBELL_TICKETS_TABLE", "tickets"),
            ("DESKBELL_REPORTS_BUCKET", "reports"),
            ("DESKBELL_NOTIFICATIONS_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/1/deskbell-notifications"),
            ("DESKBELL_ADMINS", ADMINS),
        ]))
        .unwrap();
        assert_eq!(c.admins.len(), 1);
        assert_eq!(c.admins[0].locale, "fr");
    }

    #[test]
    fn a_bad_admin_list_is_refused_naming_the_variable_and_the_field() {
        for (json, field) in [
            ("[]", "recipients: must not be empty"),
            (r#"[{"id":"u1","email":"not an address","name":"A","role":"admin"}]"#, "recipients[0].email"),
            ("{}", "recipients"),
        ] {
            let vars: &'static [(&'static str, &'static str)] = vec![("DESKBELL_ADMINS", json)].leak();
            let err = admins(&Env::pairs(vars)).unwrap_err().to_string();
            assert!(err.contains("DESKBELL_ADMINS") && err.contains(field), "{err}");
        }
    }
}
