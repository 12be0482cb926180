//! Supervision sampling plans (监督抽查计划) and double-random selection (双随机): which
//! enterprises a plan inspects and which inspectors go, drawn from a published seed so
//! that anyone can re-run the draw and get the same answer.
//!
//! Each candidate's lot is SHA-256(seed ‖ 0x1F ‖ scope ‖ 0x1F ‖ id), its first eight bytes
//! read as a number in (0, 1]. A lot depends on nothing but the seed, the scope (which
//! quota or task) and the candidate itself, so adding or removing another candidate never
//! changes it, and the order the database returns rows in does not matter. A weighted
//! draw keeps the `k` largest `lot^(1/weight)` (Efraimidis–Spirakis sampling without
//! replacement); ties go to the smaller id.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::catalogue;
use crate::region::{RegionCode, RegionLevel};

/// The level of government that organises a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanLevel {
    /// 国家监督抽查.
    National,
    /// 省级监督抽查.
    Province,
    /// 市级监督抽查.
    City,
    /// 县级监督抽查.
    County,
}

impl PlanLevel {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanLevel::National => "national",
            PlanLevel::Province => "province",
            PlanLevel::City => "city",
            PlanLevel::County => "county",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<PlanLevel> {
        [
            PlanLevel::National,
            PlanLevel::Province,
            PlanLevel::City,
            PlanLevel::County,
        ]
        .into_iter()
        .find(|l| l.as_str() == s)
    }

    /// The level a region of this code organises at.
    pub fn of(region: RegionCode) -> PlanLevel {
        match region.level() {
            RegionLevel::National => PlanLevel::National,
            RegionLevel::Province => PlanLevel::Province,
            RegionLevel::City => PlanLevel::City,
            RegionLevel::County => PlanLevel::County,
        }
    }
}

/// How many batches of one category to sample in one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Quota {
    /// Catalogue category id (e.g. `F05`).
    pub category: String,
    /// The region the batches come from (inside the plan's region).
    #[schema(value_type = String, pattern = "^[0-9]{6}$")]
    pub region: RegionCode,
    /// How many batches (1–10 000).
    pub batches: u32,
    /// The credit code of the lab that tests them (it sees only its own tasks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lab: Option<String>,
}

/// Why a plan cannot be made as given.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PlanError {
    /// Name empty or over 100 characters.
    #[error("the name must be 1–100 characters")]
    Name,
    /// Year outside 2000–2100.
    #[error("the year must be between 2000 and 2100")]
    Year,
    /// The level does not match the organising region's.
    #[error("a {level} plan is organised by a {expected} bureau, not by region {region}")]
    Level {
        /// The level given.
        level: &'static str,
        /// The level of the region.
        expected: &'static str,
        /// The region.
        region: RegionCode,
    },
    /// No quotas.
    #[error("a plan needs at least one quota")]
    NoQuotas,
    /// Too many quotas.
    #[error("a plan holds at most 1 000 quotas")]
    TooManyQuotas,
    /// A quota names no catalogue category.
    #[error("quota {index}: unknown category {category}")]
    Category {
        /// Which quota (0-based).
        index: usize,
        /// The category given.
        category: String,
    },
    /// A quota's region lies outside the plan's.
    #[error("quota {index}: region {region} lies outside the plan's region")]
    QuotaRegion {
        /// Which quota.
        index: usize,
        /// The region given.
        region: RegionCode,
    },
    /// A quota asks for no batches or too many.
    #[error("quota {index}: batches must be between 1 and 10 000")]
    Batches {
        /// Which quota.
        index: usize,
    },
    /// The same category and region twice.
    #[error("quota {index}: category {category} in region {region} is already planned")]
    Duplicate {
        /// Which quota.
        index: usize,
        /// Its category.
        category: String,
        /// Its region.
        region: RegionCode,
    },
}

impl PlanError {
    /// A stable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            PlanError::Name => "plan_name",
            PlanError::Year => "plan_year",
            PlanError::Level { .. } => "plan_level",
            PlanError::NoQuotas | PlanError::TooManyQuotas => "plan_quotas",
            PlanError::Category { .. } => "category_unknown",
            PlanError::QuotaRegion { .. } => "quota_region",
            PlanError::Batches { .. } => "quota_batches",
            PlanError::Duplicate { .. } => "quota_duplicate",
        }
    }
}

/// Checks a plan's parts; returns the trimmed name.
pub fn check_plan(
    name: &str,
    year: i32,
    level: PlanLevel,
    region: RegionCode,
    quotas: &[Quota],
) -> Result<String, PlanError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(PlanError::Name);
    }
    if !(2000..=2100).contains(&year) {
        return Err(PlanError::Year);
    }
    let expected = PlanLevel::of(region);
    if expected != level {
        return Err(PlanError::Level {
            level: level.as_str(),
            expected: expected.as_str(),
            region,
        });
    }
    if quotas.is_empty() {
        return Err(PlanError::NoQuotas);
    }
    if quotas.len() > 1_000 {
        return Err(PlanError::TooManyQuotas);
    }
    for (index, q) in quotas.iter().enumerate() {
        if catalogue::category(&q.category).is_none() {
            return Err(PlanError::Category {
                index,
                category: q.category.clone(),
            });
        }
        if !region.contains(q.region) {
            return Err(PlanError::QuotaRegion {
                index,
                region: q.region,
            });
        }
        if !(1..=10_000).contains(&q.batches) {
            return Err(PlanError::Batches { index });
        }
        if quotas[..index]
            .iter()
            .any(|o| o.category == q.category && o.region == q.region)
        {
            return Err(PlanError::Duplicate {
                index,
                category: q.category.clone(),
                region: q.region,
            });
        }
    }
    Ok(name.to_owned())
}

/// A candidate of a draw: an enterprise's credit code or an inspector's username, and
/// its weight (1.0 = ordinary; greater = more likely drawn).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its weight, > 0.
    pub weight: f64,
}

/// The lot of one candidate, in (0, 1].
pub fn lot(seed: &str, scope: &str, id: &str) -> f64 {
    let mut h = Sha256::new();
    h.update(seed.as_bytes());
    h.update([0x1F]);
    h.update(scope.as_bytes());
    h.update([0x1F]);
    h.update(id.as_bytes());
    let digest = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    // 53 bits make every value exactly representable; +1 keeps it above zero.
    ((u64::from_be_bytes(first) >> 11) + 1) as f64 / (1u64 << 53) as f64
}

/// Draws up to `k` candidates without replacement, by weight, under `seed` and `scope`;
/// the drawn come first-drawn first. Candidates with a weight that is not a positive
/// number are never drawn.
pub fn draw<'a>(seed: &str, scope: &str, candidates: &[Candidate<'a>], k: usize) -> Vec<&'a str> {
    let mut keyed: Vec<(f64, &'a str)> = candidates
        .iter()
        .filter(|c| c.weight.is_finite() && c.weight > 0.0)
        .map(|c| (lot(seed, scope, c.id).powf(1.0 / c.weight), c.id))
        .collect();
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    keyed.dedup_by(|a, b| a.1 == b.1);
    keyed.truncate(k);
    keyed.into_iter().map(|(_, id)| id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(code: &str) -> RegionCode {
        RegionCode::parse(code).unwrap()
    }

    fn quota(category: &str, region: &str, batches: u32) -> Quota {
        Quota {
            category: category.into(),
            region: r(region),
            batches,
            lab: None,
        }
    }

    #[test]
    fn plans_are_checked() {
        let ok = [quota("F05", "130100", 10)];
        assert_eq!(
            check_plan(
                " 2026年乳制品抽查 ",
                2026,
                PlanLevel::Province,
                r("130000"),
                &ok
            ),
            Ok("2026年乳制品抽查".into())
        );
        let bad = |name: &str, year, level, region: &str, quotas: &[Quota]| {
            check_plan(name, year, level, r(region), quotas)
                .unwrap_err()
                .code()
        };
        assert_eq!(
            bad("", 2026, PlanLevel::Province, "130000", &ok),
            "plan_name"
        );
        assert_eq!(
            bad("x", 1999, PlanLevel::Province, "130000", &ok),
            "plan_year"
        );
        assert_eq!(bad("x", 2026, PlanLevel::City, "130000", &ok), "plan_level");
        assert_eq!(
            bad("x", 2026, PlanLevel::Province, "130000", &[]),
            "plan_quotas"
        );
        assert_eq!(
            bad(
                "x",
                2026,
                PlanLevel::Province,
                "130000",
                &[quota("Z99", "130100", 1)]
            ),
            "category_unknown"
        );
        assert_eq!(
            bad(
                "x",
                2026,
                PlanLevel::City,
                "130100",
                &[quota("F05", "130600", 1)]
            ),
            "quota_region"
        );
        assert_eq!(
            bad(
                "x",
                2026,
                PlanLevel::Province,
                "130000",
                &[quota("F05", "130100", 0)]
            ),
            "quota_batches"
        );
        assert_eq!(
            bad(
                "x",
                2026,
                PlanLevel::Province,
                "130000",
                &[quota("F05", "130100", 1), quota("F05", "130100", 2)]
            ),
            "quota_duplicate"
        );
    }

    #[test]
    fn lots_are_fixed_by_seed_scope_and_id_alone() {
        let a = lot("2026-抽查-01", "0", "91130102MA0001");
        assert_eq!(a, lot("2026-抽查-01", "0", "91130102MA0001"));
        assert_ne!(a, lot("2026-抽查-02", "0", "91130102MA0001"));
        assert_ne!(a, lot("2026-抽查-01", "1", "91130102MA0001"));
        assert!(a > 0.0 && a <= 1.0);
        // The separator keeps (seed, scope) pairs apart that concatenate alike.
        assert_ne!(lot("ab", "c", "x"), lot("a", "bc", "x"));
    }

    #[test]
    fn a_draw_ignores_candidate_order_and_others_coming_or_going() {
        let ids: Vec<String> = (0..200).map(|i| format!("E{i:03}")).collect();
        let all: Vec<Candidate> = ids.iter().map(|id| Candidate { id, weight: 1.0 }).collect();
        let drawn = draw("seed", "q0", &all, 10);
        assert_eq!(drawn.len(), 10);
        let mut reversed = all.clone();
        reversed.reverse();
        assert_eq!(draw("seed", "q0", &reversed, 10), drawn);
        // Removing an enterprise that was not drawn changes nothing.
        let spare = all.iter().position(|c| !drawn.contains(&c.id)).unwrap();
        let mut fewer = all.clone();
        fewer.remove(spare);
        assert_eq!(draw("seed", "q0", &fewer, 10), drawn);
        assert_ne!(draw("other seed", "q0", &all, 10), drawn);
        // Asking for more than there are gives them all, once each.
        assert_eq!(draw("seed", "q0", &all[..5], 10).len(), 5);
    }

    #[test]
    fn weights_tilt_the_draw() {
        let ids: Vec<String> = (0..100).map(|i| format!("E{i:03}")).collect();
        // The first ten weigh 5: over many seeds they should be drawn far more often.
        let all: Vec<Candidate> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| Candidate {
                id,
                weight: if i < 10 { 5.0 } else { 1.0 },
            })
            .collect();
        let heavy = (0..300)
            .flat_map(|s| draw(&format!("s{s}"), "q", &all, 5))
            .filter(|id| *id < "E010")
            .count();
        // Unweighted they would be a tenth of 1 500 draws; weighted, well over a third.
        assert!(heavy > 500, "{heavy}");
        let none = [Candidate {
            id: "X",
            weight: 0.0,
        }];
        assert!(draw("s", "q", &none, 1).is_empty());
    }
}
