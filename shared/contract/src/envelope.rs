//! The envelope every message body carries, and decoding a body into a typed [`Job`].

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::limits::MAX_BODY_BYTES;
use crate::validate::Field;
use crate::{DecodeError, JobType, Payload};

/// A decoded, validated job: the envelope's fields with a typed payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Producer-chosen unique id: the idempotency key of every side effect.
    pub id: String,
    /// Schema version of the payload.
    pub version: u32,
    /// When it happened, as the producer says: within 2000..2100 (see [`crate::limits`]).
    pub occurred_at: DateTime<Utc>,
    pub payload: Payload,
}

impl Job {
    /// A version-1 job.
    pub fn new(id: impl Into<String>, occurred_at: DateTime<Utc>, payload: Payload) -> Self {
        Self { id: id.into(), version: 1, occurred_at, payload }
    }

    pub fn job_type(&self) -> JobType {
        self.payload.job_type()
    }

    /// The message body a producer sends for this job.
    pub fn to_body(&self) -> String {
        // A Job holds only strings, numbers, dates and enums: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl Serialize for Job {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Wire<'a> {
            id: &'a str,
            #[serde(rename = "type")]
            job_type: &'static str,
            version: u32,
            occurred_at: &'a DateTime<Utc>,
            data: &'a Payload,
        }
        Wire {
            id: &self.id,
            job_type: self.job_type().wire_name(),
            version: self.version,
            occurred_at: &self.occurred_at,
            data: &self.payload,
        }
        .serialize(serializer)
    }
}

#[derive(Deserialize)]
struct RawEnvelope {
    id: String,
    #[serde(rename = "type")]
    job_type: String,
    version: u32,
    occurred_at: DateTime<Utc>,
    data: serde_json::Value,
}

/// Decodes and validates one message body.
///
/// Errors are permanent and name the field at fault (`data.ticket.requester.email`).
pub fn decode(body: &str) -> Result<Job, DecodeError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(DecodeError::TooLarge { size: body.len(), limit: MAX_BODY_BYTES });
    }
    let mut de = serde_json::Deserializer::from_str(body);
    let raw: RawEnvelope =
        serde_path_to_error::deserialize(&mut de).map_err(|e| DecodeError::from_serde("", e.path(), e.inner()))?;
    de.end().map_err(|e| DecodeError::NotJson {
        message: "trailing characters after the envelope".into(),
        line: e.line(),
        column: e.column(),
    })?;

    Field::root("").key("id", &raw.id)?;
    let job_type = JobType::from_wire(&raw.job_type)
        .ok_or_else(|| DecodeError::UnknownType { found: truncate(&raw.job_type, 64) })?;
    let supported = job_type.supported_versions();
    if !supported.contains(&raw.version) {
        return Err(DecodeError::UnsupportedVersion {
            job_type: job_type.wire_name().to_owned(),
            version: raw.version,
            supported: supported.iter().map(u32::to_string).collect::<Vec<_>>().join(", "),
        });
    }
    Field::root("").instant("occurred_at", raw.occurred_at)?;
    let payload = decode_payload(job_type, raw.data)?;
    payload.check(&Field::root("data"))?;
    Ok(Job { id: raw.id, version: raw.version, occurred_at: raw.occurred_at, payload })
}

fn decode_payload(job_type: JobType, data: serde_json::Value) -> Result<Payload, DecodeError> {
    fn typed<T: DeserializeOwned>(data: serde_json::Value) -> Result<T, DecodeError> {
        serde_path_to_error::deserialize(data).map_err(|e| DecodeError::from_serde("data", e.path(), e.inner()))
    }
    Ok(match job_type {
        JobType::TicketCreated => Payload::TicketCreated(typed(data)?),
        JobType::TicketUpdated => Payload::TicketUpdated(typed(data)?),
        JobType::TicketAssigned => Payload::TicketAssigned(typed(data)?),
        JobType::TicketStatusChanged => Payload::TicketStatusChanged(typed(data)?),
        JobType::CommentCreated => Payload::CommentCreated(typed(data)?),
        JobType::UserWelcome => Payload::UserWelcome(typed(data)?),
        JobType::UserActivation => Payload::UserActivation(typed(data)?),
        JobType::UserPasswordReset => Payload::UserPasswordReset(typed(data)?),
        JobType::SystemMaintenance => Payload::SystemMaintenance(typed(data)?),
        JobType::ReportRequested => Payload::ReportRequested(typed(data)?),
        JobType::ReportReady => Payload::ReportReady(typed(data)?),
        JobType::StatsDigest => Payload::StatsDigest(typed(data)?),
        JobType::SystemAlert => Payload::SystemAlert(typed(data)?),
    })
}

/// What can be read of a body that failed to decode, for the failure record: its `id` and
/// `type` when they are strings.
pub fn peek(body: &str) -> (Option<String>, Option<String>) {
    #[derive(Deserialize)]
    struct Peek {
        id: Option<serde_json::Value>,
        #[serde(rename = "type")]
        job_type: Option<serde_json::Value>,
    }
    if body.len() > MAX_BODY_BYTES {
        return (None, None);
    }
    let text = |v: Option<serde_json::Value>| v.and_then(|v| v.as_str().map(|s| truncate(s, 128)));
    match serde_json::from_str::<Peek>(body) {
        Ok(p) => (text(p.id), text(p.job_type)),
        Err(_) => (None, None),
    }
}

fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}
