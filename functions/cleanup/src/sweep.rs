//! act: one run of the cleanup over a [`RetentionStore`], page by page, within a budget.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use deskbell_retention::{EntryKey, Kind, Pass, Policy, Progress, RetentionStore, Source, selection_key};
use serde::Serialize;

use crate::{CleanupError, Request};

/// How the cleanup works, from its configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub policy: Policy,
    /// Items (or objects) read per page; a page's deletes go out before the next page is read.
    pub page_size: usize,
}

/// When a run must stop: before the invocation's deadline, less a margin, or after a number
/// of pages.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// The invocation's deadline (none: only `max_pages` stops the run).
    pub deadline: Option<SystemTime>,
    /// Time kept in hand before the deadline: no page starts later than `deadline - margin`.
    pub margin: Duration,
    pub max_pages: Option<u32>,
}

/// Why a run stopped before the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    Deadline,
    MaxPages,
}

impl Stop {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Deadline => "deadline",
            Self::MaxPages => "max_pages",
        }
    }
}

impl Budget {
    /// Whether a run that read `pages` pages must stop at wall-clock time `wall`. The first
    /// page is always read unless the deadline itself has passed, so every run makes
    /// progress even when the margin is most of the invocation's time.
    pub fn stop(&self, pages: u32, wall: SystemTime) -> Option<Stop> {
        if self.max_pages.is_some_and(|max| pages >= max) {
            return Some(Stop::MaxPages);
        }
        let margin = if pages == 0 { Duration::ZERO } else { self.margin };
        if self.deadline.is_some_and(|deadline| wall + margin >= deadline) {
            return Some(Stop::Deadline);
        }
        None
    }
}

/// What one kind came to in a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct KindCount {
    /// Found past retention (in a dry run: what a real run would delete).
    pub expired: u64,
    /// Deleted (0 in a dry run).
    pub deleted: u64,
}

/// What one source came to in a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SourceCount {
    pub pages: u32,
    /// Entries read (for the notifications table: read ones only, filtered by DynamoDB).
    pub scanned: u64,
    /// Swept to its end in this pass.
    pub done: bool,
}

/// The run's answer (the Lambda's JSON response), also logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub dry_run: bool,
    pub now: DateTime<Utc>,
    /// Every selected source swept to its end: the pass is over.
    pub complete: bool,
    /// Why the run stopped early, if it did; the next run continues where it stopped.
    pub stopped: Option<Stop>,
    /// This run continued a pass an earlier run had stopped.
    pub resumed: bool,
    pub pages: u32,
    pub kinds: BTreeMap<Kind, KindCount>,
    pub sources: BTreeMap<Source, SourceCount>,
}

/// Runs `request` over `store`: for each selected source, from where an unfinished pass
/// stopped (a dry run always starts afresh and saves nothing), reads a page, judges every
/// entry with the policy at `request.now`, deletes the expired ones of the selected kinds
/// (batches of 25 / 1000), and moves on, until the end or the budget. `clock` is the wall
/// clock the budget is checked against.
///
/// On a store error the progress made so far is saved before the error is returned, so a
/// retry does not start over.
pub async fn sweep<S: RetentionStore>(
    store: &S,
    request: &Request,
    settings: &Settings,
    budget: Budget,
    clock: impl Fn() -> SystemTime,
) -> Result<Report, CleanupError> {
    // The event's page budget, when it names one, wins over the configured one.
    let budget = Budget { max_pages: request.max_pages.or(budget.max_pages), ..budget };
    let selection = selection_key(&request.kinds);
    let saved = if request.dry_run { None } else { store.load_pass(&selection).await? };
    let resumed = saved.is_some();
    let mut pass = saved.unwrap_or_else(|| Pass::new(request.now));
    let mut report = Report {
        dry_run: request.dry_run,
        now: request.now,
        complete: false,
        stopped: None,
        resumed,
        pages: 0,
        kinds: request.kinds.iter().map(|k| (*k, KindCount::default())).collect(),
        sources: BTreeMap::new(),
    };

    let outcome = sweep_sources(store, request, settings, budget, &clock, &mut pass, &mut report).await;
    report.complete = outcome.is_ok() && report.stopped.is_none();
    if !request.dry_run {
        let saved = if report.complete {
            store.clear_pass(&selection).await
        } else {
            store.save_pass(&selection, &pass, request.now).await
        };
        if let Err(e) = saved {
            tracing::error!(error = %e, selection, "could not save the cleanup's progress");
            outcome?;
            return Err(e.into());
        }
    }
    outcome?;
    log(&report);
    Ok(report)
}

async fn sweep_sources<S: RetentionStore>(
    store: &S,
    request: &Request,
    settings: &Settings,
    budget: Budget,
    clock: &impl Fn() -> SystemTime,
    pass: &mut Pass,
    report: &mut Report,
) -> Result<(), CleanupError> {
    let sources = Source::ALL.into_iter().filter(|s| request.kinds.iter().any(|k| k.source() == *s));
    for source in sources {
        let mut after = match pass.sources.get(&source) {
            Some(Progress::Done) => {
                report.sources.entry(source).or_default().done = true;
                continue;
            }
            Some(Progress::After(key)) => Some(key.clone()),
            None => None,
        };
        loop {
            if let Some(stop) = budget.stop(report.pages, clock()) {
                report.stopped = Some(stop);
                return Ok(());
            }
            let page = store.page(source, after.as_ref(), settings.page_size).await?;
            report.pages += 1;
            let counts = report.sources.entry(source).or_default();
            counts.pages += 1;
            counts.scanned += page.entries.len() as u64;

            let mut doomed: Vec<EntryKey> = Vec::new();
            let mut per_kind: BTreeMap<Kind, u64> = BTreeMap::new();
            for entry in page.entries {
                if let Some(kind) = settings.policy.judge(&entry.facts, request.now) {
                    if request.kinds.contains(&kind) {
                        *per_kind.entry(kind).or_default() += 1;
                        doomed.push(entry.key);
                    }
                }
            }
            for (kind, n) in &per_kind {
                report.kinds.entry(*kind).or_default().expired += n;
            }
            if !request.dry_run && !doomed.is_empty() {
                store.delete(source, doomed).await?;
                for (kind, n) in &per_kind {
                    report.kinds.entry(*kind).or_default().deleted += n;
                }
            }
            tracing::debug!(%source, page = counts.pages, expired = per_kind.values().sum::<u64>(), "page swept");

            match page.next {
                None => {
                    pass.sources.insert(source, Progress::Done);
                    report.sources.entry(source).or_default().done = true;
                    break;
                }
                Some(next) => {
                    pass.sources.insert(source, Progress::After(next.clone()));
                    after = Some(next);
                }
            }
        }
    }
    Ok(())
}

fn log(report: &Report) {
    for (kind, count) in &report.kinds {
        tracing::info!(
            kind = kind.as_str(),
            expired = count.expired,
            deleted = count.deleted,
            dry_run = report.dry_run,
            "retention"
        );
    }
    tracing::info!(
        dry_run = report.dry_run,
        now = %report.now.to_rfc3339(),
        complete = report.complete,
        stopped = report.stopped.map_or("", Stop::as_str),
        resumed = report.resumed,
        pages = report.pages,
        "cleanup run"
    );
}
