//! The idempotency primitive: one record per (envelope id, recipient, channel), with
//! Powertools' semantics. A worker claims an in-progress lock that lives as long as its
//! invocation, performs the side effect, then completes the record, on the condition that it
//! still holds the lock. The payload's hash, stored at claim, refuses a reused envelope id.
//!
//! States: *in progress* (stored as `pending`, locked until `lock_until`), *completed*
//! (`sent`), *failed* (`failed`, permanent or not). See docs/idempotency.md.

use std::fmt;
use std::future::Future;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use deskbell_errors::{Classify, ErrorKind};
use sha2::{Digest, Sha256};

use crate::RecordError;

/// How a recipient is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    Email,
    InApp,
}

impl Channel {
    /// The wire name, as stored in the record's sort key.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::InApp => "in_app",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Identifies one side effect: the envelope id + recipient + channel. Never `occurred_at`,
/// which a producer may change when it republishes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeliveryKey {
    pub job_id: String,
    pub recipient_id: String,
    pub channel: Channel,
}

impl fmt::Display for DeliveryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to user {} of job {}", self.channel, self.recipient_id, self.job_id)
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// In progress: locked by a worker that has not reported back yet.
    Pending,
    /// Completed: the side effect happened.
    Sent,
    Failed,
}

impl DeliveryStatus {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    /// The status of a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Sent, Self::Failed].into_iter().find(|v| v.as_str() == s)
    }
}

/// The SHA-256 (hex) of what a job asks for, stored at claim: a second claim of the same key
/// with another hash is an envelope id reused for a different payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PayloadHash(pub String);

impl PayloadHash {
    /// The hash of `bytes` (the caller's canonical form of the payload).
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// One receive of an SQS message: which message, and how many times SQS has handed it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub message_id: String,
    pub receive_count: u32,
}

impl Attempt {
    /// A lock token unique to this claim: the receive, plus randomness so that two claims of
    /// one receive (a handler invoked twice with one event) never share a lock.
    pub fn token(&self) -> String {
        format!("{}#{}#{:016x}", self.message_id, self.receive_count, fastrand::u64(..))
    }
}

/// One line of the send log: the idempotency record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub key: DeliveryKey,
    pub job_type: String,
    pub status: DeliveryStatus,
    /// Times this delivery was claimed.
    pub attempts: u32,
    /// The provider's id (SES message id) once sent.
    pub provider_id: Option<String>,
    /// The last error, once failed.
    pub error: Option<String>,
    /// Whether that error was permanent (the provider refused this recipient).
    pub permanent: bool,
    /// The SQS delivery that made the last attempt.
    pub attempt: Attempt,
    /// Until when an in-progress lock belongs to its worker.
    pub lock_until: Option<DateTime<Utc>>,
    /// The token of the last claim; the completion must present it.
    pub lock_token: Option<String>,
    /// The payload's hash, from the first claim (none on records older than the hash).
    pub payload_hash: Option<PayloadHash>,
    /// When the key was first claimed: stable across reclaims, so what a retry derives from it
    /// (an in-app notification's id) is the same.
    pub first_claimed_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl DeliveryRecord {
    /// Who holds the record now, for a lost lock's error: `pending by <token>`.
    pub fn holder(&self) -> String {
        format!("{} by {}", self.status.as_str(), self.lock_token.as_deref().unwrap_or("an older worker"))
    }

    /// Why this record stops `request` from claiming the delivery, if it does. The DynamoDB
    /// condition expression says the same thing; this is its readable twin.
    pub fn blocks(&self, request: &LockRequest<'_>) -> Option<Claim> {
        if self.payload_hash.as_ref().is_some_and(|h| h != request.payload_hash) {
            return Some(Claim::PayloadMismatch);
        }
        match self.status {
            DeliveryStatus::Sent => Some(Claim::Completed { provider_id: self.provider_id.clone() }),
            DeliveryStatus::Pending if self.lock_until.is_some_and(|until| until > request.now) => {
                Some(Claim::InFlight { until: self.lock_until })
            }
            // Refused again only while the same message is still being retried: a copy that an
            // operator redrove starts counting receives afresh, and may try again.
            DeliveryStatus::Failed
                if self.permanent
                    && self.attempt.message_id == request.attempt.message_id
                    && request.attempt.receive_count > self.attempt.receive_count =>
            {
                Some(Claim::Refused { error: self.error.clone().unwrap_or_default() })
            }
            _ => None,
        }
    }
}

/// What a worker asks for when it claims a delivery.
#[derive(Debug, Clone)]
pub struct LockRequest<'a> {
    pub key: &'a DeliveryKey,
    pub job_type: &'a str,
    pub payload_hash: &'a PayloadHash,
    pub attempt: &'a Attempt,
    /// This claim's token ([`Attempt::token`]).
    pub token: &'a str,
    pub now: DateTime<Utc>,
    /// When the lock lapses if the worker never reports back ([`LockExpiry::until`]).
    pub until: DateTime<Utc>,
}

/// An in-progress lock this worker holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    pub key: DeliveryKey,
    pub job_type: String,
    pub token: String,
    pub attempt: Attempt,
    /// When the key was first claimed, by any worker.
    pub first_claimed_at: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

/// What a claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This worker holds the lock now: perform the side effect, then complete or fail.
    Acquired(Lock),
    /// Completed by an earlier delivery of the same job: do nothing.
    Completed { provider_id: Option<String> },
    /// Another worker holds the lock until `until`: try again later.
    InFlight { until: Option<DateTime<Utc>> },
    /// This same SQS message was already refused permanently on an earlier receive.
    Refused { error: String },
    /// The key was claimed for a different payload: the envelope id was reused.
    PayloadMismatch,
}

/// How long an in-progress lock lives: Powertools ties it to the remaining invocation time.
/// A worker that dies (timeout, crash) frees its locks at its deadline plus `margin`; without
/// a deadline (a hand-built context), the lock lives `fallback`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockExpiry {
    /// Past the invocation's deadline, for clocks that disagree by a little.
    pub margin: Duration,
    pub fallback: Duration,
}

impl Default for LockExpiry {
    fn default() -> Self {
        Self { margin: Duration::seconds(5), fallback: Duration::seconds(60) }
    }
}

impl LockExpiry {
    /// When a lock taken at `now` by an invocation that must answer by `deadline` lapses.
    pub fn until(&self, now: DateTime<Utc>, deadline: Option<DateTime<Utc>>) -> DateTime<Utc> {
        match deadline {
            Some(deadline) => deadline.max(now) + self.margin,
            None => now + self.fallback,
        }
    }
}

/// Why a completion (or a failure report) was not written.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FinishError {
    #[error(transparent)]
    Table(#[from] RecordError),
    /// Another worker claimed the key after this one's lock lapsed: its record stands, and
    /// this worker's side effect may have been repeated by it.
    #[error("{key}: lock {token} was lost before its outcome was written (now {holder})")]
    LockLost { key: DeliveryKey, token: String, holder: String },
}

impl Classify for FinishError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Table(e) => e.kind(),
            // The record comes back and finds the other worker's outcome.
            Self::LockLost { .. } => ErrorKind::Transient,
        }
    }
}

/// The outcome a worker reports for its lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome<'a> {
    /// Done; with the provider's id when there is one.
    Completed { provider_id: Option<&'a str> },
    /// Not done: `permanent` when retrying cannot help.
    Failed { error: &'a str, permanent: bool },
}

/// The store of idempotency records.
///
/// A claim succeeds when there is no record, when the last attempt failed, or when an
/// in-progress lock lapsed (its worker died between side effect and completion: the only case
/// in which a side effect can be repeated). [`finish`](DeliveryLog::finish) writes only while
/// the lock's token is still the record's.
pub trait DeliveryLog: Send + Sync {
    /// Takes the lock, or says what stands in the way.
    fn claim(&self, request: &LockRequest<'_>) -> impl Future<Output = Result<Claim, RecordError>> + Send;

    /// Writes `outcome` on the condition that `lock` is still held; once, no retry.
    fn finish(
        &self,
        lock: &Lock,
        outcome: &DeliveryOutcome<'_>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), FinishError>> + Send;

    /// The record of one delivery, if any.
    fn get(&self, key: &DeliveryKey) -> impl Future<Output = Result<Option<DeliveryRecord>, RecordError>> + Send;
}

/// How often and how soon a failed outcome write is tried again in process: a completion lost
/// to a passing throttle would otherwise leave the record pending, and the next receive, once
/// the lock lapses, would repeat the side effect. Once the side effect is done, recording it is
/// all that is left to do, so the write is tried for long: up to `retries` times, the wait
/// doubling from `base` up to [`FINISH_MAX_WAIT`]. Past the lock's lapse too: the write is
/// conditioned on the lock's token, not on the time, so it lands while nobody has reclaimed
/// the key, and is refused as a lost lock once somebody has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FinishRetry {
    /// Tries after the first, at most.
    pub retries: u32,
    /// The first wait; doubled each time, up to [`FINISH_MAX_WAIT`].
    pub base: StdDuration,
}

/// The longest wait between two tries of an outcome write.
pub const FINISH_MAX_WAIT: StdDuration = StdDuration::from_secs(1);

impl Default for FinishRetry {
    /// 50 ms, 100 ms … 1 s: about 16 s of tries, within every function's timeout (30 s), so a
    /// DynamoDB outage that short costs no repeated email.
    fn default() -> Self {
        Self { retries: 20, base: StdDuration::from_millis(50) }
    }
}

/// Writes `outcome` for `lock`, retrying transient table errors per `retry`. A lost lock is
/// not retried: it is logged and answered as [`FinishError::LockLost`].
pub async fn finish<L: DeliveryLog>(
    log: &L,
    lock: &Lock,
    outcome: &DeliveryOutcome<'_>,
    now: DateTime<Utc>,
    retry: FinishRetry,
) -> Result<(), FinishError> {
    let mut wait = retry.base;
    let mut tries = 0;
    loop {
        match log.finish(lock, outcome, now).await {
            Ok(()) => return Ok(()),
            Err(err @ FinishError::LockLost { .. }) => {
                tracing::error!(key = %lock.key, token = %lock.token, error = %err, "idempotency lock lost");
                return Err(err);
            }
            Err(err) if tries < retry.retries && err.kind() == ErrorKind::Transient => {
                tracing::warn!(key = %lock.key, error = %err, tries, "outcome not written, retrying");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(FINISH_MAX_WAIT);
                tries += 1;
            }
            Err(err) => return Err(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryRecords;

    fn key() -> DeliveryKey {
        DeliveryKey { job_id: "j1".into(), recipient_id: "u1".into(), channel: Channel::Email }
    }

    fn at(message_id: &str, receive_count: u32) -> Attempt {
        Attempt { message_id: message_id.into(), receive_count }
    }

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    fn hash(payload: &str) -> PayloadHash {
        PayloadHash::of(payload.as_bytes())
    }

    /// Claims `key()` for `payload` as receive `attempt` at `now`, locked for 60 s.
    async fn claim(log: &MemoryRecords, attempt: &Attempt, payload: &str, now: DateTime<Utc>) -> Claim {
        let (hash, token) = (hash(payload), attempt.token());
        let request = LockRequest {
            key: &key(),
            job_type: "user.welcome",
            payload_hash: &hash,
            attempt,
            token: &token,
            now,
            until: now + Duration::seconds(60),
        };
        log.claim(&request).await.unwrap()
    }

    fn acquired(claim: Claim) -> Lock {
        match claim {
            Claim::Acquired(lock) => lock,
            other => panic!("expected the lock, got {other:?}"),
        }
    }

    const SENT: DeliveryOutcome<'static> = DeliveryOutcome::Completed { provider_id: Some("ses-1") };
    const NO_WAIT: FinishRetry = FinishRetry { retries: 3, base: StdDuration::from_millis(1) };

    #[tokio::test]
    async fn completed_delivery_is_found_completed_by_the_next_claim() {
        let log = MemoryRecords::default();
        let lock = acquired(claim(&log, &at("m1", 1), "p", t(0)).await);
        finish(&log, &lock, &SENT, t(1), NO_WAIT).await.unwrap();
        assert_eq!(claim(&log, &at("m2", 1), "p", t(2)).await, Claim::Completed { provider_id: Some("ses-1".into()) });
    }

    #[tokio::test]
    async fn lock_held_by_another_worker_is_in_flight_until_it_lapses_then_reclaimable() {
        let log = MemoryRecords::default();
        let first = acquired(claim(&log, &at("m1", 1), "p", t(0)).await);
        assert_eq!(claim(&log, &at("m2", 1), "p", t(59)).await, Claim::InFlight { until: Some(t(60)) });
        let second = acquired(claim(&log, &at("m2", 1), "p", t(60)).await);
        assert_ne!(first.token, second.token);
        // The first claim's time survives the reclaim: what derives from it repeats.
        assert_eq!(second.first_claimed_at, t(0));
        assert_eq!(DeliveryLog::get(&log, &key()).await.unwrap().unwrap().attempts, 2);
    }

    #[tokio::test]
    async fn completion_after_losing_the_lock_is_a_typed_error_and_overwrites_nothing() {
        let log = MemoryRecords::default();
        let slow = acquired(claim(&log, &at("m1", 1), "p", t(0)).await);
        let fast = acquired(claim(&log, &at("m1", 2), "p", t(61)).await);
        let err = finish(&log, &slow, &SENT, t(62), NO_WAIT).await.unwrap_err();
        assert!(matches!(&err, FinishError::LockLost { token, .. } if *token == slow.token), "{err}");
        assert!(err.to_string().contains("lost"), "{err}");
        let record = DeliveryLog::get(&log, &key()).await.unwrap().unwrap();
        assert_eq!((record.status, record.lock_token.as_deref()), (DeliveryStatus::Pending, Some(fast.token.as_str())));
        // A failure report from the loser is refused the same way.
        let failed = DeliveryOutcome::Failed { error: "x", permanent: true };
        assert!(matches!(finish(&log, &slow, &failed, t(62), NO_WAIT).await, Err(FinishError::LockLost { .. })));
        finish(&log, &fast, &SENT, t(63), NO_WAIT).await.unwrap();
    }

    #[tokio::test]
    async fn reused_envelope_id_with_a_different_payload_is_refused_whatever_the_state() {
        let log = MemoryRecords::default();
        let lock = acquired(claim(&log, &at("m1", 1), "first", t(0)).await);
        assert_eq!(claim(&log, &at("m2", 1), "second", t(1)).await, Claim::PayloadMismatch);
        finish(&log, &lock, &SENT, t(2), NO_WAIT).await.unwrap();
        assert_eq!(claim(&log, &at("m2", 1), "second", t(3)).await, Claim::PayloadMismatch);
        let record = DeliveryLog::get(&log, &key()).await.unwrap().unwrap();
        assert_eq!((record.status, record.payload_hash), (DeliveryStatus::Sent, Some(hash("first"))));
    }

    #[tokio::test]
    async fn transient_failure_frees_the_key_and_permanent_refusal_holds_for_the_same_message_only() {
        let log = MemoryRecords::default();
        let lock = acquired(claim(&log, &at("m1", 1), "p", t(0)).await);
        finish(&log, &lock, &DeliveryOutcome::Failed { error: "Throttling", permanent: false }, t(1), NO_WAIT)
            .await
            .unwrap();
        let lock = acquired(claim(&log, &at("m1", 2), "p", t(2)).await);
        finish(&log, &lock, &DeliveryOutcome::Failed { error: "MessageRejected", permanent: true }, t(3), NO_WAIT)
            .await
            .unwrap();
        assert_eq!(claim(&log, &at("m1", 3), "p", t(4)).await, Claim::Refused { error: "MessageRejected".into() });
        // A redriven copy starts counting receives afresh: an operator decided to try again.
        acquired(claim(&log, &at("m1", 1), "p", t(5)).await);
    }

    #[tokio::test]
    async fn completion_write_failing_once_is_retried_in_process() {
        let log = MemoryRecords::default();
        let lock = acquired(claim(&log, &at("m1", 1), "p", t(0)).await);
        log.fail_next_finishes(1).await;
        finish(&log, &lock, &SENT, t(1), NO_WAIT).await.unwrap();
        assert_eq!(DeliveryLog::get(&log, &key()).await.unwrap().unwrap().status, DeliveryStatus::Sent);
    }

    #[tokio::test]
    async fn completion_write_failing_past_its_retries_answers_the_table_error() {
        let log = MemoryRecords::default();
        let lock = acquired(claim(&log, &at("m1", 1), "p", t(0)).await);
        log.fail_next_finishes(NO_WAIT.retries + 1).await;
        let err = finish(&log, &lock, &SENT, t(1), NO_WAIT).await.unwrap_err();
        assert!(matches!(err, FinishError::Table(_)), "{err}");
        assert_eq!(DeliveryLog::get(&log, &key()).await.unwrap().unwrap().status, DeliveryStatus::Pending);
    }

    /// A table failing for seconds, past the lock's lapse (nobody reclaimed meanwhile): the
    /// default retries outlast it and the outcome lands. Paused time: the waits are counted,
    /// not slept.
    #[tokio::test(start_paused = true)]
    async fn completion_write_failing_for_seconds_lands_with_the_default_retries() {
        let log = MemoryRecords::default();
        let lock = acquired(claim(&log, &at("m1", 1), "p", t(0)).await);
        log.fail_next_finishes(12).await;
        let started = tokio::time::Instant::now();
        finish(&log, &lock, &SENT, t(59), FinishRetry::default()).await.unwrap();
        assert!(started.elapsed() >= StdDuration::from_secs(8), "tried for {:?}", started.elapsed());
        assert_eq!(DeliveryLog::get(&log, &key()).await.unwrap().unwrap().status, DeliveryStatus::Sent);
    }

    #[test]
    fn lock_lives_until_the_deadline_and_a_margin_or_the_fallback_without_one() {
        let expiry = LockExpiry { margin: Duration::seconds(5), fallback: Duration::seconds(60) };
        assert_eq!(expiry.until(t(0), Some(t(30))), t(35));
        assert_eq!(expiry.until(t(0), None), t(60));
        // A deadline already past still gives the margin, never a lock in the past.
        assert_eq!(expiry.until(t(10), Some(t(0))), t(15));
    }

    #[test]
    fn payload_hashes_are_hex_sha256() {
        assert_eq!(hash("").0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_ne!(hash("a"), hash("b"));
    }
}
