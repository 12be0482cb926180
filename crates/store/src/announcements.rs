//! Announcements (公告) of sampling results: a bureau publishes a plan's final results,
//! passes and failures alike, and anyone may read them. An announcement keeps the rows
//! as they were published.

use serde::{Deserialize, Serialize};
use zhijian_core::access::Action;
use zhijian_core::calendar::Calendar;
use zhijian_core::page::{Page, Paged};
use zhijian_core::region::{self, RegionCode};
use zhijian_core::sample_result::{ObjectionRules, ResultStage};
use zhijian_core::test_report::{Item, Outcome};

use crate::audit::{self, Change};
use crate::db::Row;
use crate::objections::Facts;
use crate::{Scoped, Store, StoreError, Where, now_ms, params, rfc3339, today};

/// One published result.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct AnnouncedRow {
    /// The product as sampled.
    pub product: String,
    /// Its category id.
    pub category: String,
    /// The enterprise's name.
    pub enterprise: String,
    /// Its credit code.
    pub uscc: String,
    /// Its region's name.
    pub region: String,
    /// Batch or lot.
    pub lot: String,
    /// The lab whose report is final.
    pub lab: String,
    /// Pass or fail.
    pub result: Outcome,
    /// The items that failed.
    pub failing_items: Vec<String>,
}

/// A published announcement.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Announcement {
    /// Its id.
    pub id: i64,
    /// The plan.
    pub plan_id: i64,
    /// Its title.
    pub title: String,
    /// The publishing bureau's region.
    pub region: String,
    /// That region's name.
    pub region_name: String,
    /// Who published it.
    pub published_by: String,
    /// When.
    #[schema(format = DateTime)]
    pub published_at: String,
    /// Samples that passed.
    pub passed: i64,
    /// Samples that failed.
    pub failed: i64,
    /// Samples whose result was not final yet (not in the rows).
    pub pending: i64,
    /// The results (empty in lists).
    pub rows: Vec<AnnouncedRow>,
}

const SELECT_ANNOUNCEMENT: &str = "SELECT id, plan_id, title, region, published_by, published_at, passed, failed, pending, rows FROM announcements";

fn read_announcement(r: &Row, with_rows: bool) -> Result<Announcement, StoreError> {
    let region = r.text(3)?;
    Ok(Announcement {
        id: r.int(0)?,
        plan_id: r.int(1)?,
        title: r.text(2)?,
        region_name: RegionCode::parse(&region)
            .ok()
            .and_then(region::lookup)
            .map(|x| x.name.to_string())
            .unwrap_or_default(),
        region,
        published_by: r.text(4)?,
        published_at: rfc3339(r.int(5)?),
        passed: r.int(6)?,
        failed: r.int(7)?,
        pending: r.int(8)?,
        rows: if with_rows {
            serde_json::from_str(&r.text(9)?).unwrap_or_default()
        } else {
            Vec::new()
        },
    })
}

impl Store {
    /// Published announcements, newest first; `q` matches titles and the enterprises,
    /// products and regions in them.
    pub async fn announcements(
        &self,
        q: Option<&str>,
        page: Page,
    ) -> Result<Paged<Announcement>, StoreError> {
        let mut w = Where::default();
        if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
            let escaped = q
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let p = w.arg(format!("%{escaped}%"));
            w.cond(format!(
                "(title LIKE {p} ESCAPE '\\' OR rows LIKE {p} ESCAPE '\\')"
            ));
        }
        let total = self
            .db
            .fetch_one(
                &format!("SELECT COUNT(*) FROM announcements WHERE {}", w.sql()),
                &w.values,
            )
            .await?
            .int(0)?;
        let (limit, offset) = (w.arg(page.limit()), w.arg(page.offset()));
        let rows = self
            .db
            .fetch_all(
                &format!(
                    "{SELECT_ANNOUNCEMENT} WHERE {} ORDER BY published_at DESC, id DESC LIMIT {limit} OFFSET {offset}",
                    w.sql()
                ),
                &w.values,
            )
            .await?;
        let items = rows
            .iter()
            .map(|r| read_announcement(r, false))
            .collect::<Result<_, _>>()?;
        Ok(Paged { items, total })
    }

    /// One announcement with its rows (public).
    /// The id of a plan's announcement, once it is announced.
    pub async fn plan_announcement(&self, plan_id: i64) -> Result<Option<i64>, StoreError> {
        self.db
            .fetch_optional(
                "SELECT id FROM announcements WHERE plan_id = $1",
                params![plan_id],
            )
            .await?
            .map(|r| r.int(0))
            .transpose()
            .map_err(StoreError::from)
    }

    /// One announcement with its rows.
    pub async fn announcement(&self, id: i64) -> Result<Announcement, StoreError> {
        let row = self
            .db
            .fetch_optional(&format!("{SELECT_ANNOUNCEMENT} WHERE id = $1"), params![id])
            .await?
            .ok_or(StoreError::NotFound {
                entity: "announcement",
            })?;
        read_announcement(&row, true)
    }
}

impl Scoped<'_> {
    /// Publishes a plan's final results (officers of the plan's region), once.
    pub async fn announce(
        &self,
        plan_id: i64,
        title: Option<&str>,
        rules: ObjectionRules,
        calendar: &Calendar,
    ) -> Result<Announcement, StoreError> {
        let plan = self.plan(plan_id).await?;
        let region = RegionCode::parse(&plan.region).unwrap_or(RegionCode::NATIONAL);
        if !self
            .principal
            .scope(Action::PlanSampling)
            .contains(0, region)
        {
            return Err(StoreError::Forbidden);
        }
        let title = match title.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) if t.chars().count() <= 200 && !t.chars().any(char::is_control) => t.to_owned(),
            Some(_) => {
                return Err(StoreError::Invalid {
                    code: "title",
                    field: "title",
                    message: "the title must be 1–200 printable characters".into(),
                });
            }
            None => format!("关于{}结果的公告", plan.name),
        };
        let found = self
            .store
            .db
            .fetch_all(
                "SELECT q.category, o.name, o.uscc, o.region, s.product_name, s.lot, \
                 rf.conclusion, rf.filed_at, ob.sample_id, ob.decision, rr.conclusion, rf.items, lf.name, rr.items, lr.name \
                 FROM samples s JOIN sampling_tasks t ON t.id = s.task_id \
                 JOIN sampling_quotas q ON q.plan_id = t.plan_id AND q.position = t.position \
                 JOIN organisations o ON o.id = t.enterprise_id \
                 LEFT JOIN test_reports rf ON rf.sample_id = s.id AND rf.retest = $2 \
                 LEFT JOIN organisations lf ON lf.id = rf.lab_id \
                 LEFT JOIN objections ob ON ob.sample_id = s.id \
                 LEFT JOIN test_reports rr ON rr.sample_id = s.id AND rr.retest = $3 \
                 LEFT JOIN organisations lr ON lr.id = rr.lab_id \
                 WHERE t.plan_id = $1 ORDER BY t.id",
                params![plan_id, false, true],
            )
            .await?;
        let today = today();
        let (mut rows, mut pending) = (Vec::new(), 0i64);
        for r in &found {
            let category = r.text(0)?;
            let facts = Facts::read(r, 6)?;
            let retest = facts.retest;
            let st = facts.standing(&category, rules, calendar, today);
            let (ResultStage::Final, Some(result)) = (st.stage, st.outcome) else {
                pending += 1;
                continue;
            };
            let (items, lab) = if retest.is_some() {
                (r.opt_text(13)?, r.opt_text(14)?)
            } else {
                (r.opt_text(11)?, r.opt_text(12)?)
            };
            let items: Vec<Item> = items
                .and_then(|j| serde_json::from_str(&j).ok())
                .unwrap_or_default();
            let region_code = r.text(3)?;
            rows.push(AnnouncedRow {
                product: r.text(4)?,
                category,
                enterprise: r.text(1)?,
                uscc: r.text(2)?,
                region: RegionCode::parse(&region_code)
                    .ok()
                    .and_then(region::lookup)
                    .map(|x| x.name.to_string())
                    .unwrap_or(region_code),
                lot: r.text(5)?,
                lab: lab.unwrap_or_default(),
                result,
                failing_items: items
                    .into_iter()
                    .filter(|i| i.verdict == Outcome::Fail)
                    .map(|i| i.name)
                    .collect(),
            });
        }
        if rows.is_empty() {
            return Err(StoreError::Invalid {
                code: "nothing_final",
                field: "plan",
                message: "no sample of this plan has a final result yet".into(),
            });
        }
        let passed = rows.iter().filter(|r| r.result == Outcome::Pass).count() as i64;
        let failed = rows.len() as i64 - passed;
        let at = now_ms();
        let me = self.principal.username.as_str();
        let mut tx = self.store.db.begin().await?;
        let id = tx
            .fetch_optional(
                "INSERT INTO announcements (plan_id, title, region, published_by, published_at, passed, failed, pending, rows) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (plan_id) DO NOTHING RETURNING id",
                params![
                    plan_id,
                    title.as_str(),
                    plan.region.as_str(),
                    me,
                    at,
                    passed,
                    failed,
                    pending,
                    serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into())
                ],
            )
            .await?
            .ok_or_else(|| StoreError::Conflict {
                code: "plan_announced",
                field: "plan",
                message: format!("the results of plan {plan_id} are already announced"),
            })?
            .int(0)?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor: me,
                action: "sampling.announce",
                entity: "announcement",
                entity_id: id.to_string(),
                enterprise: None,
                before: None,
                after: Some(serde_json::json!({
                    "plan": plan_id, "title": title, "passed": passed, "failed": failed, "pending": pending,
                })),
            },
        )
        .await?;
        tx.commit().await?;
        self.store.announcement(id).await
    }
}
