//! The deadline margin: how much time must be left for a record to start.

use chrono::Duration;
use deskbell_runtime::{ConfigError, Env};

/// The time left below which no record starts: 3 s, about one SDK call with its retries.
pub const DEFAULT_DEADLINE_MARGIN: Duration = Duration::seconds(3);

/// The margin from `DESKBELL_DEADLINE_MARGIN_SECS` (seconds, fractions allowed, 0 to 60),
/// [`DEFAULT_DEADLINE_MARGIN`] when unset.
pub fn deadline_margin_from_env<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Duration, ConfigError> {
    const NAME: &str = "DESKBELL_DEADLINE_MARGIN_SECS";
    let secs: f64 = env.parsed_or(NAME, DEFAULT_DEADLINE_MARGIN.as_seconds_f64())?;
    if !(0.0..=60.0).contains(&secs) {
        return Err(ConfigError::Invalid {
            name: NAME.into(),
            value: secs.to_string(),
            reason: "expected 0 to 60 seconds".into(),
        });
    }
    Ok(Duration::milliseconds((secs * 1000.0).round() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_margin_defaults_to_three_seconds_and_is_bounded_by_name() {
        assert_eq!(deadline_margin_from_env(&Env::pairs(&[])), Ok(Duration::seconds(3)));
        let half = Env::pairs(&[("DESKBELL_DEADLINE_MARGIN_SECS", "0.5")]);
        assert_eq!(deadline_margin_from_env(&half), Ok(Duration::milliseconds(500)));
        for bad in ["-1", "61", "NaN", "soon"] {
            let pairs: &'static [(&str, &str)] = vec![("DESKBELL_DEADLINE_MARGIN_SECS", bad)].leak();
            let err = deadline_margin_from_env(&Env::pairs(pairs)).unwrap_err();
            assert!(err.to_string().contains("DESKBELL_DEADLINE_MARGIN_SECS"), "{err}");
        }
    }
}
