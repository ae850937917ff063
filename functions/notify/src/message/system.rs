//! System mails to administrators: planned maintenance and health-check alerts.

use deskbell_contract::{AlertCheck, AlertState, SystemAlert, SystemMaintenance};

use super::{Action, Message, Site, admin_footer};
use crate::lang::Lang;

/// `system.maintenance`: when, and the announcement as typed.
pub(super) fn maintenance(lang: Lang, p: &SystemMaintenance, site: &Site) -> Message {
    let (title, start, end) = (&p.title, lang.when(p.starts_at), lang.when(p.ends_at));
    Message {
        lang,
        subject: tr!(lang, "Planned maintenance: {title}", "Maintenance planifiée : {title}"),
        heading: tr!(lang, "Planned maintenance: {title}", "Maintenance planifiée : {title}"),
        summary: tr!(lang, "From {start} to {end}", "Du {start} au {end}"),
        paragraphs: vec![tr!(lang, "From {start} to {end}.", "Du {start} au {end}.")],
        quote: Some(p.message.clone()),
        facts: vec![],
        action: Some(Action { label: tr!(lang, "Open {}", "Ouvrir {}", site.product), url: site.app_url.clone() }),
        in_app_link: None,
        footer: admin_footer(lang, site),
    }
}

/// A health-check incident, raised or cleared.
pub(super) fn alert(lang: Lang, p: &SystemAlert, site: &Site) -> Message {
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
