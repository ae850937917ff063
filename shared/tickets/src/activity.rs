//! Status transitions that statistics count: a ticket closed, a ticket reopened.
//!
//! The snapshot store keeps only a ticket's latest state, which cannot say how many tickets
//! were closed or reopened on a given day. So notify also keeps one activity item per
//! `ticket.status_changed` job that crosses the resolved line, keyed by the job id (a replay
//! writes the same item), and indexed by day (`by_activity`).

use chrono::{DateTime, Utc};
use deskbell_contract::{Job, Payload};

use crate::keys::instant;

/// Which way a ticket crossed the resolved line (solved or closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActivityKind {
    /// From an unresolved status to solved or closed.
    Closed,
    /// From solved or closed back to an unresolved status.
    Reopened,
}

impl ActivityKind {
    /// The stored name (`closed`, `reopened`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Reopened => "reopened",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Closed, Self::Reopened].into_iter().find(|k| k.as_str() == s)
    }
}

/// One counted transition of one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// The `ticket.status_changed` job it comes from: the item's identity.
    pub job_id: String,
    pub ticket_id: String,
    pub kind: ActivityKind,
    /// When it happened: the job's `occurred_at`.
    pub at: DateTime<Utc>,
    /// When the ticket was created (resolution time = `at − created_at`; backlog).
    pub created_at: DateTime<Utc>,
}

impl Activity {
    /// The activity a job records, if any: only status changes that cross the resolved line.
    pub fn of(job: &Job) -> Option<Activity> {
        let Payload::TicketStatusChanged(p) = &job.payload else {
            return None;
        };
        let kind = match (p.from.is_resolved(), p.to.is_resolved()) {
            (false, true) => ActivityKind::Closed,
            (true, false) => ActivityKind::Reopened,
            _ => return None,
        };
        Some(Activity {
            job_id: job.id.clone(),
            ticket_id: p.ticket.id.clone(),
            kind,
            at: job.occurred_at,
            created_at: p.ticket.created_at,
        })
    }

    /// The partition of `by_activity`: the day, `YYYY-MM-DD` (UTC).
    pub fn day(&self) -> String {
        activity_day(self.at)
    }

    /// The sort key of `by_activity`: `<at, fixed width>#<ticket id>#<job id>`.
    pub fn key(&self) -> String {
        format!("{}#{}#{}", instant(self.at), self.ticket_id, self.job_id)
    }
}

/// The `by_activity` partition of an instant: its UTC day.
pub fn activity_day(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

/// The activities of one day that happened in `[from, to)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityQuery {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl ActivityQuery {
    /// One query per UTC day that `[from, to)` touches, clipped to the range.
    pub fn covering(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<ActivityQuery> {
        let mut out = Vec::new();
        if to <= from {
            return out;
        }
        let mut day = from.date_naive();
        let last = (to - chrono::Duration::microseconds(1)).date_naive();
        while day <= last {
            let start = day.and_hms_opt(0, 0, 0).map(|d| d.and_utc()).unwrap_or(from);
            let end = start + chrono::Duration::days(1);
            out.push(ActivityQuery { day: activity_day(start), from: from.max(start), to: to.min(end) });
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        out
    }

    /// The sort-key bounds: every key of the range sorts between them (`to` exclusive).
    pub fn key_bounds(&self) -> (String, String) {
        (instant(self.from), instant(self.to))
    }
}

/// One page of activities.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActivityPage {
    pub activities: Vec<Activity>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<String>,
}

#[cfg(test)]
mod tests {
    use deskbell_contract::{Status, TicketStatusChanged, fixtures};

    use super::*;

    fn change(from: Status, to: Status) -> Job {
        let ticket = fixtures::ticket(7);
        let actor = ticket.assignee.clone().unwrap();
        fixtures::job("j-1", Payload::TicketStatusChanged(TicketStatusChanged { ticket, actor, from, to }))
    }

    #[test]
    fn only_crossing_the_resolved_line_is_an_activity() {
        let kind = |from, to| Activity::of(&change(from, to)).map(|a| a.kind);
        assert_eq!(kind(Status::Open, Status::Solved), Some(ActivityKind::Closed));
        assert_eq!(kind(Status::Pending, Status::Closed), Some(ActivityKind::Closed));
        assert_eq!(kind(Status::Closed, Status::Open), Some(ActivityKind::Reopened));
        assert_eq!(kind(Status::Solved, Status::Closed), None);
        assert_eq!(kind(Status::Open, Status::Pending), None);
        assert_eq!(Activity::of(&fixtures::one_of_each()[0]), None);
    }

    #[test]
    fn a_week_is_seven_day_queries_clipped_at_both_ends() {
        let from: DateTime<Utc> = "2026-11-23T00:00:00Z".parse().unwrap();
        let q = ActivityQuery::covering(from, from + chrono::Duration::days(7));
        assert_eq!(q.len(), 7);
        assert_eq!(q[0].day, "2026-11-23");
        assert_eq!(q[6].day, "2026-11-29");
        let mid = ActivityQuery::covering(from + chrono::Duration::hours(12), from + chrono::Duration::hours(36));
        assert_eq!(mid.len(), 2);
        assert_eq!(mid[0].key_bounds().0, "2026-11-23T12:00:00.000000Z");
        assert_eq!(mid[1].key_bounds().1, "2026-11-24T12:00:00.000000Z");
    }
}
