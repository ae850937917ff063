//! report against the emulator: tickets from the ticket store (DynamoDB) streamed into S3,
//! the status record, report.ready on the notifications queue, failures that leave nothing.

use std::collections::BTreeSet;
use std::io::Read;

use chrono::{DateTime, Duration, Utc};
use deskbell_contract::{
    Company, Job, JobType, Payload, Priority, ReportFilters, ReportFormat, ReportRequested, Status, Ticket, decode,
    fixtures,
};
use deskbell_errors::ErrorKind;
use deskbell_integration::Stack;
use deskbell_jobs::{BatchProcessor, RetryPolicy, SqsJobQueue, SqsVisibility};
use deskbell_objects::{ObjectError, ObjectStore, S3Objects, UploadedPart};
use deskbell_records::{DynamoRecords, FailureLog, ReportLog, ReportStatus};
use deskbell_report::{AwsReport, ReportFunction, Reporter};
use deskbell_tickets::{DynamoTickets, TicketStore};
use lambda_runtime::{Context, LambdaEvent};

const FROM: &str = "2026-10-01T00:00:00Z";
const TO: &str = "2026-11-01T00:00:00Z";

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Ticket `n`: companies, statuses and priorities rotate; created one hour apart from
/// 2026-09-25, so some fall before the range and some after.
fn ticket(n: u64) -> Ticket {
    let mut t = fixtures::ticket(n);
    t.created_at = at("2026-09-25T00:00:00Z") + Duration::hours(n as i64 * 7);
    t.subject = if n % 2 == 0 {
        format!("=HYPERLINK(\"http://evil.example\",\"Ticket {n}\")")
    } else {
        format!("Ticket {n}, with \"quotes\", commas\r\nand a line break")
    };
    t.status = [Status::Open, Status::Pending, Status::Solved][n as usize % 3];
    t.priority = [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent][n as usize % 4];
    t.company = match n % 3 {
        0 => Some(Company { id: "acme".into(), name: "ACME".into() }),
        1 => Some(Company { id: "globex".into(), name: "Globex".into() }),
        _ => None,
    };
    t
}

const TICKETS: u64 = 160;

async fn seed(stack: &Stack) -> Vec<Ticket> {
    let store = DynamoTickets::new(stack.dynamodb.clone(), &stack.tickets_table);
    let tickets: Vec<Ticket> = (1..=TICKETS).map(ticket).collect();
    for t in &tickets {
        store.upsert(t).await.unwrap();
    }
    tickets
}

fn request(stack: &Stack, id: &str, format: ReportFormat, gzip: bool, filters: ReportFilters) -> Job {
    let mut job = fixtures::one_of_each().into_iter().find(|j| j.job_type() == JobType::ReportRequested).unwrap();
    job.id = format!("{}-{id}", stack.name);
    job.payload = Payload::ReportRequested(ReportRequested {
        report_id: format!("{}-{id}", stack.name),
        requested_by: fixtures::user("admin", deskbell_contract::Role::Admin),
        format,
        gzip,
        filters,
    });
    job
}

fn filters(companies: &[&str], statuses: &[Status]) -> ReportFilters {
    ReportFilters {
        created_from: at(FROM),
        created_to: at(TO),
        companies: companies.iter().map(|c| c.to_string()).collect(),
        statuses: statuses.to_vec(),
        priorities: vec![],
    }
}

/// The expected ticket numbers, computed independently of the report code.
fn expected(tickets: &[Ticket], companies: &[&str], statuses: &[Status]) -> BTreeSet<u64> {
    tickets
        .iter()
        .filter(|t| t.created_at >= at(FROM) && t.created_at < at(TO))
        .filter(|t| companies.is_empty() || t.company.as_ref().is_some_and(|c| companies.contains(&c.id.as_str())))
        .filter(|t| statuses.is_empty() || statuses.contains(&t.status))
        .map(|t| t.number)
        .collect()
}

async fn run(stack: &Stack, f: &AwsReport, bodies: &[String]) -> BTreeSet<String> {
    stack.send_to(&stack.reports_queue_url, bodies).await;
    let event = stack.receive_from(&stack.reports_queue_url, &stack.reports_queue_arn, bodies.len()).await;
    assert_eq!(event.records.len(), bodies.len());
    let response = f.handle(LambdaEvent::new(event.clone(), Context::default())).await.unwrap();
    stack.complete_on(&stack.reports_queue_url, &event, &response).await;
    response.batch_item_failures.into_iter().map(|f| f.item_identifier).collect()
}

async fn object(stack: &Stack, key: &str) -> Vec<u8> {
    let out = stack.s3.get_object().bucket(&stack.bucket).key(key).send().await.unwrap();
    out.body.collect().await.unwrap().into_bytes().to_vec()
}

async fn report_keys(stack: &Stack) -> Vec<String> {
    let out = stack.s3.list_objects_v2().bucket(&stack.bucket).send().await.unwrap();
    out.contents().iter().filter_map(|o| o.key().map(str::to_owned)).collect()
}

async fn open_uploads(stack: &Stack) -> usize {
    let out = stack.s3.list_multipart_uploads().bucket(&stack.bucket).send().await.unwrap();
    out.uploads().len()
}

fn records(stack: &Stack) -> DynamoRecords {
    DynamoRecords::new(stack.dynamodb.clone(), &stack.jobs_table, Duration::days(30))
}

#[tokio::test]
async fn filtered_csv_report_holds_exactly_the_matching_tickets_and_tells_the_requester() {
    let stack = Stack::new("report-csv").await;
    let tickets = seed(&stack).await;
    let f = AwsReport::from_aws(&stack.aws, stack.report_config_with(&[]));
    let job = request(&stack, "csv", ReportFormat::Csv, false, filters(&["acme"], &[Status::Open, Status::Pending]));
    assert!(run(&stack, &f, &[job.to_body()]).await.is_empty());

    let record = records(&stack).get_report(&format!("{}-csv", stack.name)).await.unwrap().unwrap();
    assert_eq!(record.status, ReportStatus::Succeeded);
    let outcome = record.outcome.unwrap();
    let body = object(&stack, &outcome.key).await;
    assert_eq!(outcome.bytes, body.len() as u64);
    let mut reader = csv::Reader::from_reader(body.as_slice());
    assert_eq!(reader.headers().unwrap().get(0), Some("number"));
    let numbers: BTreeSet<u64> = reader.records().map(|r| r.unwrap()[0].parse().unwrap()).collect();
    let want = expected(&tickets, &["acme"], &[Status::Open, Status::Pending]);
    assert!(!want.is_empty());
    assert_eq!(numbers, want);
    assert_eq!(outcome.rows, want.len() as u64);
    let text = String::from_utf8_lossy(&body);
    assert!(text.contains("\"'=HYPERLINK(\"\"http://evil.example\"\""), "formula neutralised");
    assert!(!text.contains(",=HYPERLINK"), "no cell starts with =");
    assert_eq!(open_uploads(&stack).await, 0);

    // report.ready is on the notifications queue, naming the object.
    let ready = stack.receive(1).await;
    let ready = decode(ready.records[0].body.as_deref().unwrap()).unwrap();
    let Payload::ReportReady(p) = ready.payload else { panic!("not report.ready: {:?}", ready.job_type()) };
    assert_eq!(
        (p.key.as_str(), p.rows, p.bucket.as_str()),
        (outcome.key.as_str(), outcome.rows, stack.bucket.as_str())
    );
}

#[tokio::test]
async fn gzip_ndjson_report_rows_equal_the_expected_tickets() {
    let stack = Stack::new("report-json").await;
    let tickets = seed(&stack).await;
    let f = AwsReport::from_aws(&stack.aws, stack.report_config_with(&[]));
    let job = request(&stack, "json", ReportFormat::Json, true, filters(&[], &[Status::Solved]));
    assert!(run(&stack, &f, &[job.to_body()]).await.is_empty());

    let outcome = records(&stack).get_report(&format!("{}-json", stack.name)).await.unwrap().unwrap().outcome.unwrap();
    assert!(outcome.key.ends_with(".ndjson.gz"), "{}", outcome.key);
    let mut text = String::new();
    flate2::read::GzDecoder::new(object(&stack, &outcome.key).await.as_slice()).read_to_string(&mut text).unwrap();
    let numbers: BTreeSet<u64> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, expected(&tickets, &[], &[Status::Solved]));
}

#[tokio::test]
async fn redelivered_job_writes_one_object_and_one_status() {
    let stack = Stack::new("report-dup").await;
    seed(&stack).await;
    let f = AwsReport::from_aws(&stack.aws, stack.report_config_with(&[]));
    let body = request(&stack, "dup", ReportFormat::Csv, false, filters(&[], &[])).to_body();
    assert!(run(&stack, &f, std::slice::from_ref(&body)).await.is_empty());
    assert!(run(&stack, &f, &[body]).await.is_empty());

    assert_eq!(report_keys(&stack).await.len(), 1);
    let record = records(&stack).get_report(&format!("{}-dup", stack.name)).await.unwrap().unwrap();
    assert_eq!((record.status, record.attempts), (ReportStatus::Succeeded, 1));
    // Unfiltered, the file spans several multipart parts, assembled in order.
    let outcome = record.outcome.unwrap();
    assert!(
        outcome.bytes as usize > 2 * deskbell_integration::TEST_PART_SIZE,
        "3 parts or more: {} bytes",
        outcome.bytes
    );
    let body = object(&stack, &outcome.key).await;
    assert_eq!(body.len() as u64, outcome.bytes);
    let rows = csv::Reader::from_reader(body.as_slice()).records().collect::<Result<Vec<_>, _>>().unwrap().len();
    assert_eq!(rows as u64, outcome.rows);
    assert_eq!(open_uploads(&stack).await, 0);
    // Both deliveries publish report.ready under the same job id: notify sends one email.
    let ready = stack.receive(2).await;
    let ids: BTreeSet<String> = ready.records.iter().map(|r| decode(r.body.as_deref().unwrap()).unwrap().id).collect();
    assert_eq!((ready.records.len(), ids.len()), (2, 1));
}

/// The real S3 store, except that part `fail_at` of any upload fails (a 503, say).
struct FailingPart {
    inner: S3Objects,
    fail_at: i32,
}

impl ObjectStore for FailingPart {
    fn bucket(&self) -> &str {
        self.inner.bucket()
    }
    async fn put(&self, key: &str, content_type: &str, body: Vec<u8>) -> Result<(), ObjectError> {
        self.inner.put(key, content_type, body).await
    }
    async fn begin(&self, key: &str, content_type: &str) -> Result<String, ObjectError> {
        self.inner.begin(key, content_type).await
    }
    async fn upload_part(&self, key: &str, id: &str, number: i32, body: Vec<u8>) -> Result<UploadedPart, ObjectError> {
        if number == self.fail_at {
            return Err(ObjectError {
                bucket: self.bucket().to_owned(),
                key: key.to_owned(),
                operation: "upload part of",
                message: "injected: ServiceUnavailable".into(),
                kind: ErrorKind::Transient,
            });
        }
        self.inner.upload_part(key, id, number, body).await
    }
    async fn complete(&self, key: &str, id: &str, parts: Vec<UploadedPart>) -> Result<(), ObjectError> {
        self.inner.complete(key, id, parts).await
    }
    async fn abort(&self, key: &str, id: &str) -> Result<(), ObjectError> {
        self.inner.abort(key, id).await
    }
    async fn download_link(&self, key: &str, expires_in: std::time::Duration) -> Result<String, ObjectError> {
        self.inner.download_link(key, expires_in).await
    }
}

#[tokio::test]
async fn s3_failure_mid_upload_leaves_no_incomplete_upload_and_records_why() {
    let stack = Stack::new("report-fail").await;
    seed(&stack).await;
    let config = stack.report_config_with(&[]);
    let records = records(&stack);
    let sqs = aws_sdk_sqs::Client::new(&stack.aws);
    let reporter = Reporter::new(
        DynamoTickets::new(stack.dynamodb.clone(), &stack.tickets_table),
        FailingPart { inner: S3Objects::new(stack.s3.clone(), &stack.bucket), fail_at: 3 },
        records.clone(),
        SqsJobQueue::new(sqs.clone(), &stack.queue_url),
        config.settings.clone(),
    );
    let f = ReportFunction::new(
        BatchProcessor::new(SqsVisibility::new(sqs), records.clone(), RetryPolicy::default(), 1),
        reporter,
    );
    let job = request(&stack, "fail", ReportFormat::Csv, false, filters(&[], &[]));
    stack.send_to(&stack.reports_queue_url, &[job.to_body()]).await;
    let event = stack.receive_from(&stack.reports_queue_url, &stack.reports_queue_arn, 1).await;
    let message_id = event.records[0].message_id.clone().unwrap();
    let response = f.handle(LambdaEvent::new(event, Context::default())).await.unwrap();
    assert_eq!(response.batch_item_failures.len(), 1);

    assert_eq!(open_uploads(&stack).await, 0, "the upload was aborted");
    assert!(report_keys(&stack).await.is_empty(), "no object written");
    let record = records.get_report(&format!("{}-fail", stack.name)).await.unwrap().unwrap();
    assert_eq!(record.status, ReportStatus::Failed);
    assert!(record.error.as_deref().unwrap_or_default().contains("injected: ServiceUnavailable"));
    let failure = FailureLog::get(&records, &message_id).await.unwrap().unwrap();
    assert_eq!(failure.kind, ErrorKind::Transient);
}

#[tokio::test]
async fn bad_filters_are_refused_naming_the_field_and_write_nothing() {
    let stack = Stack::new("report-bad").await;
    let f = AwsReport::from_aws(&stack.aws, stack.report_config_with(&[]));
    let good: serde_json::Value =
        serde_json::from_str(&request(&stack, "bad", ReportFormat::Csv, false, filters(&[], &[])).to_body()).unwrap();
    let mut unknown_status = good.clone();
    unknown_status["data"]["filters"]["statuses"] = serde_json::json!(["open", "exploded"]);
    let mut backwards = good.clone();
    backwards["data"]["filters"]["created_to"] = serde_json::json!("2020-01-01T00:00:00Z");
    let mut xlsx = good.clone();
    xlsx["data"]["format"] = serde_json::json!("xlsx");
    let bodies: Vec<String> = [unknown_status, backwards, xlsx].iter().map(|v| v.to_string()).collect();
    let ids = stack.send_to(&stack.reports_queue_url, &bodies).await;
    let event = stack.receive_from(&stack.reports_queue_url, &stack.reports_queue_arn, 3).await;
    let response = f.handle(LambdaEvent::new(event, Context::default())).await.unwrap();
    assert_eq!(response.batch_item_failures.len(), 3);

    let records = records(&stack);
    let mut reasons = Vec::new();
    for id in &ids {
        let r = FailureLog::get(&records, id).await.unwrap().unwrap();
        assert_eq!(r.kind, ErrorKind::Permanent);
        reasons.push(r.error);
    }
    assert!(reasons[0].starts_with("invalid field data.filters.statuses[1]"), "{}", reasons[0]);
    assert_eq!(reasons[1], "invalid field data.filters.created_to: is before created_from");
    assert!(reasons[2].starts_with("invalid field data.format"), "{}", reasons[2]);
    assert!(report_keys(&stack).await.is_empty());
    assert_eq!(open_uploads(&stack).await, 0);
}

#[tokio::test]
async fn empty_result_still_makes_a_valid_file_with_its_header() {
    let stack = Stack::new("report-empty").await;
    seed(&stack).await;
    let f = AwsReport::from_aws(&stack.aws, stack.report_config_with(&[]));
    let job = request(&stack, "empty", ReportFormat::Csv, false, filters(&["no-such-company"], &[]));
    assert!(run(&stack, &f, &[job.to_body()]).await.is_empty());
    let outcome = records(&stack).get_report(&format!("{}-empty", stack.name)).await.unwrap().unwrap().outcome.unwrap();
    assert_eq!(outcome.rows, 0);
    let body = String::from_utf8(object(&stack, &outcome.key).await).unwrap();
    assert!(body.starts_with("number,id,subject,status,priority,"), "{body}");
    assert_eq!(body.matches("\r\n").count(), 1, "the header row only: {body:?}");
}
