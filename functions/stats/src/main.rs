//! The stats Lambda's entry point: set up once, then serve scheduled events.

use deskbell_runtime::Env;
use deskbell_stats::{AwsStats, StatsConfig};
use lambda_runtime::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    deskbell_runtime::init_tracing();
    let config = StatsConfig::from_env(&Env::process())?;
    let aws = deskbell_runtime::aws_config().await;
    let function = AwsStats::from_aws(&aws, config);
    run(service_fn(|event| function.handle(event))).await
}
