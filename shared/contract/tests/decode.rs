//! Decoding bodies: every job type round-trips, bad input gets an error naming the field.

use deskbell_contract::{DecodeError, JobType, decode, fixtures};
use proptest::prelude::*;
use serde_json::{Value, json};

fn body_of(job_type: JobType) -> Value {
    let job = fixtures::one_of_each().into_iter().find(|j| j.job_type() == job_type).unwrap();
    serde_json::from_str(&job.to_body()).unwrap()
}

fn decode_value(v: &Value) -> Result<deskbell_contract::Job, DecodeError> {
    decode(&v.to_string())
}

#[test]
fn every_job_type_round_trips() {
    for job in fixtures::one_of_each() {
        assert_eq!(decode(&job.to_body()).unwrap(), job, "{}", job.job_type());
    }
}

#[test]
fn not_json_is_reported_with_its_position() {
    let err = decode("{\"id\": ").unwrap_err();
    assert!(matches!(err, DecodeError::NotJson { line: 1, .. }), "{err:?}");
    let err = decode("42").unwrap_err();
    assert!(matches!(err, DecodeError::InvalidField { ref field, .. } if field == "envelope"), "{err:?}");
    let err = decode("[1,2]").unwrap_err();
    assert!(matches!(err, DecodeError::InvalidField { .. }), "{err:?}");
    assert!(matches!(
        decode(&format!("{} x", body_of(JobType::UserWelcome))).unwrap_err(),
        DecodeError::NotJson { .. }
    ));
}

#[test]
fn unknown_type_and_version_are_named() {
    let mut v = body_of(JobType::TicketAssigned);
    v["type"] = json!("ticket.exploded");
    assert_eq!(decode_value(&v).unwrap_err(), DecodeError::UnknownType { found: "ticket.exploded".into() });

    let mut v = body_of(JobType::TicketAssigned);
    v["version"] = json!(7);
    let err = decode_value(&v).unwrap_err();
    assert_eq!(err.to_string(), "unsupported version 7 of ticket.assigned (supported: 1)");
    assert_eq!(err.field(), Some("version"));
}

#[test]
fn missing_nested_field_names_its_full_path() {
    let mut v = body_of(JobType::TicketAssigned);
    v["data"]["ticket"]["requester"].as_object_mut().unwrap().remove("email");
    let err = decode_value(&v).unwrap_err();
    assert_eq!(err.to_string(), "missing field data.ticket.requester.email");
}

#[test]
fn wrong_type_names_its_path_including_list_index() {
    let mut v = body_of(JobType::SystemMaintenance);
    v["data"]["recipients"][0]["role"] = json!("overlord");
    let err = decode_value(&v).unwrap_err();
    assert_eq!(err.field(), Some("data.recipients[0].role"), "{err}");
}

#[test]
fn hostile_email_is_refused_naming_the_field() {
    let mut v = body_of(JobType::CommentCreated);
    v["data"]["ticket"]["watchers"] = json!([{
        "id": "w", "email": "w@example.com\r\nBcc: evil@x.io", "name": "W", "role": "agent"
    }]);
    let err = decode_value(&v).unwrap_err();
    assert_eq!(err.field(), Some("data.ticket.watchers[0].email"), "{err}");
}

#[test]
fn javascript_link_is_refused() {
    let mut v = body_of(JobType::UserPasswordReset);
    v["data"]["reset_url"] = json!("javascript:alert(document.cookie)");
    assert_eq!(decode_value(&v).unwrap_err().field(), Some("data.reset_url"));
}

#[test]
fn report_range_backwards_is_refused() {
    let mut v = body_of(JobType::ReportRequested);
    v["data"]["filters"]["created_to"] = json!("2020-01-01T00:00:00Z");
    let err = decode_value(&v).unwrap_err();
    assert_eq!(err.to_string(), "invalid field data.filters.created_to: is before created_from");
}

#[test]
fn oversized_body_is_refused_before_parsing() {
    let body = format!("{{\"pad\":\"{}\"}}", "x".repeat(deskbell_contract::MAX_BODY_BYTES));
    assert!(matches!(decode(&body).unwrap_err(), DecodeError::TooLarge { .. }));
}

#[test]
fn empty_or_control_id_is_refused() {
    let mut v = body_of(JobType::UserWelcome);
    v["id"] = json!("");
    assert_eq!(decode_value(&v).unwrap_err().field(), Some("id"));
    v["id"] = json!("a\nb");
    assert_eq!(decode_value(&v).unwrap_err().field(), Some("id"));
}

#[test]
fn peek_reads_id_and_type_of_an_invalid_body() {
    let (id, t) = deskbell_contract::peek(r#"{"id":"x1","type":"ticket.assigned","data":{}}"#);
    assert_eq!((id.as_deref(), t.as_deref()), (Some("x1"), Some("ticket.assigned")));
    assert_eq!(deskbell_contract::peek("garbage"), (None, None));
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(s in ".{0,300}") {
        let _ = decode(&s);
    }

    #[test]
    fn arbitrary_strings_in_a_valid_envelope_never_panic(subject in ".{0,200}", name in ".{0,200}", email in ".{0,60}") {
        let mut v = body_of(JobType::TicketCreated);
        v["data"]["ticket"]["subject"] = json!(subject);
        v["data"]["actor"]["name"] = json!(name);
        v["data"]["ticket"]["requester"]["email"] = json!(email);
        match decode_value(&v) {
            Ok(job) => prop_assert_eq!(job.payload.ticket().unwrap().subject.clone(), subject),
            Err(e) => prop_assert_eq!(e.field(), Some("data.ticket.requester.email")),
        }
    }
}

#[test]
fn a_comment_without_internal_is_refused() {
    let mut v = body_of(JobType::CommentCreated);
    v["data"]["comment"].as_object_mut().unwrap().remove("internal");
    assert_eq!(decode_value(&v).unwrap_err().to_string(), "missing field data.comment.internal");
    // A misspelt key is the same as a missing one: never a public reply by default.
    v["data"]["comment"]["intenal"] = json!(true);
    assert_eq!(decode_value(&v).unwrap_err().field(), Some("data.comment.internal"));
}

#[test]
fn a_report_without_its_company_filter_is_refused() {
    let mut v = body_of(JobType::ReportRequested);
    v["data"]["filters"].as_object_mut().unwrap().remove("companies");
    assert_eq!(decode_value(&v).unwrap_err().to_string(), "missing field data.filters.companies");
}

#[test]
fn instants_outside_2000_to_2100_are_refused_naming_the_field() {
    for (place, value) in [
        ("occurred_at", "+99999-01-01T00:00:00Z"),
        ("occurred_at", "2100-01-01T00:00:00Z"),
        ("occurred_at", "1999-12-31T23:59:59Z"),
        ("data.ticket.created_at", "9999-12-31T23:59:59Z"),
    ] {
        let mut v = body_of(JobType::TicketCreated);
        match place.strip_prefix("data.ticket.") {
            Some(field) => v["data"]["ticket"][field] = json!(value),
            None => v[place] = json!(value),
        }
        let err = decode_value(&v).unwrap_err();
        assert_eq!(err.field(), Some(place), "{value}: {err}");
    }
    let mut v = body_of(JobType::TicketCreated);
    v["occurred_at"] = json!("2100-01-01T00:00:00Z");
    assert_eq!(
        decode_value(&v).unwrap_err().to_string(),
        "invalid field occurred_at: 2100-01-01T00:00:00Z is outside 2000..2100"
    );
}

#[test]
fn a_report_over_366_days_is_refused_naming_created_to() {
    let mut v = body_of(JobType::ReportRequested);
    v["data"]["filters"]["created_from"] = json!("2025-01-01T00:00:00Z");
    v["data"]["filters"]["created_to"] = json!("2026-01-02T00:00:00Z");
    assert!(decode_value(&v).is_ok(), "366 days is allowed");
    v["data"]["filters"]["created_to"] = json!("2026-01-02T00:00:01Z");
    assert_eq!(
        decode_value(&v).unwrap_err().to_string(),
        "invalid field data.filters.created_to: is more than 366 days after created_from"
    );
}

#[test]
fn a_body_of_one_mebibyte_decodes_one_byte_more_is_refused() {
    let mut v = body_of(JobType::CommentCreated);
    v["data"]["comment"]["body"] = json!("");
    let room = deskbell_contract::MAX_BODY_BYTES - v.to_string().len();
    // Unknown fields are ignored: pad the envelope to exactly the limit.
    v["pad"] = json!("");
    let room = room - (v.to_string().len() - (deskbell_contract::MAX_BODY_BYTES - room));
    v["pad"] = json!("x".repeat(room));
    assert_eq!(v.to_string().len(), deskbell_contract::MAX_BODY_BYTES);
    assert!(decode_value(&v).is_ok());
    v["pad"] = json!("x".repeat(room + 1));
    let err = decode_value(&v).unwrap_err();
    assert_eq!(err, DecodeError::TooLarge { size: 1024 * 1024 + 1, limit: 1024 * 1024 });
}
