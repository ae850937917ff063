//! Report statuses: requested, running under a lease, succeeded or failed.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use deskbell_dynamo::{Item, get_n, get_s, get_time, is_condition_failed, n, s, unless_condition_failed};

use super::DynamoRecords;
use crate::*;

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
        // Refused when it exists already: a redelivery or a retry.
        unless_condition_failed(created).map_err(|e| self.error("record report requested", &e))?;
        // 2. running, unless it succeeded or another worker's lease still holds it.
        let claimed = self
            .update((pk, sk))
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
            Err(err) if is_condition_failed(&err) => {
                let existing = self.get_report(report_id).await?;
                Ok(existing.and_then(|r| r.blocks(now)).unwrap_or(ReportStart::InFlight))
            }
            Err(err) => Err(self.error("claim report", &err)),
        }
    }

    async fn succeed(&self, report_id: &str, outcome: &ReportOutcome, now: DateTime<Utc>) -> Result<(), RecordError> {
        self.update(report_pk(report_id))
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
        self.update(report_pk(report_id))
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
