//! Job records in DynamoDB: [`DynamoRecords`], one table for every record kind, one module
//! per kind (the layout is in the crate's documentation).

mod delivery;
mod failure;
mod incidents;
mod outcomes;
mod report;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder;
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_smithy_runtime_api::http::Response;
use chrono::{DateTime, Duration, Utc};
use deskbell_dynamo::{Item, n};

use crate::RecordError;

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

    /// A put of the item with key `(pk, sk)` into the table; the caller adds the attributes.
    fn put(&self, (pk, sk): (AttributeValue, AttributeValue)) -> PutItemFluentBuilder {
        self.client.put_item().table_name(&self.table).item("pk", pk).item("sk", sk)
    }

    /// An update of the item with key `(pk, sk)`; the caller adds the expressions.
    fn update(&self, (pk, sk): (AttributeValue, AttributeValue)) -> UpdateItemFluentBuilder {
        self.client.update_item().table_name(&self.table).key("pk", pk).key("sk", sk)
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
