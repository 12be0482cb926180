//! Announcements of sampling results: published by a bureau through the API, read by
//! anyone as JSON, as public pages, and as CSV and Excel files.

use askama::Template;
use axum::Json as AxumJson;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use zhijian_core::page::{Page, Paged};
use zhijian_core::test_report::Outcome;
use zhijian_store::announcements::Announcement;

use super::extract::Json;
use super::verify::page_lang;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

/// The body of `POST /api/v1/sampling/plans/{id}/announce`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnnounceInput {
    /// The title (default: 关于<plan name>结果的公告).
    title: Option<String>,
}

/// `POST /api/v1/sampling/plans/{id}/announce` → 201.
#[utoipa::path(post, path = "/api/v1/sampling/plans/{id}/announce", operation_id = "announce", tag = "sampling",
    summary = "Publish a plan's final results (公告)",
    description = "Officers of the plan's region, once per plan. Passes and failures are both published; samples whose result is not final are counted as pending and left out. The announcement keeps the rows as published.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    request_body = AnnounceInput,
    responses(
        (status = 201, body = Announcement),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`plan_announced`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`nothing_final`, `title`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn announce(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<AnnounceInput>,
) -> Result<(StatusCode, AxumJson<Announcement>), ApiError> {
    let rules = super::sampling::objection_rules(&state);
    Ok((
        StatusCode::CREATED,
        AxumJson(
            state
                .store
                .scoped(&who.0)
                .announce(id, input.title.as_deref(), rules, &state.config.calendar())
                .await?,
        ),
    ))
}

/// Search and paging of the announcement lists.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Matches titles, enterprises, products and regions.
    q: Option<String>,
    /// Page number, from 1.
    page: Option<u32>,
    /// Items per page, 1–1000.
    per_page: Option<u32>,
    /// `zh` or `en` (pages only).
    #[param(ignore)]
    lang: Option<String>,
}

/// `GET /api/v1/announcements` (public).
#[utoipa::path(get, path = "/api/v1/announcements", operation_id = "list_announcements", tag = "sampling",
    summary = "List published announcements (public)", params(ListQuery),
    responses(
        (status = 200, body = inline(Paged<Announcement>)),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<AxumJson<Paged<Announcement>>, ApiError> {
    let page = Page::new(q.page, q.per_page)
        .map_err(|e| ApiError::invalid("page", "page", e.to_string()))?;
    Ok(AxumJson(
        state.store.announcements(q.q.as_deref(), page).await?,
    ))
}

/// `GET /api/v1/announcements/{id}` (public).
#[utoipa::path(get, path = "/api/v1/announcements/{id}", operation_id = "get_announcement", tag = "sampling",
    summary = "Read an announcement with its results (public)", params(("id" = i64, Path)),
    responses(
        (status = 200, body = Announcement),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<AxumJson<Announcement>, ApiError> {
    Ok(AxumJson(state.store.announcement(id).await?))
}

/// A public risk warning as the announcements and home pages show it.
pub(crate) struct PublicWarning {
    pub(crate) id: i64,
    pub(crate) level: &'static str,
    pub(crate) level_name: String,
    pub(crate) category: String,
    pub(crate) region_name: String,
    pub(crate) raised_at: String,
    pub(crate) status: String,
}

pub(crate) fn public_warning(w: zhijian_store::warnings::Warning, zh: bool) -> PublicWarning {
    let lang = if zh { Lang::Zh } else { Lang::En };
    PublicWarning {
        id: w.id,
        level: w.level.as_str(),
        level_name: crate::console::warnings::level_name(lang, w.level),
        category: crate::console::i18n::category(lang, &w.category),
        region_name: crate::console::i18n::region_name(&w.region),
        raised_at: local(&w.raised_at),
        status: crate::console::warnings::status_name(lang, w.status).to_owned(),
    }
}

#[derive(Template)]
#[template(path = "announcements.html")]
struct ListPage {
    zh: bool,
    q: String,
    total: i64,
    items: Vec<Announcement>,
    warnings: Vec<PublicWarning>,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "announcement.html")]
struct OnePage {
    zh: bool,
    a: Announcement,
}

pub(crate) fn html(page: &impl Template, status: StatusCode) -> Response {
    match page.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => ApiError::internal(&e).into_response(),
    }
}

/// The publication time as people in China read it.
pub(crate) fn local(rfc3339: &str) -> String {
    rfc3339
        .parse::<jiff::Timestamp>()
        .map(|t| {
            t.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_owned())
}

/// `GET /announcements`: the public list with search.
#[utoipa::path(get, path = "/announcements", tag = "sampling", summary = "The public announcements page",
    params(("q" = Option<String>, Query, description = "Title, enterprise, product or region"), ("page" = Option<u32>, Query), ("lang" = Option<String>, Query, description = "`zh` or `en`")),
    responses((status = 200, description = "An HTML page listing announcements, newest first, 20 a page.", content_type = "text/html")))]
pub async fn page_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let zh = page_lang(&headers, q.lang.as_deref()) == Lang::Zh;
    // A page number out of range shows the first page.
    let page = Page::new(q.page.filter(|p| *p > 0), Some(20)).unwrap_or(Page {
        page: 1,
        per_page: 20,
    });
    let text = q.q.clone().unwrap_or_default();
    let found = match state.store.announcements(Some(&text), page).await {
        Ok(f) => f,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let link = |n: u32| {
        let mut s = format!("/announcements?page={n}");
        if !text.trim().is_empty() {
            s.push_str("&q=");
            s.push_str(&super::public_list::urlencode(text.trim()));
        }
        if !zh {
            s.push_str("&lang=en");
        }
        s
    };
    // Public risk warnings head the first page.
    let warnings = if page.page == 1 {
        match state
            .store
            .public_warnings(Page {
                page: 1,
                per_page: 20,
            })
            .await
        {
            Ok(w) => w.items.into_iter().map(|w| public_warning(w, zh)).collect(),
            Err(e) => return ApiError::from(e).into_response(),
        }
    } else {
        Vec::new()
    };
    let shown = u64::from(page.page) * u64::from(page.per_page);
    let items = found
        .items
        .into_iter()
        .map(|mut a| {
            a.published_at = local(&a.published_at);
            a
        })
        .collect();
    html(
        &ListPage {
            zh,
            q: text.clone(),
            total: found.total,
            items,
            warnings,
            prev: (page.page > 1).then(|| link(page.page - 1)),
            next: (shown < found.total as u64).then(|| link(page.page + 1)),
        },
        StatusCode::OK,
    )
}

/// Lang of the detail page.
#[derive(Debug, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// `GET /announcements/{id}`: one announcement as a public page.
#[utoipa::path(get, path = "/announcements/{id}", tag = "sampling", summary = "One announcement's public page",
    params(("id" = i64, Path), ("lang" = Option<String>, Query, description = "`zh` or `en`")),
    responses((status = 200, description = "An HTML page with every result.", content_type = "text/html"), (status = 404, response = crate::openapi::NotFound)))]
pub async fn page_one(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<LangQuery>,
) -> Response {
    let zh = page_lang(&headers, q.lang.as_deref()) == Lang::Zh;
    match state.store.announcement(id).await {
        Ok(mut a) => {
            a.published_at = local(&a.published_at);
            html(&OnePage { zh, a }, StatusCode::OK)
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

const HEADINGS: [&str; 9] = [
    "产品",
    "类别",
    "企业",
    "统一社会信用代码",
    "地区",
    "批号",
    "检验机构",
    "结果",
    "不合格项目",
];

fn cells(a: &Announcement) -> impl Iterator<Item = [String; 9]> + '_ {
    a.rows.iter().map(|r| {
        [
            r.product.clone(),
            r.category.clone(),
            r.enterprise.clone(),
            r.uscc.clone(),
            r.region.clone(),
            r.lot.clone(),
            r.lab.clone(),
            if r.result == Outcome::Pass {
                "合格".into()
            } else {
                "不合格".into()
            },
            r.failing_items.join("、"),
        ]
    })
}

fn attachment(name: String, content_type: &'static str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /announcements/{id}/results.csv`: UTF-8 with a byte-order mark, so that
/// spreadsheet programs read the Chinese right.
#[utoipa::path(get, path = "/announcements/{id}/results.csv", tag = "sampling", summary = "An announcement's results as CSV",
    params(("id" = i64, Path)),
    responses((status = 200, description = "产品, 类别, 企业, 统一社会信用代码, 地区, 批号, 检验机构, 结果, 不合格项目.", content_type = "text/csv"), (status = 404, response = crate::openapi::NotFound)))]
pub async fn csv(State(state): State<AppState>, Path(id): Path<i64>) -> Response {
    let a = match state.store.announcement(id).await {
        Ok(a) => a,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let mut out = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    let written = std::iter::once(HEADINGS.map(str::to_owned))
        .chain(cells(&a))
        .try_for_each(|row| out.write_record(&row));
    match (written, out.into_inner()) {
        (Ok(()), Ok(body)) => attachment(
            format!("announcement-{id}.csv"),
            "text/csv; charset=utf-8",
            body,
        ),
        (Err(e), _) => ApiError::internal(&e).into_response(),
        (_, Err(e)) => ApiError::internal(&e.into_error()).into_response(),
    }
}

/// `GET /announcements/{id}/results.xlsx`.
#[utoipa::path(get, path = "/announcements/{id}/results.xlsx", tag = "sampling", summary = "An announcement's results as an Excel workbook",
    params(("id" = i64, Path)),
    responses((status = 200, description = "Sheet 抽查结果: the title in A1, the headings in row 3, one row per result.", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404, response = crate::openapi::NotFound)))]
pub async fn xlsx(State(state): State<AppState>, Path(id): Path<i64>) -> Response {
    let a = match state.store.announcement(id).await {
        Ok(a) => a,
        Err(e) => return ApiError::from(e).into_response(),
    };
    match workbook(&a) {
        Ok(body) => attachment(
            format!("announcement-{id}.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            body,
        ),
        Err(e) => ApiError::internal(&e).into_response(),
    }
}

/// The workbook of an announcement's results (also timed by `zhijian bench sampling xlsx`).
pub fn workbook(a: &Announcement) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("抽查结果")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    sheet.write_string_with_format(0, 0, &a.title, &bold)?;
    for (col, h) in HEADINGS.iter().enumerate() {
        sheet.write_string_with_format(2, col as u16, *h, &bold)?;
    }
    for (i, row) in cells(a).enumerate() {
        for (col, value) in row.iter().enumerate() {
            sheet.write_string(3 + i as u32, col as u16, value)?;
        }
    }
    sheet.set_column_width(2, 30)?;
    sheet.set_column_width(3, 22)?;
    book.save_to_buffer()
}
