//! The JSON Schema of the contract, as committed under `shared/contract/schema/`.
//!
//! One file per job type and version (`v1/ticket.assigned.json`: the whole envelope with that
//! type's `data`), plus `v1/envelope.json` accepting any of them. A test fails when the
//! committed files differ from what the code generates; regenerate with
//! `DESKBELL_WRITE_SCHEMA=1 cargo test -p deskbell-contract schema`.

use schemars::transform::{RecursiveTransform, Transform};
use schemars::{JsonSchema, Schema, schema_for};
use serde_json::{Map, Value, json};

use crate::*;

const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Every schema file: (path below `schema/`, content).
pub fn files() -> Vec<(String, Value)> {
    let mut files: Vec<(String, Value)> =
        JobType::ALL.iter().map(|t| (format!("v1/{}.json", t.wire_name()), envelope_for(*t))).collect();
    files.push(("v1/envelope.json".to_owned(), any_envelope()));
    files
}

/// The schema of a version-1 envelope of one job type.
pub fn envelope_for(job_type: JobType) -> Value {
    let (mut defs, data) = payload_schema(job_type);
    let mut schema = envelope_object(job_type, data);
    if let Some(obj) = schema.as_object_mut() {
        obj.insert("$schema".into(), json!(DRAFT));
        obj.insert("title".into(), json!(format!("deskbell job {} v1", job_type.wire_name())));
        obj.insert("$defs".into(), Value::Object(std::mem::take(&mut defs)));
    }
    schema
}

fn any_envelope() -> Value {
    let mut all_defs = Map::new();
    let variants: Vec<Value> = JobType::ALL
        .iter()
        .map(|t| {
            let (defs, data) = payload_schema(*t);
            all_defs.extend(defs);
            envelope_object(*t, data)
        })
        .collect();
    json!({
        "$schema": DRAFT,
        "title": "deskbell job envelope v1",
        "description": "Any deskbell job: the envelope, discriminated by `type`.",
        "oneOf": variants,
        "$defs": all_defs,
    })
}

fn envelope_object(job_type: JobType, data_ref: Value) -> Value {
    json!({
        "type": "object",
        "required": ["id", "type", "version", "occurred_at", "data"],
        "properties": {
            "id": {
                "description": "Producer-chosen unique id: the idempotency key.",
                "type": "string", "minLength": limits::ID.min, "maxLength": limits::ID.max
            },
            "type": { "const": job_type.wire_name() },
            "version": { "const": 1 },
            "occurred_at": { "type": "string", "format": "date-time", "pattern": limits::INSTANT_PATTERN },
            "data": data_ref,
        }
    })
}

/// The payload's definitions, and a `$ref` to its own.
fn payload_schema(job_type: JobType) -> (Map<String, Value>, Value) {
    match job_type {
        JobType::TicketCreated => definitions::<TicketCreated>(),
        JobType::TicketUpdated => definitions::<TicketUpdated>(),
        JobType::TicketAssigned => definitions::<TicketAssigned>(),
        JobType::TicketStatusChanged => definitions::<TicketStatusChanged>(),
        JobType::CommentCreated => definitions::<CommentCreated>(),
        JobType::UserWelcome => definitions::<UserWelcome>(),
        JobType::UserActivation => definitions::<UserActivation>(),
        JobType::UserPasswordReset => definitions::<UserPasswordReset>(),
        JobType::SystemMaintenance => definitions::<SystemMaintenance>(),
        JobType::ReportRequested => definitions::<ReportRequested>(),
        JobType::ReportReady => definitions::<ReportReady>(),
        JobType::StatsDigest => definitions::<StatsDigest>(),
        JobType::SystemAlert => definitions::<SystemAlert>(),
    }
}

fn definitions<T: JsonSchema>() -> (Map<String, Value>, Value) {
    let name = T::schema_name().into_owned();
    let mut schema = schema_for!(T);
    RecursiveTransform(uniform_limits).transform(&mut schema);
    let mut root = schema.to_value();
    let mut defs = match root.as_object_mut().and_then(|o| o.remove("$defs")) {
        Some(Value::Object(defs)) => defs,
        _ => Map::new(),
    };
    if let Some(obj) = root.as_object_mut() {
        obj.remove("$schema");
        obj.remove("title");
    }
    defs.insert(name.clone(), root);
    (defs, json!({ "$ref": format!("#/$defs/{name}") }))
}

/// The limits every field of a kind shares, applied to each: integers at most
/// [`limits::MAX_INTEGER`], instants in 2000..2100, map keys identifiers.
fn uniform_limits(schema: &mut Schema) {
    let integer = match schema.get("type") {
        Some(Value::String(t)) => t == "integer",
        Some(Value::Array(types)) => types.iter().any(|t| t == "integer"),
        _ => false,
    };
    if integer && schema.get("maximum").is_none() {
        schema.insert("maximum".into(), json!(limits::MAX_INTEGER));
    }
    if schema.get("format").and_then(Value::as_str) == Some("date-time") {
        schema.insert("pattern".into(), json!(limits::INSTANT_PATTERN));
    }
    if schema.get("additionalProperties").is_some_and(Value::is_object) {
        schema.insert("propertyNames".into(), json!({ "minLength": limits::ID.min, "maxLength": limits::ID.max }));
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn schema_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema")
    }

    fn pretty(v: &Value) -> String {
        serde_json::to_string_pretty(v).unwrap() + "\n"
    }

    #[test]
    fn committed_schema_matches_the_code() {
        let write = std::env::var_os("DESKBELL_WRITE_SCHEMA").is_some();
        for (path, schema) in files() {
            let file = schema_dir().join(&path);
            if write {
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(&file, pretty(&schema)).unwrap();
            }
            let committed = std::fs::read_to_string(&file).unwrap_or_default();
            assert!(
                committed == pretty(&schema),
                "{path} differs from the code: run DESKBELL_WRITE_SCHEMA=1 cargo test -p deskbell-contract schema and commit"
            );
        }
    }

    #[test]
    fn fixture_jobs_validate_against_their_schema_and_the_envelope_schema() {
        let any = jsonschema::validator_for(&any_envelope()).unwrap();
        for job in crate::fixtures::one_of_each() {
            let body: Value = serde_json::from_str(&job.to_body()).unwrap();
            let own = jsonschema::validator_for(&envelope_for(job.job_type())).unwrap();
            let errors: Vec<String> = own.iter_errors(&body).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", job.job_type());
            assert!(any.is_valid(&body), "{} not valid against envelope.json", job.job_type());
        }
    }

    #[test]
    fn schema_rejects_a_wrong_type_in_data() {
        let mut body: Value = serde_json::from_str(&crate::fixtures::one_of_each()[2].to_body()).unwrap();
        body["data"]["ticket"]["number"] = json!("not a number");
        let own = jsonschema::validator_for(&envelope_for(JobType::TicketAssigned)).unwrap();
        assert!(!own.is_valid(&body));
    }
}
