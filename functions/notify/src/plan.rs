//! Decide: a job becomes the list of messages to deliver. Pure, no I/O, no clock.

use deskbell_contract::{Job, Payload};

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

/// Everything `job` should deliver. `report.requested` is refused: it belongs on the reports
/// queue, and refusing it sends it to the DLQ with that reason rather than dropping it.
/// `report_link` is the download link of a `report.ready` job's file, when there is one.
pub fn plan(job: &Job, site: &Site, report_link: Option<&ReportLink>) -> Result<Vec<Planned>, NotifyError> {
    if let Payload::ReportRequested(_) = job.payload {
        return Err(NotifyError::WrongQueue { job_type: job.job_type().wire_name(), function: "report" });
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
