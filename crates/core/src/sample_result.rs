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

/// What of a sample's result only a write can change; statistics keep this per sample
/// and let the query supply today's date (see [`closed_through`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// Not final whatever the date: awaiting a report, a decision or a re-test.
    Open,
    /// Finally passed.
    Pass,
    /// Finally failed.
    Fail,
    /// Failed and nobody has objected: final once the window that opened when the
    /// enterprise was notified has closed.
    Window {
        /// The day the enterprise was notified.
        notified: Date,
    },
}

/// Settles the same facts [`standing`] takes, without a date.
pub fn settle(
    first: Option<(Outcome, Date)>,
    objection: Option<ObjectionState>,
    retest: Option<Outcome>,
) -> Settled {
    match (first, objection, retest) {
        (None, _, _) => Settled::Open,
        (Some((Outcome::Pass, _)), _, _) => Settled::Pass,
        (Some((Outcome::Fail, notified)), None, _) => Settled::Window { notified },
        (Some(_), Some(ObjectionState::Rejected), _) => Settled::Fail,
        (Some(_), Some(ObjectionState::Accepted), Some(o)) => match o {
            Outcome::Pass => Settled::Pass,
            Outcome::Fail => Settled::Fail,
        },
        (Some(_), Some(ObjectionState::Pending | ObjectionState::Accepted), _) => Settled::Open,
    }
}

/// The last notification day whose objection window has closed by `today`: a
/// [`Settled::Window`] result is final on `today` exactly when it was notified on or
/// before this day. The deadline never moves back as the notification day moves on, so
/// the days that qualify are all those up to one day.
pub fn closed_through(today: Date, food: bool, rules: ObjectionRules, calendar: &Calendar) -> Date {
    if !food {
        // Final when deadline = notified + days < today.
        return today
            .checked_sub(jiff::Span::new().days(i64::from(rules.days) + 1))
            .unwrap_or(Date::MIN);
    }
    // Working days: step back from yesterday (a window closes the day after its
    // deadline at the soonest). Each step back moves the deadline by at most a few days,
    // so this ends after about as many steps as the window is long.
    let mut day = today.yesterday().unwrap_or(Date::MIN);
    while day > Date::MIN && objection_deadline(day, true, rules, calendar) >= today {
        day = day.yesterday().unwrap_or(Date::MIN);
    }
    day
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
    #[test]
    fn settled_results_are_final_on_the_same_days_as_standings() {
        // A holiday week and a weekend worked make the working-day window uneven.
        let cal = Calendar::new(
            (1..=7).map(|d| date(2026, 10, d)),
            [date(2026, 9, 27), date(2026, 10, 11)],
        );
        let rules = ObjectionRules::default();
        let outcomes = [None, Some(Outcome::Pass), Some(Outcome::Fail)];
        let objections = [
            None,
            Some(ObjectionState::Pending),
            Some(ObjectionState::Rejected),
            Some(ObjectionState::Accepted),
        ];
        for food in [false, true] {
            for notified_offset in 0..40 {
                let notified = date(2026, 9, 20)
                    .checked_add(jiff::Span::new().days(notified_offset))
                    .unwrap();
                for first in outcomes {
                    for objection in objections {
                        for retest in outcomes {
                            let first = first.map(|o| (o, notified));
                            let settled = settle(first, objection, retest);
                            for today_offset in 0..40 {
                                let today = notified
                                    .checked_add(jiff::Span::new().days(today_offset))
                                    .unwrap();
                                let s = standing(
                                    first,
                                    |n| objection_deadline(n, food, rules, &cal),
                                    objection,
                                    retest,
                                    today,
                                );
                                let closed = closed_through(today, food, rules, &cal);
                                let (is_final, outcome) = match settled {
                                    Settled::Open => (false, None),
                                    Settled::Pass => (true, Some(Outcome::Pass)),
                                    Settled::Fail => (true, Some(Outcome::Fail)),
                                    Settled::Window { notified } => {
                                        (notified <= closed, Some(Outcome::Fail))
                                    }
                                };
                                assert_eq!(
                                    is_final,
                                    s.stage == ResultStage::Final,
                                    "{food} {first:?} {objection:?} {retest:?} {today}"
                                );
                                if is_final {
                                    assert_eq!(outcome, s.outcome);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
