//! Credit grades: gathering each enterprise's record into `zhijian_core::grading::Facts`,
//! keeping the current grade and its explanation, the history of changes, the rule
//! sets a node has set, the distribution by region, and the supervision calendar.
//!
//! Regrading reads every input table once for the whole set of enterprises (five
//! queries, grouped in memory) rather than once per enterprise, so a nightly pass over
//! a province's enterprises takes seconds; only grades whose grade, score or
//! explanation changed are written.

use std::collections::HashMap;

use jiff::civil::Date;
use serde::Serialize;
use zhijian_core::access::{Action, Scope};
use zhijian_core::calendar::Calendar;
use zhijian_core::catalogue;
use zhijian_core::grading::{
    self, CommitmentFact, CommitmentKind, Factor, Facts, Grade, LicenceFact, RectificationFact,
    ResultFact, Rules, SignalFact,
};
use zhijian_core::licence::LicenceState;
use zhijian_core::page::{Page, Paged};
use zhijian_core::region::RegionCode;
use zhijian_core::sample_result::{ObjectionRules, closed_through};

use crate::audit::{self, Change};
use crate::db::{Row, Value};
use crate::objections::day_of;
use crate::{Scoped, Store, StoreError, Where, now_ms, params, rfc3339};

/// Why grades were recomputed (kept in the history).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// A record of the enterprise changed.
    Record,
    /// The nightly pass (time decay, expiries).
    Nightly,
    /// A new rule set.
    Rules,
}

impl Cause {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Record => "record",
            Cause::Nightly => "nightly",
            Cause::Rules => "rules",
        }
    }
}

/// What grading needs besides the rules: how sampling results become final.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Objection windows.
    pub objections: ObjectionRules,
    /// The node's working-day calendar.
    pub calendar: &'a Calendar,
    /// The day of grading (China time).
    pub today: Date,
}

/// A rule set in force.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuleSet {
    /// Its version; 0 is the built-in default.
    pub version: i64,
    /// The TOML text.
    pub body: String,
    /// Who set it.
    pub set_by: Option<String>,
    /// When.
    #[schema(format = DateTime)]
    pub set_at: Option<String>,
}

/// An enterprise's current grade with its explanation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GradeView {
    /// The enterprise's credit code.
    pub uscc: String,
    /// Its name.
    pub name: String,
    /// Its region.
    pub region: String,
    /// The grade.
    pub grade: Grade,
    /// The score, 0–1000.
    pub score: i64,
    /// Every factor with its contribution and the record it came from.
    pub factors: Vec<Factor>,
    /// The rule-set version it was computed under.
    pub rules_version: i64,
    /// When it was computed.
    #[schema(format = DateTime)]
    pub computed_at: String,
    /// Every change of grade or score, newest first.
    pub history: Vec<GradeChange>,
}

/// One change in an enterprise's grade.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GradeChange {
    /// When.
    #[schema(format = DateTime)]
    pub at: String,
    /// The new grade.
    pub grade: Grade,
    /// The new score.
    pub score: i64,
    /// The rule-set version.
    pub rules_version: i64,
    /// `record`, `nightly` or `rules`.
    pub cause: String,
}

/// How many enterprises hold each grade, in all and per child region.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Distribution {
    /// The region the counts cover (`""`: the whole node).
    pub region: String,
    /// Counts per grade, AA first.
    pub counts: Vec<GradeCount>,
    /// The same for each child region.
    pub regions: Vec<RegionCounts>,
}

/// Enterprises holding one grade.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GradeCount {
    /// The grade.
    pub grade: Grade,
    /// How many.
    pub count: i64,
}

/// Grade counts of one region.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegionCounts {
    /// Its code.
    pub region: String,
    /// Counts per grade, AA first.
    pub counts: Vec<GradeCount>,
}

/// An enterprise on the supervision calendar.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DueInspection {
    /// Credit code.
    pub uscc: String,
    /// Name.
    pub name: String,
    /// Region.
    pub region: String,
    /// Its grade.
    pub grade: Grade,
    /// The last inspection or sample, when there was one.
    pub last_inspected: Option<String>,
    /// The day the next inspection is due.
    pub due_on: String,
    /// How closely (from the grade's classified supervision).
    pub intensity: String,
}

/// A commitment or certification as published.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Commitment {
    /// Its id.
    pub id: i64,
    /// What it is.
    pub kind: CommitmentKind,
    /// Title (e.g. "食品安全承诺书", "ISO 9001:2015").
    pub title: String,
    /// Its text or the certificate's particulars.
    pub body: String,
    /// Last valid day, when it has one.
    pub valid_until: Option<String>,
    /// When it was published.
    #[schema(format = DateTime)]
    pub published_at: String,
    /// When it was withdrawn.
    #[schema(format = DateTime)]
    pub withdrawn_at: Option<String>,
    /// Who published it.
    pub created_by: String,
}

/// A new commitment or certification.
#[derive(Debug, Clone)]
pub struct NewCommitment {
    /// What it is.
    pub kind: CommitmentKind,
    /// Title, 1–200 characters.
    pub title: String,
    /// Text, up to 20,000 characters.
    pub body: String,
    /// Last valid day.
    pub valid_until: Option<Date>,
}

/// The middle of a `YYYYMM` month.
fn mid_month(month: i64) -> Option<Date> {
    Date::new((month / 100) as i16, (month % 100) as i8, 15).ok()
}

/// `IN (...)` over ids, bound.
fn id_list(w: &mut Where, ids: &[i64]) -> String {
    ids.iter().map(|&i| w.arg(i)).collect::<Vec<_>>().join(", ")
}

/// Adds `col IN (ids)` when regrading a few enterprises.
fn only(w: &mut Where, col: &str, ids: Option<&[i64]>) {
    if let Some(ids) = ids {
        let list = id_list(w, ids);
        w.cond(format!("{col} IN ({list})"));
    }
}

fn read_grade(s: &str) -> Result<Grade, StoreError> {
    Grade::parse(s).ok_or_else(|| StoreError::Invalid {
        code: "stored_grade",
        field: "grade",
        message: format!("unknown grade {s} in the database"),
    })
}

impl Store {
    /// The rule set in force: the newest one set, or the built-in default (version 0).
    pub async fn grading_rules(&self) -> Result<RuleSet, StoreError> {
        let row = self
            .db
            .fetch_optional(
                "SELECT version, body, set_by, set_at FROM grading_rules ORDER BY version DESC LIMIT 1",
                params![],
            )
            .await?;
        Ok(match row {
            Some(r) => RuleSet {
                version: r.int(0)?,
                body: r.text(1)?,
                set_by: Some(r.text(2)?),
                set_at: Some(rfc3339(r.int(3)?)),
            },
            None => RuleSet {
                version: 0,
                body: grading::DEFAULT_RULES.to_string(),
                set_by: None,
                set_at: None,
            },
        })
    }

    /// Gathers the facts of every enterprise (or of `ids`).
    async fn gather(
        &self,
        ids: Option<&[i64]>,
        cx: Context<'_>,
    ) -> Result<HashMap<i64, Facts>, StoreError> {
        let db = &self.db;
        let mut facts: HashMap<i64, Facts> = HashMap::new();

        let mut w = Where::default();
        only(&mut w, "o.id", ids);
        for r in db
            .fetch_all(
                &format!(
                    "SELECT o.id FROM organisations o JOIN enterprises e ON e.id = o.id WHERE {}",
                    w.sql()
                ),
                &w.values,
            )
            .await?
        {
            facts.insert(r.int(0)?, Facts::default());
        }

        let mut w = Where::default();
        only(&mut w, "enterprise_id", ids);
        for r in db
            .fetch_all(
                &format!(
                    "SELECT enterprise_id, id, number, state, valid_until FROM licences WHERE {}",
                    w.sql()
                ),
                &w.values,
            )
            .await?
        {
            let Some(f) = facts.get_mut(&r.int(0)?) else {
                continue;
            };
            let Some(state) = LicenceState::parse(&r.text(3)?) else {
                continue;
            };
            f.licences.push(LicenceFact {
                number: r
                    .opt_text(2)?
                    .unwrap_or_else(|| format!("#{}", r.int(1).unwrap_or(0))),
                state,
                valid_until: r.opt_text(4)?.and_then(|d| d.parse().ok()),
            });
        }

        // Results: passes and failures that are final (a failure open to objection is
        // final once its window has closed).
        let general = closed_through(cx.today, false, cx.objections, cx.calendar);
        let food = closed_through(cx.today, true, cx.objections, cx.calendar);
        let as_int =
            |d: Date| i64::from(d.year()) * 10000 + i64::from(d.month()) * 100 + i64::from(d.day());
        let mut w = Where::default();
        let retest = w.arg(true);
        w.cond("r.settled > 0");
        only(&mut w, "t.enterprise_id", ids);
        for r in db
            .fetch_all(
                &format!(
                    "SELECT t.enterprise_id, r.sample_id, r.category, r.settled, r.notified_on, r.month, rr.conclusion \
                     FROM sample_results r JOIN samples s ON s.id = r.sample_id JOIN sampling_tasks t ON t.id = s.task_id \
                     LEFT JOIN test_reports rr ON rr.sample_id = r.sample_id AND rr.retest = {retest} WHERE {}",
                    w.sql()
                ),
                &w.values,
            )
            .await?
        {
            let Some(f) = facts.get_mut(&r.int(0)?) else {
                continue;
            };
            let failed = match r.int(3)? {
                1 => false,
                2 => true,
                s @ (3 | 4) => {
                    let through = if s == 4 { food } else { general };
                    match r.opt_int(4)? {
                        Some(n) if n <= as_int(through) => true,
                        _ => continue,
                    }
                }
                _ => continue,
            };
            let category = r.text(2)?;
            let (Some(on), Some(cat)) = (mid_month(r.int(5)?), catalogue::category(&category))
            else {
                continue;
            };
            let retest = r.opt_text(6)?.map(|c| c == "fail");
            f.results.push(ResultFact {
                sample_id: r.int(1)?,
                category,
                risk: cat.risk,
                failed,
                on,
                // A re-test that passed overturned the failure; one that failed confirmed it.
                retest,
            });
        }

        let mut w = Where::default();
        only(&mut w, "t.enterprise_id", ids);
        for r in db
            .fetch_all(
                &format!(
                    "SELECT t.enterprise_id, r.sample_id, r.deadline, r.reported_at, r.follow_up \
                     FROM rectifications r JOIN samples s ON s.id = r.sample_id JOIN sampling_tasks t ON t.id = s.task_id WHERE {}",
                    w.sql()
                ),
                &w.values,
            )
            .await?
        {
            let Some(f) = facts.get_mut(&r.int(0)?) else {
                continue;
            };
            let Ok(deadline) = r.text(2)?.parse::<Date>() else {
                continue;
            };
            f.rectifications.push(RectificationFact {
                sample_id: r.int(1)?,
                deadline,
                reported_on: r.opt_int(3)?.map(day_of),
                follow_up_failed: r.opt_text(4)?.as_deref() == Some("fail"),
            });
        }

        let mut w = Where::default();
        w.cond("enterprise_id IS NOT NULL AND kind <> 'sample_failed'");
        only(&mut w, "enterprise_id", ids);
        for r in db
            .fetch_all(
                &format!(
                    "SELECT enterprise_id, id, kind, severity, at FROM risk_signals WHERE {}",
                    w.sql()
                ),
                &w.values,
            )
            .await?
        {
            let Some(f) = facts.get_mut(&r.int(0)?) else {
                continue;
            };
            let on = day_of(r.int(4)?);
            f.signals.push(SignalFact {
                id: r.int(1)?,
                kind: r.text(2)?,
                severity: r.int(3)?.clamp(1, 4) as u8,
                on,
            });
        }

        let mut w = Where::default();
        w.cond("withdrawn_at IS NULL");
        only(&mut w, "enterprise_id", ids);
        for r in db
            .fetch_all(
                &format!(
                    "SELECT enterprise_id, id, kind, title, published_at, valid_until FROM commitments WHERE {}",
                    w.sql()
                ),
                &w.values,
            )
            .await?
        {
            let Some(f) = facts.get_mut(&r.int(0)?) else {
                continue;
            };
            let Some(kind) = CommitmentKind::parse(&r.text(2)?) else {
                continue;
            };
            let published_on = day_of(r.int(4)?);
            f.commitments.push(CommitmentFact {
                id: r.int(1)?,
                kind,
                title: r.text(3)?,
                published_on,
                valid_until: r.opt_text(5)?.and_then(|d| d.parse().ok()),
            });
        }
        for (enterprise, entry) in self.blacklisted().await? {
            if let Some(f) = facts.get_mut(&enterprise) {
                f.blacklist = Some(entry);
            }
        }
        Ok(facts)
    }

    /// Recomputes the grades of every enterprise (or of `ids`) under `rules`, writes
    /// those that changed, and records changes of grade or score in the history;
    /// returns how many grades were written.
    pub async fn regrade(
        &self,
        rules: &Rules,
        version: i64,
        ids: Option<&[i64]>,
        cause: Cause,
        cx: Context<'_>,
    ) -> Result<usize, StoreError> {
        let facts = self.gather(ids, cx).await?;
        let mut w = Where::default();
        only(&mut w, "enterprise_id", ids);
        let mut before: HashMap<i64, (String, i64, String, i64)> = HashMap::new();
        for r in self
            .db
            .fetch_all(
                &format!(
                    "SELECT enterprise_id, grade, score, factors, rules_version FROM grades WHERE {}",
                    w.sql()
                ),
                &w.values,
            )
            .await?
        {
            before.insert(r.int(0)?, (r.text(1)?, r.int(2)?, r.text(3)?, r.int(4)?));
        }
        let at = now_ms();
        let mut rows: Vec<Vec<Value>> = Vec::new();
        let mut history: Vec<Vec<Value>> = Vec::new();
        let mut ordered: Vec<(&i64, &Facts)> = facts.iter().collect();
        ordered.sort_unstable_by_key(|(id, _)| **id);
        for (&id, f) in ordered {
            let g = grading::grade(rules, f, cx.today);
            let factors = serde_json::to_string(&g.factors).unwrap_or_default();
            let grade = g.grade.as_str();
            let old = before.get(&id);
            if old.is_some_and(|(og, os, of, ov)| {
                og == grade && *os == g.score && *of == factors && *ov == version
            }) {
                continue;
            }
            if old.is_none_or(|(og, os, ..)| og != grade || *os != g.score) {
                history.push(vec![
                    id.into(),
                    at.into(),
                    grade.into(),
                    g.score.into(),
                    version.into(),
                    cause.as_str().into(),
                ]);
            }
            rows.push(vec![
                id.into(),
                grade.into(),
                g.score.into(),
                factors.into(),
                version.into(),
                at.into(),
            ]);
        }
        if rows.is_empty() {
            return Ok(0);
        }
        let mut tx = self.db.begin().await?;
        tx.upsert_rows(
            "INSERT INTO grades (enterprise_id, grade, score, factors, rules_version, computed_at)",
            6,
            &rows,
            " ON CONFLICT (enterprise_id) DO UPDATE SET grade = excluded.grade, score = excluded.score, factors = excluded.factors, rules_version = excluded.rules_version, computed_at = excluded.computed_at",
        )
        .await?;
        tx.insert_rows(
            "INSERT INTO grade_history (enterprise_id, at, grade, score, rules_version, cause)",
            6,
            &history,
        )
        .await?;
        tx.commit().await?;
        Ok(rows.len())
    }

    /// The newest risk signal's id (0 when there is none).
    pub async fn signal_head(&self) -> Result<i64, StoreError> {
        Ok(self
            .db
            .fetch_one("SELECT COALESCE(MAX(id), 0) FROM risk_signals", params![])
            .await?
            .int(0)?)
    }

    /// The enterprises whose risk signals arrived after signal `after`, and the newest
    /// signal id (signals are imported without touching the archive's change clock).
    pub async fn signalled_since(&self, after: i64) -> Result<(i64, Vec<i64>), StoreError> {
        let rows = self
            .db
            .fetch_all(
                "SELECT id, enterprise_id FROM risk_signals WHERE id > $1 ORDER BY id",
                params![after],
            )
            .await?;
        let mut head = after;
        let mut ids = Vec::new();
        for r in &rows {
            head = head.max(r.int(0)?);
            if let Some(e) = r.opt_int(1)? {
                ids.push(e);
            }
        }
        ids.sort_unstable();
        ids.dedup();
        Ok((head, ids))
    }
}

impl Scoped<'_> {
    /// Checks and sets a new rule set (admins only); returns it. The caller regrades.
    pub async fn set_grading_rules(&self, body: &str) -> Result<(RuleSet, Rules), StoreError> {
        if self.principal.scope(Action::PlanSampling) != Scope::All {
            return Err(StoreError::Forbidden);
        }
        let rules = Rules::parse(body).map_err(|e| StoreError::Invalid {
            code: "grading_rules",
            field: "rules",
            message: e.to_string(),
        })?;
        let at = now_ms();
        let by = self.principal.username.as_str();
        let mut tx = self.store.db.begin().await?;
        let version = tx
            .fetch_one(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM grading_rules",
                params![],
            )
            .await?
            .int(0)?;
        tx.execute(
            "INSERT INTO grading_rules (version, body, set_by, set_at) VALUES ($1, $2, $3, $4)",
            params![version, body, by, at],
        )
        .await?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor: by,
                action: "grading_rules.set",
                entity: "grading_rules",
                entity_id: version.to_string(),
                enterprise: None,
                before: None,
                after: Some(serde_json::json!({ "version": version })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok((
            RuleSet {
                version,
                body: body.to_string(),
                set_by: Some(by.to_string()),
                set_at: Some(rfc3339(at)),
            },
            rules,
        ))
    }

    /// The id of a visible enterprise.
    async fn visible_id(&self, uscc: &str) -> Result<(i64, String, String), StoreError> {
        let mut w = Where::default();
        let p = w.arg(uscc);
        w.cond(format!("o.uscc = {p}"));
        w.scope(self.principal.scope(Action::Read), "o.id", "o.region");
        let r = self
            .store
            .db
            .fetch_optional(
                &format!(
                    "SELECT o.id, o.name, o.region FROM organisations o JOIN enterprises e ON e.id = o.id WHERE {}",
                    w.sql()
                ),
                &w.values,
            )
            .await?
            .ok_or(StoreError::NotFound {
                entity: "enterprise",
            })?;
        Ok((r.int(0)?, r.text(1)?, r.text(2)?))
    }

    /// An enterprise's grade, recomputed first so that it reflects its record as it
    /// stands, with its explanation and history.
    pub async fn grade(
        &self,
        uscc: &str,
        rules: &Rules,
        version: i64,
        cx: Context<'_>,
    ) -> Result<GradeView, StoreError> {
        let (id, name, region) = self.visible_id(uscc).await?;
        self.store
            .regrade(rules, version, Some(&[id]), Cause::Record, cx)
            .await?;
        let db = &self.store.db;
        let r = db
            .fetch_one(
                "SELECT grade, score, factors, rules_version, computed_at FROM grades WHERE enterprise_id = $1",
                params![id],
            )
            .await?;
        let history = db
            .fetch_all(
                "SELECT at, grade, score, rules_version, cause FROM grade_history WHERE enterprise_id = $1 ORDER BY at DESC, id DESC LIMIT 100",
                params![id],
            )
            .await?
            .iter()
            .map(|h| {
                Ok(GradeChange {
                    at: rfc3339(h.int(0)?),
                    grade: read_grade(&h.text(1)?)?,
                    score: h.int(2)?,
                    rules_version: h.int(3)?,
                    cause: h.text(4)?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(GradeView {
            uscc: uscc.to_string(),
            name,
            region,
            grade: read_grade(&r.text(0)?)?,
            score: r.int(1)?,
            factors: serde_json::from_str(&r.text(2)?).unwrap_or_default(),
            rules_version: r.int(3)?,
            computed_at: rfc3339(r.int(4)?),
            history,
        })
    }

    /// Counts of each grade among the enterprises the caller may read, in `region`
    /// (default: the caller's whole scope) and per child region; with `category`, only
    /// enterprises making products of that category.
    pub async fn grade_distribution(
        &self,
        region: Option<RegionCode>,
        category: Option<&str>,
    ) -> Result<Distribution, StoreError> {
        // Without a region, the caller's own: a province officer sees its cities.
        let region = region
            .or((self.principal.region != RegionCode::NATIONAL).then_some(self.principal.region));
        let mut w = Where::default();
        let scope = self.principal.scope(Action::Read);
        w.scope(scope, "o.id", "o.region");
        let prefix = region.map_or(String::new(), |r| r.prefix().to_string());
        if !prefix.is_empty() {
            let p = w.arg(format!("{prefix}%"));
            w.cond(format!("o.region LIKE {p}"));
        }
        if let Some(c) = category {
            let p = w.arg(c);
            w.cond(format!(
                "EXISTS (SELECT 1 FROM products p WHERE p.enterprise_id = o.id AND p.category = {p})"
            ));
        }
        // Child regions: provinces of the node, cities of a province, counties of a city.
        let child = match prefix.len() {
            0 => 2,
            2 => 4,
            _ => 6,
        };
        let rows = self
            .store
            .db
            .fetch_all(
                &format!(
                    "SELECT substr(o.region, 1, {child}), g.grade, COUNT(*) FROM grades g JOIN organisations o ON o.id = g.enterprise_id WHERE {} GROUP BY substr(o.region, 1, {child}), g.grade",
                    w.sql()
                ),
                &w.values,
            )
            .await?;
        let zero = || {
            Grade::ALL
                .iter()
                .map(|&grade| GradeCount { grade, count: 0 })
                .collect::<Vec<_>>()
        };
        let mut counts = zero();
        let mut regions: Vec<RegionCounts> = Vec::new();
        for r in &rows {
            let code = format!("{:0<6}", r.text(0)?);
            let grade = read_grade(&r.text(1)?)?;
            let n = r.int(2)?;
            let slot = grade as usize;
            counts[slot].count += n;
            match regions.iter_mut().find(|x| x.region == code) {
                Some(x) => x.counts[slot].count += n,
                None => {
                    let mut c = zero();
                    c[slot].count = n;
                    regions.push(RegionCounts {
                        region: code,
                        counts: c,
                    });
                }
            }
        }
        regions.sort_by(|a, b| a.region.cmp(&b.region));
        Ok(Distribution {
            region: region.map_or(String::new(), |r| r.as_str().to_string()),
            counts,
            regions,
        })
    }

    /// The supervision calendar: enterprises the caller may read whose next routine
    /// inspection (the last inspection record or sample plus their grade's interval)
    /// falls on or before `until`, most overdue first (the worst grades first among equals).
    pub async fn supervision_due(
        &self,
        rules: &Rules,
        until: Date,
        grade: Option<Grade>,
        page: Page,
    ) -> Result<Paged<DueInspection>, StoreError> {
        let mut w = Where::default();
        w.scope(self.principal.scope(Action::Read), "o.id", "o.region");
        if let Some(g) = grade {
            let p = w.arg(g.as_str());
            w.cond(format!("g.grade = {p}"));
        }
        let rows = self
            .store
            .db
            .fetch_all(
                &format!(
                    "SELECT o.uscc, o.name, o.region, g.grade, \
                     (SELECT MAX(r.occurred_on) FROM supervision_records r WHERE r.enterprise_id = o.id AND r.kind = 'inspection'), \
                     (SELECT MAX(s.taken_at) FROM sampling_tasks t JOIN samples s ON s.task_id = t.id WHERE t.enterprise_id = o.id) \
                     FROM grades g JOIN organisations o ON o.id = g.enterprise_id WHERE {}",
                    w.sql()
                ),
                &w.values,
            )
            .await?;
        let mut due: Vec<DueInspection> = Vec::new();
        for r in &rows {
            let grade = read_grade(&r.text(3)?)?;
            let inspected: Option<Date> = r.opt_text(4)?.and_then(|d| d.parse().ok());
            let sampled = r.opt_int(5)?.map(day_of);
            let last = inspected.max(sampled);
            let s = rules.supervision(grade);
            // Never inspected: due at once (dated today's "until" so it sorts first).
            let due_on = match last {
                Some(d) => d
                    .checked_add(jiff::Span::new().days(i64::from(s.interval_days)))
                    .unwrap_or(d),
                None => Date::MIN,
            };
            if due_on > until {
                continue;
            }
            due.push(DueInspection {
                uscc: r.text(0)?,
                name: r.text(1)?,
                region: r.text(2)?,
                grade,
                last_inspected: last.map(|d| d.to_string()),
                due_on: if last.is_some() {
                    due_on.to_string()
                } else {
                    String::new()
                },
                intensity: s.intensity.clone(),
            });
        }
        // Most overdue first; among equals, the worst grades.
        due.sort_by(|a, b| {
            (
                a.due_on.as_str(),
                std::cmp::Reverse(a.grade),
                a.uscc.as_str(),
            )
                .cmp(&(
                    b.due_on.as_str(),
                    std::cmp::Reverse(b.grade),
                    b.uscc.as_str(),
                ))
        });
        let total = due.len() as i64;
        let items = due
            .into_iter()
            .skip(page.offset() as usize)
            .take(page.limit() as usize)
            .collect();
        Ok(Paged { items, total })
    }

    /// The id of an enterprise the caller may publish commitments for.
    async fn commitment_owner(&self, uscc: &str) -> Result<i64, StoreError> {
        let (id, _, region) = self.visible_id(uscc).await?;
        let region = RegionCode::parse(&region).map_err(|_| StoreError::NotFound {
            entity: "enterprise",
        })?;
        if !self.principal.may(Action::PublishCommitment, id, region) {
            return Err(StoreError::Forbidden);
        }
        Ok(id)
    }

    /// Publishes a commitment or certification for an enterprise (the enterprise
    /// itself, or an officer of its region).
    pub async fn add_commitment(
        &self,
        uscc: &str,
        new: &NewCommitment,
    ) -> Result<Commitment, StoreError> {
        let title = new.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(StoreError::Invalid {
                code: "commitment_title",
                field: "title",
                message: "a title of 1–200 characters is required".into(),
            });
        }
        if new.body.chars().count() > 20_000 {
            return Err(StoreError::Invalid {
                code: "commitment_body",
                field: "body",
                message: "the text may be at most 20,000 characters".into(),
            });
        }
        let id = self.commitment_owner(uscc).await?;
        let at = now_ms();
        let by = self.principal.username.as_str();
        let valid_until = new.valid_until.map(|d| d.to_string());
        let mut tx = self.store.db.begin().await?;
        let cid = tx
            .fetch_one(
                "INSERT INTO commitments (enterprise_id, kind, title, body, valid_until, published_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                params![id, new.kind.as_str(), title, new.body.as_str(), valid_until.clone(), at, by],
            )
            .await?
            .int(0)?;
        let c = Commitment {
            id: cid,
            kind: new.kind,
            title: title.to_string(),
            body: new.body.clone(),
            valid_until,
            published_at: rfc3339(at),
            withdrawn_at: None,
            created_by: by.to_string(),
        };
        audit::append(
            &mut tx,
            at,
            Change {
                actor: by,
                action: "commitment.publish",
                entity: "commitment",
                entity_id: cid.to_string(),
                enterprise: Some(uscc.to_string()),
                before: None,
                after: Some(serde_json::to_value(&c).unwrap_or_default()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Withdraws a commitment; it stops counting at once.
    pub async fn withdraw_commitment(&self, uscc: &str, cid: i64) -> Result<(), StoreError> {
        let id = self.commitment_owner(uscc).await?;
        let at = now_ms();
        let mut tx = self.store.db.begin().await?;
        let n = tx
            .execute(
                "UPDATE commitments SET withdrawn_at = $1 WHERE id = $2 AND enterprise_id = $3 AND withdrawn_at IS NULL",
                params![at, cid, id],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound {
                entity: "commitment",
            });
        }
        audit::append(
            &mut tx,
            at,
            Change {
                actor: self.principal.username.as_str(),
                action: "commitment.withdraw",
                entity: "commitment",
                entity_id: cid.to_string(),
                enterprise: Some(uscc.to_string()),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An enterprise's commitments and certifications, newest first.
    pub async fn commitments(&self, uscc: &str) -> Result<Vec<Commitment>, StoreError> {
        let (id, ..) = self.visible_id(uscc).await?;
        self.store
            .db
            .fetch_all(
                "SELECT id, kind, title, body, valid_until, published_at, withdrawn_at, created_by FROM commitments WHERE enterprise_id = $1 ORDER BY published_at DESC, id DESC",
                params![id],
            )
            .await?
            .iter()
            .map(read_commitment)
            .collect()
    }
}

fn read_commitment(r: &Row) -> Result<Commitment, StoreError> {
    Ok(Commitment {
        id: r.int(0)?,
        kind: CommitmentKind::parse(&r.text(1)?).ok_or_else(|| StoreError::Invalid {
            code: "stored_commitment",
            field: "kind",
            message: "unknown commitment kind in the database".into(),
        })?,
        title: r.text(2)?,
        body: r.text(3)?,
        valid_until: r.opt_text(4)?,
        published_at: rfc3339(r.int(5)?),
        withdrawn_at: r.opt_int(6)?.map(rfc3339),
        created_by: r.text(7)?,
    })
}
