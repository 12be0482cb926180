//! Credit grades in the console: an enterprise's grade with every reason and its
//! commitments (`/console/enterprises/{uscc}/grade`), the distribution by region
//! (`/console/grades`), the supervision calendar (`/console/supervision`) and the rule
//! set (`/console/grading/rules`).

use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use zhijian_core::access::{Action, Role};
use zhijian_core::grading::{CommitmentKind, Grade};

use super::chart;
use super::enterprises::Choice;
use super::paging::{Pager, page_of, pager};
use super::{ConsoleUser, Flash, Layout, respond, shanghai_text};
use crate::api::grading::{CommitmentInput, parse_commitment, put_rules};
use crate::api::verify::today;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::grading::grade_for;
use crate::lang::Lang;
use crate::state::AppState;

/// What a grading form did, carried to the next page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    /// A commitment or certification was published.
    Published,
    /// One was withdrawn.
    Withdrawn,
    /// A rule set became this version.
    RulesSet(i64),
}

impl Done {
    /// Its cookie form.
    pub fn encode(self) -> String {
        match self {
            Done::Published => "p".into(),
            Done::Withdrawn => "w".into(),
            Done::RulesSet(v) => format!("r{v}"),
        }
    }

    /// Reads [`Done::encode`].
    pub fn decode(s: &str) -> Option<Done> {
        match s {
            "p" => Some(Done::Published),
            "w" => Some(Done::Withdrawn),
            _ => s.strip_prefix('r')?.parse().ok().map(Done::RulesSet),
        }
    }

    /// The message.
    pub fn text(self, lang: Lang) -> String {
        match (self, lang) {
            (Done::Published, Lang::Zh) => "已发布，信用等级已重新计算。".into(),
            (Done::Published, Lang::En) => "Published; the grade has been recomputed.".into(),
            (Done::Withdrawn, Lang::Zh) => "已撤回，不再计入信用等级。".into(),
            (Done::Withdrawn, Lang::En) => "Withdrawn; it no longer counts.".into(),
            (Done::RulesSet(v), Lang::Zh) => {
                format!("分级规则第 {v} 版已生效，全部企业已重新评级。")
            }
            (Done::RulesSet(v), Lang::En) => {
                format!("Rule set version {v} is in force; every enterprise was regraded.")
            }
        }
    }
}

/// A grade's name with its word.
pub fn grade_label(lang: Lang, g: Grade) -> String {
    let word = match (g, lang) {
        (Grade::AA, Lang::Zh) => "诚信优秀",
        (Grade::A, Lang::Zh) => "诚信良好",
        (Grade::B, Lang::Zh) => "诚信一般",
        (Grade::C, Lang::Zh) => "诚信较差",
        (Grade::D, Lang::Zh) => "严重失信",
        (Grade::AA, Lang::En) => "excellent",
        (Grade::A, Lang::En) => "good",
        (Grade::B, Lang::En) => "fair",
        (Grade::C, Lang::En) => "poor",
        (Grade::D, Lang::En) => "failing",
    };
    format!("{} · {word}", g.as_str())
}

/// How closely a grade is supervised, in words.
pub fn intensity_label(lang: Lang, s: &str) -> String {
    let t = match (s, lang) {
        ("light", Lang::Zh) => "宽松监管",
        ("routine", Lang::Zh) => "常规监管",
        ("close", Lang::Zh) => "重点监管",
        ("intensive", Lang::Zh) => "严格监管",
        ("light", Lang::En) => "light",
        ("routine", Lang::En) => "routine",
        ("close", Lang::En) => "close",
        ("intensive", Lang::En) => "intensive",
        _ => return s.to_owned(),
    };
    t.to_owned()
}

/// A factor's name in words.
pub fn factor_label(lang: Lang, name: &str) -> String {
    let (zh, en) = match name {
        "base" => ("基础分", "Base score"),
        "licence_valid" => ("许可证有效", "Licence in force"),
        "licence_suspended" => ("许可证被暂停", "Licence suspended"),
        "licence_expired" => ("许可证已过期", "Licence expired"),
        "sampling_pass" => ("抽检合格", "Sample passed"),
        "sampling_fail" => ("抽检不合格", "Sample failed"),
        "retest_confirmed" => ("复检维持不合格", "Re-test confirmed the failure"),
        "retest_overturned" => ("复检改判合格", "Re-test overturned the failure"),
        "rectification_on_time" => ("按期整改", "Rectified on time"),
        "rectification_late" => ("逾期整改", "Rectified late"),
        "rectification_overdue" => ("整改逾期未报", "Rectification overdue"),
        "rectification_follow_up_failed" => ("整改复查不合格", "Follow-up check failed"),
        "signal_complaint" => ("投诉属实", "Substantiated complaint"),
        "signal_injury" => ("伤害报告", "Injury report"),
        "signal_incident" => ("事故报告", "Incident report"),
        "signal_recall" => ("召回", "Recall"),
        "signal_external" => ("外部预警", "External alert"),
        "signal_counterfeit" => ("被假冒（不扣分）", "Counterfeited (no penalty)"),
        "commitment" => ("质量承诺", "Quality commitment"),
        "certification" => ("认证", "Certification"),
        "cap:licence_revoked" => ("硬性规则：许可证被吊销", "Hard rule: licence revoked"),
        "cap:licence_suspended" => ("硬性规则：许可证被暂停", "Hard rule: licence suspended"),
        "cap:blacklisted" => ("硬性规则：列入黑名单", "Hard rule: blacklisted"),
        "cap:rectification_overdue" => ("硬性规则：整改逾期", "Hard rule: rectification overdue"),
        "cap:grave_signal" => (
            "硬性规则：严重伤害或事故",
            "Hard rule: grave injury or incident",
        ),
        "cap:recent_high_risk_failure" => (
            "硬性规则：一年内高风险类别抽检不合格",
            "Hard rule: high-risk failure within a year",
        ),
        other => return other.to_owned(),
    };
    lang.pick(zh, en).to_owned()
}

fn cause_label(lang: Lang, c: &str) -> String {
    match (c, lang) {
        ("record", Lang::Zh) => "档案变化".into(),
        ("nightly", Lang::Zh) => "每日重算".into(),
        ("rules", Lang::Zh) => "规则变更".into(),
        ("record", Lang::En) => "record changed".into(),
        ("nightly", Lang::En) => "nightly pass".into(),
        ("rules", Lang::En) => "new rules".into(),
        (other, _) => other.to_owned(),
    }
}

/// A link for a factor's source record, when it has a page.
fn source_href(uscc: &str, source: &str) -> Option<String> {
    let (kind, id) = source.split_once(':')?;
    match kind {
        "sample" | "rectification" => Some(format!("/console/sampling/samples/{id}")),
        "licence" => Some(format!("/console/enterprises/{uscc}#licences")),
        "commitment" => Some(format!("#commitment-{id}")),
        _ => None,
    }
}

struct FactorRow {
    name: String,
    contribution: String,
    negative: bool,
    source: String,
    href: Option<String>,
    detail: String,
}

struct HistoryRow {
    at: String,
    grade: String,
    score: i64,
    version: i64,
    cause: String,
}

struct CommitmentRow {
    id: i64,
    kind: String,
    title: String,
    body: String,
    valid_until: Option<String>,
    published: String,
    withdrawn: Option<String>,
}

#[derive(Template)]
#[template(path = "grade.html")]
struct GradePage {
    l: Layout,
    zh: bool,
    uscc: String,
    name: String,
    grade: String,
    grade_class: String,
    score: i64,
    version: i64,
    computed: String,
    interval_days: u32,
    intensity: String,
    draw_weight: f64,
    factors: Vec<FactorRow>,
    history: Vec<HistoryRow>,
    commitments: Vec<CommitmentRow>,
    can_publish: bool,
}

/// `GET /console/enterprises/{uscc}/grade`.
pub async fn grade(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    Path(uscc): Path<String>,
) -> Response {
    let lang = user.lang;
    let scoped = state.store.scoped(&user.principal);
    let (g, active) = match grade_for(&state, &user.principal, &uscc).await {
        Ok(g) => g,
        Err(e) => {
            let e = ApiError::from(e);
            return if e.status == StatusCode::NOT_FOUND {
                user.not_found()
            } else {
                user.failed(&e)
            };
        }
    };
    let commitments = match scoped.commitments(&uscc).await {
        Ok(c) => c,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let supervision = active.rules.supervision(g.grade);
    let region = zhijian_core::region::RegionCode::parse(&g.region).ok();
    // Whether this user may publish for the enterprise: the store checks again.
    let can_publish = match user.principal.scope(Action::PublishCommitment) {
        zhijian_core::access::Scope::Nothing => false,
        zhijian_core::access::Scope::Organisation(_) => user.principal.role == Role::Enterprise,
        scope => region.is_some_and(|r| scope.contains(0, r)),
    };
    let (l, shown) = user.framed(
        &format!("{} · {}", g.name, lang.pick("信用等级", "Credit grade")),
        "enterprises",
        &headers,
    );
    let view = GradePage {
        l,
        zh: lang == Lang::Zh,
        grade: grade_label(lang, g.grade),
        grade_class: g.grade.as_str().to_lowercase(),
        score: g.score,
        version: g.rules_version,
        computed: shanghai_text(&g.computed_at),
        interval_days: supervision.interval_days,
        intensity: intensity_label(lang, &supervision.intensity),
        draw_weight: supervision.draw_weight,
        factors: g
            .factors
            .iter()
            .map(|f| FactorRow {
                name: factor_label(lang, &f.name),
                contribution: if f.contribution > 0.0 {
                    format!("+{:.1}", f.contribution)
                } else {
                    format!("{:.1}", f.contribution)
                },
                negative: f.contribution < 0.0,
                source: f.source.clone(),
                href: source_href(&g.uscc, &f.source),
                detail: f.detail.clone(),
            })
            .collect(),
        history: g
            .history
            .iter()
            .map(|h| HistoryRow {
                at: shanghai_text(&h.at),
                grade: h.grade.as_str().to_owned(),
                score: h.score,
                version: h.rules_version,
                cause: cause_label(lang, &h.cause),
            })
            .collect(),
        commitments: commitments
            .into_iter()
            .map(|c| CommitmentRow {
                id: c.id,
                kind: match c.kind {
                    CommitmentKind::Commitment => lang.pick("质量承诺", "Commitment"),
                    CommitmentKind::Certification => lang.pick("认证", "Certification"),
                }
                .to_owned(),
                title: c.title,
                body: c.body,
                valid_until: c.valid_until,
                published: shanghai_text(&c.published_at),
                withdrawn: c.withdrawn_at.as_deref().map(shanghai_text),
            })
            .collect(),
        can_publish,
        uscc: g.uscc,
        name: g.name,
    };
    respond(StatusCode::OK, &view, shown)
}

/// `GET /console/my-grade`: an enterprise's own grade page.
pub async fn mine(State(state): State<AppState>, user: ConsoleUser) -> Response {
    let Some(org) = user
        .principal
        .org_id
        .filter(|_| user.principal.role == Role::Enterprise)
    else {
        return user.not_found();
    };
    match state.store.organisation(org).await {
        Ok(Some(o)) => match o.uscc {
            Some(uscc) => super::redirect_with(&format!("/console/enterprises/{uscc}/grade"), &[]),
            None => user.not_found(),
        },
        Ok(None) => user.not_found(),
        Err(e) => user.failed(&ApiError::from(e)),
    }
}

/// The commitment form.
#[derive(Debug, Default, Deserialize)]
pub struct CommitmentForm {
    csrf: Option<String>,
    kind: Option<String>,
    title: Option<String>,
    body: Option<String>,
    valid_until: Option<String>,
}

/// `POST /console/enterprises/{uscc}/commitments`.
pub async fn publish(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(uscc): Path<String>,
    form: Result<Form<CommitmentForm>, FormRejection>,
) -> Response {
    let Form(f) = form.unwrap_or_default();
    if !user.csrf_ok(f.csrf.as_deref().unwrap_or("")) {
        return user.csrf_refused();
    }
    let back = format!("/console/enterprises/{uscc}/grade");
    let outcome = async {
        let kind = CommitmentKind::parse(f.kind.as_deref().unwrap_or("")).ok_or_else(|| {
            ApiError::invalid(
                "commitment_kind",
                "kind",
                "choose a commitment or a certification",
            )
        })?;
        let new = parse_commitment(CommitmentInput {
            kind,
            title: f.title.unwrap_or_default(),
            body: f.body.unwrap_or_default(),
            valid_until: f.valid_until,
        })?;
        state
            .store
            .scoped(&user.principal)
            .add_commitment(&uscc, &new)
            .await?;
        Ok(Flash::Grading(Done::Published))
    }
    .await;
    user.after_post(&back, outcome)
}

/// The withdrawal form.
#[derive(Debug, Default, Deserialize)]
pub struct WithdrawForm {
    csrf: Option<String>,
}

/// `POST /console/enterprises/{uscc}/commitments/{id}/withdraw`.
pub async fn withdraw(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((uscc, id)): Path<(String, String)>,
    form: Result<Form<WithdrawForm>, FormRejection>,
) -> Response {
    let Form(f) = form.unwrap_or_default();
    let id = match user.form_target(f.csrf.as_deref(), &id) {
        Ok(id) => id,
        Err(refused) => return *refused,
    };
    let outcome = state
        .store
        .scoped(&user.principal)
        .withdraw_commitment(&uscc, id)
        .await
        .map(|()| Flash::Grading(Done::Withdrawn))
        .map_err(ApiError::from);
    user.after_post(&format!("/console/enterprises/{uscc}/grade"), outcome)
}

/// Filters of the distribution page.
#[derive(Debug, Default, Deserialize)]
pub struct DistributionParams {
    region: Option<String>,
    category: Option<String>,
}

struct RegionRow {
    name: String,
    href: Option<String>,
    counts: Vec<i64>,
    total: i64,
}

#[derive(Template)]
#[template(path = "grades.html")]
struct GradesPage {
    l: Layout,
    zh: bool,
    area: String,
    total: i64,
    counts: Vec<(String, String, i64)>,
    rows: Vec<RegionRow>,
    chart_svg: String,
    tile_svg: Option<String>,
    categories: Vec<Choice>,
    region: String,
    grades: Vec<&'static str>,
}

/// `GET /console/grades` (bureaus): the grade distribution.
pub async fn distribution(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    params: Result<Query<DistributionParams>, QueryRejection>,
) -> Response {
    if !user.is_bureau() {
        return user.not_found();
    }
    let lang = user.lang;
    let p = params.map(|Query(p)| p).unwrap_or_default();
    let region = p
        .region
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .and_then(|r| zhijian_core::region::RegionCode::parse(r).ok());
    let category = p
        .category
        .as_deref()
        .map(str::trim)
        .filter(|c| zhijian_core::catalogue::category(c).is_some());
    let d = match state
        .store
        .scoped(&user.principal)
        .grade_distribution(region, category)
        .await
    {
        Ok(d) => d,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let rows: Vec<RegionRow> = d
        .regions
        .iter()
        .map(|r| {
            let counts: Vec<i64> = r.counts.iter().map(|c| c.count).collect();
            RegionRow {
                name: super::i18n::region_name(&r.region),
                // Counties are the last level with children worth a page.
                href: (r.region.trim_end_matches('0').len() <= 4).then(|| {
                    format!(
                        "/console/grades?region={}{}",
                        r.region,
                        category.map_or(String::new(), |c| format!("&category={c}"))
                    )
                }),
                total: counts.iter().sum(),
                counts,
            }
        })
        .collect();
    let chart_svg = chart::stacked_bar_chart(
        lang.pick("各地区信用等级分布", "Grades by region"),
        &Grade::ALL.map(|g| g.as_str()),
        &rows
            .iter()
            .map(|r| (r.name.clone(), r.counts.clone()))
            .collect::<Vec<_>>(),
    );
    // The share of poor grades (C and D) per region, as a tile map where there is one.
    let tile_svg = super::tilemap::layout_for(&d.region).map(|layout| {
        let share = |r: &RegionRow| {
            if r.total == 0 {
                0.0
            } else {
                (r.counts[3] + r.counts[4]) as f64 / r.total as f64
            }
        };
        let max = rows.iter().map(share).fold(0.0, f64::max);
        let tiles: Vec<super::tilemap::Tile> = d
            .regions
            .iter()
            .zip(&rows)
            .map(|(r, row)| super::tilemap::Tile {
                code: r.region.clone(),
                name: row.name.clone(),
                value: format!("{:.1}%", share(row) * 100.0),
                step: super::tilemap::step(share(row), max),
            })
            .collect();
        super::tilemap::tile_map(
            lang.pick("C、D 级企业占比", "Share of C and D grades"),
            layout,
            &tiles,
        )
    });
    let (l, shown) = user.framed(
        lang.pick("信用等级分布", "Credit grades"),
        "grades",
        &headers,
    );
    let view = GradesPage {
        l,
        zh: lang == Lang::Zh,
        area: if d.region.is_empty() {
            lang.pick("全国", "Whole country").to_owned()
        } else {
            super::i18n::region_name(&d.region)
        },
        total: d.counts.iter().map(|c| c.count).sum(),
        counts: d
            .counts
            .iter()
            .map(|c| {
                (
                    c.grade.as_str().to_lowercase(),
                    grade_label(lang, c.grade),
                    c.count,
                )
            })
            .collect(),
        rows,
        chart_svg,
        tile_svg,
        categories: std::iter::once(Choice {
            value: String::new(),
            label: lang.pick("全部类别", "All categories").to_owned(),
            selected: category.is_none(),
        })
        .chain(zhijian_core::catalogue::CATEGORIES.iter().map(|c| Choice {
            value: c.id.to_owned(),
            label: format!("{} {}", c.id, lang.pick(c.name_zh, c.name_en)),
            selected: category == Some(c.id),
        }))
        .collect(),
        region: d.region.clone(),
        grades: Grade::ALL.map(|g| g.as_str()).to_vec(),
    };
    respond(StatusCode::OK, &view, shown)
}

/// Filters of the supervision calendar.
#[derive(Debug, Default, Deserialize)]
pub struct DueParams {
    within: Option<String>,
    grade: Option<String>,
    page: Option<String>,
}

struct DueRow {
    uscc: String,
    name: String,
    region: String,
    grade: String,
    grade_class: String,
    last: Option<String>,
    due_on: Option<String>,
    overdue: bool,
    intensity: String,
}

#[derive(Template)]
#[template(path = "supervision.html")]
struct DuePage {
    l: Layout,
    zh: bool,
    rows: Vec<DueRow>,
    pager: Pager,
    within: Vec<Choice>,
    grades: Vec<Choice>,
}

/// `GET /console/supervision` (bureaus): who is due for inspection.
pub async fn due(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    params: Result<Query<DueParams>, QueryRejection>,
) -> Response {
    if !user.is_bureau() {
        return user.not_found();
    }
    let lang = user.lang;
    let p = params.map(|Query(p)| p).unwrap_or_default();
    let within: u16 = p
        .within
        .as_deref()
        .and_then(|w| w.trim().parse().ok())
        .filter(|w| *w <= 366)
        .unwrap_or(30);
    let grade = p.grade.as_deref().and_then(Grade::parse);
    let page = page_of(p.page.as_deref());
    let active = match state.grading.current(&state.store).await {
        Ok(a) => a,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let today = today();
    let until = today
        .checked_add(jiff::Span::new().days(i64::from(within)))
        .unwrap_or(today);
    let found = match state
        .store
        .scoped(&user.principal)
        .supervision_due(&active.rules, until, grade, page)
        .await
    {
        Ok(f) => f,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let base = format!(
        "/console/supervision?within={within}{}&",
        grade.map_or(String::new(), |g| format!("&grade={}", g.as_str()))
    );
    let total_text = match lang {
        Lang::Zh => format!("{within} 天内应检查 {} 家企业", found.total),
        Lang::En => format!("{} enterprises due within {within} days", found.total),
    };
    let today_text = today.to_string();
    let (l, shown) = user.framed(
        lang.pick("分类监管日程", "Supervision calendar"),
        "grades",
        &headers,
    );
    let view = DuePage {
        l,
        zh: lang == Lang::Zh,
        pager: pager(lang, found.total, page.page, &base, total_text),
        rows: found
            .items
            .into_iter()
            .map(|d| DueRow {
                overdue: !d.due_on.is_empty() && d.due_on < today_text,
                grade: grade_label(lang, d.grade),
                grade_class: d.grade.as_str().to_lowercase(),
                region: super::i18n::region_name(&d.region),
                intensity: intensity_label(lang, &d.intensity),
                due_on: (!d.due_on.is_empty()).then_some(d.due_on),
                last: d.last_inspected,
                uscc: d.uscc,
                name: d.name,
            })
            .collect(),
        within: [7u16, 30, 90, 365]
            .into_iter()
            .map(|w| Choice {
                value: w.to_string(),
                label: match lang {
                    Lang::Zh => format!("{w} 天内"),
                    Lang::En => format!("within {w} days"),
                },
                selected: w == within,
            })
            .collect(),
        grades: std::iter::once(Choice {
            value: String::new(),
            label: lang.pick("全部等级", "All grades").to_owned(),
            selected: grade.is_none(),
        })
        .chain(Grade::ALL.iter().map(|g| Choice {
            value: g.as_str().to_owned(),
            label: grade_label(lang, *g),
            selected: grade == Some(*g),
        }))
        .collect(),
    };
    respond(StatusCode::OK, &view, shown)
}

#[derive(Template)]
#[template(path = "grading_rules.html")]
struct RulesPage {
    l: Layout,
    zh: bool,
    version: i64,
    set_by: Option<String>,
    set_at: Option<String>,
    body: String,
    draft: String,
    error: Option<String>,
    can_set: bool,
}

async fn rules_page(
    state: &AppState,
    user: &ConsoleUser,
    headers: &HeaderMap,
    draft: Option<String>,
    error: Option<String>,
) -> Response {
    let lang = user.lang;
    let set = match state.store.grading_rules().await {
        Ok(s) => s,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let (l, shown) = user.framed(lang.pick("分级规则", "Grading rules"), "grades", headers);
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = RulesPage {
        l,
        zh: lang == Lang::Zh,
        version: set.version,
        set_by: set.set_by,
        set_at: set.set_at.as_deref().map(shanghai_text),
        draft: draft.unwrap_or_else(|| set.body.clone()),
        body: set.body,
        error,
        can_set: user.principal.role == Role::Admin,
    };
    respond(status, &view, shown)
}

/// `GET /console/grading/rules` (bureaus).
pub async fn rules(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
) -> Response {
    if !user.is_bureau() {
        return user.not_found();
    }
    rules_page(&state, &user, &headers, None, None).await
}

/// The rule-set form.
#[derive(Debug, Default, Deserialize)]
pub struct RulesForm {
    csrf: Option<String>,
    body: Option<String>,
}

/// `POST /console/grading/rules` (admins): a refused rule set comes back in the form
/// with its line and reason, so that nothing typed is lost.
pub async fn set_rules(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    form: Result<Form<RulesForm>, FormRejection>,
) -> Response {
    let Form(f) = form.unwrap_or_default();
    if !user.csrf_ok(f.csrf.as_deref().unwrap_or("")) {
        return user.csrf_refused();
    }
    if user.principal.role != Role::Admin {
        return user.not_found();
    }
    let body = f.body.unwrap_or_default().replace("\r\n", "\n");
    let who = Authed(user.principal.clone());
    match put_rules(&state, &who, &body).await {
        Ok(r) => user.after_post(
            "/console/grading/rules",
            Ok(Flash::Grading(Done::RulesSet(r.version))),
        ),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let text = match user.lang {
                Lang::Zh => format!("规则未生效，原规则继续使用：{}", e.detail_en),
                Lang::En => format!("Not set; the rules in force stay: {}", e.detail_en),
            };
            rules_page(&state, &user, &headers, Some(body), Some(text)).await
        }
        Err(e) => user.failed(&e),
    }
}

/// The grade shown on an archive page: the grade, the score and the supervision.
pub struct GradeBadge {
    /// "A · 诚信良好".
    pub label: String,
    /// CSS suffix (`aa`, `a`, …).
    pub class: String,
    /// The score.
    pub score: i64,
    /// "常规监管 · 每 365 天".
    pub supervision: String,
}

/// The grade badge of an archive (recomputed, as the grade page does); `None` when it
/// cannot be read.
pub async fn badge(state: &AppState, user: &ConsoleUser, uscc: &str) -> Option<GradeBadge> {
    let (g, active) = grade_for(state, &user.principal, uscc).await.ok()?;
    let s = active.rules.supervision(g.grade);
    let lang = user.lang;
    Some(GradeBadge {
        label: grade_label(lang, g.grade),
        class: g.grade.as_str().to_lowercase(),
        score: g.score,
        supervision: match lang {
            Lang::Zh => format!(
                "{} · 每 {} 天检查",
                intensity_label(lang, &s.intensity),
                s.interval_days
            ),
            Lang::En => format!(
                "{} supervision · inspected every {} days",
                intensity_label(lang, &s.intensity),
                s.interval_days
            ),
        },
    })
}
