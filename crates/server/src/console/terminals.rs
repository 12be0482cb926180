//! `/console/terminals`: the shop query terminals of a bureau's region — registered by
//! the shops themselves or by the bureau — and their suspension.

use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use zhijian_core::access::Role;

use super::paging::{Pager, page_of, pager};
use super::{ConsoleUser, Flash, Layout, redirect_with, respond, shanghai_text};
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

const PAGE: &str = "/console/terminals";

/// The list's page number.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    page: Option<String>,
}

struct Row {
    id: i64,
    name: String,
    shop: String,
    region: String,
    created: String,
}

#[derive(Template)]
#[template(path = "terminals.html")]
struct ListPage {
    l: Layout,
    zh: bool,
    rows: Vec<Row>,
    pager: Pager,
    can_suspend: bool,
}

/// `GET /console/terminals` (bureaus).
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
    let found = match state.store.scoped(&user.principal).terminals(page).await {
        Ok(f) => f,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let (l, shown) = user.framed(lang.pick("门店查询终端", "Shop terminals"), "", &headers);
    let total = match lang {
        Lang::Zh => format!("共 {} 台终端", found.total),
        Lang::En => format!("{} terminals", found.total),
    };
    let view = ListPage {
        l,
        zh: lang == Lang::Zh,
        pager: pager(lang, found.total, page.page, &format!("{PAGE}?"), total),
        rows: found
            .items
            .into_iter()
            .map(|t| Row {
                id: t.id,
                name: t.name,
                shop: t.shop,
                region: super::i18n::region_name(&t.region),
                created: shanghai_text(&t.created_at),
            })
            .collect(),
        can_suspend: matches!(user.principal.role, Role::Officer | Role::Admin),
    };
    respond(StatusCode::OK, &view, shown)
}

/// The suspension form's token.
#[derive(Debug, Default, Deserialize)]
pub struct SuspendForm {
    csrf: Option<String>,
}

/// `POST /console/terminals/{id}/suspend`.
pub async fn suspend(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
    form: Result<Form<SuspendForm>, FormRejection>,
) -> Response {
    let Form(form) = form.unwrap_or_default();
    let id = match user.form_target(form.csrf.as_deref(), &id) {
        Ok(id) => id,
        Err(refused) => return *refused,
    };
    match state
        .store
        .scoped(&user.principal)
        .suspend_terminal(id)
        .await
        .map_err(ApiError::from)
    {
        Ok(()) => redirect_with(PAGE, &[Flash::TerminalSuspended.cookie()]),
        Err(e) if e.status == StatusCode::NOT_FOUND => user.not_found(),
        Err(e) => user.failed(&e),
    }
}
