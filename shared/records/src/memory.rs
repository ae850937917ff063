//! In-memory job records, for unit tests of the functions' logic.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::Mutex;

use crate::*;

/// Job records kept in memory; behaves like [`DynamoRecords`].
#[derive(Default)]
pub struct MemoryRecords {
    deliveries: Mutex<HashMap<DeliveryKey, DeliveryRecord>>,
    failures: Mutex<HashMap<String, FailureRecord>>,
    reports: Mutex<HashMap<String, ReportRecord>>,
}

impl MemoryRecords {
    /// Every delivery record, in no particular order.
    pub async fn deliveries(&self) -> Vec<DeliveryRecord> {
        self.deliveries.lock().await.values().cloned().collect()
    }

    /// Every failure record, in no particular order.
    pub async fn failures(&self) -> Vec<FailureRecord> {
        self.failures.lock().await.values().cloned().collect()
    }
}

impl DeliveryLog for MemoryRecords {
    async fn claim(
        &self,
        key: &DeliveryKey,
        job_type: &str,
        attempt: &Attempt,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Claim, RecordError> {
        let mut map = self.deliveries.lock().await;
        if let Some(blocked) = map.get(key).and_then(|r| r.blocks(attempt, now)) {
            return Ok(blocked);
        }
        let attempts = map.get(key).map_or(0, |r| r.attempts) + 1;
        map.insert(
            key.clone(),
            DeliveryRecord {
                key: key.clone(),
                job_type: job_type.to_owned(),
                status: DeliveryStatus::Pending,
                attempts,
                provider_id: None,
                error: None,
                permanent: false,
                attempt: attempt.clone(),
                lease_until: Some(now + lease),
                updated_at: now,
            },
        );
        Ok(Claim::Acquired)
    }

    async fn mark_sent(
        &self,
        key: &DeliveryKey,
        job_type: &str,
        attempt: &Attempt,
        provider_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), RecordError> {
        let mut map = self.deliveries.lock().await;
        let record = map.entry(key.clone()).or_insert_with(|| DeliveryRecord {
            key: key.clone(),
            job_type: job_type.to_owned(),
            status: DeliveryStatus::Pending,
            attempts: 1,
            provider_id: None,
            error: None,
            permanent: false,
            attempt: attempt.clone(),
            lease_until: None,
            updated_at: now,
        });
        record.status = DeliveryStatus::Sent;
        record.provider_id = provider_id.map(str::to_owned);
        record.error = None;
        record.attempt = attempt.clone();
        record.lease_until = None;
        record.updated_at = now;
        Ok(())
    }

    async fn mark_failed(
        &self,
        key: &DeliveryKey,
        attempt: &Attempt,
        error: &str,
        permanent: bool,
        now: DateTime<Utc>,
    ) -> Result<(), RecordError> {
        if let Some(record) = self.deliveries.lock().await.get_mut(key) {
            record.status = DeliveryStatus::Failed;
            record.error = Some(error.to_owned());
            record.permanent = permanent;
            record.attempt = attempt.clone();
            record.lease_until = None;
            record.updated_at = now;
        }
        Ok(())
    }

    async fn get(&self, key: &DeliveryKey) -> Result<Option<DeliveryRecord>, RecordError> {
        Ok(self.deliveries.lock().await.get(key).cloned())
    }
}

impl ReportLog for MemoryRecords {
    async fn start(
        &self,
        report_id: &str,
        requested_at: DateTime<Utc>,
        _attempt: &Attempt,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<ReportStart, RecordError> {
        let mut reports = self.reports.lock().await;
        let record = reports.entry(report_id.to_owned()).or_insert_with(|| ReportRecord {
            report_id: report_id.to_owned(),
            status: ReportStatus::Requested,
            requested_at,
            started_at: None,
            finished_at: None,
            outcome: None,
            error: None,
            attempts: 0,
            lease_until: None,
        });
        if let Some(blocked) = record.blocks(now) {
            return Ok(blocked);
        }
        record.status = ReportStatus::Running;
        record.started_at = Some(now);
        record.attempts += 1;
        record.lease_until = Some(now + lease);
        record.error = None;
        Ok(ReportStart::Acquired)
    }

    async fn succeed(&self, report_id: &str, outcome: &ReportOutcome, now: DateTime<Utc>) -> Result<(), RecordError> {
        if let Some(r) = self.reports.lock().await.get_mut(report_id) {
            r.status = ReportStatus::Succeeded;
            r.outcome = Some(outcome.clone());
            r.finished_at = Some(now);
            r.lease_until = None;
        }
        Ok(())
    }

    async fn fail(&self, report_id: &str, error: &str, now: DateTime<Utc>) -> Result<(), RecordError> {
        if let Some(r) = self.reports.lock().await.get_mut(report_id) {
            r.status = ReportStatus::Failed;
            r.error = Some(error.to_owned());
            r.finished_at = Some(now);
            r.lease_until = None;
        }
        Ok(())
    }

    async fn get_report(&self, report_id: &str) -> Result<Option<ReportRecord>, RecordError> {
        Ok(self.reports.lock().await.get(report_id).cloned())
    }
}

impl FailureLog for MemoryRecords {
    async fn record(&self, failure: &FailureRecord) -> Result<(), RecordError> {
        self.failures.lock().await.insert(failure.message_id.clone(), failure.clone());
        Ok(())
    }

    async fn get(&self, message_id: &str) -> Result<Option<FailureRecord>, RecordError> {
        Ok(self.failures.lock().await.get(message_id).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> DeliveryKey {
        DeliveryKey { job_id: "j1".into(), recipient_id: "u1".into(), channel: Channel::Email }
    }

    fn at(message_id: &str, receive_count: u32) -> Attempt {
        Attempt { message_id: message_id.into(), receive_count }
    }

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[tokio::test]
    async fn second_claim_after_send_finds_it_sent() {
        let log = MemoryRecords::default();
        let lease = Duration::seconds(60);
        assert_eq!(log.claim(&key(), "x", &at("m1", 1), t(0), lease).await.unwrap(), Claim::Acquired);
        log.mark_sent(&key(), "x", &at("m1", 1), Some("ses-1"), t(1)).await.unwrap();
        assert_eq!(log.claim(&key(), "x", &at("m2", 1), t(2), lease).await.unwrap(), Claim::AlreadySent);
    }

    #[tokio::test]
    async fn pending_claim_blocks_until_its_lease_runs_out() {
        let log = MemoryRecords::default();
        let lease = Duration::seconds(60);
        log.claim(&key(), "x", &at("m1", 1), t(0), lease).await.unwrap();
        assert_eq!(log.claim(&key(), "x", &at("m1", 1), t(59), lease).await.unwrap(), Claim::InFlight);
        assert_eq!(log.claim(&key(), "x", &at("m1", 1), t(60), lease).await.unwrap(), Claim::Acquired);
        assert_eq!(DeliveryLog::get(&log, &key()).await.unwrap().unwrap().attempts, 2);
    }

    #[tokio::test]
    async fn permanent_refusal_holds_for_the_same_message_only() {
        let log = MemoryRecords::default();
        let lease = Duration::seconds(60);
        log.claim(&key(), "x", &at("m1", 1), t(0), lease).await.unwrap();
        log.mark_failed(&key(), &at("m1", 1), "MessageRejected", true, t(1)).await.unwrap();
        assert_eq!(
            log.claim(&key(), "x", &at("m1", 2), t(2), lease).await.unwrap(),
            Claim::Refused { error: "MessageRejected".into() }
        );
        // A redriven copy starts counting receives afresh: an operator decided to try again.
        assert_eq!(log.claim(&key(), "x", &at("m1", 1), t(3), lease).await.unwrap(), Claim::Acquired);
    }
}
