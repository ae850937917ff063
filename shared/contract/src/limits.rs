//! Every limit of the contract, declared once.
//!
//! The JSON Schema reads these (field attributes for lengths and list sizes, one transform for
//! every integer, every instant and every map key) and so do the decoder's checks; a test walks
//! every field of the generated schema and probes the decoder at each limit, failing where the
//! two disagree.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

/// Largest body accepted, in bytes: the queues' `MaximumMessageSize` (1 MiB, SQS's maximum),
/// which `infra/template.yaml` sets on every queue (a test compares the two). Larger bodies
/// are refused before parsing, so a hostile body cannot make a function allocate without bound.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Bounds on a string's length, in characters (what JSON Schema's `minLength` counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chars {
    /// Fewest characters.
    pub min: usize,
    /// Most characters.
    pub max: usize,
}

/// Bounds on a list's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Items {
    /// Fewest items.
    pub min: usize,
    /// Most items.
    pub max: usize,
}

/// Identifiers (`id`, user, ticket, company, comment, report, incident ids, changed field
/// names, company filters, map keys): never empty, no control characters.
pub const ID: Chars = Chars { min: 1, max: 128 };
/// People's and companies' display names; maintenance titles.
pub const NAME: Chars = Chars { min: 0, max: 200 };
/// A mailbox address: `a@b.c` is the shortest the decoder accepts; 254 is RFC 5321's path limit.
pub const EMAIL: Chars = Chars { min: 5, max: 254 };
/// A BCP 47 language tag.
pub const LOCALE: Chars = Chars { min: 1, max: 35 };
/// What a language tag is made of (the decoder's check is the same rule, written in Rust).
pub const LOCALE_PATTERN: &str = "^[A-Za-z0-9-]+$";
/// A link put in an email: `http://` and at least one character of host, at most 2048.
pub const LINK: Chars = Chars { min: 8, max: 2048 };
/// A ticket's subject.
pub const SUBJECT: Chars = Chars { min: 0, max: 1000 };
/// A changed field's old and new value in `ticket.updated`.
pub const CHANGE_VALUE: Chars = Chars { min: 0, max: 1000 };
/// A comment's body.
pub const COMMENT_BODY: Chars = Chars { min: 0, max: 20_000 };
/// A maintenance announcement's message.
pub const MESSAGE: Chars = Chars { min: 0, max: 5000 };
/// A health alert's details.
pub const DETAILS: Chars = Chars { min: 0, max: 1000 };
/// An S3 bucket name (S3's own rule: 3 to 63 characters).
pub const BUCKET: Chars = Chars { min: 3, max: 63 };
/// An S3 object key (S3 allows 1024 bytes; no producer key needs more characters).
pub const OBJECT_KEY: Chars = Chars { min: 1, max: 1024 };

/// A ticket's watchers.
pub const WATCHERS: Items = Items { min: 0, max: 100 };
/// The people a maintenance notice, digest or alert goes to.
pub const RECIPIENTS: Items = Items { min: 1, max: 500 };
/// The changes listed in one `ticket.updated`.
pub const CHANGES: Items = Items { min: 0, max: 100 };
/// The companies a report is filtered to (one index query each).
pub const REPORT_COMPANIES: Items = Items { min: 0, max: 100 };
/// The statuses a report is filtered to (there are six).
pub const REPORT_STATUSES: Items = Items { min: 0, max: 6 };
/// The priorities a report is filtered to (there are four).
pub const REPORT_PRIORITIES: Items = Items { min: 0, max: 4 };

/// Largest integer anywhere in the contract (counts, numbers, versions, sizes, seconds), and
/// largest measure of an alert: 2^53 − 1, the largest every producer language (JavaScript's
/// numbers, PHP's floats) holds exactly. Integers are never negative.
pub const MAX_INTEGER: u64 = (1 << 53) - 1;

/// Earliest instant a producer may write: 2000-01-01T00:00:00Z.
pub const EARLIEST: DateTime<Utc> = midnight(2000);
/// First instant past the range a producer may write: 2100-01-01T00:00:00Z (excluded).
pub const END: DateTime<Utc> = midnight(2100);
/// The schema's rule for every instant: written in a year 2000–2099. (The decoder checks the
/// instant in UTC; the two differ only within a time-zone offset of the bounds.)
pub const INSTANT_PATTERN: &str = "^20[0-9]{2}-";
/// How many days one report may cover (the range is one index query per month).
pub const REPORT_MAX_DAYS: i64 = 366;

/// 1 January of `year`, 00:00 UTC (every year in chrono's range has one).
const fn midnight(year: i32) -> DateTime<Utc> {
    match NaiveDate::from_ymd_opt(year, 1, 1) {
        Some(day) => day.and_time(NaiveTime::MIN).and_utc(),
        None => DateTime::<Utc>::MIN_UTC,
    }
}

/// Whether `at` lies in [`EARLIEST`]..[`END`].
pub fn in_range(at: DateTime<Utc>) -> bool {
    (EARLIEST..END).contains(&at)
}

/// The message of an instant outside the range: `99999-01-01T00:00:00Z is outside 2000..2100`.
pub fn out_of_range_message(at: DateTime<Utc>) -> String {
    format!("{} is outside 2000..2100", at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_instant_range_is_2000_to_2100() {
        assert_eq!(EARLIEST.to_rfc3339(), "2000-01-01T00:00:00+00:00");
        assert_eq!(END.to_rfc3339(), "2100-01-01T00:00:00+00:00");
        assert!(in_range(EARLIEST) && !in_range(END));
        assert!(in_range(END - chrono::Duration::seconds(1)));
        assert!(!in_range(EARLIEST - chrono::Duration::seconds(1)));
    }
}
