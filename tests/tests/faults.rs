//! The fault-injection suite (issue 11): notify in process with its AWS clients behind the
//! fault proxy, the queue polled as Lambda's event source mapping would until drained, then
//! what reached moto counted directly. Each scenario asserts the target under at-least-once
//! delivery: every recipient got one email and one notification, nothing dead-lettered.
//! Time is compressed by configuration (seconds where production has minutes); each run
//! prints one `fault-table |` row per scenario (docs/faults.md).

#[path = "faults/proxy.rs"]
mod proxy;

use std::time::Duration;

use deskbell_integration::faults::scenario::{self, Drain, Figures, Jobs, Pollers};
use deskbell_integration::faults::{Fault, FaultProxy, Limit, Rule, Service};
use deskbell_integration::{Emulator, Stack};
use deskbell_jobs::RetryPolicy;

/// Jobs per scenario: half welcome emails, half maintenance notices to three admins each.
const JOBS: usize = 20;

/// The retry budget compressed: a window of 60 s instead of an hour, back-off of 1 to 4 s. The
/// stack's queue gets the maxReceiveCount derived from it, as the template's queues do from
/// theirs, and notify the same settings.
const RETRY: RetryPolicy = RetryPolicy { base_secs: 1, max_secs: 4, window_secs: 60 };

/// notify's other settings for the suite: a delivery lock of 10 s when there is no deadline,
/// and the margin before a deadline.
const COMPRESSED: &[(&str, &str)] = &[("DESKBELL_DELIVERY_LEASE_SECS", "10"), ("DESKBELL_DEADLINE_MARGIN_SECS", "2")];

/// Two pollers, invocations with the deployed notify's 30 s timeout, and a bound well past the
/// fault. With a deadline, as in Lambda, notify's locks last until it plus a margin: a worker
/// slowed by a loaded machine keeps its lock while it runs, and frees it when it is stopped.
fn pollers(fault: Duration) -> Pollers {
    Pollers { count: 2, timeout: Some(Duration::from_secs(30)), bound: fault + Duration::from_secs(100) }
}

/// A stack, its jobs on the queue, and the fault proxy in front of moto.
async fn set_up(test: &str) -> (Stack, Jobs, FaultProxy) {
    let stack = Stack::with_retry(test, RETRY).await;
    let jobs = Jobs::mixed(&stack, JOBS);
    stack.send(&jobs.bodies).await;
    let proxy = FaultProxy::start(&Emulator::get().endpoint).await.expect("the fault proxy starts");
    (stack, jobs, proxy)
}

/// Prints the scenario's row and asserts the target, and that its fault did fire (a rule that
/// matched nothing, say after a renamed attribute, would prove nothing).
async fn run(test: &str, stack: &Stack, jobs: &Jobs, fault: String, injected: u64, drain: Drain) {
    Figures::read(test, stack, jobs, fault, injected, drain).await.print_and_assert_target();
    assert!(injected > 0, "{test}: the fault never fired");
}

/// The baseline: through the proxy without a rule, the figures are the target's. A duplicate
/// or a loss in a scenario is the fault's doing, not the harness's.
#[tokio::test]
async fn without_faults_every_recipient_gets_one_email_and_one_notification() {
    let (stack, jobs, proxy) = set_up("f-baseline").await;
    let notify = scenario::notify_behind(&proxy, &stack, COMPRESSED).await;
    let drain = scenario::drain(&stack, &notify, pollers(Duration::ZERO)).await;
    Figures::read("no fault", &stack, &jobs, "none".into(), 0, drain).await.print_and_assert_target();
    assert!(!proxy.forwarded().is_empty(), "notify's calls went through the proxy");
}

/// (a) Today 5 receives with back-off last about 30 s here (2.5 to 5 minutes in production);
/// a 45 s SES throttle, inside a 60 s retry window, must dead-letter nothing.
#[tokio::test]
async fn ses_throttled_past_the_old_receive_budget_loses_nothing() {
    let (stack, jobs, proxy) = set_up("f-ses-throttled").await;
    let length = Duration::from_secs(45);
    let rule = proxy.add(Rule::new(Service::Ses, Fault::Throttle).operation("SendEmail").for_the_next(length));
    let notify = scenario::notify_behind(&proxy, &stack, COMPRESSED).await;
    let drain = scenario::drain(&stack, &notify, pollers(length)).await;
    let fault = format!("SES SendEmail TooManyRequestsException for {} s", length.as_secs());
    run("(a) SES throttled", &stack, &jobs, fault, rule.injected(), drain).await;
}

/// (b) Every DynamoDB call throttled for 40 s (past the old receive budget, inside the
/// window): claims, sends' records and notifications wait.
#[tokio::test]
async fn dynamodb_throttled_for_a_while_loses_and_duplicates_nothing() {
    let (stack, jobs, proxy) = set_up("f-ddb-throttled").await;
    let length = Duration::from_secs(40);
    let rule = proxy.add(Rule::new(Service::Dynamodb, Fault::Throttle).for_the_next(length));
    let notify = scenario::notify_behind(&proxy, &stack, COMPRESSED).await;
    let drain = scenario::drain(&stack, &notify, pollers(length)).await;
    let fault = format!("DynamoDB (all calls) ThrottlingException for {} s", length.as_secs());
    run("(b) DynamoDB throttled", &stack, &jobs, fault, rule.injected(), drain).await;
}

/// (c) SES accepts each email, then the write recording it as sent fails once (all of the
/// SDK's 3 attempts of the first call, per delivery): the retry must not send it again.
#[tokio::test]
async fn ses_accepted_but_the_sent_write_failed_once_sends_one_email() {
    let (stack, jobs, proxy) = set_up("f-sent-write").await;
    let rule = proxy.add(
        Rule::new(Service::Dynamodb, Fault::ServerError(500))
            .operation("UpdateItem")
            .body_contains(r#"{"S":"sent"}"#)
            .body_contains(r#"{"S":"email#"#)
            .limit(Limit::FirstPerItem(3)),
    );
    let notify = scenario::notify_behind(&proxy, &stack, COMPRESSED).await;
    let drain = scenario::drain(&stack, &notify, pollers(Duration::ZERO)).await;
    let fault = "email `sent` write: HTTP 500 on the first call per delivery".to_owned();
    run("(c) sent write fails once", &stack, &jobs, fault, rule.injected(), drain).await;
}

/// (d) SES answers 1 s late for 20 s, and each invocation has 5 s: batches outlast their
/// deadline and are stopped there, as Lambda stops a function at its timeout. A send SES
/// accepted must not be lost track of, nor sent again.
#[tokio::test]
async fn invocation_timing_out_mid_batch_sends_each_email_once() {
    let (stack, jobs, proxy) = set_up("f-timeout").await;
    // Longer than the invocation's timeout, so a stopped batch comes back only after it.
    scenario::set_visibility_timeout(&stack, 8).await;
    let length = Duration::from_secs(20);
    let slow = Fault::SlowAnswer(Duration::from_secs(1));
    let rule = proxy.add(Rule::new(Service::Ses, slow).operation("SendEmail").for_the_next(length));
    let config: Vec<(&str, &str)> = COMPRESSED
        .iter()
        .copied()
        .chain([("DESKBELL_BATCH_CONCURRENCY", "2"), ("DESKBELL_DELIVERY_CONCURRENCY", "1")])
        .collect();
    let notify = scenario::notify_behind(&proxy, &stack, &config).await;
    let timeout = Duration::from_secs(5);
    let drain = scenario::drain(&stack, &notify, Pollers { timeout: Some(timeout), ..pollers(length) }).await;
    let fault = format!("SES answers 1 s late for {} s; invocations time out after 5 s", length.as_secs());
    run("(d) timed out mid-batch", &stack, &jobs, fault, rule.injected(), drain).await;
}

/// (e) SES sending paused for 20 s (an account-level state, not the job's fault): retried,
/// never dead-lettered.
#[tokio::test]
async fn ses_sending_paused_for_a_while_dead_letters_nothing() {
    let (stack, jobs, proxy) = set_up("f-paused").await;
    let length = Duration::from_secs(20);
    let paused = Fault::Error {
        status: 400,
        code: "SendingPausedException".into(),
        message: "Email sending is disabled for your entire Amazon SES account.".into(),
    };
    let rule = proxy.add(Rule::new(Service::Ses, paused).operation("SendEmail").for_the_next(length));
    let notify = scenario::notify_behind(&proxy, &stack, COMPRESSED).await;
    let drain = scenario::drain(&stack, &notify, pollers(length)).await;
    let fault = format!("SES SendingPausedException for {} s", length.as_secs());
    run("(e) SES sending paused", &stack, &jobs, fault, rule.injected(), drain).await;
}

/// (f) For 20 s, on SES, DynamoDB and SQS alike: one request in 5 reset, one in 3 of the
/// others answered HTTP 500 or 503; before those, one DynamoDB or SQS request in 7 done and
/// its answer dropped (idempotent writes: the SDK's retry must be harmless). Not on SES: a
/// dropped SendEmail answer retried by the SDK is a second email, which SES cannot refuse.
#[tokio::test]
async fn resets_and_server_errors_on_every_service_lose_and_duplicate_nothing() {
    let (stack, jobs, proxy) = set_up("f-mix").await;
    // notify's visibility changes fail too: keep the queue's own default short.
    scenario::set_visibility_timeout(&stack, 10).await;
    let length = Duration::from_secs(20);
    let mut rules = Vec::new();
    for service in [Service::Dynamodb, Service::Sqs] {
        rules.push(proxy.add(Rule::new(service, Fault::DropAnswer).limit(Limit::OneIn(7)).for_the_next(length)));
    }
    for service in [Service::Ses, Service::Dynamodb, Service::Sqs] {
        rules.push(proxy.add(Rule::new(service.clone(), Fault::Reset).limit(Limit::OneIn(5)).for_the_next(length)));
        let status = if service == Service::Dynamodb { 500 } else { 503 };
        let error = Rule::new(service, Fault::ServerError(status)).limit(Limit::OneIn(3)).for_the_next(length);
        rules.push(proxy.add(error));
    }
    let notify = scenario::notify_behind(&proxy, &stack, COMPRESSED).await;
    let drain = scenario::drain(&stack, &notify, pollers(length)).await;
    let injected = rules.iter().map(|r| r.injected()).sum();
    let fault = format!(
        "DynamoDB, SQS: 1 in 7 answers dropped; SES, DynamoDB, SQS: 1 in 5 reset, 1 in 3 of the rest 5xx; for {} s",
        length.as_secs()
    );
    run("(f) resets + 5xx everywhere", &stack, &jobs, fault, injected, drain).await;
}
