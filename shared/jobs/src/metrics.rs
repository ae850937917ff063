//! Record-level metrics: one CloudWatch Embedded Metric Format line per record, printed on
//! stdout where Lambda's log capture turns it into metrics (no API call, no extra latency).
//!
//! The template's alarms read these names: use the constants, never copies.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

/// The CloudWatch namespace of the record metrics.
pub const NAMESPACE: &str = "deskbell";
/// The queue name dimension (the alarms' only dimension: one failure rate per queue).
pub const QUEUE_DIMENSION: &str = "queue";
/// The job type dimension (`user.welcome`; `invalid` when the body did not decode).
pub const TYPE_DIMENSION: &str = "type";
/// 1 per record received.
pub const RECORDS: &str = "Records";
/// 1 per record that failed (transient, systemic, permanent or out of retry window).
pub const FAILED: &str = "Failed";
/// 1 per record released to the DLQ (permanent, or its retry window spent).
pub const DEAD_LETTERED: &str = "DeadLettered";
/// 1 per record not started because the invocation's deadline was too near.
pub const DEFERRED: &str = "Deferred";
/// Milliseconds the record took.
pub const DURATION: &str = "Duration";
/// Milliseconds from `SentTimestamp` to the start of this attempt.
pub const WAIT: &str = "Wait";
/// The job type dimension of a body that did not decode: never a producer's string, which
/// would make a dimension value per typo.
pub const INVALID_TYPE: &str = "invalid";

/// What became of one record on one receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordOutcome {
    Done,
    /// Failed; retried after its back-off.
    Transient,
    /// Failed for the account or the deployment; retried after its back-off.
    Systemic,
    /// Failed for good; released to the DLQ.
    Permanent,
    /// Failed after its retry window was spent; released to the DLQ.
    Expired,
    /// Not started: too little time left before the invocation's deadline.
    Deferred,
}

impl RecordOutcome {
    /// `done`, `transient`, `systemic`, `permanent`, `expired`, `deferred`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Transient => "transient",
            Self::Systemic => "systemic",
            Self::Permanent => "permanent",
            Self::Expired => "expired",
            Self::Deferred => "deferred",
        }
    }

    fn failed(self) -> bool {
        !matches!(self, Self::Done | Self::Deferred)
    }

    fn dead_lettered(self) -> bool {
        matches!(self, Self::Permanent | Self::Expired)
    }
}

/// The metrics of one record on one receive.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordMetrics {
    pub queue: String,
    pub job_type: String,
    pub outcome: RecordOutcome,
    /// The receive count (1 = first delivery).
    pub attempt: u32,
    pub message_id: String,
    pub duration_ms: f64,
    /// From `SentTimestamp` to this attempt's start; unknown without the attribute.
    pub wait_ms: Option<f64>,
    /// When the record finished.
    pub at: DateTime<Utc>,
}

impl RecordMetrics {
    /// The EMF object: `_aws` metadata at the top level, then dimensions, metrics and
    /// properties as top-level members, as CloudWatch Logs expects.
    pub fn emf(&self) -> Value {
        let mut metrics = vec![
            json!({"Name": RECORDS, "Unit": "Count"}),
            json!({"Name": FAILED, "Unit": "Count"}),
            json!({"Name": DEAD_LETTERED, "Unit": "Count"}),
            json!({"Name": DEFERRED, "Unit": "Count"}),
            json!({"Name": DURATION, "Unit": "Milliseconds"}),
        ];
        if self.wait_ms.is_some() {
            metrics.push(json!({"Name": WAIT, "Unit": "Milliseconds"}));
        }
        let count = |b: bool| u8::from(b);
        let mut root = Map::new();
        root.insert(
            "_aws".into(),
            json!({
                "Timestamp": self.at.timestamp_millis(),
                "CloudWatchMetrics": [{
                    "Namespace": NAMESPACE,
                    "Dimensions": [[QUEUE_DIMENSION], [QUEUE_DIMENSION, TYPE_DIMENSION]],
                    "Metrics": metrics,
                }],
            }),
        );
        root.insert(QUEUE_DIMENSION.into(), json!(self.queue));
        root.insert(TYPE_DIMENSION.into(), json!(self.job_type));
        root.insert(RECORDS.into(), json!(1));
        root.insert(FAILED.into(), json!(count(self.outcome.failed())));
        root.insert(DEAD_LETTERED.into(), json!(count(self.outcome.dead_lettered())));
        root.insert(DEFERRED.into(), json!(count(self.outcome == RecordOutcome::Deferred)));
        root.insert(DURATION.into(), json!(self.duration_ms));
        if let Some(wait) = self.wait_ms {
            root.insert(WAIT.into(), json!(wait));
        }
        root.insert("outcome".into(), json!(self.outcome.as_str()));
        root.insert("attempt".into(), json!(self.attempt));
        root.insert("message_id".into(), json!(self.message_id));
        Value::Object(root)
    }

    /// The EMF object on one line.
    pub fn line(&self) -> String {
        self.emf().to_string()
    }
}

/// Where record metrics go: stdout in a function (one line per record, printed whole, so
/// the log layer's own lines never split it), a collector in tests.
pub type MetricsSink = std::sync::Arc<dyn Fn(&RecordMetrics) + Send + Sync>;

/// Prints each record's EMF line on stdout.
pub fn stdout_sink() -> MetricsSink {
    std::sync::Arc::new(|m: &RecordMetrics| println!("{}", m.line()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics(outcome: RecordOutcome, wait_ms: Option<f64>) -> RecordMetrics {
        RecordMetrics {
            queue: "deskbell-notifications".into(),
            job_type: "user.welcome".into(),
            outcome,
            attempt: 3,
            message_id: "m-1".into(),
            duration_ms: 12.5,
            wait_ms,
            at: DateTime::from_timestamp_millis(1_800_000_000_123).unwrap(),
        }
    }

    #[test]
    fn a_record_is_one_emf_object_with_metadata_dimensions_metrics_and_properties() {
        let line = metrics(RecordOutcome::Systemic, Some(340.0)).line();
        assert!(!line.contains('\n'));
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(
            v,
            json!({
                "_aws": {
                    "Timestamp": 1_800_000_000_123i64,
                    "CloudWatchMetrics": [{
                        "Namespace": "deskbell",
                        "Dimensions": [["queue"], ["queue", "type"]],
                        "Metrics": [
                            {"Name": "Records", "Unit": "Count"},
                            {"Name": "Failed", "Unit": "Count"},
                            {"Name": "DeadLettered", "Unit": "Count"},
                            {"Name": "Deferred", "Unit": "Count"},
                            {"Name": "Duration", "Unit": "Milliseconds"},
                            {"Name": "Wait", "Unit": "Milliseconds"}
                        ]
                    }]
                },
                "queue": "deskbell-notifications",
                "type": "user.welcome",
                "Records": 1,
                "Failed": 1,
                "DeadLettered": 0,
                "Deferred": 0,
                "Duration": 12.5,
                "Wait": 340.0,
                "outcome": "systemic",
                "attempt": 3,
                "message_id": "m-1"
            })
        );
    }

    #[test]
    fn counts_follow_the_outcome_and_an_unknown_wait_is_not_declared() {
        let count = |o: RecordOutcome| {
            let v = metrics(o, None).emf();
            (v[FAILED].as_u64(), v[DEAD_LETTERED].as_u64(), v[DEFERRED].as_u64())
        };
        assert_eq!(count(RecordOutcome::Done), (Some(0), Some(0), Some(0)));
        assert_eq!(count(RecordOutcome::Transient), (Some(1), Some(0), Some(0)));
        assert_eq!(count(RecordOutcome::Permanent), (Some(1), Some(1), Some(0)));
        assert_eq!(count(RecordOutcome::Expired), (Some(1), Some(1), Some(0)));
        assert_eq!(count(RecordOutcome::Deferred), (Some(0), Some(0), Some(1)));
        let v = metrics(RecordOutcome::Done, None).emf();
        assert!(v.get(WAIT).is_none());
        let declared = v["_aws"]["CloudWatchMetrics"][0]["Metrics"].as_array().unwrap();
        assert!(declared.iter().all(|m| m["Name"] != WAIT), "{declared:?}");
    }
}
