//! The NDJSON report file: one object per line, keys in column order, values unaltered.

mod support;

use std::fmt;

use deskbell_contract::ReportFormat;
use deskbell_contract::fixtures::ticket;
use deskbell_reports::COLUMNS;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Value, json};
use support::{gunzip, ticket_with_text, varied_ticket, whole_file};

/// A JSON object's entries in file order.
struct Entries(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

fn lines(file: &[u8]) -> Vec<&[u8]> {
    assert!(file.is_empty() || file.ends_with(b"\n"), "the last line ends with a newline");
    file.split(|b| *b == b'\n').filter(|l| !l.is_empty()).collect()
}

#[test]
fn empty_ndjson_report_is_zero_bytes() {
    assert!(whole_file(ReportFormat::Json, false, &[]).is_empty());
}

#[test]
fn empty_gzip_ndjson_report_is_a_valid_empty_gzip_stream() {
    let file = whole_file(ReportFormat::Json, true, &[]);
    assert!(file.starts_with(&[0x1f, 0x8b]), "gzip magic");
    assert!(gunzip(&file).is_empty());
}

#[test]
fn each_line_is_an_object_with_exactly_the_columns_in_order() {
    let tickets: Vec<_> = (1..=50).map(varied_ticket).collect();
    let file = whole_file(ReportFormat::Json, false, &tickets);
    let lines = lines(&file);
    assert_eq!(lines.len(), tickets.len());
    for line in lines {
        let Entries(entries) = serde_json::from_slice(line).unwrap();
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, COLUMNS);
    }
}

#[test]
fn values_are_typed_and_absent_ones_null() {
    let file = whole_file(ReportFormat::Json, false, &[ticket(1042)]);
    let value: Value = serde_json::from_slice(&file).unwrap();
    assert_eq!(
        value,
        json!({
            "number": 1042, "id": "t-1042", "subject": "Printer on fire", "status": "open", "priority": "normal",
            "company_id": "acme", "company_name": "ACME", "requester_name": "User cust",
            "requester_email": "cust@example.com", "assignee_name": "User agent", "assignee_email": "agent@example.com",
            "created_at": "2026-11-24T10:00:00Z", "updated_at": "2026-11-24T10:00:00Z",
            "first_response_at": null, "resolved_at": null
        })
    );
}

#[test]
fn formula_characters_are_not_neutralised_in_ndjson() {
    let text = "=1+1\r\n\"x\"\0 🔥";
    let file = whole_file(ReportFormat::Json, false, &[ticket_with_text(text)]);
    assert_eq!(lines(&file).len(), 1, "line breaks inside values are escaped");
    let value: Value = serde_json::from_slice(&file).unwrap();
    assert_eq!(value["subject"], text);
    assert_eq!(value["company_name"], text);
}
