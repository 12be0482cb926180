//! Risk early warning (风险预警): the statistics that turn risk signals into warnings,
//! and the matrix that gives each warning its level.
//!
//! Detection is one pure function, [`detect`]: given every signal and every tested
//! sample up to an instant, it looks at each product category in each city and in the
//! province and reports what stands out:
//!
//! - **failure rate** — the failures among the samples tested in the current and the
//!   previous month against the region's own rate over the twelve months before, on a
//!   prior at the category's rate in the province (a beta-binomial upper tail: the
//!   baseline's own uncertainty counts);
//! - **complaint and counterfeit surges** — against the mean of 26 weeks, with its own
//!   variation beyond Poisson's and the season read from the other categories: a
//!   negative-binomial test of the last one and two weeks (sudden rises) and a Poisson
//!   CUSUM over the last eight, tuned to a doubling (slow ones);
//! - **clusters** — injuries, incidents, recalls and external alerts of one category in
//!   one city within 14 days.
//!
//! Each finding's strength (weak / moderate / strong / very strong, from the evidence
//! measured as −log₁₀ p or log₁₀ of the likelihood ratio) meets the category's
//! [`RiskGrade`] in [`level`], the matrix documented in `docs/risk.md`.
//!
//! ```
//! use zhijian_core::risk::{binomial_upper_tail, level, Level, Strength};
//! use zhijian_core::catalogue::RiskGrade;
//! let p = binomial_upper_tail(3, 10, 0.1);
//! assert!((p - 0.070_190_826_4).abs() < 1e-9);
//! assert_eq!(level(Strength::VeryStrong, RiskGrade::I, false), Some(Level::Red));
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::catalogue::{self, RiskGrade};

/// Milliseconds in a week.
pub const WEEK_MS: i64 = 7 * 24 * 3600 * 1000;

/// What a risk signal is evidence of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// A final sampling failure (recorded by the node).
    SampleFailed,
    /// A counterfeit signal from code verification, or an imported one.
    Counterfeit,
    /// A complaint from the public (12365).
    Complaint,
    /// An injury report.
    Injury,
    /// An incident report.
    Incident,
    /// An imported external alert.
    External,
    /// A recall.
    Recall,
}

impl SignalKind {
    /// Every kind.
    pub const ALL: [SignalKind; 7] = [
        SignalKind::SampleFailed,
        SignalKind::Counterfeit,
        SignalKind::Complaint,
        SignalKind::Injury,
        SignalKind::Incident,
        SignalKind::External,
        SignalKind::Recall,
    ];

    /// The kinds officers may import (`POST /api/v1/signals`).
    pub const IMPORTABLE: [SignalKind; 5] = [
        SignalKind::Complaint,
        SignalKind::Counterfeit,
        SignalKind::Injury,
        SignalKind::Incident,
        SignalKind::External,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::SampleFailed => "sample_failed",
            SignalKind::Counterfeit => "counterfeit",
            SignalKind::Complaint => "complaint",
            SignalKind::Injury => "injury",
            SignalKind::Incident => "incident",
            SignalKind::External => "external",
            SignalKind::Recall => "recall",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<SignalKind> {
        SignalKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether it counts towards clusters (reports of harm rather than counts of
    /// routine events).
    pub fn clusters(self) -> bool {
        matches!(
            self,
            SignalKind::Injury | SignalKind::Incident | SignalKind::External | SignalKind::Recall
        )
    }
}

/// A warning's level (预警等级): red I is the gravest, blue IV the least.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Ⅰ级 红色: grave.
    Red,
    /// Ⅱ级 橙色: serious.
    Orange,
    /// Ⅲ级 黄色: notable.
    Yellow,
    /// Ⅳ级 蓝色: to watch.
    Blue,
}

impl Level {
    /// Every level, gravest first.
    pub const ALL: [Level; 4] = [Level::Red, Level::Orange, Level::Yellow, Level::Blue];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Red => "red",
            Level::Orange => "orange",
            Level::Yellow => "yellow",
            Level::Blue => "blue",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The Roman numeral (Ⅰ–Ⅳ).
    pub fn numeral(self) -> &'static str {
        match self {
            Level::Red => "I",
            Level::Orange => "II",
            Level::Yellow => "III",
            Level::Blue => "IV",
        }
    }

    /// One level graver (red stays red).
    pub fn raised(self) -> Level {
        match self {
            Level::Red | Level::Orange => Level::Red,
            Level::Yellow => Level::Orange,
            Level::Blue => Level::Yellow,
        }
    }
}

/// What a warning was raised for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// Sampling failures above the category's baseline rate.
    FailureRate,
    /// More complaints than the baseline.
    ComplaintSurge,
    /// More counterfeit signals than the baseline.
    CounterfeitSurge,
    /// Harm reports of one category bunched in one city.
    Cluster,
}

impl WarningKind {
    /// Every kind.
    pub const ALL: [WarningKind; 4] = [
        WarningKind::FailureRate,
        WarningKind::ComplaintSurge,
        WarningKind::CounterfeitSurge,
        WarningKind::Cluster,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::FailureRate => "failure_rate",
            WarningKind::ComplaintSurge => "complaint_surge",
            WarningKind::CounterfeitSurge => "counterfeit_surge",
            WarningKind::Cluster => "cluster",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<WarningKind> {
        WarningKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a warning stands (raised → acknowledged → measures → closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WarningStatus {
    /// Raised by detection, not yet seen by its owner.
    Raised,
    /// The owner bureau has seen it.
    Acknowledged,
    /// Measures are under way.
    Measures,
    /// Closed; a new finding raises a new warning.
    Closed,
}

impl WarningStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [WarningStatus; 4] = [
        WarningStatus::Raised,
        WarningStatus::Acknowledged,
        WarningStatus::Measures,
        WarningStatus::Closed,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningStatus::Raised => "raised",
            WarningStatus::Acknowledged => "acknowledged",
            WarningStatus::Measures => "measures",
            WarningStatus::Closed => "closed",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<WarningStatus> {
        WarningStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The one status a warning may move to next, if any.
    pub fn next(self) -> Option<WarningStatus> {
        match self {
            WarningStatus::Raised => Some(WarningStatus::Acknowledged),
            WarningStatus::Acknowledged => Some(WarningStatus::Measures),
            WarningStatus::Measures => Some(WarningStatus::Closed),
            WarningStatus::Closed => None,
        }
    }

    /// Checks a move: only to the next status in order.
    pub fn transition(self, to: WarningStatus) -> Result<WarningStatus, TransitionRefused> {
        if self.next() == Some(to) {
            Ok(to)
        } else {
            Err(TransitionRefused { from: self, to })
        }
    }
}

/// A warning cannot move from one status to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a warning that is {} cannot move to {}; the order is raised, acknowledged, measures, closed", from.as_str(), to.as_str())]
pub struct TransitionRefused {
    /// Where it is.
    pub from: WarningStatus,
    /// Where it was asked to go.
    pub to: WarningStatus,
}

/// How strong the statistical evidence of a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    /// Below the moderate threshold: reported in the finding, but no warning by itself.
    Weak,
    /// Worth watching.
    Moderate,
    /// Unlikely to be chance.
    Strong,
    /// Almost certainly not chance.
    VeryStrong,
}

/// The level matrix: statistical strength × the category's risk grade, raised one
/// level when the evidence is grave (mean severity 3 or more). Weak evidence raises no
/// warning.
///
/// | strength \ grade | I (high) | II | III (low) |
/// |---|---|---|---|
/// | very strong | red | orange | yellow |
/// | strong | orange | yellow | blue |
/// | moderate | yellow | blue | blue |
pub fn level(strength: Strength, grade: RiskGrade, grave: bool) -> Option<Level> {
    let base = match (strength, grade) {
        (Strength::Weak, _) => return None,
        (Strength::VeryStrong, RiskGrade::I) => Level::Red,
        (Strength::VeryStrong, RiskGrade::II) | (Strength::Strong, RiskGrade::I) => Level::Orange,
        (Strength::VeryStrong, RiskGrade::III)
        | (Strength::Strong, RiskGrade::II)
        | (Strength::Moderate, RiskGrade::I) => Level::Yellow,
        (Strength::Strong, RiskGrade::III) | (Strength::Moderate, _) => Level::Blue,
    };
    Some(if grave { base.raised() } else { base })
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error below 1e-14).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if !x.is_finite() || x <= 0.0 {
        return f64::INFINITY;
    }
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        let s = (std::f64::consts::PI * x).sin();
        return std::f64::consts::PI.ln() - s.abs().ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

fn ln_choose(n: u64, k: u64) -> f64 {
    ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
}

/// Adds probabilities given as logarithms without overflow.
fn log_sum(terms: impl Iterator<Item = f64>) -> f64 {
    let terms: Vec<f64> = terms.filter(|t| t.is_finite()).collect();
    let Some(max) = terms.iter().copied().reduce(f64::max) else {
        return f64::NEG_INFINITY;
    };
    max + terms.iter().map(|t| (t - max).exp()).sum::<f64>().ln()
}

/// P(X ≥ x) for X ~ Binomial(n, p): the exact one-sided p-value of seeing `x` or more
/// failures among `n` tested when each fails with probability `p`.
pub fn binomial_upper_tail(x: u64, n: u64, p: f64) -> f64 {
    if x == 0 {
        return 1.0;
    }
    if x > n || p.is_nan() || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let (lp, lq) = (p.ln(), (1.0 - p).ln());
    let tail = log_sum((x..=n).map(|k| ln_choose(n, k) + k as f64 * lp + (n - k) as f64 * lq));
    tail.exp().clamp(0.0, 1.0)
}

/// P(X ≥ x) for X ~ BetaBinomial(n, α, β): the binomial tail when the rate itself is
/// only known as Beta(α, β) — e.g. α = failures + ½, β = passes + ½ of the baseline —
/// so a short baseline does not make every excess look significant.
pub fn beta_binomial_upper_tail(x: u64, n: u64, alpha: f64, beta: f64) -> f64 {
    if x == 0 {
        return 1.0;
    }
    if !(x <= n && alpha > 0.0 && beta > 0.0 && alpha.is_finite() && beta.is_finite()) {
        return 0.0;
    }
    let ln_beta = |a: f64, b: f64| ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b);
    let base = ln_beta(alpha, beta);
    let tail = log_sum(
        (x..=n).map(|k| ln_choose(n, k) + ln_beta(k as f64 + alpha, (n - k) as f64 + beta) - base),
    );
    tail.exp().clamp(0.0, 1.0)
}

/// The Poisson CUSUM for a rise to `ratio` times the expected count of each period:
/// after each count `S ← max(0, S + x·ln ratio − (ratio − 1)·e)`, `e` being that
/// period's expected count (the baseline mean, times the season's factor) — the
/// log-likelihood ratio of the two means, accumulated while it grows. Returns S after
/// every period; a period without an expected count expects none.
pub fn poisson_cusum(counts: &[u32], expected: &[f64], ratio: f64) -> Vec<f64> {
    if !(ratio > 1.0 && ratio.is_finite()) {
        return vec![0.0; counts.len()];
    }
    let ln_r = ratio.ln();
    let mut s = 0.0_f64;
    counts
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let e = expected.get(i).copied().unwrap_or(0.0);
            if !(e > 0.0 && e.is_finite()) {
                s = 0.0;
                return s;
            }
            s = (s + f64::from(x) * ln_r - (ratio - 1.0) * e).max(0.0);
            s
        })
        .collect()
}

/// P(X ≥ x) for a count X with mean `mean` and variance `mean + mean²/size`: the
/// negative binomial (a Poisson whose rate itself varies as a gamma with shape `size`),
/// which is the Poisson when `size` is infinite. Counts of complaints vary more than
/// Poisson's from week to week; this tail prices that in.
pub fn negative_binomial_upper_tail(x: u64, mean: f64, size: f64) -> f64 {
    if x == 0 {
        return 1.0;
    }
    if !(mean > 0.0 && mean.is_finite() && size > 0.0) {
        return 0.0;
    }
    let poisson = size.is_infinite() || size > 1e9;
    let (ln_mean, ln_keep, ln_go) = (
        mean.ln(),
        (size / (size + mean)).ln(),
        (mean / (size + mean)).ln(),
    );
    let ln_p = |k: u64| {
        let k = k as f64;
        if poisson {
            k * ln_mean - mean - ln_gamma(k + 1.0)
        } else {
            ln_gamma(k + size) - ln_gamma(size) - ln_gamma(k + 1.0) + size * ln_keep + k * ln_go
        }
    };
    if x as f64 <= mean {
        // At or below the mean the tail is large: one minus the (short) head is exact
        // enough.
        let head = log_sum((0..x).map(ln_p)).exp();
        return (1.0 - head).clamp(0.0, 1.0);
    }
    // Above the mean the terms only fall: add them, relative to the first, until they
    // no longer count (or a million terms, for absurd inputs).
    let first = ln_p(x);
    if !first.is_finite() {
        return 0.0;
    }
    let mut sum = 0.0_f64;
    for k in x..x.saturating_add(1_000_000) {
        let r = (ln_p(k) - first).exp();
        sum += r;
        if r < 1e-17 * sum {
            break;
        }
    }
    (first + sum.ln()).exp().clamp(0.0, 1.0)
}

/// A weekly count series' history: its mean a week and its variation beyond Poisson's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Baseline {
    /// Mean count a week, with half a count of prior (an empty history is not zero).
    pub mean: f64,
    /// Variation beyond Poisson's: (variance − mean) ÷ mean² of the weekly counts, the
    /// squared coefficient of variation of the weekly rate, kept within 0–1.
    pub extra: f64,
    /// Weeks it rests on.
    pub weeks: usize,
}

impl Baseline {
    /// The baseline of some weeks' counts.
    pub fn of(counts: &[u32]) -> Baseline {
        let n = counts.len();
        let sum: f64 = counts.iter().map(|c| f64::from(*c)).sum();
        let mean = (sum + 0.5) / (n as f64 + 1.0);
        let raw = if n > 0 { sum / n as f64 } else { 0.0 };
        let extra = if n > 1 && raw > 0.0 {
            let var = counts
                .iter()
                .map(|c| (f64::from(*c) - raw).powi(2))
                .sum::<f64>()
                / (n - 1) as f64;
            ((var - raw) / (raw * raw)).clamp(0.0, 1.0)
        } else {
            0.0
        };
        Baseline {
            mean,
            extra,
            weeks: n,
        }
    }

    /// P(at least `observed` in the weeks whose expected level, relative to the
    /// baseline's, is `season` each): a negative binomial with the variance of the
    /// counts (Poisson's), of each week's rate (the extra variation, at least
    /// `extra_floor`) and of the baseline mean itself (it rests on a few weeks only).
    pub fn upper_tail(&self, observed: u64, season: &[f64], extra_floor: f64) -> f64 {
        let c = self.extra.max(extra_floor);
        let g: f64 = season.iter().sum();
        let g2: f64 = season.iter().map(|s| s * s).sum();
        let mu = self.mean;
        let m = mu * g;
        let of_mean = (mu + c * mu * mu) / self.weeks.max(1) as f64;
        let var = m + c * mu * mu * g2 + of_mean * g * g;
        let size = if var > m {
            m * m / (var - m)
        } else {
            f64::INFINITY
        };
        negative_binomial_upper_tail(observed, m, size)
    }
}

/// The season: each week's level of a count relative to its baseline, from the counts
/// of everything else (the other categories of the province), index 0 = the latest
/// week, `baseline_from` the first baseline week. Everything rising together (a season,
/// the news, more scanning) is not one category's surge. When the others are too few to
/// say (under 20 a week on average) every factor is 1; factors stay within ½–2.
pub fn season_factors(others: &[u64], baseline_from: usize) -> Vec<f64> {
    let base = others.get(baseline_from..).unwrap_or(&[]);
    let mean = base.iter().sum::<u64>() as f64 / base.len().max(1) as f64;
    others
        .iter()
        .map(|o| {
            if mean < 20.0 {
                1.0
            } else {
                (*o as f64 / mean).clamp(0.5, 2.0)
            }
        })
        .collect()
}

/// Where the strength tiers begin, in log₁₀ units of evidence (−log₁₀ p for rates,
/// log₁₀ of the CUSUM's likelihood ratio for surges, a count for clusters).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Moderate from here.
    pub moderate: f64,
    /// Strong from here.
    pub strong: f64,
    /// Very strong from here.
    pub very_strong: f64,
    /// Surges: the CUSUM thresholds are these plus this offset (the CUSUM's
    /// likelihood ratio is a maximum over start weeks, not a p-value).
    pub surge_offset: f64,
    /// Failure rates: at least this many failures in the window.
    pub min_failures: u32,
    /// Clusters: at least this many harm reports in 14 days in one city.
    pub cluster_size: u32,
}

impl Default for Thresholds {
    /// The values tuned by `zhijian bench risk` (see docs/benchmarks.md).
    fn default() -> Thresholds {
        Thresholds {
            moderate: 2.5,
            strong: 4.5,
            very_strong: 6.0,
            surge_offset: 0.0,
            min_failures: 3,
            cluster_size: 3,
        }
    }
}

impl Thresholds {
    fn strength(&self, score: f64) -> Strength {
        if score >= self.very_strong {
            Strength::VeryStrong
        } else if score >= self.strong {
            Strength::Strong
        } else if score >= self.moderate {
            Strength::Moderate
        } else {
            Strength::Weak
        }
    }
}

/// One signal as detection reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    /// Its id (evidence).
    pub id: i64,
    /// Its kind.
    pub kind: SignalKind,
    /// Product category, when known (signals without one are not counted).
    pub category: Option<String>,
    /// Region code (county, city or province).
    pub region: String,
    /// When, in milliseconds since the epoch.
    pub at: i64,
    /// 1 (minor) to 4 (grave).
    pub severity: u8,
}

/// Samples tested in one month, one category and one region, with how many failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Tested {
    /// Product category.
    pub category: String,
    /// The sampled enterprise's region.
    pub region: String,
    /// `YYYYMM` (China time) of sampling.
    pub month: u32,
    /// Samples with a result.
    pub tested: u32,
    /// Of which failed.
    pub failed: u32,
}

/// Everything detection reads.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// Signals at or before `as_of` (later ones are ignored).
    pub signals: Vec<Signal>,
    /// Tested samples up to the month of `as_of`.
    pub tested: Vec<Tested>,
}

/// What one finding rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    /// What was counted in the window (failures, complaints, counterfeit signals,
    /// harm reports).
    pub observed: u64,
    /// What the baseline expects in the same window.
    pub expected: f64,
    /// Samples tested in the window (failure rates).
    pub tested: Option<u64>,
    /// The window's failure rate, and the baseline rate (failure rates).
    pub rate: Option<(f64, f64)>,
    /// The one-sided p-value (failure rates).
    pub p_value: Option<f64>,
    /// The CUSUM statistic, ln of the likelihood ratio (surges).
    pub cusum: Option<f64>,
    /// The evidence in log₁₀ units compared with the thresholds.
    pub score: f64,
}

/// Something that stands out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// What kind.
    pub kind: WarningKind,
    /// Product category.
    pub category: String,
    /// A city (`xxxx00`) or province (`xx0000`) code.
    pub region: String,
    /// How strong.
    pub strength: Strength,
    /// Its level, from [`level`].
    pub level: Level,
    /// The numbers.
    pub measure: Measure,
    /// The ids of the signals that make it up.
    pub evidence: Vec<i64>,
}

/// Weeks in the CUSUM window.
pub const SURGE_WEEKS: i64 = 8;
/// Weeks of baseline before the CUSUM window.
pub const BASELINE_WEEKS: i64 = 26;
/// The cluster window.
pub const CLUSTER_MS: i64 = 14 * 24 * 3600 * 1000;

fn city_of(region: &str) -> Option<String> {
    let b = region.as_bytes();
    if b.len() != 6 || !b.iter().all(u8::is_ascii_digit) || &b[2..4] == b"00" {
        return None;
    }
    Some(format!("{}00", &region[..4]))
}

fn province_of(region: &str) -> Option<String> {
    let b = region.as_bytes();
    (b.len() == 6 && b.iter().all(u8::is_ascii_digit)).then(|| format!("{}0000", &region[..2]))
}

/// The subtrees a signal's region counts in: its city (when it is below a province) and
/// its province.
fn subtrees(region: &str) -> Vec<String> {
    city_of(region)
        .into_iter()
        .chain(province_of(region))
        .collect()
}

/// `YYYYMM` of an instant in China time (UTC+8), and the month before it.
pub fn month_of(ms: i64) -> u32 {
    let t = jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let d = t
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .date();
    u32::try_from(i32::from(d.year()) * 100 + i32::from(d.month())).unwrap_or(0)
}

fn months_back(month: u32, k: u32) -> u32 {
    let idx = (month / 100) * 12 + (month % 100).saturating_sub(1);
    let idx = idx.saturating_sub(k);
    (idx / 12) * 100 + idx % 12 + 1
}

fn grade_of(category: &str) -> RiskGrade {
    catalogue::category(category).map_or(RiskGrade::II, |c| c.risk)
}

fn grave(ids: &[i64], severities: &BTreeMap<i64, u8>) -> bool {
    if ids.is_empty() {
        return false;
    }
    let sum: u64 = ids
        .iter()
        .map(|i| u64::from(*severities.get(i).unwrap_or(&2)))
        .sum();
    sum >= 3 * ids.len() as u64
}

/// Runs detection as of an instant. Pure and total: any input gives findings, never a
/// panic. Findings come sorted by kind, category and region; a province finding is left
/// out when a city finding of the same kind and category explains it.
pub fn detect(input: &Input, as_of: i64, th: &Thresholds) -> Vec<Finding> {
    let signals: Vec<&Signal> = input
        .signals
        .iter()
        .filter(|s| s.at <= as_of && s.category.is_some())
        .collect();
    let severities: BTreeMap<i64, u8> = signals.iter().map(|s| (s.id, s.severity)).collect();
    let mut out = Vec::new();
    out.extend(failure_rates(input, &signals, as_of, th, &severities));
    for (sk, wk) in [
        (SignalKind::Complaint, WarningKind::ComplaintSurge),
        (SignalKind::Counterfeit, WarningKind::CounterfeitSurge),
    ] {
        out.extend(surges(&signals, sk, wk, as_of, th, &severities));
    }
    out.extend(clusters(&signals, as_of, th, &severities));
    // A province finding that a city finding explains adds nothing but a second warning.
    let cities: BTreeSet<(WarningKind, String, String)> = out
        .iter()
        .filter(|f| city_of(&f.region).is_some())
        .filter_map(|f| Some((f.kind, f.category.clone(), province_of(&f.region)?)))
        .collect();
    out.retain(|f| {
        city_of(&f.region).is_some()
            || !cities.contains(&(f.kind, f.category.clone(), f.region.clone()))
    });
    out.sort_by(|a, b| (a.kind, &a.category, &a.region).cmp(&(b.kind, &b.category, &b.region)));
    out
}

/// Samples the category's rate in the province is worth as the prior of one region's
/// own failure history.
pub const OWN_PRIOR: f64 = 100.0;

/// The Beta(α, β) a region's failure rate is known as before the window, from the
/// (tested, failed) of its category in the province and of the region itself over the
/// baseline months: its own history — regions differ lastingly (their makers, what is
/// sampled there), and a region always above the province's rate is no new problem —
/// on a prior worth [`OWN_PRIOR`] samples at the category's rate, which itself rests on
/// a prior worth 20 samples at the pooled rate of all categories.
pub fn failure_baseline(category: (u64, u64), own: (u64, u64), pooled: f64) -> (f64, f64) {
    let (cn, cf) = category;
    let rate = (pooled * 20.0 + cf.min(cn) as f64) / (20.0 + cn as f64);
    let (on, of) = own;
    let of = of.min(on);
    (
        rate * OWN_PRIOR + of as f64,
        (1.0 - rate) * OWN_PRIOR + (on - of) as f64,
    )
}

fn failure_rates(
    input: &Input,
    signals: &[&Signal],
    as_of: i64,
    th: &Thresholds,
    severities: &BTreeMap<i64, u8>,
) -> Vec<Finding> {
    let now = month_of(as_of);
    let window_from = months_back(now, 1);
    let base_from = months_back(now, 13);
    // (category, subtree) → (tested, failed) in the window and in the baseline months;
    // category → (tested, failed) in the baseline months.
    let mut window: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
    let mut own: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
    let mut baseline: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for t in &input.tested {
        let failed = u64::from(t.failed.min(t.tested));
        let tested = u64::from(t.tested);
        let into = if t.month >= window_from && t.month <= now {
            &mut window
        } else if t.month >= base_from && t.month < window_from {
            let e = baseline.entry(t.category.clone()).or_default();
            e.0 += tested;
            e.1 += failed;
            &mut own
        } else {
            continue;
        };
        for r in subtrees(&t.region) {
            let e = into.entry((t.category.clone(), r)).or_default();
            e.0 += tested;
            e.1 += failed;
        }
    }
    // The pooled rate of all categories, a weak prior for categories with little history.
    let (all_n, all_f) = baseline
        .values()
        .fold((0u64, 0u64), |a, b| (a.0 + b.0, a.1 + b.1));
    let pooled = (all_f as f64 + 1.0) / (all_n as f64 + 20.0);
    let window_start = first_ms_of_month(window_from);
    let mut out = Vec::new();
    for ((category, region), (n, x)) in window {
        if x < u64::from(th.min_failures) || n == 0 {
            continue;
        }
        let (alpha, beta) = failure_baseline(
            baseline.get(&category).copied().unwrap_or((0, 0)),
            own.get(&(category.clone(), region.clone()))
                .copied()
                .unwrap_or((0, 0)),
            pooled,
        );
        let p = beta_binomial_upper_tail(x, n, alpha, beta);
        let score = if p > 0.0 { -p.log10() } else { 300.0 };
        let strength = th.strength(score);
        if strength == Strength::Weak {
            continue;
        }
        let base_rate = alpha / (alpha + beta);
        let evidence: Vec<i64> = signals
            .iter()
            .filter(|s| {
                s.kind == SignalKind::SampleFailed
                    && s.category.as_deref() == Some(category.as_str())
                    && s.at >= window_start
                    && in_subtree(&s.region, &region)
            })
            .map(|s| s.id)
            .collect();
        let Some(level) = level(strength, grade_of(&category), grave(&evidence, severities)) else {
            continue;
        };
        out.push(Finding {
            kind: WarningKind::FailureRate,
            category,
            region,
            strength,
            level,
            measure: Measure {
                observed: x,
                expected: base_rate * n as f64,
                tested: Some(n),
                rate: Some((x as f64 / n as f64, base_rate)),
                p_value: Some(p),
                cusum: None,
                score,
            },
            evidence,
        });
    }
    out
}

fn first_ms_of_month(month: u32) -> i64 {
    let (y, m) = (
        i16::try_from(month / 100).unwrap_or(1970),
        i8::try_from(month % 100).unwrap_or(1),
    );
    jiff::civil::Date::new(y, m, 1)
        .ok()
        .and_then(|d| {
            d.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
                .ok()
        })
        .map_or(i64::MIN, |z| z.timestamp().as_millisecond())
}

fn in_subtree(region: &str, subtree: &str) -> bool {
    region.starts_with(subtree.trim_end_matches("00"))
}

/// The week (0 = the seven days ending at `as_of`, 1 = the seven before, …).
fn week_back(at: i64, as_of: i64) -> i64 {
    as_of.saturating_sub(at) / WEEK_MS
}

/// (category, subtree) → weekly counts (index = weeks back) and the (id, week) of the
/// signals of the CUSUM window.
type Weekly = (Vec<u32>, Vec<(i64, i64)>);

fn weekly_counts(
    signals: &[&Signal],
    kind: SignalKind,
    as_of: i64,
) -> BTreeMap<(String, String), Weekly> {
    let horizon = SURGE_WEEKS + BASELINE_WEEKS;
    let mut counts: BTreeMap<(String, String), Weekly> = BTreeMap::new();
    for s in signals.iter().filter(|s| s.kind == kind) {
        let w = week_back(s.at, as_of);
        if !(0..horizon).contains(&w) {
            continue;
        }
        let Some(category) = s.category.clone() else {
            continue;
        };
        for r in subtrees(&s.region) {
            let e = counts
                .entry((category.clone(), r))
                .or_insert_with(|| (vec![0; horizon as usize], Vec::new()));
            let i = w as usize;
            e.0[i] = e.0[i].saturating_add(1);
            if w < SURGE_WEEKS {
                e.1.push((s.id, w));
            }
        }
    }
    counts
}

/// The season factors of each (category, province), from the province's other
/// categories (leaving the category out, so that its own surge does not explain
/// itself away).
fn seasons(counts: &BTreeMap<(String, String), Weekly>) -> BTreeMap<(String, String), Vec<f64>> {
    let provinces = || counts.iter().filter(|((_, r), _)| city_of(r).is_none());
    let mut totals: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for ((_, r), (weekly, _)) in provinces() {
        let t = totals
            .entry(r.as_str())
            .or_insert_with(|| vec![0; weekly.len()]);
        for (a, b) in t.iter_mut().zip(weekly) {
            *a += u64::from(*b);
        }
    }
    provinces()
        .map(|((c, r), (weekly, _))| {
            let others: Vec<u64> = totals[r.as_str()]
                .iter()
                .zip(weekly)
                .map(|(t, own)| t - u64::from(*own))
                .collect();
            (
                (c.clone(), r.clone()),
                season_factors(&others, SURGE_WEEKS as usize),
            )
        })
        .collect()
}

/// The extra variation all series of a kind share at least: the median of the series
/// with enough counts (5 a week) to measure it, 0 when none has. A small series cannot
/// tell its own extra variation from Poisson's, and guessing none would make its
/// quiet weeks look like surges.
fn shared_extra(baselines: &[Baseline]) -> f64 {
    let mut e: Vec<f64> = baselines
        .iter()
        .filter(|b| b.mean >= 5.0)
        .map(|b| b.extra)
        .collect();
    if e.is_empty() {
        return 0.0;
    }
    e.sort_by(f64::total_cmp);
    e[e.len() / 2]
}

/// What the surge tests of one series found.
#[derive(Debug, Clone, PartialEq)]
struct SurgeTest {
    /// log₁₀ evidence: the greater of the CUSUM's and the window test's.
    score: f64,
    /// Counted in the weeks of the test that gave the score.
    observed: u64,
    /// Expected in those weeks.
    expected: f64,
    /// The window test's p-value (the lesser of the 1- and 2-week windows, doubled
    /// since two were looked at).
    p_value: f64,
    /// The CUSUM, divided by the dispersion.
    cusum: f64,
    /// Weeks back whose signals make up the surge.
    weeks: usize,
}

/// Weeks of the short window tests: a surge should show within one or two weeks.
const WINDOWS: [usize; 2] = [1, 2];

/// Two tests over one series (weekly counts, index 0 = the latest week): the CUSUM
/// (slow rises) and the 1- and 2-week window tests (sudden ones); the score is the
/// stronger evidence of the two.
fn surge_test(weekly: &[u32], season: &[f64], extra_floor: f64, th: &Thresholds) -> SurgeTest {
    let sw = SURGE_WEEKS as usize;
    let base_weeks = &weekly[sw..];
    let baseline = Baseline::of(base_weeks);
    let mu0 = baseline.mean;
    // Counts vary more than Poisson's (seasons, news, campaigns): the baseline's own
    // dispersion (variance ÷ mean, at least 1, at most 5) divides the CUSUM's evidence.
    let raw = base_weeks.iter().map(|c| f64::from(*c)).sum::<f64>() / base_weeks.len() as f64;
    let var = base_weeks
        .iter()
        .map(|c| (f64::from(*c) - raw).powi(2))
        .sum::<f64>()
        / (base_weeks.len() - 1) as f64;
    let dispersion = (var / raw.max(0.5)).clamp(1.0, 5.0);
    let window: Vec<u32> = weekly[..sw].iter().rev().copied().collect();
    let expected: Vec<f64> = season[..sw].iter().rev().map(|g| mu0 * g).collect();
    let s: Vec<f64> = poisson_cusum(&window, &expected, 2.0)
        .into_iter()
        .map(|v| v / dispersion)
        .collect();
    let cusum = s.last().copied().unwrap_or(0.0);
    // A CUSUM over a large mean crosses a given likelihood ratio sooner by chance (its
    // average run length without a change is about e^S ÷ (μ₀ (1 − ln 2)) weeks), so
    // that factor is taken off: the score is then about log₁₀ of the weeks between
    // false alarms of one series, whatever its mean.
    let per_week = (mu0 * (1.0 - std::f64::consts::LN_2)).max(1.0);
    let cusum_score = (cusum - per_week.ln()) / std::f64::consts::LN_10 - th.surge_offset;
    // Only the signals since the CUSUM last stood at zero make up its surge.
    let start = s.iter().rposition(|v| *v == 0.0).map_or(0, |i| i + 1);
    let (mut p, mut w_best) = (1.0_f64, WINDOWS[0]);
    for w in WINDOWS {
        let x: u64 = weekly[..w].iter().map(|c| u64::from(*c)).sum();
        let pw = baseline.upper_tail(x, &season[..w], extra_floor);
        if pw < p {
            (p, w_best) = (pw, w);
        }
    }
    let p_value = (p * WINDOWS.len() as f64).min(1.0);
    // A p-value of one series' week is about the weeks between its false alarms too.
    let window_score = -p_value.max(1e-300).log10() - th.surge_offset;
    let (score, observed, expected) = if window_score > cusum_score {
        (
            window_score,
            weekly[..w_best].iter().map(|c| u64::from(*c)).sum(),
            mu0 * season[..w_best].iter().sum::<f64>(),
        )
    } else {
        (
            cusum_score,
            window[start..].iter().map(|c| u64::from(*c)).sum(),
            expected[start..].iter().sum(),
        )
    };
    SurgeTest {
        score,
        observed,
        expected,
        p_value,
        cusum,
        weeks: w_best.max(sw - start),
    }
}

fn surges(
    signals: &[&Signal],
    kind: SignalKind,
    wk: WarningKind,
    as_of: i64,
    th: &Thresholds,
    severities: &BTreeMap<i64, u8>,
) -> Vec<Finding> {
    let counts = weekly_counts(signals, kind, as_of);
    let seasons = seasons(&counts);
    let baselines: Vec<Baseline> = counts
        .values()
        .map(|(weekly, _)| Baseline::of(&weekly[SURGE_WEEKS as usize..]))
        .collect();
    let extra_floor = shared_extra(&baselines);
    let flat = vec![1.0; (SURGE_WEEKS + BASELINE_WEEKS) as usize];
    let mut out = Vec::new();
    for ((category, region), (weekly, ids)) in counts {
        let season = province_of(&region)
            .and_then(|p| seasons.get(&(category.clone(), p)))
            .unwrap_or(&flat);
        let t = surge_test(&weekly, season, extra_floor, th);
        let strength = th.strength(t.score);
        if strength == Strength::Weak {
            continue;
        }
        let evidence: Vec<i64> = ids
            .iter()
            .filter(|(_, w)| (*w as usize) < t.weeks)
            .map(|(id, _)| *id)
            .collect();
        let Some(level) = level(strength, grade_of(&category), grave(&evidence, severities)) else {
            continue;
        };
        out.push(Finding {
            kind: wk,
            category,
            region,
            strength,
            level,
            measure: Measure {
                observed: t.observed,
                expected: t.expected,
                tested: None,
                rate: None,
                p_value: Some(t.p_value),
                cusum: Some(t.cusum),
                score: t.score,
            },
            evidence,
        });
    }
    out
}

fn clusters(
    signals: &[&Signal],
    as_of: i64,
    th: &Thresholds,
    severities: &BTreeMap<i64, u8>,
) -> Vec<Finding> {
    let mut groups: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
    for s in signals
        .iter()
        .filter(|s| s.kind.clusters() && as_of.saturating_sub(s.at) < CLUSTER_MS)
    {
        let (Some(category), Some(city)) = (s.category.clone(), city_of(&s.region)) else {
            continue;
        };
        groups.entry((category, city)).or_default().push(s.id);
    }
    let mut out = Vec::new();
    for ((category, region), ids) in groups {
        let n = ids.len() as u32;
        let any_grave = ids.iter().any(|i| severities.get(i) == Some(&4));
        let strength = if n >= th.cluster_size + 2 {
            Strength::VeryStrong
        } else if n > th.cluster_size {
            Strength::Strong
        } else if n >= th.cluster_size || any_grave {
            Strength::Moderate
        } else {
            continue;
        };
        let Some(level) = level(strength, grade_of(&category), grave(&ids, severities)) else {
            continue;
        };
        out.push(Finding {
            kind: WarningKind::Cluster,
            category,
            region,
            strength,
            level,
            measure: Measure {
                observed: u64::from(n),
                expected: 0.0,
                tested: None,
                rate: None,
                p_value: None,
                cusum: None,
                score: f64::from(n),
            },
            evidence: ids,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-300)
    }

    #[test]
    fn ln_gamma_matches_factorials() {
        let mut f = 1.0_f64;
        for n in 1..30u32 {
            f *= f64::from(n);
            assert!(close(ln_gamma(f64::from(n) + 1.0), f.ln(), 1e-12), "{n}");
        }
        assert!(close(
            ln_gamma(0.5),
            std::f64::consts::PI.sqrt().ln(),
            1e-12
        ));
    }

    #[test]
    fn binomial_tail_has_known_values() {
        // 1 − Σ_{k<3} C(10,k) 0.1^k 0.9^(10−k)
        assert!(close(
            binomial_upper_tail(3, 10, 0.1),
            0.070_190_826_4,
            1e-9
        ));
        // P(X ≥ 1) = 1 − 0.95^20
        assert!(close(
            binomial_upper_tail(1, 20, 0.05),
            1.0 - 0.95_f64.powi(20),
            1e-12
        ));
        // P(X = n) = p^n
        assert!(close(
            binomial_upper_tail(5, 5, 0.3),
            0.3_f64.powi(5),
            1e-12
        ));
        // A fair coin, 60 or more heads of 100: 0.028443966820490…
        assert!(close(
            binomial_upper_tail(60, 100, 0.5),
            0.028_443_966_820_49,
            1e-9
        ));
        assert_eq!(binomial_upper_tail(0, 10, 0.1), 1.0);
        assert_eq!(binomial_upper_tail(11, 10, 0.1), 0.0);
        assert_eq!(binomial_upper_tail(1, 10, 0.0), 0.0);
        // Huge n stays finite and tiny.
        let p = binomial_upper_tail(400, 2000, 0.05);
        assert!(p > 0.0 && p < 1e-100);
    }

    #[test]
    fn beta_binomial_tail_has_known_values() {
        // Beta(1,1) makes every count from 0 to n equally likely.
        for x in 0..=10u64 {
            assert!(close(
                beta_binomial_upper_tail(x, 10, 1.0, 1.0),
                (11 - x) as f64 / 11.0,
                1e-10
            ));
        }
        // A sharp prior approaches the binomial.
        let bb = beta_binomial_upper_tail(3, 10, 1e6, 9e6);
        assert!(close(bb, binomial_upper_tail(3, 10, 0.1), 1e-4));
        // A vague prior is more forgiving than the binomial at its mean.
        assert!(beta_binomial_upper_tail(5, 20, 1.0, 9.0) > binomial_upper_tail(5, 20, 0.1));
    }

    #[test]
    fn cusum_stays_at_zero_on_the_baseline_and_climbs_on_a_doubling() {
        let flat = poisson_cusum(&[2, 1, 2, 2, 1, 2], &[2.0; 6], 2.0);
        assert!(flat.iter().all(|s| *s < 1.0), "{flat:?}");
        let s = poisson_cusum(&[2, 2, 4, 4, 4, 4], &[2.0; 6], 2.0);
        // Each week of 4 adds 4 ln 2 − 2 ≈ 0.773.
        assert!(close(s[5], 4.0 * (4.0 * 2f64.ln() - 2.0), 1e-9), "{s:?}");
        assert!(s.windows(2).skip(2).all(|w| w[1] > w[0]));
        // It resets: a quiet week after a rise pulls it down, never below zero.
        let r = poisson_cusum(&[6, 0, 0, 0], &[2.0; 4], 2.0);
        assert!(r[1] < r[0] && r[3] == 0.0);
        assert_eq!(poisson_cusum(&[3], &[0.0], 2.0), vec![0.0]);
        // A week the season expects more of counts against that: 4 where 4 are
        // expected adds nothing, where 2 are expected 4 ln 2 − 2.
        assert_eq!(poisson_cusum(&[2, 4], &[2.0, 4.0], 2.0), vec![0.0, 0.0]);
        let s = poisson_cusum(&[2, 4], &[2.0, 2.0], 2.0);
        assert!(close(s[1], 4.0 * 2f64.ln() - 2.0, 1e-12), "{s:?}");
    }

    #[test]
    fn negative_binomial_tail_has_known_values() {
        let inf = f64::INFINITY;
        // Poisson: P(X ≥ 3 | 1) = 1 − 2.5/e, P(X ≥ 2 | 2) = 1 − 3/e².
        assert!(close(
            negative_binomial_upper_tail(3, 1.0, inf),
            0.080_301_397_071_394_16,
            1e-12
        ));
        assert!(close(
            negative_binomial_upper_tail(2, 2.0, inf),
            0.593_994_150_290_161_9,
            1e-12
        ));
        // Far above the mean: P(X ≥ 10 | 2) = 4.649 807 501 7e-5.
        assert!(close(
            negative_binomial_upper_tail(10, 2.0, inf),
            4.649_807_501_726e-5,
            1e-9
        ));
        // Size 1 is the geometric: P(X ≥ x) = (m / (1 + m))^x.
        assert!(close(
            negative_binomial_upper_tail(5, 3.0, 1.0),
            0.75_f64.powi(5),
            1e-12
        ));
        assert!(close(
            negative_binomial_upper_tail(1, 3.0, 1.0),
            0.75,
            1e-12
        ));
        // Mean 4, size 2 (variance 12): P(X ≥ 12) = 0.038 536 733 146 29.
        assert!(close(
            negative_binomial_upper_tail(12, 4.0, 2.0),
            0.038_536_733_146_29,
            1e-9
        ));
        // A huge size is the Poisson; a small one is more forgiving above the mean.
        assert!(close(
            negative_binomial_upper_tail(10, 2.0, 1e7),
            negative_binomial_upper_tail(10, 2.0, inf),
            1e-5
        ));
        assert!(
            negative_binomial_upper_tail(10, 2.0, 5.0) > negative_binomial_upper_tail(10, 2.0, inf)
        );
        assert_eq!(negative_binomial_upper_tail(0, 2.0, inf), 1.0);
        assert_eq!(negative_binomial_upper_tail(1, 0.0, inf), 0.0);
    }

    #[test]
    fn a_baseline_knows_its_mean_its_extra_variation_and_its_tail() {
        let flat = Baseline::of(&[4; 26]);
        assert!(close(flat.mean, 104.5 / 27.0, 1e-12));
        assert_eq!((flat.extra, flat.weeks), (0.0, 26));
        // No extra variation: the tail is a negative binomial whose only excess
        // variance is the mean's own (μ/26): P(X ≥ 12) = 0.000 920 232 531 19.
        assert!(close(
            flat.upper_tail(12, &[1.0], 0.0),
            0.000_920_232_531_19,
            1e-6
        ));
        // 2, 6, 2, 6, …: mean 4, variance 104/25, extra (4.16 − 4) / 16 = 0.01.
        let wavy: Vec<u32> = (0..26).map(|i| if i % 2 == 0 { 2 } else { 6 }).collect();
        assert!(close(Baseline::of(&wavy).extra, 0.01, 1e-9));
        // Extra variation and a season that expects more both make a count less
        // surprising.
        let p = flat.upper_tail(12, &[1.0], 0.0);
        assert!(flat.upper_tail(12, &[1.0], 0.2) > p);
        assert!(flat.upper_tail(12, &[1.5], 0.0) > p);
        // Two weeks: 20 where 2 × 3.87 are expected is far less likely than 12 in one.
        assert!(flat.upper_tail(20, &[1.0, 1.0], 0.0) < p);
        assert_eq!(Baseline::of(&[]).mean, 0.5);
    }

    #[test]
    fn season_factors_follow_the_others() {
        let f = season_factors(&[300, 150, 100, 90, 110, 100], 2);
        assert_eq!(f, vec![2.0, 1.5, 1.0, 0.9, 1.1, 1.0]);
        // Too few others to say anything: no season.
        assert_eq!(season_factors(&[40, 5, 5, 5], 1), vec![1.0; 4]);
        assert_eq!(season_factors(&[], 2), Vec::<f64>::new());
    }

    #[test]
    fn the_matrix_is_monotone_and_grave_raises_one_level() {
        assert_eq!(
            level(Strength::VeryStrong, RiskGrade::I, false),
            Some(Level::Red)
        );
        assert_eq!(
            level(Strength::Strong, RiskGrade::II, false),
            Some(Level::Yellow)
        );
        assert_eq!(
            level(Strength::Moderate, RiskGrade::III, false),
            Some(Level::Blue)
        );
        assert_eq!(
            level(Strength::Moderate, RiskGrade::III, true),
            Some(Level::Yellow)
        );
        assert_eq!(level(Strength::Weak, RiskGrade::I, true), None);
        let s = [Strength::Moderate, Strength::Strong, Strength::VeryStrong];
        let g = [RiskGrade::III, RiskGrade::II, RiskGrade::I];
        for i in 0..3 {
            for j in 0..3 {
                let l = level(s[i], g[j], false).unwrap();
                if i + 1 < 3 {
                    assert!(level(s[i + 1], g[j], false).unwrap() <= l);
                }
                if j + 1 < 3 {
                    assert!(level(s[i], g[j + 1], false).unwrap() <= l);
                }
            }
        }
    }

    #[test]
    fn transitions_go_in_order_only() {
        use WarningStatus::*;
        assert_eq!(Raised.transition(Acknowledged), Ok(Acknowledged));
        assert_eq!(Acknowledged.transition(Measures), Ok(Measures));
        assert_eq!(Measures.transition(Closed), Ok(Closed));
        assert!(Raised.transition(Closed).is_err());
        assert!(Raised.transition(Measures).is_err());
        assert!(Closed.transition(Raised).is_err());
        assert!(Acknowledged.transition(Acknowledged).is_err());
    }

    const DAY: i64 = 24 * 3600 * 1000;
    /// 2026-12-07T00:00:00Z
    const AS_OF: i64 = 1_796_601_600_000;

    fn sig(id: i64, kind: SignalKind, cat: &str, region: &str, days_ago: i64) -> Signal {
        Signal {
            id,
            kind,
            category: Some(cat.into()),
            region: region.into(),
            at: AS_OF - days_ago * DAY - 1000,
            severity: 2,
        }
    }

    fn complaints(rate_per_week: u32, weeks: i64, surge_from: i64, region: &str) -> Vec<Signal> {
        let mut v = Vec::new();
        let mut id = 0;
        for w in 0..weeks {
            let n = if w < surge_from {
                rate_per_week * 3
            } else {
                rate_per_week
            };
            for k in 0..n {
                id += 1;
                v.push(sig(
                    id,
                    SignalKind::Complaint,
                    "F05",
                    region,
                    w * 7 + i64::from(k % 7),
                ));
            }
        }
        v
    }

    #[test]
    fn flat_complaints_raise_nothing_and_a_surge_does() {
        let th = Thresholds::default();
        let flat = Input {
            signals: complaints(4, 34, 0, "130102"),
            tested: vec![],
        };
        assert_eq!(detect(&flat, AS_OF, &th), vec![]);
        let surge = Input {
            signals: complaints(4, 34, 3, "130102"),
            tested: vec![],
        };
        let f = detect(&surge, AS_OF, &th);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].kind, WarningKind::ComplaintSurge);
        assert_eq!(f[0].region, "130100", "the city explains the province");
        assert_eq!(f[0].evidence.len(), 36);
    }

    /// Complaints of a category in a region, `per_week[w]` in week `w` back.
    fn series(first_id: i64, cat: &str, region: &str, per_week: &[u32]) -> Vec<Signal> {
        let mut v = Vec::new();
        for (w, n) in per_week.iter().enumerate() {
            for k in 0..*n {
                let id = first_id + v.len() as i64;
                let days = w as i64 * 7 + i64::from(k % 7);
                v.push(sig(id, SignalKind::Complaint, cat, region, days));
            }
        }
        v
    }

    #[test]
    fn a_sudden_jump_shows_in_its_first_week() {
        let mut weeks = vec![20; 34];
        weeks[0] = 45;
        let input = Input {
            signals: series(1, "F05", "130102", &weeks),
            tested: vec![],
        };
        let f = detect(&input, AS_OF, &Thresholds::default());
        assert_eq!(f.len(), 1, "{f:#?}");
        let m = &f[0].measure;
        // The one-week window: 45 where 520.5 / 27 ≈ 19.3 were expected.
        assert_eq!(m.observed, 45);
        assert!(close(m.expected, 520.5 / 27.0, 1e-9), "{m:?}");
        assert!(m.p_value.unwrap() < 1e-5, "{m:?}");
        assert!(f[0].strength >= Strength::Strong, "{:?}", f[0]);
        assert_eq!(f[0].evidence.len(), 45);
    }

    #[test]
    fn everything_rising_together_is_the_season_not_a_surge() {
        let th = Thresholds::default();
        let mut rising = vec![30; 34];
        rising[0] = 45;
        rising[1] = 45;
        let flat = vec![30; 34];
        let cats = ["F01", "F03", "F06", "F07", "F08"];
        let make = |first_rising: usize| Input {
            signals: cats
                .iter()
                .enumerate()
                .flat_map(|(i, c)| {
                    let w = if i < first_rising { &rising } else { &flat };
                    series(i as i64 * 10_000, c, "130102", w)
                })
                .collect(),
            tested: vec![],
        };
        // One category alone rising by half for two weeks stands out …
        let alone = detect(&make(1), AS_OF, &th);
        assert_eq!(alone.len(), 1, "{alone:#?}");
        assert_eq!(alone[0].category, "F01");
        // … all of them together are a season.
        assert_eq!(detect(&make(cats.len()), AS_OF, &th), vec![]);
    }

    #[test]
    fn failure_rate_against_the_region_history() {
        let th = Thresholds::default();
        let now = month_of(AS_OF);
        let mut tested = Vec::new();
        for k in 2..14 {
            for region in ["130102", "130203"] {
                tested.push(Tested {
                    category: "F05".into(),
                    region: region.into(),
                    month: months_back(now, k),
                    tested: 100,
                    failed: 5,
                });
            }
        }
        let mut input = Input {
            signals: vec![],
            tested: tested.clone(),
        };
        input.tested.push(Tested {
            category: "F05".into(),
            region: "130102".into(),
            month: now,
            tested: 100,
            failed: 6,
        });
        assert_eq!(detect(&input, AS_OF, &th), vec![]);
        input.tested.pop();
        input.tested.push(Tested {
            category: "F05".into(),
            region: "130203".into(),
            month: now,
            tested: 100,
            failed: 20,
        });
        input
            .signals
            .push(sig(7, SignalKind::SampleFailed, "F05", "130203", 1));
        let f = detect(&input, AS_OF, &th);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].kind, WarningKind::FailureRate);
        assert_eq!(f[0].region, "130200");
        assert_eq!(f[0].level, Level::Red, "F05 dairy is grade I");
        assert_eq!(f[0].evidence, vec![7]);
        assert!(f[0].measure.p_value.unwrap() < 1e-6);
    }

    #[test]
    fn a_region_is_measured_against_its_own_history_on_the_category_prior() {
        // No history of its own: the category's rate (5 %, its 20-sample pooled prior
        // at the same rate) worth 100 samples.
        let (a, b) = failure_baseline((1000, 50), (0, 0), 0.05);
        assert!(close(a, 5.0, 1e-12) && close(b, 95.0, 1e-12), "{a} {b}");
        // 30 failures in 200 of its own on top.
        let (a, b) = failure_baseline((1000, 50), (200, 30), 0.05);
        assert!(close(a, 35.0, 1e-12) && close(b, 265.0, 1e-12), "{a} {b}");
        // A city always at 15 % where the other is at 2 % is not a new problem when it
        // stays at 15 % (against the category's 8.5 % it would be p ≈ 1e-7).
        let now = month_of(AS_OF);
        let row = |region: &str, month, tested, failed| Tested {
            category: "F05".into(),
            region: region.into(),
            month,
            tested,
            failed,
        };
        let mut tested = Vec::new();
        for k in 2..14 {
            tested.push(row("130102", months_back(now, k), 100, 2));
            tested.push(row("130203", months_back(now, k), 100, 15));
        }
        tested.push(row("130102", now, 300, 6));
        tested.push(row("130203", now, 300, 50));
        let input = Input {
            signals: vec![],
            tested,
        };
        assert_eq!(detect(&input, AS_OF, &Thresholds::default()), vec![]);
    }

    #[test]
    fn harm_reports_bunched_in_a_city_are_a_cluster() {
        let th = Thresholds::default();
        let s: Vec<Signal> = (0..3)
            .map(|i| sig(i, SignalKind::Injury, "I03", "130104", i))
            .collect();
        let f = detect(
            &Input {
                signals: s.clone(),
                tested: vec![],
            },
            AS_OF,
            &th,
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, WarningKind::Cluster);
        assert_eq!(f[0].region, "130100");
        let two = Input {
            signals: s[..2].to_vec(),
            tested: vec![],
        };
        assert!(detect(&two, AS_OF, &th).is_empty());
    }

    #[test]
    fn months_count_back_across_years() {
        assert_eq!(months_back(202603, 3), 202512);
        assert_eq!(months_back(202601, 13), 202412);
        assert_eq!(month_of(AS_OF), 202612);
        assert!(first_ms_of_month(202612) <= AS_OF);
    }

    fn arb_signal() -> impl Strategy<Value = Signal> {
        (
            any::<i64>(),
            0usize..7,
            proptest::option::of("[A-Z][0-9]{2}|"),
            "[0-9]{6}|[0-9]{0,7}|.{0,6}",
            any::<i64>(),
            any::<u8>(),
        )
            .prop_map(|(id, k, category, region, at, severity)| Signal {
                id,
                kind: SignalKind::ALL[k],
                category,
                region,
                at,
                severity,
            })
    }

    fn arb_tested() -> impl Strategy<Value = Tested> {
        (
            "F0[1-5]|I0[1-3]|.{0,3}",
            "13[0-9]{4}|.{0,6}",
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
        )
            .prop_map(|(category, region, month, tested, failed)| Tested {
                category,
                region,
                month,
                tested: tested % 5000,
                failed,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn detection_never_panics(
            signals in proptest::collection::vec(arb_signal(), 0..60),
            tested in proptest::collection::vec(arb_tested(), 0..30),
            as_of in any::<i64>(),
        ) {
            let input = Input { signals, tested };
            let _ = detect(&input, as_of, &Thresholds::default());
            let _ = detect(&input, AS_OF, &Thresholds::default());
        }

        #[test]
        fn tails_are_probabilities(x in 0u64..300, n in 0u64..300, p in -1.0f64..2.0, a in -1.0f64..50.0, b in -1.0f64..50.0) {
            let t = binomial_upper_tail(x, n, p);
            prop_assert!((0.0..=1.0).contains(&t));
            let t = beta_binomial_upper_tail(x, n, a, b);
            prop_assert!((0.0..=1.0).contains(&t));
        }

        #[test]
        fn the_binomial_tail_falls_as_x_grows(x in 0u64..50, n in 1u64..80, p in 0.001f64..0.999) {
            prop_assert!(binomial_upper_tail(x + 1, n, p) <= binomial_upper_tail(x, n, p) + 1e-12);
        }

        #[test]
        fn cusum_is_never_negative(c in proptest::collection::vec(any::<u32>(), 0..40), mu in -5.0f64..50.0, r in -1.0f64..5.0) {
            prop_assert!(poisson_cusum(&c, &vec![mu; c.len()], r).iter().all(|s| *s >= 0.0));
        }

        #[test]
        fn the_negative_binomial_tail_is_a_probability_falling_in_x(x in 0u64..400, m in -1.0f64..300.0, size in 0.01f64..1e4) {
            let t = negative_binomial_upper_tail(x, m, size);
            prop_assert!((0.0..=1.0).contains(&t));
            prop_assert!(negative_binomial_upper_tail(x + 1, m, size) <= t + 1e-12);
        }
    }
}
