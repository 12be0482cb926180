//! Recalls in the console: the list with the form that starts one (`/console/recalls`)
//! and a recall's page with its batches, parties, effectiveness and the forms that
//! confirm, acknowledge and close it.

use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use zhijian_core::access::{Action, Role, Scope};
use zhijian_core::recall::{RecallStatus, RiskClass};
use zhijian_store::recalls::NewRecall;

use super::enterprises::Choice;
use super::paging::{Pager, page_of, pager};
use super::{ConsoleUser, Flash, Layout, respond, shanghai_text};
use crate::api::trace::recall_scope;
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

const PAGE: &str = "/console/recalls";

/// What a recall form did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    /// Started (pending or in force).
    Started,
    /// Confirmed: in force.
    Confirmed,
    /// Acknowledged.
    Acknowledged,
    /// Closed.
    Closed,
    /// A progress report filed.
    Reported,
}

impl Done {
    /// Its cookie form.
    pub fn encode(self) -> &'static str {
        match self {
            Done::Started => "s",
            Done::Confirmed => "f",
            Done::Acknowledged => "a",
            Done::Closed => "c",
            Done::Reported => "r",
        }
    }

    /// Reads [`Done::encode`].
    pub fn decode(s: &str) -> Option<Done> {
        [
            Done::Started,
            Done::Confirmed,
            Done::Acknowledged,
            Done::Closed,
            Done::Reported,
        ]
        .into_iter()
        .find(|d| d.encode() == s)
    }

    /// The message.
    pub fn text(self, lang: Lang) -> &'static str {
        match self {
            Done::Started => lang.pick("召回已登记。", "The recall is recorded."),
            Done::Confirmed => lang.pick(
                "召回已确认生效，相关单位已通知。",
                "The recall is in force; its parties are told.",
            ),
            Done::Acknowledged => lang.pick("已确认收到召回通知。", "Acknowledged."),
            Done::Closed => lang.pick("召回已结束。", "The recall is closed."),
            Done::Reported => lang.pick("进展报告已提交。", "The progress report is filed."),
        }
    }
}

/// A risk class in words.
pub fn class_label(lang: Lang, c: RiskClass) -> String {
    let word = match (c, lang) {
        (RiskClass::I, Lang::Zh) => "可能造成严重伤害或死亡",
        (RiskClass::II, Lang::Zh) => "可能造成一般或可恢复的伤害",
        (RiskClass::III, Lang::Zh) => "一般不会造成伤害",
        (RiskClass::I, Lang::En) => "serious injury or death likely",
        (RiskClass::II, Lang::En) => "temporary or reversible harm",
        (RiskClass::III, Lang::En) => "harm unlikely",
    };
    match lang {
        Lang::Zh => format!("{}级 · {word}", c.as_str()),
        Lang::En => format!("Class {} · {word}", c.as_str()),
    }
}

fn status_label(lang: Lang, s: RecallStatus) -> &'static str {
    match s {
        RecallStatus::Pending => lang.pick("待确认", "Pending"),
        RecallStatus::Active => lang.pick("实施中", "In force"),
        RecallStatus::Closed => lang.pick("已结束", "Closed"),
    }
}

fn kind_label(lang: Lang, kind: &str) -> &'static str {
    if kind == "ordered" {
        lang.pick("责令召回", "Ordered")
    } else {
        lang.pick("主动召回", "Voluntary")
    }
}

fn status_tone(s: RecallStatus) -> &'static str {
    match s {
        RecallStatus::Pending => "tone-warn",
        RecallStatus::Active => "tone-bad",
        RecallStatus::Closed => "badge-closed",
    }
}

struct Row {
    id: i64,
    product: String,
    enterprise: String,
    lots: String,
    class: String,
    class_tag: &'static str,
    kind: &'static str,
    status: &'static str,
    tone: &'static str,
    created: String,
}

#[derive(Template)]
#[template(path = "recalls.html")]
struct ListPage {
    l: Layout,
    zh: bool,
    rows: Vec<Row>,
    pager: Pager,
    statuses: Vec<Choice>,
    classes: Vec<Choice>,
    can_start: bool,
    ordering: bool,
}

/// The list's filters.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    status: Option<String>,
    page: Option<String>,
}

/// `GET /console/recalls`.
pub async fn list(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Response {
    let lang = user.lang;
    let p = params.map(|Query(p)| p).unwrap_or_default();
    let status = p.status.as_deref().and_then(RecallStatus::parse);
    let page = page_of(p.page.as_deref());
    let found = match state
        .store
        .scoped(&user.principal)
        .recalls(status, page)
        .await
    {
        Ok(f) => f,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let (l, shown) = user.framed(lang.pick("产品召回", "Recalls"), "recalls", &headers);
    let total = match lang {
        Lang::Zh => format!("共 {} 项召回", found.total),
        Lang::En => format!("{} recalls", found.total),
    };
    let base = format!("{PAGE}?status={}&", status.map_or("", |s| s.as_str()));
    let view = ListPage {
        l,
        zh: lang == Lang::Zh,
        pager: pager(lang, found.total, page.page, &base, total),
        rows: found
            .items
            .into_iter()
            .map(|r| Row {
                id: r.id,
                product: r.product,
                enterprise: r.enterprise_name,
                lots: r.lots.join(", "),
                class: class_label(lang, r.risk_class),
                class_tag: r.risk_class.as_str(),
                kind: kind_label(lang, &r.kind),
                status: status_label(lang, r.status),
                tone: status_tone(r.status),
                created: shanghai_text(&r.created_at),
            })
            .collect(),
        statuses: [
            ("", lang.pick("全部", "All")),
            ("pending", status_label(lang, RecallStatus::Pending)),
            ("active", status_label(lang, RecallStatus::Active)),
            ("closed", status_label(lang, RecallStatus::Closed)),
        ]
        .into_iter()
        .map(|(v, label)| Choice {
            value: v.to_owned(),
            label: label.to_owned(),
            selected: status.map_or("", |s| s.as_str()) == v,
        })
        .collect(),
        classes: RiskClass::ALL
            .iter()
            .map(|c| Choice {
                value: c.as_str().to_owned(),
                label: class_label(lang, *c),
                selected: *c == RiskClass::II,
            })
            .collect(),
        can_start: user.principal.scope(Action::StartRecall) != Scope::Nothing,
        ordering: user.principal.role != Role::Enterprise,
    };
    respond(StatusCode::OK, &view, shown)
}

/// The form that starts a recall.
#[derive(Debug, Default, Deserialize)]
pub struct StartForm {
    csrf: Option<String>,
    product: Option<String>,
    lots: Option<String>,
    risk_class: Option<String>,
    reason: Option<String>,
    remedy: Option<String>,
    plan: Option<String>,
    report_every_days: Option<String>,
}

/// `POST /console/recalls`.
pub async fn start(
    State(state): State<AppState>,
    user: ConsoleUser,
    form: Result<Form<StartForm>, FormRejection>,
) -> Response {
    let Form(f) = form.unwrap_or_default();
    if !user.csrf_ok(f.csrf.as_deref().unwrap_or("")) {
        return user.csrf_refused();
    }
    let started = async {
        let risk_class = RiskClass::parse(f.risk_class.as_deref().unwrap_or("").trim())
            .ok_or_else(|| ApiError::invalid("risk_class", "risk_class", "choose a class I–III"))?;
        let lots: Vec<String> = f
            .lots
            .as_deref()
            .unwrap_or("")
            .split([',', '，', ' ', '\n'])
            .map(str::to_owned)
            .collect();
        let scope =
            recall_scope(&state, f.product.as_deref().unwrap_or(""), &lots, &[], None).await?;
        Ok::<_, ApiError>(
            state
                .store
                .scoped(&user.principal)
                .start_recall(&NewRecall {
                    enterprise: None,
                    scope,
                    risk_class,
                    reason: f.reason.unwrap_or_default(),
                    remedy: f.remedy,
                    plan: f.plan,
                    report_every_days: match f.report_every_days.as_deref().map(str::trim) {
                        None | Some("") => None,
                        Some(d) => Some(d.parse().map_err(|_| {
                            ApiError::invalid(
                                "report_interval",
                                "report_every_days",
                                "report_every_days: a whole number of days, 1–90",
                            )
                        })?),
                    },
                })
                .await?,
        )
    }
    .await;
    match started {
        Ok(r) => user.after_post(
            &format!("{PAGE}/{}", r.summary.id),
            Ok(Flash::Recall(Done::Started)),
        ),
        Err(e) => user.after_post(PAGE, Err(e)),
    }
}

struct PartyRow {
    location: String,
    name: String,
    kind: String,
    region: String,
    holding: String,
    acknowledged: Option<String>,
    mine: bool,
}

struct BatchRow {
    id: i64,
    lot: String,
    produced: String,
}

#[derive(Template)]
#[template(path = "recall.html")]
struct RecallPage {
    l: Layout,
    zh: bool,
    id: i64,
    product: String,
    enterprise: String,
    enterprise_uscc: String,
    class: String,
    class_tag: &'static str,
    kind: &'static str,
    status: &'static str,
    tone: &'static str,
    reason: String,
    remedy: Option<String>,
    created: String,
    active_since: Option<String>,
    closed_at: Option<String>,
    closing_report: Option<String>,
    batches: Vec<BatchRow>,
    parties: Vec<PartyRow>,
    acknowledged: usize,
    distributed: String,
    sold: String,
    recovered: String,
    in_trade: String,
    rate: String,
    rate_pct: u32,
    can_confirm: bool,
    can_close: bool,
    can_acknowledge: bool,
    bureau_acknowledges: bool,
    plan: Option<String>,
    report_every_days: i64,
    reports: Vec<ReportRow>,
    next_report_due: Option<String>,
    report_overdue: bool,
    can_report: bool,
}

/// A progress report as the page lists it.
struct ReportRow {
    at: String,
    by: String,
    text: String,
    rate: String,
    recovered: String,
}

fn units(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n:.2}")
    }
}

/// `GET /console/recalls/{id}`.
pub async fn page(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = super::fields::id_of(&id) else {
        return user.not_found();
    };
    let lang = user.lang;
    let r = match state.store.scoped(&user.principal).recall(id).await {
        Ok(r) => r,
        Err(e) => {
            let e = ApiError::from(e);
            return if e.status == StatusCode::NOT_FOUND {
                user.not_found()
            } else {
                user.failed(&e)
            };
        }
    };
    let title = match lang {
        Lang::Zh => format!("召回 #{id} · {}", r.summary.product),
        Lang::En => format!("Recall #{id} · {}", r.summary.product),
    };
    let (l, shown) = user.framed(&title, "recalls", &headers);
    let status = r.summary.status;
    let decides = user.principal.scope(Action::DecideRecall) != Scope::Nothing;
    let own_org = user.principal.org_id;
    let e = r.effectiveness;
    let enterprise = user.principal.role == Role::Enterprise;
    let parties: Vec<PartyRow> = r
        .parties
        .into_iter()
        .map(|p| PartyRow {
            mine: enterprise && own_org.is_some() && p.organisation_id == own_org,
            name: p.name.unwrap_or_default(),
            kind: super::trace::place_kind_label(lang, p.kind.as_deref().unwrap_or("")),
            region: p
                .region
                .as_deref()
                .map(super::i18n::region_name)
                .unwrap_or_default(),
            holding: units(p.holding),
            acknowledged: p.acknowledged_at.as_deref().map(|at| {
                format!(
                    "{} · {}",
                    shanghai_text(at),
                    p.acknowledged_by.unwrap_or_default()
                )
            }),
            location: p.location,
        })
        .collect();
    let active = status == RecallStatus::Active;
    let reports = r
        .reports
        .iter()
        .map(|x| ReportRow {
            at: shanghai_text(&x.reported_at),
            by: x.reported_by.clone(),
            text: x.text.clone(),
            rate: format!("{:.1} %", x.rate * 100.0),
            recovered: units(x.recovered),
        })
        .collect();
    let maker = enterprise && own_org == Some(r.summary.enterprise_id);
    let view = RecallPage {
        l,
        zh: lang == Lang::Zh,
        id,
        class: class_label(lang, r.summary.risk_class),
        class_tag: r.summary.risk_class.as_str(),
        kind: kind_label(lang, &r.summary.kind),
        status: status_label(lang, status),
        tone: status_tone(status),
        reason: r.summary.reason,
        remedy: r.summary.remedy,
        created: shanghai_text(&r.summary.created_at),
        active_since: r.summary.active_since.as_deref().map(shanghai_text),
        closed_at: r.summary.closed_at.as_deref().map(shanghai_text),
        closing_report: r.closing_report,
        batches: r
            .batches
            .into_iter()
            .map(|b| BatchRow {
                id: b.id,
                lot: b.lot,
                produced: b.production_date,
            })
            .collect(),
        can_acknowledge: active && parties.iter().any(|p| p.mine && p.acknowledged.is_none()),
        bureau_acknowledges: active && decides,
        parties,
        acknowledged: r.acknowledged,
        distributed: units(e.distributed),
        sold: units(e.sold),
        recovered: units(e.recovered),
        in_trade: units(e.in_trade),
        rate: format!("{:.1} %", e.rate * 100.0),
        rate_pct: (e.rate * 100.0).round() as u32,
        can_confirm: status == RecallStatus::Pending && decides,
        can_close: active && decides,
        can_report: active && (decides || maker),
        plan: r.plan,
        report_every_days: r.report_every_days,
        reports,
        next_report_due: r.next_report_due.as_deref().map(shanghai_text),
        report_overdue: r.report_overdue,
        product: r.summary.product,
        enterprise: r.summary.enterprise_name,
        enterprise_uscc: r.summary.enterprise,
    };
    respond(StatusCode::OK, &view, shown)
}

/// The forms of a recall's page (one handler: the `act` field says which).
#[derive(Debug, Default, Deserialize)]
pub struct ActForm {
    csrf: Option<String>,
    act: Option<String>,
    location: Option<String>,
    report: Option<String>,
}

/// `POST /console/recalls/{id}/act`.
pub async fn act(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
    form: Result<Form<ActForm>, FormRejection>,
) -> Response {
    let Form(f) = form.unwrap_or_default();
    let id = match user.form_target(f.csrf.as_deref(), &id) {
        Ok(id) => id,
        Err(refused) => return *refused,
    };
    let scoped = state.store.scoped(&user.principal);
    let outcome = async {
        let done = match f.act.as_deref().unwrap_or("") {
            "confirm" => {
                scoped.confirm_recall(id).await?;
                Done::Confirmed
            }
            "acknowledge" => {
                let location = f
                    .location
                    .as_deref()
                    .map(str::trim)
                    .filter(|l| !l.is_empty());
                scoped.acknowledge_recall(id, location).await?;
                Done::Acknowledged
            }
            "close" => {
                scoped
                    .close_recall(id, f.report.as_deref().unwrap_or(""))
                    .await?;
                Done::Closed
            }
            "report" => {
                scoped
                    .report_recall(id, f.report.as_deref().unwrap_or(""))
                    .await?;
                Done::Reported
            }
            _ => return Err(ApiError::invalid("recall_act", "act", "unknown action")),
        };
        Ok(Flash::Recall(done))
    }
    .await;
    user.after_post(&format!("{PAGE}/{id}"), outcome)
}
