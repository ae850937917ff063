//! Provisions the local resources the functions run against (`scripts/local-functions`): the
//! jobs, notifications and tickets tables, the notifications and reports queues with their
//! DLQs, the reports bucket and a verified sender domain, under fixed `deskbell-*` names.
//! Prints the environment for `cargo lambda watch`.
//!
//! Usage: `deskbell-local ENDPOINT` (e.g. `http://127.0.0.1:4566`).

use deskbell_integration::{Emulator, Stack};

/// The admins of the local stack: one English-speaking, one French-speaking.
const LOCAL_ADMINS: &str = r#"[{"id":"usr_helen_okafor","email":"helen.okafor@example.com","name":"Helen Okafor","locale":"en","role":"admin"},{"id":"usr_marc_fontaine","email":"marc.fontaine@example.com","name":"Marc Fontaine","locale":"fr","role":"admin"}]"#;

#[tokio::main]
async fn main() {
    let Some(endpoint) = std::env::args().nth(1) else {
        eprintln!("usage: deskbell-local ENDPOINT   (e.g. http://127.0.0.1:4566)");
        std::process::exit(2);
    };
    let stack = Stack::provision(Emulator::at(&endpoint), "deskbell".into(), "example.com".into()).await;
    let health_queues = format!("{},{}", stack.queue_url, stack.reports_queue_url);
    let health_dlqs = format!("{},{}-dlq", stack.dlq_url, stack.reports_queue_url);
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
        // stats and health: the digest and alerts go to these admins.
        ("DESKBELL_ADMINS", LOCAL_ADMINS),
        ("DESKBELL_HEALTH_QUEUES", health_queues.as_str()),
        ("DESKBELL_HEALTH_DLQS", health_dlqs.as_str()),
    ] {
        println!("export {name}='{value}'");
    }
}
