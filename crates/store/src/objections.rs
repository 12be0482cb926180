//! Objections and re-tests (异议与复检): an enterprise objects to a failed result within
//! the legal window, an officer of the plan's region accepts (naming the lab that
//! re-tests the retained sample) or rejects it, and a sample's result is worked out from
//! all of it ([`zhijian_core::sample_result`]).

use serde::Serialize;
use zhijian_core::access::{Action, Role};
use zhijian_core::calendar::Calendar;
use zhijian_core::region::RegionCode;
use zhijian_core::sample_result::{
    self, ObjectionRules, ObjectionState, Standing, is_food, objection_deadline,
};
use zhijian_core::test_report::Outcome;

use crate::audit::{self, Change};
use crate::samples::FiledReport;
use crate::{Scoped, StoreError, now_ms, params, rfc3339, today};

/// An objection as recorded.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Objection {
    /// Why the enterprise objects.
    pub reason: String,
    /// Who filed it.
    pub filed_by: String,
    /// When.
    #[schema(format = DateTime)]
    pub filed_at: String,
    /// Where it stands.
    pub state: ObjectionState,
    /// The officer's reason.
    pub decision_reason: Option<String>,
    /// The lab that re-tests, once accepted.
    pub retest_lab: Option<String>,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When.
    #[schema(format = DateTime)]
    pub decided_at: Option<String>,
}

/// A sample's result and everything behind it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct SampleResult {
    /// The sample.
    pub sample_id: i64,
    /// Where the result stands.
    pub standing: Standing,
    /// The first report.
    pub report: Option<FiledReport>,
    /// The objection.
    pub objection: Option<Objection>,
    /// The re-test's report.
    pub retest_report: Option<FiledReport>,
}

/// What a sample's standing is worked out from, as lists read it from a row.
pub(crate) struct Facts {
    /// The first report's conclusion and the day it was filed.
    pub first: Option<(Outcome, jiff::civil::Date)>,
    /// The objection.
    pub objection: Option<ObjectionState>,
    /// The re-test's conclusion.
    pub retest: Option<Outcome>,
}

impl Facts {
    /// Reads five columns from `at`: the first report's conclusion and filing instant,
    /// the objection's sample id (whether there is one) and decision, and the re-test's
    /// conclusion.
    pub(crate) fn read(r: &crate::db::Row, at: usize) -> Result<Facts, StoreError> {
        let first = match (r.opt_text(at)?, r.opt_int(at + 1)?) {
            (Some(c), Some(filed)) => Outcome::parse(&c).map(|o| (o, day_of(filed))),
            _ => None,
        };
        let objection = match (r.opt_int(at + 2)?, r.opt_text(at + 3)?.as_deref()) {
            (None, _) => None,
            (Some(_), Some("accepted")) => Some(ObjectionState::Accepted),
            (Some(_), Some("rejected")) => Some(ObjectionState::Rejected),
            (Some(_), _) => Some(ObjectionState::Pending),
        };
        let retest = r.opt_text(at + 4)?.as_deref().and_then(Outcome::parse);
        Ok(Facts {
            first,
            objection,
            retest,
        })
    }

    /// The standing on `today` of a sample of `category`.
    pub(crate) fn standing(
        &self,
        category: &str,
        rules: ObjectionRules,
        calendar: &Calendar,
        today: jiff::civil::Date,
    ) -> Standing {
        let food = is_food(category);
        sample_result::standing(
            self.first,
            |notified| objection_deadline(notified, food, rules, calendar),
            self.objection,
            self.retest,
            today,
        )
    }
}

/// The day (in China) an instant falls on.
pub(crate) fn day_of(ms: i64) -> jiff::civil::Date {
    jiff::Timestamp::from_millisecond(ms)
        .unwrap_or_default()
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .date()
}

impl Scoped<'_> {
    /// A sample's result as it stands today.
    pub async fn sample_result(
        &self,
        id: i64,
        rules: ObjectionRules,
        calendar: &Calendar,
    ) -> Result<SampleResult, StoreError> {
        let row = self.sample_row(id).await?;
        self.result_of(id, &row, rules, calendar).await
    }

    /// The result of a sample whose row (see `SELECT_SAMPLE`) the caller was shown.
    async fn result_of(
        &self,
        id: i64,
        row: &crate::db::Row,
        rules: ObjectionRules,
        calendar: &Calendar,
    ) -> Result<SampleResult, StoreError> {
        let food = is_food(&row.text(23)?);
        let report = self.filed_report(id, false).await?;
        let retest_report = self.filed_report(id, true).await?;
        let objection = self
            .store
            .db
            .fetch_optional(
                "SELECT b.reason, b.filed_by, b.filed_at, b.decision, b.decision_reason, l.uscc, b.decided_by, b.decided_at FROM objections b LEFT JOIN organisations l ON l.id = b.retest_lab_id WHERE b.sample_id = $1",
                params![id],
            )
            .await?
            .map(|r| -> Result<Objection, StoreError> {
                Ok(Objection {
                    reason: r.text(0)?,
                    filed_by: r.text(1)?,
                    filed_at: rfc3339(r.int(2)?),
                    state: match r.opt_text(3)?.as_deref() {
                        Some("accepted") => ObjectionState::Accepted,
                        Some("rejected") => ObjectionState::Rejected,
                        _ => ObjectionState::Pending,
                    },
                    decision_reason: r.opt_text(4)?,
                    retest_lab: r.opt_text(5)?,
                    decided_by: r.opt_text(6)?,
                    decided_at: r.opt_int(7)?.map(rfc3339),
                })
            })
            .transpose()?;
        let first = match &report {
            Some(r) => Some((r.report.conclusion, self.notified_on(id).await?)),
            None => None,
        };
        let standing = sample_result::standing(
            first,
            |notified| objection_deadline(notified, food, rules, calendar),
            objection.as_ref().map(|o| o.state),
            retest_report.as_ref().map(|r| r.report.conclusion),
            today(),
        );
        Ok(SampleResult {
            sample_id: id,
            standing,
            report,
            objection,
            retest_report,
        })
    }

    /// The day the enterprise was told of the first result: the day it was filed.
    async fn notified_on(&self, id: i64) -> Result<jiff::civil::Date, StoreError> {
        let at = self
            .store
            .db
            .fetch_one(
                "SELECT filed_at FROM test_reports WHERE sample_id = $1 AND retest = $2",
                params![id, false],
            )
            .await?
            .int(0)?;
        Ok(day_of(at))
    }

    /// The sampled enterprise objects to a failed result, within the window, once.
    pub async fn object(
        &self,
        id: i64,
        reason: &str,
        rules: ObjectionRules,
        calendar: &Calendar,
    ) -> Result<SampleResult, StoreError> {
        let row = self.sample_row(id).await?;
        if self.principal.role != Role::Enterprise || self.principal.org_id != Some(row.int(17)?) {
            return Err(StoreError::Forbidden);
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 2_000 {
            return Err(StoreError::Invalid {
                code: "reason",
                field: "reason",
                message: "give a reason of 1–2 000 characters".into(),
            });
        }
        let now = self.result_of(id, &row, rules, calendar).await?;
        if now.objection.is_some() {
            return Err(StoreError::Conflict {
                code: "objection_filed",
                field: "sample",
                message: format!("sample {id} already has an objection"),
            });
        }
        if now.standing.outcome != Some(Outcome::Fail) {
            return Err(StoreError::Invalid {
                code: "objection_not_failed",
                field: "sample",
                message: "only a failed result can be objected to".into(),
            });
        }
        if now.standing.stage != sample_result::ResultStage::ObjectionWindow {
            return Err(StoreError::Invalid {
                code: "objection_late",
                field: "sample",
                message: format!(
                    "the window to object closed on {}",
                    now.standing
                        .objection_deadline
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                ),
            });
        }
        let at = now_ms();
        let me = self.principal.username.as_str();
        let mut tx = self.store.db.begin().await?;
        tx.execute(
            "INSERT INTO objections (sample_id, reason, filed_by, filed_at) VALUES ($1, $2, $3, $4)",
            params![id, reason, me, at],
        )
        .await
        .map_err(|e| {
            crate::conflict_on_unique(
                e,
                "objection_filed",
                "sample",
                format!("sample {id} already has an objection"),
            )
        })?;
        let seq = audit::append(
            &mut tx,
            at,
            Change {
                actor: me,
                action: "sampling.object",
                entity: "sample",
                entity_id: id.to_string(),
                enterprise: Some(row.text(3)?),
                before: None,
                after: Some(serde_json::json!({"reason": reason})),
            },
        )
        .await?;
        crate::sample_results::refresh(&mut tx, id, seq).await?;
        tx.commit().await?;
        self.result_of(id, &row, rules, calendar).await
    }

    /// An officer of the plan's region decides a pending objection; accepting names the
    /// lab (not the one that failed it) that re-tests the retained sample.
    pub async fn decide_objection(
        &self,
        id: i64,
        accept: bool,
        reason: &str,
        retest_lab: Option<&str>,
        rules: ObjectionRules,
        calendar: &Calendar,
    ) -> Result<SampleResult, StoreError> {
        let row = self.sample_row(id).await?;
        let plan_region = RegionCode::parse(&row.text(19)?).unwrap_or(RegionCode::NATIONAL);
        if !self
            .principal
            .scope(Action::PlanSampling)
            .contains(0, plan_region)
        {
            return Err(StoreError::Forbidden);
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 2_000 {
            return Err(StoreError::Invalid {
                code: "reason",
                field: "reason",
                message: "give a reason of 1–2 000 characters".into(),
            });
        }
        let now = self.result_of(id, &row, rules, calendar).await?;
        match now.objection.as_ref().map(|o| o.state) {
            Some(ObjectionState::Pending) => {}
            Some(_) => {
                return Err(StoreError::Conflict {
                    code: "objection_decided",
                    field: "sample",
                    message: format!("the objection to sample {id} is decided"),
                });
            }
            None => {
                return Err(StoreError::NotFound {
                    entity: "objection",
                });
            }
        }
        let mut tx = self.store.db.begin().await?;
        let lab = match (accept, retest_lab) {
            (false, _) => None,
            (true, None) => {
                return Err(StoreError::Invalid {
                    code: "retest_lab",
                    field: "retest_lab",
                    message: "name the lab that re-tests the retained sample".into(),
                });
            }
            (true, Some(uscc)) => {
                let lab = tx
                    .fetch_optional(
                        "SELECT id FROM organisations WHERE uscc = $1 AND kind = 'lab'",
                        params![uscc.trim()],
                    )
                    .await?
                    .ok_or_else(|| StoreError::Invalid {
                        code: "lab_unknown",
                        field: "retest_lab",
                        message: format!("{uscc} is not a registered lab"),
                    })?
                    .int(0)?;
                if Some(lab) == row.opt_int(20)? {
                    return Err(StoreError::Invalid {
                        code: "retest_lab",
                        field: "retest_lab",
                        message: "the re-test goes to another lab than the first test".into(),
                    });
                }
                Some(lab)
            }
        };
        let at = now_ms();
        let me = self.principal.username.as_str();
        let decision = if accept { "accepted" } else { "rejected" };
        tx.execute(
            "UPDATE objections SET decision = $1, decision_reason = $2, retest_lab_id = $3, decided_by = $4, decided_at = $5 WHERE sample_id = $6 AND decision IS NULL",
            params![decision, reason, lab, me, at, id],
        )
        .await?;
        let seq = audit::append(
            &mut tx,
            at,
            Change {
                actor: me,
                action: "sampling.decide_objection",
                entity: "sample",
                entity_id: id.to_string(),
                enterprise: Some(row.text(3)?),
                before: Some(serde_json::json!({"state": "pending"})),
                after: Some(serde_json::json!({"state": decision, "reason": reason, "retest_lab": retest_lab})),
            },
        )
        .await?;
        crate::sample_results::refresh(&mut tx, id, seq).await?;
        tx.commit().await?;
        self.result_of(id, &row, rules, calendar).await
    }
}
