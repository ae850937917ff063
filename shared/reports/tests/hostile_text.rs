//! Whatever people type into subjects and names comes back out of the file unchanged (CSV: but for the formula
//! `'`), and never makes the writer panic.

mod support;

use deskbell_contract::{ReportFormat, Ticket};
use proptest::prelude::*;
use serde_json::Value;
use support::{as_csv_cell, concat, csv_records, gunzip, ticket_with_text, whole_file, write_report};

/// Text with the characters that break naive CSV and JSON writers well represented.
fn hostile_text() -> impl Strategy<Value = String> {
    let nasty = prop::sample::select(vec![
        '"', ',', '\r', '\n', '\0', '\t', '=', '+', '-', '@', '\'', '\\', ';', '\u{202e}', '\u{200f}', '\u{2028}',
        '\u{feff}', 'é', '🔥', '👩', '\u{200d}', '💻',
    ]);
    prop::collection::vec(prop_oneof![any::<char>(), nasty], 0..40).prop_map(String::from_iter)
}

fn hostile_ticket() -> impl Strategy<Value = Ticket> {
    (hostile_text(), hostile_text(), hostile_text(), hostile_text()).prop_map(
        |(subject, requester, assignee, company)| {
            let mut t = ticket_with_text(&subject);
            t.requester.name = requester;
            if let Some(a) = t.assignee.as_mut() {
                a.name = assignee;
            }
            if let Some(c) = t.company.as_mut() {
                c.name = company;
            }
            t
        },
    )
}

fn free_text(t: &Ticket) -> [&str; 4] {
    let assignee = t.assignee.as_ref().map_or("", |a| a.name.as_str());
    let company = t.company.as_ref().map_or("", |c| c.name.as_str());
    [&t.subject, &t.requester.name, assignee, company]
}

proptest! {
    #[test]
    fn any_text_round_trips_through_csv_but_for_the_formula_quote(tickets in prop::collection::vec(hostile_ticket(), 0..8)) {
        let records = csv_records(&whole_file(ReportFormat::Csv, false, &tickets));
        prop_assert_eq!(records.len(), tickets.len());
        for (record, t) in records.iter().zip(&tickets) {
            let [subject, requester, assignee, company] = free_text(t);
            prop_assert_eq!(&record[2], &as_csv_cell(subject));
            prop_assert_eq!(&record[7], &as_csv_cell(requester));
            prop_assert_eq!(&record[9], &as_csv_cell(assignee));
            prop_assert_eq!(&record[6], &as_csv_cell(company));
        }
    }

    #[test]
    fn any_text_round_trips_through_ndjson(tickets in prop::collection::vec(hostile_ticket(), 0..8)) {
        let file = whole_file(ReportFormat::Json, false, &tickets);
        let lines: Vec<&[u8]> = file.split(|b| *b == b'\n').filter(|l| !l.is_empty()).collect();
        prop_assert_eq!(lines.len(), tickets.len());
        for (line, t) in lines.iter().zip(&tickets) {
            let value: Value = serde_json::from_slice(line).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let [subject, requester, assignee, company] = free_text(t);
            prop_assert_eq!(&value["subject"], subject);
            prop_assert_eq!(&value["requester_name"], requester);
            prop_assert_eq!(&value["assignee_name"], assignee);
            prop_assert_eq!(&value["company_name"], company);
        }
    }

    #[test]
    fn any_text_in_small_gzip_parts_gives_the_plain_file(
        tickets in prop::collection::vec(hostile_ticket(), 0..8),
        part_size in 0usize..300,
        csv in any::<bool>(),
    ) {
        let format = if csv { ReportFormat::Csv } else { ReportFormat::Json };
        let (parts, finished) = write_report(format, true, part_size, &tickets);
        prop_assert_eq!(finished.rows, tickets.len() as u64);
        prop_assert_eq!(gunzip(&concat(&parts)), whole_file(format, false, &tickets));
    }
}
