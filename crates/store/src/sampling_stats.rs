//! Sampling statistics: pass rates of final results per category, region, month, plan
//! or plan level, with the monthly trend, the same counts a year earlier, and the items
//! that fail most. The counting is [`zhijian_core::sampling_stats::count`] over the
//! results this process holds in memory (module `sample_results`); a result's
//! standing depends on today's date, which only decides whether a failure nobody
//! objected to has become final.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use zhijian_core::access::{Action, Scope};
use zhijian_core::calendar::Calendar;
use zhijian_core::catalogue;
use zhijian_core::region::{self, RegionCode};
use zhijian_core::sample_result::{ObjectionRules, closed_through};
use zhijian_core::sampling::PlanLevel;
use zhijian_core::sampling_stats::{self as counting, Closed, Counts, Filter, Key, Tally};
pub use zhijian_core::sampling_stats::{GroupBy, Month};

use crate::db::Value;
use crate::{Scoped, StoreError, today};

/// What to count.
#[derive(Debug, Clone)]
pub struct StatsFilter {
    /// The region subtree of the sampled enterprises (default: the caller's).
    pub region: Option<RegionCode>,
    /// Only samples of plans of this year.
    pub year: Option<i32>,
    /// Only samples taken in or after this month.
    pub from: Option<Month>,
    /// Only samples taken in or before this month.
    pub to: Option<Month>,
    /// Only this category.
    pub category: Option<String>,
    /// Only this plan.
    pub plan: Option<i64>,
    /// Only plans of this level.
    pub level: Option<PlanLevel>,
    /// How to group.
    pub group_by: GroupBy,
}

/// The same counts one year earlier (the filter's year and months moved back a year).
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct LastYear {
    /// Samples with a final result.
    pub tested: u64,
    /// Of them, passed.
    pub passed: u64,
    /// passed ÷ tested (none when nothing was final).
    pub pass_rate: Option<f64>,
    /// This year's pass rate minus last year's (none when either is missing).
    pub change: Option<f64>,
}

/// One group's counts.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct StatsRow {
    /// The group: a category id, a region code, a month `YYYY-MM`, a plan id or a plan
    /// level.
    pub key: String,
    /// Its name (category, region or plan name; the month again; the level in Chinese).
    pub name: String,
    /// Samples with a final result.
    pub tested: u64,
    /// Of them, passed.
    pub passed: u64,
    /// Of them, failed.
    pub failed: u64,
    /// passed ÷ tested (none when nothing is final).
    pub pass_rate: Option<f64>,
    /// Samples taken whose result is not final yet.
    pub pending: u64,
    /// The same a year earlier; none when the filter names no year or months (rows of
    /// the trend compare with the month a year before even then).
    pub last_year: Option<LastYear>,
}

/// A failing item and how often it failed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FailingItem {
    /// The item's name.
    pub name: String,
    /// Final failures it was part of.
    pub count: u64,
}

/// The statistics.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Stats {
    /// The region counted.
    pub region: String,
    /// How the rows are grouped.
    pub group_by: String,
    /// One row per group, in key order.
    pub rows: Vec<StatsRow>,
    /// All of them together.
    pub total: StatsRow,
    /// One row per month sampled, in order, each compared with the month a year before.
    pub trend: Vec<StatsRow>,
    /// The ten items that failed most in final failures.
    pub failing_items: Vec<FailingItem>,
}

fn last_year_of(now: &Tally, then: Option<&Tally>) -> LastYear {
    let then = then.copied().unwrap_or_default();
    LastYear {
        tested: then.tested,
        passed: then.passed,
        pass_rate: then.pass_rate(),
        change: now.pass_rate().zip(then.pass_rate()).map(|(a, b)| a - b),
    }
}

fn row(key: String, name: String, t: &Tally, last_year: Option<LastYear>) -> StatsRow {
    StatsRow {
        key,
        name,
        tested: t.tested,
        passed: t.passed,
        failed: t.failed(),
        pass_rate: t.pass_rate(),
        pending: t.pending,
        last_year,
    }
}

fn level_name(l: PlanLevel) -> &'static str {
    match l {
        PlanLevel::National => "国家",
        PlanLevel::Province => "省级",
        PlanLevel::City => "市级",
        PlanLevel::County => "县级",
    }
}

impl Scoped<'_> {
    /// Pass rates of final sampling results (bureaus; their own subtree).
    pub async fn sampling_stats(
        &self,
        filter: &StatsFilter,
        rules: ObjectionRules,
        calendar: &Calendar,
    ) -> Result<Stats, StoreError> {
        let region = match (self.principal.scope(Action::ReadSampling), filter.region) {
            (Scope::All, r) => r.unwrap_or(RegionCode::NATIONAL),
            (Scope::Region(own), None) => own,
            (Scope::Region(own), Some(r)) if own.contains(r) => r,
            (Scope::Region(_), Some(_)) => return Err(StoreError::Forbidden),
            _ => return Err(StoreError::Forbidden),
        };
        let today = today();
        let closed = Closed {
            general: closed_through(today, false, rules, calendar),
            food: closed_through(today, true, rules, calendar),
        };
        let (counts, categories, items) = {
            let mut snap = self.store.results.lock().await;
            snap.catch_up(&self.store.db).await?;
            let category = filter.category.as_ref().map(|c| snap.category(c));
            let f = Filter {
                region,
                year: filter.year,
                from: filter.from,
                to: filter.to,
                category: category.flatten(),
                plan: filter.plan,
                level: filter.level,
            };
            // A category no sample has matches nothing.
            let entries = if category == Some(None) {
                &[][..]
            } else {
                &snap.entries[..]
            };
            let counts = counting::count(entries, &f, filter.group_by, closed);
            let items: Vec<(String, u64)> = counts
                .items
                .iter()
                .map(|(&i, &n)| (snap.items[i as usize].clone(), n))
                .collect();
            (counts, snap.categories.clone(), items)
        };
        let plans = self.plan_names(&counts).await?;
        let name = |key: &Key| -> (String, String) {
            match *key {
                Key::Category(i) => {
                    let id = categories.get(usize::from(i)).cloned().unwrap_or_default();
                    let name = catalogue::category(&id)
                        .map(|c| c.name_zh.to_owned())
                        .unwrap_or_else(|| id.clone());
                    (id, name)
                }
                Key::Region(code) => {
                    let code = format!("{code:06}");
                    let name = RegionCode::parse(&code)
                        .ok()
                        .and_then(region::lookup)
                        .map(|r| r.name.to_string())
                        .unwrap_or_else(|| code.clone());
                    (code, name)
                }
                Key::Month(m) => (m.to_string(), m.to_string()),
                Key::Plan(id) => (
                    id.to_string(),
                    plans.get(&id).cloned().unwrap_or_else(|| id.to_string()),
                ),
                Key::Level(l) => {
                    let l = counting::level_of(l);
                    (l.as_str().to_owned(), level_name(l).to_owned())
                }
            }
        };
        let keys: BTreeSet<Key> = counts
            .groups
            .keys()
            .chain(counts.groups_last_year.iter().flat_map(|g| g.keys()))
            .copied()
            .collect();
        let rows = keys
            .iter()
            .map(|k| {
                let now = counts.groups.get(k).copied().unwrap_or_default();
                let last = counts
                    .groups_last_year
                    .as_ref()
                    .map(|g| last_year_of(&now, g.get(k)));
                let (key, name) = name(k);
                row(key, name, &now, last)
            })
            .collect();
        let total = row(
            "total".into(),
            "合计".into(),
            &counts.total,
            counts
                .total_last_year
                .as_ref()
                .map(|t| last_year_of(&counts.total, Some(t))),
        );
        Ok(Stats {
            region: region.as_str().to_owned(),
            group_by: filter.group_by.as_str().to_owned(),
            rows,
            total,
            trend: trend(
                &counts,
                filter.from.is_some() || filter.to.is_some() || filter.year.is_some(),
            ),
            failing_items: top_items(items),
        })
    }

    /// The names of the plans the rows are grouped by.
    async fn plan_names(&self, counts: &Counts) -> Result<HashMap<i64, String>, StoreError> {
        let ids: BTreeSet<i64> = counts
            .groups
            .keys()
            .chain(counts.groups_last_year.iter().flat_map(|g| g.keys()))
            .filter_map(|k| match k {
                Key::Plan(id) => Some(*id),
                _ => None,
            })
            .collect();
        let mut names = HashMap::new();
        let ids: Vec<i64> = ids.into_iter().collect();
        for chunk in ids.chunks(200) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let values: Vec<Value> = chunk.iter().map(|&i| i.into()).collect();
            for r in self
                .store
                .db
                .fetch_all(
                    &format!(
                        "SELECT id, name FROM sampling_plans WHERE id IN ({})",
                        marks.join(", ")
                    ),
                    &values,
                )
                .await?
            {
                names.insert(r.int(0)?, r.text(1)?);
            }
        }
        Ok(names)
    }
}

/// The monthly series: every month with samples (and, when the filter names a time,
/// every month of it a year earlier had), each compared with the month a year before.
fn trend(counts: &Counts, timed: bool) -> Vec<StatsRow> {
    let mut months: BTreeMap<Month, ()> = counts.trend.keys().map(|&m| (m, ())).collect();
    if timed {
        months.extend(counts.trend_last_year.keys().map(|&m| (m, ())));
    }
    months
        .keys()
        .map(|m| {
            let now = counts.trend.get(m).copied().unwrap_or_default();
            let last = last_year_of(&now, counts.trend_last_year.get(m));
            row(m.to_string(), m.to_string(), &now, Some(last))
        })
        .collect()
}

/// The ten items that failed most, most first, then by name.
fn top_items(items: Vec<(String, u64)>) -> Vec<FailingItem> {
    let mut failing: Vec<FailingItem> = items
        .into_iter()
        .map(|(name, count)| FailingItem { name, count })
        .collect();
    failing.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    failing.truncate(10);
    failing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_failed_items_come_first_then_by_name() {
        let items = (0..12)
            .map(|i| (format!("item{i:02}"), if i == 5 { 9 } else { 1 }))
            .collect();
        let top = top_items(items);
        assert_eq!(top.len(), 10);
        assert_eq!(top[0].name, "item05");
        assert_eq!(top[1].name, "item00");
    }
}
