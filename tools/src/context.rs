//! What a CLI command talks to: the [`Stack`] it works on (the local one, from its topology file
//! and the emulator, or one deployed in AWS, from its CloudFormation outputs), and the errors
//! every command shares.

use std::path::Path;

use clap::ValueEnum;
use deskbell_contract::{JobType, Queue};
pub use deskbell_jobs::QueueDepth;
use deskbell_jobs::{QueueDepths, SqsQueueDepths};

use crate::topology::{Mapping, Topology, TopologyError};

/// A command that could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Topology(#[from] TopologyError),
    #[error("{0}")]
    Invalid(String),
    #[error("{resource}: {operation}: {message}")]
    Aws { resource: String, operation: &'static str, message: String },
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

impl CliError {
    pub fn aws<E, R>(resource: &str, operation: &'static str, err: &aws_sdk_sqs::error::SdkError<E, R>) -> Self
    where
        E: aws_sdk_sqs::error::ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        let message = match err.as_service_error() {
            Some(e) => format!("{}: {}", e.code().unwrap_or("error"), e.message().unwrap_or_default()),
            None => format!("{err}"),
        };
        CliError::Aws { resource: resource.to_owned(), operation, message }
    }
}

/// The kinds of work, each with its queue and DLQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueueKind {
    /// Emails and in-app notifications (notify).
    Notifications,
    /// Ticket reports (report).
    Reports,
}

impl QueueKind {
    /// The contract's queue this names.
    pub fn queue(self) -> Queue {
        match self {
            QueueKind::Notifications => Queue::Notifications,
            QueueKind::Reports => Queue::Reports,
        }
    }

    /// The function the queue feeds.
    pub fn function(self) -> &'static str {
        self.queue().function()
    }

    /// The queue a job of this type belongs on ([`JobType::queue`]); a body of no known type
    /// goes to the notifications queue, whose function refuses it with its reason.
    pub fn of(job_type: Option<JobType>) -> QueueKind {
        QueueKind::from(job_type.map_or(Queue::Notifications, JobType::queue))
    }
}

impl From<Queue> for QueueKind {
    fn from(queue: Queue) -> Self {
        match queue {
            Queue::Notifications => QueueKind::Notifications,
            Queue::Reports => QueueKind::Reports,
        }
    }
}

/// The stack a command works on, local (by default) or deployed in AWS: its topology and the
/// clients built once for it.
pub struct Stack {
    pub topology: Topology,
    pub sqs: aws_sdk_sqs::Client,
    pub dynamodb: aws_sdk_dynamodb::Client,
}

impl Stack {
    /// The local stack: reads the topology at `path` and connects to its emulator.
    pub async fn connect_local(path: &Path) -> Result<Stack, CliError> {
        let topology = Topology::load(path)?;
        let aws = deskbell_runtime::emulator_config(topology.local_endpoint()?).await;
        Ok(Stack { sqs: aws_sdk_sqs::Client::new(&aws), dynamodb: aws_sdk_dynamodb::Client::new(&aws), topology })
    }

    /// The stack named `stack_name` deployed in AWS, with the standard credential chain (and
    /// `profile` / `region` when given), reading its queues and tables from its outputs.
    pub async fn connect_aws(stack_name: &str, profile: Option<&str>, region: Option<&str>) -> Result<Stack, CliError> {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
        if let Some(profile) = profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = region {
            loader = loader.region(aws_config::Region::new(region.to_owned()));
        }
        let aws = loader.load().await;
        let region = aws.region().map(|r| r.to_string()).ok_or_else(|| {
            CliError::Invalid("no AWS region: pass --region or set AWS_REGION / the profile's region".into())
        })?;
        let cfn = aws_sdk_cloudformation::Client::new(&aws);
        let out = cfn
            .describe_stacks()
            .stack_name(stack_name)
            .send()
            .await
            .map_err(|e| CliError::aws(stack_name, "describe stack", &e))?;
        let outputs = out
            .stacks()
            .first()
            .map(|s| {
                s.outputs()
                    .iter()
                    .filter_map(|o| Some((o.output_key()?.to_owned(), o.output_value()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        let topology = Topology::from_outputs(stack_name, &region, outputs);
        Ok(Stack { sqs: aws_sdk_sqs::Client::new(&aws), dynamodb: aws_sdk_dynamodb::Client::new(&aws), topology })
    }

    /// The mapping (queue, DLQ, function) of a kind of work.
    pub fn mapping(&self, kind: QueueKind) -> Result<&Mapping, CliError> {
        self.topology
            .mapping_of(kind.function())
            .ok_or_else(|| CliError::Invalid(format!("the deployed stack has no queue feeding {}", kind.function())))
    }

    /// The DLQ of a kind of work.
    pub fn dlq_url(&self, kind: QueueKind) -> Result<&str, CliError> {
        self.mapping(kind)?
            .dlq_url
            .as_deref()
            .ok_or_else(|| CliError::Invalid(format!("the {kind:?} queue has no redrive policy")))
    }

    /// A stack output (`JobsTableName`).
    pub fn output(&self, key: &str) -> Result<&str, CliError> {
        self.topology
            .outputs
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| CliError::Invalid(format!("the deployed stack has no output {key}")))
    }

    /// Messages visible, in flight and delayed in the queue at `url` (the health check's reader).
    pub async fn depth(&self, url: &str) -> Result<QueueDepth, CliError> {
        SqsQueueDepths::new(self.sqs.clone()).depth(url).await.map_err(|e| CliError::Invalid(e.to_string()))
    }
}

/// Reads a file, naming it in the error.
pub fn read(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|source| CliError::Io { path: path.display().to_string(), source })
}
