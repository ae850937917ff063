//! Comments: a reply or an internal note on a ticket, quoted.

use deskbell_contract::CommentCreated;

use super::ticket::ticket_message;
use super::{Message, Site, snippet};
use crate::lang::Lang;
use crate::recipients::Recipient;

/// `comment.created`: a reply, or an internal note for the team.
pub(super) fn created(lang: Lang, p: &CommentCreated, to: &Recipient, site: &Site) -> Message {
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
