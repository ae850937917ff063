//! Digests: the daily or weekly statistics of the helpdesk.

use deskbell_contract::{Priority, StatsDigest, StatsPeriod, Status};

use super::{Action, Message, Site, admin_footer};
use crate::lang::Lang;

/// `stats.digest`: every count, by status, priority and company, in the reader's language.
pub(super) fn stats(lang: Lang, p: &StatsDigest, site: &Site) -> Message {
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
        (tr!(lang, "First response, 90th percentile", "Première réponse, 90e centile"), f.first_response_p90_secs),
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
        f.by_status.iter().map(|(k, v)| (format!("{status_label}{}", status_name(k).unwrap_or(k)), lang.count(*v))),
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
        action: Some(Action { label: tr!(lang, "Open {}", "Ouvrir {}", site.product), url: site.app_url.clone() }),
        in_app_link: None,
        footer: admin_footer(lang, site),
    }
}
