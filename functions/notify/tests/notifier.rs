//! notify's handler with in-memory mailer, records, inbox and report files: who gets what,
//! exactly once.

use aws_lambda_events::event::sqs::SqsMessage;
use chrono::Duration;
use deskbell_contract::fixtures::{self, user};
use deskbell_contract::{Job, JobType, Payload, Role};
use deskbell_errors::ErrorKind;
use deskbell_jobs::fixtures::{event, record};
use deskbell_jobs::{BatchProcessor, MemoryVisibility, RetryPolicy};
use deskbell_mailer::MemoryMailer;
use deskbell_notify::{MemoryPorts, Notifier, NotifyFunction, Pacing, Ports, Settings, Site};
use deskbell_records::{DeliveryStatus, FinishRetry, LockExpiry, MemoryRecords};
use lambda_runtime::{Context, LambdaEvent};

type Memory = NotifyFunction<MemoryPorts>;

fn settings() -> Settings {
    Settings {
        site: Site { app_url: "https://help.example.com".into(), product: "Helpdesk".into() },
        sender: "Helpdesk <no-reply@example.com>".into(),
        notification_ttl: Duration::days(180),
        lock: LockExpiry::default(),
        finish_retry: FinishRetry { retries: 3, base: std::time::Duration::from_millis(1) },
        pacing: Pacing::default(),
        report_link_ttl: std::time::Duration::from_secs(3600),
    }
}

/// notify with a reports bucket (`memory`, as `MemoryObjects` names it).
fn function(mailer: MemoryMailer) -> Memory {
    function_with(Ports::memory(mailer))
}

fn function_with(ports: Ports<MemoryPorts>) -> Memory {
    NotifyFunction::new(
        BatchProcessor::new(MemoryVisibility::default(), MemoryRecords::default(), RetryPolicy::default(), 10),
        Notifier::new(ports, settings()),
    )
}

/// A `report.ready` job for report r-1 (`reports/r-1.csv`) in `bucket`.
fn report_ready(id: &str, bucket: &str) -> Job {
    let mut j = job(JobType::ReportReady, id);
    let Payload::ReportReady(p) = &mut j.payload else { unreachable!() };
    p.bucket = bucket.into();
    j
}

fn job(t: JobType, id: &str) -> Job {
    let mut job = fixtures::one_of_each().into_iter().find(|j| j.job_type() == t).unwrap();
    job.id = id.into();
    job
}

async fn run(f: &Memory, records: Vec<SqsMessage>) -> Vec<String> {
    let response = f.handle(LambdaEvent::new(event(records), Context::default())).await.unwrap();
    response.batch_item_failures.into_iter().map(|f| f.item_identifier).collect()
}

#[tokio::test]
async fn duplicate_delivery_sends_one_email_and_stores_one_notification() {
    let f = function(MemoryMailer::default());
    let body = job(JobType::TicketAssigned, "dup-1").to_body();
    assert!(run(&f, vec![record("m1", body.clone(), 1)]).await.is_empty());
    assert!(run(&f, vec![record("m2", body, 1)]).await.is_empty());

    // Recipients of the fixture: new assignee (agent) and previous assignee (agent2).
    let sent = f.notifier().mailer().sent().await;
    let to: Vec<&str> = sent.iter().map(|e| e.to()).collect();
    assert_eq!(to, vec!["agent@example.com", "agent2@example.com"]);
    assert_eq!(f.notifier().inbox().all().await.len(), 2);
    let log = f.notifier().deliveries().deliveries().await;
    assert_eq!(log.len(), 4, "email + in-app for two recipients");
    assert!(log.iter().all(|d| d.status == DeliveryStatus::Sent));
}

#[tokio::test]
async fn rejected_recipient_fails_the_record_without_resending_to_the_others() {
    let f = function(MemoryMailer::rejecting(&["agent2@example.com"]));
    let body = job(JobType::TicketAssigned, "rej-1").to_body();
    let failed = run(&f, vec![record("m1", body.clone(), 1)]).await;
    assert_eq!(failed, vec!["m1"]);
    let reason = deskbell_records::FailureLog::get(f.processor().failures(), "m1").await.unwrap().unwrap();
    assert_eq!(reason.kind, ErrorKind::Permanent);
    assert!(reason.error.contains("agent2@example.com rejected"), "{}", reason.error);

    // The redelivery (receive 2) neither re-sends to agent nor retries the refused address.
    let failed = run(&f, vec![record("m1", body, 2)]).await;
    assert_eq!(failed, vec!["m1"]);
    let sent = f.notifier().mailer().sent().await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to(), "agent@example.com");
    let again = deskbell_records::FailureLog::get(f.processor().failures(), "m1").await.unwrap().unwrap();
    assert!(again.error.contains("rejected on an earlier receive"), "{}", again.error);
}

#[tokio::test]
async fn report_requested_on_the_notifications_queue_is_refused_with_its_reason() {
    let f = function(MemoryMailer::default());
    let failed = run(&f, vec![record("m1", job(JobType::ReportRequested, "r").to_body(), 1)]).await;
    assert_eq!(failed, vec!["m1"]);
    let reason = deskbell_records::FailureLog::get(f.processor().failures(), "m1").await.unwrap().unwrap();
    assert_eq!(
        reason.error,
        "report.requested does not belong on the notifications queue: the report function handles it"
    );
    assert!(f.notifier().mailer().sent().await.is_empty());
}

#[tokio::test]
async fn hostile_subject_and_name_are_escaped_and_kept_on_one_line() {
    let f = function(MemoryMailer::default());
    let mut j = job(JobType::CommentCreated, "xss-1");
    let Payload::CommentCreated(p) = &mut j.payload else { unreachable!() };
    p.ticket.subject = "<script>alert(1)</script>".into();
    p.actor.name = "Mallory\r\nBcc: evil@example.org".into();
    p.comment.body = "<img src=x onerror=alert(1)>".into();
    assert!(run(&f, vec![record("m1", j.to_body(), 1)]).await.is_empty());

    let sent = f.notifier().mailer().sent().await;
    assert_eq!(sent.len(), 1);
    let email = &sent[0];
    assert!(!email.subject().contains(['\r', '\n']), "{:?}", email.subject());
    assert_eq!(email.subject(), "[#1042] New reply: <script>alert(1)</script>");
    assert!(!email.html().contains("<script>alert(1)</script>"));
    assert!(email.html().contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!email.html().contains("<img src=x"));
    let inbox = f.notifier().inbox().all().await;
    assert!(!inbox[0].title.contains('\n'), "{:?}", inbox[0].title);
}

#[tokio::test]
async fn internal_note_never_reaches_the_requester() {
    let f = function(MemoryMailer::default());
    let mut j = job(JobType::CommentCreated, "note-1");
    let Payload::CommentCreated(p) = &mut j.payload else { unreachable!() };
    p.comment.internal = true;
    p.actor = user("boss", Role::Admin);
    assert!(run(&f, vec![record("m1", j.to_body(), 1)]).await.is_empty());
    let to: Vec<String> = f.notifier().mailer().sent().await.iter().map(|e| e.to().to_owned()).collect();
    assert_eq!(to, vec!["agent@example.com"]);
}

#[tokio::test]
async fn french_recipient_gets_french_email() {
    let f = function(MemoryMailer::default());
    let mut j = job(JobType::UserPasswordReset, "fr-1");
    let Payload::UserPasswordReset(p) = &mut j.payload else { unreachable!() };
    p.user.locale = "fr".into();
    assert!(run(&f, vec![record("m1", j.to_body(), 1)]).await.is_empty());
    let sent = f.notifier().mailer().sent().await;
    assert_eq!(sent[0].subject(), "Réinitialisez votre mot de passe");
    assert!(sent[0].html().contains("lang=\"fr\""));
    assert!(sent[0].text().contains("https://help.example.com/reset?token=abc"));
    assert!(f.notifier().inbox().all().await.is_empty(), "password resets are email only");
}

#[tokio::test]
async fn ticket_jobs_keep_the_newest_snapshot_whatever_the_order() {
    let f = function(MemoryMailer::default());
    let mut newer = job(JobType::TicketUpdated, "v3");
    let mut older = job(JobType::TicketAssigned, "v2");
    let (Payload::TicketUpdated(n), Payload::TicketAssigned(o)) = (&mut newer.payload, &mut older.payload) else {
        unreachable!()
    };
    n.ticket.version = 3;
    n.ticket.subject = "newest".into();
    o.ticket.version = 2;
    o.ticket.subject = "older".into();
    assert!(run(&f, vec![record("m1", newer.to_body(), 1)]).await.is_empty());
    assert!(run(&f, vec![record("m2", older.to_body(), 1)]).await.is_empty());
    let stored = f.notifier().tickets().get("t-1042").await.unwrap();
    assert_eq!((stored.version, stored.subject.as_str()), (3, "newest"));
}

#[tokio::test]
async fn report_email_downloads_through_a_presigned_link_and_the_notification_opens_the_report_page() {
    let f = function(MemoryMailer::default());
    assert!(run(&f, vec![record("m1", report_ready("rep-1", "memory").to_body(), 1)]).await.is_empty());

    let sent = f.notifier().mailer().sent().await;
    assert_eq!(sent.len(), 1);
    let link = "https://memory.invalid/reports/r-1.csv?expires_in=3600";
    assert!(sent[0].html().contains(&format!("href=\"{link}\"")), "{}", sent[0].html());
    assert!(sent[0].text().contains(&format!("Download the report: {link}\n")), "{}", sent[0].text());
    assert!(sent[0].text().contains("The link works for 1 hour."), "{}", sent[0].text());
    assert!(sent[0].text().contains("on the reports page: https://help.example.com/reports/r-1"));
    let inbox = f.notifier().inbox().all().await;
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].link, "https://help.example.com/reports/r-1");
}

#[tokio::test]
async fn report_in_another_bucket_is_refused_permanently_with_both_buckets_named_and_nothing_sent() {
    let f = function(MemoryMailer::default());
    let failed = run(&f, vec![record("m1", report_ready("rep-2", "someone-elses-bucket").to_body(), 1)]).await;
    assert_eq!(failed, vec!["m1"]);
    let reason = deskbell_records::FailureLog::get(f.processor().failures(), "m1").await.unwrap().unwrap();
    assert_eq!(reason.kind, ErrorKind::Permanent);
    assert_eq!(reason.error, "report r-1 is in bucket someone-elses-bucket, not in notify's reports bucket memory");
    assert!(f.notifier().mailer().sent().await.is_empty());
    assert!(f.notifier().inbox().all().await.is_empty());
    assert!(f.notifier().deliveries().deliveries().await.is_empty());
}

#[tokio::test]
async fn without_a_reports_bucket_the_report_email_links_to_the_report_page() {
    let f = function_with(Ports { reports: None, ..Ports::memory(MemoryMailer::default()) });
    assert!(run(&f, vec![record("m1", report_ready("rep-3", "any-bucket").to_body(), 1)]).await.is_empty());
    let sent = f.notifier().mailer().sent().await;
    assert!(sent[0].html().contains("href=\"https://help.example.com/reports/r-1\""), "{}", sent[0].html());
    assert!(!sent[0].text().contains("The link works for"), "{}", sent[0].text());
    assert_eq!(f.notifier().inbox().all().await[0].link, "https://help.example.com/reports/r-1");
}

#[tokio::test]
async fn a_new_in_app_notification_is_pushed_with_the_unread_count_and_a_redelivery_pushes_nothing() {
    use deskbell_push::{Connections, MemoryConnections, MemoryGateway, PushMessage, Pusher};
    let push = Some(Pusher::new(MemoryConnections::default(), MemoryGateway::default()));
    let f = function_with(Ports { reports: None, push, ..Ports::memory(MemoryMailer::default()) });
    let assignee = job(JobType::TicketAssigned, "push-1");
    let Payload::TicketAssigned(p) = &assignee.payload else { unreachable!() };
    let user = p.ticket.assignee.as_ref().unwrap().id.clone();
    let far = chrono::Utc::now() + Duration::hours(2);
    let pusher = f.notifier().push().as_ref().expect("push configured");
    pusher.connections().add(&user, "conn-1", far).await.unwrap();

    let body = assignee.to_body();
    for (id, body) in [("m1", body.clone()), ("m2", body)] {
        let response = f.handle(LambdaEvent::new(event(vec![record(id, body, 1)]), Context::default())).await.unwrap();
        assert!(response.batch_item_failures.is_empty());
    }

    let posted = pusher.gateway().posted().await;
    assert_eq!(posted.len(), 1, "one push for the new notification, none for the redelivery");
    let message: PushMessage = serde_json::from_slice(&posted[0].1).unwrap();
    assert_eq!(posted[0].0, "conn-1");
    assert_eq!(message.notification.user_id, user);
    assert_eq!(message.unread_count, 1);
}

#[tokio::test]
async fn a_close_is_kept_once_as_activity_for_statistics_however_often_it_is_delivered() {
    let f = function(MemoryMailer::default());
    let close = job(JobType::TicketStatusChanged, "close-1").to_body();
    let assigned = job(JobType::TicketAssigned, "assign-1").to_body();
    let batch = vec![record("m1", close.clone(), 1), record("m2", close, 2), record("m3", assigned, 1)];
    assert!(run(&f, batch).await.is_empty());
    let activities = f.notifier().tickets().activities().await;
    assert_eq!(activities.len(), 1, "{activities:?}");
    assert_eq!(
        (activities[0].job_id.as_str(), activities[0].kind),
        ("close-1", deskbell_tickets::ActivityKind::Closed)
    );
}

#[tokio::test]
async fn a_system_alert_reaches_each_listed_admin_by_email_and_in_app_with_escaped_details() {
    let mailer = MemoryMailer::default();
    let f = function(mailer);
    let mut alert = job(JobType::SystemAlert, "alert-1");
    let Payload::SystemAlert(p) = &mut alert.payload else { unreachable!() };
    p.details = "<script>alert(1)</script> 3 messages".into();
    let mut fr = user("admin-fr", Role::Admin);
    fr.locale = "fr".into();
    p.recipients.push(fr);
    assert!(run(&f, vec![record("m1", alert.to_body(), 1)]).await.is_empty());
    let sent = f.notifier().mailer().sent().await;
    assert_eq!(sent.len(), 2);
    let subjects: Vec<&str> = sent.iter().map(|e| e.subject()).collect();
    assert!(subjects.contains(&"[Alert] messages in deskbell-notifications-dlq"), "{subjects:?}");
    assert!(subjects.contains(&"[Alerte] messages dans deskbell-notifications-dlq"), "{subjects:?}");
    for email in &sent {
        assert!(!email.html().contains("<script>"), "unescaped details");
        assert!(email.html().contains("&lt;script&gt;"));
        assert!(email.text().contains("<script>alert(1)</script> 3 messages"));
    }
    assert_eq!(f.notifier().inbox().all().await.len(), 2);
}
