//! Sampling statistics, counted: pass rates of final results per group (category,
//! region one level down, month, plan, plan level), the monthly trend, the same counts
//! one year earlier, and the items that failed most.
//!
//! Counting is one pass over [`Entry`]s, each a sample's result as far as writes settle
//! it ([`Settled`]); today's date only decides whether a failure nobody objected to is
//! final yet ([`Closed`]). Keeping the pass pure lets the store hold the entries of a
//! national decade in memory and count them in a few milliseconds (SQLite has no hash
//! aggregation: a `GROUP BY` over 10^6 rows sorts them; see docs/benchmarks.md).
//!
//! ```
//! use zhijian_core::sampling_stats::Month;
//! let m = Month::parse("2026-03").unwrap();
//! assert_eq!(m.years_earlier(1).to_string(), "2025-03");
//! ```

use std::collections::HashMap as StdHashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use jiff::civil::Date;
use thiserror::Error;

use crate::region::{RegionCode, RegionLevel};
use crate::sample_result::Settled;
use crate::sampling::PlanLevel;

/// A multiply-rotate hasher for the counting pass: its keys are small integers the
/// store makes itself, so SipHash's resistance to chosen keys buys nothing, and it took
/// most of the time of counting 10^6 entries. (The same idea as rustc's FxHasher; a
/// dozen lines rather than a dependency.)
#[derive(Debug, Default, Clone, Copy)]
pub struct FastHasher(u64);

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }

    fn write_u16(&mut self, n: u16) {
        self.write_u64(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }

    fn write_isize(&mut self, n: isize) {
        self.write_u64(n as u64);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// The maps of [`Counts`].
pub type HashMap<K, V> = StdHashMap<K, V, BuildHasherDefault<FastHasher>>;

/// A calendar month, the unit of periods and trends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(u32);

/// Why a month did not parse.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MonthError {
    /// Not `YYYY-MM`.
    #[error("write the month as YYYY-MM")]
    Format,
    /// A month outside 1–12 or a year outside 1900–9999.
    #[error("no such month")]
    Range,
}

impl Month {
    /// Parses `YYYY-MM`.
    pub fn parse(s: &str) -> Result<Month, MonthError> {
        let b = s.as_bytes();
        if b.len() != 7 || b[4] != b'-' {
            return Err(MonthError::Format);
        }
        let digits = |r: std::ops::Range<usize>| {
            s.get(r)
                .filter(|p| p.bytes().all(|c| c.is_ascii_digit()))
                .and_then(|p| p.parse::<u32>().ok())
        };
        let (Some(y), Some(m)) = (digits(0..4), digits(5..7)) else {
            return Err(MonthError::Format);
        };
        Month::new(y, m).ok_or(MonthError::Range)
    }

    /// The month `month` (1–12) of `year` (1900–9999).
    pub fn new(year: u32, month: u32) -> Option<Month> {
        ((1900..=9999).contains(&year) && (1..=12).contains(&month))
            .then_some(Month(year * 100 + month))
    }

    /// The month a day falls in.
    pub fn of(day: Date) -> Month {
        // jiff dates lie in years -9999..=9999; clamp so the month stays valid.
        let year = u32::try_from(day.year()).unwrap_or(1900).clamp(1900, 9999);
        Month(year * 100 + u32::from(day.month().unsigned_abs()))
    }

    /// From `YYYYMM` as stored (none when it is not a month).
    pub fn from_yyyymm(n: i64) -> Option<Month> {
        let n = u32::try_from(n).ok()?;
        Month::new(n / 100, n % 100)
    }

    /// As `YYYYMM`.
    pub fn yyyymm(self) -> u32 {
        self.0
    }

    /// The year.
    pub fn year(self) -> u32 {
        self.0 / 100
    }

    /// The same month `n` years earlier (the year floors at 1900).
    pub fn years_earlier(self, n: u32) -> Month {
        Month((self.year().saturating_sub(n)).max(1900) * 100 + self.0 % 100)
    }

    /// The same month `n` years later (the year caps at 9999).
    pub fn years_later(self, n: u32) -> Month {
        Month((self.year() + n).min(9999) * 100 + self.0 % 100)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.0 / 100, self.0 % 100)
    }
}

/// One sample's result as statistics keep it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The plan.
    pub plan: i64,
    /// The plan's year.
    pub year: i32,
    /// The plan's level.
    pub level: PlanLevel,
    /// The month the sample was taken.
    pub month: Month,
    /// The category, as an index the caller gives names to.
    pub category: u16,
    /// Whether the category is food (objection windows count working days).
    pub food: bool,
    /// The sampled enterprise's region, its six digits as a number.
    pub region: u32,
    /// What writes have settled.
    pub settled: Settled,
    /// For failures: the failed items of the deciding report, as indexes the caller
    /// gives names to.
    pub items: Box<[u32]>,
}

/// The last notification days whose objection windows have closed today
/// ([`crate::sample_result::closed_through`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed {
    /// For general products (calendar days).
    pub general: Date,
    /// For food (working days).
    pub food: Date,
}

impl Entry {
    /// The final outcome today (`Some(true)` passed), or none while not final.
    pub fn final_pass(&self, closed: Closed) -> Option<bool> {
        match self.settled {
            Settled::Open => None,
            Settled::Pass => Some(true),
            Settled::Fail => Some(false),
            Settled::Window { notified } => {
                let through = if self.food {
                    closed.food
                } else {
                    closed.general
                };
                (notified <= through).then_some(false)
            }
        }
    }
}

/// How rows are grouped.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// By product category.
    Category,
    /// By the regions one level below the region counted.
    Region,
    /// By the month the sample was taken.
    Period,
    /// By sampling plan.
    Plan,
    /// By the plan's level (national, province, city, county).
    Level,
}

impl GroupBy {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Category => "category",
            GroupBy::Region => "region",
            GroupBy::Period => "period",
            GroupBy::Plan => "plan",
            GroupBy::Level => "level",
        }
    }
}

/// A group's key: what [`GroupBy`] picks out of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// A category index.
    Category(u16),
    /// A region code as a number.
    Region(u32),
    /// A month.
    Month(Month),
    /// A plan id.
    Plan(i64),
    /// A plan level (ordered national first).
    Level(u8),
}

/// The level with this [`Key::Level`] ordinal.
pub fn level_of(ordinal: u8) -> PlanLevel {
    match ordinal {
        0 => PlanLevel::National,
        1 => PlanLevel::Province,
        2 => PlanLevel::City,
        _ => PlanLevel::County,
    }
}

fn level_ordinal(l: PlanLevel) -> u8 {
    match l {
        PlanLevel::National => 0,
        PlanLevel::Province => 1,
        PlanLevel::City => 2,
        PlanLevel::County => 3,
    }
}

/// What to count. Time is the plan's year, a range of months sampled, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// The region subtree of the sampled enterprises.
    pub region: RegionCode,
    /// Only plans of this year.
    pub year: Option<i32>,
    /// Only samples taken in or after this month.
    pub from: Option<Month>,
    /// Only samples taken in or before this month.
    pub to: Option<Month>,
    /// Only this category (an index; the caller maps an unknown one to no entries).
    pub category: Option<u16>,
    /// Only this plan.
    pub plan: Option<i64>,
    /// Only plans of this level.
    pub level: Option<PlanLevel>,
}

impl Filter {
    /// The same filter one year earlier; none when it names no time.
    pub fn last_year(&self) -> Option<Filter> {
        if self.year.is_none() && self.from.is_none() && self.to.is_none() {
            return None;
        }
        Some(Filter {
            year: self.year.map(|y| y - 1),
            from: self.from.map(|m| m.years_earlier(1)),
            to: self.to.map(|m| m.years_earlier(1)),
            ..self.clone()
        })
    }

    fn region_range(&self) -> (u32, u32) {
        let prefix = self.region.prefix();
        let width = 6 - prefix.len() as u32;
        let base = prefix.parse::<u32>().unwrap_or(0);
        let step = 10u32.pow(width);
        (base * step, (base + 1) * step)
    }

    /// Whether an entry matches everything but time.
    fn matches_place(&self, e: &Entry, (lo, hi): (u32, u32)) -> bool {
        e.region >= lo
            && e.region < hi
            && self.category.is_none_or(|c| c == e.category)
            && self.plan.is_none_or(|p| p == e.plan)
            && self.level.is_none_or(|l| l == e.level)
    }

    fn matches_time(&self, e: &Entry) -> bool {
        self.year.is_none_or(|y| y == e.year)
            && self.from.is_none_or(|m| e.month >= m)
            && self.to.is_none_or(|m| e.month <= m)
    }
}

/// Counts of one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Samples whose result is final.
    pub tested: u64,
    /// Of them, passed.
    pub passed: u64,
    /// Samples whose result is not final yet.
    pub pending: u64,
}

impl Tally {
    fn add(&mut self, pass: Option<bool>) {
        match pass {
            Some(p) => {
                self.tested += 1;
                self.passed += u64::from(p);
            }
            None => self.pending += 1,
        }
    }

    /// Of the final results, failed.
    pub fn failed(&self) -> u64 {
        self.tested - self.passed
    }

    /// passed ÷ tested, none when nothing is final.
    pub fn pass_rate(&self) -> Option<f64> {
        (self.tested > 0).then(|| self.passed as f64 / self.tested as f64)
    }
}

/// Everything one pass counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    /// Per group.
    pub groups: HashMap<Key, Tally>,
    /// Per group, one year earlier (keyed like `groups`: a month a year later); none
    /// when the filter names no time.
    pub groups_last_year: Option<HashMap<Key, Tally>>,
    /// All groups together.
    pub total: Tally,
    /// All groups together one year earlier.
    pub total_last_year: Option<Tally>,
    /// Per month sampled.
    pub trend: HashMap<Month, Tally>,
    /// Per month sampled one year earlier, keyed by the month a year later.
    pub trend_last_year: HashMap<Month, Tally>,
    /// How often each item failed in final failures.
    pub items: HashMap<u32, u64>,
}

/// The key of an entry's group; `shift` moves months a year on (last year's rows).
fn key_of(group: GroupBy, under: RegionCode, e: &Entry, shift: bool) -> Key {
    match group {
        GroupBy::Category => Key::Category(e.category),
        GroupBy::Region => {
            let keep = match under.level() {
                RegionLevel::National => 10_000,
                RegionLevel::Province => 100,
                RegionLevel::City | RegionLevel::County => 1,
            };
            Key::Region(e.region / keep * keep)
        }
        GroupBy::Period if shift => Key::Month(e.month.years_later(1)),
        GroupBy::Period => Key::Month(e.month),
        GroupBy::Plan => Key::Plan(e.plan),
        GroupBy::Level => Key::Level(level_ordinal(e.level)),
    }
}

/// Counts `entries` under `filter`, grouped by `group`, as final on the day `closed`
/// was worked out for.
pub fn count<'a>(
    entries: impl IntoIterator<Item = &'a Entry>,
    filter: &Filter,
    group: GroupBy,
    closed: Closed,
) -> Counts {
    let range = filter.region_range();
    let last = filter.last_year();
    let mut c = Counts {
        groups_last_year: last.as_ref().map(|_| HashMap::default()),
        total_last_year: last.as_ref().map(|_| Tally::default()),
        ..Counts::default()
    };
    for e in entries {
        if !filter.matches_place(e, range) {
            continue;
        }
        let pass = e.final_pass(closed);
        if filter.matches_time(e) {
            c.groups
                .entry(key_of(group, filter.region, e, false))
                .or_default()
                .add(pass);
            c.total.add(pass);
            c.trend.entry(e.month).or_default().add(pass);
            if pass == Some(false) {
                for &i in e.items.iter() {
                    *c.items.entry(i).or_default() += 1;
                }
            }
        }
        match &last {
            Some(l) if l.matches_time(e) => {
                let key = key_of(group, filter.region, e, true);
                if let Some(g) = c.groups_last_year.as_mut() {
                    g.entry(key).or_default().add(pass);
                }
                if let Some(t) = c.total_last_year.as_mut() {
                    t.add(pass);
                }
                c.trend_last_year
                    .entry(e.month.years_later(1))
                    .or_default()
                    .add(pass);
            }
            Some(_) => {}
            // No time named: the trend still compares each month with a year before.
            None => c
                .trend_last_year
                .entry(e.month.years_later(1))
                .or_default()
                .add(pass),
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn entry(month: &str, category: u16, region: u32, settled: Settled) -> Entry {
        let m = Month::parse(month).unwrap();
        Entry {
            plan: 1,
            year: m.year() as i32,
            level: PlanLevel::Province,
            month: m,
            category,
            food: category == 0,
            region,
            settled,
            items: if matches!(settled, Settled::Pass | Settled::Open) {
                Box::new([])
            } else {
                Box::new([7])
            },
        }
    }

    #[test]
    fn months_parse_totally() {
        assert_eq!(Month::parse("2026-12").unwrap().yyyymm(), 202612);
        assert_eq!(Month::parse("2026-13"), Err(MonthError::Range));
        assert_eq!(Month::parse("2026-1"), Err(MonthError::Format));
        assert_eq!(Month::parse("２０２６-01"), Err(MonthError::Format));
        assert_eq!(Month::parse("+202-01"), Err(MonthError::Format));
        assert_eq!(Month::of(date(2026, 2, 28)).to_string(), "2026-02");
        assert_eq!(Month::from_yyyymm(202600), None);
    }

    #[test]
    fn counts_groups_last_year_and_windows() {
        let closed = Closed {
            general: date(2026, 5, 1),
            food: date(2026, 4, 20),
        };
        let window = |d| Settled::Window { notified: d };
        let entries = [
            entry("2026-03", 0, 130102, Settled::Pass),
            entry("2026-03", 0, 130102, Settled::Fail),
            // Food, notified after the food cut-off: still open to objection.
            entry("2026-04", 0, 130203, window(date(2026, 4, 25))),
            entry("2026-04", 1, 130203, window(date(2026, 4, 25))),
            entry("2026-04", 1, 130203, Settled::Open),
            entry("2025-03", 0, 130102, Settled::Pass),
            entry("2025-03", 0, 130102, Settled::Pass),
            // Outside the region.
            entry("2026-03", 0, 140102, Settled::Pass),
        ];
        let filter = Filter {
            region: RegionCode::parse("130000").unwrap(),
            year: None,
            from: Some(Month::parse("2026-01").unwrap()),
            to: Some(Month::parse("2026-12").unwrap()),
            category: None,
            plan: None,
            level: None,
        };
        let c = count(&entries, &filter, GroupBy::Region, closed);
        let t = |tested, passed, pending| Tally {
            tested,
            passed,
            pending,
        };
        assert_eq!(c.groups[&Key::Region(130100)], t(2, 1, 0));
        assert_eq!(c.groups[&Key::Region(130200)], t(1, 0, 2));
        assert_eq!(c.total, t(3, 1, 2));
        assert_eq!(c.total_last_year, Some(t(2, 2, 0)));
        let last = c.groups_last_year.unwrap();
        assert_eq!(last[&Key::Region(130100)], t(2, 2, 0));
        assert!(!last.contains_key(&Key::Region(130200)));
        assert_eq!(c.trend[&Month::parse("2026-03").unwrap()], t(2, 1, 0));
        assert_eq!(
            c.trend_last_year[&Month::parse("2026-03").unwrap()],
            t(2, 2, 0)
        );
        // Items count final failures only: the fail and the closed general window.
        assert_eq!(c.items[&7], 2);

        let by_month = count(&entries, &filter, GroupBy::Period, closed);
        let march = Key::Month(Month::parse("2026-03").unwrap());
        assert_eq!(by_month.groups_last_year.unwrap()[&march], t(2, 2, 0));
    }

    #[test]
    fn a_filter_without_time_has_no_last_year_but_a_trend_comparison() {
        let closed = Closed {
            general: date(2026, 5, 1),
            food: date(2026, 5, 1),
        };
        let entries = [
            entry("2026-03", 0, 130102, Settled::Pass),
            entry("2025-03", 0, 130102, Settled::Fail),
        ];
        let filter = Filter {
            region: RegionCode::NATIONAL,
            year: None,
            from: None,
            to: None,
            category: Some(0),
            plan: None,
            level: Some(PlanLevel::Province),
        };
        let c = count(&entries, &filter, GroupBy::Level, closed);
        assert_eq!(c.groups_last_year, None);
        assert_eq!(c.groups[&Key::Level(1)].tested, 2);
        let march = Month::parse("2026-03").unwrap();
        assert_eq!(c.trend_last_year[&march].failed(), 1);
    }
}
