//! The languages emails and notifications are written in, and locale-aware formatting.

use chrono::{DateTime, Datelike, Timelike, Utc};
use deskbell_contract::{Priority, Status};

/// A language deskbell writes in. Unknown locales fall back to English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
}

impl Lang {
    /// The language of a BCP 47 tag (`fr`, `fr-CA` → French; anything else → English).
    pub fn for_locale(locale: &str) -> Self {
        let primary = locale.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("fr") { Self::Fr } else { Self::En }
    }

    /// The `lang` attribute of the HTML part.
    pub const fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
        }
    }

    /// An instant as people read it: `24 Nov 2026, 10:00 UTC` / `24 nov. 2026 à 10:00 UTC`.
    pub fn when(self, t: DateTime<Utc>) -> String {
        const EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        const FR: [&str; 12] =
            ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];
        let month = t.month0() as usize;
        match self {
            Self::En => format!("{} {} {}, {:02}:{:02} UTC", t.day(), EN[month], t.year(), t.hour(), t.minute()),
            Self::Fr => format!("{} {} {} à {:02}:{:02} UTC", t.day(), FR[month], t.year(), t.hour(), t.minute()),
        }
    }

    /// A date without time: `24 Nov 2026` / `24 nov. 2026`.
    pub fn day(self, t: DateTime<Utc>) -> String {
        let full = self.when(t);
        let cut = match self {
            Self::En => full.find(','),
            Self::Fr => full.find(" à "),
        };
        cut.map_or(full.clone(), |i| full[..i].to_owned())
    }

    pub fn status(self, s: Status) -> &'static str {
        match (self, s) {
            (Self::En, Status::New) => "New",
            (Self::En, Status::Open) => "Open",
            (Self::En, Status::Pending) => "Pending",
            (Self::En, Status::OnHold) => "On hold",
            (Self::En, Status::Solved) => "Solved",
            (Self::En, Status::Closed) => "Closed",
            (Self::Fr, Status::New) => "Nouveau",
            (Self::Fr, Status::Open) => "Ouvert",
            (Self::Fr, Status::Pending) => "En attente",
            (Self::Fr, Status::OnHold) => "Suspendu",
            (Self::Fr, Status::Solved) => "Résolu",
            (Self::Fr, Status::Closed) => "Fermé",
        }
    }

    pub fn priority(self, p: Priority) -> &'static str {
        match (self, p) {
            (Self::En, Priority::Low) => "Low",
            (Self::En, Priority::Normal) => "Normal",
            (Self::En, Priority::High) => "High",
            (Self::En, Priority::Urgent) => "Urgent",
            (Self::Fr, Priority::Low) => "Basse",
            (Self::Fr, Priority::Normal) => "Normale",
            (Self::Fr, Priority::High) => "Haute",
            (Self::Fr, Priority::Urgent) => "Urgente",
        }
    }

    /// A whole number with thousands separators (`12,345` / `12 345`).
    pub fn count(self, n: u64) -> String {
        let digits = n.to_string();
        let sep = match self {
            Self::En => ",",
            Self::Fr => "\u{202f}",
        };
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push_str(sep);
            }
            out.push(c);
        }
        out
    }

    /// A duration in seconds, roughly: `3 h 20 min`, `2 d 4 h` (`2 j 4 h` in French).
    pub fn duration(self, secs: u64) -> String {
        let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
        let day = match self {
            Self::En => "d",
            Self::Fr => "j",
        };
        match (d, h, m) {
            (0, 0, m) => format!("{m} min"),
            (0, h, m) => format!("{h} h {m} min"),
            (d, h, _) => format!("{d} {day} {h} h"),
        }
    }

    /// How long something lasts, rounded down so it never promises more: seconds under a
    /// minute, minutes under an hour, hours otherwise (`1 hour`, `45 minutes`, `2 heures`).
    pub fn lifetime(self, d: std::time::Duration) -> String {
        let secs = d.as_secs();
        let (n, en, fr) = match secs {
            0..60 => (secs, "second", "seconde"),
            60..3600 => (secs / 60, "minute", "minute"),
            _ => (secs / 3600, "hour", "heure"),
        };
        // French keeps 0 and 1 singular; English only 1.
        match self {
            Self::En if n == 1 => format!("{n} {en}"),
            Self::En => format!("{n} {en}s"),
            Self::Fr if n <= 1 => format!("{n} {fr}"),
            Self::Fr => format!("{n} {fr}s"),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn french_for_french_tags_english_for_the_rest() {
        assert_eq!(Lang::for_locale("fr"), Lang::Fr);
        assert_eq!(Lang::for_locale("fr-CA"), Lang::Fr);
        assert_eq!(Lang::for_locale("FR_be"), Lang::Fr);
        assert_eq!(Lang::for_locale("de"), Lang::En);
        assert_eq!(Lang::for_locale(""), Lang::En);
    }

    #[test]
    fn dates_and_numbers_read_naturally() {
        let t = Utc.with_ymd_and_hms(2026, 8, 4, 9, 5, 0).unwrap();
        assert_eq!(Lang::En.when(t), "4 Aug 2026, 09:05 UTC");
        assert_eq!(Lang::Fr.when(t), "4 août 2026 à 09:05 UTC");
        assert_eq!(Lang::Fr.day(t), "4 août 2026");
        assert_eq!(Lang::En.count(1_234_567), "1,234,567");
        assert_eq!(Lang::En.count(999), "999");
        assert_eq!(Lang::Fr.duration(2 * 86_400 + 4 * 3600), "2 j 4 h");
        assert_eq!(Lang::En.duration(3 * 3600 + 20 * 60), "3 h 20 min");
    }

    #[test]
    fn lifetime_is_rounded_down_and_agrees_in_number() {
        let life = |lang: Lang, secs| lang.lifetime(std::time::Duration::from_secs(secs));
        assert_eq!(life(Lang::En, 1), "1 second");
        assert_eq!(life(Lang::En, 30), "30 seconds");
        assert_eq!(life(Lang::Fr, 30), "30 secondes");
        assert_eq!(life(Lang::En, 119), "1 minute");
        assert_eq!(life(Lang::Fr, 120), "2 minutes");
        assert_eq!(life(Lang::En, 3600), "1 hour");
        assert_eq!(life(Lang::Fr, 3600), "1 heure");
        assert_eq!(life(Lang::Fr, 86_400), "24 heures");
    }
}
