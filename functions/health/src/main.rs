//! The health Lambda's entry point: set up once, then serve scheduled events.

use deskbell_health::{AwsHealth, HealthConfig};
use deskbell_runtime::Env;
use lambda_runtime::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    deskbell_runtime::init_tracing();
    let config = HealthConfig::from_env(&Env::process())?;
    let aws = deskbell_runtime::aws_config().await;
    let function = AwsHealth::from_aws(&aws, config);
    run(service_fn(|event| function.handle(event))).await
}
