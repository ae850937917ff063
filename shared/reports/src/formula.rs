//! Spreadsheet formula injection: CSV cells a spreadsheet would run instead of show.
//!
//! Following the OWASP "CSV Injection" advice, a cell whose text begins with `=`, `+`, `-`, `@`, tab or carriage
//! return gets a leading `'`, which spreadsheets take as "this is text". It changes what a CSV reader sees
//! (`-5` becomes `'-5`), which is the price of opening the file safely; NDJSON is never changed.

/// The first characters that make a spreadsheet read a cell as a formula or a command.
pub(crate) const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text` as it must be written in a CSV cell: unchanged, or with a leading `'` (built in `scratch`) when it begins
/// with one of the [`TRIGGERS`].
pub(crate) fn neutralised<'t>(text: &'t str, scratch: &'t mut String) -> &'t str {
    if !text.starts_with(TRIGGERS) {
        return text;
    }
    scratch.clear();
    scratch.push('\'');
    scratch.push_str(text);
    scratch
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_trigger_character_gets_a_leading_quote() {
        for trigger in TRIGGERS {
            let text = format!("{trigger}HYPERLINK(\"http://evil\")");
            let mut scratch = String::new();
            assert_eq!(neutralised(&text, &mut scratch), format!("'{text}"), "{trigger:?}");
        }
    }

    #[test]
    fn harmless_text_is_untouched() {
        for text in ["Printer on fire", "", "a=b", " =1+1", "'=already quoted", "#1042", "émoji 🔥"] {
            assert_eq!(neutralised(text, &mut String::new()), text);
        }
    }

    #[test]
    fn scratch_is_reused_between_cells() {
        let mut scratch = String::from("leftover from an earlier cell");
        assert_eq!(neutralised("=1", &mut scratch), "'=1");
    }
}
