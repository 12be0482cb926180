//! Emergency incidents in the console: the list with the form that opens one
//! (`/console/incidents`) and an incident's page with its timeline, links and the forms
//! that record steps, change the level, link records and close it.

use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use zhijian_core::access::{Action, Scope};
use zhijian_core::incident::{IncidentLevel, StepKind};

use super::enterprises::Choice;
use super::paging::{Pager, page_of, pager};
use super::{ConsoleUser, Flash, Layout, respond, shanghai_text};
use crate::api::incidents::{IncidentInput, parse_incident, status_filter};
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

const PAGE: &str = "/console/incidents";

/// What an incident form did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    /// Opened.
    Opened,
    /// A step was recorded.
    Recorded,
    /// The level changed.
    Level,
    /// A record was linked.
    Linked,
    /// Closed.
    Closed,
}

impl Done {
    /// Its cookie form.
    pub fn encode(self) -> &'static str {
        match self {
            Done::Opened => "o",
            Done::Recorded => "s",
            Done::Level => "l",
            Done::Linked => "k",
            Done::Closed => "c",
        }
    }

    /// Reads [`Done::encode`].
    pub fn decode(s: &str) -> Option<Done> {
        [
            Done::Opened,
            Done::Recorded,
            Done::Level,
            Done::Linked,
            Done::Closed,
        ]
        .into_iter()
        .find(|d| d.encode() == s)
    }

    /// The message.
    pub fn text(self, lang: Lang) -> &'static str {
        match self {
            Done::Opened => lang.pick("突发事件已登记。", "The incident is opened."),
            Done::Recorded => lang.pick("已记入处置时间线。", "Recorded on the timeline."),
            Done::Level => lang.pick("事件级别已调整。", "The level is changed."),
            Done::Linked => lang.pick("已关联。", "Linked."),
            Done::Closed => lang.pick("事件已结案。", "The incident is closed."),
        }
    }
}

/// A level in words.
pub fn level_label(lang: Lang, l: IncidentLevel) -> String {
    let word = match (l, lang) {
        (IncidentLevel::I, Lang::Zh) => "特别重大",
        (IncidentLevel::II, Lang::Zh) => "重大",
        (IncidentLevel::III, Lang::Zh) => "较大",
        (IncidentLevel::IV, Lang::Zh) => "一般",
        (IncidentLevel::I, Lang::En) => "extremely grave",
        (IncidentLevel::II, Lang::En) => "grave",
        (IncidentLevel::III, Lang::En) => "serious",
        (IncidentLevel::IV, Lang::En) => "ordinary",
    };
    match lang {
        Lang::Zh => format!("{}级 · {word}", l.as_str()),
        Lang::En => format!("Level {} · {word}", l.as_str()),
    }
}

fn step_label(lang: Lang, k: StepKind) -> &'static str {
    match k {
        StepKind::Opened => lang.pick("登记", "Opened"),
        StepKind::Update => lang.pick("情况通报", "Update"),
        StepKind::Action => lang.pick("处置措施", "Action"),
        StepKind::Level => lang.pick("级别调整", "Level changed"),
        StepKind::Linked => lang.pick("关联记录", "Linked"),
        StepKind::Closed => lang.pick("结案", "Closed"),
    }
}

fn status_label(lang: Lang, s: &str) -> &'static str {
    if s == "closed" {
        lang.pick("已结案", "Closed")
    } else {
        lang.pick("处置中", "Open")
    }
}

fn level_choices(lang: Lang, current: Option<IncidentLevel>) -> Vec<Choice> {
    IncidentLevel::ALL
        .iter()
        .map(|l| Choice {
            value: l.as_str().to_owned(),
            label: level_label(lang, *l),
            selected: Some(*l) == current,
        })
        .collect()
}

struct Row {
    id: i64,
    title: String,
    level: String,
    level_class: String,
    region: String,
    status: String,
    closed: bool,
    owner: String,
    opened: String,
}

#[derive(Template)]
#[template(path = "incidents.html")]
struct ListPage {
    l: Layout,
    zh: bool,
    rows: Vec<Row>,
    pager: Pager,
    statuses: Vec<Choice>,
    levels: Vec<Choice>,
    can_open: bool,
    own_region: String,
}

/// The list's filters.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    status: Option<String>,
    page: Option<String>,
}

fn can_handle(user: &ConsoleUser) -> bool {
    user.principal.scope(Action::HandleRisk) != Scope::Nothing
}

/// `GET /console/incidents` (bureaus).
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
    let status = status_filter(p.status.as_deref()).unwrap_or(None);
    let page = page_of(p.page.as_deref());
    let found = match state
        .store
        .scoped(&user.principal)
        .incidents(status, page)
        .await
    {
        Ok(f) => f,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let (l, shown) = user.framed(lang.pick("突发事件", "Incidents"), "risk", &headers);
    let total = match lang {
        Lang::Zh => format!("共 {} 起事件", found.total),
        Lang::En => format!("{} incidents", found.total),
    };
    let base = format!("{PAGE}?status={}&", status.unwrap_or(""));
    let view = ListPage {
        l,
        zh: lang == Lang::Zh,
        pager: pager(lang, found.total, page.page, &base, total),
        rows: found
            .items
            .into_iter()
            .map(|i| Row {
                id: i.id,
                title: i.title,
                level: level_label(lang, i.level),
                level_class: i.level.as_str().to_lowercase(),
                region: super::i18n::region_name(&i.region),
                status: status_label(lang, &i.status).to_owned(),
                closed: i.status == "closed",
                owner: i.owner,
                opened: shanghai_text(&i.opened_at),
            })
            .collect(),
        statuses: [
            ("", lang.pick("全部", "All")),
            ("open", lang.pick("处置中", "Open")),
            ("closed", lang.pick("已结案", "Closed")),
        ]
        .into_iter()
        .map(|(v, label)| Choice {
            value: v.to_owned(),
            label: label.to_owned(),
            selected: status.unwrap_or("") == v,
        })
        .collect(),
        levels: level_choices(lang, Some(IncidentLevel::IV)),
        can_open: can_handle(&user),
        own_region: user.principal.region.as_str().to_owned(),
    };
    respond(StatusCode::OK, &view, shown)
}

/// The form that opens an incident.
#[derive(Debug, Default, Deserialize)]
pub struct OpenForm {
    csrf: Option<String>,
    title: Option<String>,
    level: Option<String>,
    region: Option<String>,
    category: Option<String>,
    summary: Option<String>,
}

/// `POST /console/incidents`.
pub async fn open(
    State(state): State<AppState>,
    user: ConsoleUser,
    form: Result<Form<OpenForm>, FormRejection>,
) -> Response {
    let Form(f) = form.unwrap_or_default();
    if !user.csrf_ok(f.csrf.as_deref().unwrap_or("")) {
        return user.csrf_refused();
    }
    let opened = async {
        let level = IncidentLevel::parse(f.level.as_deref().unwrap_or("").trim())
            .ok_or_else(|| ApiError::invalid("incident_level", "level", "choose a level I–IV"))?;
        let new = parse_incident(IncidentInput {
            title: f.title.unwrap_or_default(),
            level,
            region: f.region.unwrap_or_default(),
            category: f.category,
            summary: f.summary.unwrap_or_default(),
        })?;
        Ok::<_, ApiError>(
            state
                .store
                .scoped(&user.principal)
                .open_incident(&new)
                .await?,
        )
    }
    .await;
    match opened {
        Ok(i) => user.after_post(
            &format!("{PAGE}/{}", i.summary.id),
            Ok(Flash::Incident(Done::Opened)),
        ),
        Err(e) => user.after_post(PAGE, Err(e)),
    }
}

struct StepRow {
    kind: String,
    kind_class: &'static str,
    text: String,
    by: String,
    at: String,
}

struct LinkRow {
    kind: String,
    target: String,
    href: Option<String>,
}

#[derive(Template)]
#[template(path = "incident.html")]
struct IncidentPage {
    l: Layout,
    zh: bool,
    id: i64,
    title: String,
    level: String,
    level_class: String,
    status: String,
    closed: bool,
    region: String,
    category: String,
    owner: String,
    opened: String,
    description: String,
    steps: Vec<StepRow>,
    links: Vec<LinkRow>,
    closing_report: Option<String>,
    levels: Vec<Choice>,
    can_handle: bool,
}

/// `GET /console/incidents/{id}`.
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
    let i = match state.store.scoped(&user.principal).incident(id).await {
        Ok(i) => i,
        Err(e) => {
            let e = ApiError::from(e);
            return if e.status == StatusCode::NOT_FOUND {
                user.not_found()
            } else {
                user.failed(&e)
            };
        }
    };
    let (l, shown) = user.framed(&i.summary.title, "risk", &headers);
    let closed = i.summary.status == "closed";
    let view = IncidentPage {
        l,
        zh: lang == Lang::Zh,
        id,
        level: level_label(lang, i.summary.level),
        level_class: i.summary.level.as_str().to_lowercase(),
        status: status_label(lang, &i.summary.status).to_owned(),
        closed,
        region: super::i18n::region_name(&i.summary.region),
        category: i
            .summary
            .category
            .as_deref()
            .map_or_else(String::new, |c| super::i18n::category(lang, c)),
        owner: i.summary.owner,
        opened: shanghai_text(&i.summary.opened_at),
        description: i.description,
        steps: i
            .steps
            .into_iter()
            .map(|s| StepRow {
                kind: step_label(lang, s.kind).to_owned(),
                kind_class: s.kind.as_str(),
                text: s.text,
                by: s.taken_by,
                at: shanghai_text(&s.taken_at),
            })
            .collect(),
        links: i
            .links
            .into_iter()
            .map(|k| LinkRow {
                href: match k.kind.as_str() {
                    "enterprise" => Some(format!("/console/enterprises/{}", k.target)),
                    "sample" => Some(format!("/console/sampling/samples/{}", k.target)),
                    "warning" => Some(format!("/console/warnings/{}", k.target)),
                    _ => None,
                },
                kind: match k.kind.as_str() {
                    "warning" => lang.pick("预警", "Warning"),
                    "sample" => lang.pick("样品", "Sample"),
                    "batch" => lang.pick("批次", "Batch"),
                    _ => lang.pick("企业", "Enterprise"),
                }
                .to_owned(),
                target: k.target,
            })
            .collect(),
        closing_report: i.closing_report,
        levels: level_choices(lang, Some(i.summary.level)),
        can_handle: !closed && can_handle(&user),
        title: i.summary.title,
    };
    respond(StatusCode::OK, &view, shown)
}

/// The forms of an incident's page (one handler: the `act` field says which).
#[derive(Debug, Default, Deserialize)]
pub struct ActForm {
    csrf: Option<String>,
    act: Option<String>,
    kind: Option<String>,
    text: Option<String>,
    level: Option<String>,
    target: Option<String>,
}

/// `POST /console/incidents/{id}/act`.
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
    let text = f.text.as_deref().unwrap_or("");
    let outcome = async {
        let done = match f.act.as_deref().unwrap_or("") {
            "step" => {
                let kind = StepKind::parse(f.kind.as_deref().unwrap_or("")).ok_or_else(|| {
                    ApiError::invalid("incident_step", "kind", "choose an update or an action")
                })?;
                scoped.record_incident_step(id, kind, text).await?;
                Done::Recorded
            }
            "level" => {
                let level =
                    IncidentLevel::parse(f.level.as_deref().unwrap_or("")).ok_or_else(|| {
                        ApiError::invalid("incident_level", "level", "choose a level I–IV")
                    })?;
                scoped.change_incident_level(id, level, text).await?;
                Done::Level
            }
            "link" => {
                scoped
                    .link_incident(
                        id,
                        f.kind.as_deref().unwrap_or("").trim(),
                        f.target.as_deref().unwrap_or(""),
                    )
                    .await?;
                Done::Linked
            }
            "close" => {
                scoped.close_incident(id, text).await?;
                Done::Closed
            }
            _ => return Err(ApiError::invalid("incident_act", "act", "unknown action")),
        };
        Ok(Flash::Incident(done))
    }
    .await;
    user.after_post(&format!("{PAGE}/{id}"), outcome)
}
