//! Supervision sampling plans and their double-random draws
//! ([`zhijian_core::sampling`]): plans are made by bureaus, the draw picks the
//! enterprises of every quota and the inspectors of every task from a seed that is
//! recorded with the plan, and drawing again with the same seed gives the same answer.

use serde::Serialize;
use zhijian_core::access::{Action, Scope};
use zhijian_core::grading::Grade;
use zhijian_core::page::{Page, Paged};
use zhijian_core::plan_terms::{self, PlanStatus, PlanStep, Terms};
use zhijian_core::region::RegionCode;
use zhijian_core::sampling::{self, Candidate, PlanLevel, Quota};

use crate::audit::{self, Change};
use crate::db::Row;
use crate::search::prefix_end;
use crate::{Scoped, StoreError, Where, now_ms, params, rfc3339};

/// A sampling plan.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Plan {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// The year it covers.
    pub year: i32,
    /// National, province, city or county.
    pub level: PlanLevel,
    /// The organising bureau's region.
    pub region: String,
    /// What to sample, where, how many batches.
    pub quotas: Vec<Quota>,
    /// Draft, approved or published.
    pub status: PlanStatus,
    /// The total batches it declares.
    pub batches: Option<u32>,
    /// Its budget in yuan.
    pub budget: Option<i64>,
    /// First day of sampling.
    #[schema(format = Date)]
    pub starts_on: Option<String>,
    /// Last day of sampling.
    #[schema(format = Date)]
    pub ends_on: Option<String>,
    /// Who approved it.
    pub approved_by: Option<String>,
    /// When.
    #[schema(format = DateTime)]
    pub approved_at: Option<String>,
    /// Who published it.
    pub published_by: Option<String>,
    /// When.
    #[schema(format = DateTime)]
    pub published_at: Option<String>,
    /// The seed it was drawn with, once drawn.
    pub seed: Option<String>,
    /// Who drew it.
    pub drawn_by: Option<String>,
    /// When.
    #[schema(format = DateTime)]
    pub drawn_at: Option<String>,
    /// Who made it.
    pub created_by: String,
    /// When.
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// A plan to make.
#[derive(Debug, Clone)]
pub struct NewPlan {
    /// Its name.
    pub name: String,
    /// The year.
    pub year: i32,
    /// Its level (must match the region's).
    pub level: PlanLevel,
    /// The organising bureau's region.
    pub region: RegionCode,
    /// Its quotas.
    pub quotas: Vec<Quota>,
    /// Declared total, budget, schedule.
    pub terms: Terms,
}

/// How inspectors are drawn.
#[derive(Debug, Clone)]
pub struct DrawRules {
    /// Inspectors per task (2–5).
    pub inspectors_per_task: usize,
    /// Usernames never to draw (declared conflicts of interest).
    pub exclude: Vec<String>,
    /// Each credit grade's weight in the draw, AA first (classified supervision);
    /// see `zhijian_core::grading::Rules::draw_weights`.
    pub grade_weights: [f64; 5],
}

/// One enterprise to sample, and who goes.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Task {
    /// Its id, once the draw is recorded (samples are taken against it).
    pub id: i64,
    /// The quota it fills (0-based position in the plan).
    pub quota: usize,
    /// The quota's category.
    pub category: String,
    /// The enterprise's credit code.
    pub enterprise: String,
    /// Its name.
    pub enterprise_name: String,
    /// Its region.
    pub region: String,
    /// The inspectors, in drawn order.
    pub inspectors: Vec<String>,
}

/// The outcome of a draw.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Draw {
    /// The seed.
    pub seed: String,
    /// Every enterprise drawn, in task order (one may fill several quotas).
    pub enterprises: Vec<String>,
    /// Every inspector drawn, in order of first task.
    pub inspectors: Vec<String>,
    /// The tasks, quota by quota.
    pub tasks: Vec<Task>,
    /// Quotas that found fewer enterprises than batches asked (position, found).
    pub short: Vec<(usize, usize)>,
}

/// A year in milliseconds, for the look-back windows of a draw.
const YEAR_MS: i64 = 365 * 86_400_000;

/// How much likelier an ungraded enterprise with a recent final failure is to be drawn.
const FAILED_WEIGHT: f64 = 2.0;

/// The levels above a plan's: their samples exclude an enterprise from it for a year.
fn higher_levels(level: PlanLevel) -> &'static [PlanLevel] {
    match level {
        PlanLevel::National => &[],
        PlanLevel::Province => &[PlanLevel::National],
        PlanLevel::City => &[PlanLevel::National, PlanLevel::Province],
        PlanLevel::County => &[PlanLevel::National, PlanLevel::Province, PlanLevel::City],
    }
}

const SELECT_PLAN: &str = "SELECT id, name, year, level, region, seed, drawn_by, drawn_at, created_by, created_at, status, batches, budget, starts_on, ends_on, approved_by, approved_at, published_by, published_at FROM sampling_plans";

fn read_plan(r: &Row, quotas: Vec<Quota>) -> Result<Plan, StoreError> {
    let level = r.text(3)?;
    let status = r.text(10)?;
    Ok(Plan {
        id: r.int(0)?,
        name: r.text(1)?,
        year: i32::try_from(r.int(2)?).unwrap_or_default(),
        level: PlanLevel::parse(&level).ok_or(StoreError::Invalid {
            code: "corrupt_row",
            field: "level",
            message: format!("unknown plan level {level}"),
        })?,
        region: r.text(4)?,
        quotas,
        status: PlanStatus::parse(&status).ok_or(StoreError::Invalid {
            code: "corrupt_row",
            field: "status",
            message: format!("unknown plan status {status}"),
        })?,
        batches: r.opt_int(11)?.and_then(|n| u32::try_from(n).ok()),
        budget: r.opt_int(12)?,
        starts_on: r.opt_text(13)?,
        ends_on: r.opt_text(14)?,
        approved_by: r.opt_text(15)?,
        approved_at: r.opt_int(16)?.map(rfc3339),
        published_by: r.opt_text(17)?,
        published_at: r.opt_int(18)?.map(rfc3339),
        seed: r.opt_text(5)?,
        drawn_by: r.opt_text(6)?,
        drawn_at: r.opt_int(7)?.map(rfc3339),
        created_by: r.text(8)?,
        created_at: rfc3339(r.int(9)?),
    })
}

/// A plan's region range condition for its subtree (`None`: the whole country).
fn subtree(w: &mut Where, col: &str, region: &RegionCode) {
    if let Some(hi) = prefix_end(region.prefix()) {
        let lo = w.arg(region.prefix());
        let hi = w.arg(hi);
        w.cond(format!("{col} >= {lo} AND {col} < {hi}"));
    }
}

impl Scoped<'_> {
    /// Whether the caller may read a plan of this region: its own subtree, or a plan of
    /// a higher level that covers it.
    pub(crate) fn sees_plan(&self, region: RegionCode) -> bool {
        match self.principal.scope(Action::ReadSampling) {
            Scope::All => true,
            Scope::Region(r) => r.contains(region) || region.contains(r),
            _ => false,
        }
    }

    /// Makes a plan (officers of the region, admins).
    pub async fn create_plan(&self, new: &NewPlan) -> Result<Plan, StoreError> {
        let name = sampling::check_plan(&new.name, new.year, new.level, new.region, &new.quotas)
            .map_err(|e| StoreError::Invalid {
                code: e.code(),
                field: "quotas",
                message: e.to_string(),
            })?;
        plan_terms::check_terms(new.year, &new.quotas, &new.terms).map_err(|e| {
            StoreError::Invalid {
                code: e.code(),
                field: e.field(),
                message: e.to_string(),
            }
        })?;
        if !self
            .principal
            .scope(Action::PlanSampling)
            .contains(0, new.region)
        {
            return Err(StoreError::Forbidden);
        }
        let at = now_ms();
        let actor = self.principal.username.as_str();
        let mut tx = self.store.db.begin().await?;
        let mut labs = Vec::with_capacity(new.quotas.len());
        for (i, q) in new.quotas.iter().enumerate() {
            labs.push(match &q.lab {
                None => None,
                Some(lab) => Some(
                    tx.fetch_optional(
                        "SELECT id FROM organisations WHERE uscc = $1 AND kind = 'lab'",
                        params![lab.trim()],
                    )
                    .await?
                    .ok_or_else(|| StoreError::Invalid {
                        code: "lab_unknown",
                        field: "quotas",
                        message: format!("quota {i}: {lab} is not a registered lab"),
                    })?
                    .int(0)?,
                ),
            });
        }
        let id = tx
            .fetch_one(
                "INSERT INTO sampling_plans (name, year, level, region, created_by, created_at, batches, budget, starts_on, ends_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                params![
                    name.as_str(), i64::from(new.year), new.level.as_str(), new.region.as_str(), actor, at,
                    new.terms.batches.map(i64::from), new.terms.budget,
                    new.terms.starts_on.map(|d| d.to_string()), new.terms.ends_on.map(|d| d.to_string())
                ],
            )
            .await?
            .int(0)?;
        let rows: Vec<Vec<crate::db::Value>> = new
            .quotas
            .iter()
            .enumerate()
            .map(|(i, q)| {
                vec![
                    id.into(),
                    (i as i64).into(),
                    q.category.as_str().into(),
                    q.region.as_str().into(),
                    i64::from(q.batches).into(),
                    crate::db::Value::Int(labs[i]),
                ]
            })
            .collect();
        tx.insert_rows(
            "INSERT INTO sampling_quotas (plan_id, position, category, region, batches, lab_id)",
            6,
            &rows,
        )
        .await?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor,
                action: "sampling.plan",
                entity: "sampling_plan",
                entity_id: id.to_string(),
                enterprise: None,
                before: None,
                after: Some(serde_json::json!({
                    "name": name, "year": new.year, "level": new.level.as_str(),
                    "region": new.region.as_str(), "quotas": new.quotas,
                    "batches": new.terms.batches, "budget": new.terms.budget,
                    "starts_on": new.terms.starts_on, "ends_on": new.terms.ends_on,
                })),
            },
        )
        .await?;
        tx.commit().await?;
        self.plan(id).await
    }

    /// Takes a step in a plan's life: approval by an officer of its region (or above)
    /// other than its author, then publication. Audited.
    pub async fn plan_step(&self, id: i64, step: PlanStep) -> Result<Plan, StoreError> {
        let plan = self.plan(id).await?;
        let region = RegionCode::parse(&plan.region).unwrap_or(RegionCode::NATIONAL);
        if !self
            .principal
            .scope(Action::PlanSampling)
            .contains(0, region)
        {
            return Err(StoreError::Forbidden);
        }
        let actor = self.principal.username.as_str();
        let next =
            plan_terms::next_status(plan.status, step, plan.created_by == actor).map_err(|e| {
                StoreError::Conflict {
                    code: e.code(),
                    field: e.field(),
                    message: e.to_string(),
                }
            })?;
        let (by, at_col) = match step {
            PlanStep::Approve => ("approved_by", "approved_at"),
            PlanStep::Publish => ("published_by", "published_at"),
        };
        let at = now_ms();
        let mut tx = self.store.db.begin().await?;
        let updated = tx
            .execute(
                &format!("UPDATE sampling_plans SET status = $1, {by} = $2, {at_col} = $3 WHERE id = $4 AND status = $5"),
                params![next.as_str(), actor, at, id, plan.status.as_str()],
            )
            .await?;
        if updated != 1 {
            return Err(StoreError::Conflict {
                code: "plan_status",
                field: "status",
                message: "the plan changed a moment ago; reload it".into(),
            });
        }
        audit::append(
            &mut tx,
            at,
            Change {
                actor,
                action: match step {
                    PlanStep::Approve => "sampling.plan_approve",
                    PlanStep::Publish => "sampling.plan_publish",
                },
                entity: "sampling_plan",
                entity_id: id.to_string(),
                enterprise: None,
                before: Some(serde_json::json!({ "status": plan.status.as_str() })),
                after: Some(serde_json::json!({ "status": next.as_str() })),
            },
        )
        .await?;
        tx.commit().await?;
        self.plan(id).await
    }

    /// One plan the caller may read.
    pub async fn plan(&self, id: i64) -> Result<Plan, StoreError> {
        let db = &self.store.db;
        let row = db
            .fetch_optional(&format!("{SELECT_PLAN} WHERE id = $1"), params![id])
            .await?
            .ok_or(StoreError::NotFound {
                entity: "sampling plan",
            })?;
        let region = RegionCode::parse(&row.text(4)?).unwrap_or(RegionCode::NATIONAL);
        if !self.sees_plan(region) {
            return Err(StoreError::NotFound {
                entity: "sampling plan",
            });
        }
        let quotas = db
            .fetch_all(
                "SELECT q.category, q.region, q.batches, l.uscc FROM sampling_quotas q LEFT JOIN organisations l ON l.id = q.lab_id WHERE q.plan_id = $1 ORDER BY q.position",
                params![id],
            )
            .await?
            .iter()
            .map(|q| {
                Ok(Quota {
                    category: q.text(0)?,
                    region: RegionCode::parse(&q.text(1)?).unwrap_or(RegionCode::NATIONAL),
                    batches: u32::try_from(q.int(2)?).unwrap_or_default(),
                    lab: q.opt_text(3)?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        read_plan(&row, quotas)
    }

    /// The plans the caller may read, newest first (their quotas left out).
    pub async fn plans(&self, year: Option<i32>, page: Page) -> Result<Paged<Plan>, StoreError> {
        let mut w = Where::default();
        match self.principal.scope(Action::ReadSampling) {
            Scope::All => {}
            Scope::Region(r) => {
                // Its subtree, or a plan of a region above it.
                let mut any = Vec::new();
                match prefix_end(r.prefix()) {
                    Some(hi) => {
                        let lo = w.arg(r.prefix());
                        let hi = w.arg(hi);
                        any.push(format!("(region >= {lo} AND region < {hi})"));
                    }
                    None => any.push("1=1".to_owned()),
                }
                let mut up = r.parent();
                while let Some(p) = up {
                    let a = w.arg(p.as_str());
                    any.push(format!("region = {a}"));
                    up = p.parent();
                }
                w.cond(format!("({})", any.join(" OR ")));
            }
            _ => w.cond("1=0"),
        }
        if let Some(y) = year {
            let p = w.arg(i64::from(y));
            w.cond(format!("year = {p}"));
        }
        let db = &self.store.db;
        let total = db
            .fetch_one(
                &format!("SELECT COUNT(*) FROM sampling_plans WHERE {}", w.sql()),
                &w.values,
            )
            .await?
            .int(0)?;
        let (limit, offset) = (w.arg(page.limit()), w.arg(page.offset()));
        let rows = db
            .fetch_all(
                &format!(
                    "{SELECT_PLAN} WHERE {} ORDER BY id DESC LIMIT {limit} OFFSET {offset}",
                    w.sql()
                ),
                &w.values,
            )
            .await?;
        let items = rows
            .iter()
            .map(|r| read_plan(r, Vec::new()))
            .collect::<Result<_, _>>()?;
        Ok(Paged { items, total })
    }

    /// Draws a plan with `seed`: the first draw is recorded (and audited); drawing again
    /// with the same seed recomputes it and answers the same, or says the archive has
    /// changed since; another seed is refused.
    pub async fn draw_plan(
        &self,
        id: i64,
        seed: &str,
        rules: &DrawRules,
    ) -> Result<Draw, StoreError> {
        let seed = seed.trim();
        if seed.is_empty() || seed.chars().count() > 200 || seed.chars().any(char::is_control) {
            return Err(StoreError::Invalid {
                code: "seed",
                field: "seed",
                message: "the seed must be 1–200 printable characters".into(),
            });
        }
        if !(2..=5).contains(&rules.inspectors_per_task) {
            return Err(StoreError::Invalid {
                code: "inspectors_per_task",
                field: "inspectors_per_task",
                message: "draw 2 to 5 inspectors per task".into(),
            });
        }
        let plan = self.plan(id).await?;
        let region = RegionCode::parse(&plan.region).unwrap_or(RegionCode::NATIONAL);
        if !self
            .principal
            .scope(Action::PlanSampling)
            .contains(0, region)
        {
            return Err(StoreError::Forbidden);
        }
        if let Some(recorded) = &plan.seed
            && recorded != seed
        {
            return Err(StoreError::Conflict {
                code: "plan_drawn",
                field: "seed",
                message: format!("this plan was drawn with seed “{recorded}”; a draw is made once"),
            });
        }
        // The instant the draw is made as of: the recorded one when drawing again.
        let at = now_ms();
        let as_of = plan
            .drawn_at
            .as_deref()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
            .map_or(at, |t| t.as_millisecond());
        let drawn = self.compute_draw(&plan, region, seed, rules, as_of).await?;
        if plan.seed.is_some() {
            let recorded = self.recorded_tasks(&plan).await?;
            let unnumbered: Vec<Task> = recorded
                .iter()
                .map(|t| Task { id: 0, ..t.clone() })
                .collect();
            if unnumbered != drawn.tasks {
                return Err(StoreError::Conflict {
                    code: "draw_changed",
                    field: "seed",
                    message: "the archive or the inspectors changed since this plan was drawn; the recorded draw stands".into(),
                });
            }
            return Ok(summarise(drawn.seed, recorded, drawn.short));
        }
        let actor = self.principal.username.as_str();
        let mut tx = self.store.db.begin().await?;
        let rows: Vec<Vec<crate::db::Value>> = drawn
            .tasks
            .iter()
            .map(|t| {
                vec![
                    id.into(),
                    (t.quota as i64).into(),
                    t.enterprise.as_str().into(),
                    t.inspectors.join(",").into(),
                ]
            })
            .collect();
        // The enterprise id by credit code, inside the insert.
        for chunk in rows.chunks(40) {
            let mut w = Where::default();
            let values: Vec<String> = chunk
                .iter()
                .map(|r| {
                    let p: Vec<String> = r.iter().map(|v| w.arg(v.clone())).collect();
                    format!(
                        "({}, {}, (SELECT id FROM organisations WHERE uscc = {}), {})",
                        p[0], p[1], p[2], p[3]
                    )
                })
                .collect();
            tx.execute(
                &format!(
                    "INSERT INTO sampling_tasks (plan_id, position, enterprise_id, inspectors) VALUES {}",
                    values.join(", ")
                ),
                &w.values,
            )
            .await?;
        }
        let updated = tx
            .execute(
                "UPDATE sampling_plans SET seed = $1, drawn_by = $2, drawn_at = $3 WHERE id = $4 AND seed IS NULL",
                params![seed, actor, at, id],
            )
            .await?;
        if updated != 1 {
            // Someone drew it in between; their draw stands.
            return Err(StoreError::Conflict {
                code: "plan_drawn",
                field: "seed",
                message: "this plan was drawn a moment ago".into(),
            });
        }
        audit::append(
            &mut tx,
            at,
            Change {
                actor,
                action: "sampling.draw",
                entity: "sampling_plan",
                entity_id: id.to_string(),
                enterprise: None,
                before: None,
                after: Some(serde_json::json!({
                    "seed": seed, "enterprises": drawn.enterprises, "inspectors": drawn.inspectors,
                })),
            },
        )
        .await?;
        tx.commit().await?;
        let recorded = self.recorded_tasks(&plan).await?;
        Ok(summarise(drawn.seed, recorded, drawn.short))
    }

    /// The recorded draw of a plan (none before it is drawn).
    pub async fn plan_draw(&self, id: i64) -> Result<Option<Draw>, StoreError> {
        let plan = self.plan(id).await?;
        let Some(seed) = plan.seed.clone() else {
            return Ok(None);
        };
        let tasks = self.recorded_tasks(&plan).await?;
        Ok(Some(summarise(seed, tasks, Vec::new())))
    }

    async fn recorded_tasks(&self, plan: &Plan) -> Result<Vec<Task>, StoreError> {
        self.store
            .db
            .fetch_all(
                "SELECT t.position, o.uscc, o.name, o.region, t.inspectors, t.id FROM sampling_tasks t JOIN organisations o ON o.id = t.enterprise_id WHERE t.plan_id = $1 ORDER BY t.id",
                params![plan.id],
            )
            .await?
            .iter()
            .map(|r| {
                let quota = usize::try_from(r.int(0)?).unwrap_or_default();
                Ok(Task {
                    id: r.int(5)?,
                    quota,
                    category: plan
                        .quotas
                        .get(quota)
                        .map(|q| q.category.clone())
                        .unwrap_or_default(),
                    enterprise: r.text(1)?,
                    enterprise_name: r.text(2)?,
                    region: r.text(3)?,
                    inspectors: r
                        .text(4)?
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect(),
                })
            })
            .collect()
    }

    /// The draw itself: pure but for reading the candidates.
    async fn compute_draw(
        &self,
        plan: &Plan,
        region: RegionCode,
        seed: &str,
        rules: &DrawRules,
        as_of: i64,
    ) -> Result<Draw, StoreError> {
        let db = &self.store.db;
        // The inspector pool: officers of the bureaus in the plan's subtree.
        let mut w = Where::default();
        w.cond("u.role = 'officer' AND o.kind = 'bureau'");
        subtree(&mut w, "o.region", &region);
        let pool: Vec<(String, String)> = db
            .fetch_all(
                &format!("SELECT u.username, o.region FROM users u JOIN organisations o ON o.id = u.org_id WHERE {} ORDER BY u.username", w.sql()),
                &w.values,
            )
            .await?
            .iter()
            .map(|r| Ok((r.text(0)?, r.text(1)?)))
            .collect::<Result<_, StoreError>>()?;
        let mut tasks = Vec::new();
        let mut short = Vec::new();
        for (position, quota) in plan.quotas.iter().enumerate() {
            let mut w = Where::default();
            let c = w.arg(quota.category.as_str());
            w.cond(format!(
                "e.status = 'active' AND EXISTS (SELECT 1 FROM products p WHERE p.enterprise_id = o.id AND p.category = {c})"
            ));
            subtree(&mut w, "o.region", &quota.region);
            // Not those a higher level sampled in the year before the draw (no sampling
            // twice over), and twice the chance for those with a final failure in the
            // two years before it. Only what happened before the draw counts, so that
            // drawing again later gives the same answer.
            let (from, to) = (w.arg(as_of - YEAR_MS), w.arg(as_of));
            let higher: Vec<String> = higher_levels(plan.level)
                .iter()
                .map(|l| w.arg(l.as_str()))
                .collect();
            if !higher.is_empty() {
                w.cond(format!(
                    "NOT EXISTS (SELECT 1 FROM sampling_tasks t2 JOIN samples s2 ON s2.task_id = t2.id JOIN sampling_plans p2 ON p2.id = t2.plan_id WHERE t2.enterprise_id = o.id AND p2.level IN ({}) AND s2.taken_at >= {from} AND s2.taken_at < {to})",
                    higher.join(", ")
                ));
            }
            // Weighted by the credit grade held at the draw (classified supervision);
            // an enterprise not yet graded counts double after a recent final failure.
            let since = w.arg(as_of - 2 * YEAR_MS);
            let found: Vec<(String, String, String, f64)> = db
                .fetch_all(
                    &format!(
                        "SELECT o.uscc, o.name, o.region, (SELECT COUNT(*) FROM risk_signals rs WHERE rs.enterprise_id = o.id AND rs.kind = 'sample_failed' AND rs.at >= {since} AND rs.at < {to}), \
                         (SELECT h.grade FROM grade_history h WHERE h.enterprise_id = o.id AND h.at < {to} ORDER BY h.at DESC, h.id DESC LIMIT 1) \
                         FROM organisations o JOIN enterprises e ON e.id = o.id WHERE {}",
                        w.sql()
                    ),
                    &w.values,
                )
                .await?
                .iter()
                .map(|r| {
                    let grade = r.opt_text(4)?.as_deref().and_then(Grade::parse);
                    let weight = match grade {
                        Some(g) => rules.grade_weights[g as usize],
                        None if r.int(3)? > 0 => FAILED_WEIGHT,
                        None => 1.0,
                    };
                    Ok((r.text(0)?, r.text(1)?, r.text(2)?, weight))
                })
                .collect::<Result<_, StoreError>>()?;
            let candidates: Vec<Candidate> = found
                .iter()
                .map(|(uscc, _, _, weight)| Candidate {
                    id: uscc,
                    weight: *weight,
                })
                .collect();
            let want = quota.batches as usize;
            let drawn = sampling::draw(seed, &format!("quota:{position}"), &candidates, want);
            if drawn.len() < want {
                short.push((position, drawn.len()));
            }
            for uscc in drawn {
                let Some((_, name, at, _)) = found.iter().find(|(u, ..)| u == uscc) else {
                    continue;
                };
                // No inspector of the enterprise's own county bureau (本地回避), none
                // declared in conflict.
                let eligible: Vec<Candidate> = pool
                    .iter()
                    .filter(|(user, bureau)| bureau != at && !rules.exclude.contains(user))
                    .map(|(user, _)| Candidate {
                        id: user,
                        weight: 1.0,
                    })
                    .collect();
                if eligible.len() < rules.inspectors_per_task {
                    return Err(StoreError::Invalid {
                        code: "too_few_inspectors",
                        field: "inspectors_per_task",
                        message: format!(
                            "only {} inspectors of this plan's bureaus may inspect {uscc}; {} are needed",
                            eligible.len(),
                            rules.inspectors_per_task
                        ),
                    });
                }
                let inspectors = sampling::draw(
                    seed,
                    &format!("task:{position}:{uscc}"),
                    &eligible,
                    rules.inspectors_per_task,
                );
                tasks.push(Task {
                    id: 0,
                    quota: position,
                    category: quota.category.clone(),
                    enterprise: uscc.to_owned(),
                    enterprise_name: name.clone(),
                    region: at.clone(),
                    inspectors: inspectors.into_iter().map(str::to_owned).collect(),
                });
            }
        }
        Ok(summarise(seed.to_owned(), tasks, short))
    }
}

fn summarise(seed: String, tasks: Vec<Task>, short: Vec<(usize, usize)>) -> Draw {
    let mut enterprises: Vec<String> = Vec::new();
    let mut inspectors: Vec<String> = Vec::new();
    for t in &tasks {
        if !enterprises.contains(&t.enterprise) {
            enterprises.push(t.enterprise.clone());
        }
        for i in &t.inspectors {
            if !inspectors.contains(i) {
                inspectors.push(i.clone());
            }
        }
    }
    Draw {
        seed,
        enterprises,
        inspectors,
        tasks,
        short,
    }
}
