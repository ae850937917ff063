//! The notify function: the job core around the notifier, and its AWS wiring.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use deskbell_inbox::{DynamoInbox, NotificationStore};
use deskbell_jobs::{BatchProcessor, SqsVisibility, Visibility};
use deskbell_mailer::{Mailer, SesMailer};
use deskbell_objects::{ObjectStore, S3Objects};
use deskbell_records::{DeliveryLog, DynamoRecords, FailureLog, OutcomeLog};
use deskbell_tickets::{DynamoTickets, TicketStore};
use lambda_runtime::LambdaEvent;

use crate::config::NotifyConfig;
use crate::notifier::Notifier;

/// One notify function instance: built once per Lambda container, called per batch.
pub struct NotifyFunction<M, D, N, T, O, V, F> {
    processor: BatchProcessor<V, F>,
    notifier: Notifier<M, D, N, T, O>,
}

/// notify as deployed: SES, DynamoDB, S3 and SQS.
pub type AwsNotify =
    NotifyFunction<SesMailer, DynamoRecords, DynamoInbox, DynamoTickets, S3Objects, SqsVisibility, DynamoRecords>;

impl AwsNotify {
    /// Builds the AWS clients once from the shared configuration.
    pub fn from_aws(aws: &aws_config::SdkConfig, config: NotifyConfig) -> Self {
        let dynamodb = aws_sdk_dynamodb::Client::new(aws);
        let records = DynamoRecords::new(dynamodb.clone(), &config.jobs_table, config.record_retention);
        let notifier = Notifier::new(
            SesMailer::new(aws_sdk_sesv2::Client::new(aws), config.configuration_set.clone()),
            records.clone(),
            DynamoInbox::new(dynamodb.clone(), &config.notifications_table),
            DynamoTickets::new(dynamodb, &config.tickets_table),
            config.reports_bucket.map(|bucket| S3Objects::new(S3Objects::client(aws), bucket)),
            config.settings,
        );
        let visibility = SqsVisibility::new(aws_sdk_sqs::Client::new(aws));
        Self::new(BatchProcessor::new(visibility, records, config.retry, config.concurrency), notifier)
    }
}

impl<M, D, N, T, O, V, F> NotifyFunction<M, D, N, T, O, V, F>
where
    M: Mailer,
    D: DeliveryLog,
    N: NotificationStore,
    T: TicketStore,
    O: ObjectStore,
    V: Visibility,
    F: FailureLog + OutcomeLog,
{
    pub fn new(processor: BatchProcessor<V, F>, notifier: Notifier<M, D, N, T, O>) -> Self {
        Self { processor, notifier }
    }

    /// The Lambda handler: never fails the invocation; failures are per record.
    pub async fn handle(&self, event: LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, lambda_runtime::Error> {
        Ok(self.processor.process(event.payload, &self.notifier).await)
    }

    pub fn notifier(&self) -> &Notifier<M, D, N, T, O> {
        &self.notifier
    }

    pub fn processor(&self) -> &BatchProcessor<V, F> {
        &self.processor
    }
}
