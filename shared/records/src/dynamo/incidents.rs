//! Health marks: the incident of each check and when each queue was first seen waiting.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use deskbell_dynamo::{Item, get_bool, get_n, get_s, get_time, n, s, unless_condition_failed};

use super::DynamoRecords;
use crate::*;

fn incident_pk(key: &str) -> (AttributeValue, AttributeValue) {
    (s(format!("incident#{key}")), s("incident"))
}

fn waiting_pk(queue: &str) -> (AttributeValue, AttributeValue) {
    (s(format!("waiting#{queue}")), s("waiting"))
}

fn incident_from(key: &str, item: &Item) -> Option<Incident> {
    Some(Incident {
        key: key.to_owned(),
        incident_id: get_s(item, "incident_id")?,
        state: get_s(item, "state").and_then(|v| IncidentState::parse(&v))?,
        raised_at: get_time(item, "raised_at")?,
        cleared_at: get_time(item, "cleared_at"),
        notified: get_bool(item, "notified").unwrap_or(false),
        observed: get_n(item, "observed").unwrap_or(0.0),
        threshold: get_n(item, "threshold").unwrap_or(0.0),
        details: get_s(item, "details").unwrap_or_default(),
    })
}

impl IncidentLog for DynamoRecords {
    async fn incident(&self, key: &str) -> Result<Option<Incident>, RecordError> {
        let item = self.get_item(incident_pk(key), "get incident").await?;
        Ok(item.and_then(|item| incident_from(key, &item)))
    }

    async fn raise(&self, i: &Incident) -> Result<bool, RecordError> {
        // Incidents have no TTL: an open one must outlive any retention.
        let result = self
            .put(incident_pk(&i.key))
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
        let written = unless_condition_failed(result).map_err(|e| self.error("raise incident", &e))?;
        Ok(written.is_some())
    }

    async fn clear(&self, key: &str, incident_id: &str, at: DateTime<Utc>) -> Result<bool, RecordError> {
        let result = self
            .update(incident_pk(key))
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
        let written = unless_condition_failed(result).map_err(|e| self.error("clear incident", &e))?;
        Ok(written.is_some())
    }

    async fn mark_notified(&self, key: &str, incident_id: &str, state: IncidentState) -> Result<(), RecordError> {
        let result = self
            .update(incident_pk(key))
            .update_expression("SET notified = :true")
            .condition_expression("#state = :state AND incident_id = :id")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":state", s(state.as_str()))
            .expression_attribute_values(":id", s(incident_id))
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .send()
            .await;
        // Refused when it moved on meanwhile (cleared, raised anew): that state has its own notice.
        unless_condition_failed(result).map_err(|e| self.error("mark incident notified", &e))?;
        Ok(())
    }

    async fn waiting_since(&self, queue: &str) -> Result<Option<DateTime<Utc>>, RecordError> {
        let item = self.get_item(waiting_pk(queue), "get queue waiting").await?;
        Ok(item.and_then(|item| get_time(&item, "since")))
    }

    async fn set_waiting_since(&self, queue: &str, since: Option<DateTime<Utc>>) -> Result<(), RecordError> {
        match since {
            Some(since) => {
                self.put(waiting_pk(queue))
                    .item("since", s(since.to_rfc3339()))
                    .send()
                    .await
                    .map_err(|e| self.error("set queue waiting", &e))?;
            }
            None => {
                let (pk, sk) = waiting_pk(queue);
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
