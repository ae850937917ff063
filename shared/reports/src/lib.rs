//! Ticket reports without AWS, I/O or clock: which tickets a report holds ([`matches()`]), their [`Row`]s, and the
//! file they make ([`ReportWriter`]), cut into upload parts of bounded size.
//!
//! The caller reads tickets (DynamoDB), keeps those that [`matches()`] the filters, pushes each into a
//! [`ReportWriter`] and uploads every [`Part`] it returns (S3 multipart upload), then the last one from
//! [`ReportWriter::finish`]. The writer holds about one part plus one row, whatever the number of rows.
//!
//! Formats:
//! - **CSV**, RFC 4180: comma separator, CRLF record terminator, quotes only where needed, header row first,
//!   UTF-8 without BOM. Cells a spreadsheet would run as a formula (beginning with `=`, `+`, `-`, `@`, tab or
//!   carriage return) get a leading `'`, as OWASP advises against CSV injection.
//! - **JSON** is written as NDJSON (newline-delimited JSON, `application/x-ndjson`): one object per line, keys in
//!   [`COLUMNS`] order, each line ended by `\n`. Unlike one big JSON array, it streams: the writer emits each row
//!   as it comes and a reader (`jq`, pandas `lines=True`, a line-by-line loop) handles one row at a time, so
//!   neither side needs the whole file in memory. Values are never altered (no formula neutralisation).
//! - **gzip** wraps the whole file in one gzip stream: the concatenated parts gunzip to exactly the file the same
//!   report gives without gzip.
//!
//! ```
//! use deskbell_contract::{ReportFormat, fixtures};
//! use deskbell_reports::{ReportWriter, content_type, extension};
//!
//! let mut writer = ReportWriter::new(ReportFormat::Csv, false, deskbell_reports::MIN_PART_SIZE);
//! let mut parts = Vec::new();
//! for number in 1..=3 {
//!     if let Some(part) = writer.push(&fixtures::ticket(number))? {
//!         parts.push(part);
//!     }
//! }
//! let finished = writer.finish()?;
//! assert_eq!((finished.rows, finished.last.number), (3, 1));
//! assert!(finished.last.bytes.starts_with(b"number,id,subject,"));
//! assert_eq!(format!("report.{}", extension(ReportFormat::Csv, false)), "report.csv");
//! assert_eq!(content_type(ReportFormat::Csv, false), "text/csv; charset=utf-8");
//! # Ok::<(), deskbell_reports::ReportError>(())
//! ```

mod cell;
mod csv_rows;
mod error;
mod filter;
mod formula;
mod ndjson_rows;
mod output;
mod row;
mod writer;

pub use error::ReportError;
pub use filter::matches;
pub use row::{COLUMNS, Row};
pub use writer::{Finished, MAX_PARTS, MIN_PART_SIZE, Part, ReportWriter, content_type, extension};
