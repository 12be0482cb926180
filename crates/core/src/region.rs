//! Administrative regions of China (GB/T 2260): province, prefecture ("city") and county.
//!
//! A region code has six digits: two for the province, two for the prefecture within it,
//! two for the county within that. `130000` is 河北省, `130100` its prefecture 石家庄市 and
//! `130102` the district 长安区. `000000` stands for the whole country (全国).
//!
//! [`RegionCode`] is the parsed, structural code: it knows its level, its parent and its
//! subtree from the digits alone. The table of known regions is compiled into the binary
//! from `data/regions.tsv` (see `data/REGIONS.md` for its sources and how to rebuild it)
//! and is reached through [`lookup`], [`resolve`], [`parent_chain`], [`children`] and
//! [`provinces`].
//!
//! Codes retire when divisions merge or are renamed, yet old unified social credit codes
//! carry them for good; a retired code therefore still resolves, with
//! [`Region::retired`] set and the name it last had.
//!
//! ```
//! use zhijian_core::region::{self, RegionCode, RegionLevel};
//!
//! let baoding = region::resolve("130600").unwrap();
//! assert_eq!(baoding.name, "保定市");
//! assert_eq!(baoding.level, RegionLevel::City);
//!
//! let hebei = RegionCode::parse("130000").unwrap();
//! assert!(hebei.contains(baoding.code));
//! assert_eq!(hebei.prefix(), "13");
//!
//! // 邢台县 was merged into 信都区 in 2020; the old code still resolves.
//! let xingtai_county = region::resolve("130521").unwrap();
//! assert!(xingtai_county.retired);
//! ```

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

/// A six-digit GB/T 2260 region code, checked for form but not for existence.
///
/// Use [`RegionCode::parse`] to make one and [`lookup`] to find out whether it names a
/// known region.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode([u8; 6]);

/// The level of a region, read from the digits of its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RegionLevel {
    /// The whole country: `000000`.
    National,
    /// A province-level division: `xx0000`.
    Province,
    /// A prefecture-level division ("city"): `xxxx00`.
    City,
    /// A county-level division: any other code.
    County,
}

/// Why a string is not a known region code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegionError {
    /// The input does not have six characters (after trimming whitespace).
    #[error("a region code has 6 digits, this one has {0} characters")]
    Length(usize),
    /// A character is not a digit (ASCII or full-width).
    #[error("a region code has only digits, character {position} is {found:?}")]
    NotDigit {
        /// 1-based position of the offending character.
        position: usize,
        /// The offending character.
        found: char,
    },
    /// The province digits are `00` but the code is not the national code `000000`.
    #[error("region code {0} has no province (it starts with 00 but is not 000000)")]
    NoProvince(RegionCode),
    /// The code is well formed but names no region, current or retired.
    #[error("no administrative region has code {0}")]
    Unknown(RegionCode),
}

impl RegionError {
    /// A stable, machine-readable name for the error, for API responses.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Length(_) | Self::NotDigit { .. } | Self::NoProvince(_) => "region_format",
            Self::Unknown(_) => "region_unknown",
        }
    }
}

impl RegionCode {
    /// The code of the whole country, `000000`.
    pub const NATIONAL: RegionCode = RegionCode(*b"000000");

    /// Parse a region code: exactly six digits once surrounding whitespace is trimmed.
    ///
    /// Full-width digits (`０`–`９`), common in Chinese forms, are accepted and stored as
    /// ASCII. A code whose province digits are `00` must be `000000`.
    pub fn parse(input: &str) -> Result<RegionCode, RegionError> {
        let trimmed = input.trim();
        let length = trimmed.chars().count();
        if length != 6 {
            return Err(RegionError::Length(length));
        }
        let mut digits = [b'0'; 6];
        for (index, (slot, found)) in digits.iter_mut().zip(trimmed.chars()).enumerate() {
            *slot = match found {
                '0'..='9' => found as u8,
                '０'..='９' => b'0' + (u32::from(found) - u32::from('０')) as u8,
                _ => {
                    return Err(RegionError::NotDigit {
                        position: index + 1,
                        found,
                    });
                }
            };
        }
        let code = RegionCode(digits);
        if digits[..2] == *b"00" && code != Self::NATIONAL {
            return Err(RegionError::NoProvince(code));
        }
        Ok(code)
    }

    /// The six digits as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored, so this cannot fail.
        std::str::from_utf8(&self.0).unwrap_or("000000")
    }

    /// The level this code stands for, from its digits alone.
    pub fn level(&self) -> RegionLevel {
        match self.0 {
            [b'0', b'0', ..] => RegionLevel::National,
            [_, _, b'0', b'0', b'0', b'0'] => RegionLevel::Province,
            [_, _, _, _, b'0', b'0'] => RegionLevel::City,
            _ => RegionLevel::County,
        }
    }

    /// The structural parent: a county's city, a city's province, a province's nation.
    ///
    /// The parent may not exist as a region (municipalities have no prefecture level);
    /// [`parent_chain`] gives the ancestors that do.
    pub fn parent(&self) -> Option<RegionCode> {
        let keep = match self.level() {
            RegionLevel::National => return None,
            RegionLevel::Province => 0,
            RegionLevel::City => 2,
            RegionLevel::County => 4,
        };
        Some(self.truncated(keep))
    }

    /// Whether `other` lies in this region's subtree (a region contains itself).
    ///
    /// The nation contains every code, a province every code with its two digits, a city
    /// every code with its four; a county contains only itself.
    pub fn contains(&self, other: RegionCode) -> bool {
        other.as_str().starts_with(self.prefix())
    }

    /// The significant digits: `""` for the nation, `"13"` for a province, `"1301"` for a
    /// city, all six for a county. Every code in the subtree starts with it, so a store
    /// can select a subtree with `LIKE prefix%`.
    pub fn prefix(&self) -> &str {
        let length = match self.level() {
            RegionLevel::National => 0,
            RegionLevel::Province => 2,
            RegionLevel::City => 4,
            RegionLevel::County => 6,
        };
        self.as_str().get(..length).unwrap_or("")
    }

    /// This code with all but the first `keep` digits set to zero.
    fn truncated(&self, keep: usize) -> RegionCode {
        let mut digits = self.0;
        for digit in digits.iter_mut().skip(keep) {
            *digit = b'0';
        }
        RegionCode(digits)
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegionCode({})", self.as_str())
    }
}

impl FromStr for RegionCode {
    type Err = RegionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionCode::parse(s)
    }
}

impl serde::Serialize for RegionCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for RegionCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        RegionCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A known region: its code, its Chinese name, and whether the code is still in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// The region's code.
    pub code: RegionCode,
    /// The Chinese name, e.g. `河北省`; for a retired code, the last name it had.
    pub name: &'static str,
    /// The level, from the code's digits.
    pub level: RegionLevel,
    /// True when the code is no longer current: the division was merged, renamed under a
    /// new code, or the code was only ever a summary entry such as `市辖区`.
    pub retired: bool,
}

static NATIONAL_REGION: Region = Region {
    code: RegionCode::NATIONAL,
    name: "全国",
    level: RegionLevel::National,
    retired: false,
};

/// The region table, sorted by code; `000000` is not in it.
static REGIONS: LazyLock<Vec<Region>> = LazyLock::new(|| load(include_str!("../data/regions.tsv")));

/// Read `code<TAB>name<TAB>c|r` lines; `#` lines are comments. Malformed lines are
/// skipped (a unit test checks that there are none) so that loading cannot panic.
fn load(table: &'static str) -> Vec<Region> {
    let mut regions: Vec<Region> = table
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(parse_line)
        .collect();
    regions.sort_by_key(|region| region.code);
    regions.dedup_by_key(|region| region.code);
    regions
}

fn parse_line(line: &'static str) -> Option<Region> {
    let mut fields = line.split('\t');
    let code = RegionCode::parse(fields.next()?).ok()?;
    let name = fields.next()?;
    let retired = match fields.next()? {
        "c" => false,
        "r" => true,
        _ => return None,
    };
    if fields.next().is_some() || name.is_empty() || code == RegionCode::NATIONAL {
        return None;
    }
    Some(Region {
        code,
        name,
        level: code.level(),
        retired,
    })
}

/// The known region with this code, current or retired; `000000` is 全国.
pub fn lookup(code: RegionCode) -> Option<&'static Region> {
    if code == RegionCode::NATIONAL {
        return Some(&NATIONAL_REGION);
    }
    let regions: &'static [Region] = &REGIONS;
    regions
        .binary_search_by_key(&code, |region| region.code)
        .ok()
        .and_then(|index| regions.get(index))
}

/// Parse `input` and look it up: the region, or why there is none.
pub fn resolve(input: &str) -> Result<&'static Region, RegionError> {
    let code = RegionCode::parse(input)?;
    lookup(code).ok_or(RegionError::Unknown(code))
}

/// The ancestors of `code` that exist in the table, nearest first, up to and including
/// its province (the nation is left out; so is `code` itself).
///
/// Levels that do not exist are skipped: 东城区 `110101` gives just `[北京市]`, and a
/// county of Hubei directly under the province (`4290xx`) gives `[湖北省]`. The ancestors
/// of a current code are current ones only, so the retired summary entry `110100 市辖区`
/// does not appear above a current Beijing district; a retired or unknown code gets
/// whatever ancestors exist, current or retired.
pub fn parent_chain(code: RegionCode) -> Vec<&'static Region> {
    let current_only = lookup(code).is_some_and(|region| !region.retired);
    let mut chain = Vec::new();
    let mut next = code.parent();
    while let Some(ancestor) = next {
        if ancestor == RegionCode::NATIONAL {
            break;
        }
        if let Some(region) = lookup(ancestor)
            && !(current_only && region.retired)
        {
            chain.push(region);
        }
        next = ancestor.parent();
    }
    chain
}

/// The current regions directly below `code`, in code order.
///
/// For the nation, the provinces. For a province, its cities, plus the counties directly
/// under it: those whose city digits have no current city entry (Beijing's districts,
/// Hubei's `4290xx`). For a city, its counties. A county has none.
pub fn children(code: RegionCode) -> Vec<&'static Region> {
    match code.level() {
        RegionLevel::National => provinces(),
        RegionLevel::Province => subtree(code)
            .filter(|region| match region.level {
                RegionLevel::City => true,
                RegionLevel::County => region
                    .code
                    .parent()
                    .and_then(lookup)
                    .is_none_or(|city| city.retired || city.level != RegionLevel::City),
                RegionLevel::National | RegionLevel::Province => false,
            })
            .collect(),
        RegionLevel::City => subtree(code)
            .filter(|region| region.level == RegionLevel::County)
            .collect(),
        RegionLevel::County => Vec::new(),
    }
}

/// The current province-level regions, in code order.
pub fn provinces() -> Vec<&'static Region> {
    let regions: &'static [Region] = &REGIONS;
    regions
        .iter()
        .filter(|region| region.level == RegionLevel::Province && !region.retired)
        .collect()
}

/// The current regions strictly inside `code`'s subtree (not `code` itself).
fn subtree(code: RegionCode) -> impl Iterator<Item = &'static Region> {
    let regions: &'static [Region] = &REGIONS;
    let prefix = code.prefix().to_owned();
    let start = regions.partition_point(|region| region.code.as_str() < prefix.as_str());
    regions
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(move |region| region.code.as_str().starts_with(&prefix))
        .filter(move |region| region.code != code && !region.retired)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(text: &str) -> RegionCode {
        RegionCode::parse(text).unwrap()
    }

    fn names(regions: &[&'static Region]) -> Vec<(&'static str, &'static str)> {
        regions
            .iter()
            .map(|region| (region.code.as_str(), region.name))
            .collect()
    }

    #[test]
    fn every_line_of_the_table_loads() {
        let table = include_str!("../data/regions.tsv");
        let lines = table
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .count();
        assert_eq!(REGIONS.len(), lines);
        assert!(
            REGIONS.len() > 6000,
            "history is missing: {}",
            REGIONS.len()
        );
    }

    #[test]
    fn hebei_and_its_eleven_cities() {
        let hebei = resolve("130000").unwrap();
        assert_eq!(hebei.name, "河北省");
        assert_eq!(hebei.level, RegionLevel::Province);
        assert!(!hebei.retired);

        let cities = children(hebei.code);
        let expected = [
            ("130100", "石家庄市"),
            ("130200", "唐山市"),
            ("130300", "秦皇岛市"),
            ("130400", "邯郸市"),
            ("130500", "邢台市"),
            ("130600", "保定市"),
            ("130700", "张家口市"),
            ("130800", "承德市"),
            ("130900", "沧州市"),
            ("131000", "廊坊市"),
            ("131100", "衡水市"),
        ];
        assert_eq!(names(&cities), expected);
        assert!(cities.iter().all(|city| city.level == RegionLevel::City));
    }

    #[test]
    fn a_city_has_its_current_counties_as_children() {
        let shijiazhuang = children(code("130100"));
        let codes: Vec<_> = shijiazhuang.iter().map(|r| r.code.to_string()).collect();
        assert!(codes.contains(&"130102".to_string()), "长安区 missing");
        // 栾城县 became 栾城区 (130111); the old code is retired and not a child.
        assert!(!codes.contains(&"130124".to_string()));
        assert!(
            shijiazhuang
                .iter()
                .all(|r| !r.retired && code("130100").contains(r.code))
        );
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(codes, sorted);
        assert!(children(code("130102")).is_empty());
    }

    #[test]
    fn a_province_lists_counties_that_have_no_city() {
        let hubei = children(code("420000"));
        let xiantao = resolve("429004").unwrap();
        assert_eq!(xiantao.name, "仙桃市");
        assert!(hubei.iter().any(|r| r.code == xiantao.code));
        assert!(hubei.iter().any(|r| r.name == "武汉市"));
        // Counties that do have a city stay under it.
        assert!(
            !hubei
                .iter()
                .any(|r| r.level == RegionLevel::County && r.code.as_str().starts_with("4201"))
        );

        let beijing = children(code("110000"));
        assert!(beijing.iter().any(|r| r.name == "东城区"));
        assert!(beijing.iter().all(|r| !r.retired));
    }

    #[test]
    fn parent_chain_skips_missing_and_retired_levels() {
        assert_eq!(names(&parent_chain(code("110101"))), [("110000", "北京市")]);
        assert_eq!(
            names(&parent_chain(code("130602"))),
            [("130600", "保定市"), ("130000", "河北省")]
        );
        assert_eq!(names(&parent_chain(code("429004"))), [("420000", "湖北省")]);
        assert!(parent_chain(code("130000")).is_empty());
        assert!(parent_chain(RegionCode::NATIONAL).is_empty());
        // A retired code keeps its ancestors: 邢台县 under 邢台市.
        assert_eq!(
            names(&parent_chain(code("130521"))),
            [("130500", "邢台市"), ("130000", "河北省")]
        );
    }

    #[test]
    fn retired_codes_resolve() {
        let xingtai_county = resolve("130521").unwrap();
        assert_eq!(xingtai_county.name, "邢台县");
        assert!(xingtai_county.retired);
        // 宣武区 merged into 西城区 in 2010.
        let xuanwu = resolve("110104").unwrap();
        assert_eq!(xuanwu.name, "宣武区");
        assert!(xuanwu.retired);
        assert!(!resolve("110102").unwrap().retired);
    }

    #[test]
    fn national_is_a_region() {
        let nation = resolve("000000").unwrap();
        assert_eq!(nation.name, "全国");
        assert_eq!(nation.level, RegionLevel::National);
        let provinces = children(RegionCode::NATIONAL);
        assert_eq!(provinces, super::provinces());
        // 31 on the mainland plus Taiwan, Hong Kong and Macao.
        assert_eq!(provinces.len(), 34);
    }

    #[test]
    fn unknown_codes_are_reported() {
        let error = resolve("139999").unwrap_err();
        assert_eq!(error, RegionError::Unknown(code("139999")));
        assert_eq!(error.code(), "region_unknown");
        assert!(lookup(code("990000")).is_none());
    }

    #[test]
    fn levels_and_parents_follow_the_digits() {
        assert_eq!(code("000000").level(), RegionLevel::National);
        assert_eq!(code("130000").level(), RegionLevel::Province);
        assert_eq!(code("130100").level(), RegionLevel::City);
        assert_eq!(code("130102").level(), RegionLevel::County);
        assert_eq!(code("130102").parent(), Some(code("130100")));
        assert_eq!(code("130100").parent(), Some(code("130000")));
        assert_eq!(code("130000").parent(), Some(RegionCode::NATIONAL));
        assert_eq!(RegionCode::NATIONAL.parent(), None);
    }

    #[test]
    fn prefixes_and_containment() {
        assert_eq!(RegionCode::NATIONAL.prefix(), "");
        assert_eq!(code("130000").prefix(), "13");
        assert_eq!(code("130100").prefix(), "1301");
        assert_eq!(code("130102").prefix(), "130102");

        assert!(RegionCode::NATIONAL.contains(code("650102")));
        assert!(code("130000").contains(code("130102")));
        assert!(code("130000").contains(code("130000")));
        assert!(code("130100").contains(code("130102")));
        assert!(!code("130100").contains(code("130202")));
        assert!(!code("130000").contains(code("140100")));
        assert!(!code("130100").contains(code("130000")));
        assert!(code("130102").contains(code("130102")));
        assert!(!code("130102").contains(code("130103")));
    }

    #[test]
    fn parse_accepts_whitespace_and_full_width_digits() {
        assert_eq!(code(" 130100\n").as_str(), "130100");
        assert_eq!(code("\u{3000}１３０１００").as_str(), "130100");
        assert_eq!("130100".parse::<RegionCode>(), Ok(code("130100")));
        assert_eq!(code("130100").to_string(), "130100");
    }

    #[test]
    fn parse_rejects_bad_input() {
        assert_eq!(RegionCode::parse(""), Err(RegionError::Length(0)));
        assert_eq!(RegionCode::parse("13010"), Err(RegionError::Length(5)));
        assert_eq!(RegionCode::parse("1301000"), Err(RegionError::Length(7)));
        assert_eq!(
            RegionCode::parse("13 100"),
            Err(RegionError::NotDigit {
                position: 3,
                found: ' '
            })
        );
        assert_eq!(
            RegionCode::parse("13010a"),
            Err(RegionError::NotDigit {
                position: 6,
                found: 'a'
            })
        );
        // Digits of other scripts are not GB/T 2260 digits.
        assert!(matches!(
            RegionCode::parse("١٣٠١٠٠"),
            Err(RegionError::NotDigit { .. })
        ));
        assert_eq!(
            RegionCode::parse("001200"),
            Err(RegionError::NoProvince(RegionCode(*b"001200")))
        );
        for bad in ["", "abcdef", "001200"] {
            assert_eq!(RegionCode::parse(bad).unwrap_err().code(), "region_format");
        }
    }

    #[test]
    fn serde_uses_the_string_form() {
        let json = serde_json::to_string(&code("130100")).unwrap();
        assert_eq!(json, "\"130100\"");
        assert_eq!(
            serde_json::from_str::<RegionCode>(&json).unwrap(),
            code("130100")
        );
        assert!(serde_json::from_str::<RegionCode>("\"13010x\"").is_err());
        assert!(serde_json::from_str::<RegionCode>("130100").is_err());
    }

    proptest! {
        #[test]
        fn parse_never_panics(input in "\\PC*") {
            if let Ok(parsed) = RegionCode::parse(&input) {
                prop_assert_eq!(RegionCode::parse(parsed.as_str()), Ok(parsed));
            }
        }

        #[test]
        fn six_digits_round_trip(input in "[0-9]{6}") {
            match RegionCode::parse(&input) {
                Ok(parsed) => {
                    prop_assert_eq!(parsed.as_str(), input.as_str());
                    prop_assert!(parsed.contains(parsed));
                    if let Some(parent) = parsed.parent() {
                        prop_assert!(parent.contains(parsed));
                    }
                    let _ = (lookup(parsed), parent_chain(parsed), children(parsed));
                }
                Err(error) => prop_assert_eq!(error.code(), "region_format"),
            }
        }
    }
}
