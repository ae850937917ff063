//! Finding or starting moto's server on 127.0.0.1.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The emulator these tests talk to.
pub struct Emulator {
    pub endpoint: String,
}

/// An email as moto's SES recorded it (moto keeps the HTML part when there is one).
#[derive(Debug, Clone)]
pub struct SentEmail {
    pub id: String,
    pub source: String,
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
}

static EMULATOR: OnceLock<Emulator> = OnceLock::new();

/// The smallest multipart part the emulator started by the tests accepts.
pub const TEST_PART_SIZE: usize = 8192;

impl Emulator {
    /// The emulator at `DESKBELL_EMULATOR_URL` if set, else a moto server started for this
    /// test process from the project's virtualenv (`scripts/setup-local-aws`), on a free port.
    /// It dies with the test process.
    pub fn get() -> &'static Emulator {
        EMULATOR.get_or_init(|| {
            let endpoint = match std::env::var("DESKBELL_EMULATOR_URL") {
                Ok(url) if !url.is_empty() => url,
                _ => start_moto(),
            };
            wait_until_up(&endpoint);
            Emulator { endpoint }
        })
    }

    /// The emulator at `endpoint`, already running (local tools).
    pub fn at(endpoint: &str) -> &'static Emulator {
        EMULATOR.get_or_init(|| {
            wait_until_up(endpoint);
            Emulator { endpoint: endpoint.to_owned() }
        })
    }

    /// moto's whole state, as `/moto-api/data.json` shows it.
    pub async fn state(&self) -> Value {
        // The dump walks moto's live models: while other tests write, it has been seen to
        // answer something that is not JSON; a moment later it answers.
        for _ in 0..10 {
            let answer = reqwest::get(format!("{}/moto-api/data.json", self.endpoint)).await.expect("moto state");
            if let Ok(state) = answer.json().await {
                return state;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("moto's /moto-api/data.json did not answer JSON in 10 tries");
    }

    /// Emails SES recorded whose recipients are all at `domain`.
    pub async fn emails_to_domain(&self, domain: &str) -> Vec<SentEmail> {
        let state = self.state().await;
        let suffix = format!("@{domain}");
        let messages = state["ses"]["Message"].as_array().cloned().unwrap_or_default();
        messages
            .iter()
            .map(|m| SentEmail {
                id: m["id"].as_str().unwrap_or_default().to_owned(),
                source: m["source"].as_str().unwrap_or_default().to_owned(),
                to: m["destinations"]["ToAddresses"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default(),
                subject: m["subject"].as_str().unwrap_or_default().to_owned(),
                body: m["body"].as_str().unwrap_or_default().to_owned(),
            })
            .filter(|e| !e.to.is_empty() && e.to.iter().all(|t| t.ends_with(&suffix)))
            .collect()
    }
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn start_moto() -> String {
    // moto's server with the local stack's two patches (see scripts/moto-local-server.py):
    // tests that deploy the template must not have moto poll the mapped queues itself.
    let python = workspace_root().join(".venv/bin/python");
    let launcher = workspace_root().join("scripts/moto-local-server.py");
    assert!(
        python.exists(),
        "{} not found: run scripts/setup-local-aws (or set DESKBELL_EMULATOR_URL to a running moto server)",
        python.display()
    );
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port");
    let (tx, rx) = std::sync::mpsc::channel();
    // The child gets SIGKILL when the thread that spawned it ends (PR_SET_PDEATHSIG), so that
    // thread lives as long as the test process: it spawns moto, then waits on it.
    std::thread::spawn(move || {
        let mut command = Command::new(&python);
        command
            .arg(&launcher)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Multipart tests use 8 KiB parts instead of S3's 5 MiB, so they stay small.
        command.env("S3_UPLOAD_PART_MIN_SIZE", TEST_PART_SIZE.to_string());
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut command, || {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let mut child = command.spawn().expect("moto's server starts");
        tx.send(()).ok();
        let _ = child.wait();
    });
    rx.recv().expect("moto spawner thread");
    format!("http://127.0.0.1:{port}")
}

fn wait_until_up(endpoint: &str) {
    let address = endpoint.trim_start_matches("http://").to_owned();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(&address).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the emulator at {endpoint} did not answer within 30 s");
}

/// The workspace root (scripts, templates and samples live there).
pub fn workspace() -> PathBuf {
    workspace_root()
}
