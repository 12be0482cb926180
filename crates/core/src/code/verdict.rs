//! What a verification says about a code, and how it says it to people.

use serde::{Deserialize, Serialize};

/// The answer to "what is this code?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Issued, activated on a batch in good standing, and queried for the first time.
    Genuine,
    /// Genuine, but queried before: the answer carries when, where and how often.
    GenuineRepeat,
    /// Issued but never activated on a batch: the goods should not be on sale.
    NotActivated,
    /// Its batch has been recalled.
    Recalled,
    /// Its batch is past its expiry date.
    Expired,
    /// Its batch was taken out of circulation (destroyed, exported, used in-house).
    Decommissioned,
    /// The check digit is wrong: most likely a typing error.
    Mistyped,
    /// Well-formed, but this node never issued it: a counterfeit suspect.
    Unknown,
}

impl Verdict {
    /// Every verdict, for tests and listings.
    pub const ALL: [Verdict; 8] = [
        Verdict::Genuine,
        Verdict::GenuineRepeat,
        Verdict::NotActivated,
        Verdict::Recalled,
        Verdict::Expired,
        Verdict::Decommissioned,
        Verdict::Mistyped,
        Verdict::Unknown,
    ];

    /// The stable name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Genuine => "genuine",
            Verdict::GenuineRepeat => "genuine_repeat",
            Verdict::NotActivated => "not_activated",
            Verdict::Recalled => "recalled",
            Verdict::Expired => "expired",
            Verdict::Decommissioned => "decommissioned",
            Verdict::Mistyped => "mistyped",
            Verdict::Unknown => "unknown",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether the goods may be trusted as the maker's.
    pub fn is_genuine(self) -> bool {
        matches!(self, Verdict::Genuine | Verdict::GenuineRepeat)
    }

    /// A short label in Chinese (`zh`) or English.
    pub fn label(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Verdict::Genuine, true) => "正品（首次查询）",
            (Verdict::Genuine, false) => "Genuine (first query)",
            (Verdict::GenuineRepeat, true) => "正品（已被查询过）",
            (Verdict::GenuineRepeat, false) => "Genuine (queried before)",
            (Verdict::NotActivated, true) => "未激活",
            (Verdict::NotActivated, false) => "Not activated",
            (Verdict::Recalled, true) => "已召回",
            (Verdict::Recalled, false) => "Recalled",
            (Verdict::Expired, true) => "已过期",
            (Verdict::Expired, false) => "Expired",
            (Verdict::Decommissioned, true) => "已注销",
            (Verdict::Decommissioned, false) => "Decommissioned",
            (Verdict::Mistyped, true) => "输入有误",
            (Verdict::Mistyped, false) => "Mistyped",
            (Verdict::Unknown, true) => "查无此码",
            (Verdict::Unknown, false) => "Unknown code",
        }
    }
}

/// What the people-facing message may mention about earlier queries.
#[derive(Debug, Clone, Default)]
pub struct Earlier<'a> {
    /// When the first query happened, as people read it (e.g. `2026-11-01 10:32`).
    pub first_at: &'a str,
    /// Where (a region name), if known.
    pub first_place: Option<&'a str>,
    /// How many queries there were before this one.
    pub queries: i64,
}

/// The sentence shown to the person who asked, in Chinese (`zh`) or English.
pub fn message(verdict: Verdict, product: Option<&str>, earlier: &Earlier<'_>, zh: bool) -> String {
    let place = earlier.first_place.unwrap_or(if zh {
        "未知地区"
    } else {
        "an unknown place"
    });
    let product = product.unwrap_or_default();
    match (verdict, zh) {
        (Verdict::Genuine, true) => {
            format!("您查询的是{product}正品，本码为首次查询，请放心使用。")
        }
        (Verdict::Genuine, false) => format!(
            "This {product} is genuine and this is the code's first query."
        ),
        (Verdict::GenuineRepeat, true) => format!(
            "此码已于{}首次查询，查询地{place}，此前共查询{}次。如非本人查询，谨防假冒。",
            earlier.first_at, earlier.queries
        ),
        (Verdict::GenuineRepeat, false) => format!(
            "This code was first queried on {} in {place} and has been queried {} time(s) before. If that was not you, beware of counterfeits.",
            earlier.first_at, earlier.queries
        ),
        (Verdict::NotActivated, true) => {
            "此码尚未激活，不应出现在市场上的商品上，请谨慎购买并可拨打12315举报。".into()
        }
        (Verdict::NotActivated, false) => {
            "This code has not been activated on any batch; goods carrying it should not be on sale. Please report it to 12315.".into()
        }
        (Verdict::Recalled, true) => {
            format!("此码所属批次的{product}已被召回，请停止使用并联系经营者退换。")
        }
        (Verdict::Recalled, false) => format!(
            "The batch of {product} this code belongs to has been recalled. Stop using it and return it to the seller."
        ),
        (Verdict::Expired, true) => format!("此码所属批次的{product}已过保质期，请勿使用。"),
        (Verdict::Expired, false) => {
            format!("The batch of {product} this code belongs to is past its expiry date. Do not use it.")
        }
        (Verdict::Decommissioned, true) => {
            "此码已注销，不应再流通，请谨慎购买并可拨打12315举报。".into()
        }
        (Verdict::Decommissioned, false) => {
            "This code has been decommissioned and should no longer be in circulation. Please report it to 12315.".into()
        }
        (Verdict::Mistyped, true) => "校验位不符，请核对后重新输入监管码。".into(),
        (Verdict::Mistyped, false) => {
            "The check digit does not match. Please check the code and type it again.".into()
        }
        (Verdict::Unknown, true) => {
            "查无此码，该商品可能为假冒产品，请谨慎购买并拨打12315举报。".into()
        }
        (Verdict::Unknown, false) => {
            "This code was never issued. The goods may be counterfeit; please report them to 12315.".into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_distinct() {
        for v in Verdict::ALL {
            assert_eq!(Verdict::parse(v.as_str()), Some(v));
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
        assert_eq!(Verdict::parse("fake"), None);
    }

    #[test]
    fn a_repeat_tells_when_and_where_the_first_query_was() {
        let e = Earlier {
            first_at: "2026-11-01 10:32",
            first_place: Some("石家庄市"),
            queries: 3,
        };
        let zh = message(Verdict::GenuineRepeat, Some("纯牛奶"), &e, true);
        assert!(
            zh.contains("2026-11-01 10:32") && zh.contains("石家庄市") && zh.contains("谨防假冒")
        );
        let en = message(Verdict::GenuineRepeat, Some("milk"), &e, false);
        assert!(en.contains("3 time(s)"));
    }
}
