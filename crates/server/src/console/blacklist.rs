//! The blacklist in the console (bureaus): every entry of the subtree, the form that
//! lists an enterprise, and removal with a reason.

use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use zhijian_store::blacklist::{Entry, NewEntry};

use super::paging::{Pager, page_of, pager};
use super::{ConsoleUser, Flash, Layout, respond};
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

const PAGE: &str = "/console/blacklist";

#[derive(Template)]
#[template(path = "blacklist.html")]
struct ListPage {
    l: Layout,
    zh: bool,
    rows: Vec<Entry>,
    pager: Pager,
}

/// The list's page.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    page: Option<String>,
}

/// `GET /console/blacklist` (bureaus).
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
    let page = page_of(p.page.as_deref());
    let found = match state
        .store
        .scoped(&user.principal)
        .blacklist_entries(page)
        .await
    {
        Ok(f) => f,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let (l, shown) = user.framed(
        lang.pick("严重违法失信名单", "Blacklist"),
        "cases",
        &headers,
    );
    let total = match lang {
        Lang::Zh => format!("共 {} 条记录", found.total),
        Lang::En => format!("{} entries", found.total),
    };
    let view = ListPage {
        l,
        zh: lang == Lang::Zh,
        pager: pager(lang, found.total, page.page, &format!("{PAGE}?"), total),
        rows: found.items,
    };
    respond(StatusCode::OK, &view, shown)
}

/// The form that lists an enterprise.
#[derive(Debug, Default, Deserialize)]
pub struct AddForm {
    csrf: Option<String>,
    enterprise: Option<String>,
    legal_basis: Option<String>,
    decision: Option<String>,
    reason: Option<String>,
    until: Option<String>,
    case_id: Option<String>,
}

/// `POST /console/blacklist`.
pub async fn add(
    State(state): State<AppState>,
    user: ConsoleUser,
    form: Result<Form<AddForm>, FormRejection>,
) -> Response {
    let Form(f) = form.unwrap_or_default();
    if !user.csrf_ok(f.csrf.as_deref().unwrap_or("")) {
        return user.csrf_refused();
    }
    let added = async {
        let until = match f.until.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            None => None,
            Some(u) => Some(u.parse::<jiff::civil::Date>().map_err(|_| {
                ApiError::invalid(
                    "date_format",
                    "until",
                    format!("'{u}' is not a date (YYYY-MM-DD)"),
                )
            })?),
        };
        Ok::<_, ApiError>(
            state
                .store
                .scoped(&user.principal)
                .blacklist(&NewEntry {
                    enterprise: f.enterprise.unwrap_or_default(),
                    legal_basis: f.legal_basis.unwrap_or_default(),
                    decision: f.decision.unwrap_or_default(),
                    reason: f.reason.unwrap_or_default(),
                    until,
                    case_id: f.case_id.as_deref().and_then(super::fields::id_of),
                })
                .await?,
        )
    }
    .await;
    user.after_post(PAGE, added.map(|_| Flash::Blacklist("add".into())))
}

/// The removal form.
#[derive(Debug, Default, Deserialize)]
pub struct RemoveForm {
    csrf: Option<String>,
    reason: Option<String>,
}

/// `POST /console/blacklist/{id}/remove`.
pub async fn remove(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
    form: Result<Form<RemoveForm>, FormRejection>,
) -> Response {
    let Form(f) = form.unwrap_or_default();
    let id = match user.form_target(f.csrf.as_deref(), &id) {
        Ok(id) => id,
        Err(refused) => return *refused,
    };
    let removed = state
        .store
        .scoped(&user.principal)
        .unlist(id, f.reason.as_deref().unwrap_or(""))
        .await
        .map_err(ApiError::from);
    user.after_post(PAGE, removed.map(|_| Flash::Blacklist("remove".into())))
}

/// The flash text of a blacklist form.
pub fn done_text(lang: Lang, action: &str) -> String {
    match action {
        "add" => lang.pick("已列入严重违法失信名单。", "The enterprise is listed."),
        _ => lang.pick("已移出名单。", "The entry is removed."),
    }
    .to_owned()
}
