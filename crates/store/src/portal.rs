//! What the public portal reads without a login: enterprises found by name or credit
//! code, each enterprise's public profile (issued licences, grade, announced sampling
//! results, recalls, penalties, blacklist entries), and the list of administrative
//! penalties (decided cases). Nothing here is scoped: it is all public by law
//! (企业信息公示, 行政处罚信息公示), and nothing private (contacts, people, internal
//! steps) is read.

use serde::Serialize;
use zhijian_core::licence::LicenceState;
use zhijian_core::licence_number::LicenceKind;
use zhijian_core::page::{Page, Paged};
use zhijian_core::test_report::Outcome;

use crate::blacklist::Entry;
use crate::db::Row;
use crate::enterprises::EnterpriseSummary;
use crate::recalls::RecallSummary;
use crate::search::like_escape;
use crate::{Store, StoreError, Where, params, rfc3339};
use zhijian_core::enterprise::EnterpriseStatus;
use zhijian_core::name_index::{Filter as IndexFilter, Lookup};
use zhijian_core::search::normalise;

/// How a public list is narrowed: free text over its main columns, or one enterprise.
#[derive(Debug, Clone, Default)]
pub struct PublicFilter {
    /// Words to find (case-insensitive, anywhere in the searched columns).
    pub q: Option<String>,
    /// One enterprise's credit code.
    pub enterprise: Option<String>,
}

impl PublicFilter {
    /// Text search only.
    pub fn text(q: Option<&str>) -> Self {
        PublicFilter {
            q: q.map(str::trim)
                .filter(|q| !q.is_empty())
                .map(str::to_owned),
            enterprise: None,
        }
    }

    /// Adds the filter's conditions: `q` against any of `columns`, the enterprise against
    /// `uscc_col`.
    pub(crate) fn apply(&self, w: &mut Where, columns: &[&str], uscc_col: &str) {
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let p = w.arg(format!("%{}%", like_escape(&q.to_lowercase())));
            let any = columns
                .iter()
                .map(|c| format!("LOWER({c}) LIKE {p} ESCAPE '\\'"))
                .collect::<Vec<_>>()
                .join(" OR ");
            w.cond(format!("({any})"));
        }
        if let Some(e) = &self.enterprise {
            let p = w.arg(e.as_str());
            w.cond(format!("{uscc_col} = {p}"));
        }
    }
}

/// An administrative penalty as published: a decided case's decision.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Penalty {
    /// The case's id (the decision's reference).
    pub case_id: i64,
    /// The case's title.
    pub title: String,
    /// The enterprise's credit code, when the case names one.
    pub enterprise: Option<String>,
    /// Its name.
    pub enterprise_name: Option<String>,
    /// The region of the case.
    pub region: String,
    /// The deciding bureau.
    pub bureau: String,
    /// The decision's text.
    pub decision: String,
    /// The fine in yuan; none when the decision imposes none.
    pub fine_yuan: Option<i64>,
    /// When it was decided.
    #[schema(format = DateTime)]
    pub decided_at: String,
}

const SELECT_PENALTY: &str = "SELECT c.id, c.title, e.uscc, e.name, c.region, b.name, c.decision, c.fine_yuan, \
     (SELECT MAX(s.at) FROM case_steps s WHERE s.case_id = c.id AND s.kind = 'decided') \
     FROM cases c JOIN organisations b ON b.id = c.owner_id LEFT JOIN organisations e ON e.id = c.enterprise_id";

fn read_penalty(r: &Row) -> Result<Penalty, StoreError> {
    Ok(Penalty {
        case_id: r.int(0)?,
        title: r.text(1)?,
        enterprise: r.opt_text(2)?,
        enterprise_name: r.opt_text(3)?,
        region: r.text(4)?,
        bureau: r.text(5)?,
        decision: r.text(6)?,
        fine_yuan: r.opt_int(7)?,
        decided_at: rfc3339(r.opt_int(8)?.unwrap_or(0)),
    })
}

/// A licence as the public sees it (issued ones only; no history).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct PublicLicence {
    /// Industrial or food.
    #[schema(value_type = String)]
    pub kind: LicenceKind,
    /// The certificate number.
    pub number: String,
    /// Valid, suspended, revoked, expired…
    pub state: LicenceState,
    /// The product categories it covers.
    pub scope: Vec<String>,
    /// First day of validity.
    pub valid_from: Option<String>,
    /// Last day of validity.
    pub valid_until: Option<String>,
}

/// One announced sampling result about the enterprise.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct PublicResult {
    /// The announcement it was published in.
    pub announcement_id: i64,
    /// The announcement's title.
    pub title: String,
    /// When it was published.
    #[schema(format = DateTime)]
    pub published_at: String,
    /// The product sampled.
    pub product: String,
    /// Its lot.
    pub lot: String,
    /// Pass or fail.
    pub result: Outcome,
    /// The items that failed.
    pub failing_items: Vec<String>,
}

/// The current credit grade, when the node publishes it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct PublicGrade {
    /// AA, A, B, C or D.
    pub grade: String,
    /// When it was last computed.
    #[schema(format = DateTime)]
    pub computed_at: String,
}

/// An enterprise's public profile.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicProfile {
    /// Unified social credit code.
    pub uscc: String,
    /// Registered name.
    pub name: String,
    /// Region code.
    pub region: String,
    /// Region name.
    pub region_name: String,
    /// Registered address.
    pub address: Option<String>,
    /// Operating status.
    pub status: EnterpriseStatus,
    /// Issued production licences.
    pub licences: Vec<PublicLicence>,
    /// The current grade (the server leaves it out where the node keeps it private).
    pub grade: Option<PublicGrade>,
    /// Announced sampling results, newest first (at most 50).
    pub results: Vec<PublicResult>,
    /// Public recalls, newest first (at most 50).
    pub recalls: Vec<RecallSummary>,
    /// Administrative penalties, newest first (at most 50).
    pub penalties: Vec<Penalty>,
    /// Blacklist entries in force.
    pub blacklist: Vec<Entry>,
}

/// How many matches of its longest word a several-word search looks through.
pub const MULTI_WORD_CANDIDATES: usize = 5_000;

/// How many records of each kind a profile shows.
const PROFILE_ITEMS: u32 = 50;

impl Store {
    /// Enterprises found by name or credit code, for the public, from the in-memory name
    /// index (the register may hold millions). One word (or a code prefix) pages
    /// straight from the index; several words in any order take the longest word's
    /// matches (at most [`MULTI_WORD_CANDIDATES`]) and keep those holding every word.
    pub async fn public_enterprises(
        &self,
        q: &str,
        page: Page,
    ) -> Result<Paged<EnterpriseSummary>, StoreError> {
        let words: Vec<String> = q.split_whitespace().take(8).map(normalise).collect();
        let Some(longest) = words.iter().max_by_key(|w| w.chars().count()) else {
            return Ok(Paged {
                items: Vec::new(),
                total: 0,
            });
        };
        let Some(lookup) = Lookup::parse(longest) else {
            // A single character matches too much to be a search.
            return Ok(Paged {
                items: Vec::new(),
                total: 0,
            });
        };
        let index = self.names.current(&self.db).await?;
        let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        let limit = usize::try_from(page.limit()).unwrap_or(0);
        let (listings, total) = if words.len() == 1 {
            let hits = index.search(&lookup, IndexFilter::default(), offset, limit);
            (hits.items, hits.total)
        } else {
            let hits = index.search(&lookup, IndexFilter::default(), 0, MULTI_WORD_CANDIDATES);
            let all: Vec<_> = hits
                .items
                .into_iter()
                .filter(|l| {
                    let (name, code) = (normalise(&l.name), l.uscc.to_ascii_lowercase());
                    words
                        .iter()
                        .all(|w| name.contains(w.as_str()) || code.contains(w.as_str()))
                })
                .collect();
            let total = all.len() as u64;
            (all.into_iter().skip(offset).take(limit).collect(), total)
        };
        Ok(Paged {
            items: listings
                .into_iter()
                .map(|l| EnterpriseSummary {
                    region_name: crate::enterprises::region_name(&l.region),
                    uscc: l.uscc,
                    name: l.name,
                    region: l.region,
                    status: l.status,
                })
                .collect(),
            total: i64::try_from(total).unwrap_or(i64::MAX),
        })
    }

    /// One enterprise's public profile; not found for codes that name no enterprise.
    pub async fn public_profile(&self, uscc: &str) -> Result<PublicProfile, StoreError> {
        let not_found = StoreError::NotFound {
            entity: "enterprise",
        };
        let row = self
            .db
            .fetch_optional(
                "SELECT o.id, o.uscc, o.name, o.region, e.status, e.address FROM organisations o JOIN enterprises e ON e.id = o.id WHERE o.uscc = $1",
                params![uscc],
            )
            .await?
            .ok_or(not_found)?;
        let id = row.int(0)?;
        let region = row.text(3)?;
        let address = row.opt_text(5)?;
        let licences = crate::licences::for_enterprise(&self.db, id)
            .await?
            .into_iter()
            .filter_map(|l| {
                Some(PublicLicence {
                    number: l.number?,
                    kind: l.kind,
                    state: l.state,
                    scope: l.scope,
                    valid_from: l.valid_from,
                    valid_until: l.valid_until,
                })
            })
            .collect();
        let grade = self
            .db
            .fetch_optional(
                "SELECT grade, computed_at FROM grades WHERE enterprise_id = $1",
                params![id],
            )
            .await?
            .map(|g| {
                Ok::<_, StoreError>(PublicGrade {
                    grade: g.text(0)?,
                    computed_at: rfc3339(g.int(1)?),
                })
            })
            .transpose()?;
        let uscc = row.text(1)?;
        let first = Page {
            page: 1,
            per_page: PROFILE_ITEMS,
        };
        let only = PublicFilter {
            q: None,
            enterprise: Some(uscc.clone()),
        };
        Ok(PublicProfile {
            results: self.announced_results(&uscc).await?,
            recalls: self.public_recalls(&only, first).await?.items,
            penalties: self.public_penalties(&only, first).await?.items,
            blacklist: self.public_blacklist(&only, first).await?.items,
            licences,
            grade,
            status: EnterpriseStatus::parse(&row.text(4)?).unwrap_or(EnterpriseStatus::Active),
            name: row.text(2)?,
            region_name: crate::enterprises::region_name(&region),
            region,
            address,
            uscc,
        })
    }

    /// The announced results naming an enterprise, newest first.
    async fn announced_results(&self, uscc: &str) -> Result<Vec<PublicResult>, StoreError> {
        // Announcements keep their rows as JSON; the credit code narrows them in SQL and
        // the rows are then matched exactly.
        let rows = self
            .db
            .fetch_all(
                &format!(
                    "SELECT id, title, published_at, rows FROM announcements WHERE rows LIKE $1 ESCAPE '\\' ORDER BY published_at DESC, id DESC LIMIT {PROFILE_ITEMS}"
                ),
                params![format!("%{}%", like_escape(uscc))],
            )
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            let announced: Vec<crate::announcements::AnnouncedRow> =
                serde_json::from_str(&r.text(3)?).unwrap_or_default();
            for a in announced.into_iter().filter(|a| a.uscc == uscc) {
                out.push(PublicResult {
                    announcement_id: r.int(0)?,
                    title: r.text(1)?,
                    published_at: rfc3339(r.int(2)?),
                    product: a.product,
                    lot: a.lot,
                    result: a.result,
                    failing_items: a.failing_items,
                });
            }
        }
        out.truncate(PROFILE_ITEMS as usize);
        Ok(out)
    }

    /// Decided cases (decided or closed), newest decision first: the administrative
    /// penalties the node publishes.
    pub async fn public_penalties(
        &self,
        filter: &PublicFilter,
        page: Page,
    ) -> Result<Paged<Penalty>, StoreError> {
        let mut w = Where::default();
        w.cond("c.decision IS NOT NULL");
        filter.apply(
            &mut w,
            &["e.name", "e.uscc", "c.title", "c.decision"],
            "e.uscc",
        );
        let total = self
            .db
            .fetch_one(
                &format!(
                    "SELECT COUNT(*) FROM cases c LEFT JOIN organisations e ON e.id = c.enterprise_id WHERE {}",
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
                    "{SELECT_PENALTY} WHERE {} ORDER BY 9 DESC, c.id DESC LIMIT {} OFFSET {}",
                    w.sql(),
                    page.limit(),
                    page.offset()
                ),
                &w.values,
            )
            .await?;
        let items = rows.iter().map(read_penalty).collect::<Result<_, _>>()?;
        Ok(Paged { items, total })
    }
}
