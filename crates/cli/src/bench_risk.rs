//! `zhijian bench risk`: the early-warning simulator of docs/benchmarks.md.
//!
//! It makes 78 weeks of signals for Hebei's 11 cities and every catalogue category — 26
//! weeks of history, then the evaluated year — with realistic, uneven baselines
//! (sampling with failures, complaints, counterfeit scans, rare harm reports), week-to-
//! week noise and a seasonal swing, and injects known outbreaks in the evaluated year: a
//! category's failure rate doubling in one city, complaint and counterfeit counts
//! doubling, a bunch of injuries. Week by week it stores the week's data through the real
//! store (a temporary SQLite file) and runs the same detection the node runs, as of the
//! week's end; the simulated bureau closes each warning four weeks after it was raised.
//! It reports the share of outbreaks found, found within two weeks, the delay, and the
//! warnings that match no outbreak (false warnings) per month, by level.

use std::collections::BTreeMap;
use std::time::Instant;

use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use zhijian_core::catalogue::{CATEGORIES, CatalogueKind};
use zhijian_core::region::{self, RegionCode, RegionLevel};
use zhijian_core::risk::{Level, SignalKind, Thresholds, WEEK_MS, WarningKind};
use zhijian_store::Store;
use zhijian_store::db::Value;
use zhijian_store::risk_signals::NewSignal;

/// The simulator's settings.
#[derive(clap::Args, Debug, Clone)]
pub struct RiskBench {
    /// Seeds to run (comma-separated); each is a separate simulated year.
    #[arg(long, value_delimiter = ',', default_value = "101,102,103,104,105")]
    pub seeds: Vec<u64>,
    /// Outbreaks of each kind injected per seed.
    #[arg(long, default_value_t = 20)]
    pub outbreaks: usize,
    /// Threshold overrides (log₁₀ evidence): moderate, strong, very strong.
    #[arg(long)]
    pub moderate: Option<f64>,
    /// See `--moderate`.
    #[arg(long)]
    pub strong: Option<f64>,
    /// See `--moderate`.
    #[arg(long)]
    pub very_strong: Option<f64>,
    /// Subtracted from surge scores.
    #[arg(long, allow_hyphen_values = true)]
    pub surge_offset: Option<f64>,
    /// How much an injected failure-rate outbreak multiplies the failure rate.
    #[arg(long, default_value_t = 2.0)]
    pub failure_factor: f64,
    /// Multiplies every cell's complaints and counterfeit signals a week: a
    /// sensitivity knob (the default volumes are the ones docs/benchmarks.md derives
    /// from public figures).
    #[arg(long, default_value_t = 1.0)]
    pub volume: f64,
}

const WARM_UP: i64 = 26;
/// Hebei's cities, over which false watch (yellow, blue) warnings are shared out.
const CITIES: f64 = 11.0;
const WEEKS: i64 = 78;
/// Weeks an injected outbreak lasts.
const LASTS: i64 = 8;
/// A warning counts for an outbreak raised up to this many weeks after its end.
const GRACE: i64 = 4;
/// The simulated bureau closes a warning this many weeks after it was raised.
const CLOSE_AFTER: i64 = 4;

#[derive(Debug, Clone)]
struct Cell {
    category: &'static str,
    city: RegionCode,
    counties: Vec<RegionCode>,
    /// Samples tested per week.
    sampled: f64,
    /// Failure probability.
    fail: f64,
    /// Complaints per week.
    complaints: f64,
    /// Counterfeit signals per week.
    counterfeit: f64,
    /// Injury and incident reports per week.
    harm: f64,
}

#[derive(Debug, Clone)]
struct Outbreak {
    kind: WarningKind,
    cell: usize,
    start: i64,
    /// The baseline weekly count (or the samples per week) of the cell.
    baseline: f64,
    found: Option<i64>,
}

fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    if mean > 40.0 {
        let n = normal(rng) * mean.sqrt() + mean;
        return n.round().max(0.0) as u32;
    }
    let l = (-mean).exp();
    let (mut k, mut p) = (0u32, 1.0f64);
    loop {
        p *= rng.random::<f64>();
        if p <= l {
            return k;
        }
        k += 1;
    }
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let (u, v): (f64, f64) = (rng.random::<f64>().max(1e-12), rng.random());
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

fn log_uniform(rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    (lo.ln() + rng.random::<f64>() * (hi.ln() - lo.ln())).exp()
}

fn cells(rng: &mut ChaCha8Rng, volume: f64) -> Vec<Cell> {
    let province = RegionCode::parse("130000").expect("Hebei");
    let cities: Vec<_> = region::children(province)
        .into_iter()
        .filter(|r| r.level == RegionLevel::City && !r.retired)
        .collect();
    let mut out = Vec::new();
    for city in &cities {
        let counties: Vec<RegionCode> = region::children(city.code)
            .into_iter()
            .filter(|r| !r.retired)
            .map(|r| r.code)
            .collect();
        let counties = if counties.is_empty() {
            vec![city.code]
        } else {
            counties
        };
        // Cities differ in size; food is sampled and complained about more. Food
        // sampling: about 10 samples a week per city and category, failing 2.8 % on
        // average (log-uniform 1–6 %) — the national food sampling figures scaled to
        // Hebei (docs/benchmarks.md); industrial products as before (no public
        // figure per category).
        let size = log_uniform(rng, 0.5, 2.0);
        for c in CATEGORIES {
            let food = c.kind == CatalogueKind::Food;
            out.push(Cell {
                category: c.id,
                city: city.code,
                counties: counties.clone(),
                sampled: size
                    * if food {
                        log_uniform(rng, 1.5, 30.0)
                    } else {
                        log_uniform(rng, 0.3, 3.0)
                    },
                fail: if food {
                    log_uniform(rng, 0.01, 0.06)
                } else {
                    rng.random_range(0.015..0.08)
                },
                complaints: volume * size * log_uniform(rng, 0.3, if food { 20.0 } else { 8.0 }),
                counterfeit: volume * size * log_uniform(rng, 0.2, 10.0),
                harm: 0.02,
            });
        }
    }
    out
}

fn month_of(ms: i64) -> (i16, i8) {
    let m = zhijian_core::risk::month_of(ms);
    ((m / 100) as i16, (m % 100) as i8)
}

/// Runs the simulator for every seed and prints the figures.
pub async fn run(b: RiskBench) -> anyhow::Result<()> {
    let mut th = Thresholds::default();
    if let Some(v) = b.moderate {
        th.moderate = v;
    }
    if let Some(v) = b.strong {
        th.strong = v;
    }
    if let Some(v) = b.very_strong {
        th.very_strong = v;
    }
    if let Some(v) = b.surge_offset {
        th.surge_offset = v;
    }
    println!("thresholds: {th:?}");
    let mut all: Vec<SeedResult> = Vec::new();
    for seed in &b.seeds {
        let started = Instant::now();
        let r = simulate(*seed, &b, &th).await?;
        r.print(*seed, started.elapsed().as_secs_f64());
        all.push(r);
    }
    if all.len() > 1 {
        let mut total = SeedResult::default();
        for r in &all {
            total.add(r);
        }
        total.print_total(all.len());
    }
    Ok(())
}

#[derive(Debug, Default, Clone)]
struct SeedResult {
    /// kind → (outbreaks, found, found within 2 weeks, sum of delays of found).
    by_kind: BTreeMap<&'static str, (u32, u32, u32, i64)>,
    /// Surges (complaint, counterfeit) by kind and baseline band: (outbreaks, within 2
    /// weeks).
    bands: BTreeMap<(&'static str, &'static str), (u32, u32)>,
    /// False warnings by level.
    false_by_level: BTreeMap<&'static str, u32>,
    /// All new warnings by level.
    raised_by_level: BTreeMap<&'static str, u32>,
    /// False warnings by kind.
    false_by_kind: BTreeMap<&'static str, u32>,
    months: f64,
}

impl SeedResult {
    fn add(&mut self, o: &SeedResult) {
        for (k, v) in &o.by_kind {
            let e = self.by_kind.entry(k).or_default();
            e.0 += v.0;
            e.1 += v.1;
            e.2 += v.2;
            e.3 += v.3;
        }
        for (k, v) in &o.bands {
            let e = self.bands.entry(*k).or_default();
            e.0 += v.0;
            e.1 += v.1;
        }
        for (k, v) in &o.false_by_level {
            *self.false_by_level.entry(k).or_default() += v;
        }
        for (k, v) in &o.raised_by_level {
            *self.raised_by_level.entry(k).or_default() += v;
        }
        for (k, v) in &o.false_by_kind {
            *self.false_by_kind.entry(k).or_default() += v;
        }
        self.months += o.months;
    }

    fn lines(&self) {
        for (k, (n, found, fast, delay)) in &self.by_kind {
            println!(
                "  {k:<18} {found:>3}/{n:<3} found ({:>5.1} %), {fast:>3} within 2 weeks ({:>5.1} %), mean delay {:.1} weeks",
                100.0 * f64::from(*found) / f64::from((*n).max(1)),
                100.0 * f64::from(*fast) / f64::from((*n).max(1)),
                *delay as f64 / f64::from((*found).max(1)),
            );
        }
        let mut pooled: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
        for ((kind, band), (n, fast)) in &self.bands {
            println!(
                "  {kind:<18} baseline {band:<16} {fast:>3}/{n:<3} within 2 weeks ({:>5.1} %)",
                100.0 * f64::from(*fast) / f64::from((*n).max(1))
            );
            let e = pooled.entry(*band).or_default();
            e.0 += n;
            e.1 += fast;
        }
        for (band, (n, fast)) in &pooled {
            println!(
                "  both surges, baseline {band:<16} {fast:>3}/{n:<3} within 2 weeks ({:>5.1} %)",
                100.0 * f64::from(*fast) / f64::from((*n).max(1))
            );
        }
        let per_month = |m: &BTreeMap<&str, u32>, l: &str| {
            f64::from(m.get(l).copied().unwrap_or(0)) / self.months.max(1.0)
        };
        println!(
            "  false warnings per month: red {:.2}, orange {:.2}, yellow {:.2}, blue {:.2}  (all new warnings per month: red {:.2}, orange {:.2}, yellow {:.2}, blue {:.2})",
            per_month(&self.false_by_level, "red"),
            per_month(&self.false_by_level, "orange"),
            per_month(&self.false_by_level, "yellow"),
            per_month(&self.false_by_level, "blue"),
            per_month(&self.raised_by_level, "red"),
            per_month(&self.raised_by_level, "orange"),
            per_month(&self.raised_by_level, "yellow"),
            per_month(&self.raised_by_level, "blue"),
        );
        let watch =
            per_month(&self.false_by_level, "yellow") + per_month(&self.false_by_level, "blue");
        println!(
            "  false yellow + blue per city per month: {:.2} ({CITIES} cities)",
            watch / CITIES
        );
        let kinds: Vec<String> = self
            .false_by_kind
            .iter()
            .map(|(k, v)| format!("{k} {:.2}", f64::from(*v) / self.months.max(1.0)))
            .collect();
        println!("  false warnings per month by kind: {}", kinds.join(", "));
    }

    fn print(&self, seed: u64, secs: f64) {
        println!("seed {seed} ({secs:.0} s):");
        self.lines();
    }

    fn print_total(&self, seeds: usize) {
        println!("all {seeds} seeds:");
        self.lines();
    }
}

fn active(outbreaks: &[Outbreak], kind: WarningKind, cell: usize, week: i64) -> bool {
    outbreaks
        .iter()
        .any(|o| o.kind == kind && o.cell == cell && (o.start..o.start + LASTS).contains(&week))
}

fn band(x: f64) -> &'static str {
    if x < 1.0 {
        "a: < 1 / week"
    } else if x < 3.0 {
        "b: 1–3 / week"
    } else if x < 10.0 {
        "c: 3–10 / week"
    } else {
        "d: >= 10 / week"
    }
}

async fn simulate(seed: u64, b: &RiskBench, th: &Thresholds) -> anyhow::Result<SeedResult> {
    let (per_kind, failure_factor) = (b.outbreaks, b.failure_factor);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let cells = cells(&mut rng, b.volume);
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("risk.db").display());
    let store = Store::open(&url, dir.path().join("files")).await?;
    // Monday 2025-06-02 00:00 in Beijing.
    let start: i64 = jiff::civil::date(2025, 6, 2)
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))?
        .timestamp()
        .as_millisecond();

    let mut outbreaks: Vec<Outbreak> = Vec::new();
    for kind in [
        WarningKind::FailureRate,
        WarningKind::ComplaintSurge,
        WarningKind::CounterfeitSurge,
        WarningKind::Cluster,
    ] {
        let mut used = std::collections::BTreeSet::new();
        while used.len() < per_kind {
            let cell = rng.random_range(0..cells.len());
            if !used.insert(cell) {
                continue;
            }
            let c = &cells[cell];
            outbreaks.push(Outbreak {
                kind,
                cell,
                start: rng.random_range(WARM_UP..WEEKS - LASTS),
                baseline: match kind {
                    WarningKind::FailureRate => c.sampled,
                    WarningKind::ComplaintSurge => c.complaints,
                    WarningKind::CounterfeitSurge => c.counterfeit,
                    WarningKind::Cluster => c.harm,
                },
                found: None,
            });
        }
    }

    let mut result = SeedResult::default();
    let mut sample_id: i64 = 0;
    let mut raised_week: BTreeMap<i64, i64> = BTreeMap::new();
    for week in 0..WEEKS {
        let t0 = start + week * WEEK_MS;
        let season = 1.0 + 0.15 * (2.0 * std::f64::consts::PI * week as f64 / 52.0).sin();
        let mut signals: Vec<NewSignal> = Vec::new();
        let mut results: Vec<Vec<Value>> = Vec::new();
        for (i, c) in cells.iter().enumerate() {
            // Week-to-week noise: counts are more variable than Poisson.
            let noise = (0.2 * normal(&mut rng)).exp();
            let mut emit = |rng: &mut ChaCha8Rng, kind: SignalKind, n: u32, severity: u8| {
                for _ in 0..n {
                    let county = c.counties[rng.random_range(0..c.counties.len())];
                    signals.push(NewSignal {
                        kind,
                        category: c.category.to_owned(),
                        region: county.as_str().to_owned(),
                        at: t0 + rng.random_range(0..WEEK_MS),
                        severity,
                        enterprise_id: None,
                        detail: serde_json::json!({"simulated": seed}),
                    });
                }
            };
            let double = |k| {
                if active(&outbreaks, k, i, week) {
                    2.0
                } else {
                    1.0
                }
            };
            let n = poisson(
                &mut rng,
                c.complaints * season * noise * double(WarningKind::ComplaintSurge),
            );
            emit(&mut rng, SignalKind::Complaint, n, 2);
            let n = poisson(
                &mut rng,
                c.counterfeit * noise * double(WarningKind::CounterfeitSurge),
            );
            emit(&mut rng, SignalKind::Counterfeit, n, 2);
            let n = poisson(&mut rng, c.harm);
            emit(&mut rng, SignalKind::Injury, n, 3);
            if outbreaks
                .iter()
                .any(|o| o.kind == WarningKind::Cluster && o.cell == i && o.start == week)
            {
                emit(&mut rng, SignalKind::Injury, 4, 3);
            }
            // Sampling: each tested sample fails with the cell's probability.
            let tested = poisson(&mut rng, c.sampled);
            let fail = if active(&outbreaks, WarningKind::FailureRate, i, week) {
                c.fail * failure_factor
            } else {
                c.fail
            };
            for _ in 0..tested {
                sample_id += 1;
                let at = t0 + rng.random_range(0..WEEK_MS);
                let (y, m) = month_of(at);
                let failed = rng.random::<f64>() < fail;
                let county = c.counties[rng.random_range(0..c.counties.len())];
                results.push(vec![
                    sample_id.into(),
                    1_i64.into(),
                    "province".into(),
                    i64::from(y).into(),
                    (i64::from(y) * 100 + i64::from(m)).into(),
                    c.category.into(),
                    county.as_str().into(),
                    i64::from(if failed { 2 } else { 1 }).into(),
                    Value::Int(None),
                    Value::Text(None),
                    0_i64.into(),
                ]);
                if failed {
                    signals.push(NewSignal {
                        kind: SignalKind::SampleFailed,
                        category: c.category.to_owned(),
                        region: county.as_str().to_owned(),
                        at,
                        severity: 2,
                        enterprise_id: None,
                        detail: serde_json::json!({"simulated": seed}),
                    });
                }
            }
        }
        store.import_signals("bench", &signals).await?;
        let mut tx = store.db().begin().await?;
        tx.insert_rows(
            "INSERT INTO sample_results (sample_id, plan_id, level, year, month, category, region, settled, notified_on, failing_items, seq)",
            11,
            &results,
        )
        .await?;
        tx.commit().await?;
        if week < WARM_UP {
            continue;
        }
        let as_of = t0 + WEEK_MS;
        let summary = store.run_detection(as_of, th, "bench").await?;
        let _ = summary;
        // Warnings raised or added to by this run.
        let rows = store
            .db()
            .fetch_all(
                "SELECT id, kind, category, region, level, raised_at FROM warnings WHERE updated_at = $1",
                &[as_of.into()],
            )
            .await?;
        for r in rows {
            let (id, kind, category, region, level, raised) = (
                r.int(0)?,
                r.text(1)?,
                r.text(2)?,
                r.text(3)?,
                r.text(4)?,
                r.int(5)?,
            );
            let kind = WarningKind::parse(&kind).unwrap_or(WarningKind::Cluster);
            let level = Level::parse(&level).unwrap_or(Level::Blue);
            let new = raised == as_of;
            if new {
                raised_week.insert(id, week);
                *result.raised_by_level.entry(level.as_str()).or_default() += 1;
            }
            let mut matched = false;
            for o in outbreaks.iter_mut() {
                let c = &cells[o.cell];
                let here = region == c.city.as_str() || region == "130000";
                if o.kind == kind
                    && c.category == category
                    && here
                    && week >= o.start
                    && week < o.start + LASTS + GRACE
                {
                    matched = true;
                    if o.found.is_none() {
                        o.found = Some(week + 1 - o.start);
                    }
                }
            }
            if new && !matched {
                *result.false_by_level.entry(level.as_str()).or_default() += 1;
                *result.false_by_kind.entry(kind.as_str()).or_default() += 1;
            }
        }
        // The bureau closes what it handled.
        let due: Vec<i64> = raised_week
            .iter()
            .filter(|(_, w)| week - **w >= CLOSE_AFTER)
            .map(|(id, _)| *id)
            .collect();
        for id in due {
            raised_week.remove(&id);
            let mut tx = store.db().begin().await?;
            tx.execute(
                "UPDATE warnings SET status = 'closed', closed_at = $1 WHERE id = $2",
                &[as_of.into(), id.into()],
            )
            .await?;
            tx.commit().await?;
        }
    }
    store.close().await;
    result.months = (WEEKS - WARM_UP) as f64 * 7.0 / (365.25 / 12.0);
    for o in &outbreaks {
        let name = o.kind.as_str();
        let e = result.by_kind.entry(name).or_default();
        e.0 += 1;
        let fast = o.found.is_some_and(|d| d <= 2);
        if let Some(d) = o.found {
            e.1 += 1;
            e.3 += d;
        }
        if fast {
            e.2 += 1;
        }
        if matches!(
            o.kind,
            WarningKind::ComplaintSurge | WarningKind::CounterfeitSurge
        ) {
            let b = result.bands.entry((name, band(o.baseline))).or_default();
            b.0 += 1;
            if fast {
                b.1 += 1;
            }
        }
    }
    Ok(result)
}
