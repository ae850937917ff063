//! notify's side effects through the idempotency primitive, with in-memory stores: what a
//! redelivery, a republished envelope, a reused id, a failed completion write, a long recipient
//! list and a near deadline do.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};

use chrono::{DateTime, Duration, Utc};
use deskbell_contract::fixtures::{self, user};
use deskbell_contract::{Job, JobType, Payload, Role};
use deskbell_inbox::NotificationStore;
use deskbell_jobs::{JobContext, JobHandler};
use deskbell_mailer::{Email, MailError, Mailer, MemoryMailer};
use deskbell_notify::{Clock, MemoryPorts, Notifier, Pacing, Ports, Settings, Site};
use deskbell_records::{Attempt, DeliveryStatus, FinishRetry, LockExpiry};
use tokio::sync::Mutex;

type MemoryNotifier<M> = Notifier<MemoryPorts<M>>;

fn settings(pacing: Pacing) -> Settings {
    Settings {
        site: Site { app_url: "https://help.example.com".into(), product: "Helpdesk".into() },
        sender: "Helpdesk <no-reply@example.com>".into(),
        notification_ttl: Duration::days(180),
        lock: LockExpiry::default(),
        finish_retry: FinishRetry { retries: 3, base: std::time::Duration::from_millis(1) },
        pacing,
        report_link_ttl: std::time::Duration::from_secs(3600),
    }
}

fn notifier<M: Mailer>(mailer: M, pacing: Pacing) -> MemoryNotifier<M> {
    Notifier::new(Ports { reports: None, ..Ports::memory(mailer) }, settings(pacing))
}

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

fn ctx(message_id: &str, receive_count: u32, deadline: Option<DateTime<Utc>>) -> JobContext {
    JobContext {
        attempt: Attempt { message_id: message_id.into(), receive_count },
        queue: "deskbell-notifications".into(),
        now: Utc::now(),
        deadline,
    }
}

/// `user.welcome` for `newbie`: one email and one in-app notification.
fn welcome(id: &str) -> Job {
    let mut job = fixtures::one_of_each().into_iter().find(|j| j.job_type() == JobType::UserWelcome).unwrap();
    job.id = id.into();
    job
}

/// A system alert for `n` admins (email and in-app each).
fn alert_for(n: usize) -> Job {
    let mut job = fixtures::one_of_each().into_iter().find(|j| j.job_type() == JobType::SystemAlert).unwrap();
    let Payload::SystemAlert(p) = &mut job.payload else { unreachable!() };
    p.recipients = (0..n).map(|i| user(&format!("admin-{i:02}"), Role::Admin)).collect();
    job.id = format!("alert-{n}");
    job
}

#[tokio::test]
async fn a_deleted_notification_is_not_recreated_by_a_redelivery() {
    let n = notifier(MemoryMailer::default(), Pacing::default());
    let job = welcome("w-del");
    n.handle(&job, &ctx("m1", 1, None)).await.unwrap();
    let stored = n.inbox().all().await;
    assert_eq!(stored.len(), 1);
    assert!(n.inbox().delete("newbie", &stored[0].id, Utc::now()).await.unwrap());

    n.handle(&job, &ctx("m1", 2, None)).await.unwrap();
    assert!(n.inbox().all().await.is_empty(), "the retry found the delivery completed");
    assert_eq!(n.mailer().sent().await.len(), 1);
}

#[tokio::test]
async fn a_republished_envelope_with_a_new_occurred_at_gives_one_email_and_one_notification() {
    let n = notifier(MemoryMailer::default(), Pacing::default());
    let first = welcome("w-again");
    let mut again = first.clone();
    again.occurred_at = first.occurred_at + Duration::minutes(7);
    n.handle(&first, &ctx("m1", 1, None)).await.unwrap();
    n.handle(&again, &ctx("m2", 1, None)).await.unwrap();
    assert_eq!(n.mailer().sent().await.len(), 1);
    assert_eq!(n.inbox().all().await.len(), 1);
}

#[tokio::test]
async fn an_envelope_id_reused_with_a_different_payload_is_refused_permanently_with_its_reason() {
    let n = notifier(MemoryMailer::default(), Pacing::default());
    let first = welcome("w-reused");
    let mut other = first.clone();
    let Payload::UserWelcome(p) = &mut other.payload else { unreachable!() };
    p.user.name = "Someone Else".into();
    n.handle(&first, &ctx("m1", 1, None)).await.unwrap();
    let err = n.handle(&other, &ctx("m2", 1, None)).await.unwrap_err();
    assert_eq!(deskbell_errors::Classify::kind(&err), deskbell_errors::ErrorKind::Permanent);
    assert!(err.to_string().contains("envelope id w-reused reused with a different payload"), "{err}");
    assert_eq!(n.mailer().sent().await.len(), 1);
    // The first payload's records stand.
    assert!(n.deliveries().deliveries().await.iter().all(|d| d.status == DeliveryStatus::Sent));
}

#[tokio::test]
async fn a_completion_write_that_fails_once_is_retried_in_process_and_a_redelivery_sends_nothing() {
    let n = notifier(MemoryMailer::default(), Pacing::default());
    let job = welcome("w-flaky");
    n.deliveries().fail_next_finishes(1).await;
    n.handle(&job, &ctx("m1", 1, None)).await.unwrap();
    assert!(n.deliveries().deliveries().await.iter().all(|d| d.status == DeliveryStatus::Sent));
    n.handle(&job, &ctx("m2", 1, None)).await.unwrap();
    assert_eq!(n.mailer().sent().await.len(), 1);
}

/// A mailer that counts the sends in flight at once, and moves a shared clock on per send.
#[derive(Default)]
struct WatchingMailer {
    in_flight: AtomicUsize,
    most_at_once: AtomicUsize,
    /// When each send started, on the shared clock.
    started: Mutex<Vec<(String, DateTime<Utc>)>>,
    clock_ms: Arc<AtomicI64>,
    /// Clock time each send takes.
    advance_ms: i64,
}

impl WatchingMailer {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.clock_ms.load(Ordering::SeqCst)).unwrap()
    }
}

impl Mailer for WatchingMailer {
    async fn send(&self, email: &Email) -> Result<String, MailError> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_at_once.fetch_max(now, Ordering::SeqCst);
        self.started.lock().await.push((email.to().to_owned(), self.now()));
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        self.clock_ms.fetch_add(self.advance_ms, Ordering::SeqCst);
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        Ok(format!("watched-{}", email.to()))
    }
}

#[tokio::test]
async fn a_long_recipient_list_never_has_more_sends_in_flight_than_the_per_job_limit() {
    let pacing = Pacing { concurrency: 3, max_send_rate: 0.0, ..Pacing::default() };
    let n = notifier(WatchingMailer::default(), pacing);
    n.handle(&alert_for(40), &ctx("m1", 1, None)).await.unwrap();
    let most = n.mailer().most_at_once.load(Ordering::SeqCst);
    assert!((1..=3).contains(&most), "{most} sends at once");
    assert_eq!(n.mailer().started.lock().await.len(), 40);
}

#[tokio::test]
async fn no_send_starts_once_the_deadline_is_within_the_margin_and_the_rest_come_back() {
    let margin = Duration::seconds(5);
    let clock_ms = Arc::new(AtomicI64::new(t0().timestamp_millis()));
    let mailer = WatchingMailer { clock_ms: clock_ms.clone(), advance_ms: 1000, ..WatchingMailer::default() };
    let pacing = Pacing { concurrency: 1, max_send_rate: 0.0, deadline_margin: margin };
    let clock = {
        let ms = clock_ms.clone();
        Clock::from_fn(move || DateTime::from_timestamp_millis(ms.load(Ordering::SeqCst)).unwrap())
    };
    let n = notifier(mailer, pacing).with_clock(clock);
    let job = alert_for(10);
    // Time for about three sends before the margin.
    let deadline = t0() + margin + Duration::milliseconds(3500);

    let err = n.handle(&job, &ctx("m1", 1, Some(deadline))).await.unwrap_err();
    assert_eq!(deskbell_errors::Classify::kind(&err), deskbell_errors::ErrorKind::Transient);
    let started = n.mailer().started.lock().await.clone();
    assert!(!started.is_empty() && started.len() < 10, "{} sends", started.len());
    for (to, at) in &started {
        assert!(deadline - *at >= margin, "send to {to} started at {at}, within the margin of {deadline}");
    }
    let done = n.deliveries().deliveries().await.iter().filter(|d| d.status == DeliveryStatus::Sent).count();
    let left = 20 - done;
    assert!(err.to_string().contains(&format!("deadline near: {left} deliveries left for the next receive")), "{err}");

    // The next receive, with time enough, does the rest and repeats nothing.
    let later = t0() + Duration::hours(1);
    clock_ms.store(later.timestamp_millis(), Ordering::SeqCst);
    n.handle(&job, &ctx("m1", 2, Some(later + Duration::minutes(5)))).await.unwrap();
    let mut to: Vec<String> = n.mailer().started.lock().await.iter().map(|(to, _)| to.clone()).collect();
    to.sort();
    to.dedup();
    assert_eq!((to.len(), n.mailer().started.lock().await.len()), (10, 10), "each admin once");
    assert_eq!(n.inbox().all().await.len(), 10);
}
