//! Configuration from environment variables, with errors that name the variable.

use std::str::FromStr;

use deskbell_contract::{User, recipients_from_json};

/// A configuration problem, naming the variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("missing environment variable {name}")]
    Missing { name: String },
    #[error("environment variable {name}={value:?} is invalid: {reason}")]
    Invalid { name: String, value: String, reason: String },
}

/// Reads configuration from a source of variables: the process environment in `main`, a map
/// in tests.
pub struct Env<F = fn(&str) -> Option<String>> {
    lookup: F,
}

impl Env {
    /// The process environment.
    pub fn process() -> Self {
        Env { lookup: |name| std::env::var(name).ok() }
    }

    /// Variables from fixed pairs (tests): `Env::pairs(&[("DESKBELL_JOBS_TABLE", "jobs")])`.
    pub fn pairs(pairs: &'static [(&'static str, &'static str)]) -> Env<impl Fn(&str) -> Option<String>> {
        Env::from_fn(move |n| pairs.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string()))
    }
}

impl<F: Fn(&str) -> Option<String>> Env<F> {
    /// Variables from any lookup (tests).
    pub fn from_fn(lookup: F) -> Self {
        Env { lookup }
    }

    /// A variable that must be set and non-empty.
    pub fn required(&self, name: &str) -> Result<String, ConfigError> {
        match (self.lookup)(name) {
            Some(v) if !v.trim().is_empty() => Ok(v),
            _ => Err(ConfigError::Missing { name: name.to_owned() }),
        }
    }

    /// A variable parsed as `T`, or `default` when unset.
    pub fn parsed_or<T>(&self, name: &str, default: T) -> Result<T, ConfigError>
    where
        T: FromStr,
        T::Err: std::fmt::Display,
    {
        match (self.lookup)(name) {
            Some(v) if !v.trim().is_empty() => v.trim().parse().map_err(|e: T::Err| ConfigError::Invalid {
                name: name.to_owned(),
                value: v.clone(),
                reason: e.to_string(),
            }),
            _ => Ok(default),
        }
    }

    /// `DESKBELL_ADMINS`: the administrators, a JSON list of users (`[{"id", "email", "name",
    /// "locale", "role"}]`), checked like a job's recipients. The one parser of the list:
    /// stats sends them the digest, health the alerts.
    pub fn admins(&self) -> Result<Vec<User>, ConfigError> {
        const NAME: &str = "DESKBELL_ADMINS";
        let json = self.required(NAME)?;
        recipients_from_json(&json).map_err(|e| ConfigError::Invalid {
            name: NAME.into(),
            value: json,
            reason: e.to_string(),
        })
    }

    /// A variable that must be an absolute http(s) URL; a trailing `/` is removed.
    pub fn url(&self, name: &str) -> Result<String, ConfigError> {
        let v = self.required(name)?;
        if !(v.starts_with("https://") || v.starts_with("http://")) || v.contains(char::is_whitespace) {
            return Err(ConfigError::Invalid {
                name: name.into(),
                value: v,
                reason: "not an absolute http(s) URL".into(),
            });
        }
        Ok(v.trim_end_matches('/').to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_are_read_as_users() {
        let env = Env::pairs(&[(
            "DESKBELL_ADMINS",
            r#"[{"id":"u1","email":"ada@example.com","name":"Ada","locale":"fr","role":"admin"}]"#,
        )]);
        let admins = env.admins().unwrap();
        assert_eq!(admins.len(), 1);
        assert_eq!(admins[0].locale, "fr");
    }

    #[test]
    fn a_bad_admin_list_is_refused_naming_the_variable_and_the_field() {
        for (json, field) in [
            ("[]", "recipients: must not be empty"),
            (r#"[{"id":"u1","email":"not an address","name":"A","role":"admin"}]"#, "recipients[0].email"),
            ("{}", "recipients"),
        ] {
            let vars: &'static [(&'static str, &'static str)] = vec![("DESKBELL_ADMINS", json)].leak();
            let err = Env::pairs(vars).admins().unwrap_err().to_string();
            assert!(err.contains("DESKBELL_ADMINS") && err.contains(field), "{err}");
        }
        assert!(matches!(Env::pairs(&[]).admins(), Err(ConfigError::Missing { .. })));
    }

    #[test]
    fn missing_variable_is_named() {
        let err = Env::pairs(&[]).required("DESKBELL_SENDER").unwrap_err();
        assert_eq!(err.to_string(), "missing environment variable DESKBELL_SENDER");
        assert!(Env::pairs(&[("DESKBELL_SENDER", "  ")]).required("DESKBELL_SENDER").is_err());
    }

    #[test]
    fn parse_error_names_variable_and_value() {
        let err = Env::pairs(&[("DESKBELL_X", "ten")]).parsed_or::<u32>("DESKBELL_X", 3).unwrap_err();
        assert!(err.to_string().starts_with("environment variable DESKBELL_X=\"ten\" is invalid"), "{err}");
        assert_eq!(Env::pairs(&[]).parsed_or::<u32>("DESKBELL_X", 3), Ok(3));
    }

    #[test]
    fn url_must_be_http() {
        assert_eq!(Env::pairs(&[("U", "https://a.io/")]).url("U"), Ok("https://a.io".into()));
        assert!(Env::pairs(&[("U", "ftp://a.io")]).url("U").is_err());
    }
}
