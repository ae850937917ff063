//! Builders and helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::Read;

use chrono::Duration;
use deskbell_contract::fixtures::{at, ticket, user};
use deskbell_contract::{Company, Priority, ReportFormat, Role, Status, Ticket};
use deskbell_reports::{Finished, Part, ReportWriter};

/// Ticket #`n` with a subject of varying length, a company, status, priority and assignee that vary with `n`,
/// and some optional fields absent.
pub fn varied_ticket(n: u64) -> Ticket {
    let subject_words = ["printer", "on", "fire", "again,", "\"urgent\"", "écran", "🔥"];
    let subject = (0..(n % 23) as usize).map(|i| subject_words[i % subject_words.len()]).collect::<Vec<_>>().join(" ");
    let company = match n % 4 {
        0 => None,
        k => Some(Company { id: format!("company-{k}"), name: format!("Company {k}, Ltd") }),
    };
    let assignee = (n % 3 != 0).then(|| user(&format!("agent{}", n % 5), Role::Agent));
    Ticket {
        id: format!("t-{n}"),
        number: n,
        subject,
        status: Status::ALL[(n % 6) as usize],
        priority: [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent][(n % 4) as usize],
        company,
        assignee,
        created_at: at() - Duration::minutes(n as i64),
        first_response_at: (n % 2 == 0).then(|| at() + Duration::seconds(n as i64)),
        resolved_at: (n % 5 == 0).then(at),
        ..ticket(n)
    }
}

/// Ticket #1 with `text` in every free-text field.
pub fn ticket_with_text(text: &str) -> Ticket {
    let mut t = ticket(1);
    t.subject = text.to_owned();
    t.requester.name = text.to_owned();
    if let Some(assignee) = t.assignee.as_mut() {
        assignee.name = text.to_owned();
    }
    if let Some(company) = t.company.as_mut() {
        company.name = text.to_owned();
    }
    t
}

/// Every part `tickets` make, the last one included, and the totals.
pub fn write_report(format: ReportFormat, gzip: bool, part_size: usize, tickets: &[Ticket]) -> (Vec<Part>, Finished) {
    let mut writer = ReportWriter::new(format, gzip, part_size);
    let mut parts = Vec::new();
    for t in tickets {
        if let Some(part) = writer.push(t).unwrap() {
            parts.push(part);
        }
    }
    let finished = writer.finish().unwrap();
    parts.push(finished.last.clone());
    (parts, finished)
}

/// The whole file `tickets` make, in one part.
pub fn whole_file(format: ReportFormat, gzip: bool, tickets: &[Ticket]) -> Vec<u8> {
    let (parts, _) = write_report(format, gzip, usize::MAX, tickets);
    assert_eq!(parts.len(), 1, "a huge part size gives one part");
    concat(&parts)
}

/// The parts' bytes, end to end.
pub fn concat(parts: &[Part]) -> Vec<u8> {
    parts.iter().flat_map(|p| p.bytes.iter().copied()).collect()
}

/// The content of one gzip stream (a second stream after it would be left out, and the comparison fail).
pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

/// The CSV records after the header, as text.
pub fn csv_records(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_reader(bytes);
    reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect()
}

/// What a CSV cell holds for `text`: the text, with a leading `'` when a spreadsheet would run it as a formula.
pub fn as_csv_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}
