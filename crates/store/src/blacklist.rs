//! The blacklist: bureaus list an enterprise on a legal basis by a decision, for a period
//! or until removed; current entries are public and cap the enterprise's grade at D.

use serde::Serialize;
use zhijian_core::access::Action;
use zhijian_core::page::{Page, Paged};
use zhijian_core::region::RegionCode;

use crate::audit::{self, Change};
use crate::db::Row;
use crate::{Scoped, Store, StoreError, Where, now_ms, params, required_text, rfc3339, today};

/// An entry to add.
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// The enterprise's credit code.
    pub enterprise: String,
    /// The law and article it rests on (e.g. 《市场监督管理严重违法失信名单管理办法》第二条).
    pub legal_basis: String,
    /// The decision's document number.
    pub decision: String,
    /// What the enterprise did.
    pub reason: String,
    /// The last day it stays listed; none: until removed.
    pub until: Option<jiff::civil::Date>,
    /// The decided case about this enterprise the listing follows from.
    pub case_id: Option<i64>,
}

/// An entry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Entry {
    /// Its id.
    pub id: i64,
    /// The enterprise's credit code.
    pub enterprise: String,
    /// Its name.
    pub enterprise_name: String,
    /// Its region.
    pub region: String,
    /// The legal basis.
    pub legal_basis: String,
    /// The decision's document number.
    pub decision: String,
    /// What it did.
    pub reason: String,
    /// Listed from.
    #[schema(format = Date)]
    pub listed_on: String,
    /// Listed until (inclusive); none: until removed.
    #[schema(format = Date)]
    pub until: Option<String>,
    /// Whether it is in force today.
    pub current: bool,
    /// When it was removed.
    #[schema(format = DateTime)]
    pub removed_at: Option<String>,
    /// Why.
    pub removal_reason: Option<String>,
    /// The case whose decision it follows from.
    pub case_id: Option<i64>,
}

const SELECT: &str = "SELECT b.id, o.uscc, o.name, o.region, b.legal_basis, b.decision, b.reason, b.listed_on, b.until, b.removed_at, b.removal_reason, b.case_id \
     FROM blacklist_entries b JOIN organisations o ON o.id = b.enterprise_id";

/// The condition of entries in force on `day` (`b.` is the entries' alias).
fn current(w: &mut Where, day: &str) {
    let a = w.arg(day);
    let b = w.arg(day);
    w.cond(format!(
        "b.removed_at IS NULL AND b.listed_on <= {a} AND (b.until IS NULL OR b.until >= {b})"
    ));
}

fn read(r: &Row, day: &str) -> Result<Entry, StoreError> {
    let listed_on = r.text(7)?;
    let until = r.opt_text(8)?;
    let removed_at = r.opt_int(9)?;
    Ok(Entry {
        id: r.int(0)?,
        enterprise: r.text(1)?,
        enterprise_name: r.text(2)?,
        region: r.text(3)?,
        legal_basis: r.text(4)?,
        decision: r.text(5)?,
        reason: r.text(6)?,
        current: removed_at.is_none()
            && listed_on.as_str() <= day
            && until.as_deref().is_none_or(|u| u >= day),
        listed_on,
        until,
        removed_at: removed_at.map(rfc3339),
        removal_reason: r.opt_text(10)?,
        case_id: r.opt_int(11)?,
    })
}

impl Store {
    /// The entries in force today, newest first (public), narrowed by `filter`.
    pub async fn public_blacklist(
        &self,
        filter: &crate::portal::PublicFilter,
        page: Page,
    ) -> Result<Paged<Entry>, StoreError> {
        let day = today().to_string();
        let mut w = Where::default();
        current(&mut w, &day);
        filter.apply(
            &mut w,
            &["o.name", "o.uscc", "b.reason", "b.decision"],
            "o.uscc",
        );
        let total = self
            .db
            .fetch_one(
                &format!(
                    "SELECT COUNT(*) FROM blacklist_entries b JOIN organisations o ON o.id = b.enterprise_id WHERE {}",
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
                    "{SELECT} WHERE {} ORDER BY b.listed_on DESC, b.id DESC LIMIT {} OFFSET {}",
                    w.sql(),
                    page.limit(),
                    page.offset()
                ),
                &w.values,
            )
            .await?;
        let items = rows
            .iter()
            .map(|r| read(r, &day))
            .collect::<Result<_, _>>()?;
        Ok(Paged { items, total })
    }

    /// The entry listing each enterprise today, as grading names its source.
    pub(crate) async fn blacklisted(
        &self,
    ) -> Result<std::collections::HashMap<i64, String>, StoreError> {
        let day = today().to_string();
        let mut w = Where::default();
        current(&mut w, &day);
        let mut out = std::collections::HashMap::new();
        for r in self
            .db
            .fetch_all(
                &format!(
                    "SELECT b.enterprise_id, b.id FROM blacklist_entries b WHERE {} ORDER BY b.id",
                    w.sql()
                ),
                &w.values,
            )
            .await?
        {
            out.insert(r.int(0)?, format!("blacklist:{}", r.int(1)?));
        }
        Ok(out)
    }
}

impl Scoped<'_> {
    /// Lists an enterprise of the caller's subtree; it grades D while listed.
    pub async fn blacklist(&self, new: &NewEntry) -> Result<Entry, StoreError> {
        let legal_basis = required_text("legal_basis", &new.legal_basis, 500)?;
        let decision = required_text("decision", &new.decision, 100)?;
        let reason = required_text("reason", &new.reason, 2_000)?;
        let org = self
            .store
            .organisation_by_uscc(new.enterprise.trim())
            .await?
            .filter(|o| o.kind == zhijian_core::access::OrgKind::Enterprise)
            .ok_or(StoreError::NotFound {
                entity: "enterprise",
            })?;
        let region = RegionCode::parse(&org.region).map_err(|_| StoreError::Forbidden)?;
        if !self.principal.may(Action::Read, org.id, region) {
            return Err(StoreError::NotFound {
                entity: "enterprise",
            });
        }
        if !self.principal.may(Action::Blacklist, org.id, region) {
            return Err(StoreError::Forbidden);
        }
        if let Some(case_id) = new.case_id {
            let case = self.case(case_id).await?;
            if case.summary.enterprise.is_none() || case.summary.enterprise != org.uscc {
                return Err(StoreError::Invalid {
                    code: "case_enterprise",
                    field: "case_id",
                    message: format!("case {case_id} is not about {}", new.enterprise.trim()),
                });
            }
            if case.decision.is_none() {
                return Err(StoreError::Conflict {
                    code: "case_not_decided",
                    field: "case_id",
                    message: format!("case {case_id} is not decided yet"),
                });
            }
        }
        let day = today();
        if new.until.is_some_and(|u| u < day) {
            return Err(StoreError::Invalid {
                code: "until_past",
                field: "until",
                message: "the listing would end before today".into(),
            });
        }
        let at = now_ms();
        let mut tx = self.store.db.begin().await?;
        let id = tx
            .fetch_one(
                "INSERT INTO blacklist_entries (enterprise_id, legal_basis, decision, reason, listed_on, until, listed_by, listed_at, case_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                params![org.id, legal_basis.as_str(), decision.as_str(), reason.as_str(), day.to_string(),
                        new.until.map(|u| u.to_string()), self.principal.username.as_str(), at, new.case_id],
            )
            .await?
            .int(0)?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor: &self.principal.username,
                action: "blacklist.add",
                entity: "blacklist_entry",
                entity_id: id.to_string(),
                enterprise: org.uscc.clone(),
                before: None,
                after: Some(serde_json::json!({"decision": decision, "legal_basis": legal_basis})),
            },
        )
        .await?;
        tx.commit().await?;
        self.blacklist_entry(id).await
    }

    /// Removes an entry (the record stays, with why).
    pub async fn unlist(&self, id: i64, reason: &str) -> Result<Entry, StoreError> {
        let reason = required_text("reason", reason, 2_000)?;
        let before = self.blacklist_entry(id).await?;
        let region = RegionCode::parse(&before.region).map_err(|_| StoreError::Forbidden)?;
        let org = self
            .store
            .organisation_by_uscc(&before.enterprise)
            .await?
            .ok_or(StoreError::NotFound {
                entity: "enterprise",
            })?;
        if !self.principal.may(Action::Blacklist, org.id, region) {
            return Err(StoreError::Forbidden);
        }
        if before.removed_at.is_some() {
            return Err(StoreError::Conflict {
                code: "blacklist_removed",
                field: "id",
                message: format!("entry {id} was removed already"),
            });
        }
        let at = now_ms();
        let mut tx = self.store.db.begin().await?;
        tx.execute(
            "UPDATE blacklist_entries SET removed_by = $1, removed_at = $2, removal_reason = $3 WHERE id = $4",
            params![self.principal.username.as_str(), at, reason.as_str(), id],
        )
        .await?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor: &self.principal.username,
                action: "blacklist.remove",
                entity: "blacklist_entry",
                entity_id: id.to_string(),
                enterprise: Some(before.enterprise.clone()),
                before: None,
                after: Some(serde_json::json!({"reason": reason})),
            },
        )
        .await?;
        tx.commit().await?;
        self.blacklist_entry(id).await
    }

    /// Every entry of the caller's subtree, in force or not, newest first.
    pub async fn blacklist_entries(&self, page: Page) -> Result<Paged<Entry>, StoreError> {
        let mut w = Where::default();
        w.scope(self.principal.scope(Action::Blacklist), "o.id", "o.region");
        let db = &self.store.db;
        let total = db
            .fetch_one(
                &format!(
                    "SELECT COUNT(*) FROM blacklist_entries b JOIN organisations o ON o.id = b.enterprise_id WHERE {}",
                    w.sql()
                ),
                &w.values,
            )
            .await?
            .int(0)?;
        let rows = db
            .fetch_all(
                &format!(
                    "{SELECT} WHERE {} ORDER BY b.id DESC LIMIT {} OFFSET {}",
                    w.sql(),
                    page.limit(),
                    page.offset()
                ),
                &w.values,
            )
            .await?;
        let day = today().to_string();
        let items = rows
            .iter()
            .map(|r| read(r, &day))
            .collect::<Result<_, _>>()?;
        Ok(Paged { items, total })
    }

    /// One entry of an enterprise the caller may read.
    pub async fn blacklist_entry(&self, id: i64) -> Result<Entry, StoreError> {
        let mut w = Where::default();
        let p = w.arg(id);
        w.cond(format!("b.id = {p}"));
        w.scope(self.principal.scope(Action::Read), "o.id", "o.region");
        let row = self
            .store
            .db
            .fetch_optional(&format!("{SELECT} WHERE {}", w.sql()), &w.values)
            .await?
            .ok_or(StoreError::NotFound {
                entity: "blacklist entry",
            })?;
        read(&row, &today().to_string())
    }
}
