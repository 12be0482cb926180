//! Emergency product-safety incidents: opening one (which is also a risk signal of its
//! level's severity), its timeline, links to the records involved, level changes and
//! the closing report. Bureaus handle the incidents of their subtree.

use serde::Serialize;
use zhijian_core::access::{Action, Scope};
use zhijian_core::incident::{self, IncidentError, IncidentLevel, StepKind};
use zhijian_core::page::{Page, Paged};
use zhijian_core::region::RegionCode;

use crate::audit::{self, Change};
use crate::db::{Row, Tx};
use crate::{Scoped, StoreError, Where, now_ms, params, rfc3339};

/// A new incident.
#[derive(Debug, Clone)]
pub struct NewIncident {
    /// What happened, in a line.
    pub title: String,
    /// Its level.
    pub level: IncidentLevel,
    /// Where (the region whose bureau owns it).
    pub region: RegionCode,
    /// The product category, when known.
    pub category: Option<String>,
    /// What is known so far.
    pub summary: String,
}

/// An incident as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IncidentSummary {
    /// Its id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Level.
    pub level: IncidentLevel,
    /// Category.
    pub category: Option<String>,
    /// Region.
    pub region: String,
    /// `open` or `closed`.
    pub status: String,
    /// The owner bureau's name.
    pub owner: String,
    /// When it was opened.
    #[schema(format = DateTime)]
    pub opened_at: String,
    /// When it was closed.
    #[schema(format = DateTime)]
    pub closed_at: Option<String>,
}

/// A step of an incident's timeline.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IncidentStep {
    /// What it records.
    pub kind: StepKind,
    /// Its text.
    pub text: String,
    /// Who.
    pub taken_by: String,
    /// When.
    #[schema(format = DateTime)]
    pub taken_at: String,
}

/// A record linked to an incident.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IncidentLink {
    /// `warning`, `sample`, `batch` or `enterprise`.
    pub kind: String,
    /// Its id (a credit code for enterprises).
    pub target: String,
    /// Who linked it.
    pub added_by: String,
}

/// An incident with its summary, timeline, links and closing report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Incident {
    /// The listed fields.
    #[serde(flatten)]
    pub summary: IncidentSummary,
    /// What was known when it was opened.
    pub description: String,
    /// The timeline, oldest first.
    pub steps: Vec<IncidentStep>,
    /// Linked records.
    pub links: Vec<IncidentLink>,
    /// The closing report.
    pub closing_report: Option<String>,
}

/// What may be linked to an incident.
pub const LINK_KINDS: [&str; 4] = ["warning", "sample", "batch", "enterprise"];

fn rule(e: IncidentError) -> StoreError {
    match e {
        IncidentError::Closed | IncidentError::SameLevel(_) => StoreError::Conflict {
            code: e.code(),
            field: "status",
            message: e.to_string(),
        },
        IncidentError::Text { field, .. } => StoreError::Invalid {
            code: e.code(),
            field,
            message: e.to_string(),
        },
        IncidentError::ReportTooShort(_) => StoreError::Invalid {
            code: e.code(),
            field: "report",
            message: e.to_string(),
        },
    }
}

const SELECT: &str = "SELECT i.id, i.title, i.level, i.category, i.region, i.status, o.name, i.opened_at, i.closed_at, i.summary, i.closing_report FROM incidents i JOIN organisations o ON o.id = i.owner_id";

fn read_summary(r: &Row) -> Result<IncidentSummary, StoreError> {
    Ok(IncidentSummary {
        id: r.int(0)?,
        title: r.text(1)?,
        level: IncidentLevel::parse(&r.text(2)?).unwrap_or(IncidentLevel::IV),
        category: r.opt_text(3)?,
        region: r.text(4)?,
        status: r.text(5)?,
        owner: r.text(6)?,
        opened_at: rfc3339(r.int(7)?),
        closed_at: r.opt_int(8)?.map(rfc3339),
    })
}

impl Scoped<'_> {
    fn may_handle(&self, region: RegionCode) -> Result<(), StoreError> {
        match self.principal.scope(Action::HandleRisk) {
            Scope::All => Ok(()),
            Scope::Region(r) if r.contains(region) => Ok(()),
            _ => Err(StoreError::Forbidden),
        }
    }

    /// Opens an incident in a region the caller's bureau covers; the nearest bureau at
    /// or above the region (county, city, province) owns it. It is recorded as a risk signal (`incident`) of its level's severity.
    pub async fn open_incident(&self, new: &NewIncident) -> Result<Incident, StoreError> {
        let title = incident::text("title", &new.title, 200).map_err(rule)?;
        let summary = incident::text("summary", &new.summary, 20_000).map_err(rule)?;
        if let Some(c) = &new.category
            && zhijian_core::catalogue::category(c).is_none()
        {
            return Err(StoreError::Invalid {
                code: "category",
                field: "category",
                message: format!("unknown category {c}"),
            });
        }
        self.may_handle(new.region)?;
        let at = now_ms();
        let by = self.principal.username.as_str();
        let mut tx = self.store.db.begin().await?;
        // The nearest bureau at or above the region (up to its province; the national
        // bureau only for a national incident) owns it.
        let mut w = Where::default();
        let chain: Vec<String> = std::iter::successors(Some(new.region), |r| r.parent())
            .take_while(|r| *r == new.region || *r != RegionCode::NATIONAL)
            .map(|r| w.arg(r.as_str()))
            .collect();
        let owner = tx
            .fetch_optional(
                &format!(
                    "SELECT id FROM organisations WHERE kind = 'bureau' AND region IN ({}) ORDER BY region DESC LIMIT 1",
                    chain.join(", ")
                ),
                &w.values,
            )
            .await?
            .ok_or_else(|| StoreError::Invalid {
                code: "region",
                field: "region",
                message: format!("no bureau is registered for region {}", new.region),
            })?
            .int(0)?;
        let id = tx
            .fetch_one(
                "INSERT INTO incidents (title, level, category, region, summary, owner_id, opened_by, opened_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                params![title.as_str(), new.level.as_str(), new.category.clone(), new.region.as_str(), summary.as_str(), owner, by, at],
            )
            .await?
            .int(0)?;
        step(&mut tx, id, StepKind::Opened, &summary, by, at).await?;
        tx.execute(
            "INSERT INTO risk_signals (kind, source_id, enterprise_id, category, region, at, severity, detail) VALUES ('incident', $1, NULL, $2, $3, $4, $5, $6)",
            params![id, new.category.clone(), new.region.as_str(), at, new.level.severity(), serde_json::json!({"incident": id, "title": title, "level": new.level.as_str()}).to_string()],
        )
        .await?;
        self.audited(&mut tx, id, "incident.open", at).await?;
        tx.commit().await?;
        self.incident(id).await
    }

    async fn audited(
        &self,
        tx: &mut Tx,
        id: i64,
        action: &'static str,
        at: i64,
    ) -> Result<(), StoreError> {
        audit::append(
            tx,
            at,
            Change {
                actor: self.principal.username.as_str(),
                action,
                entity: "incident",
                entity_id: id.to_string(),
                enterprise: None,
                before: None,
                after: None,
            },
        )
        .await?;
        Ok(())
    }

    /// The incidents of the caller's subtree, newest first (`status`: `open`, `closed`).
    pub async fn incidents(
        &self,
        status: Option<&str>,
        page: Page,
    ) -> Result<Paged<IncidentSummary>, StoreError> {
        let mut w = Where::default();
        match self.principal.scope(Action::ReadRisk) {
            Scope::All => {}
            Scope::Region(r) => w.scope(Scope::Region(r), "i.owner_id", "i.region"),
            _ => w.cond("1=0"),
        }
        if let Some(s) = status {
            let p = w.arg(s);
            w.cond(format!("i.status = {p}"));
        }
        let db = &self.store.db;
        let total = db
            .fetch_one(
                &format!("SELECT COUNT(*) FROM incidents i WHERE {}", w.sql()),
                &w.values,
            )
            .await?
            .int(0)?;
        let (limit, offset) = (w.arg(page.limit()), w.arg(page.offset()));
        let items = db
            .fetch_all(
                &format!(
                    "{SELECT} WHERE {} ORDER BY i.id DESC LIMIT {limit} OFFSET {offset}",
                    w.sql()
                ),
                &w.values,
            )
            .await?
            .iter()
            .map(read_summary)
            .collect::<Result<_, _>>()?;
        Ok(Paged { items, total })
    }

    /// One incident of the caller's subtree.
    pub async fn incident(&self, id: i64) -> Result<Incident, StoreError> {
        let mut w = Where::default();
        let p = w.arg(id);
        w.cond(format!("i.id = {p}"));
        match self.principal.scope(Action::ReadRisk) {
            Scope::All => {}
            Scope::Region(r) => w.scope(Scope::Region(r), "i.owner_id", "i.region"),
            _ => w.cond("1=0"),
        }
        let db = &self.store.db;
        let r = db
            .fetch_optional(&format!("{SELECT} WHERE {}", w.sql()), &w.values)
            .await?
            .ok_or(StoreError::NotFound { entity: "incident" })?;
        let steps = db
            .fetch_all(
                "SELECT kind, text, taken_by, taken_at FROM incident_steps WHERE incident_id = $1 ORDER BY id",
                params![id],
            )
            .await?
            .iter()
            .map(|s| {
                Ok(IncidentStep {
                    kind: StepKind::parse(&s.text(0)?).unwrap_or(StepKind::Update),
                    text: s.text(1)?,
                    taken_by: s.text(2)?,
                    taken_at: rfc3339(s.int(3)?),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let links = db
            .fetch_all(
                "SELECT kind, target, added_by FROM incident_links WHERE incident_id = $1 ORDER BY added_at, kind, target",
                params![id],
            )
            .await?
            .iter()
            .map(|s| {
                Ok(IncidentLink {
                    kind: s.text(0)?,
                    target: s.text(1)?,
                    added_by: s.text(2)?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Incident {
            summary: read_summary(&r)?,
            description: r.text(9)?,
            closing_report: r.opt_text(10)?,
            steps,
            links,
        })
    }

    /// The incident's region and whether it is closed, for a writer who may handle it.
    async fn writable(&self, tx: &mut Tx, id: i64) -> Result<(String, bool), StoreError> {
        let r = tx
            .fetch_optional(
                "SELECT region, status, level FROM incidents WHERE id = $1",
                params![id],
            )
            .await?
            .ok_or(StoreError::NotFound { entity: "incident" })?;
        let region = r.text(0)?;
        let code =
            RegionCode::parse(&region).map_err(|_| StoreError::NotFound { entity: "incident" })?;
        // Outside the caller's reading scope it does not exist; inside, a viewer may not write.
        match self.principal.scope(Action::ReadRisk) {
            Scope::All => {}
            Scope::Region(r) if r.contains(code) => {}
            _ => return Err(StoreError::NotFound { entity: "incident" }),
        }
        self.may_handle(code)?;
        Ok((r.text(2)?, r.text(1)? == "closed"))
    }

    /// Records an update (something learnt) or an action (something done).
    pub async fn record_incident_step(
        &self,
        id: i64,
        kind: StepKind,
        text: &str,
    ) -> Result<Incident, StoreError> {
        if !matches!(kind, StepKind::Update | StepKind::Action) {
            return Err(StoreError::Invalid {
                code: "incident_step",
                field: "kind",
                message: "a step is an update or an action".into(),
            });
        }
        let text = incident::text("text", text, 5_000).map_err(rule)?;
        let mut tx = self.store.db.begin().await?;
        let (_, closed) = self.writable(&mut tx, id).await?;
        incident::may_record(closed).map_err(rule)?;
        let at = now_ms();
        step(&mut tx, id, kind, &text, &self.principal.username, at).await?;
        self.audited(&mut tx, id, "incident.step", at).await?;
        tx.commit().await?;
        self.incident(id).await
    }

    /// Changes the level, saying why.
    pub async fn change_incident_level(
        &self,
        id: i64,
        level: IncidentLevel,
        reason: &str,
    ) -> Result<Incident, StoreError> {
        let reason = incident::text("reason", reason, 2_000).map_err(rule)?;
        let mut tx = self.store.db.begin().await?;
        let (old, closed) = self.writable(&mut tx, id).await?;
        incident::may_record(closed).map_err(rule)?;
        if old == level.as_str() {
            return Err(rule(IncidentError::SameLevel(level.as_str())));
        }
        let at = now_ms();
        tx.execute(
            "UPDATE incidents SET level = $1 WHERE id = $2",
            params![level.as_str(), id],
        )
        .await?;
        tx.execute(
            "UPDATE risk_signals SET severity = $1 WHERE kind = 'incident' AND source_id = $2",
            params![level.severity(), id],
        )
        .await?;
        let text = format!("{old} → {}: {reason}", level.as_str());
        step(
            &mut tx,
            id,
            StepKind::Level,
            &text,
            &self.principal.username,
            at,
        )
        .await?;
        self.audited(&mut tx, id, "incident.level", at).await?;
        tx.commit().await?;
        self.incident(id).await
    }

    /// Links a warning, sample, batch (by id) or enterprise (by credit code) the caller
    /// may read; linking the same record twice changes nothing.
    pub async fn link_incident(
        &self,
        id: i64,
        kind: &str,
        target: &str,
    ) -> Result<Incident, StoreError> {
        let target = target.trim();
        let not_found = || StoreError::Invalid {
            code: "incident_link",
            field: "target",
            message: format!("no {kind} {target} that you may see"),
        };
        let scope = self.principal.scope(Action::Read);
        let mut w = Where::default();
        let query = match kind {
            "enterprise" => {
                let p = w.arg(target);
                w.cond(format!("o.uscc = {p}"));
                w.scope(scope, "o.id", "o.region");
                format!(
                    "SELECT o.id FROM organisations o JOIN enterprises e ON e.id = o.id WHERE {}",
                    w.sql()
                )
            }
            "sample" | "batch" | "warning" => {
                let n: i64 = target.parse().map_err(|_| not_found())?;
                let p = w.arg(n);
                match kind {
                    "sample" => {
                        w.cond(format!("s.id = {p}"));
                        w.scope(scope, "o.id", "o.region");
                        format!(
                            "SELECT s.id FROM samples s JOIN sampling_tasks t ON t.id = s.task_id JOIN organisations o ON o.id = t.enterprise_id WHERE {}",
                            w.sql()
                        )
                    }
                    "batch" => {
                        w.cond(format!("b.id = {p}"));
                        w.scope(scope, "o.id", "o.region");
                        format!(
                            "SELECT b.id FROM batches b JOIN organisations o ON o.id = b.enterprise_id WHERE {}",
                            w.sql()
                        )
                    }
                    _ => {
                        w.cond(format!("x.id = {p}"));
                        if let Scope::Region(r) = self.principal.scope(Action::ReadRisk) {
                            let q = w.arg(format!("{}%", r.prefix()));
                            w.cond(format!("x.region LIKE {q}"));
                        }
                        format!("SELECT x.id FROM warnings x WHERE {}", w.sql())
                    }
                }
            }
            _ => {
                return Err(StoreError::Invalid {
                    code: "incident_link",
                    field: "kind",
                    message: format!("a link is one of {}", LINK_KINDS.join(", ")),
                });
            }
        };
        let mut tx = self.store.db.begin().await?;
        let (_, closed) = self.writable(&mut tx, id).await?;
        incident::may_record(closed).map_err(rule)?;
        if tx.fetch_optional(&query, &w.values).await?.is_none() {
            return Err(not_found());
        }
        let at = now_ms();
        let by = self.principal.username.as_str();
        let added = tx
            .execute(
                "INSERT INTO incident_links (incident_id, kind, target, added_by, added_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                params![id, kind, target, by, at],
            )
            .await?;
        if added > 0 {
            step(
                &mut tx,
                id,
                StepKind::Linked,
                &format!("{kind} {target}"),
                by,
                at,
            )
            .await?;
            self.audited(&mut tx, id, "incident.link", at).await?;
        }
        tx.commit().await?;
        self.incident(id).await
    }

    /// Closes the incident with its report; nothing may be recorded after.
    pub async fn close_incident(&self, id: i64, report: &str) -> Result<Incident, StoreError> {
        let mut tx = self.store.db.begin().await?;
        let (_, closed) = self.writable(&mut tx, id).await?;
        let report = incident::closing_report(closed, report).map_err(rule)?;
        let at = now_ms();
        tx.execute(
            "UPDATE incidents SET status = 'closed', closed_at = $1, closing_report = $2 WHERE id = $3",
            params![at, report.as_str(), id],
        )
        .await?;
        step(
            &mut tx,
            id,
            StepKind::Closed,
            &report,
            &self.principal.username,
            at,
        )
        .await?;
        self.audited(&mut tx, id, "incident.close", at).await?;
        tx.commit().await?;
        self.incident(id).await
    }
}

async fn step(
    tx: &mut Tx,
    id: i64,
    kind: StepKind,
    text: &str,
    by: &str,
    at: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO incident_steps (incident_id, kind, text, taken_by, taken_at) VALUES ($1, $2, $3, $4, $5)",
        params![id, kind.as_str(), text, by, at],
    )
    .await?;
    Ok(())
}
