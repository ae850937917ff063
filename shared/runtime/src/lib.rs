//! What every function's `main` needs, so each stays a few lines: [`init_tracing`],
//! [`Env`] for configuration with errors naming the variable, and [`aws_config`], the one
//! place where AWS clients get their settings (local emulator included), and [`retry`], how
//! errors classify as transient or permanent.

mod config;
mod logging;
pub mod retry;

pub use config::{ConfigError, Env};
pub use logging::init_tracing;
pub use retry::{Classify, ErrorKind};

/// Loads the shared AWS configuration from the standard environment: region, credentials and
/// `AWS_ENDPOINT_URL` (the local emulator). Build every client from this.
pub async fn aws_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await
}
