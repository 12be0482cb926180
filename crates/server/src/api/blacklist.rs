//! The blacklist: bureaus list and unlist enterprises; anyone reads the current list.

use askama::Template;
use axum::Json as AxumJson;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use zhijian_core::page::{Page, Paged};
use zhijian_store::blacklist::{Entry, NewEntry};

use super::announcements::html;
use super::extract::Json;
use super::verify::page_lang;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

/// The body of `POST /api/v1/blacklist`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    /// The enterprise's credit code.
    pub enterprise: String,
    /// The law and article the listing rests on (required).
    pub legal_basis: String,
    /// The decision's document number (required).
    pub decision: String,
    /// What the enterprise did (required).
    pub reason: String,
    /// The last day it stays listed (`YYYY-MM-DD`); absent: until removed.
    pub until: Option<String>,
}

/// `POST /api/v1/blacklist`.
#[utoipa::path(post, path = "/api/v1/blacklist", operation_id = "blacklist_enterprise", tag = "blacklist",
    summary = "List an enterprise on the blacklist",
    description = "Officers of the enterprise's region (or above) and admins. `legal_basis`, `decision` and `reason` are required (422 `required` naming the field). While listed the enterprise grades D (factor `cap:blacklisted`, source `blacklist:{id}`) and appears on the public list.",
    security(("bearer" = []), ("session" = [])), params(crate::openapi::CsrfHeader),
    request_body = EntryInput,
    responses(
        (status = 201, body = Entry),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn add(
    State(state): State<AppState>,
    who: Authed,
    Json(input): Json<EntryInput>,
) -> Result<(StatusCode, AxumJson<Entry>), ApiError> {
    let until = match input
        .until
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        None => None,
        Some(u) => Some(u.parse::<jiff::civil::Date>().map_err(|_| {
            ApiError::invalid(
                "date_format",
                "until",
                format!("'{u}' is not a date (YYYY-MM-DD)"),
            )
        })?),
    };
    let entry = state
        .store
        .scoped(&who.0)
        .blacklist(&NewEntry {
            enterprise: input.enterprise,
            legal_basis: input.legal_basis,
            decision: input.decision,
            reason: input.reason,
            until,
        })
        .await?;
    Ok((StatusCode::CREATED, AxumJson(entry)))
}

/// The body of `POST /api/v1/blacklist/{id}/remove`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveInput {
    /// Why (credit repaired, decision revoked, …).
    pub reason: String,
}

/// `POST /api/v1/blacklist/{id}/remove`.
#[utoipa::path(post, path = "/api/v1/blacklist/{id}/remove", operation_id = "unlist_enterprise", tag = "blacklist",
    summary = "Remove a blacklist entry",
    description = "Officers of the enterprise's region and admins, with the reason; the entry is kept as removed. Removing twice answers 409 `blacklist_removed`.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    request_body = RemoveInput,
    responses(
        (status = 200, body = Entry),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`blacklist_removed`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn remove(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<RemoveInput>,
) -> Result<AxumJson<Entry>, ApiError> {
    Ok(AxumJson(
        state.store.scoped(&who.0).unlist(id, &input.reason).await?,
    ))
}

/// Paging of the public list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Page number, from 1.
    page: Option<u32>,
    /// Items per page, 1–1000.
    per_page: Option<u32>,
    /// `zh` or `en` (the page only).
    #[param(ignore)]
    lang: Option<String>,
}

/// `GET /api/v1/blacklist` (no sign-in).
#[utoipa::path(get, path = "/api/v1/blacklist", operation_id = "public_blacklist", tag = "blacklist",
    summary = "The blacklist",
    description = "Entries in force today, newest first; also the page `/blacklist`. No sign-in needed.",
    params(ListQuery),
    responses(
        (status = 200, body = inline(Paged<Entry>)),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<AxumJson<Paged<Entry>>, ApiError> {
    let page = Page::new(q.page, q.per_page)?;
    Ok(AxumJson(state.store.public_blacklist(page).await?))
}

#[derive(Template)]
#[template(path = "blacklist_public.html")]
struct ListPage {
    zh: bool,
    total: i64,
    items: Vec<Entry>,
    prev: Option<String>,
    next: Option<String>,
}

/// `GET /blacklist`: the public page.
#[utoipa::path(get, path = "/blacklist", tag = "blacklist", summary = "The public blacklist page",
    params(("page" = Option<u32>, Query), ("lang" = Option<String>, Query, description = "`zh` or `en`")),
    responses((status = 200, description = "An HTML page of the entries in force, 20 a page.", content_type = "text/html")))]
pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let lang = page_lang(&headers, q.lang.as_deref());
    let page = Page::new(q.page.filter(|p| *p > 0), Some(20)).unwrap_or(Page {
        page: 1,
        per_page: 20,
    });
    let found = match state.store.public_blacklist(page).await {
        Ok(f) => f,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let link = |n: u32| {
        format!(
            "/blacklist?page={n}{}",
            if lang == Lang::En { "&lang=en" } else { "" }
        )
    };
    let shown = u64::from(page.page) * u64::from(page.per_page);
    html(
        &ListPage {
            zh: lang == Lang::Zh,
            total: found.total,
            items: found.items,
            prev: (page.page > 1).then(|| link(page.page - 1)),
            next: (shown < found.total as u64).then(|| link(page.page + 1)),
        },
        StatusCode::OK,
    )
}
