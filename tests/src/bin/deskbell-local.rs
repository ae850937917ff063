//! Provisions the local resources the functions run against (`scripts/local-functions`): the
//! jobs, notifications and tickets tables, the notifications and reports queues with their
//! DLQs, the reports bucket and a verified sender domain, under fixed `deskbell-*` names.
//! Prints the environment for `cargo lambda watch`.
//!
//! Usage: `deskbell-local ENDPOINT` (e.g. `http://127.0.0.1:4566`).

use deskbell_integration::{Emulator, Stack};

#[tokio::main]
async fn main() {
    let Some(endpoint) = std::env::args().nth(1) else {
        eprintln!("usage: deskbell-local ENDPOINT   (e.g. http://127.0.0.1:4566)");
        std::process::exit(2);
    };
    let stack = Stack::provision(Emulator::at(&endpoint), "deskbell".into(), "example.com".into()).await;
    for (name, value) in [
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AWS_REGION", "eu-west-1"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("DESKBELL_SENDER", stack.sender.as_str()),
        ("DESKBELL_APP_URL", "https://help.example.com"),
        ("DESKBELL_JOBS_TABLE", stack.jobs_table.as_str()),
        ("DESKBELL_NOTIFICATIONS_TABLE", stack.notifications_table.as_str()),
        ("DESKBELL_CONNECTIONS_TABLE", stack.connections_table.as_str()),
        ("DESKBELL_TICKETS_TABLE", stack.tickets_table.as_str()),
        ("DESKBELL_NOTIFICATIONS_QUEUE_URL", stack.queue_url.as_str()),
        ("DESKBELL_REPORTS_QUEUE_URL", stack.reports_queue_url.as_str()),
        ("DESKBELL_REPORTS_BUCKET", stack.bucket.as_str()),
    ] {
        println!("export {name}='{value}'");
    }
}
