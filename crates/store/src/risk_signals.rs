//! Risk signals (风险信号): evidence of risk kept for grading and early warning. Final
//! sampling failures become `sample_failed` signals through a sweep (a failure becomes
//! final when its objection window closes, which no request marks), run at start and
//! hourly, and recorded once each.

use serde::Serialize;
use zhijian_core::access::{Action, Scope};
use zhijian_core::calendar::Calendar;
use zhijian_core::page::{Page, Paged};
use zhijian_core::sample_result::{ObjectionRules, ResultStage};
use zhijian_core::test_report::{Item, Outcome};

use crate::db::Value;
use crate::objections::Facts;
use crate::{Scoped, Store, StoreError, Where, now_ms, params, rfc3339, today};

/// One recorded signal.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct RiskSignal {
    /// Its id.
    pub id: i64,
    /// `sample_failed`.
    pub kind: String,
    /// The record it comes from (for `sample_failed`, the sample).
    pub source_id: i64,
    /// The enterprise's credit code.
    pub enterprise: String,
    /// Its name.
    pub enterprise_name: String,
    /// The product category, when known.
    pub category: Option<String>,
    /// The enterprise's region.
    pub region: String,
    /// When it was recorded.
    #[schema(format = DateTime)]
    pub at: String,
    /// What it says (for `sample_failed`: the failing items and the report).
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl Store {
    /// Records a `sample_failed` signal for every final failure not yet recorded;
    /// returns how many were new.
    pub async fn record_sampling_signals(
        &self,
        rules: ObjectionRules,
        calendar: &Calendar,
    ) -> Result<usize, StoreError> {
        let rows = self
            .db
            .fetch_all(
                "SELECT s.id, q.category, o.id, o.region, rf.conclusion, rf.filed_at, ob.sample_id, ob.decision, rr.conclusion, rf.items, rr.items, rf.number, rr.number \
                 FROM samples s JOIN sampling_tasks t ON t.id = s.task_id \
                 JOIN sampling_quotas q ON q.plan_id = t.plan_id AND q.position = t.position \
                 JOIN organisations o ON o.id = t.enterprise_id \
                 JOIN test_reports rf ON rf.sample_id = s.id AND rf.retest = $1 \
                 LEFT JOIN objections ob ON ob.sample_id = s.id \
                 LEFT JOIN test_reports rr ON rr.sample_id = s.id AND rr.retest = $2 \
                 LEFT JOIN risk_signals rs ON rs.kind = 'sample_failed' AND rs.source_id = s.id \
                 WHERE rf.conclusion = 'fail' AND rs.id IS NULL",
                params![false, true],
            )
            .await?;
        let today = today();
        let at = now_ms();
        let mut new: Vec<Vec<Value>> = Vec::new();
        for r in &rows {
            let category = r.text(1)?;
            let facts = Facts::read(r, 4)?;
            let st = facts.standing(&category, rules, calendar, today);
            if st.stage != ResultStage::Final || st.outcome != Some(Outcome::Fail) {
                continue;
            }
            let retested = facts.retest.is_some();
            let (items, number) = if retested {
                (r.opt_text(10)?, r.opt_text(12)?)
            } else {
                (r.opt_text(9)?, r.opt_text(11)?)
            };
            let failing: Vec<String> = items
                .and_then(|j| serde_json::from_str::<Vec<Item>>(&j).ok())
                .unwrap_or_default()
                .into_iter()
                .filter(|i| i.verdict == Outcome::Fail)
                .map(|i| i.name)
                .collect();
            let detail = serde_json::json!({
                "report": number, "retested": retested, "failing_items": failing,
            });
            new.push(vec![
                "sample_failed".into(),
                r.int(0)?.into(),
                r.int(2)?.into(),
                category.into(),
                r.text(3)?.into(),
                at.into(),
                detail.to_string().into(),
            ]);
        }
        if new.is_empty() {
            return Ok(0);
        }
        let mut tx = self.db.begin().await?;
        tx.upsert_rows(
            "INSERT INTO risk_signals (kind, source_id, enterprise_id, category, region, at, detail)",
            7,
            &new,
            " ON CONFLICT (kind, source_id) DO NOTHING",
        )
        .await?;
        tx.commit().await?;
        Ok(new.len())
    }
}

impl Scoped<'_> {
    /// Risk signals of the enterprises the caller may read (bureaus: their subtree; an
    /// enterprise: its own), newest first.
    pub async fn risk_signals(
        &self,
        kind: Option<&str>,
        page: Page,
    ) -> Result<Paged<RiskSignal>, StoreError> {
        let mut w = Where::default();
        match self.principal.scope(Action::Read) {
            Scope::Nothing => w.cond("1=0"),
            scope => w.scope(scope, "r.enterprise_id", "r.region"),
        }
        if let Some(k) = kind {
            let p = w.arg(k);
            w.cond(format!("r.kind = {p}"));
        }
        let db = &self.store.db;
        let total = db
            .fetch_one(
                &format!("SELECT COUNT(*) FROM risk_signals r WHERE {}", w.sql()),
                &w.values,
            )
            .await?
            .int(0)?;
        let (limit, offset) = (w.arg(page.limit()), w.arg(page.offset()));
        let rows = db
            .fetch_all(
                &format!(
                    "SELECT r.id, r.kind, r.source_id, o.uscc, o.name, r.category, r.region, r.at, r.detail FROM risk_signals r JOIN organisations o ON o.id = r.enterprise_id WHERE {} ORDER BY r.id DESC LIMIT {limit} OFFSET {offset}",
                    w.sql()
                ),
                &w.values,
            )
            .await?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(RiskSignal {
                    id: r.int(0)?,
                    kind: r.text(1)?,
                    source_id: r.int(2)?,
                    enterprise: r.text(3)?,
                    enterprise_name: r.text(4)?,
                    category: r.opt_text(5)?,
                    region: r.text(6)?,
                    at: rfc3339(r.int(7)?),
                    detail: serde_json::from_str(&r.text(8)?).unwrap_or_default(),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Paged { items, total })
    }
}
