//! SDK operation and attempt timeouts: no AWS call may hang until the function's deadline.

use std::time::Duration;

use aws_config::timeout::TimeoutConfig;

use crate::{ConfigError, Env};

/// How long one SDK operation (all its retries) and one attempt of it may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdkTimeouts {
    /// `DESKBELL_SDK_OPERATION_TIMEOUT_SECS`: below the shortest function timeout (30 s), so a
    /// stalled dependency fails the record (transient) instead of the whole invocation.
    pub operation: Duration,
    /// `DESKBELL_SDK_ATTEMPT_TIMEOUT_SECS`: one try; the SDK's standard retries follow.
    pub attempt: Duration,
}

impl SdkTimeouts {
    /// In AWS: 20 s per operation, 5 s per attempt.
    pub const AWS: SdkTimeouts = SdkTimeouts { operation: Duration::from_secs(20), attempt: Duration::from_secs(5) };
    /// Against the local emulator: a loaded 2-core machine answers slower than AWS.
    pub const EMULATOR: SdkTimeouts =
        SdkTimeouts { operation: Duration::from_secs(20), attempt: Duration::from_secs(10) };

    /// The timeouts from `DESKBELL_SDK_OPERATION_TIMEOUT_SECS` and
    /// `DESKBELL_SDK_ATTEMPT_TIMEOUT_SECS`, `defaults` for what is unset.
    pub fn from_env<F: Fn(&str) -> Option<String>>(env: &Env<F>, defaults: SdkTimeouts) -> Result<Self, ConfigError> {
        let secs = |name: &str, default: Duration| -> Result<Duration, ConfigError> {
            let v: f64 = env.parsed_or(name, default.as_secs_f64())?;
            if v.is_nan() || v <= 0.0 || v > 900.0 {
                return Err(ConfigError::Invalid {
                    name: name.to_owned(),
                    value: v.to_string(),
                    reason: "expected more than 0 and at most 900 seconds (Lambda's longest timeout)".into(),
                });
            }
            Ok(Duration::from_secs_f64(v))
        };
        let t = Self {
            operation: secs("DESKBELL_SDK_OPERATION_TIMEOUT_SECS", defaults.operation)?,
            attempt: secs("DESKBELL_SDK_ATTEMPT_TIMEOUT_SECS", defaults.attempt)?,
        };
        if t.attempt > t.operation {
            return Err(ConfigError::Invalid {
                name: "DESKBELL_SDK_ATTEMPT_TIMEOUT_SECS".into(),
                value: t.attempt.as_secs_f64().to_string(),
                reason: "longer than DESKBELL_SDK_OPERATION_TIMEOUT_SECS".into(),
            });
        }
        Ok(t)
    }

    /// The timeouts from the process environment; an invalid variable is logged by name and
    /// `defaults` apply (building a client has no error path in the functions' `main`).
    pub fn from_process_env(defaults: SdkTimeouts) -> Self {
        Self::from_env(&Env::process(), defaults).unwrap_or_else(|e| {
            tracing::error!(error = %e, "SDK timeouts: using the defaults");
            defaults
        })
    }

    /// The SDK's form of these timeouts.
    pub fn config(&self) -> TimeoutConfig {
        TimeoutConfig::builder().operation_timeout(self.operation).operation_attempt_timeout(self.attempt).build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_default_below_the_function_timeout_and_are_configurable() {
        assert_eq!(SdkTimeouts::from_env(&Env::pairs(&[]), SdkTimeouts::AWS), Ok(SdkTimeouts::AWS));
        let t = SdkTimeouts::from_env(
            &Env::pairs(&[("DESKBELL_SDK_OPERATION_TIMEOUT_SECS", "8"), ("DESKBELL_SDK_ATTEMPT_TIMEOUT_SECS", "1.5")]),
            SdkTimeouts::AWS,
        )
        .unwrap();
        assert_eq!((t.operation, t.attempt), (Duration::from_secs(8), Duration::from_millis(1500)));
        let c = t.config();
        assert_eq!((c.operation_timeout(), c.operation_attempt_timeout()), (Some(t.operation), Some(t.attempt)));
    }

    #[test]
    fn an_attempt_longer_than_its_operation_or_a_zero_timeout_is_refused_by_name() {
        let err = SdkTimeouts::from_env(
            &Env::pairs(&[("DESKBELL_SDK_OPERATION_TIMEOUT_SECS", "3"), ("DESKBELL_SDK_ATTEMPT_TIMEOUT_SECS", "4")]),
            SdkTimeouts::AWS,
        )
        .unwrap_err();
        assert!(err.to_string().contains("DESKBELL_SDK_ATTEMPT_TIMEOUT_SECS"), "{err}");
        let err = SdkTimeouts::from_env(&Env::pairs(&[("DESKBELL_SDK_OPERATION_TIMEOUT_SECS", "0")]), SdkTimeouts::AWS)
            .unwrap_err();
        assert!(err.to_string().contains("DESKBELL_SDK_OPERATION_TIMEOUT_SECS"), "{err}");
    }
}
