//! Risk signals (风险信号): evidence of risk kept for grading and early warning. Final
//! sampling failures become `sample_failed` signals through a sweep (a failure becomes
//! final when its objection window closes, which no request marks), run at start and
//! hourly, and recorded once each; counterfeit signals of code verification become
//! `counterfeit` signals the same way. Officers import the rest — complaints, injuries,
//! incidents, external alerts — with [`Store::import_signals`].

use serde::Serialize;
use zhijian_core::access::{Action, Scope};
use zhijian_core::calendar::Calendar;
use zhijian_core::page::{Page, Paged};
use zhijian_core::risk::SignalKind;
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
    /// `sample_failed`, `counterfeit`, `complaint`, `injury`, `incident`, `external`,
    /// `recall`.
    pub kind: String,
    /// The record it comes from (for `sample_failed`, the sample; for a swept
    /// `counterfeit`, the counterfeit signal); none for imported signals.
    pub source_id: Option<i64>,
    /// The enterprise's credit code, when one is named.
    pub enterprise: Option<String>,
    /// Its name.
    pub enterprise_name: Option<String>,
    /// The product category, when known.
    pub category: Option<String>,
    /// The enterprise's region.
    pub region: String,
    /// When it happened (imported signals) or was recorded.
    #[schema(format = DateTime)]
    pub at: String,
    /// 1 (minor) to 4 (grave).
    pub severity: i64,
    /// What it says (for `sample_failed`: the failing items and the report).
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// Reads signals with their enterprise (`r` the signal, `o` the organisation).
pub(crate) const SELECT_SIGNAL: &str = "SELECT r.id, r.kind, r.source_id, o.uscc, o.name, r.category, r.region, r.at, CAST(r.severity AS BIGINT), r.detail FROM risk_signals r LEFT JOIN organisations o ON o.id = r.enterprise_id";

pub(crate) fn read_signal(r: &crate::db::Row) -> Result<RiskSignal, StoreError> {
    Ok(RiskSignal {
        id: r.int(0)?,
        kind: r.text(1)?,
        source_id: r.opt_int(2)?,
        enterprise: r.opt_text(3)?,
        enterprise_name: r.opt_text(4)?,
        category: r.opt_text(5)?,
        region: r.text(6)?,
        at: rfc3339(r.int(7)?),
        severity: r.int(8)?,
        detail: serde_json::from_str(&r.text(9)?).unwrap_or_default(),
    })
}

/// One signal to import, checked by the caller (kind importable, category in the
/// catalogue, region known and within the importer's subtree, severity 1–4).
#[derive(Debug, Clone, PartialEq)]
pub struct NewSignal {
    /// Its kind.
    pub kind: SignalKind,
    /// Catalogue category.
    pub category: String,
    /// Region code.
    pub region: String,
    /// When it happened, milliseconds since the epoch.
    pub at: i64,
    /// 1–4.
    pub severity: u8,
    /// The enterprise concerned, by id (see [`Store::enterprise_ids`]).
    pub enterprise_id: Option<i64>,
    /// Free text kept with it (the importer, the source's reference, …).
    pub detail: serde_json::Value,
}

impl Store {
    /// The ids of the enterprises with these credit codes (unknown ones are absent).
    pub async fn enterprise_ids(
        &self,
        usccs: &[String],
    ) -> Result<std::collections::HashMap<String, i64>, StoreError> {
        let mut out = std::collections::HashMap::new();
        for chunk in usccs.chunks(200) {
            let mut w = Where::default();
            let ps: Vec<String> = chunk.iter().map(|u| w.arg(u.as_str())).collect();
            if ps.is_empty() {
                continue;
            }
            let rows = self
                .db
                .fetch_all(
                    &format!(
                        "SELECT o.uscc, o.id FROM organisations o JOIN enterprises e ON e.id = o.id WHERE o.uscc IN ({})",
                        ps.join(", ")
                    ),
                    &w.values,
                )
                .await?;
            for r in rows {
                out.insert(r.text(0)?, r.int(1)?);
            }
        }
        Ok(out)
    }

    /// Stores checked signals in one transaction with one audit entry; returns how many.
    pub async fn import_signals(
        &self,
        actor: &str,
        signals: &[NewSignal],
    ) -> Result<usize, StoreError> {
        if signals.is_empty() {
            return Ok(0);
        }
        let rows: Vec<Vec<Value>> = signals
            .iter()
            .map(|s| {
                vec![
                    s.kind.as_str().into(),
                    s.enterprise_id.into(),
                    s.category.as_str().into(),
                    s.region.as_str().into(),
                    s.at.into(),
                    i64::from(s.severity).into(),
                    s.detail.to_string().into(),
                ]
            })
            .collect();
        let at = now_ms();
        let mut tx = self.db.begin().await?;
        tx.insert_rows(
            "INSERT INTO risk_signals (kind, enterprise_id, category, region, at, severity, detail)",
            7,
            &rows,
        )
        .await?;
        let mut kinds: std::collections::BTreeMap<&str, usize> = Default::default();
        for s in signals {
            *kinds.entry(s.kind.as_str()).or_default() += 1;
        }
        crate::audit::append(
            &mut tx,
            at,
            crate::audit::Change {
                actor,
                action: "risk_signal.import",
                entity: "risk_signal",
                entity_id: format!("{} signals", signals.len()),
                enterprise: None,
                before: None,
                after: Some(serde_json::json!({"count": signals.len(), "kinds": kinds})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(signals.len())
    }

    /// Records a `counterfeit` risk signal for every counterfeit signal of code
    /// verification not yet recorded (category from the code's segment when the code is
    /// known; region where it was verified, else the victim maker's); returns how many
    /// were new. Signals with neither region are left out.
    pub async fn record_counterfeit_signals(&self) -> Result<usize, StoreError> {
        let rows = self
            .db
            .fetch_all(
                "SELECT c.id, c.at, c.kind, c.enterprise_id, COALESCE(c.region, o.region),                  (SELECT p.category FROM code_segments sg JOIN products p ON p.id = sg.product_id                   WHERE c.code_index IS NOT NULL AND sg.first_index <= c.code_index AND c.code_index < sg.first_index + sg.quantity LIMIT 1),                  c.detail                  FROM counterfeit_signals c LEFT JOIN organisations o ON o.id = c.enterprise_id                  LEFT JOIN risk_signals rs ON rs.kind = 'counterfeit' AND rs.source_id = c.id                  WHERE rs.id IS NULL AND COALESCE(c.region, o.region) IS NOT NULL",
                params![],
            )
            .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let mut new: Vec<Vec<Value>> = Vec::with_capacity(rows.len());
        for r in &rows {
            let kind = r.text(2)?;
            // A code that does not exist is the surest sign of a fake label.
            let severity: i64 = if kind == "unknown_code" { 3 } else { 2 };
            let detail: serde_json::Value =
                serde_json::from_str(&r.text(6)?).unwrap_or(serde_json::Value::Null);
            new.push(vec![
                "counterfeit".into(),
                r.int(0)?.into(),
                r.opt_int(3)?.into(),
                r.opt_text(5)?.into(),
                r.text(4)?.into(),
                r.int(1)?.into(),
                severity.into(),
                serde_json::json!({"signal": kind, "detail": detail})
                    .to_string()
                    .into(),
            ]);
        }
        self.record_swept(&new).await
    }

    /// Records a `recall` signal (severity 3) for every recalled batch not yet recorded,
    /// naming its maker, its product's category and the maker's region; returns how many
    /// were new. Swept like the others (hourly), so that grading and detection see recalls.
    pub async fn record_recall_signals(&self) -> Result<usize, StoreError> {
        let rows = self
            .db
            .fetch_all(
                "SELECT b.id, b.enterprise_id, p.category, o.region, b.updated_at, b.lot, b.status_reason \
                 FROM batches b JOIN products p ON p.id = b.product_id JOIN organisations o ON o.id = b.enterprise_id \
                 LEFT JOIN risk_signals rs ON rs.kind = 'recall' AND rs.source_id = b.id \
                 WHERE b.status = 'recalled' AND rs.id IS NULL",
                params![],
            )
            .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let mut new: Vec<Vec<Value>> = Vec::with_capacity(rows.len());
        for r in &rows {
            new.push(vec![
                "recall".into(),
                r.int(0)?.into(),
                r.int(1)?.into(),
                r.opt_text(2)?.into(),
                r.text(3)?.into(),
                r.int(4)?.into(),
                3i64.into(),
                serde_json::json!({"batch": r.int(0)?, "lot": r.text(5)?, "reason": r.opt_text(6)?})
                    .to_string()
                    .into(),
            ]);
        }
        self.record_swept(&new).await
    }

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
                2i64.into(),
                detail.to_string().into(),
            ]);
        }
        if new.is_empty() {
            return Ok(0);
        }
        self.record_swept(&new).await
    }

    /// Stores swept signals — rows of (kind, source_id, enterprise_id, category, region,
    /// at, severity, detail) — once each: a source already recorded is skipped.
    async fn record_swept(&self, new: &[Vec<Value>]) -> Result<usize, StoreError> {
        let mut tx = self.db.begin().await?;
        tx.upsert_rows(
            "INSERT INTO risk_signals (kind, source_id, enterprise_id, category, region, at, severity, detail)",
            8,
            new,
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
                    "{SELECT_SIGNAL} WHERE {} ORDER BY r.id DESC LIMIT {limit} OFFSET {offset}",
                    w.sql()
                ),
                &w.values,
            )
            .await?;
        let items = rows.iter().map(read_signal).collect::<Result<_, _>>()?;
        Ok(Paged { items, total })
    }
}
