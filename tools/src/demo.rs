//! `deskbell demo`: sends the SQS samples of events/sqs/ through the running local stack, waits
//! until the mapped queues are drained, fires the statistics and health schedules, and shows
//! what happened: emails (saved as HTML), notifications, reports, and the DLQ with the reason
//! of each message.

use std::path::Path;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Value;

use crate::context::{CliError, Local, QueueKind, read};
use crate::invoke::Invoker;
use crate::notifications::Answer;
use crate::{dlq, mail, output, runner, send};

/// Samples not sent: `report.ready.json` names a bucket of its own; the demo's report.ready
/// comes from the report function.
const SKIPPED: &[&str] = &["report.ready.json"];
/// The deliberately bad records of `batch.mixed.json`, which must end in the DLQ.
const EXPECTED_DEAD_LETTERS: usize = 3;

/// Every SQS sample body under `dir`, in file-name order.
pub fn sample_bodies(dir: &Path) -> Result<Vec<(String, String)>, CliError> {
    let io = |source| CliError::Io { path: dir.display().to_string(), source };
    let mut files: Vec<_> = std::fs::read_dir(dir).map_err(io)?.filter_map(Result::ok).map(|e| e.path()).collect();
    files.sort();
    let mut bodies = Vec::new();
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        if !name.ends_with(".json") || SKIPPED.contains(&name.as_str()) {
            continue;
        }
        let text = read(&path)?;
        let is_sqs = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v["Records"].get(0).map(|r| r["eventSource"] == "aws:sqs"))
            .unwrap_or(false);
        if is_sqs {
            bodies.extend(send::bodies_of_file(&text)?.into_iter().map(|b| (name.clone(), b)));
        }
    }
    Ok(bodies)
}

/// Waits until every mapped queue is empty (visible, in flight, delayed) on three checks in a
/// row: a job can queue another (report -> report.ready), so one empty look is not enough.
async fn drained(local: &Local, timeout: Duration) -> Result<bool, CliError> {
    let deadline = Instant::now() + timeout;
    let bar = indicatif::ProgressBar::new_spinner();
    let mut quiet = 0;
    while Instant::now() < deadline {
        let mut parts = Vec::new();
        let mut total = 0;
        for m in &local.topology.mappings {
            let d = local.depth(&m.queue_url).await?;
            total += d.total();
            parts.push(format!("{} {} waiting, {} in flight", m.function, d.visible + d.delayed, d.in_flight));
        }
        bar.set_message(parts.join("; "));
        bar.tick();
        quiet = if total == 0 { quiet + 1 } else { 0 };
        if quiet >= 3 {
            bar.finish_and_clear();
            return Ok(true);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    bar.finish_and_clear();
    Ok(false)
}

async fn scan(local: &Local, table: &str) -> Result<Vec<std::collections::HashMap<String, AttributeValue>>, CliError> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let out = local
            .dynamodb
            .scan()
            .table_name(table)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| CliError::aws(table, "scan", &e))?;
        items.extend(out.items().iter().cloned());
        start = out.last_evaluated_key().cloned();
        if start.is_none() {
            return Ok(items);
        }
    }
}

fn text(item: &std::collections::HashMap<String, AttributeValue>, name: &str) -> String {
    match item.get(name) {
        Some(AttributeValue::S(s)) => s.clone(),
        Some(AttributeValue::N(n)) => n.clone(),
        _ => "-".into(),
    }
}

/// The scheduled functions the demo fires once the samples are processed, with the detail it
/// gives them: statistics for the samples' day (24 November 2026), then a health check (the
/// three dead letters make it raise alerts). Each answer is printed; what they publish goes
/// through the notifications queue to notify like any job.
const SCHEDULED: &[(&str, Option<&str>)] =
    &[("stats", Some(r#"{"period": "daily", "date": "2026-11-24"}"#)), ("health", None)];

/// Fires the demo's scheduled functions through the deployed schedules; answers how many ran.
async fn fire_scheduled<I: Invoker>(local: &Local, invoker: &I) -> Result<usize, CliError> {
    let mut fired = 0;
    for (function, detail) in SCHEDULED {
        let Some(schedule) = local.topology.schedules.iter().find(|s| s.function == *function) else {
            println!("demo: the stack has no schedule for {function}");
            continue;
        };
        let detail = detail.map(serde_json::from_str).transpose().map_err(|e| CliError::Invalid(e.to_string()))?;
        match runner::fire(&local.topology, schedule, detail, invoker).await {
            Ok(answer) => {
                fired += 1;
                println!("demo: fired {function} ({}): {}", schedule.name, output::cut(&answer.to_string(), 160));
            }
            Err(e) => println!("demo: fired {function} ({}): {e}", schedule.name),
        }
    }
    Ok(fired)
}

/// Runs the demo; answers whether everything came out as the samples should.
pub async fn run<I: Invoker>(
    local: &Local,
    invoker: &I,
    events: &Path,
    mail_dir: &Path,
    timeout: Duration,
) -> Result<bool, CliError> {
    let samples = sample_bodies(events)?;
    let jobs: Vec<(String, QueueKind)> = samples.iter().map(|(_, b)| (b.clone(), send::route_unchecked(b))).collect();
    // Tickets first, then the report on them: the report reads the ticket store notify keeps.
    let (reports, notifications): (Vec<_>, Vec<_>) = jobs.into_iter().partition(|(_, k)| *k == QueueKind::Reports);
    let mut finished = true;
    for (phase, jobs) in [("notifications", notifications), ("reports", reports)] {
        let sent = send::enqueue(local, jobs, 4, |_| {}).await?;
        println!("demo: sent {} {phase} jobs from {}", sent.sent, events.display());
        println!("demo: waiting for the local mappings to drain the queues…");
        if !drained(local, timeout).await? {
            println!("demo: the queues were not drained within {} s", timeout.as_secs());
            finished = false;
        }
    }

    let fired = fire_scheduled(local, invoker).await?;
    println!("demo: waiting for the digest and the alerts to be delivered…");
    finished &= drained(local, timeout).await?;

    let mails = mail::recorded(local.topology.local_endpoint()?).await?;
    println!("\nemails sent through the local SES: {}", mails.len());
    let mut rows = Vec::new();
    for m in &mails {
        let path = mail::save(m, mail_dir)?;
        rows.push(vec![m.to.join(","), output::cut(&m.subject, 60), path.display().to_string()]);
    }
    output::table(&["to", "subject", "html"], &rows);

    // Who has notifications (a demo may scan); what each has, through the notification centre
    // the inbox API serves.
    let mut users: Vec<String> =
        scan(local, local.output("NotificationsTableName")?).await?.iter().map(|n| text(n, "user_id")).collect();
    users.sort();
    users.dedup();
    let mut stored = 0;
    let mut rows = Vec::new();
    for user in &users {
        let list = crate::notifications::Action::List { limit: Some("100".into()), unread: false, cursor: None };
        let (Answer::Page(page), Answer::Count { unread_count }) = (
            crate::notifications::run(local, user, list).await?,
            crate::notifications::run(local, user, crate::notifications::Action::Count).await?,
        ) else {
            continue;
        };
        stored += page.notifications.len();
        for n in &page.notifications {
            rows.push(vec![user.clone(), unread_count.to_string(), output::cut(&n.title, 70)]);
        }
    }
    println!("\nin-app notifications stored: {stored} for {} users", users.len());
    output::table(&["user", "unread", "title"], &rows);

    let jobs_items = scan(local, local.output("JobsTableName")?).await?;
    let reports: Vec<_> = jobs_items.iter().filter(|i| text(i, "pk").starts_with("report#")).collect();
    println!("\nreports: {}", reports.len());
    let bucket = local.output("ReportsBucketName")?;
    let rows: Vec<Vec<String>> = reports
        .iter()
        .map(|r| {
            vec![
                text(r, "report_id"),
                text(r, "status"),
                text(r, "rows"),
                text(r, "bytes"),
                format!("s3://{bucket}/{}", text(r, "key")),
            ]
        })
        .collect();
    output::table(&["report", "status", "rows", "bytes", "object"], &rows);

    let mut dead = 0;
    for kind in [QueueKind::Notifications, QueueKind::Reports] {
        let letters = dlq::list(local, kind).await?;
        dead += letters.len();
        println!("\n{kind:?} DLQ: {} message(s)", letters.len());
        let rows: Vec<Vec<String>> = letters
            .iter()
            .map(|l| {
                let reason = l.reason.as_ref();
                vec![
                    l.message_id.clone(),
                    reason.and_then(|r| r.job_type.clone()).unwrap_or("-".into()),
                    reason.map(|r| r.kind.to_string()).unwrap_or("-".into()),
                    output::cut(&reason.map(|r| r.error.clone()).unwrap_or("(no reason recorded)".into()), 80),
                ]
            })
            .collect();
        output::table(&["message id", "type", "kind", "reason"], &rows);
    }

    let succeeded = reports.iter().filter(|r| text(r, "status") == "succeeded").count();
    let ok = finished
        && fired == SCHEDULED.len()
        && !mails.is_empty()
        && stored > 0
        && succeeded >= 1
        && dead == EXPECTED_DEAD_LETTERS;
    println!(
        "\ndemo: {} emails, {} notifications, {succeeded} report(s) succeeded, {dead} dead letter(s) (expected {EXPECTED_DEAD_LETTERS}): {}",
        mails.len(),
        stored,
        if ok { "ok" } else { "NOT as expected" }
    );
    Ok(ok)
}
