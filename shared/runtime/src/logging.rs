//! Log set-up: JSON lines inside Lambda, compact text on a terminal.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once. Inside Lambda (`AWS_LAMBDA_FUNCTION_NAME` set) logs are
/// JSON objects without timestamp (CloudWatch adds one) and without module target; elsewhere
/// they are compact text. Level from `RUST_LOG`, default `info`.
pub fn init_tracing() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).without_time();
    let in_lambda = std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some();
    let _ = if in_lambda {
        builder.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init()
    } else {
        builder.compact().try_init()
    };
}
