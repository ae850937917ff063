//! `deskbell send`: jobs checked against the contract, then enqueued — one, a sample file, or
//! in bulk from NDJSON with concurrent SendMessageBatch calls.

use std::time::{Duration, Instant};

use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use chrono::Utc;
use deskbell_contract::{JobType, decode, peek};
use futures::StreamExt;
use serde_json::{Value, json};

use crate::cli::SendArgs;
use crate::context::{CliError, QueueKind, Stack, read};
use crate::output;

/// Bodies read from a file: one envelope, or an SQS event (`{"Records": [{"body": …}]}`, as the
/// samples in events/sqs/ are).
pub fn bodies_of_file(text: &str) -> Result<Vec<String>, CliError> {
    let value: Value = serde_json::from_str(text).map_err(|e| CliError::Invalid(format!("not JSON: {e}")))?;
    match value.get("Records").and_then(Value::as_array) {
        Some(records) => records
            .iter()
            .enumerate()
            .map(|(i, r)| {
                r.get("body")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| CliError::Invalid(format!("Records[{i}].body is missing or not a string")))
            })
            .collect(),
        None => Ok(vec![text.trim().to_owned()]),
    }
}

/// An envelope built from flags: a fresh id (ULID) unless given, version 1, now.
pub fn envelope(job_type: &str, data: &str, id: Option<&str>) -> Result<String, CliError> {
    let data: Value = serde_json::from_str(data).map_err(|e| CliError::Invalid(format!("--data is not JSON: {e}")))?;
    let id = id.map(str::to_owned).unwrap_or_else(|| ulid::Ulid::new().to_string());
    Ok(json!({"id": id, "type": job_type, "version": 1, "occurred_at": Utc::now().to_rfc3339(), "data": data})
        .to_string())
}

/// Checks every body against the contract; the error names the body (line) and the field.
pub fn validate(bodies: &[String], what: &str) -> Result<Vec<(String, QueueKind)>, CliError> {
    bodies
        .iter()
        .enumerate()
        .map(|(i, body)| match decode(body) {
            Ok(job) => Ok((body.clone(), QueueKind::of(Some(job.job_type())))),
            Err(e) => Err(CliError::Invalid(format!("{what} {}: {e} (nothing was sent)", i + 1))),
        })
        .collect()
}

/// The queue a body belongs on even when it does not decode (the demo's deliberate bad jobs).
pub fn route_unchecked(body: &str) -> QueueKind {
    QueueKind::of(peek(body).1.as_deref().and_then(JobType::from_wire))
}

/// What a bulk send did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Enqueued {
    pub sent: usize,
    pub failed: Vec<String>,
    pub seconds: f64,
    pub jobs_per_second: f64,
}

/// Sends `(body, queue)` pairs with SendMessageBatch (10 a call), `concurrency` calls at once;
/// `progress` is told how many went out after each call.
pub async fn enqueue(
    stack: &Stack,
    jobs: Vec<(String, QueueKind)>,
    concurrency: usize,
    progress: impl Fn(u64),
) -> Result<Enqueued, CliError> {
    let mut batches = Vec::new();
    for kind in [QueueKind::Notifications, QueueKind::Reports] {
        let url = stack.mapping(kind).map(|m| m.queue_url.clone());
        let bodies: Vec<String> = jobs.iter().filter(|(_, k)| *k == kind).map(|(b, _)| b.clone()).collect();
        if bodies.is_empty() {
            continue;
        }
        let url = url?;
        for chunk in bodies.chunks(10) {
            batches.push((url.clone(), chunk.to_vec()));
        }
    }
    let started = Instant::now();
    let mut sent = 0;
    let mut failed = Vec::new();
    let mut calls = futures::stream::iter(batches)
        .map(|(url, chunk)| async move {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, body)| SendMessageBatchRequestEntry::builder().id(i.to_string()).message_body(body).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| CliError::Invalid(e.to_string()))?;
            let out = stack
                .sqs
                .send_message_batch()
                .queue_url(&url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| CliError::aws(&url, "send message batch", &e))?;
            let failures: Vec<String> =
                out.failed().iter().map(|f| format!("entry {}: {}", f.id(), f.message().unwrap_or(f.code()))).collect();
            Ok::<_, CliError>((out.successful().len(), failures))
        })
        .buffer_unordered(concurrency.max(1));
    while let Some(result) = calls.next().await {
        let (ok, failures) = result?;
        sent += ok;
        failed.extend(failures);
        progress(ok as u64);
    }
    let seconds = started.elapsed().max(Duration::from_micros(1)).as_secs_f64();
    Ok(Enqueued { sent, failed, seconds, jobs_per_second: sent as f64 / seconds })
}

/// Runs `deskbell send`: reads the jobs (a file, flags or NDJSON), validates every one before
/// anything is sent, enqueues them with a progress bar (from 50 jobs, not with `json`) and
/// prints what was sent; answers the exit code, 1 when SQS refused any.
pub async fn command(stack: &Stack, args: SendArgs, json: bool) -> Result<i32, CliError> {
    let (bodies, what) = match (&args.file, &args.job_type, &args.bulk) {
        (Some(file), _, _) => (bodies_of_file(&read(file)?)?, "job"),
        (_, Some(job_type), _) => {
            (vec![envelope(job_type, args.data.as_deref().unwrap_or("{}"), args.id.as_deref())?], "job")
        }
        (_, _, Some(bulk)) => {
            let text = read(bulk)?;
            (text.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect(), "line")
        }
        _ => return Err(CliError::Invalid("nothing to send: give a FILE, --type with --data, or --bulk FILE".into())),
    };
    let jobs = validate(&bodies, what)?;
    let bar = indicatif::ProgressBar::new(jobs.len() as u64);
    if json || jobs.len() < 50 {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let sent = enqueue(stack, jobs, args.concurrency, |n| bar.inc(n)).await?;
    bar.finish_and_clear();
    if json {
        output::json(&sent);
    } else {
        println!(
            "sent {} job(s) in {:.3} s ({:.0} jobs/s){}",
            sent.sent,
            sent.seconds,
            sent.jobs_per_second,
            if sent.failed.is_empty() { String::new() } else { format!("; {} refused by SQS", sent.failed.len()) }
        );
        for f in &sent.failed {
            println!("  {f}");
        }
    }
    Ok(if sent.failed.is_empty() { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_event_file_gives_its_record_bodies() {
        let text = r#"{"Records":[{"body":"{\"a\":1}"},{"body":"x"}]}"#;
        assert_eq!(bodies_of_file(text).unwrap(), vec![r#"{"a":1}"#.to_string(), "x".to_string()]);
        assert!(bodies_of_file(r#"{"Records":[{"nobody":1}]}"#).unwrap_err().to_string().contains("Records[0].body"));
    }

    #[test]
    fn an_invalid_job_is_refused_naming_its_line_and_field() {
        let good = envelope(
            "user.welcome",
            r#"{"user":{"id":"u1","email":"a@example.com","name":"A","locale":"en","role":"customer"}}"#,
            Some("j1"),
        )
        .unwrap();
        let bad = envelope("user.welcome", r#"{"user":{"id":"u1","name":"A"}}"#, Some("j2")).unwrap();
        let err = validate(&[good.clone(), bad], "line").unwrap_err().to_string();
        assert!(err.starts_with("line 2: missing field data.user.email"), "{err}");
        assert_eq!(validate(&[good], "line").unwrap()[0].1, QueueKind::Notifications);
    }

    #[test]
    fn reports_are_routed_to_the_reports_queue_even_unchecked() {
        assert_eq!(route_unchecked(r#"{"id":"r","type":"report.requested"}"#), QueueKind::Reports);
        assert_eq!(route_unchecked("not json"), QueueKind::Notifications);
    }
}
