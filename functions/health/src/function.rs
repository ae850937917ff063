//! The health function: a scheduled event → one health run, and its AWS wiring.

use chrono::{Duration, Utc};
use deskbell_jobs::{JobQueue, QueueDepths, SqsJobQueue, SqsQueueDepths};
use deskbell_records::{DynamoRecords, IncidentLog, OutcomeCounts};
use lambda_runtime::LambdaEvent;

use crate::{Doctor, HealthConfig, HealthReport};

/// One health function instance: built once per Lambda container, called per scheduled event.
pub struct HealthFunction<D, R, Q> {
    doctor: Doctor<D, R, Q>,
}

/// health as deployed: SQS and DynamoDB.
pub type AwsHealth = HealthFunction<SqsQueueDepths, DynamoRecords, SqsJobQueue>;

impl AwsHealth {
    /// Builds the AWS clients once from the shared configuration.
    pub fn from_aws(aws: &aws_config::SdkConfig, config: HealthConfig) -> Self {
        let sqs = aws_sdk_sqs::Client::new(aws);
        // The health check writes no delivery or failure records: the retention is unused.
        let records = DynamoRecords::new(aws_sdk_dynamodb::Client::new(aws), &config.jobs_table, Duration::days(1));
        Self::new(Doctor::new(
            SqsQueueDepths::new(sqs.clone()),
            records,
            SqsJobQueue::new(sqs, &config.notifications_queue_url),
            config.watched,
            config.thresholds,
            config.admins,
        ))
    }
}

impl<D: QueueDepths, R: OutcomeCounts + IncidentLog, Q: JobQueue> HealthFunction<D, R, Q> {
    pub fn new(doctor: Doctor<D, R, Q>) -> Self {
        Self { doctor }
    }

    /// The Lambda handler; the scheduled event carries nothing the check needs.
    /// An error fails the invocation; the next scheduled run starts again from the stored
    /// incidents (a notice not yet published is published then).
    pub async fn handle(&self, _event: LambdaEvent<serde_json::Value>) -> Result<HealthReport, lambda_runtime::Error> {
        Ok(self.doctor.run(Utc::now()).await?)
    }

    pub fn doctor(&self) -> &Doctor<D, R, Q> {
        &self.doctor
    }
}
