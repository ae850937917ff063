//! `deskbell`: the operators' CLI (see `deskbell --help`).

use clap::Parser;

#[tokio::main]
async fn main() {
    let cli = deskbell_tools::cli::Cli::parse();
    match deskbell_tools::cli::run(cli).await {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("deskbell: {e}");
            std::process::exit(1);
        }
    }
}
