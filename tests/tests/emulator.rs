//! The emulator itself, where deskbell's guarantees rest on what AWS promises: DynamoDB
//! serialises writes to one item, so of concurrent conditional claims exactly one wins.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::AttributeValue;
use deskbell_integration::Stack;

/// Eight clients claim one item at once with `attribute_not_exists(pk)`, forty times over:
/// each time exactly one claim succeeds and the others fail their condition. (moto's threaded
/// server let several win in 8 of 40 trials before scripts/moto-local-server.py serialised its
/// DynamoDB requests.)
#[tokio::test]
async fn concurrent_conditional_claims_of_one_item_have_exactly_one_winner() {
    let stack = Stack::new("atomic").await;
    let clients: Vec<aws_sdk_dynamodb::Client> = (0..8).map(|_| aws_sdk_dynamodb::Client::new(&stack.aws)).collect();
    for trial in 0..40 {
        let claims = clients.iter().enumerate().map(|(worker, client)| {
            client
                .update_item()
                .table_name(&stack.jobs_table)
                .key("pk", AttributeValue::S(format!("delivery#{trial}")))
                .key("sk", AttributeValue::S("email#user".into()))
                .update_expression("SET #status = :pending, worker = :worker")
                .condition_expression("attribute_not_exists(pk)")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":pending", AttributeValue::S("pending".into()))
                .expression_attribute_values(":worker", AttributeValue::N(worker.to_string()))
                .send()
        });
        let results = futures::future::join_all(claims).await;
        let winners = results.iter().filter(|r| r.is_ok()).count();
        let refused = results
            .iter()
            .filter(|r| {
                r.as_ref()
                    .err()
                    .and_then(|e| e.as_service_error())
                    .is_some_and(|e| e.is_conditional_check_failed_exception())
            })
            .count();
        let codes: Vec<&str> =
            results.iter().map(|r| r.as_ref().err().and_then(|e| e.code()).unwrap_or("won")).collect();
        assert_eq!((winners, refused), (1, 7), "trial {trial}: {codes:?}");
    }
}
