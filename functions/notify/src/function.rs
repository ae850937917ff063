//! The notify function: the job core around the notifier, and its AWS wiring.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use deskbell_inbox::{DynamoInbox, NotificationStore};
use deskbell_jobs::{BatchProcessor, SqsVisibility, Visibility};
use deskbell_mailer::{Mailer, SesMailer};
use deskbell_objects::{ObjectStore, S3Objects};
use deskbell_push::{DynamoConnections, ManagementGateway, NoPush, Push, Pusher};
use deskbell_records::{DeliveryLog, DynamoRecords, FailureLog, OutcomeLog};
use deskbell_tickets::{DynamoTickets, TicketStore};
use lambda_runtime::LambdaEvent;

use crate::config::NotifyConfig;
use crate::notifier::Notifier;

/// One notify function instance: built once per Lambda container, called per batch.
pub struct NotifyFunction<M, D, N, T, O, V, F, P = NoPush> {
    processor: BatchProcessor<V, F>,
    notifier: Notifier<M, D, N, T, O, P>,
}

/// Push as deployed: connections in DynamoDB, posts through the API Gateway Management API
/// (none when `DESKBELL_CONNECTIONS_TABLE` and `DESKBELL_PUSH_ENDPOINT` are not set).
pub type AwsPush = Option<Pusher<DynamoConnections, ManagementGateway>>;

/// notify as deployed: SES, DynamoDB, S3, SQS and the WebSocket API.
pub type AwsNotify = NotifyFunction<
    SesMailer,
    DynamoRecords,
    DynamoInbox,
    DynamoTickets,
    S3Objects,
    SqsVisibility,
    DynamoRecords,
    AwsPush,
>;

impl AwsNotify {
    /// Builds the AWS clients once from the shared configuration.
    pub fn from_aws(aws: &aws_config::SdkConfig, config: NotifyConfig) -> Self {
        let dynamodb = aws_sdk_dynamodb::Client::new(aws);
        let records = DynamoRecords::new(dynamodb.clone(), &config.jobs_table, config.record_retention);
        let notifier = Notifier::new(
            SesMailer::new(aws_sdk_sesv2::Client::new(aws), config.configuration_set.clone()),
            records.clone(),
            DynamoInbox::new(dynamodb.clone(), &config.notifications_table),
            DynamoTickets::new(dynamodb.clone(), &config.tickets_table),
            config.reports_bucket.map(|bucket| S3Objects::new(S3Objects::client(aws), bucket)),
            config.settings,
        )
        .with_push(config.push.map(|p| {
            Pusher::new(DynamoConnections::new(dynamodb, p.connections_table), ManagementGateway::new(aws, &p.endpoint))
        }));
        let visibility = SqsVisibility::new(aws_sdk_sqs::Client::new(aws));
        let processor = BatchProcessor::new(visibility, records, config.retry, config.concurrency)
            .with_deadline_margin(config.deadline_margin);
        Self::new(processor, notifier)
    }
}

impl<M, D, N, T, O, V, F, P> NotifyFunction<M, D, N, T, O, V, F, P>
where
    M: Mailer,
    D: DeliveryLog,
    N: NotificationStore,
    T: TicketStore,
    O: ObjectStore,
    V: Visibility,
    F: FailureLog + OutcomeLog,
    P: Push,
{
    pub fn new(processor: BatchProcessor<V, F>, notifier: Notifier<M, D, N, T, O, P>) -> Self {
        Self { processor, notifier }
    }

    /// The Lambda handler: failures are per record, except when every record of the batch
    /// failed for a systemic reason: then the invocation fails, so the poller backs off.
    pub async fn handle(&self, event: LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, lambda_runtime::Error> {
        let deadline = deskbell_runtime::deadline_of(event.context.deadline, chrono::Utc::now());
        Ok(self.processor.process(event.payload, deadline, &self.notifier).await?)
    }

    pub fn notifier(&self) -> &Notifier<M, D, N, T, O, P> {
        &self.notifier
    }

    pub fn processor(&self) -> &BatchProcessor<V, F> {
        &self.processor
    }
}
