//! Supervision sampling in the demo: a province plan and a city plan of this year,
//! approved, published and drawn from published seeds; samples taken by the drawn
//! inspectors over the months; lab reports with realistic failing items; objections
//! (some accepted and re-tested, some rejected, some waiting); rectifications; the
//! province's results announced; next year's plans in draft — so the console, the
//! public announcements, the statistics and every sampling endpoint show something
//! real. Deterministic from the seed and the day it is run.

use anyhow::Context;
use jiff::civil::date;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use zhijian_core::access::{Principal, Role};
use zhijian_core::calendar::Calendar;
use zhijian_core::plan_terms::{PlanStep, Terms};
use zhijian_core::rectification::Step;
use zhijian_core::region::RegionCode;
use zhijian_core::sample_result::ObjectionRules;
use zhijian_core::sampling::{PlanLevel, Quota};
use zhijian_core::test_report::{Item, Outcome, Report};
use zhijian_store::Store;
use zhijian_store::samples::{NewSample, Stage};
use zhijian_store::sampling::{Draw, DrawRules, NewPlan, Plan};

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

/// How much sampling the demo makes.
#[derive(Debug, Clone, Copy)]
pub struct Volume {
    /// Batches per category in the province plan.
    pub province_batches: u32,
    /// Batches in the city plan (about 3,000 for a city-year, as in seed 003).
    pub city_batches: u32,
}

const CATEGORIES: [&str; 7] = ["F05", "F02", "F03", "F24", "F01", "I03", "I20"];

/// The city plan covers more categories, so that its 3,000 batches find enough makers
/// in one city (a few hundred each).
const CITY_CATEGORIES: [&str; 14] = [
    "F05", "F02", "F03", "F24", "F01", "I03", "I20", "F04", "F25", "I25", "I17", "F08", "I06",
    "I02",
];

fn officer(username: &str, region: &str) -> anyhow::Result<Principal> {
    Ok(Principal {
        user_id: 0,
        username: username.into(),
        role: Role::Officer,
        org_id: None,
        region: RegionCode::parse(region)?,
    })
}

/// Makes a plan, has the region's chief approve it, publishes it and draws it.
async fn launch(
    store: &Store,
    maker: &Principal,
    chief: &Principal,
    new: &NewPlan,
    seed: &str,
) -> anyhow::Result<(Plan, Draw)> {
    let plan = store.scoped(maker).create_plan(new).await?;
    store
        .scoped(chief)
        .plan_step(plan.id, PlanStep::Approve)
        .await?;
    store
        .scoped(maker)
        .plan_step(plan.id, PlanStep::Publish)
        .await?;
    let drawn = store
        .scoped(maker)
        .draw_plan(
            plan.id,
            seed,
            &DrawRules {
                inspectors_per_task: 2,
                exclude: Vec::new(),
                grade_weights: zhijian_core::grading::Rules::default().draw_weights(),
            },
        )
        .await
        .with_context(|| format!("drawing {}", plan.name))?;
    Ok((plan, drawn))
}

/// The demo's sampling data: a province plan and a city plan of this year, launched
/// and drawn, worked through to every state a result can be in (not yet sampled,
/// awaiting the report, inside the objection window, objected, re-tested, final),
/// with rectifications of final failures; the province plan announced; and two plans
/// of next year still in draft and approved. `labs` are the two demo labs' credit codes.
pub async fn generate(
    store: &Store,
    labs: &[String],
    volume: Volume,
    seed: u64,
) -> anyhow::Result<()> {
    let [first_lab, second_lab] = labs else {
        anyhow::bail!("the demo needs two labs");
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5A3F);
    let now = jiff::Timestamp::now();
    let year = now.to_zoned(china()).year();
    let province = officer("officer-130000", "130000")?;
    let province_chief = officer("chief-130000", "130000")?;
    let city = officer("officer-130100", "130100")?;
    let city_chief = officer("chief-130100", "130100")?;
    let quota_of =
        |i: usize, category: &str, region: &str, batches: u32| -> anyhow::Result<Quota> {
            Ok(Quota {
                category: category.into(),
                region: RegionCode::parse(region)?,
                batches,
                lab: Some([first_lab, second_lab][i % 2].clone()),
            })
        };
    let terms = |batches: u32, budget: i64| Terms {
        batches: Some(batches),
        budget: Some(budget),
        starts_on: Some(date(year, 1, 1)),
        ends_on: Some(date(year, 12, 31)),
    };
    let quotas = CATEGORIES
        .iter()
        .enumerate()
        .map(|(i, c)| quota_of(i, c, "130000", volume.province_batches))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let total = volume.province_batches * CATEGORIES.len() as u32;
    let (province_plan, province_draw) = launch(
        store,
        &province,
        &province_chief,
        &NewPlan {
            name: format!("{year}年河北省产品质量监督抽查"),
            year: i32::from(year),
            level: PlanLevel::Province,
            region: RegionCode::parse("130000")?,
            quotas,
            terms: terms(total, i64::from(total) * 2_400),
        },
        &format!("{year}-冀-抽查-01"),
    )
    .await
    .context("the demo province plan")?;
    // The city plan shares its batches among its categories.
    let share = |i: usize| {
        volume.city_batches / CITY_CATEGORIES.len() as u32
            + u32::from(i < volume.city_batches as usize % CITY_CATEGORIES.len())
    };
    let quotas = CITY_CATEGORIES
        .iter()
        .enumerate()
        .map(|(i, c)| quota_of(i, c, "130100", share(i)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let (_, city_draw) = launch(
        store,
        &city,
        &city_chief,
        &NewPlan {
            name: format!("{year}年石家庄市产品质量监督抽查"),
            year: i32::from(year),
            level: PlanLevel::City,
            region: RegionCode::parse("130100")?,
            quotas,
            terms: terms(volume.city_batches, i64::from(volume.city_batches) * 1_800),
        },
        &format!("{year}-石-抽查-01"),
    )
    .await
    .context("the demo city plan")?;
    let work = FieldWork {
        store,
        labs: [first_lab.as_str(), second_lab.as_str()],
        now: now.as_millisecond(),
    };
    work.carry_out(&province_draw, &province, 12, "SJ", &mut rng)
        .await?;
    work.carry_out(&city_draw, &city, 9, "SZ", &mut rng).await?;
    store
        .scoped(&province)
        .announce(
            province_plan.id,
            None,
            ObjectionRules::default(),
            &Calendar::default(),
        )
        .await
        .context("announcing the demo plan")?;
    // Next year's plans: one approved, one still a draft.
    let next = i32::from(year) + 1;
    let approved = store
        .scoped(&province)
        .create_plan(&NewPlan {
            name: format!("{next}年河北省电线电缆专项监督抽查"),
            year: next,
            level: PlanLevel::Province,
            region: RegionCode::parse("130000")?,
            quotas: vec![quota_of(0, "I03", "130000", 80)?],
            terms: Terms {
                batches: Some(80),
                budget: Some(240_000),
                starts_on: Some(date(next as i16, 3, 1)),
                ends_on: Some(date(next as i16, 6, 30)),
            },
        })
        .await?;
    store
        .scoped(&province_chief)
        .plan_step(approved.id, PlanStep::Approve)
        .await?;
    store
        .scoped(&city)
        .create_plan(&NewPlan {
            name: format!("{next}年石家庄市食品监督抽查（草案）"),
            year: next,
            level: PlanLevel::City,
            region: RegionCode::parse("130100")?,
            quotas: vec![
                quota_of(0, "F05", "130102", 20)?,
                quota_of(1, "F24", "130104", 15)?,
            ],
            terms: Terms {
                batches: Some(35),
                ..Terms::default()
            },
        })
        .await?;
    Ok(())
}

fn china() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::fixed(jiff::tz::offset(8))
}

fn day_of(ms: i64) -> anyhow::Result<jiff::civil::Date> {
    Ok(jiff::Timestamp::from_millisecond(ms)?
        .to_zoned(china())
        .date())
}

/// Takes a drawn plan through the field: samples, reports, objections, re-tests and
/// rectifications, each dated so that the plan ends in every state.
struct FieldWork<'a> {
    store: &'a Store,
    labs: [&'a str; 2],
    now: i64,
}

const DAY_MS: i64 = 86_400_000;

impl FieldWork<'_> {
    async fn lab(&self, which: usize) -> anyhow::Result<Principal> {
        let uscc = self.labs[which];
        let org = self
            .store
            .organisation_by_uscc(uscc)
            .await?
            .context("a demo lab")?;
        Ok(Principal {
            user_id: 0,
            username: format!("lab-{}", &uscc[8..12]),
            role: Role::Lab,
            org_id: Some(org.id),
            region: RegionCode::NATIONAL,
        })
    }

    async fn carry_out(
        &self,
        drawn: &Draw,
        bureau: &Principal,
        fail_percent: u32,
        prefix: &str,
        rng: &mut ChaCha8Rng,
    ) -> anyhow::Result<()> {
        let rules = ObjectionRules::default();
        let calendar = Calendar::default();
        let labs = [self.lab(0).await?, self.lab(1).await?];
        let count = drawn.tasks.len().max(1) as i64;
        for (n, task) in drawn.tasks.iter().enumerate() {
            // Spread over the 300 days before today, the last tasks most recent; the
            // last thirtieth not sampled yet.
            let ago = 300 - (n as i64 * 300) / count;
            if ago <= 10 {
                continue;
            }
            let Some(inspector) = task.inspectors.first() else {
                continue;
            };
            let officer = officer(
                inspector,
                inspector.strip_prefix("officer-").unwrap_or("130000"),
            )
            .unwrap_or_else(|_| bureau.clone());
            let taken = self.now - ago * DAY_MS + rng.random_range(0..DAY_MS / 2);
            let stage = [
                Stage::Production,
                Stage::Production,
                Stage::Distribution,
                Stage::Online,
            ][rng.random_range(0..4)];
            let made = day_of(taken - rng.random_range(3..40) * DAY_MS)?;
            let sample = self
                .store
                .scoped(&officer)
                .record_sample(
                    task.id,
                    &NewSample {
                        stage,
                        product_id: None,
                        product_name: Some(product_name(&task.category).into()),
                        lot: format!("{}{}", made.strftime("%Y%m%d"), ["A", "B", "C"][n % 3]),
                        production_date: Some(made),
                        quantity: 6,
                        retained: 3,
                        place: format!("{}（{}）", task.enterprise_name, stage_place(stage)),
                        taken_at: Some(taken),
                        codes: Vec::new(),
                    },
                )
                .await
                .with_context(|| format!("demo sample of task {}", task.id))?;
            // Reported about a fortnight later; those taken lately still await it.
            let filed = taken + rng.random_range(10..18) * DAY_MS;
            if filed > self.now {
                continue;
            }
            let quota_lab = task.quota % 2;
            let fails = rng.random_range(0..100) < fail_percent;
            let report = report_for(
                &task.category,
                fails,
                &format!("{prefix}-{:05}", n + 1),
                filed,
                rng,
            )?;
            self.store
                .scoped(&labs[quota_lab])
                .file_report_at(sample.id, &report, filed)
                .await
                .with_context(|| format!("demo report of sample {}", sample.id))?;
            if !fails {
                continue;
            }
            let owner = self
                .store
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
            // Four in ten failures are objected to — only those still inside their
            // window can be. A fifth of objections wait for the officer; half of the
            // rest are accepted and re-tested at the other lab (a quarter of those
            // re-tests not back yet), mostly confirming the failure.
            let objected = rng.random_range(0..100) < 40
                && self
                    .store
                    .scoped(&enterprise)
                    .object(
                        sample.id,
                        "对检验结果有异议，申请复检备样",
                        rules,
                        &calendar,
                    )
                    .await
                    .is_ok();
            if objected {
                if rng.random_range(0..5) == 0 {
                    continue;
                }
                let accept = rng.random_bool(0.5);
                self.store
                    .scoped(bureau)
                    .decide_objection(
                        sample.id,
                        accept,
                        if accept {
                            "备样完好，同意复检"
                        } else {
                            "异议理由不成立，维持原检验结论"
                        },
                        accept.then_some(self.labs[1 - quota_lab]),
                        rules,
                        &calendar,
                    )
                    .await?;
                if accept {
                    if rng.random_range(0..4) == 0 {
                        continue;
                    }
                    let mut retest = report.clone();
                    retest.number = format!("FJ-{prefix}-{:05}", n + 1);
                    retest.issued_on = day_of(self.now)?;
                    if !rng.random_bool(0.7) {
                        retest.conclusion = Outcome::Pass;
                        for i in &mut retest.items {
                            i.verdict = Outcome::Pass;
                        }
                    }
                    self.store
                        .scoped(&labs[1 - quota_lab])
                        .file_report(sample.id, &retest)
                        .await?;
                }
            }
            self.rectify(sample.id, bureau, &enterprise, rng).await?;
        }
        Ok(())
    }

    /// Orders the rectification of a final failure, and takes it as far as chance says:
    /// the enterprise's report, the follow-up, a public announcement when it fails again.
    async fn rectify(
        &self,
        sample: i64,
        bureau: &Principal,
        enterprise: &Principal,
        rng: &mut ChaCha8Rng,
    ) -> anyhow::Result<()> {
        let rules = ObjectionRules::default();
        let calendar = Calendar::default();
        let deadline = day_of(self.now + 30 * DAY_MS)?;
        let ordered = self
            .store
            .scoped(bureau)
            .order_rectification(
                sample,
                "查明不合格原因，召回同批次产品，整改后申请复查",
                deadline,
                rules,
                &calendar,
            )
            .await;
        // Only final failures can be ordered; the rest are still in their window.
        if ordered.is_err() || rng.random_range(0..10) < 4 {
            return Ok(());
        }
        self.store
            .scoped(enterprise)
            .report_rectification(sample, "已召回同批次产品，更换原料供应商，加强出厂检验")
            .await?;
        if rng.random_range(0..10) < 3 {
            return Ok(());
        }
        let passed = rng.random_bool(0.8);
        self.store
            .scoped(bureau)
            .follow_up_rectification(
                sample,
                if passed { Outcome::Pass } else { Outcome::Fail },
                if passed {
                    "跟踪抽样复查合格"
                } else {
                    "跟踪抽样复查仍不合格"
                },
            )
            .await?;
        if !passed {
            self.store
                .scoped(bureau)
                .escalate_rectification(
                    sample,
                    Step::PublicAnnouncement,
                    "整改后复查仍不合格，予以公开曝光",
                    None,
                )
                .await?;
        }
        Ok(())
    }
}

/// A lab report for a sample of `category`: one item failing when `fails`.
fn report_for(
    category: &str,
    fails: bool,
    number: &str,
    filed: i64,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<Report> {
    let tested = items_of(category);
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
    Ok(Report {
        number: number.into(),
        issued_on: day_of(filed)?,
        conclusion: if fails { Outcome::Fail } else { Outcome::Pass },
        items,
    })
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
        // The other categories' samples are named after the category itself.
        other => zhijian_core::catalogue::category(other).map_or("产品", |c| c.name_zh),
    }
}

fn stage_place(stage: Stage) -> &'static str {
    match stage {
        Stage::Production => "生产现场",
        Stage::Distribution => "经销门店",
        Stage::Online => "网店购样",
    }
}
