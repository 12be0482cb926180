//! Emergency product-safety incidents (突发事件): their level, what may be recorded on
//! them and when. An incident is open until its closing report; every step is kept.

use serde::{Deserialize, Serialize};

/// An incident's level, I the gravest (特别重大) to IV (一般), as emergency plans grade them.
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
pub enum IncidentLevel {
    /// Extremely grave (特别重大).
    I,
    /// Grave (重大).
    II,
    /// Serious (较大).
    III,
    /// Ordinary (一般).
    IV,
}

impl IncidentLevel {
    /// Every level, gravest first.
    pub const ALL: [IncidentLevel; 4] = [
        IncidentLevel::I,
        IncidentLevel::II,
        IncidentLevel::III,
        IncidentLevel::IV,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentLevel::I => "I",
            IncidentLevel::II => "II",
            IncidentLevel::III => "III",
            IncidentLevel::IV => "IV",
        }
    }

    /// Reads a stable name.
    pub fn parse(s: &str) -> Option<IncidentLevel> {
        IncidentLevel::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The severity of the risk signal an incident of this level is (4 grave … 1 minor).
    pub fn severity(self) -> i64 {
        match self {
            IncidentLevel::I => 4,
            IncidentLevel::II => 3,
            IncidentLevel::III => 2,
            IncidentLevel::IV => 1,
        }
    }
}

/// What a step on an incident's timeline records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// It was opened.
    Opened,
    /// Something learnt (casualties, spread, findings).
    Update,
    /// Something done (a seizure, a sales stop, a press release).
    Action,
    /// Its level changed (the text says from, to and why).
    Level,
    /// A record was linked to it.
    Linked,
    /// It was closed with its report.
    Closed,
}

impl StepKind {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Opened => "opened",
            StepKind::Update => "update",
            StepKind::Action => "action",
            StepKind::Level => "level",
            StepKind::Linked => "linked",
            StepKind::Closed => "closed",
        }
    }

    /// Reads a stable name.
    pub fn parse(s: &str) -> Option<StepKind> {
        [
            StepKind::Opened,
            StepKind::Update,
            StepKind::Action,
            StepKind::Level,
            StepKind::Linked,
            StepKind::Closed,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// Why something may not be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IncidentError {
    /// The incident is closed: nothing more may be recorded.
    #[error("the incident is closed; nothing more may be recorded on it")]
    Closed,
    /// A text is empty or too long.
    #[error("{field} must be 1–{max} characters")]
    Text {
        /// The field.
        field: &'static str,
        /// Its longest.
        max: usize,
    },
    /// The closing report is too short to say what happened.
    #[error(
        "the closing report must say what happened, what was done and what was learnt (at least {0} characters)"
    )]
    ReportTooShort(usize),
    /// The level is the one it has.
    #[error("the incident is level {0} already")]
    SameLevel(&'static str),
}

impl IncidentError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            IncidentError::Closed => "incident_closed",
            IncidentError::Text { .. } => "incident_text",
            IncidentError::ReportTooShort(_) => "closing_report",
            IncidentError::SameLevel(_) => "incident_level",
        }
    }
}

/// The shortest closing report accepted.
pub const MIN_REPORT_CHARS: usize = 20;

/// Checks a text field: trimmed, 1–`max` characters.
pub fn text(field: &'static str, s: &str, max: usize) -> Result<String, IncidentError> {
    let t = s.trim();
    let n = t.chars().count();
    if n == 0 || n > max {
        return Err(IncidentError::Text { field, max });
    }
    Ok(t.to_owned())
}

/// Checks that a step may be recorded on an incident that is `closed` or not.
pub fn may_record(closed: bool) -> Result<(), IncidentError> {
    if closed {
        Err(IncidentError::Closed)
    } else {
        Ok(())
    }
}

/// Checks a closing report.
pub fn closing_report(closed: bool, report: &str) -> Result<String, IncidentError> {
    may_record(closed)?;
    let r = report.trim();
    if r.chars().count() < MIN_REPORT_CHARS {
        return Err(IncidentError::ReportTooShort(MIN_REPORT_CHARS));
    }
    text("report", r, 20_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_recorded_on_a_closed_incident() {
        assert_eq!(may_record(true), Err(IncidentError::Closed));
        assert!(may_record(false).is_ok());
        assert_eq!(
            closing_report(true, &"x".repeat(50)),
            Err(IncidentError::Closed)
        );
    }

    #[test]
    fn a_closing_report_must_say_something() {
        assert_eq!(
            closing_report(false, "  已处置。 "),
            Err(IncidentError::ReportTooShort(MIN_REPORT_CHARS))
        );
        let r = "经查，某批次婴幼儿配方奶粉阪崎肠杆菌超标，已全部召回并销毁，涉事企业停产整改。";
        assert_eq!(closing_report(false, r).unwrap(), r);
    }

    #[test]
    fn levels_and_steps_read_back() {
        for l in IncidentLevel::ALL {
            assert_eq!(IncidentLevel::parse(l.as_str()), Some(l));
        }
        assert_eq!(IncidentLevel::parse("V"), None);
        assert_eq!(StepKind::parse("action"), Some(StepKind::Action));
        assert!(IncidentLevel::I.severity() > IncidentLevel::IV.severity());
        assert_eq!(
            text("title", "   ", 10),
            Err(IncidentError::Text {
                field: "title",
                max: 10
            })
        );
    }
}
