//! Builders and helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::Read;

use chrono::Duration;
use deskbell_contract::fixtures::{at, ticket, user};
use deskbell_contract::{Company, Priority, ReportFormat, Role, Status, Ticket};
use deskbell_reports::{Finished, Part, ReportWriter};

/// A well-mixed hash of `n` (splitmix64), so generated tickets vary like real ones and compress like them.
pub fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Ticket #`n`: a subject of 0 to 22 words drawn from `n` (commas, quotes, accents, emoji included), a company,
/// status, priority, requester and assignee that vary with `n`, and some optional fields absent.
pub fn varied_ticket(n: u64) -> Ticket {
    const WORDS: [&str; 24] = [
        "printer",
        "on",
        "fire",
        "again,",
        "\"urgent\"",
        "écran",
        "🔥",
        "login",
        "fails",
        "after",
        "password",
        "reset",
        "invoice",
        "missing",
        "VPN",
        "drops",
        "every",
        "hour",
        "cannot",
        "export",
        "report",
        "slow",
        "mailbox",
        "full",
    ];
    let h = mix(n);
    let words = (h % 23) as usize;
    let mut subject: Vec<String> = (0..words).map(|i| WORDS[(mix(h ^ i as u64) % 24) as usize].to_owned()).collect();
    if h % 3 == 0 {
        subject.push(format!("ref {:08x}", h >> 32));
    }
    let company = match h % 7 {
        0 => None,
        k => Some(Company { id: format!("company-{}", h % 97), name: format!("Company {k}, Ltd") }),
    };
    let assignee = (h % 5 != 0).then(|| user(&format!("agent{}", (h >> 8) % 40), Role::Agent));
    let created_at = at() - Duration::seconds(((h >> 16) % 90_000_000) as i64);
    Ticket {
        id: format!("t-{n}"),
        number: n,
        subject: subject.join(" "),
        status: Status::ALL[((h >> 4) % 6) as usize],
        priority: [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent][((h >> 12) % 4) as usize],
        requester: user(&format!("cust{}", (h >> 20) % 5000), Role::Customer),
        company,
        assignee,
        created_at,
        updated_at: created_at + Duration::seconds(((h >> 24) % 500_000) as i64),
        first_response_at: (h % 2 == 0).then(|| created_at + Duration::seconds(((h >> 28) % 90_000) as i64)),
        resolved_at: (h % 4 == 0).then(|| created_at + Duration::seconds(((h >> 36) % 900_000) as i64)),
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
