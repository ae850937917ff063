//! Job records in DynamoDB.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use aws_smithy_runtime_api::http::Response;
use chrono::{DateTime, Duration, SecondsFormat, Utc};

use crate::*;

type Item = HashMap<String, AttributeValue>;

/// Job records in one DynamoDB table (`pk`, `sk`; TTL on `expires_at`).
#[derive(Clone)]
pub struct DynamoRecords {
    client: Client,
    table: String,
    retention: Duration,
}

impl DynamoRecords {
    /// Records in `table`, each kept for `retention` (the TTL DynamoDB expires them by).
    pub fn new(client: Client, table: impl Into<String>, retention: Duration) -> Self {
        Self { client, table: table.into(), retention }
    }

    fn error<E>(&self, operation: &'static str, err: &SdkError<E, Response>) -> RecordError
    where
        E: ProvideErrorMetadata + std::error::Error,
    {
        RecordError::from_sdk(&self.table, operation, err)
    }

    /// One item by key, read consistently (a claim decision must see the latest write).
    async fn get_item(
        &self,
        (pk, sk): (AttributeValue, AttributeValue),
        operation: &'static str,
    ) -> Result<Option<Item>, RecordError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", pk)
            .key("sk", sk)
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| self.error(operation, &e))?;
        Ok(out.item)
    }

    fn expires_at(&self, now: DateTime<Utc>) -> AttributeValue {
        n((now + self.retention).timestamp())
    }
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn delivery_pk(key: &DeliveryKey) -> (AttributeValue, AttributeValue) {
    (s(format!("delivery#{}", key.job_id)), s(format!("{}#{}", key.channel, key.recipient_id)))
}

fn failure_pk(message_id: &str) -> (AttributeValue, AttributeValue) {
    (s(format!("failure#{message_id}")), s("failure"))
}

fn get_s(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

fn get_n<T: std::str::FromStr>(item: &Item, name: &str) -> Option<T> {
    item.get(name).and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok())
}

fn get_time(item: &Item, name: &str) -> Option<DateTime<Utc>> {
    get_s(item, name).and_then(|v| DateTime::parse_from_rfc3339(&v).ok()).map(|t| t.with_timezone(&Utc))
}

fn delivery_from(key: &DeliveryKey, item: &Item) -> DeliveryRecord {
    DeliveryRecord {
        key: key.clone(),
        job_type: get_s(item, "job_type").unwrap_or_default(),
        status: get_s(item, "status").and_then(|v| DeliveryStatus::parse(&v)).unwrap_or(DeliveryStatus::Pending),
        attempts: get_n(item, "attempts").unwrap_or(0),
        provider_id: get_s(item, "provider_id"),
        error: get_s(item, "error"),
        permanent: item.get("permanent").and_then(|v| v.as_bool().ok()).copied().unwrap_or(false),
        attempt: Attempt {
            message_id: get_s(item, "message_id").unwrap_or_default(),
            receive_count: get_n(item, "receive_count").unwrap_or(0),
        },
        lock_until: get_n::<i64>(item, "lease_until_ms").and_then(DateTime::from_timestamp_millis),
        lock_token: get_s(item, "lock_token"),
        payload_hash: get_s(item, "payload_hash").map(PayloadHash),
        first_claimed_at: get_time(item, "first_claimed_at"),
        updated_at: get_time(item, "updated_at").unwrap_or_default(),
    }
}

fn time(t: DateTime<Utc>) -> AttributeValue {
    s(t.to_rfc3339_opts(SecondsFormat::Micros, true))
}

impl DeliveryLog for DynamoRecords {
    async fn claim(&self, r: &LockRequest<'_>) -> Result<Claim, RecordError> {
        let (pk, sk) = delivery_pk(r.key);
        // The same rule as DeliveryRecord::blocks, made atomic. The payload hash and the first
        // claim's time are written once and kept by every later claim.
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", pk)
            .key("sk", sk)
            .update_expression(
                "SET #status = :pending, attempts = if_not_exists(attempts, :zero) + :one, \
                 job_id = :job_id, recipient_id = :recipient_id, channel = :channel, job_type = :job_type, \
                 message_id = :mid, receive_count = :rc, lease_until_ms = :until, lock_token = :token, \
                 payload_hash = if_not_exists(payload_hash, :hash), \
                 first_claimed_at = if_not_exists(first_claimed_at, :now), updated_at = :now, \
                 expires_at = :expires, permanent = :false REMOVE #error, provider_id",
            )
            .condition_expression(
                "attribute_not_exists(pk) OR ((attribute_not_exists(payload_hash) OR payload_hash = :hash) AND (\
                 (#status = :pending AND (attribute_not_exists(lease_until_ms) OR lease_until_ms <= :now_ms)) \
                 OR (#status = :failed AND (permanent = :false OR message_id <> :mid OR receive_count >= :rc))))",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#error", "error")
            .expression_attribute_values(":pending", s(DeliveryStatus::Pending.as_str()))
            .expression_attribute_values(":failed", s(DeliveryStatus::Failed.as_str()))
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .expression_attribute_values(":job_id", s(&r.key.job_id))
            .expression_attribute_values(":recipient_id", s(&r.key.recipient_id))
            .expression_attribute_values(":channel", s(r.key.channel.as_str()))
            .expression_attribute_values(":job_type", s(r.job_type))
            .expression_attribute_values(":mid", s(&r.attempt.message_id))
            .expression_attribute_values(":rc", n(r.attempt.receive_count))
            .expression_attribute_values(":until", n(r.until.timestamp_millis()))
            .expression_attribute_values(":token", s(r.token))
            .expression_attribute_values(":hash", s(&r.payload_hash.0))
            .expression_attribute_values(":now_ms", n(r.now.timestamp_millis()))
            .expression_attribute_values(":now", time(r.now))
            .expression_attribute_values(":expires", self.expires_at(r.now))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(out) => {
                let first_claimed_at =
                    out.attributes.as_ref().and_then(|item| get_time(item, "first_claimed_at")).unwrap_or(r.now);
                Ok(Claim::Acquired(Lock {
                    key: r.key.clone(),
                    job_type: r.job_type.to_owned(),
                    token: r.token.to_owned(),
                    attempt: r.attempt.clone(),
                    first_claimed_at,
                    until: r.until,
                }))
            }
            Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                // Someone else's record stands in the way: read it to say which case this is.
                let existing = DeliveryLog::get(self, r.key).await?;
                Ok(existing.and_then(|e| e.blocks(r)).unwrap_or(Claim::InFlight { until: None }))
            }
            Err(err) => Err(self.error("claim delivery", &err)),
        }
    }

    async fn finish(&self, lock: &Lock, outcome: &DeliveryOutcome<'_>, now: DateTime<Utc>) -> Result<(), FinishError> {
        let (pk, sk) = delivery_pk(&lock.key);
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", pk)
            .key("sk", sk)
            // Still ours: nobody reclaimed the key since this worker's claim.
            .condition_expression("lock_token = :token AND #status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#error", "error")
            .expression_attribute_values(":token", s(&lock.token))
            .expression_attribute_values(":pending", s(DeliveryStatus::Pending.as_str()))
            .expression_attribute_values(":now", time(now))
            .expression_attribute_values(":expires", self.expires_at(now));
        let (wanted, update) = match *outcome {
            DeliveryOutcome::Completed { provider_id } => {
                let sent = update.expression_attribute_values(":status", s(DeliveryStatus::Sent.as_str()));
                let update = match provider_id {
                    Some(id) => sent
                        .update_expression(
                            "SET #status = :status, provider_id = :provider, updated_at = :now, \
                             expires_at = :expires REMOVE #error, lease_until_ms",
                        )
                        .expression_attribute_values(":provider", s(id)),
                    None => sent.update_expression(
                        "SET #status = :status, updated_at = :now, expires_at = :expires REMOVE #error, lease_until_ms",
                    ),
                };
                (DeliveryStatus::Sent, update)
            }
            DeliveryOutcome::Failed { error, permanent } => (
                DeliveryStatus::Failed,
                update
                    .update_expression(
                        "SET #status = :status, #error = :error, permanent = :permanent, updated_at = :now, \
                         expires_at = :expires REMOVE lease_until_ms",
                    )
                    .expression_attribute_values(":status", s(DeliveryStatus::Failed.as_str()))
                    .expression_attribute_values(":error", s(error))
                    .expression_attribute_values(":permanent", AttributeValue::Bool(permanent)),
            ),
        };
        match update.send().await {
            Ok(_) => Ok(()),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                let existing = DeliveryLog::get(self, &lock.key).await?;
                match existing {
                    // An earlier try of this very write landed (its answer was lost).
                    Some(r) if r.status == wanted && r.lock_token.as_deref() == Some(lock.token.as_str()) => Ok(()),
                    other => Err(FinishError::LockLost {
                        key: lock.key.clone(),
                        token: lock.token.clone(),
                        holder: other.as_ref().map_or_else(|| "no record".to_owned(), DeliveryRecord::holder),
                    }),
                }
            }
            Err(err) => Err(FinishError::Table(self.error("finish delivery", &err))),
        }
    }

    async fn get(&self, key: &DeliveryKey) -> Result<Option<DeliveryRecord>, RecordError> {
        let item = self.get_item(delivery_pk(key), "get delivery").await?;
        Ok(item.map(|item| delivery_from(key, &item)))
    }
}

impl FailureLog for DynamoRecords {
    async fn record(&self, f: &FailureRecord) -> Result<(), RecordError> {
        let (pk, sk) = failure_pk(&f.message_id);
        let mut put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", pk)
            .item("sk", sk)
            .item("message_id", s(&f.message_id))
            .item("queue", s(&f.queue))
            .item("error_kind", s(&f.kind))
            .item("error", s(&f.error))
            .item("attempt", n(f.attempt))
            .item("failed_at", s(f.failed_at.to_rfc3339()))
            .item("expires_at", self.expires_at(f.failed_at));
        if let Some(id) = &f.job_id {
            put = put.item("job_id", s(id));
        }
        if let Some(t) = &f.job_type {
            put = put.item("job_type", s(t));
        }
        put.send().await.map_err(|e| self.error("record failure", &e))?;
        Ok(())
    }

    async fn get(&self, message_id: &str) -> Result<Option<FailureRecord>, RecordError> {
        let item = self.get_item(failure_pk(message_id), "get failure").await?;
        Ok(item.map(|item| FailureRecord {
            message_id: message_id.to_owned(),
            queue: get_s(&item, "queue").unwrap_or_default(),
            job_id: get_s(&item, "job_id"),
            job_type: get_s(&item, "job_type"),
            kind: get_s(&item, "error_kind").unwrap_or_default(),
            error: get_s(&item, "error").unwrap_or_default(),
            attempt: get_n(&item, "attempt").unwrap_or(0),
            failed_at: get_time(&item, "failed_at").unwrap_or_default(),
        }))
    }
}

fn report_pk(report_id: &str) -> (AttributeValue, AttributeValue) {
    (s(format!("report#{report_id}")), s("report"))
}

fn report_from(report_id: &str, item: &Item) -> ReportRecord {
    let outcome = get_s(item, "key").map(|key| ReportOutcome {
        key,
        rows: get_n(item, "rows").unwrap_or(0),
        bytes: get_n(item, "bytes").unwrap_or(0),
        duration_ms: get_n(item, "duration_ms").unwrap_or(0),
    });
    ReportRecord {
        report_id: report_id.to_owned(),
        status: get_s(item, "status").and_then(|v| ReportStatus::parse(&v)).unwrap_or(ReportStatus::Requested),
        requested_at: get_time(item, "requested_at").unwrap_or_default(),
        started_at: get_time(item, "started_at"),
        finished_at: get_time(item, "finished_at"),
        outcome,
        error: get_s(item, "error"),
        attempts: get_n(item, "attempts").unwrap_or(0),
        lease_until: get_n::<i64>(item, "lease_until_ms").and_then(DateTime::from_timestamp_millis),
    }
}

impl ReportLog for DynamoRecords {
    async fn start(
        &self,
        report_id: &str,
        requested_at: DateTime<Utc>,
        attempt: &Attempt,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<ReportStart, RecordError> {
        let (pk, sk) = report_pk(report_id);
        // 1. requested, the first time this report is seen.
        let created = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", pk.clone())
            .item("sk", sk.clone())
            .item("report_id", s(report_id))
            .item("status", s(ReportStatus::Requested.as_str()))
            .item("requested_at", s(requested_at.to_rfc3339()))
            .item("attempts", n(0))
            .item("expires_at", self.expires_at(now))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        if let Err(err) = created
            && !err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception())
        {
            return Err(self.error("record report requested", &err));
        }
        // 2. running, unless it succeeded or another worker's lease still holds it.
        let claimed = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", pk)
            .key("sk", sk)
            .update_expression(
                "SET #status = :running, started_at = :now, attempts = attempts + :one, lease_until_ms = :until, \
                 message_id = :mid, receive_count = :rc REMOVE #error",
            )
            .condition_expression(
                "#status IN (:requested, :failed) OR (#status = :running AND lease_until_ms <= :now_ms)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#error", "error")
            .expression_attribute_values(":running", s(ReportStatus::Running.as_str()))
            .expression_attribute_values(":requested", s(ReportStatus::Requested.as_str()))
            .expression_attribute_values(":failed", s(ReportStatus::Failed.as_str()))
            .expression_attribute_values(":now", s(now.to_rfc3339()))
            .expression_attribute_values(":now_ms", n(now.timestamp_millis()))
            .expression_attribute_values(":until", n((now + lease).timestamp_millis()))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":mid", s(&attempt.message_id))
            .expression_attribute_values(":rc", n(attempt.receive_count))
            .send()
            .await;
        match claimed {
            Ok(_) => Ok(ReportStart::Acquired),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                let existing = self.get_report(report_id).await?;
                Ok(existing.and_then(|r| r.blocks(now)).unwrap_or(ReportStart::InFlight))
            }
            Err(err) => Err(self.error("claim report", &err)),
        }
    }

    async fn succeed(&self, report_id: &str, outcome: &ReportOutcome, now: DateTime<Utc>) -> Result<(), RecordError> {
        let (pk, sk) = report_pk(report_id);
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", pk)
            .key("sk", sk)
            .update_expression(
                "SET #status = :succeeded, #key = :key, #rows = :rows, bytes = :bytes, duration_ms = :duration, \
                 finished_at = :now, expires_at = :expires REMOVE lease_until_ms",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#key", "key")
            .expression_attribute_names("#rows", "rows")
            .expression_attribute_values(":succeeded", s(ReportStatus::Succeeded.as_str()))
            .expression_attribute_values(":key", s(&outcome.key))
            .expression_attribute_values(":rows", n(outcome.rows))
            .expression_attribute_values(":bytes", n(outcome.bytes))
            .expression_attribute_values(":duration", n(outcome.duration_ms))
            .expression_attribute_values(":now", s(now.to_rfc3339()))
            .expression_attribute_values(":expires", self.expires_at(now))
            .send()
            .await
            .map_err(|e| self.error("record report succeeded", &e))?;
        Ok(())
    }

    async fn fail(&self, report_id: &str, error: &str, now: DateTime<Utc>) -> Result<(), RecordError> {
        let (pk, sk) = report_pk(report_id);
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", pk)
            .key("sk", sk)
            .update_expression(
                "SET #status = :failed, #error = :error, finished_at = :now, expires_at = :expires REMOVE lease_until_ms",
            )
            .condition_expression("#status <> :succeeded")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#error", "error")
            .expression_attribute_values(":failed", s(ReportStatus::Failed.as_str()))
            .expression_attribute_values(":succeeded", s(ReportStatus::Succeeded.as_str()))
            .expression_attribute_values(":error", s(error))
            .expression_attribute_values(":now", s(now.to_rfc3339()))
            .expression_attribute_values(":expires", self.expires_at(now))
            .send()
            .await
            .map_err(|e| self.error("record report failed", &e))?;
        Ok(())
    }

    async fn get_report(&self, report_id: &str) -> Result<Option<ReportRecord>, RecordError> {
        let item = self.get_item(report_pk(report_id), "get report").await?;
        Ok(item.map(|item| report_from(report_id, &item)))
    }
}

fn outcomes_pk(queue: &str) -> AttributeValue {
    s(format!("outcomes#{queue}"))
}

fn incident_pk(key: &str) -> (AttributeValue, AttributeValue) {
    (s(format!("incident#{key}")), s("incident"))
}

fn waiting_pk(queue: &str) -> (AttributeValue, AttributeValue) {
    (s(format!("waiting#{queue}")), s("waiting"))
}

fn hour_from(item: &Item) -> Option<HourOutcomes> {
    let hour = get_s(item, "sk")?;
    let hour = DateTime::parse_from_rfc3339(&format!("{hour}:00:00Z")).ok()?.with_timezone(&Utc);
    Some(HourOutcomes {
        hour,
        done: get_n(item, "done").unwrap_or(0),
        failed: get_n(item, "failed").unwrap_or(0),
        last_at: get_time(item, "last_at"),
    })
}

impl OutcomeLog for DynamoRecords {
    async fn count(&self, queue: &str, outcome: Outcome, at: DateTime<Utc>) -> Result<(), RecordError> {
        let counter = match outcome {
            Outcome::Done => "done",
            Outcome::Failed => "failed",
        };
        // Kept two days past their hour: the health check reads the last hours only.
        let expires = (hour_of(at) + Duration::days(2)).timestamp();
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", outcomes_pk(queue))
            .key("sk", s(hour_key(at)))
            .update_expression("ADD #counter :one SET last_at = :at, expires_at = :expires")
            .expression_attribute_names("#counter", counter)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":at", s(at.to_rfc3339()))
            .expression_attribute_values(":expires", n(expires))
            .send()
            .await
            .map_err(|e| self.error("count job outcome", &e))?;
        Ok(())
    }
}

impl OutcomeCounts for DynamoRecords {
    async fn hours(
        &self,
        queue: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<HourOutcomes>, RecordError> {
        let mut hours = Vec::new();
        let mut next: Option<Item> = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
                .expression_attribute_values(":pk", outcomes_pk(queue))
                .expression_attribute_values(":from", s(hour_key(from)))
                .expression_attribute_values(":to", s(hour_key(to)))
                .set_exclusive_start_key(next.take())
                .send()
                .await
                .map_err(|e| self.error("read job outcomes", &e))?;
            hours.extend(out.items().iter().filter_map(hour_from));
            match out.last_evaluated_key() {
                Some(key) if !key.is_empty() => next = Some(key.clone()),
                _ => return Ok(hours),
            }
        }
    }

    async fn latest(&self, queue: &str) -> Result<Option<HourOutcomes>, RecordError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", outcomes_pk(queue))
            .scan_index_forward(false)
            .limit(1)
            .send()
            .await
            .map_err(|e| self.error("read job outcomes", &e))?;
        Ok(out.items().first().and_then(hour_from))
    }
}

fn incident_from(key: &str, item: &Item) -> Option<Incident> {
    Some(Incident {
        key: key.to_owned(),
        incident_id: get_s(item, "incident_id")?,
        state: get_s(item, "state").and_then(|v| IncidentState::parse(&v))?,
        raised_at: get_time(item, "raised_at")?,
        cleared_at: get_time(item, "cleared_at"),
        notified: item.get("notified").and_then(|v| v.as_bool().ok()).copied().unwrap_or(false),
        observed: get_n(item, "observed").unwrap_or(0.0),
        threshold: get_n(item, "threshold").unwrap_or(0.0),
        details: get_s(item, "details").unwrap_or_default(),
    })
}

fn is_condition_failed<E: ProvideErrorMetadata>(err: &SdkError<E, Response>) -> bool {
    err.as_service_error().and_then(|e| e.code()) == Some("ConditionalCheckFailedException")
}

impl IncidentLog for DynamoRecords {
    async fn incident(&self, key: &str) -> Result<Option<Incident>, RecordError> {
        let item = self.get_item(incident_pk(key), "get incident").await?;
        Ok(item.and_then(|item| incident_from(key, &item)))
    }

    async fn raise(&self, i: &Incident) -> Result<bool, RecordError> {
        let (pk, sk) = incident_pk(&i.key);
        // Incidents have no TTL: an open one must outlive any retention.
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", pk)
            .item("sk", sk)
            .item("incident_id", s(&i.incident_id))
            .item("state", s(IncidentState::Raised.as_str()))
            .item("raised_at", s(i.raised_at.to_rfc3339()))
            .item("notified", AttributeValue::Bool(false))
            .item("observed", n(i.observed))
            .item("threshold", n(i.threshold))
            .item("details", s(&i.details))
            .condition_expression("attribute_not_exists(pk) OR #state = :cleared")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":cleared", s(IncidentState::Cleared.as_str()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(err) if is_condition_failed(&err) => Ok(false),
            Err(err) => Err(self.error("raise incident", &err)),
        }
    }

    async fn clear(&self, key: &str, incident_id: &str, at: DateTime<Utc>) -> Result<bool, RecordError> {
        let (pk, sk) = incident_pk(key);
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", pk)
            .key("sk", sk)
            .update_expression("SET #state = :cleared, cleared_at = :at, notified = :false")
            .condition_expression("#state = :raised AND incident_id = :id")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":cleared", s(IncidentState::Cleared.as_str()))
            .expression_attribute_values(":raised", s(IncidentState::Raised.as_str()))
            .expression_attribute_values(":id", s(incident_id))
            .expression_attribute_values(":at", s(at.to_rfc3339()))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(err) if is_condition_failed(&err) => Ok(false),
            Err(err) => Err(self.error("clear incident", &err)),
        }
    }

    async fn mark_notified(&self, key: &str, incident_id: &str, state: IncidentState) -> Result<(), RecordError> {
        let (pk, sk) = incident_pk(key);
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", pk)
            .key("sk", sk)
            .update_expression("SET notified = :true")
            .condition_expression("#state = :state AND incident_id = :id")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":state", s(state.as_str()))
            .expression_attribute_values(":id", s(incident_id))
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .send()
            .await;
        match result {
            // Moved on meanwhile (cleared, raised anew): that state has its own notice.
            Ok(_) => Ok(()),
            Err(err) if is_condition_failed(&err) => Ok(()),
            Err(err) => Err(self.error("mark incident notified", &err)),
        }
    }

    async fn waiting_since(&self, queue: &str) -> Result<Option<DateTime<Utc>>, RecordError> {
        let item = self.get_item(waiting_pk(queue), "get queue waiting").await?;
        Ok(item.and_then(|item| get_time(&item, "since")))
    }

    async fn set_waiting_since(&self, queue: &str, since: Option<DateTime<Utc>>) -> Result<(), RecordError> {
        let (pk, sk) = waiting_pk(queue);
        match since {
            Some(since) => {
                self.client
                    .put_item()
                    .table_name(&self.table)
                    .item("pk", pk)
                    .item("sk", sk)
                    .item("since", s(since.to_rfc3339()))
                    .send()
                    .await
                    .map_err(|e| self.error("set queue waiting", &e))?;
            }
            None => {
                self.client
                    .delete_item()
                    .table_name(&self.table)
                    .key("pk", pk)
                    .key("sk", sk)
                    .send()
                    .await
                    .map_err(|e| self.error("clear queue waiting", &e))?;
            }
        }
        Ok(())
    }
}
