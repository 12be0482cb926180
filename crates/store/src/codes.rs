//! Supervision codes from application to activation: applications, segments (ranges of
//! code indices, no row per code), print jobs, batches and activations.

use std::sync::Arc;

use serde::Serialize;
use zhijian_core::access::{Action, Role};
use zhijian_core::code::list::IndexRange;
use zhijian_core::code::{CodeSpace, SupervisionCode};
use zhijian_core::filing::FilingStatus;
use zhijian_core::page::{Page, Paged};

use crate::audit::{self, Change};
use crate::db::{Engine, Row, Tx, Value};
use crate::organisations::{SELECT_ORG, read_org};
use crate::{Scoped, Store, StoreError, Where, now_ms, params, rfc3339};

/// Limits on how many codes an enterprise may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeLimits {
    /// At most this many codes in one application.
    pub per_application: i64,
    /// At most this many codes applied for by one enterprise in one day (UTC+8).
    pub per_day: i64,
    /// Applications of at most this many codes, from an enterprise in good standing,
    /// are approved at once (0: every application waits for the bureau).
    pub auto_approve_up_to: i64,
}

impl Default for CodeLimits {
    fn default() -> Self {
        CodeLimits {
            per_application: 10_000_000,
            per_day: 100_000_000,
            auto_approve_up_to: 0,
        }
    }
}

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Waiting for the bureau.
    Pending,
    /// Approved: a segment was allocated.
    Approved,
    /// Refused, with a reason.
    Refused,
}

impl ApplicationStatus {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Pending => "pending",
            ApplicationStatus::Approved => "approved",
            ApplicationStatus::Refused => "refused",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<ApplicationStatus> {
        [
            ApplicationStatus::Pending,
            ApplicationStatus::Approved,
            ApplicationStatus::Refused,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// A block of codes allocated to one enterprise and product.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Segment {
    /// Its id.
    pub id: i64,
    /// The application it answers.
    pub application_id: i64,
    /// The owning enterprise's credit code.
    pub enterprise: String,
    /// The product the codes are for.
    pub product_id: i64,
    /// The index of its first code in the node's code space.
    pub first_index: i64,
    /// How many codes.
    pub quantity: i64,
    /// Its first code: only for whoever may take the segment's codes (the owning
    /// enterprise; the CLI), absent for everyone else.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_code: Option<String>,
    /// Its last code, shown on the same terms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_code: Option<String>,
    /// When it was allocated.
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// An enterprise's request for codes.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct CodeApplication {
    /// Its id.
    pub id: i64,
    /// The applying enterprise's credit code.
    pub enterprise: String,
    /// Its name.
    pub enterprise_name: String,
    /// The product.
    pub product_id: i64,
    /// The product's name.
    pub product_name: String,
    /// How many codes.
    pub quantity: i64,
    /// Where it stands.
    pub status: ApplicationStatus,
    /// The applicant's note.
    pub note: Option<String>,
    /// Why it was refused.
    pub reason: Option<String>,
    /// Who applied.
    pub applied_by: String,
    /// When.
    #[schema(format = DateTime)]
    pub applied_at: String,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When.
    #[schema(format = DateTime)]
    pub decided_at: Option<String>,
    /// The allocated segment, once approved.
    pub segment: Option<Segment>,
}

/// Codes handed to a printer.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct PrintJob {
    /// Its id.
    pub id: i64,
    /// The segment the codes come from.
    pub segment_id: i64,
    /// The owning enterprise's credit code.
    pub enterprise: String,
    /// The printer's credit code.
    pub printer: String,
    /// The printer's name.
    pub printer_name: String,
    /// The first code's index.
    pub first_index: i64,
    /// How many codes.
    pub quantity: i64,
    /// `assigned` or `confirmed`.
    pub status: String,
    /// How many labels were printed (after confirmation).
    pub printed: Option<i64>,
    /// How many were spoiled.
    pub spoiled: Option<i64>,
    /// How often the code file was downloaded.
    pub downloads: i64,
    /// When it was assigned.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When the printer confirmed.
    #[schema(format = DateTime)]
    pub confirmed_at: Option<String>,
}

/// A production batch codes are activated on.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Batch {
    /// Its id.
    pub id: i64,
    /// The maker's credit code.
    pub enterprise: String,
    /// The product.
    pub product_id: i64,
    /// Lot number.
    pub lot: String,
    /// Production date.
    #[schema(format = Date)]
    pub production_date: String,
    /// Expiry date.
    #[schema(format = Date)]
    pub expiry_date: Option<String>,
    /// The factory inspection report number.
    pub inspection_report: Option<String>,
    /// `active`, `recalled` or `decommissioned`.
    pub status: String,
    /// Why it was recalled or decommissioned.
    pub status_reason: Option<String>,
    /// How many codes are activated on it.
    pub activated: i64,
    /// When it was created.
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// Batch data given with an activation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBatch {
    /// Lot number.
    pub lot: String,
    /// Production date.
    pub production_date: jiff::civil::Date,
    /// Expiry date.
    pub expiry_date: Option<jiff::civil::Date>,
    /// Factory inspection report number.
    pub inspection_report: Option<String>,
}

/// What an activation did.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Activation {
    /// The batch.
    pub batch: Batch,
    /// How many codes were activated now.
    pub activated: i64,
    /// The index ranges stored.
    pub ranges: i64,
}

/// A batch's new standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchFlag {
    /// Recalled.
    Recalled,
    /// Taken out of circulation.
    Decommissioned,
}

impl BatchFlag {
    fn as_str(self) -> &'static str {
        match self {
            BatchFlag::Recalled => "recalled",
            BatchFlag::Decommissioned => "decommissioned",
        }
    }
}

/// How many offending codes an error names at most.
const NAMED: usize = 20;

fn refused(
    code: &'static str,
    field: &'static str,
    message: String,
    codes: Vec<String>,
) -> StoreError {
    StoreError::Rejected {
        code,
        field,
        message,
        codes,
    }
}

const SELECT_APPLICATION: &str = "SELECT a.id, o.uscc, o.name, a.product_id, p.name, a.quantity, a.status, a.note, a.reason, a.applied_by, a.applied_at, a.decided_by, a.decided_at, o.region, a.enterprise_id FROM code_applications a JOIN organisations o ON o.id = a.enterprise_id JOIN products p ON p.id = a.product_id";

fn read_application(r: &Row) -> Result<CodeApplication, StoreError> {
    Ok(CodeApplication {
        id: r.int(0)?,
        enterprise: r.text(1)?,
        enterprise_name: r.text(2)?,
        product_id: r.int(3)?,
        product_name: r.text(4)?,
        quantity: r.int(5)?,
        status: ApplicationStatus::parse(&r.text(6)?).unwrap_or(ApplicationStatus::Pending),
        note: r.opt_text(7)?,
        reason: r.opt_text(8)?,
        applied_by: r.text(9)?,
        applied_at: rfc3339(r.int(10)?),
        decided_by: r.opt_text(11)?,
        decided_at: r.opt_int(12)?.map(rfc3339),
        segment: None,
    })
}

const SELECT_SEGMENT: &str = "SELECT s.id, s.application_id, o.uscc, s.product_id, s.first_index, s.quantity, s.created_at, s.enterprise_id, o.region FROM code_segments s JOIN organisations o ON o.id = s.enterprise_id";

const SELECT_JOB: &str = "SELECT j.id, j.segment_id, o.uscc, pr.uscc, pr.name, j.first_index, j.quantity, j.status, j.printed, j.spoiled, j.downloads, j.created_at, j.confirmed_at, j.printer_id, s.enterprise_id, o.region FROM print_jobs j JOIN code_segments s ON s.id = j.segment_id JOIN organisations o ON o.id = s.enterprise_id JOIN organisations pr ON pr.id = j.printer_id";

fn read_job(r: &Row) -> Result<PrintJob, StoreError> {
    Ok(PrintJob {
        id: r.int(0)?,
        segment_id: r.int(1)?,
        enterprise: r.text(2)?,
        printer: r.text(3)?,
        printer_name: r.text(4)?,
        first_index: r.int(5)?,
        quantity: r.int(6)?,
        status: r.text(7)?,
        printed: r.opt_int(8)?,
        spoiled: r.opt_int(9)?,
        downloads: r.int(10)?,
        created_at: rfc3339(r.int(11)?),
        confirmed_at: r.opt_int(12)?.map(rfc3339),
    })
}

const SELECT_BATCH: &str = "SELECT b.id, o.uscc, b.product_id, b.lot, b.production_date, b.expiry_date, b.inspection_report, b.status, b.status_reason, b.created_at, (SELECT CAST(COALESCE(SUM(a.quantity), 0) AS BIGINT) FROM activations a WHERE a.batch_id = b.id), b.enterprise_id, o.region FROM batches b JOIN organisations o ON o.id = b.enterprise_id";

fn read_batch(r: &Row) -> Result<Batch, StoreError> {
    Ok(Batch {
        id: r.int(0)?,
        enterprise: r.text(1)?,
        product_id: r.int(2)?,
        lot: r.text(3)?,
        production_date: r.text(4)?,
        expiry_date: r.opt_text(5)?,
        inspection_report: r.opt_text(6)?,
        status: r.text(7)?,
        status_reason: r.opt_text(8)?,
        created_at: rfc3339(r.int(9)?),
        activated: r.int(10)?,
    })
}

/// Milliseconds at the start of the day (China Standard Time) that `ms` falls in.
fn day_start_ms(ms: i64) -> i64 {
    const DAY: i64 = 86_400_000;
    const UTC8: i64 = 8 * 3_600_000;
    (ms + UTC8).div_euclid(DAY) * DAY - UTC8
}

impl Store {
    /// Installs the node's code space (its node code and key); code operations need it.
    pub fn install_code_space(&self, space: CodeSpace) {
        // A second call (tests that reopen) keeps the first space: the key never changes
        // while a node runs.
        let _ = self.code_space.set(Arc::new(space));
    }

    /// The node's code space, or an error when no key was installed.
    pub fn code_space(&self) -> Result<&CodeSpace, StoreError> {
        self.code_space
            .get()
            .map(|s| &**s)
            .ok_or(StoreError::Invalid {
                code: "code_key_missing",
                field: "code",
                message: "this node has no code key configured".into(),
            })
    }

    /// The node code this database belongs to, recording `configured` (or `00`) on
    /// first use; a different configured code later is refused (the codes already
    /// issued would no longer verify).
    pub async fn claim_node_code(&self, configured: Option<&str>) -> Result<String, StoreError> {
        let mut tx = self.db.begin().await?;
        let found = tx
            .fetch_optional(
                "SELECT value FROM node_settings WHERE name = 'node_code'",
                params![],
            )
            .await?;
        let node = match found {
            Some(r) => r.text(0)?,
            None => {
                let chosen = configured.unwrap_or("00");
                zhijian_core::code::NodeCode::parse(chosen).map_err(|e| StoreError::Invalid {
                    code: e.code(),
                    field: "node_code",
                    message: e.to_string(),
                })?;
                tx.execute(
                    "INSERT INTO node_settings (name, value) VALUES ('node_code', $1)",
                    params![chosen],
                )
                .await?;
                chosen.to_owned()
            }
        };
        tx.commit().await?;
        if let Some(configured) = configured
            && node != configured
        {
            return Err(StoreError::Invalid {
                code: "node_code_mismatch",
                field: "node_code",
                message: format!(
                    "this database belongs to node {node}, not {configured}: codes it issued would stop verifying"
                ),
            });
        }
        Ok(node)
    }

    fn segment_from(&self, r: &Row) -> Result<Segment, StoreError> {
        let space = self.code_space()?;
        let first = r.int(4)?;
        let quantity = r.int(5)?;
        let code = |i: i64| -> Result<String, StoreError> {
            let i = u64::try_from(i).map_err(|_| corrupt("first_index"))?;
            Ok(space
                .encode(i)
                .map_err(|_| corrupt("first_index"))?
                .to_string())
        };
        Ok(Segment {
            id: r.int(0)?,
            application_id: r.int(1)?,
            enterprise: r.text(2)?,
            product_id: r.int(3)?,
            first_index: first,
            quantity,
            first_code: Some(code(first)?),
            last_code: Some(code(first + quantity - 1)?),
            created_at: rfc3339(r.int(6)?),
        })
    }

    /// Issues codes without a caller (the CLI and demo data): an application by
    /// `actor`, approved at once. Returns the segment.
    pub async fn issue_codes(
        &self,
        enterprise: &str,
        product_id: i64,
        quantity: i64,
        actor: &str,
    ) -> Result<Segment, StoreError> {
        self.code_space()?;
        let mut tx = self.db.begin().await?;
        let row = tx
            .fetch_optional(
                "SELECT o.id FROM organisations o JOIN products p ON p.enterprise_id = o.id WHERE o.uscc = $1 AND o.kind = 'enterprise' AND p.id = $2",
                params![enterprise, product_id],
            )
            .await?
            .ok_or(StoreError::NotFound {
                entity: "product of that enterprise",
            })?;
        let enterprise_id = row.int(0)?;
        if quantity <= 0 || quantity > CodeSpace::SIZE as i64 {
            return Err(StoreError::Invalid {
                code: "quantity",
                field: "quantity",
                message: "quantity must be a positive number of codes".into(),
            });
        }
        let at = now_ms();
        let id = tx
            .fetch_one(
                "INSERT INTO code_applications (enterprise_id, product_id, quantity, status, applied_by, applied_at, decided_by, decided_at) VALUES ($1, $2, $3, 'approved', $4, $5, $4, $5) RETURNING id",
                params![enterprise_id, product_id, quantity, actor, at],
            )
            .await?
            .int(0)?;
        let segment_id = allocate(&mut tx, id, enterprise_id, product_id, quantity, at).await?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor,
                action: "codes.issue",
                entity: "code_segment",
                entity_id: segment_id.to_string(),
                enterprise: Some(enterprise.to_owned()),
                before: None,
                after: Some(serde_json::json!({"application": id, "product": product_id, "quantity": quantity})),
            },
        )
        .await?;
        tx.commit().await?;
        self.segment_by_id(segment_id).await
    }

    /// The segment allocated to an application, unscoped (the CLI).
    pub async fn segment_of_application(&self, application: i64) -> Result<Segment, StoreError> {
        let row = self
            .db
            .fetch_optional(
                &format!("{SELECT_SEGMENT} WHERE s.application_id = $1"),
                params![application],
            )
            .await?
            .ok_or(StoreError::NotFound {
                entity: "approved application",
            })?;
        self.segment_from(&row)
    }

    /// A segment by id, unscoped.
    pub async fn segment_by_id(&self, id: i64) -> Result<Segment, StoreError> {
        let row = self
            .db
            .fetch_optional(&format!("{SELECT_SEGMENT} WHERE s.id = $1"), params![id])
            .await?
            .ok_or(StoreError::NotFound { entity: "segment" })?;
        self.segment_from(&row)
    }

    /// Counts for `zhijian codes stats`: applications, segments, codes issued,
    /// activated, verifications (also per verdict), code states, signals, database bytes.
    pub async fn code_stats(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let queries: [(&str, &str); 8] = [
            ("applications", "SELECT COUNT(*) FROM code_applications"),
            ("segments", "SELECT COUNT(*) FROM code_segments"),
            (
                "codes_issued",
                "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM code_segments",
            ),
            ("batches", "SELECT COUNT(*) FROM batches"),
            (
                "codes_activated",
                "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM activations",
            ),
            ("verifications", "SELECT COUNT(*) FROM verifications"),
            ("codes_verified", "SELECT COUNT(*) FROM code_states"),
            (
                "counterfeit_signals",
                "SELECT COUNT(*) FROM counterfeit_signals",
            ),
        ];
        let mut out = Vec::new();
        for (name, sql) in queries {
            out.push((
                name.to_owned(),
                self.db.fetch_one(sql, params![]).await?.int(0)?,
            ));
        }
        for r in self
            .db
            .fetch_all(
                "SELECT verdict, COUNT(*) FROM verifications GROUP BY verdict ORDER BY verdict",
                params![],
            )
            .await?
        {
            out.push((format!("verdict.{}", r.text(0)?), r.int(1)?));
        }
        // The space the whole database takes (pages in use on SQLite, WAL included), so
        // that bytes per issued code and per verification can be read off two runs.
        let size = match self.db.engine() {
            Engine::Sqlite => {
                "SELECT (c.page_count - f.freelist_count) * s.page_size FROM pragma_page_count() c, pragma_freelist_count() f, pragma_page_size() s"
            }
            Engine::Postgres => "SELECT pg_database_size(current_database())",
        };
        out.push((
            "database_bytes".to_owned(),
            self.db.fetch_one(size, params![]).await?.int(0)?,
        ));
        Ok(out)
    }
}

fn corrupt(field: &'static str) -> StoreError {
    StoreError::Invalid {
        code: "corrupt_row",
        field,
        message: format!("stored {field} is out of range"),
    }
}

/// Allocates the next free range of indices; returns the segment id. Runs under the
/// writer lock (SQLite) or a table lock (PostgreSQL), so ranges never overlap.
async fn allocate(
    tx: &mut Tx,
    application_id: i64,
    enterprise_id: i64,
    product_id: i64,
    quantity: i64,
    at: i64,
) -> Result<i64, StoreError> {
    if tx.engine() == crate::Engine::Postgres {
        tx.execute(
            "LOCK TABLE code_segments IN SHARE ROW EXCLUSIVE MODE",
            params![],
        )
        .await?;
    }
    let next = tx
        .fetch_one(
            "SELECT COALESCE(MAX(first_index + quantity), 0) FROM code_segments",
            params![],
        )
        .await?
        .int(0)?;
    if next
        .checked_add(quantity)
        .is_none_or(|end| end > CodeSpace::SIZE as i64)
    {
        return Err(StoreError::Conflict {
            code: "code_space_exhausted",
            field: "quantity",
            message: "the node's code space has no room for this many codes".into(),
        });
    }
    Ok(tx
        .fetch_one(
            "INSERT INTO code_segments (application_id, enterprise_id, product_id, first_index, quantity, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            params![application_id, enterprise_id, product_id, next, quantity, at],
        )
        .await?
        .int(0)?)
}

/// What a download may cover, and what the file needs per code.
#[derive(Debug, Clone)]
pub struct Download {
    /// The segment.
    pub segment: Segment,
    /// The ranges the caller may take, in index order.
    pub ranges: Vec<IndexRange>,
    /// The product's GTIN, if any.
    pub gtin: Option<String>,
    /// The product's name.
    pub product_name: String,
}

/// The part of a segment a print job takes: `offset` and `quantity` as asked, by
/// default everything after the last part already handed out; never one handed out.
async fn free_part(
    tx: &mut crate::db::Tx,
    segment: &Segment,
    offset: Option<i64>,
    quantity: Option<i64>,
) -> Result<(IndexRange, i64), StoreError> {
    let jobs = tx
            .fetch_all(
                "SELECT first_index, quantity FROM print_jobs WHERE segment_id = $1 ORDER BY first_index",
                params![segment.id],
            )
            .await?;
    let taken: Vec<IndexRange> = jobs
        .iter()
        .map(|r| {
            Ok(IndexRange {
                first: r.int(0)? as u64,
                count: r.int(1)? as u64,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    let start = match offset {
        Some(o) => o,
        None => taken
            .last()
            .map_or(0, |r| r.end() as i64 - segment.first_index),
    };
    let quantity = quantity.unwrap_or(segment.quantity - start);
    if start < 0 || quantity <= 0 || start + quantity > segment.quantity {
        return Err(StoreError::Invalid {
            code: "print_job_range",
            field: "quantity",
            message: format!(
                "the part must lie inside the segment's {} codes",
                segment.quantity
            ),
        });
    }
    let wanted = IndexRange {
        first: (segment.first_index + start) as u64,
        count: quantity as u64,
    };
    if taken.iter().any(|t| t.overlaps(&wanted)) {
        return Err(StoreError::Conflict {
            code: "print_job_overlap",
            field: "offset",
            message: "part of these codes is already with a printer".into(),
        });
    }
    Ok((wanted, quantity))
}

/// The most labels an enterprise prints itself at once (an office printer's day).
pub const MAX_OWN_PRINT: i64 = 1_000;

/// Who approves applications by the auto-approval rule, in records and the audit log.
pub const AUTO_APPROVER: &str = "auto-approval";

/// A year in milliseconds.
const YEAR_MS: i64 = 365 * 86_400_000;

/// Whether an enterprise is in good standing for the auto-approval of small code
/// applications: operating, no licence suspended or revoked, and no final sampling
/// failure in the year before.
async fn in_good_standing(
    tx: &mut crate::db::Tx,
    enterprise_id: i64,
    at: i64,
) -> Result<bool, StoreError> {
    let row = tx
        .fetch_one(
            "SELECT e.status, \
             (SELECT COUNT(*) FROM licences l WHERE l.enterprise_id = e.id AND l.state IN ('suspended', 'revoked')), \
             (SELECT COUNT(*) FROM risk_signals r WHERE r.enterprise_id = e.id AND r.kind = 'sample_failed' AND r.at >= $2) \
             FROM enterprises e WHERE e.id = $1",
            params![enterprise_id, at - YEAR_MS],
        )
        .await?;
    Ok(row.text(0)? == "active" && row.int(1)? == 0 && row.int(2)? == 0)
}

impl Scoped<'_> {
    fn org_of(&self) -> i64 {
        self.principal.org_id.unwrap_or(-1)
    }

    /// Applies for codes for one of an enterprise's products.
    pub async fn apply_codes(
        &self,
        enterprise: &str,
        product_id: i64,
        quantity: i64,
        note: Option<String>,
        limits: CodeLimits,
    ) -> Result<CodeApplication, StoreError> {
        if quantity <= 0 || quantity > limits.per_application {
            return Err(StoreError::Invalid {
                code: "code_quantity",
                field: "quantity",
                message: format!(
                    "one application may ask for 1 to {} codes",
                    limits.per_application
                ),
            });
        }
        let mut tx = self.store.db.begin().await?;
        let e = self.visible_enterprise(&mut tx, enterprise).await?;
        if !self.may_on(Action::ApplyCodes, e.id, &e.region) {
            return Err(StoreError::Forbidden);
        }
        tx.fetch_optional(
            "SELECT id FROM products WHERE id = $1 AND enterprise_id = $2",
            params![product_id, e.id],
        )
        .await?
        .ok_or(StoreError::Invalid {
            code: "product_unknown",
            field: "product_id",
            message: format!("enterprise {enterprise} has no product {product_id}"),
        })?;
        let at = now_ms();
        let today = tx
            .fetch_one(
                "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM code_applications WHERE enterprise_id = $1 AND applied_at >= $2 AND status <> 'refused'",
                params![e.id, day_start_ms(at)],
            )
            .await?
            .int(0)?;
        if today + quantity > limits.per_day {
            return Err(StoreError::Invalid {
                code: "code_daily_limit",
                field: "quantity",
                message: format!(
                    "an enterprise may apply for at most {} codes a day; {today} applied for today",
                    limits.per_day
                ),
            });
        }
        let id = tx
            .fetch_one(
                "INSERT INTO code_applications (enterprise_id, product_id, quantity, status, note, applied_by, applied_at) VALUES ($1, $2, $3, 'pending', $4, $5, $6) RETURNING id",
                params![e.id, product_id, quantity, note.clone(), self.principal.username.as_str(), at],
            )
            .await?
            .int(0)?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor: &self.principal.username,
                action: "codes.apply",
                entity: "code_application",
                entity_id: id.to_string(),
                enterprise: Some(enterprise.to_owned()),
                before: None,
                after: Some(
                    serde_json::json!({"product": product_id, "quantity": quantity, "note": note}),
                ),
            },
        )
        .await?;
        if quantity <= limits.auto_approve_up_to && in_good_standing(&mut tx, e.id, at).await? {
            self.store.code_space()?;
            tx.execute(
                "UPDATE code_applications SET status = 'approved', decided_by = $1, decided_at = $2 WHERE id = $3",
                params![AUTO_APPROVER, at, id],
            )
            .await?;
            let segment_id = allocate(&mut tx, id, e.id, product_id, quantity, at).await?;
            audit::append(
                &mut tx,
                at,
                Change {
                    actor: AUTO_APPROVER,
                    action: "codes.approve",
                    entity: "code_segment",
                    entity_id: segment_id.to_string(),
                    enterprise: Some(enterprise.to_owned()),
                    before: Some(serde_json::json!({"status": "pending"})),
                    after: Some(serde_json::json!({
                        "status": "approved", "application": id, "quantity": quantity,
                        "rule": format!("at most {} codes, enterprise in good standing", limits.auto_approve_up_to),
                    })),
                },
            )
            .await?;
        }
        tx.commit().await?;
        self.code_application(id).await
    }

    fn may_on(&self, action: Action, org_id: i64, region: &str) -> bool {
        zhijian_core::region::RegionCode::parse(region)
            .is_ok_and(|r| self.principal.may(action, org_id, r))
    }

    /// One application the caller may see, with its segment once approved.
    pub async fn code_application(&self, id: i64) -> Result<CodeApplication, StoreError> {
        let mut w = Where::default();
        let p = w.arg(id);
        w.cond(format!("a.id = {p}"));
        w.scope(self.scope(Action::Read), "o.id", "o.region");
        let row = self
            .store
            .db
            .fetch_optional(
                &format!("{SELECT_APPLICATION} WHERE {}", w.sql()),
                &w.values,
            )
            .await?
            .ok_or(StoreError::NotFound {
                entity: "code application",
            })?;
        let mut a = read_application(&row)?;
        if let Some(s) = self
            .store
            .db
            .fetch_optional(
                &format!("{SELECT_SEGMENT} WHERE s.application_id = $1"),
                params![id],
            )
            .await?
        {
            a.segment = Some(self.segment_from(&s)?);
        }
        Ok(a)
    }

    /// Applications the caller may see, newest first.
    pub async fn code_applications(
        &self,
        status: Option<ApplicationStatus>,
        enterprise: Option<&str>,
        page: Page,
    ) -> Result<Paged<CodeApplication>, StoreError> {
        let mut w = Where::default();
        w.scope(self.scope(Action::Read), "o.id", "o.region");
        if let Some(s) = status {
            let p = w.arg(s.as_str());
            w.cond(format!("a.status = {p}"));
        }
        if let Some(e) = enterprise {
            let p = w.arg(e);
            w.cond(format!("o.uscc = {p}"));
        }
        let db = &self.store.db;
        let total = db
            .fetch_one(
                &format!("SELECT COUNT(*) FROM code_applications a JOIN organisations o ON o.id = a.enterprise_id WHERE {}", w.sql()),
                &w.values,
            )
            .await?
            .int(0)?;
        let (limit, offset) = (w.arg(page.limit()), w.arg(page.offset()));
        let rows = db
            .fetch_all(
                &format!("{SELECT_APPLICATION} WHERE {} ORDER BY a.id DESC LIMIT {limit} OFFSET {offset}", w.sql()),
                &w.values,
            )
            .await?;
        let mut items: Vec<CodeApplication> = rows
            .iter()
            .map(read_application)
            .collect::<Result<_, _>>()?;
        // The page's segments in one query (approved applications only have one).
        let approved: Vec<i64> = items
            .iter()
            .filter(|a| a.status == ApplicationStatus::Approved)
            .map(|a| a.id)
            .collect();
        if !approved.is_empty() {
            let mut w = Where::default();
            let ids: Vec<String> = approved.iter().map(|id| w.arg(*id)).collect();
            w.cond(format!("s.application_id IN ({})", ids.join(", ")));
            for r in db
                .fetch_all(&format!("{SELECT_SEGMENT} WHERE {}", w.sql()), &w.values)
                .await?
            {
                let segment = self.segment_from(&r)?;
                if let Some(a) = items.iter_mut().find(|a| a.id == segment.application_id) {
                    a.segment = Some(segment);
                }
            }
        }
        Ok(Paged { items, total })
    }

    /// Approves a pending application and allocates its segment (officers of the
    /// enterprise's region, admins).
    pub async fn approve_code_application(&self, id: i64) -> Result<CodeApplication, StoreError> {
        self.store.code_space()?;
        let mut tx = self.store.db.begin().await?;
        let (app, enterprise_id, region) = self.pending_application(&mut tx, id).await?;
        let at = now_ms();
        tx.execute(
            "UPDATE code_applications SET status = 'approved', decided_by = $1, decided_at = $2 WHERE id = $3",
            params![self.principal.username.as_str(), at, id],
        )
        .await?;
        let _ = region;
        let segment_id =
            allocate(&mut tx, id, enterprise_id, app.product_id, app.quantity, at).await?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor: &self.principal.username,
                action: "codes.approve",
                entity: "code_segment",
                entity_id: segment_id.to_string(),
                enterprise: Some(app.enterprise.clone()),
                before: Some(serde_json::json!({"status": "pending"})),
                after: Some(serde_json::json!({"status": "approved", "application": id, "quantity": app.quantity})),
            },
        )
        .await?;
        tx.commit().await?;
        self.code_application(id).await
    }

    /// Refuses a pending application, with a reason.
    pub async fn refuse_code_application(
        &self,
        id: i64,
        reason: &str,
    ) -> Result<CodeApplication, StoreError> {
        let mut tx = self.store.db.begin().await?;
        let (app, _, _) = self.pending_application(&mut tx, id).await?;
        let at = now_ms();
        tx.execute(
            "UPDATE code_applications SET status = 'refused', reason = $1, decided_by = $2, decided_at = $3 WHERE id = $4",
            params![reason, self.principal.username.as_str(), at, id],
        )
        .await?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor: &self.principal.username,
                action: "codes.refuse",
                entity: "code_application",
                entity_id: id.to_string(),
                enterprise: Some(app.enterprise.clone()),
                before: Some(serde_json::json!({"status": "pending"})),
                after: Some(serde_json::json!({"status": "refused", "reason": reason})),
            },
        )
        .await?;
        tx.commit().await?;
        self.code_application(id).await
    }

    async fn pending_application(
        &self,
        tx: &mut Tx,
        id: i64,
    ) -> Result<(CodeApplication, i64, String), StoreError> {
        let mut w = Where::default();
        let p = w.arg(id);
        w.cond(format!("a.id = {p}"));
        w.scope(self.scope(Action::Read), "o.id", "o.region");
        let row = tx
            .fetch_optional(
                &format!("{SELECT_APPLICATION} WHERE {}", w.sql()),
                &w.values,
            )
            .await?
            .ok_or(StoreError::NotFound {
                entity: "code application",
            })?;
        let app = read_application(&row)?;
        let (region, enterprise_id) = (row.text(13)?, row.int(14)?);
        if !self.may_on(Action::DecideCodes, enterprise_id, &region) {
            return Err(StoreError::Forbidden);
        }
        if app.status != ApplicationStatus::Pending {
            return Err(StoreError::Conflict {
                code: "application_decided",
                field: "status",
                message: format!("application {id} is already {}", app.status.as_str()),
            });
        }
        Ok((app, enterprise_id, region))
    }

    /// Segments the caller may see (its own, its region's, or — for a printer — those it
    /// has print jobs in), newest first.
    pub async fn segments(&self, page: Page) -> Result<Paged<Segment>, StoreError> {
        let mut w = Where::default();
        self.segment_scope(&mut w);
        let db = &self.store.db;
        let total = db
            .fetch_one(
                &format!("SELECT COUNT(*) FROM code_segments s JOIN organisations o ON o.id = s.enterprise_id WHERE {}", w.sql()),
                &w.values,
            )
            .await?
            .int(0)?;
        let (limit, offset) = (w.arg(page.limit()), w.arg(page.offset()));
        let rows = db
            .fetch_all(
                &format!(
                    "{SELECT_SEGMENT} WHERE {} ORDER BY s.id DESC LIMIT {limit} OFFSET {offset}",
                    w.sql()
                ),
                &w.values,
            )
            .await?;
        let items = rows
            .iter()
            .map(|r| self.segment_from(r))
            .collect::<Result<_, _>>()?;
        Ok(Paged { items, total })
    }

    /// A segment as this caller may read it: its codes only for whoever may use them
    /// (the owning enterprise), since anyone who knows a segment's first code and size
    /// can print it.
    fn segment_from(&self, r: &Row) -> Result<Segment, StoreError> {
        let mut s = self.store.segment_from(r)?;
        if !self.may_on(Action::UseCodes, r.int(7)?, &r.text(8)?) {
            s.first_code = None;
            s.last_code = None;
        }
        Ok(s)
    }

    fn segment_scope(&self, w: &mut Where) {
        if self.principal.role == Role::Printer {
            let p = w.arg(self.org_of());
            w.cond(format!(
                "EXISTS (SELECT 1 FROM print_jobs j WHERE j.segment_id = s.id AND j.printer_id = {p})"
            ));
        } else {
            w.scope(self.scope(Action::Read), "o.id", "o.region");
        }
    }

    /// One segment the caller may see.
    pub async fn segment(&self, id: i64) -> Result<Segment, StoreError> {
        let mut w = Where::default();
        let p = w.arg(id);
        w.cond(format!("s.id = {p}"));
        self.segment_scope(&mut w);
        let row = self
            .store
            .db
            .fetch_optional(&format!("{SELECT_SEGMENT} WHERE {}", w.sql()), &w.values)
            .await?
            .ok_or(StoreError::NotFound { entity: "segment" })?;
        self.segment_from(&row)
    }

    /// Plans a download of a segment's codes and audits it: the owning enterprise may
    /// take the whole segment (or one print job of it), a printer the print jobs it was
    /// given. Nobody else.
    pub async fn download_codes(
        &self,
        segment_id: i64,
        job: Option<i64>,
    ) -> Result<Download, StoreError> {
        let segment = self.segment(segment_id).await?;
        let db = &self.store.db;
        let row = db
            .fetch_one(
                "SELECT s.enterprise_id, o.region, p.gtin, p.name FROM code_segments s JOIN organisations o ON o.id = s.enterprise_id JOIN products p ON p.id = s.product_id WHERE s.id = $1",
                params![segment_id],
            )
            .await?;
        let (enterprise_id, region) = (row.int(0)?, row.text(1)?);
        let owner = self.may_on(Action::UseCodes, enterprise_id, &region);
        let mut w = Where::default();
        let p = w.arg(segment_id);
        w.cond(format!("segment_id = {p}"));
        if let Some(j) = job {
            let p = w.arg(j);
            w.cond(format!("id = {p}"));
        }
        if !owner {
            if self.principal.role != Role::Printer {
                return Err(StoreError::Forbidden);
            }
            let p = w.arg(self.org_of());
            w.cond(format!("printer_id = {p}"));
        }
        let mut ranges = Vec::new();
        if owner && job.is_none() {
            ranges.push(IndexRange {
                first: segment.first_index as u64,
                count: segment.quantity as u64,
            });
        } else {
            let rows = db
                .fetch_all(
                    &format!("SELECT first_index, quantity FROM print_jobs WHERE {} ORDER BY first_index", w.sql()),
                    &w.values,
                )
                .await?;
            for r in &rows {
                ranges.push(IndexRange {
                    first: r.int(0)? as u64,
                    count: r.int(1)? as u64,
                });
            }
            if ranges.is_empty() {
                return Err(StoreError::NotFound {
                    entity: "print job",
                });
            }
        }
        let count: u64 = ranges.iter().map(|r| r.count).sum();
        let mut tx = db.begin().await?;
        if !owner {
            tx.execute(
                &format!(
                    "UPDATE print_jobs SET downloads = downloads + 1 WHERE {}",
                    w.sql()
                ),
                &w.values,
            )
            .await?;
        }
        audit::append(
            &mut tx,
            now_ms(),
            Change {
                actor: &self.principal.username,
                action: "codes.download",
                entity: "code_file",
                entity_id: segment_id.to_string(),
                enterprise: Some(segment.enterprise.clone()),
                before: None,
                after: Some(serde_json::json!({"codes": count, "print_job": job})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Download {
            segment,
            ranges,
            gtin: row.opt_text(2)?,
            product_name: row.text(3)?,
        })
    }

    /// What a label for one code needs (the product's GTIN and name), for the owning
    /// enterprise or a printer whose print job holds the code; nobody else.
    pub async fn code_label(
        &self,
        code: &SupervisionCode,
    ) -> Result<(Option<String>, String), StoreError> {
        let index = decode(self.store.code_space()?, code)? as i64;
        let db = &self.store.db;
        let row = db
            .fetch_optional(
                "SELECT s.id, s.enterprise_id, o.region, p.gtin, p.name FROM code_segments s JOIN organisations o ON o.id = s.enterprise_id JOIN products p ON p.id = s.product_id WHERE s.first_index <= $1 AND s.first_index + s.quantity > $1",
                params![index],
            )
            .await?
            .ok_or(StoreError::NotFound { entity: "code" })?;
        let owner = self.may_on(Action::UseCodes, row.int(1)?, &row.text(2)?);
        let printer = self.principal.role == Role::Printer
            && db
                .fetch_optional(
                    "SELECT 1 FROM print_jobs WHERE segment_id = $1 AND printer_id = $2 AND first_index <= $3 AND first_index + quantity > $3",
                    params![row.int(0)?, self.org_of(), index],
                )
                .await?
                .is_some();
        if !owner && !printer {
            return Err(StoreError::NotFound { entity: "code" });
        }
        Ok((row.opt_text(3)?, row.text(4)?))
    }

    /// The enterprise that owns a segment, when the caller may use its codes.
    async fn segment_owner(
        &self,
        tx: &mut crate::db::Tx,
        segment_id: i64,
    ) -> Result<i64, StoreError> {
        let owner = tx
            .fetch_one(
                "SELECT s.enterprise_id, o.region FROM code_segments s JOIN organisations o ON o.id = s.enterprise_id WHERE s.id = $1",
                params![segment_id],
            )
            .await?;
        let enterprise_id = owner.int(0)?;
        if !self.may_on(Action::UseCodes, enterprise_id, &owner.text(1)?) {
            return Err(StoreError::Forbidden);
        }
        Ok(enterprise_id)
    }

    /// The enterprise prints the next `quantity` of its own codes itself (at most
    /// [`MAX_OWN_PRINT`], on an office printer): recorded as a print job done by the
    /// enterprise and confirmed at once, so the labels can be activated.
    pub async fn print_own_labels(
        &self,
        segment_id: i64,
        quantity: i64,
    ) -> Result<PrintJob, StoreError> {
        if !(1..=MAX_OWN_PRINT).contains(&quantity) {
            return Err(StoreError::Invalid {
                code: "own_print_quantity",
                field: "quantity",
                message: format!(
                    "print 1 to {MAX_OWN_PRINT} labels yourself; hand larger runs to a filed printer"
                ),
            });
        }
        let segment = self.segment(segment_id).await?;
        let mut tx = self.store.db.begin().await?;
        let enterprise_id = self.segment_owner(&mut tx, segment_id).await?;
        let (wanted, quantity) = free_part(&mut tx, &segment, None, Some(quantity)).await?;
        let at = now_ms();
        let id = tx
            .fetch_one(
                "INSERT INTO print_jobs (segment_id, printer_id, first_index, quantity, status, printed, spoiled, created_by, created_at, confirmed_at) VALUES ($1, $2, $3, $4, 'confirmed', $4, 0, $5, $6, $6) RETURNING id",
                params![segment_id, enterprise_id, wanted.first as i64, quantity, self.principal.username.as_str(), at],
            )
            .await?
            .int(0)?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor: &self.principal.username,
                action: "codes.own_print",
                entity: "print_job",
                entity_id: id.to_string(),
                enterprise: Some(segment.enterprise.clone()),
                before: None,
                after: Some(serde_json::json!({"segment": segment_id, "first_index": wanted.first, "quantity": quantity})),
            },
        )
        .await?;
        tx.commit().await?;
        self.print_job(id).await
    }

    /// Hands part of a segment to a registered printer. `offset` and `quantity` pick
    /// the part (default: everything not yet handed out, from the first free code).
    pub async fn create_print_job(
        &self,
        segment_id: i64,
        printer: &str,
        offset: Option<i64>,
        quantity: Option<i64>,
    ) -> Result<PrintJob, StoreError> {
        let segment = self.segment(segment_id).await?;
        let mut tx = self.store.db.begin().await?;
        self.segment_owner(&mut tx, segment_id).await?;
        let found = tx
            .fetch_optional(
                &format!("{SELECT_ORG} WHERE uscc = $1 AND kind = 'printer'"),
                params![printer],
            )
            .await?
            .ok_or(StoreError::Invalid {
                code: "printer_unknown",
                field: "printer",
                message: format!("{printer} is not a registered printer"),
            })?;
        let found = read_org(&found)?;
        let printer_id = found.id;
        // Codes go only to a printer whose filing is in force today.
        match found.filing {
            Some(f) if f.status == FilingStatus::Current => {}
            other => {
                let why = match other {
                    Some(f) => match f.status {
                        FilingStatus::Revoked => format!(
                            "its filing {} was revoked: {}",
                            f.number,
                            f.revoked_reason.unwrap_or_default()
                        ),
                        FilingStatus::Expired => {
                            format!("its filing {} ended on {}", f.number, f.valid_until)
                        }
                        _ => format!("its filing {} starts on {}", f.number, f.valid_from),
                    },
                    None => "it has no filing record".into(),
                };
                return Err(StoreError::Invalid {
                    code: "printer_not_filed",
                    field: "printer",
                    message: format!("{printer} may not print codes: {why}"),
                });
            }
        }
        let (wanted, quantity) = free_part(&mut tx, &segment, offset, quantity).await?;
        let at = now_ms();
        let id = tx
            .fetch_one(
                "INSERT INTO print_jobs (segment_id, printer_id, first_index, quantity, status, created_by, created_at) VALUES ($1, $2, $3, $4, 'assigned', $5, $6) RETURNING id",
                params![segment_id, printer_id, wanted.first as i64, quantity, self.principal.username.as_str(), at],
            )
            .await?
            .int(0)?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor: &self.principal.username,
                action: "codes.print_job",
                entity: "print_job",
                entity_id: id.to_string(),
                enterprise: Some(segment.enterprise.clone()),
                before: None,
                after: Some(serde_json::json!({"segment": segment_id, "printer": printer, "first_index": wanted.first, "quantity": quantity})),
            },
        )
        .await?;
        tx.commit().await?;
        self.print_job(id).await
    }

    /// One print job the caller may see (its enterprise's, or a printer's own).
    pub async fn print_job(&self, id: i64) -> Result<PrintJob, StoreError> {
        let mut w = Where::default();
        let p = w.arg(id);
        w.cond(format!("j.id = {p}"));
        self.job_scope(&mut w);
        let row = self
            .store
            .db
            .fetch_optional(&format!("{SELECT_JOB} WHERE {}", w.sql()), &w.values)
            .await?
            .ok_or(StoreError::NotFound {
                entity: "print job",
            })?;
        read_job(&row)
    }

    fn job_scope(&self, w: &mut Where) {
        if self.principal.role == Role::Printer {
            let p = w.arg(self.org_of());
            w.cond(format!("j.printer_id = {p}"));
        } else {
            w.scope(self.scope(Action::Read), "o.id", "o.region");
        }
    }

    /// Print jobs the caller may see, newest first.
    pub async fn print_jobs(&self, page: Page) -> Result<Paged<PrintJob>, StoreError> {
        let mut w = Where::default();
        self.job_scope(&mut w);
        let db = &self.store.db;
        let total = db
            .fetch_one(
                &format!("SELECT COUNT(*) FROM print_jobs j JOIN code_segments s ON s.id = j.segment_id JOIN organisations o ON o.id = s.enterprise_id WHERE {}", w.sql()),
                &w.values,
            )
            .await?
            .int(0)?;
        let (limit, offset) = (w.arg(page.limit()), w.arg(page.offset()));
        let rows = db
            .fetch_all(
                &format!(
                    "{SELECT_JOB} WHERE {} ORDER BY j.id DESC LIMIT {limit} OFFSET {offset}",
                    w.sql()
                ),
                &w.values,
            )
            .await?;
        let items = rows.iter().map(read_job).collect::<Result<_, _>>()?;
        Ok(Paged { items, total })
    }

    /// The printer confirms how many labels it printed and spoiled.
    pub async fn confirm_print_job(
        &self,
        id: i64,
        printed: i64,
        spoiled: i64,
    ) -> Result<PrintJob, StoreError> {
        let job = self.print_job(id).await?;
        if self.principal.role != Role::Printer {
            return Err(StoreError::Forbidden);
        }
        if job.status != "assigned" {
            return Err(StoreError::Conflict {
                code: "print_job_confirmed",
                field: "status",
                message: format!("print job {id} is already confirmed"),
            });
        }
        if printed < 0 || spoiled < 0 || printed + spoiled > job.quantity {
            return Err(StoreError::Invalid {
                code: "print_counts",
                field: "printed",
                message: format!(
                    "printed and spoiled must be at least 0 and add up to at most {}",
                    job.quantity
                ),
            });
        }
        let mut tx = self.store.db.begin().await?;
        let at = now_ms();
        tx.execute(
            "UPDATE print_jobs SET status = 'confirmed', printed = $1, spoiled = $2, confirmed_at = $3 WHERE id = $4 AND status = 'assigned'",
            params![printed, spoiled, at, id],
        )
        .await?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor: &self.principal.username,
                action: "codes.print_confirm",
                entity: "print_job",
                entity_id: id.to_string(),
                enterprise: Some(job.enterprise.clone()),
                before: Some(serde_json::json!({"status": "assigned"})),
                after: Some(serde_json::json!({"status": "confirmed", "printed": printed, "spoiled": spoiled})),
            },
        )
        .await?;
        tx.commit().await?;
        self.print_job(id).await
    }

    /// Activates codes (as sorted, disjoint index ranges) on a batch of the caller's
    /// enterprise. Every code must lie in one of its segments, in a confirmed print job,
    /// and not be active yet; all must be for one product. Refusals name the codes.
    pub async fn activate(
        &self,
        batch: &NewBatch,
        ranges: &[IndexRange],
    ) -> Result<Activation, StoreError> {
        let space = self.store.code_space()?;
        if self.principal.role != Role::Enterprise {
            return Err(StoreError::Forbidden);
        }
        let org = self.org_of();
        let name = |i: u64| space.encode(i).map(|c| c.to_string()).unwrap_or_default();
        let mut tx = self.store.db.begin().await?;
        let rows = tx
            .fetch_all(
                "SELECT s.id, s.first_index, s.quantity, s.product_id, o.uscc FROM code_segments s JOIN organisations o ON o.id = s.enterprise_id WHERE s.enterprise_id = $1 ORDER BY s.first_index",
                params![org],
            )
            .await?;
        let mut segments = Vec::new();
        for r in &rows {
            segments.push((
                r.int(0)?,
                IndexRange {
                    first: r.int(1)? as u64,
                    count: r.int(2)? as u64,
                },
                r.int(3)?,
            ));
        }
        let uscc = match rows.first() {
            Some(r) => r.text(4)?,
            None => String::new(),
        };
        // Split the ranges at segment boundaries; what falls outside is not ours.
        let mut parts: Vec<(i64, IndexRange, i64)> = Vec::new();
        let mut foreign = Vec::new();
        for r in ranges {
            let mut at = r.first;
            while at < r.end() {
                match segments.iter().find(|(_, s, _)| s.contains(at)) {
                    Some((id, s, product)) => {
                        let end = s.end().min(r.end());
                        parts.push((
                            *id,
                            IndexRange {
                                first: at,
                                count: end - at,
                            },
                            *product,
                        ));
                        at = end;
                    }
                    None => {
                        if foreign.len() < NAMED {
                            foreign.push(name(at));
                        }
                        at += 1;
                    }
                }
            }
        }
        if !foreign.is_empty() {
            return Err(refused(
                "codes_not_yours",
                "codes",
                "these codes were not issued to your enterprise".into(),
                foreign,
            ));
        }
        let Some(&(_, _, product_id)) = parts.first() else {
            return Err(StoreError::Invalid {
                code: "list_empty",
                field: "codes",
                message: "no codes were given".into(),
            });
        };
        if parts.iter().any(|p| p.2 != product_id) {
            return Err(StoreError::Invalid {
                code: "batch_mixed_products",
                field: "codes",
                message: "one batch is one product: these codes were issued for different products"
                    .into(),
            });
        }
        // Printed: inside a confirmed print job. Free: inside no activation.
        let seg_ids: Vec<i64> = {
            let mut v: Vec<i64> = parts.iter().map(|p| p.0).collect();
            v.dedup();
            v
        };
        let list = (1..=seg_ids.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(",");
        let ids: Vec<Value> = seg_ids.iter().map(|&i| Value::from(i)).collect();
        let printed: Vec<IndexRange> = tx
            .fetch_all(
                &format!("SELECT first_index, COALESCE(printed, 0) + COALESCE(spoiled, 0) FROM print_jobs WHERE status = 'confirmed' AND segment_id IN ({list})"),
                &ids,
            )
            .await?
            .iter()
            .map(|r| Ok(IndexRange { first: r.int(0)? as u64, count: r.int(1)? as u64 }))
            .collect::<Result<_, sqlx::Error>>()?;
        let active: Vec<IndexRange> = tx
            .fetch_all(
                &format!(
                    "SELECT first_index, quantity FROM activations WHERE segment_id IN ({list})"
                ),
                &ids,
            )
            .await?
            .iter()
            .map(|r| {
                Ok(IndexRange {
                    first: r.int(0)? as u64,
                    count: r.int(1)? as u64,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        let mut unprinted = Vec::new();
        let mut twice = Vec::new();
        for (_, r, _) in &parts {
            for i in r.first..r.end() {
                if unprinted.len() < NAMED && !printed.iter().any(|p| p.contains(i)) {
                    unprinted.push(name(i));
                }
                if twice.len() < NAMED && active.iter().any(|a| a.contains(i)) {
                    twice.push(name(i));
                }
                if unprinted.len() >= NAMED && twice.len() >= NAMED {
                    break;
                }
            }
        }
        if !unprinted.is_empty() {
            return Err(refused(
                "codes_not_printed",
                "codes",
                "these codes have not been confirmed as printed".into(),
                unprinted,
            ));
        }
        if !twice.is_empty() {
            return Err(refused(
                "codes_already_active",
                "codes",
                "these codes are already activated".into(),
                twice,
            ));
        }
        let at = now_ms();
        let batch_id = match tx
            .fetch_optional(
                "SELECT id, enterprise_id, production_date, expiry_date, status FROM batches WHERE product_id = $1 AND lot = $2",
                params![product_id, batch.lot.as_str()],
            )
            .await?
        {
            Some(r) => {
                let same = r.text(2)? == batch.production_date.to_string()
                    && r.opt_text(3)? == batch.expiry_date.map(|d| d.to_string());
                if r.int(1)? != org || !same || r.text(4)? != "active" {
                    return Err(StoreError::Conflict {
                        code: "batch_mismatch",
                        field: "batch",
                        message: format!(
                            "lot {} exists with other dates or is no longer active",
                            batch.lot
                        ),
                    });
                }
                r.int(0)?
            }
            None => tx
                .fetch_one(
                    "INSERT INTO batches (enterprise_id, product_id, lot, production_date, expiry_date, inspection_report, status, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $8) RETURNING id",
                    params![
                        org,
                        product_id,
                        batch.lot.as_str(),
                        batch.production_date.to_string(),
                        batch.expiry_date.map(|d| d.to_string()),
                        batch.inspection_report.clone(),
                        self.principal.username.as_str(),
                        at
                    ],
                )
                .await?
                .int(0)?,
        };
        let rows: Vec<Vec<Value>> = parts
            .iter()
            .map(|(seg, r, _)| {
                vec![
                    batch_id.into(),
                    (*seg).into(),
                    (r.first as i64).into(),
                    (r.count as i64).into(),
                    at.into(),
                ]
            })
            .collect();
        tx.insert_rows(
            "INSERT INTO activations (batch_id, segment_id, first_index, quantity, created_at)",
            5,
            &rows,
        )
        .await?;
        let activated: u64 = parts.iter().map(|p| p.1.count).sum();
        audit::append(
            &mut tx,
            at,
            Change {
                actor: &self.principal.username,
                action: "codes.activate",
                entity: "batch",
                entity_id: batch_id.to_string(),
                enterprise: Some(uscc),
                before: None,
                after: Some(serde_json::json!({"lot": batch.lot, "codes": activated, "ranges": parts.len()})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Activation {
            batch: self.batch(batch_id).await?,
            activated: activated as i64,
            ranges: parts.len() as i64,
        })
    }

    /// One batch the caller may see.
    pub async fn batch(&self, id: i64) -> Result<Batch, StoreError> {
        let mut w = Where::default();
        let p = w.arg(id);
        w.cond(format!("b.id = {p}"));
        w.scope(self.scope(Action::Read), "o.id", "o.region");
        let row = self
            .store
            .db
            .fetch_optional(&format!("{SELECT_BATCH} WHERE {}", w.sql()), &w.values)
            .await?
            .ok_or(StoreError::NotFound { entity: "batch" })?;
        read_batch(&row)
    }

    /// Batches the caller may see, newest first.
    pub async fn batches(&self, page: Page) -> Result<Paged<Batch>, StoreError> {
        let mut w = Where::default();
        w.scope(self.scope(Action::Read), "o.id", "o.region");
        let db = &self.store.db;
        let total = db
            .fetch_one(
                &format!("SELECT COUNT(*) FROM batches b JOIN organisations o ON o.id = b.enterprise_id WHERE {}", w.sql()),
                &w.values,
            )
            .await?
            .int(0)?;
        let (limit, offset) = (w.arg(page.limit()), w.arg(page.offset()));
        let rows = db
            .fetch_all(
                &format!(
                    "{SELECT_BATCH} WHERE {} ORDER BY b.id DESC LIMIT {limit} OFFSET {offset}",
                    w.sql()
                ),
                &w.values,
            )
            .await?;
        let items = rows.iter().map(read_batch).collect::<Result<_, _>>()?;
        Ok(Paged { items, total })
    }

    /// Flags a batch recalled or decommissioned (its enterprise, or an officer of its
    /// region); its codes then verify as such.
    pub async fn flag_batch(
        &self,
        id: i64,
        flag: BatchFlag,
        reason: &str,
    ) -> Result<Batch, StoreError> {
        let before = self.batch(id).await?;
        let mut tx = self.store.db.begin().await?;
        let row = tx
            .fetch_one(
                "SELECT b.enterprise_id, o.region FROM batches b JOIN organisations o ON o.id = b.enterprise_id WHERE b.id = $1",
                params![id],
            )
            .await?;
        if !self.may_on(Action::FlagBatch, row.int(0)?, &row.text(1)?) {
            return Err(StoreError::Forbidden);
        }
        if before.status != "active" {
            return Err(StoreError::Conflict {
                code: "batch_flagged",
                field: "status",
                message: format!("batch {id} is already {}", before.status),
            });
        }
        let at = now_ms();
        tx.execute(
            "UPDATE batches SET status = $1, status_reason = $2, updated_at = $3 WHERE id = $4",
            params![flag.as_str(), reason, at, id],
        )
        .await?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor: &self.principal.username,
                action: &format!("batch.{}", flag.as_str()),
                entity: "batch",
                entity_id: id.to_string(),
                enterprise: Some(before.enterprise.clone()),
                before: Some(serde_json::json!({"status": before.status})),
                after: Some(serde_json::json!({"status": flag.as_str(), "reason": reason})),
            },
        )
        .await?;
        tx.commit().await?;
        self.batch(id).await
    }
}

/// Decodes a typed code into its index, or says why not.
pub fn decode(space: &CodeSpace, code: &SupervisionCode) -> Result<u64, StoreError> {
    space.decode(code).map_err(|e| StoreError::Invalid {
        code: e.code(),
        field: "code",
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::day_start_ms;

    #[test]
    fn days_start_at_midnight_in_china() {
        // 2026-11-22T15:59:59Z is 23:59:59 in Beijing; 16:00:00Z starts the next day.
        let t = jiff::Timestamp::from_second(1_795_363_199)
            .unwrap()
            .as_millisecond();
        assert_eq!(day_start_ms(t), t - (24 * 3600 - 1) * 1000);
        assert_eq!(day_start_ms(t + 1000), t + 1000);
    }
}
