//! The index keys derived from a ticket.

use chrono::{DateTime, Utc};

/// The partition of the `by_created` index: the creation month, `YYYY-MM` (UTC).
pub fn created_month(at: DateTime<Utc>) -> String {
    at.format("%Y-%m").to_string()
}

/// The sort key of both indexes: creation time in fixed width (so text order is time order),
/// then the ticket id (so keys are unique).
pub fn created_key(at: DateTime<Utc>, id: &str) -> String {
    format!("{}#{id}", instant(at))
}

/// An instant in the fixed-width form sort keys use: `2026-11-24T10:00:00.000000Z`.
pub(crate) fn instant(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn keys_sort_by_time_whatever_the_id() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
        let t1 = t0 + chrono::Duration::microseconds(1);
        assert!(created_key(t0, "zzz") < created_key(t1, "aaa"));
        assert_eq!(created_key(t0, "t-1"), "2026-11-24T10:00:00.000000Z#t-1");
        assert_eq!(created_month(t0), "2026-11");
    }
}
