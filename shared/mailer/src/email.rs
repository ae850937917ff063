//! An email ready to send, safe by construction.

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
/// tab, NEL, U+2028, U+2029...) becomes a space, runs of spaces fold into one, and the result
/// is cut to `max_chars` characters.
pub fn single_line(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    let mut count = 0;
    let mut last_space = true;
    for c in text.chars() {
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
    fn single_line_folds_and_cuts() {
        assert_eq!(single_line("  a \t\t b\n\nc  ", 100), "a b c");
        assert_eq!(single_line("abcdef", 3), "abc");
        assert_eq!(single_line("ab   cd", 3), "ab");
    }
}
