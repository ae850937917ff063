//! health against the emulator: real queue depths (SQS), incidents and counters in the jobs
//! table (DynamoDB), alerts on the notifications queue; one alert per incident, not per run.

use chrono::{DateTime, Duration, Utc};
use deskbell_contract::{AlertCheck, AlertState, Payload, Role, decode, fixtures};
use deskbell_health::{Doctor, Thresholds, Watched};
use deskbell_integration::Stack;
use deskbell_jobs::{SqsJobQueue, SqsQueueDepths};
use deskbell_records::{DynamoRecords, Outcome, OutcomeLog};

fn doctor(stack: &Stack, alerts_to: &str) -> Doctor<SqsQueueDepths, DynamoRecords, SqsJobQueue> {
    Doctor::new(
        SqsQueueDepths::new(stack.sqs.clone()),
        DynamoRecords::new(stack.dynamodb.clone(), &stack.jobs_table, Duration::days(30)),
        SqsJobQueue::new(stack.sqs.clone(), alerts_to),
        Watched { queues: vec![stack.reports_queue_url.clone()], dlqs: vec![stack.dlq_url.clone()] },
        Thresholds::default(),
        vec![fixtures::user("admin", Role::Admin)],
    )
}

/// The alerts on the queue at `url` (received and deleted): (job id, state, check).
async fn alerts(stack: &Stack, url: &str) -> Vec<(String, AlertState, AlertCheck)> {
    let arn = format!("arn:aws:sqs:eu-west-1:123456789012:{}", url.rsplit('/').next().unwrap());
    let event = stack.receive_from(url, &arn, 10).await;
    let mut out = Vec::new();
    for r in &event.records {
        let job = decode(r.body.as_deref().unwrap()).unwrap();
        let Payload::SystemAlert(a) = job.payload else { panic!("not an alert: {}", job.id) };
        out.push((job.id, a.state, a.check));
        stack
            .sqs
            .delete_message()
            .queue_url(url)
            .receipt_handle(r.receipt_handle.clone().unwrap())
            .send()
            .await
            .unwrap();
    }
    out
}

fn at(mins: i64) -> DateTime<Utc> {
    "2026-11-24T10:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::minutes(mins)
}

#[tokio::test]
async fn a_dlq_that_stays_non_empty_raises_one_alert_and_one_recovery_notice_when_emptied() {
    let stack = Stack::new("health-dlq").await;
    // Alerts go to the notifications queue, which health does not watch here (its waiting
    // check would see them); the DLQ watched is that queue's.
    let health = doctor(&stack, &stack.queue_url);
    stack.send_to(&stack.dlq_url, &["{\"dead\": true}".to_owned()]).await;

    for run in 0..3 {
        let report = health.run(at(run * 5)).await.unwrap();
        let dlq = report.checks.iter().find(|v| v.check == AlertCheck::DlqNotEmpty).unwrap();
        assert!(dlq.failing, "run {run}: {dlq:?}");
        assert_eq!(dlq.observed, 1.0);
    }
    let raised = alerts(&stack, &stack.queue_url).await;
    assert_eq!(raised.len(), 1, "one alert across three runs: {raised:?}");
    let (id, state, _) = &raised[0];
    assert_eq!(*state, AlertState::Raised);
    assert!(id.starts_with("alert-dlq_not_empty:health-dlq-"), "{id}");

    // The message is dealt with (inspected and deleted), so the DLQ is empty.
    let event = stack.receive_from(&stack.dlq_url, "arn:aws:sqs:eu-west-1:123456789012:dlq", 1).await;
    for r in &event.records {
        stack
            .sqs
            .delete_message()
            .queue_url(&stack.dlq_url)
            .receipt_handle(r.receipt_handle.clone().unwrap())
            .send()
            .await
            .unwrap();
    }
    for run in 3..6 {
        let report = health.run(at(run * 5)).await.unwrap();
        assert!(report.checks.iter().all(|v| !v.failing), "run {run}: {:?}", report.checks);
    }
    let cleared = alerts(&stack, &stack.queue_url).await;
    assert_eq!(cleared.len(), 1, "one recovery notice: {cleared:?}");
    assert_eq!(cleared[0].1, AlertState::Cleared);
    assert_eq!(cleared[0].0, id.replace("-raised", "-cleared"));
}

#[tokio::test]
async fn a_failure_rate_over_one_percent_raises_an_alert_from_the_job_core_counters() {
    let stack = Stack::new("health-rate").await;
    let health = doctor(&stack, &stack.queue_url);
    let records = DynamoRecords::new(stack.dynamodb.clone(), &stack.jobs_table, Duration::days(30));
    let reports = stack.reports_queue_url.rsplit('/').next().unwrap().to_owned();
    let now = Utc::now();
    for i in 0..48 {
        records.count(&reports, Outcome::Done, now - Duration::minutes(i % 50)).await.unwrap();
    }
    records.count(&reports, Outcome::Failed, now).await.unwrap();
    records.count(&reports, Outcome::Failed, now).await.unwrap();

    let report = health.run(now).await.unwrap();
    let rate = report.checks.iter().find(|v| v.check == AlertCheck::FailureRate).unwrap();
    assert!(rate.failing, "{rate:?}");
    assert_eq!(rate.observed, 4.0, "2 of 50 jobs");
    let raised = alerts(&stack, &stack.queue_url).await;
    assert_eq!(raised.iter().map(|a| a.2).collect::<Vec<_>>(), vec![AlertCheck::FailureRate]);
}

#[tokio::test]
async fn a_queue_whose_messages_wait_over_an_hour_with_nothing_received_raises_an_alert() {
    let stack = Stack::new("health-wait").await;
    let health = doctor(&stack, &stack.queue_url);
    stack.send_to(&stack.reports_queue_url, &["{}".to_owned(), "{}".to_owned()]).await;

    let first = health.run(at(0)).await.unwrap();
    let wait = |r: &deskbell_health::HealthReport| {
        r.checks.iter().find(|v| v.check == AlertCheck::OldestWaiting).cloned().unwrap()
    };
    assert!(!wait(&first).failing);
    assert!(!wait(&health.run(at(30)).await.unwrap()).failing);
    let late = health.run(at(61)).await.unwrap();
    assert!(wait(&late).failing, "{:?}", wait(&late));
    assert_eq!(wait(&late).observed, 3660.0, "waiting since the first run");
    let raised = alerts(&stack, &stack.queue_url).await;
    assert_eq!(raised.iter().map(|a| a.2).collect::<Vec<_>>(), vec![AlertCheck::OldestWaiting]);
}

#[tokio::test]
async fn an_alert_is_paged_to_the_sns_topic_as_well_as_queued() {
    use aws_sdk_sqs::types::QueueAttributeName;
    use deskbell_health::SnsAlertTopic;
    let stack = Stack::new("health-sns").await;
    // The topic, delivered to a queue of this test's so the page can be read back (SNS -> SQS,
    // raw delivery off: the SNS envelope with Subject and Message).
    let sns = aws_sdk_sns::Client::new(&stack.aws);
    let topic = sns.create_topic().name(format!("{}-alerts", stack.name)).send().await.unwrap();
    let topic_arn = topic.topic_arn().unwrap().to_owned();
    let inbox = stack.sqs.create_queue().queue_name(format!("{}-pages", stack.name)).send().await.unwrap();
    let inbox_url = inbox.queue_url().unwrap().to_owned();
    let attrs = stack
        .sqs
        .get_queue_attributes()
        .queue_url(&inbox_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap();
    let inbox_arn = attrs.attributes().unwrap()[&QueueAttributeName::QueueArn].clone();
    sns.subscribe().topic_arn(&topic_arn).protocol("sqs").endpoint(&inbox_arn).send().await.unwrap();

    let health = doctor(&stack, &stack.queue_url).with_topic(SnsAlertTopic::new(sns, &topic_arn));
    stack.send_to(&stack.dlq_url, &["{\"dead\": true}".to_owned()]).await;
    health.run(at(0)).await.unwrap();
    health.run(at(5)).await.unwrap();

    let queued = alerts(&stack, &stack.queue_url).await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    let arn = format!("arn:aws:sqs:eu-west-1:123456789012:{}-pages", stack.name);
    let pages = stack.receive_from(&inbox_url, &arn, 10).await;
    assert_eq!(pages.records.len(), 1, "one page for one incident, across two runs");
    let envelope: serde_json::Value = serde_json::from_str(pages.records[0].body.as_deref().unwrap()).unwrap();
    let subject = envelope["Subject"].as_str().unwrap();
    assert!(subject.starts_with("deskbell raised: dlq_not_empty:health-sns-"), "{subject}");
    let message = envelope["Message"].as_str().unwrap();
    assert!(message.contains("1 messages in ") && message.contains("observed 1, threshold 0"), "{message}");
}
