//! A model of one user's inbox, to check any `NotificationStore` (memory or DynamoDB) against:
//! random operations keep the unread count equal to the model's, another user's notification
//! is never found, and pagination returns every notification exactly once while new ones
//! arrive between pages.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use deskbell_inbox::{Centre, CentreError, ListParams, Notification, NotificationStore};
use proptest::prelude::*;

/// One step of a run. Indexes pick a notification created so far (modulo their number).
#[derive(Debug, Clone)]
pub enum Op {
    /// A notification for the owner (`other: false`) or another user, created `age` minutes
    /// before now, living `ttl` minutes.
    New {
        other: bool,
        age: i64,
        ttl: i64,
    },
    Read(usize),
    Unread(usize),
    Delete(usize),
    ReadAll,
    /// Time passes (TTL expiry without TTL having deleted anything).
    Advance(i64),
}

/// Random operations, biased towards creating notifications.
pub fn ops(max: usize) -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        4 => (any::<bool>(), 0i64..600, 1i64..300).prop_map(|(other, age, ttl)| Op::New { other, age, ttl }),
        2 => any::<usize>().prop_map(Op::Read),
        2 => any::<usize>().prop_map(Op::Unread),
        1 => any::<usize>().prop_map(Op::Delete),
        1 => Just(Op::ReadAll),
        1 => (1i64..120).prop_map(Op::Advance),
    ];
    proptest::collection::vec(op, 1..max)
}

#[derive(Debug, Clone)]
struct Model {
    user: String,
    read: bool,
    expires_at: DateTime<Utc>,
    deleted: bool,
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z").map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}

/// Runs `ops` for `owner` (and `other`, a second user) through the centre over `store`,
/// asserting the unread count after each step, then pages through with `page_limit` while a
/// new notification arrives before each page.
pub async fn check<S: NotificationStore>(
    store: S,
    owner: &str,
    other: &str,
    ops: &[Op],
    page_limit: usize,
) -> Result<(), TestCaseError> {
    let centre = Centre::new(store);
    let mut now = start();
    let mut made: Vec<String> = Vec::new();
    let mut model: BTreeMap<String, Model> = BTreeMap::new();
    let mut jobs = 0usize;
    let mut new = |user: &str, age: i64, ttl: i64, now: DateTime<Utc>| {
        jobs += 1;
        let created = now - Duration::minutes(age);
        let job = format!("job-{jobs}");
        Notification::new(
            user,
            &job,
            "ticket.assigned",
            job.clone(),
            "b".into(),
            "l".into(),
            created,
            Duration::minutes(age + ttl),
        )
    };
    let live = |m: &Model, now| !m.deleted && m.expires_at > now;
    for op in ops {
        match op {
            Op::New { other: to_other, age, ttl } => {
                let user = if *to_other { other } else { owner };
                let n = new(user, *age, *ttl, now);
                centre.store().store(&n).await.map_err(|e| TestCaseError::fail(e.to_string()))?;
                made.push(n.id.clone());
                model.insert(
                    n.id.clone(),
                    Model { user: user.into(), read: false, expires_at: n.expires_at, deleted: false },
                );
            }
            Op::Read(i) | Op::Unread(i) | Op::Delete(i) if !made.is_empty() => {
                let id = made[i % made.len()].clone();
                let m = model.get_mut(&id).ok_or_else(|| TestCaseError::fail("model"))?;
                let expected_found = m.user == owner && live(m, now);
                let result = match op {
                    Op::Read(_) => centre.mark(owner, &id, true, now).await,
                    Op::Unread(_) => centre.mark(owner, &id, false, now).await,
                    _ => centre.delete(owner, &id, now).await,
                };
                match result {
                    Ok(()) => {
                        prop_assert!(expected_found, "{op:?} on {id} found it, the model says it is not there");
                        match op {
                            Op::Read(_) => m.read = true,
                            Op::Unread(_) => m.read = false,
                            _ => m.deleted = true,
                        }
                    }
                    Err(CentreError::NotFound { .. }) => {
                        prop_assert!(!expected_found, "{op:?} on {id}: not found, the model has it")
                    }
                    Err(e) => return Err(TestCaseError::fail(e.to_string())),
                }
            }
            Op::Read(_) | Op::Unread(_) | Op::Delete(_) => {}
            Op::ReadAll => {
                let marked = centre.read_all(owner, now).await.map_err(|e| TestCaseError::fail(e.to_string()))?;
                let mut expected = 0;
                for m in model.values_mut().filter(|m| m.user == owner && !m.read && !m.deleted && m.expires_at > now) {
                    m.read = true;
                    expected += 1;
                }
                prop_assert_eq!(marked, expected);
            }
            Op::Advance(minutes) => now += Duration::minutes(*minutes),
        }
        let count = centre.unread_count(owner, now).await.map_err(|e| TestCaseError::fail(e.to_string()))?;
        let expected = model.values().filter(|m| m.user == owner && !m.read && live(m, now)).count() as u64;
        prop_assert_eq!(count, expected, "unread count after {:?}", op);
    }

    // Pagination while new notifications arrive between pages: each newer than all the others,
    // so before the cursor — never listed after the first page, never making one listed twice.
    let mut arrivals = 0i64;
    for unread_only in [false, true] {
        let before: BTreeSet<String> = model
            .iter()
            .filter(|(_, m)| m.user == owner && live(m, now) && !(unread_only && m.read))
            .map(|(id, _)| id.clone())
            .collect();
        let mut seen: Vec<String> = Vec::new();
        let mut params = ListParams { limit: page_limit, unread_only, cursor: None };
        for page_number in 0.. {
            prop_assert!(
                page_number <= before.len() + 2,
                "pagination does not end: {} before, limit {page_limit}, unread {unread_only}, seen {seen:?}",
                before.len()
            );
            arrivals += 1;
            let arriving = new(owner, -arrivals, 600, now);
            centre.store().store(&arriving).await.map_err(|e| TestCaseError::fail(e.to_string()))?;
            model.insert(
                arriving.id.clone(),
                Model { user: owner.into(), read: false, expires_at: arriving.expires_at, deleted: false },
            );
            let page = centre.list(owner, &params, now).await.map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(page.notifications.len() <= page_limit);
            prop_assert!(page.notifications.windows(2).all(|w| w[0].id > w[1].id), "newest first");
            prop_assert!(page.notifications.iter().all(|n| n.user_id == owner && n.is_live(now)));
            seen.extend(page.notifications.iter().map(|n| n.id.clone()));
            match page.next_cursor {
                Some(c) => {
                    params = ListParams::parse(Some(&page_limit.to_string()), Some(&unread_only.to_string()), Some(&c))
                        .map_err(|e| TestCaseError::fail(e.to_string()))?
                }
                None => break,
            }
        }
        let unique: BTreeSet<String> = seen.iter().cloned().collect();
        prop_assert_eq!(unique.len(), seen.len(), "a notification was listed twice");
        let missing: Vec<&String> = before.difference(&unique).collect();
        prop_assert!(missing.is_empty(), "never listed: {:?}", missing);
    }
    Ok(())
}
