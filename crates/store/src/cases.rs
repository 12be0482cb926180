//! Law-enforcement cases: opening one from a complaint, a failed sample, a counterfeit
//! signal, a warning or by hand; evidence and steps; transfer and joint investigation;
//! the decision and the closure. Bureaus see the cases of their subtree and those they
//! investigate jointly.

use serde::Serialize;
use zhijian_core::access::{Action, Scope};
use zhijian_core::case::{self, CaseError, CaseMove, CaseStatus, Origin};
use zhijian_core::page::{Page, Paged};
use zhijian_core::region::RegionCode;

use crate::audit::{self, Change};
use crate::db::{Row, Tx};
use crate::linked_files::{self, LinkedFile, Owner};
use crate::{Scoped, StoreError, Where, nearest_bureau, now_ms, params, required_text, rfc3339};

/// A case to open.
#[derive(Debug, Clone)]
pub struct NewCase {
    /// What it is about, in a line.
    pub title: String,
    /// Where it comes from.
    pub origin: Origin,
    /// The originating record's id (not for manual cases).
    pub origin_id: Option<i64>,
    /// The enterprise (credit code), for a manual case or to name one the origin lacks.
    pub enterprise: Option<String>,
    /// The region, for a manual case without an enterprise.
    pub region: Option<RegionCode>,
    /// What is known.
    pub summary: String,
}

/// A case as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseSummary {
    /// Its id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Where it came from.
    pub origin: Origin,
    /// The originating record.
    pub origin_id: Option<i64>,
    /// The enterprise's credit code.
    pub enterprise: Option<String>,
    /// Its name.
    pub enterprise_name: Option<String>,
    /// The region whose bureau owns it.
    pub region: String,
    /// The owner bureau.
    pub owner: String,
    /// Where it is.
    pub status: CaseStatus,
    /// Opened.
    #[schema(format = DateTime)]
    pub opened_at: String,
}

/// A step of a case.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseStep {
    /// `opened`, `note`, `evidence`, `transferred`, `transferred_out`, `joint`, `decided`, `closed`.
    pub kind: String,
    /// Its text.
    pub text: String,
    /// Who.
    pub actor: String,
    /// When.
    #[schema(format = DateTime)]
    pub at: String,
}

/// A piece of evidence.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Evidence {
    /// `complaint`, `sample`, `counterfeit`, `warning`, `batch`, `code` or `document`.
    pub kind: String,
    /// Its key (an id, a code, a document number).
    pub target: String,
    /// A note.
    pub note: Option<String>,
    /// Who added it.
    pub added_by: String,
}

/// A case with everything recorded on it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Case {
    /// The listed fields.
    #[serde(flatten)]
    pub summary: CaseSummary,
    /// What was known when it was opened.
    pub description: String,
    /// Bureaus investigating jointly.
    pub joint: Vec<String>,
    /// A region of another node it was transferred to.
    pub external_region: Option<String>,
    /// Evidence.
    pub evidence: Vec<Evidence>,
    /// The timeline, oldest first.
    pub steps: Vec<CaseStep>,
    /// The decision.
    pub decision: Option<String>,
    /// The fine, in yuan.
    pub fine_yuan: Option<i64>,
    /// The closing report.
    pub closing_report: Option<String>,
    /// Evidence documents and photos, in the order they were added.
    pub files: Vec<LinkedFile>,
}

/// Kinds of evidence.
pub const EVIDENCE_KINDS: [&str; 7] = [
    "complaint",
    "sample",
    "counterfeit",
    "warning",
    "batch",
    "code",
    "document",
];

fn rule(e: CaseError) -> StoreError {
    match e {
        CaseError::Status(_) => StoreError::Conflict {
            code: e.code(),
            field: "status",
            message: e.to_string(),
        },
        CaseError::Fine => StoreError::Invalid {
            code: e.code(),
            field: "fine_yuan",
            message: e.to_string(),
        },
    }
}

const SELECT: &str = "SELECT c.id, c.title, c.origin, c.origin_id, e.uscc, e.name, c.region, b.name, c.status, c.opened_at, \
     c.summary, c.external_region, c.decision, c.fine_yuan, c.closing_report \
     FROM cases c JOIN organisations b ON b.id = c.owner_id LEFT JOIN organisations e ON e.id = c.enterprise_id";

fn read_summary(r: &Row) -> Result<CaseSummary, StoreError> {
    Ok(CaseSummary {
        id: r.int(0)?,
        title: r.text(1)?,
        origin: Origin::parse(&r.text(2)?).unwrap_or(Origin::Manual),
        origin_id: r.opt_int(3)?,
        enterprise: r.opt_text(4)?,
        enterprise_name: r.opt_text(5)?,
        region: r.text(6)?,
        owner: r.text(7)?,
        status: CaseStatus::parse(&r.text(8)?).unwrap_or(CaseStatus::Open),
        opened_at: rfc3339(r.int(9)?),
    })
}

async fn step(
    tx: &mut Tx,
    id: i64,
    kind: &str,
    text: &str,
    actor: &str,
    at: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO case_steps (case_id, kind, text, actor, at) VALUES ($1, $2, $3, $4, $5)",
        params![id, kind, text, actor, at],
    )
    .await?;
    Ok(())
}

impl Scoped<'_> {
    /// The cases the caller may see: its subtree's, and those its subtree's bureaus
    /// investigate jointly.
    fn case_scope(&self, w: &mut Where) {
        match self.principal.scope(Action::HandleCases) {
            Scope::All => {}
            Scope::Region(r) if r.prefix().is_empty() => {}
            Scope::Region(r) => {
                let a = w.arg(format!("{}%", r.prefix()));
                let b = w.arg(format!("{}%", r.prefix()));
                w.cond(format!(
                    "(c.region LIKE {a} OR EXISTS (SELECT 1 FROM case_bureaus cb JOIN organisations jb ON jb.id = cb.bureau_id WHERE cb.case_id = c.id AND jb.region LIKE {b}))"
                ));
            }
            Scope::Organisation(_) | Scope::Nothing => w.cond("1=0"),
        }
    }

    fn may_handle_region(&self, region: RegionCode) -> Result<(), StoreError> {
        match self.principal.scope(Action::HandleCases) {
            Scope::All => Ok(()),
            Scope::Region(r) if r.contains(region) => Ok(()),
            _ => Err(StoreError::Forbidden),
        }
    }

    /// Opens a case. Its enterprise and region come from the origin (a complaint, a
    /// sample's enterprise, a counterfeit signal, a warning's region), else from what the
    /// caller names; the bureau nearest the region going up owns it.
    pub async fn open_case(&self, new: &NewCase) -> Result<Case, StoreError> {
        let title = required_text("title", &new.title, 200)?;
        let summary = required_text("summary", &new.summary, 20_000)?;
        let db = &self.store.db;
        let not_found = |entity| StoreError::NotFound { entity };
        let (mut enterprise, mut region): (Option<i64>, Option<String>) = (None, None);
        match (new.origin, new.origin_id) {
            (Origin::Manual, _) => {}
            (_, None) => {
                return Err(StoreError::Invalid {
                    code: "required",
                    field: "origin_id",
                    message: "name the record the case comes from".into(),
                });
            }
            (Origin::Complaint, Some(id)) => {
                // Through the complaint scope: only a complaint the caller may handle.
                let c = self.complaint(id).await?;
                region = Some(c.region);
                if let Some(uscc) = c.enterprise {
                    enterprise = self.store.organisation_by_uscc(&uscc).await?.map(|o| o.id);
                }
            }
            (Origin::Sample, Some(id)) => {
                let r = db
                    .fetch_optional(
                        "SELECT t.enterprise_id FROM samples s JOIN sampling_tasks t ON t.id = s.task_id WHERE s.id = $1",
                        params![id],
                    )
                    .await?
                    .ok_or(not_found("sample"))?;
                enterprise = Some(r.int(0)?);
            }
            (Origin::Counterfeit, Some(id)) => {
                let r = db
                    .fetch_optional(
                        "SELECT enterprise_id, region FROM counterfeit_signals WHERE id = $1",
                        params![id],
                    )
                    .await?
                    .ok_or(not_found("counterfeit signal"))?;
                enterprise = r.opt_int(0)?;
                region = r.opt_text(1)?;
            }
            (Origin::Warning, Some(id)) => {
                let r = db
                    .fetch_optional("SELECT region FROM warnings WHERE id = $1", params![id])
                    .await?
                    .ok_or(not_found("warning"))?;
                region = Some(r.text(0)?);
            }
        }
        if let Some(uscc) = new
            .enterprise
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            let org = self
                .store
                .organisation_by_uscc(uscc)
                .await?
                .filter(|o| o.kind == zhijian_core::access::OrgKind::Enterprise)
                .ok_or(not_found("enterprise"))?;
            enterprise = Some(org.id);
        }
        if let Some(id) = enterprise {
            region = Some(
                db.fetch_one(
                    "SELECT region FROM organisations WHERE id = $1",
                    params![id],
                )
                .await?
                .text(0)?,
            );
        }
        let region = match region.or_else(|| new.region.map(|r| r.as_str().to_owned())) {
            Some(r) => RegionCode::parse(&r).map_err(|_| StoreError::Invalid {
                code: "region_unknown",
                field: "region",
                message: format!("unknown region {r}"),
            })?,
            None => {
                return Err(StoreError::Invalid {
                    code: "required",
                    field: "region",
                    message: "name the enterprise or the region".into(),
                });
            }
        };
        self.may_handle_region(region)?;
        let at = now_ms();
        let by = self.principal.username.as_str();
        let mut tx = db.begin().await?;
        let (owner, _) = nearest_bureau(&mut tx, region)
            .await?
            .ok_or(StoreError::Invalid {
                code: "no_bureau",
                field: "region",
                message: format!("no bureau is registered at or above {region}"),
            })?;
        let id = tx
            .fetch_one(
                "INSERT INTO cases (title, origin, origin_id, enterprise_id, region, owner_id, status, summary, opened_by, opened_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $9) RETURNING id",
                params![title.as_str(), new.origin.as_str(), new.origin_id, enterprise, region.as_str(), owner, summary.as_str(), by, at],
            )
            .await?
            .int(0)?;
        if let (Some(origin_id), true) = (new.origin_id, new.origin != Origin::Manual) {
            tx.execute(
                "INSERT INTO case_evidence (case_id, kind, target, note, added_by, added_at) VALUES ($1, $2, $3, NULL, $4, $5)",
                params![id, new.origin.as_str(), origin_id.to_string(), by, at],
            )
            .await?;
        }
        step(&mut tx, id, "opened", &summary, by, at).await?;
        self.case_audited(&mut tx, id, "case.open", at).await?;
        tx.commit().await?;
        self.case(id).await
    }

    /// One case the caller may see.
    pub async fn case(&self, id: i64) -> Result<Case, StoreError> {
        let mut w = Where::default();
        let p = w.arg(id);
        w.cond(format!("c.id = {p}"));
        self.case_scope(&mut w);
        let db = &self.store.db;
        let row = db
            .fetch_optional(&format!("{SELECT} WHERE {}", w.sql()), &w.values)
            .await?
            .ok_or(StoreError::NotFound { entity: "case" })?;
        let joint = db
            .fetch_all(
                "SELECT b.name FROM case_bureaus cb JOIN organisations b ON b.id = cb.bureau_id WHERE cb.case_id = $1 ORDER BY cb.added_at",
                params![id],
            )
            .await?
            .iter()
            .map(|r| r.text(0))
            .collect::<Result<_, _>>()?;
        let evidence = db
            .fetch_all(
                "SELECT kind, target, note, added_by FROM case_evidence WHERE case_id = $1 ORDER BY added_at, kind, target",
                params![id],
            )
            .await?
            .iter()
            .map(|r| {
                Ok(Evidence {
                    kind: r.text(0)?,
                    target: r.text(1)?,
                    note: r.opt_text(2)?,
                    added_by: r.text(3)?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let steps = db
            .fetch_all(
                "SELECT kind, text, actor, at FROM case_steps WHERE case_id = $1 ORDER BY id",
                params![id],
            )
            .await?
            .iter()
            .map(|r| {
                Ok(CaseStep {
                    kind: r.text(0)?,
                    text: r.text(1)?,
                    actor: r.text(2)?,
                    at: rfc3339(r.int(3)?),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Case {
            summary: read_summary(&row)?,
            description: row.text(10)?,
            external_region: row.opt_text(11)?,
            decision: row.opt_text(12)?,
            fine_yuan: row.opt_int(13)?,
            closing_report: row.opt_text(14)?,
            files: self.store.linked_files(Owner::Case(id)).await?,
            joint,
            evidence,
            steps,
        })
    }

    /// Adds a checked evidence file (see `zhijian_core::attachment::check`) to an open
    /// or decided case the caller handles; the step names the file.
    pub async fn add_case_file(
        &self,
        id: i64,
        file_name: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Case, StoreError> {
        // Refuse before storing content for a case the caller may not touch.
        self.case(id).await?;
        let up = linked_files::store_content(self.store, file_name, media_type, bytes).await?;
        let by = self.principal.username.clone();
        self.move_case(
            id,
            CaseMove::Record,
            "file",
            file_name,
            Some(Box::new(move |tx, id, at| {
                Box::pin(async move {
                    linked_files::link(tx, Owner::Case(id), &up, &by, at).await?;
                    Ok(())
                })
            })),
        )
        .await
    }

    /// One evidence file of a case the caller may see, and its content.
    pub async fn case_file(&self, id: i64, file: i64) -> Result<(LinkedFile, Vec<u8>), StoreError> {
        self.case(id).await?;
        self.store.linked_file(Owner::Case(id), file).await
    }

    /// The cases the caller may see, newest first; `status` narrows them.
    pub async fn cases(
        &self,
        status: Option<CaseStatus>,
        page: Page,
    ) -> Result<Paged<CaseSummary>, StoreError> {
        let mut w = Where::default();
        self.case_scope(&mut w);
        if let Some(s) = status {
            let p = w.arg(s.as_str());
            w.cond(format!("c.status = {p}"));
        }
        let db = &self.store.db;
        let total = db
            .fetch_one(
                &format!("SELECT COUNT(*) FROM cases c WHERE {}", w.sql()),
                &w.values,
            )
            .await?
            .int(0)?;
        let rows = db
            .fetch_all(
                &format!(
                    "{SELECT} WHERE {} ORDER BY c.id DESC LIMIT {} OFFSET {}",
                    w.sql(),
                    page.limit(),
                    page.offset()
                ),
                &w.values,
            )
            .await?;
        let items = rows.iter().map(read_summary).collect::<Result<_, _>>()?;
        Ok(Paged { items, total })
    }

    /// Records a step on an open or decided case.
    pub async fn record_case_step(&self, id: i64, note: &str) -> Result<Case, StoreError> {
        let note = required_text("text", note, 5_000)?;
        self.move_case(id, CaseMove::Record, "note", &note, None)
            .await
    }

    /// Adds evidence to an open or decided case.
    pub async fn add_evidence(
        &self,
        id: i64,
        kind: &str,
        target: &str,
        note: Option<&str>,
    ) -> Result<Case, StoreError> {
        if !EVIDENCE_KINDS.contains(&kind) {
            return Err(StoreError::Invalid {
                code: "evidence_kind",
                field: "kind",
                message: format!("evidence is one of {}", EVIDENCE_KINDS.join(", ")),
            });
        }
        let target = required_text("target", target, 200)?;
        let note = note
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        let line = format!("{kind} {target}");
        let (kind, by) = (kind.to_owned(), self.principal.username.clone());
        self.move_case(
            id,
            CaseMove::Record,
            "evidence",
            &line,
            Some(Box::new(move |tx, id, at| {
                Box::pin(async move {
                    let n = tx
                        .execute(
                            "INSERT INTO case_evidence (case_id, kind, target, note, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6) \
                             ON CONFLICT DO NOTHING",
                            params![id, kind.as_str(), target.as_str(), note, by.as_str(), at],
                        )
                        .await?;
                    if n == 0 {
                        return Err(StoreError::Conflict {
                            code: "evidence_linked",
                            field: "target",
                            message: "this evidence is already on the case".into(),
                        });
                    }
                    Ok(())
                })
            })),
        )
        .await
    }

    /// Hands an open case to the bureau of `region`, or asks it to investigate jointly.
    /// A region this node has no bureau for is recorded as a transfer to another node.
    pub async fn transfer_case(
        &self,
        id: i64,
        region: RegionCode,
        joint: bool,
    ) -> Result<Case, StoreError> {
        let bureau = self
            .store
            .db
            .fetch_optional(
                "SELECT id, name FROM organisations WHERE kind = 'bureau' AND region = $1",
                params![region.as_str()],
            )
            .await?;
        // A region of a province this node has no bureau in belongs to another node.
        let province = format!("{}%", &region.as_str()[..2]);
        let local = self
            .store
            .db
            .fetch_optional(
                "SELECT 1 FROM organisations WHERE kind = 'bureau' AND region LIKE $1 LIMIT 1",
                params![province.as_str()],
            )
            .await?
            .is_some();
        let (kind, line) = match (&bureau, joint) {
            (Some(b), true) => ("joint", b.text(1)?),
            (Some(b), false) => ("transferred", b.text(1)?),
            (None, false) if !local && zhijian_core::region::lookup(region).is_some() => {
                ("transferred_out", format!("{region}（外省节点）"))
            }
            _ => {
                return Err(StoreError::Invalid {
                    code: "bureau_unknown",
                    field: "region",
                    message: format!("no bureau is registered for region {region}"),
                });
            }
        };
        let to = bureau.as_ref().map(|b| b.int(0)).transpose()?;
        self.move_case(
            id,
            CaseMove::Transfer,
            kind,
            &line,
            Some(Box::new(move |tx, id, at| {
                Box::pin(async move {
                    match (kind, to) {
                        ("joint", Some(b)) => {
                            tx.execute(
                                "INSERT INTO case_bureaus (case_id, bureau_id, added_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                                params![id, b, at],
                            )
                            .await?;
                        }
                        ("transferred", Some(b)) => {
                            tx.execute(
                                "UPDATE cases SET owner_id = $1, region = $2 WHERE id = $3",
                                params![b, region.as_str(), id],
                            )
                            .await?;
                        }
                        _ => {
                            tx.execute(
                                "UPDATE cases SET external_region = $1 WHERE id = $2",
                                params![region.as_str(), id],
                            )
                            .await?;
                        }
                    }
                    Ok(())
                })
            })),
        )
        .await
    }

    /// Decides an open case: the decision's text and the fine (none: no penalty).
    pub async fn decide_case(
        &self,
        id: i64,
        decision: &str,
        fine_yuan: Option<i64>,
    ) -> Result<Case, StoreError> {
        let decision = required_text("decision", decision, 5_000)?;
        let fine = fine_yuan.map(case::fine).transpose().map_err(rule)?;
        let line = match fine {
            Some(f) => format!("{decision}（罚款 {f} 元）"),
            None => decision.clone(),
        };
        self.move_case(
            id,
            CaseMove::Decide,
            "decided",
            &line,
            Some(Box::new(move |tx, id, _| {
                Box::pin(async move {
                    tx.execute(
                        "UPDATE cases SET decision = $1, fine_yuan = $2 WHERE id = $3",
                        params![decision.as_str(), fine, id],
                    )
                    .await?;
                    Ok(())
                })
            })),
        )
        .await
    }

    /// Closes a decided case with its report.
    pub async fn close_case(&self, id: i64, report: &str) -> Result<Case, StoreError> {
        let report = required_text("report", report, 20_000)?;
        let stored = report.clone();
        self.move_case(
            id,
            CaseMove::Close,
            "closed",
            &report,
            Some(Box::new(move |tx, id, _| {
                Box::pin(async move {
                    tx.execute(
                        "UPDATE cases SET closing_report = $1 WHERE id = $2",
                        params![stored.as_str(), id],
                    )
                    .await?;
                    Ok(())
                })
            })),
        )
        .await
    }

    /// Moves a case the caller may handle and records the step.
    async fn move_case(
        &self,
        id: i64,
        m: CaseMove,
        kind: &str,
        line: &str,
        more: Option<CaseWrite>,
    ) -> Result<Case, StoreError> {
        let before = self.case(id).await?;
        if self.principal.scope(Action::HandleCases) == Scope::Nothing {
            return Err(StoreError::Forbidden);
        }
        let next = case::apply(before.summary.status, m).map_err(rule)?;
        let at = now_ms();
        let mut tx = self.store.db.begin().await?;
        let n = tx
            .execute(
                "UPDATE cases SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
                params![next.as_str(), at, id, before.summary.status.as_str()],
            )
            .await?;
        if n == 0 {
            return Err(rule(CaseError::Status("changed")));
        }
        if let Some(more) = more {
            more(&mut tx, id, at).await?;
        }
        step(&mut tx, id, kind, line, &self.principal.username, at).await?;
        self.case_audited(&mut tx, id, "case.step", at).await?;
        tx.commit().await?;
        // A transfer may take the case out of the caller's subtree: what they did stands.
        match self.case(id).await {
            Err(StoreError::NotFound { .. }) => Ok(before),
            other => other,
        }
    }

    async fn case_audited(
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
                actor: &self.principal.username,
                action,
                entity: "case",
                entity_id: id.to_string(),
                enterprise: None,
                before: None,
                after: None,
            },
        )
        .await?;
        Ok(())
    }
}

/// What a move writes besides the status and the step.
type CaseWrite = Box<
    dyn for<'t> FnOnce(
            &'t mut Tx,
            i64,
            i64,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<(), StoreError>> + Send + 't>,
        > + Send,
>;
