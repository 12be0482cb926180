//! Recall notices for the public: recalls in force or closed, as JSON and as pages (a
//! recall is public from the moment it is in force; a voluntary one waiting for its
//! bureau is not).

use askama::Template;
use axum::Json as AxumJson;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use zhijian_core::page::{Page, Paged};
use zhijian_core::recall::RecallStatus;
use zhijian_store::recalls::RecallSummary;

use super::announcements::{html, local};
use super::atom;
use super::public_list::{PublicListQuery, pager};
use super::verify::page_lang;
use crate::console::recalls::class_label;
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

/// `GET /api/v1/public-recalls` (no sign-in).
#[utoipa::path(get, path = "/api/v1/public-recalls", operation_id = "public_recalls", tag = "recalls",
    summary = "Public recall notices",
    description = "Recalls in force or closed, newest first: product, maker, lots, risk class, defect, remedy. Also on the public pages `/recalls` and `/recalls/{id}`. No sign-in needed.",
    params(PublicListQuery),
    responses(
        (status = 200, body = inline(Paged<RecallSummary>)),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<PublicListQuery>,
) -> Result<AxumJson<Paged<RecallSummary>>, ApiError> {
    let page = Page::new(q.page, q.per_page)?;
    Ok(AxumJson(
        state.store.public_recalls(&q.filter(), page).await?,
    ))
}

/// `GET /api/v1/public-recalls/{id}` (no sign-in).
#[utoipa::path(get, path = "/api/v1/public-recalls/{id}", operation_id = "public_recall", tag = "recalls",
    summary = "One public recall notice",
    description = "A recall in force or closed; 404 for any other id.",
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = RecallSummary),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<AxumJson<RecallSummary>, ApiError> {
    Ok(AxumJson(state.store.public_recall(id).await?))
}

/// A recall as the public pages show it.
pub(crate) struct Notice {
    pub(crate) id: i64,
    pub(crate) product: String,
    pub(crate) enterprise: String,
    pub(crate) lots: String,
    pub(crate) class: String,
    pub(crate) closed: bool,
    pub(crate) reason: String,
    pub(crate) remedy: Option<String>,
    pub(crate) since: String,
    pub(crate) closed_at: Option<String>,
}

pub(crate) fn notice(r: RecallSummary, lang: Lang) -> Notice {
    Notice {
        id: r.id,
        product: r.product,
        enterprise: r.enterprise_name,
        lots: r.lots.join(", "),
        class: class_label(lang, r.risk_class),
        closed: r.status == RecallStatus::Closed,
        reason: r.reason,
        remedy: r.remedy,
        since: r.active_since.as_deref().map(local).unwrap_or_default(),
        closed_at: r.closed_at.as_deref().map(local),
    }
}

#[derive(Template)]
#[template(path = "recalls_public.html")]
struct ListPage {
    zh: bool,
    q: String,
    total: i64,
    items: Vec<Notice>,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "recall_public.html")]
struct OnePage {
    zh: bool,
    r: Notice,
    /// Each progress report's date and the share recovered by then (the reports'
    /// texts are for the bureau).
    progress: Vec<(String, String)>,
}

/// The language of a notice page.
#[derive(Debug, Default, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// `GET /recalls`: the public list of recall notices.
#[utoipa::path(get, path = "/recalls", tag = "recalls", summary = "The public recall notices page",
    params(("q" = Option<String>, Query, description = "Enterprise, credit code, product or defect"), ("page" = Option<u32>, Query), ("lang" = Option<String>, Query, description = "`zh` or `en`")),
    responses((status = 200, description = "An HTML page of recall notices, newest first, 20 a page.", content_type = "text/html")))]
pub async fn page_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PublicListQuery>,
) -> Response {
    let lang = page_lang(&headers, q.lang.as_deref());
    let page = q.html_page();
    let found = match state.store.public_recalls(&q.filter(), page).await {
        Ok(f) => f,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let (prev, next) = pager("/recalls", &q.words(), lang, page, found.total);
    html(
        &ListPage {
            zh: lang == Lang::Zh,
            q: q.words(),
            total: found.total,
            items: found.items.into_iter().map(|r| notice(r, lang)).collect(),
            prev,
            next,
        },
        StatusCode::OK,
    )
}

/// `GET /recalls.atom`: the recall notices as an Atom feed.
#[utoipa::path(get, path = "/recalls.atom", tag = "recalls", summary = "Recall notices as an Atom feed",
    responses((status = 200, description = "The 50 newest public recalls.", content_type = "application/atom+xml")))]
pub async fn feed(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let entries = state
        .store
        .public_recalls(
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
                .map(|r| atom::Entry {
                    path: format!("/recalls/{}", r.id),
                    title: format!("召回：{}（{}）", r.product, r.enterprise_name),
                    updated: r
                        .closed_at
                        .clone()
                        .or(r.active_since.clone())
                        .unwrap_or(r.created_at.clone()),
                    summary: format!(
                        "{} · 批号 {} · {}",
                        class_label(Lang::Zh, r.risk_class),
                        r.lots.join(", "),
                        r.reason
                    ),
                })
                .collect()
        });
    atom::serve(
        &state,
        &headers,
        "/recalls",
        "/recalls.atom",
        "缺陷产品召回公告",
        entries,
    )
}

/// `GET /recalls/{id}`: one recall notice.
#[utoipa::path(get, path = "/recalls/{id}", tag = "recalls", summary = "A public recall notice page",
    params(("id" = i64, Path), ("lang" = Option<String>, Query, description = "`zh` or `en`")),
    responses((status = 200, description = "The notice as an HTML page.", content_type = "text/html"), (status = 404, response = crate::openapi::NotFound)))]
pub async fn page_one(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let lang = page_lang(&headers, q.lang.as_deref());
    let Ok(id) = id.parse::<i64>() else {
        return ApiError::from(zhijian_store::StoreError::NotFound { entity: "recall" })
            .into_response();
    };
    let found = async {
        let r = state.store.public_recall(id).await?;
        let reports = state.store.recall_reports(id).await?;
        Ok::<_, zhijian_store::StoreError>((r, reports))
    };
    match found.await {
        Ok((r, reports)) => html(
            &OnePage {
                zh: lang == Lang::Zh,
                r: notice(r, lang),
                progress: reports
                    .iter()
                    .map(|x| (local(&x.reported_at), format!("{:.1} %", x.rate * 100.0)))
                    .collect(),
            },
            StatusCode::OK,
        ),
        Err(e) => ApiError::from(e).into_response(),
    }
}
