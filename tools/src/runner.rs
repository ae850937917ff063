//! The local stand-in for what AWS runs around the functions: pollers for every SQS event
//! source mapping and timers for every EventBridge schedule of the deployed stack. Ends when
//! `shutdown` resolves (Ctrl-C), after the batches in flight are done. `deskbell stack run`
//! runs it.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde_json::Value;
use tokio::sync::watch;

use crate::context::{CliError, Stack};
use crate::invoke::{CargoLambda, InvokeError, Invoker};
use crate::mappings::{BatchOutcome, poll_once};
use crate::schedule::{Expression, ExpressionError, scheduled_event};
use crate::topology::{Schedule, Topology};

/// Pollers per mapping at most: Lambda scales up to the mapping's maximum concurrency; a laptop
/// with `cargo lambda watch` gains nothing past a few.
const MAX_LOCAL_POLLERS: u32 = 4;

/// Invokes `schedule`'s function now, with the target's constant input or the scheduled event;
/// `detail` (fire-now on request) replaces the event's `detail`.
pub async fn fire<I: Invoker>(
    topology: &Topology,
    schedule: &Schedule,
    detail: Option<Value>,
    invoker: &I,
) -> Result<Value, InvokeError> {
    let now = Utc::now();
    let mut payload = schedule.input.clone().unwrap_or_else(|| {
        scheduled_event(&schedule.arn, &topology.region, now, &format!("local-{}-{}", schedule.name, now.timestamp()))
    });
    if let (Some(detail), Some(event)) = (detail, payload.as_object_mut()) {
        event.insert("detail".into(), detail);
    }
    invoker.invoke(&schedule.function, &payload).await
}

/// Runs every mapping and enabled schedule of `topology` until `shutdown` resolves.
pub async fn run<I, S>(
    topology: Topology,
    sqs: aws_sdk_sqs::Client,
    invoker: I,
    shutdown: S,
) -> Result<(), ExpressionError>
where
    I: Invoker + 'static,
    S: Future<Output = ()>,
{
    let expressions = topology
        .schedules
        .iter()
        .filter(|s| s.enabled)
        .map(|s| s.expression.parse::<Expression>().map(|e| (s.clone(), e)))
        .collect::<Result<Vec<_>, _>>()?;
    let topology = Arc::new(topology);
    let invoker = Arc::new(invoker);
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();

    for mapping in topology.mappings.clone() {
        let pollers = mapping.maximum_concurrency.clamp(1, MAX_LOCAL_POLLERS);
        println!(
            "runner: {} <- {} (batch {}, {} poller(s), redrive to DLQ after {} receives)",
            mapping.function, mapping.queue_name, mapping.batch_size, pollers, mapping.max_receive_count
        );
        for _ in 0..pollers {
            let (sqs, invoker, topology, mapping, mut stop) =
                (sqs.clone(), invoker.clone(), topology.clone(), mapping.clone(), stop_rx.clone());
            tasks.spawn(async move {
                // A stop request is seen between polls: a batch in flight always completes.
                while !*stop.borrow_and_update() {
                    match poll_once(&sqs, &topology.region, &mapping, invoker.as_ref(), 1).await {
                        Ok(o) if o.received == 0 => {}
                        Ok(o) => println!("runner: {}", describe(&mapping.function, &o)),
                        Err(e) => {
                            println!("runner: {e}");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                    }
                }
            });
        }
    }

    for (schedule, expression) in expressions {
        println!("runner: {} on {} ({})", schedule.function, schedule.expression, schedule.name);
        let (invoker, topology, mut stop) = (invoker.clone(), topology.clone(), stop_rx.clone());
        tasks.spawn(async move {
            let start = Utc::now();
            let mut after = start;
            while let Some(next) = expression.next_after(start, after) {
                let wait = (next - Utc::now()).to_std().unwrap_or_default();
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = stop.changed() => return,
                }
                match fire(&topology, &schedule, None, invoker.as_ref()).await {
                    Ok(result) => println!("runner: {} fired by {}: {result}", schedule.function, schedule.name),
                    Err(e) => println!("runner: {} fired by {}: {e}", schedule.function, schedule.name),
                }
                after = next;
            }
        });
    }

    shutdown.await;
    println!("runner: stopping (finishing the batches in flight)");
    let _ = stop_tx.send(true);
    while tasks.join_next().await.is_some() {}
    Ok(())
}

/// Runs `deskbell stack run`: the runner over `stack`, invoking the `cargo lambda watch` at
/// `lambda`, until Ctrl-C; answers the exit code.
pub async fn command(stack: Stack, lambda: String) -> Result<i32, CliError> {
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    run(stack.topology, stack.sqs, CargoLambda::new(lambda), shutdown)
        .await
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    Ok(0)
}

/// One line about a batch: what was processed, what is left for redelivery and why.
pub fn describe(function: &str, o: &BatchOutcome) -> String {
    match &o.invocation_error {
        Some(e) => format!("{function} x{}: invocation failed, batch left for redelivery: {e}", o.received),
        None if o.failed.is_empty() => format!("{function} x{}: all processed", o.received),
        None => format!(
            "{function} x{}: {} processed, failed (left for redelivery): {}",
            o.received,
            o.deleted,
            o.failed.join(" ")
        ),
    }
}
