//! The production licence lifecycle as a state machine.
//!
//! applied → accepted → under review → approved / refused → issued → changed / renewed /
//! suspended / revoked / cancelled / expired. A change or renewal keeps a licence issued;
//! every transition names who, when and why (the store records it).

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::licence_number::LicenceKind;

/// Where a licence is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LicenceState {
    /// The enterprise has applied.
    Applied,
    /// The bureau accepted the application for processing (受理).
    Accepted,
    /// Documents and site are being reviewed (审查).
    UnderReview,
    /// The bureau decided to grant it; the certificate is not yet issued.
    Approved,
    /// The bureau decided not to grant it (final).
    Refused,
    /// In force.
    Issued,
    /// Temporarily not in force.
    Suspended,
    /// Withdrawn as a penalty (final).
    Revoked,
    /// Cancelled (注销), e.g. at the enterprise's request or on closure (final).
    Cancelled,
    /// Past its validity without renewal (final).
    Expired,
}

impl LicenceState {
    /// Every state, in lifecycle order.
    pub const ALL: [LicenceState; 10] = [
        LicenceState::Applied,
        LicenceState::Accepted,
        LicenceState::UnderReview,
        LicenceState::Approved,
        LicenceState::Refused,
        LicenceState::Issued,
        LicenceState::Suspended,
        LicenceState::Revoked,
        LicenceState::Cancelled,
        LicenceState::Expired,
    ];

    /// The stable name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            LicenceState::Applied => "applied",
            LicenceState::Accepted => "accepted",
            LicenceState::UnderReview => "under_review",
            LicenceState::Approved => "approved",
            LicenceState::Refused => "refused",
            LicenceState::Issued => "issued",
            LicenceState::Suspended => "suspended",
            LicenceState::Revoked => "revoked",
            LicenceState::Cancelled => "cancelled",
            LicenceState::Expired => "expired",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<LicenceState> {
        LicenceState::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The Chinese label shown to users.
    pub fn label_zh(self) -> &'static str {
        match self {
            LicenceState::Applied => "已申请",
            LicenceState::Accepted => "已受理",
            LicenceState::UnderReview => "审查中",
            LicenceState::Approved => "已批准",
            LicenceState::Refused => "不予许可",
            LicenceState::Issued => "有效",
            LicenceState::Suspended => "暂停",
            LicenceState::Revoked => "已吊销",
            LicenceState::Cancelled => "已注销",
            LicenceState::Expired => "已过期",
        }
    }

    /// The English label shown to users.
    pub fn label_en(self) -> &'static str {
        match self {
            LicenceState::Applied => "Applied",
            LicenceState::Accepted => "Accepted",
            LicenceState::UnderReview => "Under review",
            LicenceState::Approved => "Approved",
            LicenceState::Refused => "Refused",
            LicenceState::Issued => "In force",
            LicenceState::Suspended => "Suspended",
            LicenceState::Revoked => "Revoked",
            LicenceState::Cancelled => "Cancelled",
            LicenceState::Expired => "Expired",
        }
    }

    /// Whether the licence lets the enterprise produce.
    pub fn in_force(self) -> bool {
        self == LicenceState::Issued
    }
}

/// A step a person (or the expiry job) asks a licence to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LicenceAction {
    /// Accept the application for processing.
    Accept,
    /// Start the review.
    Review,
    /// Decide to grant.
    Approve,
    /// Decide not to grant (from any pre-decision state).
    Refuse,
    /// Issue the certificate: needs a number and a validity period.
    Issue,
    /// Change the scope or particulars of an issued licence.
    Change,
    /// Extend an issued licence's validity.
    Renew,
    /// Suspend an issued licence.
    Suspend,
    /// Put a suspended licence back in force.
    Reinstate,
    /// Revoke (吊销) as a penalty.
    Revoke,
    /// Cancel (注销).
    Cancel,
    /// Mark as expired (normally done by the expiry job).
    Expire,
}

impl LicenceAction {
    /// Every action.
    pub const ALL: [LicenceAction; 12] = [
        LicenceAction::Accept,
        LicenceAction::Review,
        LicenceAction::Approve,
        LicenceAction::Refuse,
        LicenceAction::Issue,
        LicenceAction::Change,
        LicenceAction::Renew,
        LicenceAction::Suspend,
        LicenceAction::Reinstate,
        LicenceAction::Revoke,
        LicenceAction::Cancel,
        LicenceAction::Expire,
    ];

    /// The stable name used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            LicenceAction::Accept => "accept",
            LicenceAction::Review => "review",
            LicenceAction::Approve => "approve",
            LicenceAction::Refuse => "refuse",
            LicenceAction::Issue => "issue",
            LicenceAction::Change => "change",
            LicenceAction::Renew => "renew",
            LicenceAction::Suspend => "suspend",
            LicenceAction::Reinstate => "reinstate",
            LicenceAction::Revoke => "revoke",
            LicenceAction::Cancel => "cancel",
            LicenceAction::Expire => "expire",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<LicenceAction> {
        LicenceAction::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The Chinese label of the button that performs it.
    pub fn label_zh(self) -> &'static str {
        match self {
            LicenceAction::Accept => "受理",
            LicenceAction::Review => "开始审查",
            LicenceAction::Approve => "批准",
            LicenceAction::Refuse => "不予许可",
            LicenceAction::Issue => "发证",
            LicenceAction::Change => "变更",
            LicenceAction::Renew => "延续",
            LicenceAction::Suspend => "暂停",
            LicenceAction::Reinstate => "恢复",
            LicenceAction::Revoke => "吊销",
            LicenceAction::Cancel => "注销",
            LicenceAction::Expire => "标记过期",
        }
    }

    /// The English label of the button that performs it.
    pub fn label_en(self) -> &'static str {
        match self {
            LicenceAction::Accept => "Accept",
            LicenceAction::Review => "Start review",
            LicenceAction::Approve => "Approve",
            LicenceAction::Refuse => "Refuse",
            LicenceAction::Issue => "Issue",
            LicenceAction::Change => "Change",
            LicenceAction::Renew => "Renew",
            LicenceAction::Suspend => "Suspend",
            LicenceAction::Reinstate => "Reinstate",
            LicenceAction::Revoke => "Revoke",
            LicenceAction::Cancel => "Cancel",
            LicenceAction::Expire => "Mark expired",
        }
    }

    /// Whether a person must say why (refusals and penalties must be reasoned).
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            LicenceAction::Refuse
                | LicenceAction::Suspend
                | LicenceAction::Revoke
                | LicenceAction::Cancel
                | LicenceAction::Change
        )
    }
}

/// Why a transition was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransitionError {
    /// The action is not allowed from the current state.
    #[error("the action `{action}` is not allowed for a licence that is {from}", from = .from.as_str(), action = .action.as_str())]
    NotAllowed {
        /// The current state.
        from: LicenceState,
        /// The refused action.
        action: LicenceAction,
    },
    /// The action needs a reason and none was given.
    #[error("the action {} needs a reason", .0.as_str())]
    ReasonRequired(LicenceAction),
}

impl TransitionError {
    /// A stable code for problem+json bodies.
    pub fn code(&self) -> &'static str {
        match self {
            TransitionError::NotAllowed { .. } => "licence_transition_not_allowed",
            TransitionError::ReasonRequired(_) => "licence_reason_required",
        }
    }
}

/// The state `action` leads to from `from`, or why it may not be taken.
pub fn next_state(
    from: LicenceState,
    action: LicenceAction,
) -> Result<LicenceState, TransitionError> {
    use LicenceAction as A;
    use LicenceState as S;
    let to = match (from, action) {
        (S::Applied, A::Accept) => S::Accepted,
        (S::Accepted, A::Review) => S::UnderReview,
        (S::UnderReview, A::Approve) => S::Approved,
        (S::Applied | S::Accepted | S::UnderReview, A::Refuse) => S::Refused,
        (S::Approved, A::Issue) => S::Issued,
        (S::Issued, A::Change | A::Renew) => S::Issued,
        (S::Issued, A::Suspend) => S::Suspended,
        (S::Suspended, A::Reinstate) => S::Issued,
        (S::Issued | S::Suspended, A::Revoke) => S::Revoked,
        (S::Issued | S::Suspended | S::Expired, A::Cancel) => S::Cancelled,
        (S::Issued | S::Suspended, A::Expire) => S::Expired,
        _ => return Err(TransitionError::NotAllowed { from, action }),
    };
    Ok(to)
}

/// Checks a requested transition, including that a reason is present where one is needed.
pub fn check_transition(
    from: LicenceState,
    action: LicenceAction,
    reason: Option<&str>,
) -> Result<LicenceState, TransitionError> {
    let to = next_state(from, action)?;
    if action.needs_reason() && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(TransitionError::ReasonRequired(action));
    }
    Ok(to)
}

/// The actions a person could take from `from` (for showing buttons).
pub fn available_actions(from: LicenceState) -> Vec<LicenceAction> {
    LicenceAction::ALL
        .into_iter()
        .filter(|a| *a != LicenceAction::Expire && next_state(from, *a).is_ok())
        .collect()
}

/// The licence kinds with their labels.
pub fn kind_label_zh(kind: LicenceKind) -> &'static str {
    match kind {
        LicenceKind::Industrial => "工业产品生产许可证",
        LicenceKind::Food => "食品生产许可证",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_reaches_issued() {
        let mut s = LicenceState::Applied;
        for a in [
            LicenceAction::Accept,
            LicenceAction::Review,
            LicenceAction::Approve,
            LicenceAction::Issue,
        ] {
            s = next_state(s, a).unwrap();
        }
        assert_eq!(s, LicenceState::Issued);
        assert!(s.in_force());
    }

    #[test]
    fn final_states_allow_nothing() {
        for s in [
            LicenceState::Refused,
            LicenceState::Revoked,
            LicenceState::Cancelled,
        ] {
            assert!(available_actions(s).is_empty(), "{s:?}");
        }
        assert_eq!(
            available_actions(LicenceState::Expired),
            vec![LicenceAction::Cancel]
        );
    }

    #[test]
    fn a_refused_application_cannot_be_issued() {
        let err = next_state(LicenceState::Refused, LicenceAction::Issue).unwrap_err();
        assert_eq!(err.code(), "licence_transition_not_allowed");
        assert_eq!(
            err.to_string(),
            "the action `issue` is not allowed for a licence that is refused"
        );
    }

    #[test]
    fn penalties_need_reasons() {
        let err =
            check_transition(LicenceState::Issued, LicenceAction::Revoke, Some("  ")).unwrap_err();
        assert_eq!(err, TransitionError::ReasonRequired(LicenceAction::Revoke));
        assert_eq!(
            check_transition(
                LicenceState::Issued,
                LicenceAction::Revoke,
                Some("伪造检验报告")
            ),
            Ok(LicenceState::Revoked)
        );
    }

    #[test]
    fn names_round_trip() {
        for s in LicenceState::ALL {
            assert_eq!(LicenceState::parse(s.as_str()), Some(s));
        }
        for a in LicenceAction::ALL {
            assert_eq!(LicenceAction::parse(a.as_str()), Some(a));
        }
    }
}
