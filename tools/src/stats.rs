//! `deskbell stats`: the depth of every mapped queue (waiting, in flight, delayed) beside its
//! function and the depth of its DLQ.

use crate::context::{CliError, Stack};
use crate::output;

/// Runs `deskbell stats`: prints one row a mapped queue (JSON with `json`); answers the exit
/// code.
pub async fn command(stack: &Stack, json: bool) -> Result<i32, CliError> {
    let mut rows = Vec::new();
    let mut values = Vec::new();
    for m in &stack.topology.mappings {
        let d = stack.depth(&m.queue_url).await?;
        let dead = match &m.dlq_url {
            Some(url) => stack.depth(url).await?.total(),
            None => 0,
        };
        rows.push(vec![
            m.queue_name.clone(),
            m.function.clone(),
            d.visible.to_string(),
            d.in_flight.to_string(),
            d.delayed.to_string(),
            dead.to_string(),
        ]);
        values.push(serde_json::json!({
            "queue": m.queue_name,
            "function": m.function,
            "depth": {"visible": d.visible, "in_flight": d.in_flight, "delayed": d.delayed},
            "dlq": dead,
        }));
    }
    if json {
        output::json(&values);
    } else {
        output::table(&["queue", "function", "waiting", "in flight", "delayed", "DLQ"], &rows);
    }
    Ok(0)
}
