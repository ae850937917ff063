//! One fault scenario end to end: jobs with known recipients onto a test stack's queue, notify
//! in process with its AWS clients behind the fault proxy, pollers playing Lambda's event
//! source mapping until the queue is drained, then the figures read from moto directly.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::SqsEvent;
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use deskbell_contract::fixtures::{self, user_at};
use deskbell_contract::{Payload, Role, SystemMaintenance, UserWelcome};
use deskbell_jobs::{Invocation, QueueDepths, SqsQueueDepths, records_to_delete};
use deskbell_notify::AwsNotify;
use lambda_runtime::{Context, LambdaEvent};

use super::FaultProxy;
use crate::Stack;

/// The jobs of a scenario and who each must reach (by email and in-app, once each).
pub struct Jobs {
    /// SQS message bodies.
    pub bodies: Vec<String>,
    /// Recipient user ids per job id; every recipient id is unique to its job.
    pub recipients: BTreeMap<String, Vec<String>>,
}

impl Jobs {
    /// `n` jobs on `stack`'s domain, alternating a `user.welcome` (one recipient) and a
    /// `system.maintenance` to three admins (fan-out inside a job).
    pub fn mixed(stack: &Stack, n: usize) -> Jobs {
        let mut bodies = Vec::new();
        let mut recipients = BTreeMap::new();
        for i in 0..n {
            let id = format!("{}-job-{i}", stack.name);
            let fan_out = if i % 2 == 0 { 1 } else { 3 };
            let users: Vec<_> = (0..fan_out).map(|k| format!("j{i}r{k}")).collect();
            let payload = if fan_out == 1 {
                Payload::UserWelcome(UserWelcome { user: user_at(&users[0], Role::Customer, &stack.domain) })
            } else {
                Payload::SystemMaintenance(SystemMaintenance {
                    recipients: users.iter().map(|u| user_at(u, Role::Admin, &stack.domain)).collect(),
                    title: "Database upgrade".into(),
                    message: "The helpdesk is read-only for 30 minutes.".into(),
                    starts_at: fixtures::at(),
                    ends_at: fixtures::at() + chrono::Duration::minutes(30),
                })
            };
            bodies.push(fixtures::job(&id, payload).to_body());
            recipients.insert(id, users);
        }
        Jobs { bodies, recipients }
    }

    /// Deliveries expected per channel (one per recipient).
    pub fn deliveries(&self) -> usize {
        self.recipients.values().map(Vec::len).sum()
    }
}

/// notify for `stack`, its AWS clients pointed at `proxy`, configured with `overrides`.
pub async fn notify_behind(proxy: &FaultProxy, stack: &Stack, overrides: &[(&str, &str)]) -> AwsNotify {
    let aws = deskbell_runtime::emulator_config(proxy.endpoint()).await;
    AwsNotify::from_aws(&aws, stack.notify_config_with(overrides))
}

/// How the pollers invoke notify.
#[derive(Debug, Clone, Copy)]
pub struct Pollers {
    /// Pollers running at once (Lambda's concurrency for the mapping).
    pub count: usize,
    /// The invocation's timeout: its deadline is handed to notify in the `Context`, and the
    /// invocation is dropped when it passes, as Lambda stops a function at its timeout.
    pub timeout: Option<Duration>,
    /// Give up draining after this long.
    pub bound: Duration,
}

/// What the pollers did.
#[derive(Debug, Clone, Default)]
pub struct Drain {
    /// Time from the first poll until the queue was empty; none when the bound passed first.
    pub drained_in: Option<Duration>,
    pub invocations: u64,
    /// Invocations stopped at their deadline.
    pub timed_out: u64,
    /// Invocations that failed as a whole (nothing deleted).
    pub failed: u64,
}

/// Polls `stack`'s queue and invokes `notify` until the queue has nothing visible, in flight or
/// delayed, or `pollers.bound` passes.
pub async fn drain(stack: &Stack, notify: &AwsNotify, pollers: Pollers) -> Drain {
    let start = Instant::now();
    let done = AtomicBool::new(false);
    let (invocations, timed_out, failed) = (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
    let poller = || async {
        while !done.load(Ordering::SeqCst) && start.elapsed() < pollers.bound {
            let event = receive(stack).await;
            if event.records.is_empty() {
                if queue_depth(stack, &stack.queue_url).await == 0 {
                    done.store(true, Ordering::SeqCst);
                }
                continue;
            }
            invocations.fetch_add(1, Ordering::SeqCst);
            let mut context = Context::default();
            if let Some(timeout) = pollers.timeout {
                context.deadline = u64::try_from((chrono::Utc::now() + timeout).timestamp_millis()).unwrap_or(0);
            }
            let invocation = notify.handle(LambdaEvent::new(event.clone(), context));
            let outcome = match pollers.timeout {
                Some(timeout) => tokio::time::timeout(timeout, invocation).await.ok(),
                None => Some(invocation.await),
            };
            match outcome {
                Some(Ok(response)) => complete(stack, &event, Invocation::Answered(&response)).await,
                // The whole batch comes back after its back-off, as with Lambda.
                Some(Err(_)) => {
                    failed.fetch_add(1, Ordering::SeqCst);
                    complete(stack, &event, Invocation::Failed).await;
                }
                None => {
                    timed_out.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
    };
    futures::future::join_all((0..pollers.count.max(1)).map(|_| poller())).await;
    Drain {
        drained_in: done.load(Ordering::SeqCst).then(|| start.elapsed()),
        invocations: invocations.into_inner(),
        timed_out: timed_out.into_inner(),
        failed: failed.into_inner(),
    }
}

/// Deletes what Lambda's poller would after the invocation (the job core's one decision). A
/// slow invocation's record may have been received again meanwhile, which makes its receipt
/// handle stale: the delete fails and the record comes back, as at-least-once allows.
async fn complete(stack: &Stack, event: &SqsEvent, invocation: Invocation<'_>) {
    for record in records_to_delete(event, invocation, true) {
        let receipt = record.receipt_handle.clone().unwrap_or_default();
        let _ = stack.sqs.delete_message().queue_url(&stack.queue_url).receipt_handle(receipt).send().await;
    }
}

/// One receive as Lambda's poller makes it: up to 10 records, long-polling 1 s.
async fn receive(stack: &Stack) -> SqsEvent {
    let out = stack
        .sqs
        .receive_message()
        .queue_url(&stack.queue_url)
        .max_number_of_messages(10)
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .wait_time_seconds(1)
        .send()
        .await
        .expect("receive from the queue");
    let mut event = SqsEvent::default();
    event.records =
        out.messages().iter().map(|m| deskbell_jobs::lambda_record(m, &stack.queue_arn, "eu-west-1")).collect();
    event
}

/// Messages in a queue: visible, in flight and delayed (the job core's own reader).
pub async fn queue_depth(stack: &Stack, queue_url: &str) -> u64 {
    SqsQueueDepths::new(stack.sqs.clone()).depth(queue_url).await.expect("queue attributes").total()
}

/// Sets the source queue's visibility timeout (it must exceed the invocation's timeout).
pub async fn set_visibility_timeout(stack: &Stack, secs: u32) {
    stack
        .sqs
        .set_queue_attributes()
        .queue_url(&stack.queue_url)
        .attributes(QueueAttributeName::VisibilityTimeout, secs.to_string())
        .send()
        .await
        .expect("set the visibility timeout");
}

/// A scenario's figures, read from moto after the drain.
#[derive(Debug, Clone)]
pub struct Figures {
    pub scenario: String,
    pub jobs: usize,
    /// What was broken and for how long.
    pub fault: String,
    /// Requests the proxy gave a fault.
    pub injected: u64,
    /// Deliveries expected per channel.
    pub expected: usize,
    pub emails: usize,
    pub notifications: usize,
    /// Recipients with more than one email (or notification) for their job.
    pub duplicate_emails: Vec<String>,
    pub duplicate_notifications: Vec<String>,
    /// Recipients with no email (or no notification) once drained.
    pub lost_emails: Vec<String>,
    pub lost_notifications: Vec<String>,
    pub dead_lettered: u64,
    pub drain: Drain,
}

impl Figures {
    /// Counts what reached moto for `jobs` on `stack`.
    pub async fn read(
        scenario: &str,
        stack: &Stack,
        jobs: &Jobs,
        fault: String,
        injected: u64,
        drain: Drain,
    ) -> Figures {
        let mut emails: BTreeMap<String, usize> = BTreeMap::new();
        for email in stack.emulator.emails_to_domain(&stack.domain).await {
            for to in &email.to {
                *emails.entry(to.split('@').next().unwrap_or_default().to_owned()).or_default() += 1;
            }
        }
        let notifications = notifications_per_user(stack).await;
        let expected: BTreeSet<&String> = jobs.recipients.values().flatten().collect();
        let over = |counts: &BTreeMap<String, usize>| {
            counts.iter().filter(|(_, n)| **n > 1).map(|(user, n)| format!("{user}×{n}")).collect::<Vec<_>>()
        };
        let missing = |counts: &BTreeMap<String, usize>| {
            expected.iter().filter(|u| !counts.contains_key(u.as_str())).map(|u| u.to_string()).collect::<Vec<_>>()
        };
        Figures {
            scenario: scenario.to_owned(),
            jobs: jobs.recipients.len(),
            fault,
            injected,
            expected: jobs.deliveries(),
            emails: emails.values().sum(),
            notifications: notifications.values().sum(),
            duplicate_emails: over(&emails),
            duplicate_notifications: over(&notifications),
            lost_emails: missing(&emails),
            lost_notifications: missing(&notifications),
            dead_lettered: queue_depth(stack, &stack.dlq_url).await,
            drain,
        }
    }

    /// One row of the fault table, prefixed `fault-table |` so a run's rows can be collected.
    pub fn row(&self) -> String {
        let drained =
            self.drain.drained_in.map_or_else(|| "not drained".to_owned(), |d| format!("{:.1} s", d.as_secs_f64()));
        format!(
            "fault-table | {} | {} | {} ({} injected) | {}/{} | {}/{} | {} | {} | {} | {} | {} | {} invocations, {} timed out |",
            self.scenario,
            self.jobs,
            self.fault,
            self.injected,
            self.emails,
            self.expected,
            self.notifications,
            self.expected,
            self.duplicate_emails.len(),
            self.duplicate_notifications.len(),
            self.lost_emails.len() + self.lost_notifications.len(),
            self.dead_lettered,
            drained,
            self.drain.invocations,
            self.drain.timed_out,
        )
    }

    /// Prints the row, then asserts the target: drained, nothing lost, nothing duplicated,
    /// nothing dead-lettered.
    pub fn print_and_assert_target(&self) {
        println!("{}", self.row());
        let few = |v: &[String]| v.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
        assert!(self.drain.drained_in.is_some(), "{}: queue not drained: {self:?}", self.scenario);
        assert!(
            self.duplicate_emails.is_empty(),
            "{}: duplicate emails: {}",
            self.scenario,
            few(&self.duplicate_emails)
        );
        assert!(
            self.duplicate_notifications.is_empty(),
            "{}: duplicate notifications: {}",
            self.scenario,
            few(&self.duplicate_notifications)
        );
        assert!(self.lost_emails.is_empty(), "{}: no email for: {}", self.scenario, few(&self.lost_emails));
        assert!(
            self.lost_notifications.is_empty(),
            "{}: no notification for: {}",
            self.scenario,
            few(&self.lost_notifications)
        );
        assert_eq!(self.dead_lettered, 0, "{}: dead-lettered", self.scenario);
    }
}

/// In-app notifications in `stack`'s table, per user id (read from moto, past the proxy).
async fn notifications_per_user(stack: &Stack) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    let mut start = None;
    loop {
        let out = stack
            .dynamodb
            .scan()
            .table_name(&stack.notifications_table)
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("scan the notifications");
        for item in out.items() {
            if let Some(user) = item.get("user_id").and_then(|v| v.as_s().ok()) {
                *counts.entry(user.clone()).or_default() += 1;
            }
        }
        start = out.last_evaluated_key().cloned();
        if start.is_none() {
            return counts;
        }
    }
}
