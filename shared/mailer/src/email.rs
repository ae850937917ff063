//! An email ready to send, safe by construction.

use unicode_general_category::{GeneralCategory, get_general_category};

/// One email to one recipient: a subject line, an HTML part and a plain-text part.
///
/// The subject is forced onto one line ([`single_line`]); the sender and recipient must be
/// plain addresses (checked upstream by the contract) and are refused here if they could
/// carry a header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    from: String,
    to: String,
    subject: String,
    html: String,
    text: String,
}

impl Email {
    /// Builds an email; `None` when `from` or `to` contains a line break or a second address.
    pub fn new(from: &str, to: &str, subject: &str, html: String, text: String) -> Option<Self> {
        let header_safe = |s: &str| !s.is_empty() && !s.chars().any(|c| c.is_control() || c == ',' || c == ';');
        if !header_safe(from) || !header_safe(to) || to.contains(['<', '>', ' ']) {
            return None;
        }
        Some(Self { from: from.to_owned(), to: to.to_owned(), subject: single_line(subject, 200), html, text })
    }

    pub fn from(&self) -> &str {
        &self.from
    }

    pub fn to(&self) -> &str {
        &self.to
    }

    pub fn subject(&self) -> &str {
        &self.subject
    }

    pub fn html(&self) -> &str {
        &self.html
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Text made fit for a header or a title: every control or line-separator character (CR, LF,
/// tab, NEL, U+2028, U+2029...) becomes a space, runs of spaces fold into one, every format
/// character (Unicode category Cf: bidi embeddings, overrides and isolates, zero-width spaces
/// and joiners, marks such as U+200E, U+061C, U+FEFF) is removed, and the result is cut to
/// `max_chars` characters. A subject can then neither break onto a second header line nor show
/// its reader something other than what it says (`invoice\u{202E}fdp.exe`).
pub fn single_line(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    let mut count = 0;
    let mut last_space = true;
    for c in text.chars() {
        if get_general_category(c) == GeneralCategory::Format {
            continue;
        }
        let c = if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || c.is_whitespace() { ' ' } else { c };
        if c == ' ' && last_space {
            continue;
        }
        if count == max_chars {
            break;
        }
        out.push(c);
        count += 1;
        last_space = c == ' ';
    }
    out.truncate(out.trim_end().len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_with_crlf_stays_on_one_line() {
        let email =
            Email::new("a@b.io", "c@d.io", "Hi\r\nBcc: evil@x.io\u{2028}x", String::new(), String::new()).unwrap();
        assert_eq!(email.subject(), "Hi Bcc: evil@x.io x");
    }

    #[test]
    fn addresses_that_could_carry_headers_are_refused() {
        assert!(Email::new("a@b.io", "c@d.io\r\nBcc: e@x.io", "s", String::new(), String::new()).is_none());
        assert!(Email::new("a@b.io", "c@d.io, e@x.io", "s", String::new(), String::new()).is_none());
        assert!(Email::new("Desk\n <a@b.io>", "c@d.io", "s", String::new(), String::new()).is_none());
        assert!(Email::new("Deskbell <a@b.io>", "c@d.io", "s", String::new(), String::new()).is_some());
    }

    #[test]
    fn single_line_removes_bidi_and_zero_width_characters() {
        // Right-to-left override: invoice + U+202E + "fdp.exe" shows as "invoiceexe.pdf".
        assert_eq!(single_line("invoice\u{202E}fdp.exe", 100), "invoicefdp.exe");
        // Every embedding, override and isolate, and the marks.
        let bidi: String = ('\u{202A}'..='\u{202E}').chain('\u{2066}'..='\u{2069}').collect();
        assert_eq!(single_line(&format!("a{bidi}b\u{200E}c\u{200F}d\u{061C}e"), 100), "abcde");
        // Zero-width space, non-joiner, joiner, word joiner, byte-order mark, soft hyphen.
        assert_eq!(single_line("pay\u{200B}pal\u{200C}\u{200D}\u{2060}\u{FEFF}.com\u{00AD}", 100), "paypal.com");
        // Cut after removal: invisible characters do not use up the length.
        assert_eq!(single_line(&format!("{}abc", "\u{200B}".repeat(50)), 3), "abc");
        // Line separators still become spaces; ordinary text is untouched.
        assert_eq!(single_line("a\u{2028}b\u{2029}c", 100), "a b c");
        assert_eq!(single_line("Réponse à «Ticket» — 日本語 👍", 100), "Réponse à «Ticket» — 日本語 👍");
    }

    #[test]
    fn single_line_leaves_none_of_the_spoofing_characters() {
        let named = ('\u{202A}'..='\u{202E}').chain('\u{2066}'..='\u{2069}').chain('\u{200B}'..='\u{200F}').chain([
            '\u{2028}',
            '\u{2029}',
            '\u{FEFF}',
            '\u{061C}',
            '\u{180E}',
            '\u{E0041}',
        ]);
        for c in named {
            let out = single_line(&format!("a{c}b"), 10);
            assert!(out == "ab" || out == "a b", "U+{:04X} gives {out:?}", c as u32);
        }
    }

    #[test]
    fn single_line_folds_and_cuts() {
        assert_eq!(single_line("  a \t\t b\n\nc  ", 100), "a b c");
        assert_eq!(single_line("abcdef", 3), "abc");
        assert_eq!(single_line("ab   cd", 3), "ab");
    }
}
