//! Defective-product recalls (缺陷产品召回): their risk class, their lifecycle and how
//! their effectiveness is counted. A recall an enterprise starts itself is voluntary and
//! waits for its bureau to confirm it; one a bureau orders is active at once. While a
//! recall is active its batches' codes verify as `recalled`; a bureau closes it.

use serde::{Deserialize, Serialize};

/// A recall's risk class, as the US and Chinese practice grade them: I, a reasonable
/// chance of serious injury or death; II, temporary or reversible harm; III, unlikely to
/// harm but in breach of the rules.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum RiskClass {
    /// Serious injury or death is likely (一级).
    I,
    /// Temporary or reversible harm (二级).
    II,
    /// Harm is unlikely; the product breaks the rules (三级).
    III,
}

impl RiskClass {
    /// Every class, gravest first.
    pub const ALL: [RiskClass; 3] = [RiskClass::I, RiskClass::II, RiskClass::III];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskClass::I => "I",
            RiskClass::II => "II",
            RiskClass::III => "III",
        }
    }

    /// Reads a stable name.
    pub fn parse(s: &str) -> Option<RiskClass> {
        RiskClass::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The severity of the risk signal a recall of this class is (4 grave … 1 minor).
    pub fn severity(self) -> i64 {
        match self {
            RiskClass::I => 4,
            RiskClass::II => 3,
            RiskClass::III => 2,
        }
    }
}

/// Where a recall is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecallStatus {
    /// Started by its enterprise; a bureau has not confirmed it yet.
    Pending,
    /// In force: its codes verify as recalled, its parties are told.
    Active,
    /// Closed by a bureau with its report.
    Closed,
}

impl RecallStatus {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            RecallStatus::Pending => "pending",
            RecallStatus::Active => "active",
            RecallStatus::Closed => "closed",
        }
    }

    /// Reads a stable name.
    pub fn parse(s: &str) -> Option<RecallStatus> {
        [
            RecallStatus::Pending,
            RecallStatus::Active,
            RecallStatus::Closed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// Why a recall cannot move as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecallError {
    /// Only a pending recall is confirmed.
    #[error("the recall is {0}, not pending: there is nothing to confirm")]
    NotPending(&'static str),
    /// Only an active recall is acknowledged or closed.
    #[error("the recall is {0}, not active")]
    NotActive(&'static str),
    /// The reporting interval is outside 1–90 days.
    #[error("report_every_days is {0}: reports are due every 1 to 90 days")]
    Interval(i64),
    /// A text is missing or too long.
    #[error("{field}: {problem}")]
    Text {
        /// Which field.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

impl RecallError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            RecallError::NotPending(_) => "recall_not_pending",
            RecallError::NotActive(_) => "recall_not_active",
            RecallError::Interval(_) => "report_interval",
            RecallError::Text { .. } => "text",
        }
    }
}

/// Checks that a recall in `status` may be confirmed.
pub fn may_confirm(status: RecallStatus) -> Result<(), RecallError> {
    match status {
        RecallStatus::Pending => Ok(()),
        other => Err(RecallError::NotPending(other.as_str())),
    }
}

/// Checks that a recall in `status` may be acknowledged by a party or closed.
pub fn may_act(status: RecallStatus) -> Result<(), RecallError> {
    match status {
        RecallStatus::Active => Ok(()),
        other => Err(RecallError::NotActive(other.as_str())),
    }
}

/// A required text, trimmed, of at most `max` characters.
pub fn text(field: &'static str, value: &str, max: usize) -> Result<String, RecallError> {
    let t = value.trim();
    if t.is_empty() {
        return Err(RecallError::Text {
            field,
            problem: "required".into(),
        });
    }
    if t.chars().count() > max {
        return Err(RecallError::Text {
            field,
            problem: format!("at most {max} characters"),
        });
    }
    Ok(t.to_owned())
}

/// How far a recall has got: of the units that left the maker, the share that came
/// back or was taken out of trade (CPSC's correction rate).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Effectiveness {
    /// Units that left their maker (shipped on from the place that made them).
    pub distributed: f64,
    /// Units sold to consumers before or during the recall.
    pub sold: f64,
    /// Units returned to their maker, destroyed or decommissioned.
    pub recovered: f64,
    /// Units still held in trade (warehouses, shops, in transit).
    pub in_trade: f64,
    /// `recovered / distributed`, 0 when nothing was distributed.
    pub rate: f64,
}

/// The effectiveness from the counts of a recall's reach.
pub fn effectiveness(distributed: f64, sold: f64, recovered: f64, in_trade: f64) -> Effectiveness {
    let rate = if distributed > 0.0 {
        (recovered / distributed).clamp(0.0, 1.0)
    } else {
        0.0
    };
    Effectiveness {
        distributed,
        sold,
        recovered,
        in_trade,
        rate,
    }
}

/// Days between progress reports when the plan does not say.
pub const REPORT_EVERY_DAYS: i64 = 30;

/// Checks a plan's reporting interval (days).
pub fn report_interval(days: Option<i64>) -> Result<i64, RecallError> {
    match days.unwrap_or(REPORT_EVERY_DAYS) {
        d @ 1..=90 => Ok(d),
        d => Err(RecallError::Interval(d)),
    }
}

/// When the next progress report is due (ms since the epoch): `every_days` after the
/// last report, or after the recall came into force when none was filed yet.
pub fn next_report_due(active_since_ms: i64, last_report_ms: Option<i64>, every_days: i64) -> i64 {
    last_report_ms
        .unwrap_or(active_since_ms)
        .saturating_add(every_days.saturating_mul(86_400_000))
}

#[cfg(test)]
mod tests {
    #[test]
    fn reports_fall_due_an_interval_after_the_last_one() {
        const DAY: i64 = 86_400_000;
        assert_eq!(next_report_due(0, None, 30), 30 * DAY);
        assert_eq!(next_report_due(0, Some(40 * DAY), 30), 70 * DAY);
        assert_eq!(report_interval(None), Ok(30));
        assert_eq!(report_interval(Some(7)), Ok(7));
        assert_eq!(
            report_interval(Some(0)).unwrap_err().code(),
            "report_interval"
        );
        assert!(report_interval(Some(91)).is_err());
    }

    use super::*;

    #[test]
    fn only_pending_recalls_are_confirmed_and_only_active_ones_closed() {
        assert!(may_confirm(RecallStatus::Pending).is_ok());
        assert_eq!(
            may_confirm(RecallStatus::Active),
            Err(RecallError::NotPending("active"))
        );
        assert!(may_act(RecallStatus::Active).is_ok());
        assert_eq!(
            may_act(RecallStatus::Closed).unwrap_err().code(),
            "recall_not_active"
        );
        assert!(may_act(RecallStatus::Pending).is_err());
    }

    #[test]
    fn names_round_trip() {
        for c in RiskClass::ALL {
            assert_eq!(RiskClass::parse(c.as_str()), Some(c));
        }
        assert_eq!(RiskClass::parse("IV"), None);
        for s in ["pending", "active", "closed"] {
            assert_eq!(RecallStatus::parse(s).unwrap().as_str(), s);
        }
    }

    #[test]
    fn effectiveness_is_the_recovered_share_of_what_was_distributed() {
        let e = effectiveness(200.0, 50.0, 120.0, 30.0);
        assert!((e.rate - 0.6).abs() < 1e-9);
        assert_eq!(effectiveness(0.0, 0.0, 0.0, 0.0).rate, 0.0);
        assert_eq!(effectiveness(10.0, 0.0, 12.0, 0.0).rate, 1.0);
    }

    #[test]
    fn texts_are_required_and_bounded() {
        assert_eq!(text("reason", "  漏电 ", 10).unwrap(), "漏电");
        assert_eq!(text("reason", "  ", 10).unwrap_err().code(), "text");
        assert!(text("reason", &"字".repeat(11), 10).is_err());
    }
}
