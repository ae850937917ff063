//! The sample SQS events under `events/sqs/` stay valid: every body decodes as the job type its
//! file is named after and matches the committed JSON Schema; the mixed batch fails exactly
//! where it says it does.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use deskbell_contract::{JobType, Payload, decode};
use serde_json::Value;

const BATCH: &str = "batch.mixed.json";

/// The messageIds of the records of the mixed batch that must not decode.
const BAD_IN_BATCH: [&str; 3] = ["bad-not-json", "bad-unknown-type", "bad-missing-field"];

fn events_dir() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../events/sqs")).to_path_buf()
}

fn schema_dir() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/schema/v1")).to_path_buf()
}

/// Every `events/sqs/*.json` file name, sorted.
fn event_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(events_dir())
        .expect("events/sqs/ directory")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    names
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One SQS record: (messageId, body).
struct Record {
    message_id: String,
    body: String,
}

/// The records of the Lambda SQS event in `events/sqs/<file>`.
fn records(file: &str) -> Vec<Record> {
    let event = read_json(&events_dir().join(file));
    let records = event["Records"].as_array().unwrap_or_else(|| panic!("{file}: no Records array"));
    records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            assert_eq!(r["eventSource"], "aws:sqs", "{file} record {i}");
            let text = |key: &str| {
                r[key].as_str().unwrap_or_else(|| panic!("{file} record {i}: {key} is not a string")).to_owned()
            };
            Record { message_id: text("messageId"), body: text("body") }
        })
        .collect()
}

/// The job type a sample file shows: its name without `.json`; `comment.internal` is a
/// `comment.created` whose comment is internal. Panics on a name that is no job type.
fn job_type_of(file: &str) -> JobType {
    let stem = file.strip_suffix(".json").unwrap_or(file);
    let wire = match stem {
        "comment.internal" => "comment.created",
        other => other,
    };
    JobType::from_wire(wire)
        .unwrap_or_else(|| panic!("events/sqs/{file}: {wire:?} is not a job type; name sample files <type>.json"))
}

/// Errors of `instance` against the committed schema file `v1/<name>.json`.
fn schema_errors(name: &str, instance: &Value) -> Vec<String> {
    let schema = read_json(&schema_dir().join(format!("{name}.json")));
    let validator =
        jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("schema v1/{name}.json does not compile: {e}"));
    validator.iter_errors(instance).map(|e| format!("at {}: {e}", e.instance_path())).collect()
}

#[test]
fn every_sample_event_decodes_and_matches_its_schema() {
    let samples: Vec<String> = event_files().into_iter().filter(|f| f != BATCH).collect();
    assert!(!samples.is_empty(), "no sample events found");
    for file in &samples {
        let expected = job_type_of(file);
        let records = records(file);
        assert_eq!(records.len(), 1, "{file}: one record per sample event");
        for record in records {
            let job =
                decode(&record.body).unwrap_or_else(|e| panic!("{file} ({}): does not decode: {e}", record.message_id));
            assert_eq!(job.job_type().wire_name(), expected.wire_name(), "{file}: body has the wrong type");

            let body: Value = serde_json::from_str(&record.body).unwrap();
            for schema in [expected.wire_name(), "envelope"] {
                let errors = schema_errors(schema, &body);
                assert!(errors.is_empty(), "{file}: invalid against v1/{schema}.json:\n{}", errors.join("\n"));
            }

            if let Payload::CommentCreated(p) = &job.payload {
                let internal = file == "comment.internal.json";
                assert_eq!(p.comment.internal, internal, "{file}: comment.internal must be {internal}");
            }
        }
    }
}

#[test]
fn every_notify_job_type_has_a_sample_event() {
    let shown: BTreeSet<JobType> = event_files().iter().filter(|f| *f != BATCH).map(|f| job_type_of(f)).collect();
    let missing: Vec<&str> = JobType::ALL
        .into_iter()
        // report.requested is work for the reports function, not a notification.
        .filter(|t| *t != JobType::ReportRequested && !shown.contains(t))
        .map(JobType::wire_name)
        .collect();
    assert!(missing.is_empty(), "no events/sqs/<type>.json for {missing:?}");
}

#[test]
fn mixed_batch_fails_exactly_on_its_three_bad_records() {
    let records = records(BATCH);
    assert_eq!(records.len(), 10, "{BATCH}: record count");

    let mut failed = BTreeSet::new();
    for record in &records {
        let bad = BAD_IN_BATCH.contains(&record.message_id.as_str());
        match decode(&record.body) {
            Ok(job) => assert!(!bad, "{}: decoded as {}", record.message_id, job.job_type()),
            Err(e) => {
                assert!(bad, "{}: does not decode: {e}", record.message_id);
                failed.insert(record.message_id.as_str());
                if record.message_id == "bad-missing-field" {
                    assert_eq!(e.to_string(), "missing field data.ticket.requester.email");
                }
            }
        }
    }
    assert_eq!(failed, BTreeSet::from(BAD_IN_BATCH), "{BATCH}: failed records");
}

#[test]
fn sample_ids_and_message_ids_are_unique_across_files() {
    let mut ids = BTreeSet::new();
    let mut message_ids = BTreeSet::new();
    for file in event_files() {
        for record in records(&file) {
            assert!(
                message_ids.insert(record.message_id.clone()),
                "{file}: messageId {} used twice",
                record.message_id
            );
            if let Ok(job) = decode(&record.body) {
                assert!(ids.insert(job.id.clone()), "{file}: id {} used twice", job.id);
            }
        }
    }
}
