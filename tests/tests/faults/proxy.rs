//! The fault proxy itself, through the real SDK: rules hit only their service and operation,
//! everything else passes through, and the SDK sees the error AWS would send.

use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use deskbell_errors::ErrorKind;
use deskbell_integration::faults::{Call, Fault, FaultProxy, Limit, Rule, Service};
use deskbell_integration::{Emulator, Stack};
use deskbell_runtime::retry::sdk_error_kind;

/// The SDK's configuration against `proxy`: one attempt per call, so each fault is seen as is.
async fn sdk_config(proxy: &FaultProxy) -> aws_config::SdkConfig {
    let aws = deskbell_runtime::emulator_config(proxy.endpoint()).await;
    aws.into_builder().retry_config(RetryConfig::disabled()).build()
}

async fn proxy() -> FaultProxy {
    FaultProxy::start(&Emulator::get().endpoint).await.expect("the fault proxy starts")
}

fn send_email(
    ses: &aws_sdk_sesv2::Client,
    stack: &Stack,
    to: &str,
) -> aws_sdk_sesv2::operation::send_email::builders::SendEmailFluentBuilder {
    let text = Content::builder().data("hello").build().unwrap();
    let message = Message::builder().subject(text.clone()).body(Body::builder().text(text).build()).build();
    ses.send_email()
        .from_email_address(&stack.sender)
        .destination(Destination::builder().to_addresses(format!("{to}@{}", stack.domain)).build())
        .content(EmailContent::builder().simple(message).build())
}

fn call(service: Service, operation: &str) -> Call {
    Call { service, operation: operation.into() }
}

#[tokio::test]
async fn a_rule_hits_only_its_service_and_operation_and_the_rest_passes_through() {
    let stack = Stack::new("proxy-scope").await;
    let proxy = proxy().await;
    let rule = proxy.add(Rule::new(Service::Ses, Fault::Throttle).operation("SendEmail"));
    let aws = sdk_config(&proxy).await;
    let (ses, dynamodb) = (aws_sdk_sesv2::Client::new(&aws), aws_sdk_dynamodb::Client::new(&aws));

    // Another SES operation and another service pass through to moto.
    ses.get_email_identity().email_identity(&stack.domain).send().await.unwrap();
    dynamodb
        .put_item()
        .table_name(&stack.jobs_table)
        .item("pk", AttributeValue::S("k".into()))
        .item("sk", AttributeValue::S("s".into()))
        .send()
        .await
        .unwrap();
    let read = dynamodb
        .get_item()
        .table_name(&stack.jobs_table)
        .key("pk", AttributeValue::S("k".into()))
        .key("sk", AttributeValue::S("s".into()))
        .send()
        .await
        .unwrap();
    assert!(read.item().is_some(), "the write went through the proxy to moto");

    let err = send_email(&ses, &stack, "a").send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_too_many_requests_exception()), "{err:?}");
    assert_eq!(err.code(), Some("TooManyRequestsException"));
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(429));
    assert_eq!(sdk_error_kind(&err), ErrorKind::Transient);
    assert_eq!(rule.injected(), 1);
    assert!(stack.emulator.emails_to_domain(&stack.domain).await.is_empty());

    let forwarded = proxy.forwarded();
    assert_eq!(forwarded.get(&call(Service::Dynamodb, "PutItem")), Some(&1));
    assert_eq!(forwarded.get(&call(Service::Ses, "GetEmailIdentity")), Some(&1));
    assert_eq!(forwarded.get(&call(Service::Ses, "SendEmail")), None);

    proxy.clear();
    send_email(&ses, &stack, "b").send().await.unwrap();
    assert_eq!(stack.emulator.emails_to_domain(&stack.domain).await.len(), 1);
}

#[tokio::test]
async fn each_service_answers_its_own_error_shape() {
    let stack = Stack::new("proxy-shapes").await;
    let proxy = proxy().await;
    let aws = sdk_config(&proxy).await;

    proxy.add(Rule::new(Service::Dynamodb, Fault::Throttle).operation("GetItem").limit(Limit::Next(1)));
    proxy.add(Rule::new(Service::Dynamodb, Fault::ServerError(500)).operation("GetItem").limit(Limit::Next(1)));
    let dynamodb = aws_sdk_dynamodb::Client::new(&aws);
    let get = || {
        dynamodb
            .get_item()
            .table_name(&stack.jobs_table)
            .key("pk", AttributeValue::S("k".into()))
            .key("sk", AttributeValue::S("s".into()))
            .send()
    };
    let throttled = get().await.unwrap_err();
    assert_eq!(
        (throttled.code(), throttled.raw_response().map(|r| r.status().as_u16())),
        (Some("ThrottlingException"), Some(400))
    );
    assert_eq!(sdk_error_kind(&throttled), ErrorKind::Transient);
    let failed = get().await.unwrap_err();
    assert!(failed.as_service_error().is_some_and(|e| e.is_internal_server_error()), "{failed:?}");
    assert_eq!(sdk_error_kind(&failed), ErrorKind::Transient);
    get().await.unwrap();

    proxy.add(Rule::new(Service::Sqs, Fault::Throttle).operation("SendMessage").limit(Limit::Next(1)));
    let sqs = aws_sdk_sqs::Client::new(&aws);
    let err = sqs.send_message().queue_url(&stack.queue_url).message_body("{}").send().await.unwrap_err();
    assert_eq!(err.code(), Some("ThrottlingException"), "{err:?}");
    assert_eq!(sdk_error_kind(&err), ErrorKind::Transient);

    let paused = Fault::Error { status: 400, code: "SendingPausedException".into(), message: "paused".into() };
    proxy.add(Rule::new(Service::Ses, paused).operation("SendEmail").limit(Limit::Next(1)));
    let ses = aws_sdk_sesv2::Client::new(&aws);
    let err = send_email(&ses, &stack, "a").send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_sending_paused_exception()), "{err:?}");
    assert_eq!(err.message(), Some("paused"));
}

#[tokio::test]
async fn a_reset_and_a_stall_fail_the_call_as_a_network_would_and_reach_no_service() {
    let stack = Stack::new("proxy-network").await;
    let proxy = proxy().await;
    let aws = sdk_config(&proxy).await;
    let ses = aws_sdk_sesv2::Client::new(&aws);

    proxy.add(Rule::new(Service::Ses, Fault::Reset).operation("SendEmail").limit(Limit::Next(1)));
    let err = send_email(&ses, &stack, "a").send().await.unwrap_err();
    assert!(matches!(err, aws_sdk_sesv2::error::SdkError::DispatchFailure(_)), "{err:?}");
    assert_eq!(sdk_error_kind(&err), ErrorKind::Transient);

    proxy.add(
        Rule::new(Service::Ses, Fault::Stall(Duration::from_secs(2))).operation("SendEmail").limit(Limit::Next(1)),
    );
    let impatient = aws_sdk_sesv2::Client::from_conf(
        aws_sdk_sesv2::config::Builder::from(&aws)
            .timeout_config(TimeoutConfig::builder().operation_attempt_timeout(Duration::from_millis(300)).build())
            .build(),
    );
    let err = send_email(&impatient, &stack, "b").send().await.unwrap_err();
    assert!(matches!(err, aws_sdk_sesv2::error::SdkError::TimeoutError(_)), "{err:?}");
    // The stall outlives the client: the proxy sees it gone and forwards nothing.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(proxy.forwarded().get(&call(Service::Ses, "SendEmail")), None);
    assert!(stack.emulator.emails_to_domain(&stack.domain).await.is_empty());
}

#[tokio::test]
async fn a_dropped_answer_does_the_work_while_the_client_sees_a_failure() {
    let stack = Stack::new("proxy-drop").await;
    let proxy = proxy().await;
    let rule = proxy.add(Rule::new(Service::Ses, Fault::DropAnswer).operation("SendEmail").limit(Limit::Next(1)));
    let ses = aws_sdk_sesv2::Client::new(&sdk_config(&proxy).await);
    let err = send_email(&ses, &stack, "a").send().await.unwrap_err();
    assert!(matches!(err, aws_sdk_sesv2::error::SdkError::DispatchFailure(_)), "{err:?}");
    assert_eq!(rule.injected(), 1);
    let sent = stack.emulator.emails_to_domain(&stack.domain).await;
    assert_eq!(sent.len(), 1, "SES accepted the email the caller saw fail");
    assert_eq!(proxy.forwarded().get(&call(Service::Ses, "SendEmail")), Some(&1));
}

#[tokio::test]
async fn a_rule_applies_only_within_its_window_and_a_slow_answer_still_arrives() {
    let stack = Stack::new("proxy-window").await;
    let proxy = proxy().await;
    let now = Instant::now();
    let past = proxy.add(
        Rule::new(Service::Ses, Fault::Reset)
            .operation("SendEmail")
            .between(now.checked_sub(Duration::from_secs(2)).unwrap(), now),
    );
    let open = proxy.add(
        Rule::new(Service::Ses, Fault::Throttle)
            .operation("SendEmail")
            .limit(Limit::Next(1))
            .for_the_next(Duration::from_secs(600)),
    );
    let ses = aws_sdk_sesv2::Client::new(&sdk_config(&proxy).await);
    let err = send_email(&ses, &stack, "a").send().await.unwrap_err();
    assert_eq!(err.code(), Some("TooManyRequestsException"), "{err:?}");
    assert_eq!((past.injected(), open.injected()), (0, 1));

    let slow = proxy.add(Rule::new(Service::Ses, Fault::SlowAnswer(Duration::from_millis(300))).operation("SendEmail"));
    let out = send_email(&ses, &stack, "b").send().await.unwrap();
    assert!(out.message_id().is_some());
    assert_eq!(slow.injected(), 1);
    assert_eq!(stack.emulator.emails_to_domain(&stack.domain).await.len(), 1);
}
