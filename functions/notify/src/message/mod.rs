//! What a message says, in the recipient's language, before any markup: one [`Message`] per
//! (job, recipient), rendered later as the HTML part, the text part and the in-app notification.
//!
//! One composer per job family, each in its module; the types, the `tr!` macro and the pieces
//! several families share (the administrators' footer, the one-line snippet) are here.

use std::time::Duration;

use deskbell_contract::{Job, Payload, Ticket};

use crate::lang::Lang;
use crate::recipients::Recipient;

/// Where links point and what the product is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The helpdesk's base URL, without trailing `/` (`https://help.example.com`).
    pub app_url: String,
    /// The product name used in greetings (`Helpdesk`).
    pub product: String,
}

impl Site {
    /// The link to a ticket: `<app_url>/tickets/<id>`, the id percent-encoded.
    pub fn ticket_url(&self, ticket: &Ticket) -> String {
        format!("{}/tickets/{}", self.app_url, path_segment(&ticket.id))
    }

    fn page(&self, path: &str, id: &str) -> String {
        format!("{}/{path}/{}", self.app_url, path_segment(id))
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A button-like link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub label: String,
    pub url: String,
}

/// A message's content, as plain (unescaped) text: escaping is the renderer's job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub lang: Lang,
    pub subject: String,
    pub heading: String,
    /// One short line for the in-app list.
    pub summary: String,
    pub paragraphs: Vec<String>,
    /// Text quoted as typed (a comment, an announcement).
    pub quote: Option<String>,
    /// Label / value rows.
    pub facts: Vec<(String, String)>,
    pub action: Option<Action>,
    /// Where the in-app notification points when not at the action's URL (a download link
    /// expires long before the notification does).
    pub in_app_link: Option<String>,
    /// Why the recipient gets this.
    pub footer: String,
}

impl Message {
    /// The in-app notification's link: [`Message::in_app_link`], else the action's URL.
    pub fn notification_link(&self) -> Option<&str> {
        self.in_app_link.as_deref().or(self.action.as_ref().map(|a| a.url.as_str()))
    }
}

/// A report file's download link, valid for `expires_in` (a presigned URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLink {
    pub url: String,
    pub expires_in: Duration,
}

/// English or French text, chosen by `lang`, each a `format!` string.
macro_rules! tr {
    ($lang:expr, $en:literal, $fr:literal $(, $arg:expr)* $(,)?) => {
        match $lang {
            Lang::En => format!($en $(, $arg)*),
            Lang::Fr => format!($fr $(, $arg)*),
        }
    };
}

mod account;
mod comment;
mod digest;
mod report;
mod system;
mod ticket;

/// Writes the message of `job` for `to`. `report_link` is the download link of a
/// `report.ready` job's file, when there is one; without it the email links to the report's page.
pub fn compose(job: &Job, to: &Recipient, site: &Site, report_link: Option<&ReportLink>) -> Message {
    let lang = Lang::for_locale(&to.user.locale);
    match &job.payload {
        Payload::TicketCreated(p) => ticket::created(lang, p, to, site),
        Payload::TicketUpdated(p) => ticket::updated(lang, p, to, site),
        Payload::TicketAssigned(p) => ticket::assigned(lang, p, to, site),
        Payload::TicketStatusChanged(p) => ticket::status_changed(lang, p, to, site),
        Payload::CommentCreated(p) => comment::created(lang, p, to, site),
        Payload::UserWelcome(p) => account::welcome(lang, p, site),
        Payload::UserActivation(p) => account::activation(lang, p, site),
        Payload::UserPasswordReset(p) => account::password_reset(lang, p, site),
        Payload::SystemMaintenance(p) => system::maintenance(lang, p, site),
        Payload::SystemAlert(p) => system::alert(lang, p, site),
        Payload::ReportReady(p) => report::ready(lang, p, site, report_link),
        Payload::ReportRequested(p) => report::requested(lang, p),
        Payload::StatsDigest(p) => digest::stats(lang, p, site),
    }
}

fn admin_footer(lang: Lang, site: &Site) -> String {
    let product = &site.product;
    tr!(
        lang,
        "You receive this email as an administrator of {product}.",
        "Vous recevez cet e-mail en tant qu'administrateur de {product}."
    )
}

/// The first 140 characters of a text, on one line.
fn snippet(text: &str) -> String {
    deskbell_mailer::single_line(text, 140)
}

#[cfg(test)]
mod tests {
    use deskbell_contract::fixtures;
    use deskbell_contract::{Job, JobType};

    use super::*;
    use crate::recipients::recipients;

    fn site() -> Site {
        Site { app_url: "https://help.example.com".into(), product: "Helpdesk".into() }
    }

    fn job(t: JobType) -> Job {
        fixtures::one_of_each().into_iter().find(|j| j.job_type() == t).unwrap()
    }

    #[test]
    fn every_notifiable_job_composes_a_message_with_a_link_in_both_languages() {
        for job in fixtures::one_of_each() {
            for to in recipients(&job.payload) {
                for locale in ["en", "fr"] {
                    let mut to = to.clone();
                    to.user.locale = locale.into();
                    let m = compose(&job, &to, &site(), None);
                    assert!(
                        !m.subject.is_empty() && !m.heading.is_empty() && !m.footer.is_empty(),
                        "{}",
                        job.job_type()
                    );
                    assert!(m.action.is_some_and(|a| a.url.starts_with("http")), "{} has no link", job.job_type());
                }
            }
        }
    }

    #[test]
    fn the_digest_lists_every_count_by_status_priority_and_company_in_the_readers_language() {
        let mut job = job(JobType::StatsDigest);
        let Payload::StatsDigest(p) = &mut job.payload else { unreachable!() };
        p.figures.by_status.insert("on_hold".into(), 2);
        p.figures.by_priority.insert("urgent".into(), 1);
        p.figures.by_company.insert("acme".into(), 4);
        p.figures.first_response_median_secs = Some(1800);
        let mut to = recipients(&job.payload).remove(0);
        to.user.locale = "fr".into();
        let m = compose(&job, &to, &site(), None);
        for fact in ["Statut : Suspendu", "Priorité : Urgente", "Société : acme", "Première réponse, médiane"] {
            assert!(m.facts.iter().any(|(label, _)| label == fact), "{fact}: {:?}", m.facts);
        }
    }

    #[test]
    fn french_recipient_reads_french() {
        let job = job(JobType::TicketAssigned);
        let mut to = recipients(&job.payload).remove(0);
        to.user.locale = "fr-CA".into();
        let m = compose(&job, &to, &site(), None);
        assert_eq!(m.subject, "[n°1042] Ticket qui vous est assigné : Printer on fire");
        assert_eq!(m.facts[0], ("Statut".to_owned(), "Ouvert".to_owned()));
    }

    #[test]
    fn unknown_locale_falls_back_to_english() {
        let job = job(JobType::TicketAssigned);
        let mut to = recipients(&job.payload).remove(0);
        to.user.locale = "de".into();
        assert_eq!(compose(&job, &to, &site(), None).subject, "[#1042] Assigned to you: Printer on fire");
    }

    fn report_email(locale: &str, expires_in: Duration) -> Message {
        let job = job(JobType::ReportReady);
        let mut to = recipients(&job.payload).remove(0);
        to.user.locale = locale.into();
        let link = ReportLink { url: "https://s3.example.com/reports/r-1.csv?X-Amz-Signature=abc".into(), expires_in };
        compose(&job, &to, &site(), Some(&link))
    }

    #[test]
    fn report_email_downloads_through_the_link_and_notification_opens_the_report_page() {
        let m = report_email("en", Duration::from_secs(3600));
        let action = m.action.clone().unwrap();
        assert_eq!(action.label, "Download the report");
        assert_eq!(action.url, "https://s3.example.com/reports/r-1.csv?X-Amz-Signature=abc");
        assert_eq!(m.notification_link(), Some("https://help.example.com/reports/r-1"));
        assert_eq!(
            m.paragraphs[1],
            "The link works for 1 hour. The report also stays available in Helpdesk, on the reports page: \
             https://help.example.com/reports/r-1"
        );
    }

    #[test]
    fn french_report_email_says_how_long_the_link_works() {
        let m = report_email("fr", Duration::from_secs(3600));
        assert_eq!(m.action.unwrap().label, "Télécharger le rapport");
        assert_eq!(
            m.paragraphs[1],
            "Le lien est valable 1 heure. Le rapport reste aussi disponible dans Helpdesk, sur la page des rapports : \
             https://help.example.com/reports/r-1"
        );
    }

    #[test]
    fn link_life_reads_in_minutes_under_an_hour_and_in_hours_above_singular_or_plural() {
        let life = |locale, secs| report_email(locale, Duration::from_secs(secs)).paragraphs[1].clone();
        assert!(life("en", 60).starts_with("The link works for 1 minute."));
        assert!(life("en", 900).starts_with("The link works for 15 minutes."));
        assert!(life("en", 7200).starts_with("The link works for 2 hours."));
        assert!(life("en", 604_800).starts_with("The link works for 168 hours."));
        assert!(life("fr", 60).starts_with("Le lien est valable 1 minute."));
        assert!(life("fr", 2700).starts_with("Le lien est valable 45 minutes."));
        assert!(life("fr", 10_800).starts_with("Le lien est valable 3 heures."));
        // Rounded down: never more than the link gives.
        assert!(life("en", 5399).starts_with("The link works for 1 hour."));
        assert!(life("en", 3599).starts_with("The link works for 59 minutes."));
    }

    #[test]
    fn report_email_without_a_download_link_links_to_the_report_page() {
        for locale in ["en", "fr"] {
            let job = job(JobType::ReportReady);
            let mut to = recipients(&job.payload).remove(0);
            to.user.locale = locale.into();
            let m = compose(&job, &to, &site(), None);
            assert_eq!(m.action.as_ref().unwrap().url, "https://help.example.com/reports/r-1");
            assert_eq!(m.notification_link(), Some("https://help.example.com/reports/r-1"));
            assert_eq!(m.paragraphs.len(), 1, "no link life to tell: {:?}", m.paragraphs);
        }
    }

    #[test]
    fn ticket_link_encodes_the_id() {
        let mut t = fixtures::ticket(1);
        t.id = "a/b?c=<d>".into();
        assert_eq!(site().ticket_url(&t), "https://help.example.com/tickets/a%2Fb%3Fc%3D%3Cd%3E");
    }
}
