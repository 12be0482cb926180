//! Risk early warning: officers import signals, detection raises warnings, the owner
//! bureau moves them through their lifecycle and may make them public.

use axum::Json as AxumJson;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use zhijian_core::access::Role;
use zhijian_core::catalogue;
use zhijian_core::page::{Page, Paged};
use zhijian_core::region::{self, RegionCode};
use zhijian_core::risk::{Level, SignalKind, Thresholds, WarningKind, WarningStatus};
use zhijian_core::uscc::Uscc;
use zhijian_store::risk_signals::NewSignal;
use zhijian_store::warnings::{DetectionSummary, Warning, WarningDetail, WarningFilter};

use super::extract::{Json, Path, Query};
use crate::auth::Authed;
use crate::error::ApiError;
use crate::state::AppState;

/// Most signals one import may carry.
pub const MAX_SIGNALS: usize = 10_000;

/// One signal to import (JSON element or CSV row with the same column names).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SignalInput {
    /// `complaint`, `counterfeit`, `injury`, `incident` or `external`.
    pub kind: String,
    /// Catalogue category id.
    #[schema(examples("F05"))]
    pub category: String,
    /// GB/T 2260 region code, within the importer's subtree.
    #[schema(examples("130102"))]
    pub region: String,
    /// When it happened, RFC 3339 with a zone.
    #[schema(format = DateTime, examples("2026-11-30T09:00:00+08:00"))]
    pub time: String,
    /// 1 (minor) to 4 (grave); 2 when left out.
    pub severity: Option<i64>,
    /// The enterprise concerned, by credit code.
    pub enterprise: Option<String>,
}

/// How many signals were stored.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Imported {
    /// The number stored.
    pub count: usize,
}

fn bad(code: &'static str, i: usize, field: &str, detail: String) -> ApiError {
    ApiError::invalid(code, format!("[{i}].{field}"), detail)
}

/// Reads one element's value of a field as text (numbers too), `None` when absent,
/// null or blank.
fn text_of(obj: &serde_json::Map<String, serde_json::Value>, key: &str) -> Option<String> {
    match obj.get(key)? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) if s.trim().is_empty() => None,
        serde_json::Value::String(s) => Some(s.trim().to_owned()),
        other => Some(other.to_string()),
    }
}

const COLUMNS: [&str; 6] = [
    "kind",
    "category",
    "region",
    "time",
    "severity",
    "enterprise",
];

/// The rows of a body, as field maps: a JSON array of objects, or CSV with a header row.
fn rows(headers: &HeaderMap, body: &[u8]) -> Result<Vec<serde_json::Value>, ApiError> {
    let csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/csv"));
    if !csv {
        let v: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", e.to_string()))?;
        return match v {
            serde_json::Value::Array(items) => Ok(items),
            _ => Err(ApiError::invalid(
                "signals_array",
                "",
                "send a JSON array of signals",
            )),
        };
    }
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(body);
    let head: Vec<String> = reader
        .headers()
        .map_err(|e| ApiError::invalid("csv_format", "", e.to_string()))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    if let Some(missing) = COLUMNS[..4].iter().find(|c| !head.iter().any(|h| h == *c)) {
        return Err(ApiError::invalid(
            "csv_columns",
            *missing,
            format!(
                "the CSV needs a header row with the columns {}",
                COLUMNS.join(",")
            ),
        ));
    }
    let mut out = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec =
            rec.map_err(|e| ApiError::invalid("csv_format", format!("[{i}]"), e.to_string()))?;
        let mut obj = serde_json::Map::new();
        for (h, v) in head.iter().zip(rec.iter()) {
            obj.insert(h.clone(), serde_json::Value::String(v.to_owned()));
        }
        out.push(serde_json::Value::Object(obj));
    }
    Ok(out)
}

/// Checks every element; the first fault names its index and field.
async fn parse_signals(
    state: &AppState,
    who: &zhijian_core::access::Principal,
    items: &[serde_json::Value],
) -> Result<Vec<NewSignal>, ApiError> {
    if items.is_empty() {
        return Err(ApiError::invalid(
            "signals_empty",
            "",
            "no signals to import",
        ));
    }
    if items.len() > MAX_SIGNALS {
        return Err(ApiError::invalid(
            "too_many_items",
            "",
            format!("at most {MAX_SIGNALS} signals per import"),
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    let mut usccs: Vec<(usize, String)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let obj = item.as_object().ok_or_else(|| {
            bad(
                "signal_object",
                i,
                "",
                format!("element {i} is not an object"),
            )
        })?;
        let need = |f: &str| {
            text_of(obj, f).ok_or_else(|| bad("required", i, f, format!("element {i} has no {f}")))
        };
        let kind_text = need("kind")?;
        let kind = SignalKind::parse(&kind_text)
            .filter(|k| SignalKind::IMPORTABLE.contains(k))
            .ok_or_else(|| {
                bad(
                    "kind_unknown",
                    i,
                    "kind",
                    format!(
                        "{kind_text} is not complaint, counterfeit, injury, incident or external"
                    ),
                )
            })?;
        let category = need("category")?;
        if catalogue::category(&category).is_none() {
            return Err(bad(
                "category_unknown",
                i,
                "category",
                format!("unknown category {category}"),
            ));
        }
        let region_text = need("region")?;
        let code = RegionCode::parse(&region_text)
            .ok()
            .filter(|c| region::lookup(*c).is_some())
            .ok_or_else(|| {
                bad(
                    "region_unknown",
                    i,
                    "region",
                    format!("unknown region {region_text}"),
                )
            })?;
        if who.role != Role::Admin && !who.region.contains(code) {
            return Err(bad(
                "region_outside",
                i,
                "region",
                format!(
                    "{region_text} is outside your region {}",
                    who.region.as_str()
                ),
            ));
        }
        let time = need("time")?;
        let at = time.parse::<jiff::Timestamp>().map_err(|_| {
            bad(
                "time_format",
                i,
                "time",
                format!(
                    "{time} is not an RFC 3339 time with a zone (e.g. 2026-11-30T09:00:00+08:00)"
                ),
            )
        })?;
        let severity = match text_of(obj, "severity") {
            None => 2,
            Some(s) => s
                .trim_matches('"')
                .parse::<u8>()
                .ok()
                .filter(|s| (1..=4).contains(s))
                .ok_or_else(|| {
                    bad(
                        "severity_range",
                        i,
                        "severity",
                        format!("severity {s} is not 1, 2, 3 or 4"),
                    )
                })?,
        };
        if let Some(e) = text_of(obj, "enterprise") {
            let uscc =
                Uscc::parse(&e).map_err(|err| bad(err.code(), i, "enterprise", err.to_string()))?;
            usccs.push((i, uscc.to_string()));
        }
        let extra: serde_json::Map<String, serde_json::Value> = obj
            .iter()
            .filter(|(k, _)| !COLUMNS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        out.push(NewSignal {
            kind,
            category,
            region: code.as_str().to_owned(),
            at: at.as_millisecond(),
            severity,
            enterprise_id: None,
            detail: serde_json::json!({"imported_by": who.username, "extra": extra}),
        });
    }
    let codes: Vec<String> = usccs.iter().map(|(_, c)| c.clone()).collect();
    let ids = state.store.enterprise_ids(&codes).await?;
    for (i, code) in usccs {
        let id = ids.get(&code).copied().ok_or_else(|| {
            bad(
                "enterprise_unknown",
                i,
                "enterprise",
                format!("no enterprise {code} in the network"),
            )
        })?;
        out[i].enterprise_id = Some(id);
        if let serde_json::Value::Object(m) = &mut out[i].detail {
            m.insert("enterprise".into(), code.into());
        }
    }
    Ok(out)
}

fn officer_or_admin(who: &Authed) -> Result<(), ApiError> {
    match who.0.role {
        Role::Officer | Role::Admin => Ok(()),
        _ => Err(ApiError::forbidden()),
    }
}

/// `POST /api/v1/signals` → 201: officers import risk signals.
#[utoipa::path(post, path = "/api/v1/signals", operation_id = "import_signals", tag = "risk",
    summary = "Import risk signals (officers)",
    description = "A JSON array of signals, or `text/csv` with a header row naming the same columns (`kind,category,region,time,severity,enterprise`). All or nothing: the first element at fault is named as `[index].field` (`kind_unknown`, `category_unknown`, `region_unknown`, `region_outside` for regions outside an officer's subtree, `time_format` for times without a zone, `severity_range`, `enterprise_unknown`, `required`) and nothing is stored. Officers and admins; others 403.",
    security(("bearer" = []), ("session" = [])),
    request_body(content = Vec<SignalInput>, description = "JSON array, or the same as text/csv"),
    responses(
        (status = 201, body = Imported),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn import(
    State(state): State<AppState>,
    who: Authed,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, AxumJson<Imported>), ApiError> {
    officer_or_admin(&who)?;
    let items = rows(&headers, &body)?;
    let signals = parse_signals(&state, &who.0, &items).await?;
    let count = state
        .store
        .import_signals(&who.0.username, &signals)
        .await?;
    Ok((StatusCode::CREATED, AxumJson(Imported { count })))
}

/// The body of `POST /api/v1/risk/detect`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DetectInput {
    /// Detect over the signals up to this instant (RFC 3339 with a zone); now when left
    /// out.
    #[schema(format = DateTime)]
    pub as_of: Option<String>,
}

/// `POST /api/v1/risk/detect` → 200: runs detection as the scheduler does.
#[utoipa::path(post, path = "/api/v1/risk/detect", operation_id = "detect_risks", tag = "risk",
    summary = "Run risk detection (officers)",
    description = "Runs the detection the node's daily pass runs, over the signals and tested samples up to `as_of`: failure rates against the category's history (beta-binomial), complaint and counterfeit surges (Poisson CUSUM), clusters of harm reports; each finding raises a warning or adds its evidence to the open one of the same kind, category and region. Officers and admins.",
    security(("bearer" = []), ("session" = [])),
    request_body = DetectInput,
    responses(
        (status = 200, body = DetectionSummary),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn detect(
    State(state): State<AppState>,
    who: Authed,
    Json(input): Json<DetectInput>,
) -> Result<AxumJson<DetectionSummary>, ApiError> {
    officer_or_admin(&who)?;
    let as_of = match input.as_of.as_deref().map(str::trim) {
        None | Some("") => jiff::Timestamp::now(),
        Some(t) => t.parse::<jiff::Timestamp>().map_err(|_| {
            ApiError::invalid(
                "time_format",
                "as_of",
                "as_of must be an RFC 3339 time with a zone",
            )
        })?,
    };
    let summary = state
        .store
        .run_detection(
            as_of.as_millisecond(),
            &Thresholds::default(),
            &who.0.username,
        )
        .await?;
    if summary.raised > 0 {
        let state = state.clone();
        tokio::spawn(async move { crate::notify::deliver(&state).await });
    }
    Ok(AxumJson(summary))
}

/// Filters of `GET /api/v1/warnings`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct WarningQuery {
    /// `red`, `orange`, `yellow` or `blue`.
    pub level: Option<String>,
    /// `raised`, `acknowledged`, `measures`, `closed`, or `open` for any but closed.
    pub status: Option<String>,
    /// Catalogue category id.
    pub category: Option<String>,
    /// Only this region's subtree.
    pub region: Option<String>,
    /// `failure_rate`, `complaint_surge`, `counterfeit_surge` or `cluster`.
    pub kind: Option<String>,
    /// Page number, from 1.
    pub page: Option<u32>,
    /// Items per page, 1–1000.
    pub per_page: Option<u32>,
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Parses the list filters (shared with the console).
pub fn filter(q: &WarningQuery) -> Result<(WarningFilter, Page), ApiError> {
    let mut f = WarningFilter::default();
    if let Some(l) = blank(&q.level) {
        f.level = Some(Level::parse(l).ok_or_else(|| {
            ApiError::invalid("level_unknown", "level", format!("unknown level {l}"))
        })?);
    }
    match blank(&q.status) {
        None => {}
        Some("open") => f.open = true,
        Some(s) => {
            f.status = Some(WarningStatus::parse(s).ok_or_else(|| {
                ApiError::invalid("status_unknown", "status", format!("unknown status {s}"))
            })?)
        }
    }
    if let Some(k) = blank(&q.kind) {
        f.kind = Some(WarningKind::parse(k).ok_or_else(|| {
            ApiError::invalid("kind_unknown", "kind", format!("unknown kind {k}"))
        })?);
    }
    f.category = blank(&q.category).map(str::to_owned);
    if let Some(r) = blank(&q.region) {
        f.region = Some(RegionCode::parse(r)?);
    }
    Ok((f, Page::new(q.page, q.per_page)?))
}

/// `GET /api/v1/warnings`.
#[utoipa::path(get, path = "/api/v1/warnings", operation_id = "warnings", tag = "risk",
    summary = "List risk warnings",
    description = "Newest first. Bureaus see the warnings of their region's subtree; enterprises, printers and labs get 403.",
    security(("bearer" = []), ("session" = [])), params(WarningQuery),
    responses(
        (status = 200, body = inline(Paged<Warning>)),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn list(
    State(state): State<AppState>,
    who: Authed,
    Query(q): Query<WarningQuery>,
) -> Result<AxumJson<Paged<Warning>>, ApiError> {
    let (f, page) = filter(&q)?;
    Ok(AxumJson(
        state.store.scoped(&who.0).warnings(&f, page).await?,
    ))
}

/// `GET /api/v1/warnings/{id}`.
#[utoipa::path(get, path = "/api/v1/warnings/{id}", operation_id = "warning", tag = "risk",
    summary = "One warning with its evidence and lifecycle",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "The warning's id")),
    responses(
        (status = 200, body = WarningDetail),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn get(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<WarningDetail>, ApiError> {
    Ok(AxumJson(state.store.scoped(&who.0).warning(id).await?))
}

/// The body of `POST /api/v1/warnings/{id}/transitions`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    /// `acknowledged`, `measures` or `closed` — only the next one in that order.
    pub to: String,
    /// What was done or decided (for `measures`: the measures).
    #[serde(default)]
    pub note: Option<String>,
}

/// Most characters of a note.
const MAX_NOTE: usize = 4000;

/// `POST /api/v1/warnings/{id}/transitions`.
#[utoipa::path(post, path = "/api/v1/warnings/{id}/transitions", operation_id = "transition_warning", tag = "risk",
    summary = "Move a warning through its lifecycle (officers)",
    description = "raised → acknowledged → measures → closed, one step at a time. Any other move is refused with 409 `warning_transition` and nothing changes; an unknown status is 422. Officers of the warning's region or above, and admins; viewers 403.",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "The warning's id")),
    request_body = TransitionInput,
    responses(
        (status = 200, body = WarningDetail),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`warning_transition`: not the next status.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn transition(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<TransitionInput>,
) -> Result<AxumJson<WarningDetail>, ApiError> {
    let to = WarningStatus::parse(input.to.trim()).ok_or_else(|| {
        ApiError::invalid(
            "status_unknown",
            "to",
            format!("{} is not acknowledged, measures or closed", input.to),
        )
    })?;
    let note = input.note.as_deref().map(str::trim).unwrap_or_default();
    if note.chars().count() > MAX_NOTE {
        return Err(ApiError::invalid(
            "too_long",
            "note",
            format!("a note has at most {MAX_NOTE} characters"),
        ));
    }
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .transition_warning(id, to, note)
            .await?,
    ))
}

/// The body of `POST /api/v1/warnings/{id}/publish`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishInput {
    /// Show it in the public announcements (`true`, the default) or take it out.
    #[serde(default = "yes")]
    pub public: bool,
}

fn yes() -> bool {
    true
}

/// `POST /api/v1/warnings/{id}/publish`.
#[utoipa::path(post, path = "/api/v1/warnings/{id}/publish", operation_id = "publish_warning", tag = "risk",
    summary = "Show a warning in the public announcements (officers)",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "The warning's id")),
    request_body = PublishInput,
    responses(
        (status = 200, body = Warning),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn publish(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<PublishInput>,
) -> Result<AxumJson<Warning>, ApiError> {
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .publish_warning(id, input.public)
            .await?,
    ))
}

/// Page parameters of the public list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PublicQuery {
    /// Page number, from 1.
    pub page: Option<u32>,
    /// Items per page, 1–1000.
    pub per_page: Option<u32>,
}

/// `GET /api/v1/public-warnings`: the warnings bureaus made public (no sign-in).
#[utoipa::path(get, path = "/api/v1/public-warnings", operation_id = "public_warnings", tag = "risk",
    summary = "Public risk warnings",
    description = "The warnings their bureaus made public, newest first; also listed on the public announcements page `/announcements`. No sign-in needed.",
    params(PublicQuery),
    responses(
        (status = 200, body = inline(Paged<Warning>)),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn public_list(
    State(state): State<AppState>,
    Query(q): Query<PublicQuery>,
) -> Result<AxumJson<Paged<Warning>>, ApiError> {
    let page = Page::new(q.page, q.per_page)?;
    Ok(AxumJson(state.store.public_warnings(page).await?))
}
