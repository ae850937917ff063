//! Invoking a function the way Lambda's pollers and EventBridge do: by name, with a JSON
//! payload, answering the handler's JSON.

use std::future::Future;

use serde_json::Value;

/// An invocation that did not return a result.
#[derive(Debug, Clone, thiserror::Error)]
pub enum InvokeError {
    #[error("function {function}: could not be reached at {url}: {message}")]
    Unreachable { function: String, url: String, message: String },
    #[error("function {function} failed: {message}")]
    Failed { function: String, message: String },
}

/// Something that runs a function on a payload.
pub trait Invoker: Send + Sync {
    fn invoke(&self, function: &str, payload: &Value) -> impl Future<Output = Result<Value, InvokeError>> + Send;
}

/// `cargo lambda watch`, through the Lambda Invoke API it serves
/// (`POST /2015-03-31/functions/NAME/invocations`).
#[derive(Clone)]
pub struct CargoLambda {
    base: String,
    http: reqwest::Client,
}

impl CargoLambda {
    /// The `cargo lambda watch` at `base` (`http://127.0.0.1:9000`).
    pub fn new(base: impl Into<String>) -> Self {
        Self { base: base.into().trim_end_matches('/').to_owned(), http: reqwest::Client::new() }
    }
}

impl Invoker for CargoLambda {
    async fn invoke(&self, function: &str, payload: &Value) -> Result<Value, InvokeError> {
        let url = format!("{}/2015-03-31/functions/{function}/invocations", self.base);
        let unreachable = |e: reqwest::Error| InvokeError::Unreachable {
            function: function.to_owned(),
            url: url.clone(),
            message: e.to_string(),
        };
        let response = self.http.post(&url).json(payload).send().await.map_err(unreachable)?;
        let status = response.status();
        let text = response.text().await.map_err(unreachable)?;
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        // An invocation error comes back as a 200 with an errorType/errorMessage body (the
        // Lambda API's function error) or as a non-2xx status from the emulated API.
        if !status.is_success() || body.get("errorType").is_some() {
            let message =
                body.get("errorMessage").and_then(Value::as_str).map(str::to_owned).unwrap_or(body.to_string());
            return Err(InvokeError::Failed { function: function.to_owned(), message });
        }
        Ok(body)
    }
}
