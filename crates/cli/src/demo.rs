//! `zhijian demo`: a realistic Hebei province data set, generated deterministically from
//! a seed — bureaus and officers at every level, enterprises with valid credit codes in
//! every county, products in realistic categories, licences in every state with their
//! histories, and supervision records.

use std::collections::HashSet;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use jiff::civil::{Date, date};
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use zhijian_core::access::{OrgKind, Role};
use zhijian_core::catalogue::{self, CatalogueKind};
use zhijian_core::enterprise::{EnterpriseStatus, Scale as SizeClass};
use zhijian_core::gtin::{Gtin, gs1_check_digit};
use zhijian_core::licence::LicenceState;
use zhijian_core::licence_number::{LicenceKind, LicenceNumber, food_check_digit};
use zhijian_core::region::{self, Region, RegionCode};
use zhijian_core::uscc::{Uscc, check_character, organisation_check_character};
use zhijian_store::Store;
use zhijian_store::enterprises::{EnterpriseDetails, NewEnterprise, NewProduct};
use zhijian_store::identity::hash_password;
use zhijian_store::import::{ImportEnterprise, ImportLicence, ImportRecord, ImportUser};
use zhijian_store::licences::LicenceStep;
use zhijian_store::organisations::{NewFiling, NewOrganisation};
use zhijian_store::records::NewRecord;

/// How much data to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// About 500 enterprises: quick to generate, enough to try every page.
    Small,
    /// 80,000 enterprises: the archive of a large prefecture-level city (seed 003).
    City,
}

impl Scale {
    fn enterprises(self) -> usize {
        match self {
            Scale::Small => 500,
            Scale::City => 80_000,
        }
    }
}

/// The province the demo covers.
const PROVINCE: &str = "130000";
/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "zhijian-demo";

/// The accounts a person can log in with.
#[derive(Debug, Clone)]
pub struct Accounts {
    /// (username, role, what it is for).
    pub rows: Vec<(String, &'static str, String)>,
    /// How many officer accounts exist in all.
    pub officers: usize,
}

/// Prints the accounts (and the URL, when serving).
pub fn print_accounts(a: &Accounts, url: Option<&str>) {
    if let Some(url) = url {
        println!("zhijian demo is serving at {url}");
        println!("  console: {url}/console    API: {url}/api/v1    health: {url}/healthz");
    }
    println!("demo accounts (password for all: {DEMO_PASSWORD}):");
    for (user, role, what) in &a.rows {
        println!("  {user:<24} {role:<10} {what}");
    }
    println!(
        "  … and officer-<region code> for all {} bureaus of Hebei's cities and counties",
        a.officers
    );
}

/// Generates the data set into an empty node, or describes the one already there.
pub async fn ensure(store: &Store, scale: Scale, seed: u64) -> anyhow::Result<Accounts> {
    let plan = Plan::new(seed);
    if store.enterprise_count().await? > 0 {
        eprintln!("using the data already in this node (delete the data folder to generate anew)");
        return plan.accounts(store).await;
    }
    let started = std::time::Instant::now();
    let hash = hash_password(DEMO_PASSWORD.to_owned()).await?;
    let mut generator = Generator::new(seed, &plan);
    let total = scale.enterprises();
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("generating {bar:40} {pos}/{len} enterprises ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut first_enterprises = vec![];
    let mut done = 0;
    while done < total {
        let n = (total - done).min(2_000);
        let batch: Vec<ImportEnterprise> = (0..n).map(|_| generator.enterprise()).collect();
        if first_enterprises.len() < 5 {
            first_enterprises.extend(batch.iter().take(5).map(|e| {
                (
                    e.enterprise.uscc.as_str().to_owned(),
                    e.enterprise.name.clone(),
                )
            }));
        }
        store
            .import(&batch, "demo")
            .await
            .context("importing generated enterprises")?;
        done += n;
        bar.set_position(done as u64);
    }
    bar.finish_and_clear();
    let mut organisation_usccs = vec![];
    for (i, (kind, name, region)) in ORGANISATIONS.iter().enumerate() {
        let uscc = generator.uscc(region);
        organisation_usccs.push(uscc.as_str().to_owned());
        // Printers filed in 2024 for three years; the third one's filing lapsed.
        let (from, until) = if i == 2 {
            (
                jiff::civil::date(2022, 7, 1),
                jiff::civil::date(2025, 6, 30),
            )
        } else {
            (
                jiff::civil::date(2024, 3, 1),
                jiff::civil::date(2027, 2, 28),
            )
        };
        let new = NewOrganisation {
            kind: *kind,
            uscc,
            name: (*name).into(),
            region: RegionCode::parse(region)?,
            filing: NewFiling {
                number: Some(format!("冀质监印备字〔{}〕第{:03}号", from.year(), i + 1)),
                valid_from: Some(from),
                valid_until: Some(until),
                pledge_signed: true,
            },
        };
        store.register_organisation(&new, "demo").await?;
    }
    let mut users = vec![ImportUser {
        username: "admin".into(),
        password_hash: hash.clone(),
        role: Role::Admin,
        org_uscc: None,
        region: None,
        display_name: Some("系统管理员".into()),
    }];
    for r in &plan.bureaus {
        users.push(ImportUser {
            username: format!("officer-{}", r.code),
            password_hash: hash.clone(),
            role: Role::Officer,
            org_uscc: None,
            region: Some(r.code.as_str().into()),
            display_name: Some(format!("{}监管员", r.name)),
        });
    }
    // The chiefs who approve the province's and the city's sampling plans (four eyes).
    for (code, name) in [
        ("130000", "河北省局抽查处处长"),
        ("130100", "石家庄市局抽查科科长"),
    ] {
        users.push(ImportUser {
            username: format!("chief-{code}"),
            password_hash: hash.clone(),
            role: Role::Officer,
            org_uscc: None,
            region: Some(code.into()),
            display_name: Some(name.into()),
        });
    }
    users.push(ImportUser {
        username: "viewer-130000".into(),
        password_hash: hash.clone(),
        role: Role::Viewer,
        org_uscc: None,
        region: Some(PROVINCE.into()),
        display_name: Some("河北省局查询员".into()),
    });
    for (i, (uscc, name)) in first_enterprises.iter().take(5).enumerate() {
        users.push(ImportUser {
            username: format!("enterprise-{}", i + 1),
            password_hash: hash.clone(),
            role: Role::Enterprise,
            org_uscc: Some(uscc.clone()),
            region: None,
            display_name: Some(name.clone()),
        });
    }
    for (kind, username) in [(OrgKind::Printer, "printer-1"), (OrgKind::Lab, "lab-1")] {
        let org = ORGANISATIONS
            .iter()
            .position(|(k, _, _)| *k == kind)
            .unwrap_or(0);
        let uscc = organisation_usccs.get(org).cloned();
        users.push(ImportUser {
            username: username.into(),
            password_hash: hash.clone(),
            role: if kind == OrgKind::Printer {
                Role::Printer
            } else {
                Role::Lab
            },
            org_uscc: uscc,
            region: None,
            display_name: Some(ORGANISATIONS[org].1.into()),
        });
    }
    store
        .import_users(&users, "demo")
        .await
        .context("creating demo accounts")?;
    let demo_enterprises: Vec<(String, String)> = first_enterprises
        .iter()
        .take(5)
        .enumerate()
        .map(|(i, (uscc, _))| (uscc.clone(), format!("enterprise-{}", i + 1)))
        .collect();
    crate::demo_codes::generate(store, &demo_enterprises, &organisation_usccs[0], seed)
        .await
        .context("generating supervision codes")?;
    crate::demo_flow::generate(store, seed)
        .await
        .context("generating the demo distribution network")?;
    let volume = match scale {
        Scale::Small => crate::demo_sampling::Volume {
            province_batches: 12,
            city_batches: 70,
        },
        Scale::City => crate::demo_sampling::Volume {
            province_batches: 60,
            city_batches: 3_000,
        },
    };
    crate::demo_sampling::generate(store, &organisation_usccs[3..5], volume, seed)
        .await
        .context("generating supervision sampling")?;
    crate::demo_grades::generate(store, seed)
        .await
        .context("publishing demo commitments")?;
    crate::demo_risk::generate(store, seed)
        .await
        .context("generating demo risk signals")?;
    store
        .analyze()
        .await
        .context("refreshing planner statistics")?;
    eprintln!(
        "generated {total} enterprises in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    plan.accounts(store).await
}

/// Printers and labs every demo node has.
const ORGANISATIONS: &[(OrgKind, &str, &str)] = &[
    (OrgKind::Printer, "河北华信防伪印刷有限公司", "130104"),
    (OrgKind::Printer, "保定金鼎标签印务有限公司", "130602"),
    (OrgKind::Printer, "唐山联创包装印刷有限公司", "130203"),
    (OrgKind::Lab, "河北省产品质量监督检验研究院", "130104"),
    (OrgKind::Lab, "石家庄市食品药品检验中心", "130102"),
    (OrgKind::Lab, "唐山市产品质量监督检验所", "130203"),
];

/// The regions of the data set.
struct Plan {
    /// Province, cities and counties: each has a bureau and an officer.
    bureaus: Vec<&'static Region>,
    /// Counties enterprises are registered in.
    counties: Vec<&'static Region>,
}

impl Plan {
    fn new(_seed: u64) -> Plan {
        let province =
            region::lookup(RegionCode::parse(PROVINCE).unwrap_or(RegionCode::NATIONAL)).into_iter();
        let mut bureaus: Vec<&'static Region> = province.collect();
        let mut counties = vec![];
        let Ok(p) = RegionCode::parse(PROVINCE) else {
            return Plan { bureaus, counties };
        };
        for child in region::children(p) {
            bureaus.push(child);
            if child.code.level() == region::RegionLevel::County {
                counties.push(child);
                continue;
            }
            for county in region::children(child.code) {
                bureaus.push(county);
                counties.push(county);
            }
        }
        Plan { bureaus, counties }
    }

    async fn accounts(&self, store: &Store) -> anyhow::Result<Accounts> {
        let mut rows = vec![
            ("admin".to_owned(), "admin", "runs the node".to_owned()),
            (
                "officer-130000".to_owned(),
                "officer",
                "河北省市场监督管理局 (whole province)".to_owned(),
            ),
            (
                "officer-130100".to_owned(),
                "officer",
                "石家庄市市场监督管理局 (one city)".to_owned(),
            ),
            (
                "officer-130102".to_owned(),
                "officer",
                "长安区市场监督管理局 (one county)".to_owned(),
            ),
            (
                "chief-130000".to_owned(),
                "officer",
                "approves the province's sampling plans".to_owned(),
            ),
            (
                "viewer-130000".to_owned(),
                "viewer",
                "province, read-only".to_owned(),
            ),
        ];
        for i in 1..=5 {
            let name = format!("enterprise-{i}");
            if let Some(p) = store.principal_by_username(&name).await? {
                let org = match p.org_id {
                    Some(id) => store
                        .organisation(id)
                        .await?
                        .map(|o| format!("{} {}", o.name, o.uscc.unwrap_or_default())),
                    None => None,
                };
                rows.push((name, "enterprise", org.unwrap_or_default()));
            }
        }
        rows.push(("printer-1".into(), "printer", ORGANISATIONS[0].1.into()));
        rows.push(("lab-1".into(), "lab", ORGANISATIONS[3].1.into()));
        Ok(Accounts {
            rows,
            officers: self.bureaus.len(),
        })
    }
}

/// Product names, standards and industries per category used by the generator.
const PRODUCTS: &[(&str, &[&str], &str, &str)] = &[
    (
        "F01",
        &["小麦粉", "大米", "挂面"],
        "GB 1355",
        "农副食品加工业",
    ),
    (
        "F02",
        &["花生油", "玉米油", "调和油"],
        "GB 2716",
        "农副食品加工业",
    ),
    (
        "F03",
        &["酱油", "食醋", "鸡精调味料"],
        "GB 2717",
        "食品制造业",
    ),
    (
        "F04",
        &["火腿肠", "酱卤肉制品", "熏煮香肠"],
        "GB 2726",
        "农副食品加工业",
    ),
    (
        "F05",
        &["纯牛奶", "发酵乳", "调制乳粉"],
        "GB 25190",
        "食品制造业",
    ),
    (
        "F06",
        &["饮用纯净水", "果汁饮料", "植物蛋白饮料"],
        "GB 7101",
        "酒、饮料和精制茶制造业",
    ),
    ("F08", &["苏打饼干", "曲奇饼干"], "GB 7100", "食品制造业"),
    ("F13", &["硬质糖果", "凝胶糖果"], "GB 17399", "食品制造业"),
    (
        "F15",
        &["白酒", "啤酒"],
        "GB 2757",
        "酒、饮料和精制茶制造业",
    ),
    ("F24", &["月饼", "蛋糕", "面包"], "GB 7099", "食品制造业"),
    ("F25", &["豆腐", "腐竹"], "GB 2712", "食品制造业"),
    (
        "F29",
        &["婴儿配方乳粉", "较大婴儿配方乳粉"],
        "GB 10765",
        "食品制造业",
    ),
    (
        "I01",
        &["热轧带肋钢筋", "热轧光圆钢筋"],
        "GB/T 1499.2",
        "黑色金属冶炼和压延加工业",
    ),
    (
        "I02",
        &["普通硅酸盐水泥", "复合硅酸盐水泥"],
        "GB 175",
        "非金属矿物制品业",
    ),
    (
        "I03",
        &["聚氯乙烯绝缘电缆", "交联聚乙烯电力电缆"],
        "GB/T 5023",
        "电气机械和器材制造业",
    ),
    (
        "I04",
        &["工业硫酸", "液氨"],
        "GB/T 534",
        "化学原料和化学制品制造业",
    ),
    (
        "I06",
        &["复合肥料", "尿素"],
        "GB/T 15063",
        "化学原料和化学制品制造业",
    ),
    (
        "I08",
        &["食品用塑料袋", "塑料餐盒"],
        "GB 4806.7",
        "橡胶和塑料制品业",
    ),
    (
        "I11",
        &["家用燃气灶具", "燃气热水器"],
        "GB 16410",
        "金属制品业",
    ),
    (
        "I12",
        &["电动自行车"],
        "GB 17761",
        "铁路、船舶、航空航天和其他运输设备制造业",
    ),
    (
        "I14",
        &["塑胶玩具", "毛绒玩具"],
        "GB 6675",
        "文教、工美、体育和娱乐用品制造业",
    ),
    (
        "I15",
        &["儿童自行车", "婴儿推车"],
        "GB 14746",
        "文教、工美、体育和娱乐用品制造业",
    ),
    (
        "I17",
        &["电热水壶", "电饭锅"],
        "GB 4706.1",
        "电气机械和器材制造业",
    ),
    ("I20", &["安全帽"], "GB 2811", "纺织服装、服饰业"),
    (
        "I25",
        &["胶合板", "中密度纤维板"],
        "GB/T 9846",
        "木材加工业",
    ),
    ("I27", &["陶瓷砖"], "GB/T 4100", "非金属矿物制品业"),
    (
        "I28",
        &["内墙涂料", "木器涂料"],
        "GB 18582",
        "化学原料和化学制品制造业",
    ),
];

/// Business words by category, for enterprise names.
fn trade_word(category: &str) -> &'static str {
    match category {
        "F01" => "粮油",
        "F02" => "油脂",
        "F03" => "调味品",
        "F04" => "肉类食品",
        "F05" | "F29" => "乳业",
        "F06" => "饮品",
        "F15" => "酿酒",
        "F08" | "F13" | "F24" => "食品",
        "F25" => "豆制品",
        "I01" => "钢铁",
        "I02" => "水泥",
        "I03" => "电缆",
        "I04" | "I06" | "I28" => "化工",
        "I08" => "塑料制品",
        "I11" => "燃气具",
        "I12" => "车业",
        "I14" | "I15" => "玩具",
        "I17" => "电器",
        "I20" => "安防用品",
        "I25" => "木业",
        "I27" => "陶瓷",
        _ => "实业",
    }
}

const BRANDS: &[&str] = &[
    "恒信", "华北", "金鼎", "宏达", "永安", "瑞丰", "鑫源", "东方", "长城", "燕赵", "太行", "冀中",
    "天成", "盛世", "博远", "富康", "润泽", "嘉禾", "中盛", "晨光", "万通", "新华", "康达", "星河",
    "鸿运", "安泰", "锦程", "泰和", "福源", "宝丰",
];
const SUFFIXES: &[&str] = &[
    "有限公司",
    "有限公司",
    "有限公司",
    "股份有限公司",
    "有限责任公司",
    "厂",
];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "高", "郭",
];
const GIVEN: &[&str] = &[
    "建国", "志强", "秀英", "海燕", "立新", "文博", "红梅", "国华", "晓东", "丽娟", "永刚", "春生",
    "玉兰", "明",
];
const ROADS: &[&str] = &[
    "中华大街",
    "建设路",
    "和平路",
    "胜利路",
    "人民路",
    "工业园区",
    "经济开发区",
    "裕华路",
    "新华路",
    "解放路",
];

fn area_code(city: &str) -> &'static str {
    match &city[..4] {
        "1301" => "0311",
        "1302" => "0315",
        "1303" => "0335",
        "1304" => "0310",
        "1305" => "0319",
        "1306" => "0312",
        "1307" => "0313",
        "1308" => "0314",
        "1309" => "0317",
        "1310" => "0316",
        _ => "0318",
    }
}

/// The generator's state: a seeded random source and the identifiers handed out so far.
struct Generator<'a> {
    rng: ChaCha8Rng,
    plan: &'a Plan,
    usccs: HashSet<String>,
    serial: u32,
    /// Food licence serials per (category, region): the number holds four digits for them.
    food_serials: std::collections::HashMap<(String, String), u32>,
    gtin_serial: u64,
}

/// A licence's history as it is generated, step by step.
struct History {
    at: i64,
    prev: Option<LicenceState>,
    events: Vec<LicenceStep>,
}

impl History {
    fn step(
        &mut self,
        action: &'static str,
        to: LicenceState,
        reason: Option<&str>,
        actor: &str,
        days: i64,
    ) {
        self.at += days * 86_400_000;
        self.events.push(LicenceStep {
            action,
            from: self.prev,
            to,
            actor: actor.to_owned(),
            reason: reason.map(str::to_owned),
            at: self.at,
        });
        self.prev = Some(to);
    }
}

/// The day the generated history runs up to (fixed, so the data does not depend on
/// when it is generated).
const REFERENCE_DAY: Date = date(2026, 11, 1);

fn ms(d: Date, secs: i64) -> i64 {
    d.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .map(|z| z.timestamp().as_millisecond() + secs * 1000)
        .unwrap_or(0)
}

impl<'a> Generator<'a> {
    fn new(seed: u64, plan: &'a Plan) -> Generator<'a> {
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            plan,
            usccs: HashSet::new(),
            serial: 0,
            food_serials: std::collections::HashMap::new(),
            gtin_serial: 0,
        }
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.random_range(0..items.len())]
    }

    /// A fresh, valid credit code registered in `region`.
    fn uscc(&mut self, region: &str) -> Uscc {
        loop {
            let body: String = (0..8)
                .map(|_| char::from(b'0' + self.rng.random_range(0..10u8)))
                .collect();
            let Some(org_check) = organisation_check_character(&body) else {
                continue;
            };
            let first17 = format!("91{region}{body}{org_check}");
            let Some(check) = check_character(&first17) else {
                continue;
            };
            let code = format!("{first17}{check}");
            if self.usccs.insert(code.clone())
                && let Ok(u) = Uscc::parse(&code)
            {
                return u;
            }
        }
    }

    fn day_between(&mut self, from: Date, to: Date) -> Date {
        let span = (to - from).get_days().max(1);
        from.checked_add(jiff::Span::new().days(self.rng.random_range(0..span)))
            .unwrap_or(from)
    }

    fn enterprise(&mut self) -> ImportEnterprise {
        let county = self.pick(&self.plan.counties);
        let code = county.code.as_str().to_owned();
        let uscc = self.uscc(&code);
        let (category, names, standard, industry) = self.pick(PRODUCTS);
        let city = region::parent_chain(county.code)
            .into_iter()
            .find(|r| r.code.level() == region::RegionLevel::City)
            .map_or("", |r| r.name);
        let place = city.trim_end_matches('市');
        let name = format!(
            "{place}{}{}{}",
            self.pick(BRANDS),
            trade_word(category),
            self.pick(SUFFIXES)
        );
        let registered = self.day_between(date(2008, 1, 1), date(2024, 6, 30));
        let created_at = ms(registered, self.rng.random_range(0..36_000));
        let status = match self.rng.random_range(0..100) {
            0..92 => EnterpriseStatus::Active,
            92..97 => EnterpriseStatus::Suspended,
            _ => EnterpriseStatus::Closed,
        };
        let details = EnterpriseDetails {
            address: Some(format!(
                "河北省{city}{}{}{}号",
                county.name,
                self.pick(ROADS),
                self.rng.random_range(1..400)
            )),
            legal_representative: Some(format!("{}{}", self.pick(SURNAMES), self.pick(GIVEN))),
            contact_name: Some(format!("{}{}", self.pick(SURNAMES), self.pick(GIVEN))),
            contact_phone: Some(format!(
                "{}-{}",
                area_code(&code),
                self.rng.random_range(60_000_000..89_999_999)
            )),
            industry: Some(industry.into()),
            scale: Some(match self.rng.random_range(0..100) {
                0..3 => SizeClass::Large,
                3..15 => SizeClass::Medium,
                15..60 => SizeClass::Small,
                _ => SizeClass::Micro,
            }),
            status: Some(status),
        };
        let mut products = vec![];
        for product in names.iter().take(self.rng.random_range(1..=names.len())) {
            let gtin = (self.rng.random_range(0..100) < 40).then(|| self.gtin());
            products.push(NewProduct {
                name: (*product).into(),
                specification: Some(self.spec(category)),
                standard: Some(standard.to_owned()),
                category: category.into(),
                gtin,
            });
        }
        let officer = format!("officer-{code}");
        let kind = if category.starts_with('F') {
            LicenceKind::Food
        } else {
            LicenceKind::Industrial
        };
        let needs_licence = catalogue::category(category).is_some_and(|c| {
            c.kind == CatalogueKind::Food
                || matches!(category, "I01" | "I02" | "I03" | "I04" | "I06" | "I08")
        });
        let licences = if needs_licence {
            vec![self.licence(kind, category, &code, &officer, registered)]
        } else {
            vec![]
        };
        let records = (0..self.rng.random_range(0..4))
            .map(|_| self.record(&officer))
            .collect();
        ImportEnterprise {
            enterprise: NewEnterprise {
                uscc,
                uscc_legacy: false,
                name,
                region: county.code,
                details,
            },
            created_at,
            products,
            licences,
            records,
        }
    }

    fn spec(&mut self, category: &str) -> String {
        let choices: &[&str] = match category {
            c if c.starts_with('F') => &["250mL", "500g", "1kg", "5L", "200g×12", "350mL"],
            "I01" => &["Φ12mm HRB400E", "Φ16mm HRB400E", "Φ25mm HRB500E"],
            "I02" => &["P·O 42.5", "P·C 32.5R"],
            "I03" => &["ZR-YJV 3×95", "BV 2.5mm²", "BVR 4mm²"],
            "I04" => &["98%", "工业级"],
            "I06" => &["40kg/袋", "50kg/袋"],
            "I25" => &["1220×2440×18mm E1级"],
            "I27" => &["600×600mm", "800×800mm"],
            "I28" => &["18L", "5kg"],
            "I11" => &["JZT2-B", "JSQ24-12"],
            "I12" => &["TDT-48V", "TDR-60V"],
            "I17" => &["1.7L 1800W", "4L 800W"],
            _ => &["标准型", "A型"],
        };
        self.pick(choices).into()
    }

    fn gtin(&mut self) -> Gtin {
        self.gtin_serial += 1;
        let body = format!("69{:010}", 1_000_000 + self.gtin_serial * 7);
        let digits: Vec<u8> = body.bytes().map(|b| b - b'0').collect();
        let check = gs1_check_digit(&digits);
        Gtin::parse(&format!("{body}{check}"))
            .unwrap_or_else(|e| panic!("generated GTIN {body}{check}: {e}"))
    }

    fn licence_number(&mut self, kind: LicenceKind, category: &str, region: &str) -> String {
        self.serial += 1;
        match kind {
            LicenceKind::Food => {
                let n = self
                    .food_serials
                    .entry((category.to_owned(), region.to_owned()))
                    .or_insert(0);
                *n += 1;
                let first13 = format!("1{}{region}{:04}", &category[1..3], *n % 10_000);
                let check = food_check_digit(&first13).unwrap_or(0);
                format!("SC{first13}{check}")
            }
            LicenceKind::Industrial => format!(
                "（冀）XK{}-{:03}-{:05}",
                10 + self.rng.random_range(0..30),
                self.rng.random_range(1..999),
                self.serial % 100_000
            ),
        }
    }

    fn licence(
        &mut self,
        kind: LicenceKind,
        category: &str,
        region: &str,
        officer: &str,
        registered: Date,
    ) -> ImportLicence {
        use LicenceState as S;
        let state = match self.rng.random_range(0..100) {
            0..72 => S::Issued,
            72..77 => S::Expired,
            77..80 => S::Suspended,
            80..82 => S::Revoked,
            82..85 => S::Cancelled,
            85..88 => S::Applied,
            88..90 => S::Accepted,
            90..94 => S::UnderReview,
            94..97 => S::Approved,
            _ => S::Refused,
        };
        let pending = matches!(
            state,
            S::Applied | S::Accepted | S::UnderReview | S::Approved | S::Refused
        );
        let applied = if pending {
            self.day_between(date(2026, 8, 1), REFERENCE_DAY)
        } else {
            self.day_between(registered, date(2024, 10, 1))
        };
        let mut h = History {
            at: ms(applied, 9 * 3600),
            prev: None,
            events: vec![],
        };
        h.step("apply", S::Applied, None, "demo-enterprise", 0);
        let path: &[(&'static str, S)] = match state {
            S::Applied => &[],
            S::Accepted => &[("accept", S::Accepted)],
            S::UnderReview => &[("accept", S::Accepted), ("review", S::UnderReview)],
            S::Approved => &[
                ("accept", S::Accepted),
                ("review", S::UnderReview),
                ("approve", S::Approved),
            ],
            S::Refused => &[("accept", S::Accepted), ("refuse", S::Refused)],
            _ => &[
                ("accept", S::Accepted),
                ("review", S::UnderReview),
                ("approve", S::Approved),
                ("issue", S::Issued),
            ],
        };
        for (action, to) in path {
            let reason = (*to == S::Refused).then_some("现场核查不符合生产许可条件");
            h.step(action, *to, reason, officer, 5);
        }
        let issued_on = (!pending).then(|| {
            jiff::Timestamp::from_millisecond(h.at)
                .unwrap_or_default()
                .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
                .date()
        });
        let mut valid_until =
            issued_on.and_then(|d| d.checked_add(jiff::Span::new().years(5)).ok());
        match state {
            S::Suspended => h.step(
                "suspend",
                S::Suspended,
                Some("监督抽查不合格，责令停产整改"),
                officer,
                400,
            ),
            S::Revoked => h.step(
                "revoke",
                S::Revoked,
                Some("以欺骗手段取得许可"),
                officer,
                500,
            ),
            S::Cancelled => h.step("cancel", S::Cancelled, Some("企业申请注销"), officer, 600),
            S::Expired => {
                valid_until = Some(self.day_between(date(2025, 1, 1), date(2026, 10, 1)));
                h.step("expire", S::Expired, Some("validity ended"), "system", 1800);
            }
            _ => {}
        }
        if state == S::Issued {
            // Keep issued licences in force well past the reference day.
            valid_until = Some(self.day_between(date(2027, 6, 1), date(2031, 12, 31)));
        }
        let number = (!pending).then(|| self.licence_number(kind, category, region));
        if let Some(n) = &number {
            debug_assert!(
                LicenceNumber::parse(n).is_ok(),
                "generated licence number {n}"
            );
        }
        ImportLicence {
            kind,
            number,
            state,
            scope: vec![category.to_owned()],
            valid_from: issued_on,
            valid_until,
            applied_at: ms(applied, 9 * 3600),
            events: h.events,
        }
    }

    fn record(&mut self, officer: &str) -> ImportRecord {
        let (kind, summary, findings): (&str, &str, Option<&str>) =
            match self.rng.random_range(0..5) {
                0 => ("visit", "日常巡查：查看生产场所、原料库和成品库", None),
                1 => (
                    "inspection",
                    "监督检查：核查出厂检验记录和原料进货查验记录",
                    Some("出厂检验记录不完整，已责令补齐"),
                ),
                2 => ("inspection", "监督检查：核对许可范围与实际生产品种", None),
                3 => (
                    "finding",
                    "发现问题：成品库温湿度记录缺失",
                    Some("要求三日内整改并报送整改材料"),
                ),
                _ => (
                    "interview",
                    "约谈企业负责人，通报抽检不合格情况",
                    Some("企业承诺召回同批次产品"),
                ),
            };
        let day = self.day_between(date(2023, 1, 1), REFERENCE_DAY);
        ImportRecord {
            record: NewRecord {
                kind: kind.into(),
                occurred_on: day,
                summary: summary.into(),
                findings: findings.map(str::to_owned),
            },
            author: officer.to_owned(),
            created_at: ms(day, 16 * 3600),
        }
    }
}
