//! Production licence numbers (生产许可证编号): industrial products (`XK…`) and food (`SC…`).
//!
//! **Industrial product production licence** (工业产品生产许可证), by the implementing
//! measures of the industrial product production licence regulation (AQSIQ order 156,
//! 2014, chapter 6): `XK` (许可) and ten digits grouped `XK××-×××-×××××` — industry,
//! product, enterprise serial. A licence issued by a province carries the province's
//! one-character abbreviation in parentheses in front: `（冀）XK16-204-00203`. There is
//! no check digit, so a mistyped serial cannot be detected here.
//!
//! **Food production licence** (食品生产许可证), by the food production licence measures
//! (CFDA order 16, 2015, art. 29; SAMR order 24, 2020, art. 29): `SC` (生产) and 14 digits —
//! 3 food category digits (the first is 1 for food, 2 for food additives), a 6-digit
//! region code (province, city, county), a 4-digit serial and a check digit.
//!
//! The check digit is ISO/IEC 7064 MOD 11,10 (GB/T 17710) over the first 13 digits.
//! The measures do not publish the algorithm; secondary sources quoting the coding rules
//! name GB/T 17710 "MOD 11,10", and 22 of 24 real numbers found in public labels and
//! web pages agree with it. The two that do not (`SC11453010306856`,
//! `SC12744030500626`) may be typos in those pages or irregular numbers, so
//! [`LicenceNumber::parse`] enforces the digit and [`LicenceNumber::parse_lenient`]
//! accepts such a number with [`LicenceWarning::FoodCheckDigit`].
//!
//! Not accepted: the retired `QS` food licence numbers and pre-2016 shapes such as the
//! cosmetics `XK16-108 0001`.
//!
//! ```
//! use zhijian_core::licence_number::{LicenceKind, LicenceNumber};
//! let industrial = LicenceNumber::parse("(冀)xk16-204-00203").unwrap();
//! assert_eq!(industrial.kind(), LicenceKind::Industrial);
//! assert_eq!(industrial.as_str(), "（冀）XK16-204-00203");
//! let food = LicenceNumber::parse("SC10741018302531").unwrap();
//! assert_eq!(food.kind(), LicenceKind::Food);
//! assert_eq!(food.food_region_code(), Some("410183"));
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::uscc::fold_full_width;

/// Which licence regime a number belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenceKind {
    /// Industrial product production licence, `XK…`.
    Industrial,
    /// Food (and food additive) production licence, `SC…`.
    Food,
}

/// A production licence number in canonical form.
///
/// Canonical text is upper-case ASCII without spaces, except that a province prefix
/// keeps the Chinese character and is written with full-width parentheses, as on the
/// certificates: `（冀）XK16-204-00203`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LicenceNumber {
    kind: LicenceKind,
    text: String,
}

/// Why a string is not a production licence number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LicenceNumberError {
    /// Neither `SC…`, `XK…` nor a parenthesised province followed by `XK…`.
    #[error(
        "a production licence number starts with SC (food), XK (industrial products) or a \
         province abbreviation in parentheses followed by XK"
    )]
    UnknownFormat,
    /// `SC` followed by other than 14 characters.
    #[error(
        "a food production licence number is SC followed by 14 digits, but {found} \
         characters follow SC"
    )]
    FoodLength {
        /// How many characters follow `SC` (spaces not counted).
        found: usize,
    },
    /// A non-digit after `SC`.
    #[error(
        "a food production licence number is SC followed by 14 digits, but character \
         {position} is {character:?}"
    )]
    FoodNotNumeric {
        /// 1-based position in the number, `S` being 1.
        position: usize,
        /// The offending character.
        character: char,
    },
    /// The first digit is neither 1 (food) nor 2 (food additive).
    #[error(
        "the first digit of a food production licence number is 1 (food) or 2 (food \
         additive), not {found}"
    )]
    FoodKind {
        /// The digit found.
        found: char,
    },
    /// The last digit is not the MOD 11,10 check digit of the others.
    #[error(
        "the check digit (the last) of this food production licence number should be \
         {expected} but is {found}, so the number is probably mistyped"
    )]
    FoodCheckDigit {
        /// What the last digit should be.
        expected: u8,
        /// What it is.
        found: u8,
    },
    /// `XK…` not of the form `XK××-×××-×××××`.
    #[error(
        "an industrial product production licence number has the form XK00-000-00000 (two, \
         three and five digits), optionally after a province abbreviation in parentheses \
         such as （冀）"
    )]
    IndustrialFormat,
    /// The parenthesised prefix is not a province abbreviation.
    #[error(
        "{found:?} is not a province abbreviation; a provincially issued licence number \
         starts with one in parentheses, such as （冀）"
    )]
    Province {
        /// What stood in the parentheses (at most eight characters of it).
        found: String,
    },
}

impl LicenceNumberError {
    /// A stable snake_case code for this rule, used in problem+json bodies.
    pub fn code(&self) -> &'static str {
        match self {
            LicenceNumberError::UnknownFormat => "licence_unknown_format",
            LicenceNumberError::FoodLength { .. } => "licence_food_length",
            LicenceNumberError::FoodNotNumeric { .. } => "licence_food_not_numeric",
            LicenceNumberError::FoodKind { .. } => "licence_food_kind",
            LicenceNumberError::FoodCheckDigit { .. } => "licence_food_check_digit",
            LicenceNumberError::IndustrialFormat => "licence_industrial_format",
            LicenceNumberError::Province { .. } => "licence_province",
        }
    }
}

/// Something [`LicenceNumber::parse_lenient`] accepted but a person should look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LicenceWarning {
    /// A food licence number whose last digit is not the MOD 11,10 check digit: a typo,
    /// or one of the real numbers that do not follow the rule.
    FoodCheckDigit {
        /// What the check digit would be.
        expected: u8,
        /// The digit the number carries.
        found: u8,
    },
}

impl LicenceWarning {
    /// A stable snake_case code for this warning, used in API responses.
    pub fn code(&self) -> &'static str {
        match self {
            LicenceWarning::FoodCheckDigit { .. } => "licence_food_check_digit_mismatch",
        }
    }
}

impl fmt::Display for LicenceWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LicenceWarning::FoodCheckDigit { expected, found } => write!(
                f,
                "the last digit is {found} where the MOD 11,10 check gives {expected}; check \
                 the number against the certificate"
            ),
        }
    }
}

/// One-character abbreviations of the 31 provincial-level divisions of the mainland,
/// with the alternative ones (黔 贵, 滇 云, 蜀 川, 秦 陕, 陇 甘) that also appear.
const PROVINCES: &str = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川蜀贵黔云滇藏陕秦甘陇青宁新";

/// `#` is a digit; everything else must match literally.
const INDUSTRIAL_TEMPLATE: &[u8; 14] = b"XK##-###-#####";

const FOOD_DIGITS: usize = 14;

impl LicenceNumber {
    /// Parses a licence number of either kind, enforcing the food check digit.
    ///
    /// Whitespace anywhere is dropped, full-width letters, digits, hyphens and
    /// parentheses are read as ASCII, and lower case as upper case.
    pub fn parse(input: &str) -> Result<LicenceNumber, LicenceNumberError> {
        let (number, warning) = Self::parse_lenient(input)?;
        match warning {
            None => Ok(number),
            Some(LicenceWarning::FoodCheckDigit { expected, found }) => {
                Err(LicenceNumberError::FoodCheckDigit { expected, found })
            }
        }
    }

    /// Like [`LicenceNumber::parse`], but accepts a food licence number with a wrong
    /// check digit, returning [`LicenceWarning::FoodCheckDigit`].
    ///
    /// Why: the check-digit rule is not published in the measures and a few real
    /// numbers seen in public disagree with it (see the module documentation), so an
    /// enterprise must still be able to record the number on its certificate.
    pub fn parse_lenient(
        input: &str,
    ) -> Result<(LicenceNumber, Option<LicenceWarning>), LicenceNumberError> {
        let text: String = input
            .chars()
            .map(fold_full_width)
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if let Some(digits) = text.strip_prefix("SC") {
            parse_food(digits)
        } else if text.starts_with("XK") {
            parse_industrial(None, &text)
        } else if let Some(rest) = text.strip_prefix('(') {
            let Some((inside, core)) = rest.split_once(')') else {
                return Err(LicenceNumberError::Province {
                    found: rest.chars().take(8).collect(),
                });
            };
            let mut chars = inside.chars();
            match (chars.next(), chars.next()) {
                (Some(province), None) if PROVINCES.contains(province) => {
                    parse_industrial(Some(province), core)
                }
                _ => Err(LicenceNumberError::Province {
                    found: inside.chars().take(8).collect(),
                }),
            }
        } else {
            Err(LicenceNumberError::UnknownFormat)
        }
    }

    /// Which licence regime the number belongs to.
    pub fn kind(&self) -> LicenceKind {
        self.kind
    }

    /// The number in canonical form.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// For a food licence, the six-digit region code of the producer's site (digits 4–9).
    ///
    /// Not checked against GB/T 2260 here: numbers keep the code of their year of issue.
    pub fn food_region_code(&self) -> Option<&str> {
        match self.kind {
            LicenceKind::Food => self.text.get(5..11),
            LicenceKind::Industrial => None,
        }
    }

    /// For a provincially issued industrial licence, the province abbreviation.
    pub fn province(&self) -> Option<char> {
        match self.kind {
            LicenceKind::Industrial => self.text.strip_prefix('（')?.chars().next(),
            LicenceKind::Food => None,
        }
    }
}

fn parse_food(digits: &str) -> Result<(LicenceNumber, Option<LicenceWarning>), LicenceNumberError> {
    let count = digits.chars().count();
    if count != FOOD_DIGITS {
        return Err(LicenceNumberError::FoodLength { found: count });
    }
    let mut values = [0u8; FOOD_DIGITS];
    for ((i, c), slot) in digits.chars().enumerate().zip(values.iter_mut()) {
        *slot = u8::try_from(c).ok().filter(u8::is_ascii_digit).ok_or(
            LicenceNumberError::FoodNotNumeric {
                position: i + 3,
                character: c,
            },
        )? - b'0';
    }
    if !matches!(values[0], 1 | 2) {
        return Err(LicenceNumberError::FoodKind {
            found: char::from(b'0' + values[0]),
        });
    }
    let (&found, data) = values
        .split_last()
        .ok_or(LicenceNumberError::FoodLength { found: 0 })?;
    let expected = mod_11_10(data);
    let warning = (expected != found).then_some(LicenceWarning::FoodCheckDigit { expected, found });
    let number = LicenceNumber {
        kind: LicenceKind::Food,
        text: format!("SC{digits}"),
    };
    Ok((number, warning))
}

fn parse_industrial(
    province: Option<char>,
    core: &str,
) -> Result<(LicenceNumber, Option<LicenceWarning>), LicenceNumberError> {
    let bytes = core.as_bytes();
    let shaped = bytes.len() == INDUSTRIAL_TEMPLATE.len()
        && bytes.iter().zip(INDUSTRIAL_TEMPLATE).all(|(&b, &t)| {
            if t == b'#' {
                b.is_ascii_digit()
            } else {
                b == t
            }
        });
    if !shaped {
        return Err(LicenceNumberError::IndustrialFormat);
    }
    let text = match province {
        Some(p) => format!("（{p}）{core}"),
        None => core.to_owned(),
    };
    let number = LicenceNumber {
        kind: LicenceKind::Industrial,
        text,
    };
    Ok((number, None))
}

/// The check digit of a food production licence number from its first 13 digits.
///
/// `None` unless `first13` is exactly 13 ASCII digits. Test-data generators append the
/// result to `SC` and the 13 digits to make a valid number.
pub fn food_check_digit(first13: &str) -> Option<u8> {
    if first13.len() != FOOD_DIGITS - 1 || !first13.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: Vec<u8> = first13.bytes().map(|b| b - b'0').collect();
    Some(mod_11_10(&digits))
}

/// ISO/IEC 7064 MOD 11,10 (GB/T 17710), the hybrid system of radix 10; `digits` are 0–9.
fn mod_11_10(digits: &[u8]) -> u8 {
    // The running value stays in 1..=10, so no step can overflow or underflow.
    let mut product = 10u8;
    for &digit in digits {
        let sum = match (product + digit % 10) % 10 {
            0 => 10,
            s => s,
        };
        product = sum * 2 % 11;
    }
    (11 - product) % 10
}

impl fmt::Display for LicenceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for LicenceNumber {
    type Err = LicenceNumberError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LicenceNumber::parse(s)
    }
}

impl TryFrom<String> for LicenceNumber {
    type Error = LicenceNumberError;

    /// Strict, like [`LicenceNumber::parse`].
    fn try_from(value: String) -> Result<Self, Self::Error> {
        LicenceNumber::parse(&value)
    }
}

impl From<LicenceNumber> for String {
    fn from(number: LicenceNumber) -> String {
        number.text
    }
}

impl AsRef<str> for LicenceNumber {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Real food licence numbers from product labels and producers' pages; all
    /// agree with MOD 11,10.
    const REAL_FOOD: [&str; 22] = [
        "SC10741018302531",
        "SC10744030704994",
        "SC11351090100010",
        "SC12336098200173",
        "SC12434017430075",
        "SC11435078213641",
        "SC12744040400094",
        "SC11343010500060",
        "SC11834010705158",
        "SC11135012100014",
        "SC12742098400010",
        "SC10234052305797",
        "SC10443061200101",
        "SC10737110203268",
        "SC11464010500015",
        "SC11333019700024",
        "SC11837048101233",
        "SC11834020305037",
        "SC12636098200051",
        "SC11532139200465",
        "SC11432010400101",
        "SC12444034200297",
    ];

    #[test]
    fn accepts_real_food_numbers() {
        for text in REAL_FOOD {
            let number = LicenceNumber::parse(text).unwrap();
            assert_eq!(number.kind(), LicenceKind::Food);
            assert_eq!(number.as_str(), text);
        }
    }

    #[test]
    fn real_outliers_need_lenient_parse() {
        for (text, expected, found) in [("SC11453010306856", 0, 6), ("SC12744030500626", 0, 6)] {
            assert_eq!(
                LicenceNumber::parse(text),
                Err(LicenceNumberError::FoodCheckDigit { expected, found })
            );
            let (number, warning) = LicenceNumber::parse_lenient(text).unwrap();
            assert_eq!(number.as_str(), text);
            assert_eq!(
                warning,
                Some(LicenceWarning::FoodCheckDigit { expected, found })
            );
        }
    }

    #[test]
    fn food_parts() {
        let number = LicenceNumber::parse(" sc 1074 1018 3025 31 ").unwrap();
        assert_eq!(number.as_str(), "SC10741018302531");
        assert_eq!(number.food_region_code(), Some("410183"));
        assert_eq!(number.province(), None);
    }

    #[test]
    fn food_rules() {
        assert_eq!(
            LicenceNumber::parse("SC1074101830253"),
            Err(LicenceNumberError::FoodLength { found: 13 })
        );
        assert_eq!(
            LicenceNumber::parse("SC1074101830253A"),
            Err(LicenceNumberError::FoodNotNumeric {
                position: 16,
                character: 'A'
            })
        );
        assert_eq!(
            LicenceNumber::parse("SC30741018302531"),
            Err(LicenceNumberError::FoodKind { found: '3' })
        );
        assert_eq!(
            LicenceNumber::parse("SC10741018302532"),
            Err(LicenceNumberError::FoodCheckDigit {
                expected: 1,
                found: 2
            })
        );
    }

    #[test]
    fn industrial_national_and_provincial() {
        let national = LicenceNumber::parse("XK13-014-00001").unwrap();
        assert_eq!(national.kind(), LicenceKind::Industrial);
        assert_eq!(national.as_str(), "XK13-014-00001");
        assert_eq!(national.province(), None);
        assert_eq!(national.food_region_code(), None);

        for input in [
            "(冀)XK16-204-00203",
            "（冀）XK16-204-00203",
            "（冀） xk16－204－00203",
            "（ 冀 ）ＸＫ１６-２０４-００２０３",
        ] {
            let number = LicenceNumber::parse(input).unwrap();
            assert_eq!(number.as_str(), "（冀）XK16-204-00203", "{input}");
            assert_eq!(number.province(), Some('冀'));
        }
        // Seen on real product labels.
        for text in ["（苏）XK18-001-00001", "（苏）XK06-001-00238"] {
            assert_eq!(LicenceNumber::parse(text).unwrap().as_str(), text);
        }
    }

    #[test]
    fn industrial_rules() {
        for input in [
            "XK16-204-0020",
            "XK16-204-002030",
            "XK16204-00203",
            "XK16-2O4-00203",
            "XK16-108 0001",
            "(冀)",
            "（冀）SC10741018302531",
        ] {
            assert_eq!(
                LicenceNumber::parse(input),
                Err(LicenceNumberError::IndustrialFormat),
                "{input}"
            );
        }
        assert_eq!(
            LicenceNumber::parse("(港)XK16-204-00203"),
            Err(LicenceNumberError::Province {
                found: "港".to_owned()
            })
        );
        assert_eq!(
            LicenceNumber::parse("(河北)XK16-204-00203"),
            Err(LicenceNumberError::Province {
                found: "河北".to_owned()
            })
        );
        assert_eq!(
            LicenceNumber::parse("(冀XK16-204-00203")
                .unwrap_err()
                .code(),
            "licence_province"
        );
    }

    #[test]
    fn unknown_formats() {
        for input in ["", "QS110001010001", "冀XK16-204-00203", "S", "12345"] {
            assert_eq!(
                LicenceNumber::parse(input),
                Err(LicenceNumberError::UnknownFormat),
                "{input}"
            );
        }
    }

    #[test]
    fn province_error_does_not_echo_huge_input() {
        let input = format!("({}", "冀".repeat(100_000));
        match LicenceNumber::parse(&input) {
            Err(LicenceNumberError::Province { found }) => assert_eq!(found.chars().count(), 8),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn error_codes_are_stable() {
        let cases = [
            ("AB", "licence_unknown_format"),
            ("SC1", "licence_food_length"),
            ("SC1074101830253X", "licence_food_not_numeric"),
            ("SC30741018302531", "licence_food_kind"),
            ("SC10741018302532", "licence_food_check_digit"),
            ("XK1", "licence_industrial_format"),
            ("(X)XK16-204-00203", "licence_province"),
        ];
        for (input, code) in cases {
            assert_eq!(
                LicenceNumber::parse(input).unwrap_err().code(),
                code,
                "{input}"
            );
        }
    }

    #[test]
    fn check_digit_helper() {
        assert_eq!(food_check_digit("1074101830253"), Some(1));
        assert_eq!(food_check_digit("107410183025"), None);
        assert_eq!(food_check_digit("107410183025X"), None);
    }

    #[test]
    fn serde_is_a_plain_string() {
        let number = LicenceNumber::parse("(冀)XK16-204-00203").unwrap();
        let json = serde_json::to_string(&number).unwrap();
        assert_eq!(json, "\"（冀）XK16-204-00203\"");
        assert_eq!(
            serde_json::from_str::<LicenceNumber>(&json).unwrap(),
            number
        );
        assert!(serde_json::from_str::<LicenceNumber>("\"SC10741018302532\"").is_err());
        assert_eq!(
            serde_json::to_string(&LicenceKind::Industrial).unwrap(),
            "\"industrial\""
        );
    }

    fn valid_food() -> impl Strategy<Value = String> {
        ("[12][0-9]{12}").prop_map(|first13| {
            let check = food_check_digit(&first13).unwrap();
            format!("SC{first13}{check}")
        })
    }

    fn valid_industrial() -> impl Strategy<Value = String> {
        (
            proptest::option::of(proptest::sample::select(
                PROVINCES.chars().collect::<Vec<_>>(),
            )),
            "XK[0-9]{2}-[0-9]{3}-[0-9]{5}",
        )
            .prop_map(|(province, core)| match province {
                Some(p) => format!("({p}){core}"),
                None => core,
            })
    }

    /// Replacement characters for the single-change property.
    const CHANGES: &[u8] = b"0123456789AX-";

    proptest! {
        #[test]
        fn parse_never_panics(input in any::<String>()) {
            let _ = LicenceNumber::parse(&input);
            let _ = food_check_digit(&input);
        }

        #[test]
        fn parse_never_panics_on_near_numbers(input in "[(（冀)）]{0,2}(SC|XK|sc)?[0-9０-９ \\-－]{0,18}") {
            let _ = LicenceNumber::parse(&input);
        }

        #[test]
        fn display_parse_round_trips(text in prop_oneof![valid_food(), valid_industrial()]) {
            let number = LicenceNumber::parse(&text).unwrap();
            let shown = number.to_string();
            prop_assert_eq!(LicenceNumber::parse(&shown).unwrap(), number);
        }

        // Industrial numbers have no check digit, so only food numbers detect a change.
        #[test]
        fn any_single_change_to_a_food_number_is_rejected(
            text in valid_food(),
            position in 0usize..16,
            k in 0usize..CHANGES.len(),
        ) {
            let mut bytes = text.into_bytes();
            let set = CHANGES;
            // Never the same character, so no case is thrown away.
            let replacement = if set[k] == bytes[position] { set[(k + 1) % set.len()] } else { set[k] };
            bytes[position] = replacement;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(LicenceNumber::parse(&changed).is_err(), "{} accepted", changed);
        }
    }
}
