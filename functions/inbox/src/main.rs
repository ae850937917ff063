//! The inbox Lambda's entry point: set up once, then serve HTTP API requests.

use deskbell_inbox::{Centre, DynamoInbox};
use deskbell_inbox_api::{InboxApi, InboxConfig};
use deskbell_runtime::Env;
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    deskbell_runtime::init_tracing();
    let config = InboxConfig::from_env(&Env::process())?;
    let aws = deskbell_runtime::aws_config().await;
    let store = DynamoInbox::new(aws_sdk_dynamodb::Client::new(&aws), &config.notifications_table);
    let api = InboxApi::new(Centre::new(store), config.dev_secret).with_pass_secret(config.pass_secret);
    run(service_fn(|request| async { Ok::<_, Error>(api.handle(request, chrono::Utc::now()).await) })).await
}
