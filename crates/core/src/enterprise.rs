//! An enterprise's basic data as a bureau keeps it, parsed at the edge.

use serde::{Deserialize, Serialize};

/// Whether the enterprise is operating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnterpriseStatus {
    /// Producing normally.
    Active,
    /// Production stopped for a time (停产).
    Suspended,
    /// Closed down (注销 / 关闭).
    Closed,
}

impl EnterpriseStatus {
    /// Every status.
    pub const ALL: [EnterpriseStatus; 3] = [
        EnterpriseStatus::Active,
        EnterpriseStatus::Suspended,
        EnterpriseStatus::Closed,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            EnterpriseStatus::Active => "active",
            EnterpriseStatus::Suspended => "suspended",
            EnterpriseStatus::Closed => "closed",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            EnterpriseStatus::Active => "在产",
            EnterpriseStatus::Suspended => "停产",
            EnterpriseStatus::Closed => "关闭",
        }
    }
}

/// The enterprise's size class (GB/T statistics classes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// 大型.
    Large,
    /// 中型.
    Medium,
    /// 小型.
    Small,
    /// 微型.
    Micro,
}

impl Scale {
    /// Every class.
    pub const ALL: [Scale; 4] = [Scale::Large, Scale::Medium, Scale::Small, Scale::Micro];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Large => "large",
            Scale::Medium => "medium",
            Scale::Small => "small",
            Scale::Micro => "micro",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Trims a free-text field and checks its length in characters; `None` when empty.
pub fn text_field(value: Option<&str>, max_chars: usize) -> Result<Option<String>, TextTooLong> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let n = v.chars().count();
    if n > max_chars {
        return Err(TextTooLong {
            max_chars,
            found: n,
        });
    }
    Ok(Some(v.to_owned()))
}

/// A free-text field exceeded its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("at most {max_chars} characters are allowed, found {found}")]
pub struct TextTooLong {
    /// The limit.
    pub max_chars: usize,
    /// The length found.
    pub found: usize,
}
