//! The notify function: the job core around the notifier, and its AWS wiring.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use deskbell_inbox::DynamoInbox;
use deskbell_jobs::{BatchProcessor, SqsVisibility};
use deskbell_mailer::SesMailer;
use deskbell_objects::S3Objects;
use deskbell_push::{DynamoConnections, ManagementGateway, Pusher};
use deskbell_records::DynamoRecords;
use deskbell_tickets::DynamoTickets;
use lambda_runtime::LambdaEvent;

use crate::config::NotifyConfig;
use crate::notifier::Notifier;
use crate::ports::{AwsPorts, NotifyPorts, Ports};

/// One notify function instance: built once per Lambda container, called per batch.
pub struct NotifyFunction<P: NotifyPorts> {
    processor: BatchProcessor<P::Visibility, P::Failures>,
    notifier: Notifier<P>,
}

/// notify as deployed: SES, DynamoDB, S3, SQS and the WebSocket API.
pub type AwsNotify = NotifyFunction<AwsPorts>;

impl AwsNotify {
    /// Builds the AWS clients once from the shared configuration.
    pub fn from_aws(aws: &aws_config::SdkConfig, config: NotifyConfig) -> Self {
        let dynamodb = aws_sdk_dynamodb::Client::new(aws);
        let records = DynamoRecords::new(dynamodb.clone(), &config.jobs_table, config.record_retention);
        let ports = Ports::<AwsPorts> {
            mailer: SesMailer::new(aws_sdk_sesv2::Client::new(aws), config.configuration_set.clone()),
            deliveries: records.clone(),
            inbox: DynamoInbox::new(dynamodb.clone(), &config.notifications_table),
            tickets: DynamoTickets::new(dynamodb.clone(), &config.tickets_table),
            reports: config.reports_bucket.map(|bucket| S3Objects::new(S3Objects::client(aws), bucket)),
            push: config.push.map(|p| {
                Pusher::new(
                    DynamoConnections::new(dynamodb, p.connections_table),
                    ManagementGateway::new(aws, &p.endpoint),
                )
            }),
        };
        let notifier = Notifier::new(ports, config.settings);
        let visibility = SqsVisibility::new(aws_sdk_sqs::Client::new(aws));
        let processor = BatchProcessor::new(visibility, records, config.retry, config.concurrency)
            .with_deadline_margin(config.deadline_margin);
        Self::new(processor, notifier)
    }
}

impl<P: NotifyPorts> NotifyFunction<P> {
    pub fn new(processor: BatchProcessor<P::Visibility, P::Failures>, notifier: Notifier<P>) -> Self {
        Self { processor, notifier }
    }

    /// The Lambda handler: failures are per record, except when every record of the batch
    /// failed for a systemic reason: then the invocation fails, so the poller backs off.
    pub async fn handle(&self, event: LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, lambda_runtime::Error> {
        let deadline = deskbell_runtime::deadline_of(event.context.deadline, chrono::Utc::now());
        Ok(self.processor.process(event.payload, deadline, &self.notifier).await?)
    }

    pub fn notifier(&self) -> &Notifier<P> {
        &self.notifier
    }

    pub fn processor(&self) -> &BatchProcessor<P::Visibility, P::Failures> {
        &self.processor
    }
}
