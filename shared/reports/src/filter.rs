//! Which tickets belong in a report.

use deskbell_contract::{ReportFilters, Ticket};

/// Whether `ticket` belongs in a report with these filters: `created_from <= ticket.created_at < created_to`
/// (from inclusive, to exclusive); companies (by `company.id`; a ticket without company never matches a non-empty
/// list), statuses, priorities; an empty list means any.
pub fn matches(filters: &ReportFilters, ticket: &Ticket) -> bool {
    let created = filters.created_from <= ticket.created_at && ticket.created_at < filters.created_to;
    let company = filters.companies.is_empty()
        || ticket.company.as_ref().is_some_and(|company| filters.companies.contains(&company.id));
    let status = filters.statuses.is_empty() || filters.statuses.contains(&ticket.status);
    let priority = filters.priorities.is_empty() || filters.priorities.contains(&ticket.priority);
    created && company && status && priority
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, Utc};
    use deskbell_contract::fixtures::{at, ticket};
    use deskbell_contract::{Company, Priority, Status};

    use super::*;

    /// Filters over `[at() - 1 day, at() + 1 day)` with every list empty.
    fn any_ticket() -> ReportFilters {
        ReportFilters {
            created_from: at() - Duration::days(1),
            created_to: at() + Duration::days(1),
            companies: vec![],
            statuses: vec![],
            priorities: vec![],
        }
    }

    fn created(created_at: DateTime<Utc>) -> Ticket {
        Ticket { created_at, ..ticket(1) }
    }

    #[test]
    fn ticket_created_at_created_from_is_included() {
        let filters = any_ticket();
        assert!(matches(&filters, &created(filters.created_from)));
    }

    #[test]
    fn ticket_created_one_second_before_created_from_is_excluded() {
        let filters = any_ticket();
        assert!(!matches(&filters, &created(filters.created_from - Duration::seconds(1))));
    }

    #[test]
    fn ticket_created_one_second_after_created_from_is_included() {
        let filters = any_ticket();
        assert!(matches(&filters, &created(filters.created_from + Duration::seconds(1))));
    }

    #[test]
    fn ticket_created_at_created_to_is_excluded() {
        let filters = any_ticket();
        assert!(!matches(&filters, &created(filters.created_to)));
    }

    #[test]
    fn ticket_created_one_second_before_created_to_is_included() {
        let filters = any_ticket();
        assert!(matches(&filters, &created(filters.created_to - Duration::seconds(1))));
    }

    #[test]
    fn ticket_created_one_second_after_created_to_is_excluded() {
        let filters = any_ticket();
        assert!(!matches(&filters, &created(filters.created_to + Duration::seconds(1))));
    }

    #[test]
    fn empty_period_matches_nothing() {
        let filters = ReportFilters { created_from: at(), created_to: at(), ..any_ticket() };
        assert!(!matches(&filters, &created(at())));
    }

    #[test]
    fn empty_lists_match_any_company_status_and_priority() {
        let filters = any_ticket();
        for status in Status::ALL {
            for priority in [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent] {
                let mut t = Ticket { status, priority, ..ticket(1) };
                assert!(matches(&filters, &t), "{status:?} {priority:?}");
                t.company = None;
                assert!(matches(&filters, &t), "{status:?} {priority:?} without company");
            }
        }
    }

    #[test]
    fn company_filter_matches_listed_company_ids() {
        let filters = ReportFilters { companies: vec!["globex".into(), "acme".into()], ..any_ticket() };
        assert!(matches(&filters, &ticket(1)));
        let other = Ticket { company: Some(Company { id: "initech".into(), name: "ACME".into() }), ..ticket(1) };
        assert!(!matches(&filters, &other), "matched on the name, not the id");
    }

    #[test]
    fn ticket_without_company_never_matches_a_company_filter() {
        let filters = ReportFilters { companies: vec!["acme".into()], ..any_ticket() };
        assert!(!matches(&filters, &Ticket { company: None, ..ticket(1) }));
    }

    #[test]
    fn status_filter_matches_listed_statuses_only() {
        let filters = ReportFilters { statuses: vec![Status::Open, Status::Pending], ..any_ticket() };
        for status in Status::ALL {
            let expected = matches!(status, Status::Open | Status::Pending);
            assert_eq!(matches(&filters, &Ticket { status, ..ticket(1) }), expected, "{status:?}");
        }
    }

    #[test]
    fn priority_filter_matches_listed_priorities_only() {
        let filters = ReportFilters { priorities: vec![Priority::Urgent], ..any_ticket() };
        assert!(matches(&filters, &Ticket { priority: Priority::Urgent, ..ticket(1) }));
        assert!(!matches(&filters, &Ticket { priority: Priority::High, ..ticket(1) }));
    }

    #[test]
    fn every_filter_must_match() {
        let filters = ReportFilters {
            companies: vec!["acme".into()],
            statuses: vec![Status::Open],
            priorities: vec![Priority::Normal],
            ..any_ticket()
        };
        assert!(matches(&filters, &ticket(1)));
        assert!(!matches(&filters, &Ticket { status: Status::Closed, ..ticket(1) }));
        assert!(!matches(&filters, &Ticket { priority: Priority::Low, ..ticket(1) }));
        assert!(!matches(&filters, &created(at() + Duration::days(2))));
    }
}
