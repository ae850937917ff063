//! Act: deliver a job's plan, once per recipient and channel, through the traits.

use chrono::{DateTime, Duration, Utc};
use deskbell_contract::{Job, Payload};
use deskbell_errors::{Classify, ErrorKind};
use deskbell_inbox::{Notification, NotificationStore};
use deskbell_jobs::{JobContext, JobHandler};
use deskbell_mailer::{Email, Mailer, single_line};
use deskbell_objects::ObjectStore;
use deskbell_push::{Push, PushMessage};
use deskbell_records::{
    Channel, Claim, DeliveryKey, DeliveryLog, DeliveryOutcome, FinishRetry, Lock, LockExpiry, LockRequest, PayloadHash,
    finish,
};
use deskbell_tickets::{Activity, TicketStore};
use futures::StreamExt;

use crate::error::{DeliveryError, NotifyError};
use crate::message::{ReportLink, Site};
use crate::pacing::{Clock, Pacing, SendRate};
use crate::plan::{Planned, plan};
use crate::ports::{NotifyPorts, Ports};

/// What notify needs to know besides the job.
#[derive(Debug, Clone)]
pub struct Settings {
    pub site: Site,
    /// The From header: `Helpdesk <no-reply@example.com>` or a bare address.
    pub sender: String,
    /// How long in-app notifications live.
    pub notification_ttl: Duration,
    /// How long a delivery's in-progress lock lives: the invocation's deadline plus a margin,
    /// or a fallback without a deadline.
    pub lock: LockExpiry,
    /// How the completion write is retried in process.
    pub finish_retry: FinishRetry,
    /// Bounds of one job's fan-out: concurrency, send rate, deadline margin.
    pub pacing: Pacing,
    /// How long a report's download link works.
    pub report_link_ttl: std::time::Duration,
}

/// The notify job handler: keeps the ticket store, plans a job, then delivers each message
/// idempotently, through its [`Ports`]. With a reports bucket, report emails carry a download
/// link; with a push, a new in-app notification reaches its user's connected clients at once.
pub struct Notifier<P: NotifyPorts> {
    ports: Ports<P>,
    settings: Settings,
    /// Shared by every job of this instance: SES's rate is per account.
    send_rate: SendRate,
    clock: Clock,
}

impl<P: NotifyPorts> Notifier<P> {
    pub fn new(ports: Ports<P>, settings: Settings) -> Self {
        let send_rate = SendRate::per_second(settings.pacing.max_send_rate);
        Self { ports, settings, send_rate, clock: Clock::system() }
    }

    /// The same notifier, watching its deadline on `clock`.
    pub fn with_clock(self, clock: Clock) -> Self {
        Self { clock, ..self }
    }

    pub fn push(&self) -> &P::Push {
        &self.ports.push
    }

    pub fn tickets(&self) -> &P::Tickets {
        &self.ports.tickets
    }

    pub fn mailer(&self) -> &P::Mailer {
        &self.ports.mailer
    }

    pub fn deliveries(&self) -> &P::Deliveries {
        &self.ports.deliveries
    }

    pub fn inbox(&self) -> &P::Inbox {
        &self.ports.inbox
    }

    pub fn reports(&self) -> Option<&P::Reports> {
        self.ports.reports.as_ref()
    }

    /// The download link of a `report.ready` job's file, when notify has a reports bucket. A
    /// file in any other bucket is refused: notify signs links only into the one it was given.
    async fn report_link(&self, payload: &Payload) -> Result<Option<ReportLink>, NotifyError> {
        let (Payload::ReportReady(p), Some(store)) = (payload, &self.ports.reports) else {
            return Ok(None);
        };
        if p.bucket != store.bucket() {
            return Err(NotifyError::ForeignBucket {
                report_id: p.report_id.clone(),
                bucket: p.bucket.clone(),
                reports_bucket: store.bucket().to_owned(),
            });
        }
        let expires_in = self.settings.report_link_ttl;
        let url = store
            .download_link(&p.key, expires_in)
            .await
            .map_err(|error| NotifyError::ReportLink { report_id: p.report_id.clone(), error })?;
        Ok(Some(ReportLink { url, expires_in }))
    }

    /// One delivery: claimed through the idempotency log, performed, completed. None starts
    /// when the deadline is near: it is left for the next receive.
    async fn deliver(
        &self,
        job: &Job,
        ctx: &JobContext,
        hash: &PayloadHash,
        planned: &Planned,
        channel: Channel,
    ) -> Result<(), DeliveryError> {
        if self.settings.pacing.deadline_near(self.clock.now(), ctx.deadline) {
            return Err(DeliveryError::DeadlineNear);
        }
        let key = DeliveryKey { job_id: job.id.clone(), recipient_id: planned.recipient.user.id.clone(), channel };
        let Some(lock) = self.claim(job, ctx, hash, &key, planned).await? else {
            return Ok(());
        };
        match channel {
            Channel::Email => self.email(ctx, planned, &lock).await,
            Channel::InApp => self.in_app(job, planned, &lock).await,
        }
    }

    /// The lock of `key`, or none when an earlier delivery completed it.
    async fn claim(
        &self,
        job: &Job,
        ctx: &JobContext,
        hash: &PayloadHash,
        key: &DeliveryKey,
        p: &Planned,
    ) -> Result<Option<Lock>, DeliveryError> {
        let now = self.clock.now();
        let token = ctx.attempt.token();
        let request = LockRequest {
            key,
            job_type: job.job_type().wire_name(),
            payload_hash: hash,
            attempt: &ctx.attempt,
            token: &token,
            now,
            until: self.settings.lock.until(now, ctx.deadline),
        };
        match self.ports.deliveries.claim(&request).await? {
            Claim::Acquired(lock) => Ok(Some(lock)),
            Claim::Completed { .. } => Ok(None),
            Claim::InFlight { .. } => {
                Err(DeliveryError::InFlight { channel: key.channel, recipient: key.recipient_id.clone() })
            }
            Claim::Refused { error } => Err(DeliveryError::Refused { to: p.recipient.user.email.clone(), error }),
            Claim::PayloadMismatch => Err(DeliveryError::PayloadMismatch { job_id: job.id.clone() }),
        }
    }

    /// Writes `outcome` for `lock`, retried in process while the lock is ours.
    async fn finish(&self, lock: &Lock, outcome: DeliveryOutcome<'_>) -> Result<(), DeliveryError> {
        Ok(finish(&self.ports.deliveries, lock, &outcome, self.clock.now(), self.settings.finish_retry).await?)
    }

    /// Reports `err` as the lock's failure, then answers it (or the write's own error).
    async fn failed(&self, lock: &Lock, err: DeliveryError) -> Result<(), DeliveryError> {
        let permanent = err.kind() == ErrorKind::Permanent;
        self.finish(lock, DeliveryOutcome::Failed { error: &err.to_string(), permanent }).await?;
        Err(err)
    }

    async fn email(&self, ctx: &JobContext, p: &Planned, lock: &Lock) -> Result<(), DeliveryError> {
        let user = &p.recipient.user;
        let Some(email) =
            Email::new(&self.settings.sender, &user.email, &p.message.subject, p.html.clone(), p.text.clone())
        else {
            return self
                .failed(lock, DeliveryError::Unaddressable { recipient: user.id.clone(), to: user.email.clone() })
                .await;
        };
        self.send_rate.wait().await;
        // The wait for the rate may have eaten the time left.
        if self.settings.pacing.deadline_near(self.clock.now(), ctx.deadline) {
            return self.failed(lock, DeliveryError::DeadlineNear).await;
        }
        match self.ports.mailer.send(&email).await {
            Ok(provider_id) => self.finish(lock, DeliveryOutcome::Completed { provider_id: Some(&provider_id) }).await,
            Err(err) => self.failed(lock, err.into()).await,
        }
    }

    /// Stored under an id derived from the job, the user and the key's first claim, so a
    /// retry that finds the lock lapsed stores the same notification; once completed, a
    /// retry stores nothing (a notification the user deleted stays deleted).
    async fn in_app(&self, job: &Job, p: &Planned, lock: &Lock) -> Result<(), DeliveryError> {
        let m = &p.message;
        let link = m.notification_link().unwrap_or(&self.settings.site.app_url).to_owned();
        let notification = Notification::new(
            &p.recipient.user.id,
            &job.id,
            job.job_type().wire_name(),
            single_line(&m.heading, 200),
            m.summary.clone(),
            link,
            lock.first_claimed_at,
            self.settings.notification_ttl,
        );
        if let Err(err) = self.ports.inbox.store(&notification).await {
            return self.failed(lock, err.into()).await;
        }
        self.finish(lock, DeliveryOutcome::Completed { provider_id: None }).await?;
        // Pushed by the worker that completed it, after completing: once, unless that worker
        // dies between the two.
        self.push_new(notification, self.clock.now()).await;
        Ok(())
    }

    /// Best effort: the notification is stored whatever happens here, and the clients that
    /// miss a push read it from the inbox API (a redelivered job finds it stored: no push).
    async fn push_new(&self, notification: Notification, now: DateTime<Utc>) {
        let user = notification.user_id.clone();
        let connections = match self.ports.push.connections_of(&user, now).await {
            Ok(c) if c.is_empty() => return,
            Ok(c) => c,
            Err(error) => return tracing::warn!(%error, "push: connections not read"),
        };
        let unread_count = match self.ports.inbox.unread_count(&user, now).await {
            Ok(n) => n,
            Err(error) => return tracing::warn!(%error, "push: unread count not read"),
        };
        let report = self.ports.push.send(&connections, &PushMessage::new(notification, unread_count)).await;
        tracing::info!(delivered = report.delivered, gone = report.gone, failed = report.failed, "pushed");
    }
}

/// What a job asks for, hashed: its type, version and payload as decoded (so neither the
/// producer's formatting nor `occurred_at` counts). Stored with every delivery's claim.
pub fn payload_hash(job: &Job) -> PayloadHash {
    // Strings, numbers, dates, enums and ordered maps: serialising cannot fail.
    let canonical = serde_json::to_vec(&(job.job_type().wire_name(), job.version, &job.payload)).unwrap_or_default();
    PayloadHash::of(&canonical)
}

impl<P: NotifyPorts> JobHandler for Notifier<P> {
    type Error = NotifyError;

    async fn handle(&self, job: &Job, ctx: &JobContext) -> Result<(), NotifyError> {
        let report_link = self.report_link(&job.payload).await?;
        let planned = plan(job, &self.settings.site, report_link.as_ref())?;
        // The snapshot first: reports and statistics read it, and a retry repeats it harmlessly.
        if let Some(ticket) = job.payload.ticket() {
            let kept = self.ports.tickets.upsert(ticket).await?;
            tracing::debug!(ticket = %ticket.id, version = ticket.version, ?kept, "ticket snapshot");
        }
        // A close or a reopening is counted by statistics; keyed by the job id, so a replay
        // writes nothing new.
        if let Some(activity) = Activity::of(job) {
            self.ports.tickets.record_activity(&activity).await?;
        }
        let hash = payload_hash(job);
        // Futures do nothing until polled: each checks the deadline when its turn comes.
        let mut deliveries = Vec::new();
        for p in &planned {
            for channel in p.recipient.channels {
                deliveries.push(self.deliver(job, ctx, &hash, p, *channel));
            }
        }
        // Bounded: a long recipient list neither floods SES nor outlives the invocation.
        let results: Vec<Result<(), DeliveryError>> =
            futures::stream::iter(deliveries).buffer_unordered(self.settings.pacing.concurrency.max(1)).collect().await;
        let total = results.len();
        let (deferred, errors): (Vec<DeliveryError>, Vec<DeliveryError>) =
            results.into_iter().filter_map(Result::err).partition(|e| matches!(e, DeliveryError::DeadlineNear));
        let deferred = deferred.len();
        tracing::info!(deliveries = total, failed = errors.len(), deferred, "deliveries done");
        if errors.is_empty() && deferred == 0 {
            Ok(())
        } else {
            Err(NotifyError::Deliveries { total, errors, deferred })
        }
    }
}
