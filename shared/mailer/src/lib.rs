//! Sending email: the [`Mailer`] trait, [`SesMailer`] (SES v2) and [`MemoryMailer`].
//!
//! An [`Email`] can only be built with a single-line subject and plain addresses, so no
//! user-supplied text can add a header, whatever sends it.

mod email;
mod memory;
mod ses;

use std::future::Future;

pub use email::{Email, single_line};
pub use memory::MemoryMailer;
pub use ses::SesMailer;

use deskbell_errors::{Classify, ErrorKind};

/// A send that did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The provider refused this message or recipient; sending again cannot help.
    #[error("email to {to} rejected: {reason}")]
    Rejected { to: String, reason: String },
    /// Throttled, unreachable, 5xx: try again later.
    #[error("email to {to} not sent, try again: {reason}")]
    Unavailable { to: String, reason: String },
    /// The sending account cannot send at all (sending paused, suspended, access denied): not
    /// this message's fault; retried for the whole retry window.
    #[error("email to {to} not sent, the sending account is unavailable: {reason}")]
    AccountUnavailable { to: String, reason: String },
}

impl Classify for MailError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Rejected { .. } => ErrorKind::Permanent,
            Self::Unavailable { .. } => ErrorKind::Transient,
            Self::AccountUnavailable { .. } => ErrorKind::Systemic,
        }
    }
}

/// Something that sends one email and answers the provider's message id.
pub trait Mailer: Send + Sync {
    fn send(&self, email: &Email) -> impl Future<Output = Result<String, MailError>> + Send;
}
