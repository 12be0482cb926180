//! `zhijian bench …`: load-test data at national scale, and the requests a load
//! generator (`wrk`, see `bench/codes.sh`) replays against a running node.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use jiff::civil::date;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use zhijian_core::access::{OrgKind, Principal, Role};
use zhijian_core::code::damm;
use zhijian_core::code::list::IndexRange;
use zhijian_core::page::Page;
use zhijian_core::region::RegionCode;
use zhijian_store::codes::NewBatch;
use zhijian_store::enterprises::EnterpriseFilter;

use crate::config::NodeFlags;

/// The `bench` subcommands.
#[derive(Subcommand)]
pub enum BenchCommand {
    /// Issue codes in many segments, print and activate the start of each, and write
    /// the verification requests a load generator replays, one URL path per line.
    ///
    /// The node needs enterprises with products and a registered printer (run `demo
    /// --no-serve` first). The requests mix, in file order: 70 % first queries of
    /// activated codes (each asked once), 20 % repeats of codes asked before, 5 %
    /// unknown codes (well-formed, never issued) and 5 % mistyped ones (one digit
    /// changed). Prints the enterprise and product of the last segment, for `codes issue`.
    Codes {
        #[command(flatten)]
        node: NodeFlags,
        /// How many segments to issue.
        #[arg(long, default_value_t = 10_000)]
        segments: u64,
        /// Codes in each segment.
        #[arg(long, default_value_t = 100_000)]
        segment_size: u64,
        /// Codes activated at the start of each segment.
        #[arg(long, default_value_t = 1_000)]
        activate: u64,
        /// How many requests to write.
        #[arg(long, default_value_t = 1_000_000)]
        requests: u64,
        /// Where to write the request paths.
        #[arg(long, value_name = "FILE")]
        paths: PathBuf,
        /// Seed of the request mix.
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// The sampling benchmarks: a double-random draw, dashboard statistics over a
    /// national decade, an Excel export (see `bench/sampling.sh`).
    Sampling {
        #[command(subcommand)]
        command: crate::bench_sampling::SamplingBench,
    },
    /// Time a full regrade of every enterprise of the node (run `demo --scale city
    /// --no-serve` first): from nothing written, and again with nothing changed.
    Grading {
        #[command(flatten)]
        node: NodeFlags,
        /// How many times to run both passes.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// The early-warning simulator: a year of signals for Hebei with injected outbreaks,
    /// detection run weekly through the real store; prints detection rates, delays and
    /// false warnings per month (see docs/benchmarks.md).
    Risk(crate::bench_risk::RiskBench),
    /// EPCIS capture throughput, and traces over a network of events (see
    /// docs/benchmarks.md).
    Epcis {
        #[command(subcommand)]
        command: crate::bench_epcis::EpcisBench,
    },
}

/// Places the simulated consumers verify from: Hebei's city districts.
const PLACES: &[&str] = &[
    "130102", "130104", "130202", "130302", "130402", "130502", "130602", "130702", "130802",
    "130902", "131002", "131102",
];

/// Runs a `bench` subcommand.
pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    let (node, segments, segment_size, activate, requests, paths, seed) = match command {
        BenchCommand::Codes {
            node,
            segments,
            segment_size,
            activate,
            requests,
            paths,
            seed,
        } => (
            node,
            segments,
            segment_size,
            activate,
            requests,
            paths,
            seed,
        ),
        BenchCommand::Sampling { command } => return crate::bench_sampling::run(command).await,
        BenchCommand::Grading { node, rounds } => {
            return crate::bench_grading::run(&node, rounds).await;
        }
        BenchCommand::Risk(b) => return crate::bench_risk::run(b).await,
        BenchCommand::Epcis { command } => return crate::bench_epcis::run(command).await,
    };
    anyhow::ensure!(
        segments > 0 && segment_size > 0 && (1..=segment_size).contains(&activate),
        "--segments and --segment-size must be positive, --activate between 1 and --segment-size"
    );
    let (store, _) = crate::codes::open(&node).await?;
    let admin = principal("bench", Role::Admin, None, RegionCode::NATIONAL);
    let printer = store
        .organisations_of_kind(OrgKind::Printer)
        .await?
        .into_iter()
        .next()
        .context("no printer is registered (run `zhijian demo --no-serve` first)")?;
    let printer_uscc = printer
        .uscc
        .clone()
        .context("the printer has no credit code")?;
    let printer_user = principal(
        "bench-printer",
        Role::Printer,
        Some(printer.id),
        RegionCode::parse(&printer.region).unwrap_or(RegionCode::NATIONAL),
    );

    // Enterprises with a product, up to 100 of them, to spread segments over.
    let listed = store
        .scoped(&admin)
        .list_enterprises(&EnterpriseFilter::default(), Page::new(Some(1), Some(200))?)
        .await?;
    let mut makers = Vec::new();
    for e in listed.items {
        let Some(archive) = store.scoped(&admin).archive(&e.uscc).await? else {
            continue;
        };
        if let Some(p) = archive.products.first() {
            let region = RegionCode::parse(&e.region).unwrap_or(RegionCode::NATIONAL);
            let user = principal(
                "bench-maker",
                Role::Enterprise,
                Some(archive.org_id),
                region,
            );
            makers.push((e.uscc, p.id, user));
        }
        if makers.len() == 100 {
            break;
        }
    }
    anyhow::ensure!(
        !makers.is_empty(),
        "no enterprise has a product (run `zhijian demo --no-serve` first)"
    );

    let started = std::time::Instant::now();
    let bar = progress(segments, "segments");
    let mut firsts = Vec::with_capacity(segments as usize);
    for i in 0..segments {
        let (uscc, product, user) = &makers[i as usize % makers.len()];
        let segment = store
            .issue_codes(uscc, *product, segment_size as i64, "bench")
            .await?;
        let maker = store.scoped(user);
        let job = maker
            .create_print_job(segment.id, &printer_uscc, None, None)
            .await?;
        store
            .scoped(&printer_user)
            .confirm_print_job(job.id, segment_size as i64, 0)
            .await?;
        maker
            .activate(
                &NewBatch {
                    lot: format!("BENCH{i:06}"),
                    production_date: date(2026, 11, 1),
                    expiry_date: Some(date(2099, 12, 31)),
                    inspection_report: None,
                },
                &[IndexRange {
                    first: segment.first_index as u64,
                    count: activate,
                }],
            )
            .await?;
        firsts.push(segment.first_index as u64);
        bar.inc(1);
    }
    bar.finish_and_clear();
    eprintln!(
        "{segments} segments of {segment_size} codes issued, {} codes activated, in {:.1} s",
        segments * activate,
        started.elapsed().as_secs_f64()
    );

    let space = store.code_space()?.clone();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(&paths).with_context(|| format!("creating {}", paths.display()))?,
    );
    // Fresh codes walk the segments round-robin, so every segment is asked.
    let mut fresh = 0u64;
    let capacity = segments * activate;
    let mut asked: Vec<u64> = Vec::new();
    for _ in 0..requests {
        let roll = rng.random_range(0..100u32);
        let code = if roll < 70 || (roll < 90 && asked.is_empty()) {
            anyhow::ensure!(
                fresh < capacity,
                "more first queries wanted than codes activated"
            );
            let index = firsts[(fresh % segments) as usize] + fresh / segments;
            fresh += 1;
            asked.push(index);
            space.encode(index)?.to_string()
        } else if roll < 90 {
            space
                .encode(asked[rng.random_range(0..asked.len())])?
                .to_string()
        } else if roll < 95 {
            let body: String = (0..17)
                .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                .collect();
            with_check_digit(&format!("{}{body}", space.node()))
        } else {
            let genuine = space
                .encode(firsts[rng.random_range(0..firsts.len())])?
                .to_string();
            mistype(&genuine, &mut rng)
        };
        let place = PLACES[rng.random_range(0..PLACES.len())];
        writeln!(out, "/api/v1/verify/{code}?channel=api&region={place}")?;
    }
    out.flush()?;
    let (uscc, product, _) = &makers[(segments as usize - 1) % makers.len()];
    println!("enterprise {uscc} product {product}");
    store.close().await;
    Ok(())
}

fn principal(username: &str, role: Role, org_id: Option<i64>, region: RegionCode) -> Principal {
    Principal {
        user_id: 0,
        username: username.into(),
        role,
        org_id,
        region,
    }
}

pub(crate) fn progress(total: u64, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{bar:40}} {{human_pos}}/{{human_len}} {what}  {{per_sec}}  eta {{eta}}"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// The 19 digits `first19` with their Damm check digit appended.
fn with_check_digit(first19: &str) -> String {
    let digits: Vec<u8> = first19.bytes().map(|b| b - b'0').collect();
    format!("{first19}{}", damm::check_digit(&digits))
}

/// `code` with one body digit changed: the check digit catches every such slip.
fn mistype(code: &str, rng: &mut ChaCha8Rng) -> String {
    let mut digits = code.as_bytes().to_vec();
    let at = rng.random_range(2..19);
    let was = digits[at] - b'0';
    digits[at] = b'0' + (was + rng.random_range(1..10u8)) % 10;
    String::from_utf8(digits).unwrap_or_else(|_| code.to_owned())
}
