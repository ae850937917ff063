//! Ticket snapshots in DynamoDB.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_smithy_runtime_api::http::Response;
use deskbell_contract::Ticket;
use deskbell_runtime::ErrorKind;

use crate::keys::{created_key, created_month};
use crate::{Page, RangeQuery, TicketStore, TicketStoreError, Upsert};

/// Ticket snapshots in one DynamoDB table: key `id`; the whole snapshot as JSON in `snapshot`;
/// index attributes `created_month`, `created_key`, `company_id` (absent without company, so
/// `by_company` is sparse); plus `version`, `status`, `priority` for readers of the table.
#[derive(Clone)]
pub struct DynamoTickets {
    client: Client,
    table: String,
}

/// Index names, as the table definition declares them.
pub const BY_CREATED: &str = "by_created";
pub const BY_COMPANY: &str = "by_company";

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

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

    fn decode(&self, item: &HashMap<String, AttributeValue>) -> Result<Ticket, TicketStoreError> {
        let json = item.get("snapshot").and_then(|v| v.as_s().ok()).map(String::as_str).unwrap_or_default();
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
        match put.send().await {
            Ok(_) => Ok(Upsert::Stored),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                Ok(Upsert::Stale)
            }
            Err(err) => Err(self.error("store ticket", &err)),
        }
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
}

/// A LastEvaluatedKey (string attributes only, as all our keys are) as one opaque string.
fn encode_cursor(key: &HashMap<String, AttributeValue>) -> String {
    let map: serde_json::Map<String, serde_json::Value> = key
        .iter()
        .filter_map(|(k, v)| v.as_s().ok().map(|v| (k.clone(), serde_json::Value::String(v.clone()))))
        .collect();
    serde_json::Value::Object(map).to_string()
}

fn decode_cursor(cursor: &str) -> HashMap<String, AttributeValue> {
    serde_json::from_str::<HashMap<String, String>>(cursor)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, AttributeValue::S(v)))
        .collect()
}
