//! The health function: a scheduled event → one health run, and its AWS wiring.

use chrono::{Duration, Utc};
use deskbell_jobs::{JobQueue, QueueDepths, SqsJobQueue, SqsQueueDepths};
use deskbell_records::{DynamoRecords, IncidentLog, OutcomeCounts};
use lambda_runtime::LambdaEvent;

use crate::{AlertTopic, Doctor, HealthConfig, HealthReport, NoTopic, SnsAlertTopic};

/// One health function instance: built once per Lambda container, called per scheduled event.
pub struct HealthFunction<D, R, Q, T = NoTopic> {
    doctor: Doctor<D, R, Q, T>,
}

/// health as deployed: SQS, DynamoDB and the SNS alerts topic (when configured).
pub type AwsHealth = HealthFunction<SqsQueueDepths, DynamoRecords, SqsJobQueue, Option<SnsAlertTopic>>;

impl AwsHealth {
    /// Builds the AWS clients once from the shared configuration.
    pub fn from_aws(aws: &aws_config::SdkConfig, config: HealthConfig) -> Self {
        let sqs = aws_sdk_sqs::Client::new(aws);
        // The health check writes no delivery or failure records: the retention is unused.
        let records = DynamoRecords::new(aws_sdk_dynamodb::Client::new(aws), &config.jobs_table, Duration::days(1));
        let topic = config.alerts_topic_arn.map(|arn| SnsAlertTopic::new(aws_sdk_sns::Client::new(aws), arn));
        Self::new(
            Doctor::new(
                SqsQueueDepths::new(sqs.clone()),
                records,
                SqsJobQueue::new(sqs, &config.notifications_queue_url),
                config.watched,
                config.thresholds,
                config.admins,
            )
            .with_topic(topic),
        )
    }
}

impl<D: QueueDepths, R: OutcomeCounts + IncidentLog, Q: JobQueue, T: AlertTopic> HealthFunction<D, R, Q, T> {
    pub fn new(doctor: Doctor<D, R, Q, T>) -> Self {
        Self { doctor }
    }

    /// The Lambda handler; the scheduled event carries nothing the check needs.
    /// An error fails the invocation; the next scheduled run starts again from the stored
    /// incidents (a notice not yet published is published then).
    pub async fn handle(&self, _event: LambdaEvent<serde_json::Value>) -> Result<HealthReport, lambda_runtime::Error> {
        Ok(self.doctor.run(Utc::now()).await?)
    }

    pub fn doctor(&self) -> &Doctor<D, R, Q, T> {
        &self.doctor
    }
}
