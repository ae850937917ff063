//! The deployed local stack, as `scripts/deploy-local-stack.py` read it back from the emulator:
//! each function's binary and environment, the SQS event source mappings, the schedules and the
//! stack's outputs.

use std::collections::BTreeMap;
use std::path::Path;

use deskbell_contract::Queue;
use serde::Deserialize;

/// The default place of the topology file, relative to the workspace.
pub const DEFAULT_PATH: &str = ".local/stack.json";

/// Everything the runner and the CLI need to know about the deployed stack.
#[derive(Debug, Clone, Deserialize)]
pub struct Topology {
    /// The emulator's endpoint (`http://127.0.0.1:4566`); `None` for a stack in AWS.
    #[serde(default)]
    pub endpoint: Option<String>,
    pub region: String,
    pub stack: String,
    /// CloudFormation outputs by key (`NotificationsQueueUrl`, `JobsTableName`, …).
    pub outputs: BTreeMap<String, String>,
    /// Functions by binary name (`notify`).
    pub functions: BTreeMap<String, Function>,
    pub mappings: Vec<Mapping>,
    pub schedules: Vec<Schedule>,
}

/// One deployed function.
#[derive(Debug, Clone, Deserialize)]
pub struct Function {
    pub logical_id: String,
    pub function_name: String,
    pub timeout_secs: u64,
    /// Its environment as deployed (references resolved).
    pub env: BTreeMap<String, String>,
}

/// One SQS event source mapping, with what the runner needs of its queue.
#[derive(Debug, Clone, Deserialize)]
pub struct Mapping {
    /// The function's binary name.
    pub function: String,
    pub queue_name: String,
    pub queue_arn: String,
    pub queue_url: String,
    pub dlq_url: Option<String>,
    pub max_receive_count: u32,
    pub visibility_timeout_secs: u32,
    pub batch_size: u32,
    pub report_batch_item_failures: bool,
    pub maximum_concurrency: u32,
}

/// One EventBridge schedule targeting a function.
#[derive(Debug, Clone, Deserialize)]
pub struct Schedule {
    pub name: String,
    pub arn: String,
    pub function: String,
    /// `rate(5 minutes)` or `cron(0 6 * * ? *)`.
    pub expression: String,
    pub enabled: bool,
    /// The target's constant input, which replaces the scheduled event when set.
    pub input: Option<serde_json::Value>,
}

/// The topology file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TopologyError {
    #[error("{path}: {source} (is the local stack deployed? run scripts/stack)")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: not a deployed topology: {source}")]
    Parse { path: String, source: serde_json::Error },
    #[error("only the local stack records mail and runs functions here; this command does not work with --aws")]
    NotLocal,
}

impl Topology {
    /// Reads a topology file.
    pub fn load(path: &Path) -> Result<Topology, TopologyError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| TopologyError::Read { path: path.display().to_string(), source })?;
        serde_json::from_str(&text).map_err(|source| TopologyError::Parse { path: path.display().to_string(), source })
    }

    /// A stack deployed in AWS, from its CloudFormation outputs: what the CLI needs of each
    /// queue (URL, ARN, DLQ) and the tables. Mapping settings are not outputs: they keep
    /// Lambda's defaults here, and only the local runner uses them.
    pub fn from_outputs(stack: &str, region: &str, outputs: BTreeMap<String, String>) -> Topology {
        // The template's outputs are named after the queue: NotificationsQueueUrl, …
        let mappings = [(Queue::Notifications, "Notifications"), (Queue::Reports, "Reports")]
            .into_iter()
            .filter_map(|(queue, kind)| {
                let queue_url = outputs.get(&format!("{kind}QueueUrl"))?.clone();
                let queue_name = queue_url.rsplit('/').next().unwrap_or_default().to_owned();
                // https://sqs.REGION.amazonaws.com/ACCOUNT/NAME -> arn:aws:sqs:REGION:ACCOUNT:NAME
                let account = queue_url.rsplit('/').nth(1).unwrap_or_default();
                Some(Mapping {
                    function: queue.function().to_owned(),
                    queue_arn: format!("arn:aws:sqs:{region}:{account}:{queue_name}"),
                    queue_name,
                    queue_url,
                    dlq_url: outputs.get(&format!("{kind}DLQUrl")).cloned(),
                    max_receive_count: 5,
                    visibility_timeout_secs: 30,
                    batch_size: 10,
                    report_batch_item_failures: true,
                    maximum_concurrency: 2,
                })
            })
            .collect();
        Topology {
            endpoint: None,
            region: region.to_owned(),
            stack: stack.to_owned(),
            outputs,
            functions: BTreeMap::new(),
            mappings,
            schedules: vec![],
        }
    }

    /// The emulator's endpoint, for what only exists locally (the mail SES recorded).
    pub fn local_endpoint(&self) -> Result<&str, TopologyError> {
        self.endpoint.as_deref().ok_or(TopologyError::NotLocal)
    }

    /// The mapping that feeds `function`, if any.
    pub fn mapping_of(&self, function: &str) -> Option<&Mapping> {
        self.mappings.iter().find(|m| m.function == function)
    }

    /// The environment `cargo lambda watch` serves every function with: the union of the
    /// deployed functions' variables. A name two functions set differently is left out (each
    /// function then uses its default) and reported.
    pub fn watch_env(&self) -> (BTreeMap<String, String>, Vec<String>) {
        let mut env = BTreeMap::new();
        let mut conflicts = Vec::new();
        for function in self.functions.values() {
            for (k, v) in &function.env {
                match env.get(k) {
                    Some(existing) if existing != v => conflicts.push(k.clone()),
                    _ => {
                        env.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        conflicts.sort();
        conflicts.dedup();
        for k in &conflicts {
            env.remove(k);
        }
        (env, conflicts)
    }
}

/// Runs `deskbell stack env`: prints, as `export` lines for a shell to `eval`, what
/// `cargo lambda watch` needs to serve the functions against the local stack of `topology` (the
/// emulator's endpoint and region, test credentials, then [`Topology::watch_env`]), and names
/// each variable left out on stderr.
pub fn print_env(topology: &Topology) -> Result<(), TopologyError> {
    let (env, conflicts) = topology.watch_env();
    for k in conflicts {
        eprintln!("deskbell: {k} differs between functions: left to each function's default");
    }
    for (k, v) in [("AWS_ENDPOINT_URL", topology.local_endpoint()?), ("AWS_REGION", topology.region.as_str())]
        .into_iter()
        .chain([("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test")])
        .chain(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    {
        println!("export {k}='{}'", v.replace('\'', r"'\''"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topology(functions: &[(&str, &[(&str, &str)])]) -> Topology {
        Topology {
            endpoint: Some("http://127.0.0.1:1".into()),
            region: "eu-west-1".into(),
            stack: "deskbell".into(),
            outputs: BTreeMap::new(),
            functions: functions
                .iter()
                .map(|(name, env)| {
                    let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
                    (
                        name.to_string(),
                        Function {
                            logical_id: name.to_string(),
                            function_name: name.to_string(),
                            timeout_secs: 30,
                            env,
                        },
                    )
                })
                .collect(),
            mappings: vec![],
            schedules: vec![],
        }
    }

    #[test]
    fn a_stack_in_aws_is_read_from_its_outputs() {
        let outputs = [
            ("NotificationsQueueUrl", "https://sqs.eu-west-1.amazonaws.com/111122223333/deskbell-NotificationsQueue-A"),
            ("NotificationsDLQUrl", "https://sqs.eu-west-1.amazonaws.com/111122223333/deskbell-NotificationsDLQ-B"),
            ("JobsTableName", "deskbell-JobsTable-C"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .into();
        let t = Topology::from_outputs("deskbell", "eu-west-1", outputs);
        assert_eq!(t.mappings.len(), 1, "no reports queue in the outputs: no mapping for it");
        let m = t.mapping_of("notify").unwrap();
        assert_eq!(m.queue_arn, "arn:aws:sqs:eu-west-1:111122223333:deskbell-NotificationsQueue-A");
        assert_eq!(
            m.dlq_url.as_deref(),
            Some("https://sqs.eu-west-1.amazonaws.com/111122223333/deskbell-NotificationsDLQ-B")
        );
        assert!(matches!(t.local_endpoint(), Err(TopologyError::NotLocal)));
    }

    #[test]
    fn watch_env_is_the_union_without_conflicting_names() {
        let t = topology(&[("notify", &[("A", "1"), ("B", "x")]), ("report", &[("A", "1"), ("B", "y"), ("C", "2")])]);
        let (env, conflicts) = t.watch_env();
        assert_eq!(env.into_iter().collect::<Vec<_>>(), vec![("A".into(), "1".into()), ("C".into(), "2".into())]);
        assert_eq!(conflicts, vec!["B".to_string()]);
    }
}
