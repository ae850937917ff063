//! Checks serde cannot express (addresses, links, lengths), each naming the field at fault.

use crate::DecodeError;

/// A value that can check its own fields, reporting paths below `at`.
pub(crate) trait Check {
    fn check(&self, at: &Field) -> Result<(), DecodeError>;
}

/// A dotted path from the envelope root (`data.ticket`), the place a check reports from.
pub(crate) struct Field(String);

impl Field {
    pub(crate) fn root(path: &str) -> Self {
        Self(path.to_owned())
    }

    /// The path of a field below this one.
    pub(crate) fn child(&self, name: &str) -> String {
        self.path(name)
    }

    fn path(&self, name: &str) -> String {
        if self.0.is_empty() { name.to_owned() } else { format!("{}.{name}", self.0) }
    }

    fn fail(&self, name: &str, message: impl Into<String>) -> Result<(), DecodeError> {
        Err(DecodeError::invalid(self.path(name), message))
    }

    pub(crate) fn nested(&self, name: &str, value: &impl Check) -> Result<(), DecodeError> {
        value.check(&Field(self.path(name)))
    }

    pub(crate) fn each<T: Check>(&self, name: &str, values: &[T]) -> Result<(), DecodeError> {
        values.iter().enumerate().try_for_each(|(i, v)| v.check(&Field(format!("{}[{i}]", self.path(name)))))
    }

    /// An identifier: 1–128 characters, no control characters.
    pub(crate) fn key(&self, name: &str, value: &str) -> Result<(), DecodeError> {
        if value.is_empty() {
            return self.fail(name, "must not be empty");
        }
        if value.chars().count() > 128 {
            return self.fail(name, "longer than 128 characters");
        }
        if value.chars().any(char::is_control) {
            return self.fail(name, "contains a control character");
        }
        Ok(())
    }

    /// Free text shown to people: bounded length; any characters (escaped when rendered).
    pub(crate) fn text(&self, name: &str, value: &str, max_chars: usize) -> Result<(), DecodeError> {
        if value.chars().count() > max_chars {
            return self.fail(name, format!("longer than {max_chars} characters"));
        }
        Ok(())
    }

    /// A mailbox address without display name: `local@domain.tld`, printable ASCII, no
    /// characters that could end a header or start a second address.
    pub(crate) fn email(&self, name: &str, value: &str) -> Result<(), DecodeError> {
        match email_problem(value) {
            Some(problem) => self.fail(name, format!("not an email address: {problem}")),
            None => Ok(()),
        }
    }

    /// A language tag: letters, digits and `-`, at most 35 characters.
    pub(crate) fn locale(&self, name: &str, value: &str) -> Result<(), DecodeError> {
        let ok = !value.is_empty() && value.len() <= 35 && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if ok { Ok(()) } else { self.fail(name, "not a language tag (e.g. en, fr-CA)") }
    }

    /// A link put in an email: absolute http(s), no spaces or control characters.
    pub(crate) fn link(&self, name: &str, value: &str) -> Result<(), DecodeError> {
        let lower = value.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            return self.fail(name, "must be an absolute http(s) URL");
        }
        if value.len() > 2048 {
            return self.fail(name, "longer than 2048 bytes");
        }
        if value.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>') {
            return self.fail(name, "contains a space, quote, angle bracket or control character");
        }
        Ok(())
    }
}

fn email_problem(value: &str) -> Option<&'static str> {
    if value.len() > 254 {
        return Some("longer than 254 bytes");
    }
    if !value.is_ascii() || value.chars().any(|c| c.is_ascii_control() || c == ' ') {
        return Some("contains a space, a control or a non-ASCII character");
    }
    if value.chars().any(|c| "<>()[]\\,;:\"".contains(c)) {
        return Some("contains a character not allowed in a plain address");
    }
    let Some((local, domain)) = value.split_once('@') else {
        return Some("no @");
    };
    if local.is_empty() || local.len() > 64 {
        return Some("empty or over-long local part");
    }
    if domain.contains('@') {
        return Some("more than one @");
    }
    let labels_ok = domain.split('.').all(|l| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    if !domain.contains('.') || !labels_ok {
        return Some("domain is not a host name");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_addresses() {
        for ok in ["ada@example.com", "a.b+tag@mail.example.co.uk", "x_y-z@a-b.io"] {
            assert_eq!(email_problem(ok), None, "{ok}");
        }
    }

    #[test]
    fn rejects_addresses_that_could_inject_headers_or_recipients() {
        for bad in [
            "ada@example.com\r\nBcc: evil@x.io",
            "Ada <ada@example.com>",
            "ada@example.com, evil@x.io",
            "ada@@example.com",
            "ada",
            "@example.com",
            "ada@localhost",
            "adà@example.com",
        ] {
            assert!(email_problem(bad).is_some(), "{bad:?} accepted");
        }
    }

    #[test]
    fn link_must_be_http_without_quotes() {
        let at = Field::root("data");
        assert!(at.link("url", "https://help.example.com/reset?t=abc").is_ok());
        let err = at.link("url", "javascript:alert(1)").unwrap_err();
        assert_eq!(err.field(), Some("data.url"));
        assert!(at.link("url", "https://x.io/\"onmouseover=").is_err());
    }
}
