//! Real-time push through the local gateway: a WebSocket client connected with a push pass
//! (as the inbox API issues them) receives the notification notify stores for its user, with
//! the unread count, within a second of notify processing the SQS message; a connection that
//! is gone is removed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use deskbell_contract::{JobType, Payload, fixtures};
use deskbell_integration::Stack;
use deskbell_notify::AwsNotify;
use deskbell_push::{Connections, DynamoConnections, PushMessage};
use deskbell_push_api::{PASS_PARAMETER, PushApi, PushApiConfig};
use deskbell_push_gateway::PushGateway;
use futures::StreamExt;
use lambda_runtime::{Context, LambdaEvent};
use tokio_tungstenite::tungstenite::Message;

const SECRET: &[u8] = b"push-test-secret";

async fn gateway(stack: &Stack) -> (PushGateway, DynamoConnections) {
    let connections = DynamoConnections::new(stack.dynamodb.clone(), &stack.connections_table);
    let config = PushApiConfig {
        connections_table: stack.connections_table.clone(),
        connection_ttl: chrono::Duration::hours(2),
        dev_secret: None,
        pass_secret: Some(SECRET.to_vec()),
    };
    let push = Arc::new(PushApi::new(connections.clone(), config));
    (PushGateway::start(push, 0).await.unwrap(), connections)
}

/// A ticket.assigned job of this stack and its new assignee's user id.
fn assigned(stack: &Stack, id: &str) -> (String, String) {
    let mut job = fixtures::one_of_each().into_iter().find(|j| j.job_type() == JobType::TicketAssigned).unwrap();
    job.id = id.into();
    let Payload::TicketAssigned(p) = &job.payload else { unreachable!() };
    let user = p.ticket.assignee.as_ref().unwrap().id.clone();
    (stack.retarget(&job.to_body()), user)
}

async fn wait_for_connection(connections: &DynamoConnections, user: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while connections.of_user(user, Utc::now()).await.unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the gateway never recorded the connection");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// notify for `stack`, pushing through the local gateway `gw`.
fn notify_pushing_through(stack: &Stack, gw: &PushGateway) -> AwsNotify {
    let endpoint = gw.management_endpoint();
    AwsNotify::from_aws(
        &stack.aws,
        stack.notify_config_with(&[
            ("DESKBELL_CONNECTIONS_TABLE", stack.connections_table.as_str()),
            ("DESKBELL_PUSH_ENDPOINT", endpoint.as_str()),
        ]),
    )
}

#[tokio::test]
async fn a_connected_client_receives_the_new_notification_within_a_second_of_processing() {
    let stack = Stack::new("push_ws").await;
    let (gw, connections) = gateway(&stack).await;
    let (body, user) = assigned(&stack, &format!("{}-1", stack.name));
    // A push pass, as the inbox API's pass route signs one for the signed-in user.
    let pass = deskbell_tokens::issue_pass(SECRET, &user, Utc::now().timestamp());
    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("{}/?{PASS_PARAMETER}={pass}", gw.websocket_url())).await.unwrap();
    wait_for_connection(&connections, &user).await;

    let notify = notify_pushing_through(&stack, &gw);
    stack.send(&[body]).await;
    let event = stack.receive(1).await;
    assert_eq!(event.records.len(), 1);
    let processing = Instant::now();
    let response = notify.handle(LambdaEvent::new(event.clone(), Context::default())).await.unwrap();
    assert!(response.batch_item_failures.is_empty(), "{:?}", response.batch_item_failures);
    stack.complete(&event, &response).await;

    let deadline = processing + Duration::from_secs(1);
    let received = tokio::time::timeout_at(deadline.into(), ws.next()).await;
    let Ok(Some(Ok(Message::Text(text)))) = received else {
        panic!("no push within 1 s of processing: {received:?}");
    };
    let message: PushMessage = serde_json::from_str(&text).unwrap();
    assert_eq!(message.kind, "notification.new");
    assert_eq!(message.notification.user_id, user);
    assert_eq!(message.notification.job_id, format!("{}-1", stack.name));
    assert_eq!(message.unread_count, 1);
}

#[tokio::test]
async fn a_connection_that_is_gone_is_removed_when_pushed_to() {
    let stack = Stack::new("push_gone").await;
    let (gw, connections) = gateway(&stack).await;
    let (body, user) = assigned(&stack, &format!("{}-1", stack.name));
    connections.add(&user, "ghost-connection=", Utc::now() + chrono::Duration::hours(1)).await.unwrap();
    let notify = notify_pushing_through(&stack, &gw);
    stack.send(&[body]).await;
    let event = stack.receive(1).await;
    let response = notify.handle(LambdaEvent::new(event.clone(), Context::default())).await.unwrap();
    assert!(response.batch_item_failures.is_empty(), "a failed push never fails the job");
    assert!(connections.of_user(&user, Utc::now()).await.unwrap().is_empty(), "the gone connection is removed");
}
