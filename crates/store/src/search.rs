//! Keeping the name-gram index (`name_grams`) in step with enterprise names, and the
//! SQL that searches it.

use zhijian_core::search;

use crate::db::{Db, Tx, Value};
use crate::{Store, StoreError};

/// How many of a query's grams are looked up (more only slow the intersection down).
const QUERY_GRAMS: usize = 4;

/// The index rows of one enterprise name.
pub(crate) fn rows(org_id: i64, region: &str, name: &str) -> Vec<Vec<Value>> {
    search::grams(name)
        .into_iter()
        .map(|g| vec![g.into(), region.into(), org_id.into()])
        .collect()
}

/// Indexes names inside a transaction.
pub(crate) async fn insert(tx: &mut Tx, rows: &[Vec<Value>]) -> Result<(), StoreError> {
    tx.insert_rows("INSERT INTO name_grams (gram, region, org_id)", 3, rows)
        .await?;
    Ok(())
}

/// Re-indexes one enterprise after its name changed.
pub(crate) async fn replace(
    tx: &mut Tx,
    org_id: i64,
    region: &str,
    name: &str,
) -> Result<(), StoreError> {
    tx.execute("DELETE FROM name_grams WHERE org_id = $1", &[org_id.into()])
        .await?;
    insert(tx, &rows(org_id, region, name)).await
}

/// The first string after every string that starts with `prefix` (for index ranges).
pub(crate) fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = char::from_u32(u32::from(last) + 1) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// Grams of legal-form words that most names share; looked up only when a query has
/// nothing more selective (the substring check still applies).
const COMMON: &[&str] = &[
    "有限", "限公", "公司", "股份", "份有", "责任", "任公", "限责",
];

/// How a query is answered.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Plan {
    /// A credit-code prefix: an index range on `organisations.uscc`.
    Code {
        /// The prefix.
        lo: String,
        /// The first string past it.
        hi: String,
    },
    /// Name fragments: the driving gram, the other grams, and the normalised text the
    /// name must contain (`None` when the single gram already says it all).
    Name {
        /// The gram whose index range drives the query.
        drive: String,
        /// Further grams every match has.
        others: Vec<String>,
        /// The substring to check.
        contains: Option<String>,
    },
    /// One character: a scan with a substring check.
    Scan {
        /// The substring.
        contains: String,
    },
}

/// Decides how to answer `q`.
pub(crate) fn plan(q: &str) -> Option<Plan> {
    let norm = search::normalise(q);
    if norm.is_empty() {
        return None;
    }
    let code = norm.to_ascii_uppercase();
    if (4..=18).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        let hi = prefix_end(&code)?;
        return Some(Plan::Code { lo: code, hi });
    }
    let mut grams = search::query_grams(&norm, QUERY_GRAMS + COMMON.len());
    if grams.is_empty() {
        return Some(Plan::Scan { contains: norm });
    }
    if grams.iter().any(|g| !COMMON.contains(&g.as_str())) {
        grams.retain(|g| !COMMON.contains(&g.as_str()));
    }
    grams.truncate(QUERY_GRAMS);
    let exact = norm.chars().count() == 2;
    let drive = grams.remove(0);
    Some(Plan::Name {
        drive,
        others: grams,
        contains: (!exact).then_some(norm),
    })
}

/// Reorders a query's grams so the one with the fewest index entries in the region
/// subtree drives the search (the others are checked per candidate).
pub(crate) async fn rarest_first(
    db: &Db,
    drive: &mut String,
    others: &mut Vec<String>,
    region_prefix: &str,
) -> Result<(), StoreError> {
    if others.is_empty() {
        return Ok(());
    }
    let mut all = vec![std::mem::take(drive)];
    all.append(others);
    let mut params: Vec<Value> = all.iter().map(|g| Value::from(g.as_str())).collect();
    let list = (1..=all.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let range = match prefix_end(region_prefix) {
        Some(hi) if !region_prefix.is_empty() => {
            params.push(region_prefix.into());
            params.push(hi.into());
            format!(
                " AND region >= ${} AND region < ${}",
                all.len() + 1,
                all.len() + 2
            )
        }
        _ => String::new(),
    };
    let rows = db
        .fetch_all(
            &format!(
                "SELECT gram, COUNT(*) FROM name_grams WHERE gram IN ({list}){range} GROUP BY gram"
            ),
            &params,
        )
        .await?;
    let mut counts = std::collections::HashMap::new();
    for r in &rows {
        counts.insert(r.text(0)?, r.int(1)?);
    }
    // A gram with no entries at all (count 0) drives an empty, instant search.
    all.sort_by_key(|g| counts.get(g).copied().unwrap_or(0));
    *drive = all.remove(0);
    *others = all;
    Ok(())
}

/// Escapes `%`, `_` and `\` so user text matches literally inside a LIKE pattern.
pub(crate) fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Store {
    /// Rebuilds the name index when it is empty but enterprises exist (databases made
    /// before the index existed); returns how many enterprises were indexed.
    pub(crate) async fn backfill_name_grams(&self) -> Result<usize, StoreError> {
        let indexed = self
            .db
            .fetch_one("SELECT COUNT(*) FROM name_grams", &[])
            .await?
            .int(0)?;
        if indexed > 0 {
            return Ok(0);
        }
        let names = self
            .db
            .fetch_all(
                "SELECT id, region, name FROM organisations WHERE kind = 'enterprise'",
                &[],
            )
            .await?;
        if names.is_empty() {
            return Ok(0);
        }
        let mut tx = self.db.begin().await?;
        let mut batch = vec![];
        for r in &names {
            batch.extend(rows(r.int(0)?, &r.text(1)?, &r.text(2)?));
        }
        insert(&mut tx, &batch).await?;
        tx.commit().await?;
        Ok(names.len())
    }
}

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn prefix_ranges_end_after_every_extension() {
        assert_eq!(prefix_end("13").as_deref(), Some("14"));
        assert_eq!(prefix_end("9113").as_deref(), Some("9114"));
        assert_eq!(prefix_end("91Z").as_deref(), Some("91["));
        assert_eq!(prefix_end(""), None);
    }
}
