//! Report rows as NDJSON: one JSON object per line, keys in [`COLUMNS`](crate::COLUMNS) order, each line ended by
//! `\n`.

use std::io::Write as _;

use crate::ReportError;
use crate::output::{Output, PartBuffer};
use crate::row::Row;

/// An NDJSON file being written. Each line is encoded whole, then handed to the output in one write (one call
/// into the compressor per row rather than one per token).
pub(crate) struct NdjsonRows {
    output: Output,
    /// The line being encoded, reused from row to row.
    line: Vec<u8>,
}

impl NdjsonRows {
    /// An NDJSON file written to `output`; no rows make an empty file.
    pub(crate) fn new(output: Output) -> Self {
        Self { output, line: Vec::new() }
    }

    /// Adds one line.
    pub(crate) fn write(&mut self, row: &Row<'_>) -> Result<(), ReportError> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, row)
            .map_err(|source| ReportError::Json { ticket_id: row.id.to_owned(), source })?;
        self.line.push(b'\n');
        self.output.write_all(&self.line).map_err(|source| ReportError::Write { ticket_id: row.id.to_owned(), source })
    }

    /// The bytes produced so far and not yet taken.
    pub(crate) fn buffer(&self) -> &PartBuffer {
        self.output.buffer()
    }

    /// Ends the file and gives back the buffer with the last bytes.
    pub(crate) fn finish(self) -> Result<PartBuffer, ReportError> {
        self.output.finish().map_err(|source| ReportError::Finish { source })
    }
}
