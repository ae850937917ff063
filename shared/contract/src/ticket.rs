//! The ticket snapshot carried by ticket and comment jobs.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::limits;
use crate::validate::{Check, Field};
use crate::{Company, DecodeError, User};

/// The ticket as it was right after the event: everything a function needs, so it never calls
/// back into the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Ticket {
    /// The app's ticket id (opaque string, used in links).
    #[schemars(length(min = limits::ID.min, max = limits::ID.max))]
    pub id: String,
    /// The number people see (`#1042`).
    pub number: u64,
    #[schemars(length(min = limits::SUBJECT.min, max = limits::SUBJECT.max))]
    pub subject: String,
    pub status: Status,
    pub priority: Priority,
    pub requester: User,
    #[serde(default)]
    pub assignee: Option<User>,
    #[serde(default)]
    #[schemars(length(min = limits::WATCHERS.min, max = limits::WATCHERS.max))]
    pub watchers: Vec<User>,
    #[serde(default)]
    pub company: Option<Company>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When an agent first answered, if they have.
    #[serde(default)]
    pub first_response_at: Option<DateTime<Utc>>,
    /// When the ticket was last solved or closed, if it is.
    #[serde(default)]
    pub resolved_at: Option<DateTime<Utc>>,
    /// Increases with every change of the ticket; a newer snapshot has a larger version.
    pub version: u64,
}

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    Open,
    Pending,
    OnHold,
    Solved,
    Closed,
}

impl Status {
    /// Every status, in life order.
    pub const ALL: [Status; 6] = [Self::New, Self::Open, Self::Pending, Self::OnHold, Self::Solved, Self::Closed];

    /// The wire name (`on_hold`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Open => "open",
            Self::Pending => "pending",
            Self::OnHold => "on_hold",
            Self::Solved => "solved",
            Self::Closed => "closed",
        }
    }

    /// Solved and closed tickets count as resolved.
    pub fn is_resolved(self) -> bool {
        matches!(self, Self::Solved | Self::Closed)
    }
}

/// How urgent a ticket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    /// Every priority, lowest first.
    pub const ALL: [Priority; 4] = [Self::Low, Self::Normal, Self::High, Self::Urgent];

    /// The wire name (`urgent`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }
}

impl Check for Ticket {
    fn check(&self, at: &Field) -> Result<(), DecodeError> {
        at.key("id", &self.id)?;
        at.integer("number", self.number)?;
        at.text("subject", &self.subject, limits::SUBJECT)?;
        at.nested("requester", &self.requester)?;
        if let Some(assignee) = &self.assignee {
            at.nested("assignee", assignee)?;
        }
        at.items("watchers", &self.watchers, limits::WATCHERS)?;
        at.each("watchers", &self.watchers)?;
        if let Some(company) = &self.company {
            at.nested("company", company)?;
        }
        at.instant("created_at", self.created_at)?;
        at.instant("updated_at", self.updated_at)?;
        at.maybe_instant("first_response_at", self.first_response_at)?;
        at.maybe_instant("resolved_at", self.resolved_at)?;
        at.integer("version", self.version)
    }
}
