//! The report job handler: claim the report, stream its rows into one object, record the
//! outcome, tell the requester.

use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use deskbell_contract::{Job, Payload, Queue, ReportReady, ReportRequested};
use deskbell_jobs::{JobContext, JobHandler, JobQueue};
use deskbell_objects::{ObjectStore, UploadedPart};
use deskbell_records::{LockExpiry, ReportLog, ReportOutcome, ReportRecord, ReportStart};
use deskbell_reports::{Part, ReportWriter, content_type, extension, matches};
use deskbell_tickets::{TicketStore, plan_queries};
use sha2::{Digest, Sha256};

use crate::error::ReportJobError;

/// How reports are built.
#[derive(Debug, Clone)]
pub struct ReportSettings {
    /// Bytes per uploaded part (S3: at least 5 MiB for every part but the last).
    pub part_size: usize,
    /// How long a started report belongs to its worker when the invocation has no deadline;
    /// with one, until the deadline and a margin (a worker that times out frees it then).
    pub lease: Duration,
}

/// Builds reports from the ticket store into the object store.
pub struct Reporter<T, O, R, Q> {
    tickets: T,
    objects: O,
    reports: R,
    notifications: Q,
    settings: ReportSettings,
}

/// The object key of a report: `reports/<id>.<ext>`, the id percent-encoded so any id is one
/// plain path segment. The same report always gets the same key: a retry overwrites, never adds.
pub fn object_key(report_id: &str, extension: &str) -> String {
    let mut id = String::with_capacity(report_id.len());
    for b in report_id.bytes() {
        if b.is_ascii_alphanumeric() || b"-_".contains(&b) {
            id.push(b as char);
        } else {
            id.push_str(&format!("%{b:02X}"));
        }
    }
    format!("reports/{id}.{extension}")
}

/// The report.ready job for a finished report. Every part is derived from what a redelivery
/// repeats: its id from the report id, its time from the request's `occurred_at`, its payload
/// from the recorded outcome. Publishing it again (after a retry) is the same envelope, which
/// notify's idempotency delivers once.
pub fn ready_job(request: &ReportRequested, bucket: &str, outcome: &ReportOutcome, requested_at: DateTime<Utc>) -> Job {
    let digest = Sha256::digest(request.report_id.as_bytes());
    let id: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    Job::new(
        format!("report-ready-{id}"),
        requested_at,
        Payload::ReportReady(ReportReady {
            report_id: request.report_id.clone(),
            requested_by: request.requested_by.clone(),
            format: request.format,
            bucket: bucket.to_owned(),
            key: outcome.key.clone(),
            rows: outcome.rows,
            bytes: outcome.bytes,
        }),
    )
}

impl<T: TicketStore, O: ObjectStore, R: ReportLog, Q: JobQueue> Reporter<T, O, R, Q> {
    pub fn new(tickets: T, objects: O, reports: R, notifications: Q, settings: ReportSettings) -> Self {
        Self { tickets, objects, reports, notifications, settings }
    }

    pub fn objects(&self) -> &O {
        &self.objects
    }

    pub fn reports(&self) -> &R {
        &self.reports
    }

    pub fn notifications(&self) -> &Q {
        &self.notifications
    }

    /// Streams the matching tickets into `key`; on any failure the upload is aborted, so no
    /// parts are left behind. Answers (rows, bytes).
    async fn write(&self, request: &ReportRequested, key: &str) -> Result<(u64, u64), ReportJobError> {
        let content_type = content_type(request.format, request.gzip);
        let mut upload = Upload { objects: &self.objects, key, content_type, id: None, parts: Vec::new() };
        match self.stream(request, &mut upload).await {
            Ok(totals) => Ok(totals),
            Err(e) => {
                upload.abort().await;
                Err(e)
            }
        }
    }

    async fn stream(
        &self,
        request: &ReportRequested,
        upload: &mut Upload<'_, O>,
    ) -> Result<(u64, u64), ReportJobError> {
        let mut writer = ReportWriter::new(request.format, request.gzip, self.settings.part_size);
        for query in plan_queries(&request.filters)? {
            let mut next = None;
            loop {
                let page = self.tickets.page(&query, next).await?;
                for ticket in page.tickets.iter().filter(|t| matches(&request.filters, t)) {
                    // The writer refuses a part past S3's 10,000 (a permanent error).
                    if let Some(part) = writer.push(ticket)? {
                        upload.part(part).await?;
                    }
                }
                match page.next {
                    Some(n) => next = Some(n),
                    None => break,
                }
            }
        }
        let finished = writer.finish()?;
        upload.finish(finished.last).await?;
        Ok((finished.rows, finished.bytes))
    }
}

/// An object being written: a single put if it fits in one part, else a multipart upload.
struct Upload<'a, O> {
    objects: &'a O,
    key: &'a str,
    content_type: &'static str,
    id: Option<String>,
    parts: Vec<UploadedPart>,
}

impl<O: ObjectStore> Upload<'_, O> {
    async fn part(&mut self, part: Part) -> Result<(), ReportJobError> {
        let id = match &self.id {
            Some(id) => id.clone(),
            None => {
                let id = self.objects.begin(self.key, self.content_type).await?;
                self.id = Some(id.clone());
                id
            }
        };
        let uploaded = self.objects.upload_part(self.key, &id, part.number, part.bytes).await?;
        self.parts.push(uploaded);
        Ok(())
    }

    async fn finish(&mut self, last: Part) -> Result<(), ReportJobError> {
        if self.id.is_none() {
            return Ok(self.objects.put(self.key, self.content_type, last.bytes).await?);
        }
        self.part(last).await?;
        let id = self.id.clone().unwrap_or_default();
        self.objects.complete(self.key, &id, std::mem::take(&mut self.parts)).await?;
        self.id = None;
        Ok(())
    }

    async fn abort(&mut self) {
        if let Some(id) = self.id.take()
            && let Err(e) = self.objects.abort(self.key, &id).await
        {
            // The bucket's lifecycle rule for incomplete uploads is the backstop.
            tracing::error!(error = %e, key = self.key, "multipart upload not aborted");
        }
    }
}

impl<T: TicketStore, O: ObjectStore, R: ReportLog, Q: JobQueue> JobHandler for Reporter<T, O, R, Q> {
    type Error = ReportJobError;

    async fn handle(&self, job: &Job, ctx: &JobContext) -> Result<(), ReportJobError> {
        let queue = job.job_type().queue();
        let (Queue::Reports, Payload::ReportRequested(request)) = (queue, &job.payload) else {
            return Err(ReportJobError::WrongQueue {
                job_type: job.job_type().wire_name(),
                function: queue.function(),
            });
        };
        let report_id = &request.report_id;
        let expiry = LockExpiry { fallback: self.settings.lease, ..LockExpiry::default() };
        let lease = expiry.until(ctx.now, ctx.deadline) - ctx.now;
        let start = self.reports.start(report_id, job.occurred_at, &ctx.attempt, ctx.now, lease).await?;
        let outcome = match start {
            ReportStart::InFlight => return Err(ReportJobError::InFlight { report_id: report_id.clone() }),
            // Built already (a redelivery): only make sure the requester is told.
            ReportStart::Done(ReportRecord { outcome: Some(outcome), .. }) => outcome,
            ReportStart::Done(_) | ReportStart::Acquired => {
                let key = object_key(report_id, extension(request.format, request.gzip));
                let started = Instant::now();
                let (rows, bytes) = match self.write(request, &key).await {
                    Ok(totals) => totals,
                    Err(e) => {
                        self.reports.fail(report_id, &e.to_string(), ctx.now).await?;
                        return Err(e);
                    }
                };
                let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                let outcome = ReportOutcome { key, rows, bytes, duration_ms };
                self.reports.succeed(report_id, &outcome, ctx.now).await?;
                tracing::info!(report_id = %report_id, rows, bytes, duration_ms, "report written");
                outcome
            }
        };
        self.notifications.publish(&ready_job(request, self.objects.bucket(), &outcome, job.occurred_at)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_keys_are_one_plain_segment_and_stable() {
        assert_eq!(object_key("r-1_a", "csv"), "reports/r-1_a.csv");
        assert_eq!(object_key("../x/y z", "csv.gz"), "reports/%2E%2E%2Fx%2Fy%20z.csv.gz");
        assert_ne!(object_key("a/b", "csv"), object_key("a_b", "csv"));
    }
}
