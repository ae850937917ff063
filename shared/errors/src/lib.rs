//! Transient, systemic or permanent: the one classification every error in deskbell gets.
//!
//! [`ErrorKind`] says whether trying the same job again later can succeed; [`Classify`] is
//! how an error says which kind it is. Both are domain concepts: this crate depends on no
//! AWS crate. How an AWS SDK error classifies (service codes, HTTP statuses) is decided at the
//! edge, in `deskbell_runtime::retry`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Whether trying the same job again later can succeed, and whose fault the failure is.
///
/// Stored (failure records) and serialised (the CLI's JSON) as [`ErrorKind::as_str`] says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorKind {
    /// Throttling, 5xx, timeouts, a delivery still in flight: retry with back-off.
    Transient,
    /// The account or the deployment, not the job: sending paused, access denied, credentials
    /// expired, a table or queue missing while a deploy settles, KMS refusing. Retried like a
    /// transient error for the whole retry window; never dead-lettered before it ends.
    Systemic,
    /// Bad payload, unknown type, rejected address: retrying cannot help; record and dead-letter.
    Permanent,
}

impl ErrorKind {
    /// Every kind.
    pub const ALL: [Self; 3] = [Self::Transient, Self::Systemic, Self::Permanent];

    /// `transient` / `systemic` / `permanent`, as stored in failure records.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Transient => "transient",
            Self::Systemic => "systemic",
            Self::Permanent => "permanent",
        }
    }

    /// The kind of a stored name ([`ErrorKind::as_str`]); `None` for any other text.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether a later try may succeed (transient or systemic).
    pub const fn is_retried(self) -> bool {
        !matches!(self, Self::Permanent)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error that knows whether it is worth retrying: every error enum of deskbell implements
/// it, once, beside its definition.
pub trait Classify {
    /// Which kind of failure this is.
    fn kind(&self) -> ErrorKind;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_permanent_errors_are_not_retried() {
        assert!(ErrorKind::Transient.is_retried() && ErrorKind::Systemic.is_retried());
        assert!(!ErrorKind::Permanent.is_retried());
    }

    #[test]
    fn the_stored_name_reads_back_as_the_same_kind_and_nothing_else_reads() {
        for kind in ErrorKind::ALL {
            assert_eq!(ErrorKind::parse(kind.as_str()), Some(kind));
            assert_eq!(kind.to_string(), kind.as_str());
        }
        assert_eq!(ErrorKind::Systemic.as_str(), "systemic");
        for other in ["", "Transient", "fatal", " permanent"] {
            assert_eq!(ErrorKind::parse(other), None, "{other:?}");
        }
    }

    #[test]
    fn serde_uses_the_stored_name() {
        for kind in ErrorKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<ErrorKind>(&json).unwrap(), kind);
        }
    }
}
