//! The ticket snapshot carried by ticket and comment jobs.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::validate::{Check, Field};
use crate::{Company, DecodeError, User};

/// The ticket as it was right after the event: everything a function needs, so it never calls
/// back into the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Ticket {
    /// The app's ticket id (opaque string, used in links).
    #[schemars(length(min = 1, max = 128))]
    pub id: String,
    /// The number people see (`#1042`).
    pub number: u64,
    #[schemars(length(max = 1000))]
    pub subject: String,
    pub status: Status,
    pub priority: Priority,
    pub requester: User,
    #[serde(default)]
    pub assignee: Option<User>,
    #[serde(default)]
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
        at.text("subject", &self.subject, 1000)?;
        at.nested("requester", &self.requester)?;
        if let Some(assignee) = &self.assignee {
            at.nested("assignee", assignee)?;
        }
        at.each("watchers", &self.watchers)?;
        if let Some(company) = &self.company {
            at.nested("company", company)?;
        }
        Ok(())
    }
}
