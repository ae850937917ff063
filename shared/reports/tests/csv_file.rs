//! The CSV report file: header, RFC 4180 quoting, UTF-8, formula neutralisation.

mod support;

use deskbell_contract::fixtures::ticket;
use deskbell_contract::{ReportFormat, Ticket};
use deskbell_reports::COLUMNS;
use support::{as_csv_cell, csv_records, ticket_with_text, whole_file};

const HEADER: &str = "number,id,subject,status,priority,company_id,company_name,requester_name,requester_email,\
                      assignee_name,assignee_email,created_at,updated_at,first_response_at,resolved_at\r\n";

fn csv(tickets: &[Ticket]) -> Vec<u8> {
    whole_file(ReportFormat::Csv, false, tickets)
}

#[test]
fn header_row_comes_first_with_the_columns_in_order() {
    let file = csv(&[ticket(1)]);
    assert!(file.starts_with(HEADER.as_bytes()));
    let mut reader = csv::Reader::from_reader(file.as_slice());
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), COLUMNS);
}

#[test]
fn empty_csv_report_is_exactly_the_header_line() {
    assert_eq!(String::from_utf8(csv(&[])).unwrap(), HEADER);
}

#[test]
fn one_record_per_ticket_crlf_terminated_quoted_only_where_needed() {
    let file = String::from_utf8(csv(&[ticket(1042), ticket(1043)])).unwrap();
    let records: Vec<&str> = file.split_terminator("\r\n").collect();
    assert_eq!(records.len(), 3);
    assert_eq!(
        records[1],
        "1042,t-1042,Printer on fire,open,normal,acme,ACME,User cust,cust@example.com,User agent,agent@example.com,\
         2026-11-24T10:00:00Z,2026-11-24T10:00:00Z,,"
    );
    assert!(file.ends_with("\r\n"));
}

#[test]
fn no_byte_order_mark() {
    assert!(!csv(&[ticket(1)]).starts_with("\u{feff}".as_bytes()));
}

#[test]
fn comma_quote_and_line_breaks_inside_fields_are_quoted_and_read_back_unchanged() {
    let texts = ["a, b", "say \"hi\"", "line one\r\nline two", "lf\nonly", "cr\ronly", "\"", ",", ""];
    let tickets: Vec<Ticket> = texts.iter().map(|t| ticket_with_text(t)).collect();
    let file = csv(&tickets);
    let text = String::from_utf8(file.clone()).unwrap();
    assert!(text.contains(",\"a, b\","), "{text}");
    assert!(text.contains(",\"say \"\"hi\"\"\","), "{text}");
    assert!(text.contains(",\"line one\r\nline two\","), "{text}");
    let records = csv_records(&file);
    assert_eq!(records.len(), texts.len());
    for (record, text) in records.iter().zip(texts) {
        assert_eq!(record[2], text, "subject");
        assert_eq!(record[7], text, "requester_name");
    }
}

#[test]
fn utf8_accents_emoji_and_rtl_marks_are_preserved() {
    let text = "Écran cassé 🔥 — ‏שלום‎ 日本語";
    let file = csv(&[ticket_with_text(text)]);
    assert!(String::from_utf8(file.clone()).is_ok());
    assert_eq!(csv_records(&file)[0][2], text);
}

#[test]
fn cells_beginning_with_a_formula_character_get_a_leading_quote() {
    for lead in ['=', '+', '-', '@', '\t', '\r'] {
        let text = format!("{lead}HYPERLINK(\"http://evil.example\",\"click\")");
        let records = csv_records(&csv(&[ticket_with_text(&text)]));
        assert_eq!(records[0][2], format!("'{text}"), "subject beginning with {lead:?}");
        assert_eq!(records[0][6], format!("'{text}"), "company_name beginning with {lead:?}");
    }
}

#[test]
fn harmless_cells_are_untouched() {
    for text in ["Printer on fire", "1+1=2", "e-mail", " =not first", "'quoted", "#42"] {
        let records = csv_records(&csv(&[ticket_with_text(text)]));
        assert_eq!(records[0][2], text);
        assert_eq!(records[0][2], as_csv_cell(text));
    }
}

#[test]
fn ids_and_emails_are_neutralised_too() {
    let mut t = ticket(1);
    t.id = "=cmd|' /C calc'!A0".into();
    t.requester.email = "@evil.example".into();
    let records = csv_records(&csv(&[t]));
    assert_eq!(records[0][1], "'=cmd|' /C calc'!A0");
    assert_eq!(records[0][8], "'@evil.example");
}
