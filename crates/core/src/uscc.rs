//! The unified social credit code (统一社会信用代码) of GB 32100-2015.
//!
//! Every enterprise, bureau and other organisation in China carries one 18-character
//! code for life. The characters are the digits and the capital letters other than
//! I, O, S, V and Z (31 symbols):
//!
//! | positions | meaning |
//! |---|---|
//! | 1 | registration authority (登记管理部门): 1 机构编制, 5 民政, 9 工商 (market regulation), Y 其他, … |
//! | 2 | organisation type (机构类别), e.g. 91 enterprise, 92 individual business |
//! | 3–8 | GB/T 2260 region code of the registering authority |
//! | 9–17 | the organisation code (组织机构代码) of GB 11714, whose last character is its own check character |
//! | 18 | the check character over positions 1–17 |
//!
//! [`Uscc::parse`] enforces all of this. Positions 1 and 2 are only checked against the
//! alphabet: the tables of authorities and types have grown since 2015 (A for the
//! military, N for agriculture), so a fixed list would reject real codes. The region
//! is only checked to be six digits: a code keeps the region of its year of issue, so
//! retired GB/T 2260 codes live on, and checking against a list belongs to `region`.
//!
//! ```
//! use zhijian_core::uscc::Uscc;
//! let code = Uscc::parse(" 91110000600037341l ").unwrap();
//! assert_eq!(code.as_str(), "91110000600037341L");
//! assert_eq!(code.region_code(), "110000");
//! assert_eq!(Uscc::parse("91110000600037341N").unwrap_err().code(), "uscc_check_character");
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The 31 symbols of GB 32100, in the order of their values 0–30.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// GB 32100 weights for positions 1–17: 3^(i-1) mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// GB 11714 weights for the eight body characters of the organisation code.
const ORGANISATION_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

const LENGTH: usize = 18;

/// A unified social credit code that passed [`Uscc::parse`] (or [`Uscc::parse_lenient`]).
///
/// Always 18 ASCII characters from the GB 32100 alphabet.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

/// Why a string is not a unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    /// Not 18 characters once spaces are removed.
    #[error("a unified social credit code has 18 characters, but {found} were given")]
    Length {
        /// How many characters were given (spaces not counted).
        found: usize,
    },
    /// A character outside the GB 32100 alphabet.
    #[error(
        "character {position} ({character:?}) cannot occur in a unified social credit code, \
         which uses only digits and the capital letters other than I, O, S, V and Z"
    )]
    InvalidCharacter {
        /// 1-based position in the code, spaces not counted.
        position: usize,
        /// The offending character.
        character: char,
    },
    /// Positions 3–8 hold a letter instead of the region code's digits.
    #[error(
        "characters 3 to 8 of a unified social credit code are the region code and must be \
         digits, but character {position} is {character:?}"
    )]
    RegionNotNumeric {
        /// 1-based position in the code.
        position: usize,
        /// The letter found there.
        character: char,
    },
    /// The GB 11714 organisation code in positions 9–17 fails its own check.
    #[error(
        "the organisation code in characters 9 to 17 fails its GB 11714 check: character 17 \
         should be {expected:?} but is {found:?}, so the code is probably mistyped"
    )]
    OrganisationCheckCharacter {
        /// What character 17 should be.
        expected: char,
        /// What it is.
        found: char,
    },
    /// The GB 32100 check character in position 18 does not match.
    #[error(
        "the check character (the 18th) should be {expected:?} but is {found:?}, so the code \
         is probably mistyped"
    )]
    CheckCharacter {
        /// What character 18 should be.
        expected: char,
        /// What it is.
        found: char,
    },
}

impl UsccError {
    /// A stable snake_case code for this rule, used in problem+json bodies.
    pub fn code(&self) -> &'static str {
        match self {
            UsccError::Length { .. } => "uscc_length",
            UsccError::InvalidCharacter { .. } => "uscc_invalid_character",
            UsccError::RegionNotNumeric { .. } => "uscc_region_not_numeric",
            UsccError::OrganisationCheckCharacter { .. } => "uscc_organisation_check_character",
            UsccError::CheckCharacter { .. } => "uscc_check_character",
        }
    }
}

/// Something [`Uscc::parse_lenient`] accepted but a person should look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsccWarning {
    /// The GB 32100 check character fails, everything else is right: either a code
    /// issued by a pilot region before the standard, or a typo in positions 1–8 or 18.
    LegacyCheckCharacter {
        /// What the standard's check character would be.
        expected: char,
        /// The character the code carries.
        found: char,
    },
}

impl UsccWarning {
    /// A stable snake_case code for this warning, used in API responses.
    pub fn code(&self) -> &'static str {
        match self {
            UsccWarning::LegacyCheckCharacter { .. } => "uscc_legacy_check_character",
        }
    }
}

impl fmt::Display for UsccWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UsccWarning::LegacyCheckCharacter { expected, found } => write!(
                f,
                "the check character is {found:?} where GB 32100 gives {expected:?}; this is \
                 right for some codes issued by pilot regions before the standard, otherwise \
                 the code is mistyped"
            ),
        }
    }
}

impl Uscc {
    /// Parses a code as a person or another system wrote it, by the full standard.
    ///
    /// Surrounding and inner whitespace is dropped (codes are often printed in groups,
    /// `91 110000 600037341L`), full-width letters and digits typed with a Chinese input
    /// method are read as ASCII, and lower case as upper case.
    pub fn parse(input: &str) -> Result<Uscc, UsccError> {
        let (code, mismatch) = Self::parse_structure(input)?;
        match mismatch {
            None => Ok(code),
            Some((expected, found)) => Err(UsccError::CheckCharacter { expected, found }),
        }
    }

    /// Like [`Uscc::parse`], but accepts a code whose only fault is the GB 32100 check
    /// character, returning it with [`UsccWarning::LegacyCheckCharacter`].
    ///
    /// Why: pilot regions issued codes before GB 32100 fixed the check character, and
    /// those codes stay valid for life. hutool's `CreditCodeUtil` test names one,
    /// `91350211M00013FA1N`, and (citing github.com/bluesky335/IDCheck) says such codes
    /// are legal but need separate handling; it and python-stdnum's `cn.uscc` simply
    /// reject them. The four known examples (that one and `91350100M0001TGQXM`,
    /// `91350211M0000XUF46`, `91350203M0001FUE2P` from IDCheck) are all from Fujian and
    /// all pass the GB 11714 check of their organisation code, so that check stays
    /// mandatory here: only the 18th character may disagree.
    ///
    /// The rule cannot tell such a code from a typo in positions 1–8 or 18, so use it
    /// where a real enterprise's existing code must be recorded and a person sees the
    /// warning (registration review, import of old archives), not for lookups.
    pub fn parse_lenient(input: &str) -> Result<(Uscc, Option<UsccWarning>), UsccError> {
        let (code, mismatch) = Self::parse_structure(input)?;
        let warning =
            mismatch.map(|(expected, found)| UsccWarning::LegacyCheckCharacter { expected, found });
        Ok((code, warning))
    }

    /// Checks everything but the 18th character; returns the code and, if the 18th
    /// character is wrong, the (expected, found) pair.
    fn parse_structure(input: &str) -> Result<(Uscc, Option<(char, char)>), UsccError> {
        let mut chars = ['\0'; LENGTH];
        let mut count = 0usize;
        for c in input.chars().map(fold_full_width) {
            if c.is_whitespace() {
                continue;
            }
            if let Some(slot) = chars.get_mut(count) {
                *slot = c.to_ascii_uppercase();
            }
            count = count.saturating_add(1);
        }
        if count != LENGTH {
            return Err(UsccError::Length { found: count });
        }
        for (i, &c) in chars.iter().enumerate() {
            if value(c).is_none() {
                return Err(UsccError::InvalidCharacter {
                    position: i + 1,
                    character: c,
                });
            }
        }
        for (i, &c) in chars.iter().enumerate().take(8).skip(2) {
            if !c.is_ascii_digit() {
                return Err(UsccError::RegionNotNumeric {
                    position: i + 1,
                    character: c,
                });
            }
        }
        let text: String = chars.iter().collect();
        // Both helpers return None only for input the loops above already rejected.
        let organisation_expected = text
            .get(8..16)
            .and_then(organisation_check_character)
            .unwrap_or('0');
        if chars[16] != organisation_expected {
            return Err(UsccError::OrganisationCheckCharacter {
                expected: organisation_expected,
                found: chars[16],
            });
        }
        let expected = text.get(..17).and_then(check_character).unwrap_or('0');
        let mismatch = (chars[17] != expected).then_some((expected, chars[17]));
        Ok((Uscc(text), mismatch))
    }

    /// The code as 18 ASCII characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The six-digit GB/T 2260 region code of the registering authority (positions 3–8).
    pub fn region_code(&self) -> &str {
        self.0.get(2..8).unwrap_or_default()
    }

    /// The registration authority character (position 1), e.g. `'9'` for market regulation.
    pub fn registration_authority(&self) -> char {
        self.0.chars().next().unwrap_or_default()
    }

    /// The organisation type character (position 2), e.g. `'1'` for an enterprise under `'9'`.
    pub fn organisation_type(&self) -> char {
        self.0.chars().nth(1).unwrap_or_default()
    }

    /// The nine-character GB 11714 organisation code (positions 9–17).
    pub fn organisation_code(&self) -> &str {
        self.0.get(8..17).unwrap_or_default()
    }

    /// Whether this code was accepted only by [`Uscc::parse_lenient`] because its check
    /// character predates GB 32100; such a code does not pass [`Uscc::parse`].
    pub fn has_legacy_check_character(&self) -> bool {
        let expected = self.0.get(..17).and_then(check_character);
        expected != self.0.chars().nth(17)
    }
}

/// The GB 32100 check character for the first 17 characters of a code.
///
/// `None` unless `first17` is exactly 17 characters of the GB 32100 alphabet (capital
/// letters only; no normalisation here). Test-data generators append the result to make
/// a code; for [`Uscc::parse`] to accept it, character 17 must also be right for the
/// organisation code, see [`organisation_check_character`].
pub fn check_character(first17: &str) -> Option<char> {
    let mut sum = 0u32;
    let mut count = 0usize;
    for c in first17.chars() {
        let weight = *WEIGHTS.get(count)?;
        sum += value(c)? * weight;
        count += 1;
    }
    if count != WEIGHTS.len() {
        return None;
    }
    let index = (31 - sum % 31) % 31;
    ALPHABET.get(index as usize).map(|&b| b as char)
}

/// The GB 11714 check character of an organisation code, from its eight body characters.
///
/// `None` unless `first8` is exactly eight digits or capital letters. GB 11714 values
/// letters A=10 … Z=35 (unlike GB 32100, which skips I, O, S, V, Z), weights them
/// 3, 7, 9, 10, 5, 8, 4, 2, and writes a check value of 10 as `X`.
pub fn organisation_check_character(first8: &str) -> Option<char> {
    let mut sum = 0u32;
    let mut count = 0usize;
    for c in first8.chars() {
        let weight = *ORGANISATION_WEIGHTS.get(count)?;
        if !(c.is_ascii_digit() || c.is_ascii_uppercase()) {
            return None;
        }
        sum += c.to_digit(36)? * weight;
        count += 1;
    }
    if count != ORGANISATION_WEIGHTS.len() {
        return None;
    }
    match (11 - sum % 11) % 11 {
        10 => Some('X'),
        n => char::from_digit(n, 10),
    }
}

/// The value of a character in the GB 32100 alphabet.
fn value(c: char) -> Option<u32> {
    let byte = u8::try_from(c).ok()?;
    ALPHABET
        .iter()
        .position(|&a| a == byte)
        .and_then(|i| u32::try_from(i).ok())
}

/// Reads a full-width ASCII form (U+FF01–U+FF5E, typed with Chinese input methods) as
/// its ASCII character, and the ideographic space as a space.
pub(crate) fn fold_full_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Uscc {
    type Err = UsccError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uscc::parse(s)
    }
}

impl TryFrom<String> for Uscc {
    type Error = UsccError;

    /// Strict, like [`Uscc::parse`]: deserialising never admits a legacy code silently.
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Uscc::parse(&value)
    }
}

impl From<Uscc> for String {
    fn from(code: Uscc) -> String {
        code.0
    }
}

impl AsRef<str> for Uscc {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const VALID: &str = "91110000600037341L";
    const LEGACY: &str = "91350211M00013FA1N";

    #[test]
    fn accepts_a_valid_code() {
        let code = Uscc::parse(VALID).unwrap();
        assert_eq!(code.as_str(), VALID);
        assert_eq!(code.region_code(), "110000");
        assert_eq!(code.registration_authority(), '9');
        assert_eq!(code.organisation_type(), '1');
        assert_eq!(code.organisation_code(), "600037341");
        assert!(!code.has_legacy_check_character());
    }

    #[test]
    fn normalises_spaces_case_and_full_width() {
        for input in [
            " 91110000600037341l\n",
            "91 110000 600037341L",
            "９１１１００００６０００３７３４１Ｌ",
            "\u{3000}９１１１００００６０００３７３４１ｌ\u{3000}",
        ] {
            assert_eq!(Uscc::parse(input).unwrap().as_str(), VALID, "{input:?}");
        }
    }

    #[test]
    fn rejects_wrong_length() {
        assert_eq!(Uscc::parse(""), Err(UsccError::Length { found: 0 }));
        assert_eq!(Uscc::parse("12345"), Err(UsccError::Length { found: 5 }));
        assert_eq!(
            Uscc::parse("91110000600037341L0"),
            Err(UsccError::Length { found: 19 })
        );
    }

    #[test]
    fn rejects_letters_outside_the_alphabet() {
        assert_eq!(
            Uscc::parse("9111000060003IOZSV"),
            Err(UsccError::InvalidCharacter {
                position: 14,
                character: 'I'
            })
        );
        assert_eq!(
            Uscc::parse("91110000600037341中"),
            Err(UsccError::InvalidCharacter {
                position: 18,
                character: '中'
            })
        );
    }

    #[test]
    fn rejects_letters_in_the_region_code() {
        assert_eq!(
            Uscc::parse("9111A000600037341L"),
            Err(UsccError::RegionNotNumeric {
                position: 5,
                character: 'A'
            })
        );
    }

    #[test]
    fn rejects_a_broken_organisation_code() {
        // Character 17 changed from 1 to 2; the GB 11714 check catches it first.
        assert_eq!(
            Uscc::parse("91110000600037342L"),
            Err(UsccError::OrganisationCheckCharacter {
                expected: '1',
                found: '2'
            })
        );
    }

    #[test]
    fn rejects_a_wrong_check_character() {
        assert_eq!(
            Uscc::parse("91110000600037341N"),
            Err(UsccError::CheckCharacter {
                expected: 'L',
                found: 'N'
            })
        );
    }

    #[test]
    fn legacy_code_needs_lenient_parse_and_warns() {
        assert_eq!(
            Uscc::parse(LEGACY),
            Err(UsccError::CheckCharacter {
                expected: '3',
                found: 'N'
            })
        );
        let (code, warning) = Uscc::parse_lenient(LEGACY).unwrap();
        assert_eq!(code.as_str(), LEGACY);
        assert!(code.has_legacy_check_character());
        assert_eq!(
            warning,
            Some(UsccWarning::LegacyCheckCharacter {
                expected: '3',
                found: 'N'
            })
        );
        assert_eq!(warning.unwrap().code(), "uscc_legacy_check_character");
    }

    #[test]
    fn lenient_parse_of_a_valid_code_has_no_warning() {
        assert_eq!(
            Uscc::parse_lenient(VALID).unwrap(),
            (Uscc::parse(VALID).unwrap(), None)
        );
    }

    #[test]
    fn lenient_parse_still_requires_the_organisation_check() {
        assert_eq!(
            Uscc::parse_lenient("91350211M00013FA2N")
                .unwrap_err()
                .code(),
            "uscc_organisation_check_character"
        );
    }

    #[test]
    fn error_codes_are_stable() {
        let cases = [
            ("1", "uscc_length"),
            ("9111000060003IOZSV", "uscc_invalid_character"),
            ("9111A000600037341L", "uscc_region_not_numeric"),
            ("91110000600037342L", "uscc_organisation_check_character"),
            ("91110000600037341N", "uscc_check_character"),
        ];
        for (input, code) in cases {
            assert_eq!(Uscc::parse(input).unwrap_err().code(), code, "{input}");
        }
    }

    #[test]
    fn check_character_helpers() {
        assert_eq!(check_character("91110000600037341"), Some('L'));
        assert_eq!(check_character("9111000060003734"), None);
        assert_eq!(check_character("911100006000373411"), None);
        assert_eq!(check_character("9111000060003734I"), None);
        assert_eq!(check_character("91110000600037341L中"), None);
        assert_eq!(organisation_check_character("60003734"), Some('1'));
        assert_eq!(organisation_check_character("L0151012"), Some('8'));
        assert_eq!(organisation_check_character("M0001TGQ"), Some('X'));
        assert_eq!(organisation_check_character("6000373"), None);
        assert_eq!(organisation_check_character("6000373a"), None);
    }

    #[test]
    fn serde_is_a_plain_string_and_deserialising_is_strict() {
        let code = Uscc::parse(VALID).unwrap();
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(json, format!("\"{VALID}\""));
        assert_eq!(serde_json::from_str::<Uscc>(&json).unwrap(), code);
        assert!(serde_json::from_str::<Uscc>("\"91110000600037341N\"").is_err());
        assert!(serde_json::from_str::<Uscc>(&format!("\"{LEGACY}\"")).is_err());
    }

    #[test]
    fn from_str_and_display_agree() {
        let code: Uscc = VALID.parse().unwrap();
        assert_eq!(code.to_string(), VALID);
    }

    #[test]
    fn huge_input_is_rejected_without_trouble() {
        let input = "9".repeat(1 << 20);
        assert_eq!(
            Uscc::parse(&input),
            Err(UsccError::Length { found: 1 << 20 })
        );
    }

    /// Valid codes: any authority and type, six-digit region, organisation body from
    /// the alphabet, both check characters computed.
    fn valid_code() -> impl Strategy<Value = String> {
        let symbol = proptest::sample::select(ALPHABET.to_vec());
        let digit = proptest::sample::select(b"0123456789".to_vec());
        (
            proptest::collection::vec(symbol.clone(), 2),
            proptest::collection::vec(digit, 6),
            proptest::collection::vec(symbol, 8),
        )
            .prop_map(|(head, region, body)| {
                let body: String = body.into_iter().map(char::from).collect();
                let mut code: String = head.into_iter().chain(region).map(char::from).collect();
                code.push_str(&body);
                code.push(organisation_check_character(&body).unwrap());
                let check = check_character(&code).unwrap();
                code.push(check);
                code
            })
    }

    /// Replacement characters for the single-change property: the alphabet and some outsiders.
    const CHANGES: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXYIOSVZ-#";

    proptest! {
        #[test]
        fn parse_never_panics(input in any::<String>()) {
            let _ = Uscc::parse(&input);
            let _ = Uscc::parse_lenient(&input);
            let _ = check_character(&input);
            let _ = organisation_check_character(&input);
        }

        #[test]
        fn parse_never_panics_on_near_codes(input in "[0-9A-Za-z０-９Ａ-Ｚ \u{3000}]{0,24}") {
            let _ = Uscc::parse(&input);
        }

        #[test]
        fn display_parse_round_trips(text in valid_code()) {
            let code = Uscc::parse(&text).unwrap();
            prop_assert_eq!(code.as_str(), text.as_str());
            let shown = code.to_string();
            prop_assert_eq!(Uscc::parse(&shown).unwrap(), code);
        }

        #[test]
        fn any_single_change_is_rejected(
            text in valid_code(),
            position in 0usize..LENGTH,
            k in 0usize..CHANGES.len(),
        ) {
            let mut bytes = text.into_bytes();
            let set = CHANGES;
            // Never the same character, so no case is thrown away.
            let replacement = if set[k] == bytes[position] { set[(k + 1) % set.len()] } else { set[k] };
            bytes[position] = replacement;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(Uscc::parse(&changed).is_err(), "{} accepted", changed);
        }
    }
}
