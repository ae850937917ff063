//! The command line: what each command takes, and running it.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::context::{CliError, QueueKind, Stack, read};
use crate::invoke::CargoLambda;
use crate::topology::{DEFAULT_PATH, Topology};
use crate::{demo, dlq, mail, output, runner, send};

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
    /// The local stack's topology, for what only exists locally (mail, schedules, the runner).
    fn local_topology(&self) -> Result<Topology, CliError> {
        if self.aws {
            return Err(crate::topology::TopologyError::NotLocal.into());
        }
        Ok(Topology::load(&self.topology)?)
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

/// Runs a command; answers the process exit code.
pub async fn run(cli: Cli) -> Result<i32, CliError> {
    let json = cli.json;
    match cli.command {
        Command::Stack { action: StackAction::Env } => {
            let topology = cli.target.local_topology()?;
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
            Ok(0)
        }
        Command::Stack { action: StackAction::Run { lambda } } => {
            let stack = cli.target.connect().await?;
            let shutdown = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            runner::run(stack.topology, stack.sqs, CargoLambda::new(lambda), shutdown)
                .await
                .map_err(|e| CliError::Invalid(e.to_string()))?;
            Ok(0)
        }
        Command::Schedule { action } => {
            let topology = cli.target.local_topology()?;
            match action {
                ScheduleAction::List => {
                    if json {
                        output::json(
                            &topology
                                .schedules
                                .iter()
                                .map(|s| (&s.name, &s.function, &s.expression))
                                .collect::<Vec<_>>(),
                        );
                    } else {
                        let rows: Vec<Vec<String>> = topology
                            .schedules
                            .iter()
                            .map(|s| {
                                vec![s.name.clone(), s.function.clone(), s.expression.clone(), s.enabled.to_string()]
                            })
                            .collect();
                        output::table(&["schedule", "function", "expression", "enabled"], &rows);
                    }
                    Ok(0)
                }
                ScheduleAction::Fire { name, detail, lambda } => {
                    let matching = crate::schedule::find(&topology.schedules, &name);
                    let [schedule] = matching.as_slice() else {
                        return Err(CliError::Invalid(format!(
                            "{} schedule(s) match {name:?}: name one (see `deskbell schedule list`)",
                            matching.len()
                        )));
                    };
                    let detail = detail
                        .map(|d| serde_json::from_str(&d))
                        .transpose()
                        .map_err(|e| CliError::Invalid(format!("--detail is not JSON: {e}")))?;
                    let result = runner::fire(&topology, schedule, detail, &CargoLambda::new(lambda))
                        .await
                        .map_err(|e| CliError::Invalid(e.to_string()))?;
                    output::json(&result);
                    Ok(0)
                }
            }
        }
        Command::Send(args) => send_command(&cli.target.connect().await?, args, json).await,
        Command::Dlq { action } => dlq_command(&cli.target.connect().await?, action, json).await,
        Command::Notifications { user, action } => {
            use crate::notifications::{Action, Answer};
            let action = match action {
                NotificationsAction::List { limit, unread, cursor } => Action::List { limit, unread, cursor },
                NotificationsAction::Count => Action::Count,
                NotificationsAction::Read { id } => Action::Read { id },
                NotificationsAction::Unread { id } => Action::Unread { id },
                NotificationsAction::ReadAll => Action::ReadAll,
                NotificationsAction::Delete { id } => Action::Delete { id },
            };
            let answer = crate::notifications::run(&cli.target.connect().await?, &user, action).await?;
            match &answer {
                _ if json => output::json(&answer),
                Answer::Page(page) => {
                    let rows: Vec<Vec<String>> = page
                        .notifications
                        .iter()
                        .map(|n| {
                            vec![
                                n.id.clone(),
                                if n.read { "read".into() } else { "unread".into() },
                                n.created_at.format("%Y-%m-%d %H:%M").to_string(),
                                output::cut(&n.title, 60),
                            ]
                        })
                        .collect();
                    output::table(&["id", "state", "created", "title"], &rows);
                    if let Some(next) = &page.next_cursor {
                        println!("more: --cursor {next}");
                    }
                }
                Answer::Count { unread_count } => println!("{unread_count} unread"),
                Answer::Done { id, action, unread_count } => println!("{id}: {action} ({unread_count} unread)"),
                Answer::ReadAll { marked, unread_count } => println!("marked {marked} read ({unread_count} unread)"),
            }
            Ok(0)
        }
        Command::Mail { action } => {
            let topology = cli.target.local_topology()?;
            let mails = mail::recorded(topology.local_endpoint()?).await?;
            match action {
                MailAction::List if json => output::json(&mails),
                MailAction::List => {
                    let rows: Vec<Vec<String>> = mails
                        .iter()
                        .map(|m| vec![m.number.to_string(), m.to.join(","), output::cut(&m.subject, 70)])
                        .collect();
                    output::table(&["#", "to", "subject"], &rows);
                }
                MailAction::Open { number, dir } => {
                    let m = mails.iter().find(|m| m.number == number).ok_or_else(|| {
                        CliError::Invalid(format!(
                            "no email {number}: {} recorded (see `deskbell mail list`)",
                            mails.len()
                        ))
                    })?;
                    println!("{}", mail::save(m, &dir)?.display());
                }
            }
            Ok(0)
        }
        Command::Stats => {
            let stack = cli.target.connect().await?;
            let mut rows = Vec::new();
            let mut values = Vec::new();
            for m in &stack.topology.mappings {
                let d = stack.depth(&m.queue_url).await?;
                let dead = match &m.dlq_url {
                    Some(url) => stack.depth(url).await?.total(),
                    None => 0,
                };
                rows.push(vec![
                    m.queue_name.clone(),
                    m.function.clone(),
                    d.visible.to_string(),
                    d.in_flight.to_string(),
                    d.delayed.to_string(),
                    dead.to_string(),
                ]);
                values.push(serde_json::json!({
                    "queue": m.queue_name,
                    "function": m.function,
                    "depth": {"visible": d.visible, "in_flight": d.in_flight, "delayed": d.delayed},
                    "dlq": dead,
                }));
            }
            if json {
                output::json(&values);
            } else {
                output::table(&["queue", "function", "waiting", "in flight", "delayed", "DLQ"], &rows);
            }
            Ok(0)
        }
        Command::Seed { tickets, seed, domain } => {
            let stack = cli.target.connect().await?;
            let jobs: Vec<(String, QueueKind)> = crate::seed::demo_jobs(tickets, chrono::Utc::now(), seed, &domain)
                .iter()
                .map(|job| (job.to_body(), QueueKind::of(Some(job.job_type()))))
                .collect();
            let bar = indicatif::ProgressBar::new(jobs.len() as u64);
            let sent = send::enqueue(&stack, jobs, 16, |n| bar.inc(n)).await?;
            bar.finish_and_clear();
            if json {
                output::json(&sent);
            } else {
                println!("seeded {tickets} tickets: {} jobs sent in {:.2} s", sent.sent, sent.seconds);
            }
            Ok(if sent.failed.is_empty() { 0 } else { 1 })
        }
        Command::Demo { events, mail_dir, timeout, lambda } => {
            let stack = cli.target.connect().await?;
            let invoker = CargoLambda::new(lambda);
            let ok = demo::run(&stack, &invoker, &events, &mail_dir, Duration::from_secs(timeout)).await?;
            Ok(if ok { 0 } else { 1 })
        }
    }
}

async fn send_command(stack: &Stack, args: SendArgs, json: bool) -> Result<i32, CliError> {
    let (bodies, what) = match (&args.file, &args.job_type, &args.bulk) {
        (Some(file), _, _) => (send::bodies_of_file(&read(file)?)?, "job"),
        (_, Some(job_type), _) => {
            (vec![send::envelope(job_type, args.data.as_deref().unwrap_or("{}"), args.id.as_deref())?], "job")
        }
        (_, _, Some(bulk)) => {
            let text = read(bulk)?;
            (text.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect(), "line")
        }
        _ => return Err(CliError::Invalid("nothing to send: give a FILE, --type with --data, or --bulk FILE".into())),
    };
    let jobs = send::validate(&bodies, what)?;
    let bar = indicatif::ProgressBar::new(jobs.len() as u64);
    if json || jobs.len() < 50 {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let sent = send::enqueue(stack, jobs, args.concurrency, |n| bar.inc(n)).await?;
    bar.finish_and_clear();
    if json {
        output::json(&sent);
    } else {
        println!(
            "sent {} job(s) in {:.3} s ({:.0} jobs/s){}",
            sent.sent,
            sent.seconds,
            sent.jobs_per_second,
            if sent.failed.is_empty() { String::new() } else { format!("; {} refused by SQS", sent.failed.len()) }
        );
        for f in &sent.failed {
            println!("  {f}");
        }
    }
    Ok(if sent.failed.is_empty() { 0 } else { 1 })
}

async fn dlq_command(stack: &Stack, action: DlqAction, json: bool) -> Result<i32, CliError> {
    match action {
        DlqAction::List(q) => {
            let letters = dlq::list(stack, q.queue).await?;
            if json {
                output::json(&letters);
                return Ok(0);
            }
            dlq::print_table(&letters);
        }
        DlqAction::Show { message_id, queue } => {
            let letter = dlq::show(stack, queue.queue, &message_id).await?;
            if json {
                output::json(&letter);
                return Ok(0);
            }
            println!(
                "message  {}\nreceived {} time(s) in the DLQ; sent {}",
                letter.message_id,
                letter.receive_count,
                letter.sent_at.as_deref().unwrap_or("-")
            );
            match &letter.reason {
                Some(r) => println!(
                    "reason   {} failure on attempt {} at {} (queue {})\n         {}\njob      {} {}",
                    r.kind,
                    r.attempt,
                    r.failed_at,
                    r.queue,
                    r.error,
                    r.job_type.as_deref().unwrap_or("(type unreadable)"),
                    r.job_id.as_deref().unwrap_or("(id unreadable)")
                ),
                None => println!("reason   (no failure recorded for this message id)"),
            }
            println!("body     {}", letter.body);
        }
        DlqAction::Redrive(q) => {
            let r = dlq::redrive(stack, q.queue).await?;
            if json {
                output::json(&r);
            } else {
                println!("redrove {} message(s) to the {:?} queue ({})", r.moved, q.queue, r.method);
            }
        }
        DlqAction::Purge { queue, yes } => {
            if !yes {
                return Err(CliError::Invalid("purge deletes every dead letter for good: add --yes".into()));
            }
            let n = dlq::purge(stack, queue.queue).await?;
            println!("purged {n} message(s) from the {:?} DLQ", queue.queue);
        }
    }
    Ok(0)
}
