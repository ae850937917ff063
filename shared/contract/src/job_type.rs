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

    /// The queue a job of this type is sent to, and so the function that handles it. The one
    /// place this rule is written: the CLI routes by it, and each function refuses a job of
    /// another queue's type.
    pub const fn queue(self) -> Queue {
        match self {
            Self::ReportRequested => Queue::Reports,
            _ => Queue::Notifications,
        }
    }

    /// The payload schema versions this build decodes.
    pub const fn supported_versions(self) -> &'static [u32] {
        &[1]
    }
}

/// The kinds of work, each with its SQS queue (and DLQ) and the function that drains it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Queue {
    /// Emails and in-app notifications: the notify function.
    Notifications,
    /// Ticket reports: the report function.
    Reports,
}

impl Queue {
    /// Every queue.
    pub const ALL: [Queue; 2] = [Self::Notifications, Self::Reports];

    /// The function the queue feeds (its name in the template and the local stack).
    pub const fn function(self) -> &'static str {
        match self {
            Self::Notifications => "notify",
            Self::Reports => "report",
        }
    }

    /// The queue's short name, as in "the notifications queue".
    pub const fn name(self) -> &'static str {
        match self {
            Self::Notifications => "notifications",
            Self::Reports => "reports",
        }
    }
}

impl fmt::Display for JobType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_report_requested_goes_to_the_reports_queue() {
        for t in JobType::ALL {
            let expected = if t == JobType::ReportRequested { Queue::Reports } else { Queue::Notifications };
            assert_eq!(t.queue(), expected, "{t}");
        }
        assert_eq!(Queue::Reports.function(), "report");
        assert_eq!(Queue::Notifications.function(), "notify");
    }
}
