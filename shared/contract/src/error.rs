//! Why a message body is not a valid job.

/// A body that cannot become a [`crate::Job`]. Every variant is a permanent failure: sending
/// the same bytes again cannot succeed. Field paths are dotted from the envelope root,
/// e.g. `data.ticket.requester.email`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("body is {size} bytes, over the {limit}-byte limit")]
    TooLarge { size: usize, limit: usize },
    #[error("body is not JSON: {message} (line {line}, column {column})")]
    NotJson { message: String, line: usize, column: usize },
    #[error("missing field {field}")]
    MissingField { field: String },
    #[error("invalid field {field}: {message}")]
    InvalidField { field: String, message: String },
    #[error("unknown job type {found:?}")]
    UnknownType { found: String },
    #[error("unsupported version {version} of {job_type} (supported: {supported})")]
    UnsupportedVersion { job_type: String, version: u32, supported: String },
}

impl DecodeError {
    /// The dotted path of the field at fault, when the error is about one field.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::MissingField { field } | Self::InvalidField { field, .. } => Some(field),
            Self::UnknownType { .. } => Some("type"),
            Self::UnsupportedVersion { .. } => Some("version"),
            Self::TooLarge { .. } | Self::NotJson { .. } => None,
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidField { field: field.into(), message: message.into() }
    }

    /// Turns a serde error at `path` (relative to `prefix`) into a field-naming error.
    pub(crate) fn from_serde(prefix: &str, path: &serde_path_to_error::Path, err: &serde_json::Error) -> Self {
        let message = err.to_string();
        let message = shorten(strip_position(&message));
        let message = message.as_str();
        // A map key in the path may be as long as the body.
        let mut field = shorten(&join(prefix, &path.to_string()));
        if let Some(missing) = message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
            field = join(&field, missing);
            return Self::MissingField { field };
        }
        if err.is_syntax() || err.is_eof() {
            return Self::NotJson { message: message.to_owned(), line: err.line(), column: err.column() };
        }
        Self::InvalidField { field, message: message.to_owned() }
    }
}

fn join(prefix: &str, path: &str) -> String {
    let path = path.trim_start_matches('.');
    match (prefix.is_empty(), path.is_empty()) {
        (true, true) => "envelope".to_owned(),
        (true, false) => path.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) if path.starts_with('[') => format!("{prefix}{path}"),
        (false, false) => format!("{prefix}.{path}"),
    }
}

/// Longest serde message kept: serde quotes the offending value, which may be a 1 MiB string;
/// the reason is stored beside the failed job and must stay small.
const MAX_MESSAGE_CHARS: usize = 300;

fn shorten(message: &str) -> String {
    if message.chars().count() <= MAX_MESSAGE_CHARS {
        return message.to_owned();
    }
    let mut cut: String = message.chars().take(MAX_MESSAGE_CHARS).collect();
    cut.push('…');
    cut
}

/// serde_json appends " at line L column C"; the field path already says where.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    }
}
