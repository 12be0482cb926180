//! Rectification after a final sampling failure ([`zhijian_core::rectification`]): the
//! bureau orders it with a deadline, the enterprise reports its measures, the bureau
//! records the follow-up check, and escalates up the ladder when needed — suspending or
//! revoking the enterprise's licence in the same transaction.

use jiff::civil::Date;
use serde::Serialize;
use zhijian_core::access::{Action, Role};
use zhijian_core::calendar::Calendar;
use zhijian_core::rectification::Step;
use zhijian_core::region::RegionCode;
use zhijian_core::sample_result::{ObjectionRules, ResultStage};
use zhijian_core::test_report::Outcome;

use crate::audit::{self, Change};
use crate::licences::{SELECT_LICENCE, TransitionInput, apply_transition, read_licence};
use crate::{Scoped, StoreError, now_ms, params, rfc3339};

/// One step taken up the ladder.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct StepTaken {
    /// The step.
    pub step: Step,
    /// Why.
    pub reason: String,
    /// The licence it suspended or revoked.
    pub licence_id: Option<i64>,
    /// Who.
    pub taken_by: String,
    /// When.
    #[schema(format = DateTime)]
    pub taken_at: String,
}

/// A rectification and where it stands.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Rectification {
    /// The failed sample.
    pub sample_id: i64,
    /// What the enterprise must do.
    pub requirements: String,
    /// By when.
    #[schema(value_type = String, format = Date)]
    pub deadline: Date,
    /// The highest step taken.
    pub step: Step,
    /// Who ordered it.
    pub ordered_by: String,
    /// When.
    #[schema(format = DateTime)]
    pub ordered_at: String,
    /// What the enterprise reports it did.
    pub measures: Option<String>,
    /// When it reported.
    #[schema(format = DateTime)]
    pub reported_at: Option<String>,
    /// The follow-up check's outcome.
    pub follow_up: Option<Outcome>,
    /// Its note (e.g. the follow-up sample's report).
    pub follow_up_note: Option<String>,
    /// Every step taken, in order.
    pub steps: Vec<StepTaken>,
}

fn text(field: &'static str, v: &str, max: usize) -> Result<String, StoreError> {
    let v = v.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(StoreError::Invalid {
            code: "text",
            field,
            message: format!("{field} must be 1–{max} characters"),
        });
    }
    Ok(v.to_owned())
}

impl Scoped<'_> {
    /// The enterprise (id, region, credit code) of a sample the caller may see, and
    /// whether the caller may act on it as a bureau.
    async fn sample_enterprise(&self, id: i64) -> Result<(i64, RegionCode, String), StoreError> {
        let row = self.sample_row(id).await?;
        let region = RegionCode::parse(&row.text(18)?).unwrap_or(RegionCode::NATIONAL);
        Ok((row.int(17)?, region, row.text(3)?))
    }

    fn bureau_may(&self, org: i64, region: RegionCode) -> Result<(), StoreError> {
        if self.principal.may(Action::DecideLicence, org, region)
            && matches!(self.principal.role, Role::Officer | Role::Admin)
        {
            Ok(())
        } else {
            Err(StoreError::Forbidden)
        }
    }

    /// A sample's rectification (none before it is ordered).
    pub async fn rectification(&self, id: i64) -> Result<Option<Rectification>, StoreError> {
        self.sample_row(id).await?;
        let db = &self.store.db;
        let Some(r) = db
            .fetch_optional(
                "SELECT requirements, deadline, step, ordered_by, ordered_at, measures, reported_at, follow_up, follow_up_note FROM rectifications WHERE sample_id = $1",
                params![id],
            )
            .await?
        else {
            return Ok(None);
        };
        let corrupt = |field: &'static str| StoreError::Invalid {
            code: "corrupt_row",
            field,
            message: format!("a stored rectification's {field} is unreadable"),
        };
        let steps = db
            .fetch_all(
                "SELECT step, reason, licence_id, taken_by, taken_at FROM rectification_steps WHERE sample_id = $1 ORDER BY id",
                params![id],
            )
            .await?
            .iter()
            .map(|s| {
                Ok(StepTaken {
                    step: Step::parse(&s.text(0)?).ok_or_else(|| corrupt("step"))?,
                    reason: s.text(1)?,
                    licence_id: s.opt_int(2)?,
                    taken_by: s.text(3)?,
                    taken_at: rfc3339(s.int(4)?),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Some(Rectification {
            sample_id: id,
            requirements: r.text(0)?,
            deadline: r.text(1)?.parse().map_err(|_| corrupt("deadline"))?,
            step: Step::parse(&r.text(2)?).ok_or_else(|| corrupt("step"))?,
            ordered_by: r.text(3)?,
            ordered_at: rfc3339(r.int(4)?),
            measures: r.opt_text(5)?,
            reported_at: r.opt_int(6)?.map(rfc3339),
            follow_up: r.opt_text(7)?.as_deref().and_then(Outcome::parse),
            follow_up_note: r.opt_text(8)?,
            steps,
        }))
    }

    /// Orders rectification of a final failure (officers of the enterprise's region).
    pub async fn order_rectification(
        &self,
        id: i64,
        requirements: &str,
        deadline: Date,
        rules: ObjectionRules,
        calendar: &Calendar,
    ) -> Result<Rectification, StoreError> {
        let (org, region, uscc) = self.sample_enterprise(id).await?;
        self.bureau_may(org, region)?;
        let requirements = text("requirements", requirements, 2_000)?;
        let result = self.sample_result(id, rules, calendar).await?;
        if result.standing.stage != ResultStage::Final
            || result.standing.outcome != Some(Outcome::Fail)
        {
            return Err(StoreError::Invalid {
                code: "not_final_failure",
                field: "sample",
                message: "rectification follows a final failure".into(),
            });
        }
        if deadline <= crate::today() {
            return Err(StoreError::Invalid {
                code: "deadline",
                field: "deadline",
                message: "the deadline must be after today".into(),
            });
        }
        let at = now_ms();
        let me = self.principal.username.as_str();
        let mut tx = self.store.db.begin().await?;
        tx.execute(
            "INSERT INTO rectifications (sample_id, requirements, deadline, step, ordered_by, ordered_at) VALUES ($1, $2, $3, $4, $5, $6)",
            params![id, requirements.as_str(), deadline.to_string(), Step::OrderToCorrect.as_str(), me, at],
        )
        .await
        .map_err(|e| {
            crate::conflict_on_unique(
                e,
                "rectification_ordered",
                "sample",
                format!("rectification of sample {id} is already ordered"),
            )
        })?;
        tx.execute(
            "INSERT INTO rectification_steps (sample_id, step, reason, taken_by, taken_at) VALUES ($1, $2, $3, $4, $5)",
            params![id, Step::OrderToCorrect.as_str(), requirements.as_str(), me, at],
        )
        .await?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor: me,
                action: "rectification.order",
                entity: "sample",
                entity_id: id.to_string(),
                enterprise: Some(uscc),
                before: None,
                after: Some(serde_json::json!({"requirements": requirements, "deadline": deadline.to_string()})),
            },
        )
        .await?;
        tx.commit().await?;
        self.existing_rectification(id).await
    }

    async fn existing_rectification(&self, id: i64) -> Result<Rectification, StoreError> {
        self.rectification(id).await?.ok_or(StoreError::NotFound {
            entity: "rectification",
        })
    }

    /// The enterprise reports its measures (its own user), once.
    pub async fn report_rectification(
        &self,
        id: i64,
        measures: &str,
    ) -> Result<Rectification, StoreError> {
        let (org, _, uscc) = self.sample_enterprise(id).await?;
        if self.principal.role != Role::Enterprise || self.principal.org_id != Some(org) {
            return Err(StoreError::Forbidden);
        }
        let measures = text("measures", measures, 4_000)?;
        self.existing_rectification(id).await?;
        let at = now_ms();
        let me = self.principal.username.as_str();
        let mut tx = self.store.db.begin().await?;
        let done = tx
            .execute(
                "UPDATE rectifications SET measures = $1, reported_by = $2, reported_at = $3 WHERE sample_id = $4 AND measures IS NULL",
                params![measures.as_str(), me, at, id],
            )
            .await?;
        if done != 1 {
            return Err(StoreError::Conflict {
                code: "rectification_reported",
                field: "sample",
                message: "the measures were already reported".into(),
            });
        }
        audit::append(
            &mut tx,
            at,
            Change {
                actor: me,
                action: "rectification.report",
                entity: "sample",
                entity_id: id.to_string(),
                enterprise: Some(uscc),
                before: None,
                after: Some(serde_json::json!({"measures": measures})),
            },
        )
        .await?;
        tx.commit().await?;
        self.existing_rectification(id).await
    }

    /// Records the follow-up check (officers), once the measures are reported or the
    /// deadline has passed.
    pub async fn follow_up_rectification(
        &self,
        id: i64,
        outcome: Outcome,
        note: &str,
    ) -> Result<Rectification, StoreError> {
        let (org, region, uscc) = self.sample_enterprise(id).await?;
        self.bureau_may(org, region)?;
        let note = text("note", note, 2_000)?;
        let now = self.existing_rectification(id).await?;
        if now.follow_up.is_some() {
            return Err(StoreError::Conflict {
                code: "follow_up_recorded",
                field: "sample",
                message: "the follow-up is already recorded".into(),
            });
        }
        if now.measures.is_none() && now.deadline >= crate::today() {
            return Err(StoreError::Invalid {
                code: "follow_up_early",
                field: "sample",
                message: format!(
                    "the enterprise has until {} to report its measures",
                    now.deadline
                ),
            });
        }
        let at = now_ms();
        let me = self.principal.username.as_str();
        let mut tx = self.store.db.begin().await?;
        tx.execute(
            "UPDATE rectifications SET follow_up = $1, follow_up_note = $2, follow_up_by = $3, follow_up_at = $4 WHERE sample_id = $5",
            params![outcome.as_str(), note.as_str(), me, at, id],
        )
        .await?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor: me,
                action: "rectification.follow_up",
                entity: "sample",
                entity_id: id.to_string(),
                enterprise: Some(uscc),
                before: None,
                after: Some(serde_json::json!({"outcome": outcome.as_str(), "note": note})),
            },
        )
        .await?;
        tx.commit().await?;
        self.existing_rectification(id).await
    }

    /// Takes a step up the ladder (officers); suspension and revocation act on the
    /// named licence of the enterprise in the same transaction.
    pub async fn escalate_rectification(
        &self,
        id: i64,
        step: Step,
        reason: &str,
        licence_id: Option<i64>,
    ) -> Result<Rectification, StoreError> {
        let (org, region, uscc) = self.sample_enterprise(id).await?;
        self.bureau_may(org, region)?;
        let reason = text("reason", reason, 2_000)?;
        let now = self.existing_rectification(id).await?;
        if !now.step.may_escalate_to(step) {
            return Err(StoreError::Invalid {
                code: "step_order",
                field: "step",
                message: format!(
                    "the rectification is at {}; steps only go up the ladder",
                    now.step.as_str()
                ),
            });
        }
        let at = now_ms();
        let me = self.principal.username.as_str();
        let mut tx = self.store.db.begin().await?;
        let licence = match (step.licence_action(), licence_id) {
            (None, _) => None,
            (Some(_), None) => {
                return Err(StoreError::Invalid {
                    code: "licence_required",
                    field: "licence_id",
                    message: format!("{} acts on a licence: name it", step.as_str()),
                });
            }
            (Some(action), Some(lid)) => {
                let row = tx
                    .fetch_optional(&format!("{SELECT_LICENCE} WHERE l.id = $1"), params![lid])
                    .await?
                    .ok_or(StoreError::Invalid {
                        code: "licence_unknown",
                        field: "licence_id",
                        message: format!("no licence {lid}"),
                    })?;
                let (licence, holder, _) = read_licence(&row)?;
                if holder != org {
                    return Err(StoreError::Invalid {
                        code: "licence_unknown",
                        field: "licence_id",
                        message: format!("licence {lid} is not {uscc}'s"),
                    });
                }
                let input = TransitionInput {
                    reason: Some(reason.clone()),
                    number: None,
                    valid_from: None,
                    valid_until: None,
                    scope: None,
                };
                apply_transition(&mut tx, licence, action, &input, me).await?;
                Some(lid)
            }
        };
        tx.execute(
            "UPDATE rectifications SET step = $1 WHERE sample_id = $2",
            params![step.as_str(), id],
        )
        .await?;
        tx.execute(
            "INSERT INTO rectification_steps (sample_id, step, reason, licence_id, taken_by, taken_at) VALUES ($1, $2, $3, $4, $5, $6)",
            params![id, step.as_str(), reason.as_str(), licence, me, at],
        )
        .await?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor: me,
                action: "rectification.escalate",
                entity: "sample",
                entity_id: id.to_string(),
                enterprise: Some(uscc),
                before: Some(serde_json::json!({"step": now.step.as_str()})),
                after: Some(serde_json::json!({"step": step.as_str(), "reason": reason, "licence": licence})),
            },
        )
        .await?;
        tx.commit().await?;
        self.existing_rectification(id).await
    }
}
