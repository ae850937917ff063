//! Small builders for test jobs (feature `fixtures`): plain values, tweaked per test.

use chrono::{DateTime, TimeZone, Utc};

use crate::*;

/// 2026-11-24T10:00:00Z, the instant fixtures happen at.
pub fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).single().unwrap_or_default()
}

/// A user `id` with address `id@domain`.
pub fn user_at(id: &str, role: Role, domain: &str) -> User {
    User { id: id.into(), email: format!("{id}@{domain}"), name: format!("User {id}"), locale: "en".into(), role }
}

/// A user `id` with address `id@example.com`.
pub fn user(id: &str, role: Role) -> User {
    user_at(id, role, "example.com")
}

/// Ticket #`number`, requested by customer `cust`, assigned to agent `agent`, no watchers.
pub fn ticket(number: u64) -> Ticket {
    Ticket {
        id: format!("t-{number}"),
        number,
        subject: "Printer on fire".into(),
        status: Status::Open,
        priority: Priority::Normal,
        requester: user("cust", Role::Customer),
        assignee: Some(user("agent", Role::Agent)),
        watchers: vec![],
        company: Some(Company { id: "acme".into(), name: "ACME".into() }),
        created_at: at(),
        updated_at: at(),
        first_response_at: None,
        resolved_at: None,
        version: 1,
    }
}

/// A job with id `id` happening at [`at`].
pub fn job(id: &str, payload: Payload) -> Job {
    Job::new(id, at(), payload)
}

/// One job of every type, in [`JobType::ALL`] order.
pub fn one_of_each() -> Vec<Job> {
    let t = ticket(1042);
    let admin = user("admin", Role::Admin);
    let agent = user("agent", Role::Agent);
    let payloads = vec![
        Payload::TicketCreated(TicketCreated { ticket: t.clone(), actor: t.requester.clone() }),
        Payload::TicketUpdated(TicketUpdated {
            ticket: t.clone(),
            actor: agent.clone(),
            changes: vec![FieldChange {
                field: "priority".into(),
                from: Some("normal".into()),
                to: Some("high".into()),
            }],
        }),
        Payload::TicketAssigned(TicketAssigned {
            ticket: t.clone(),
            actor: admin.clone(),
            previous_assignee: Some(user("agent2", Role::Agent)),
        }),
        Payload::TicketStatusChanged(TicketStatusChanged {
            ticket: Ticket { status: Status::Closed, resolved_at: Some(at()), ..t.clone() },
            actor: agent.clone(),
            from: Status::Open,
            to: Status::Closed,
        }),
        Payload::CommentCreated(CommentCreated {
            ticket: t.clone(),
            actor: agent.clone(),
            comment: Comment { id: "c-1".into(), body: "Have you tried turning it off?".into(), internal: false },
        }),
        Payload::UserWelcome(UserWelcome { user: user("newbie", Role::Customer) }),
        Payload::UserActivation(UserActivation {
            user: user("newbie", Role::Customer),
            activation_url: "https://help.example.com/activate?token=abc".into(),
            expires_at: at(),
        }),
        Payload::UserPasswordReset(UserPasswordReset {
            user: user("cust", Role::Customer),
            reset_url: "https://help.example.com/reset?token=abc".into(),
            expires_at: at(),
        }),
        Payload::SystemMaintenance(SystemMaintenance {
            recipients: vec![admin.clone()],
            title: "Database upgrade".into(),
            message: "The helpdesk is read-only for 30 minutes.".into(),
            starts_at: at(),
            ends_at: at() + chrono::Duration::minutes(30),
        }),
        Payload::ReportRequested(ReportRequested {
            report_id: "r-1".into(),
            requested_by: admin.clone(),
            format: ReportFormat::Csv,
            gzip: false,
            filters: ReportFilters {
                created_from: at() - chrono::Duration::days(30),
                created_to: at(),
                companies: vec!["acme".into()],
                statuses: vec![Status::Open],
                priorities: vec![],
            },
        }),
        Payload::ReportReady(ReportReady {
            report_id: "r-1".into(),
            requested_by: admin.clone(),
            format: ReportFormat::Csv,
            bucket: "deskbell-reports".into(),
            key: "reports/r-1.csv".into(),
            rows: 12,
            bytes: 3456,
        }),
        Payload::StatsDigest(StatsDigest {
            period: StatsPeriod::Daily,
            period_start: at() - chrono::Duration::days(1),
            period_end: at(),
            recipients: vec![admin.clone()],
            figures: StatsFigures { created: 5, closed: 3, backlog: 12, ..StatsFigures::default() },
        }),
        Payload::SystemAlert(SystemAlert {
            recipients: vec![admin],
            incident_id: "dlq_not_empty:deskbell-notifications-dlq:20261124T100000Z".into(),
            state: AlertState::Raised,
            check: AlertCheck::DlqNotEmpty,
            resource: "deskbell-notifications-dlq".into(),
            details: "3 messages in deskbell-notifications-dlq".into(),
            observed: 3.0,
            threshold: 0.0,
            raised_at: at(),
            cleared_at: None,
        }),
    ];
    payloads.into_iter().enumerate().map(|(i, p)| job(&format!("job-{i}"), p)).collect()
}
