//! Tickets in memory, for unit tests.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use deskbell_contract::{StatsDigest, Ticket};
use tokio::sync::Mutex;

use crate::keys::created_key;
use crate::{
    Activity, ActivityPage, ActivityQuery, Page, RangeQuery, StatsRecord, StatsStore, TicketStore, TicketStoreError,
    Upsert,
};

/// Ticket snapshots, activities and stats in memory; behaves like [`crate::DynamoTickets`]
/// (one page per query).
#[derive(Default)]
pub struct MemoryTickets {
    tickets: Mutex<BTreeMap<String, Ticket>>,
    activities: Mutex<BTreeMap<String, Activity>>,
    stats: Mutex<BTreeMap<String, StatsRecord>>,
    digests: Mutex<BTreeMap<String, StatsDigest>>,
}

impl MemoryTickets {
    /// The stored snapshot of ticket `id`.
    pub async fn get(&self, id: &str) -> Option<Ticket> {
        self.tickets.lock().await.get(id).cloned()
    }

    /// Every stored activity, by job id.
    pub async fn activities(&self) -> Vec<Activity> {
        self.activities.lock().await.values().cloned().collect()
    }
}

impl StatsStore for MemoryTickets {
    async fn put_stats(&self, record: &StatsRecord, digest: &StatsDigest) -> Result<StatsDigest, TicketStoreError> {
        self.stats.lock().await.insert(record.key(), record.clone());
        Ok(self.digests.lock().await.entry(record.key()).or_insert_with(|| digest.clone()).clone())
    }

    async fn get_stats(&self, key: &str) -> Result<Option<StatsRecord>, TicketStoreError> {
        Ok(self.stats.lock().await.get(key).cloned())
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

    async fn record_activity(&self, activity: &Activity) -> Result<(), TicketStoreError> {
        self.activities.lock().await.entry(activity.job_id.clone()).or_insert_with(|| activity.clone());
        Ok(())
    }

    async fn activity_page(
        &self,
        query: &ActivityQuery,
        _next: Option<String>,
    ) -> Result<ActivityPage, TicketStoreError> {
        let (from, to) = query.key_bounds();
        let mut found: Vec<(String, Activity)> = self
            .activities
            .lock()
            .await
            .values()
            .filter(|a| a.day() == query.day)
            .map(|a| (a.key(), a.clone()))
            .filter(|(key, _)| *key >= from && *key <= to)
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(ActivityPage { activities: found.into_iter().map(|(_, a)| a).collect(), next: None })
    }

    async fn count_open(&self, before: DateTime<Utc>) -> Result<u64, TicketStoreError> {
        let tickets = self.tickets.lock().await;
        Ok(tickets.values().filter(|t| !t.status.is_resolved() && t.created_at < before).count() as u64)
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
