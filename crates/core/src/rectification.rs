//! Rectification (整改 / 后处理) after a final sampling failure: an order to correct by a
//! deadline, the enterprise's report of what it did, a follow-up check, and — when that
//! is not enough — the escalation ladder: order to correct → public announcement →
//! suspension of the licence → revocation of the licence. Steps only go up.

use serde::{Deserialize, Serialize};

use crate::licence::LicenceAction;

/// A rung of the escalation ladder.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 责令整改.
    OrderToCorrect,
    /// 公开曝光.
    PublicAnnouncement,
    /// 暂停生产许可.
    Suspension,
    /// 吊销生产许可.
    LicenceRevocation,
}

impl Step {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::OrderToCorrect => "order_to_correct",
            Step::PublicAnnouncement => "public_announcement",
            Step::Suspension => "suspension",
            Step::LicenceRevocation => "licence_revocation",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Step> {
        [
            Step::OrderToCorrect,
            Step::PublicAnnouncement,
            Step::Suspension,
            Step::LicenceRevocation,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    /// The licence action a step takes, if any.
    pub fn licence_action(self) -> Option<LicenceAction> {
        match self {
            Step::Suspension => Some(LicenceAction::Suspend),
            Step::LicenceRevocation => Some(LicenceAction::Revoke),
            _ => None,
        }
    }

    /// Whether a rectification at `self` may escalate to `next`: only upwards.
    pub fn may_escalate_to(self, next: Step) -> bool {
        next > self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ladder_only_goes_up_and_names_licence_actions() {
        assert!(Step::OrderToCorrect.may_escalate_to(Step::Suspension));
        assert!(!Step::Suspension.may_escalate_to(Step::PublicAnnouncement));
        assert!(!Step::Suspension.may_escalate_to(Step::Suspension));
        assert_eq!(
            Step::LicenceRevocation.licence_action(),
            Some(LicenceAction::Revoke)
        );
        assert_eq!(Step::PublicAnnouncement.licence_action(), None);
        for s in [
            "order_to_correct",
            "public_announcement",
            "suspension",
            "licence_revocation",
        ] {
            assert_eq!(Step::parse(s).map(Step::as_str), Some(s));
        }
    }
}
