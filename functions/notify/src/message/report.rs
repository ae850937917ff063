//! Reports: a report file is ready (with its download link when there is one).

use deskbell_contract::{ReportReady, ReportRequested};

use super::{Action, Message, ReportLink, Site};
use crate::lang::Lang;

/// `report.ready`: download through the link while it works, else from the report's page.
pub(super) fn ready(lang: Lang, p: &ReportReady, site: &Site, report_link: Option<&ReportLink>) -> Message {
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
        action: Some(Action { label: tr!(lang, "Download the report", "Télécharger le rapport"), url: download }),
        in_app_link: Some(page),
        footer: tr!(
            lang,
            "You receive this email because you asked for this report.",
            "Vous recevez cet e-mail parce que vous avez demandé ce rapport."
        ),
    }
}

/// `report.requested`: recipients() lists nobody for it; composing one anyway says what it is.
pub(super) fn requested(lang: Lang, p: &ReportRequested) -> Message {
    Message {
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
    }
}
