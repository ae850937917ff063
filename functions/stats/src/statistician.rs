//! Act: read what a period needs through the indexes, keep the record, tell the admins.

use chrono::{DateTime, Duration, Utc};
use deskbell_contract::{Job, Payload, ReportFilters, StatsDigest, User};
use deskbell_jobs::JobQueue;
use deskbell_objects::ObjectStore;
use deskbell_tickets::{Activity, ActivityQuery, StatsRecord, StatsStore, TicketStore, plan_queries};
use serde::Serialize;

use crate::figures::{Observed, figures};
use crate::{Period, StatsError};

/// What one run did, as the Lambda's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsOutcome {
    /// The stats item's key in the tickets table (`stats#daily#2026-11-24`).
    pub key: String,
    /// The JSON snapshot in the reports bucket (`stats/daily/2026-11-24.json`).
    pub object_key: String,
    /// The `stats.digest` job published (derived from the period, its payload stored once:
    /// republishing is idempotent).
    pub digest_job_id: String,
    pub record: StatsRecord,
}

/// Computes and keeps the statistics of a period: ticket store (snapshots, activities and
/// stats items), reports bucket, notifications queue, and the admins to tell.
pub struct Statistician<T, O, Q> {
    tickets: T,
    objects: O,
    queue: Q,
    admins: Vec<User>,
}

impl<T: TicketStore + StatsStore, O: ObjectStore, Q: JobQueue> Statistician<T, O, Q> {
    pub fn new(tickets: T, objects: O, queue: Q, admins: Vec<User>) -> Self {
        Self { tickets, objects, queue, admins }
    }

    pub fn tickets(&self) -> &T {
        &self.tickets
    }

    pub fn objects(&self) -> &O {
        &self.objects
    }

    pub fn queue(&self) -> &Q {
        &self.queue
    }

    /// Computes `period` as the store stands at `now`, replaces its record and snapshot, and
    /// publishes its digest.
    pub async fn run(&self, period: &Period, now: DateTime<Utc>) -> Result<StatsOutcome, StatsError> {
        let seen = self.observe(period, now).await?;
        let record = StatsRecord {
            period: period.kind,
            period_start: period.start,
            period_end: period.end,
            figures: figures(period, &seen),
        };
        let told = self.tickets.put_stats(&record, &digest_of(&record, &self.admins)).await?;
        if told.figures != record.figures {
            tracing::warn!(key = %record.key(), "figures changed since the digest was first published: \
                the record and snapshot hold the new ones, the digest (sent once) keeps the first");
        }
        let object_key = format!("stats/{}/{}.json", period.kind_name(), period.label());
        let json = serde_json::to_vec_pretty(&record).unwrap_or_default();
        self.objects.put(&object_key, "application/json", json).await?;
        let digest = digest_job(period, told);
        self.queue.publish(&digest).await?;
        tracing::info!(key = %record.key(), object_key, digest = %digest.id, created = record.figures.created,
            closed = record.figures.closed, backlog = record.figures.backlog, "stats kept");
        Ok(StatsOutcome { key: record.key(), object_key, digest_job_id: digest.id, record })
    }

    async fn observe(&self, period: &Period, now: DateTime<Utc>) -> Result<Observed, StatsError> {
        let filters = ReportFilters {
            created_from: period.start,
            created_to: period.end,
            companies: vec![],
            statuses: vec![],
            priorities: vec![],
        };
        let mut created = Vec::new();
        for query in plan_queries(&filters)? {
            let mut next = None;
            loop {
                let page = self.tickets.page(&query, next).await?;
                created.extend(
                    page.tickets.into_iter().filter(|t| t.created_at >= period.start && t.created_at < period.end),
                );
                match page.next {
                    Some(n) => next = Some(n),
                    None => break,
                }
            }
        }
        let activity = self.activities(period.start, period.end).await?;
        // Through `now` inclusive: whatever happened after the end corrects the backlog.
        let since_end = self.activities(period.end, now + Duration::microseconds(1)).await?;
        let open_now = self.tickets.count_open(period.end).await?;
        Ok(Observed { created, activity, open_now, since_end })
    }

    async fn activities(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Activity>, StatsError> {
        let mut out = Vec::new();
        for query in ActivityQuery::covering(from, to) {
            let mut next = None;
            loop {
                let page = self.tickets.activity_page(&query, next).await?;
                out.extend(page.activities);
                match page.next {
                    Some(n) => next = Some(n),
                    None => break,
                }
            }
        }
        Ok(out)
    }
}

/// The digest telling `admins` the figures of `record`.
pub fn digest_of(record: &StatsRecord, admins: &[User]) -> StatsDigest {
    StatsDigest {
        period: record.period,
        period_start: record.period_start,
        period_end: record.period_end,
        recipients: admins.to_vec(),
        figures: record.figures.clone(),
    }
}

/// The digest job of a period: its id and time derive from the period alone and its payload
/// is the period's digest as first stored, so every run of the same period publishes the same
/// job and notify's idempotency keeps one email per admin.
pub fn digest_job(period: &Period, digest: StatsDigest) -> Job {
    Job::new(format!("stats-{}-{}", period.kind_name(), period.label()), period.end, Payload::StatsDigest(digest))
}
