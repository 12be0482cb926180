//! Sampling statistics: pass rates of final results by category, region or month, and
//! the items that fail most. Results are worked out per sample (objection windows run
//! on today's date), so the rows are read and counted here rather than in SQL; a
//! province-year is some tens of thousands of samples.

use std::collections::BTreeMap;

use serde::Serialize;
use zhijian_core::access::{Action, Scope};
use zhijian_core::calendar::Calendar;
use zhijian_core::catalogue;
use zhijian_core::region::{self, RegionCode, RegionLevel};
use zhijian_core::sample_result::{ObjectionRules, ResultStage};
use zhijian_core::test_report::{Item, Outcome};

use crate::objections::Facts;
use crate::search::prefix_end;
use crate::{Scoped, StoreError, Where, today};

/// How to group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// By product category.
    Category,
    /// By the regions one level below the one asked.
    Region,
    /// By the month the sample was taken.
    Period,
}

/// What to count.
#[derive(Debug, Clone)]
pub struct StatsFilter {
    /// The region subtree of the sampled enterprises (default: the caller's).
    pub region: Option<RegionCode>,
    /// Only samples of plans of this year.
    pub year: Option<i32>,
    /// Only this category.
    pub category: Option<String>,
    /// Only this plan.
    pub plan: Option<i64>,
    /// How to group.
    pub group_by: GroupBy,
}

/// One group's counts.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct StatsRow {
    /// The group: a category id, a region code, or a month `YYYY-MM`.
    pub key: String,
    /// Its name (category or region name; the month again).
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
    /// The ten items that failed most in final failures.
    pub failing_items: Vec<FailingItem>,
}

#[derive(Default)]
struct Tally {
    tested: u64,
    passed: u64,
    pending: u64,
}

impl Tally {
    fn row(&self, key: String, name: String) -> StatsRow {
        StatsRow {
            key,
            name,
            tested: self.tested,
            passed: self.passed,
            failed: self.tested - self.passed,
            pass_rate: (self.tested > 0).then(|| self.passed as f64 / self.tested as f64),
            pending: self.pending,
        }
    }
}

/// The group a region code falls in, one level below `under`.
fn child_of(under: RegionCode, code: &str) -> String {
    let keep = match under.level() {
        RegionLevel::National => 2,
        RegionLevel::Province => 4,
        RegionLevel::City | RegionLevel::County => 6,
    };
    let mut key: String = code.chars().take(keep).collect();
    while key.len() < 6 {
        key.push('0');
    }
    key
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
        let mut w = Where::default();
        let f = w.arg(false);
        let t = w.arg(true);
        if let Some(hi) = prefix_end(region.prefix()) {
            let lo = w.arg(region.prefix());
            let hi = w.arg(hi);
            w.cond(format!("o.region >= {lo} AND o.region < {hi}"));
        }
        if let Some(y) = filter.year {
            let p = w.arg(i64::from(y));
            w.cond(format!("p.year = {p}"));
        }
        if let Some(c) = &filter.category {
            let p = w.arg(c.as_str());
            w.cond(format!("q.category = {p}"));
        }
        if let Some(id) = filter.plan {
            let p = w.arg(id);
            w.cond(format!("p.id = {p}"));
        }
        let rows = self
            .store
            .db
            .fetch_all(
                &format!(
                    "SELECT q.category, o.region, s.taken_at, rf.conclusion, rf.filed_at, ob.sample_id, ob.decision, rr.conclusion, rf.items, rr.items \
                     FROM samples s JOIN sampling_tasks t ON t.id = s.task_id JOIN sampling_plans p ON p.id = t.plan_id \
                     JOIN sampling_quotas q ON q.plan_id = t.plan_id AND q.position = t.position JOIN organisations o ON o.id = t.enterprise_id \
                     LEFT JOIN test_reports rf ON rf.sample_id = s.id AND rf.retest = {f} \
                     LEFT JOIN objections ob ON ob.sample_id = s.id \
                     LEFT JOIN test_reports rr ON rr.sample_id = s.id AND rr.retest = {t} \
                     WHERE {}",
                    w.sql()
                ),
                &w.values,
            )
            .await?;
        let today = today();
        let mut groups: BTreeMap<String, Tally> = BTreeMap::new();
        let mut total = Tally::default();
        let mut items: BTreeMap<String, u64> = BTreeMap::new();
        for r in &rows {
            let category = r.text(0)?;
            let facts = Facts::read(r, 3)?;
            let retest = facts.retest;
            let st = facts.standing(&category, rules, calendar, today);
            let key = match filter.group_by {
                GroupBy::Category => category.clone(),
                GroupBy::Region => child_of(region, &r.text(1)?),
                GroupBy::Period => crate::objections::day_of(r.int(2)?)
                    .strftime("%Y-%m")
                    .to_string(),
            };
            let tally = groups.entry(key).or_default();
            if st.stage == ResultStage::Final {
                let passed = st.outcome == Some(Outcome::Pass);
                for t in [&mut *tally, &mut total] {
                    t.tested += 1;
                    t.passed += u64::from(passed);
                }
                if !passed {
                    // The items of the report that made the result final.
                    let json = if retest.is_some() {
                        r.opt_text(9)?
                    } else {
                        r.opt_text(8)?
                    };
                    let failed: Vec<Item> = json
                        .and_then(|j| serde_json::from_str(&j).ok())
                        .unwrap_or_default();
                    for i in failed.into_iter().filter(|i| i.verdict == Outcome::Fail) {
                        *items.entry(i.name).or_default() += 1;
                    }
                }
            } else {
                tally.pending += 1;
                total.pending += 1;
            }
        }
        let name = |key: &str| match filter.group_by {
            GroupBy::Category => catalogue::category(key)
                .map(|c| c.name_zh.to_owned())
                .unwrap_or_else(|| key.to_owned()),
            GroupBy::Region => RegionCode::parse(key)
                .ok()
                .and_then(region::lookup)
                .map(|r| r.name.to_string())
                .unwrap_or_else(|| key.to_owned()),
            GroupBy::Period => key.to_owned(),
        };
        let mut failing: Vec<FailingItem> = items
            .into_iter()
            .map(|(name, count)| FailingItem { name, count })
            .collect();
        failing.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        failing.truncate(10);
        Ok(Stats {
            region: region.as_str().to_owned(),
            group_by: match filter.group_by {
                GroupBy::Category => "category",
                GroupBy::Region => "region",
                GroupBy::Period => "period",
            }
            .to_owned(),
            rows: groups
                .iter()
                .map(|(k, t)| t.row(k.clone(), name(k)))
                .collect(),
            total: total.row("total".into(), "合计".into()),
            failing_items: failing,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_group_one_level_down() {
        let r = |c: &str| RegionCode::parse(c).unwrap();
        assert_eq!(child_of(r("130000"), "130102"), "130100");
        assert_eq!(child_of(r("130100"), "130102"), "130102");
        assert_eq!(child_of(r("000000"), "130102"), "130000");
    }
}
