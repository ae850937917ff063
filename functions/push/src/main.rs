//! The push Lambda's entry point (WebSocket `$connect` / `$disconnect`).

use deskbell_push::DynamoConnections;
use deskbell_push_api::{PushApi, PushApiConfig};
use deskbell_runtime::Env;
use lambda_runtime::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    deskbell_runtime::init_tracing();
    let config = PushApiConfig::from_env(&Env::process())?;
    let aws = deskbell_runtime::aws_config().await;
    let connections = DynamoConnections::new(aws_sdk_dynamodb::Client::new(&aws), &config.connections_table);
    let api = PushApi::new(connections, config);
    run(service_fn(|event| api.handle(event))).await
}
