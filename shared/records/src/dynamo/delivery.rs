//! Deliveries: the idempotency claim, its finish and the record it leaves.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, Utc};
use deskbell_dynamo::{Item, get_bool, get_n, get_s, get_time, is_condition_failed, n, s, time};

use super::DynamoRecords;
use crate::*;

fn delivery_pk(key: &DeliveryKey) -> (AttributeValue, AttributeValue) {
    (s(format!("delivery#{}", key.job_id)), s(format!("{}#{}", key.channel, key.recipient_id)))
}

fn delivery_from(key: &DeliveryKey, item: &Item) -> DeliveryRecord {
    DeliveryRecord {
        key: key.clone(),
        job_type: get_s(item, "job_type").unwrap_or_default(),
        status: get_s(item, "status").and_then(|v| DeliveryStatus::parse(&v)).unwrap_or(DeliveryStatus::Pending),
        attempts: get_n(item, "attempts").unwrap_or(0),
        provider_id: get_s(item, "provider_id"),
        error: get_s(item, "error"),
        permanent: get_bool(item, "permanent").unwrap_or(false),
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

impl DeliveryLog for DynamoRecords {
    async fn claim(&self, r: &LockRequest<'_>) -> Result<Claim, RecordError> {
        // The same rule as DeliveryRecord::blocks, made atomic. The payload hash and the first
        // claim's time are written once and kept by every later claim.
        let result = self
            .update(delivery_pk(r.key))
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
            Err(err) if is_condition_failed(&err) => {
                // Someone else's record stands in the way: read it to say which case this is.
                let existing = DeliveryLog::get(self, r.key).await?;
                Ok(existing.and_then(|e| e.blocks(r)).unwrap_or(Claim::InFlight { until: None }))
            }
            Err(err) => Err(self.error("claim delivery", &err)),
        }
    }

    async fn finish(&self, lock: &Lock, outcome: &DeliveryOutcome<'_>, now: DateTime<Utc>) -> Result<(), FinishError> {
        let update = self
            .update(delivery_pk(&lock.key))
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
            Err(err) if is_condition_failed(&err) => {
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
