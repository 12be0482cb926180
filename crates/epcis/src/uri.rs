//! What counts as a URI where EPCIS asks for one.

/// Whether `value` is an absolute URI: a scheme (a letter, then letters, digits, `+`,
/// `-` or `.`), a colon, and a non-empty rest without spaces or control characters.
/// This is the test the schema's `format: uri` makes in practice; written by hand
/// because a full RFC 3986 parser crate would buy nothing the stores need.
pub fn is_absolute_uri(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    scheme_ok
        && !rest.is_empty()
        && !value.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
        })
}

#[cfg(test)]
mod tests {
    use super::is_absolute_uri;

    #[test]
    fn absolute_uris() {
        for good in [
            "urn:epc:id:sgtin:0614141.107346.2017",
            "https://id.gs1.org/01/1",
            "geo:47.5,11.1",
            "ni:///sha-256;ab?ver=CBV2.0",
        ] {
            assert!(is_absolute_uri(good), "{good}");
        }
        for bad in ["", "shipping", "ext1:", "1abc:x", "http://a b", ":x"] {
            assert!(!is_absolute_uri(bad), "{bad}");
        }
    }
}
