//! How long a transiently failed record waits before SQS hands it out again.

/// Exponential back-off with jitter, applied through the record's visibility timeout.
///
/// The n-th receive waits `d = min(max, base × 2^(n-1))` seconds, jittered into `[d/2, d]`
/// ("equal jitter": spread out, yet never close to zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub base_secs: u32,
    pub max_secs: u32,
}

/// SQS refuses visibility timeouts above 12 hours.
const SQS_MAX_VISIBILITY_SECS: u32 = 43_200;

impl Default for RetryPolicy {
    /// 10 s, 20 s, 40 s ... capped at 15 minutes.
    fn default() -> Self {
        Self { base_secs: 10, max_secs: 900 }
    }
}

impl RetryPolicy {
    /// The visibility timeout for a record received `receive_count` times; `unit` in `[0, 1)`
    /// picks the jitter (pass a random number).
    pub fn visibility_secs(&self, receive_count: u32, unit: f64) -> i32 {
        let max = self.max_secs.clamp(1, SQS_MAX_VISIBILITY_SECS);
        let exponent = receive_count.saturating_sub(1).min(31);
        let delay = u64::from(self.base_secs.max(1)).saturating_mul(1u64 << exponent).min(u64::from(max));
        let half = delay / 2;
        let jitter = ((delay - half) as f64 * unit.clamp(0.0, 1.0)).round() as u64;
        i32::try_from(half + jitter).unwrap_or(i32::MAX)
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

    proptest! {
        #[test]
        fn stays_within_half_and_whole_delay(n in 0u32..100, unit in 0.0f64..1.0, base in 1u32..100, max in 1u32..100_000) {
            let p = RetryPolicy { base_secs: base, max_secs: max };
            let d = u64::from(base).saturating_mul(1u64 << n.saturating_sub(1).min(31)).min(u64::from(max.min(43_200)));
            let v = p.visibility_secs(n, unit) as u64;
            prop_assert!(v >= d / 2 && v <= d, "{v} not in [{}, {d}]", d / 2);
        }
    }
}
