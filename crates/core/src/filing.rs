//! Printer filing records (印刷备案登记): a bureau files the printing enterprises allowed
//! to print supervision codes, each under a filing number, for a period, usually with a
//! signed quality guarantee pledge (质量保证承诺书). Print jobs go only to printers whose
//! filing is in force.

use jiff::civil::Date;
use serde::Serialize;
use thiserror::Error;

/// How long a filing lasts when the bureau gives no end date.
pub const DEFAULT_YEARS: i16 = 3;

/// Why a filing number was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FilingNumberError {
    /// Empty after trimming.
    #[error("the filing number is empty")]
    Empty,
    /// Longer than 40 characters.
    #[error("the filing number is longer than 40 characters")]
    TooLong,
    /// Holds a control character or a line break.
    #[error("the filing number holds a control character")]
    Control,
}

/// Checks a filing number as a bureau writes it (e.g. `冀质监印备字〔2008〕第001号`):
/// 1–40 printable characters, trimmed.
pub fn parse_number(input: &str) -> Result<String, FilingNumberError> {
    let number = input.trim();
    if number.is_empty() {
        return Err(FilingNumberError::Empty);
    }
    if number.chars().count() > 40 {
        return Err(FilingNumberError::TooLong);
    }
    if number.chars().any(char::is_control) {
        return Err(FilingNumberError::Control);
    }
    Ok(number.to_owned())
}

/// The number the node gives a filing when the bureau gives none: year and the
/// printer's id, e.g. `YB-2026-00042`.
pub fn default_number(year: i16, printer_id: i64) -> String {
    format!("YB-{year}-{printer_id:05}")
}

/// The default end of a filing that starts on `from`.
pub fn default_until(from: Date) -> Date {
    from.checked_add(jiff::Span::new().years(DEFAULT_YEARS))
        .unwrap_or(Date::MAX)
}

/// Whether a filing lets its printer take print jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FilingStatus {
    /// In force.
    Current,
    /// Its period has not begun.
    NotYetValid,
    /// Its period has ended.
    Expired,
    /// Withdrawn by the bureau.
    Revoked,
}

impl FilingStatus {
    /// The status of a filing valid `from`–`until` (both days included) on `today`.
    pub fn on(today: Date, from: Date, until: Date, revoked: bool) -> FilingStatus {
        if revoked {
            FilingStatus::Revoked
        } else if today < from {
            FilingStatus::NotYetValid
        } else if today > until {
            FilingStatus::Expired
        } else {
            FilingStatus::Current
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            FilingStatus::Current => "current",
            FilingStatus::NotYetValid => "not_yet_valid",
            FilingStatus::Expired => "expired",
            FilingStatus::Revoked => "revoked",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn numbers_are_trimmed_and_bounded() {
        assert_eq!(
            parse_number("  冀质监印备字〔2008〕第001号 ").unwrap(),
            "冀质监印备字〔2008〕第001号"
        );
        assert_eq!(parse_number(" \t"), Err(FilingNumberError::Empty));
        assert_eq!(
            parse_number(&"号".repeat(41)),
            Err(FilingNumberError::TooLong)
        );
        assert_eq!(parse_number("A\nB"), Err(FilingNumberError::Control));
        assert_eq!(default_number(2026, 42), "YB-2026-00042");
    }

    #[test]
    fn status_follows_the_period_and_revocation() {
        let (from, until) = (date(2026, 1, 1), date(2028, 12, 31));
        assert_eq!(default_until(date(2026, 1, 1)), date(2029, 1, 1));
        assert_eq!(default_until(date(2024, 2, 29)), date(2027, 2, 28));
        let on = |d| FilingStatus::on(d, from, until, false);
        assert_eq!(on(date(2025, 12, 31)), FilingStatus::NotYetValid);
        assert_eq!(on(from), FilingStatus::Current);
        assert_eq!(on(until), FilingStatus::Current);
        assert_eq!(on(date(2029, 1, 1)), FilingStatus::Expired);
        assert_eq!(
            FilingStatus::on(date(2027, 1, 1), from, until, true),
            FilingStatus::Revoked
        );
    }
}
