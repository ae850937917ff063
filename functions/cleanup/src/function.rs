//! The cleanup function: the handler around [`sweep`], and its AWS wiring.

use std::time::SystemTime;

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Utc};
use deskbell_objects::S3Objects;
use deskbell_retention::{AwsRetention, RetentionStore};
use lambda_runtime::LambdaEvent;
use serde_json::Value;

use crate::{Budget, CleanupConfig, CleanupError, Report, decode, sweep};

/// One cleanup function instance: built once per Lambda container, called per schedule tick.
pub struct Cleanup<S> {
    store: S,
    config: CleanupConfig,
    clock: fn() -> DateTime<Utc>,
}

/// cleanup as deployed: DynamoDB and S3.
pub type AwsCleanup = Cleanup<AwsRetention>;

impl AwsCleanup {
    /// Builds the AWS clients once from the shared configuration.
    pub fn from_aws(aws: &aws_config::SdkConfig, config: CleanupConfig) -> Self {
        let store = AwsRetention::new(
            aws_sdk_dynamodb::Client::new(aws),
            S3Objects::client(aws),
            &config.notifications_table,
            &config.jobs_table,
            &config.bucket,
            config.concurrency,
        );
        Self::new(store, config)
    }
}

impl<S: RetentionStore> Cleanup<S> {
    pub fn new(store: S, config: CleanupConfig) -> Self {
        Self { store, config, clock: Utc::now }
    }

    /// The same function reading another clock (the real one by default). A `detail.now`
    /// ahead of this clock is refused; tests of what S3 dates itself move it forward.
    pub fn with_clock(self, clock: fn() -> DateTime<Utc>) -> Self {
        Self { clock, ..self }
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// The Lambda handler: decode the event, sweep within the invocation's deadline (less the
    /// configured margin), answer the report. A bad event or a store failure fails the
    /// invocation (EventBridge's asynchronous invoke retries it; the saved progress stands).
    pub async fn handle(&self, event: LambdaEvent<EventBridgeEvent<Value>>) -> Result<Report, lambda_runtime::Error> {
        Ok(self.run(&event.payload, event.context.deadline).await?)
    }

    /// One run for `event`, with the deadline in milliseconds since the epoch (0: none).
    pub async fn run(&self, event: &EventBridgeEvent<Value>, deadline_ms: u64) -> Result<Report, CleanupError> {
        let request = decode(event, (self.clock)()).inspect_err(|e| tracing::error!(error = %e, "refused event"))?;
        let deadline = deskbell_runtime::deadline_of(deadline_ms, Utc::now()).map(SystemTime::from);
        tracing::debug!(deadline_ms, ?deadline, "invocation deadline");
        let budget = Budget { deadline, margin: self.config.margin, max_pages: self.config.max_pages };
        sweep(&self.store, &request, &self.config.settings, budget, SystemTime::now)
            .await
            .inspect_err(|e| tracing::error!(error = %e, "cleanup failed"))
    }
}
