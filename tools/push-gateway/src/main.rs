//! The local WebSocket gateway (the library of this crate): clients connect to
//! `ws://127.0.0.1:PORT/?token=<deskbell-dev-token>`; notify posts to the same port
//! (`DESKBELL_PUSH_ENDPOINT=http://127.0.0.1:PORT`). Connections are recorded in
//! `DESKBELL_CONNECTIONS_TABLE` by the push function's `$connect` route, as in AWS.
//!
//! Usage: `deskbell-push-gateway ENDPOINT [PORT]` (moto's endpoint; port 9001 by default),
//! with `DESKBELL_CONNECTIONS_TABLE` set, and `DESKBELL_DEV_JWT_SECRET` (development tokens,
//! `?token=`) or `DESKBELL_PUSH_PASS_SECRET` (push passes, `?ticket=`) for who may connect;
//! `scripts/stack` starts it with all three.

use std::sync::Arc;

use deskbell_push::DynamoConnections;
use deskbell_push_api::{PushApi, PushApiConfig};
use deskbell_push_gateway::PushGateway;
use deskbell_runtime::Env;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(endpoint) = args.first() else {
        eprintln!("usage: deskbell-push-gateway ENDPOINT [PORT]   (e.g. http://127.0.0.1:4566 9001)");
        std::process::exit(2);
    };
    let port: u16 = args.get(1).and_then(|p| p.parse().ok()).unwrap_or(9001);
    let config = PushApiConfig::from_env(&Env::process()).unwrap_or_else(|e| {
        eprintln!("deskbell-push-gateway: {e}");
        std::process::exit(2);
    });
    let aws = deskbell_runtime::emulator_config(endpoint).await;
    let connections = DynamoConnections::new(aws_sdk_dynamodb::Client::new(&aws), &config.connections_table);
    let push = Arc::new(PushApi::new(connections, config));
    let gateway = PushGateway::start(push, port).await.unwrap_or_else(|e| {
        eprintln!("deskbell-push-gateway: cannot listen on 127.0.0.1:{port}: {e}");
        std::process::exit(1);
    });
    println!("websocket: {}/?token=TOKEN", gateway.websocket_url());
    println!("export DESKBELL_PUSH_ENDPOINT='{}'", gateway.management_endpoint());
    std::future::pending::<()>().await;
}
