//! The cleanup Lambda's entry point: set up once, then serve scheduled events.

use deskbell_cleanup::{AwsCleanup, CleanupConfig};
use deskbell_runtime::Env;
use lambda_runtime::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    deskbell_runtime::init_tracing();
    let config = CleanupConfig::from_env(&Env::process())?;
    let aws = deskbell_runtime::aws_config().await;
    let function = AwsCleanup::from_aws(&aws, config);
    run(service_fn(|event| function.handle(event))).await
}
