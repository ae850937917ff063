//! The stats function: the scheduled event → the period → the statistician, and its AWS wiring.

use chrono::Utc;
use deskbell_jobs::{JobQueue, SqsJobQueue};
use deskbell_objects::{ObjectStore, S3Objects};
use deskbell_tickets::{DynamoTickets, StatsStore, TicketStore};
use lambda_runtime::LambdaEvent;

use crate::{Period, Statistician, StatsConfig, StatsOutcome};

/// One stats function instance: built once per Lambda container, called per scheduled event.
pub struct StatsFunction<T, O, Q> {
    statistician: Statistician<T, O, Q>,
}

/// stats as deployed: DynamoDB, S3 and SQS.
pub type AwsStats = StatsFunction<DynamoTickets, S3Objects, SqsJobQueue>;

impl AwsStats {
    /// Builds the AWS clients once from the shared configuration.
    pub fn from_aws(aws: &aws_config::SdkConfig, config: StatsConfig) -> Self {
        Self::new(Statistician::new(
            DynamoTickets::new(aws_sdk_dynamodb::Client::new(aws), &config.tickets_table),
            S3Objects::new(S3Objects::client(aws), &config.bucket),
            SqsJobQueue::new(aws_sdk_sqs::Client::new(aws), &config.notifications_queue_url),
            config.admins,
        ))
    }
}

impl<T: TicketStore + StatsStore, O: ObjectStore, Q: JobQueue> StatsFunction<T, O, Q> {
    pub fn new(statistician: Statistician<T, O, Q>) -> Self {
        Self { statistician }
    }

    /// The Lambda handler: an error fails the invocation, and Lambda's retry of an
    /// asynchronous invocation recomputes the same period (replacing, never adding).
    pub async fn handle(&self, event: LambdaEvent<serde_json::Value>) -> Result<StatsOutcome, lambda_runtime::Error> {
        let now = Utc::now();
        let period = Period::from_event(&event.payload, now)?;
        Ok(self.statistician.run(&period, now).await?)
    }

    pub fn statistician(&self) -> &Statistician<T, O, Q> {
        &self.statistician
    }
}
