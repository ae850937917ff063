//! What every function's `main` needs, so each stays a few lines: [`init_tracing`],
//! [`Env`] for configuration with errors naming the variable, and [`aws_config`], the one
//! place where AWS clients get their settings (local emulator included), and [`retry`], how
//! AWS errors classify as transient, systemic or permanent (the kinds themselves, `ErrorKind`
//! and `Classify`, are in `deskbell-errors`); every client gets [`SdkTimeouts`].

mod config;
mod deadline;
mod logging;
pub mod retry;
mod timeouts;

pub use config::{ConfigError, Env};
pub use deadline::deadline_of;
pub use logging::init_tracing;
pub use retry::TableError;
pub use timeouts::SdkTimeouts;

/// Loads the shared AWS configuration from the standard environment: region, credentials and
/// `AWS_ENDPOINT_URL` (the local emulator), with the [`SdkTimeouts`] of the environment.
/// Build every client from this.
pub async fn aws_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(SdkTimeouts::from_process_env(SdkTimeouts::AWS).config())
        .load()
        .await
}

/// The configuration for the local emulator at `endpoint_url` (tests and local tools): region
/// from `AWS_REGION` or `eu-west-1`, and fixed dummy credentials, so nothing from a real AWS
/// profile is ever used against it; timeouts as [`SdkTimeouts::EMULATOR`] unless the
/// environment sets them.
pub async fn emulator_config(endpoint_url: &str) -> aws_config::SdkConfig {
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "eu-west-1".to_owned());
    let credentials = aws_credential_types::Credentials::new("test", "test", None, None, "deskbell-emulator");
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint_url)
        .region(aws_config::Region::new(region))
        .credentials_provider(credentials)
        .timeout_config(SdkTimeouts::from_process_env(SdkTimeouts::EMULATOR).config())
        .load()
        .await
}
