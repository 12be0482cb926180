//! The public portal: its home page (the code query, complaints, and the newest of each
//! public list), enterprise search and profiles, administrative penalties, and the
//! feeds of penalties, warnings and announcements. No sign-in anywhere here.

use askama::Template;
use axum::Json as AxumJson;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use zhijian_core::page::{Page, Paged};
use zhijian_store::StoreError;
use zhijian_store::enterprises::EnterpriseSummary;
use zhijian_store::portal::{Penalty, PublicFilter, PublicProfile};

use super::announcements::{PublicWarning, html, local, public_warning};
use super::atom;
use super::public_list::{PublicListQuery, pager};
use super::public_recalls::{Notice, notice};
use super::verify::page_lang;
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

/// How many of each list the home page shows.
const HOME_ITEMS: u32 = 5;

/// A penalty as the pages show it.
struct PenaltyLine {
    case_id: i64,
    title: String,
    enterprise: Option<String>,
    enterprise_name: String,
    bureau: String,
    decision: String,
    fine: String,
    decided_at: String,
}

fn penalty_line(p: Penalty, zh: bool) -> PenaltyLine {
    PenaltyLine {
        case_id: p.case_id,
        title: p.title,
        enterprise_name: p.enterprise_name.unwrap_or_else(|| {
            if zh {
                "（当事人不明）"
            } else {
                "(party unknown)"
            }
            .to_owned()
        }),
        enterprise: p.enterprise,
        bureau: p.bureau,
        decision: p.decision,
        fine: match (p.fine_yuan, zh) {
            (Some(f), true) => format!("罚款 {f} 元"),
            (Some(f), false) => format!("fine ¥{f}"),
            (None, true) => "无罚款".into(),
            (None, false) => "no fine".into(),
        },
        decided_at: local(&p.decided_at),
    }
}

#[derive(Template)]
#[template(path = "portal_home.html")]
struct HomePage {
    zh: bool,
    warnings: Vec<PublicWarning>,
    recalls: Vec<Notice>,
    announcements: Vec<zhijian_store::announcements::Announcement>,
    penalties: Vec<PenaltyLine>,
    blacklisted: i64,
}

fn first(n: u32) -> Page {
    Page {
        page: 1,
        per_page: n,
    }
}

/// `GET /`: the portal's home page.
#[utoipa::path(get, path = "/", tag = "portal", summary = "The public portal's home page",
    params(("lang" = Option<String>, Query, description = "`zh` or `en`")),
    responses((status = 200, description = "Code query, complaints, and the newest warnings, recalls, announcements and penalties.", content_type = "text/html")))]
pub async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PublicListQuery>,
) -> Response {
    let lang = page_lang(&headers, q.lang.as_deref());
    // The clock is read before the lists, so a change landing meanwhile makes the kept
    // page stale rather than hiding it.
    let head = state.store.db().changes().head();
    if let Some(body) = state.home.get(lang, head) {
        return (StatusCode::OK, axum::response::Html(body)).into_response();
    }
    let page = match home_page(&state, lang).await {
        Ok(p) => p,
        Err(e) => return ApiError::from(e).into_response(),
    };
    match page.render() {
        Ok(body) => {
            state.home.put(lang, head, &body);
            (StatusCode::OK, axum::response::Html(body)).into_response()
        }
        Err(e) => ApiError::internal(&e).into_response(),
    }
}

async fn home_page(state: &AppState, lang: Lang) -> Result<HomePage, StoreError> {
    let store = &state.store;
    let all = PublicFilter::default();
    let warnings = store
        .public_warnings(first(HOME_ITEMS))
        .await?
        .items
        .into_iter()
        .map(|w| public_warning(w, lang == Lang::Zh))
        .collect();
    let recalls = store
        .public_recalls(&all, first(HOME_ITEMS))
        .await?
        .items
        .into_iter()
        .map(|r| notice(r, lang))
        .collect();
    let announcements = store
        .announcements(None, first(HOME_ITEMS))
        .await?
        .items
        .into_iter()
        .map(|mut a| {
            a.published_at = local(&a.published_at);
            a
        })
        .collect();
    let penalties = store
        .public_penalties(&all, first(HOME_ITEMS))
        .await?
        .items
        .into_iter()
        .map(|p| penalty_line(p, lang == Lang::Zh))
        .collect();
    let blacklisted = store.public_blacklist(&all, first(1)).await?.total;
    Ok(HomePage {
        zh: lang == Lang::Zh,
        warnings,
        recalls,
        announcements,
        penalties,
        blacklisted,
    })
}

/// `GET /api/v1/public-enterprises` (no sign-in).
#[utoipa::path(get, path = "/api/v1/public-enterprises", operation_id = "public_enterprises", tag = "portal",
    summary = "Find enterprises (public)",
    description = "By name (every word must appear) or credit code; name order. Also the page `/enterprises`.",
    params(PublicListQuery),
    responses(
        (status = 200, body = inline(Paged<EnterpriseSummary>)),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn enterprises(
    State(state): State<AppState>,
    Query(q): Query<PublicListQuery>,
) -> Result<AxumJson<Paged<EnterpriseSummary>>, ApiError> {
    let page = Page::new(q.page, q.per_page)?;
    Ok(AxumJson(
        state.store.public_enterprises(&q.words(), page).await?,
    ))
}

/// An enterprise's profile with the grade removed unless the node publishes it.
async fn profile(state: &AppState, uscc: &str) -> Result<PublicProfile, ApiError> {
    let mut p = state.store.public_profile(uscc.trim()).await?;
    if let Some(g) = &p.grade
        && !state
            .config
            .public_grades
            .iter()
            .any(|pg| pg.as_str() == g.grade)
    {
        p.grade = None;
    }
    Ok(p)
}

/// `GET /api/v1/public-enterprises/{uscc}` (no sign-in).
#[utoipa::path(get, path = "/api/v1/public-enterprises/{uscc}", operation_id = "public_enterprise", tag = "portal",
    summary = "An enterprise's public profile",
    description = "Issued licences, the credit grade where the node publishes it (`public_grades`), announced sampling results, recalls, administrative penalties and blacklist entries in force. Also the page `/enterprises/{uscc}`.",
    params(("uscc" = String, Path)),
    responses(
        (status = 200, body = PublicProfile),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn enterprise(
    State(state): State<AppState>,
    Path(uscc): Path<String>,
) -> Result<AxumJson<PublicProfile>, ApiError> {
    Ok(AxumJson(profile(&state, &uscc).await?))
}

#[derive(Template)]
#[template(path = "portal_enterprises.html")]
struct EnterprisesPage {
    zh: bool,
    q: String,
    total: i64,
    items: Vec<EnterpriseSummary>,
    prev: Option<String>,
    next: Option<String>,
}

/// `GET /enterprises`: enterprise search.
#[utoipa::path(get, path = "/enterprises", tag = "portal", summary = "The public enterprise search page",
    params(("q" = Option<String>, Query, description = "Name words or credit code"), ("page" = Option<u32>, Query), ("lang" = Option<String>, Query, description = "`zh` or `en`")),
    responses((status = 200, description = "An HTML page of enterprises, 20 a page; without `q`, a search form.", content_type = "text/html")))]
pub async fn enterprises_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PublicListQuery>,
) -> Response {
    let lang = page_lang(&headers, q.lang.as_deref());
    let words = q.words();
    let page = q.html_page();
    // Without words the page is only the form: the whole register is not a browsing list.
    let found = if words.is_empty() {
        Paged {
            items: Vec::new(),
            total: 0,
        }
    } else {
        match state.store.public_enterprises(&words, page).await {
            Ok(f) => f,
            Err(e) => return ApiError::from(e).into_response(),
        }
    };
    let (prev, next) = pager("/enterprises", &words, lang, page, found.total);
    html(
        &EnterprisesPage {
            zh: lang == Lang::Zh,
            q: words,
            total: found.total,
            items: found.items,
            prev,
            next,
        },
        StatusCode::OK,
    )
}

/// A sampling result line of a profile.
struct ResultLine {
    announcement_id: i64,
    published_at: String,
    product: String,
    lot: String,
    passed: bool,
    failing_items: String,
}

#[derive(Template)]
#[template(path = "portal_profile.html")]
struct ProfilePage {
    zh: bool,
    p: PublicProfile,
    status: &'static str,
    licences: Vec<(String, String, String, String)>,
    results: Vec<ResultLine>,
    recalls: Vec<Notice>,
    penalties: Vec<PenaltyLine>,
}

/// `GET /enterprises/{uscc}`: an enterprise's public profile.
#[utoipa::path(get, path = "/enterprises/{uscc}", tag = "portal", summary = "An enterprise's public profile page",
    params(("uscc" = String, Path), ("lang" = Option<String>, Query, description = "`zh` or `en`")),
    responses((status = 200, description = "The profile as an HTML page.", content_type = "text/html"), (status = 404, response = crate::openapi::NotFound)))]
pub async fn profile_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(uscc): Path<String>,
    Query(q): Query<PublicListQuery>,
) -> Response {
    let lang = page_lang(&headers, q.lang.as_deref());
    let zh = lang == Lang::Zh;
    let mut p = match profile(&state, &uscc).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let licences = p
        .licences
        .iter()
        .map(|l| {
            (
                l.number.clone(),
                crate::console::i18n::state(lang, l.state).to_owned(),
                l.scope
                    .iter()
                    .map(|c| crate::console::i18n::category(lang, c))
                    .collect::<Vec<_>>()
                    .join("、"),
                format!(
                    "{} — {}",
                    l.valid_from.as_deref().unwrap_or("?"),
                    l.valid_until.as_deref().unwrap_or("?")
                ),
            )
        })
        .collect();
    let results = p
        .results
        .iter()
        .map(|r| ResultLine {
            announcement_id: r.announcement_id,
            published_at: local(&r.published_at),
            product: r.product.clone(),
            lot: r.lot.clone(),
            passed: r.result == zhijian_core::test_report::Outcome::Pass,
            failing_items: r.failing_items.join("、"),
        })
        .collect();
    let recalls = std::mem::take(&mut p.recalls)
        .into_iter()
        .map(|r| notice(r, lang))
        .collect();
    let penalties = std::mem::take(&mut p.penalties)
        .into_iter()
        .map(|x| penalty_line(x, zh))
        .collect();
    let status = crate::console::i18n::status(lang, p.status);
    html(
        &ProfilePage {
            zh,
            p,
            status,
            licences,
            results,
            recalls,
            penalties,
        },
        StatusCode::OK,
    )
}

/// `GET /api/v1/public-penalties` (no sign-in).
#[utoipa::path(get, path = "/api/v1/public-penalties", operation_id = "public_penalties", tag = "portal",
    summary = "Administrative penalties (public)",
    description = "Decided enforcement cases, newest decision first: enterprise, decision, fine, deciding bureau. Also the page `/penalties` and the feed `/penalties.atom`.",
    params(PublicListQuery),
    responses(
        (status = 200, body = inline(Paged<Penalty>)),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn penalties(
    State(state): State<AppState>,
    Query(q): Query<PublicListQuery>,
) -> Result<AxumJson<Paged<Penalty>>, ApiError> {
    let page = Page::new(q.page, q.per_page)?;
    Ok(AxumJson(
        state.store.public_penalties(&q.filter(), page).await?,
    ))
}

#[derive(Template)]
#[template(path = "portal_penalties.html")]
struct PenaltiesPage {
    zh: bool,
    q: String,
    total: i64,
    items: Vec<PenaltyLine>,
    prev: Option<String>,
    next: Option<String>,
}

/// `GET /penalties`: the administrative penalties page.
#[utoipa::path(get, path = "/penalties", tag = "portal", summary = "The public administrative penalties page",
    params(("q" = Option<String>, Query, description = "Enterprise, credit code, title or decision"), ("page" = Option<u32>, Query), ("lang" = Option<String>, Query, description = "`zh` or `en`")),
    responses((status = 200, description = "An HTML page of decisions, newest first, 20 a page.", content_type = "text/html")))]
pub async fn penalties_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PublicListQuery>,
) -> Response {
    let lang = page_lang(&headers, q.lang.as_deref());
    let page = q.html_page();
    let found = match state.store.public_penalties(&q.filter(), page).await {
        Ok(f) => f,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let (prev, next) = pager("/penalties", &q.words(), lang, page, found.total);
    html(
        &PenaltiesPage {
            zh: lang == Lang::Zh,
            q: q.words(),
            total: found.total,
            items: found
                .items
                .into_iter()
                .map(|p| penalty_line(p, lang == Lang::Zh))
                .collect(),
            prev,
            next,
        },
        StatusCode::OK,
    )
}

/// The newest entries a feed carries.
fn feed_page() -> Page {
    first(50)
}

/// `GET /penalties.atom`.
#[utoipa::path(get, path = "/penalties.atom", tag = "portal", summary = "Administrative penalties as an Atom feed",
    responses((status = 200, description = "The 50 newest decisions.", content_type = "application/atom+xml")))]
pub async fn penalties_feed(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let entries = state
        .store
        .public_penalties(&PublicFilter::default(), feed_page())
        .await
        .map(|found| {
            found
                .items
                .into_iter()
                .map(|p| {
                    let line = penalty_line(p.clone(), true);
                    atom::Entry {
                        path: format!("/penalties#case-{}", p.case_id),
                        title: format!("行政处罚：{}（{}）", line.enterprise_name, line.fine),
                        updated: p.decided_at,
                        summary: format!("{}。{}（{}）", p.title, p.decision, p.bureau),
                    }
                })
                .collect()
        });
    atom::serve(
        &state,
        &headers,
        "/penalties",
        "/penalties.atom",
        "行政处罚信息公示",
        entries,
    )
}

/// `GET /warnings.atom`: public risk warnings.
#[utoipa::path(get, path = "/warnings.atom", tag = "portal", summary = "Public risk warnings as an Atom feed",
    responses((status = 200, description = "The 50 newest public warnings.", content_type = "application/atom+xml")))]
pub async fn warnings_feed(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let entries = state.store.public_warnings(feed_page()).await.map(|found| {
        found
            .items
            .into_iter()
            .map(|w| {
                let category = crate::console::i18n::category(Lang::Zh, &w.category);
                let region = crate::console::i18n::region_name(&w.region);
                atom::Entry {
                    path: format!("/announcements#warning-{}", w.id),
                    title: format!(
                        "{}：{} · {}",
                        crate::console::warnings::level_name(Lang::Zh, w.level),
                        category,
                        region
                    ),
                    updated: w.updated_at.clone(),
                    summary: w
                        .measures
                        .clone()
                        .unwrap_or_else(|| format!("{region}{category}产品质量风险预警")),
                }
            })
            .collect()
    });
    atom::serve(
        &state,
        &headers,
        "/announcements",
        "/warnings.atom",
        "产品质量风险预警",
        entries,
    )
}

/// `GET /announcements.atom`: sampling announcements.
#[utoipa::path(get, path = "/announcements.atom", tag = "sampling", summary = "Sampling announcements as an Atom feed",
    responses((status = 200, description = "The 50 newest announcements.", content_type = "application/atom+xml")))]
pub async fn announcements_feed(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let entries = state
        .store
        .announcements(None, feed_page())
        .await
        .map(|found| {
            found
                .items
                .into_iter()
                .map(|a| atom::Entry {
                    path: format!("/announcements/{}", a.id),
                    summary: format!(
                        "{}：合格 {} 批次，不合格 {} 批次（{}）",
                        a.region_name, a.passed, a.failed, a.published_by
                    ),
                    title: a.title,
                    updated: a.published_at,
                })
                .collect()
        });
    atom::serve(
        &state,
        &headers,
        "/announcements",
        "/announcements.atom",
        "产品质量监督抽查公告",
        entries,
    )
}
