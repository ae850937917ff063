//! Ticket snapshots in DynamoDB.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use aws_smithy_runtime_api::http::Response;
use deskbell_contract::{StatsDigest, Ticket};
use deskbell_dynamo::{Item, get_s, get_str, query_pages, s, unless_condition_failed};
use deskbell_errors::ErrorKind;

use chrono::{DateTime, Utc};

use crate::keys::{created_key, created_month, instant};
use crate::{
    Activity, ActivityKind, ActivityPage, ActivityQuery, Page, RangeQuery, StatsRecord, StatsStore, TicketStore,
    TicketStoreError, Upsert,
};

/// Ticket snapshots in one DynamoDB table: key `id`; the whole snapshot as JSON in `snapshot`;
/// index attributes `created_month`, `created_key`, `company_id` (absent without company, so
/// `by_company` is sparse), `backlog` (`open`, only while unresolved, so `by_backlog` is sparse);
/// plus `version`, `status`, `priority` for readers of the table. Activity items
/// (`activity#<job id>`) carry `activity_day`, `activity_key`, `ticket_id`, `kind`, `at`,
/// `created_at`; stats items (`stats#…`) carry the record as JSON in `record` and the digest
/// first published for the period as JSON in `digest`.
#[derive(Clone)]
pub struct DynamoTickets {
    client: Client,
    table: String,
}

/// Index names, as the table definition declares them.
pub const BY_CREATED: &str = "by_created";
pub const BY_COMPANY: &str = "by_company";
pub const BY_ACTIVITY: &str = "by_activity";
pub const BY_BACKLOG: &str = "by_backlog";

/// The value of `backlog` on unresolved snapshots.
const OPEN: &str = "open";

impl DynamoTickets {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    fn error<E: ProvideErrorMetadata + std::error::Error>(
        &self,
        operation: &'static str,
        err: &SdkError<E, Response>,
    ) -> TicketStoreError {
        TicketStoreError::from_sdk(&self.table, operation, err)
    }

    fn permanent(&self, operation: &'static str, message: String) -> TicketStoreError {
        TicketStoreError { table: self.table.clone(), operation, message, kind: ErrorKind::Permanent }
    }

    fn decode_activity(&self, item: &Item) -> Result<Activity, TicketStoreError> {
        let text = |name: &str| get_s(item, name);
        let time =
            |name: &str| text(name).and_then(|v| DateTime::parse_from_rfc3339(&v).ok()).map(|t| t.with_timezone(&Utc));
        let bad = |field: &str| self.permanent("read activity", format!("stored activity has no valid {field}"));
        Ok(Activity {
            job_id: text("job_id").ok_or_else(|| bad("job_id"))?,
            ticket_id: text("ticket_id").ok_or_else(|| bad("ticket_id"))?,
            kind: text("kind").and_then(|k| ActivityKind::parse(&k)).ok_or_else(|| bad("kind"))?,
            at: time("at").ok_or_else(|| bad("at"))?,
            created_at: time("created_at").ok_or_else(|| bad("created_at"))?,
        })
    }

    fn decode(&self, item: &Item) -> Result<Ticket, TicketStoreError> {
        let json = get_str(item, "snapshot").unwrap_or_default();
        serde_json::from_str(json).map_err(|e| TicketStoreError {
            table: self.table.clone(),
            operation: "read ticket",
            message: format!("stored snapshot is not a ticket: {e}"),
            kind: ErrorKind::Permanent,
        })
    }
}

impl TicketStore for DynamoTickets {
    async fn upsert(&self, ticket: &Ticket) -> Result<Upsert, TicketStoreError> {
        let snapshot = serde_json::to_string(ticket).map_err(|e| TicketStoreError {
            table: self.table.clone(),
            operation: "store ticket",
            message: e.to_string(),
            kind: ErrorKind::Permanent,
        })?;
        let mut put = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("id", s(&ticket.id))
            .item("version", AttributeValue::N(ticket.version.to_string()))
            .item("created_month", s(created_month(ticket.created_at)))
            .item("created_key", s(created_key(ticket.created_at, &ticket.id)))
            .item("status", s(ticket.status.as_str()))
            .item("priority", s(ticket.priority.as_str()))
            .item("snapshot", s(snapshot))
            .condition_expression("attribute_not_exists(id) OR version < :v")
            .expression_attribute_values(":v", AttributeValue::N(ticket.version.to_string()));
        if let Some(company) = &ticket.company {
            put = put.item("company_id", s(&company.id));
        }
        if !ticket.status.is_resolved() {
            put = put.item("backlog", s(OPEN));
        }
        let written = unless_condition_failed(put.send().await).map_err(|e| self.error("store ticket", &e))?;
        Ok(if written.is_some() { Upsert::Stored } else { Upsert::Stale })
    }

    async fn page(&self, query: &RangeQuery, next: Option<String>) -> Result<Page, TicketStoreError> {
        let (from, to) = query.key_bounds();
        let (index, partition_attr, partition) = match query {
            RangeQuery::CreatedIn { month, .. } => (BY_CREATED, "created_month", month),
            RangeQuery::CompanyCreatedIn { company_id, .. } => (BY_COMPANY, "company_id", company_id),
        };
        let mut request = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index)
            .key_condition_expression("#p = :p AND created_key BETWEEN :from AND :to")
            .expression_attribute_names("#p", partition_attr)
            .expression_attribute_values(":p", s(partition))
            .expression_attribute_values(":from", s(from))
            .expression_attribute_values(":to", s(to));
        if let Some(next) = next {
            request = request.set_exclusive_start_key(Some(decode_cursor(&next)));
        }
        let out = request.send().await.map_err(|e| self.error("query tickets", &e))?;
        let tickets = out.items().iter().map(|item| self.decode(item)).collect::<Result<Vec<_>, _>>()?;
        Ok(Page { tickets, next: out.last_evaluated_key().map(encode_cursor) })
    }

    async fn record_activity(&self, activity: &Activity) -> Result<(), TicketStoreError> {
        self.record(activity).await
    }

    async fn activity_page(
        &self,
        query: &ActivityQuery,
        next: Option<String>,
    ) -> Result<ActivityPage, TicketStoreError> {
        let (from, to) = query.key_bounds();
        let mut request = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(BY_ACTIVITY)
            .key_condition_expression("activity_day = :d AND activity_key BETWEEN :from AND :to")
            .expression_attribute_values(":d", s(&query.day))
            .expression_attribute_values(":from", s(from))
            .expression_attribute_values(":to", s(to));
        if let Some(next) = next {
            request = request.set_exclusive_start_key(Some(decode_cursor(&next)));
        }
        let out = request.send().await.map_err(|e| self.error("query activity", &e))?;
        let activities = out.items().iter().map(|item| self.decode_activity(item)).collect::<Result<Vec<_>, _>>()?;
        Ok(ActivityPage { activities, next: out.last_evaluated_key().map(encode_cursor) })
    }

    async fn count_open(&self, before: DateTime<Utc>) -> Result<u64, TicketStoreError> {
        let mut total = 0u64;
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(BY_BACKLOG)
            .key_condition_expression("backlog = :open AND created_key < :before")
            .expression_attribute_values(":open", s(OPEN))
            .expression_attribute_values(":before", s(instant(before)))
            .select(aws_sdk_dynamodb::types::Select::Count);
        query_pages(query, |out| total += u64::try_from(out.count()).unwrap_or(0))
            .await
            .map_err(|e| self.error("count open tickets", &e))?;
        Ok(total)
    }
}

impl DynamoTickets {
    async fn record(&self, activity: &Activity) -> Result<(), TicketStoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("id", s(format!("activity#{}", activity.job_id)))
            .item("activity_day", s(activity.day()))
            .item("activity_key", s(activity.key()))
            .item("job_id", s(&activity.job_id))
            .item("ticket_id", s(&activity.ticket_id))
            .item("kind", s(activity.kind.as_str()))
            .item("at", s(activity.at.to_rfc3339()))
            .item("created_at", s(activity.created_at.to_rfc3339()))
            .condition_expression("attribute_not_exists(id)")
            .send()
            .await;
        // Refused when written before by the same job: nothing to do.
        unless_condition_failed(result).map_err(|e| self.error("store activity", &e))?;
        Ok(())
    }
}

impl StatsStore for DynamoTickets {
    async fn put_stats(&self, record: &StatsRecord, digest: &StatsDigest) -> Result<StatsDigest, TicketStoreError> {
        let record_json = serde_json::to_string(record).map_err(|e| self.permanent("store stats", e.to_string()))?;
        let digest_json = serde_json::to_string(digest).map_err(|e| self.permanent("store stats", e.to_string()))?;
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("id", s(record.key()))
            // The digest is written once: the first computation's is the one the admins get.
            .update_expression("SET #record = :record, digest = if_not_exists(digest, :digest)")
            .expression_attribute_names("#record", "record")
            .expression_attribute_values(":record", s(record_json))
            .expression_attribute_values(":digest", s(digest_json))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(|e| self.error("store stats", &e))?;
        let kept = out.attributes.as_ref().and_then(|item| get_str(item, "digest")).unwrap_or_default();
        serde_json::from_str(kept)
            .map_err(|e| self.permanent("store stats", format!("stored digest of {} is not valid: {e}", record.key())))
    }

    async fn get_stats(&self, key: &str) -> Result<Option<StatsRecord>, TicketStoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("id", s(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| self.error("read stats", &e))?;
        let Some(json) = out.item.as_ref().and_then(|i| get_str(i, "record")) else {
            return Ok(None);
        };
        serde_json::from_str(json)
            .map(Some)
            .map_err(|e| self.permanent("read stats", format!("stored stats record {key} is not valid: {e}")))
    }
}

/// A LastEvaluatedKey (string attributes only, as all our keys are) as one opaque string.
fn encode_cursor(key: &Item) -> String {
    let map: serde_json::Map<String, serde_json::Value> = key
        .iter()
        .filter_map(|(k, v)| v.as_s().ok().map(|v| (k.clone(), serde_json::Value::String(v.clone()))))
        .collect();
    serde_json::Value::Object(map).to_string()
}

fn decode_cursor(cursor: &str) -> Item {
    serde_json::from_str::<HashMap<String, String>>(cursor)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, AttributeValue::S(v)))
        .collect()
}
