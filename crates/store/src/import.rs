//! Bulk import of whole archives: enterprises with their products, licences (in any
//! state, with their histories) and records, written with multi-row inserts. Used by
//! the demo generator and for migrating archives from older systems.
//!
//! Each enterprise gets one `enterprise.import` audit entry; everything in a batch
//! commits together or not at all.

use jiff::civil::Date;
use zhijian_core::access::Role;
use zhijian_core::enterprise::{EnterpriseStatus, Scale};
use zhijian_core::licence::LicenceState;
use zhijian_core::licence_number::LicenceKind;

use crate::audit::{self, Change};
use crate::db::{Tx, Value};
use crate::enterprises::{NewEnterprise, NewProduct};
use crate::licences::LicenceStep;
use crate::records::NewRecord;
use crate::{Store, StoreError, now_ms};

/// One enterprise and everything it comes with.
#[derive(Debug, Clone)]
pub struct ImportEnterprise {
    /// Identity and basic data.
    pub enterprise: NewEnterprise,
    /// When it was registered.
    pub created_at: i64,
    /// Its products.
    pub products: Vec<NewProduct>,
    /// Its licences.
    pub licences: Vec<ImportLicence>,
    /// Its supervision records.
    pub records: Vec<ImportRecord>,
}

/// A licence with its history, in any state.
#[derive(Debug, Clone)]
pub struct ImportLicence {
    /// Industrial or food.
    pub kind: LicenceKind,
    /// The certificate number, once issued.
    pub number: Option<String>,
    /// The current state.
    pub state: LicenceState,
    /// Product categories covered.
    pub scope: Vec<String>,
    /// Validity start.
    pub valid_from: Option<Date>,
    /// Validity end.
    pub valid_until: Option<Date>,
    /// When it was applied for.
    pub applied_at: i64,
    /// Its transitions, oldest first.
    pub events: Vec<LicenceStep>,
}

/// A past supervision record.
#[derive(Debug, Clone)]
pub struct ImportRecord {
    /// The record.
    pub record: NewRecord,
    /// Who wrote it.
    pub author: String,
    /// When it was entered.
    pub created_at: i64,
}

/// A user with an already-hashed password (importers hash once, not per user).
#[derive(Debug, Clone)]
pub struct ImportUser {
    /// Login name.
    pub username: String,
    /// An argon2 PHC string (see [`crate::identity::hash_password`]).
    pub password_hash: String,
    /// Role.
    pub role: Role,
    /// Organisation credit code (enterprise, printer, lab users) — bureaus go by region.
    pub org_uscc: Option<String>,
    /// Bureau region for officers and viewers.
    pub region: Option<String>,
    /// Name to show.
    pub display_name: Option<String>,
}

/// How many rows an import wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    /// Enterprises.
    pub enterprises: usize,
    /// Products.
    pub products: usize,
    /// Licences.
    pub licences: usize,
    /// Supervision records.
    pub records: usize,
}

fn kind_str(k: LicenceKind) -> &'static str {
    match k {
        LicenceKind::Food => "food",
        LicenceKind::Industrial => "industrial",
    }
}

impl Store {
    /// Imports a batch of enterprises in one transaction.
    pub async fn import(
        &self,
        batch: &[ImportEnterprise],
        actor: &str,
    ) -> Result<ImportCounts, StoreError> {
        let mut tx = self.db.begin().await?;
        let counts = import_in(&mut tx, batch, actor).await?;
        tx.commit().await?;
        Ok(counts)
    }

    /// Imports users whose passwords are already hashed; bureaus are created as needed.
    pub async fn import_users(&self, users: &[ImportUser], actor: &str) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        import_users_in(&mut tx, users, actor).await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many enterprises the node holds (used to tell an empty node from a filled one).
    pub async fn enterprise_count(&self) -> Result<i64, StoreError> {
        Ok(self
            .db
            .fetch_one("SELECT COUNT(*) FROM enterprises", &[])
            .await?
            .int(0)?)
    }
}

/// [`Store::import`] inside a transaction of the caller's.
pub(crate) async fn import_in(
    tx: &mut Tx,
    batch: &[ImportEnterprise],
    actor: &str,
) -> Result<ImportCounts, StoreError> {
    let mut counts = ImportCounts::default();
    let mut org_id = tx.reserve_ids("organisations").await?;
    let mut product_id = tx.reserve_ids("products").await?;
    let mut licence_id = tx.reserve_ids("licences").await?;
    let mut record_id = tx.reserve_ids("supervision_records").await?;
    let (mut orgs, mut ents, mut products, mut licences, mut events, mut records) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut changes = Vec::with_capacity(batch.len());
    let mut grams = Vec::with_capacity(batch.len() * 12);
    for item in batch {
        let e = &item.enterprise;
        let d = &e.details;
        orgs.push(vec![
            org_id.into(),
            "enterprise".into(),
            e.uscc.as_str().into(),
            e.name.as_str().into(),
            e.region.as_str().into(),
            item.created_at.into(),
        ]);
        grams.extend(crate::search::rows(org_id, e.region.as_str(), &e.name));
        ents.push(vec![
            org_id.into(),
            d.address.clone().into(),
            d.legal_representative.clone().into(),
            d.contact_name.clone().into(),
            d.contact_phone.clone().into(),
            d.industry.clone().into(),
            d.scale.map(Scale::as_str).into(),
            d.status.unwrap_or(EnterpriseStatus::Active).as_str().into(),
            e.uscc_legacy.into(),
            item.created_at.into(),
        ]);
        for p in &item.products {
            products.push(vec![
                product_id.into(),
                org_id.into(),
                p.name.as_str().into(),
                p.specification.clone().into(),
                p.standard.clone().into(),
                p.category.as_str().into(),
                p.gtin.as_ref().map(|g| g.as_str().to_owned()).into(),
                item.created_at.into(),
            ]);
            product_id += 1;
        }
        for l in &item.licences {
            let updated = l.events.last().map_or(l.applied_at, |ev| ev.at);
            licences.push(vec![
                licence_id.into(),
                org_id.into(),
                kind_str(l.kind).into(),
                l.number.clone().into(),
                l.state.as_str().into(),
                serde_json::to_string(&l.scope).unwrap_or_default().into(),
                l.valid_from.map(|d| d.to_string()).into(),
                l.valid_until.map(|d| d.to_string()).into(),
                l.applied_at.into(),
                updated.into(),
            ]);
            for ev in &l.events {
                events.push(vec![
                    licence_id.into(),
                    ev.action.into(),
                    ev.from.map(LicenceState::as_str).into(),
                    ev.to.as_str().into(),
                    ev.actor.as_str().into(),
                    ev.reason.clone().into(),
                    ev.at.into(),
                ]);
            }
            licence_id += 1;
        }
        for r in &item.records {
            records.push(vec![
                record_id.into(),
                org_id.into(),
                r.record.kind.as_str().into(),
                r.record.occurred_on.to_string().into(),
                r.record.summary.as_str().into(),
                r.record.findings.clone().into(),
                r.author.as_str().into(),
                r.created_at.into(),
            ]);
            record_id += 1;
        }
        changes.push(Change {
                actor,
                action: "enterprise.import",
                entity: "enterprise",
                entity_id: e.uscc.as_str().to_owned(),
                enterprise: Some(e.uscc.as_str().to_owned()),
                before: None,
                after: Some(serde_json::json!({
                    "uscc": e.uscc.as_str(), "name": e.name, "region": e.region.as_str(), "details": d,
                    "products": item.products.len(), "licences": item.licences.len(), "records": item.records.len(),
                })),
            });
        org_id += 1;
        counts.enterprises += 1;
        counts.products += item.products.len();
        counts.licences += item.licences.len();
        counts.records += item.records.len();
    }
    tx.insert_rows(
        "INSERT INTO organisations (id, kind, uscc, name, region, created_at)",
        6,
        &orgs,
    )
    .await
    .map_err(|e| {
        crate::conflict_on_unique(
            e,
            "enterprise_exists",
            "uscc",
            "a credit code in the batch is already registered".into(),
        )
    })?;
    crate::search::insert(tx, &grams).await?;
    tx.insert_rows(
            "INSERT INTO enterprises (id, address, legal_representative, contact_name, contact_phone, industry, scale, status, uscc_legacy, updated_at)",
            10,
            &ents,
        )
        .await?;
    tx.insert_rows(
            "INSERT INTO products (id, enterprise_id, name, specification, standard, category, gtin, created_at)",
            8,
            &products,
        )
        .await?;
    tx.insert_rows(
            "INSERT INTO licences (id, enterprise_id, kind, number, state, scope, valid_from, valid_until, applied_at, updated_at)",
            10,
            &licences,
        )
        .await?;
    tx.insert_rows(
        "INSERT INTO licence_events (licence_id, action, from_state, to_state, actor, reason, at)",
        7,
        &events,
    )
    .await?;
    tx.insert_rows(
            "INSERT INTO supervision_records (id, enterprise_id, kind, occurred_on, summary, findings, author, created_at)",
            8,
            &records,
        )
        .await?;
    for table in [
        "organisations",
        "products",
        "licences",
        "supervision_records",
    ] {
        tx.sync_identity(table).await?;
    }
    audit::append_many(tx, now_ms(), changes).await?;
    Ok(counts)
}

/// [`Store::import_users`] inside a transaction of the caller's.
pub(crate) async fn import_users_in(
    tx: &mut Tx,
    users: &[ImportUser],
    actor: &str,
) -> Result<(), StoreError> {
    let at = now_ms();
    let mut changes = vec![];
    for u in users {
        crate::identity::check_username(&u.username)?;
        let org_id: Option<i64> = match (&u.region, &u.org_uscc) {
            (Some(r), _) => {
                let code = zhijian_core::region::RegionCode::parse(r).map_err(|e| {
                    StoreError::Invalid {
                        code: "region_format",
                        field: "region",
                        message: e.to_string(),
                    }
                })?;
                Some(crate::organisations::ensure_bureau_in(tx, code, actor).await?)
            }
            (None, Some(uscc)) => Some(
                tx.fetch_optional(
                    "SELECT id FROM organisations WHERE uscc = $1",
                    &[Value::from(uscc.as_str())],
                )
                .await?
                .ok_or(StoreError::NotFound {
                    entity: "organisation",
                })?
                .int(0)?,
            ),
            (None, None) => None,
        };
        let id = tx
                .fetch_one(
                    "INSERT INTO users (username, password_hash, role, org_id, display_name, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    &[
                        u.username.as_str().into(),
                        u.password_hash.as_str().into(),
                        u.role.as_str().into(),
                        org_id.into(),
                        u.display_name.clone().into(),
                        false.into(),
                        at.into(),
                    ],
                )
                .await
                .map_err(|e| crate::conflict_on_unique(e, "username_taken", "username", format!("the username {} is taken", u.username)))?
                .int(0)?;
        changes.push(Change {
                actor,
                action: "user.import",
                entity: "user",
                entity_id: id.to_string(),
                enterprise: None,
                before: None,
                after: Some(serde_json::json!({"username": u.username, "role": u.role.as_str(), "org_id": org_id})),
            });
    }
    audit::append_many(tx, at, changes).await?;
    Ok(())
}
