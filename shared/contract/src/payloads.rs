//! The `data` of each job type, version 1.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::limits;
use crate::validate::{Check, Field};
use crate::{DecodeError, JobType, Priority, Status, Ticket, User};

/// A decoded payload: one variant per [`JobType`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Payload {
    TicketCreated(TicketCreated),
    TicketUpdated(TicketUpdated),
    TicketAssigned(TicketAssigned),
    TicketStatusChanged(TicketStatusChanged),
    CommentCreated(CommentCreated),
    UserWelcome(UserWelcome),
    UserActivation(UserActivation),
    UserPasswordReset(UserPasswordReset),
    SystemMaintenance(SystemMaintenance),
    ReportRequested(ReportRequested),
    ReportReady(ReportReady),
    StatsDigest(StatsDigest),
    SystemAlert(SystemAlert),
}

impl Payload {
    /// The job type this payload belongs to.
    pub fn job_type(&self) -> JobType {
        match self {
            Self::TicketCreated(_) => JobType::TicketCreated,
            Self::TicketUpdated(_) => JobType::TicketUpdated,
            Self::TicketAssigned(_) => JobType::TicketAssigned,
            Self::TicketStatusChanged(_) => JobType::TicketStatusChanged,
            Self::CommentCreated(_) => JobType::CommentCreated,
            Self::UserWelcome(_) => JobType::UserWelcome,
            Self::UserActivation(_) => JobType::UserActivation,
            Self::UserPasswordReset(_) => JobType::UserPasswordReset,
            Self::SystemMaintenance(_) => JobType::SystemMaintenance,
            Self::ReportRequested(_) => JobType::ReportRequested,
            Self::ReportReady(_) => JobType::ReportReady,
            Self::StatsDigest(_) => JobType::StatsDigest,
            Self::SystemAlert(_) => JobType::SystemAlert,
        }
    }

    /// The ticket snapshot, for ticket and comment jobs.
    pub fn ticket(&self) -> Option<&Ticket> {
        match self {
            Self::TicketCreated(p) => Some(&p.ticket),
            Self::TicketUpdated(p) => Some(&p.ticket),
            Self::TicketAssigned(p) => Some(&p.ticket),
            Self::TicketStatusChanged(p) => Some(&p.ticket),
            Self::CommentCreated(p) => Some(&p.ticket),
            _ => None,
        }
    }

    pub(crate) fn check(&self, at: &Field) -> Result<(), DecodeError> {
        match self {
            Self::TicketCreated(p) => p.check(at),
            Self::TicketUpdated(p) => p.check(at),
            Self::TicketAssigned(p) => p.check(at),
            Self::TicketStatusChanged(p) => p.check(at),
            Self::CommentCreated(p) => p.check(at),
            Self::UserWelcome(p) => p.check(at),
            Self::UserActivation(p) => p.check(at),
            Self::UserPasswordReset(p) => p.check(at),
            Self::SystemMaintenance(p) => p.check(at),
            Self::ReportRequested(p) => p.check(at),
            Self::ReportReady(p) => p.check(at),
            Self::StatsDigest(p) => p.check(at),
            Self::SystemAlert(p) => p.check(at),
        }
    }
}

/// `ticket.created`: a ticket was opened (by its requester, or by an agent for them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TicketCreated {
    pub ticket: Ticket,
    /// Who did it; never notified of their own action.
    pub actor: User,
}

/// `ticket.updated`: fields of a ticket changed (subject, priority, company, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TicketUpdated {
    pub ticket: Ticket,
    pub actor: User,
    /// What changed, for the message body.
    #[serde(default)]
    #[schemars(length(min = limits::CHANGES.min, max = limits::CHANGES.max))]
    pub changes: Vec<FieldChange>,
}

/// One changed field of a `ticket.updated`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FieldChange {
    #[schemars(length(min = limits::ID.min, max = limits::ID.max))]
    pub field: String,
    #[serde(default)]
    #[schemars(length(min = limits::CHANGE_VALUE.min, max = limits::CHANGE_VALUE.max))]
    pub from: Option<String>,
    #[serde(default)]
    #[schemars(length(min = limits::CHANGE_VALUE.min, max = limits::CHANGE_VALUE.max))]
    pub to: Option<String>,
}

/// `ticket.assigned`: a ticket got a (new) assignee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TicketAssigned {
    /// The snapshot, whose `assignee` is the new one.
    pub ticket: Ticket,
    pub actor: User,
    /// The assignee before, on reassignment; told the ticket left them.
    #[serde(default)]
    pub previous_assignee: Option<User>,
}

/// `ticket.status_changed`: a ticket moved between statuses (closing included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TicketStatusChanged {
    pub ticket: Ticket,
    pub actor: User,
    pub from: Status,
    pub to: Status,
}

/// `comment.created`: a reply (public) or a note (internal) was added to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CommentCreated {
    pub ticket: Ticket,
    /// The author.
    pub actor: User,
    pub comment: Comment,
}

/// A comment on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Comment {
    #[schemars(length(min = limits::ID.min, max = limits::ID.max))]
    pub id: String,
    /// Plain text as typed; escaped when rendered.
    #[schemars(length(min = limits::COMMENT_BODY.min, max = limits::COMMENT_BODY.max))]
    pub body: String,
    /// Internal notes are for staff only: never sent to the requester or to customers.
    /// Required, with no default: a producer that misspells or forgets it gets a refusal, not
    /// an internal note emailed to the requester (confidentiality fails closed).
    pub internal: bool,
}

/// `user.welcome`: a new account exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UserWelcome {
    pub user: User,
}

/// `user.activation`: the user must confirm their address with the link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UserActivation {
    pub user: User,
    #[schemars(url, length(min = limits::LINK.min, max = limits::LINK.max))]
    pub activation_url: String,
    pub expires_at: DateTime<Utc>,
}

/// `user.password_reset`: the user asked to reset their password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UserPasswordReset {
    pub user: User,
    #[schemars(url, length(min = limits::LINK.min, max = limits::LINK.max))]
    pub reset_url: String,
    pub expires_at: DateTime<Utc>,
}

/// `system.maintenance`: planned downtime, announced to the listed admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SystemMaintenance {
    /// Who to tell (the helpdesk's admins).
    #[schemars(length(min = limits::RECIPIENTS.min, max = limits::RECIPIENTS.max))]
    pub recipients: Vec<User>,
    #[schemars(length(min = limits::NAME.min, max = limits::NAME.max))]
    pub title: String,
    #[schemars(length(min = limits::MESSAGE.min, max = limits::MESSAGE.max))]
    pub message: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// Output format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    Csv,
    Json,
}

/// `report.requested`: build a ticket report and tell the requester when it is ready.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReportRequested {
    #[schemars(length(min = limits::ID.min, max = limits::ID.max))]
    pub report_id: String,
    pub requested_by: User,
    pub format: ReportFormat,
    #[serde(default)]
    pub gzip: bool,
    pub filters: ReportFilters,
}

/// Which tickets a report holds. Empty lists mean "any".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReportFilters {
    /// Tickets created at or after this instant.
    pub created_from: DateTime<Utc>,
    /// Tickets created before this instant; at most 366 days after `created_from`.
    pub created_to: DateTime<Utc>,
    /// The companies whose tickets the report holds; `[]` for every company. Required, with no
    /// default: a misspelt key must not widen a report to every company's tickets.
    #[schemars(length(min = limits::REPORT_COMPANIES.min, max = limits::REPORT_COMPANIES.max), inner(length(min = limits::ID.min, max = limits::ID.max)))]
    pub companies: Vec<String>,
    #[serde(default)]
    #[schemars(length(min = limits::REPORT_STATUSES.min, max = limits::REPORT_STATUSES.max))]
    pub statuses: Vec<Status>,
    #[serde(default)]
    #[schemars(length(min = limits::REPORT_PRIORITIES.min, max = limits::REPORT_PRIORITIES.max))]
    pub priorities: Vec<Priority>,
}

/// `report.ready`: a report file exists; tell its requester.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReportReady {
    #[schemars(length(min = limits::ID.min, max = limits::ID.max))]
    pub report_id: String,
    pub requested_by: User,
    pub format: ReportFormat,
    #[schemars(length(min = limits::BUCKET.min, max = limits::BUCKET.max))]
    pub bucket: String,
    #[schemars(length(min = limits::OBJECT_KEY.min, max = limits::OBJECT_KEY.max))]
    pub key: String,
    pub rows: u64,
    pub bytes: u64,
}

/// Length of a statistics period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatsPeriod {
    Daily,
    Weekly,
}

/// `stats.digest`: the figures of a period, for the admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StatsDigest {
    pub period: StatsPeriod,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    #[schemars(length(min = limits::RECIPIENTS.min, max = limits::RECIPIENTS.max))]
    pub recipients: Vec<User>,
    pub figures: StatsFigures,
}

/// The numbers of one statistics period.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct StatsFigures {
    pub created: u64,
    pub closed: u64,
    pub reopened: u64,
    /// Tickets not resolved at the end of the period.
    pub backlog: u64,
    #[serde(default)]
    pub by_status: BTreeMap<String, u64>,
    #[serde(default)]
    pub by_priority: BTreeMap<String, u64>,
    #[serde(default)]
    pub by_company: BTreeMap<String, u64>,
    #[serde(default)]
    pub first_response_median_secs: Option<u64>,
    #[serde(default)]
    pub first_response_p90_secs: Option<u64>,
    #[serde(default)]
    pub resolution_median_secs: Option<u64>,
    #[serde(default)]
    pub resolution_p90_secs: Option<u64>,
}

/// Whether an incident of the health check begins or ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// A threshold was crossed: the incident begins.
    Raised,
    /// The check passes again: the incident is over.
    Cleared,
}

/// What the health check watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertCheck {
    /// Messages sit in a dead-letter queue.
    DlqNotEmpty,
    /// A job has been waiting in a queue longer than allowed.
    OldestWaiting,
    /// Too many jobs of a queue failed over the window.
    FailureRate,
}

impl AlertCheck {
    /// The wire name (`dlq_not_empty`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::DlqNotEmpty => "dlq_not_empty",
            Self::OldestWaiting => "oldest_waiting",
            Self::FailureRate => "failure_rate",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::DlqNotEmpty, Self::OldestWaiting, Self::FailureRate].into_iter().find(|c| c.as_str() == name)
    }
}

/// `system.alert`: the health check of the job system raised or cleared an incident; told to
/// the listed admins once when it begins and once when it ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SystemAlert {
    /// Who to tell (the helpdesk's admins).
    #[schemars(length(min = limits::RECIPIENTS.min, max = limits::RECIPIENTS.max))]
    pub recipients: Vec<User>,
    /// One incident, from raised to cleared: `<check>:<resource>:<raised at>`.
    #[schemars(length(min = limits::ID.min, max = limits::ID.max))]
    pub incident_id: String,
    pub state: AlertState,
    pub check: AlertCheck,
    /// The queue (or DLQ) the check looked at.
    #[schemars(length(min = limits::ID.min, max = limits::ID.max))]
    pub resource: String,
    /// What was observed, in plain words (`3 messages in deskbell-notifications-dlq`).
    #[schemars(length(min = limits::DETAILS.min, max = limits::DETAILS.max))]
    pub details: String,
    /// The figure observed (messages, seconds, percent) and its threshold, each in
    /// 0..=2^53−1.
    #[schemars(range(min = 0, max = limits::MAX_INTEGER))]
    pub observed: f64,
    #[schemars(range(min = 0, max = limits::MAX_INTEGER))]
    pub threshold: f64,
    /// When the incident began.
    pub raised_at: DateTime<Utc>,
    /// When it ended, for `cleared`.
    #[serde(default)]
    pub cleared_at: Option<DateTime<Utc>>,
}

/// Parses a JSON list of users (the admins, from configuration) and checks it with
/// [`check_recipients`]; errors name `recipients[i].<field>`.
pub fn recipients_from_json(json: &str) -> Result<Vec<User>, DecodeError> {
    let mut de = serde_json::Deserializer::from_str(json);
    let users: Vec<User> = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| DecodeError::from_serde("recipients", e.path(), e.inner()))?;
    check_recipients(&users)?;
    Ok(users)
}

/// Checks a list of people to notify (admins from configuration, say) as a job's `recipients`
/// would be checked: not empty, not too many, each user valid; errors name
/// `recipients[i].<field>`.
pub fn check_recipients(users: &[User]) -> Result<(), DecodeError> {
    let at = Field::root("");
    at.items("recipients", users, limits::RECIPIENTS)?;
    at.each("recipients", users)
}

impl Check for TicketCreated {
    fn check(&self, at: &Field) -> Result<(), DecodeError> {
        at.nested("ticket", &self.ticket)?;
        at.nested("actor", &self.actor)
    }
}

impl Check for TicketUpdated {
    fn check(&self, at: &Field) -> Result<(), DecodeError> {
        at.nested("ticket", &self.ticket)?;
        at.nested("actor", &self.actor)?;
        at.items("changes", &self.changes, limits::CHANGES)?;
        at.each("changes", &self.changes)
    }
}

impl Check for FieldChange {
    fn check(&self, at: &Field) -> Result<(), DecodeError> {
        at.key("field", &self.field)?;
        at.text("from", self.from.as_deref().unwrap_or_default(), limits::CHANGE_VALUE)?;
        at.text("to", self.to.as_deref().unwrap_or_default(), limits::CHANGE_VALUE)
    }
}

impl Check for TicketAssigned {
    fn check(&self, at: &Field) -> Result<(), DecodeError> {
        at.nested("ticket", &self.ticket)?;
        at.nested("actor", &self.actor)?;
        if let Some(previous) = &self.previous_assignee {
            at.nested("previous_assignee", previous)?;
        }
        Ok(())
    }
}

impl Check for TicketStatusChanged {
    fn check(&self, at: &Field) -> Result<(), DecodeError> {
        at.nested("ticket", &self.ticket)?;
        at.nested("actor", &self.actor)
    }
}

impl Check for CommentCreated {
    fn check(&self, at: &Field) -> Result<(), DecodeError> {
        at.nested("ticket", &self.ticket)?;
        at.nested("actor", &self.actor)?;
        at.nested("comment", &self.comment)
    }
}

impl Check for Comment {
    fn check(&self, at: &Field) -> Result<(), DecodeError> {
        at.key("id", &self.id)?;
        at.text("body", &self.body, limits::COMMENT_BODY)
    }
}

impl Check for UserWelcome {
    fn check(&self, at: &Field) -> Result<(), DecodeError> {
        at.nested("user", &self.user)
    }
}

impl Check for UserActivation {
    fn check(&self, at: &Field) -> Result<(), DecodeError> {
        at.nested("user", &self.user)?;
        at.link("activation_url", &self.activation_url)?;
        at.instant("expires_at", self.expires_at)
    }
}

impl Check for UserPasswordReset {
    fn check(&self, at: &Field) -> Result<(), DecodeError> {
        at.nested("user", &self.user)?;
        at.link("reset_url", &self.reset_url)?;
        at.instant("expires_at", self.expires_at)
    }
}

impl Check for SystemMaintenance {
    fn check(&self, at: &Field) -> Result<(), DecodeError> {
        at.items("recipients", &self.recipients, limits::RECIPIENTS)?;
        at.each("recipients", &self.recipients)?;
        at.text("title", &self.title, limits::NAME)?;
        at.text("message", &self.message, limits::MESSAGE)?;
        at.instant("starts_at", self.starts_at)?;
        at.instant("ends_at", self.ends_at)?;
        ordered(at, "ends_at", self.starts_at, self.ends_at, "starts_at")
    }
}

impl Check for ReportRequested {
    fn check(&self, at: &Field) -> Result<(), DecodeError> {
        at.key("report_id", &self.report_id)?;
        at.nested("requested_by", &self.requested_by)?;
        at.nested("filters", &self.filters)
    }
}

impl Check for ReportFilters {
    fn check(&self, at: &Field) -> Result<(), DecodeError> {
        at.instant("created_from", self.created_from)?;
        at.instant("created_to", self.created_to)?;
        ordered(at, "created_to", self.created_from, self.created_to, "created_from")?;
        if self.created_to - self.created_from > Duration::days(limits::REPORT_MAX_DAYS) {
            return Err(DecodeError::invalid(
                at.child("created_to"),
                format!("is more than {} days after created_from", limits::REPORT_MAX_DAYS),
            ));
        }
        at.items("companies", &self.companies, limits::REPORT_COMPANIES)?;
        for (i, company) in self.companies.iter().enumerate() {
            at.key(&format!("companies[{i}]"), company)?;
        }
        at.items("statuses", &self.statuses, limits::REPORT_STATUSES)?;
        at.items("priorities", &self.priorities, limits::REPORT_PRIORITIES)
    }
}

impl Check for ReportReady {
    fn check(&self, at: &Field) -> Result<(), DecodeError> {
        at.key("report_id", &self.report_id)?;
        at.nested("requested_by", &self.requested_by)?;
        at.key_within("bucket", &self.bucket, limits::BUCKET)?;
        at.key_within("key", &self.key, limits::OBJECT_KEY)?;
        at.integer("rows", self.rows)?;
        at.integer("bytes", self.bytes)
    }
}

impl Check for StatsDigest {
    fn check(&self, at: &Field) -> Result<(), DecodeError> {
        at.items("recipients", &self.recipients, limits::RECIPIENTS)?;
        at.each("recipients", &self.recipients)?;
        at.instant("period_start", self.period_start)?;
        at.instant("period_end", self.period_end)?;
        ordered(at, "period_end", self.period_start, self.period_end, "period_start")?;
        at.nested("figures", &self.figures)
    }
}

impl Check for SystemAlert {
    fn check(&self, at: &Field) -> Result<(), DecodeError> {
        at.items("recipients", &self.recipients, limits::RECIPIENTS)?;
        at.each("recipients", &self.recipients)?;
        at.key("incident_id", &self.incident_id)?;
        at.key("resource", &self.resource)?;
        at.text("details", &self.details, limits::DETAILS)?;
        measure(at, "observed", self.observed)?;
        measure(at, "threshold", self.threshold)?;
        at.instant("raised_at", self.raised_at)?;
        at.maybe_instant("cleared_at", self.cleared_at)?;
        if let Some(cleared_at) = self.cleared_at {
            ordered(at, "cleared_at", self.raised_at, cleared_at, "raised_at")?;
        }
        Ok(())
    }
}

impl Check for StatsFigures {
    fn check(&self, at: &Field) -> Result<(), DecodeError> {
        at.integer("created", self.created)?;
        at.integer("closed", self.closed)?;
        at.integer("reopened", self.reopened)?;
        at.integer("backlog", self.backlog)?;
        at.counts("by_status", &self.by_status)?;
        at.counts("by_priority", &self.by_priority)?;
        at.counts("by_company", &self.by_company)?;
        for (name, secs) in [
            ("first_response_median_secs", self.first_response_median_secs),
            ("first_response_p90_secs", self.first_response_p90_secs),
            ("resolution_median_secs", self.resolution_median_secs),
            ("resolution_p90_secs", self.resolution_p90_secs),
        ] {
            secs.map_or(Ok(()), |s| at.integer(name, s))?;
        }
        Ok(())
    }
}

/// A figure of an alert: finite, in 0..=[`limits::MAX_INTEGER`].
fn measure(at: &Field, name: &str, value: f64) -> Result<(), DecodeError> {
    if !(0.0..=limits::MAX_INTEGER as f64).contains(&value) {
        return Err(DecodeError::invalid(at.child(name), format!("{value} is outside 0..={}", limits::MAX_INTEGER)));
    }
    Ok(())
}

fn ordered(
    at: &Field,
    name: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    start_name: &str,
) -> Result<(), DecodeError> {
    if end < start {
        return Err(DecodeError::invalid(at.child(name), format!("is before {start_name}")));
    }
    Ok(())
}
