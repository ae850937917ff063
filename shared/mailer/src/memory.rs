//! An outbox in memory, for unit tests.

use tokio::sync::Mutex;

use crate::{Email, MailError, Mailer};

/// Keeps sent emails; recipients listed in `reject` are refused like SES refuses them.
#[derive(Default)]
pub struct MemoryMailer {
    sent: Mutex<Vec<Email>>,
    reject: Vec<String>,
}

impl MemoryMailer {
    /// An outbox that refuses mail to these addresses.
    pub fn rejecting(addresses: &[&str]) -> Self {
        Self { sent: Mutex::default(), reject: addresses.iter().map(|a| a.to_string()).collect() }
    }

    /// What was sent so far, in order.
    pub async fn sent(&self) -> Vec<Email> {
        self.sent.lock().await.clone()
    }
}

impl Mailer for MemoryMailer {
    async fn send(&self, email: &Email) -> Result<String, MailError> {
        if self.reject.iter().any(|a| a == email.to()) {
            return Err(MailError::Rejected { to: email.to().to_owned(), reason: "MessageRejected".into() });
        }
        let mut sent = self.sent.lock().await;
        sent.push(email.clone());
        Ok(format!("memory-{}", sent.len()))
    }
}
