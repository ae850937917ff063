//! The local stack against the emulator: the template deployed into moto is the production
//! topology, and the runner's mapping player, the DLQ commands and bulk sending behave as they
//! would on AWS. notify runs in process here (the runner's `Invoker` seam); `scripts/demo`
//! runs the same path with every function under `cargo lambda watch`.

use std::path::PathBuf;
use std::process::Command;

use aws_lambda_events::event::sqs::SqsEvent;
use aws_sdk_sqs::types::QueueAttributeName;
use deskbell_integration::{Emulator, workspace};
use deskbell_notify::{AwsNotify, NotifyConfig};
use deskbell_runtime::Env;
use deskbell_tools::context::{QueueKind, Stack};
use deskbell_tools::invoke::{InvokeError, Invoker};
use deskbell_tools::mappings::poll_once;
use deskbell_tools::schedule::Expression;
use deskbell_tools::topology::Topology;
use deskbell_tools::{dlq, send};
use lambda_runtime::{Context, LambdaEvent};
use serde_json::Value;

/// Deploys infra/template.yaml into the emulator as stack `name`; answers its topology file.
fn deploy(name: &str) -> (Topology, PathBuf) {
    let emulator = Emulator::get();
    let root = workspace();
    let out = std::env::temp_dir().join(format!("deskbell-{name}-{}.json", std::process::id()));
    let status = Command::new(root.join(".venv/bin/python"))
        .current_dir(&root)
        .arg("scripts/deploy-local-stack.py")
        .arg(&emulator.endpoint)
        .arg(&out)
        .args(["--stack", name])
        .status()
        .expect("deploy-local-stack.py runs");
    assert!(status.success(), "deploying the template failed");
    (Topology::load(&out).expect("topology written"), out)
}

fn unique(test: &str) -> String {
    let id = ulid::Ulid::new().to_string().to_lowercase();
    format!("{test}-{}", &id[id.len() - 6..])
}

/// notify, in process, configured from the deployed function's environment.
struct InProcessNotify(AwsNotify);

impl InProcessNotify {
    async fn new(topology: &Topology, overrides: &[(&str, String)]) -> Self {
        let env = topology.functions["notify"].env.clone();
        let lookup = |name: &str| {
            overrides.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()).or_else(|| env.get(name).cloned())
        };
        let config = NotifyConfig::from_env(&Env::from_fn(lookup)).expect("notify's deployed configuration");
        let aws = deskbell_runtime::emulator_config(topology.local_endpoint().unwrap()).await;
        InProcessNotify(AwsNotify::from_aws(&aws, config))
    }
}

impl Invoker for InProcessNotify {
    async fn invoke(&self, function: &str, payload: &Value) -> Result<Value, InvokeError> {
        assert_eq!(function, "notify");
        let event: SqsEvent = serde_json::from_value(payload.clone()).expect("the runner sends an SqsEvent");
        let response = self
            .0
            .handle(LambdaEvent::new(event, Context::default()))
            .await
            .map_err(|e| InvokeError::Failed { function: function.into(), message: e.to_string() })?;
        Ok(serde_json::to_value(response).expect("SqsBatchResponse serialises"))
    }
}

fn welcome(user: &str, domain: &str) -> String {
    let data = format!(
        r#"{{"user":{{"id":"{user}","email":"{user}@{domain}","name":"User {user}","locale":"en","role":"customer"}}}}"#
    );
    send::envelope("user.welcome", &data, Some(&format!("welcome-{user}-{domain}"))).unwrap()
}

fn deskbell(topology: &PathBuf, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_deskbell"))
        .arg("--topology")
        .arg(topology)
        .args(args)
        .output()
        .expect("deskbell runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[tokio::test]
async fn deployed_template_is_the_production_topology() {
    let name = unique("topology");
    let (topology, path) = deploy(&name);
    let stack = Stack::connect_local(&path).await.unwrap();

    // One queue per kind of work, each with its DLQ through a redrive policy.
    let functions: Vec<&str> = topology.mappings.iter().map(|m| m.function.as_str()).collect();
    assert_eq!(functions, vec!["notify", "report"], "{:?}", topology.mappings);
    for m in &topology.mappings {
        assert!(m.report_batch_item_failures, "{}: ReportBatchItemFailures", m.queue_name);
        assert!(m.max_receive_count >= 5, "{}: maxReceiveCount {}", m.queue_name, m.max_receive_count);
        let timeout = topology.functions[&m.function].timeout_secs;
        assert!(
            u64::from(m.visibility_timeout_secs) >= 6 * timeout,
            "{}: visibility vs timeout {timeout}",
            m.queue_name
        );
        assert!(m.maximum_concurrency >= 1 && m.batch_size >= 1);
        let dlq = m.dlq_url.as_deref().expect("a DLQ");
        let attrs = stack
            .sqs
            .get_queue_attributes()
            .queue_url(dlq)
            .attribute_names(QueueAttributeName::MessageRetentionPeriod)
            .send()
            .await
            .unwrap();
        let retention = attrs.attributes().unwrap()[&QueueAttributeName::MessageRetentionPeriod].clone();
        assert_eq!(retention, "1209600", "{dlq}: DLQ kept 14 days");
        // The queue and its DLQ take exactly the bodies the contract accepts.
        for url in [m.queue_url.as_str(), dlq] {
            let attrs = stack
                .sqs
                .get_queue_attributes()
                .queue_url(url)
                .attribute_names(QueueAttributeName::MaximumMessageSize)
                .send()
                .await
                .unwrap();
            let size = attrs.attributes().unwrap()[&QueueAttributeName::MaximumMessageSize].clone();
            assert_eq!(size, deskbell_contract::MAX_BODY_BYTES.to_string(), "{url}: MaximumMessageSize");
        }
    }
    // Every function is deployed; the scheduled ones have the schedules of the template, each
    // an expression the runner can play.
    let deployed: Vec<&str> = topology.functions.keys().map(String::as_str).collect();
    assert_eq!(deployed, vec!["cleanup", "health", "inbox", "notify", "push", "report", "stats"]);
    let mut schedules: Vec<(&str, &str)> =
        topology.schedules.iter().map(|s| (s.function.as_str(), s.expression.as_str())).collect();
    schedules.sort();
    assert_eq!(
        schedules,
        vec![
            ("cleanup", "cron(15 3 * * ? *)"),
            ("health", "rate(5 minutes)"),
            ("stats", "cron(15 0 * * ? *)"),
            ("stats", "cron(30 0 ? * MON *)"),
        ]
    );
    for s in &topology.schedules {
        assert!(s.expression.parse::<Expression>().is_ok(), "{}: {}", s.name, s.expression);
        assert!(topology.functions.contains_key(&s.function), "{} targets {}", s.name, s.function);
    }

    // Tables: TTL on the records and the notifications, and the ticket store's two indexes.
    for output in ["JobsTableName", "NotificationsTableName"] {
        let table = &topology.outputs[output];
        let ttl = stack.dynamodb.describe_time_to_live().table_name(table).send().await.unwrap();
        let ttl = ttl.time_to_live_description().unwrap();
        assert_eq!(ttl.attribute_name(), Some("expires_at"), "{output}");
    }
    let tickets =
        stack.dynamodb.describe_table().table_name(&topology.outputs["TicketsTableName"]).send().await.unwrap();
    let mut indexes: Vec<&str> =
        tickets.table().unwrap().global_secondary_indexes().iter().filter_map(|i| i.index_name()).collect();
    indexes.sort();
    assert!(indexes.contains(&"by_company") && indexes.contains(&"by_created"), "{indexes:?}");

    // The reports bucket. (moto leaves a CloudFormation bucket's lifecycle, encryption and
    // policy out; cfn-lint and checkov check those in scripts/check-template.)
    let aws = deskbell_runtime::emulator_config(topology.local_endpoint().unwrap()).await;
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&aws).force_path_style(true).build());
    s3.head_bucket().bucket(&topology.outputs["ReportsBucketName"]).send().await.unwrap();
}

#[tokio::test]
async fn a_failing_message_reaches_the_dlq_through_the_mappings_and_is_processed_after_redrive() {
    let name = unique("redrive");
    let (topology, path) = deploy(&name);
    let stack = Stack::connect_local(&path).await.unwrap();
    let mapping = topology.mapping_of("notify").unwrap().clone();
    // The fault: a sender whose domain SES has not verified, so every send is refused.
    let sender_domain = format!("{name}.example.net");
    let notify =
        InProcessNotify::new(&topology, &[("DESKBELL_SENDER", format!("Helpdesk <help@{sender_domain}>"))]).await;
    let recipients = format!("{name}.example.org");
    send::enqueue(&stack, vec![(welcome("u1", &recipients), QueueKind::Notifications)], 1, |_| {}).await.unwrap();

    let mut deliveries = 0;
    // Released at once on every receive (permanent), so maxReceiveCount quick receives, and
    // the next receive moves it.
    for _ in 0..mapping.max_receive_count + 5 {
        let outcome = poll_once(&stack.sqs, &topology.region, &mapping, &notify, 1).await.unwrap();
        deliveries += outcome.received;
        assert_eq!(outcome.deleted, 0, "a refused send is never deleted");
        if stack.depth(stack.dlq_url(QueueKind::Notifications).unwrap()).await.unwrap().total() == 1 {
            break;
        }
    }
    assert_eq!(deliveries, mapping.max_receive_count as usize, "delivered maxReceiveCount times, then dead-lettered");

    let letters = dlq::list(&stack, QueueKind::Notifications).await.unwrap();
    assert_eq!(letters.len(), 1);
    let id = letters[0].message_id.clone();
    let (ok, shown) = deskbell(&path, &["dlq", "show", &id]);
    assert!(ok, "{shown}");
    let last = format!("permanent failure on attempt {}", mapping.max_receive_count);
    assert!(shown.contains(&last), "{shown}");
    assert!(shown.contains("not verified") && shown.contains("user.welcome"), "{shown}");

    // The fault is gone: the domain is verified. Redrive, and the mapping processes it.
    let ses = aws_sdk_sesv2::Client::new(&deskbell_runtime::emulator_config(topology.local_endpoint().unwrap()).await);
    ses.create_email_identity().email_identity(&sender_domain).send().await.unwrap();
    let (ok, redriven) = deskbell(&path, &["dlq", "redrive"]);
    assert!(ok && redriven.contains("redrove 1 message(s)"), "{redriven}");
    assert_eq!(stack.depth(stack.dlq_url(QueueKind::Notifications).unwrap()).await.unwrap().total(), 0);
    let outcome = poll_once(&stack.sqs, &topology.region, &mapping, &notify, 2).await.unwrap();
    assert_eq!((outcome.received, outcome.deleted), (1, 1), "{outcome:?}");
    let emails = Emulator::get().emails_to_domain(&recipients).await;
    assert_eq!(emails.len(), 1, "one email once the fault is gone");
    assert_eq!(stack.depth(&mapping.queue_url).await.unwrap().total(), 0);
}

#[tokio::test]
async fn bulk_send_of_a_thousand_jobs_is_enqueued_and_all_are_processed() {
    let name = unique("bulk");
    let (topology, path) = deploy(&name);
    let stack = Stack::connect_local(&path).await.unwrap();
    let sender_domain = format!("{name}.example.net");
    let ses = aws_sdk_sesv2::Client::new(&deskbell_runtime::emulator_config(topology.local_endpoint().unwrap()).await);
    ses.create_email_identity().email_identity(&sender_domain).send().await.unwrap();
    let notify =
        InProcessNotify::new(&topology, &[("DESKBELL_SENDER", format!("Helpdesk <help@{sender_domain}>"))]).await;
    let recipients = format!("{name}.example.org");
    let ndjson: String = (0..1000).map(|i| welcome(&format!("u{i}"), &recipients) + "\n").collect();
    let file = std::env::temp_dir().join(format!("deskbell-{name}.ndjson"));
    std::fs::write(&file, ndjson).unwrap();

    let (ok, out) = deskbell(&path, &["--json", "send", "--bulk", file.to_str().unwrap()]);
    assert!(ok, "{out}");
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(report["sent"], 1000, "{report}");
    println!("bulk: 1000 jobs enqueued in {:.3} s ({:.0} jobs/s)", report["seconds"], report["jobs_per_second"]);

    // Four pollers, as the runner runs for this mapping, until the queue is drained. What
    // holds under at-least-once delivery is asserted (every job's email sent once, queue and
    // DLQ empty), not how many records were processed: a record the loaded emulator answered
    // too slowly comes back after its back-off and is processed again.
    let mapping = topology.mapping_of("notify").unwrap().clone();
    let poller = || async {
        for _ in 0..400 {
            let outcome = poll_once(&stack.sqs, &topology.region, &mapping, &notify, 1).await.unwrap();
            if outcome.received == 0 && stack.depth(&mapping.queue_url).await.unwrap().total() == 0 {
                return true;
            }
        }
        false
    };
    let drained = futures::future::join_all((0..4).map(|_| poller())).await;
    assert!(drained.iter().any(|d| *d), "queue not drained: {:?}", stack.depth(&mapping.queue_url).await);
    assert_eq!(stack.depth(&mapping.queue_url).await.unwrap().total(), 0);
    let dlq = mapping.dlq_url.as_deref().expect("the notifications queue has a DLQ");
    assert_eq!(stack.depth(dlq).await.unwrap().total(), 0, "nothing dead-lettered");
    let emails = Emulator::get().emails_to_domain(&recipients).await;
    let mut to: Vec<String> = emails.iter().flat_map(|e| e.to.clone()).collect();
    to.sort();
    let mut expected: Vec<String> = (0..1000).map(|i| format!("u{i}@{recipients}")).collect();
    expected.sort();
    assert_eq!(to.len(), 1000, "one email per job");
    assert_eq!(to, expected, "every job's recipient got exactly its email");
}

#[tokio::test]
async fn an_invalid_job_is_refused_before_anything_is_sent() {
    let name = unique("invalid");
    let (_, path) = deploy(&name);
    let file = std::env::temp_dir().join(format!("deskbell-{name}.ndjson"));
    std::fs::write(
        &file,
        format!("{}\n{{\"id\":\"x\",\"type\":\"ticket.exploded\",\"version\":1}}\n", welcome("a", "example.org")),
    )
    .unwrap();
    let (ok, out) = deskbell(&path, &["send", "--bulk", file.to_str().unwrap()]);
    assert!(!ok);
    assert!(out.contains("line 2: ") && out.contains("nothing was sent"), "{out}");
    let stack = Stack::connect_local(&path).await.unwrap();
    let queue = stack.mapping(QueueKind::Notifications).unwrap().queue_url.clone();
    assert_eq!(stack.depth(&queue).await.unwrap().total(), 0);
}

/// The deployed topology file as JSON, for what only the template says (alarms, mappings).
fn template_facts(path: &PathBuf) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test]
async fn template_max_receive_count_outlasts_the_retry_window() {
    use deskbell_jobs::RetryPolicy;
    let name = unique("budget");
    let (topology, path) = deploy(&name);
    // The deployed queues: maxReceiveCount as the functions' own retry settings need it.
    for m in &topology.mappings {
        let env = topology.functions[&m.function].env.clone();
        let policy = RetryPolicy::from_env(&Env::from_fn(|n| env.get(n).cloned())).expect("retry settings");
        assert!(env.contains_key("DESKBELL_RETRY_WINDOW_SECS"), "{}: the template sets the window", m.function);
        assert!(policy.window_secs >= 3600, "{}: default window {} s", m.function, policy.window_secs);
        assert!(
            m.max_receive_count >= policy.max_receive_count(),
            "{}: maxReceiveCount {} < {} needed for {policy:?}",
            m.queue_name,
            m.max_receive_count,
            policy.max_receive_count()
        );
        println!(
            "{}: window {} s, back-off {}..{} s: {} receives fit, maxReceiveCount {}",
            m.queue_name,
            policy.window_secs,
            policy.base_secs,
            policy.max_secs,
            policy.receives_within_window(),
            m.max_receive_count
        );
    }
    // Every window the template allows, with the template's back-off.
    let notify = &topology.functions["notify"].env;
    let budget = template_facts(&path)["retry_budget"].clone();
    let rows = budget.as_object().expect("Mappings.RetryBudget");
    assert!(rows.len() >= 2, "{budget}");
    for (window, row) in rows {
        let secs: u32 = row["WindowSecs"].as_str().unwrap().parse().unwrap();
        let count: u32 = row["MaxReceiveCount"].as_str().unwrap().parse().unwrap();
        let policy = RetryPolicy {
            base_secs: notify["DESKBELL_RETRY_BASE_SECS"].parse().unwrap(),
            max_secs: notify["DESKBELL_RETRY_MAX_SECS"].parse().unwrap(),
            window_secs: secs,
        };
        assert_eq!(count, policy.max_receive_count(), "RetryBudget {window}: {policy:?}");
    }
}

#[tokio::test]
async fn template_alarms_read_the_metrics_the_job_core_emits() {
    use deskbell_jobs::metrics::{FAILED, NAMESPACE, QUEUE_DIMENSION, RECORDS};
    let name = unique("alarms");
    let (_, path) = deploy(&name);
    let alarms = template_facts(&path)["alarms"].as_object().expect("alarms").clone();
    let metrics = |alarm: &Value| -> Vec<Value> {
        match alarm.get("Metrics") {
            Some(list) => {
                list.as_array().unwrap().iter().filter_map(|m| m["MetricStat"].get("Metric").cloned()).collect()
            }
            None => vec![alarm.clone()],
        }
    };
    let queue_of = |metric: &Value, dimension: &str| -> Option<String> {
        let dims = metric["Dimensions"].as_array()?;
        let d = dims.iter().find(|d| d["Name"] == dimension)?;
        d["Value"]["Fn::GetAtt"][0].as_str().map(str::to_owned)
    };
    // Failure rate: the job core's Failed / Records per queue, over 1 %.
    for queue in ["NotificationsQueue", "ReportsQueue"] {
        let found = alarms.values().any(|a| {
            let ms = metrics(a);
            let names: Vec<&str> = ms.iter().filter_map(|m| m["MetricName"].as_str()).collect();
            a["Threshold"] == 1
                && names.contains(&FAILED)
                && names.contains(&RECORDS)
                && ms
                    .iter()
                    .all(|m| m["Namespace"] == NAMESPACE && queue_of(m, QUEUE_DIMENSION).as_deref() == Some(queue))
                && a["Metrics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|m| m["Expression"].as_str().is_some_and(|e| e.contains("failed / records")))
        });
        assert!(found, "no failure-rate alarm on the record metrics of {queue}");
    }
    // Every alarm in the deskbell namespace names a metric the job core emits, by its queue.
    for (logical, a) in &alarms {
        for m in metrics(a).iter().filter(|m| m["Namespace"] == NAMESPACE) {
            assert!([FAILED, RECORDS].contains(&m["MetricName"].as_str().unwrap()), "{logical}: {m}");
            assert!(queue_of(m, QUEUE_DIMENSION).is_some(), "{logical}: dimension {QUEUE_DIMENSION}: {m}");
        }
    }
    // DLQ not empty, oldest message over an hour: SQS's own metrics.
    let sqs_alarm = |metric: &str, queue: &str, threshold: u64| {
        alarms.values().any(|a| {
            a["Namespace"] == "AWS/SQS"
                && a["MetricName"] == metric
                && a["Threshold"] == threshold
                && a["Dimensions"][0]["Value"]["Fn::GetAtt"][0] == queue
        })
    };
    for dlq in ["NotificationsDLQ", "ReportsDLQ"] {
        assert!(sqs_alarm("ApproximateNumberOfMessagesVisible", dlq, 0), "{dlq} not-empty alarm");
    }
    for queue in ["NotificationsQueue", "ReportsQueue"] {
        assert!(sqs_alarm("ApproximateAgeOfOldestMessage", queue, 3600), "{queue} age alarm");
    }
}
