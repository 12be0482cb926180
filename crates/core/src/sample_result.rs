//! Where a sample's result stands. A pass is final when reported. A failure is
//! preliminary: the enterprise is notified and may object within the legal window
//! (15 days; 7 working days for food); an officer accepts or rejects the objection; an
//! accepted one sends the retained sample to another lab, whose re-test is the final
//! result. A failure nobody objected to is final once the window closes.

use jiff::civil::Date;
use serde::Serialize;

use crate::calendar::Calendar;
use crate::test_report::Outcome;

/// How long an enterprise has to object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectionRules {
    /// Calendar days (general products).
    pub days: u32,
    /// Working days (food).
    pub food_working_days: u32,
}

impl Default for ObjectionRules {
    fn default() -> Self {
        ObjectionRules {
            days: 15,
            food_working_days: 7,
        }
    }
}

/// The last day an objection is accepted for a failure notified on `notified`.
pub fn objection_deadline(
    notified: Date,
    food: bool,
    rules: ObjectionRules,
    calendar: &Calendar,
) -> Date {
    if food {
        calendar.add_working_days(notified, rules.food_working_days)
    } else {
        notified
            .checked_add(jiff::Span::new().days(i64::from(rules.days)))
            .unwrap_or(Date::MAX)
    }
}

/// Whether a catalogue category is food (its objections count working days).
pub fn is_food(category: &str) -> bool {
    category.starts_with('F')
}

/// Where an objection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionState {
    /// Filed, awaiting an officer.
    Pending,
    /// Rejected: the first result stands.
    Rejected,
    /// Accepted: the retained sample is re-tested.
    Accepted,
}

/// The stage of a sample's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResultStage {
    /// The lab has not reported.
    AwaitingReport,
    /// Failed; the enterprise may still object.
    ObjectionWindow,
    /// An objection awaits a decision.
    ObjectionPending,
    /// The objection was accepted; the re-test has not been reported.
    Retest,
    /// The result is final.
    Final,
}

/// A sample's result as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Standing {
    /// The stage.
    pub stage: ResultStage,
    /// The result so far (preliminary until the stage is final).
    pub outcome: Option<Outcome>,
    /// The last day to object, for a failure.
    #[schema(value_type = Option<String>, format = Date)]
    pub objection_deadline: Option<Date>,
}

/// Works out a sample's standing on `today` from its first report (outcome and the day
/// the enterprise was notified), the objection, and the re-test.
pub fn standing(
    first: Option<(Outcome, Date)>,
    deadline_of: impl Fn(Date) -> Date,
    objection: Option<ObjectionState>,
    retest: Option<Outcome>,
    today: Date,
) -> Standing {
    let Some((outcome, notified)) = first else {
        return Standing {
            stage: ResultStage::AwaitingReport,
            outcome: None,
            objection_deadline: None,
        };
    };
    if outcome == Outcome::Pass {
        return Standing {
            stage: ResultStage::Final,
            outcome: Some(Outcome::Pass),
            objection_deadline: None,
        };
    }
    let deadline = deadline_of(notified);
    let (stage, outcome) = match (objection, retest) {
        (None, _) if today <= deadline => (ResultStage::ObjectionWindow, Some(Outcome::Fail)),
        (None, _) | (Some(ObjectionState::Rejected), _) => {
            (ResultStage::Final, Some(Outcome::Fail))
        }
        (Some(ObjectionState::Pending), _) => (ResultStage::ObjectionPending, Some(Outcome::Fail)),
        (Some(ObjectionState::Accepted), None) => (ResultStage::Retest, Some(Outcome::Fail)),
        (Some(ObjectionState::Accepted), Some(o)) => (ResultStage::Final, Some(o)),
    };
    Standing {
        stage,
        outcome,
        objection_deadline: Some(deadline),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn windows_are_fifteen_days_or_seven_working_days_for_food() {
        let cal = Calendar::default();
        let rules = ObjectionRules::default();
        // Notified on Friday 2026-11-20.
        let friday = date(2026, 11, 20);
        assert_eq!(
            objection_deadline(friday, false, rules, &cal),
            date(2026, 12, 5)
        );
        assert_eq!(
            objection_deadline(friday, true, rules, &cal),
            date(2026, 12, 1)
        );
        assert!(is_food("F05") && !is_food("I12"));
    }

    #[test]
    fn a_failure_is_final_after_the_window_or_the_decision() {
        let notified = date(2026, 11, 20);
        let deadline = |d: Date| d.checked_add(jiff::Span::new().days(15)).unwrap();
        let at = |today, objection, retest| {
            let s = standing(
                Some((Outcome::Fail, notified)),
                deadline,
                objection,
                retest,
                today,
            );
            (s.stage, s.outcome)
        };
        let fail = Some(Outcome::Fail);
        assert_eq!(
            at(date(2026, 12, 5), None, None),
            (ResultStage::ObjectionWindow, fail)
        );
        assert_eq!(
            at(date(2026, 12, 6), None, None),
            (ResultStage::Final, fail)
        );
        assert_eq!(
            at(date(2026, 12, 6), Some(ObjectionState::Pending), None),
            (ResultStage::ObjectionPending, fail)
        );
        assert_eq!(
            at(date(2026, 11, 25), Some(ObjectionState::Rejected), None),
            (ResultStage::Final, fail)
        );
        assert_eq!(
            at(date(2026, 11, 25), Some(ObjectionState::Accepted), None),
            (ResultStage::Retest, fail)
        );
        assert_eq!(
            at(
                date(2026, 11, 25),
                Some(ObjectionState::Accepted),
                Some(Outcome::Pass)
            ),
            (ResultStage::Final, Some(Outcome::Pass))
        );
        let pass = standing(
            Some((Outcome::Pass, notified)),
            deadline,
            None,
            None,
            notified,
        );
        assert_eq!(
            (pass.stage, pass.objection_deadline),
            (ResultStage::Final, None)
        );
        let none = standing(None, deadline, None, None, notified);
        assert_eq!(none.stage, ResultStage::AwaitingReport);
    }
}
