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
    health: MemoryHealth,
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

/// Health-check records in memory ([`OutcomeLog`], [`OutcomeCounts`], [`IncidentLog`]), kept
/// beside the others in a [`MemoryRecords`].
#[derive(Default)]
pub(crate) struct MemoryHealth {
    /// (queue, hour) → counters.
    hours: Mutex<std::collections::BTreeMap<(String, DateTime<Utc>), HourOutcomes>>,
    incidents: Mutex<HashMap<String, Incident>>,
    waiting: Mutex<HashMap<String, DateTime<Utc>>>,
}

impl OutcomeLog for MemoryRecords {
    async fn count(&self, queue: &str, outcome: Outcome, at: DateTime<Utc>) -> Result<(), RecordError> {
        let hour = hour_of(at);
        let mut hours = self.health.hours.lock().await;
        let h =
            hours.entry((queue.to_owned(), hour)).or_insert(HourOutcomes { hour, done: 0, failed: 0, last_at: None });
        match outcome {
            Outcome::Done => h.done += 1,
            Outcome::Failed => h.failed += 1,
        }
        h.last_at = Some(at);
        Ok(())
    }
}

impl OutcomeCounts for MemoryRecords {
    async fn hours(
        &self,
        queue: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<HourOutcomes>, RecordError> {
        let (from, to) = (hour_of(from), hour_of(to));
        let hours = self.health.hours.lock().await;
        Ok(hours.iter().filter(|((q, h), _)| q == queue && *h >= from && *h <= to).map(|(_, v)| v.clone()).collect())
    }

    async fn latest(&self, queue: &str) -> Result<Option<HourOutcomes>, RecordError> {
        let hours = self.health.hours.lock().await;
        Ok(hours.iter().filter(|((q, _), _)| q == queue).map(|(_, v)| v.clone()).next_back())
    }
}

impl IncidentLog for MemoryRecords {
    async fn incident(&self, key: &str) -> Result<Option<Incident>, RecordError> {
        Ok(self.health.incidents.lock().await.get(key).cloned())
    }

    async fn raise(&self, incident: &Incident) -> Result<bool, RecordError> {
        let mut map = self.health.incidents.lock().await;
        if map.get(&incident.key).is_some_and(|i| i.state == IncidentState::Raised) {
            return Ok(false);
        }
        let stored = Incident { state: IncidentState::Raised, cleared_at: None, notified: false, ..incident.clone() };
        map.insert(incident.key.clone(), stored);
        Ok(true)
    }

    async fn clear(&self, key: &str, incident_id: &str, at: DateTime<Utc>) -> Result<bool, RecordError> {
        let mut map = self.health.incidents.lock().await;
        match map.get_mut(key) {
            Some(i) if i.state == IncidentState::Raised && i.incident_id == incident_id => {
                i.state = IncidentState::Cleared;
                i.cleared_at = Some(at);
                i.notified = false;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn mark_notified(&self, key: &str, incident_id: &str, state: IncidentState) -> Result<(), RecordError> {
        if let Some(i) = self.health.incidents.lock().await.get_mut(key)
            && i.incident_id == incident_id
            && i.state == state
        {
            i.notified = true;
        }
        Ok(())
    }

    async fn waiting_since(&self, queue: &str) -> Result<Option<DateTime<Utc>>, RecordError> {
        Ok(self.health.waiting.lock().await.get(queue).copied())
    }

    async fn set_waiting_since(&self, queue: &str, since: Option<DateTime<Utc>>) -> Result<(), RecordError> {
        let mut waiting = self.health.waiting.lock().await;
        match since {
            Some(t) => waiting.insert(queue.to_owned(), t),
            None => waiting.remove(queue),
        };
        Ok(())
    }
}
