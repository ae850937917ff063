//! The cleanup function: the handler around [`sweep`], and its AWS wiring.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use chrono::Utc;
use deskbell_objects::S3Objects;
use deskbell_retention::{AwsRetention, RetentionStore};
use lambda_runtime::LambdaEvent;
use serde_json::Value;

use crate::{Budget, CleanupConfig, CleanupError, Report, decode, sweep};

/// One cleanup function instance: built once per Lambda container, called per schedule tick.
pub struct Cleanup<S> {
    store: S,
    config: CleanupConfig,
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
        Self { store, config }
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
        let request = decode(event, Utc::now()).inspect_err(|e| tracing::error!(error = %e, "refused event"))?;
        let deadline = deadline_of(deadline_ms, SystemTime::now());
        tracing::debug!(deadline_ms, ?deadline, "invocation deadline");
        let budget = Budget { deadline, margin: self.config.margin, max_pages: self.config.max_pages };
        sweep(&self.store, &request, &self.config.settings, budget, SystemTime::now)
            .await
            .inspect_err(|e| tracing::error!(error = %e, "cleanup failed"))
    }
}

/// Epoch milliseconds of 2001-09-09: no real deadline is earlier.
const EPOCH_DEADLINES_FROM: u64 = 1_000_000_000_000;

/// The invocation's deadline from the runtime's `deadline_ms`. Lambda sends epoch
/// milliseconds. 0 means no deadline (a hand-built `Context`). `cargo lambda watch` (1.9)
/// sends the timeout itself (600000): a value too small to be an epoch time is read as
/// milliseconds from `wall`.
fn deadline_of(deadline_ms: u64, wall: SystemTime) -> Option<SystemTime> {
    match deadline_ms {
        0 => None,
        ms if ms < EPOCH_DEADLINES_FROM => Some(wall + Duration::from_millis(ms)),
        ms => Some(UNIX_EPOCH + Duration::from_millis(ms)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_are_epoch_milliseconds_or_a_local_runners_timeout() {
        let wall = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert_eq!(deadline_of(0, wall), None);
        assert_eq!(deadline_of(1_800_000_300_000, wall), Some(wall + Duration::from_secs(300)));
        assert_eq!(deadline_of(600_000, wall), Some(wall + Duration::from_secs(600)));
    }
}
