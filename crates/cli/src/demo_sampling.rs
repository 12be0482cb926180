//! Supervision sampling in the demo: a provincial plan for the year, drawn from a
//! published seed; samples taken by the drawn inspectors over the months; lab reports
//! with realistic failing items; objections (some accepted and re-tested, some
//! rejected); and the results announced — so the public announcements page, the
//! statistics and every sampling endpoint show something real. Deterministic from the
//! seed.

use anyhow::Context;
use jiff::civil::date;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use zhijian_core::access::{Principal, Role};
use zhijian_core::calendar::Calendar;
use zhijian_core::region::RegionCode;
use zhijian_core::sample_result::ObjectionRules;
use zhijian_core::sampling::{PlanLevel, Quota};
use zhijian_core::test_report::{Item, Outcome, Report};
use zhijian_store::Store;
use zhijian_store::samples::{NewSample, Stage};
use zhijian_store::sampling::{DrawRules, NewPlan};

/// Items tested per category: (name, requirement, unit, method, passing value, failing
/// value).
type Tested = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

fn items_of(category: &str) -> &'static [Tested] {
    match category {
        "F05" => &[
            ("蛋白质", "≥2.9", "g/100g", "GB 5009.5-2016", "3.1", "2.6"),
            (
                "菌落总数",
                "≤100000",
                "CFU/mL",
                "GB 4789.2-2022",
                "2300",
                "350000",
            ),
            ("酸度", "12～18", "°T", "GB 5009.239-2016", "14", "21"),
        ],
        "F02" => &[
            ("酸价", "≤3", "mg/g", "GB 5009.229-2016", "0.8", "4.6"),
            (
                "过氧化值",
                "≤0.25",
                "g/100g",
                "GB 5009.227-2016",
                "0.06",
                "0.41",
            ),
            (
                "苯并[a]芘",
                "≤10",
                "μg/kg",
                "GB 5009.27-2016",
                "1.2",
                "14.8",
            ),
        ],
        "F03" => &[
            (
                "氨基酸态氮",
                "≥0.4",
                "g/100mL",
                "GB 5009.235-2016",
                "0.72",
                "0.31",
            ),
            (
                "苯甲酸及其钠盐",
                "≤1.0",
                "g/kg",
                "GB 5009.28-2016",
                "0.2",
                "1.6",
            ),
        ],
        "F24" => &[
            (
                "菌落总数",
                "≤100000",
                "CFU/g",
                "GB 4789.2-2022",
                "1200",
                "680000",
            ),
            (
                "脱氢乙酸及其钠盐",
                "≤0.5",
                "g/kg",
                "GB 5009.121-2016",
                "0.1",
                "0.9",
            ),
        ],
        "F01" => &[
            ("镉", "≤0.2", "mg/kg", "GB 5009.15-2014", "0.03", "0.31"),
            (
                "玉米赤霉烯酮",
                "≤60",
                "μg/kg",
                "GB 5009.209-2016",
                "8",
                "97",
            ),
        ],
        "I03" => &[
            (
                "导体电阻",
                "≤1.83",
                "Ω/km",
                "GB/T 3048.4-2007",
                "1.79",
                "2.10",
            ),
            (
                "绝缘厚度平均值",
                "≥0.7",
                "mm",
                "GB/T 2951.11-2008",
                "0.74",
                "0.62",
            ),
        ],
        "I20" => &[
            (
                "冲击吸收性能",
                "≤4900",
                "N",
                "GB/T 2812-2006",
                "3650",
                "5620",
            ),
            (
                "耐穿刺性能",
                "不接触头模",
                "",
                "GB/T 2812-2006",
                "未接触",
                "接触",
            ),
        ],
        _ => &[("标志标识", "符合 GB/T 191", "", "目测", "符合", "不符合")],
    }
}

/// The demo's sampling data. `labs` are the credit codes of the two demo labs.
pub async fn generate(
    store: &Store,
    labs: &[String],
    batches: u32,
    seed: u64,
) -> anyhow::Result<()> {
    let [first_lab, second_lab] = labs else {
        anyhow::bail!("the demo needs two labs");
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5A3F);
    let province = Principal {
        user_id: 0,
        username: "officer-130000".into(),
        role: Role::Officer,
        org_id: None,
        region: RegionCode::parse("130000")?,
    };
    let as_province = store.scoped(&province);
    let categories = ["F05", "F02", "F03", "F24", "F01", "I03", "I20"];
    let quotas: Vec<Quota> = categories
        .iter()
        .enumerate()
        .map(|(i, c)| Quota {
            category: (*c).into(),
            region: RegionCode::parse("130000").unwrap_or(RegionCode::NATIONAL),
            batches,
            lab: Some(if i % 2 == 0 { first_lab } else { second_lab }.clone()),
        })
        .collect();
    let plan = as_province
        .create_plan(&NewPlan {
            name: "2026年河北省产品质量监督抽查".into(),
            year: 2026,
            level: PlanLevel::Province,
            region: RegionCode::parse("130000")?,
            quotas,
        })
        .await
        .context("the demo sampling plan")?;
    let drawn = as_province
        .draw_plan(
            plan.id,
            "2026-冀-抽查-01",
            &DrawRules {
                inspectors_per_task: 2,
                exclude: Vec::new(),
            },
        )
        .await
        .context("drawing the demo plan")?;
    let lab_principal = |uscc: &str, org: i64| Principal {
        user_id: 0,
        username: format!("lab-{}", &uscc[8..12]),
        role: Role::Lab,
        org_id: Some(org),
        region: RegionCode::NATIONAL,
    };
    let mut lab_ids = Vec::new();
    for uscc in [first_lab, second_lab] {
        lab_ids.push(
            store
                .organisation_by_uscc(uscc)
                .await?
                .context("a demo lab")?
                .id,
        );
    }
    let rules = ObjectionRules::default();
    let calendar = Calendar::default();
    let now = jiff::Timestamp::now().as_millisecond();
    for (n, task) in drawn.tasks.iter().enumerate() {
        let Some(inspector) = task.inspectors.first() else {
            continue;
        };
        let officer = Principal {
            user_id: 0,
            username: inspector.clone(),
            role: Role::Officer,
            org_id: None,
            region: RegionCode::parse(inspector.trim_start_matches("officer-"))
                .unwrap_or(RegionCode::NATIONAL),
        };
        // Taken over the year so far, reported about a fortnight later.
        let month = 3 + (n % 8) as i8;
        let day = 1 + rng.random_range(0..27) as i8;
        let taken = date(2026, month, day)
            .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))?
            .timestamp()
            .as_millisecond()
            .min(now);
        let stage = [
            Stage::Production,
            Stage::Production,
            Stage::Distribution,
            Stage::Online,
        ][rng.random_range(0..4)];
        let sample = store
            .scoped(&officer)
            .record_sample(
                task.id,
                &NewSample {
                    stage,
                    product_id: None,
                    product_name: Some(product_name(&task.category).into()),
                    lot: format!("2026{month:02}{day:02}{}", ["A", "B", "C"][n % 3]),
                    production_date: Some(date(2026, month, 1)),
                    quantity: 6,
                    retained: 3,
                    place: format!("{}（{}）", task.enterprise_name, stage_place(stage)),
                    taken_at: Some(taken),
                    codes: Vec::new(),
                },
            )
            .await
            .with_context(|| format!("demo sample of task {}", task.id))?;
        let quota_lab = if task.quota % 2 == 0 { 0 } else { 1 };
        let lab_uscc = [first_lab, second_lab][quota_lab];
        let lab_user = lab_principal(lab_uscc, lab_ids[quota_lab]);
        let fails = rng.random_range(0..100) < 12;
        let tested = items_of(&task.category);
        let failing = rng.random_range(0..tested.len());
        let items: Vec<Item> = tested
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let fail = fails && i == failing;
                Item {
                    name: t.0.into(),
                    requirement: t.1.into(),
                    value: if fail { t.5 } else { t.4 }.into(),
                    unit: (!t.2.is_empty()).then(|| t.2.into()),
                    method: Some(t.3.into()),
                    verdict: if fail { Outcome::Fail } else { Outcome::Pass },
                }
            })
            .collect();
        let issued = taken + 14 * 86_400_000;
        let report = Report {
            number: format!("JY2026-{:04}", n + 1),
            issued_on: jiff::Timestamp::from_millisecond(issued.min(now))?
                .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
                .date(),
            conclusion: if fails { Outcome::Fail } else { Outcome::Pass },
            items,
        };
        store
            .scoped(&lab_user)
            .file_report_at(sample.id, &report, issued.min(now))
            .await
            .with_context(|| format!("demo report of sample {}", sample.id))?;
        if !fails || rng.random_range(0..100) >= 40 {
            continue;
        }
        // Four in ten failures are objected to — only those still inside their window
        // can be; of those decided, half are re-tested at the other lab.
        let owner = store
            .organisation_by_uscc(&task.enterprise)
            .await?
            .context("a sampled enterprise")?;
        let enterprise = Principal {
            user_id: 0,
            username: format!("ent-{}", &task.enterprise[8..14]),
            role: Role::Enterprise,
            org_id: Some(owner.id),
            region: RegionCode::parse(&owner.region).unwrap_or(RegionCode::NATIONAL),
        };
        if store
            .scoped(&enterprise)
            .object(
                sample.id,
                "对检验结果有异议，申请复检备样",
                rules,
                &calendar,
            )
            .await
            .is_err()
        {
            continue;
        }
        let accept = rng.random_bool(0.5);
        as_province
            .decide_objection(
                sample.id,
                accept,
                if accept {
                    "备样完好，同意复检"
                } else {
                    "异议理由不成立，维持原检验结论"
                },
                accept.then_some([second_lab, first_lab][quota_lab].as_str()),
                rules,
                &calendar,
            )
            .await?;
        if accept {
            // The other lab re-tests the retained units: mostly it confirms.
            let other = 1 - quota_lab;
            let retester = lab_principal([first_lab, second_lab][other], lab_ids[other]);
            let confirmed = rng.random_bool(0.7);
            let mut retest = report.clone();
            retest.number = format!("FJ2026-{:04}", n + 1);
            retest.issued_on = jiff::Timestamp::now()
                .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
                .date();
            if !confirmed {
                retest.conclusion = Outcome::Pass;
                for i in &mut retest.items {
                    i.verdict = Outcome::Pass;
                }
            }
            store
                .scoped(&retester)
                .file_report(sample.id, &retest)
                .await?;
        }
    }
    as_province
        .announce(plan.id, None, rules, &calendar)
        .await
        .context("announcing the demo plan")?;
    Ok(())
}

fn product_name(category: &str) -> &'static str {
    match category {
        "F05" => "纯牛奶",
        "F02" => "花生油",
        "F03" => "酿造酱油",
        "F24" => "月饼",
        "F01" => "小麦粉",
        "I03" => "聚氯乙烯绝缘电线",
        "I20" => "安全帽",
        _ => "产品",
    }
}

fn stage_place(stage: Stage) -> &'static str {
    match stage {
        Stage::Production => "生产现场",
        Stage::Distribution => "经销门店",
        Stage::Online => "网店购样",
    }
}
