//! A sampling plan's terms beyond its quotas — total batches, budget, schedule — and
//! its life: drafted by a bureau, approved by another officer (four eyes), published.
//! Samples are only taken under a published plan.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::sampling::Quota;

/// Where a plan is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// Being prepared (起草): may still be drawn, not yet sampled.
    Draft,
    /// Approved (审批通过) by an officer other than its author.
    Approved,
    /// Published (发布): its inspectors may take samples.
    Published,
}

impl PlanStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Approved => "approved",
            PlanStatus::Published => "published",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<PlanStatus> {
        [
            PlanStatus::Draft,
            PlanStatus::Approved,
            PlanStatus::Published,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// A step in a plan's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanStep {
    /// Draft → approved.
    Approve,
    /// Approved → published.
    Publish,
}

/// Why a plan's terms or a step in its life are refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TermsError {
    /// The declared total differs from the sum of the quotas.
    #[error("the quotas add up to {sum} batches, not the {declared} the plan declares")]
    Total {
        /// The plan's declared total.
        declared: u32,
        /// What the quotas add up to.
        sum: u64,
    },
    /// A negative or absurd budget.
    #[error("the budget must be between 0 and 10 000 000 000 yuan")]
    Budget,
    /// The schedule's dates are outside the plan's year or in the wrong order.
    #[error("the schedule must run forwards within {year}")]
    Schedule {
        /// The plan's year.
        year: i16,
    },
    /// The step does not follow from the plan's status.
    #[error("a {status} plan cannot be {step}")]
    Step {
        /// Its status.
        status: &'static str,
        /// The step asked.
        step: &'static str,
    },
    /// The author asked to approve their own plan.
    #[error("a plan is approved by another officer than the one who made it")]
    OwnApproval,
}

impl TermsError {
    /// A stable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            TermsError::Total { .. } => "quotas_total",
            TermsError::Budget => "plan_budget",
            TermsError::Schedule { .. } => "plan_schedule",
            TermsError::Step { .. } => "plan_status",
            TermsError::OwnApproval => "own_approval",
        }
    }

    /// The request field it is about.
    pub fn field(&self) -> &'static str {
        match self {
            TermsError::Total { .. } => "batches",
            TermsError::Budget => "budget",
            TermsError::Schedule { .. } => "starts_on",
            TermsError::Step { .. } | TermsError::OwnApproval => "status",
        }
    }
}

/// A plan's terms as given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Terms {
    /// The total batches the plan declares (checked against its quotas).
    pub batches: Option<u32>,
    /// Its budget in yuan.
    pub budget: Option<i64>,
    /// First day of sampling.
    pub starts_on: Option<Date>,
    /// Last day of sampling.
    pub ends_on: Option<Date>,
}

/// Checks a plan's terms against its year and quotas.
pub fn check_terms(year: i32, quotas: &[Quota], terms: &Terms) -> Result<(), TermsError> {
    if let Some(declared) = terms.batches {
        let sum: u64 = quotas.iter().map(|q| u64::from(q.batches)).sum();
        if sum != u64::from(declared) {
            return Err(TermsError::Total { declared, sum });
        }
    }
    if let Some(b) = terms.budget
        && !(0..=10_000_000_000).contains(&b)
    {
        return Err(TermsError::Budget);
    }
    let year = i16::try_from(year).unwrap_or(i16::MAX);
    let in_year = |d: Option<Date>| d.is_none_or(|d| d.year() == year);
    let ordered = match (terms.starts_on, terms.ends_on) {
        (Some(s), Some(e)) => s <= e,
        _ => true,
    };
    if !in_year(terms.starts_on) || !in_year(terms.ends_on) || !ordered {
        return Err(TermsError::Schedule { year });
    }
    Ok(())
}

/// The status a step leads to, or why it may not be taken. `by_author`: the caller made
/// the plan (they may publish it, not approve it).
pub fn next_status(
    status: PlanStatus,
    step: PlanStep,
    by_author: bool,
) -> Result<PlanStatus, TermsError> {
    match (status, step) {
        (PlanStatus::Draft, PlanStep::Approve) if by_author => Err(TermsError::OwnApproval),
        (PlanStatus::Draft, PlanStep::Approve) => Ok(PlanStatus::Approved),
        (PlanStatus::Approved, PlanStep::Publish) => Ok(PlanStatus::Published),
        (status, step) => Err(TermsError::Step {
            status: status.as_str(),
            step: match step {
                PlanStep::Approve => "approved",
                PlanStep::Publish => "published",
            },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::RegionCode;
    use jiff::civil::date;

    fn quota(batches: u32) -> Quota {
        Quota {
            category: "F05".into(),
            region: RegionCode::parse("130100").unwrap(),
            batches,
            lab: None,
        }
    }

    #[test]
    fn quotas_must_add_up_to_the_declared_total() {
        let qs = [quota(3), quota(4)];
        let t = |n| Terms {
            batches: Some(n),
            ..Terms::default()
        };
        assert_eq!(check_terms(2026, &qs, &t(7)), Ok(()));
        assert_eq!(
            check_terms(2026, &qs, &t(8)),
            Err(TermsError::Total {
                declared: 8,
                sum: 7
            })
        );
        assert_eq!(check_terms(2026, &qs, &Terms::default()), Ok(()));
    }

    #[test]
    fn schedule_runs_forwards_within_the_year() {
        let t = |s, e| Terms {
            starts_on: Some(s),
            ends_on: Some(e),
            ..Terms::default()
        };
        let ok = t(date(2026, 3, 1), date(2026, 10, 31));
        assert_eq!(check_terms(2026, &[], &ok), Ok(()));
        for bad in [
            t(date(2026, 11, 1), date(2026, 10, 31)),
            t(date(2025, 12, 1), date(2026, 10, 31)),
            t(date(2026, 3, 1), date(2027, 1, 1)),
        ] {
            assert_eq!(
                check_terms(2026, &[], &bad),
                Err(TermsError::Schedule { year: 2026 })
            );
        }
        let budget = Terms {
            budget: Some(-1),
            ..Terms::default()
        };
        assert_eq!(check_terms(2026, &[], &budget), Err(TermsError::Budget));
    }

    #[test]
    fn a_plan_is_approved_by_someone_else_then_published() {
        use PlanStatus::*;
        use PlanStep::*;
        assert_eq!(next_status(Draft, Approve, false), Ok(Approved));
        assert_eq!(
            next_status(Draft, Approve, true),
            Err(TermsError::OwnApproval)
        );
        assert_eq!(next_status(Approved, Publish, true), Ok(Published));
        assert!(next_status(Draft, Publish, false).is_err());
        assert!(next_status(Published, Approve, false).is_err());
        assert!(next_status(Published, Publish, false).is_err());
    }
}
