//! GS1 keys: the mod-10 check digit and the Global Trade Item Number (GTIN).
//!
//! A product may carry a GTIN (商品条码) besides its supervision code. GTIN-8, GTIN-12
//! (UPC-A), GTIN-13 (EAN-13) and GTIN-14 are one number space: right-aligned in 14
//! digits with leading zeros they keep their check digit, so [`Gtin`] stores the
//! 14-digit form and two spellings of one item compare equal.
//!
//! ```
//! use zhijian_core::gtin::{gs1_check_digit, Gtin};
//! let gtin = Gtin::parse("6901234567892").unwrap();
//! assert_eq!(gtin.as_str(), "06901234567892");
//! assert_eq!(gs1_check_digit(&[6, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), 2);
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::uscc::fold_full_width;

/// The GS1 mod-10 check digit over the data digits of a GTIN, GLN, SSCC or other GS1 key.
///
/// `digits` are digit values 0–9 (not ASCII), without the check digit. From the right,
/// digits are weighted 3, 1, 3, 1, …, and the check digit brings the sum to a multiple
/// of ten (GS1 General Specifications, section 7.9). Values above 9 are reduced modulo
/// 10 so the function stays total; callers should not pass them.
pub fn gs1_check_digit(digits: &[u8]) -> u8 {
    let sum = digits
        .iter()
        .rev()
        .zip([3u8, 1].into_iter().cycle())
        .fold(0u8, |sum, (&digit, weight)| {
            (sum + (digit % 10) * weight) % 10
        });
    (10 - sum) % 10
}

/// The lengths a GTIN can have: GTIN-8, GTIN-12, GTIN-13, GTIN-14.
const LENGTHS: [usize; 4] = [8, 12, 13, 14];

/// A Global Trade Item Number with a correct check digit, kept as 14 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Gtin(String);

/// Why a string is not a GTIN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GtinError {
    /// A character other than a digit.
    #[error("a GTIN has only digits, but character {position} is {character:?}")]
    NotNumeric {
        /// 1-based position after trimming.
        position: usize,
        /// The offending character.
        character: char,
    },
    /// Not 8, 12, 13 or 14 digits.
    #[error("a GTIN has 8, 12, 13 or 14 digits, but {found} were given")]
    Length {
        /// How many digits were given.
        found: usize,
    },
    /// The last digit is not the GS1 check digit of the others.
    #[error(
        "the check digit (the last) should be {expected} but is {found}, so the GTIN is \
         probably mistyped"
    )]
    CheckDigit {
        /// What the last digit should be.
        expected: u8,
        /// What it is.
        found: u8,
    },
}

impl GtinError {
    /// A stable snake_case code for this rule, used in problem+json bodies.
    pub fn code(&self) -> &'static str {
        match self {
            GtinError::NotNumeric { .. } => "gtin_not_numeric",
            GtinError::Length { .. } => "gtin_length",
            GtinError::CheckDigit { .. } => "gtin_check_digit",
        }
    }
}

impl Gtin {
    /// Parses a GTIN-8, -12, -13 or -14.
    ///
    /// Surrounding whitespace is trimmed and full-width digits are read as ASCII; inner
    /// spaces are not accepted, since the digits printed under a barcode in groups are
    /// usually scanned, not typed.
    pub fn parse(input: &str) -> Result<Gtin, GtinError> {
        let mut digits = Vec::with_capacity(14);
        for (i, c) in input.trim().chars().map(fold_full_width).enumerate() {
            let digit =
                u8::try_from(c)
                    .ok()
                    .filter(u8::is_ascii_digit)
                    .ok_or(GtinError::NotNumeric {
                        position: i + 1,
                        character: c,
                    })?;
            digits.push(digit - b'0');
        }
        if !LENGTHS.contains(&digits.len()) {
            return Err(GtinError::Length {
                found: digits.len(),
            });
        }
        let (&found, data) = digits.split_last().ok_or(GtinError::Length { found: 0 })?;
        let expected = gs1_check_digit(data);
        if expected != found {
            return Err(GtinError::CheckDigit { expected, found });
        }
        let mut text = "0".repeat(14 - digits.len());
        text.extend(digits.iter().map(|&d| char::from(b'0' + d)));
        Ok(Gtin(text))
    }

    /// The GTIN as 14 digits, padded on the left with zeros.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Gtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Gtin {
    type Err = GtinError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Gtin::parse(s)
    }
}

impl TryFrom<String> for Gtin {
    type Error = GtinError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Gtin::parse(&value)
    }
}

impl From<Gtin> for String {
    fn from(gtin: Gtin) -> String {
        gtin.0
    }
}

impl AsRef<str> for Gtin {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn digits(s: &str) -> Vec<u8> {
        s.bytes().map(|b| b - b'0').collect()
    }

    #[test]
    fn check_digit_of_known_keys() {
        // GTIN-13, GTIN-12, GTIN-8, GTIN-14, and an 18-digit SSCC body.
        assert_eq!(gs1_check_digit(&digits("400638133393")), 1);
        assert_eq!(gs1_check_digit(&digits("03600029145")), 2);
        assert_eq!(gs1_check_digit(&digits("9638507")), 4);
        assert_eq!(gs1_check_digit(&digits("1061414100041")), 5);
        assert_eq!(gs1_check_digit(&digits("12345678901234567")), 5);
        assert_eq!(gs1_check_digit(&[]), 0);
    }

    #[test]
    fn accepts_every_length_and_pads_to_fourteen() {
        let cases = [
            ("96385074", "00000096385074"),
            ("036000291452", "00036000291452"),
            ("4006381333931", "04006381333931"),
            ("10614141000415", "10614141000415"),
        ];
        for (input, stored) in cases {
            assert_eq!(Gtin::parse(input).unwrap().as_str(), stored, "{input}");
        }
    }

    #[test]
    fn spellings_of_one_item_are_equal() {
        assert_eq!(
            Gtin::parse("036000291452").unwrap(),
            Gtin::parse("0036000291452").unwrap()
        );
    }

    #[test]
    fn trims_and_reads_full_width_digits() {
        assert_eq!(
            Gtin::parse(" ６９５１１８１１０５３２６\n")
                .unwrap()
                .as_str(),
            "06951181105326"
        );
    }

    #[test]
    fn rejects_non_digits() {
        assert_eq!(
            Gtin::parse("690123456789X"),
            Err(GtinError::NotNumeric {
                position: 13,
                character: 'X'
            })
        );
        assert_eq!(
            Gtin::parse("6 901234 567892"),
            Err(GtinError::NotNumeric {
                position: 2,
                character: ' '
            })
        );
        // Other scripts' digits are digits to Unicode but not to GS1.
        assert_eq!(
            Gtin::parse("٩٦٣٨٥٠٧٤").unwrap_err().code(),
            "gtin_not_numeric"
        );
    }

    #[test]
    fn rejects_other_lengths() {
        for input in ["", "1234567", "123456789", "12345678901", "123456789012345"] {
            assert_eq!(
                Gtin::parse(input),
                Err(GtinError::Length { found: input.len() }),
                "{input}"
            );
        }
    }

    #[test]
    fn rejects_a_wrong_check_digit() {
        assert_eq!(
            Gtin::parse("6901234567891"),
            Err(GtinError::CheckDigit {
                expected: 2,
                found: 1
            })
        );
    }

    #[test]
    fn error_codes_are_stable() {
        assert_eq!(Gtin::parse("abc").unwrap_err().code(), "gtin_not_numeric");
        assert_eq!(Gtin::parse("123").unwrap_err().code(), "gtin_length");
        assert_eq!(
            Gtin::parse("6901234567891").unwrap_err().code(),
            "gtin_check_digit"
        );
    }

    #[test]
    fn serde_is_a_plain_string() {
        let gtin = Gtin::parse("6901234567892").unwrap();
        let json = serde_json::to_string(&gtin).unwrap();
        assert_eq!(json, "\"06901234567892\"");
        assert_eq!(serde_json::from_str::<Gtin>(&json).unwrap(), gtin);
        assert!(serde_json::from_str::<Gtin>("\"6901234567891\"").is_err());
    }

    fn valid_gtin() -> impl Strategy<Value = String> {
        proptest::sample::select(LENGTHS.to_vec())
            .prop_flat_map(|len| proptest::collection::vec(0u8..10, len - 1))
            .prop_map(|data| {
                let check = gs1_check_digit(&data);
                data.iter()
                    .chain(std::iter::once(&check))
                    .map(|&d| char::from(b'0' + d))
                    .collect()
            })
    }

    /// Replacement characters for the single-change property. Not a space: a leading
    /// zero turned into a space is trimmed away and leaves the same item as a shorter GTIN.
    const CHANGES: &[u8] = b"0123456789A-";

    proptest! {
        #[test]
        fn parse_never_panics(input in any::<String>()) {
            let _ = Gtin::parse(&input);
        }

        #[test]
        fn check_digit_never_panics(digits in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert!(gs1_check_digit(&digits) < 10);
        }

        #[test]
        fn display_parse_round_trips(text in valid_gtin()) {
            let gtin = Gtin::parse(&text).unwrap();
            prop_assert!(gtin.as_str().ends_with(text.as_str()));
            let shown = gtin.to_string();
            prop_assert_eq!(Gtin::parse(&shown).unwrap(), gtin);
        }

        #[test]
        fn any_single_change_is_rejected(
            text in valid_gtin(),
            index in any::<proptest::sample::Index>(),
            k in 0usize..CHANGES.len(),
        ) {
            let mut bytes = text.into_bytes();
            let position = index.index(bytes.len());
            let set = CHANGES;
            // Never the same character, so no case is thrown away.
            let replacement = if set[k] == bytes[position] { set[(k + 1) % set.len()] } else { set[k] };
            bytes[position] = replacement;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(Gtin::parse(&changed).is_err(), "{} accepted", changed);
        }
    }
}
