//! What a message says, in the recipient's language, before any markup: one [`Message`] per
//! (job, recipient), rendered later as the HTML part, the text part and the in-app notification.

use std::time::Duration;

use deskbell_contract::{AlertCheck, AlertState, Job, Payload, Priority, StatsPeriod, Status, SystemAlert, Ticket};

use crate::lang::Lang;
use crate::recipients::{Audience, Recipient};

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

/// Writes the message of `job` for `to`. `report_link` is the download link of a
/// `report.ready` job's file, when there is one; without it the email links to the report's page.
pub fn compose(job: &Job, to: &Recipient, site: &Site, report_link: Option<&ReportLink>) -> Message {
    let lang = Lang::for_locale(&to.user.locale);
    match &job.payload {
        Payload::TicketCreated(p) => {
            let (t, actor) = (&p.ticket, &p.actor.name);
            let n = t.number;
            let subject = if to.audience == Audience::Requester {
                tr!(
                    lang,
                    "[#{n}] We received your request: {}",
                    "[n°{n}] Nous avons bien reçu votre demande : {}",
                    t.subject
                )
            } else {
                tr!(lang, "[#{n}] New ticket: {}", "[n°{n}] Nouveau ticket : {}", t.subject)
            };
            let heading = tr!(lang, "{actor} opened ticket #{n}", "{actor} a ouvert le ticket n°{n}");
            ticket_message(lang, t, to, site, subject, heading, vec![], None)
        }
        Payload::TicketUpdated(p) => {
            let (t, actor, n) = (&p.ticket, &p.actor.name, p.ticket.number);
            let subject = tr!(lang, "[#{n}] Ticket updated: {}", "[n°{n}] Ticket mis à jour : {}", t.subject);
            let heading = tr!(lang, "{actor} updated ticket #{n}", "{actor} a mis à jour le ticket n°{n}");
            let none = tr!(lang, "(none)", "(aucun)");
            let changes = p
                .changes
                .iter()
                .map(|c| {
                    let from = c.from.clone().unwrap_or_else(|| none.clone());
                    let to = c.to.clone().unwrap_or_else(|| none.clone());
                    (c.field.clone(), format!("{from} → {to}"))
                })
                .collect();
            ticket_message(lang, t, to, site, subject, heading, changes, None)
        }
        Payload::TicketAssigned(p) => {
            let (t, actor, n) = (&p.ticket, &p.actor.name, p.ticket.number);
            let assignee =
                t.assignee.as_ref().map(|u| u.name.clone()).unwrap_or_else(|| tr!(lang, "nobody", "personne"));
            let (subject, heading) = match to.audience {
                Audience::Assignee => (
                    tr!(lang, "[#{n}] Assigned to you: {}", "[n°{n}] Ticket qui vous est assigné : {}", t.subject),
                    tr!(lang, "{actor} assigned ticket #{n} to you", "{actor} vous a assigné le ticket n°{n}"),
                ),
                _ => (
                    tr!(lang, "[#{n}] Assigned to {assignee}: {}", "[n°{n}] Assigné à {assignee} : {}", t.subject),
                    tr!(
                        lang,
                        "Ticket #{n} is now assigned to {assignee}",
                        "Le ticket n°{n} est maintenant assigné à {assignee}"
                    ),
                ),
            };
            ticket_message(lang, t, to, site, subject, heading, vec![], None)
        }
        Payload::TicketStatusChanged(p) => {
            let (t, actor, n) = (&p.ticket, &p.actor.name, p.ticket.number);
            let (from, status) = (lang.status(p.from), lang.status(p.to));
            let subject = tr!(lang, "[#{n}] {status}: {}", "[n°{n}] {status} : {}", t.subject);
            let heading = tr!(
                lang,
                "{actor} changed ticket #{n} from {from} to {status}",
                "{actor} a passé le ticket n°{n} de « {from} » à « {status} »"
            );
            ticket_message(lang, t, to, site, subject, heading, vec![], None)
        }
        Payload::CommentCreated(p) => {
            let (t, actor, n) = (&p.ticket, &p.actor.name, p.ticket.number);
            let (subject, heading) = if p.comment.internal {
                (
                    tr!(lang, "[#{n}] Internal note: {}", "[n°{n}] Note interne : {}", t.subject),
                    tr!(
                        lang,
                        "{actor} added an internal note on ticket #{n}",
                        "{actor} a ajouté une note interne au ticket n°{n}"
                    ),
                )
            } else {
                (
                    tr!(lang, "[#{n}] New reply: {}", "[n°{n}] Nouvelle réponse : {}", t.subject),
                    tr!(lang, "{actor} replied on ticket #{n}", "{actor} a répondu sur le ticket n°{n}"),
                )
            };
            let mut m = ticket_message(lang, t, to, site, subject, heading, vec![], Some(p.comment.body.clone()));
            m.summary = snippet(&p.comment.body);
            m
        }
        Payload::UserWelcome(p) => {
            let (name, product) = (&p.user.name, &site.product);
            Message {
                lang,
                subject: tr!(lang, "Welcome to {product}, {name}", "Bienvenue sur {product}, {name}"),
                heading: tr!(lang, "Welcome, {name}!", "Bienvenue, {name} !"),
                summary: tr!(lang, "Your account is ready.", "Votre compte est prêt."),
                paragraphs: vec![tr!(
                    lang,
                    "Your account is ready. You can follow your requests and reply to them from {product}.",
                    "Votre compte est prêt. Vous pouvez suivre vos demandes et y répondre depuis {product}."
                )],
                quote: None,
                facts: vec![],
                action: Some(Action {
                    label: tr!(lang, "Open {product}", "Ouvrir {product}"),
                    url: site.app_url.clone(),
                }),
                in_app_link: None,
                footer: account_footer(lang, site),
            }
        }
        Payload::UserActivation(p) => {
            let expires = lang.when(p.expires_at);
            Message {
                lang,
                subject: tr!(lang, "Activate your account", "Activez votre compte"),
                heading: tr!(lang, "Confirm your email address", "Confirmez votre adresse e-mail"),
                summary: tr!(lang, "Confirm your email address", "Confirmez votre adresse e-mail"),
                paragraphs: vec![
                    tr!(lang, "Hello {},", "Bonjour {},", p.user.name),
                    tr!(
                        lang,
                        "Confirm your address to activate your account. The link expires on {expires}.",
                        "Confirmez votre adresse pour activer votre compte. Le lien expire le {expires}."
                    ),
                ],
                quote: None,
                facts: vec![],
                action: Some(Action {
                    label: tr!(lang, "Activate my account", "Activer mon compte"),
                    url: p.activation_url.clone(),
                }),
                in_app_link: None,
                footer: account_footer(lang, site),
            }
        }
        Payload::UserPasswordReset(p) => {
            let expires = lang.when(p.expires_at);
            Message {
                lang,
                subject: tr!(lang, "Reset your password", "Réinitialisez votre mot de passe"),
                heading: tr!(lang, "Reset your password", "Réinitialisez votre mot de passe"),
                summary: tr!(lang, "Reset your password", "Réinitialisez votre mot de passe"),
                paragraphs: vec![
                    tr!(lang, "Hello {},", "Bonjour {},", p.user.name),
                    tr!(
                        lang,
                        "Someone asked to reset the password of your account. The link expires on {expires}.",
                        "Une réinitialisation du mot de passe de votre compte a été demandée. Le lien expire le {expires}."
                    ),
                    tr!(
                        lang,
                        "If it was not you, ignore this email: your password stays as it is.",
                        "Si ce n'était pas vous, ignorez cet e-mail : votre mot de passe reste inchangé."
                    ),
                ],
                quote: None,
                facts: vec![],
                action: Some(Action {
                    label: tr!(lang, "Choose a new password", "Choisir un nouveau mot de passe"),
                    url: p.reset_url.clone(),
                }),
                in_app_link: None,
                footer: account_footer(lang, site),
            }
        }
        Payload::SystemMaintenance(p) => {
            let (title, start, end) = (&p.title, lang.when(p.starts_at), lang.when(p.ends_at));
            Message {
                lang,
                subject: tr!(lang, "Planned maintenance: {title}", "Maintenance planifiée : {title}"),
                heading: tr!(lang, "Planned maintenance: {title}", "Maintenance planifiée : {title}"),
                summary: tr!(lang, "From {start} to {end}", "Du {start} au {end}"),
                paragraphs: vec![tr!(lang, "From {start} to {end}.", "Du {start} au {end}.")],
                quote: Some(p.message.clone()),
                facts: vec![],
                action: Some(Action {
                    label: tr!(lang, "Open {}", "Ouvrir {}", site.product),
                    url: site.app_url.clone(),
                }),
                in_app_link: None,
                footer: admin_footer(lang, site),
            }
        }
        Payload::ReportReady(p) => {
            let (rows, format) = (lang.count(p.rows), format!("{:?}", p.format).to_uppercase());
            let page = site.page("reports", &p.report_id);
            let mut paragraphs = vec![tr!(
                lang,
                "Your {format} report of {rows} tickets is ready.",
                "Votre rapport {format} de {rows} tickets est prêt."
            )];
            let download = match report_link {
                Some(link) => {
                    let (life, product) = (lang.lifetime(link.expires_in), &site.product);
                    let works = tr!(lang, "The link works for {life}.", "Le lien est valable {life}.");
                    let stays = tr!(
                        lang,
                        "The report also stays available in {product}, on the reports page: {page}",
                        "Le rapport reste aussi disponible dans {product}, sur la page des rapports : {page}"
                    );
                    paragraphs.push(format!("{works} {stays}"));
                    link.url.clone()
                }
                None => page.clone(),
            };
            Message {
                lang,
                subject: tr!(lang, "Your report is ready", "Votre rapport est prêt"),
                heading: tr!(lang, "Your report is ready", "Votre rapport est prêt"),
                summary: tr!(lang, "{rows} tickets, {format}", "{rows} tickets, {format}"),
                paragraphs,
                quote: None,
                facts: vec![],
                action: Some(Action {
                    label: tr!(lang, "Download the report", "Télécharger le rapport"),
                    url: download,
                }),
                in_app_link: Some(page),
                footer: tr!(
                    lang,
                    "You receive this email because you asked for this report.",
                    "Vous recevez cet e-mail parce que vous avez demandé ce rapport."
                ),
            }
        }
        Payload::StatsDigest(p) => {
            let f = &p.figures;
            let day = lang.day(p.period_start);
            let heading = match p.period {
                StatsPeriod::Daily => tr!(lang, "Daily statistics, {day}", "Statistiques du {day}"),
                StatsPeriod::Weekly => {
                    tr!(lang, "Weekly statistics, week of {day}", "Statistiques de la semaine du {day}")
                }
            };
            let mut facts = vec![
                (tr!(lang, "Created", "Créés"), lang.count(f.created)),
                (tr!(lang, "Closed", "Fermés"), lang.count(f.closed)),
                (tr!(lang, "Reopened", "Rouverts"), lang.count(f.reopened)),
                (tr!(lang, "Backlog at end", "En cours à la fin"), lang.count(f.backlog)),
            ];
            let timings = [
                (tr!(lang, "First response, median", "Première réponse, médiane"), f.first_response_median_secs),
                (
                    tr!(lang, "First response, 90th percentile", "Première réponse, 90e centile"),
                    f.first_response_p90_secs,
                ),
                (tr!(lang, "Resolution, median", "Résolution, médiane"), f.resolution_median_secs),
                (tr!(lang, "Resolution, 90th percentile", "Résolution, 90e centile"), f.resolution_p90_secs),
            ];
            facts.extend(timings.into_iter().filter_map(|(label, secs)| secs.map(|s| (label, lang.duration(s)))));
            // Known statuses and priorities in the reader's language; company ids as they are.
            let status_name = |k: &str| Status::ALL.into_iter().find(|s| s.as_str() == k).map(|s| lang.status(s));
            let priority_name = |k: &str| Priority::ALL.into_iter().find(|p| p.as_str() == k).map(|p| lang.priority(p));
            let (status_label, priority_label, company_label) = (
                tr!(lang, "Status: ", "Statut : "),
                tr!(lang, "Priority: ", "Priorité : "),
                tr!(lang, "Company: ", "Société : "),
            );
            facts.extend(
                f.by_status
                    .iter()
                    .map(|(k, v)| (format!("{status_label}{}", status_name(k).unwrap_or(k)), lang.count(*v))),
            );
            facts.extend(
                f.by_priority
                    .iter()
                    .map(|(k, v)| (format!("{priority_label}{}", priority_name(k).unwrap_or(k)), lang.count(*v))),
            );
            facts.extend(f.by_company.iter().map(|(k, v)| (format!("{company_label}{k}"), lang.count(*v))));
            let (created, closed) = (lang.count(f.created), lang.count(f.closed));
            Message {
                lang,
                subject: heading.clone(),
                heading,
                summary: tr!(lang, "{created} created, {closed} closed", "{created} créés, {closed} fermés"),
                paragraphs: vec![],
                quote: None,
                facts,
                action: Some(Action {
                    label: tr!(lang, "Open {}", "Ouvrir {}", site.product),
                    url: site.app_url.clone(),
                }),
                in_app_link: None,
                footer: admin_footer(lang, site),
            }
        }
        Payload::SystemAlert(p) => alert_message(lang, p, site),
        // recipients() lists nobody for it; composing one anyway says what it is.
        Payload::ReportRequested(p) => Message {
            lang,
            subject: tr!(lang, "Report requested", "Rapport demandé"),
            heading: tr!(lang, "Report requested", "Rapport demandé"),
            summary: p.report_id.clone(),
            paragraphs: vec![],
            quote: None,
            facts: vec![],
            action: None,
            in_app_link: None,
            footer: String::new(),
        },
    }
}

#[allow(clippy::too_many_arguments)]
fn ticket_message(
    lang: Lang,
    t: &Ticket,
    to: &Recipient,
    site: &Site,
    subject: String,
    heading: String,
    mut facts: Vec<(String, String)>,
    quote: Option<String>,
) -> Message {
    facts.push((tr!(lang, "Status", "Statut"), lang.status(t.status).to_owned()));
    facts.push((tr!(lang, "Priority", "Priorité"), lang.priority(t.priority).to_owned()));
    if let Some(assignee) = &t.assignee {
        facts.push((tr!(lang, "Assignee", "Assigné à"), assignee.name.clone()));
    }
    if let Some(company) = &t.company {
        facts.push((tr!(lang, "Company", "Société"), company.name.clone()));
    }
    let n = t.number;
    let why = match to.audience {
        Audience::Requester => tr!(lang, "you asked for ticket #{n}", "vous avez ouvert le ticket n°{n}"),
        Audience::Assignee => tr!(lang, "ticket #{n} is assigned to you", "le ticket n°{n} vous est assigné"),
        Audience::PreviousAssignee => {
            tr!(lang, "ticket #{n} was assigned to you", "le ticket n°{n} vous était assigné")
        }
        _ => tr!(lang, "you follow ticket #{n}", "vous suivez le ticket n°{n}"),
    };
    Message {
        lang,
        subject,
        heading,
        summary: snippet(&t.subject),
        paragraphs: vec![tr!(lang, "Ticket #{n}: {}", "Ticket n°{n} : {}", t.subject)],
        quote,
        facts,
        action: Some(Action { label: tr!(lang, "View ticket #{n}", "Voir le ticket n°{n}"), url: site.ticket_url(t) }),
        in_app_link: None,
        footer: tr!(lang, "You receive this email because {why}.", "Vous recevez cet e-mail parce que {why}."),
    }
}

fn account_footer(lang: Lang, site: &Site) -> String {
    let product = &site.product;
    tr!(
        lang,
        "You receive this email about your {product} account.",
        "Vous recevez cet e-mail au sujet de votre compte {product}."
    )
}

/// A health-check incident, raised or cleared.
fn alert_message(lang: Lang, p: &SystemAlert, site: &Site) -> Message {
    let resource = &p.resource;
    let what = match p.check {
        AlertCheck::DlqNotEmpty => tr!(lang, "messages in {resource}", "messages dans {resource}"),
        AlertCheck::OldestWaiting => {
            tr!(lang, "jobs waiting too long in {resource}", "tâches en attente trop longue dans {resource}")
        }
        AlertCheck::FailureRate => tr!(lang, "failure rate of {resource}", "taux d'échec de {resource}"),
    };
    let (subject, paragraph) = match p.state {
        AlertState::Raised => (
            tr!(lang, "[Alert] {what}", "[Alerte] {what}"),
            tr!(
                lang,
                "The health check raised an incident on {}.",
                "Le contrôle de santé a ouvert un incident le {}.",
                lang.when(p.raised_at)
            ),
        ),
        AlertState::Cleared => (
            tr!(lang, "[Resolved] {what}", "[Résolu] {what}"),
            tr!(
                lang,
                "The incident raised on {} is over: the check passes again.",
                "L'incident ouvert le {} est terminé : le contrôle passe de nouveau.",
                lang.when(p.raised_at)
            ),
        ),
    };
    let number = |v: f64| if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.2}") };
    let mut facts = vec![
        (tr!(lang, "Check", "Contrôle"), p.check.as_str().to_owned()),
        (tr!(lang, "Resource", "Ressource"), p.resource.clone()),
        (tr!(lang, "Observed", "Observé"), number(p.observed)),
        (tr!(lang, "Threshold", "Seuil"), number(p.threshold)),
        (tr!(lang, "Incident", "Incident"), p.incident_id.clone()),
    ];
    if let Some(cleared_at) = p.cleared_at {
        facts.push((tr!(lang, "Cleared", "Résolu le"), lang.when(cleared_at)));
    }
    Message {
        lang,
        heading: subject.clone(),
        subject,
        summary: deskbell_mailer::single_line(&p.details, 140),
        paragraphs: vec![paragraph],
        quote: Some(p.details.clone()),
        facts,
        action: Some(Action { label: tr!(lang, "Open {}", "Ouvrir {}", site.product), url: site.app_url.clone() }),
        in_app_link: None,
        footer: admin_footer(lang, site),
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
