//! report: `report.requested` jobs become CSV or NDJSON files (optionally gzip) in S3.
//!
//! decode (the job core) → decide (`deskbell_tickets::plan_queries`, `deskbell_reports::matches`
//! and the row encoding, pure) → act ([`Reporter`]: claim the status record, stream pages of
//! the ticket store into a multipart upload, record the outcome, publish `report.ready`).

mod config;
mod error;
mod function;
mod reporter;

pub use config::ReportConfig;
pub use error::ReportJobError;
pub use function::{AwsReport, ReportFunction};
pub use reporter::{ReportSettings, Reporter, object_key, ready_job};
