//! Prints a development token for the local stack:
//! `deskbell-dev-token --user ID [--hours N]`, signed with `DESKBELL_DEV_JWT_SECRET`.

use std::time::{SystemTime, UNIX_EPOCH};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let (Some(user), Ok(secret)) = (value("--user"), std::env::var(deskbell_tokens::DEV_SECRET_VARIABLE)) else {
        eprintln!("usage: DESKBELL_DEV_JWT_SECRET=... deskbell-dev-token --user ID [--hours N]");
        std::process::exit(2);
    };
    let hours: i64 = value("--hours").and_then(|h| h.parse().ok()).unwrap_or(12);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default();
    println!("{}", deskbell_tokens::sign(secret.as_bytes(), &user, now + hours * 3600));
}
