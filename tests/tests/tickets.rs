//! The ticket store against the emulator: version guard, and index queries that read only the
//! tickets a report's filters need.

use chrono::{DateTime, Duration, Utc};
use deskbell_contract::{Company, ReportFilters, Ticket, fixtures};
use deskbell_integration::Stack;
use deskbell_tickets::{DynamoTickets, RangeQuery, TicketStore, Upsert, plan_queries};

fn ticket(n: u64, created_at: DateTime<Utc>, company: Option<&str>) -> Ticket {
    let mut t = fixtures::ticket(n);
    t.created_at = created_at;
    t.company = company.map(|c| Company { id: c.into(), name: c.to_uppercase() });
    t
}

async fn read_all(store: &DynamoTickets, queries: &[RangeQuery]) -> Vec<u64> {
    let mut numbers = Vec::new();
    for q in queries {
        let mut next = None;
        loop {
            let page = store.page(q, next).await.unwrap();
            numbers.extend(page.tickets.iter().map(|t| t.number));
            match page.next {
                Some(n) => next = Some(n),
                None => break,
            }
        }
    }
    numbers.sort();
    numbers
}

#[tokio::test]
async fn a_newer_snapshot_wins_and_an_older_one_never_overwrites() {
    let stack = Stack::new("tickets-version").await;
    let store = DynamoTickets::new(stack.dynamodb.clone(), &stack.tickets_table);
    let mut t = fixtures::ticket(7);
    t.version = 5;
    t.subject = "five".into();
    assert_eq!(store.upsert(&t).await.unwrap(), Upsert::Stored);
    let mut old = t.clone();
    old.version = 4;
    old.subject = "four".into();
    assert_eq!(store.upsert(&old).await.unwrap(), Upsert::Stale);
    assert_eq!(store.upsert(&t).await.unwrap(), Upsert::Stale, "a replay is harmless");
    let mut newer = t.clone();
    newer.version = 6;
    newer.subject = "six".into();
    assert_eq!(store.upsert(&newer).await.unwrap(), Upsert::Stored);

    let q = plan_queries(&ReportFilters {
        created_from: t.created_at - Duration::days(1),
        created_to: t.created_at + Duration::days(1),
        companies: vec![],
        statuses: vec![],
        priorities: vec![],
    })
    .unwrap();
    let page = store.page(&q[0], None).await.unwrap();
    assert_eq!(page.tickets.len(), 1);
    assert_eq!((page.tickets[0].version, page.tickets[0].subject.as_str()), (6, "six"));
}

#[tokio::test]
async fn index_queries_return_exactly_the_range_by_month_and_by_company() {
    let stack = Stack::new("tickets-range").await;
    let store = DynamoTickets::new(stack.dynamodb.clone(), &stack.tickets_table);
    let from: DateTime<Utc> = "2026-10-20T00:00:00Z".parse().unwrap();
    let to: DateTime<Utc> = "2026-12-05T00:00:00Z".parse().unwrap();
    let tickets = [
        ticket(1, from - Duration::seconds(1), Some("acme")), // just before: out
        ticket(2, from, Some("acme")),                        // at from: in
        ticket(3, "2026-11-15T12:00:00Z".parse().unwrap(), Some("globex")),
        ticket(4, "2026-11-30T23:59:59Z".parse().unwrap(), None),
        ticket(5, to - Duration::seconds(1), Some("acme")), // last second: in
        ticket(6, to, Some("acme")),                        // at to: out (exclusive)
        ticket(7, "2027-01-02T00:00:00Z".parse().unwrap(), Some("acme")),
    ];
    for t in &tickets {
        store.upsert(t).await.unwrap();
    }
    let filters = |companies: &[&str]| ReportFilters {
        created_from: from,
        created_to: to,
        companies: companies.iter().map(|c| c.to_string()).collect(),
        statuses: vec![],
        priorities: vec![],
    };
    assert_eq!(read_all(&store, &plan_queries(&filters(&[])).unwrap()).await, vec![2, 3, 4, 5]);
    assert_eq!(read_all(&store, &plan_queries(&filters(&["acme"])).unwrap()).await, vec![2, 5]);
    assert_eq!(read_all(&store, &plan_queries(&filters(&["globex", "initech"])).unwrap()).await, vec![3]);
}
