//! The retry budget against the emulator: a systemic failure of a whole batch fails the
//! invocation, deletes nothing and dead-letters nothing; once the fault is gone the jobs go
//! through.

use deskbell_contract::{JobType, fixtures};
use deskbell_integration::{Emulator, Stack};
use deskbell_jobs::{Invocation, RetryPolicy};
use deskbell_notify::AwsNotify;
use lambda_runtime::{Context, LambdaEvent};

fn welcome(stack: &Stack, i: usize) -> String {
    let mut job = fixtures::one_of_each().into_iter().find(|j| j.job_type() == JobType::UserWelcome).unwrap();
    job.id = format!("{}-{i}", stack.name);
    stack.retarget(&job.to_body())
}

#[tokio::test]
async fn a_batch_failing_for_a_missing_table_fails_the_invocation_and_loses_nothing() {
    let stack = Stack::with_retry("systemic", RetryPolicy { base_secs: 1, max_secs: 2, window_secs: 60 }).await;
    assert_eq!(stack.max_receives, 66, "the redrive count derived from the compressed window");
    stack.send(&(0..3).map(|i| welcome(&stack, i)).collect::<Vec<_>>()).await;

    // The fault: the jobs table is not there yet (a deploy settling): ResourceNotFoundException.
    let missing = format!("{}-not-yet", stack.jobs_table);
    let broken = AwsNotify::from_aws(&stack.aws, stack.notify_config_with(&[("DESKBELL_JOBS_TABLE", &missing)]));
    let event = stack.receive(3).await;
    assert_eq!(event.records.len(), 3);
    let result = broken.handle(LambdaEvent::new(event.clone(), Context::default())).await;
    let err = result.as_ref().expect_err("every record failed systemically: the invocation fails");
    assert!(err.to_string().contains("all 3 records failed for a systemic reason"), "{err}");
    assert!(err.to_string().contains("ResourceNotFoundException"), "{err}");
    stack.settle(&event, Invocation::of(&result)).await;
    let (visible, in_flight) = stack.queue_depth().await;
    assert_eq!(visible + in_flight, 3, "nothing deleted");
    assert!(stack.dlq_message_ids().await.is_empty(), "nothing dead-lettered");

    // The table exists: the records come back after their 1-2 s back-off and go through.
    let fixed = AwsNotify::from_aws(&stack.aws, stack.notify_config());
    let mut done = 0;
    for _ in 0..20 {
        let event = stack.receive(3).await;
        if event.records.is_empty() {
            continue;
        }
        let result = fixed.handle(LambdaEvent::new(event.clone(), Context::default())).await;
        let response = result.as_ref().expect("the fault is gone");
        done += event.records.len() - response.batch_item_failures.len();
        stack.settle(&event, Invocation::of(&result)).await;
        if done == 3 {
            break;
        }
    }
    assert_eq!(done, 3);
    assert_eq!(Emulator::get().emails_to_domain(&stack.domain).await.len(), 3);
    assert!(stack.dlq_message_ids().await.is_empty());
}
