//! `deskbell mail`: the emails the local SES recorded (moto keeps them in its state), each
//! savable as an HTML file to open in a browser.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::cli::MailAction;
use crate::context::CliError;
use crate::output;
use crate::topology::Topology;

/// One recorded email.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Mail {
    /// 1-based position in the order SES recorded them.
    pub number: usize,
    pub id: String,
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    /// The HTML part (moto keeps it when there is one).
    pub html: String,
}

/// Every email the emulator at `endpoint` recorded.
pub async fn recorded(endpoint: &str) -> Result<Vec<Mail>, CliError> {
    let url = format!("{endpoint}/moto-api/data.json");
    let unreachable =
        |e: reqwest::Error| CliError::Aws { resource: url.clone(), operation: "read", message: e.to_string() };
    let state: Value = reqwest::get(&url).await.map_err(unreachable)?.json().await.map_err(unreachable)?;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    Ok(state["ses"]["Message"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, m)| Mail {
            number: i + 1,
            id: text(&m["id"]),
            from: text(&m["source"]),
            to: m["destinations"]["ToAddresses"].as_array().map(|a| a.iter().map(text).collect()).unwrap_or_default(),
            subject: text(&m["subject"]),
            html: text(&m["body"]),
        })
        .collect())
}

/// Writes a mail's HTML under `dir`; answers the path.
pub fn save(mail: &Mail, dir: &Path) -> Result<PathBuf, CliError> {
    let io = |source| CliError::Io { path: dir.display().to_string(), source };
    std::fs::create_dir_all(dir).map_err(io)?;
    let to: String =
        mail.to.join(",").chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).take(40).collect();
    let path = dir.join(format!("{:03}-{to}.html", mail.number));
    std::fs::write(&path, &mail.html).map_err(|source| CliError::Io { path: path.display().to_string(), source })?;
    Ok(path)
}

/// Runs `deskbell mail ACTION` on the local stack of `topology`: `list` prints the recorded
/// emails (JSON with `json`), `open` saves one and prints its path; answers the exit code.
pub async fn command(topology: &Topology, action: MailAction, json: bool) -> Result<i32, CliError> {
    let mails = recorded(topology.local_endpoint()?).await?;
    match action {
        MailAction::List if json => output::json(&mails),
        MailAction::List => {
            let rows: Vec<Vec<String>> =
                mails.iter().map(|m| vec![m.number.to_string(), m.to.join(","), output::cut(&m.subject, 70)]).collect();
            output::table(&["#", "to", "subject"], &rows);
        }
        MailAction::Open { number, dir } => {
            let m = mails.iter().find(|m| m.number == number).ok_or_else(|| {
                CliError::Invalid(format!("no email {number}: {} recorded (see `deskbell mail list`)", mails.len()))
            })?;
            println!("{}", save(m, &dir)?.display());
        }
    }
    Ok(0)
}
