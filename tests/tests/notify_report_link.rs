//! notify's report emails against the emulator: the button is a presigned S3 link that
//! downloads the file; the in-app notification opens the report's page in the app.

use aws_sdk_s3::primitives::ByteStream;
use deskbell_contract::{Job, JobType, Payload, fixtures};
use deskbell_inbox::{DynamoInbox, NotificationStore};
use deskbell_integration::Stack;
use deskbell_notify::AwsNotify;
use lambda_runtime::{Context, LambdaEvent};

/// `report.ready` for report `report_id`, stored at `reports/<report_id>.csv` in `bucket`.
fn report_ready(report_id: &str, bucket: &str) -> Job {
    let mut job = fixtures::one_of_each().into_iter().find(|j| j.job_type() == JobType::ReportReady).unwrap();
    job.id = format!("{report_id}-ready");
    let Payload::ReportReady(p) = &mut job.payload else { unreachable!() };
    p.report_id = report_id.to_owned();
    p.bucket = bucket.to_owned();
    p.key = format!("reports/{report_id}.csv");
    job
}

/// The `href` of the email's button, HTML-unescaped.
fn button_link(html: &str) -> String {
    let start =
        html.find("class=\"button\" href=\"").expect("the email has a button") + "class=\"button\" href=\"".len();
    let end = html[start..].find('"').expect("the href ends") + start;
    html[start..end].replace("&amp;", "&")
}

#[tokio::test]
async fn report_email_button_downloads_the_file_and_the_notification_opens_the_report_page() {
    let stack = Stack::new("report-link").await;
    let (s3, bucket) = (&stack.s3, stack.bucket.clone());
    let report_id = format!("{}-r", stack.name);
    let key = format!("reports/{report_id}.csv");
    let content = b"number,subject\n1042,Printer on fire\n".to_vec();
    s3.put_object().bucket(&bucket).key(&key).body(ByteStream::from(content.clone())).send().await.unwrap();

    let f = AwsNotify::from_aws(&stack.aws, stack.notify_config_with(&[("DESKBELL_REPORTS_BUCKET", &bucket)]));
    stack.send(&[stack.retarget(&report_ready(&report_id, &bucket).to_body())]).await;
    let event = stack.receive(1).await;
    assert_eq!(event.records.len(), 1);
    let response = f.handle(LambdaEvent::new(event.clone(), Context::default())).await.unwrap();
    stack.complete(&event, &response).await;
    assert!(response.batch_item_failures.is_empty(), "{:?}", response.batch_item_failures);

    let emails = stack.emulator.emails_to_domain(&stack.domain).await;
    assert_eq!(emails.len(), 1, "{emails:#?}");
    let html = &emails[0].body;
    assert!(html.contains("The link works for 1 hour."), "{html}");
    let page = format!("https://help.example.com/reports/{report_id}");
    assert!(html.contains(&page), "the email also names the report page: {html}");

    let link = button_link(html);
    assert!(link.contains("X-Amz-Expires=3600"), "{link}");
    assert!(link.contains(&format!("/{key}?")), "{link}");
    let download = reqwest::get(&link).await.unwrap();
    assert!(download.status().is_success(), "GET {link}: {}", download.status());
    assert_eq!(download.bytes().await.unwrap().to_vec(), content);

    let inbox = DynamoInbox::new(stack.dynamodb.clone(), &stack.notifications_table);
    let notifications = inbox.recent("admin", 10).await.unwrap();
    assert_eq!(notifications.len(), 1);
    assert_eq!(notifications[0].link, page);
}
