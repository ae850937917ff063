//! The job types, with their wire names.

use std::fmt;

/// What happened / what to do. The wire name (`ticket.assigned`) is the envelope's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JobType {
    TicketCreated,
    TicketUpdated,
    TicketAssigned,
    TicketStatusChanged,
    CommentCreated,
    UserWelcome,
    UserActivation,
    UserPasswordReset,
    SystemMaintenance,
    ReportRequested,
    ReportReady,
    StatsDigest,
    SystemAlert,
}

impl JobType {
    /// Every job type, in the order of the type table of docs/jobs.md.
    pub const ALL: [JobType; 13] = [
        Self::TicketCreated,
        Self::TicketUpdated,
        Self::TicketAssigned,
        Self::TicketStatusChanged,
        Self::CommentCreated,
        Self::UserWelcome,
        Self::UserActivation,
        Self::UserPasswordReset,
        Self::SystemMaintenance,
        Self::ReportRequested,
        Self::ReportReady,
        Self::StatsDigest,
        Self::SystemAlert,
    ];

    /// The envelope's `type` string.
    pub const fn wire_name(self) -> &'static str {
        match self {
            Self::TicketCreated => "ticket.created",
            Self::TicketUpdated => "ticket.updated",
            Self::TicketAssigned => "ticket.assigned",
            Self::TicketStatusChanged => "ticket.status_changed",
            Self::CommentCreated => "comment.created",
            Self::UserWelcome => "user.welcome",
            Self::UserActivation => "user.activation",
            Self::UserPasswordReset => "user.password_reset",
            Self::SystemMaintenance => "system.maintenance",
            Self::ReportRequested => "report.requested",
            Self::ReportReady => "report.ready",
            Self::StatsDigest => "stats.digest",
            Self::SystemAlert => "system.alert",
        }
    }

    /// Parses a wire name; `None` for a type this contract does not know.
    pub fn from_wire(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.wire_name() == name)
    }

    /// The payload schema versions this build decodes.
    pub const fn supported_versions(self) -> &'static [u32] {
        &[1]
    }
}

impl fmt::Display for JobType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire_name())
    }
}
