//! The report file: rows encoded as CSV or NDJSON, optionally gzip, cut into upload parts as it grows.

use std::fmt;

use deskbell_contract::{ReportFormat, Ticket};

use crate::ReportError;
use crate::csv_rows::CsvRows;
use crate::ndjson_rows::NdjsonRows;
use crate::output::{Output, PartBuffer};
use crate::row::Row;

/// The smallest part S3 accepts in a multipart upload, except for the last part.
pub const MIN_PART_SIZE: usize = 5 * 1024 * 1024;

/// The most parts S3 accepts in one multipart upload; [`ReportWriter`] refuses to number a part beyond it.
pub const MAX_PARTS: i32 = 10_000;

/// Room reserved past `part_size` in each part buffer, for the write that crosses it (csv flushes 8 KiB at a
/// time, the compressor up to 32 KiB), so filling a part does not reallocate it.
const HEADROOM: usize = 64 * 1024;

/// The most reserved up front for a part buffer, whatever `part_size` says (tests use `usize::MAX`).
const MAX_RESERVED: usize = 16 * 1024 * 1024;

/// One piece of the report file, to upload as S3 part `number`.
#[derive(Clone, PartialEq, Eq)]
pub struct Part {
    /// 1-based and consecutive, like S3 part numbers.
    pub number: i32,
    /// The bytes of this piece of the file (compressed when gzip).
    pub bytes: Vec<u8>,
}

impl fmt::Debug for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Part").field("number", &self.number).field("len", &self.bytes.len()).finish()
    }
}

/// The end of a report file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// The last part: whatever followed the previous part, possibly small.
    pub last: Part,
    /// How many rows the file holds (tickets pushed).
    pub rows: u64,
    /// Total bytes of all parts, this last one included: the size of the file.
    pub bytes: u64,
}

/// Writes a report file row by row and cuts it into parts, holding about one part plus one row whatever the
/// number of rows.
///
/// A part is cut when the buffered output has reached `part_size`: [`push`](Self::push) returns it as the next
/// row arrives, so every part is at least `part_size` bytes (a little more: the write that crossed the line) and
/// the last part, from [`finish`](Self::finish), is never empty unless the whole file is.
///
/// After an error the file is unusable: abandon the upload.
pub struct ReportWriter {
    rows_out: RowsOut,
    format: ReportFormat,
    gzip: bool,
    part_size: usize,
    totals: Totals,
}

impl ReportWriter {
    /// A report file in `format`, gzip-compressed as one stream when `gzip`, cut into parts of at least
    /// `part_size` bytes: a part is cut as soon as the buffered output reaches `part_size` and handed out by the
    /// next [`push`](Self::push) (S3 needs [`MIN_PART_SIZE`] for all parts but the last; tests use small sizes).
    pub fn new(format: ReportFormat, gzip: bool, part_size: usize) -> Self {
        let buffer = PartBuffer::with_capacity(part_size.saturating_add(HEADROOM).min(MAX_RESERVED));
        let output = Output::new(buffer, gzip);
        let rows_out = match format {
            ReportFormat::Csv => RowsOut::Csv(Box::new(CsvRows::new(output))),
            ReportFormat::Json => RowsOut::Ndjson(NdjsonRows::new(output)),
        };
        Self { rows_out, format, gzip, part_size, totals: Totals::default() }
    }

    /// Adds one ticket's row; returns a full part when one is ready.
    pub fn push(&mut self, ticket: &Ticket) -> Result<Option<Part>, ReportError> {
        let part = match self.rows_out.buffer().take_at_least(self.part_size) {
            Some(bytes) => Some(self.totals.part(bytes)?),
            None => None,
        };
        self.rows_out.write(&Row::from(ticket))?;
        self.totals.rows += 1;
        Ok(part)
    }

    /// Ends the file: the last part (possibly small; for an empty CSV report it holds the header row; for an
    /// empty NDJSON report it is 0 bytes, or a valid empty gzip stream when gzip), and the totals.
    pub fn finish(mut self) -> Result<Finished, ReportError> {
        let bytes = self.rows_out.finish()?.into_bytes();
        let last = self.totals.part(bytes)?;
        Ok(Finished { last, rows: self.totals.rows, bytes: self.totals.bytes })
    }
}

impl fmt::Debug for ReportWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReportWriter")
            .field("format", &self.format)
            .field("gzip", &self.gzip)
            .field("part_size", &self.part_size)
            .field("parts", &self.totals.parts)
            .field("rows", &self.totals.rows)
            .field("bytes", &self.totals.bytes)
            .finish()
    }
}

/// The rows' encoding (the CSV one boxed: the csv crate's writer state is large).
enum RowsOut {
    Csv(Box<CsvRows>),
    Ndjson(NdjsonRows),
}

impl RowsOut {
    fn write(&mut self, row: &Row<'_>) -> Result<(), ReportError> {
        match self {
            Self::Csv(rows) => rows.write(row),
            Self::Ndjson(rows) => rows.write(row),
        }
    }

    fn buffer(&self) -> &PartBuffer {
        match self {
            Self::Csv(rows) => rows.buffer(),
            Self::Ndjson(rows) => rows.buffer(),
        }
    }

    fn finish(self) -> Result<PartBuffer, ReportError> {
        match self {
            Self::Csv(rows) => rows.finish(),
            Self::Ndjson(rows) => rows.finish(),
        }
    }
}

/// What has been written so far.
#[derive(Debug, Default)]
struct Totals {
    parts: i32,
    rows: u64,
    bytes: u64,
}

impl Totals {
    /// Numbers `bytes` as the next part.
    fn part(&mut self, bytes: Vec<u8>) -> Result<Part, ReportError> {
        if self.parts >= MAX_PARTS {
            return Err(ReportError::TooManyParts { max: MAX_PARTS });
        }
        self.parts += 1;
        self.bytes += bytes.len() as u64;
        Ok(Part { number: self.parts, bytes })
    }
}

/// `text/csv; charset=utf-8`, `application/x-ndjson`, or `application/gzip` when gzip.
pub fn content_type(format: ReportFormat, gzip: bool) -> &'static str {
    match (format, gzip) {
        (_, true) => "application/gzip",
        (ReportFormat::Csv, false) => "text/csv; charset=utf-8",
        (ReportFormat::Json, false) => "application/x-ndjson",
    }
}

/// `csv`, `ndjson`, `csv.gz`, `ndjson.gz`.
pub fn extension(format: ReportFormat, gzip: bool) -> &'static str {
    match (format, gzip) {
        (ReportFormat::Csv, false) => "csv",
        (ReportFormat::Json, false) => "ndjson",
        (ReportFormat::Csv, true) => "csv.gz",
        (ReportFormat::Json, true) => "ndjson.gz",
    }
}

#[cfg(test)]
mod tests {
    use deskbell_contract::fixtures::ticket;

    use super::*;

    #[test]
    fn content_type_and_extension_follow_format_and_gzip() {
        let cases = [
            (ReportFormat::Csv, false, "text/csv; charset=utf-8", "csv"),
            (ReportFormat::Json, false, "application/x-ndjson", "ndjson"),
            (ReportFormat::Csv, true, "application/gzip", "csv.gz"),
            (ReportFormat::Json, true, "application/gzip", "ndjson.gz"),
        ];
        for (format, gzip, content, ext) in cases {
            assert_eq!((content_type(format, gzip), extension(format, gzip)), (content, ext), "{format:?} {gzip}");
        }
    }

    #[test]
    fn writer_can_be_held_across_await_points() {
        fn send<T: Send>() {}
        send::<ReportWriter>();
        send::<Part>();
        send::<Finished>();
    }

    #[test]
    fn part_numbers_stop_at_the_s3_limit() {
        let mut totals = Totals { parts: MAX_PARTS - 1, ..Totals::default() };
        assert_eq!(totals.part(vec![1]).unwrap().number, MAX_PARTS);
        assert!(matches!(totals.part(vec![1]), Err(ReportError::TooManyParts { max: MAX_PARTS })));
    }

    #[test]
    fn part_size_zero_cuts_one_part_per_row_and_never_an_empty_one() {
        let mut writer = ReportWriter::new(ReportFormat::Json, false, 0);
        let mut numbers = Vec::new();
        for n in 1..=3 {
            if let Some(part) = writer.push(&ticket(n)).unwrap() {
                assert!(!part.bytes.is_empty());
                numbers.push(part.number);
            }
        }
        let finished = writer.finish().unwrap();
        assert!(!finished.last.bytes.is_empty());
        numbers.push(finished.last.number);
        assert_eq!(numbers, [1, 2, 3]);
    }

    #[test]
    fn debug_shows_sizes_not_bytes() {
        let part = Part { number: 3, bytes: vec![0; 5000] };
        assert_eq!(format!("{part:?}"), "Part { number: 3, len: 5000 }");
        let writer = ReportWriter::new(ReportFormat::Csv, true, 1024);
        assert!(format!("{writer:?}").starts_with("ReportWriter { format: Csv, gzip: true, part_size: 1024"));
    }
}
