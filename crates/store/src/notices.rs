//! What sampling asks of the caller now: an enterprise is told of a failed result and
//! its objection deadline, of a sampling form to confirm and of rectification to report;
//! a lab of samples to test or re-test; an officer of objections to decide. The console
//! dashboard shows them; each names the sample it is about.

use serde::Serialize;
use zhijian_core::access::{Action, Role, Scope};
use zhijian_core::calendar::Calendar;
use zhijian_core::sample_result::{ObjectionRules, ObjectionState, ResultStage};
use zhijian_core::test_report::Outcome;

use crate::objections::Facts;
use crate::search::prefix_end;
use crate::{Scoped, StoreError, Where, today};

/// How many notices are listed at most (the newest samples first).
const MAX_NOTICES: i64 = 50;

/// What is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// A failed result the enterprise may still object to (by `deadline`).
    Failed,
    /// A sampling form the enterprise has not confirmed.
    Confirm,
    /// A rectification order whose measures the enterprise has not reported.
    Rectify,
    /// A sample the lab has not reported on.
    Test,
    /// A re-test given to the lab and not reported yet.
    Retest,
    /// An objection waiting for the officer's decision.
    Decide,
}

/// One thing to do about one sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Notice {
    /// What is asked.
    pub kind: NoticeKind,
    /// The sample.
    pub sample_id: i64,
    /// Its product.
    pub product_name: String,
    /// The last day to object, for a failure.
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Option<jiff::civil::Date>,
}

impl Scoped<'_> {
    /// The caller's sampling notices, newest sample first.
    pub async fn sampling_notices(
        &self,
        rules: ObjectionRules,
        calendar: &Calendar,
    ) -> Result<Vec<Notice>, StoreError> {
        let mut w = Where::default();
        let (f, t) = (w.arg(false), w.arg(true));
        let org = self.principal.org_id.unwrap_or(-1);
        match self.principal.role {
            Role::Enterprise => {
                let p = w.arg(org);
                w.cond(format!("t.enterprise_id = {p}"));
            }
            Role::Lab => {
                let p = w.arg(org);
                w.cond(format!("(q.lab_id = {p} OR ob.retest_lab_id = {p})"));
            }
            Role::Officer | Role::Admin => {
                // Only objections wait for officers here; they decide those of plans
                // in their region.
                w.cond("ob.sample_id IS NOT NULL AND ob.decision IS NULL");
                match self.principal.scope(Action::PlanSampling) {
                    Scope::All => {}
                    Scope::Region(r) => {
                        if let Some(hi) = prefix_end(r.prefix()) {
                            let lo = w.arg(r.prefix());
                            let hi = w.arg(hi);
                            w.cond(format!("p.region >= {lo} AND p.region < {hi}"));
                        }
                    }
                    _ => return Ok(Vec::new()),
                }
            }
            Role::Viewer | Role::Printer => return Ok(Vec::new()),
        }
        let limit = w.arg(MAX_NOTICES * 4);
        let rows = self
            .store
            .db
            .fetch_all(
                &format!(
                    "SELECT s.id, s.product_name, q.category, s.confirmed_by, q.lab_id, ob.retest_lab_id, rc.sample_id, rc.measures, \
                     rf.conclusion, rf.filed_at, ob.sample_id, ob.decision, rr.conclusion \
                     FROM samples s JOIN sampling_tasks t ON t.id = s.task_id JOIN sampling_plans p ON p.id = t.plan_id \
                     JOIN sampling_quotas q ON q.plan_id = t.plan_id AND q.position = t.position \
                     LEFT JOIN test_reports rf ON rf.sample_id = s.id AND rf.retest = {f} \
                     LEFT JOIN objections ob ON ob.sample_id = s.id \
                     LEFT JOIN test_reports rr ON rr.sample_id = s.id AND rr.retest = {t} \
                     LEFT JOIN rectifications rc ON rc.sample_id = s.id \
                     WHERE {} ORDER BY s.id DESC LIMIT {limit}",
                    w.sql()
                ),
                &w.values,
            )
            .await?;
        let today = today();
        let mut notices = Vec::new();
        for r in &rows {
            let facts = Facts::read(r, 8)?;
            let standing = facts.standing(&r.text(2)?, rules, calendar, today);
            let sample_id = r.int(0)?;
            let product = r.text(1)?;
            let mut push = |kind, deadline| {
                notices.push(Notice {
                    kind,
                    sample_id,
                    product_name: product.clone(),
                    deadline,
                })
            };
            match self.principal.role {
                Role::Enterprise => {
                    if standing.stage == ResultStage::ObjectionWindow
                        && standing.outcome == Some(Outcome::Fail)
                    {
                        push(NoticeKind::Failed, standing.objection_deadline);
                    }
                    if r.opt_text(3)?.is_none() {
                        push(NoticeKind::Confirm, None);
                    }
                    if r.opt_int(6)?.is_some() && r.opt_text(7)?.is_none() {
                        push(NoticeKind::Rectify, None);
                    }
                }
                Role::Lab => {
                    if facts.first.is_none() && r.opt_int(4)? == Some(org) {
                        push(NoticeKind::Test, None);
                    }
                    if facts.objection == Some(ObjectionState::Accepted)
                        && facts.retest.is_none()
                        && r.opt_int(5)? == Some(org)
                    {
                        push(NoticeKind::Retest, None);
                    }
                }
                _ => push(NoticeKind::Decide, None),
            }
        }
        notices.truncate(usize::try_from(MAX_NOTICES).unwrap_or(usize::MAX));
        Ok(notices)
    }
}
