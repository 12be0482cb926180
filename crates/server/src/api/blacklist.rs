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
use super::atom;
use super::extract::Json;
use super::public_list::{PublicListQuery, pager};
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
    /// The decided case about this enterprise that the listing follows from.
    pub case_id: Option<i64>,
}

/// `POST /api/v1/blacklist`.
#[utoipa::path(post, path = "/api/v1/blacklist", operation_id = "blacklist_enterprise", tag = "blacklist",
    summary = "List an enterprise on the blacklist",
    description = "Officers of the enterprise's region (or above) and admins. `legal_basis`, `decision` and `reason` are required (422 `required` naming the field). While listed the enterprise grades D (factor `cap:blacklisted`, source `blacklist:{id}`) and appears on the public list. With `case_id`, the listing follows from that case's decision: the case must be about the enterprise (422 `case_enterprise`) and decided (409 `case_not_decided`).",
    security(("bearer" = []), ("session" = [])), params(crate::openapi::CsrfHeader),
    request_body = EntryInput,
    responses(
        (status = 201, body = Entry),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`case_not_decided`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
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
            case_id: input.case_id,
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

/// `GET /api/v1/blacklist` (no sign-in).
#[utoipa::path(get, path = "/api/v1/blacklist", operation_id = "public_blacklist", tag = "blacklist",
    summary = "The blacklist",
    description = "Entries in force today, newest first; also the page `/blacklist`. No sign-in needed.",
    params(PublicListQuery),
    responses(
        (status = 200, body = inline(Paged<Entry>)),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<PublicListQuery>,
) -> Result<AxumJson<Paged<Entry>>, ApiError> {
    let page = Page::new(q.page, q.per_page)?;
    Ok(AxumJson(
        state.store.public_blacklist(&q.filter(), page).await?,
    ))
}

#[derive(Template)]
#[template(path = "blacklist_public.html")]
struct ListPage {
    zh: bool,
    q: String,
    total: i64,
    items: Vec<Entry>,
    prev: Option<String>,
    next: Option<String>,
}

/// `GET /blacklist`: the public page.
#[utoipa::path(get, path = "/blacklist", tag = "blacklist", summary = "The public blacklist page",
    params(("q" = Option<String>, Query, description = "Enterprise, credit code, reason or decision"), ("page" = Option<u32>, Query), ("lang" = Option<String>, Query, description = "`zh` or `en`")),
    responses((status = 200, description = "An HTML page of the entries in force, 20 a page.", content_type = "text/html")))]
pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PublicListQuery>,
) -> Response {
    let lang = page_lang(&headers, q.lang.as_deref());
    let page = q.html_page();
    let found = match state.store.public_blacklist(&q.filter(), page).await {
        Ok(f) => f,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let (prev, next) = pager("/blacklist", &q.words(), lang, page, found.total);
    html(
        &ListPage {
            zh: lang == Lang::Zh,
            q: q.words(),
            total: found.total,
            items: found.items,
            prev,
            next,
        },
        StatusCode::OK,
    )
}

/// `GET /blacklist.atom`: the entries in force as an Atom feed.
#[utoipa::path(get, path = "/blacklist.atom", tag = "blacklist", summary = "The blacklist as an Atom feed",
    responses((status = 200, description = "The 50 newest entries in force.", content_type = "application/atom+xml")))]
pub async fn feed(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let entries = state
        .store
        .public_blacklist(
            &Default::default(),
            Page {
                page: 1,
                per_page: 50,
            },
        )
        .await
        .map(|found| {
            found
                .items
                .into_iter()
                .map(|e| atom::Entry {
                    path: format!("/enterprises/{}", e.enterprise),
                    title: format!("列入严重违法失信名单：{}", e.enterprise_name),
                    updated: format!("{}T00:00:00+08:00", e.listed_on),
                    summary: format!("{}（{}；{}）", e.reason, e.legal_basis, e.decision),
                })
                .collect()
        });
    atom::serve(
        &state,
        &headers,
        "/blacklist",
        "/blacklist.atom",
        "严重违法失信名单",
        entries,
    )
}
