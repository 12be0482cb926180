//! Enterprise archives (一企一档): basic data, products, and the whole archive in one read.

use serde::Serialize;
use zhijian_core::access::{Action, OrgKind, Scope};
use zhijian_core::catalogue;
use zhijian_core::enterprise::{EnterpriseStatus, Scale};
use zhijian_core::gtin::Gtin;
use zhijian_core::licence::LicenceState;
use zhijian_core::name_index::{Filter as IndexFilter, Lookup};
use zhijian_core::page::{Page, Paged};
use zhijian_core::region::{self, RegionCode};
use zhijian_core::uscc::Uscc;

use crate::audit::{self, AuditEntry, Change};
use crate::db::{Row, Tx};
use crate::licences::{self, Licence};
use crate::records::{self, SupervisionRecord};
use crate::search::{self, Plan};
use crate::{Scoped, StoreError, Where, conflict_on_unique, now_ms, params, rfc3339};

/// An enterprise to register.
#[derive(Debug, Clone)]
pub struct NewEnterprise {
    /// Its credit code.
    pub uscc: Uscc,
    /// Whether the code is a known legacy code that fails the check character.
    pub uscc_legacy: bool,
    /// Its registered name.
    pub name: String,
    /// Where it is registered.
    pub region: RegionCode,
    /// The other fields a bureau keeps.
    pub details: EnterpriseDetails,
}

/// The fields of an enterprise other than its identity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct EnterpriseDetails {
    /// Registered address.
    pub address: Option<String>,
    /// Legal representative.
    pub legal_representative: Option<String>,
    /// Contact person.
    pub contact_name: Option<String>,
    /// Contact telephone.
    pub contact_phone: Option<String>,
    /// Industry (free text, e.g. 食品制造业).
    pub industry: Option<String>,
    /// Size class.
    pub scale: Option<Scale>,
    /// Operating status.
    pub status: Option<EnterpriseStatus>,
}

/// One row of the enterprise list.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct EnterpriseSummary {
    /// Credit code.
    pub uscc: String,
    /// Name.
    pub name: String,
    /// Region code.
    pub region: String,
    /// Region name.
    pub region_name: String,
    /// Operating status.
    pub status: EnterpriseStatus,
}

/// Everything the node knows about one enterprise.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Archive {
    /// The organisation's id (for scope checks; not part of the document).
    #[serde(skip)]
    #[schema(ignore)]
    pub org_id: i64,
    /// Credit code.
    pub uscc: String,
    /// Whether the credit code is a legacy one accepted with a warning.
    pub uscc_legacy: bool,
    /// Name.
    pub name: String,
    /// Region code.
    pub region: String,
    /// The region and its ancestors, province first: `[{code, name}]`.
    pub region_path: Vec<RegionRef>,
    /// The other kept fields.
    #[serde(flatten)]
    pub details: EnterpriseDetails,
    /// When it was registered.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When its basic data last changed.
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Its licences.
    pub licences: Vec<Licence>,
    /// Its products.
    pub products: Vec<Product>,
    /// Supervision records, newest first, with attachments.
    pub records: Vec<SupervisionRecord>,
    /// The latest changes concerning it, newest first.
    pub history: Vec<AuditEntry>,
}

/// A region named in an archive.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct RegionRef {
    /// Code.
    pub code: String,
    /// Chinese name.
    pub name: String,
}

/// A product an enterprise makes.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Product {
    /// Its id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Specification or model.
    pub specification: Option<String>,
    /// The standard it is made to (e.g. GB 19645-2010).
    pub standard: Option<String>,
    /// Catalogue category id.
    pub category: String,
    /// GTIN-14, if it has one.
    pub gtin: Option<String>,
    /// When it was registered.
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// A product to register.
#[derive(Debug, Clone)]
pub struct NewProduct {
    /// Name.
    pub name: String,
    /// Specification or model.
    pub specification: Option<String>,
    /// The standard it is made to.
    pub standard: Option<String>,
    /// Catalogue category id (checked against the catalogue).
    pub category: String,
    /// GTIN, if it has one.
    pub gtin: Option<Gtin>,
}

/// Filters for the enterprise list; all optional.
#[derive(Debug, Clone, Default)]
pub struct EnterpriseFilter {
    /// Only this region's subtree.
    pub region: Option<RegionCode>,
    /// Only enterprises with a product in this category.
    pub category: Option<String>,
    /// Only this status.
    pub status: Option<EnterpriseStatus>,
    /// Only enterprises with a licence in this state.
    pub licence_state: Option<LicenceState>,
    /// Name contains this text, or credit code starts with it.
    pub q: Option<String>,
}

const SELECT_ENTERPRISE: &str = "SELECT o.id, o.uscc, o.name, o.region, o.created_at, e.address, e.legal_representative, e.contact_name, e.contact_phone, e.industry, e.scale, e.status, e.uscc_legacy, e.updated_at FROM organisations o JOIN enterprises e ON e.id = o.id";

struct EnterpriseRow {
    id: i64,
    uscc: String,
    name: String,
    region: String,
    created_at: i64,
    details: EnterpriseDetails,
    uscc_legacy: bool,
    updated_at: i64,
}

fn read_enterprise(r: &Row) -> Result<EnterpriseRow, StoreError> {
    Ok(EnterpriseRow {
        id: r.int(0)?,
        uscc: r.text(1)?,
        name: r.text(2)?,
        region: r.text(3)?,
        created_at: r.int(4)?,
        details: EnterpriseDetails {
            address: r.opt_text(5)?,
            legal_representative: r.opt_text(6)?,
            contact_name: r.opt_text(7)?,
            contact_phone: r.opt_text(8)?,
            industry: r.opt_text(9)?,
            scale: r.opt_text(10)?.as_deref().and_then(Scale::parse),
            status: EnterpriseStatus::parse(&r.text(11)?),
        },
        uscc_legacy: r.bool(12)?,
        updated_at: r.int(13)?,
    })
}

/// The name of a region code (the code itself when unknown).
pub(crate) fn region_name(code: &str) -> String {
    RegionCode::parse(code)
        .ok()
        .and_then(region::lookup)
        .map_or_else(|| code.to_owned(), |r| r.name.to_owned())
}

fn region_path(code: &str) -> Vec<RegionRef> {
    let Ok(c) = RegionCode::parse(code) else {
        return vec![];
    };
    let mut chain: Vec<RegionRef> = region::parent_chain(c)
        .into_iter()
        .map(|r| RegionRef {
            code: r.code.as_str().to_owned(),
            name: r.name.to_owned(),
        })
        .collect();
    chain.reverse();
    if let Some(r) = region::lookup(c) {
        chain.push(RegionRef {
            code: code.to_owned(),
            name: r.name.to_owned(),
        });
    }
    chain
}

fn product_json(p: &Product) -> serde_json::Value {
    serde_json::to_value(p).unwrap_or_default()
}

impl Scoped<'_> {
    /// Registers an enterprise in the caller's region subtree.
    pub async fn create_enterprise(
        &self,
        new: &NewEnterprise,
    ) -> Result<EnterpriseSummary, StoreError> {
        if region::lookup(new.region).is_none() {
            return Err(StoreError::Invalid {
                code: "region_unknown",
                field: "region",
                message: format!("unknown region {}", new.region),
            });
        }
        if !self.scope(Action::EditArchive).contains(0, new.region) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.store.db.begin().await?;
        let summary = insert_enterprise(&mut tx, new, &self.principal.username).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Changes an enterprise's name and details (officers and admins).
    pub async fn update_enterprise(
        &self,
        uscc: &str,
        name: Option<String>,
        details: &EnterpriseDetails,
    ) -> Result<EnterpriseSummary, StoreError> {
        let mut tx = self.store.db.begin().await?;
        let before = self.visible_enterprise(&mut tx, uscc).await?;
        let region = RegionCode::parse(&before.region).map_err(|_| StoreError::NotFound {
            entity: "enterprise",
        })?;
        if !self.principal.may(Action::EditArchive, before.id, region) {
            return Err(StoreError::Forbidden);
        }
        let merged = EnterpriseDetails {
            address: details.address.clone().or(before.details.address.clone()),
            legal_representative: details
                .legal_representative
                .clone()
                .or(before.details.legal_representative.clone()),
            contact_name: details
                .contact_name
                .clone()
                .or(before.details.contact_name.clone()),
            contact_phone: details
                .contact_phone
                .clone()
                .or(before.details.contact_phone.clone()),
            industry: details.industry.clone().or(before.details.industry.clone()),
            scale: details.scale.or(before.details.scale),
            status: details.status.or(before.details.status),
        };
        let name = name.unwrap_or_else(|| before.name.clone());
        let at = now_ms();
        if name != before.name {
            crate::search::replace(&mut tx, before.id, &before.region, &name).await?;
        }
        tx.execute(
            "UPDATE organisations SET name = $1 WHERE id = $2",
            params![name.as_str(), before.id],
        )
        .await?;
        tx.execute(
            "UPDATE enterprises SET address = $1, legal_representative = $2, contact_name = $3, contact_phone = $4, industry = $5, scale = $6, status = $7, updated_at = $8 WHERE id = $9",
            params![
                merged.address.clone(),
                merged.legal_representative.clone(),
                merged.contact_name.clone(),
                merged.contact_phone.clone(),
                merged.industry.clone(),
                merged.scale.map(Scale::as_str),
                merged.status.unwrap_or(EnterpriseStatus::Active).as_str(),
                at,
                before.id
            ],
        )
        .await?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor: &self.principal.username,
                action: "enterprise.update",
                entity: "enterprise",
                entity_id: uscc.to_owned(),
                enterprise: Some(uscc.to_owned()),
                before: Some(serde_json::json!({"name": before.name, "details": before.details})),
                after: Some(serde_json::json!({"name": name, "details": merged})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(EnterpriseSummary {
            uscc: uscc.to_owned(),
            name,
            region_name: region_name(&before.region),
            region: before.region,
            status: merged.status.unwrap_or(EnterpriseStatus::Active),
        })
    }

    /// The whole archive of one enterprise, or `None` when it does not exist or the
    /// caller may not see it.
    pub async fn archive(&self, uscc: &str) -> Result<Option<Archive>, StoreError> {
        let mut w = Where::default();
        let p = w.arg(uscc);
        w.cond(format!("o.uscc = {p}"));
        w.scope(self.scope(Action::Read), "o.id", "o.region");
        let db = &self.store.db;
        let Some(row) = db
            .fetch_optional(&format!("{SELECT_ENTERPRISE} WHERE {}", w.sql()), &w.values)
            .await?
        else {
            return Ok(None);
        };
        let e = read_enterprise(&row)?;
        let licences = licences::for_enterprise(db, e.id).await?;
        let products = products_of(db, e.id).await?;
        let records = records::for_enterprise(db, e.id).await?;
        let history = audit::for_enterprise(db, &e.uscc, 100).await?;
        Ok(Some(Archive {
            org_id: e.id,
            region_path: region_path(&e.region),
            uscc: e.uscc,
            uscc_legacy: e.uscc_legacy,
            name: e.name,
            region: e.region,
            details: e.details,
            created_at: rfc3339(e.created_at),
            updated_at: rfc3339(e.updated_at),
            licences,
            products,
            records,
            history,
        }))
    }

    /// A page of the enterprises the caller may see, filtered; ordered by credit code, or
    /// for a name search by region and registration order (straight from the index).
    pub async fn list_enterprises(
        &self,
        filter: &EnterpriseFilter,
        page: Page,
    ) -> Result<Paged<EnterpriseSummary>, StoreError> {
        let scope = self.scope(Action::Read);
        // The narrowest region prefix both the scope and the filter allow.
        let scope_prefix = match scope {
            Scope::Region(r) => r.prefix().to_owned(),
            _ => String::new(),
        };
        let filter_prefix = filter
            .region
            .map(|r| r.prefix().to_owned())
            .unwrap_or_default();
        let (prefix, disjoint) = if filter_prefix.starts_with(&scope_prefix) {
            (filter_prefix, false)
        } else {
            // A filter outside the caller's subtree matches nothing it may see.
            (
                scope_prefix.clone(),
                !scope_prefix.starts_with(&filter_prefix),
            )
        };
        if let Some(lookup) = filter.q.as_deref().and_then(Lookup::parse)
            && !disjoint
            && filter.category.is_none()
            && filter.licence_state.is_none()
            && matches!(scope, Scope::All | Scope::Region(_))
        {
            let hits = self.store.names.current(&self.store.db).await?.search(
                &lookup,
                IndexFilter {
                    region_prefix: &prefix,
                    status: filter.status,
                },
                usize::try_from(page.offset()).unwrap_or(usize::MAX),
                usize::try_from(page.limit()).unwrap_or(0),
            );
            return Ok(Paged {
                items: hits
                    .items
                    .into_iter()
                    .map(|l| EnterpriseSummary {
                        region_name: region_name(&l.region),
                        uscc: l.uscc,
                        name: l.name,
                        region: l.region,
                        status: l.status,
                    })
                    .collect(),
                total: i64::try_from(hits.total).unwrap_or(i64::MAX),
            });
        }
        let mut plan = filter.q.as_deref().and_then(search::plan);
        if let Some(Plan::Name { drive, others, .. }) = &mut plan {
            search::rarest_first(&self.store.db, drive, others, &prefix).await?;
        }
        let by_gram = matches!(plan, Some(Plan::Name { .. }));
        let others_filter =
            filter.status.is_some() || filter.category.is_some() || filter.licence_state.is_some();

        let mut w = Where::default();
        if disjoint {
            w.cond("1=0");
        }
        let region_range = |w: &mut Where, col: &str| {
            if let Some(hi) = search::prefix_end(&prefix) {
                let lo = w.arg(prefix.as_str());
                let hi = w.arg(hi);
                w.cond(format!("{col} >= {lo} AND {col} < {hi}"));
            }
        };
        let mut exact_single_gram = false;
        match &plan {
            Some(Plan::Name {
                drive,
                others,
                contains,
            }) => {
                let p = w.arg(drive.as_str());
                w.cond(format!("g.gram = {p}"));
                region_range(&mut w, "g.region");
                for other in others {
                    let p = w.arg(other.as_str());
                    w.cond(format!(
                        "EXISTS (SELECT 1 FROM name_grams g2 WHERE g2.gram = {p} AND g2.region = g.region AND g2.org_id = g.org_id)"
                    ));
                }
                match contains {
                    Some(c) => {
                        let p = w.arg(format!("%{}%", search::like_escape(c)));
                        w.cond(format!("o.name LIKE {p} ESCAPE '\\'"));
                    }
                    None => exact_single_gram = others.is_empty(),
                }
            }
            Some(Plan::Code { lo, hi }) => {
                let (lo, hi) = (w.arg(lo.as_str()), w.arg(hi.as_str()));
                w.cond(format!("o.uscc >= {lo} AND o.uscc < {hi}"));
                region_range(&mut w, "o.region");
            }
            Some(Plan::Scan { contains }) => {
                let p = w.arg(format!("%{}%", search::like_escape(contains)));
                w.cond(format!("o.name LIKE {p} ESCAPE '\\'"));
                region_range(&mut w, "o.region");
            }
            None => region_range(&mut w, "o.region"),
        }
        if !matches!(scope, Scope::All | Scope::Region(_)) {
            w.scope(scope, "o.id", "o.region");
        }
        if let Some(s) = filter.status {
            let p = w.arg(s.as_str());
            w.cond(format!("e.status = {p}"));
        }
        if let Some(c) = &filter.category {
            let p = w.arg(c.as_str());
            w.cond(format!("EXISTS (SELECT 1 FROM products p WHERE p.enterprise_id = o.id AND p.category = {p})"));
        }
        if let Some(s) = filter.licence_state {
            let p = w.arg(s.as_str());
            w.cond(format!(
                "EXISTS (SELECT 1 FROM licences l WHERE l.enterprise_id = o.id AND l.state = {p})"
            ));
        }
        let (from, order) = if by_gram {
            (
                "name_grams g JOIN organisations o ON o.id = g.org_id JOIN enterprises e ON e.id = o.id",
                "g.region, g.org_id",
            )
        } else {
            (
                "organisations o JOIN enterprises e ON e.id = o.id",
                "o.uscc",
            )
        };
        let where_ = w.sql();
        let db = &self.store.db;
        // A two-character name query within a region is counted from the index alone.
        let count_from = if exact_single_gram
            && !others_filter
            && matches!(scope, Scope::All | Scope::Region(_))
        {
            "name_grams g"
        } else {
            from
        };
        let total = db
            .fetch_one(
                &format!("SELECT COUNT(*) FROM {count_from} WHERE {where_}"),
                &w.values,
            )
            .await?
            .int(0)?;
        let limit = w.arg(page.limit());
        let offset = w.arg(page.offset());
        let rows = db
            .fetch_all(
                &format!(
                    "SELECT o.uscc, o.name, o.region, e.status FROM {from} WHERE {where_} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
                ),
                &w.values,
            )
            .await?;
        let items = rows
            .iter()
            .map(|r| {
                let region = r.text(2)?;
                Ok(EnterpriseSummary {
                    uscc: r.text(0)?,
                    name: r.text(1)?,
                    region_name: region_name(&region),
                    region,
                    status: EnterpriseStatus::parse(&r.text(3)?)
                        .unwrap_or(EnterpriseStatus::Active),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Paged { items, total })
    }

    /// Registers a product of an enterprise (its own users, officers, admins).
    pub async fn add_product(&self, uscc: &str, new: &NewProduct) -> Result<Product, StoreError> {
        if catalogue::category(&new.category).is_none() {
            return Err(StoreError::Invalid {
                code: "category_unknown",
                field: "category",
                message: format!("unknown product category {}", new.category),
            });
        }
        let mut tx = self.store.db.begin().await?;
        let e = self.visible_enterprise(&mut tx, uscc).await?;
        let region = RegionCode::parse(&e.region).map_err(|_| StoreError::NotFound {
            entity: "enterprise",
        })?;
        if !self.principal.may(Action::EditProducts, e.id, region) {
            return Err(StoreError::Forbidden);
        }
        let at = now_ms();
        let gtin = new.gtin.as_ref().map(|g| g.as_str().to_owned());
        let id = tx
            .fetch_one(
                "INSERT INTO products (enterprise_id, name, specification, standard, category, gtin, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                params![e.id, new.name.as_str(), new.specification.clone(), new.standard.clone(), new.category.as_str(), gtin.clone(), at],
            )
            .await
            .map_err(|err| conflict_on_unique(err, "gtin_taken", "gtin", "another product already has this GTIN".into()))?
            .int(0)?;
        let product = Product {
            id,
            name: new.name.clone(),
            specification: new.specification.clone(),
            standard: new.standard.clone(),
            category: new.category.clone(),
            gtin,
            created_at: rfc3339(at),
        };
        audit::append(
            &mut tx,
            at,
            Change {
                actor: &self.principal.username,
                action: "product.create",
                entity: "product",
                entity_id: id.to_string(),
                enterprise: Some(uscc.to_owned()),
                before: None,
                after: Some(product_json(&product)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(product)
    }

    /// The enterprise with this credit code, if the caller may read it; `NotFound` otherwise.
    pub(crate) async fn visible_enterprise(
        &self,
        tx: &mut Tx,
        uscc: &str,
    ) -> Result<VisibleEnterprise, StoreError> {
        let mut w = Where::default();
        let p = w.arg(uscc);
        w.cond(format!("o.uscc = {p}"));
        w.scope(self.scope(Action::Read), "o.id", "o.region");
        let row = tx
            .fetch_optional(&format!("{SELECT_ENTERPRISE} WHERE {}", w.sql()), &w.values)
            .await?
            .ok_or(StoreError::NotFound {
                entity: "enterprise",
            })?;
        let e = read_enterprise(&row)?;
        Ok(VisibleEnterprise {
            id: e.id,
            name: e.name,
            region: e.region,
            details: e.details,
        })
    }
}

/// The parts of an enterprise row writers need.
pub(crate) struct VisibleEnterprise {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) region: String,
    pub(crate) details: EnterpriseDetails,
}

pub(crate) async fn insert_enterprise(
    tx: &mut Tx,
    new: &NewEnterprise,
    actor: &str,
) -> Result<EnterpriseSummary, StoreError> {
    let at = now_ms();
    let id = tx
        .fetch_one(
            "INSERT INTO organisations (kind, uscc, name, region, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            params![OrgKind::Enterprise.as_str(), new.uscc.as_str(), new.name.as_str(), new.region.as_str(), at],
        )
        .await
        .map_err(|e| {
            conflict_on_unique(e, "enterprise_exists", "uscc", format!("an organisation with credit code {} is already registered", new.uscc))
        })?
        .int(0)?;
    crate::search::insert(tx, &crate::search::rows(id, new.region.as_str(), &new.name)).await?;
    let d = &new.details;
    let status = d.status.unwrap_or(EnterpriseStatus::Active);
    tx.execute(
        "INSERT INTO enterprises (id, address, legal_representative, contact_name, contact_phone, industry, scale, status, uscc_legacy, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        params![
            id,
            d.address.clone(),
            d.legal_representative.clone(),
            d.contact_name.clone(),
            d.contact_phone.clone(),
            d.industry.clone(),
            d.scale.map(Scale::as_str),
            status.as_str(),
            new.uscc_legacy,
            at
        ],
    )
    .await?;
    audit::append(
        tx,
        at,
        Change {
            actor,
            action: "enterprise.create",
            entity: "enterprise",
            entity_id: new.uscc.as_str().to_owned(),
            enterprise: Some(new.uscc.as_str().to_owned()),
            before: None,
            after: Some(serde_json::json!({
                "uscc": new.uscc.as_str(), "name": new.name, "region": new.region.as_str(),
                "uscc_legacy": new.uscc_legacy, "details": d,
            })),
        },
    )
    .await?;
    Ok(EnterpriseSummary {
        uscc: new.uscc.as_str().to_owned(),
        name: new.name.clone(),
        region: new.region.as_str().to_owned(),
        region_name: region_name(new.region.as_str()),
        status,
    })
}

pub(crate) async fn products_of(
    db: &crate::db::Db,
    enterprise_id: i64,
) -> Result<Vec<Product>, StoreError> {
    let rows = db
        .fetch_all(
            "SELECT id, name, specification, standard, category, gtin, created_at FROM products WHERE enterprise_id = $1 ORDER BY id",
            params![enterprise_id],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Product {
                id: r.int(0)?,
                name: r.text(1)?,
                specification: r.opt_text(2)?,
                standard: r.opt_text(3)?,
                category: r.text(4)?,
                gtin: r.opt_text(5)?,
                created_at: rfc3339(r.int(6)?),
            })
        })
        .collect()
}
