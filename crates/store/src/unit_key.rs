//! The key a unit is indexed under in `epcis_event_ids`.
//!
//! A supervision code is the FF1 encryption of its issue index, so this node's codes
//! fall at random over an index sorted by their text: a capture of 1 000 events naming
//! 4 000 units touched some 4 000 scattered pages of `epcis_event_ids`, and its commit
//! wrote every one of them to the log (on SQLite, half of the writer's time). Keyed by
//! issue index instead, the units a line packs and ships one after another sit side by
//! side, and a capture touches a few pages.
//!
//! A code of this node is keyed `https://id.gs1.org/01/{gtin}/21/~{index}` (the SGTIN of
//! a product with a GTIN) or `urn:zhijian:code:~{index}`, the index in 17 digits. `~` is
//! outside the GS1 serial character set, so no real serial takes that form, and the key
//! keeps the GTIN's prefix, so a range over a GTIN's items still holds its units. Rows
//! written before keys existed hold the identifier itself: in a database that had such
//! rows (migration 0022 notes it), lookups try both ([`lookup_keys`]).

use zhijian_core::code::{CodeSpace, SupervisionCode};

use crate::epcis::CODE_URN_PREFIX;

/// The canonical Digital Link of an SGTIN up to its GTIN.
const SGTIN_HEAD: &str = "https://id.gs1.org/01/";

/// The part of a canonical identifier before a supervision code, and the code's text:
/// `urn:zhijian:code:{code}`, or an SGTIN `…/01/{gtin}/21/{serial}` with a 20-character
/// serial. Plain string work: capture asks this of every identifier, and a full
/// `Identifier::parse` was the hottest function of capture's profile.
fn split(canonical: &str) -> Option<(&str, &str)> {
    let serial = match canonical.strip_prefix(CODE_URN_PREFIX) {
        Some(code) => code,
        None => {
            let rest = canonical.strip_prefix(SGTIN_HEAD)?;
            let gtin = rest.get(..14)?;
            if !gtin.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            rest.get(14..)?.strip_prefix("/21/")?
        }
    };
    (serial.len() == 20).then(|| (&canonical[..canonical.len() - serial.len()], serial))
}

/// The issue index of a unit named by one of this node's supervision codes (the code
/// URN, or an SGTIN whose serial is a 20-digit code); `None` for any other identifier.
pub(crate) fn unit_index(space: &CodeSpace, canonical: &str) -> Option<u64> {
    let (_, serial) = split(canonical)?;
    space.decode(&SupervisionCode::parse(serial).ok()?).ok()
}

/// The key of a unit whose issue index [`unit_index`] gave.
pub(crate) fn key_for(canonical: &str, index: u64) -> Option<String> {
    let (head, _) = split(canonical)?;
    Some(format!("{head}~{index:017}"))
}

/// The key of a unit named by one of this node's supervision codes; `None` for any
/// other identifier, which is indexed as it is.
pub(crate) fn index_key(space: &CodeSpace, canonical: &str) -> Option<String> {
    key_for(canonical, unit_index(space, canonical)?)
}

/// The values of `epcis_event_ids.identifier` that may hold an identifier: its key when
/// it is one of this node's codes, and the identifier itself unless it has a key and
/// no unit can be indexed as written (`as_written`: the database held events before
/// units were keyed).
pub(crate) fn lookup_keys(
    space: Option<&CodeSpace>,
    canonical: &str,
    as_written: bool,
) -> Vec<String> {
    let mut keys = Vec::with_capacity(2);
    keys.extend(space.and_then(|s| index_key(s, canonical)));
    if keys.is_empty() || as_written {
        keys.push(canonical.to_owned());
    }
    keys
}

/// The issue index in a key's serial (`~{index}`), if the serial is one.
pub(crate) fn index_in_serial(serial: &str) -> Option<u64> {
    let digits = serial.strip_prefix('~')?;
    (digits.len() == 17 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space() -> CodeSpace {
        let key = zhijian_core::code::CodeKey::from_bytes(*b"unit-key-test-k!");
        CodeSpace::new(zhijian_core::code::NodeCode::new(13).unwrap(), &key)
    }

    #[test]
    fn codes_are_keyed_by_issue_index_under_their_gtin() {
        let space = space();
        for index in [0, 1, 41, 99_999_999_999] {
            let code = space.encode(index).unwrap();
            let sgtin = format!("https://id.gs1.org/01/06901234567892/21/{code}");
            let key = index_key(&space, &sgtin).unwrap();
            assert_eq!(
                key,
                format!("https://id.gs1.org/01/06901234567892/21/~{index:017}")
            );
            assert_eq!(index_in_serial(&key[key.len() - 18..]), Some(index));
            assert_eq!(
                index_key(&space, &format!("urn:zhijian:code:{code}")).unwrap(),
                format!("urn:zhijian:code:~{index:017}")
            );
        }
        // Consecutive codes give keys in the same order.
        let keys: Vec<String> = (500..510)
            .map(|i| {
                index_key(
                    &space,
                    &format!("urn:zhijian:code:{}", space.encode(i).unwrap()),
                )
                .unwrap()
            })
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn other_identifiers_are_their_own_key() {
        let space = space();
        let code = space.encode(5).unwrap().to_string();
        let mut bad_check = code.clone().into_bytes();
        bad_check[19] = if bad_check[19] == b'0' { b'1' } else { b'0' };
        let bad_check = String::from_utf8(bad_check).unwrap();
        for other in [
            "https://id.gs1.org/00/106141412345678908".to_owned(),
            "https://id.gs1.org/01/06901234567892/21/ABC".to_owned(),
            "https://id.gs1.org/01/06901234567892/10/LOT1".to_owned(),
            format!("https://id.gs1.org/01/0690123456789X/21/{code}"),
            format!("https://id.gs1.org/01/06901234567892/21/{bad_check}"),
            format!("urn:zhijian:code:{code}0"),
            "urn:zhijian:code:".to_owned(),
            "https://id.gs1.org/01/069".to_owned(),
            "urn:zhijian:code:一二三四五六七八九十一二三四五六七八九十".to_owned(),
        ] {
            assert_eq!(index_key(&space, &other), None, "{other}");
            assert_eq!(
                lookup_keys(Some(&space), &other, false),
                vec![other.clone()]
            );
        }
        let sgtin = format!("https://id.gs1.org/01/06901234567892/21/{code}");
        assert_eq!(lookup_keys(None, &sgtin, false), vec![sgtin.clone()]);
        assert_eq!(lookup_keys(Some(&space), &sgtin, true).len(), 2);
        assert_eq!(
            lookup_keys(Some(&space), &sgtin, false),
            vec![index_key(&space, &sgtin).unwrap()]
        );
        assert_eq!(index_in_serial(&code), None);
        assert_eq!(index_in_serial("~123"), None);
    }
}
