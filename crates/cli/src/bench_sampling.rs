//! `zhijian bench sampling …`: the sampling benchmarks of docs/benchmarks.md, each
//! through the store calls the server makes (no HTTP): a double-random draw over the
//! demo city, dashboard statistics over a national decade of results, and the Excel
//! export of a national year's announcement.

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Subcommand;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use zhijian_core::access::{Principal, Role};
use zhijian_core::calendar::Calendar;
use zhijian_core::catalogue::CATEGORIES;
use zhijian_core::region::{self, RegionCode, RegionLevel};
use zhijian_core::sample_result::ObjectionRules;
use zhijian_core::sampling::{PlanLevel, Quota};
use zhijian_core::test_report::Outcome;
use zhijian_store::announcements::{AnnouncedRow, Announcement};
use zhijian_store::db::Value;
use zhijian_store::sampling::{DrawRules, NewPlan};
use zhijian_store::sampling_stats::{GroupBy, Month, StatsFilter};

use crate::config::NodeFlags;

/// The sampling benchmarks.
#[derive(Subcommand)]
pub enum SamplingBench {
    /// Time a double-random draw of `--batches` enterprises, two inspectors each, from
    /// every enterprise of the demo province (run `demo --scale city --no-serve` first).
    Draw {
        #[command(flatten)]
        node: NodeFlags,
        /// Enterprises to draw.
        #[arg(long, default_value_t = 300)]
        batches: u32,
    },
    /// Load `--samples` results over ten years nationwide into an empty node, then time
    /// the dashboard queries, each `--rounds` times.
    Stats {
        #[command(flatten)]
        node: NodeFlags,
        /// Sample results to load.
        #[arg(long, default_value_t = 1_000_000)]
        samples: u64,
        /// Times each query runs after a first, untimed one.
        #[arg(long, default_value_t = 100)]
        rounds: usize,
        /// Seed of the generated results.
        #[arg(long, default_value_t = 11)]
        seed: u64,
    },
    /// Time the Excel workbook of an announcement of `--results` results, and the peak
    /// memory of the process around it (run it alone: the peak is the process's).
    Xlsx {
        /// Results in the announcement.
        #[arg(long, default_value_t = 30_000)]
        results: usize,
    },
}

fn national(username: &str) -> Principal {
    Principal {
        user_id: 0,
        username: username.into(),
        role: Role::Admin,
        org_id: None,
        region: RegionCode::NATIONAL,
    }
}

/// Runs a sampling benchmark.
pub async fn run(command: SamplingBench) -> anyhow::Result<()> {
    match command {
        SamplingBench::Draw { node, batches } => draw(&node, batches).await,
        SamplingBench::Stats {
            node,
            samples,
            rounds,
            seed,
        } => stats(&node, samples, rounds, seed).await,
        SamplingBench::Xlsx { results } => xlsx(results),
    }
}

async fn draw(node: &NodeFlags, batches: u32) -> anyhow::Result<()> {
    let (store, _) = crate::codes::open(node).await?;
    let officer = store
        .principal_by_username("officer-130000")
        .await?
        .context("no officer-130000 (run `zhijian demo --scale city --no-serve` first)")?;
    // The category most enterprises make, so the quota has the most candidates.
    let row = store
        .db()
        .fetch_one(
            "SELECT p.category, COUNT(DISTINCT p.enterprise_id) AS n FROM products p GROUP BY p.category ORDER BY n DESC LIMIT 1",
            &[],
        )
        .await?;
    let (category, makers) = (row.text(0)?, row.int(1)?);
    let plan = store
        .scoped(&officer)
        .create_plan(&NewPlan {
            name: format!("基准 {batches} 批次双随机抽查"),
            year: 2026,
            level: PlanLevel::Province,
            region: RegionCode::parse("130000")?,
            quotas: vec![Quota {
                category: category.clone(),
                region: RegionCode::parse("130000")?,
                batches,
                lab: None,
            }],
            terms: Default::default(),
        })
        .await?;
    let started = Instant::now();
    let drawn = store
        .scoped(&officer)
        .draw_plan(
            plan.id,
            &format!("bench-{}", plan.id),
            &DrawRules {
                inspectors_per_task: 2,
                exclude: Vec::new(),
                grade_weights: zhijian_core::grading::Rules::default().draw_weights(),
            },
        )
        .await?;
    let took = started.elapsed();
    let assignments: usize = drawn.tasks.iter().map(|t| t.inspectors.len()).sum();
    println!(
        "draw: {} enterprises of {makers} making {category}, {assignments} inspector assignments ({} inspectors): {:.0} ms",
        drawn.tasks.len(),
        drawn.inspectors.len(),
        took.as_secs_f64() * 1e3
    );
    Ok(())
}

/// Every current county of the country, with its province and city codes.
fn counties() -> Vec<(RegionCode, RegionCode, RegionCode)> {
    let mut out = Vec::new();
    for p in region::provinces() {
        for c in region::children(p.code) {
            let counties = match c.code.level() {
                RegionLevel::County => vec![c],
                _ => region::children(c.code),
            };
            for k in counties {
                out.push((p.code, c.code, k.code));
            }
        }
    }
    out
}

/// Failing items as labs name them, the first most common.
const ITEMS: &[&str] = &[
    "菌落总数",
    "大肠菌群",
    "蛋白质",
    "酸度",
    "铅(以Pb计)",
    "二氧化硫残留量",
    "苯甲酸及其钠盐",
    "甜蜜素",
    "霉菌",
    "过氧化值",
    "酸价",
    "标签",
    "净含量",
    "绝缘电阻",
    "耐压",
    "导体电阻",
    "甲醛释放量",
    "pH值",
    "色牢度",
    "纤维含量",
];

async fn stats(node: &NodeFlags, samples: u64, rounds: usize, seed: u64) -> anyhow::Result<()> {
    let (store, _) = crate::codes::open(node).await?;
    let existing = store
        .db()
        .fetch_one("SELECT COUNT(*) FROM sample_results", &[])
        .await?
        .int(0)?;
    anyhow::ensure!(
        existing == 0,
        "the node already holds sample results; load into an empty one"
    );
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let places = counties();
    let first_year = 2017;
    let years = 10;

    // Plans: per year one national plan, one per province and one per city.
    let started = Instant::now();
    let mut plans: std::collections::HashMap<(i32, String), (i64, &'static str)> =
        Default::default();
    let mut plan_rows: Vec<Vec<Value>> = Vec::new();
    let mut next_plan = 1_i64;
    for y in first_year..first_year + years {
        let mut add = |code: String, level: &'static str, name: String| {
            plans.insert((y, code.clone()), (next_plan, level));
            plan_rows.push(vec![
                next_plan.into(),
                name.into(),
                i64::from(y).into(),
                level.into(),
                code.into(),
                "bench".into(),
                0_i64.into(),
            ]);
            next_plan += 1;
        };
        add("000000".into(), "national", format!("{y}年国家监督抽查"));
        let mut seen = std::collections::BTreeSet::new();
        for (p, c, _) in &places {
            if seen.insert(*p) {
                add(
                    p.as_str().into(),
                    "province",
                    format!("{y}年{p}省级监督抽查"),
                );
            }
            if seen.insert(*c) && c.level() == RegionLevel::City {
                add(c.as_str().into(), "city", format!("{y}年{c}市级监督抽查"));
            }
        }
    }
    let mut tx = store.db().begin().await?;
    tx.insert_rows(
        "INSERT INTO sampling_plans (id, name, year, level, region, created_by, created_at)",
        7,
        &plan_rows,
    )
    .await?;
    tx.sync_identity("sampling_plans").await?;
    tx.commit().await?;

    // Results: a county at random, the national plan (20 %), the province's (40 %) or
    // the city's; 88 % pass, 9 % fail with 1–3 items, the rest not final — most of
    // those in the last months (awaiting a report, a decision or a re-test), with
    // failures open to objection in the last weeks.
    let bar = crate::bench::progress(samples, "sample results");
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(20_000);
    let last_year = first_year + years - 1;
    for id in 1..=samples as i64 {
        let y = first_year + rng.random_range(0..years);
        let m = rng.random_range(1..=12_u32);
        let (p, c, k) = places[rng.random_range(0..places.len())];
        let pick = rng.random_range(0..100);
        let plan_region = if pick < 20 {
            "000000".to_owned()
        } else if pick < 60 || c.level() != RegionLevel::City {
            p.as_str().to_owned()
        } else {
            c.as_str().to_owned()
        };
        let (plan, level) = plans[&(y, plan_region)];
        let category = &CATEGORIES[rng.random_range(0..CATEGORIES.len())];
        let recent = y == last_year && m >= 10;
        let roll = rng.random_range(0..1000);
        let (settled, notified) = match roll {
            0..880 => (1, None),
            880..970 => (2, None),
            _ if recent && roll < 985 => {
                let food = category.id.starts_with('F');
                (
                    if food { 4 } else { 3 },
                    Some(i64::from(y) * 10_000 + i64::from(m) * 100 + 20),
                )
            }
            _ if recent => (0, None),
            _ => (1, None),
        };
        let failing = (settled >= 2).then(|| {
            let n = rng.random_range(1..=3);
            let names: Vec<&str> = (0..n)
                .map(|_| {
                    // Skewed: the first items fail far more often.
                    let i = (rng.random::<f64>().powi(3) * ITEMS.len() as f64) as usize;
                    ITEMS[i.min(ITEMS.len() - 1)]
                })
                .collect();
            serde_json::to_string(&names).unwrap_or_default()
        });
        batch.push(vec![
            id.into(),
            plan.into(),
            level.into(),
            i64::from(y).into(),
            i64::from(y * 100 + m as i32).into(),
            category.id.into(),
            k.as_str().into(),
            i64::from(settled).into(),
            notified.into(),
            failing.into(),
            0_i64.into(),
        ]);
        if batch.len() == batch.capacity() || id == samples as i64 {
            let mut tx = store.db().begin().await?;
            tx.insert_rows(
                "INSERT INTO sample_results (sample_id, plan_id, level, year, month, category, region, settled, notified_on, failing_items, seq)",
                11,
                &batch,
            )
            .await?;
            tx.commit().await?;
            bar.inc(batch.len() as u64);
            batch.clear();
        }
    }
    bar.finish_and_clear();
    store.analyze().await?;
    println!(
        "loaded {samples} sample results and {} plans in {:.1} s",
        plan_rows.len(),
        started.elapsed().as_secs_f64()
    );

    let admin = national("bench");
    let scoped = store.scoped(&admin);
    let (rules, calendar) = (ObjectionRules::default(), Calendar::default());
    let filter = |group_by| StatsFilter {
        region: None,
        year: None,
        from: None,
        to: None,
        category: None,
        plan: None,
        level: None,
        group_by,
    };
    let rss_before = rss_kib();
    let started = Instant::now();
    let first = scoped
        .sampling_stats(&filter(GroupBy::Category), rules, &calendar)
        .await?;
    println!(
        "first query (reads every result into memory): {:.0} ms, {} results counted; resident memory +{} MiB",
        started.elapsed().as_secs_f64() * 1e3,
        first.total.tested + first.total.pending,
        (rss_kib().saturating_sub(rss_before)) / 1024
    );
    let province_plan = plans[&(2025, "130000".to_owned())].0;
    let queries: Vec<(&str, StatsFilter)> = vec![
        (
            "national, all years, by category",
            filter(GroupBy::Category),
        ),
        (
            "national decade by month (2017-01…2026-12)",
            StatsFilter {
                from: Month::new(2017, 1),
                to: Month::new(2026, 12),
                ..filter(GroupBy::Period)
            },
        ),
        (
            "national 2026 by region, with 2025",
            StatsFilter {
                year: Some(2026),
                ..filter(GroupBy::Region)
            },
        ),
        (
            "province 130000, 2025 by region, with 2024",
            StatsFilter {
                region: Some(RegionCode::parse("130000")?),
                year: Some(2025),
                ..filter(GroupBy::Region)
            },
        ),
        (
            "national 2026 by plan (342 plans)",
            StatsFilter {
                year: Some(2026),
                ..filter(GroupBy::Plan)
            },
        ),
        (
            "one plan (Hebei 2025) by category",
            StatsFilter {
                plan: Some(province_plan),
                ..filter(GroupBy::Category)
            },
        ),
        (
            "county 130102, all years, by level",
            StatsFilter {
                region: Some(RegionCode::parse("130102")?),
                ..filter(GroupBy::Level)
            },
        ),
    ];
    println!("| query | p50 | p99 | max |");
    println!("|---|---|---|---|");
    for (name, f) in &queries {
        scoped.sampling_stats(f, rules, &calendar).await?;
        let mut times: Vec<Duration> = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let t = Instant::now();
            std::hint::black_box(scoped.sampling_stats(f, rules, &calendar).await?);
            times.push(t.elapsed());
        }
        times.sort();
        let at = |q: f64| {
            let i = ((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1;
            times[i].as_secs_f64() * 1e3
        };
        println!(
            "| {name} | {:.1} ms | {:.1} ms | {:.1} ms |",
            at(0.5),
            at(0.99),
            at(1.0)
        );
    }
    Ok(())
}

/// The process's resident memory now (VmRSS), or its peak (VmHWM), in KiB.
fn proc_status(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn rss_kib() -> u64 {
    proc_status("VmRSS:")
}

fn xlsx(results: usize) -> anyhow::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let places = counties();
    let rows: Vec<AnnouncedRow> = (0..results)
        .map(|i| {
            let category = &CATEGORIES[rng.random_range(0..CATEGORIES.len())];
            let fails = rng.random_range(0..100) < 9;
            AnnouncedRow {
                product: format!("{}产品{i}", category.name_zh),
                category: category.name_zh.into(),
                enterprise: format!("第{i}号生产有限责任公司"),
                uscc: format!("91{:06}{:010}", i % 1_000_000, i),
                region: places[i % places.len()].2.as_str().into(),
                lot: format!("2026{:06}", i),
                lab: "国家食品质量检验检测中心".into(),
                result: if fails { Outcome::Fail } else { Outcome::Pass },
                failing_items: if fails {
                    vec![
                        ITEMS[i % ITEMS.len()].into(),
                        ITEMS[(i / 7) % ITEMS.len()].into(),
                    ]
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    let announcement = Announcement {
        id: 1,
        plan_id: 1,
        title: "2026年国家产品质量监督抽查结果".into(),
        region: "000000".into(),
        region_name: "全国".into(),
        published_by: "bench".into(),
        published_at: "2026-12-02T00:00:00Z".into(),
        passed: rows.iter().filter(|r| r.result == Outcome::Pass).count() as i64,
        failed: rows.iter().filter(|r| r.result == Outcome::Fail).count() as i64,
        pending: 0,
        rows,
    };
    let before = proc_status("VmHWM:");
    let started = Instant::now();
    let body = zhijian_server::api::announcements::workbook(&announcement)?;
    let took = started.elapsed();
    let peak = proc_status("VmHWM:");
    println!(
        "xlsx of {results} results: {:.0} ms, {:.1} MiB written; peak resident memory {} MiB (before the export {} MiB)",
        took.as_secs_f64() * 1e3,
        body.len() as f64 / (1024.0 * 1024.0),
        peak / 1024,
        before / 1024
    );
    Ok(())
}
