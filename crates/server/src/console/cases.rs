//! Enforcement cases in the console (bureaus): the list, and a case's page with its
//! evidence, timeline and the forms for each step; a complaint's page opens a case.

use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use zhijian_core::case::{CaseStatus, Origin};
use zhijian_store::cases::{Case, NewCase};

use super::enterprises::Choice;
use super::paging::{Pager, page_of, pager};
use super::{ConsoleUser, Flash, Layout, respond, shanghai_text};
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

const PAGE: &str = "/console/cases";

fn status_label(lang: Lang, s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::Open => lang.pick("调查中", "Open"),
        CaseStatus::Decided => lang.pick("已决定", "Decided"),
        CaseStatus::Closed => lang.pick("已结案", "Closed"),
    }
}

fn origin_label(lang: Lang, o: Origin) -> &'static str {
    match o {
        Origin::Complaint => lang.pick("投诉", "Complaint"),
        Origin::Sample => lang.pick("抽检", "Sample"),
        Origin::Counterfeit => lang.pick("假冒信号", "Counterfeit signal"),
        Origin::Warning => lang.pick("风险预警", "Warning"),
        Origin::Manual => lang.pick("直接立案", "By hand"),
    }
}

fn tone(s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::Open => "tone-warn",
        CaseStatus::Decided => "code-active",
        CaseStatus::Closed => "badge-closed",
    }
}

struct Row {
    id: i64,
    title: String,
    origin: &'static str,
    enterprise: String,
    owner: String,
    status: &'static str,
    tone: &'static str,
    opened: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    l: Layout,
    zh: bool,
    rows: Vec<Row>,
    pager: Pager,
    statuses: Vec<Choice>,
    own_region: String,
}

/// The list's filters.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    status: Option<String>,
    page: Option<String>,
}

/// `GET /console/cases` (bureaus).
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
    let status = p.status.as_deref().and_then(CaseStatus::parse);
    let page = page_of(p.page.as_deref());
    let found = match state
        .store
        .scoped(&user.principal)
        .cases(status, page)
        .await
    {
        Ok(f) => f,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let (l, shown) = user.framed(lang.pick("执法案件", "Cases"), "cases", &headers);
    let total = match lang {
        Lang::Zh => format!("共 {} 件案件", found.total),
        Lang::En => format!("{} cases", found.total),
    };
    let base = format!("{PAGE}?status={}&", status.map_or("", |s| s.as_str()));
    let view = ListPage {
        l,
        zh: lang == Lang::Zh,
        pager: pager(lang, found.total, page.page, &base, total),
        rows: found
            .items
            .into_iter()
            .map(|c| Row {
                id: c.id,
                title: c.title,
                origin: origin_label(lang, c.origin),
                enterprise: c.enterprise_name.unwrap_or_default(),
                owner: c.owner,
                status: status_label(lang, c.status),
                tone: tone(c.status),
                opened: shanghai_text(&c.opened_at),
            })
            .collect(),
        statuses: [
            ("", lang.pick("全部", "All")),
            ("open", status_label(lang, CaseStatus::Open)),
            ("decided", status_label(lang, CaseStatus::Decided)),
            ("closed", status_label(lang, CaseStatus::Closed)),
        ]
        .into_iter()
        .map(|(v, label)| Choice {
            value: v.to_owned(),
            label: label.to_owned(),
            selected: status.map_or("", |s| s.as_str()) == v,
        })
        .collect(),
        own_region: user.principal.region.as_str().to_owned(),
    };
    respond(StatusCode::OK, &view, shown)
}

/// The form that opens a case (from the list, or from a complaint's page).
#[derive(Debug, Default, Deserialize)]
pub struct OpenForm {
    csrf: Option<String>,
    title: Option<String>,
    origin: Option<String>,
    origin_id: Option<String>,
    enterprise: Option<String>,
    region: Option<String>,
    summary: Option<String>,
}

/// `POST /console/cases`.
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
        let origin = Origin::parse(f.origin.as_deref().unwrap_or("manual").trim())
            .ok_or_else(|| ApiError::invalid("case_origin", "origin", "unknown origin"))?;
        let origin_id = match f
            .origin_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => Some(s.parse::<i64>().map_err(|_| {
                ApiError::invalid("origin_id", "origin_id", "the record's id is a number")
            })?),
        };
        let region = match f.region.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            None => None,
            Some(r) => Some(crate::api::enterprises::known_region("region", r)?),
        };
        Ok::<_, ApiError>(
            state
                .store
                .scoped(&user.principal)
                .open_case(&NewCase {
                    title: f.title.unwrap_or_default(),
                    origin,
                    origin_id,
                    enterprise: f.enterprise,
                    region,
                    summary: f.summary.unwrap_or_default(),
                })
                .await?,
        )
    }
    .await;
    match opened {
        Ok(c) => user.after_post(
            &format!("{PAGE}/{}", c.summary.id),
            Ok(Flash::Case("open".into())),
        ),
        Err(e) => user.after_post(PAGE, Err(e)),
    }
}

struct StepRow {
    kind: String,
    text: String,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    l: Layout,
    zh: bool,
    c: Case,
    origin: &'static str,
    origin_href: Option<String>,
    status: &'static str,
    tone: &'static str,
    opened: String,
    steps: Vec<StepRow>,
    open: bool,
    decided: bool,
}

/// `GET /console/cases/{id}`.
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
    let c = match state.store.scoped(&user.principal).case(id).await {
        Ok(c) => c,
        Err(e) => {
            let e = ApiError::from(e);
            return if e.status == StatusCode::NOT_FOUND {
                user.not_found()
            } else {
                user.failed(&e)
            };
        }
    };
    let (l, shown) = user.framed(&c.summary.title, "cases", &headers);
    let s = c.summary.status;
    let view = CasePage {
        l,
        zh: lang == Lang::Zh,
        origin: origin_label(lang, c.summary.origin),
        origin_href: match (c.summary.origin, c.summary.origin_id) {
            (Origin::Complaint, Some(i)) => Some(format!("/console/complaints/{i}")),
            (Origin::Sample, Some(i)) => Some(format!("/console/sampling/samples/{i}")),
            (Origin::Warning, Some(i)) => Some(format!("/console/warnings/{i}")),
            _ => None,
        },
        status: status_label(lang, s),
        tone: tone(s),
        opened: shanghai_text(&c.summary.opened_at),
        steps: c
            .steps
            .iter()
            .map(|st| StepRow {
                kind: st.kind.clone(),
                text: st.text.clone(),
                by: st.actor.clone(),
                at: shanghai_text(&st.at),
            })
            .collect(),
        open: s == CaseStatus::Open,
        decided: s == CaseStatus::Decided,
        c,
    };
    respond(StatusCode::OK, &view, shown)
}

/// The forms of a case's page.
#[derive(Debug, Default, Deserialize)]
pub struct ActForm {
    csrf: Option<String>,
    act: Option<String>,
    text: Option<String>,
    kind: Option<String>,
    target: Option<String>,
    region: Option<String>,
    fine_yuan: Option<String>,
}

/// `POST /console/cases/{id}/files` (multipart): an evidence file from the case page.
/// The CSRF token comes as the form's `csrf` field, since a browser form sets no header;
/// nothing is read into the case before it is checked.
pub async fn add_file(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
    form: Result<crate::api::extract::Multipart, ApiError>,
) -> Response {
    let read = match form {
        Ok(form) => form.fields_and_file().await,
        Err(e) => Err(e),
    };
    let (fields, file) = match read {
        Ok(read) => read,
        Err(e) => return user.failed(&e),
    };
    let id = match user.form_target(fields.get("csrf").map(String::as_str), &id) {
        Ok(id) => id,
        Err(refused) => return *refused,
    };
    // An empty file input still sends a part, without bytes.
    let file = file.filter(|bytes| !bytes.is_empty());
    let outcome = crate::api::cases::store_file(
        &state,
        &user.principal,
        id,
        &fields,
        file,
        "choose the file to add",
    )
    .await
    .map(|_| Flash::Case("file".to_owned()));
    user.after_post(&format!("{PAGE}/{id}"), outcome)
}

/// `POST /console/cases/{id}/act`.
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
    let action = f.act.clone().unwrap_or_default();
    let text = f.text.as_deref().unwrap_or("");
    let outcome = async {
        let region = || {
            crate::api::enterprises::known_region(
                "region",
                f.region.as_deref().unwrap_or("").trim(),
            )
        };
        match action.as_str() {
            "note" => scoped.record_case_step(id, text).await?,
            "evidence" => {
                scoped
                    .add_evidence(
                        id,
                        f.kind.as_deref().unwrap_or("").trim(),
                        f.target.as_deref().unwrap_or(""),
                        f.text.as_deref(),
                    )
                    .await?
            }
            "joint" => scoped.transfer_case(id, region()?, true).await?,
            "transfer" => scoped.transfer_case(id, region()?, false).await?,
            "decide" => {
                let fine = match f
                    .fine_yuan
                    .as_deref()
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                {
                    None => None,
                    Some(v) => Some(v.parse::<i64>().map_err(|_| {
                        ApiError::invalid(
                            "case_fine",
                            "fine_yuan",
                            "the fine is a whole number of yuan",
                        )
                    })?),
                };
                scoped.decide_case(id, text, fine).await?
            }
            "close" => scoped.close_case(id, text).await?,
            _ => return Err(ApiError::invalid("action", "act", "unknown action")),
        };
        Ok(Flash::Case(action.clone()))
    }
    .await;
    user.after_post(&format!("{PAGE}/{id}"), outcome)
}

/// The flash text of a case form.
pub fn done_text(lang: Lang, action: &str) -> String {
    match action {
        "file" => lang.pick("证据文件已上传。", "The file is added."),
        "open" => lang.pick("案件已立案。", "The case is opened."),
        "note" => lang.pick("已记入办案记录。", "Recorded."),
        "evidence" => lang.pick("证据已添加。", "Evidence added."),
        "joint" => lang.pick("已邀请联合调查。", "Joint investigation requested."),
        "transfer" => lang.pick("案件已移送。", "The case is transferred."),
        "decide" => lang.pick("处理决定已作出。", "The case is decided."),
        "close" => lang.pick("案件已结案。", "The case is closed."),
        _ => lang.pick("已保存。", "Saved."),
    }
    .to_owned()
}
