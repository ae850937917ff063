//! The body limit is the queues' limit: every SQS queue of `infra/template.yaml` sets
//! `MaximumMessageSize` to [`deskbell_contract::MAX_BODY_BYTES`], so a body the contract
//! accepts is one every queue takes, and nothing a queue takes is refused as too large.
//!
//! (`tools/tests/local_stack.rs` checks the same attribute on the queues the template creates
//! in the emulator.)

use std::path::Path;

/// `(resource name, MaximumMessageSize)` of every `AWS::SQS::Queue` in the template, read from
/// its text: resources are the two-space-indented keys under `Resources:`.
fn queues(template: &str) -> Vec<(String, Option<usize>)> {
    let mut queues = Vec::new();
    let mut current: Option<(String, bool, Option<usize>)> = None;
    let mut in_resources = false;
    let mut flush = |c: &mut Option<(String, bool, Option<usize>)>| {
        if let Some((name, true, size)) = c.take() {
            queues.push((name, size));
        }
    };
    for line in template.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() && !line.starts_with('#') {
            flush(&mut current);
            in_resources = line.trim_end() == "Resources:";
            continue;
        }
        if !in_resources {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let text = line.split(" #").next().unwrap_or_default().trim();
        if indent == 2 && text.ends_with(':') {
            flush(&mut current);
            current = Some((text.trim_end_matches(':').to_owned(), false, None));
        } else if let Some((_, is_queue, size)) = current.as_mut() {
            if text == "Type: AWS::SQS::Queue" {
                *is_queue = true;
            } else if let Some(n) = text.strip_prefix("MaximumMessageSize:") {
                *size = n.trim().parse().ok();
            }
        }
    }
    flush(&mut current);
    queues
}

#[test]
fn every_queue_takes_exactly_the_contract_body_limit() {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../infra/template.yaml"));
    let template = std::fs::read_to_string(path).unwrap();
    let queues = queues(&template);
    let names: Vec<&str> = queues.iter().map(|(n, _)| n.as_str()).collect();
    for expected in ["NotificationsQueue", "NotificationsDLQ", "ReportsQueue", "ReportsDLQ"] {
        assert!(names.contains(&expected), "{expected} not found among the template's queues {names:?}");
    }
    for (name, size) in &queues {
        assert_eq!(*size, Some(deskbell_contract::MAX_BODY_BYTES), "{name}: MaximumMessageSize");
    }
}

#[test]
fn the_reader_sees_a_queue_without_the_setting() {
    let template = "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 1\n  B:\n    Type: AWS::SQS::Queue\n    Properties:\n      MaximumMessageSize: 1024 # small\n  C:\n    Type: AWS::S3::Bucket\nOutputs:\n  X:\n    Value: 1\n";
    assert_eq!(queues(template), vec![("A".to_owned(), None), ("B".to_owned(), Some(1024))]);
}
