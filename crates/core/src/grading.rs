//! Credit grading (质量诚信分级): scores an enterprise 0–1000 from its record under a
//! rule set a node may replace, reads the score against thresholds as AA/A/B/C/D, lets
//! hard rules cap the grade, and explains every point: each factor names its
//! contribution and the record it came from. The same rule set says how each grade is
//! supervised (classified supervision: interval, intensity, weight in the random draw).
//!
//! Pure: the store gathers an enterprise's [`Facts`]; [`grade`] turns them into a
//! [`Grading`] for a given day, so the same record and day always give the same grade.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::catalogue::RiskGrade;
use crate::licence::LicenceState;

/// The documented default rule set (`grading_default.toml`).
pub const DEFAULT_RULES: &str = include_str!("grading_default.toml");

/// A credit grade; `AA` is the best, `D` the worst (and `Ord` sorts best first).
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
pub enum Grade {
    /// Excellent: light supervision.
    AA,
    /// Good.
    A,
    /// Fair.
    B,
    /// Poor: close supervision.
    C,
    /// Failing: intensive supervision.
    D,
}

impl Grade {
    /// Every grade, best first.
    pub const ALL: [Grade; 5] = [Grade::AA, Grade::A, Grade::B, Grade::C, Grade::D];

    /// The stable name (`AA` … `D`).
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::AA => "AA",
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
        }
    }

    /// Reads a stable name.
    pub fn parse(s: &str) -> Option<Grade> {
        Grade::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// This grade, or `cap` when `cap` is worse.
    pub fn at_most(self, cap: Grade) -> Grade {
        self.max(cap)
    }
}

/// Lowest score of each grade; below `c` is D.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Lowest AA score.
    #[serde(rename = "AA")]
    pub aa: f64,
    /// Lowest A score.
    #[serde(rename = "A")]
    pub a: f64,
    /// Lowest B score.
    #[serde(rename = "B")]
    pub b: f64,
    /// Lowest C score.
    #[serde(rename = "C")]
    pub c: f64,
}

/// Points for licences.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceWeights {
    /// At least one licence in force (once).
    pub valid: f64,
    /// Each suspended licence.
    pub suspended: f64,
    /// Each expired licence, when none is in force.
    pub expired: f64,
}

/// Weights of a category's risk grade.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskWeights {
    /// Risk grade I (high).
    #[serde(rename = "I")]
    pub i: f64,
    /// Risk grade II.
    #[serde(rename = "II")]
    pub ii: f64,
    /// Risk grade III (low).
    #[serde(rename = "III")]
    pub iii: f64,
}

/// Points for final sampling results.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamplingWeights {
    /// Each final pass.
    pub pass: f64,
    /// The most all passes together may add.
    pub pass_cap: f64,
    /// Each final failure, times the risk weight.
    pub fail: f64,
    /// A failure the re-test confirmed, besides the failure.
    pub retest_confirmed: f64,
    /// A failure the re-test overturned, besides the pass it became.
    pub retest_overturned: f64,
    /// Days after which a result counts half.
    pub half_life_days: f64,
    /// Days after which a result no longer counts.
    pub window_days: u32,
    /// Weight of each category risk grade.
    pub risk_weight: RiskWeights,
}

/// Points for rectification after failures.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RectificationWeights {
    /// Reported by the deadline.
    pub on_time: f64,
    /// Reported after the deadline.
    pub late: f64,
    /// Deadline passed, nothing reported.
    pub overdue: f64,
    /// The follow-up check failed.
    pub follow_up_failed: f64,
}

/// Points for risk signals naming the enterprise, times severity / 2.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignalWeights {
    /// A substantiated complaint.
    pub complaint: f64,
    /// An injury report.
    pub injury: f64,
    /// An incident report.
    pub incident: f64,
    /// A recall.
    pub recall: f64,
    /// An imported external alert.
    pub external: f64,
    /// A counterfeit of its products (it is the victim: 0 by default).
    pub counterfeit: f64,
    /// Days after which a signal counts half.
    pub half_life_days: f64,
    /// Days after which a signal no longer counts.
    pub window_days: u32,
}

/// Points for commitments and certifications.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentWeights {
    /// A published quality commitment in force (once).
    pub commitment: f64,
    /// Each certification in force.
    pub certification: f64,
    /// The most certifications together may add.
    pub certification_cap: f64,
}

/// A condition a hard rule tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// A licence was revoked.
    LicenceRevoked,
    /// A licence is suspended.
    LicenceSuspended,
    /// The enterprise is on the blacklist.
    Blacklisted,
    /// A rectification deadline passed with nothing reported.
    RectificationOverdue,
    /// A severity-4 injury or incident within the signal window.
    GraveSignal,
    /// A final failure in a risk-I category within a year.
    RecentHighRiskFailure,
}

impl Condition {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::LicenceRevoked => "licence_revoked",
            Condition::LicenceSuspended => "licence_suspended",
            Condition::Blacklisted => "blacklisted",
            Condition::RectificationOverdue => "rectification_overdue",
            Condition::GraveSignal => "grave_signal",
            Condition::RecentHighRiskFailure => "recent_high_risk_failure",
        }
    }
}

/// When `when` holds, the grade is at most `grade`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HardRule {
    /// The condition.
    pub when: Condition,
    /// The best grade allowed while it holds.
    pub grade: Grade,
}

/// How one grade is supervised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Supervision {
    /// Days between routine inspections.
    pub interval_days: u32,
    /// How closely (`light`, `routine`, `close`, `intensive`, or the node's own word).
    pub intensity: String,
    /// Weight in the double-random draw (1 = ordinary).
    pub draw_weight: f64,
}

/// Classified supervision for every grade.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupervisionTable {
    /// For AA.
    #[serde(rename = "AA")]
    pub aa: Supervision,
    /// For A.
    #[serde(rename = "A")]
    pub a: Supervision,
    /// For B.
    #[serde(rename = "B")]
    pub b: Supervision,
    /// For C.
    #[serde(rename = "C")]
    pub c: Supervision,
    /// For D.
    #[serde(rename = "D")]
    pub d: Supervision,
}

/// A grading rule set.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Every enterprise's starting score.
    pub base: f64,
    /// Grade thresholds.
    pub thresholds: Thresholds,
    /// Licences.
    pub licence: LicenceWeights,
    /// Sampling results.
    pub sampling: SamplingWeights,
    /// Rectifications.
    pub rectification: RectificationWeights,
    /// Signals.
    pub signals: SignalWeights,
    /// Commitments and certifications.
    pub commitments: CommitmentWeights,
    /// Hard rules.
    #[serde(default)]
    pub hard: Vec<HardRule>,
    /// Classified supervision.
    pub supervision: SupervisionTable,
}

/// Why a rule set was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RulesError {
    /// The text is not TOML of the expected shape.
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A value is out of its range or inconsistent with another.
    #[error("{}{field}: {message}", line.map(|l| format!("line {l}, ")).unwrap_or_default())]
    Invalid {
        /// 1-based line of the key, when found.
        line: Option<usize>,
        /// The dotted key (`thresholds.A`).
        field: String,
        /// What is wrong.
        message: String,
    },
}

impl RulesError {
    /// The line the error is on, when known.
    pub fn line(&self) -> Option<usize> {
        match self {
            RulesError::Syntax { line, .. } => Some(*line),
            RulesError::Invalid { line, .. } => *line,
        }
    }
}

impl Default for Rules {
    fn default() -> Rules {
        // The default text is part of the program and a unit test parses it.
        Rules::parse(DEFAULT_RULES).expect("the default grading rules parse")
    }
}

impl Rules {
    /// Reads and checks a rule set.
    pub fn parse(src: &str) -> Result<Rules, RulesError> {
        let rules: Rules = toml::from_str(src).map_err(|e| {
            let start = e.span().map(|s| s.start).unwrap_or(0).min(src.len());
            let before = src.get(..start).unwrap_or("");
            RulesError::Syntax {
                line: before.matches('\n').count() + 1,
                column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
                message: e.message().trim().to_string(),
            }
        })?;
        rules
            .check()
            .map_err(|(table, key, message)| RulesError::Invalid {
                line: line_of(src, &table, &key),
                field: if table.is_empty() {
                    key
                } else {
                    format!("{table}.{key}")
                },
                message,
            })?;
        Ok(rules)
    }

    /// How a grade is supervised.
    pub fn supervision(&self, grade: Grade) -> &Supervision {
        let s = &self.supervision;
        match grade {
            Grade::AA => &s.aa,
            Grade::A => &s.a,
            Grade::B => &s.b,
            Grade::C => &s.c,
            Grade::D => &s.d,
        }
    }

    /// Each grade's weight in the double-random draw, AA first.
    pub fn draw_weights(&self) -> [f64; 5] {
        Grade::ALL.map(|g| self.supervision(g).draw_weight)
    }

    /// The grade a score reads as, before hard rules.
    pub fn grade_of(&self, score: f64) -> Grade {
        let t = &self.thresholds;
        if score >= t.aa {
            Grade::AA
        } else if score >= t.a {
            Grade::A
        } else if score >= t.b {
            Grade::B
        } else if score >= t.c {
            Grade::C
        } else {
            Grade::D
        }
    }

    /// The first inconsistency, as (table, key, message).
    fn check(&self) -> Result<(), (String, String, String)> {
        fn bad(table: &str, key: &str, message: impl Into<String>) -> (String, String, String) {
            (table.into(), key.into(), message.into())
        }
        let finite = |table: &str, pairs: &[(&str, f64)]| {
            for (k, v) in pairs {
                if !v.is_finite() {
                    return Err(bad(table, k, "must be a finite number"));
                }
            }
            Ok(())
        };
        if !(0.0..=1000.0).contains(&self.base) {
            return Err(bad("", "base", "must be within 0–1000"));
        }
        let t = &self.thresholds;
        let ladder = [("AA", t.aa), ("A", t.a), ("B", t.b), ("C", t.c)];
        for (k, v) in ladder {
            if !(0.0..=1000.0).contains(&v) {
                return Err(bad("thresholds", k, "must be within 0–1000"));
            }
        }
        for pair in ladder.windows(2) {
            if pair[1].1 >= pair[0].1 {
                return Err(bad(
                    "thresholds",
                    pair[1].0,
                    format!("must be lower than {} ({})", pair[0].0, pair[0].1),
                ));
            }
        }
        let l = &self.licence;
        finite(
            "licence",
            &[
                ("valid", l.valid),
                ("suspended", l.suspended),
                ("expired", l.expired),
            ],
        )?;
        let s = &self.sampling;
        finite(
            "sampling",
            &[
                ("pass", s.pass),
                ("fail", s.fail),
                ("retest_confirmed", s.retest_confirmed),
                ("retest_overturned", s.retest_overturned),
            ],
        )?;
        if !(s.pass_cap.is_finite() && s.pass_cap >= 0.0) {
            return Err(bad("sampling", "pass_cap", "must be 0 or more"));
        }
        if !(s.half_life_days.is_finite() && s.half_life_days > 0.0) {
            return Err(bad("sampling", "half_life_days", "must be more than 0"));
        }
        if s.window_days == 0 {
            return Err(bad("sampling", "window_days", "must be at least 1"));
        }
        let w = &s.risk_weight;
        for (k, v) in [("I", w.i), ("II", w.ii), ("III", w.iii)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(bad("sampling.risk_weight", k, "must be 0 or more"));
            }
        }
        let r = &self.rectification;
        finite(
            "rectification",
            &[
                ("on_time", r.on_time),
                ("late", r.late),
                ("overdue", r.overdue),
                ("follow_up_failed", r.follow_up_failed),
            ],
        )?;
        let g = &self.signals;
        finite(
            "signals",
            &[
                ("complaint", g.complaint),
                ("injury", g.injury),
                ("incident", g.incident),
                ("recall", g.recall),
                ("external", g.external),
                ("counterfeit", g.counterfeit),
            ],
        )?;
        if !(g.half_life_days.is_finite() && g.half_life_days > 0.0) {
            return Err(bad("signals", "half_life_days", "must be more than 0"));
        }
        if g.window_days == 0 {
            return Err(bad("signals", "window_days", "must be at least 1"));
        }
        let c = &self.commitments;
        finite(
            "commitments",
            &[
                ("commitment", c.commitment),
                ("certification", c.certification),
            ],
        )?;
        if !(c.certification_cap.is_finite() && c.certification_cap >= 0.0) {
            return Err(bad("commitments", "certification_cap", "must be 0 or more"));
        }
        for g in Grade::ALL {
            let table = format!("supervision.{}", g.as_str());
            let s = self.supervision(g);
            if s.interval_days == 0 {
                return Err(bad(&table, "interval_days", "must be at least 1"));
            }
            if !(s.draw_weight.is_finite() && s.draw_weight > 0.0) {
                return Err(bad(&table, "draw_weight", "must be more than 0"));
            }
            if s.intensity.trim().is_empty() {
                return Err(bad(&table, "intensity", "must not be empty"));
            }
        }
        Ok(())
    }
}

/// The line of `key` in `[table]` (`""`: before any table), 1-based.
fn line_of(src: &str, table: &str, key: &str) -> Option<usize> {
    let mut current = String::new();
    for (n, line) in src.lines().enumerate() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix('[') {
            current = name
                .trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_string();
            continue;
        }
        if current == table
            && t.split('=')
                .next()
                .is_some_and(|k| k.trim().trim_matches('"') == key)
            && t.contains('=')
        {
            return Some(n + 1);
        }
    }
    None
}

/// A licence as grading sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct LicenceFact {
    /// Its number (or id when not yet numbered), for the explanation.
    pub number: String,
    /// Its state.
    pub state: LicenceState,
    /// Its last valid day.
    pub valid_until: Option<Date>,
}

/// A sampling result as grading sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultFact {
    /// The sample.
    pub sample_id: i64,
    /// Its product category.
    pub category: String,
    /// The category's risk grade.
    pub risk: RiskGrade,
    /// Whether it finally failed.
    pub failed: bool,
    /// The day it counts from (the sample's month).
    pub on: Date,
    /// `Some(true)`: the re-test confirmed a failure; `Some(false)`: it overturned one.
    pub retest: Option<bool>,
}

/// A rectification as grading sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct RectificationFact {
    /// The failed sample it follows.
    pub sample_id: i64,
    /// Its deadline.
    pub deadline: Date,
    /// When the enterprise reported its measures.
    pub reported_on: Option<Date>,
    /// Whether the follow-up check failed.
    pub follow_up_failed: bool,
}

/// A risk signal naming the enterprise.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalFact {
    /// The signal.
    pub id: i64,
    /// Its kind (`complaint`, `injury`, `incident`, `recall`, `external`, `counterfeit`).
    pub kind: String,
    /// 1 (minor) … 4 (grave).
    pub severity: u8,
    /// Its day.
    pub on: Date,
}

/// What an enterprise published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentKind {
    /// A quality commitment (质量承诺).
    Commitment,
    /// A certification (e.g. ISO 9001, HACCP).
    Certification,
}

impl CommitmentKind {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            CommitmentKind::Commitment => "commitment",
            CommitmentKind::Certification => "certification",
        }
    }

    /// Reads a stable name.
    pub fn parse(s: &str) -> Option<CommitmentKind> {
        match s {
            "commitment" => Some(CommitmentKind::Commitment),
            "certification" => Some(CommitmentKind::Certification),
            _ => None,
        }
    }
}

/// A commitment or certification, not withdrawn.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitmentFact {
    /// Its id.
    pub id: i64,
    /// What it is.
    pub kind: CommitmentKind,
    /// Its title.
    pub title: String,
    /// When it was published.
    pub published_on: Date,
    /// Its last valid day, when it has one.
    pub valid_until: Option<Date>,
}

/// Everything grading reads about one enterprise.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// Its licences.
    pub licences: Vec<LicenceFact>,
    /// Its settled sampling results.
    pub results: Vec<ResultFact>,
    /// Its rectifications.
    pub rectifications: Vec<RectificationFact>,
    /// Signals naming it (other than sampling failures, which are results).
    pub signals: Vec<SignalFact>,
    /// Its commitments and certifications.
    pub commitments: Vec<CommitmentFact>,
    /// The blacklist entry listing it, when it is listed.
    pub blacklist: Option<String>,
}

/// One line of a grade's explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Factor {
    /// What it is (`sampling_fail`, `licence_valid`, `cap:licence_revoked`, …).
    pub name: String,
    /// Points it adds (negative: takes away); 0 for caps and for what does not count.
    pub contribution: f64,
    /// The record it comes from (`sample:12`, `licence:SC…`, `signal:7`, `rules`).
    pub source: String,
    /// Details in plain words (category, day, weights).
    pub detail: String,
}

/// A grade with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Grading {
    /// The grade, after hard rules.
    pub grade: Grade,
    /// The score, 0–1000.
    pub score: i64,
    /// Every factor, in the order applied.
    pub factors: Vec<Factor>,
}

/// Days from `from` to `to` (0 when `from` is later).
fn days(from: Date, to: Date) -> f64 {
    from.until(to)
        .map(|s| f64::from(s.get_days()).max(0.0))
        .unwrap_or(0.0)
}

/// 0.5^(age / half-life), or 0 beyond the window.
fn decay(on: Date, today: Date, half_life: f64, window: u32) -> f64 {
    let age = days(on, today);
    if age > f64::from(window) {
        0.0
    } else {
        0.5f64.powf(age / half_life)
    }
}

/// Rounds to one decimal, the precision explanations show.
fn tenth(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Grades one enterprise's record as of `today`.
pub fn grade(rules: &Rules, facts: &Facts, today: Date) -> Grading {
    let mut factors = vec![Factor {
        name: "base".into(),
        contribution: rules.base,
        source: "rules".into(),
        detail: String::new(),
    }];
    let mut caps: Vec<(Condition, String)> = Vec::new();
    let mut push = |name: &str, contribution: f64, source: String, detail: String| {
        factors.push(Factor {
            name: name.into(),
            contribution: tenth(contribution),
            source,
            detail,
        });
    };

    // Licences.
    let in_force = |l: &LicenceFact| {
        l.state == LicenceState::Issued && l.valid_until.is_none_or(|d| d >= today)
    };
    if let Some(l) = facts.licences.iter().find(|l| in_force(l)) {
        push(
            "licence_valid",
            rules.licence.valid,
            format!("licence:{}", l.number),
            String::new(),
        );
    }
    let any_in_force = facts.licences.iter().any(in_force);
    for l in &facts.licences {
        let source = format!("licence:{}", l.number);
        match l.state {
            LicenceState::Suspended => {
                push(
                    "licence_suspended",
                    rules.licence.suspended,
                    source.clone(),
                    String::new(),
                );
                caps.push((Condition::LicenceSuspended, source));
            }
            LicenceState::Expired if !any_in_force => {
                push(
                    "licence_expired",
                    rules.licence.expired,
                    source,
                    String::new(),
                );
            }
            LicenceState::Revoked => caps.push((Condition::LicenceRevoked, source)),
            _ => {}
        }
    }

    // Sampling results, newest first so that the pass cap keeps the recent passes.
    let s = &rules.sampling;
    let mut results: Vec<&ResultFact> = facts.results.iter().collect();
    results.sort_by_key(|r| std::cmp::Reverse((r.on, r.sample_id)));
    let mut passes = 0.0;
    for r in results {
        let d = decay(r.on, today, s.half_life_days, s.window_days);
        if d == 0.0 {
            continue;
        }
        let source = format!("sample:{}", r.sample_id);
        let when = format!("{} · {} · ×{d:.2}", r.category, r.on);
        if r.failed {
            let w = match r.risk {
                RiskGrade::I => s.risk_weight.i,
                RiskGrade::II => s.risk_weight.ii,
                RiskGrade::III => s.risk_weight.iii,
            };
            push(
                "sampling_fail",
                s.fail * w * d,
                source.clone(),
                format!("{when} · risk {} ×{w}", r.risk.as_str()),
            );
            if r.retest == Some(true) {
                push(
                    "retest_confirmed",
                    s.retest_confirmed * d,
                    source.clone(),
                    when.clone(),
                );
            }
            if r.risk == RiskGrade::I && days(r.on, today) <= 365.0 {
                caps.push((Condition::RecentHighRiskFailure, source));
            }
        } else {
            let room = (s.pass_cap - passes).max(0.0);
            let add = (s.pass * d).min(room);
            passes += add;
            push("sampling_pass", add, source.clone(), when.clone());
            if r.retest == Some(false) {
                push("retest_overturned", s.retest_overturned * d, source, when);
            }
        }
    }

    // Rectifications.
    let rw = &rules.rectification;
    for r in &facts.rectifications {
        let source = format!("rectification:{}", r.sample_id);
        let d = decay(r.deadline, today, s.half_life_days, s.window_days);
        let detail = format!("deadline {}", r.deadline);
        match r.reported_on {
            Some(on) if on <= r.deadline => push(
                "rectification_on_time",
                rw.on_time * d,
                source.clone(),
                detail.clone(),
            ),
            Some(_) => push(
                "rectification_late",
                rw.late * d,
                source.clone(),
                detail.clone(),
            ),
            None if r.deadline < today => {
                push(
                    "rectification_overdue",
                    rw.overdue,
                    source.clone(),
                    detail.clone(),
                );
                caps.push((Condition::RectificationOverdue, source.clone()));
            }
            None => {}
        }
        if r.follow_up_failed {
            push(
                "rectification_follow_up_failed",
                rw.follow_up_failed * d,
                source,
                detail,
            );
        }
    }

    // Signals.
    let g = &rules.signals;
    let mut counterfeits = 0usize;
    for sig in &facts.signals {
        let d = decay(sig.on, today, g.half_life_days, g.window_days);
        if d == 0.0 {
            continue;
        }
        let weight = match sig.kind.as_str() {
            "complaint" => g.complaint,
            "injury" => g.injury,
            "incident" => g.incident,
            "recall" => g.recall,
            "external" => g.external,
            "counterfeit" => {
                // Often thousands of scans: one line for all of them.
                counterfeits += 1;
                continue;
            }
            _ => continue,
        };
        let source = format!("signal:{}", sig.id);
        push(
            &format!("signal_{}", sig.kind),
            weight * f64::from(sig.severity) / 2.0 * d,
            source.clone(),
            format!("{} · severity {} · ×{d:.2}", sig.on, sig.severity),
        );
        if sig.severity >= 4 && matches!(sig.kind.as_str(), "injury" | "incident") {
            caps.push((Condition::GraveSignal, source));
        }
    }
    if counterfeits > 0 {
        push(
            "signal_counterfeit",
            g.counterfeit * counterfeits as f64,
            "signals:counterfeit".into(),
            format!("{counterfeits} counterfeit signals (the enterprise is the victim)"),
        );
    }

    // Commitments and certifications in force.
    let c = &rules.commitments;
    let live =
        |x: &&CommitmentFact| x.published_on <= today && x.valid_until.is_none_or(|d| d >= today);
    if let Some(x) = facts
        .commitments
        .iter()
        .filter(live)
        .filter(|x| x.kind == CommitmentKind::Commitment)
        .max_by_key(|x| (x.published_on, x.id))
    {
        push(
            "commitment",
            c.commitment,
            format!("commitment:{}", x.id),
            x.title.clone(),
        );
    }
    let mut certified = 0.0;
    for x in facts
        .commitments
        .iter()
        .filter(live)
        .filter(|x| x.kind == CommitmentKind::Certification)
    {
        let add = c
            .certification
            .min((c.certification_cap - certified).max(0.0));
        certified += add;
        push(
            "certification",
            add,
            format!("commitment:{}", x.id),
            x.title.clone(),
        );
    }
    if let Some(source) = &facts.blacklist {
        caps.push((Condition::Blacklisted, source.clone()));
    }

    let total: f64 = factors.iter().map(|f| f.contribution).sum();
    let score = total.clamp(0.0, 1000.0).round();
    let mut grade = rules.grade_of(score);
    for rule in &rules.hard {
        if let Some((_, source)) = caps.iter().find(|(c, _)| *c == rule.when) {
            let capped = grade.at_most(rule.grade);
            factors.push(Factor {
                name: format!("cap:{}", rule.when.as_str()),
                contribution: 0.0,
                source: source.clone(),
                detail: format!("grade at most {}", rule.grade.as_str()),
            });
            grade = capped;
        }
    }
    Grading {
        grade,
        score: score as i64,
        factors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn today() -> Date {
        date(2026, 6, 1)
    }

    fn licence(state: LicenceState) -> LicenceFact {
        LicenceFact {
            number: "SC10613010200012".into(),
            state,
            valid_until: Some(date(2029, 1, 1)),
        }
    }

    fn result(id: i64, failed: bool, risk: RiskGrade, on: Date) -> ResultFact {
        ResultFact {
            sample_id: id,
            category: "F01".into(),
            risk,
            failed,
            on,
            retest: None,
        }
    }

    #[test]
    fn the_default_rules_parse() {
        let r = Rules::default();
        assert_eq!(r.grade_of(950.0), Grade::AA);
        assert_eq!(r.grade_of(499.0), Grade::D);
        assert_eq!(r.supervision(Grade::D).interval_days, 30);
    }

    #[test]
    fn a_clean_licensed_enterprise_with_passes_grades_a() {
        let facts = Facts {
            licences: vec![licence(LicenceState::Issued)],
            results: (0..3)
                .map(|i| result(i, false, RiskGrade::II, date(2026, 3, 1)))
                .collect(),
            ..Facts::default()
        };
        let g = grade(&Rules::default(), &facts, today());
        // 750 + 50 + three recent passes of about 12.6 each.
        assert_eq!(g.grade, Grade::A, "{g:?}");
        let sum: f64 = g.factors.iter().map(|f| f.contribution).sum();
        assert_eq!(g.score, sum.round() as i64);
        assert!(
            g.factors
                .iter()
                .any(|f| f.source == "sample:2" && f.name == "sampling_pass")
        );
    }

    #[test]
    fn a_failure_weighs_by_risk_and_fades_with_time() {
        let rules = Rules::default();
        let fail = |risk, on| {
            let facts = Facts {
                results: vec![result(1, true, risk, on)],
                ..Facts::default()
            };
            grade(&rules, &facts, today()).score
        };
        assert!(fail(RiskGrade::I, date(2026, 5, 1)) < fail(RiskGrade::III, date(2026, 5, 1)));
        assert!(fail(RiskGrade::II, date(2024, 6, 1)) > fail(RiskGrade::II, date(2026, 5, 1)));
        // Beyond the window it does not count at all.
        assert_eq!(fail(RiskGrade::II, date(2020, 1, 1)), 750);
    }

    #[test]
    fn hard_rules_cap_whatever_the_score() {
        let mut facts = Facts {
            licences: vec![
                licence(LicenceState::Issued),
                licence(LicenceState::Revoked),
            ],
            commitments: vec![CommitmentFact {
                id: 4,
                kind: CommitmentKind::Commitment,
                title: "质量承诺书".into(),
                published_on: date(2026, 1, 1),
                valid_until: None,
            }],
            ..Facts::default()
        };
        let g = grade(&Rules::default(), &facts, today());
        assert_eq!(g.grade, Grade::D);
        let cap = g
            .factors
            .iter()
            .find(|f| f.name == "cap:licence_revoked")
            .unwrap();
        assert_eq!(cap.source, "licence:SC10613010200012");
        facts.licences.pop();
        facts.blacklist = Some("blacklist:9".into());
        assert_eq!(grade(&Rules::default(), &facts, today()).grade, Grade::D);
    }

    #[test]
    fn counterfeits_never_count_against_the_victim() {
        let facts = Facts {
            signals: (0..50)
                .map(|id| SignalFact {
                    id,
                    kind: "counterfeit".into(),
                    severity: 3,
                    on: date(2026, 5, 1),
                })
                .collect(),
            ..Facts::default()
        };
        let g = grade(&Rules::default(), &facts, today());
        assert_eq!(g.score, 750);
        let line = g
            .factors
            .iter()
            .find(|f| f.name == "signal_counterfeit")
            .unwrap();
        assert_eq!(line.contribution, 0.0);
        assert!(line.detail.starts_with("50 "));
    }

    #[test]
    fn overdue_rectification_and_grave_injury_cap_at_c() {
        let facts = Facts {
            licences: vec![licence(LicenceState::Issued)],
            rectifications: vec![RectificationFact {
                sample_id: 3,
                deadline: date(2026, 5, 1),
                reported_on: None,
                follow_up_failed: false,
            }],
            ..Facts::default()
        };
        let g = grade(&Rules::default(), &facts, today());
        assert_eq!(g.grade, Grade::C);
        assert!(g.factors.iter().any(|f| f.name == "rectification_overdue"));
    }

    #[test]
    fn bad_rule_files_name_their_line() {
        let e = Rules::parse("base = 750\n[thresholds\nAA = 1").unwrap_err();
        assert_eq!(e.line(), Some(2), "{e}");
        let text = DEFAULT_RULES.replace("B = 650", "B = 850");
        let e = Rules::parse(&text).unwrap_err();
        let line = text.lines().position(|l| l == "B = 850").unwrap() + 1;
        assert_eq!(e.line(), Some(line), "{e}");
        assert!(e.to_string().contains("thresholds.B"), "{e}");
        let e = Rules::parse(&DEFAULT_RULES.replace("\"licence_revoked\"", "\"moon_phase\""))
            .unwrap_err();
        assert!(matches!(e, RulesError::Syntax { .. }), "{e}");
        let e = Rules::parse(&DEFAULT_RULES.replace("draw_weight = 5.0", "draw_weight = 0"))
            .unwrap_err();
        assert!(e.to_string().contains("supervision.D.draw_weight"), "{e}");
        let e = Rules::parse(&format!("{DEFAULT_RULES}\nsurprise = 1\n")).unwrap_err();
        assert!(e.to_string().contains("surprise"), "{e}");
    }

    proptest::proptest! {
        #[test]
        fn any_text_gives_rules_or_an_error(s in "\\PC{0,300}") {
            let _ = Rules::parse(&s);
        }

        #[test]
        fn scores_stay_within_bounds(fails in 0usize..40, passes in 0usize..40, sev in 1u8..=4) {
            let mut facts = Facts::default();
            for i in 0..fails {
                facts.results.push(result(i as i64, true, RiskGrade::I, date(2026, 5, 1)));
            }
            for i in 0..passes {
                facts.results.push(result(100 + i as i64, false, RiskGrade::I, date(2026, 5, 1)));
            }
            facts.signals.push(SignalFact { id: 1, kind: "injury".into(), severity: sev, on: date(2026, 5, 2) });
            let g = grade(&Rules::default(), &facts, today());
            proptest::prop_assert!((0..=1000).contains(&g.score));
        }
    }
}
