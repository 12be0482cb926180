//! Each sample's result kept for statistics (table `sample_results`, migration 0010):
//! the keys statistics filter and group by, what writes have settled
//! ([`Settled`]), and the failed items of the deciding report. Every write that changes
//! a result calls [`refresh`] in its own transaction; [`Store::backfill_sample_results`]
//! fills the rows of samples taken before the table existed.
//!
//! [`Snapshot`] holds the rows of this process in memory, as
//! [`zhijian_core::sampling_stats::Entry`]s, and catches up before each count by reading
//! the rows written since the last audit position it saw.

use std::collections::HashMap;

use zhijian_core::region::RegionCode;
use zhijian_core::sample_result::{Settled, is_food, settle};
use zhijian_core::sampling::PlanLevel;
use zhijian_core::sampling_stats::{Entry, Month};
use zhijian_core::test_report::{Item, Outcome};

use crate::db::{Db, Row, Tx, Value};
use crate::objections::{Facts, day_of};
use crate::{Store, StoreError, params};

/// The facts of samples a result is worked out from, with their keys (`$1`, `$2`: false
/// and true, for the first report and the re-test).
const SELECT_FACTS: &str = "SELECT s.id, t.plan_id, p.level, p.year, s.taken_at, q.category, o.region, \
     rf.conclusion, rf.filed_at, ob.sample_id, ob.decision, rr.conclusion, rf.items, rr.items \
     FROM samples s JOIN sampling_tasks t ON t.id = s.task_id JOIN sampling_plans p ON p.id = t.plan_id \
     JOIN sampling_quotas q ON q.plan_id = t.plan_id AND q.position = t.position JOIN organisations o ON o.id = t.enterprise_id \
     LEFT JOIN test_reports rf ON rf.sample_id = s.id AND rf.retest = $1 \
     LEFT JOIN objections ob ON ob.sample_id = s.id \
     LEFT JOIN test_reports rr ON rr.sample_id = s.id AND rr.retest = $2";

const UPSERT_HEAD: &str = "INSERT INTO sample_results (sample_id, plan_id, level, year, month, category, region, settled, notified_on, failing_items, seq)";
const UPSERT_TAIL: &str = " ON CONFLICT (sample_id) DO UPDATE SET settled = excluded.settled, notified_on = excluded.notified_on, failing_items = excluded.failing_items, seq = excluded.seq";
const UPSERT_WIDTH: usize = 11;

/// A day as `YYYYMMDD`.
fn yyyymmdd(d: jiff::civil::Date) -> i64 {
    i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
}

fn from_yyyymmdd(n: i64) -> Option<jiff::civil::Date> {
    let year = i16::try_from(n / 10_000).ok()?;
    let month = i8::try_from(n / 100 % 100).ok()?;
    let day = i8::try_from(n % 100).ok()?;
    jiff::civil::Date::new(year, month, day).ok()
}

/// The stored code of a settled result (see the migration).
fn settled_code(s: Settled, food: bool) -> i64 {
    match s {
        Settled::Open => 0,
        Settled::Pass => 1,
        Settled::Fail => 2,
        Settled::Window { .. } if food => 4,
        Settled::Window { .. } => 3,
    }
}

/// The row to store for one row of [`SELECT_FACTS`], written at audit position `seq`.
fn derive(r: &Row, seq: i64) -> Result<Vec<Value>, StoreError> {
    let category = r.text(5)?;
    let facts = Facts::read(r, 7)?;
    let settled = settle(facts.first, facts.objection, facts.retest);
    let food = is_food(&category);
    let notified = match settled {
        Settled::Window { notified } => Some(yyyymmdd(notified)),
        _ => None,
    };
    let failing = match settled {
        Settled::Fail | Settled::Window { .. } => {
            // The re-test decides when there is one; otherwise the first report.
            let json = if facts.retest.is_some() {
                r.opt_text(13)?
            } else {
                r.opt_text(12)?
            };
            let items: Vec<Item> = json
                .and_then(|j| serde_json::from_str(&j).ok())
                .unwrap_or_default();
            let names: Vec<String> = items
                .into_iter()
                .filter(|i| i.verdict == Outcome::Fail)
                .map(|i| i.name)
                .collect();
            Some(serde_json::to_string(&names).unwrap_or_else(|_| "[]".into()))
        }
        _ => None,
    };
    let month = Month::of(day_of(r.int(4)?));
    Ok(vec![
        r.int(0)?.into(),
        r.int(1)?.into(),
        r.text(2)?.into(),
        r.int(3)?.into(),
        i64::from(month.yyyymm()).into(),
        category.into(),
        r.text(6)?.into(),
        settled_code(settled, food).into(),
        notified.into(),
        failing.into(),
        seq.into(),
    ])
}

/// Brings the stored result of sample `id` up to date inside the transaction of the
/// write that changed it; `seq` is that write's audit position.
pub(crate) async fn refresh(tx: &mut Tx, id: i64, seq: i64) -> Result<(), StoreError> {
    let row = tx
        .fetch_one(
            &format!("{SELECT_FACTS} WHERE s.id = $3"),
            params![false, true, id],
        )
        .await?;
    let values = derive(&row, seq)?;
    tx.upsert_rows(UPSERT_HEAD, UPSERT_WIDTH, &[values], UPSERT_TAIL)
        .await?;
    Ok(())
}

impl Store {
    /// Stores the results of samples that have none (samples taken before migration
    /// 0010, or loaded in bulk); returns how many. Runs when the store migrates.
    pub async fn backfill_sample_results(&self) -> Result<u64, StoreError> {
        // In slices of ids, so a national decade never sits in memory as rows.
        const SLICE: i64 = 20_000;
        let mut after = 0_i64;
        let mut filled = 0_u64;
        loop {
            let rows = self
                .db
                .fetch_all(
                    &format!(
                        "{SELECT_FACTS} WHERE s.id > $3 AND NOT EXISTS (SELECT 1 FROM sample_results x WHERE x.sample_id = s.id) ORDER BY s.id LIMIT $4"
                    ),
                    params![false, true, after, SLICE],
                )
                .await?;
            let Some(last) = rows.last() else {
                return Ok(filled);
            };
            after = last.int(0)?;
            let values = rows
                .iter()
                .map(|r| derive(r, 0))
                .collect::<Result<Vec<_>, _>>()?;
            let mut tx = self.db.begin().await?;
            tx.upsert_rows(UPSERT_HEAD, UPSERT_WIDTH, &values, UPSERT_TAIL)
                .await?;
            tx.commit().await?;
            filled += values.len() as u64;
        }
    }
}

/// The stored results of this process in memory, with the names their indexes stand for.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The entries, in no order.
    pub entries: Vec<Entry>,
    /// Where each sample's entry is.
    at: HashMap<i64, usize>,
    /// Category ids by index.
    pub categories: Vec<String>,
    category_index: HashMap<String, u16>,
    /// Item names by index.
    pub items: Vec<String>,
    item_index: HashMap<String, u32>,
    /// The highest audit position read; `None` before the first load.
    seq: Option<i64>,
}

impl Snapshot {
    /// The index of a category id, if any entry has it.
    pub fn category(&self, id: &str) -> Option<u16> {
        self.category_index.get(id).copied()
    }

    fn intern_category(&mut self, id: String) -> u16 {
        if let Some(&i) = self.category_index.get(&id) {
            return i;
        }
        // The catalogue has a few hundred categories; u16 leaves room for every id ever
        // stored.
        let i = u16::try_from(self.categories.len()).unwrap_or(u16::MAX);
        self.categories.push(id.clone());
        self.category_index.insert(id, i);
        i
    }

    fn intern_item(&mut self, name: String) -> u32 {
        if let Some(&i) = self.item_index.get(&name) {
            return i;
        }
        let i = u32::try_from(self.items.len()).unwrap_or(u32::MAX);
        self.items.push(name.clone());
        self.item_index.insert(name, i);
        i
    }

    /// Reads the rows written since the last catch-up (all of them the first time).
    pub(crate) async fn catch_up(&mut self, db: &Db) -> Result<(), StoreError> {
        // Keyset pages: a first load of 10^6 rows never sits in memory as database
        // rows all at once.
        const PAGE: i64 = 10_000;
        // Pages in (seq, sample_id) order: the rest of one position's rows, then the
        // rows past it. Two queries rather than one row-value comparison or an `OR`:
        // SQLite seeks the index on `seq` alone for those and then walks every row of
        // the position (all 10^6 backfilled rows share position 0), which made each
        // catch-up a full index scan and the first load quadratic.
        const COLUMNS: &str = "sample_id, plan_id, level, year, month, category, region, settled, notified_on, failing_items, seq";
        let mut seq = self.seq.unwrap_or(-1);
        let mut within: Option<i64> = None;
        loop {
            let rows = match within {
                Some(id) => {
                    db.fetch_all(
                        &format!("SELECT {COLUMNS} FROM sample_results WHERE seq = $1 AND sample_id > $2 ORDER BY sample_id LIMIT $3"),
                        params![seq, id, PAGE],
                    )
                    .await?
                }
                None => {
                    db.fetch_all(
                        &format!("SELECT {COLUMNS} FROM sample_results WHERE seq > $1 ORDER BY seq, sample_id LIMIT $2"),
                        params![seq, PAGE],
                    )
                    .await?
                }
            };
            for r in &rows {
                self.apply(r)?;
            }
            let full = rows.len() as i64 == PAGE;
            if let Some(last) = rows.last() {
                seq = last.int(10)?;
            }
            within = match (full, rows.last()) {
                (true, Some(last)) => Some(last.int(0)?),
                // This position is done: go on past it.
                (false, _) if within.is_some() => None,
                _ => {
                    self.seq = Some(seq);
                    return Ok(());
                }
            };
        }
    }

    fn apply(&mut self, r: &Row) -> Result<(), StoreError> {
        let category = r.text(5)?;
        let food = is_food(&category);
        let category = self.intern_category(category);
        let settled = match r.int(7)? {
            1 => Settled::Pass,
            2 => Settled::Fail,
            3 | 4 => match r.opt_int(8)?.and_then(from_yyyymmdd) {
                Some(notified) => Settled::Window { notified },
                // A window without its day cannot be placed; count it as not final
                // rather than guess.
                None => Settled::Open,
            },
            _ => Settled::Open,
        };
        let names: Vec<String> = r
            .opt_text(9)?
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default();
        let items = names.into_iter().map(|n| self.intern_item(n)).collect();
        let region = RegionCode::parse(&r.text(6)?)
            .ok()
            .and_then(|c| c.as_str().parse::<u32>().ok())
            .unwrap_or(0);
        let entry = Entry {
            plan: r.int(1)?,
            year: i32::try_from(r.int(3)?).unwrap_or(0),
            level: PlanLevel::parse(&r.text(2)?).unwrap_or(PlanLevel::National),
            month: Month::from_yyyymm(r.int(4)?).unwrap_or(Month::of(jiff::civil::Date::MIN)),
            category,
            food,
            region,
            settled,
            items,
        };
        let id = r.int(0)?;
        match self.at.get(&id) {
            Some(&i) => self.entries[i] = entry,
            None => {
                self.at.insert(id, self.entries.len());
                self.entries.push(entry);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_as_numbers() {
        let d = jiff::civil::date(2026, 12, 2);
        assert_eq!(yyyymmdd(d), 20261202);
        assert_eq!(from_yyyymmdd(20261202), Some(d));
        assert_eq!(from_yyyymmdd(20261302), None);
    }
}
