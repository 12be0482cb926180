//! Test reports (检验报告): a lab's item-by-item results for one sample, its conclusion,
//! and the signature that fixes what it said.
//!
//! The signature is the hex SHA-256 of the report's canonical text: the number, the
//! issue date and the conclusion, then one line per item (name, requirement, measured
//! value, unit, method, verdict), fields separated by U+001F and lines ended by `\n`.
//! Anyone holding the report can recompute it.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// Pass or fail, of an item or of the whole report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 合格.
    Pass,
    /// 不合格.
    Fail,
}

impl Outcome {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Outcome> {
        [Outcome::Pass, Outcome::Fail]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// One tested item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// What was tested (e.g. 蛋白质).
    pub name: String,
    /// The requirement (e.g. ≥2.9 g/100g).
    pub requirement: String,
    /// The measured value as the lab writes it (e.g. 3.1, 未检出).
    pub value: String,
    /// Its unit.
    #[serde(default)]
    pub unit: Option<String>,
    /// The method standard (e.g. GB 5009.5-2016).
    #[serde(default)]
    pub method: Option<String>,
    /// The item's verdict.
    pub verdict: Outcome,
}

/// A report as a lab files it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Report {
    /// The report number.
    pub number: String,
    /// The day it was issued.
    #[schema(value_type = String, format = Date)]
    pub issued_on: Date,
    /// The overall conclusion.
    pub conclusion: Outcome,
    /// The items, in the report's order.
    pub items: Vec<Item>,
}

/// Why a report is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReportError {
    /// Number empty, over 50 characters, or with control characters.
    #[error("the report number must be 1–50 printable characters")]
    Number,
    /// No items, or more than 500.
    #[error("a report has 1 to 500 items")]
    Items,
    /// An item's text is empty, too long, or has control characters.
    #[error("item {index}: {field} must be 1–{max} printable characters")]
    ItemText {
        /// Which item (0-based).
        index: usize,
        /// Which field.
        field: &'static str,
        /// Its longest length.
        max: usize,
    },
    /// The conclusion disagrees with the items.
    #[error("the conclusion must be fail when an item fails, and pass when none does")]
    Conclusion,
}

impl ReportError {
    /// A stable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            ReportError::Number => "report_number",
            ReportError::Items => "report_items",
            ReportError::ItemText { .. } => "report_item",
            ReportError::Conclusion => "report_conclusion",
        }
    }
}

fn printable(s: &str, max: usize) -> bool {
    let s = s.trim();
    !s.is_empty() && s.chars().count() <= max && !s.chars().any(char::is_control)
}

/// Checks a report; returns it with its texts trimmed.
pub fn check(report: &Report) -> Result<Report, ReportError> {
    if !printable(&report.number, 50) {
        return Err(ReportError::Number);
    }
    if report.items.is_empty() || report.items.len() > 500 {
        return Err(ReportError::Items);
    }
    let mut items = Vec::with_capacity(report.items.len());
    for (index, item) in report.items.iter().enumerate() {
        let field = |field: &'static str, v: &str, max: usize| {
            printable(v, max)
                .then(|| v.trim().to_owned())
                .ok_or(ReportError::ItemText { index, field, max })
        };
        let optional = |name: &'static str, v: &Option<String>, max: usize| match v {
            Some(v) if !v.trim().is_empty() => field(name, v, max).map(Some),
            _ => Ok(None),
        };
        items.push(Item {
            name: field("name", &item.name, 100)?,
            requirement: field("requirement", &item.requirement, 200)?,
            value: field("value", &item.value, 50)?,
            unit: optional("unit", &item.unit, 20)?,
            method: optional("method", &item.method, 100)?,
            verdict: item.verdict,
        });
    }
    let failed = items.iter().any(|i| i.verdict == Outcome::Fail);
    if failed != (report.conclusion == Outcome::Fail) {
        return Err(ReportError::Conclusion);
    }
    Ok(Report {
        number: report.number.trim().to_owned(),
        issued_on: report.issued_on,
        conclusion: report.conclusion,
        items,
    })
}

/// The report's signature: hex SHA-256 of its canonical text.
pub fn signature(report: &Report) -> String {
    const SEP: char = '\u{1f}';
    let mut text = format!(
        "{}{SEP}{}{SEP}{}\n",
        report.number,
        report.issued_on,
        report.conclusion.as_str()
    );
    for i in &report.items {
        text.push_str(&format!(
            "{}{SEP}{}{SEP}{}{SEP}{}{SEP}{}{SEP}{}\n",
            i.name,
            i.requirement,
            i.value,
            i.unit.as_deref().unwrap_or_default(),
            i.method.as_deref().unwrap_or_default(),
            i.verdict.as_str()
        ));
    }
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn item(name: &str, verdict: Outcome) -> Item {
        Item {
            name: name.into(),
            requirement: "≥2.9 g/100g".into(),
            value: "3.1".into(),
            unit: Some("g/100g".into()),
            method: Some("GB 5009.5-2016".into()),
            verdict,
        }
    }

    fn report(conclusion: Outcome, items: Vec<Item>) -> Report {
        Report {
            number: " JY2026-0001 ".into(),
            issued_on: date(2026, 11, 20),
            conclusion,
            items,
        }
    }

    #[test]
    fn conclusions_follow_the_items() {
        let ok = check(&report(Outcome::Pass, vec![item("蛋白质", Outcome::Pass)])).unwrap();
        assert_eq!(ok.number, "JY2026-0001");
        assert!(check(&report(Outcome::Fail, vec![item("蛋白质", Outcome::Fail)])).is_ok());
        assert_eq!(
            check(&report(Outcome::Pass, vec![item("蛋白质", Outcome::Fail)])),
            Err(ReportError::Conclusion)
        );
        assert_eq!(
            check(&report(Outcome::Fail, vec![item("蛋白质", Outcome::Pass)])),
            Err(ReportError::Conclusion)
        );
        assert_eq!(
            check(&report(Outcome::Pass, vec![])),
            Err(ReportError::Items)
        );
        let mut blank = item(" ", Outcome::Pass);
        blank.unit = Some("  ".into());
        assert_eq!(
            check(&report(Outcome::Pass, vec![blank]))
                .unwrap_err()
                .code(),
            "report_item"
        );
    }

    #[test]
    fn the_signature_fixes_every_field() {
        let r = check(&report(Outcome::Pass, vec![item("蛋白质", Outcome::Pass)])).unwrap();
        let sig = signature(&r);
        assert_eq!(sig.len(), 64);
        assert_eq!(sig, signature(&r.clone()));
        let mut changed = r.clone();
        changed.items[0].value = "3.0".into();
        assert_ne!(signature(&changed), sig);
        let mut changed = r.clone();
        changed.issued_on = date(2026, 11, 21);
        assert_ne!(signature(&changed), sig);
    }
}
