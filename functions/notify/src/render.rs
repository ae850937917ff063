//! A [`Message`] as an email's HTML and text parts. The HTML escapes every piece of text
//! (maud escapes all interpolation); the text part is the same content, unmarked.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::message::Message;

/// Inline-friendly styles; the media query narrows padding on phones.
const STYLE: &str = "body{margin:0;padding:0;background:#f4f5f7;}\
.card{max-width:600px;width:100%;background:#ffffff;border-radius:8px;}\
.content{padding:28px;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2933;}\
h1{font-size:20px;margin:0 0 16px;}\
blockquote{margin:16px 0;padding:8px 16px;border-left:4px solid #c5cbd3;color:#3e4c59;}\
.facts th{text-align:left;padding:4px 16px 4px 0;color:#616e7c;font-weight:normal;}\
.facts td{padding:4px 0;}\
.button{display:inline-block;padding:10px 18px;background:#2563eb;color:#ffffff !important;border-radius:6px;text-decoration:none;}\
.small{font-size:12px;color:#7b8794;word-break:break-all;}\
@media (max-width:620px){.content{padding:16px !important;}h1{font-size:18px !important;}}";

/// Inline styles too, for clients that drop `<style>` (the media query is an extra there).
const CARD: &str = "max-width:600px;width:100%;background:#ffffff;border-radius:8px;";
const CONTENT: &str = "padding:28px;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;\
font-size:15px;line-height:1.5;color:#1f2933;";
const QUOTE: &str = "margin:16px 0;padding:8px 16px;border-left:4px solid #c5cbd3;color:#3e4c59;";
const BUTTON: &str =
    "display:inline-block;padding:10px 18px;background:#2563eb;color:#ffffff;border-radius:6px;text-decoration:none;";
const SMALL: &str = "font-size:12px;color:#7b8794;word-break:break-all;";

/// The HTML part: a responsive single-column card.
pub fn html(m: &Message) -> String {
    let page: Markup = html! {
        (DOCTYPE)
        html lang=(m.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (m.subject) }
                style { (PreEscaped(STYLE)) }
            }
            body style="margin:0;padding:0;background:#f4f5f7;" {
                table role="presentation" width="100%" cellpadding="0" cellspacing="0" {
                    tr { td align="center" style="padding:24px 12px;" {
                        table.card role="presentation" cellpadding="0" cellspacing="0" style=(CARD) {
                            tr { td.content style=(CONTENT) {
                                h1 style="font-size:20px;margin:0 0 16px;" { (m.heading) }
                                @for p in &m.paragraphs { p { (p) } }
                                @if let Some(quote) = &m.quote {
                                    blockquote style=(QUOTE) {
                                        @for (i, line) in quote.lines().enumerate() { @if i > 0 { br; } (line) }
                                    }
                                }
                                @if !m.facts.is_empty() {
                                    table.facts role="presentation" cellpadding="0" cellspacing="0" {
                                        @for (label, value) in &m.facts {
                                            tr {
                                                th style="text-align:left;padding:4px 16px 4px 0;color:#616e7c;font-weight:normal;" { (label) }
                                                td style="padding:4px 0;" { (value) }
                                            }
                                        }
                                    }
                                }
                                @if let Some(action) = &m.action {
                                    p style="margin:24px 0 8px;" { a.button href=(action.url) style=(BUTTON) { (action.label) } }
                                    p.small style=(SMALL) { (action.url) }
                                }
                                p.small style={ (SMALL) "margin-top:24px;" } { (m.footer) }
                            } }
                        }
                    } }
                }
            }
        }
    };
    page.into_string()
}

/// The plain-text part.
pub fn text(m: &Message) -> String {
    let mut out = String::with_capacity(512);
    out.push_str(&m.heading);
    out.push_str("\n\n");
    for p in &m.paragraphs {
        out.push_str(p);
        out.push_str("\n\n");
    }
    if let Some(quote) = &m.quote {
        for line in quote.lines() {
            out.push_str("> ");
            out.push_str(line);
            out.push('\n');
        }
        out.push('\n');
    }
    let width = m.facts.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(0);
    for (label, value) in &m.facts {
        out.push_str(&format!("{label:<width$}  {value}\n"));
    }
    if !m.facts.is_empty() {
        out.push('\n');
    }
    if let Some(action) = &m.action {
        out.push_str(&format!("{}: {}\n\n", action.label, action.url));
    }
    out.push_str("-- \n");
    out.push_str(&m.footer);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use crate::message::Action;

    fn hostile() -> Message {
        Message {
            lang: Lang::En,
            subject: "<script>alert(1)</script>".into(),
            heading: "Eve <img src=x onerror=alert(1)> replied".into(),
            summary: String::new(),
            paragraphs: vec!["Ticket #1: <script>alert(1)</script>".into()],
            quote: Some("a & b \"quoted\" </blockquote><b>bold</b>".into()),
            facts: vec![("Company".into(), "<i>ACME</i>".into())],
            action: Some(Action { label: "View".into(), url: "https://x.io/t/1?a=1&b=\"2\"".into() }),
            in_app_link: None,
            footer: "why".into(),
        }
    }

    #[test]
    fn html_escapes_every_user_string() {
        let h = html(&hostile());
        assert!(!h.contains("<script>"), "{h}");
        assert!(!h.contains("<img"), "{h}");
        assert!(!h.contains("<b>bold"), "{h}");
        assert!(!h.contains("</blockquote><b>"), "{h}");
        assert!(!h.contains("<i>ACME"), "{h}");
        assert!(h.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(h.contains("href=\"https://x.io/t/1?a=1&amp;b=&quot;2&quot;\""));
    }

    #[test]
    fn text_part_keeps_the_content_readable() {
        let t = text(&hostile());
        assert!(t.starts_with("Eve <img src=x onerror=alert(1)> replied\n\n"));
        assert!(t.contains("> a & b \"quoted\""));
        assert!(t.contains("Company  <i>ACME</i>\n"));
        assert!(t.contains("View: https://x.io/t/1?a=1&b=\"2\"\n"));
        assert!(t.ends_with("-- \nwhy\n"));
    }
}

#[cfg(test)]
mod layout_tests {
    use super::*;
    use crate::lang::Lang;

    #[test]
    fn quote_keeps_its_line_breaks_without_css() {
        let m = Message {
            lang: Lang::En,
            subject: "s".into(),
            heading: "h".into(),
            summary: String::new(),
            paragraphs: vec![],
            quote: Some("Hi,\n\nThanks <3".into()),
            facts: vec![],
            action: None,
            in_app_link: None,
            footer: "f".into(),
        };
        assert!(html(&m).contains(">Hi,<br><br>Thanks &lt;3</blockquote>"), "{}", html(&m));
    }
}
