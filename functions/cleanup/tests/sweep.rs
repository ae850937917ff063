//! The sweep over an in-memory store: what goes, dry runs, budgets and resumed passes.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration as StdDuration, SystemTime};

use chrono::{DateTime, Duration, Utc};
use deskbell_cleanup::{Budget, Request, Settings, Stop, sweep};
use deskbell_retention::{EntryKey, Facts, Kind, MemoryRetention, Policy, Source, selection_key};

fn now() -> DateTime<Utc> {
    "2026-12-01T03:00:00Z".parse().unwrap()
}

fn item(pk: &str, sk: &str) -> EntryKey {
    EntryKey::Item(BTreeMap::from([("pk".into(), pk.into()), ("sk".into(), sk.into())]))
}

fn record(pk: &str, at: DateTime<Utc>) -> Facts {
    Facts::Record {
        pk: pk.into(),
        updated_at: Some(at),
        failed_at: Some(at),
        requested_at: Some(at),
        finished_at: None,
    }
}

/// `n` of each kind, half of them one second past their limit, half one second short of it.
async fn seeded(n: usize) -> MemoryRetention {
    let store = MemoryRetention::default();
    let p = Policy::default();
    for i in 0..n {
        let offset = if i % 2 == 0 { Duration::seconds(-1) } else { Duration::seconds(1) };
        let at = |kind| p.cutoff(kind, now()) + offset;
        store
            .insert(
                Source::Notifications,
                EntryKey::Item(BTreeMap::from([("user_id".into(), "u".into()), ("id".into(), format!("{i:04}"))])),
                Facts::Notification { read: true, created_at: Some(at(Kind::ReadNotifications)) },
            )
            .await;
        for (prefix, kind) in
            [("delivery", Kind::Deliveries), ("failure", Kind::Failures), ("report", Kind::ReportRecords)]
        {
            let pk = format!("{prefix}#{i:04}");
            store.insert(Source::Jobs, item(&pk, "x"), record(&pk, at(kind))).await;
        }
        let key = format!("reports/{i:04}.csv");
        store
            .insert(
                Source::ReportFiles,
                EntryKey::Object(key.clone()),
                Facts::File { key, last_modified: Some(at(Kind::ReportFiles)) },
            )
            .await;
    }
    store
}

fn request(dry_run: bool, max_pages: Option<u32>) -> Request {
    Request { dry_run, now: now(), kinds: Kind::ALL.into_iter().collect(), max_pages }
}

fn settings(page_size: usize) -> Settings {
    Settings { policy: Policy::default(), page_size }
}

fn unlimited() -> Budget {
    Budget { deadline: None, margin: StdDuration::ZERO, max_pages: None }
}

#[tokio::test]
async fn removes_the_half_past_retention_of_every_kind() {
    let store = seeded(10).await;
    let report = sweep(&store, &request(false, None), &settings(4), unlimited(), SystemTime::now).await.unwrap();
    assert!(report.complete && report.stopped.is_none() && !report.resumed);
    for kind in Kind::ALL {
        assert_eq!((report.kinds[&kind].expired, report.kinds[&kind].deleted), (5, 5), "{kind}");
    }
    assert_eq!(store.keys(Source::Jobs).await.len(), 15);
    assert_eq!(store.pass(&selection_key(&Kind::ALL.into_iter().collect())).await, None);
}

#[tokio::test]
async fn dry_run_deletes_nothing_and_counts_what_a_run_deletes() {
    let store = seeded(10).await;
    let dry = sweep(&store, &request(true, None), &settings(3), unlimited(), SystemTime::now).await.unwrap();
    assert_eq!(store.delete_calls().await, 0);
    assert_eq!(store.keys(Source::Notifications).await.len(), 10);
    let real = sweep(&store, &request(false, None), &settings(3), unlimited(), SystemTime::now).await.unwrap();
    for kind in Kind::ALL {
        assert_eq!(dry.kinds[&kind].deleted, 0);
        assert_eq!(dry.kinds[&kind].expired, real.kinds[&kind].deleted, "{kind}");
    }
}

#[tokio::test]
async fn a_run_out_of_pages_resumes_where_it_stopped_and_the_runs_add_up_to_one() {
    let full = seeded(20).await;
    let one = sweep(&full, &request(false, None), &settings(3), unlimited(), SystemTime::now).await.unwrap();

    let store = seeded(20).await;
    let mut totals: BTreeMap<Kind, u64> = BTreeMap::new();
    let mut runs = 0;
    loop {
        runs += 1;
        let r = sweep(&store, &request(false, Some(2)), &settings(3), unlimited(), SystemTime::now).await.unwrap();
        assert_eq!(r.resumed, runs > 1, "run {runs}");
        for (kind, c) in &r.kinds {
            *totals.entry(*kind).or_default() += c.deleted;
        }
        if r.complete {
            break;
        }
        assert_eq!(r.stopped, Some(Stop::MaxPages));
        assert!(runs < 100, "never completes");
    }
    assert!(runs > 5, "the budget must have interrupted it ({runs} runs)");
    for kind in Kind::ALL {
        assert_eq!(totals[&kind], one.kinds[&kind].deleted, "{kind}");
    }
    for source in Source::ALL {
        assert_eq!(store.keys(source).await, full.keys(source).await, "{source}");
    }
}

#[tokio::test]
async fn no_page_after_the_first_starts_within_the_margin_of_the_deadline() {
    let store = seeded(4).await;
    let deadline = SystemTime::now() + StdDuration::from_secs(10);
    let budget = Budget { deadline: Some(deadline), margin: StdDuration::from_secs(30), max_pages: None };
    let r = sweep(&store, &request(false, None), &settings(3), budget, SystemTime::now).await.unwrap();
    assert_eq!((r.pages, r.stopped, r.complete), (1, Some(Stop::Deadline), false));
    assert_eq!(r.kinds[&Kind::ReadNotifications].deleted, 2, "the first page's expired entries go");
    assert!(store.pass(&selection_key(&Kind::ALL.into_iter().collect())).await.is_some());
}

#[tokio::test]
async fn a_run_past_its_deadline_reads_nothing() {
    let store = seeded(4).await;
    let deadline = SystemTime::now() - StdDuration::from_secs(1);
    let budget = Budget { deadline: Some(deadline), margin: StdDuration::ZERO, max_pages: None };
    let r = sweep(&store, &request(false, None), &settings(3), budget, SystemTime::now).await.unwrap();
    assert_eq!((r.pages, r.stopped), (0, Some(Stop::Deadline)));
    assert_eq!(store.keys(Source::Notifications).await.len(), 4);
}

#[tokio::test]
async fn a_run_for_some_kinds_leaves_the_others_and_keeps_its_own_pass() {
    let store = seeded(10).await;
    let kinds: BTreeSet<Kind> = [Kind::Failures].into();
    let r = Request { kinds: kinds.clone(), ..request(false, Some(1)) };
    let report = sweep(&store, &r, &settings(4), unlimited(), SystemTime::now).await.unwrap();
    assert_eq!(report.kinds.keys().copied().collect::<Vec<_>>(), vec![Kind::Failures]);
    assert!(store.pass(&selection_key(&kinds)).await.is_some());
    assert!(store.pass(&selection_key(&Kind::ALL.into_iter().collect())).await.is_none());
    let report = sweep(&store, &Request { max_pages: None, ..r }, &settings(4), unlimited(), SystemTime::now).await;
    assert_eq!(report.unwrap().sources.keys().copied().collect::<Vec<_>>(), vec![Source::Jobs]);
    assert_eq!(store.keys(Source::Notifications).await.len(), 10);
    assert_eq!(store.keys(Source::Jobs).await.len(), 25);
}
