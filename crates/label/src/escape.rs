//! Escaping user text for SVG and HTML.
//!
//! Hand-written rather than a dependency: five replacements and one filter.

/// Escapes `text` for XML/HTML content and quoted attribute values.
///
/// Control characters other than tab, newline and carriage return are dropped, as
/// are U+FFFE and U+FFFF: XML 1.0 forbids most of them even as character
/// references, so a caption containing one would make the whole SVG unreadable
/// (the rest, DEL and C1, only ever arrive by mistake).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if !allowed_in_xml(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Whether `c` may appear in an XML 1.0 document.
pub(crate) fn allowed_in_xml(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || !(c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(escape(r#"<script>&"'"#), "&lt;script&gt;&amp;&quot;&#39;");
        assert_eq!(escape("优质大米 5kg"), "优质大米 5kg");
    }

    #[test]
    fn characters_xml_forbids_are_dropped() {
        assert_eq!(escape("a\u{0}b\u{1b}c\u{FFFF}d\te"), "abcd\te");
    }
}
