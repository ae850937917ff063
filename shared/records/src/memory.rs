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
    /// Outcome writes still to fail (transiently), for tests of the in-process retry.
    finish_faults: Mutex<u32>,
}

impl MemoryRecords {
    /// Every delivery record, in no particular order.
    pub async fn deliveries(&self) -> Vec<DeliveryRecord> {
        self.deliveries.lock().await.values().cloned().collect()
    }

    /// Makes the next `n` outcome writes fail with a transient table error.
    pub async fn fail_next_finishes(&self, n: u32) {
        *self.finish_faults.lock().await = n;
    }

    /// Every failure record, in no particular order.
    pub async fn failures(&self) -> Vec<FailureRecord> {
        self.failures.lock().await.values().cloned().collect()
    }
}

impl DeliveryLog for MemoryRecords {
    async fn claim(&self, request: &LockRequest<'_>) -> Result<Claim, RecordError> {
        let mut map = self.deliveries.lock().await;
        let existing = map.get(request.key);
        if let Some(blocked) = existing.and_then(|r| r.blocks(request)) {
            return Ok(blocked);
        }
        let attempts = existing.map_or(0, |r| r.attempts) + 1;
        let first_claimed_at = existing.and_then(|r| r.first_claimed_at).unwrap_or(request.now);
        let payload_hash =
            existing.and_then(|r| r.payload_hash.clone()).unwrap_or_else(|| request.payload_hash.clone());
        map.insert(
            request.key.clone(),
            DeliveryRecord {
                key: request.key.clone(),
                job_type: request.job_type.to_owned(),
                status: DeliveryStatus::Pending,
                attempts,
                provider_id: None,
                error: None,
                permanent: false,
                attempt: request.attempt.clone(),
                lock_until: Some(request.until),
                lock_token: Some(request.token.to_owned()),
                payload_hash: Some(payload_hash),
                first_claimed_at: Some(first_claimed_at),
                updated_at: request.now,
            },
        );
        Ok(Claim::Acquired(Lock {
            key: request.key.clone(),
            job_type: request.job_type.to_owned(),
            token: request.token.to_owned(),
            attempt: request.attempt.clone(),
            first_claimed_at,
            until: request.until,
        }))
    }

    async fn finish(&self, lock: &Lock, outcome: &DeliveryOutcome<'_>, now: DateTime<Utc>) -> Result<(), FinishError> {
        {
            let mut faults = self.finish_faults.lock().await;
            if *faults > 0 {
                *faults -= 1;
                return Err(FinishError::Table(RecordError {
                    table: "memory".into(),
                    operation: "finish delivery",
                    message: "injected fault".into(),
                    kind: deskbell_errors::ErrorKind::Transient,
                }));
            }
        }
        let mut map = self.deliveries.lock().await;
        let record = map
            .get_mut(&lock.key)
            .filter(|r| r.lock_token.as_deref() == Some(lock.token.as_str()) && r.status == DeliveryStatus::Pending);
        let Some(record) = record else {
            let holder = map.get(&lock.key).map_or_else(|| "no record".to_owned(), DeliveryRecord::holder);
            return Err(FinishError::LockLost { key: lock.key.clone(), token: lock.token.clone(), holder });
        };
        match *outcome {
            DeliveryOutcome::Completed { provider_id } => {
                record.status = DeliveryStatus::Sent;
                record.provider_id = provider_id.map(str::to_owned);
                record.error = None;
            }
            DeliveryOutcome::Failed { error, permanent } => {
                record.status = DeliveryStatus::Failed;
                record.error = Some(error.to_owned());
                record.permanent = permanent;
            }
        }
        record.lock_until = None;
        record.updated_at = now;
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
