//! Organisations users belong to: bureaus (one per region), enterprises, printers, labs.

use jiff::civil::Date;
use serde::Serialize;
use zhijian_core::access::{Action, OrgKind};
use zhijian_core::filing::{self, FilingStatus};
use zhijian_core::page::{Page, Paged};
use zhijian_core::region::{self, RegionCode};
use zhijian_core::uscc::Uscc;

use crate::audit::{self, Change};
use crate::db::{Row, Tx};
use crate::{Scoped, Store, StoreError, Where, conflict_on_unique, now_ms, params, rfc3339, today};

/// An organisation as lists and pickers show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Organisation {
    /// Its id.
    pub id: i64,
    /// Bureau, enterprise, printer or lab.
    pub kind: OrgKind,
    /// Its credit code (bureaus may have none).
    pub uscc: Option<String>,
    /// Its name.
    pub name: String,
    /// Its region code.
    pub region: String,
    /// When it was registered (RFC 3339).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// A printer's filing record; absent for other kinds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filing: Option<Filing>,
}

/// A printer's filing record (印刷备案登记): the bureau allows it to print codes
/// under this number for this period.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Filing {
    /// The filing number.
    pub number: String,
    /// First day in force.
    #[schema(value_type = String, format = Date)]
    pub valid_from: Date,
    /// Last day in force.
    #[schema(value_type = String, format = Date)]
    pub valid_until: Date,
    /// Whether the printer signed the quality guarantee pledge (质量保证承诺书).
    pub pledge_signed: bool,
    /// Why the bureau revoked it, if it did.
    pub revoked_reason: Option<String>,
    /// Whether it is in force today.
    pub status: FilingStatus,
}

/// What a bureau writes on a filing.
#[derive(Debug, Clone, Default)]
pub struct NewFiling {
    /// The filing number (default: generated from the year and the printer's id).
    pub number: Option<String>,
    /// First day in force (default: today).
    pub valid_from: Option<Date>,
    /// Last day in force (default: three years on).
    pub valid_until: Option<Date>,
    /// Whether the pledge was signed.
    pub pledge_signed: bool,
}

/// A printer or lab to register.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    /// Printer or lab (enterprises go through the archive, bureaus are per region).
    pub kind: OrgKind,
    /// Its credit code.
    pub uscc: Uscc,
    /// Its name.
    pub name: String,
    /// Where it is registered.
    pub region: RegionCode,
    /// A printer's filing (ignored for labs).
    pub filing: NewFiling,
}

/// A change to a printer's filing.
enum FilingChange<'a> {
    /// File it (again).
    File(&'a NewFiling),
    /// Revoke it, for this reason.
    Revoke(&'a str),
}

pub(crate) const SELECT_ORG: &str = "SELECT id, kind, uscc, name, region, created_at, f.number, f.valid_from, f.valid_until, f.pledge_signed, f.revoked_reason FROM organisations LEFT JOIN printer_filings f ON f.printer_id = organisations.id";

pub(crate) fn read_org(r: &Row) -> Result<Organisation, StoreError> {
    let kind = r.text(1)?;
    let filing = match r.opt_text(6)? {
        None => None,
        Some(number) => {
            let date = |i: usize| -> Result<Date, StoreError> {
                r.text(i)?.parse().map_err(|_| StoreError::Invalid {
                    code: "corrupt_row",
                    field: "valid_until",
                    message: "a filing's date is not a date".into(),
                })
            };
            let (valid_from, valid_until) = (date(7)?, date(8)?);
            let revoked_reason = r.opt_text(10)?;
            Some(Filing {
                number,
                valid_from,
                valid_until,
                pledge_signed: r.bool(9)?,
                status: FilingStatus::on(
                    today(),
                    valid_from,
                    valid_until,
                    revoked_reason.is_some(),
                ),
                revoked_reason,
            })
        }
    };
    Ok(Organisation {
        filing,
        id: r.int(0)?,
        kind: OrgKind::parse(&kind).ok_or(StoreError::Invalid {
            code: "corrupt_row",
            field: "kind",
            message: format!("unknown organisation kind {kind}"),
        })?,
        uscc: r.opt_text(2)?,
        name: r.text(3)?,
        region: r.text(4)?,
        created_at: rfc3339(r.int(5)?),
    })
}

/// The default name of the bureau of a region, e.g. `河北省市场监督管理局`.
pub fn bureau_name(code: RegionCode) -> String {
    if code.prefix().is_empty() {
        return "国家市场监督管理总局".into();
    }
    match region::lookup(code) {
        Some(r) => format!("{}市场监督管理局", r.name),
        None => format!("{code} 市场监督管理局"),
    }
}

impl Store {
    /// The bureau of a region, created (and audited) when missing.
    pub async fn ensure_bureau(&self, code: RegionCode, actor: &str) -> Result<i64, StoreError> {
        let mut tx = self.db.begin().await?;
        let id = ensure_bureau_in(&mut tx, code, actor).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Finds an organisation by credit code.
    pub async fn organisation_by_uscc(
        &self,
        uscc: &str,
    ) -> Result<Option<Organisation>, StoreError> {
        let row = self
            .db
            .fetch_optional(&format!("{SELECT_ORG} WHERE uscc = $1"), params![uscc])
            .await?;
        row.as_ref().map(read_org).transpose()
    }

    /// Every organisation of one kind, oldest first, unscoped (the CLI: printers and
    /// labs are few; enterprises are listed through the archive).
    pub async fn organisations_of_kind(
        &self,
        kind: OrgKind,
    ) -> Result<Vec<Organisation>, StoreError> {
        let rows = self
            .db
            .fetch_all(
                &format!("{SELECT_ORG} WHERE kind = $1 ORDER BY id"),
                params![kind.as_str()],
            )
            .await?;
        rows.iter().map(read_org).collect()
    }

    /// Finds an organisation by id.
    pub async fn organisation(&self, id: i64) -> Result<Option<Organisation>, StoreError> {
        let row = self
            .db
            .fetch_optional(&format!("{SELECT_ORG} WHERE id = $1"), params![id])
            .await?;
        row.as_ref().map(read_org).transpose()
    }

    /// Registers a printer or lab without a caller (CLI, demo data).
    pub async fn register_organisation(
        &self,
        new: &NewOrganisation,
        actor: &str,
    ) -> Result<Organisation, StoreError> {
        let mut tx = self.db.begin().await?;
        let org = insert_org(&mut tx, new, actor).await?;
        tx.commit().await?;
        Ok(org)
    }
}

impl Scoped<'_> {
    /// Registered printers with their filings, by registration; anyone signed in may
    /// list them (enterprises pick one for a print job).
    pub async fn printers(&self, page: Page) -> Result<Paged<Organisation>, StoreError> {
        let db = &self.store.db;
        let total = db
            .fetch_one(
                "SELECT COUNT(*) FROM organisations WHERE kind = 'printer'",
                params![],
            )
            .await?
            .int(0)?;
        let mut w = Where::default();
        let (limit, offset) = (w.arg(page.limit()), w.arg(page.offset()));
        let rows = db
            .fetch_all(
                &format!(
                    "{SELECT_ORG} WHERE kind = 'printer' ORDER BY id LIMIT {limit} OFFSET {offset}"
                ),
                &w.values,
            )
            .await?;
        let items = rows.iter().map(read_org).collect::<Result<_, _>>()?;
        Ok(Paged { items, total })
    }

    /// Files a registered printer again (renewal, a new number or period), in force
    /// again if it was revoked: officers of its region, admins.
    pub async fn file_printer(
        &self,
        uscc: &str,
        new: &NewFiling,
    ) -> Result<Organisation, StoreError> {
        self.change_filing(uscc, FilingChange::File(new)).await
    }

    /// Revokes a printer's filing: it takes no new print jobs until filed again.
    pub async fn revoke_filing(
        &self,
        uscc: &str,
        reason: &str,
    ) -> Result<Organisation, StoreError> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(StoreError::Invalid {
                code: "reason",
                field: "reason",
                message: "give a reason of 1–500 characters".into(),
            });
        }
        self.change_filing(uscc, FilingChange::Revoke(reason)).await
    }

    /// Changes the filing of the printer `uscc` in one audited transaction.
    async fn change_filing(
        &self,
        uscc: &str,
        change: FilingChange<'_>,
    ) -> Result<Organisation, StoreError> {
        let mut tx = self.store.db.begin().await?;
        let before = tx
            .fetch_optional(
                &format!("{SELECT_ORG} WHERE uscc = $1 AND kind = 'printer'"),
                params![uscc],
            )
            .await?
            .map(|r| read_org(&r))
            .transpose()?
            .ok_or(StoreError::NotFound { entity: "printer" })?;
        let region = RegionCode::parse(&before.region).unwrap_or(RegionCode::NATIONAL);
        if !self.scope(Action::RegisterOrganisation).contains(0, region) {
            return Err(StoreError::Forbidden);
        }
        let at = now_ms();
        let actor = self.principal.username.as_str();
        let action = match change {
            FilingChange::File(new) => {
                write_filing(&mut tx, before.id, new, actor, at).await?;
                "printer.file"
            }
            FilingChange::Revoke(reason) => {
                tx.execute(
                    "UPDATE printer_filings SET revoked_reason = $1, updated_by = $2, updated_at = $3 WHERE printer_id = $4",
                    params![reason, actor, at, before.id],
                )
                .await?;
                "printer.revoke_filing"
            }
        };
        let after = read_org(
            &tx.fetch_one(&format!("{SELECT_ORG} WHERE id = $1"), params![before.id])
                .await?,
        )?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor,
                action,
                entity: "organisation",
                entity_id: before.id.to_string(),
                enterprise: None,
                before: serde_json::to_value(&before.filing).ok(),
                after: serde_json::to_value(&after.filing).ok(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Registers a printer or lab in the caller's region subtree (officers and admins).
    pub async fn register_organisation(
        &self,
        new: &NewOrganisation,
    ) -> Result<Organisation, StoreError> {
        if !self
            .scope(Action::RegisterOrganisation)
            .contains(0, new.region)
        {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.store.db.begin().await?;
        let org = insert_org(&mut tx, new, &self.principal.username).await?;
        tx.commit().await?;
        Ok(org)
    }
}

pub(crate) async fn ensure_bureau_in(
    tx: &mut Tx,
    code: RegionCode,
    actor: &str,
) -> Result<i64, StoreError> {
    if let Some(r) = tx
        .fetch_optional(
            "SELECT id FROM organisations WHERE kind = 'bureau' AND region = $1",
            params![code.as_str()],
        )
        .await?
    {
        return Ok(r.int(0)?);
    }
    let name = bureau_name(code);
    let at = now_ms();
    let id = tx
        .fetch_one(
            "INSERT INTO organisations (kind, uscc, name, region, created_at) VALUES ('bureau', NULL, $1, $2, $3) RETURNING id",
            params![name.as_str(), code.as_str(), at],
        )
        .await?
        .int(0)?;
    audit::append(
        tx,
        at,
        Change {
            actor,
            action: "bureau.create",
            entity: "organisation",
            entity_id: id.to_string(),
            enterprise: None,
            before: None,
            after: Some(
                serde_json::json!({"kind": "bureau", "name": name, "region": code.as_str()}),
            ),
        },
    )
    .await?;
    Ok(id)
}

async fn insert_org(
    tx: &mut Tx,
    new: &NewOrganisation,
    actor: &str,
) -> Result<Organisation, StoreError> {
    if !matches!(new.kind, OrgKind::Printer | OrgKind::Lab) {
        return Err(StoreError::Invalid {
            code: "organisation_kind",
            field: "kind",
            message: "only printers and labs are registered this way".into(),
        });
    }
    if region::lookup(new.region).is_none() {
        return Err(StoreError::Invalid {
            code: "region_unknown",
            field: "region",
            message: format!("unknown region {}", new.region),
        });
    }
    let at = now_ms();
    let row = tx
        .fetch_one(
            "INSERT INTO organisations (kind, uscc, name, region, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            params![new.kind.as_str(), new.uscc.as_str(), new.name.as_str(), new.region.as_str(), at],
        )
        .await
        .map_err(|e| {
            conflict_on_unique(e, "uscc_taken", "uscc", format!("an organisation with credit code {} is already registered", new.uscc))
        })?;
    let id = row.int(0)?;
    if new.kind == OrgKind::Printer {
        write_filing(tx, id, &new.filing, actor, at).await?;
    }
    let org = tx
        .fetch_one(&format!("{SELECT_ORG} WHERE id = $1"), params![id])
        .await
        .map_err(StoreError::from)
        .and_then(|r| read_org(&r))?;
    audit::append(
        tx,
        at,
        Change {
            actor,
            action: &format!("{}.create", new.kind.as_str()),
            entity: "organisation",
            entity_id: org.id.to_string(),
            enterprise: None,
            before: None,
            after: Some(serde_json::to_value(&org).unwrap_or_default()),
        },
    )
    .await?;
    Ok(org)
}

/// Writes (or rewrites) a printer's filing, in force again if it was revoked.
async fn write_filing(
    tx: &mut Tx,
    printer_id: i64,
    new: &NewFiling,
    actor: &str,
    at: i64,
) -> Result<(), StoreError> {
    let from = new.valid_from.unwrap_or_else(today);
    let until = new
        .valid_until
        .unwrap_or_else(|| filing::default_until(from));
    if until < from {
        return Err(StoreError::Invalid {
            code: "filing_period",
            field: "valid_until",
            message: format!("the filing ends ({until}) before it starts ({from})"),
        });
    }
    let number = match &new.number {
        Some(n) => n.clone(),
        None => filing::default_number(from.year(), printer_id),
    };
    tx.execute(
        "INSERT INTO printer_filings (printer_id, number, valid_from, valid_until, pledge_signed, revoked_reason, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, NULL, $6, $7) \
         ON CONFLICT (printer_id) DO UPDATE SET number = excluded.number, valid_from = excluded.valid_from, valid_until = excluded.valid_until, pledge_signed = excluded.pledge_signed, revoked_reason = NULL, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        params![printer_id, number.as_str(), from.to_string(), until.to_string(), new.pledge_signed, actor, at],
    )
    .await
    .map_err(|e| {
        conflict_on_unique(e, "filing_number_taken", "filing_number", format!("filing number {number} is already given to another printer"))
    })?;
    Ok(())
}
