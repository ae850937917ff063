//! Job outcomes: done and failed counters per queue and hour, for the health checks.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use deskbell_dynamo::{Item, get_n, get_s, get_time, n, query_pages, s};

use super::DynamoRecords;
use crate::*;

fn outcomes_pk(queue: &str) -> AttributeValue {
    s(format!("outcomes#{queue}"))
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
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
            .expression_attribute_values(":pk", outcomes_pk(queue))
            .expression_attribute_values(":from", s(hour_key(from)))
            .expression_attribute_values(":to", s(hour_key(to)));
        query_pages(query, |out| hours.extend(out.items().iter().filter_map(hour_from)))
            .await
            .map_err(|e| self.error("read job outcomes", &e))?;
        Ok(hours)
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
