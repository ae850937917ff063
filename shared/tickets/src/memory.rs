//! Tickets in memory, for unit tests.

use std::collections::BTreeMap;

use deskbell_contract::Ticket;
use tokio::sync::Mutex;

use crate::keys::created_key;
use crate::{Page, RangeQuery, TicketStore, TicketStoreError, Upsert};

/// Ticket snapshots in memory; behaves like [`crate::DynamoTickets`] (one page per query).
#[derive(Default)]
pub struct MemoryTickets {
    tickets: Mutex<BTreeMap<String, Ticket>>,
}

impl MemoryTickets {
    /// The stored snapshot of ticket `id`.
    pub async fn get(&self, id: &str) -> Option<Ticket> {
        self.tickets.lock().await.get(id).cloned()
    }
}

impl TicketStore for MemoryTickets {
    async fn upsert(&self, ticket: &Ticket) -> Result<Upsert, TicketStoreError> {
        let mut tickets = self.tickets.lock().await;
        if tickets.get(&ticket.id).is_some_and(|t| t.version >= ticket.version) {
            return Ok(Upsert::Stale);
        }
        tickets.insert(ticket.id.clone(), ticket.clone());
        Ok(Upsert::Stored)
    }

    async fn page(&self, query: &RangeQuery, _next: Option<String>) -> Result<Page, TicketStoreError> {
        let (from, to) = query.key_bounds();
        let mut found: Vec<(String, Ticket)> = self
            .tickets
            .lock()
            .await
            .values()
            .filter(|t| match query {
                RangeQuery::CreatedIn { month, .. } => crate::created_month(t.created_at) == *month,
                RangeQuery::CompanyCreatedIn { company_id, .. } => {
                    t.company.as_ref().is_some_and(|c| c.id == *company_id)
                }
            })
            .map(|t| (created_key(t.created_at, &t.id), t.clone()))
            .filter(|(key, _)| *key >= from && *key <= to)
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Page { tickets: found.into_iter().map(|(_, t)| t).collect(), next: None })
    }
}

#[cfg(test)]
mod tests {
    use deskbell_contract::fixtures;

    use super::*;

    #[tokio::test]
    async fn older_or_equal_snapshot_never_overwrites() {
        let store = MemoryTickets::default();
        let mut v2 = fixtures::ticket(1);
        v2.version = 2;
        v2.subject = "v2".into();
        assert_eq!(store.upsert(&v2).await.unwrap(), Upsert::Stored);
        let mut v1 = v2.clone();
        v1.version = 1;
        v1.subject = "v1".into();
        assert_eq!(store.upsert(&v1).await.unwrap(), Upsert::Stale);
        assert_eq!(store.upsert(&v2).await.unwrap(), Upsert::Stale);
        assert_eq!(store.get("t-1").await.unwrap().subject, "v2");
    }
}
