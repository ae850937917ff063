//! Cold start of the notify binary: time from process start to its first request to the
//! Lambda runtime API (`GET /2018-06-01/runtime/invocation/next`), i.e. all of init: tracing,
//! configuration, AWS configuration and clients. Also its resident memory at that moment and
//! the binary's size.
//!
//! `cargo bench -p notify --bench startup` measures the bench-profile build of notify; set
//! `DESKBELL_NOTIFY_BIN=<path>` to measure another (e.g. the stripped release build). Runs
//! 50 starts against a fake runtime API on 127.0.0.1; nothing leaves the machine.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 50;

fn main() {
    // `cargo bench` passes filter arguments such as `--bench`; this harness takes none.
    let bin = std::env::var("DESKBELL_NOTIFY_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_notify").to_owned());
    let size = std::fs::metadata(&bin).map(|m| m.len()).unwrap_or(0);
    let mut times = Vec::with_capacity(RUNS);
    let mut rss_kib = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let (elapsed, rss) = start_once(&bin);
        times.push(elapsed);
        rss_kib.push(rss);
    }
    times.sort();
    rss_kib.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("notify startup: {bin}");
    println!("  binary size           {:.2} MiB ({size} bytes)", size as f64 / 1_048_576.0);
    println!(
        "  start → first runtime-API request over {RUNS} runs: min {:.2} ms, median {:.2} ms, p90 {:.2} ms, max {:.2} ms",
        ms(times[0]),
        ms(times[RUNS / 2]),
        ms(times[RUNS * 9 / 10]),
        ms(times[RUNS - 1])
    );
    println!("  RSS at that moment: median {} KiB, max {} KiB", rss_kib[RUNS / 2], rss_kib[RUNS - 1]);
}

fn start_once(bin: &str) -> (Duration, u64) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port for the fake runtime API");
    let api = listener.local_addr().expect("local address").to_string();
    let started = Instant::now();
    let mut child = Command::new(bin)
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", &api)
        .env("AWS_LAMBDA_FUNCTION_NAME", "notify")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/notify")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ACCESS_KEY_ID", "bench")
        .env("AWS_SECRET_ACCESS_KEY", "bench")
        .env("DESKBELL_SENDER", "Helpdesk <no-reply@example.com>")
        .env("DESKBELL_APP_URL", "https://help.example.com")
        .env("DESKBELL_JOBS_TABLE", "deskbell-jobs")
        .env("DESKBELL_NOTIFICATIONS_TABLE", "deskbell-notifications")
        .env("DESKBELL_TICKETS_TABLE", "deskbell-tickets")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("notify starts");
    let (stream, _) = listener.accept().expect("notify connects to the runtime API");
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line).expect("request line");
    let elapsed = started.elapsed();
    assert!(line.contains("/runtime/invocation/next"), "unexpected first request: {line}");
    let rss = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0);
    let _ = child.kill();
    let _ = child.wait();
    (elapsed, rss)
}
