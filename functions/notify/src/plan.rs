//! Decide: a job becomes the list of messages to deliver. Pure, no I/O, no clock.

use deskbell_contract::{Job, Queue};

use crate::error::NotifyError;
use crate::message::{Message, ReportLink, Site, compose};
use crate::recipients::{Recipient, recipients};
use crate::render;

/// One recipient's message, rendered, with the channels to deliver it through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub recipient: Recipient,
    pub message: Message,
    pub html: String,
    pub text: String,
}

/// Everything `job` should deliver. A job of another queue's type (`report.requested`) is
/// refused, and refusing it sends it to the DLQ with that reason rather than dropping it.
/// `report_link` is the download link of a `report.ready` job's file, when there is one.
pub fn plan(job: &Job, site: &Site, report_link: Option<&ReportLink>) -> Result<Vec<Planned>, NotifyError> {
    let queue = job.job_type().queue();
    if queue != Queue::Notifications {
        return Err(NotifyError::WrongQueue { job_type: job.job_type().wire_name(), function: queue.function() });
    }
    Ok(recipients(&job.payload)
        .into_iter()
        .map(|recipient| {
            let message = compose(job, &recipient, site, report_link);
            let (html, text) = (render::html(&message), render::text(&message));
            Planned { recipient, message, html, text }
        })
        .collect())
}
