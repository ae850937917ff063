//! `deskbell notifications`: one user's in-app notifications, through the same notification
//! centre (`deskbell_inbox::Centre`: validation, per-user scoping, expiry) the inbox HTTP API
//! serves, over the deployed notifications table.

use chrono::Utc;
use deskbell_inbox::{Centre, CentreError, DynamoInbox, ListPage, ListParams};

use crate::context::{CliError, Stack};
use crate::output;

/// What a notifications command asks for.
#[derive(Debug, Clone)]
pub enum Action {
    List { limit: Option<String>, unread: bool, cursor: Option<String> },
    Count,
    Read { id: String },
    Unread { id: String },
    ReadAll,
    Delete { id: String },
}

/// What it answered.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(untagged)]
pub enum Answer {
    Page(ListPage),
    Count { unread_count: u64 },
    Done { id: String, action: &'static str, unread_count: u64 },
    ReadAll { marked: u64, unread_count: u64 },
}

fn error(e: CentreError) -> CliError {
    CliError::Invalid(e.to_string())
}

/// Runs `action` for `user` on the stack's notifications table.
pub async fn run(stack: &Stack, user: &str, action: Action) -> Result<Answer, CliError> {
    let store = DynamoInbox::new(stack.dynamodb.clone(), stack.output("NotificationsTableName")?);
    let centre = Centre::new(store);
    let now = Utc::now();
    let centre = &centre;
    let done = |id: String, action| async move {
        let unread_count = centre.unread_count(user, now).await.map_err(error)?;
        Ok::<_, CliError>(Answer::Done { id, action, unread_count })
    };
    match action {
        Action::List { limit, unread, cursor } => {
            let params =
                ListParams::parse(limit.as_deref(), unread.then_some("true"), cursor.as_deref()).map_err(error)?;
            Ok(Answer::Page(centre.list(user, &params, now).await.map_err(error)?))
        }
        Action::Count => Ok(Answer::Count { unread_count: centre.unread_count(user, now).await.map_err(error)? }),
        Action::Read { id } => {
            centre.mark(user, &id, true, now).await.map_err(error)?;
            done(id, "read").await
        }
        Action::Unread { id } => {
            centre.mark(user, &id, false, now).await.map_err(error)?;
            done(id, "unread").await
        }
        Action::Delete { id } => {
            centre.delete(user, &id, now).await.map_err(error)?;
            done(id, "deleted").await
        }
        Action::ReadAll => {
            let marked = centre.read_all(user, now).await.map_err(error)?;
            Ok(Answer::ReadAll { marked, unread_count: centre.unread_count(user, now).await.map_err(error)? })
        }
    }
}

/// Runs `deskbell notifications --user USER ACTION` and prints the answer (a page as a table,
/// or one line; JSON with `json`); answers the exit code.
pub async fn command(stack: &Stack, user: &str, action: Action, json: bool) -> Result<i32, CliError> {
    let answer = run(stack, user, action).await?;
    if json {
        output::json(&answer);
    } else {
        print(&answer);
    }
    Ok(0)
}

/// Prints an answer for people: a page as a table (with the cursor of the next one), the
/// others as one line.
fn print(answer: &Answer) {
    match answer {
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
}
