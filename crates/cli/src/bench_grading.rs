//! `zhijian bench grading`: times a full regrade of every enterprise on a node (the
//! nightly pass, and what a new rule set triggers) through the store call the server
//! makes — from nothing written (every grade and a history row inserted) and again
//! with nothing changed (every record read and graded, nothing written) — and the
//! regrade of one enterprise, as reading its grade or changing its record does.

use std::time::Instant;

use zhijian_core::calendar::Calendar;
use zhijian_core::grading::Rules;
use zhijian_core::sample_result::ObjectionRules;
use zhijian_store::grading::{Cause, Context};

use crate::config::NodeFlags;

/// Runs the benchmark `rounds` times and prints each pass and the best.
pub async fn run(node: &NodeFlags, rounds: usize) -> anyhow::Result<()> {
    let (store, _) = crate::codes::open(node).await?;
    let enterprises = store
        .db()
        .fetch_one("SELECT COUNT(*) FROM enterprises", &[])
        .await?
        .int(0)?;
    anyhow::ensure!(
        enterprises > 0,
        "no enterprises (run `zhijian demo --scale city --no-serve` first)"
    );
    let rules = Rules::default();
    let calendar = Calendar::default();
    let cx = || Context {
        objections: ObjectionRules::default(),
        calendar: &calendar,
        today: jiff::Zoned::now().date(),
    };
    println!("grading {enterprises} enterprises, {rounds} rounds");
    let (mut cold, mut warm) = (Vec::new(), Vec::new());
    for round in 1..=rounds.max(1) {
        let mut tx = store.db().begin().await?;
        tx.execute("DELETE FROM grade_history", &[]).await?;
        tx.execute("DELETE FROM grades", &[]).await?;
        tx.commit().await?;
        let t = Instant::now();
        let written = store.regrade(&rules, 0, None, Cause::Rules, cx()).await?;
        let c = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let again = store.regrade(&rules, 0, None, Cause::Nightly, cx()).await?;
        let w = t.elapsed().as_secs_f64();
        println!(
            "round {round}: from nothing {c:.2} s ({written} grades written), unchanged {w:.2} s ({again} written)"
        );
        cold.push(c);
        warm.push(w);
    }
    // One enterprise at a time, as reading a grade or a record change does.
    let ids: Vec<i64> = store
        .db()
        .fetch_all("SELECT id FROM enterprises ORDER BY id LIMIT 1000", &[])
        .await?
        .iter()
        .map(|r| r.int(0))
        .collect::<Result<_, _>>()?;
    let mut one = Vec::with_capacity(ids.len());
    for id in &ids {
        let t = Instant::now();
        store
            .regrade(&rules, 0, Some(&[*id]), Cause::Record, cx())
            .await?;
        one.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    one.sort_by(f64::total_cmp);
    let pick = |q: f64| one[((one.len() as f64 - 1.0) * q).round() as usize];
    if !one.is_empty() {
        println!(
            "one enterprise ({} of them): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            one.len(),
            pick(0.5),
            pick(0.99),
            pick(1.0)
        );
    }
    let best = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "best: from nothing {:.2} s, unchanged {:.2} s ({:.0} enterprises/s)",
        best(&cold),
        best(&warm),
        enterprises as f64 / best(&warm)
    );
    Ok(())
}
