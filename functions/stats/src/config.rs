//! stats' configuration, from `DESKBELL_*` environment variables.

use deskbell_contract::User;
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
            admins: env.admins()?,
        })
    }
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
}
