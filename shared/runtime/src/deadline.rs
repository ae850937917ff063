//! The invocation's deadline, as the Lambda runtime hands it over.

use chrono::{DateTime, Duration, Utc};

/// Epoch milliseconds of 2001-09-09: no real deadline is earlier.
const EPOCH_DEADLINES_FROM: u64 = 1_000_000_000_000;

/// The invocation's deadline from the runtime's `deadline_ms`. Lambda sends epoch
/// milliseconds. 0 means no deadline (a hand-built `Context`). `cargo lambda watch` (1.9)
/// sends the timeout itself (600000): a value too small to be an epoch time is read as
/// milliseconds from `now`.
pub fn deadline_of(deadline_ms: u64, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let ms = i64::try_from(deadline_ms).ok()?;
    match deadline_ms {
        0 => None,
        d if d < EPOCH_DEADLINES_FROM => Some(now + Duration::milliseconds(ms)),
        _ => DateTime::from_timestamp_millis(ms),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_are_epoch_milliseconds_or_a_local_runners_timeout() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert_eq!(deadline_of(0, now), None);
        assert_eq!(deadline_of(1_800_000_300_000, now), Some(now + Duration::seconds(300)));
        assert_eq!(deadline_of(600_000, now), Some(now + Duration::seconds(600)));
        assert_eq!(deadline_of(u64::MAX, now), None);
    }
}
