//! The command line: what each command takes (its arguments and `--help`), and which module
//! runs it. Each command's module does the work and prints its output; [`run`] only picks it.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::context::{CliError, QueueKind, Stack};
use crate::invoke::CargoLambda;
use crate::topology::{self, DEFAULT_PATH, Topology};
use crate::{demo, dlq, mail, notifications, runner, schedule, seed, send, stats};

const EXAMPLES: &str = "\
Examples:
  deskbell send events/sqs/ticket.assigned.json       send a sample (validated first)
  deskbell send --type user.welcome --data '{\"user\": {...}}'
  deskbell send --bulk jobs.ndjson                    1 job a line, SendMessageBatch, concurrent
  deskbell stats                                      queue depths, in flight, DLQ depths
  deskbell seed --tickets 500                         demo tickets, sent as jobs
  deskbell dlq list                                   dead letters with their failure reasons
  deskbell dlq show MESSAGE_ID --queue reports
  deskbell dlq redrive                                back to the source queue
  deskbell notifications --user usr_priya_raman list --unread
  deskbell notifications --user usr_priya_raman read-all
  deskbell mail list                                  emails the local SES recorded
  deskbell schedule fire cleanup --detail '{\"dry_run\": true}'   run a scheduled function now
  deskbell stack run                                  play the mappings and schedules (scripts/stack does it)

Every command works on the local stack by default (.local/stack.json, which scripts/stack
writes); with --aws [--profile P] [--region R] [--stack-name deskbell] on the stack deployed in AWS:
  deskbell --aws --profile prod dlq list --queue reports
Add --json for output a script can read.";

/// deskbell: send jobs, read and redrive dead letters, and run the local stack.
#[derive(Debug, Parser)]
#[command(name = "deskbell", version, after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    pub target: Target,
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Send jobs: a file (an envelope, or a sample SQS event of events/sqs/), flags, or NDJSON in bulk.
    Send(SendArgs),
    /// Dead-letter queues: list, show, redrive, purge.
    Dlq {
        #[command(subcommand)]
        action: DlqAction,
    },
    /// One user's in-app notifications: list, count, read, unread, read-all, delete.
    Notifications {
        /// The user (the id the app puts in jobs and tokens' `sub`).
        #[arg(long)]
        user: String,
        #[command(subcommand)]
        action: NotificationsAction,
    },
    /// The emails the local SES recorded.
    Mail {
        #[command(subcommand)]
        action: MailAction,
    },
    /// Queue depths: waiting, in flight, delayed, and each DLQ.
    Stats,
    /// Send realistic demo tickets (opened over the last 30 days, some solved) as jobs.
    Seed {
        /// How many tickets.
        #[arg(long, default_value_t = 100)]
        tickets: u64,
        /// The same seed gives the same tickets (and the same job ids: re-seeding is idempotent).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The domain of every generated address.
        #[arg(long, default_value = "example.com")]
        domain: String,
    },
    /// EventBridge schedules of the stack.
    Schedule {
        #[command(subcommand)]
        action: ScheduleAction,
    },
    /// The local stack's runner.
    Stack {
        #[command(subcommand)]
        action: StackAction,
    },
    /// Send the SQS samples of events/sqs/ through the running local stack and show what happened.
    Demo {
        #[arg(long, default_value = "events/sqs")]
        events: PathBuf,
        /// Where the emails are saved as HTML.
        #[arg(long, default_value = ".local/mail")]
        mail_dir: PathBuf,
        /// How long to wait for the queues to drain, in seconds.
        #[arg(long, default_value_t = 300)]
        timeout: u64,
        /// `cargo lambda watch`, for the scheduled functions the demo fires.
        #[arg(long, default_value = "http://127.0.0.1:9000", env = "DESKBELL_LAMBDA_URL")]
        lambda: String,
    },
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// A job file: one envelope, or an SQS event whose records' bodies are envelopes.
    #[arg(conflicts_with_all = ["job_type", "bulk"])]
    pub file: Option<PathBuf>,
    /// The job type of a job given by flags (with --data).
    #[arg(long = "type", requires = "data")]
    pub job_type: Option<String>,
    /// The job's data, as JSON (with --type).
    #[arg(long, requires = "job_type")]
    pub data: Option<String>,
    /// The job id (default: a new ULID).
    #[arg(long, requires = "job_type")]
    pub id: Option<String>,
    /// An NDJSON file of envelopes, one a line: validated, then sent with SendMessageBatch.
    #[arg(long, conflicts_with = "job_type")]
    pub bulk: Option<PathBuf>,
    /// SendMessageBatch calls in flight at once (bulk).
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
}

#[derive(Debug, Subcommand)]
pub enum DlqAction {
    /// Every dead letter with its recorded failure reason.
    List(QueueArg),
    /// One dead letter: its body and full failure reason.
    Show {
        message_id: String,
        #[command(flatten)]
        queue: QueueArg,
    },
    /// Move every dead letter back to its source queue.
    Redrive(QueueArg),
    /// Delete every dead letter.
    Purge {
        #[command(flatten)]
        queue: QueueArg,
        /// Really delete them.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Args)]
pub struct QueueArg {
    /// Which kind of work's DLQ.
    #[arg(long, value_enum, default_value = "notifications")]
    pub queue: QueueKind,
}

#[derive(Debug, Subcommand)]
pub enum NotificationsAction {
    /// Newest first, a page at a time.
    List {
        /// Notifications per page, 1 to 100 (default 20).
        #[arg(long)]
        limit: Option<String>,
        /// Only the unread ones.
        #[arg(long)]
        unread: bool,
        /// The next_cursor of the previous page.
        #[arg(long)]
        cursor: Option<String>,
    },
    /// The unread count (the bell).
    Count,
    /// Mark one read.
    Read { id: String },
    /// Mark one unread.
    Unread { id: String },
    /// Mark every unread one read.
    ReadAll,
    /// Delete one.
    Delete { id: String },
}

#[derive(Debug, Subcommand)]
pub enum MailAction {
    /// Every recorded email.
    List,
    /// Save one email's HTML and print its path (NUMBER from `mail list`).
    Open {
        number: usize,
        #[arg(long, default_value = ".local/mail")]
        dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ScheduleAction {
    /// The schedules and the functions they run.
    List,
    /// Run a schedule's function now, with the event EventBridge would send.
    Fire {
        /// The schedule's name, its function's (`cleanup`), or a part of the name
        /// (`StatsFunctionWeekly`), as long as it names one schedule.
        name: String,
        /// JSON that replaces the event's `detail` (e.g. '{"dry_run": true}').
        #[arg(long)]
        detail: Option<String>,
        #[arg(long, default_value = "http://127.0.0.1:9000", env = "DESKBELL_LAMBDA_URL")]
        lambda: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum StackAction {
    /// Poll every mapped queue and fire every schedule against `cargo lambda watch`, until Ctrl-C.
    Run {
        #[arg(long, default_value = "http://127.0.0.1:9000", env = "DESKBELL_LAMBDA_URL")]
        lambda: String,
    },
    /// Print the functions' environment as `export` lines, for `cargo lambda watch`.
    Env,
}

/// Which stack a command works on.
#[derive(Debug, Args)]
pub struct Target {
    /// The local stack's topology (written by scripts/stack).
    #[arg(long, global = true, default_value = DEFAULT_PATH, env = "DESKBELL_TOPOLOGY")]
    pub topology: PathBuf,
    /// Work on the stack deployed in AWS (its CloudFormation outputs) instead of the local one.
    #[arg(long, global = true)]
    pub aws: bool,
    /// The AWS stack's name (with --aws).
    #[arg(long = "stack-name", global = true, default_value = "deskbell", requires = "aws")]
    pub stack_name: String,
    /// AWS profile (with --aws; default: the standard credential chain).
    #[arg(long, global = true, requires = "aws")]
    pub profile: Option<String>,
    /// AWS region (with --aws; default: AWS_REGION or the profile's).
    #[arg(long, global = true, requires = "aws")]
    pub region: Option<String>,
}

impl Target {
    /// The local stack's topology, for what only exists locally (mail, schedules, `stack env`).
    fn local_topology(&self) -> Result<Topology, CliError> {
        if self.aws {
            return Err(topology::TopologyError::NotLocal.into());
        }
        Ok(Topology::load(&self.topology)?)
    }

    /// The local stack, connected, for what plays AWS's part locally (the runner, the demo):
    /// refused with `--aws`, whose queues it would otherwise poll and delete from.
    async fn connect_local(&self) -> Result<Stack, CliError> {
        if self.aws {
            return Err(topology::TopologyError::NotLocal.into());
        }
        self.connect().await
    }

    /// The stack this invocation works on.
    async fn connect(&self) -> Result<Stack, CliError> {
        if self.aws {
            Stack::connect_aws(&self.stack_name, self.profile.as_deref(), self.region.as_deref()).await
        } else {
            Stack::connect_local(&self.topology).await
        }
    }
}

impl From<NotificationsAction> for notifications::Action {
    fn from(action: NotificationsAction) -> Self {
        use notifications::Action;
        match action {
            NotificationsAction::List { limit, unread, cursor } => Action::List { limit, unread, cursor },
            NotificationsAction::Count => Action::Count,
            NotificationsAction::Read { id } => Action::Read { id },
            NotificationsAction::Unread { id } => Action::Unread { id },
            NotificationsAction::ReadAll => Action::ReadAll,
            NotificationsAction::Delete { id } => Action::Delete { id },
        }
    }
}

/// Runs a command through its module, on the stack `--topology` / `--aws` name (the local one
/// only, for what exists only there); answers the process exit code.
pub async fn run(cli: Cli) -> Result<i32, CliError> {
    let (target, json) = (&cli.target, cli.json);
    match cli.command {
        Command::Send(args) => send::command(&target.connect().await?, args, json).await,
        Command::Dlq { action } => dlq::command(&target.connect().await?, action, json).await,
        Command::Notifications { user, action } => {
            notifications::command(&target.connect().await?, &user, action.into(), json).await
        }
        Command::Mail { action } => mail::command(&target.local_topology()?, action, json).await,
        Command::Stats => stats::command(&target.connect().await?, json).await,
        Command::Seed { tickets, seed, domain } => {
            seed::command(&target.connect().await?, tickets, seed, &domain, json).await
        }
        Command::Schedule { action } => schedule::command(&target.local_topology()?, action, json).await,
        Command::Stack { action: StackAction::Run { lambda } } => {
            runner::command(target.connect_local().await?, lambda).await
        }
        Command::Stack { action: StackAction::Env } => {
            topology::print_env(&target.local_topology()?)?;
            Ok(0)
        }
        Command::Demo { events, mail_dir, timeout, lambda } => {
            let invoker = CargoLambda::new(lambda);
            let ok =
                demo::run(&target.connect_local().await?, &invoker, &events, &mail_dir, Duration::from_secs(timeout))
                    .await?;
            Ok(if ok { 0 } else { 1 })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::TopologyError;

    /// The runner and the demo play AWS's part against local queues: with `--aws` they would
    /// poll and delete real messages, so they are refused before any call.
    #[tokio::test]
    async fn what_only_runs_locally_refuses_aws_before_any_call() {
        for args in [
            &["deskbell", "--aws", "stack", "run"][..],
            &["deskbell", "--aws", "demo"],
            &["deskbell", "--aws", "mail", "list"],
            &["deskbell", "--aws", "schedule", "list"],
        ] {
            let cli = Cli::try_parse_from(args).unwrap();
            let err = run(cli).await.unwrap_err();
            assert!(matches!(err, CliError::Topology(TopologyError::NotLocal)), "{args:?}: {err}");
        }
    }
}
