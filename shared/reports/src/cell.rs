//! One value of a report row, before it becomes CSV text or a JSON value.

use std::fmt;

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Serialize, Serializer};

/// One value of a report row. Written as text in CSV (absent: empty) and as a JSON value in NDJSON (absent: null).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cell<'a> {
    /// A count or number (`1042`).
    Number(u64),
    /// Text as stored, whatever it holds.
    Text(&'a str),
    /// An instant, written as [`Rfc3339`].
    Time(DateTime<Utc>),
    /// No value.
    Absent,
}

impl fmt::Display for Cell<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(number) => fmt::Display::fmt(number, f),
            Self::Text(text) => f.write_str(text),
            Self::Time(time) => fmt::Display::fmt(&Rfc3339(*time), f),
            Self::Absent => Ok(()),
        }
    }
}

impl Serialize for Cell<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Number(number) => serializer.serialize_u64(*number),
            Self::Text(text) => serializer.serialize_str(text),
            Self::Time(time) => serializer.collect_str(&Rfc3339(*time)),
            Self::Absent => serializer.serialize_none(),
        }
    }
}

/// An instant as RFC 3339 in UTC with seconds precision and `Z` (`2026-11-24T10:00:00Z`): fractions of a second
/// are dropped, not rounded. Same text as chrono's `to_rfc3339_opts(SecondsFormat::Secs, true)`, without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rfc3339(pub(crate) DateTime<Utc>);

impl fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let time = self.0;
        let year = time.year();
        if (0..=9999).contains(&year) {
            write!(f, "{year:04}")?;
        } else {
            // ISO 8601 wants the sign on years outside 0000..=9999.
            write!(f, "{year:+05}")?;
        }
        // chrono keeps a leap second in the nanoseconds: 23:59:60.
        let second = time.second() + u32::from(time.nanosecond() >= 1_000_000_000);
        write!(f, "-{:02}-{:02}T{:02}:{:02}:{second:02}Z", time.month(), time.day(), time.hour(), time.minute())
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, SecondsFormat, TimeZone};
    use proptest::prelude::*;

    use super::*;

    fn utc(year: i32, month: u32, day: u32, h: u32, m: u32, s: u32, nano: u32) -> DateTime<Utc> {
        let naive = NaiveDate::from_ymd_opt(year, month, day).and_then(|d| d.and_hms_nano_opt(h, m, s, nano));
        Utc.from_utc_datetime(&naive.unwrap())
    }

    #[test]
    fn time_is_rfc3339_utc_with_seconds_and_z() {
        assert_eq!(Cell::Time(utc(2026, 11, 24, 10, 0, 0, 0)).to_string(), "2026-11-24T10:00:00Z");
    }

    #[test]
    fn time_drops_fractions_of_a_second() {
        assert_eq!(Cell::Time(utc(2026, 1, 2, 3, 4, 5, 999_999_999)).to_string(), "2026-01-02T03:04:05Z");
    }

    #[test]
    fn time_matches_chrono_for_leap_seconds_and_far_years() {
        for time in
            [utc(2016, 12, 31, 23, 59, 59, 1_500_000_000), utc(12345, 6, 7, 8, 9, 10, 0), utc(-44, 3, 15, 0, 0, 0, 0)]
        {
            assert_eq!(Rfc3339(time).to_string(), time.to_rfc3339_opts(SecondsFormat::Secs, true));
        }
    }

    #[test]
    fn absent_is_empty_text_and_json_null() {
        assert_eq!(Cell::Absent.to_string(), "");
        assert_eq!(serde_json::to_string(&Cell::Absent).unwrap(), "null");
    }

    #[test]
    fn number_is_a_json_number_and_text_a_json_string() {
        assert_eq!(serde_json::to_string(&Cell::Number(1042)).unwrap(), "1042");
        assert_eq!(serde_json::to_string(&Cell::Text("a\"b")).unwrap(), r#""a\"b""#);
        assert_eq!(
            serde_json::to_string(&Cell::Time(utc(2026, 11, 24, 10, 0, 0, 0))).unwrap(),
            r#""2026-11-24T10:00:00Z""#
        );
    }

    proptest! {
        #[test]
        fn time_text_matches_chrono_for_any_instant(secs in -8_000_000_000_000i64..8_000_000_000_000, nano in 0u32..1_000_000_000) {
            let time = DateTime::from_timestamp(secs, nano).unwrap();
            prop_assert_eq!(Rfc3339(time).to_string(), time.to_rfc3339_opts(SecondsFormat::Secs, true));
        }
    }
}
