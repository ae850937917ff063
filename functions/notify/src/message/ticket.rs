//! Ticket events: created, updated, assigned, status changed; and the frame every ticket
//! message shares.

use deskbell_contract::{Ticket, TicketAssigned, TicketCreated, TicketStatusChanged, TicketUpdated};

use super::{Action, Message, Site, snippet};
use crate::lang::Lang;
use crate::recipients::{Audience, Recipient};

/// `ticket.created`: the requester hears it was received, the others that it is new.
pub(super) fn created(lang: Lang, p: &TicketCreated, to: &Recipient, site: &Site) -> Message {
    let (t, actor) = (&p.ticket, &p.actor.name);
    let n = t.number;
    let subject = if to.audience == Audience::Requester {
        tr!(lang, "[#{n}] We received your request: {}", "[n°{n}] Nous avons bien reçu votre demande : {}", t.subject)
    } else {
        tr!(lang, "[#{n}] New ticket: {}", "[n°{n}] Nouveau ticket : {}", t.subject)
    };
    let heading = tr!(lang, "{actor} opened ticket #{n}", "{actor} a ouvert le ticket n°{n}");
    ticket_message(lang, t, to, site, subject, heading, vec![], None)
}

/// `ticket.updated`: the changed fields, from → to.
pub(super) fn updated(lang: Lang, p: &TicketUpdated, to: &Recipient, site: &Site) -> Message {
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

/// `ticket.assigned`: the assignee hears it is theirs, the others to whom it went.
pub(super) fn assigned(lang: Lang, p: &TicketAssigned, to: &Recipient, site: &Site) -> Message {
    let (t, actor, n) = (&p.ticket, &p.actor.name, p.ticket.number);
    let assignee = t.assignee.as_ref().map(|u| u.name.clone()).unwrap_or_else(|| tr!(lang, "nobody", "personne"));
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

/// `ticket.status_changed`: from which status to which.
pub(super) fn status_changed(lang: Lang, p: &TicketStatusChanged, to: &Recipient, site: &Site) -> Message {
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

/// The frame of every ticket message: the ticket's facts, its link, why the recipient gets it.
#[allow(clippy::too_many_arguments)]
pub(super) fn ticket_message(
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
