//! `/console/warnings`: the risk warnings of a bureau's region (filters by level, status
//! and category, paged), and one warning's page with its evidence, history and the
//! lifecycle and publication forms for officers.

use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use zhijian_core::access::Role;
use zhijian_core::catalogue;
use zhijian_core::risk::{Level, WarningKind, WarningStatus};
use zhijian_store::warnings::{Warning, WarningDetail};

use super::paging::{Pager, page_of, pager};
use super::{ConsoleUser, Flash, Layout, i18n, respond, shanghai_text};
use crate::api::warnings::WarningQuery;
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

const PAGE: &str = "/console/warnings";

/// A level's name: `红色（Ⅰ级）`, `Red (I)`.
pub fn level_name(lang: Lang, l: Level) -> String {
    let (zh, en) = match l {
        Level::Red => ("红色", "Red"),
        Level::Orange => ("橙色", "Orange"),
        Level::Yellow => ("黄色", "Yellow"),
        Level::Blue => ("蓝色", "Blue"),
    };
    match lang {
        Lang::Zh => format!("{zh}（{}级）", l.numeral()),
        Lang::En => format!("{en} ({})", l.numeral()),
    }
}

/// A status's name.
pub fn status_name(lang: Lang, s: WarningStatus) -> &'static str {
    match s {
        WarningStatus::Raised => lang.pick("已发布待签收", "Raised"),
        WarningStatus::Acknowledged => lang.pick("已签收", "Acknowledged"),
        WarningStatus::Measures => lang.pick("处置中", "Measures under way"),
        WarningStatus::Closed => lang.pick("已关闭", "Closed"),
    }
}

/// The button that moves a warning to a status.
fn action_name(lang: Lang, s: WarningStatus) -> &'static str {
    match s {
        WarningStatus::Raised => "",
        WarningStatus::Acknowledged => lang.pick("签收", "Acknowledge"),
        WarningStatus::Measures => lang.pick("登记处置措施", "Record measures"),
        WarningStatus::Closed => lang.pick("关闭预警", "Close"),
    }
}

/// A kind's name.
pub fn kind_name(lang: Lang, kind: &str) -> &'static str {
    match WarningKind::parse(kind) {
        Some(WarningKind::FailureRate) => lang.pick("抽检不合格率升高", "Failure rate up"),
        Some(WarningKind::ComplaintSurge) => lang.pick("投诉举报激增", "Complaint surge"),
        Some(WarningKind::CounterfeitSurge) => lang.pick("假冒信号激增", "Counterfeit surge"),
        Some(WarningKind::Cluster) => lang.pick("伤害事件聚集", "Cluster of harm reports"),
        None => "",
    }
}

/// A signal kind's name.
fn signal_kind_name(lang: Lang, kind: &str) -> &'static str {
    match kind {
        "sample_failed" => lang.pick("抽检不合格", "Sampling failure"),
        "counterfeit" => lang.pick("假冒信号", "Counterfeit"),
        "complaint" => lang.pick("投诉举报", "Complaint"),
        "injury" => lang.pick("伤害报告", "Injury"),
        "incident" => lang.pick("事件报告", "Incident"),
        "external" => lang.pick("外部预警", "External alert"),
        "recall" => lang.pick("召回", "Recall"),
        _ => "",
    }
}

struct Row {
    id: i64,
    level: &'static str,
    level_name: String,
    kind: String,
    category: String,
    region: String,
    raised_at: String,
    status: &'static str,
    status_name: &'static str,
    evidence: i64,
    public: bool,
}

fn row(lang: Lang, w: &Warning) -> Row {
    Row {
        id: w.id,
        level: w.level.as_str(),
        level_name: level_name(lang, w.level),
        kind: kind_name(lang, &w.kind).to_owned(),
        category: i18n::category(lang, &w.category),
        region: i18n::region_name(&w.region),
        raised_at: shanghai_text(&w.raised_at),
        status: w.status.as_str(),
        status_name: status_name(lang, w.status),
        evidence: w.evidence_count,
        public: w.public,
    }
}

#[derive(Template)]
#[template(path = "warnings.html")]
struct ListPage {
    l: Layout,
    zh: bool,
    rows: Vec<Row>,
    pager: Pager,
    level: String,
    status: String,
    category: String,
    levels: Vec<(&'static str, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, String)>,
}

/// The list's query, as the form sends it.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    level: Option<String>,
    status: Option<String>,
    category: Option<String>,
    page: Option<String>,
}

/// `GET /console/warnings`.
pub async fn list(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Response {
    if !user.is_bureau() {
        return user.not_found();
    }
    let lang = user.lang;
    let p = params.map(|Query(p)| p).unwrap_or_default();
    let keep = |v: &Option<String>| v.clone().unwrap_or_default().trim().to_owned();
    let (level, status, category) = (keep(&p.level), keep(&p.status), keep(&p.category));
    let page = page_of(p.page.as_deref());
    let q = WarningQuery {
        level: Some(level.clone()),
        status: Some(status.clone()),
        category: Some(category.clone()),
        region: None,
        kind: None,
        page: Some(page.page),
        per_page: Some(page.per_page),
    };
    let found = match crate::api::warnings::filter(&q) {
        Ok((f, page)) => state.store.scoped(&user.principal).warnings(&f, page).await,
        Err(e) => return user.failed(&e),
    };
    let found = match found {
        Ok(f) => f,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let (l, shown) = user.framed(lang.pick("风险预警", "Risk warnings"), "warnings", &headers);
    let total = match lang {
        Lang::Zh => format!("共 {} 条预警", found.total),
        Lang::En => format!("{} warnings", found.total),
    };
    let base = format!(
        "{PAGE}?level={}&status={}&category={}&",
        super::pct_encode(&level),
        super::pct_encode(&status),
        super::pct_encode(&category)
    );
    let view = ListPage {
        l,
        zh: lang == Lang::Zh,
        rows: found.items.iter().map(|w| row(lang, w)).collect(),
        pager: pager(lang, found.total, page.page, &base, total),
        levels: Level::ALL
            .into_iter()
            .map(|l| (l.as_str(), level_name(lang, l)))
            .collect(),
        statuses: [("open", lang.pick("未关闭", "Open"))]
            .into_iter()
            .chain(
                WarningStatus::ALL
                    .into_iter()
                    .map(|s| (s.as_str(), status_name(lang, s))),
            )
            .collect(),
        categories: catalogue::CATEGORIES
            .iter()
            .map(|c| (c.id, i18n::category(lang, c.id)))
            .collect(),
        level,
        status,
        category,
    };
    respond(StatusCode::OK, &view, shown)
}

struct Evidence {
    id: i64,
    kind: &'static str,
    at: String,
    region: String,
    enterprise: String,
    severity: i64,
}

struct Step {
    status: &'static str,
    note: String,
    actor: String,
    at: String,
}

#[derive(Template)]
#[template(path = "warning.html")]
struct OnePage {
    l: Layout,
    zh: bool,
    w: Row,
    owner: String,
    measures: String,
    numbers: Vec<(&'static str, String)>,
    evidence: Vec<Evidence>,
    enterprises: Vec<(String, String)>,
    steps: Vec<Step>,
    /// The next status and its button, when the caller may move it.
    next: Option<(&'static str, &'static str)>,
    can_publish: bool,
}

fn numbers(lang: Lang, d: &serde_json::Value) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let num = |k: &str| d.get(k).and_then(serde_json::Value::as_f64);
    if let Some(v) = num("observed") {
        out.push((lang.pick("观测数", "Observed"), format!("{v:.0}")));
    }
    if let Some(v) = num("expected") {
        out.push((lang.pick("基线期望", "Expected"), format!("{v:.1}")));
    }
    if let Some(v) = num("tested") {
        out.push((lang.pick("检验批次", "Tested"), format!("{v:.0}")));
    }
    if let (Some(r), Some(b)) = (num("rate"), num("baseline_rate")) {
        out.push((
            lang.pick("不合格率 / 基线", "Failure rate / baseline"),
            format!("{:.1}% / {:.1}%", r * 100.0, b * 100.0),
        ));
    }
    if let Some(v) = num("p_value") {
        out.push((lang.pick("p 值", "p-value"), format!("{v:.2e}")));
    }
    if let Some(v) = num("cusum") {
        out.push(("CUSUM", format!("{v:.2}")));
    }
    if let Some(v) = num("score") {
        out.push((
            lang.pick("证据强度（log₁₀）", "Evidence (log₁₀)"),
            format!("{v:.1}"),
        ));
    }
    out
}

fn may_act(user: &ConsoleUser) -> bool {
    matches!(user.principal.role, Role::Officer | Role::Admin)
}

/// `GET /console/warnings/{id}`.
pub async fn one(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = super::fields::id_of(&id) else {
        return user.not_found();
    };
    if !user.is_bureau() {
        return user.not_found();
    }
    let d: WarningDetail = match state.store.scoped(&user.principal).warning(id).await {
        Ok(d) => d,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let lang = user.lang;
    let title = format!("{} {}", lang.pick("风险预警", "Risk warning"), d.warning.id);
    let (l, shown) = user.framed(&title, "warnings", &headers);
    let next = d
        .warning
        .status
        .next()
        .filter(|_| may_act(&user))
        .map(|s| (s.as_str(), action_name(lang, s)));
    let view = OnePage {
        l,
        zh: lang == Lang::Zh,
        owner: d.warning.owner.clone().unwrap_or_default(),
        measures: d.warning.measures.clone().unwrap_or_default(),
        numbers: numbers(lang, &d.warning.detail),
        evidence: d
            .evidence
            .iter()
            .map(|s| Evidence {
                id: s.id,
                kind: signal_kind_name(lang, &s.kind),
                at: shanghai_text(&s.at),
                region: i18n::region_name(&s.region),
                enterprise: s.enterprise_name.clone().unwrap_or_default(),
                severity: s.severity,
            })
            .collect(),
        enterprises: d
            .enterprises
            .iter()
            .map(|e| (e.uscc.clone(), e.name.clone()))
            .collect(),
        steps: d
            .steps
            .iter()
            .map(|s| Step {
                status: status_name(lang, s.status),
                note: s.note.clone(),
                actor: s.actor.clone(),
                at: shanghai_text(&s.at),
            })
            .collect(),
        next,
        can_publish: may_act(&user),
        w: row(lang, &d.warning),
    };
    respond(StatusCode::OK, &view, shown)
}

/// The lifecycle form.
#[derive(Debug, Default, Deserialize)]
pub struct TransitionForm {
    csrf: Option<String>,
    to: Option<String>,
    note: Option<String>,
}

/// `POST /console/warnings/{id}/transition`.
pub async fn transition(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
    form: Result<Form<TransitionForm>, FormRejection>,
) -> Response {
    let Form(form) = form.unwrap_or_default();
    let id = match user.form_target(form.csrf.as_deref(), &id) {
        Ok(id) => id,
        Err(refused) => return *refused,
    };
    let outcome = match WarningStatus::parse(form.to.as_deref().unwrap_or("").trim()) {
        None => Err(ApiError::invalid(
            "status_unknown",
            "to",
            "choose acknowledged, measures or closed",
        )),
        Some(to) => state
            .store
            .scoped(&user.principal)
            .transition_warning(id, to, form.note.as_deref().unwrap_or("").trim())
            .await
            .map(|d| Flash::Warning(d.warning.status.as_str().to_owned()))
            .map_err(ApiError::from),
    };
    user.after_post(&format!("{PAGE}/{id}"), outcome)
}

/// The publication form.
#[derive(Debug, Default, Deserialize)]
pub struct PublishForm {
    csrf: Option<String>,
    public: Option<String>,
}

/// `POST /console/warnings/{id}/publish`.
pub async fn publish(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
    form: Result<Form<PublishForm>, FormRejection>,
) -> Response {
    let Form(form) = form.unwrap_or_default();
    let id = match user.form_target(form.csrf.as_deref(), &id) {
        Ok(id) => id,
        Err(refused) => return *refused,
    };
    let public = form.public.as_deref() != Some("false");
    let outcome = state
        .store
        .scoped(&user.principal)
        .publish_warning(id, public)
        .await
        .map(|w| Flash::Warning(if w.public { "public" } else { "withdrawn" }.to_owned()))
        .map_err(ApiError::from);
    user.after_post(&format!("{PAGE}/{id}"), outcome)
}

/// The flash text after a warning form.
pub fn done_text(lang: Lang, what: &str) -> String {
    match what {
        "public" => lang
            .pick("预警已向社会公开。", "The warning is public.")
            .to_owned(),
        "withdrawn" => lang
            .pick("预警已撤回公开。", "The warning is no longer public.")
            .to_owned(),
        s => match WarningStatus::parse(s) {
            Some(s) => format!(
                "{}{}",
                lang.pick("预警状态：", "The warning is now: "),
                status_name(lang, s)
            ),
            None => String::new(),
        },
    }
}

struct TopRisk {
    id: i64,
    level: &'static str,
    level_name: String,
    kind: &'static str,
    category: String,
    region: String,
    evidence: i64,
}

struct RiskRow {
    code: String,
    name: String,
    open: [i64; 4],
    signals: i64,
}

#[derive(Template)]
#[template(path = "risk.html")]
struct RiskPage {
    l: Layout,
    zh: bool,
    rows: Vec<RiskRow>,
    trend_svg: String,
    tile_svg: Option<String>,
    top: Vec<TopRisk>,
}

/// `GET /console/risk`: open warnings and recent signals per city, and signals a week.
pub async fn dashboard(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
) -> Response {
    if !user.is_bureau() {
        return user.not_found();
    }
    let lang = user.lang;
    let now = jiff::Timestamp::now();
    let weeks = 26;
    let o = match state
        .store
        .scoped(&user.principal)
        .risk_overview(now.as_millisecond(), weeks)
        .await
    {
        Ok(o) => o,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    // The top risks: the open warnings, gravest level first, then the most evidence.
    let open = zhijian_store::warnings::WarningFilter {
        open: true,
        ..Default::default()
    };
    let mut top: Vec<Warning> = match state
        .store
        .scoped(&user.principal)
        .warnings(
            &open,
            zhijian_core::page::Page {
                page: 1,
                per_page: 500,
            },
        )
        .await
    {
        Ok(p) => p.items,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    top.sort_by_key(|w| (w.level, std::cmp::Reverse(w.evidence_count), w.id));
    let top: Vec<TopRisk> = top
        .into_iter()
        .take(10)
        .map(|w| TopRisk {
            id: w.id,
            level: w.level.as_str(),
            level_name: level_name(lang, w.level),
            kind: kind_name(lang, &w.kind),
            category: i18n::category(lang, &w.category),
            region: i18n::region_name(&w.region),
            evidence: w.evidence_count,
        })
        .collect();
    let (l, shown) = user.framed(lang.pick("风险概览", "Risk overview"), "warnings", &headers);
    let rows: Vec<RiskRow> = o
        .regions
        .iter()
        .map(|r| {
            let code = format!("{:0<6}", r.prefix);
            RiskRow {
                name: i18n::region_name(&code),
                code,
                open: r.open,
                signals: r.signals,
            }
        })
        .collect();
    // Open warnings per city on the tile map, coloured by the gravest level open there.
    // The caller's province shows its cities; the country, its provinces.
    let tile_svg = super::tilemap::layout_for(user.principal.region.as_str()).map(|layout| {
        let tiles: Vec<super::tilemap::Tile> = rows
            .iter()
            .map(|r| super::tilemap::Tile {
                code: r.code.clone(),
                name: r.name.clone(),
                value: r.open.iter().sum::<i64>().to_string(),
                // red, orange, yellow, blue → 4, 3, 2, 1
                step: r
                    .open
                    .iter()
                    .position(|&n| n > 0)
                    .map_or(0, |i| 4 - i as u8),
            })
            .collect();
        super::tilemap::tile_map(
            lang.pick("各地未关闭的风险预警", "Open warnings by region"),
            layout,
            &tiles,
        )
    });
    let labels: Vec<String> = (0..weeks)
        .map(|i| {
            let end = now - jiff::SignedDuration::from_hours(24 * 7 * (weeks - 1 - i));
            super::shanghai_text(&end.to_string())
                .get(5..10)
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    let counts: Vec<u64> = o
        .weekly
        .iter()
        .map(|n| u64::try_from(*n).unwrap_or(0))
        .collect();
    let view = RiskPage {
        l,
        zh: lang == Lang::Zh,
        rows,
        tile_svg,
        top,
        trend_svg: super::chart::count_chart(
            lang.pick("每周风险信号", "Risk signals a week"),
            &labels,
            &counts,
        ),
    };
    respond(StatusCode::OK, &view, shown)
}
