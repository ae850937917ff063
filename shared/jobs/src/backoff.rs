//! How long a failed record waits before SQS hands it out again, and for how long a job keeps
//! being retried: the retry budget is a time, not a count of receives.

use chrono::{DateTime, Duration, Utc};
use deskbell_runtime::{ConfigError, Env};

/// Exponential back-off with jitter, applied through the record's visibility timeout, within
/// a retry window.
///
/// The n-th receive waits `d = min(max, base × 2^(n-1))` seconds, jittered into `[d/2, d]`
/// ("equal jitter": spread out, yet never close to zero). A transient or systemic failure is
/// retried until `window_secs` have passed since the job's first receive; only then, or on a
/// permanent error, is it released to the DLQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub base_secs: u32,
    pub max_secs: u32,
    /// How long a failing job is retried, from its first receive.
    pub window_secs: u32,
}

/// SQS refuses visibility timeouts above 12 hours (counted from the receive).
const SQS_MAX_VISIBILITY_SECS: u32 = 43_200;

/// Receives a queue's `maxReceiveCount` must allow beyond the retry window's: Lambda's poller
/// receives and returns messages it cannot invoke the function for when throttled (AWS's own
/// advice is a `maxReceiveCount` of at least 5 for that alone), and records deferred at a
/// deadline come back after a short wait.
pub const RECEIVE_HEADROOM: u32 = 5;

impl Default for RetryPolicy {
    /// 10 s, 20 s, 40 s ... capped at 15 minutes, for an hour.
    fn default() -> Self {
        Self { base_secs: 10, max_secs: 900, window_secs: 3600 }
    }
}

impl RetryPolicy {
    /// The policy from `DESKBELL_RETRY_BASE_SECS`, `DESKBELL_RETRY_MAX_SECS` and
    /// `DESKBELL_RETRY_WINDOW_SECS` (defaults: 10, 900, 3600).
    pub fn from_env<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Self, ConfigError> {
        let d = Self::default();
        let p = Self {
            base_secs: env.parsed_or("DESKBELL_RETRY_BASE_SECS", d.base_secs)?,
            max_secs: env.parsed_or("DESKBELL_RETRY_MAX_SECS", d.max_secs)?,
            window_secs: env.parsed_or("DESKBELL_RETRY_WINDOW_SECS", d.window_secs)?,
        };
        let invalid = |name: &str, value: u32, reason: &str| ConfigError::Invalid {
            name: name.into(),
            value: value.to_string(),
            reason: reason.into(),
        };
        if p.base_secs == 0 || p.base_secs > SQS_MAX_VISIBILITY_SECS {
            return Err(invalid("DESKBELL_RETRY_BASE_SECS", p.base_secs, "expected 1 to 43200 seconds"));
        }
        if p.max_secs < p.base_secs || p.max_secs > SQS_MAX_VISIBILITY_SECS {
            return Err(invalid(
                "DESKBELL_RETRY_MAX_SECS",
                p.max_secs,
                "expected DESKBELL_RETRY_BASE_SECS to 43200 seconds (SQS's visibility limit)",
            ));
        }
        if p.window_secs == 0 {
            return Err(invalid("DESKBELL_RETRY_WINDOW_SECS", p.window_secs, "expected at least 1 second"));
        }
        Ok(p)
    }

    /// The visibility timeout for a record received `receive_count` times; `unit` in `[0, 1)`
    /// picks the jitter (pass a random number). Never below 1 s: a 0 would hand the record out
    /// again at once and spend receives without time passing.
    pub fn visibility_secs(&self, receive_count: u32, unit: f64) -> i32 {
        let max = self.max_secs.clamp(1, SQS_MAX_VISIBILITY_SECS);
        let exponent = receive_count.saturating_sub(1).min(31);
        let delay = u64::from(self.base_secs.max(1)).saturating_mul(1u64 << exponent).min(u64::from(max));
        let half = delay / 2;
        let jitter = ((delay - half) as f64 * unit.clamp(0.0, 1.0)).round() as u64;
        i32::try_from((half + jitter).max(1)).unwrap_or(i32::MAX)
    }

    /// The retry window.
    pub fn window(&self) -> Duration {
        Duration::seconds(i64::from(self.window_secs))
    }

    /// Whether a job first received at `first_received` has used up its window at `now`.
    pub fn window_spent(&self, first_received: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
        first_received.is_some_and(|first| now - first >= self.window())
    }

    /// The most receives a job failing on every one can get inside the window: every wait at
    /// its shortest (the lower jitter bound), processing time taken as nothing.
    pub fn receives_within_window(&self) -> u32 {
        let window = u64::from(self.window_secs);
        let (mut elapsed, mut receives) = (0u64, 1u32);
        loop {
            elapsed += u64::try_from(self.visibility_secs(receives, 0.0)).unwrap_or(0).max(1);
            if elapsed >= window || receives == u32::MAX {
                return receives;
            }
            receives += 1;
        }
    }

    /// The `maxReceiveCount` the queue's redrive policy needs so that nothing is dead-lettered
    /// by receive count before the window ends: every receive inside the window, the one
    /// that finds the window spent, and [`RECEIVE_HEADROOM`].
    pub fn max_receive_count(&self) -> u32 {
        self.receives_within_window().saturating_add(1 + RECEIVE_HEADROOM)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn doubles_per_receive_until_the_cap() {
        let p = RetryPolicy::default();
        let upper: Vec<i32> = (1..=9).map(|n| p.visibility_secs(n, 1.0)).collect();
        assert_eq!(upper, vec![10, 20, 40, 80, 160, 320, 640, 900, 900]);
        let lower: Vec<i32> = (1..=4).map(|n| p.visibility_secs(n, 0.0)).collect();
        assert_eq!(lower, vec![5, 10, 20, 40]);
    }

    #[test]
    fn an_hour_at_10_to_900_s_needs_fourteen_receives_and_a_redrive_after_twenty() {
        // Shortest waits 5, 10, 20, 40, 80, 160, 320, then 450: the 14th receive comes at
        // 3335 s at the earliest, the 15th at 3785 s, past the hour.
        let p = RetryPolicy::default();
        assert_eq!(p.receives_within_window(), 14);
        assert_eq!(p.max_receive_count(), 20);
        // The compressed schedule of the fault suite: 1 s, 2 s cap, 60 s.
        let fast = RetryPolicy { base_secs: 1, max_secs: 2, window_secs: 60 };
        assert_eq!(fast.receives_within_window(), 60);
    }

    #[test]
    fn the_window_counts_from_the_first_receive() {
        let p = RetryPolicy::default();
        let first = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert!(!p.window_spent(Some(first), first + Duration::seconds(3599)));
        assert!(p.window_spent(Some(first), first + Duration::seconds(3600)));
        assert!(!p.window_spent(None, first), "an unknown first receive never spends the window");
    }

    #[test]
    fn retry_settings_come_from_the_environment_and_are_checked_by_name() {
        let env = Env::pairs(&[
            ("DESKBELL_RETRY_BASE_SECS", "1"),
            ("DESKBELL_RETRY_MAX_SECS", "4"),
            ("DESKBELL_RETRY_WINDOW_SECS", "60"),
        ]);
        assert_eq!(RetryPolicy::from_env(&env), Ok(RetryPolicy { base_secs: 1, max_secs: 4, window_secs: 60 }));
        assert_eq!(RetryPolicy::from_env(&Env::pairs(&[])), Ok(RetryPolicy::default()));
        for (name, value) in
            [("DESKBELL_RETRY_WINDOW_SECS", "0"), ("DESKBELL_RETRY_BASE_SECS", "0"), ("DESKBELL_RETRY_MAX_SECS", "5")]
        {
            let pairs: &'static [(&str, &str)] = vec![(name, value), ("DESKBELL_RETRY_BASE_SECS", "10")].leak();
            let err = RetryPolicy::from_env(&Env::pairs(pairs)).unwrap_err();
            assert!(err.to_string().contains(name), "{err}");
        }
    }

    proptest! {
        #[test]
        fn stays_within_half_and_whole_delay(n in 0u32..100, unit in 0.0f64..1.0, base in 1u32..100, max in 1u32..100_000) {
            let p = RetryPolicy { base_secs: base, max_secs: max, window_secs: 3600 };
            let d = u64::from(base).saturating_mul(1u64 << n.saturating_sub(1).min(31)).min(u64::from(max.min(43_200)));
            let v = p.visibility_secs(n, unit) as u64;
            prop_assert!(v >= d / 2 && v <= d, "{v} not in [{}, {d}]", d / 2);
        }

        #[test]
        fn max_receive_count_outlasts_the_window(base in 1u32..60, max in 1u32..1000, window in 1u32..20_000) {
            let p = RetryPolicy { base_secs: base, max_secs: max.max(base), window_secs: window };
            let n = p.receives_within_window();
            let earliest: u64 = (1..n).map(|k| p.visibility_secs(k, 0.0).max(1) as u64).sum();
            prop_assert!(earliest < u64::from(window), "receive {n} at {earliest} s is inside the window");
            let next: u64 = earliest + p.visibility_secs(n, 0.0).max(1) as u64;
            prop_assert!(next >= u64::from(window), "receive {} at {next} s is still inside", n + 1);
        }
    }
}
