//! What is deleted from the queue once an invocation is over: the one decision that Lambda's
//! poller makes, and that the local runner and the test harness replay.

use std::collections::HashSet;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};

/// How an invocation on a batch ended.
#[derive(Debug, Clone, Copy)]
pub enum Invocation<'a> {
    /// The function answered with this response.
    Answered(&'a SqsBatchResponse),
    /// The function failed (returned an error, timed out, crashed): every record failed.
    Failed,
}

impl<'a> Invocation<'a> {
    /// The invocation of a handler's result.
    pub fn of<E>(result: &'a Result<SqsBatchResponse, E>) -> Self {
        match result {
            Ok(response) => Self::Answered(response),
            Err(_) => Self::Failed,
        }
    }
}

/// The records of `event` to delete: all but the failed ones. A failed invocation deletes
/// nothing. With `ReportBatchItemFailures`, an empty or absent identifier fails the whole
/// batch, as Lambda treats it; without it, any failure response keeps the whole batch.
pub fn records_to_delete<'a>(
    event: &'a SqsEvent,
    invocation: Invocation<'_>,
    report_batch_item_failures: bool,
) -> Vec<&'a SqsMessage> {
    let Invocation::Answered(response) = invocation else {
        return vec![];
    };
    let failed: HashSet<&str> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    if failed.contains("") || (!report_batch_item_failures && !failed.is_empty()) {
        return vec![];
    }
    event.records.iter().filter(|r| !failed.contains(r.message_id.as_deref().unwrap_or_default())).collect()
}

#[cfg(test)]
mod tests {
    use aws_lambda_events::event::sqs::BatchItemFailure;

    use super::*;

    fn event(ids: &[&str]) -> SqsEvent {
        let mut e = SqsEvent::default();
        e.records = ids
            .iter()
            .map(|id| {
                let mut r = SqsMessage::default();
                r.message_id = Some(id.to_string());
                r
            })
            .collect();
        e
    }

    fn response(failed: &[&str]) -> SqsBatchResponse {
        let mut r = SqsBatchResponse::default();
        r.batch_item_failures = failed
            .iter()
            .map(|id| {
                let mut f = BatchItemFailure::default();
                f.item_identifier = id.to_string();
                f
            })
            .collect();
        r
    }

    fn ids(records: Vec<&SqsMessage>) -> Vec<String> {
        records.into_iter().filter_map(|r| r.message_id.clone()).collect()
    }

    #[test]
    fn every_record_but_the_failed_ones_is_deleted() {
        let e = event(&["a", "b", "c"]);
        assert_eq!(ids(records_to_delete(&e, Invocation::Answered(&response(&["b"])), true)), vec!["a", "c"]);
        assert_eq!(ids(records_to_delete(&e, Invocation::Answered(&response(&[])), true)), vec!["a", "b", "c"]);
    }

    #[test]
    fn a_failed_invocation_deletes_nothing() {
        let e = event(&["a", "b"]);
        let failed: Result<SqsBatchResponse, String> = Err("systemic".into());
        assert!(records_to_delete(&e, Invocation::of(&failed), true).is_empty());
        let answered: Result<SqsBatchResponse, String> = Ok(response(&[]));
        assert_eq!(records_to_delete(&e, Invocation::of(&answered), true).len(), 2);
    }

    #[test]
    fn an_empty_identifier_keeps_the_whole_batch() {
        assert!(records_to_delete(&event(&["a", "b"]), Invocation::Answered(&response(&[""])), true).is_empty());
    }

    #[test]
    fn without_report_batch_item_failures_any_failure_keeps_the_whole_batch() {
        let e = event(&["a", "b"]);
        assert!(records_to_delete(&e, Invocation::Answered(&response(&["a"])), false).is_empty());
        assert_eq!(records_to_delete(&e, Invocation::Answered(&response(&[])), false).len(), 2);
    }
}
