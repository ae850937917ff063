//! The DynamoDB helpers every crate that talks to DynamoDB shares: attribute builders
//! ([`s`], [`n`], [`time`]), attribute readers ([`get_s`], [`get_str`], [`get_n`], [`get_bool`],
//! [`get_time`]), the condition-failed check ([`is_condition_failed`],
//! [`unless_condition_failed`]) and paging ([`query_pages`], [`next_start`]).
//!
//! A crate of its own rather than a module of `deskbell-runtime`: the runtime depends on no
//! service SDK, and the crates that never touch DynamoDB (mailer, objects) should not build it.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::query::QueryError;
use aws_sdk_dynamodb::operation::query::QueryOutput;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_smithy_runtime_api::http::Response;
use chrono::{DateTime, SecondsFormat, Utc};

/// One DynamoDB item (or key): attribute name → value.
pub type Item = HashMap<String, AttributeValue>;

/// A string attribute.
pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

/// A number attribute.
pub fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// A time as a string attribute: RFC 3339, microseconds, `Z` (sorts as it reads).
pub fn time(t: DateTime<Utc>) -> AttributeValue {
    s(t.to_rfc3339_opts(SecondsFormat::Micros, true))
}

/// The string attribute `name`, if the item has one.
pub fn get_s(item: &Item, name: &str) -> Option<String> {
    get_str(item, name).map(str::to_owned)
}

/// The string attribute `name`, borrowed, if the item has one.
pub fn get_str<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name).and_then(|v| v.as_s().ok()).map(String::as_str)
}

/// The number attribute `name`, parsed, if the item has one that parses.
pub fn get_n<T: std::str::FromStr>(item: &Item, name: &str) -> Option<T> {
    item.get(name).and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok())
}

/// The boolean attribute `name`, if the item has one.
pub fn get_bool(item: &Item, name: &str) -> Option<bool> {
    item.get(name).and_then(|v| v.as_bool().ok()).copied()
}

/// The RFC 3339 string attribute `name` as a time, if the item has one that parses.
pub fn get_time(item: &Item, name: &str) -> Option<DateTime<Utc>> {
    get_s(item, name).and_then(|v| DateTime::parse_from_rfc3339(&v).ok()).map(|t| t.with_timezone(&Utc))
}

/// Whether a write failed only because its condition expression did not hold.
pub fn is_condition_failed<E: ProvideErrorMetadata>(err: &SdkError<E, Response>) -> bool {
    err.as_service_error().and_then(|e| e.code()) == Some("ConditionalCheckFailedException")
}

/// A conditional write's result with a condition that did not hold made ordinary: `Some`
/// with the output when the write happened, `None` when the condition refused it.
#[allow(clippy::result_large_err)] // the SDK's own error, passed through as the SDK returns it
pub fn unless_condition_failed<T, E: ProvideErrorMetadata>(
    result: Result<T, SdkError<E, Response>>,
) -> Result<Option<T>, SdkError<E, Response>> {
    match result {
        Ok(out) => Ok(Some(out)),
        Err(err) if is_condition_failed(&err) => Ok(None),
        Err(err) => Err(err),
    }
}

/// Where the next page of a query or scan starts: its `LastEvaluatedKey`, or `None` when this
/// was the last page (DynamoDB may also say so with an empty key).
pub fn next_start(last_evaluated_key: Option<Item>) -> Option<Item> {
    last_evaluated_key.filter(|k| !k.is_empty())
}

/// Sends `query` page after page, each from the last one's `LastEvaluatedKey`, handing each
/// page to `page`, until DynamoDB says there is no more: the one paging loop of every crate.
#[allow(clippy::result_large_err)] // the SDK's own error, passed through as the SDK returns it
pub async fn query_pages(
    query: QueryFluentBuilder,
    mut page: impl FnMut(&QueryOutput),
) -> Result<(), SdkError<QueryError, Response>> {
    let mut start = None;
    loop {
        let out = query.clone().set_exclusive_start_key(start).send().await?;
        page(&out);
        start = next_start(out.last_evaluated_key);
        if start.is_none() {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_read_what_builders_build() {
        let at = DateTime::parse_from_rfc3339("2026-03-01T10:00:00.123456Z").unwrap().with_timezone(&Utc);
        let item = Item::from([
            ("name".to_owned(), s("Ada")),
            ("count".to_owned(), n(42)),
            ("at".to_owned(), time(at)),
            ("flag".to_owned(), AttributeValue::Bool(true)),
        ]);
        assert_eq!(get_s(&item, "name").as_deref(), Some("Ada"));
        assert_eq!(get_str(&item, "name"), Some("Ada"));
        assert_eq!(get_n::<u32>(&item, "count"), Some(42));
        assert_eq!(get_time(&item, "at"), Some(at));
        assert_eq!(get_bool(&item, "flag"), Some(true));
        assert_eq!(get_s(&item, "count"), None);
        assert_eq!(get_n::<u32>(&item, "missing"), None);
    }

    #[test]
    fn an_empty_last_key_ends_the_paging() {
        assert_eq!(next_start(None), None);
        assert_eq!(next_start(Some(Item::new())), None);
        let key = Item::from([("pk".to_owned(), s("a"))]);
        assert_eq!(next_start(Some(key.clone())), Some(key));
    }
}
