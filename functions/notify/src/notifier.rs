//! Act: deliver a job's plan, once per recipient and channel, through the traits.

use chrono::Duration;
use deskbell_contract::{Job, Payload};
use deskbell_inbox::{Notification, NotificationStore, Stored};
use deskbell_jobs::{JobContext, JobHandler};
use deskbell_mailer::{Email, Mailer, single_line};
use deskbell_objects::ObjectStore;
use deskbell_push::{NoPush, Push, PushMessage};
use deskbell_records::{Channel, Claim, DeliveryKey, DeliveryLog};
use deskbell_tickets::{Activity, TicketStore};
use futures::future::join_all;

use crate::error::{DeliveryError, NotifyError};
use crate::message::{ReportLink, Site};
use crate::plan::{Planned, plan};

/// What notify needs to know besides the job.
#[derive(Debug, Clone)]
pub struct Settings {
    pub site: Site,
    /// The From header: `Helpdesk <no-reply@example.com>` or a bare address.
    pub sender: String,
    /// How long in-app notifications live.
    pub notification_ttl: Duration,
    /// How long a claimed email belongs to its worker before another may send it.
    pub lease: Duration,
    /// How long a report's download link works.
    pub report_link_ttl: std::time::Duration,
}

/// The notify job handler: keeps the ticket store, plans a job, then delivers each message
/// idempotently. With a reports bucket (`reports`), report emails carry a download link; with
/// a push (`P`), a new in-app notification reaches its user's connected clients at once.
pub struct Notifier<M, D, N, T, O, P = NoPush> {
    mailer: M,
    deliveries: D,
    inbox: N,
    tickets: T,
    reports: Option<O>,
    settings: Settings,
    push: P,
}

impl<M: Mailer, D: DeliveryLog, N: NotificationStore, T: TicketStore, O: ObjectStore> Notifier<M, D, N, T, O> {
    pub fn new(mailer: M, deliveries: D, inbox: N, tickets: T, reports: Option<O>, settings: Settings) -> Self {
        Self { mailer, deliveries, inbox, tickets, reports, settings, push: NoPush }
    }
}

impl<M: Mailer, D: DeliveryLog, N: NotificationStore, T: TicketStore, O: ObjectStore, P: Push>
    Notifier<M, D, N, T, O, P>
{
    /// The same notifier, pushing new in-app notifications through `push`.
    pub fn with_push<Q: Push>(self, push: Q) -> Notifier<M, D, N, T, O, Q> {
        let Self { mailer, deliveries, inbox, tickets, reports, settings, .. } = self;
        Notifier { mailer, deliveries, inbox, tickets, reports, settings, push }
    }

    pub fn push(&self) -> &P {
        &self.push
    }

    pub fn tickets(&self) -> &T {
        &self.tickets
    }

    pub fn mailer(&self) -> &M {
        &self.mailer
    }

    pub fn deliveries(&self) -> &D {
        &self.deliveries
    }

    pub fn inbox(&self) -> &N {
        &self.inbox
    }

    pub fn reports(&self) -> Option<&O> {
        self.reports.as_ref()
    }

    /// The download link of a `report.ready` job's file, when notify has a reports bucket. A
    /// file in any other bucket is refused: notify signs links only into the one it was given.
    async fn report_link(&self, payload: &Payload) -> Result<Option<ReportLink>, NotifyError> {
        let (Payload::ReportReady(p), Some(store)) = (payload, &self.reports) else {
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

    async fn deliver(
        &self,
        job: &Job,
        ctx: &JobContext,
        planned: &Planned,
        channel: Channel,
    ) -> Result<(), DeliveryError> {
        let key = DeliveryKey { job_id: job.id.clone(), recipient_id: planned.recipient.user.id.clone(), channel };
        match channel {
            Channel::Email => self.email(job, ctx, planned, &key).await,
            Channel::InApp => self.in_app(job, ctx, planned, &key).await,
        }
    }

    async fn email(&self, job: &Job, ctx: &JobContext, p: &Planned, key: &DeliveryKey) -> Result<(), DeliveryError> {
        let user = &p.recipient.user;
        let job_type = job.job_type().wire_name();
        match self.deliveries.claim(key, job_type, &ctx.attempt, ctx.now, self.settings.lease).await? {
            Claim::Acquired => {}
            Claim::AlreadySent => return Ok(()),
            Claim::InFlight => {
                return Err(DeliveryError::InFlight { channel: key.channel, recipient: user.id.clone() });
            }
            Claim::Refused { error } => {
                return Err(DeliveryError::Refused { to: user.email.clone(), error });
            }
        }
        let Some(email) =
            Email::new(&self.settings.sender, &user.email, &p.message.subject, p.html.clone(), p.text.clone())
        else {
            let err = DeliveryError::Unaddressable { recipient: user.id.clone(), to: user.email.clone() };
            self.deliveries.mark_failed(key, &ctx.attempt, &err.to_string(), true, ctx.now).await?;
            return Err(err);
        };
        match self.mailer.send(&email).await {
            Ok(provider_id) => {
                self.deliveries.mark_sent(key, job_type, &ctx.attempt, Some(&provider_id), ctx.now).await?;
                Ok(())
            }
            Err(err) => {
                let permanent = deskbell_runtime::Classify::kind(&err) == deskbell_runtime::ErrorKind::Permanent;
                self.deliveries.mark_failed(key, &ctx.attempt, &err.to_string(), permanent, ctx.now).await?;
                Err(err.into())
            }
        }
    }

    /// The store itself is idempotent (same job and user, same id): no claim needed.
    async fn in_app(&self, job: &Job, ctx: &JobContext, p: &Planned, key: &DeliveryKey) -> Result<(), DeliveryError> {
        let m = &p.message;
        let link = m.notification_link().unwrap_or(&self.settings.site.app_url).to_owned();
        let notification = Notification::new(
            &p.recipient.user.id,
            &job.id,
            job.job_type().wire_name(),
            single_line(&m.heading, 200),
            m.summary.clone(),
            link,
            job.occurred_at,
            self.settings.notification_ttl,
        );
        let stored = self.inbox.store(&notification).await?;
        self.deliveries.mark_sent(key, job.job_type().wire_name(), &ctx.attempt, None, ctx.now).await?;
        if stored == Stored::New {
            self.push_new(notification, ctx.now).await;
        }
        Ok(())
    }

    /// Best effort: the notification is stored whatever happens here, and the clients that
    /// miss a push read it from the inbox API (a redelivered job finds it stored: no push).
    async fn push_new(&self, notification: Notification, now: chrono::DateTime<chrono::Utc>) {
        let user = notification.user_id.clone();
        let connections = match self.push.connections_of(&user, now).await {
            Ok(c) if c.is_empty() => return,
            Ok(c) => c,
            Err(error) => return tracing::warn!(%error, "push: connections not read"),
        };
        let unread_count = match self.inbox.unread_count(&user, now).await {
            Ok(n) => n,
            Err(error) => return tracing::warn!(%error, "push: unread count not read"),
        };
        let report = self.push.send(&connections, &PushMessage::new(notification, unread_count)).await;
        tracing::info!(delivered = report.delivered, gone = report.gone, failed = report.failed, "pushed");
    }
}

impl<M, D, N, T, O, P> JobHandler for Notifier<M, D, N, T, O, P>
where
    M: Mailer,
    D: DeliveryLog,
    N: NotificationStore,
    T: TicketStore,
    O: ObjectStore,
    P: Push,
{
    type Error = NotifyError;

    async fn handle(&self, job: &Job, ctx: &JobContext) -> Result<(), NotifyError> {
        let report_link = self.report_link(&job.payload).await?;
        let planned = plan(job, &self.settings.site, report_link.as_ref())?;
        // The snapshot first: reports and statistics read it, and a retry repeats it harmlessly.
        if let Some(ticket) = job.payload.ticket() {
            let kept = self.tickets.upsert(ticket).await?;
            tracing::debug!(ticket = %ticket.id, version = ticket.version, ?kept, "ticket snapshot");
        }
        // A close or a reopening is counted by statistics; keyed by the job id, so a replay
        // writes nothing new.
        if let Some(activity) = Activity::of(job) {
            self.tickets.record_activity(&activity).await?;
        }
        let deliveries = planned.iter().flat_map(|p| p.recipient.channels.iter().map(move |c| (p, *c)));
        let results = join_all(deliveries.map(|(p, channel)| self.deliver(job, ctx, p, channel))).await;
        let total = results.len();
        let errors: Vec<DeliveryError> = results.into_iter().filter_map(Result::err).collect();
        tracing::info!(deliveries = total, failed = errors.len(), "deliveries done");
        if errors.is_empty() { Ok(()) } else { Err(NotifyError::Deliveries { total, errors }) }
    }
}
