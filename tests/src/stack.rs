//! One test's own resources: tables, a queue with its DLQ, a verified sender, an email domain.

use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use aws_sdk_dynamodb::types::{AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType};
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName, SendMessageBatchRequestEntry};
use deskbell_jobs::{Invocation, RetryPolicy, records_to_delete};
use deskbell_notify::NotifyConfig;
use deskbell_runtime::Env;

use crate::Emulator;

/// Resources named after one test, so tests run in parallel without sharing state.
pub struct Stack {
    pub emulator: &'static Emulator,
    pub aws: aws_config::SdkConfig,
    pub sqs: aws_sdk_sqs::Client,
    pub dynamodb: aws_sdk_dynamodb::Client,
    /// Unique prefix of every resource name.
    pub name: String,
    /// Recipients' addresses of this test are at this domain (see [`Stack::retarget`]).
    pub domain: String,
    pub sender: String,
    pub jobs_table: String,
    pub notifications_table: String,
    /// WebSocket connections per user (push).
    pub connections_table: String,
    pub tickets_table: String,
    pub queue_url: String,
    pub queue_arn: String,
    pub dlq_url: String,
    pub reports_queue_url: String,
    pub reports_queue_arn: String,
    /// The reports bucket.
    pub bucket: String,
    pub s3: aws_sdk_s3::Client,
    /// maxReceiveCount of the queues' redrive policies.
    pub max_receives: u32,
    /// The retry settings the functions get from [`Stack::notify_config`] and
    /// [`Stack::report_config_with`], when set by [`Stack::with_retry`].
    pub retry: Option<RetryPolicy>,
}

impl Stack {
    /// Creates the resources of `test` in the emulator, under a unique name; the queues
    /// dead-letter after 5 receives and the functions keep their default retry settings.
    pub async fn new(test: &str) -> Stack {
        let emulator = Emulator::get();
        Self::provision_with(emulator, Self::unique(test), None).await
    }

    /// Like [`Stack::new`], but retried as production is, on a compressed clock: the functions
    /// get `retry` (`DESKBELL_RETRY_BASE_SECS`, `_MAX_SECS`, `_WINDOW_SECS`) and the queues the
    /// `maxReceiveCount` derived from it ([`RetryPolicy::max_receive_count`]), as the template
    /// derives its own. E.g. `RetryPolicy { base_secs: 1, max_secs: 2, window_secs: 60 }`.
    pub async fn with_retry(test: &str, retry: RetryPolicy) -> Stack {
        Self::provision_with(Emulator::get(), Self::unique(test), Some(retry)).await
    }

    fn unique(test: &str) -> String {
        let suffix = ulid::Ulid::new().to_string().to_lowercase();
        format!("{}-{}", test.replace('_', "-"), &suffix[suffix.len() - 8..])
    }

    /// Creates (or finds) resources named `name` in `emulator`, with a verified sender at
    /// `domain`. Running it twice is harmless.
    pub async fn provision(emulator: &'static Emulator, name: String, domain: String) -> Stack {
        Self::provision_at(emulator, name, domain, None).await
    }

    async fn provision_with(emulator: &'static Emulator, name: String, retry: Option<RetryPolicy>) -> Stack {
        let domain = format!("{name}.example.com");
        Self::provision_at(emulator, name, domain, retry).await
    }

    async fn provision_at(
        emulator: &'static Emulator,
        name: String,
        domain: String,
        retry: Option<RetryPolicy>,
    ) -> Stack {
        let aws = deskbell_runtime::emulator_config(&emulator.endpoint).await;
        let sqs = aws_sdk_sqs::Client::new(&aws);
        let dynamodb = aws_sdk_dynamodb::Client::new(&aws);
        let max_receives = retry.map_or(5, |r| r.max_receive_count());

        let jobs_table = format!("{name}-jobs");
        let notifications_table = format!("{name}-notifications");
        create_table(&dynamodb, &jobs_table, &JOBS).await;
        create_table(&dynamodb, &notifications_table, &NOTIFICATIONS).await;
        let connections_table = format!("{name}-connections");
        create_table(&dynamodb, &connections_table, &CONNECTIONS).await;
        let tickets_table = format!("{name}-tickets");
        create_table(&dynamodb, &tickets_table, &TICKETS).await;

        let dlq_url = create_queue(&sqs, &format!("{name}-notifications-dlq"), None).await;
        let dlq_arn = queue_arn_of(&sqs, &dlq_url).await;
        let redrive = format!(r#"{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"{max_receives}"}}"#);
        let queue_url = create_queue(&sqs, &format!("{name}-notifications"), Some(redrive)).await;
        let queue_arn = queue_arn_of(&sqs, &queue_url).await;
        let reports_dlq_url = create_queue(&sqs, &format!("{name}-reports-dlq"), None).await;
        let reports_dlq_arn = queue_arn_of(&sqs, &reports_dlq_url).await;
        let reports_redrive =
            format!(r#"{{"deadLetterTargetArn":"{reports_dlq_arn}","maxReceiveCount":"{max_receives}"}}"#);
        let reports_queue_url = create_queue(&sqs, &format!("{name}-reports"), Some(reports_redrive)).await;
        let reports_queue_arn = queue_arn_of(&sqs, &reports_queue_url).await;
        let s3 = deskbell_objects::S3Objects::client(&aws);
        let bucket = format!("{name}-reports");
        let mut create = s3.create_bucket().bucket(&bucket);
        let region = aws.region().map(|r| r.to_string()).unwrap_or_default();
        if region != "us-east-1" {
            // Outside us-east-1, S3 (and moto) want the region named.
            create = create.create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(region.as_str()))
                    .build(),
            );
        }
        if let Err(e) = create.send().await {
            let exists = e.as_service_error().is_some_and(|e| e.is_bucket_already_owned_by_you());
            assert!(exists, "create bucket {bucket}: {e:?}");
        }

        let ses = aws_sdk_sesv2::Client::new(&aws);
        if let Err(e) = ses.create_email_identity().email_identity(&domain).send().await {
            let exists = e.as_service_error().is_some_and(|e| e.is_already_exists_exception());
            assert!(exists, "create SES identity {domain}: {e:?}");
        }

        Stack {
            emulator,
            sender: format!("Helpdesk <no-reply@{domain}>"),
            aws,
            sqs,
            dynamodb,
            name,
            domain,
            jobs_table,
            notifications_table,
            connections_table,
            tickets_table,
            queue_url,
            queue_arn,
            dlq_url,
            reports_queue_url,
            reports_queue_arn,
            bucket,
            s3,
            max_receives,
            retry,
        }
    }

    /// The retry variables of [`Stack::with_retry`], for a function's environment.
    fn retry_vars(&self) -> Vec<(String, String)> {
        self.retry.map_or_else(Vec::new, |r| {
            [
                ("DESKBELL_RETRY_BASE_SECS", r.base_secs),
                ("DESKBELL_RETRY_MAX_SECS", r.max_secs),
                ("DESKBELL_RETRY_WINDOW_SECS", r.window_secs),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_string()))
            .to_vec()
        })
    }

    /// notify's configuration for this stack.
    pub fn notify_config(&self) -> NotifyConfig {
        self.notify_config_with(&[])
    }

    /// notify's configuration for this stack, with some variables set otherwise.
    pub fn notify_config_with(&self, overrides: &[(&str, &str)]) -> NotifyConfig {
        let mut vars: Vec<(String, String)> = overrides.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        vars.extend(self.retry_vars());
        vars.extend(
            [
                ("DESKBELL_SENDER", self.sender.clone()),
                ("DESKBELL_APP_URL", "https://help.example.com".to_owned()),
                ("DESKBELL_JOBS_TABLE", self.jobs_table.clone()),
                ("DESKBELL_NOTIFICATIONS_TABLE", self.notifications_table.clone()),
                ("DESKBELL_TICKETS_TABLE", self.tickets_table.clone()),
            ]
            .map(|(k, v)| (k.to_owned(), v)),
        );
        NotifyConfig::from_env(&Env::from_fn(|n| vars.iter().find(|(k, _)| *k == n).map(|(_, v)| v.clone())))
            .expect("test configuration")
    }

    /// report's configuration for this stack: its tables and bucket, report.ready onto this
    /// stack's notifications queue, parts of the emulator's minimum size.
    pub fn report_config_with(&self, overrides: &[(&str, &str)]) -> deskbell_report::ReportConfig {
        let mut vars: Vec<(String, String)> = overrides.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        vars.extend(self.retry_vars());
        vars.extend(
            [
                ("DESKBELL_JOBS_TABLE", self.jobs_table.clone()),
                ("DESKBELL_TICKETS_TABLE", self.tickets_table.clone()),
                ("DESKBELL_REPORTS_BUCKET", self.bucket.clone()),
                ("DESKBELL_NOTIFICATIONS_QUEUE_URL", self.queue_url.clone()),
                ("DESKBELL_REPORT_PART_SIZE", crate::TEST_PART_SIZE.to_string()),
            ]
            .map(|(k, v)| (k.to_owned(), v)),
        );
        deskbell_report::ReportConfig::from_env(&Env::from_fn(|n| {
            vars.iter().find(|(k, _)| *k == n).map(|(_, v)| v.clone())
        }))
        .expect("test configuration")
    }

    /// cleanup's configuration for this stack: its tables and bucket, with some variables set
    /// otherwise.
    pub fn cleanup_config_with(&self, overrides: &[(&str, &str)]) -> deskbell_cleanup::CleanupConfig {
        let mut vars: Vec<(String, String)> = overrides.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        vars.extend(
            [
                ("DESKBELL_JOBS_TABLE", self.jobs_table.clone()),
                ("DESKBELL_NOTIFICATIONS_TABLE", self.notifications_table.clone()),
                ("DESKBELL_REPORTS_BUCKET", self.bucket.clone()),
            ]
            .map(|(k, v)| (k.to_owned(), v)),
        );
        deskbell_cleanup::CleanupConfig::from_env(&Env::from_fn(|n| {
            vars.iter().find(|(k, _)| *k == n).map(|(_, v)| v.clone())
        }))
        .expect("test configuration")
    }

    /// A body whose `@example.com` addresses are moved to this test's domain.
    pub fn retarget(&self, body: &str) -> String {
        body.replace("@example.com", &format!("@{}", self.domain))
    }

    /// Sends bodies (SendMessageBatch, ≤ 10 a call); answers the message ids in order.
    pub async fn send(&self, bodies: &[String]) -> Vec<String> {
        self.send_to(&self.queue_url, bodies).await
    }

    /// Sends bodies to the queue at `queue_url`; answers the message ids in order.
    pub async fn send_to(&self, queue_url: &str, bodies: &[String]) -> Vec<String> {
        let mut ids = Vec::new();
        for chunk in bodies.chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, body)| {
                    SendMessageBatchRequestEntry::builder().id(i.to_string()).message_body(body).build().unwrap()
                })
                .collect();
            let out =
                self.sqs.send_message_batch().queue_url(queue_url).set_entries(Some(entries)).send().await.unwrap();
            assert!(out.failed().is_empty(), "send failed: {:?}", out.failed());
            let mut ok: Vec<_> = out.successful().to_vec();
            ok.sort_by_key(|e| e.id().parse::<usize>().unwrap_or(0));
            ids.extend(ok.iter().map(|e| e.message_id().to_owned()));
        }
        ids
    }

    /// Receives up to `max` messages (waiting up to 5 s for them) as Lambda would hand them
    /// to the function: an `SqsEvent` with receipt handles, attributes and the queue's ARN.
    pub async fn receive(&self, max: usize) -> SqsEvent {
        self.receive_from(&self.queue_url, &self.queue_arn, max).await
    }

    /// [`Stack::receive`] from the queue at `queue_url` (ARN `queue_arn`).
    pub async fn receive_from(&self, queue_url: &str, queue_arn: &str, max: usize) -> SqsEvent {
        let mut records = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(5);
        while records.len() < max && Instant::now() < deadline {
            let out = self
                .sqs
                .receive_message()
                .queue_url(queue_url)
                .max_number_of_messages(i32::try_from((max - records.len()).min(10)).unwrap_or(10))
                .message_system_attribute_names(MessageSystemAttributeName::All)
                .wait_time_seconds(1)
                .send()
                .await
                .unwrap();
            records.extend(out.messages().iter().map(|m| deskbell_jobs::lambda_record(m, queue_arn, "eu-west-1")));
        }
        let mut event = SqsEvent::default();
        event.records = records;
        event
    }

    /// What Lambda does after an invocation: deletes every record not reported as failed.
    pub async fn complete(&self, event: &SqsEvent, response: &SqsBatchResponse) {
        self.complete_on(&self.queue_url, event, response).await
    }

    /// [`Stack::complete`] on the queue at `queue_url`.
    pub async fn complete_on(&self, queue_url: &str, event: &SqsEvent, response: &SqsBatchResponse) {
        self.settle_on(queue_url, event, Invocation::Answered(response)).await
    }

    /// What Lambda does after an invocation that answered or failed (`Invocation::of(&result)`
    /// of a handler's result): deskbell_jobs's one decision of what to delete, applied.
    pub async fn settle(&self, event: &SqsEvent, invocation: Invocation<'_>) {
        self.settle_on(&self.queue_url, event, invocation).await
    }

    /// [`Stack::settle`] on the queue at `queue_url`.
    pub async fn settle_on(&self, queue_url: &str, event: &SqsEvent, invocation: Invocation<'_>) {
        for r in records_to_delete(event, invocation, true) {
            self.sqs
                .delete_message()
                .queue_url(queue_url)
                .receipt_handle(r.receipt_handle.clone().unwrap_or_default())
                .send()
                .await
                .unwrap();
        }
    }

    /// Message ids now in the DLQ (received with visibility 0, so they stay there).
    pub async fn dlq_message_ids(&self) -> Vec<String> {
        let out = self
            .sqs
            .receive_message()
            .queue_url(&self.dlq_url)
            .max_number_of_messages(10)
            .visibility_timeout(0)
            .send()
            .await
            .unwrap();
        let mut ids: Vec<String> = out.messages().iter().filter_map(|m| m.message_id().map(str::to_owned)).collect();
        ids.sort();
        ids
    }

    /// Messages in the source queue, visible or not.
    pub async fn queue_depth(&self) -> (u64, u64) {
        let out = self
            .sqs
            .get_queue_attributes()
            .queue_url(&self.queue_url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .unwrap();
        let attrs = out.attributes().cloned().unwrap_or_default();
        let get = |k: QueueAttributeName| attrs.get(&k).and_then(|v| v.parse().ok()).unwrap_or(0);
        (
            get(QueueAttributeName::ApproximateNumberOfMessages),
            get(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
        )
    }
}

/// A table as the template declares it: string keys, and global secondary indexes
/// `(name, hash, range)` projecting everything.
struct TableSpec {
    hash: &'static str,
    range: Option<&'static str>,
    indexes: &'static [(&'static str, &'static str, Option<&'static str>)],
}

/// The jobs table: `pk` + `sk` (see deskbell_records).
const JOBS: TableSpec = TableSpec { hash: "pk", range: Some("sk"), indexes: &[] };
/// The notifications table: key `user_id` + `id`, sparse index `unread` on `user_id` +
/// `unread_id` (see deskbell_inbox).
const NOTIFICATIONS: TableSpec = TableSpec {
    hash: "user_id",
    range: Some("id"),
    indexes: &[(deskbell_inbox::UNREAD_INDEX, "user_id", Some(deskbell_inbox::UNREAD_ATTRIBUTE))],
};
/// The connections table: key `connection_id`, index `by_user` on `user_id` + `connection_id`.
const CONNECTIONS: TableSpec = TableSpec {
    hash: "connection_id",
    range: None,
    indexes: &[(deskbell_push::BY_USER, "user_id", Some("connection_id"))],
};
/// The ticket store: key `id`, indexes `by_created`, `by_company`, `by_activity` and
/// `by_backlog` (see deskbell_tickets).
const TICKETS: TableSpec = TableSpec {
    hash: "id",
    range: None,
    indexes: &[
        (deskbell_tickets::BY_CREATED, "created_month", Some("created_key")),
        (deskbell_tickets::BY_COMPANY, "company_id", Some("created_key")),
        (deskbell_tickets::BY_ACTIVITY, "activity_day", Some("activity_key")),
        (deskbell_tickets::BY_BACKLOG, "backlog", Some("created_key")),
    ],
};

/// Creates table `name` as `spec` says, on demand; an existing one is left as it is.
async fn create_table(client: &aws_sdk_dynamodb::Client, name: &str, spec: &TableSpec) {
    use aws_sdk_dynamodb::types::{GlobalSecondaryIndex, Projection, ProjectionType};
    let key = |n: &str, t: KeyType| KeySchemaElement::builder().attribute_name(n).key_type(t).build().unwrap();
    let keys = |hash: &str, range: Option<&str>| {
        std::iter::once(key(hash, KeyType::Hash)).chain(range.map(|r| key(r, KeyType::Range))).collect::<Vec<_>>()
    };
    let mut attributes: Vec<&str> = std::iter::once(spec.hash).chain(spec.range).collect();
    for (_, hash, range) in spec.indexes {
        attributes.extend(std::iter::once(*hash).chain(*range));
    }
    attributes.sort();
    attributes.dedup();
    let definitions = attributes
        .iter()
        .map(|n| {
            AttributeDefinition::builder().attribute_name(*n).attribute_type(ScalarAttributeType::S).build().unwrap()
        })
        .collect();
    let indexes: Vec<GlobalSecondaryIndex> = spec
        .indexes
        .iter()
        .map(|(index, hash, range)| {
            GlobalSecondaryIndex::builder()
                .index_name(*index)
                .set_key_schema(Some(keys(hash, *range)))
                .projection(Projection::builder().projection_type(ProjectionType::All).build())
                .build()
                .unwrap()
        })
        .collect();
    let result = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_attribute_definitions(Some(definitions))
        .set_key_schema(Some(keys(spec.hash, spec.range)))
        .set_global_secondary_indexes((!indexes.is_empty()).then_some(indexes))
        .send()
        .await;
    if let Err(e) = result {
        let exists = e.as_service_error().is_some_and(|e| e.is_resource_in_use_exception());
        assert!(exists, "create table {name}: {e:?}");
    }
}

async fn create_queue(client: &aws_sdk_sqs::Client, name: &str, redrive: Option<String>) -> String {
    let mut create = client.create_queue().queue_name(name).attributes(QueueAttributeName::VisibilityTimeout, "30");
    if let Some(policy) = redrive {
        create = create.attributes(QueueAttributeName::RedrivePolicy, policy);
    }
    create
        .send()
        .await
        .unwrap_or_else(|e| panic!("create queue {name}: {e:?}"))
        .queue_url()
        .unwrap_or_default()
        .to_owned()
}

async fn queue_arn_of(client: &aws_sdk_sqs::Client, url: &str) -> String {
    let out = client
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap();
    out.attributes().and_then(|a| a.get(&QueueAttributeName::QueueArn)).cloned().unwrap_or_default()
}
