//! Complaints (12365): filing without an account, following by tracking number, and the
//! bureau's handling — accept or reject within 7 working days, transfer, close with an
//! outcome. A substantiated complaint against a known enterprise becomes a risk signal,
//! which detection and grading read.

use rand::Rng;
use serde::Serialize;
use zhijian_core::access::Action;
use zhijian_core::calendar::Calendar;
use zhijian_core::code::SupervisionCode;
use zhijian_core::complaint::{self, ComplaintError, ComplaintStatus, Move, Outcome};
use zhijian_core::page::{Page, Paged};
use zhijian_core::region::RegionCode;

use crate::audit::{self, Change};
use crate::db::{Row, Tx};
use crate::linked_files::{self, LinkedFile, Owner};
use crate::{Scoped, Store, StoreError, Where, now_ms, params, rfc3339, today};

/// A complaint as filed.
#[derive(Debug, Clone, Default)]
pub struct NewComplaint {
    /// What happened (required).
    pub text: String,
    /// How to reach the complainant (optional; never shown publicly).
    pub contact: Option<String>,
    /// The supervision code on the product, if any.
    pub code: Option<SupervisionCode>,
    /// The enterprise's credit code, if the complainant knows it.
    pub enterprise: Option<String>,
    /// The product as the complainant names it.
    pub product: Option<String>,
    /// The complainant's region, used when no enterprise is known.
    pub region: Option<RegionCode>,
}

/// What a complainant is told when filing.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Filed {
    /// The key to follow the complaint (`GET /api/v1/complaints/track/{it}`).
    pub tracking_number: String,
    /// `received`.
    pub status: ComplaintStatus,
    /// The bureau that handles it.
    pub bureau: String,
    /// The last day it will be accepted or rejected (`YYYY-MM-DD`).
    #[schema(format = Date)]
    pub accept_by: String,
}

/// A step as the complainant sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrackStep {
    /// `received`, `accepted`, `rejected`, `transferred` or `closed`.
    pub kind: String,
    /// What the complainant is told.
    pub note: Option<String>,
    /// When.
    #[schema(format = DateTime)]
    pub at: String,
}

/// What anyone holding the tracking number may see.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Tracked {
    /// The tracking number.
    pub tracking_number: String,
    /// Where it is.
    pub status: ComplaintStatus,
    /// The bureau handling it now.
    pub bureau: String,
    /// When it was filed.
    #[schema(format = DateTime)]
    pub received_at: String,
    /// The acceptance deadline.
    #[schema(format = Date)]
    pub accept_by: String,
    /// The handling deadline, once accepted.
    #[schema(format = Date)]
    pub handle_by: Option<String>,
    /// The outcome, once closed.
    pub outcome: Option<Outcome>,
    /// The bureau's reply, once closed (or its reason for rejecting).
    pub reply: Option<String>,
    /// What happened, oldest first.
    pub steps: Vec<TrackStep>,
    /// How many photos the complainant added.
    pub photos: usize,
}

/// A complaint as a bureau sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Complaint {
    /// Its id.
    pub id: i64,
    /// The tracking number.
    pub tracking_number: String,
    /// What the complainant wrote.
    pub text: String,
    /// How to reach them.
    pub contact: Option<String>,
    /// The code they gave.
    pub code: Option<String>,
    /// The product as they named it.
    pub product_text: Option<String>,
    /// The enterprise (credit code), when known.
    pub enterprise: Option<String>,
    /// Its name.
    pub enterprise_name: Option<String>,
    /// The product's id, when the code named it.
    pub product_id: Option<i64>,
    /// The batch's id, when the code named one.
    pub batch_id: Option<i64>,
    /// The region whose bureau handles it.
    pub region: String,
    /// That bureau's name.
    pub bureau: String,
    /// Where it is.
    pub status: ComplaintStatus,
    /// Filed.
    #[schema(format = DateTime)]
    pub received_at: String,
    /// The acceptance deadline.
    #[schema(format = Date)]
    pub accept_by: String,
    /// The handling deadline.
    #[schema(format = Date)]
    pub handle_by: Option<String>,
    /// Whether a deadline has passed with the complaint still open.
    pub overdue: bool,
    /// Outcome, once closed.
    pub outcome: Option<Outcome>,
    /// Reply or reason given.
    pub reply: Option<String>,
    /// The steps, with who took them.
    pub steps: Vec<ComplaintStep>,
    /// The complainant's photos.
    pub photos: Vec<LinkedFile>,
}

/// A step as a bureau sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComplaintStep {
    /// What it was.
    pub kind: String,
    /// Its note.
    pub note: Option<String>,
    /// Who.
    pub actor: String,
    /// When.
    #[schema(format = DateTime)]
    pub at: String,
}

/// The filters of a bureau's list.
#[derive(Debug, Clone, Copy, Default)]
pub struct ComplaintFilter {
    /// Only in this status.
    pub status: Option<ComplaintStatus>,
    /// Only overdue ones.
    pub overdue: bool,
}

fn rule(e: ComplaintError) -> StoreError {
    match e {
        ComplaintError::Status { .. } => StoreError::Conflict {
            code: e.code(),
            field: "status",
            message: e.to_string(),
        },
        ComplaintError::Text { field, .. } => StoreError::Invalid {
            code: e.code(),
            field,
            message: e.to_string(),
        },
    }
}

fn optional(
    field: &'static str,
    v: Option<&str>,
    max: usize,
) -> Result<Option<String>, StoreError> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => complaint::text(field, t, max).map(Some).map_err(rule),
    }
}

/// The bureau nearest to `region` going up (county, city, province), or the node's top
/// bureau when there is no region or no bureau above it.
async fn owner_for(tx: &mut Tx, region: Option<RegionCode>) -> Result<(i64, String), StoreError> {
    if let Some(region) = region
        && let Some((id, at)) = crate::nearest_bureau(tx, region).await?
    {
        return Ok((id, at.as_str().to_owned()));
    }
    let rows = tx
        .fetch_all(
            "SELECT id, region FROM organisations WHERE kind = 'bureau'",
            &[],
        )
        .await?;
    rows.iter()
        .filter_map(|r| Some((r.int(0).ok()?, RegionCode::parse(&r.text(1).ok()?).ok()?)))
        .min_by_key(|(_, r)| (r.level(), r.as_str().to_owned()))
        .map(|(id, r)| (id, r.as_str().to_owned()))
        .ok_or(StoreError::Invalid {
            code: "no_bureau",
            field: "region",
            message: "this node has no bureau to take complaints".into(),
        })
}

async fn step(
    tx: &mut Tx,
    id: i64,
    kind: &str,
    note: Option<&str>,
    actor: &str,
    at: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO complaint_steps (complaint_id, kind, note, actor, at) VALUES ($1, $2, $3, $4, $5)",
        params![id, kind, note, actor, at],
    )
    .await?;
    Ok(())
}

impl Store {
    /// Files a complaint from anyone. A code names the product, batch and enterprise
    /// (a well-formed code this node never issued is kept as given: it may be a fake).
    pub async fn file_complaint(
        &self,
        new: &NewComplaint,
        calendar: &Calendar,
    ) -> Result<Filed, StoreError> {
        let text = complaint::text("text", &new.text, 5_000).map_err(rule)?;
        let contact = optional("contact", new.contact.as_deref(), 200)?;
        let product_text = optional("product", new.product.as_deref(), 200)?;
        let (mut enterprise, mut product, mut batch) = (None, None, None);
        if let Some(code) = &new.code
            && let Ok(index) = self.code_space()?.decode(code)
        {
            let index = index as i64;
            if let Some(r) = self
                .db
                .fetch_optional(
                    "SELECT sg.enterprise_id, sg.product_id, \
                     (SELECT a.batch_id FROM activations a WHERE a.first_index <= $1 AND $1 < a.first_index + a.quantity LIMIT 1) \
                     FROM code_segments sg WHERE sg.first_index <= $1 AND $1 < sg.first_index + sg.quantity",
                    params![index],
                )
                .await?
            {
                (enterprise, product, batch) = (Some(r.int(0)?), Some(r.int(1)?), r.opt_int(2)?);
            }
        }
        if let Some(uscc) = new
            .enterprise
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            let org =
                self.organisation_by_uscc(uscc)
                    .await?
                    .ok_or_else(|| StoreError::Invalid {
                        code: "enterprise_unknown",
                        field: "enterprise",
                        message: format!("no enterprise has the credit code {uscc}"),
                    })?;
            if enterprise.is_some_and(|e| e != org.id) {
                return Err(StoreError::Invalid {
                    code: "enterprise_code",
                    field: "enterprise",
                    message: "the code belongs to another enterprise".into(),
                });
            }
            enterprise = Some(org.id);
        }
        let enterprise_region = match enterprise {
            Some(id) => self
                .db
                .fetch_one(
                    "SELECT region FROM organisations WHERE id = $1",
                    params![id],
                )
                .await?
                .opt_text(0)?
                .and_then(|r| RegionCode::parse(&r).ok()),
            None => None,
        };
        let at = now_ms();
        let received = today();
        let accept_by = complaint::accept_by(calendar, received);
        let number = complaint::tracking_number(rand::rng().random::<u64>());
        let mut tx = self.db.begin().await?;
        let (owner, region) = owner_for(&mut tx, enterprise_region.or(new.region)).await?;
        let id = tx
            .fetch_one(
                "INSERT INTO complaints (tracking_number, text, contact, code, product_text, enterprise_id, product_id, batch_id, region, owner_id, status, received_at, accept_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'received', $11, $12, $11) RETURNING id",
                params![
                    number.as_str(), text.as_str(), contact, new.code.as_ref().map(|c| c.to_string()), product_text,
                    enterprise, product, batch, region.as_str(), owner, at, accept_by.to_string()
                ],
            )
            .await?
            .int(0)?;
        step(&mut tx, id, "received", None, "public", at).await?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor: "public",
                action: "complaint.file",
                entity: "complaint",
                entity_id: id.to_string(),
                enterprise: None,
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        let bureau = self
            .db
            .fetch_one(
                "SELECT name FROM organisations WHERE id = $1",
                params![owner],
            )
            .await?
            .text(0)?;
        Ok(Filed {
            tracking_number: number,
            status: ComplaintStatus::Received,
            bureau,
            accept_by: accept_by.to_string(),
        })
    }

    /// What the holder of a tracking number may know: status, deadlines, the steps and
    /// the reply; never who handled it or what others wrote. Unknown numbers are not found.
    pub async fn track_complaint(&self, typed: &str) -> Result<Tracked, StoreError> {
        let not_found = StoreError::NotFound {
            entity: "complaint",
        };
        let number = complaint::parse_tracking_number(typed).ok_or(StoreError::NotFound {
            entity: "complaint",
        })?;
        let r = self
            .db
            .fetch_optional(
                "SELECT c.id, c.status, o.name, c.received_at, c.accept_by, c.handle_by, c.outcome, c.reply \
                 FROM complaints c JOIN organisations o ON o.id = c.owner_id WHERE c.tracking_number = $1",
                params![number.as_str()],
            )
            .await?
            .ok_or(not_found)?;
        let steps = self
            .db
            .fetch_all(
                "SELECT kind, note, at FROM complaint_steps WHERE complaint_id = $1 ORDER BY id",
                params![r.int(0)?],
            )
            .await?
            .iter()
            .map(|s| {
                Ok(TrackStep {
                    kind: s.text(0)?,
                    note: s.opt_text(1)?,
                    at: rfc3339(s.int(2)?),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Tracked {
            tracking_number: number,
            status: ComplaintStatus::parse(&r.text(1)?).unwrap_or(ComplaintStatus::Received),
            bureau: r.text(2)?,
            received_at: rfc3339(r.int(3)?),
            accept_by: r.text(4)?,
            handle_by: r.opt_text(5)?,
            outcome: r.opt_text(6)?.as_deref().and_then(Outcome::parse),
            reply: r.opt_text(7)?,
            steps,
            photos: self.linked_files(Owner::Complaint(r.int(0)?)).await?.len(),
        })
    }

    /// Adds a checked photo (see `zhijian_core::attachment::check_photo`) to the complaint
    /// of a tracking number, while it is being handled (received or accepted). Unknown
    /// numbers are not found, as in tracking.
    pub async fn add_complaint_photo(
        &self,
        typed: &str,
        file_name: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<LinkedFile, StoreError> {
        let not_found = || StoreError::NotFound {
            entity: "complaint",
        };
        let number = complaint::parse_tracking_number(typed).ok_or_else(not_found)?;
        let r = self
            .db
            .fetch_optional(
                "SELECT id, status FROM complaints WHERE tracking_number = $1",
                params![number.as_str()],
            )
            .await?
            .ok_or_else(not_found)?;
        let status = ComplaintStatus::parse(&r.text(1)?).unwrap_or(ComplaintStatus::Received);
        if !matches!(
            status,
            ComplaintStatus::Received | ComplaintStatus::Accepted
        ) {
            return Err(StoreError::Conflict {
                code: "complaint_finished",
                field: "file",
                message: "the complaint is finished: photos can no longer be added".into(),
            });
        }
        let up = linked_files::store_content(self, file_name, media_type, bytes).await?;
        let mut tx = self.db.begin().await?;
        let file = linked_files::link(
            &mut tx,
            Owner::Complaint(r.int(0)?),
            &up,
            "complainant",
            now_ms(),
        )
        .await?;
        tx.commit().await?;
        Ok(file)
    }
}

const SELECT: &str = "SELECT c.id, c.tracking_number, c.text, c.contact, c.code, c.product_text, e.uscc, e.name, c.product_id, c.batch_id, \
     c.region, b.name, c.status, c.received_at, c.accept_by, c.handle_by, c.outcome, c.reply \
     FROM complaints c JOIN organisations b ON b.id = c.owner_id LEFT JOIN organisations e ON e.id = c.enterprise_id";

fn read(r: &Row, now: jiff::civil::Date) -> Result<Complaint, StoreError> {
    let status = ComplaintStatus::parse(&r.text(12)?).unwrap_or(ComplaintStatus::Received);
    let accept_by = r.text(14)?;
    let handle_by = r.opt_text(15)?;
    let date = |s: &str| s.parse::<jiff::civil::Date>().ok();
    Ok(Complaint {
        id: r.int(0)?,
        tracking_number: r.text(1)?,
        text: r.text(2)?,
        contact: r.opt_text(3)?,
        code: r.opt_text(4)?,
        product_text: r.opt_text(5)?,
        enterprise: r.opt_text(6)?,
        enterprise_name: r.opt_text(7)?,
        product_id: r.opt_int(8)?,
        batch_id: r.opt_int(9)?,
        region: r.text(10)?,
        bureau: r.text(11)?,
        overdue: date(&accept_by).is_some_and(|a| {
            complaint::overdue(status, a, handle_by.as_deref().and_then(date), now)
        }),
        status,
        received_at: rfc3339(r.int(13)?),
        accept_by,
        handle_by,
        outcome: r.opt_text(16)?.as_deref().and_then(Outcome::parse),
        reply: r.opt_text(17)?,
        steps: Vec::new(),
        photos: Vec::new(),
    })
}

impl Scoped<'_> {
    fn complaint_scope(&self, w: &mut Where) {
        // An enterprise reads the complaints about it once a bureau accepted them, so it
        // can answer and put things right (it never handles them).
        if let (zhijian_core::access::Role::Enterprise, Some(org)) =
            (self.principal.role, self.principal.org_id)
        {
            let p = w.arg(org);
            w.cond(format!(
                "c.enterprise_id = {p} AND c.status IN ('accepted', 'closed')"
            ));
            return;
        }
        w.scope(
            self.principal.scope(Action::HandleComplaints),
            "c.owner_id",
            "c.region",
        );
    }

    /// What the caller may read of a complaint: an enterprise never sees who complained.
    fn redacted(&self, mut c: Complaint) -> Complaint {
        if self.principal.role == zhijian_core::access::Role::Enterprise {
            c.contact = None;
        }
        c
    }

    /// The complaints of the caller's subtree (an enterprise: those about it that a
    /// bureau accepted), newest first.
    pub async fn complaints(
        &self,
        filter: ComplaintFilter,
        page: Page,
    ) -> Result<Paged<Complaint>, StoreError> {
        let mut w = Where::default();
        self.complaint_scope(&mut w);
        if let Some(s) = filter.status {
            let p = w.arg(s.as_str());
            w.cond(format!("c.status = {p}"));
        }
        if filter.overdue {
            let d = w.arg(today().to_string());
            let d2 = w.arg(today().to_string());
            w.cond(format!(
                "((c.status = 'received' AND c.accept_by < {d}) OR (c.status = 'accepted' AND c.handle_by < {d2}))"
            ));
        }
        let db = &self.store.db;
        let total = db
            .fetch_one(
                &format!("SELECT COUNT(*) FROM complaints c WHERE {}", w.sql()),
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
        let now = today();
        let items = rows
            .iter()
            .map(|r| read(r, now).map(|c| self.redacted(c)))
            .collect::<Result<_, _>>()?;
        Ok(Paged { items, total })
    }

    /// One complaint of the caller's subtree (or, for an enterprise, about it), with its
    /// steps.
    pub async fn complaint(&self, id: i64) -> Result<Complaint, StoreError> {
        Ok(self.redacted(self.read_complaint(id, true).await?))
    }

    /// One photo of a complaint the caller handles, and its content.
    pub async fn complaint_photo(
        &self,
        id: i64,
        photo: i64,
    ) -> Result<(LinkedFile, Vec<u8>), StoreError> {
        self.read_complaint(id, true).await?;
        self.store.linked_file(Owner::Complaint(id), photo).await
    }

    /// One complaint with its steps; `scoped`: only if the caller may handle it (after
    /// a transfer out of their subtree they still see what they did).
    async fn read_complaint(&self, id: i64, scoped: bool) -> Result<Complaint, StoreError> {
        let mut w = Where::default();
        let p = w.arg(id);
        w.cond(format!("c.id = {p}"));
        if scoped {
            self.complaint_scope(&mut w);
        }
        let row = self
            .store
            .db
            .fetch_optional(&format!("{SELECT} WHERE {}", w.sql()), &w.values)
            .await?
            .ok_or(StoreError::NotFound {
                entity: "complaint",
            })?;
        let mut c = read(&row, today())?;
        c.steps = self
            .store
            .db
            .fetch_all(
                "SELECT kind, note, actor, at FROM complaint_steps WHERE complaint_id = $1 ORDER BY id",
                params![id],
            )
            .await?
            .iter()
            .map(|s| {
                Ok(ComplaintStep {
                    kind: s.text(0)?,
                    note: s.opt_text(1)?,
                    actor: s.text(2)?,
                    at: rfc3339(s.int(3)?),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        c.photos = self.store.linked_files(Owner::Complaint(id)).await?;
        Ok(c)
    }

    /// Accepts a received complaint; it is to be handled within `handle_days` working days.
    pub async fn accept_complaint(
        &self,
        id: i64,
        note: Option<&str>,
        calendar: &Calendar,
        handle_days: u32,
    ) -> Result<Complaint, StoreError> {
        let handle_by = calendar.add_working_days(today(), handle_days).to_string();
        self.move_complaint(id, Move::Accept, note, |tx, id, at| {
            Box::pin(async move {
                tx.execute(
                    "UPDATE complaints SET handle_by = $1, updated_at = $2 WHERE id = $3",
                    params![handle_by.as_str(), at, id],
                )
                .await?;
                Ok(())
            })
        })
        .await
    }

    /// Declines a received complaint, with the reason the complainant is told.
    pub async fn reject_complaint(&self, id: i64, reason: &str) -> Result<Complaint, StoreError> {
        let reason = complaint::text("reason", reason, 2_000).map_err(rule)?;
        let reply = reason.clone();
        self.move_complaint(id, Move::Reject, Some(&reason), |tx, id, at| {
            Box::pin(async move {
                tx.execute(
                    "UPDATE complaints SET reply = $1, updated_at = $2 WHERE id = $3",
                    params![reply.as_str(), at, id],
                )
                .await?;
                Ok(())
            })
        })
        .await
    }

    /// Hands a complaint to the bureau of another region (which must have one).
    pub async fn transfer_complaint(
        &self,
        id: i64,
        region: RegionCode,
        note: Option<&str>,
    ) -> Result<Complaint, StoreError> {
        let bureau = self
            .store
            .db
            .fetch_optional(
                "SELECT id, name FROM organisations WHERE kind = 'bureau' AND region = $1",
                params![region.as_str()],
            )
            .await?
            .ok_or_else(|| StoreError::Invalid {
                code: "bureau_unknown",
                field: "region",
                message: format!("no bureau is registered for region {region}"),
            })?;
        let (to, name) = (bureau.int(0)?, bureau.text(1)?);
        let note = match note.map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => format!("{name}: {n}"),
            None => name,
        };
        self.move_complaint(id, Move::Transfer, Some(&note), |tx, id, at| {
            Box::pin(async move {
                tx.execute(
                    "UPDATE complaints SET owner_id = $1, region = $2, updated_at = $3 WHERE id = $4",
                    params![to, region.as_str(), at, id],
                )
                .await?;
                Ok(())
            })
        })
        .await
    }

    /// Closes an accepted complaint with its outcome and the reply the complainant reads.
    /// A substantiated complaint against a known enterprise becomes a risk signal.
    pub async fn close_complaint(
        &self,
        id: i64,
        outcome: Outcome,
        reply: &str,
    ) -> Result<Complaint, StoreError> {
        let reply = complaint::text("reply", reply, 5_000).map_err(rule)?;
        let note = reply.clone();
        self.move_complaint(id, Move::Close, Some(&note), |tx, id, at| {
            Box::pin(async move {
                tx.execute(
                    "UPDATE complaints SET outcome = $1, reply = $2, updated_at = $3 WHERE id = $4",
                    params![outcome.as_str(), reply.as_str(), at, id],
                )
                .await?;
                if outcome == Outcome::Substantiated {
                    // The product's category when the code named the product, else the
                    // enterprise's first; no enterprise, no signal (nothing to grade).
                    tx.execute(
                        "INSERT INTO risk_signals (kind, source_id, enterprise_id, category, region, at, severity, detail) \
                         SELECT 'complaint', c.id, c.enterprise_id, \
                           COALESCE((SELECT p.category FROM products p WHERE p.id = c.product_id), \
                                    (SELECT MIN(p.category) FROM products p WHERE p.enterprise_id = c.enterprise_id)), \
                           COALESCE(o.region, c.region), $1, 2, $2 \
                         FROM complaints c LEFT JOIN organisations o ON o.id = c.enterprise_id \
                         WHERE c.id = $3 AND c.enterprise_id IS NOT NULL",
                        params![at, serde_json::json!({"complaint": id}).to_string(), id],
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .await
    }

    /// Moves a complaint the caller may handle, recording the step; `more` writes what
    /// the move changes besides the status.
    async fn move_complaint<F>(
        &self,
        id: i64,
        m: Move,
        note: Option<&str>,
        more: F,
    ) -> Result<Complaint, StoreError>
    where
        F: for<'t> FnOnce(
            &'t mut Tx,
            i64,
            i64,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<(), StoreError>> + Send + 't>,
        >,
    {
        let before = self.complaint(id).await?;
        if self.principal.scope(Action::HandleComplaints) == zhijian_core::access::Scope::Nothing {
            return Err(StoreError::Forbidden);
        }
        let next = complaint::apply(before.status, m).map_err(rule)?;
        let at = now_ms();
        let mut tx = self.store.db.begin().await?;
        let n = tx
            .execute(
                "UPDATE complaints SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
                params![next.as_str(), at, id, before.status.as_str()],
            )
            .await?;
        if n == 0 {
            return Err(rule(ComplaintError::Status {
                status: "changed",
                verb: "moved",
            }));
        }
        more(&mut tx, id, at).await?;
        let kind = match m {
            Move::Accept => "accepted",
            Move::Reject => "rejected",
            Move::Transfer => "transferred",
            Move::Close => "closed",
        };
        step(&mut tx, id, kind, note, &self.principal.username, at).await?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor: &self.principal.username,
                action: &format!("complaint.{kind}"),
                entity: "complaint",
                entity_id: id.to_string(),
                enterprise: before.enterprise.clone(),
                before: Some(serde_json::json!({"status": before.status.as_str()})),
                after: Some(serde_json::json!({"status": next.as_str()})),
            },
        )
        .await?;
        tx.commit().await?;
        self.read_complaint(id, false).await
    }
}
