//! inbox's configuration, from `DESKBELL_*` environment variables.

use deskbell_runtime::{ConfigError, Env};

/// Everything inbox reads from its environment (the configuration table: docs/deploy.md#configuration).
#[derive(Debug, Clone)]
pub struct InboxConfig {
    pub notifications_table: String,
    /// Local runs only: accept development tokens signed with this secret
    /// (`DESKBELL_DEV_JWT_SECRET`); never set by the deployed template.
    pub dev_secret: Option<Vec<u8>>,
    /// The push passes' secret (`DESKBELL_PUSH_PASS_SECRET`), shared with push; without it
    /// the push pass route (`POST /notifications/socket-ticket`) answers 503.
    pub pass_secret: Option<Vec<u8>>,
}

impl InboxConfig {
    pub fn from_env<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Self, ConfigError> {
        let dev_secret: String = env.parsed_or(deskbell_tokens::DEV_SECRET_VARIABLE, String::new())?;
        Ok(Self {
            notifications_table: env.required("DESKBELL_NOTIFICATIONS_TABLE")?,
            dev_secret: Some(dev_secret.into_bytes()).filter(|s| !s.is_empty()),
            pass_secret: env.required(deskbell_tokens::PASS_SECRET_VARIABLE).ok().map(String::into_bytes),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_required_and_the_dev_secret_is_off_by_default() {
        let err = InboxConfig::from_env(&Env::from_fn(|_| None)).unwrap_err();
        assert_eq!(err.to_string(), "missing environment variable DESKBELL_NOTIFICATIONS_TABLE");
        let c = InboxConfig::from_env(&Env::from_fn(|n| (n == "DESKBELL_NOTIFICATIONS_TABLE").then(|| "t".into())))
            .unwrap();
        assert_eq!(c.dev_secret, None);
    }
}
