//! The report function: the job core around the reporter, and its AWS wiring.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use deskbell_jobs::{BatchProcessor, JobQueue, SqsJobQueue, SqsVisibility, Visibility};
use deskbell_objects::{ObjectStore, S3Objects};
use deskbell_records::{DynamoRecords, FailureLog, OutcomeLog, ReportLog};
use deskbell_tickets::{DynamoTickets, TicketStore};
use lambda_runtime::LambdaEvent;

use crate::config::ReportConfig;
use crate::reporter::Reporter;

/// One report function instance: built once per Lambda container, called per batch.
pub struct ReportFunction<T, O, R, Q, V, F> {
    processor: BatchProcessor<V, F>,
    reporter: Reporter<T, O, R, Q>,
}

/// report as deployed: DynamoDB, S3 and SQS.
pub type AwsReport = ReportFunction<DynamoTickets, S3Objects, DynamoRecords, SqsJobQueue, SqsVisibility, DynamoRecords>;

impl AwsReport {
    /// Builds the AWS clients once from the shared configuration.
    pub fn from_aws(aws: &aws_config::SdkConfig, config: ReportConfig) -> Self {
        let dynamodb = aws_sdk_dynamodb::Client::new(aws);
        let sqs = aws_sdk_sqs::Client::new(aws);
        let records = DynamoRecords::new(dynamodb.clone(), &config.jobs_table, config.record_retention);
        let reporter = Reporter::new(
            DynamoTickets::new(dynamodb, &config.tickets_table),
            S3Objects::new(S3Objects::client(aws), &config.bucket),
            records.clone(),
            SqsJobQueue::new(sqs.clone(), &config.notifications_queue_url),
            config.settings,
        );
        let processor = BatchProcessor::new(SqsVisibility::new(sqs), records, config.retry, config.concurrency)
            .with_deadline_margin(config.deadline_margin);
        Self::new(processor, reporter)
    }
}

impl<T, O, R, Q, V, F> ReportFunction<T, O, R, Q, V, F>
where
    T: TicketStore,
    O: ObjectStore,
    R: ReportLog,
    Q: JobQueue,
    V: Visibility,
    F: FailureLog + OutcomeLog,
{
    pub fn new(processor: BatchProcessor<V, F>, reporter: Reporter<T, O, R, Q>) -> Self {
        Self { processor, reporter }
    }

    /// The Lambda handler: failures are per record, except when every record of the batch
    /// failed for a systemic reason: then the invocation fails, so the poller backs off.
    pub async fn handle(&self, event: LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, lambda_runtime::Error> {
        let deadline = deskbell_runtime::deadline_of(event.context.deadline, chrono::Utc::now());
        Ok(self.processor.process(event.payload, deadline, &self.reporter).await?)
    }

    pub fn reporter(&self) -> &Reporter<T, O, R, Q> {
        &self.reporter
    }

    pub fn processor(&self) -> &BatchProcessor<V, F> {
        &self.processor
    }
}
