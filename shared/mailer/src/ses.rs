//! Email through Amazon SES v2.

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use deskbell_errors::ErrorKind;
use deskbell_runtime::retry::{sdk_error_kind, sdk_error_text};

use crate::{Email, MailError, Mailer};

/// Sends through SES v2 `SendEmail` (simple content: subject, HTML and text parts, UTF-8).
#[derive(Clone)]
pub struct SesMailer {
    client: Client,
    configuration_set: Option<String>,
}

impl SesMailer {
    /// A mailer; `configuration_set` names the SES configuration set (event publishing) if any.
    pub fn new(client: Client, configuration_set: Option<String>) -> Self {
        Self { client, configuration_set }
    }
}

fn utf8(data: &str) -> Option<Content> {
    Content::builder().data(data).charset("UTF-8").build().ok()
}

/// The mail error of a classified SES error: the one classification (deskbell_runtime's)
/// decides; a `MessageRejected` for one address stays permanent.
fn mail_error(to: String, reason: String, kind: ErrorKind) -> MailError {
    match kind {
        ErrorKind::Permanent => MailError::Rejected { to, reason },
        ErrorKind::Transient => MailError::Unavailable { to, reason },
        ErrorKind::Systemic => MailError::AccountUnavailable { to, reason },
    }
}

impl Mailer for SesMailer {
    async fn send(&self, email: &Email) -> Result<String, MailError> {
        let to = email.to().to_owned();
        let body = Body::builder().set_html(utf8(email.html())).set_text(utf8(email.text())).build();
        let message = Message::builder().set_subject(utf8(email.subject())).body(body).build();
        let content = EmailContent::builder().simple(message).build();
        let out = self
            .client
            .send_email()
            .from_email_address(email.from())
            .destination(Destination::builder().to_addresses(email.to()).build())
            .content(content)
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await
            .map_err(|err| mail_error(to.clone(), sdk_error_text(&err), sdk_error_kind(&err)))?;
        Ok(out.message_id().unwrap_or_default().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use deskbell_errors::Classify;
    use deskbell_runtime::retry::code_kind;

    use super::*;

    #[test]
    fn ses_account_errors_are_systemic_a_rejected_address_permanent() {
        let kind = |code: &str| mail_error("a@example.com".into(), code.into(), code_kind(code, 400)).kind();
        assert_eq!(kind("SendingPausedException"), ErrorKind::Systemic);
        assert_eq!(kind("AccountSuspendedException"), ErrorKind::Systemic);
        assert_eq!(kind("MailFromDomainNotVerifiedException"), ErrorKind::Systemic);
        assert_eq!(kind("TooManyRequestsException"), ErrorKind::Transient);
        assert_eq!(kind("MessageRejected"), ErrorKind::Permanent);
    }
}
