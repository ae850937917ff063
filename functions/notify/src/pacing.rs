//! How fast and how far a job's fan-out goes: the deliveries of one job at once, the
//! provider's send rate (shared by the whole function instance), and the invocation's deadline.

use std::fmt;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::Mutex;
use tokio::time::Instant;

/// The limits of one job's fan-out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pacing {
    /// Deliveries of one job in flight at once (`DESKBELL_DELIVERY_CONCURRENCY`).
    pub concurrency: usize,
    /// Emails per second for the whole instance (`DESKBELL_SES_MAX_SEND_RATE`, SES's
    /// `MaxSendRate`); 0 does not pace.
    pub max_send_rate: f64,
    /// No delivery starts when less than this is left before the invocation's deadline
    /// (`DESKBELL_DEADLINE_MARGIN_SECS`): one send and its completion write must fit.
    pub deadline_margin: Duration,
}

impl Default for Pacing {
    fn default() -> Self {
        Self { concurrency: 8, max_send_rate: 14.0, deadline_margin: deskbell_jobs::DEFAULT_DEADLINE_MARGIN }
    }
}

impl Pacing {
    /// Whether a delivery starting at `now` is too close to `deadline` (none: never).
    pub fn deadline_near(&self, now: DateTime<Utc>, deadline: Option<DateTime<Utc>>) -> bool {
        deadline.is_some_and(|d| d - now < self.deadline_margin)
    }
}

/// The clock the act step reads to watch its deadline (a test passes its own).
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self(Arc::new(Utc::now))
    }

    /// A clock that answers `now()`.
    pub fn from_fn(now: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        Self(Arc::new(now))
    }

    /// The time now.
    pub fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}

/// A send-rate limiter (GCRA): at most `rate` sends per second on average, with bursts of
/// one second's worth, across every job the instance runs at once.
#[derive(Debug)]
pub struct SendRate {
    interval: StdDuration,
    burst: StdDuration,
    /// The theoretical arrival time of the next send.
    next: Mutex<Option<Instant>>,
}

impl SendRate {
    /// `rate` sends per second; 0, negative or not finite: no limit.
    pub fn per_second(rate: f64) -> Self {
        let interval =
            if rate.is_finite() && rate > 0.0 { StdDuration::from_secs_f64(1.0 / rate) } else { StdDuration::ZERO };
        let burst = StdDuration::from_secs(1).saturating_sub(interval);
        Self { interval, burst, next: Mutex::new(None) }
    }

    /// Waits for this send's turn.
    pub async fn wait(&self) {
        if self.interval.is_zero() {
            return;
        }
        let (slot, now) = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let tat = next.map_or(now, |t| t.max(now));
            *next = Some(tat + self.interval);
            (tat.checked_sub(self.burst).map_or(now, |s| s.max(now)), now)
        };
        // Within the burst: no timer, no yield.
        if slot > now {
            tokio::time::sleep_until(slot).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn sends_past_one_seconds_burst_are_spaced_at_the_rate() {
        let rate = SendRate::per_second(10.0);
        let start = Instant::now();
        for _ in 0..10 {
            rate.wait().await;
        }
        assert!(start.elapsed() < StdDuration::from_millis(100), "a burst of 10: {:?}", start.elapsed());
        for _ in 0..10 {
            rate.wait().await;
        }
        let elapsed = start.elapsed();
        assert!(elapsed >= StdDuration::from_millis(990), "20 sends at 10/s: {elapsed:?}");
        assert!(elapsed < StdDuration::from_millis(1100), "20 sends at 10/s: {elapsed:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn no_rate_means_no_wait() {
        let rate = SendRate::per_second(0.0);
        let start = Instant::now();
        for _ in 0..1000 {
            rate.wait().await;
        }
        assert_eq!(start.elapsed(), StdDuration::ZERO);
    }

    #[test]
    fn deadline_is_near_within_the_margin_only() {
        let pacing = Pacing { deadline_margin: Duration::seconds(5), ..Pacing::default() };
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert!(!pacing.deadline_near(now, None));
        assert!(!pacing.deadline_near(now, Some(now + Duration::seconds(5))));
        assert!(pacing.deadline_near(now, Some(now + Duration::milliseconds(4999))));
        assert!(pacing.deadline_near(now, Some(now - Duration::seconds(1))));
    }
}
