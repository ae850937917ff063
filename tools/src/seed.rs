//! `deskbell seed`: realistic demo data, sent as jobs through the stack like the app would:
//! tickets opened by customers of a few companies over the last 30 days, assigned to agents,
//! some answered and solved later — so the ticket store, reports and statistics have data.

use chrono::{DateTime, Duration, Utc};
use deskbell_contract::{
    Company, Job, Payload, Priority, Role, Status, Ticket, TicketCreated, TicketStatusChanged, User,
};

use crate::context::{CliError, QueueKind, Stack};
use crate::{output, send};

const COMPANIES: &[(&str, &str)] = &[
    ("acme", "ACME Corporation"),
    ("northwind", "Northwind Traders"),
    ("contoso", "Contoso Ltd"),
    ("boulangerie-martin", "Boulangerie Martin SARL"),
    ("globex", "Globex"),
];
const FIRST: &[&str] = &["Camille", "Daniel", "Grace", "Julien", "Lena", "Marc", "Oliver", "Aisha", "Noah", "Inès"];
const LAST: &[&str] =
    &["Lefèvre", "Weber", "Chen", "Moreau", "Fischer", "Fontaine", "Bennett", "Khan", "Dubois", "Rossi"];
const AGENTS: &[(&str, &str)] =
    &[("priya.raman", "Priya Raman"), ("tomas.ortega", "Tomás Ortega"), ("helen.okafor", "Helen Okafor")];
const SUBJECTS: &[&str] = &[
    "Cannot log in since this morning",
    "Invoice PDF is blank",
    "VPN drops every 20 minutes",
    "Export to Excel cuts off after 10,000 rows",
    "Impossible d'imprimer les factures",
    "Need two more seats on the Pro plan",
    "Password reset email never arrives",
    "Dashboard shows yesterday's figures",
];

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

/// An address-safe form of a name: lower case, accents dropped, other characters removed.
fn slug(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .filter_map(|c| match c {
            'à' | 'á' | 'â' => Some('a'),
            'è' | 'é' | 'ê' | 'ë' => Some('e'),
            'ì' | 'í' | 'î' | 'ï' => Some('i'),
            'ò' | 'ó' | 'ô' => Some('o'),
            'ù' | 'ú' | 'û' | 'ü' => Some('u'),
            'ç' => Some('c'),
            c if c.is_ascii_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

/// The jobs of `tickets` demo tickets, deterministic for a `seed`, at `domain` addresses:
/// a `ticket.created` for each, then a `ticket.status_changed` to solved for about 40 % of them.
pub fn demo_jobs(tickets: u64, now: DateTime<Utc>, seed: u64, domain: &str) -> Vec<Job> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut jobs = Vec::new();
    for n in 0..tickets {
        let (first, last) = (pick(&mut rng, FIRST), pick(&mut rng, LAST));
        let (company_id, company_name) = *pick(&mut rng, COMPANIES);
        let requester = User {
            id: format!("seed-cust-{}-{}", slug(first), slug(last)),
            email: format!("{}.{}@{company_id}.{domain}", slug(first), slug(last)),
            name: format!("{first} {last}"),
            locale: if company_id == "boulangerie-martin" { "fr".into() } else { "en".into() },
            role: Role::Customer,
        };
        let (agent_id, agent_name) = *pick(&mut rng, AGENTS);
        let agent = User {
            id: format!("seed-{agent_id}"),
            email: format!("{agent_id}@{domain}"),
            name: agent_name.into(),
            locale: "en".into(),
            role: Role::Agent,
        };
        let created_at = now - Duration::minutes(rng.i64(60..30 * 24 * 60));
        let priority =
            *pick(&mut rng, &[Priority::Low, Priority::Normal, Priority::Normal, Priority::High, Priority::Urgent]);
        let number = 5000 + n;
        let ticket = Ticket {
            id: format!("seed-t-{number}"),
            number,
            subject: pick(&mut rng, SUBJECTS).to_string(),
            status: Status::Open,
            priority,
            requester: requester.clone(),
            assignee: Some(agent.clone()),
            watchers: vec![],
            company: Some(Company { id: company_id.into(), name: company_name.into() }),
            created_at,
            updated_at: created_at,
            first_response_at: None,
            resolved_at: None,
            version: 1,
        };
        let created = Payload::TicketCreated(TicketCreated { ticket: ticket.clone(), actor: requester.clone() });
        jobs.push(Job::new(format!("seed-{seed}-{number}-created"), created_at, created));
        if rng.u8(..100) < 40 {
            let responded = created_at + Duration::minutes(rng.i64(5..240));
            let solved = responded + Duration::minutes(rng.i64(30..3 * 24 * 60));
            if solved < now {
                let ticket = Ticket {
                    status: Status::Solved,
                    updated_at: solved,
                    first_response_at: Some(responded),
                    resolved_at: Some(solved),
                    version: 2,
                    ..ticket
                };
                let changed = Payload::TicketStatusChanged(TicketStatusChanged {
                    ticket,
                    actor: agent,
                    from: Status::Open,
                    to: Status::Solved,
                });
                jobs.push(Job::new(format!("seed-{seed}-{number}-solved"), solved, changed));
            }
        }
    }
    jobs
}

/// Runs `deskbell seed`: sends the jobs of `tickets` demo tickets ([`demo_jobs`]) to their
/// queues with a progress bar and prints how many went out; answers the exit code, 1 when SQS
/// refused any.
pub async fn command(stack: &Stack, tickets: u64, seed: u64, domain: &str, json: bool) -> Result<i32, CliError> {
    let jobs: Vec<(String, QueueKind)> = demo_jobs(tickets, Utc::now(), seed, domain)
        .iter()
        .map(|job| (job.to_body(), QueueKind::of(Some(job.job_type()))))
        .collect();
    let bar = indicatif::ProgressBar::new(jobs.len() as u64);
    let sent = send::enqueue(stack, jobs, 16, |n| bar.inc(n)).await?;
    bar.finish_and_clear();
    if json {
        output::json(&sent);
    } else {
        println!("seeded {tickets} tickets: {} jobs sent in {:.2} s", sent.sent, sent.seconds);
    }
    Ok(if sent.failed.is_empty() { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_jobs_are_valid_contract_jobs_and_repeat_for_a_seed() {
        let now: DateTime<Utc> = "2026-12-01T12:00:00Z".parse().unwrap();
        let jobs = demo_jobs(50, now, 7, "example.com");
        assert!(jobs.len() >= 50);
        let created = jobs.iter().filter(|j| j.id.ends_with("-created")).count();
        assert_eq!(created, 50);
        for job in &jobs {
            let decoded = deskbell_contract::decode(&job.to_body()).unwrap_or_else(|e| panic!("{}: {e}", job.id));
            assert_eq!(&decoded, job);
            assert!(job.occurred_at <= now);
        }
        let again: Vec<String> = demo_jobs(50, now, 7, "example.com").iter().map(Job::to_body).collect();
        assert_eq!(again, jobs.iter().map(Job::to_body).collect::<Vec<_>>());
    }
}
