//! Report writing: throughput and peak memory as the number of rows grows.
//!
//! For each N and format, a child process (this binary re-run with `--case N FORMAT`) generates N tickets one at a
//! time from their index (never a list of all N), pushes them through a [`ReportWriter`] with 8 MiB parts, drops
//! each part after counting its bytes, and prints one `RESULT` line with its time, output size and peak RSS
//! (`VmHWM` from /proc/self/status). One process per case keeps each peak RSS its own. The parent prints a
//! Markdown table.
//!
//! Run: `cargo bench -p deskbell-reports --bench report_rows`

use std::env;
use std::error::Error;
use std::fmt::{self, Write as _};
use std::process::Command;
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use deskbell_contract::{Company, Priority, ReportFormat, Role, Status, Ticket, User};
use deskbell_reports::ReportWriter;

const SIZES: [u64; 3] = [10_000, 100_000, 1_000_000];
const PART_SIZE: usize = 8 * 1024 * 1024;
const MIB: f64 = 1024.0 * 1024.0;

/// One output format of the benchmark.
#[derive(Debug, Clone, Copy)]
enum Case {
    Csv,
    Ndjson,
    CsvGzip,
}

impl Case {
    const ALL: [Case; 3] = [Case::Csv, Case::Ndjson, Case::CsvGzip];

    fn name(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Ndjson => "ndjson",
            Self::CsvGzip => "csv+gzip",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|case| case.name() == name)
    }

    fn writer(self) -> ReportWriter {
        match self {
            Self::Csv => ReportWriter::new(ReportFormat::Csv, false, PART_SIZE),
            Self::Ndjson => ReportWriter::new(ReportFormat::Json, false, PART_SIZE),
            Self::CsvGzip => ReportWriter::new(ReportFormat::Csv, true, PART_SIZE),
        }
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = env::args().collect();
    if let Some(at) = args.iter().position(|arg| arg == "--case") {
        let rows = args.get(at + 1).ok_or("--case needs N")?.parse()?;
        let name = args.get(at + 2).ok_or("--case needs a format")?;
        let case = Case::parse(name).ok_or_else(|| format!("unknown format {name}"))?;
        return run_case(rows, case);
    }

    let exe = env::current_exe()?;
    let case_result = |rows: u64, case: Case| -> Result<CaseResult, Box<dyn Error>> {
        let output = Command::new(&exe).args(["--case", &rows.to_string(), case.name()]).output()?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let line = stdout.lines().find(|l| l.starts_with("RESULT ")).ok_or_else(|| {
            let stderr = String::from_utf8_lossy(&output.stderr);
            format!("case {rows} {}: no result ({}): {stderr}", case.name(), output.status)
        })?;
        Ok(CaseResult::parse(line).ok_or_else(|| format!("unreadable result line: {line}"))?)
    };
    println!("| N | format | rows/s | output MiB | MiB/s | peak RSS MiB |");
    println!("|---:|---|---:|---:|---:|---:|");
    for rows in SIZES {
        for case in Case::ALL {
            println!("{}", case_result(rows, case)?);
        }
    }
    let floor = case_result(0, Case::Csv)?;
    println!(
        "\nProcess floor (N = 0, csv): peak RSS {:.1} MiB. Parts: {} MiB.",
        floor.peak_kib as f64 / 1024.0,
        PART_SIZE >> 20
    );
    Ok(())
}

/// What one child reports.
struct CaseResult {
    rows: u64,
    case: String,
    seconds: f64,
    bytes: u64,
    peak_kib: u64,
}

impl CaseResult {
    fn parse(line: &str) -> Option<Self> {
        let mut fields = line.split_whitespace().skip(1);
        Some(Self {
            rows: fields.next()?.parse().ok()?,
            case: fields.next()?.to_owned(),
            seconds: fields.next()?.parse().ok()?,
            bytes: fields.next()?.parse().ok()?,
            peak_kib: fields.nth(1)?.parse().ok()?, // after the part count
        })
    }
}

impl fmt::Display for CaseResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mib = self.bytes as f64 / MIB;
        write!(
            f,
            "| {} | {} | {:.0} | {:.1} | {:.1} | {:.1} |",
            self.rows,
            self.case,
            self.rows as f64 / self.seconds,
            mib,
            mib / self.seconds,
            self.peak_kib as f64 / 1024.0,
        )
    }
}

/// The child: writes one report and prints `RESULT rows case seconds bytes parts peak_kib`.
fn run_case(rows: u64, case: Case) -> Result<(), Box<dyn Error>> {
    let mut tickets = Tickets::new();
    let mut writer = case.writer();
    let mut part_bytes = 0u64;
    let started = Instant::now();
    for n in 1..=rows {
        if let Some(part) = writer.push(tickets.get(n))? {
            part_bytes += part.bytes.len() as u64;
        }
    }
    let finished = writer.finish()?;
    let seconds = started.elapsed().as_secs_f64();
    part_bytes += finished.last.bytes.len() as u64;
    if part_bytes != finished.bytes || finished.rows != rows {
        return Err(
            format!("totals disagree: parts {part_bytes} vs {} bytes, {} rows", finished.bytes, finished.rows).into()
        );
    }
    let peak_kib = peak_rss_kib()?;
    println!("RESULT {rows} {} {seconds} {} {} {peak_kib}", case.name(), finished.bytes, finished.last.number);
    Ok(())
}

/// This process's peak resident set size (`VmHWM`), in KiB.
fn peak_rss_kib() -> Result<u64, Box<dyn Error>> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).ok_or("no VmHWM in /proc/self/status")?;
    Ok(line.trim_start_matches("VmHWM:").trim().trim_end_matches("kB").trim().parse()?)
}

/// Tickets generated from their index into one reused ticket, so the benchmark never holds more than one.
struct Tickets {
    ticket: Ticket,
    spare_company: Option<Company>,
    spare_assignee: Option<User>,
}

const WORDS: [&str; 16] = [
    "printer",
    "on fire",
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
    "VPN",
    "drops",
    "=SUM(A1)",
    "export",
];

impl Tickets {
    fn new() -> Self {
        let user = |id: &str, role| User {
            id: id.into(),
            email: format!("{id}@example.com"),
            name: format!("User {id}"),
            locale: "en".into(),
            role,
        };
        let epoch = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap_or_default();
        let ticket = Ticket {
            id: String::new(),
            number: 0,
            subject: String::new(),
            status: Status::New,
            priority: Priority::Normal,
            requester: user("cust", Role::Customer),
            assignee: Some(user("agent", Role::Agent)),
            watchers: vec![],
            company: Some(Company { id: String::new(), name: String::new() }),
            created_at: epoch,
            updated_at: epoch,
            first_response_at: None,
            resolved_at: None,
            version: 1,
        };
        Self { ticket, spare_company: None, spare_assignee: None }
    }

    /// Ticket #`n`: subject of 0 to 19 words, company, assignee and dates varying with `n`, some absent.
    fn get(&mut self, n: u64) -> &Ticket {
        let h = mix(n);
        let t = &mut self.ticket;
        t.number = n;
        set(&mut t.id, format_args!("t-{n}"));
        t.subject.clear();
        for i in 0..h % 20 {
            if i > 0 {
                t.subject.push(' ');
            }
            t.subject.push_str(WORDS[(mix(h ^ i) % WORDS.len() as u64) as usize]);
        }
        t.status = Status::ALL[((h >> 4) % 6) as usize];
        t.priority = [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent][((h >> 12) % 4) as usize];
        set(&mut t.requester.name, format_args!("Customer {}", (h >> 20) % 5000));
        set(&mut t.requester.email, format_args!("cust{}@example.com", (h >> 20) % 5000));
        toggle(&mut t.company, &mut self.spare_company, h % 7 != 0);
        if let Some(company) = t.company.as_mut() {
            set(&mut company.id, format_args!("company-{}", h % 97));
            set(&mut company.name, format_args!("Company {}, Ltd", h % 97));
        }
        toggle(&mut t.assignee, &mut self.spare_assignee, h % 5 != 0);
        if let Some(agent) = t.assignee.as_mut() {
            set(&mut agent.name, format_args!("Agent {}", (h >> 8) % 40));
            set(&mut agent.email, format_args!("agent{}@example.com", (h >> 8) % 40));
        }
        let created: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap_or_default()
            - Duration::seconds(((h >> 16) % 90_000_000) as i64);
        t.created_at = created;
        t.updated_at = created + Duration::seconds(((h >> 24) % 500_000) as i64);
        t.first_response_at = (h % 2 == 0).then(|| created + Duration::seconds(((h >> 28) % 90_000) as i64));
        t.resolved_at = (h % 4 == 0).then(|| created + Duration::seconds(((h >> 36) % 900_000) as i64));
        &self.ticket
    }
}

/// Replaces `text` with `args`, reusing its allocation.
fn set(text: &mut String, args: fmt::Arguments<'_>) {
    text.clear();
    let _ = text.write_fmt(args);
}

/// Makes `slot` present or absent as `present` says, parking the value in `spare` rather than dropping it.
fn toggle<T>(slot: &mut Option<T>, spare: &mut Option<T>, present: bool) {
    if present && slot.is_none() {
        *slot = spare.take();
    } else if !present && slot.is_some() {
        *spare = slot.take();
    }
}

/// splitmix64: a well-mixed hash of `n`, so tickets vary like real ones and compress like them.
fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
