//! What can go wrong while writing a report file.

use std::io;

/// A report file that could not be written.
///
/// Everything is encoded in memory, so none of these is expected in practice and none goes away on
/// retry (all are permanent). After one, the writer's output is unusable: abandon the upload.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The CSV header row could not be encoded.
    #[error("report header row: CSV encoding failed: {source}")]
    Header { source: csv::Error },
    /// The CSV row of ticket `ticket_id` could not be encoded.
    #[error("row of ticket {ticket_id}: CSV encoding failed: {source}")]
    Csv { ticket_id: String, source: csv::Error },
    /// The NDJSON line of ticket `ticket_id` could not be encoded.
    #[error("row of ticket {ticket_id}: JSON encoding failed: {source}")]
    Json { ticket_id: String, source: serde_json::Error },
    /// The encoded row of ticket `ticket_id` could not be added to the file (compression failed).
    #[error("row of ticket {ticket_id}: writing to the report file failed: {source}")]
    Write { ticket_id: String, source: io::Error },
    /// The end of the file (remaining CSV bytes, gzip trailer) could not be written.
    #[error("report file end: writing failed: {source}")]
    Finish { source: io::Error },
    /// The file needs more parts than S3 accepts in one multipart upload.
    #[error("report file: more than {max} parts, use a larger part size")]
    TooManyParts { max: i32 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_error_can_cross_threads() {
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<ReportError>();
    }

    #[test]
    fn row_error_names_the_ticket() {
        let source = serde_json::from_str::<u8>("x").unwrap_err();
        let err = ReportError::Json { ticket_id: "t-7".into(), source };
        assert!(err.to_string().starts_with("row of ticket t-7: JSON encoding failed"), "{err}");
    }
}
