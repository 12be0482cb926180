//! GS1 master data: the company prefixes an organisation holds, and the names behind
//! GLNs and PGLNs (a maker's plant, a distributor's warehouse, a shop, a trading party).
//!
//! Prefixes decide what an enterprise may capture events about (see
//! [`crate::epcis::Holdings`]); locations let traces show names instead of bare
//! identifiers. Identifiers are stored in their canonical Digital Link form
//! (`https://id.gs1.org/414/{gln}`, `…/414/{gln}/254/{ext}`, `…/417/{gln}`).

use std::collections::HashMap;

use zhijian_core::access::{Action, Role, Scope};
use zhijian_core::page::{Page, Paged};
use zhijian_core::region::RegionCode;

use crate::db::Row;
use crate::epcis::gs1_key;
use crate::{Scoped, Store, StoreError, Where, now_ms, params, rfc3339};

/// A GS1 company prefix and who holds it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Gs1Prefix {
    /// The prefix, 6–12 digits.
    pub prefix: String,
    /// When it was registered (RFC 3339).
    pub created_at: String,
    /// Who registered it.
    pub created_by: String,
}

/// What a location or party is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LocationKind {
    /// A maker's plant.
    Maker,
    /// A distributor.
    Distributor,
    /// A shop.
    Shop,
    /// A warehouse.
    Warehouse,
    /// A trading party (a PGLN).
    Party,
    /// Anything else.
    Other,
}

impl LocationKind {
    /// Every kind, in the order the API documents them.
    pub const ALL: [LocationKind; 6] = [
        LocationKind::Maker,
        LocationKind::Distributor,
        LocationKind::Shop,
        LocationKind::Warehouse,
        LocationKind::Party,
        LocationKind::Other,
    ];

    /// The stored (and API) word.
    pub fn as_str(self) -> &'static str {
        match self {
            LocationKind::Maker => "maker",
            LocationKind::Distributor => "distributor",
            LocationKind::Shop => "shop",
            LocationKind::Warehouse => "warehouse",
            LocationKind::Party => "party",
            LocationKind::Other => "other",
        }
    }

    /// The kind named by `word`.
    pub fn parse(word: &str) -> Option<LocationKind> {
        LocationKind::ALL.into_iter().find(|k| k.as_str() == word)
    }
}

/// A named GLN or PGLN.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Location {
    /// The canonical Digital Link (`https://id.gs1.org/414/…` or `…/417/…`).
    pub identifier: String,
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: LocationKind,
    /// The GB/T 2260 region it lies in.
    pub region: Option<String>,
    /// The credit code of the organisation holding its prefix, if registered here.
    pub enterprise: Option<String>,
    /// When it was registered (RFC 3339).
    pub created_at: String,
}

/// A location to register (identifier already canonical, region already checked).
#[derive(Debug, Clone)]
pub struct NewLocation {
    /// The canonical Digital Link of a GLN or PGLN.
    pub identifier: String,
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: LocationKind,
    /// Its region.
    pub region: RegionCode,
}

/// Filters of the location list.
#[derive(Debug, Clone, Default)]
pub struct LocationFilter {
    /// Part of the name or identifier.
    pub q: Option<String>,
    /// Locations in this region's subtree.
    pub region: Option<RegionCode>,
    /// Only this kind.
    pub kind: Option<LocationKind>,
}

/// What a trace shows for an identifier.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LocationName {
    /// The name.
    pub name: String,
    /// What it is.
    pub kind: LocationKind,
    /// Its region.
    pub region: Option<String>,
}

const SELECT_LOCATION: &str = "SELECT l.identifier, l.name, l.kind, l.region, o.uscc, l.created_at \
     FROM gs1_locations l LEFT JOIN organisations o ON o.id = l.organisation_id";

fn read_location(row: &Row) -> Result<Location, StoreError> {
    Ok(Location {
        identifier: row.text(0)?,
        name: row.text(1)?,
        kind: LocationKind::parse(&row.text(2)?).unwrap_or(LocationKind::Other),
        region: row.opt_text(3)?,
        enterprise: row.opt_text(4)?,
        created_at: rfc3339(row.int(5)?),
    })
}

/// Checks a company prefix: 6–12 digits.
fn check_prefix(prefix: &str) -> Result<(), StoreError> {
    if (6..=12).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(StoreError::Invalid {
            code: "prefix_format",
            field: "prefix",
            message: "a GS1 company prefix is 6 to 12 digits".into(),
        })
    }
}

impl Store {
    /// Registers a GS1 company prefix as an organisation's (6–12 digits, held by one
    /// organisation only).
    pub async fn add_gs1_prefix(
        &self,
        actor: &str,
        organisation_id: i64,
        prefix: &str,
    ) -> Result<(), StoreError> {
        check_prefix(prefix)?;
        let at = now_ms();
        let mut tx = self.db.begin().await?;
        tx.execute(
            "INSERT INTO gs1_prefixes (prefix, organisation_id, created_by, created_at) VALUES ($1, $2, $3, $4)",
            params![prefix, organisation_id, actor, at],
        )
        .await
        .map_err(|e| crate::conflict_on_unique(e, "prefix_taken", "prefix", format!("prefix {prefix} is already registered")))?;
        crate::audit::append(
            &mut tx,
            at,
            crate::audit::Change {
                actor,
                action: "gs1_prefix.add",
                entity: "gs1_prefix",
                entity_id: prefix.to_owned(),
                enterprise: None,
                before: None,
                after: Some(serde_json::json!({"organisation_id": organisation_id})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The organisation holding the prefix a canonical GLN/PGLN (or other GS1 key) falls
    /// under, if any.
    pub async fn prefix_holder(&self, canonical: &str) -> Result<Option<i64>, StoreError> {
        let Some((ai, key)) = gs1_key(canonical) else {
            return Ok(None);
        };
        // The indicator digit (GTIN) or extension digit (SSCC) comes before the prefix.
        let digits = if matches!(ai, "01" | "00") {
            key.get(1..).unwrap_or_default()
        } else {
            key
        };
        let mut w = Where::default();
        let candidates: Vec<String> = (6..=12.min(digits.len()))
            .map(|n| w.arg(&digits[..n]))
            .collect();
        if candidates.is_empty() {
            return Ok(None);
        }
        let row = self
            .db
            .fetch_optional(
                &format!(
                    "SELECT organisation_id FROM gs1_prefixes WHERE prefix IN ({})",
                    candidates.join(", ")
                ),
                &w.values,
            )
            .await?;
        Ok(row.map(|r| r.int(0)).transpose()?)
    }

    /// The names of those identifiers that are registered locations or parties, by
    /// canonical identifier (for traces).
    pub async fn location_names(
        &self,
        identifiers: &[String],
    ) -> Result<HashMap<String, LocationName>, StoreError> {
        let mut names = HashMap::new();
        for chunk in identifiers.chunks(200) {
            let mut w = Where::default();
            let ps: Vec<String> = chunk.iter().map(|i| w.arg(i.as_str())).collect();
            let rows = self
                .db
                .fetch_all(
                    &format!(
                        "SELECT identifier, name, kind, region FROM gs1_locations WHERE identifier IN ({})",
                        ps.join(", ")
                    ),
                    &w.values,
                )
                .await?;
            for row in rows {
                names.insert(
                    row.text(0)?,
                    LocationName {
                        name: row.text(1)?,
                        kind: LocationKind::parse(&row.text(2)?).unwrap_or(LocationKind::Other),
                        region: row.opt_text(3)?,
                    },
                );
            }
        }
        Ok(names)
    }
}

impl Scoped<'_> {
    /// The id of an enterprise the caller may manage prefixes of (admins, officers of
    /// its region); enterprises themselves may only read theirs.
    async fn prefix_owner(&self, uscc: &str, action: Action) -> Result<i64, StoreError> {
        let mut tx = self.store.db.begin().await?;
        let e = self.visible_enterprise(&mut tx, uscc).await?;
        tx.commit().await?;
        let region = RegionCode::parse(&e.region).map_err(|_| StoreError::NotFound {
            entity: "enterprise",
        })?;
        if self.principal().may(action, e.id, region) {
            Ok(e.id)
        } else {
            Err(StoreError::Forbidden)
        }
    }

    /// An enterprise's GS1 company prefixes.
    pub async fn gs1_prefixes(&self, uscc: &str) -> Result<Vec<Gs1Prefix>, StoreError> {
        let org = self.prefix_owner(uscc, Action::Read).await?;
        let rows = self
            .store
            .db
            .fetch_all(
                "SELECT prefix, created_at, created_by FROM gs1_prefixes WHERE organisation_id = $1 ORDER BY prefix",
                params![org],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Gs1Prefix {
                    prefix: r.text(0)?,
                    created_at: rfc3339(r.int(1)?),
                    created_by: r.text(2)?,
                })
            })
            .collect()
    }

    /// Registers a prefix as an enterprise's (admins, officers whose region covers it).
    pub async fn add_enterprise_prefix(&self, uscc: &str, prefix: &str) -> Result<(), StoreError> {
        let org = self.prefix_owner(uscc, Action::EditArchive).await?;
        self.store
            .add_gs1_prefix(&self.principal().username, org, prefix)
            .await
    }

    /// Withdraws a prefix from an enterprise (admins, officers whose region covers it).
    pub async fn remove_enterprise_prefix(
        &self,
        uscc: &str,
        prefix: &str,
    ) -> Result<(), StoreError> {
        let org = self.prefix_owner(uscc, Action::EditArchive).await?;
        let at = now_ms();
        let mut tx = self.store.db.begin().await?;
        let removed = tx
            .execute(
                "DELETE FROM gs1_prefixes WHERE prefix = $1 AND organisation_id = $2",
                params![prefix, org],
            )
            .await?;
        if removed == 0 {
            return Err(StoreError::NotFound {
                entity: "GS1 prefix",
            });
        }
        crate::audit::append(
            &mut tx,
            at,
            crate::audit::Change {
                actor: &self.principal().username,
                action: "gs1_prefix.remove",
                entity: "gs1_prefix",
                entity_id: prefix.to_owned(),
                enterprise: Some(uscc.to_owned()),
                before: Some(serde_json::json!({"organisation_id": org})),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Registers a location or party. An enterprise registers only identifiers under
    /// its own prefixes; officers and admins any. The location belongs to whoever
    /// holds its prefix.
    pub async fn add_location(&self, new: &NewLocation) -> Result<Location, StoreError> {
        let holder = self.store.prefix_holder(&new.identifier).await?;
        match self.principal().role {
            Role::Admin | Role::Officer => {}
            Role::Enterprise => {
                if holder.is_none() || holder != self.principal().org_id {
                    return Err(StoreError::Rejected {
                        code: "location_not_yours",
                        field: "identifier",
                        message: "the identifier is not under one of your GS1 company prefixes"
                            .into(),
                        codes: Vec::new(),
                    });
                }
            }
            _ => return Err(StoreError::Forbidden),
        }
        let at = now_ms();
        let actor = &self.principal().username;
        let mut tx = self.store.db.begin().await?;
        tx.execute(
            "INSERT INTO gs1_locations (identifier, name, kind, region, organisation_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            params![new.identifier.as_str(), new.name.as_str(), new.kind.as_str(), new.region.as_str(), holder, actor.as_str(), at],
        )
        .await
        .map_err(|e| crate::conflict_on_unique(e, "location_taken", "identifier", format!("{} is already registered", new.identifier)))?;
        crate::audit::append(
            &mut tx,
            at,
            crate::audit::Change {
                actor,
                action: "gs1_location.add",
                entity: "gs1_location",
                entity_id: new.identifier.clone(),
                enterprise: None,
                before: None,
                after: Some(serde_json::json!({"name": new.name, "kind": new.kind.as_str(), "region": new.region.as_str()})),
            },
        )
        .await?;
        tx.commit().await?;
        self.location(&new.identifier).await
    }

    /// Whether the caller may read master data at all (not printers and labs, whose
    /// work has nothing to do with the flow of goods).
    fn reads_master_data(&self) -> Result<(), StoreError> {
        match self.scope(Action::ReadEvents) {
            Scope::Nothing => Err(StoreError::Forbidden),
            _ => Ok(()),
        }
    }

    /// One location by its canonical identifier.
    pub async fn location(&self, identifier: &str) -> Result<Location, StoreError> {
        self.reads_master_data()?;
        let row = self
            .store
            .db
            .fetch_optional(
                &format!("{SELECT_LOCATION} WHERE l.identifier = $1"),
                params![identifier],
            )
            .await?
            .ok_or(StoreError::NotFound { entity: "location" })?;
        read_location(&row)
    }

    /// A page of locations matching the filter, by identifier.
    pub async fn locations(
        &self,
        filter: &LocationFilter,
        page: Page,
    ) -> Result<Paged<Location>, StoreError> {
        self.reads_master_data()?;
        let mut w = Where::default();
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let p = w.arg(format!("%{}%", q.replace(['%', '_'], "")));
            w.cond(format!("(l.name LIKE {p} OR l.identifier LIKE {p})"));
        }
        if let Some(region) = filter.region {
            let p = w.arg(format!("{}%", region.prefix()));
            w.cond(format!("l.region LIKE {p}"));
        }
        if let Some(kind) = filter.kind {
            let p = w.arg(kind.as_str());
            w.cond(format!("l.kind = {p}"));
        }
        let db = &self.store.db;
        let total = db
            .fetch_one(
                &format!("SELECT COUNT(*) FROM gs1_locations l WHERE {}", w.sql()),
                &w.values,
            )
            .await?
            .int(0)?;
        let (limit, offset) = (w.arg(page.limit()), w.arg(page.offset()));
        let rows = db
            .fetch_all(
                &format!(
                    "{SELECT_LOCATION} WHERE {} ORDER BY l.identifier LIMIT {limit} OFFSET {offset}",
                    w.sql()
                ),
                &w.values,
            )
            .await?;
        let items = rows.iter().map(read_location).collect::<Result<_, _>>()?;
        Ok(Paged { items, total })
    }
}
