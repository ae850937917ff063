//! Checks serde cannot express (addresses, links, lengths), each naming the field at fault.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::DecodeError;
use crate::limits::{self, Chars, Items};

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

    /// An identifier ([`limits::ID`]): never empty, no control characters.
    pub(crate) fn key(&self, name: &str, value: &str) -> Result<(), DecodeError> {
        self.key_within(name, value, limits::ID)
    }

    /// An identifier-like string within `limit`: no control characters.
    pub(crate) fn key_within(&self, name: &str, value: &str, limit: Chars) -> Result<(), DecodeError> {
        self.text(name, value, limit)?;
        if value.chars().any(char::is_control) {
            return self.fail(name, "contains a control character");
        }
        Ok(())
    }

    /// Free text shown to people: length within `limit`; any characters (escaped when rendered).
    pub(crate) fn text(&self, name: &str, value: &str, limit: Chars) -> Result<(), DecodeError> {
        let count = value.chars().count();
        if count < limit.min {
            return self.fail(
                name,
                if limit.min == 1 {
                    "must not be empty".to_owned()
                } else {
                    format!("shorter than {} characters", limit.min)
                },
            );
        }
        if count > limit.max {
            return self.fail(name, format!("longer than {} characters", limit.max));
        }
        Ok(())
    }

    /// A list whose length is within `limit`.
    pub(crate) fn items<T>(&self, name: &str, values: &[T], limit: Items) -> Result<(), DecodeError> {
        if values.len() < limit.min {
            return self.fail(
                name,
                if limit.min == 1 { "must not be empty".to_owned() } else { format!("fewer than {} items", limit.min) },
            );
        }
        if values.len() > limit.max {
            return self.fail(name, format!("more than {} items", limit.max));
        }
        Ok(())
    }

    /// An integer, at most [`limits::MAX_INTEGER`].
    pub(crate) fn integer(&self, name: &str, value: u64) -> Result<(), DecodeError> {
        if value > limits::MAX_INTEGER {
            return self.fail(name, format!("{value} is over {}", limits::MAX_INTEGER));
        }
        Ok(())
    }

    /// An instant a producer wrote, within [`limits::EARLIEST`]..[`limits::END`].
    pub(crate) fn instant(&self, name: &str, value: DateTime<Utc>) -> Result<(), DecodeError> {
        if !limits::in_range(value) {
            return self.fail(name, limits::out_of_range_message(value));
        }
        Ok(())
    }

    /// An optional instant: checked when present.
    pub(crate) fn maybe_instant(&self, name: &str, value: Option<DateTime<Utc>>) -> Result<(), DecodeError> {
        value.map_or(Ok(()), |v| self.instant(name, v))
    }

    /// A map of identifiers to integers (`by_status`): every key an [`limits::ID`], every value an
    /// integer. Errors name the entry (`data.figures.by_company.<key>`, the key cut short).
    pub(crate) fn counts(&self, name: &str, map: &BTreeMap<String, u64>) -> Result<(), DecodeError> {
        let at = Field(self.path(name));
        for (key, value) in map {
            let entry: String = key.chars().take(limits::ID.max).collect();
            at.key_within(&entry, key, limits::ID)?;
            at.integer(&entry, *value)?;
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

    /// A language tag ([`limits::LOCALE`], [`limits::LOCALE_PATTERN`]): letters, digits and `-`.
    pub(crate) fn locale(&self, name: &str, value: &str) -> Result<(), DecodeError> {
        let count = value.chars().count();
        let ok = (limits::LOCALE.min..=limits::LOCALE.max).contains(&count)
            && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if ok { Ok(()) } else { self.fail(name, "not a language tag (e.g. en, fr-CA)") }
    }

    /// A link put in an email: absolute http(s), no spaces or control characters.
    pub(crate) fn link(&self, name: &str, value: &str) -> Result<(), DecodeError> {
        let lower = value.to_ascii_lowercase();
        let Some(rest) = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")) else {
            return self.fail(name, "must be an absolute http(s) URL");
        };
        if rest.is_empty() || rest.starts_with('/') {
            return self.fail(name, "must name a host after the scheme");
        }
        self.text(name, value, limits::LINK)?;
        if value.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>') {
            return self.fail(name, "contains a space, quote, angle bracket or control character");
        }
        Ok(())
    }
}

fn email_problem(value: &str) -> Option<String> {
    // Addresses are ASCII (checked next), so bytes are characters.
    if value.len() > limits::EMAIL.max {
        return Some(format!("longer than {} characters", limits::EMAIL.max));
    }
    shape_problem(value).map(str::to_owned)
}

fn shape_problem(value: &str) -> Option<&'static str> {
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
