//! Law-enforcement cases (行政执法案件) against counterfeiting, unlicensed production and
//! other violations: where a case comes from, its life, and what a decision holds.

use serde::{Deserialize, Serialize};

/// Where a case came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A complaint (its id).
    Complaint,
    /// A failed sample (its id).
    Sample,
    /// A counterfeit signal (its id).
    Counterfeit,
    /// A risk warning (its id), e.g. a cluster of counterfeit signals.
    Warning,
    /// Opened by hand.
    Manual,
}

impl Origin {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Complaint => "complaint",
            Origin::Sample => "sample",
            Origin::Counterfeit => "counterfeit",
            Origin::Warning => "warning",
            Origin::Manual => "manual",
        }
    }

    /// Reads a stable name.
    pub fn parse(s: &str) -> Option<Origin> {
        [
            Origin::Complaint,
            Origin::Sample,
            Origin::Counterfeit,
            Origin::Warning,
            Origin::Manual,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
}

/// Where a case is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Being investigated.
    Open,
    /// Decided (a penalty, or no penalty), not yet closed.
    Decided,
    /// Closed with its report.
    Closed,
}

impl CaseStatus {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Decided => "decided",
            CaseStatus::Closed => "closed",
        }
    }

    /// Reads a stable name.
    pub fn parse(s: &str) -> Option<CaseStatus> {
        [CaseStatus::Open, CaseStatus::Decided, CaseStatus::Closed]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// What may be done to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseMove {
    /// Record a step or add evidence.
    Record,
    /// Hand it to another bureau, or ask one to investigate jointly.
    Transfer,
    /// Decide it.
    Decide,
    /// Close it.
    Close,
}

/// Why a case cannot move as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// The move does not apply in this status.
    #[error("a {0} case cannot take this step")]
    Status(&'static str),
    /// A penalty that is not a sum of money in yuan.
    #[error("the fine must be between 0 and 1 000 000 000 yuan")]
    Fine,
}

impl CaseError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            CaseError::Status(_) => "case_status",
            CaseError::Fine => "case_fine",
        }
    }
}

/// The status a move leads to, or why it may not be made.
pub fn apply(status: CaseStatus, m: CaseMove) -> Result<CaseStatus, CaseError> {
    match (status, m) {
        (CaseStatus::Open, CaseMove::Record | CaseMove::Transfer) => Ok(CaseStatus::Open),
        (CaseStatus::Decided, CaseMove::Record) => Ok(CaseStatus::Decided),
        (CaseStatus::Open, CaseMove::Decide) => Ok(CaseStatus::Decided),
        (CaseStatus::Decided, CaseMove::Close) => Ok(CaseStatus::Closed),
        (s, _) => Err(CaseError::Status(s.as_str())),
    }
}

/// Checks a fine in yuan (fen are not used in penalty decisions).
pub fn fine(yuan: i64) -> Result<i64, CaseError> {
    if (0..=1_000_000_000).contains(&yuan) {
        Ok(yuan)
    } else {
        Err(CaseError::Fine)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_is_investigated_decided_then_closed() {
        assert_eq!(
            apply(CaseStatus::Open, CaseMove::Transfer),
            Ok(CaseStatus::Open)
        );
        assert_eq!(
            apply(CaseStatus::Open, CaseMove::Decide),
            Ok(CaseStatus::Decided)
        );
        assert_eq!(
            apply(CaseStatus::Decided, CaseMove::Close),
            Ok(CaseStatus::Closed)
        );
        assert_eq!(
            apply(CaseStatus::Open, CaseMove::Close),
            Err(CaseError::Status("open"))
        );
        assert!(apply(CaseStatus::Decided, CaseMove::Transfer).is_err());
        for m in [
            CaseMove::Record,
            CaseMove::Transfer,
            CaseMove::Decide,
            CaseMove::Close,
        ] {
            assert!(apply(CaseStatus::Closed, m).is_err());
        }
    }

    #[test]
    fn fines_are_bounded_and_names_round_trip() {
        assert_eq!(fine(50_000), Ok(50_000));
        assert_eq!(fine(-1), Err(CaseError::Fine));
        for s in ["complaint", "sample", "counterfeit", "warning", "manual"] {
            assert_eq!(Origin::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(Origin::parse("rumour"), None);
    }
}
