//! Report rows as CSV: RFC 4180 (comma, CRLF, quotes only where needed), header row first, UTF-8 without BOM,
//! formula cells neutralised.

use std::fmt::Write as _;
use std::io;

use crate::ReportError;
use crate::cell::Cell;
use crate::formula;
use crate::output::{Output, PartBuffer};
use crate::row::{COLUMNS, Row};

/// A CSV file being written, one record per row, through one `csv::Writer` for the whole file.
pub(crate) struct CsvRows {
    writer: csv::Writer<Output>,
    header_written: bool,
    /// A number or date as text, reused from cell to cell.
    formatted: String,
    /// A cell with its formula-neutralising `'`, reused from cell to cell.
    neutralised: String,
}

impl CsvRows {
    /// A CSV file written to `output`; the header row comes with the first row, or at the end if there is none.
    pub(crate) fn new(output: Output) -> Self {
        let writer = csv::WriterBuilder::new()
            .has_headers(false)
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(output);
        Self { writer, header_written: false, formatted: String::new(), neutralised: String::new() }
    }

    /// Adds one record.
    pub(crate) fn write(&mut self, row: &Row<'_>) -> Result<(), ReportError> {
        self.write_header()?;
        self.write_record(row).map_err(|source| ReportError::Csv { ticket_id: row.id.to_owned(), source })
    }

    fn write_record(&mut self, row: &Row<'_>) -> csv::Result<()> {
        for cell in row.cells() {
            let text = match cell {
                Cell::Text(text) => text,
                Cell::Absent => "",
                Cell::Number(_) | Cell::Time(_) => {
                    self.formatted.clear();
                    write!(self.formatted, "{cell}").map_err(|_| io::Error::other("formatting a cell failed"))?;
                    &self.formatted
                }
            };
            self.writer.write_field(formula::neutralised(text, &mut self.neutralised))?;
        }
        self.writer.write_record(None::<&[u8]>)
    }

    fn write_header(&mut self) -> Result<(), ReportError> {
        if !self.header_written {
            self.writer.write_record(COLUMNS).map_err(|source| ReportError::Header { source })?;
            self.header_written = true;
        }
        Ok(())
    }

    /// The bytes produced so far and not yet taken (the csv crate holds up to 8 KiB more of its own).
    pub(crate) fn buffer(&self) -> &PartBuffer {
        self.writer.get_ref().buffer()
    }

    /// Ends the file (header row if no row came) and gives back the buffer with the last bytes.
    pub(crate) fn finish(mut self) -> Result<PartBuffer, ReportError> {
        self.write_header()?;
        let output = self.writer.into_inner().map_err(|err| ReportError::Finish { source: err.into_error() })?;
        output.finish().map_err(|source| ReportError::Finish { source })
    }
}
