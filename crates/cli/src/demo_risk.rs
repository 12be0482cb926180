//! Demo risk signals and warnings: half a year of complaints and counterfeit reports for
//! Hebei's cities and a dozen categories, with two outbreaks in the last weeks — dairy
//! complaints quadrupling in Baoding and a cluster of injuries from gas appliances in
//! Tangshan — and detection run week by week over the last month, so that the console's
//! risk pages open on a history, a trend and warnings at different stages.

use anyhow::Context as _;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use zhijian_core::risk::{SignalKind, Thresholds};
use zhijian_store::Store;
use zhijian_store::risk_signals::NewSignal;

const CITIES: [&str; 11] = [
    "130100", "130200", "130300", "130400", "130500", "130600", "130700", "130800", "130900",
    "131000", "131100",
];
const CATEGORIES: [&str; 12] = [
    "F01", "F02", "F03", "F05", "F07", "F13", "F24", "I02", "I03", "I11", "I17", "I20",
];
const WEEK_MS: i64 = 7 * 86_400_000;
const WEEKS: i64 = 26;

/// A Poisson count with mean `mean` (Knuth's method: the means here are small).
fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> u32 {
    let limit = (-mean).exp();
    let (mut k, mut p) = (0u32, 1.0f64);
    loop {
        p *= rng.random::<f64>();
        if p <= limit || k > 1_000 {
            return k;
        }
        k += 1;
    }
}

/// Imports the demo signals and runs detection weekly over the last four weeks.
pub async fn generate(store: &Store, seed: u64) -> anyhow::Result<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5249_534b);
    let now = jiff::Timestamp::now().as_millisecond();
    let start = now - WEEKS * WEEK_MS;
    let mut signals = Vec::new();
    for city in CITIES {
        for category in CATEGORIES {
            let complaints = rng.random_range(1.0..6.0);
            let counterfeits = rng.random_range(0.2..2.5);
            for week in 0..WEEKS {
                let recent = week >= WEEKS - 3;
                let mut mean = complaints;
                // Dairy complaints quadruple in Baoding over the last three weeks.
                if recent && city == "130600" && category == "F05" {
                    mean *= 4.0;
                }
                for (kind, mean) in [
                    (SignalKind::Complaint, mean),
                    (SignalKind::Counterfeit, counterfeits),
                ] {
                    for _ in 0..poisson(&mut rng, mean) {
                        signals.push(NewSignal {
                            kind,
                            category: category.into(),
                            region: city.into(),
                            at: start + week * WEEK_MS + rng.random_range(0..WEEK_MS),
                            severity: rng.random_range(1..=2),
                            enterprise_id: None,
                            detail: serde_json::json!({"source": "demo"}),
                        });
                    }
                }
            }
        }
    }
    // Burns from gas appliances reported in Tangshan last week.
    for i in 0..4 {
        signals.push(NewSignal {
            kind: SignalKind::Injury,
            category: "I11".into(),
            region: "130200".into(),
            at: now - WEEK_MS + i * 86_400_000,
            severity: 3,
            enterprise_id: None,
            detail: serde_json::json!({"source": "demo", "report": "燃气灶具回火烧伤"}),
        });
    }
    signals.sort_by_key(|s| s.at);
    let started = std::time::Instant::now();
    for chunk in signals.chunks(2_000) {
        store
            .import_signals("demo", chunk)
            .await
            .context("importing demo risk signals")?;
    }
    let imported = started.elapsed();
    let thresholds = Thresholds::default();
    for weeks_ago in (0..4).rev() {
        store
            .run_detection(now - weeks_ago * WEEK_MS, &thresholds, "demo")
            .await
            .context("running detection over the demo signals")?;
    }
    eprintln!(
        "risk signals: {} imported in {:.1} s, detection over four weeks in {:.1} s",
        signals.len(),
        imported.as_secs_f64(),
        (started.elapsed() - imported).as_secs_f64()
    );
    Ok(signals.len())
}
