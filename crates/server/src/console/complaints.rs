//! Complaints in the console (bureaus): the list with status and overdue filters, and a
//! complaint's page with its steps and the forms that accept, reject, transfer and close.

use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use zhijian_core::complaint::{ComplaintStatus, Outcome};
use zhijian_store::complaints::ComplaintFilter;

use super::enterprises::Choice;
use super::paging::{Pager, page_of, pager};
use super::{ConsoleUser, Flash, Layout, respond, shanghai_text};
use crate::api::complaints::{ComplaintAction, act_on};
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

const PAGE: &str = "/console/complaints";

/// A status in words.
pub fn status_label(lang: Lang, s: ComplaintStatus) -> &'static str {
    match s {
        ComplaintStatus::Received => lang.pick("待受理", "Received"),
        ComplaintStatus::Accepted => lang.pick("办理中", "Accepted"),
        ComplaintStatus::Rejected => lang.pick("不予受理", "Rejected"),
        ComplaintStatus::Closed => lang.pick("已办结", "Closed"),
    }
}

fn tone(s: ComplaintStatus) -> &'static str {
    match s {
        ComplaintStatus::Received => "tone-warn",
        ComplaintStatus::Accepted => "code-active",
        ComplaintStatus::Rejected | ComplaintStatus::Closed => "badge-closed",
    }
}

fn outcome_label(lang: Lang, o: Outcome) -> &'static str {
    match o {
        Outcome::Substantiated => lang.pick("属实", "Substantiated"),
        Outcome::Unsubstantiated => lang.pick("不属实", "Not substantiated"),
    }
}

struct Row {
    id: i64,
    number: String,
    text: String,
    enterprise: String,
    status: &'static str,
    tone: &'static str,
    overdue: bool,
    received: String,
    due: String,
}

#[derive(Template)]
#[template(path = "complaints.html")]
struct ListPage {
    l: Layout,
    zh: bool,
    rows: Vec<Row>,
    pager: Pager,
    statuses: Vec<Choice>,
    overdue: bool,
}

/// The list's filters.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    status: Option<String>,
    overdue: Option<String>,
    page: Option<String>,
}

/// The first characters of a text, for a list.
fn gist(text: &str) -> String {
    let mut out: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// `GET /console/complaints` (bureaus).
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
    let status = p.status.as_deref().and_then(ComplaintStatus::parse);
    let overdue = p.overdue.as_deref() == Some("1");
    let page = page_of(p.page.as_deref());
    let found = match state
        .store
        .scoped(&user.principal)
        .complaints(ComplaintFilter { status, overdue }, page)
        .await
    {
        Ok(f) => f,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let (l, shown) = user.framed(lang.pick("投诉", "Complaints"), "complaints", &headers);
    let total = match lang {
        Lang::Zh => format!("共 {} 件投诉", found.total),
        Lang::En => format!("{} complaints", found.total),
    };
    let base = format!(
        "{PAGE}?status={}&overdue={}&",
        status.map_or("", |s| s.as_str()),
        if overdue { "1" } else { "" }
    );
    let view = ListPage {
        l,
        zh: lang == Lang::Zh,
        pager: pager(lang, found.total, page.page, &base, total),
        rows: found
            .items
            .into_iter()
            .map(|c| Row {
                id: c.id,
                text: gist(&c.text),
                enterprise: c.enterprise_name.or(c.product_text).unwrap_or_default(),
                status: status_label(lang, c.status),
                tone: tone(c.status),
                overdue: c.overdue,
                received: shanghai_text(&c.received_at),
                due: match c.status {
                    ComplaintStatus::Received => c.accept_by,
                    ComplaintStatus::Accepted => c.handle_by.unwrap_or_default(),
                    _ => String::new(),
                },
                number: c.tracking_number,
            })
            .collect(),
        statuses: [
            ("", lang.pick("全部", "All")),
            ("received", status_label(lang, ComplaintStatus::Received)),
            ("accepted", status_label(lang, ComplaintStatus::Accepted)),
            ("rejected", status_label(lang, ComplaintStatus::Rejected)),
            ("closed", status_label(lang, ComplaintStatus::Closed)),
        ]
        .into_iter()
        .map(|(v, label)| Choice {
            value: v.to_owned(),
            label: label.to_owned(),
            selected: status.map_or("", |s| s.as_str()) == v,
        })
        .collect(),
        overdue,
    };
    respond(StatusCode::OK, &view, shown)
}

struct StepRow {
    kind: String,
    note: String,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "complaint.html")]
struct ComplaintPage {
    l: Layout,
    zh: bool,
    c: zhijian_store::complaints::Complaint,
    status: &'static str,
    tone: &'static str,
    outcome: Option<&'static str>,
    received: String,
    steps: Vec<StepRow>,
    can_decide: bool,
    can_close: bool,
    can_transfer: bool,
    can_open_case: bool,
}

/// `GET /console/complaints/{id}`.
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
    let c = match state.store.scoped(&user.principal).complaint(id).await {
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
    let title = match lang {
        Lang::Zh => format!("投诉 {}", c.tracking_number),
        Lang::En => format!("Complaint {}", c.tracking_number),
    };
    let (l, shown) = user.framed(&title, "complaints", &headers);
    let view = ComplaintPage {
        l,
        zh: lang == Lang::Zh,
        status: status_label(lang, c.status),
        tone: tone(c.status),
        outcome: c.outcome.map(|o| outcome_label(lang, o)),
        received: shanghai_text(&c.received_at),
        steps: c
            .steps
            .iter()
            .map(|s| StepRow {
                kind: s.kind.clone(),
                note: s.note.clone().unwrap_or_default(),
                by: s.actor.clone(),
                at: shanghai_text(&s.at),
            })
            .collect(),
        can_decide: c.status == ComplaintStatus::Received,
        can_close: c.status == ComplaintStatus::Accepted,
        can_open_case: c.status == ComplaintStatus::Accepted,
        can_transfer: matches!(
            c.status,
            ComplaintStatus::Received | ComplaintStatus::Accepted
        ),
        c,
    };
    respond(StatusCode::OK, &view, shown)
}

/// The forms of a complaint's page.
#[derive(Debug, Default, Deserialize)]
pub struct ActForm {
    csrf: Option<String>,
    act: Option<String>,
    text: Option<String>,
    region: Option<String>,
    outcome: Option<String>,
}

/// `POST /console/complaints/{id}/act`.
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
    let action = f.act.clone().unwrap_or_default();
    let outcome = act_on(
        &state,
        &user.principal,
        id,
        ComplaintAction {
            action: action.clone(),
            text: f.text,
            region: f.region,
            outcome: f.outcome,
        },
    )
    .await
    .map(|_| Flash::Complaint(action));
    // After a transfer out of the subtree the page is no longer ours: back to the list.
    let back = match &outcome {
        Ok(_) if f.act.as_deref() == Some("transfer") => PAGE.to_owned(),
        _ => format!("{PAGE}/{id}"),
    };
    user.after_post(&back, outcome)
}

/// The flash text of a complaint form.
pub fn done_text(lang: Lang, action: &str) -> String {
    match action {
        "accept" => lang.pick("投诉已受理。", "The complaint is accepted."),
        "reject" => lang.pick("已决定不予受理。", "The complaint is rejected."),
        "transfer" => lang.pick("投诉已转交。", "The complaint is transferred."),
        "close" => lang.pick("投诉已办结。", "The complaint is closed."),
        _ => lang.pick("已保存。", "Saved."),
    }
    .to_owned()
}
