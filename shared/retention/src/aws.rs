//! The retention store in AWS: the notifications and jobs tables (DynamoDB) and the reports
//! bucket (S3).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration as StdDuration;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, WriteRequest};
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use aws_smithy_runtime_api::http::Response;
use chrono::{DateTime, Duration, Utc};
use deskbell_dynamo::{Item, get_bool, get_str};
use deskbell_runtime::TableError;
use deskbell_runtime::retry::{sdk_error_kind, sdk_error_text};
use futures::{StreamExt, TryStreamExt, stream};

use crate::{Entry, EntryKey, Facts, Page, Pass, REPORTS_PREFIX, RetentionError, RetentionStore, Source, parse_time};

/// Partition key of the saved passes in the jobs table (sort key: the selection of kinds).
pub const PASS_PK: &str = "cleanup#pass";

/// DynamoDB's limit of one BatchWriteItem.
const BATCH_WRITE_MAX: usize = 25;
/// S3's limit of one DeleteObjects.
const DELETE_OBJECTS_MAX: usize = 1000;
/// Attempts at one batch before its unprocessed items become an error.
const ATTEMPTS: u32 = 8;
/// How long a saved pass outlives its last save (TTL), so an abandoned one does not linger.
const PASS_TTL_DAYS: i64 = 14;

/// The notifications and jobs tables and the reports bucket.
#[derive(Clone)]
pub struct AwsRetention {
    dynamodb: aws_sdk_dynamodb::Client,
    s3: aws_sdk_s3::Client,
    notifications_table: String,
    jobs_table: String,
    bucket: String,
    /// Delete requests in flight at once.
    concurrency: usize,
}

impl AwsRetention {
    pub fn new(
        dynamodb: aws_sdk_dynamodb::Client,
        s3: aws_sdk_s3::Client,
        notifications_table: impl Into<String>,
        jobs_table: impl Into<String>,
        bucket: impl Into<String>,
        concurrency: usize,
    ) -> Self {
        Self {
            dynamodb,
            s3,
            notifications_table: notifications_table.into(),
            jobs_table: jobs_table.into(),
            bucket: bucket.into(),
            concurrency: concurrency.max(1),
        }
    }

    fn table(&self, source: Source) -> &str {
        match source {
            Source::Notifications => &self.notifications_table,
            Source::Jobs | Source::ReportFiles => &self.jobs_table,
        }
    }

    fn table_error<E: ProvideErrorMetadata + std::error::Error>(
        &self,
        table: &str,
        operation: &'static str,
        err: &SdkError<E, Response>,
    ) -> RetentionError {
        RetentionError::Table(TableError::from_sdk(table, operation, err))
    }

    fn bucket_error<E: ProvideErrorMetadata + std::error::Error>(
        &self,
        operation: &'static str,
        err: &SdkError<E, Response>,
    ) -> RetentionError {
        RetentionError::Bucket {
            bucket: self.bucket.clone(),
            operation,
            message: sdk_error_text(err),
            kind: sdk_error_kind(err),
        }
    }

    async fn scan(&self, source: Source, after: Option<&EntryKey>, limit: usize) -> Result<Page, RetentionError> {
        let table = self.table(source);
        let mut scan = self.dynamodb.scan().table_name(table).limit(i32::try_from(limit.max(1)).unwrap_or(i32::MAX));
        scan = match source {
            // Only read ones can be due; DynamoDB drops the others before they cross the wire.
            Source::Notifications => scan
                .projection_expression("#u, #i, #c, #r")
                .filter_expression("#r = :true")
                .expression_attribute_names("#u", "user_id")
                .expression_attribute_names("#i", "id")
                .expression_attribute_names("#c", "created_at")
                .expression_attribute_names("#r", "read")
                .expression_attribute_values(":true", AttributeValue::Bool(true)),
            _ => scan
                .projection_expression("pk, sk, updated_at, failed_at, requested_at, finished_at")
                .filter_expression("begins_with(pk, :d) OR begins_with(pk, :f) OR begins_with(pk, :r)")
                .expression_attribute_values(":d", AttributeValue::S("delivery#".into()))
                .expression_attribute_values(":f", AttributeValue::S("failure#".into()))
                .expression_attribute_values(":r", AttributeValue::S("report#".into())),
        };
        if let Some(after) = after {
            let EntryKey::Item(key) = after else {
                return Err(RetentionError::Invalid {
                    store: table.to_owned(),
                    message: format!("cursor {after:?} is not an item key"),
                });
            };
            scan = scan.set_exclusive_start_key(Some(
                key.iter().map(|(k, v)| (k.clone(), AttributeValue::S(v.clone()))).collect(),
            ));
        }
        let out = scan.send().await.map_err(|e| self.table_error(table, "scan", &e))?;
        let key_names: &[&str] = match source {
            Source::Notifications => &["user_id", "id"],
            _ => &["pk", "sk"],
        };
        let entries = out
            .items()
            .iter()
            .map(|item| Entry { key: key_of(item, key_names), facts: facts_of(source, item) })
            .collect();
        let next = out.last_evaluated_key().map(|k| key_of(k, &k.keys().map(String::as_str).collect::<Vec<_>>()));
        Ok(Page { entries, next })
    }

    async fn list(&self, after: Option<&EntryKey>, limit: usize) -> Result<Page, RetentionError> {
        let start_after = match after {
            None => None,
            Some(EntryKey::Object(key)) => Some(key.clone()),
            Some(other) => {
                return Err(RetentionError::Invalid {
                    store: self.bucket.clone(),
                    message: format!("cursor {other:?} is not an object key"),
                });
            }
        };
        let out = self
            .s3
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(REPORTS_PREFIX)
            .max_keys(i32::try_from(limit.clamp(1, DELETE_OBJECTS_MAX)).unwrap_or(1000))
            .set_start_after(start_after)
            .send()
            .await
            .map_err(|e| self.bucket_error("list objects", &e))?;
        let entries: Vec<Entry> = out
            .contents()
            .iter()
            .filter_map(|o| {
                let key = o.key()?.to_owned();
                let last_modified =
                    o.last_modified().and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos()));
                Some(Entry { key: EntryKey::Object(key.clone()), facts: Facts::File { key, last_modified } })
            })
            .collect();
        let next = match (out.is_truncated(), entries.last()) {
            (Some(true), Some(last)) => Some(last.key.clone()),
            _ => None,
        };
        Ok(Page { entries, next })
    }

    /// One BatchWriteItem of up to 25 deletes, retried until nothing is left unprocessed.
    async fn delete_items(&self, table: &str, keys: Vec<Item>) -> Result<u64, RetentionError> {
        let count = keys.len() as u64;
        let mut requests: Vec<WriteRequest> = keys
            .into_iter()
            .map(|key| {
                let delete = DeleteRequest::builder()
                    .set_key(Some(key))
                    .build()
                    .map_err(|e| RetentionError::Invalid { store: table.to_owned(), message: e.to_string() })?;
                Ok(WriteRequest::builder().delete_request(delete).build())
            })
            .collect::<Result<_, RetentionError>>()?;
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(backoff(attempt)).await;
            }
            let result = self.dynamodb.batch_write_item().request_items(table, requests.clone()).send().await;
            let out = match result {
                Ok(out) => out,
                Err(e) if sdk_error_kind(&e) == deskbell_errors::ErrorKind::Transient && attempt + 1 < ATTEMPTS => {
                    continue;
                }
                Err(e) => return Err(self.table_error(table, "batch delete", &e)),
            };
            requests = out.unprocessed_items().and_then(|u| u.get(table)).cloned().unwrap_or_default();
            if requests.is_empty() {
                return Ok(count);
            }
            tracing::debug!(table, unprocessed = requests.len(), attempt, "batch delete left items unprocessed");
        }
        Err(RetentionError::Unprocessed { store: table.to_owned(), count: requests.len(), attempts: ATTEMPTS })
    }

    /// One DeleteObjects of up to 1000 keys, retrying the keys S3 reports as not deleted.
    async fn delete_objects(&self, keys: Vec<String>) -> Result<u64, RetentionError> {
        let count = keys.len() as u64;
        let mut pending = keys;
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(backoff(attempt)).await;
            }
            let objects = pending
                .iter()
                .map(|k| ObjectIdentifier::builder().key(k).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| RetentionError::Invalid { store: self.bucket.clone(), message: e.to_string() })?;
            let delete = Delete::builder()
                .set_objects(Some(objects))
                .quiet(true)
                .build()
                .map_err(|e| RetentionError::Invalid { store: self.bucket.clone(), message: e.to_string() })?;
            let result = self.s3.delete_objects().bucket(&self.bucket).delete(delete).send().await;
            let out = match result {
                Ok(out) => out,
                Err(e) if sdk_error_kind(&e) == deskbell_errors::ErrorKind::Transient && attempt + 1 < ATTEMPTS => {
                    continue;
                }
                Err(e) => return Err(self.bucket_error("delete objects", &e)),
            };
            pending = out.errors().iter().filter_map(|e| e.key().map(str::to_owned)).collect();
            if pending.is_empty() {
                return Ok(count);
            }
            tracing::debug!(bucket = %self.bucket, failed = pending.len(), attempt, "delete objects left keys");
        }
        Err(RetentionError::Unprocessed { store: self.bucket.clone(), count: pending.len(), attempts: ATTEMPTS })
    }

    fn pass_key(selection: &str) -> Item {
        HashMap::from([
            ("pk".to_owned(), AttributeValue::S(PASS_PK.to_owned())),
            ("sk".to_owned(), AttributeValue::S(selection.to_owned())),
        ])
    }
}

/// Exponential back-off with equal jitter: ~50 ms, 100 ms, 200 ms … capped at 2 s.
fn backoff(attempt: u32) -> StdDuration {
    let full = (50u64 << attempt.min(6)).min(2000);
    StdDuration::from_millis(full / 2 + fastrand::u64(0..=full / 2))
}

fn key_of(item: &Item, names: &[&str]) -> EntryKey {
    EntryKey::Item(names.iter().filter_map(|n| Some(((*n).to_owned(), get_str(item, n)?.to_owned()))).collect())
}

fn facts_of(source: Source, item: &Item) -> Facts {
    match source {
        Source::Notifications => Facts::Notification {
            read: get_bool(item, "read").unwrap_or(false),
            created_at: parse_time(get_str(item, "created_at")),
        },
        _ => Facts::Record {
            pk: get_str(item, "pk").unwrap_or_default().to_owned(),
            updated_at: parse_time(get_str(item, "updated_at")),
            failed_at: parse_time(get_str(item, "failed_at")),
            requested_at: parse_time(get_str(item, "requested_at")),
            finished_at: parse_time(get_str(item, "finished_at")),
        },
    }
}

fn item_key(key: &BTreeMap<String, String>) -> Item {
    key.iter().map(|(k, v)| (k.clone(), AttributeValue::S(v.clone()))).collect()
}

impl RetentionStore for AwsRetention {
    async fn page(&self, source: Source, after: Option<&EntryKey>, limit: usize) -> Result<Page, RetentionError> {
        match source {
            Source::ReportFiles => self.list(after, limit).await,
            _ => self.scan(source, after, limit).await,
        }
    }

    async fn delete(&self, source: Source, keys: Vec<EntryKey>) -> Result<u64, RetentionError> {
        if source == Source::ReportFiles {
            let keys: Vec<String> = keys
                .into_iter()
                .filter_map(|k| match k {
                    EntryKey::Object(key) => Some(key),
                    EntryKey::Item(_) => None,
                })
                .collect();
            let chunks: Vec<Vec<String>> = keys.chunks(DELETE_OBJECTS_MAX).map(<[String]>::to_vec).collect();
            let counts: Vec<u64> = stream::iter(chunks.into_iter().map(|c| self.delete_objects(c)))
                .buffer_unordered(self.concurrency)
                .try_collect()
                .await?;
            return Ok(counts.iter().sum());
        }
        let table = self.table(source).to_owned();
        let items: Vec<Item> = keys
            .iter()
            .filter_map(|k| match k {
                EntryKey::Item(key) => Some(item_key(key)),
                EntryKey::Object(_) => None,
            })
            .collect();
        let chunks: Vec<Vec<Item>> = items.chunks(BATCH_WRITE_MAX).map(<[Item]>::to_vec).collect();
        let counts: Vec<u64> = stream::iter(chunks.into_iter().map(|c| self.delete_items(&table, c)))
            .buffer_unordered(self.concurrency)
            .try_collect()
            .await?;
        Ok(counts.iter().sum())
    }

    async fn load_pass(&self, selection: &str) -> Result<Option<Pass>, RetentionError> {
        let out = self
            .dynamodb
            .get_item()
            .table_name(&self.jobs_table)
            .set_key(Some(Self::pass_key(selection)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| self.table_error(&self.jobs_table, "get cleanup pass", &e))?;
        let Some(state) = out.item().and_then(|i| get_str(i, "state")) else {
            return Ok(None);
        };
        serde_json::from_str(state).map(Some).map_err(|e| RetentionError::Invalid {
            store: self.jobs_table.clone(),
            message: format!("unreadable cleanup pass {selection:?}: {e}"),
        })
    }

    async fn save_pass(&self, selection: &str, pass: &Pass, now: DateTime<Utc>) -> Result<(), RetentionError> {
        let state = serde_json::to_string(pass)
            .map_err(|e| RetentionError::Invalid { store: self.jobs_table.clone(), message: e.to_string() })?;
        let mut item = Self::pass_key(selection);
        item.insert("state".into(), AttributeValue::S(state));
        item.insert("updated_at".into(), AttributeValue::S(now.to_rfc3339()));
        let expires = Utc::now().max(now) + Duration::days(PASS_TTL_DAYS);
        item.insert("expires_at".into(), AttributeValue::N(expires.timestamp().to_string()));
        self.dynamodb
            .put_item()
            .table_name(&self.jobs_table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| self.table_error(&self.jobs_table, "save cleanup pass", &e))?;
        Ok(())
    }

    async fn clear_pass(&self, selection: &str) -> Result<(), RetentionError> {
        self.dynamodb
            .delete_item()
            .table_name(&self.jobs_table)
            .set_key(Some(Self::pass_key(selection)))
            .send()
            .await
            .map_err(|e| self.table_error(&self.jobs_table, "clear cleanup pass", &e))?;
        Ok(())
    }
}
