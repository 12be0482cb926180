//! Organisations users belong to: bureaus (one per region), enterprises, printers, labs.

use serde::Serialize;
use zhijian_core::access::{Action, OrgKind};
use zhijian_core::region::{self, RegionCode};
use zhijian_core::uscc::Uscc;

use crate::audit::{self, Change};
use crate::db::{Row, Tx};
use crate::{Scoped, Store, StoreError, conflict_on_unique, now_ms, params, rfc3339};

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
}

pub(crate) const SELECT_ORG: &str =
    "SELECT id, kind, uscc, name, region, created_at FROM organisations";

pub(crate) fn read_org(r: &Row) -> Result<Organisation, StoreError> {
    let kind = r.text(1)?;
    Ok(Organisation {
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
    let org = Organisation {
        id: row.int(0)?,
        kind: new.kind,
        uscc: Some(new.uscc.as_str().to_owned()),
        name: new.name.clone(),
        region: new.region.as_str().to_owned(),
        created_at: rfc3339(at),
    };
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
