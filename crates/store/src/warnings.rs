//! Risk warnings (风险预警): detection runs over the risk signals and tested samples
//! ([`zhijian_core::risk::detect`]) and each finding raises a warning — or, when an open
//! warning of the same kind, category and region exists, adds its evidence to that one.
//! A warning belongs to the bureau of its region, which moves it through its lifecycle
//! (raised → acknowledged → measures → closed) and may make it public; its raising is
//! queued to the notify hook (channel `webhook`) in the same transaction.

use serde::Serialize;
use zhijian_core::access::{Action, Role, Scope};
use zhijian_core::page::{Page, Paged};
use zhijian_core::region::RegionCode;
use zhijian_core::risk::{
    self, BASELINE_WEEKS, Finding, Input, Level, SURGE_WEEKS, Signal, SignalKind, Tested,
    Thresholds, WEEK_MS, WarningKind, WarningStatus,
};

use crate::audit::{self, Change};
use crate::db::{Row, Tx};
use crate::organisations::ensure_bureau_in;
use crate::risk_signals::{RiskSignal, SELECT_SIGNAL, read_signal};
use crate::{Scoped, Store, StoreError, Where, now_ms, params, rfc3339};

/// A warning as listed.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Warning {
    /// Its id.
    pub id: i64,
    /// `failure_rate`, `complaint_surge`, `counterfeit_surge` or `cluster`.
    pub kind: String,
    /// `red`, `orange`, `yellow` or `blue` (Ⅰ–Ⅳ).
    pub level: Level,
    /// Product category.
    pub category: String,
    /// A city or province code.
    pub region: String,
    /// The `as_of` instant of the detection run that raised it.
    #[schema(format = DateTime)]
    pub raised_at: String,
    /// The `as_of` of the last run that added evidence or raised its level.
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Where it stands.
    pub status: WarningStatus,
    /// The owner bureau's name.
    pub owner: Option<String>,
    /// Whether it is shown in the public announcements.
    pub public: bool,
    /// The measures taken, as the owner wrote them.
    pub measures: Option<String>,
    /// When it was closed.
    #[schema(format = DateTime)]
    pub closed_at: Option<String>,
    /// How many signals it rests on.
    pub evidence_count: i64,
    /// The numbers of the latest finding (observed, expected, p-value or CUSUM, score,
    /// strength).
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// One step of a warning's lifecycle.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WarningStep {
    /// The status it moved to.
    pub status: WarningStatus,
    /// The note given.
    pub note: String,
    /// Who (`system` for detection).
    pub actor: String,
    /// When.
    #[schema(format = DateTime)]
    pub at: String,
}

/// An enterprise a warning concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WarningEnterprise {
    /// Credit code.
    pub uscc: String,
    /// Name.
    pub name: String,
}

/// A warning with its evidence and history.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WarningDetail {
    /// The warning.
    #[serde(flatten)]
    pub warning: Warning,
    /// The signals it rests on, newest first.
    pub evidence: Vec<RiskSignal>,
    /// The enterprises those signals name.
    pub enterprises: Vec<WarningEnterprise>,
    /// Its lifecycle so far.
    pub steps: Vec<WarningStep>,
}

/// What a detection run did.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DetectionSummary {
    /// The instant detection looked from.
    #[schema(format = DateTime)]
    pub as_of: String,
    /// Findings strong enough for a warning.
    pub findings: usize,
    /// New warnings.
    pub raised: usize,
    /// Open warnings that gained evidence or a graver level.
    pub updated: usize,
    /// The ids of the new warnings.
    pub raised_ids: Vec<i64>,
}

/// Filters of the warning list.
#[derive(Debug, Clone, Default)]
pub struct WarningFilter {
    /// Only this level.
    pub level: Option<Level>,
    /// Only this status.
    pub status: Option<WarningStatus>,
    /// Only open ones (any status but closed).
    pub open: bool,
    /// Only this category.
    pub category: Option<String>,
    /// Only this region's subtree.
    pub region: Option<RegionCode>,
    /// Only this kind.
    pub kind: Option<WarningKind>,
}

const SELECT_WARNING: &str = "SELECT w.id, w.kind, w.level, w.category, w.region, w.raised_at, w.updated_at, w.status, o.name, w.public, w.measures, w.closed_at, w.detail, (SELECT COUNT(*) FROM warning_evidence e WHERE e.warning_id = w.id) FROM warnings w LEFT JOIN organisations o ON o.id = w.owner_id";

fn corrupt(field: &'static str, v: &str) -> StoreError {
    StoreError::Invalid {
        code: "corrupt_row",
        field,
        message: format!("unexpected {field} {v}"),
    }
}

fn read_warning(r: &Row) -> Result<Warning, StoreError> {
    let level = r.text(2)?;
    let status = r.text(7)?;
    Ok(Warning {
        id: r.int(0)?,
        kind: r.text(1)?,
        level: Level::parse(&level).ok_or_else(|| corrupt("level", &level))?,
        category: r.text(3)?,
        region: r.text(4)?,
        raised_at: rfc3339(r.int(5)?),
        updated_at: rfc3339(r.int(6)?),
        status: WarningStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        owner: r.opt_text(8)?,
        public: r.bool(9)?,
        measures: r.opt_text(10)?,
        closed_at: r.opt_int(11)?.map(rfc3339),
        detail: serde_json::from_str(&r.text(12)?).unwrap_or_default(),
        evidence_count: r.int(13)?,
    })
}

fn finding_detail(f: &Finding) -> serde_json::Value {
    serde_json::json!({
        "strength": f.strength,
        "observed": f.measure.observed,
        "expected": f.measure.expected,
        "tested": f.measure.tested,
        "rate": f.measure.rate.map(|r| r.0),
        "baseline_rate": f.measure.rate.map(|r| r.1),
        "p_value": f.measure.p_value,
        "cusum": f.measure.cusum,
        "score": f.measure.score,
    })
}

fn bad_signal(kind: &str) -> StoreError {
    corrupt("kind", kind)
}

impl Store {
    /// What detection reads as of an instant: signals from the 34 weeks before it (the
    /// surge baseline and window; failure-rate evidence needs two months, clusters two
    /// weeks) and the tested samples of the two years up to its month.
    pub async fn detection_input(&self, as_of: i64) -> Result<Input, StoreError> {
        let since = as_of
            .saturating_sub((SURGE_WEEKS + BASELINE_WEEKS) * WEEK_MS)
            .min(as_of.saturating_sub(70 * 24 * 3600 * 1000));
        let rows = self
            .db
            .fetch_all(
                "SELECT id, kind, category, region, at, CAST(severity AS BIGINT) FROM risk_signals WHERE at <= $1 AND at > $2 AND category IS NOT NULL",
                params![as_of, since],
            )
            .await?;
        let mut signals = Vec::with_capacity(rows.len());
        for r in &rows {
            let kind = r.text(1)?;
            signals.push(Signal {
                id: r.int(0)?,
                kind: SignalKind::parse(&kind).ok_or_else(|| bad_signal(&kind))?,
                category: r.opt_text(2)?,
                region: r.text(3)?,
                at: r.int(4)?,
                severity: u8::try_from(r.int(5)?).unwrap_or(2),
            });
        }
        let month = risk::month_of(as_of);
        let from = (month / 100).saturating_sub(2) * 100 + month % 100;
        let rows = self
            .db
            .fetch_all(
                "SELECT category, region, month, COUNT(*), CAST(SUM(CASE WHEN settled >= 2 THEN 1 ELSE 0 END) AS BIGINT) FROM sample_results WHERE settled > 0 AND month <= $1 AND month >= $2 GROUP BY category, region, month",
                params![i64::from(month), i64::from(from)],
            )
            .await?;
        let mut tested = Vec::with_capacity(rows.len());
        for r in &rows {
            tested.push(Tested {
                category: r.text(0)?,
                region: r.text(1)?,
                month: u32::try_from(r.int(2)?).unwrap_or(0),
                tested: u32::try_from(r.int(3)?).unwrap_or(0),
                failed: u32::try_from(r.int(4)?).unwrap_or(0),
            });
        }
        Ok(Input { signals, tested })
    }

    /// Runs detection as of an instant — sweeping counterfeit signals first — and raises
    /// or updates warnings. The scheduler and `POST /api/v1/risk/detect` both call this.
    pub async fn run_detection(
        &self,
        as_of: i64,
        thresholds: &Thresholds,
        actor: &str,
    ) -> Result<DetectionSummary, StoreError> {
        self.record_counterfeit_signals().await?;
        let input = self.detection_input(as_of).await?;
        let findings = risk::detect(&input, as_of, thresholds);
        self.apply_findings(as_of, &findings, actor).await
    }

    /// Raises a warning for each finding, or adds its evidence (and a graver level) to
    /// the open warning of the same kind, category and region. One transaction.
    pub async fn apply_findings(
        &self,
        as_of: i64,
        findings: &[Finding],
        actor: &str,
    ) -> Result<DetectionSummary, StoreError> {
        let mut summary = DetectionSummary {
            as_of: rfc3339(as_of),
            findings: findings.len(),
            raised: 0,
            updated: 0,
            raised_ids: Vec::new(),
        };
        if findings.is_empty() {
            return Ok(summary);
        }
        let at = now_ms();
        let mut tx = self.db.begin().await?;
        let mut changes = Vec::new();
        for f in findings {
            let detail = finding_detail(f);
            let open = tx
                .fetch_optional(
                    "SELECT id, level FROM warnings WHERE kind = $1 AND category = $2 AND region = $3 AND status <> 'closed'",
                    params![f.kind.as_str(), f.category.as_str(), f.region.as_str()],
                )
                .await?;
            match open {
                Some(row) => {
                    let id = row.int(0)?;
                    let old = row.text(1)?;
                    let old = Level::parse(&old).ok_or_else(|| corrupt("level", &old))?;
                    let added = add_evidence(&mut tx, id, &f.evidence, at).await?;
                    let graver = f.level < old;
                    if added == 0 && !graver {
                        continue;
                    }
                    let level = if graver { f.level } else { old };
                    tx.execute(
                        "UPDATE warnings SET level = $1, updated_at = $2, detail = $3 WHERE id = $4",
                        params![level.as_str(), as_of, detail.to_string(), id],
                    )
                    .await?;
                    summary.updated += 1;
                    changes.push(Change {
                        actor,
                        action: "warning.update",
                        entity: "warning",
                        entity_id: id.to_string(),
                        enterprise: None,
                        before: Some(serde_json::json!({"level": old})),
                        after: Some(serde_json::json!({"level": level, "evidence_added": added, "finding": detail})),
                    });
                }
                None => {
                    let region = RegionCode::parse(&f.region).map_err(|_| StoreError::Invalid {
                        code: "region_unknown",
                        field: "region",
                        message: format!("finding for unknown region {}", f.region),
                    })?;
                    let owner = ensure_bureau_in(&mut tx, region, actor).await?;
                    let id = tx
                        .fetch_one(
                            "INSERT INTO warnings (kind, level, category, region, raised_at, updated_at, status, owner_id, public, detail) VALUES ($1, $2, $3, $4, $5, $6, 'raised', $7, $8, $9) RETURNING id",
                            params![
                                f.kind.as_str(), f.level.as_str(), f.category.as_str(),
                                f.region.as_str(), as_of, as_of, owner, false, detail.to_string()
                            ],
                        )
                        .await?
                        .int(0)?;
                    add_evidence(&mut tx, id, &f.evidence, at).await?;
                    let note = format!(
                        "{} {} {}: observed {}, expected {:.1}",
                        f.kind.as_str(),
                        f.category,
                        f.region,
                        f.measure.observed,
                        f.measure.expected
                    );
                    tx.execute(
                        "INSERT INTO warning_steps (warning_id, status, note, actor, at) VALUES ($1, 'raised', $2, $3, $4)",
                        params![id, note.as_str(), actor, at],
                    )
                    .await?;
                    let body = serde_json::json!({
                        "event": "warning.raised", "id": id, "kind": f.kind.as_str(),
                        "level": f.level.as_str(), "category": f.category, "region": f.region,
                        "raised_at": rfc3339(as_of), "evidence_count": f.evidence.len(),
                        "url": format!("/console/warnings/{id}"), "finding": detail,
                    });
                    tx.execute(
                        "INSERT INTO notifications (channel, recipient, subject, body, created_at) VALUES ('webhook', $1, $2, $3, $4)",
                        params![
                            f.region.as_str(),
                            format!("风险预警 {}（{}级）{} {}", f.level.as_str(), f.level.numeral(), f.category, f.region),
                            body.to_string(),
                            at
                        ],
                    )
                    .await?;
                    summary.raised += 1;
                    summary.raised_ids.push(id);
                    changes.push(Change {
                        actor,
                        action: "warning.raise",
                        entity: "warning",
                        entity_id: id.to_string(),
                        enterprise: None,
                        before: None,
                        after: Some(body),
                    });
                }
            }
        }
        if !changes.is_empty() {
            audit::append_many(&mut tx, at, changes).await?;
        }
        tx.commit().await?;
        Ok(summary)
    }

    /// Public warnings, newest first (no sign-in needed).
    pub async fn public_warnings(&self, page: Page) -> Result<Paged<Warning>, StoreError> {
        let total = self
            .db
            .fetch_one(
                "SELECT COUNT(*) FROM warnings WHERE public = $1",
                params![true],
            )
            .await?
            .int(0)?;
        let items = self
            .db
            .fetch_all(
                &format!("{SELECT_WARNING} WHERE w.public = $1 ORDER BY w.raised_at DESC, w.id DESC LIMIT $2 OFFSET $3"),
                params![true, page.limit(), page.offset()],
            )
            .await?
            .iter()
            .map(read_warning)
            .collect::<Result<_, _>>()?;
        Ok(Paged { items, total })
    }

    /// One public warning.
    pub async fn public_warning(&self, id: i64) -> Result<Warning, StoreError> {
        let row = self
            .db
            .fetch_optional(
                &format!("{SELECT_WARNING} WHERE w.public = $1 AND w.id = $2"),
                params![true, id],
            )
            .await?
            .ok_or(StoreError::NotFound { entity: "warning" })?;
        read_warning(&row)
    }
}

/// Links signals to a warning; returns how many were new.
async fn add_evidence(
    tx: &mut Tx,
    warning: i64,
    signals: &[i64],
    at: i64,
) -> Result<u64, StoreError> {
    let mut added = 0;
    for s in signals {
        added += tx
            .execute(
                "INSERT INTO warning_evidence (warning_id, signal_id, added_at) VALUES ($1, $2, $3) ON CONFLICT (warning_id, signal_id) DO NOTHING",
                params![warning, *s, at],
            )
            .await?;
    }
    Ok(added)
}

/// Risk in one city (or region) for the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionRisk {
    /// The first four digits of the region codes counted (`1301`); `13` for signals
    /// and warnings of the province itself.
    pub prefix: String,
    /// Open warnings by level: red, orange, yellow, blue.
    pub open: [i64; 4],
    /// Signals in the last 8 weeks.
    pub signals: i64,
}

/// What the risk dashboard shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RiskOverview {
    /// Per city, by prefix.
    pub regions: Vec<RegionRisk>,
    /// Signals a week, oldest first, the last ending at the instant asked for.
    pub weekly: Vec<i64>,
}

impl Scoped<'_> {
    /// The dashboard's figures as of an instant: open warnings and recent signals per
    /// city, and signals a week for `weeks` weeks (bureaus: their subtree).
    pub async fn risk_overview(&self, as_of: i64, weeks: i64) -> Result<RiskOverview, StoreError> {
        let db = &self.store.db;
        let mut w = Where::default();
        self.warning_scope(&mut w)?;
        w.cond("w.status <> 'closed'");
        let mut by: std::collections::BTreeMap<String, RegionRisk> = Default::default();
        let key = |region: &str| {
            let p = region.get(..4).unwrap_or(region);
            if p.ends_with("00") {
                p[..2].to_owned()
            } else {
                p.to_owned()
            }
        };
        for r in db
            .fetch_all(
                &format!(
                    "SELECT w.region, w.level, COUNT(*) FROM warnings w WHERE {} GROUP BY 1, 2",
                    w.sql()
                ),
                &w.values,
            )
            .await?
        {
            let k = key(&r.text(0)?);
            let e = by.entry(k.clone()).or_insert_with(|| RegionRisk {
                prefix: k,
                ..Default::default()
            });
            if let Some(i) =
                Level::parse(&r.text(1)?).and_then(|l| Level::ALL.iter().position(|x| *x == l))
            {
                e.open[i] += r.int(2)?;
            }
        }
        let mut s = Where::default();
        self.warning_scope(&mut s)?;
        let mut s_sql = s
            .sql()
            .replace("w.region", "r.region")
            .replace("w.owner_id", "r.enterprise_id");
        let since = s.arg(as_of.saturating_sub(weeks * WEEK_MS));
        let until = s.arg(as_of);
        s_sql.push_str(&format!(" AND r.at > {since} AND r.at <= {until}"));
        let week = s.arg(WEEK_MS);
        let now = s.arg(as_of);
        let mut weekly = vec![0i64; usize::try_from(weeks.max(0)).unwrap_or(0)];
        for r in db
            .fetch_all(
                &format!("SELECT r.region, CAST(({now} - r.at) / {week} AS BIGINT), COUNT(*) FROM risk_signals r WHERE {s_sql} GROUP BY 1, 2"),
                &s.values,
            )
            .await?
        {
            let back = r.int(1)?;
            let n = r.int(2)?;
            if let Some(slot) = usize::try_from(weeks - 1 - back).ok().and_then(|i| weekly.get_mut(i)) {
                *slot += n;
            }
            if back < 8 {
                let k = key(&r.text(0)?);
                by.entry(k.clone()).or_insert_with(|| RegionRisk { prefix: k, ..Default::default() }).signals += n;
            }
        }
        Ok(RiskOverview {
            regions: by.into_values().collect(),
            weekly,
        })
    }

    /// Bureaus (and admins) see the warnings of their region's subtree.
    fn warning_scope(&self, w: &mut Where) -> Result<(), StoreError> {
        match (self.principal.role, self.scope(Action::Read)) {
            (Role::Admin, _) => Ok(()),
            (Role::Officer | Role::Viewer, scope @ Scope::Region(_)) => {
                w.scope(scope, "w.owner_id", "w.region");
                Ok(())
            }
            _ => Err(StoreError::Forbidden),
        }
    }

    /// The warnings the caller may see, newest first.
    pub async fn warnings(
        &self,
        f: &WarningFilter,
        page: Page,
    ) -> Result<Paged<Warning>, StoreError> {
        let mut w = Where::default();
        self.warning_scope(&mut w)?;
        if let Some(l) = f.level {
            let p = w.arg(l.as_str());
            w.cond(format!("w.level = {p}"));
        }
        if let Some(s) = f.status {
            let p = w.arg(s.as_str());
            w.cond(format!("w.status = {p}"));
        }
        if f.open {
            w.cond("w.status <> 'closed'");
        }
        if let Some(c) = &f.category {
            let p = w.arg(c.as_str());
            w.cond(format!("w.category = {p}"));
        }
        if let Some(k) = f.kind {
            let p = w.arg(k.as_str());
            w.cond(format!("w.kind = {p}"));
        }
        if let Some(r) = f.region {
            w.scope(Scope::Region(r), "w.owner_id", "w.region");
        }
        let db = &self.store.db;
        let total = db
            .fetch_one(
                &format!("SELECT COUNT(*) FROM warnings w WHERE {}", w.sql()),
                &w.values,
            )
            .await?
            .int(0)?;
        let (limit, offset) = (w.arg(page.limit()), w.arg(page.offset()));
        let items = db
            .fetch_all(
                &format!(
                    "{SELECT_WARNING} WHERE {} ORDER BY w.raised_at DESC, w.id DESC LIMIT {limit} OFFSET {offset}",
                    w.sql()
                ),
                &w.values,
            )
            .await?
            .iter()
            .map(read_warning)
            .collect::<Result<_, _>>()?;
        Ok(Paged { items, total })
    }

    async fn visible_warning(&self, id: i64) -> Result<Warning, StoreError> {
        let mut w = Where::default();
        self.warning_scope(&mut w)
            .map_err(|_| StoreError::NotFound { entity: "warning" })?;
        let p = w.arg(id);
        w.cond(format!("w.id = {p}"));
        let row = self
            .store
            .db
            .fetch_optional(&format!("{SELECT_WARNING} WHERE {}", w.sql()), &w.values)
            .await?
            .ok_or(StoreError::NotFound { entity: "warning" })?;
        read_warning(&row)
    }

    /// One warning with its evidence, enterprises and steps.
    pub async fn warning(&self, id: i64) -> Result<WarningDetail, StoreError> {
        let warning = self.visible_warning(id).await?;
        let db = &self.store.db;
        let evidence = db
            .fetch_all(
                &format!("{SELECT_SIGNAL} JOIN warning_evidence e ON e.signal_id = r.id WHERE e.warning_id = $1 ORDER BY r.at DESC, r.id DESC"),
                params![id],
            )
            .await?
            .iter()
            .map(read_signal)
            .collect::<Result<Vec<_>, _>>()?;
        let mut enterprises: Vec<WarningEnterprise> = Vec::new();
        for s in &evidence {
            if let (Some(uscc), Some(name)) = (&s.enterprise, &s.enterprise_name)
                && !enterprises.iter().any(|e| &e.uscc == uscc)
            {
                enterprises.push(WarningEnterprise {
                    uscc: uscc.clone(),
                    name: name.clone(),
                });
            }
        }
        let steps = db
            .fetch_all(
                "SELECT status, note, actor, at FROM warning_steps WHERE warning_id = $1 ORDER BY id",
                params![id],
            )
            .await?
            .iter()
            .map(|r| {
                let s = r.text(0)?;
                Ok(WarningStep {
                    status: WarningStatus::parse(&s).ok_or_else(|| corrupt("status", &s))?,
                    note: r.text(1)?,
                    actor: r.text(2)?,
                    at: rfc3339(r.int(3)?),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(WarningDetail {
            warning,
            evidence,
            enterprises,
            steps,
        })
    }

    fn may_act(&self) -> Result<(), StoreError> {
        match self.principal.role {
            Role::Admin | Role::Officer => Ok(()),
            _ => Err(StoreError::Forbidden),
        }
    }

    /// Moves a warning to the next status of its lifecycle (officers of its region or
    /// above, admins). Out of order: 409 `warning_transition`, nothing changed.
    pub async fn transition_warning(
        &self,
        id: i64,
        to: WarningStatus,
        note: &str,
    ) -> Result<WarningDetail, StoreError> {
        let current = self.visible_warning(id).await?;
        self.may_act()?;
        current
            .status
            .transition(to)
            .map_err(|e| StoreError::Conflict {
                code: "warning_transition",
                field: "to",
                message: e.to_string(),
            })?;
        let at = now_ms();
        let mut tx = self.store.db.begin().await?;
        let changed = tx
            .execute(
                "UPDATE warnings SET status = $1, measures = CASE WHEN $2 THEN $3 ELSE measures END, closed_at = CASE WHEN $4 THEN $5 ELSE closed_at END WHERE id = $6 AND status = $7",
                params![
                    to.as_str(),
                    to == WarningStatus::Measures,
                    note,
                    to == WarningStatus::Closed,
                    at,
                    id,
                    current.status.as_str()
                ],
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::Conflict {
                code: "warning_transition",
                field: "to",
                message: "the warning moved meanwhile; read it again".into(),
            });
        }
        let actor = self.principal.username.as_str();
        tx.execute(
            "INSERT INTO warning_steps (warning_id, status, note, actor, at) VALUES ($1, $2, $3, $4, $5)",
            params![id, to.as_str(), note, actor, at],
        )
        .await?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor,
                action: "warning.transition",
                entity: "warning",
                entity_id: id.to_string(),
                enterprise: None,
                before: Some(serde_json::json!({"status": current.status})),
                after: Some(serde_json::json!({"status": to, "note": note})),
            },
        )
        .await?;
        tx.commit().await?;
        self.warning(id).await
    }

    /// Shows a warning in the public announcements, or takes it out (officers of its
    /// region or above, admins).
    pub async fn publish_warning(&self, id: i64, public: bool) -> Result<Warning, StoreError> {
        let current = self.visible_warning(id).await?;
        self.may_act()?;
        let at = now_ms();
        let mut tx = self.store.db.begin().await?;
        tx.execute(
            "UPDATE warnings SET public = $1 WHERE id = $2",
            params![public, id],
        )
        .await?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor: self.principal.username.as_str(),
                action: if public {
                    "warning.publish"
                } else {
                    "warning.withdraw"
                },
                entity: "warning",
                entity_id: id.to_string(),
                enterprise: None,
                before: Some(serde_json::json!({"public": current.public})),
                after: Some(serde_json::json!({"public": public})),
            },
        )
        .await?;
        tx.commit().await?;
        self.visible_warning(id).await
    }
}
