//! Recalls: starting one (an enterprise's voluntary recall waits for its bureau; a
//! bureau's order is in force at once), bringing it into force — its batches flagged
//! recalled, every place its reach finds told — the parties' acknowledgements, its
//! effectiveness from the flow, and its closure.

use serde::Serialize;
use zhijian_core::access::{Action, Role, Scope};
use zhijian_core::page::{Page, Paged};
use zhijian_core::recall::{self, Effectiveness, RecallError, RecallStatus, RiskClass};
use zhijian_core::region::RegionCode;

use crate::audit::{self, Change};
use crate::db::{Row, Tx};
use crate::trace::{Holder, RecallScope, TracedBatch};
use crate::{Scoped, StoreError, Where, now_ms, params, rfc3339};

/// A recall to start.
#[derive(Debug, Clone)]
pub struct NewRecall {
    /// The maker's credit code, when the caller names it (it must be the product's).
    pub enterprise: Option<String>,
    /// The product, and which of its units: lots, code ranges or production dates.
    pub scope: RecallScope,
    /// Its risk class.
    pub risk_class: RiskClass,
    /// The defect and the hazard it causes.
    pub reason: String,
    /// What holders and consumers are to do (return, repair, replace, refund).
    pub remedy: Option<String>,
    /// How the recall will be carried out (who collects, where, by when).
    pub plan: Option<String>,
    /// Days between progress reports (1–90; default 30).
    pub report_every_days: Option<i64>,
}

/// A progress report of a recall in force, with the figures of its moment.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct RecallReport {
    /// Its id.
    pub id: i64,
    /// What was done since the last report.
    pub text: String,
    /// Units that had left their maker when it was filed.
    pub distributed: f64,
    /// Units recovered by then.
    pub recovered: f64,
    /// `recovered / distributed` then.
    pub rate: f64,
    /// Who filed it.
    pub reported_by: String,
    /// When.
    #[schema(format = DateTime)]
    pub reported_at: String,
}

/// A recall as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecallSummary {
    /// Its id.
    pub id: i64,
    /// The maker's credit code.
    pub enterprise: String,
    /// The maker's name.
    pub enterprise_name: String,
    /// The product's id.
    pub product_id: i64,
    /// The product's name.
    pub product: String,
    /// The lots it covers (every batch in scope).
    pub lots: Vec<String>,
    /// Its risk class.
    pub risk_class: RiskClass,
    /// `voluntary` (its enterprise started it) or `ordered` (a bureau did).
    pub kind: String,
    /// Where it is in its life.
    pub status: RecallStatus,
    /// The defect and hazard.
    pub reason: String,
    /// What to do with the units.
    pub remedy: Option<String>,
    /// The maker's region.
    pub region: String,
    /// When it was started.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When it came into force.
    #[schema(format = DateTime)]
    pub active_since: Option<String>,
    /// When it was closed.
    #[schema(format = DateTime)]
    pub closed_at: Option<String>,
    /// The maker's organisation id.
    #[serde(skip)]
    pub enterprise_id: i64,
}

/// A place told of a recall.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecallParty {
    /// The location (or party) identifier.
    pub location: String,
    /// Its registered name.
    pub name: Option<String>,
    /// maker, distributor, shop, …
    pub kind: Option<String>,
    /// Its region.
    pub region: Option<String>,
    /// Units of the recalled batches it held when it was told.
    pub holding: f64,
    /// When it was told.
    #[schema(format = DateTime)]
    pub notified_at: String,
    /// Who acknowledged for it.
    pub acknowledged_by: Option<String>,
    /// When.
    #[schema(format = DateTime)]
    pub acknowledged_at: Option<String>,
    /// The organisation behind the place, when it is registered with one.
    #[serde(skip)]
    pub organisation_id: Option<i64>,
}

/// A recall with its scope, batches, parties and effectiveness.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Recall {
    /// The listed fields.
    #[serde(flatten)]
    pub summary: RecallSummary,
    /// The scope as it was asked for.
    #[schema(value_type = Object)]
    pub scope: serde_json::Value,
    /// The batches in scope.
    pub batches: Vec<TracedBatch>,
    /// The parties told (empty until it is in force).
    pub parties: Vec<RecallParty>,
    /// Parties that acknowledged.
    pub acknowledged: usize,
    /// How far it has got, from the flow of its batches now.
    pub effectiveness: Effectiveness,
    /// The bureau's closing report.
    pub closing_report: Option<String>,
    /// How it is carried out.
    pub plan: Option<String>,
    /// Days between progress reports.
    pub report_every_days: i64,
    /// Progress reports, oldest first.
    pub reports: Vec<RecallReport>,
    /// When the next report is due, while it is in force.
    #[schema(format = DateTime)]
    pub next_report_due: Option<String>,
    /// Whether that day has passed.
    pub report_overdue: bool,
}

fn rule(e: RecallError) -> StoreError {
    match e {
        RecallError::NotPending(_) | RecallError::NotActive(_) => StoreError::Conflict {
            code: e.code(),
            field: "status",
            message: e.to_string(),
        },
        RecallError::Text { field, .. } => StoreError::Invalid {
            code: e.code(),
            field,
            message: e.to_string(),
        },
        RecallError::Interval(_) => StoreError::Invalid {
            code: e.code(),
            field: "report_every_days",
            message: e.to_string(),
        },
    }
}

const SELECT: &str = "SELECT r.id, o.uscc, o.name, r.product_id, p.name, r.risk_class, r.kind, r.status, r.reason, r.remedy, \
     r.region, r.created_at, r.active_since, r.closed_at, r.scope, r.closing_report, r.enterprise_id, r.plan, r.report_every_days \
     FROM recalls r JOIN organisations o ON o.id = r.enterprise_id JOIN products p ON p.id = r.product_id";

fn read_summary(r: &Row, lots: Vec<String>) -> Result<RecallSummary, StoreError> {
    Ok(RecallSummary {
        id: r.int(0)?,
        enterprise: r.text(1)?,
        enterprise_name: r.text(2)?,
        product_id: r.int(3)?,
        product: r.text(4)?,
        lots,
        risk_class: RiskClass::parse(&r.text(5)?).unwrap_or(RiskClass::III),
        kind: r.text(6)?,
        status: RecallStatus::parse(&r.text(7)?).unwrap_or(RecallStatus::Pending),
        reason: r.text(8)?,
        remedy: r.opt_text(9)?,
        region: r.text(10)?,
        created_at: rfc3339(r.int(11)?),
        active_since: r.opt_int(12)?.map(rfc3339),
        closed_at: r.opt_int(13)?.map(rfc3339),
        enterprise_id: r.int(16)?,
    })
}

/// The scope as stored: what the caller asked for, for the record.
fn scope_json(scope: &RecallScope) -> serde_json::Value {
    serde_json::json!({
        "product_id": scope.product_id,
        "lots": scope.lots,
        "code_ranges": scope.code_ranges.iter().map(|(a, b)| [a.to_string(), b.to_string()]).collect::<Vec<_>>(),
        "produced_from": scope.produced_from,
        "produced_to": scope.produced_to,
    })
}

impl Scoped<'_> {
    /// Starts a recall. By the product's enterprise it is voluntary and waits for a
    /// bureau; by an officer of the maker's region (or an admin) it is ordered and in
    /// force at once. A scope that matches no batch, or a batch already under another
    /// recall, is refused and nothing is recorded.
    pub async fn start_recall(&self, new: &NewRecall) -> Result<Recall, StoreError> {
        let reason = recall::text("reason", &new.reason, 2_000).map_err(rule)?;
        let remedy = match new.remedy.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(r) => Some(recall::text("remedy", r, 2_000).map_err(rule)?),
        };
        let plan = match new.plan.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p) => Some(recall::text("plan", p, 5_000).map_err(rule)?),
        };
        let every = recall::report_interval(new.report_every_days).map_err(rule)?;
        let product = self
            .store
            .db
            .fetch_optional(
                "SELECT p.enterprise_id, o.region, o.uscc FROM products p JOIN organisations o ON o.id = p.enterprise_id WHERE p.id = $1",
                params![new.scope.product_id],
            )
            .await?
            .ok_or(StoreError::NotFound { entity: "product" })?;
        let (enterprise_id, region, uscc) = (product.int(0)?, product.text(1)?, product.text(2)?);
        let region_code = RegionCode::parse(&region).map_err(|_| StoreError::Invalid {
            code: "region",
            field: "enterprise",
            message: format!("the maker's region {region} is unknown"),
        })?;
        if !self.principal.may(Action::Read, enterprise_id, region_code) {
            return Err(StoreError::NotFound { entity: "product" });
        }
        if !self
            .principal
            .may(Action::StartRecall, enterprise_id, region_code)
        {
            return Err(StoreError::Forbidden);
        }
        if let Some(named) = &new.enterprise
            && named.trim() != uscc
        {
            return Err(StoreError::Invalid {
                code: "enterprise_product",
                field: "enterprise",
                message: format!("product {} is not made by {named}", new.scope.product_id),
            });
        }
        let reach = self.recall_reach(&new.scope).await?;
        let ordered = self.principal.role != Role::Enterprise;
        let at = now_ms();
        let mut tx = self.store.db.begin().await?;
        let mut w = Where::default();
        let ps: Vec<String> = reach.batches.iter().map(|b| w.arg(b.id)).collect();
        if let Some(row) = tx
            .fetch_optional(
                &format!(
                    "SELECT rb.recall_id, b.lot FROM recall_batches rb JOIN recalls r ON r.id = rb.recall_id JOIN batches b ON b.id = rb.batch_id \
                     WHERE r.status IN ('pending', 'active') AND rb.batch_id IN ({}) LIMIT 1",
                    ps.join(", ")
                ),
                &w.values,
            )
            .await?
        {
            return Err(StoreError::Conflict {
                code: "batch_under_recall",
                field: "lots",
                message: format!("lot {} is already under recall {}", row.text(1)?, row.int(0)?),
            });
        }
        let id = tx
            .fetch_one(
                "INSERT INTO recalls (enterprise_id, product_id, scope, risk_class, reason, remedy, kind, status, region, created_by, created_at, plan, report_every_days) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10, $11, $12) RETURNING id",
                params![
                    enterprise_id,
                    new.scope.product_id,
                    scope_json(&new.scope).to_string(),
                    new.risk_class.as_str(),
                    reason.as_str(),
                    remedy.clone(),
                    if ordered { "ordered" } else { "voluntary" },
                    region.as_str(),
                    self.principal.username.as_str(),
                    at,
                    plan,
                    every
                ],
            )
            .await?
            .int(0)?;
        let rows: Vec<Vec<crate::db::Value>> = reach
            .batches
            .iter()
            .map(|b| vec![id.into(), b.id.into()])
            .collect();
        tx.insert_rows("INSERT INTO recall_batches (recall_id, batch_id)", 2, &rows)
            .await?;
        self.recall_audited(&mut tx, id, &uscc, "recall.start", at)
            .await?;
        if ordered {
            self.bring_into_force(&mut tx, id, &reach.batches, &reach.holders, at)
                .await?;
        }
        tx.commit().await?;
        self.recall(id).await
    }

    /// A bureau confirms an enterprise's voluntary recall: it comes into force.
    pub async fn confirm_recall(&self, id: i64) -> Result<Recall, StoreError> {
        let before = self.recall(id).await?;
        self.may_decide(&before)?;
        recall::may_confirm(before.summary.status).map_err(rule)?;
        let ids: Vec<i64> = before.batches.iter().map(|b| b.id).collect();
        let (holders, _) = self.store.holders(&ids).await?;
        let at = now_ms();
        let mut tx = self.store.db.begin().await?;
        // Checked again under the write lock: two bureaus may confirm at once.
        let status = tx
            .fetch_one("SELECT status FROM recalls WHERE id = $1", params![id])
            .await?
            .text(0)?;
        recall::may_confirm(RecallStatus::parse(&status).unwrap_or(RecallStatus::Closed))
            .map_err(rule)?;
        tx.execute(
            "UPDATE recalls SET confirmed_by = $1 WHERE id = $2",
            params![self.principal.username.as_str(), id],
        )
        .await?;
        self.bring_into_force(&mut tx, id, &before.batches, &holders, at)
            .await?;
        self.recall_audited(
            &mut tx,
            id,
            &before.summary.enterprise,
            "recall.confirm",
            at,
        )
        .await?;
        tx.commit().await?;
        self.recall(id).await
    }

    /// A party acknowledges a recall: an enterprise for its own locations (all of them
    /// when `location` is absent), an officer of the recall's region for any one.
    pub async fn acknowledge_recall(
        &self,
        id: i64,
        location: Option<&str>,
    ) -> Result<Recall, StoreError> {
        let before = self.recall(id).await?;
        recall::may_act(before.summary.status).map_err(rule)?;
        let mut w = Where::default();
        let p = w.arg(id);
        w.cond(format!("recall_id = {p}"));
        w.cond("acknowledged_at IS NULL");
        if let Some(l) = location {
            let p = w.arg(l.trim());
            w.cond(format!("location = {p}"));
        }
        match self.principal.role {
            Role::Enterprise => {
                let p = w.arg(self.principal.org_id.unwrap_or(-1));
                w.cond(format!("organisation_id = {p}"));
            }
            Role::Officer | Role::Admin => {
                if location.is_none() {
                    return Err(StoreError::Invalid {
                        code: "required",
                        field: "location",
                        message: "name the location you acknowledge for".into(),
                    });
                }
                self.may_decide(&before)?;
            }
            _ => return Err(StoreError::Forbidden),
        }
        let at = now_ms();
        let mut tx = self.store.db.begin().await?;
        let by = w.arg(self.principal.username.as_str());
        let when = w.arg(at);
        let n = tx
            .execute(
                &format!(
                    "UPDATE recall_parties SET acknowledged_by = {by}, acknowledged_at = {when} WHERE {}",
                    w.sql()
                ),
                &w.values,
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Invalid {
                code: "no_party",
                field: "location",
                message: "none of your locations waits to acknowledge this recall".into(),
            });
        }
        self.recall_audited(
            &mut tx,
            id,
            &before.summary.enterprise,
            "recall.acknowledge",
            at,
        )
        .await?;
        tx.commit().await?;
        self.recall(id).await
    }

    /// Files a progress report on a recall in force: its enterprise or a bureau that
    /// may decide it. The report keeps the effectiveness figures of this moment.
    pub async fn report_recall(&self, id: i64, text: &str) -> Result<Recall, StoreError> {
        let text = recall::text("text", text, 5_000).map_err(rule)?;
        let before = self.recall(id).await?;
        let own = self.principal.role == Role::Enterprise
            && self.principal.org_id == Some(before.summary.enterprise_id);
        if !own {
            self.may_decide(&before)?;
        }
        recall::may_act(before.summary.status).map_err(rule)?;
        let e = &before.effectiveness;
        let at = now_ms();
        let mut tx = self.store.db.begin().await?;
        tx.execute(
            "INSERT INTO recall_reports (recall_id, text, distributed, recovered, rate, reported_by, reported_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            params![id, text.as_str(), e.distributed, e.recovered, e.rate, self.principal.username.as_str(), at],
        )
        .await?;
        self.recall_audited(&mut tx, id, &before.summary.enterprise, "recall.report", at)
            .await?;
        tx.commit().await?;
        self.recall(id).await
    }

    /// A bureau closes an active recall with its report; the batches stay recalled.
    pub async fn close_recall(&self, id: i64, report: &str) -> Result<Recall, StoreError> {
        let report = recall::text("report", report, 20_000).map_err(rule)?;
        let before = self.recall(id).await?;
        self.may_decide(&before)?;
        recall::may_act(before.summary.status).map_err(rule)?;
        let at = now_ms();
        let mut tx = self.store.db.begin().await?;
        let n = tx
            .execute(
                "UPDATE recalls SET status = 'closed', closed_by = $1, closed_at = $2, closing_report = $3 WHERE id = $4 AND status = 'active'",
                params![self.principal.username.as_str(), at, report.as_str(), id],
            )
            .await?;
        if n == 0 {
            return Err(rule(RecallError::NotActive("closed")));
        }
        self.recall_audited(&mut tx, id, &before.summary.enterprise, "recall.close", at)
            .await?;
        tx.commit().await?;
        self.recall(id).await
    }

    /// One recall the caller may see: its enterprise's, its region's bureaus', and
    /// the parties it told.
    pub async fn recall(&self, id: i64) -> Result<Recall, StoreError> {
        let mut w = Where::default();
        let p = w.arg(id);
        w.cond(format!("r.id = {p}"));
        self.visible(&mut w);
        let row = self
            .store
            .db
            .fetch_optional(&format!("{SELECT} WHERE {}", w.sql()), &w.values)
            .await?
            .ok_or(StoreError::NotFound { entity: "recall" })?;
        let batches = self.store.recall_batches(id).await?;
        let lots = batches.iter().map(|b| b.lot.clone()).collect();
        let summary = read_summary(&row, lots)?;
        let scope = serde_json::from_str(&row.text(14)?).unwrap_or_default();
        let parties = self
            .store
            .db
            .fetch_all(
                "SELECT location, name, kind, region, holding, notified_at, acknowledged_by, acknowledged_at, organisation_id \
                 FROM recall_parties WHERE recall_id = $1 ORDER BY holding DESC, location",
                params![id],
            )
            .await?
            .iter()
            .map(|r| {
                Ok(RecallParty {
                    location: r.text(0)?,
                    name: r.opt_text(1)?,
                    kind: r.opt_text(2)?,
                    region: r.opt_text(3)?,
                    holding: r.real(4)?,
                    notified_at: rfc3339(r.int(5)?),
                    acknowledged_by: r.opt_text(6)?,
                    acknowledged_at: r.opt_int(7)?.map(rfc3339),
                    organisation_id: r.opt_int(8)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let ids: Vec<i64> = batches.iter().map(|b| b.id).collect();
        let (holders, _) = self.store.holders(&ids).await?;
        let reports = self.store.recall_reports(id).await?;
        let every = row.int(18)?;
        let next_due = match (summary.status, row.opt_int(12)?) {
            (RecallStatus::Active, Some(since)) => Some(recall::next_report_due(
                since,
                reports.last().and_then(|r| {
                    r.reported_at
                        .parse::<jiff::Timestamp>()
                        .ok()
                        .map(|t| t.as_millisecond())
                }),
                every,
            )),
            _ => None,
        };
        Ok(Recall {
            plan: row.opt_text(17)?,
            report_every_days: every,
            reports,
            next_report_due: next_due.map(rfc3339),
            report_overdue: next_due.is_some_and(|d| d < now_ms()),
            acknowledged: parties
                .iter()
                .filter(|p| p.acknowledged_at.is_some())
                .count(),
            effectiveness: effectiveness_of(&holders),
            summary,
            scope,
            batches,
            parties,
            closing_report: row.opt_text(15)?,
        })
    }

    /// The recalls the caller may see, newest first; `status` narrows them.
    pub async fn recalls(
        &self,
        status: Option<RecallStatus>,
        page: Page,
    ) -> Result<Paged<RecallSummary>, StoreError> {
        let mut w = Where::default();
        self.visible(&mut w);
        if let Some(s) = status {
            let p = w.arg(s.as_str());
            w.cond(format!("r.status = {p}"));
        }
        let db = &self.store.db;
        let total = db
            .fetch_one(
                &format!(
                    "SELECT COUNT(*) FROM recalls r JOIN organisations o ON o.id = r.enterprise_id WHERE {}",
                    w.sql()
                ),
                &w.values,
            )
            .await?
            .int(0)?;
        let rows = db
            .fetch_all(
                &format!(
                    "{SELECT} WHERE {} ORDER BY r.id DESC LIMIT {} OFFSET {}",
                    w.sql(),
                    page.limit(),
                    page.offset()
                ),
                &w.values,
            )
            .await?;
        let items = self.store.summaries(&rows).await?;
        Ok(Paged { items, total })
    }

    /// Restricts recalls to those the caller may see.
    fn visible(&self, w: &mut Where) {
        match self.principal.scope(Action::StartRecall) {
            // An enterprise sees its own recalls and those that told one of its places.
            Scope::Organisation(org) => {
                let a = w.arg(org);
                let b = w.arg(org);
                w.cond(format!(
                    "(r.enterprise_id = {a} OR EXISTS (SELECT 1 FROM recall_parties rp WHERE rp.recall_id = r.id AND rp.organisation_id = {b}))"
                ));
            }
            other => w.scope(other, "r.enterprise_id", "r.region"),
        }
    }

    fn may_decide(&self, r: &Recall) -> Result<(), StoreError> {
        let region = RegionCode::parse(&r.summary.region).map_err(|_| StoreError::Forbidden)?;
        match self.principal.scope(Action::DecideRecall) {
            Scope::All => Ok(()),
            Scope::Region(mine) if mine.contains(region) => Ok(()),
            _ => Err(StoreError::Forbidden),
        }
    }

    /// Flags the batches recalled and tells every place the reach found.
    async fn bring_into_force(
        &self,
        tx: &mut Tx,
        id: i64,
        batches: &[TracedBatch],
        holders: &[Holder],
        at: i64,
    ) -> Result<(), StoreError> {
        tx.execute(
            "UPDATE recalls SET status = 'active', active_since = $1 WHERE id = $2",
            params![at, id],
        )
        .await?;
        let reason = format!("召回 {id}");
        for b in batches.iter().filter(|b| b.status == "active") {
            tx.execute(
                "UPDATE batches SET status = 'recalled', status_reason = $1, updated_at = $2 WHERE id = $3",
                params![reason.as_str(), at, b.id],
            )
            .await?;
            audit::append(
                tx,
                at,
                Change {
                    actor: &self.principal.username,
                    action: "batch.recalled",
                    entity: "batch",
                    entity_id: b.id.to_string(),
                    enterprise: b.maker_uscc.clone(),
                    before: Some(serde_json::json!({"status": b.status})),
                    after: Some(serde_json::json!({"status": "recalled", "recall": id})),
                },
            )
            .await?;
        }
        // The organisations behind the places, so each sees the recall in its console.
        let mut owners = std::collections::HashMap::new();
        for chunk in holders.chunks(200) {
            let mut w = Where::default();
            let ps: Vec<String> = chunk.iter().map(|h| w.arg(h.location.as_str())).collect();
            for r in tx
                .fetch_all(
                    &format!(
                        "SELECT identifier, organisation_id FROM gs1_locations WHERE identifier IN ({}) AND organisation_id IS NOT NULL",
                        ps.join(", ")
                    ),
                    &w.values,
                )
                .await?
            {
                owners.insert(r.text(0)?, r.int(1)?);
            }
        }
        let head = self
            .store
            .db
            .fetch_one(
                "SELECT r.risk_class, p.name, o.name, r.remedy FROM recalls r JOIN products p ON p.id = r.product_id \
                 JOIN organisations o ON o.id = r.enterprise_id WHERE r.id = $1",
                params![id],
            )
            .await
            .ok();
        let subject = match &head {
            Some(h) => format!(
                "产品召回（{}级）{} {}",
                h.text(0).unwrap_or_default(),
                h.text(2).unwrap_or_default(),
                h.text(1).unwrap_or_default()
            ),
            None => format!("产品召回 {id}"),
        };
        let lots: Vec<&str> = batches.iter().map(|b| b.lot.as_str()).collect();
        let mut parties = Vec::with_capacity(holders.len());
        let mut messages = Vec::with_capacity(holders.len());
        for h in holders {
            parties.push(vec![
                id.into(),
                h.location.as_str().into(),
                h.name.as_deref().into(),
                h.kind.as_deref().into(),
                h.region.as_deref().into(),
                owners.get(&h.location).copied().into(),
                h.holding.into(),
                at.into(),
            ]);
            let body = serde_json::json!({
                "event": "recall.notice", "recall": id, "location": h.location,
                "lots": lots, "holding": h.holding,
                "url": format!("/console/recalls/{id}"),
            });
            messages.push(vec![
                "webhook".into(),
                h.location.as_str().into(),
                subject.as_str().into(),
                body.to_string().into(),
                at.into(),
            ]);
        }
        tx.insert_rows(
            "INSERT INTO recall_parties (recall_id, location, name, kind, region, organisation_id, holding, notified_at)",
            8,
            &parties,
        )
        .await?;
        tx.insert_rows(
            "INSERT INTO notifications (channel, recipient, subject, body, created_at)",
            5,
            &messages,
        )
        .await?;
        Ok(())
    }

    async fn recall_audited(
        &self,
        tx: &mut Tx,
        id: i64,
        enterprise: &str,
        action: &'static str,
        at: i64,
    ) -> Result<(), StoreError> {
        audit::append(
            tx,
            at,
            Change {
                actor: self.principal.username.as_str(),
                action,
                entity: "recall",
                entity_id: id.to_string(),
                enterprise: Some(enterprise.to_owned()),
                before: None,
                after: None,
            },
        )
        .await?;
        Ok(())
    }
}

impl crate::Store {
    /// Recalls in force or closed, newest first, as the public sees them (pending ones
    /// are not public until a bureau confirms them), narrowed by `filter`.
    pub async fn public_recalls(
        &self,
        filter: &crate::portal::PublicFilter,
        page: Page,
    ) -> Result<Paged<RecallSummary>, StoreError> {
        let mut w = Where::default();
        w.cond("r.status IN ('active', 'closed')");
        filter.apply(
            &mut w,
            &["o.name", "o.uscc", "p.name", "r.reason"],
            "o.uscc",
        );
        let total = self
            .db
            .fetch_one(
                &format!(
                    "SELECT COUNT(*) FROM recalls r JOIN organisations o ON o.id = r.enterprise_id JOIN products p ON p.id = r.product_id WHERE {}",
                    w.sql()
                ),
                &w.values,
            )
            .await?
            .int(0)?;
        let rows = self
            .db
            .fetch_all(
                &format!(
                    "{SELECT} WHERE {} ORDER BY r.active_since DESC, r.id DESC LIMIT {} OFFSET {}",
                    w.sql(),
                    page.limit(),
                    page.offset()
                ),
                &w.values,
            )
            .await?;
        let items = self.summaries(&rows).await?;
        Ok(Paged { items, total })
    }

    /// One public recall (in force or closed).
    pub async fn public_recall(&self, id: i64) -> Result<RecallSummary, StoreError> {
        let row = self
            .db
            .fetch_optional(
                &format!("{SELECT} WHERE r.id = $1 AND r.status IN ('active', 'closed')"),
                params![id],
            )
            .await?
            .ok_or(StoreError::NotFound { entity: "recall" })?;
        let lots = self
            .recall_batches(id)
            .await?
            .into_iter()
            .map(|b| b.lot)
            .collect();
        read_summary(&row, lots)
    }

    /// Listed recalls with their lots, read in one query for the whole page.
    async fn summaries(&self, rows: &[Row]) -> Result<Vec<RecallSummary>, StoreError> {
        let mut lots: std::collections::HashMap<i64, Vec<String>> = Default::default();
        if !rows.is_empty() {
            let mut w = Where::default();
            let ps = rows
                .iter()
                .map(|r| Ok(w.arg(r.int(0)?)))
                .collect::<Result<Vec<_>, StoreError>>()?;
            for r in self
                .db
                .fetch_all(
                    &format!(
                        "SELECT rb.recall_id, b.lot FROM recall_batches rb JOIN batches b ON b.id = rb.batch_id \
                         WHERE rb.recall_id IN ({}) ORDER BY b.production_date, b.lot",
                        ps.join(", ")
                    ),
                    &w.values,
                )
                .await?
            {
                lots.entry(r.int(0)?).or_default().push(r.text(1)?);
            }
        }
        rows.iter()
            .map(|r| read_summary(r, lots.remove(&r.int(0)?).unwrap_or_default()))
            .collect()
    }

    /// A recall's progress reports, oldest first.
    pub async fn recall_reports(&self, id: i64) -> Result<Vec<RecallReport>, StoreError> {
        self.db
            .fetch_all(
                "SELECT id, text, distributed, recovered, rate, reported_by, reported_at FROM recall_reports WHERE recall_id = $1 ORDER BY id",
                params![id],
            )
            .await?
            .iter()
            .map(|r| {
                Ok(RecallReport {
                    id: r.int(0)?,
                    text: r.text(1)?,
                    distributed: r.real(2)?,
                    recovered: r.real(3)?,
                    rate: r.real(4)?,
                    reported_by: r.text(5)?,
                    reported_at: rfc3339(r.int(6)?),
                })
            })
            .collect()
    }

    /// The batches a recall covers.
    async fn recall_batches(&self, id: i64) -> Result<Vec<TracedBatch>, StoreError> {
        self.db
            .fetch_all(
                &format!(
                    "{} JOIN recall_batches rb ON rb.batch_id = b.id WHERE rb.recall_id = $1 ORDER BY b.production_date, b.lot",
                    crate::trace::BATCH_SELECT
                ),
                params![id],
            )
            .await?
            .iter()
            .map(crate::trace::read_batch)
            .collect()
    }

    /// The recall in force over the batch a code belongs to, for the verification page.
    pub async fn recall_of_batch(&self, batch_id: i64) -> Result<Option<RecallNotice>, StoreError> {
        let row = self
            .db
            .fetch_optional(
                "SELECT r.id, r.risk_class, r.reason, r.remedy, r.active_since FROM recall_batches rb JOIN recalls r ON r.id = rb.recall_id \
                 WHERE rb.batch_id = $1 AND r.status IN ('active', 'closed') ORDER BY r.id DESC LIMIT 1",
                params![batch_id],
            )
            .await?;
        row.map(|r| {
            Ok(RecallNotice {
                id: r.int(0)?,
                risk_class: RiskClass::parse(&r.text(1)?).unwrap_or(RiskClass::III),
                reason: r.text(2)?,
                remedy: r.opt_text(3)?,
                active_since: r.opt_int(4)?.map(rfc3339),
            })
        })
        .transpose()
    }
}

/// What a consumer is told about the recall of a product they verified.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecallNotice {
    /// The recall's id.
    pub id: i64,
    /// Its risk class.
    pub risk_class: RiskClass,
    /// The defect and hazard.
    pub reason: String,
    /// What to do.
    pub remedy: Option<String>,
    /// Since when.
    #[schema(format = DateTime)]
    pub active_since: Option<String>,
}

/// A recall's effectiveness from the places its units reached: what left the makers
/// (their shipments), what was sold, what came back (returned to a maker) or was taken
/// out of trade (decommissioned, destroyed), and what is still in trade.
fn effectiveness_of(holders: &[Holder]) -> Effectiveness {
    let (mut distributed, mut sold, mut recovered, mut in_trade) = (0.0, 0.0, 0.0, 0.0);
    for h in holders {
        sold += h.sold;
        recovered += h.decommissioned;
        if h.produced > 0.0 {
            distributed += h.shipped;
            recovered += h.received;
        } else {
            // A place's holding counts what is on its way to it.
            in_trade += h.holding;
        }
    }
    recall::effectiveness(distributed, sold, recovered, in_trade)
}
