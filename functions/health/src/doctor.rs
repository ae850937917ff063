//! Act: observe the queues and counters, then raise, clear and announce incidents.

use chrono::{DateTime, Utc};
use deskbell_contract::{AlertCheck, AlertState, Job, Payload, SystemAlert, User};
use deskbell_jobs::{JobQueue, QueueDepths};
use deskbell_records::{Incident, IncidentLog, IncidentState, OutcomeCounts};
use serde::Serialize;

use crate::HealthError;
use crate::checks::{DlqSeen, QueueSeen, Step, Thresholds, Verdict, next_waiting_since, steps, verdicts};
use crate::topic::{AlertTopic, NoTopic};

/// The queues a health check watches, by URL.
#[derive(Debug, Clone, Default)]
pub struct Watched {
    /// Work queues: waiting time and failure rate.
    pub queues: Vec<String>,
    /// Dead-letter queues: any message.
    pub dlqs: Vec<String>,
}

/// What one run saw and did, as the Lambda's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthReport {
    pub checks: Vec<Verdict>,
    /// The ids of the `system.alert` jobs published by this run.
    pub alerts: Vec<String>,
}

/// The health check: queue depths, the jobs table (counters, waiting marks, incidents), the
/// notifications queue and the admins to tell, and the alerts topic that pages them too.
pub struct Doctor<D, R, Q, T = NoTopic> {
    depths: D,
    records: R,
    queue: Q,
    topic: T,
    watched: Watched,
    thresholds: Thresholds,
    admins: Vec<User>,
}

/// The queue name at the end of a queue URL.
fn name_of(url: &str) -> &str {
    url.trim_end_matches('/').rsplit('/').next().unwrap_or(url)
}

impl<D, R, Q> Doctor<D, R, Q> {
    /// A doctor publishing alerts onto `queue` only.
    pub fn new(depths: D, records: R, queue: Q, watched: Watched, thresholds: Thresholds, admins: Vec<User>) -> Self {
        Self { depths, records, queue, topic: NoTopic, watched, thresholds, admins }
    }
}

impl<D, R, Q, T> Doctor<D, R, Q, T> {
    /// Also pages every alert to `topic` (SNS), so admins hear of an incident even when the
    /// notifications queue or notify is what is broken.
    pub fn with_topic<U: AlertTopic>(self, topic: U) -> Doctor<D, R, Q, U> {
        let Doctor { depths, records, queue, watched, thresholds, admins, .. } = self;
        Doctor { depths, records, queue, topic, watched, thresholds, admins }
    }

    /// The alerts topic (tests read what was paged).
    pub fn topic(&self) -> &T {
        &self.topic
    }
}

impl<D: QueueDepths, R: OutcomeCounts + IncidentLog, Q: JobQueue, T: AlertTopic> Doctor<D, R, Q, T> {
    pub fn records(&self) -> &R {
        &self.records
    }

    /// One health run at `now`.
    pub async fn run(&self, now: DateTime<Utc>) -> Result<HealthReport, HealthError> {
        let mut queues = Vec::new();
        for url in &self.watched.queues {
            queues.push(self.observe_queue(url, now).await?);
        }
        let mut dlqs = Vec::new();
        for url in &self.watched.dlqs {
            dlqs.push(DlqSeen { name: name_of(url).to_owned(), depth: self.depths.depth(url).await? });
        }
        let checks = verdicts(&queues, &dlqs, &self.thresholds, now);
        let mut alerts = Vec::new();
        for v in &checks {
            let stored = self.records.incident(&v.key).await?;
            for step in steps(stored.as_ref(), v, now) {
                alerts.extend(self.act(step, now).await?);
            }
        }
        for q in &queues {
            self.records.set_waiting_since(&q.name, next_waiting_since(&q.depth, q.waiting_since, now)).await?;
        }
        let failing = checks.iter().filter(|v| v.failing).count();
        tracing::info!(checks = checks.len(), failing, alerts = alerts.len(), "health checked");
        Ok(HealthReport { checks, alerts })
    }

    async fn observe_queue(&self, url: &str, now: DateTime<Utc>) -> Result<QueueSeen, HealthError> {
        let name = name_of(url).to_owned();
        let depth = self.depths.depth(url).await?;
        let waiting_since = self.records.waiting_since(&name).await?;
        let window = self.records.hours(&name, now - self.thresholds.failure_window, now).await?;
        let last_finished = match window.iter().filter_map(|h| h.last_at).max() {
            Some(at) => Some(at),
            None => self.records.latest(&name).await?.and_then(|h| h.last_at),
        };
        Ok(QueueSeen { name, depth, waiting_since, window, last_finished })
    }

    /// Carries out one step; answers the id of the alert it published, if any.
    async fn act(&self, step: Step, now: DateTime<Utc>) -> Result<Option<String>, HealthError> {
        let incident = match step {
            Step::Raise(incident) => {
                if !self.records.raise(&incident).await? {
                    return Ok(None); // raised meanwhile by an overlapping run, which tells
                }
                incident
            }
            Step::Clear(stored) => {
                if !self.records.clear(&stored.key, &stored.incident_id, now).await? {
                    return Ok(None); // cleared meanwhile by an overlapping run, which tells
                }
                Incident { state: IncidentState::Cleared, cleared_at: Some(now), notified: false, ..stored }
            }
            Step::Notify(incident) => incident,
        };
        let job = alert_job(&incident, &self.admins);
        self.queue.publish(&job).await?;
        // After the queue (its job id makes a republish harmless), before marking notified:
        // a page that failed is published again by the next run.
        let (subject, text) = alert_text(&incident);
        self.topic.page(&subject, &text).await?;
        self.records.mark_notified(&incident.key, &incident.incident_id, incident.state).await?;
        tracing::warn!(incident = %incident.incident_id, state = incident.state.as_str(), "alert published");
        Ok(Some(job.id))
    }
}

/// The alert of an incident's current state; its id and time derive from the incident alone,
/// so publishing it again is the same job (notify sends it once).
pub fn alert_job(i: &Incident, admins: &[User]) -> Job {
    let (state, at) = match i.state {
        IncidentState::Raised => (AlertState::Raised, i.raised_at),
        IncidentState::Cleared => (AlertState::Cleared, i.cleared_at.unwrap_or(i.raised_at)),
    };
    let (check, resource) = i.key.split_once(':').unwrap_or((i.key.as_str(), ""));
    let check = AlertCheck::parse(check).unwrap_or(AlertCheck::FailureRate);
    Job::new(
        format!("alert-{}-{}", i.incident_id, i.state.as_str()),
        at,
        Payload::SystemAlert(SystemAlert {
            recipients: admins.to_vec(),
            incident_id: i.incident_id.clone(),
            state,
            check,
            resource: resource.to_owned(),
            details: i.details.clone(),
            observed: i.observed,
            threshold: i.threshold,
            raised_at: i.raised_at,
            cleared_at: i.cleared_at,
        }),
    )
}

/// The page of an incident's current state: a one-line subject (SNS: at most 100 characters)
/// and a text an admin reads on a phone.
pub fn alert_text(i: &Incident) -> (String, String) {
    let state = match i.state {
        IncidentState::Raised => "raised",
        IncidentState::Cleared => "cleared",
    };
    let mut subject = format!("deskbell {state}: {}", i.key);
    if subject.chars().count() > 100 {
        subject = subject.chars().take(99).collect::<String>() + "…";
    }
    subject.retain(|c| !c.is_control());
    let mut text = format!(
        "{state}: {key}\n{details}\nobserved {observed}, threshold {threshold}\nraised at {raised}",
        key = i.key,
        details = i.details,
        observed = i.observed,
        threshold = i.threshold,
        raised = i.raised_at.to_rfc3339(),
    );
    if let Some(cleared) = i.cleared_at {
        text.push_str(&format!("\ncleared at {}", cleared.to_rfc3339()));
    }
    text.push_str(&format!("\nincident {}", i.incident_id));
    (subject, text)
}
