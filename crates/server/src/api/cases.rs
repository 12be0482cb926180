//! Law-enforcement cases: open, list, read, and the steps that take one to its close.

use axum::Json as AxumJson;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use zhijian_core::case::{CaseStatus, Origin};
use zhijian_core::page::{Page, Paged};
use zhijian_store::cases::{Case, CaseSummary, NewCase};

use super::enterprises::known_region;
use super::extract::Json;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::state::AppState;

/// The body of `POST /api/v1/cases`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    /// What it is about (1–200 characters).
    pub title: String,
    /// `complaint`, `sample`, `counterfeit`, `warning` or `manual`.
    pub origin: String,
    /// The originating record's id (required unless manual).
    pub origin_id: Option<i64>,
    /// The enterprise's credit code (for a manual case, or to name one).
    pub enterprise: Option<String>,
    /// The region (a manual case without an enterprise).
    pub region: Option<String>,
    /// What is known.
    pub summary: String,
}

/// `POST /api/v1/cases`.
#[utoipa::path(post, path = "/api/v1/cases", operation_id = "open_case", tag = "cases",
    summary = "Open a law-enforcement case",
    description = "Officers. From a complaint (one the caller handles), a failed sample, a counterfeit signal or a warning (`origin_id`), or by hand; the enterprise and region come from the origin, else from `enterprise` or `region`. The bureau nearest the region owns it; the origin is its first evidence.",
    security(("bearer" = []), ("session" = [])), params(crate::openapi::CsrfHeader),
    request_body = CaseInput,
    responses(
        (status = 201, body = Case),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn open(
    State(state): State<AppState>,
    who: Authed,
    Json(input): Json<CaseInput>,
) -> Result<(StatusCode, AxumJson<Case>), ApiError> {
    let origin = Origin::parse(input.origin.trim()).ok_or_else(|| {
        ApiError::invalid(
            "case_origin",
            "origin",
            "origin is complaint, sample, counterfeit, warning or manual",
        )
    })?;
    let region = match input
        .region
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        None => None,
        Some(r) => Some(known_region("region", r)?),
    };
    let case = state
        .store
        .scoped(&who.0)
        .open_case(&NewCase {
            title: input.title,
            origin,
            origin_id: input.origin_id,
            enterprise: input.enterprise,
            region,
            summary: input.summary,
        })
        .await?;
    Ok((StatusCode::CREATED, AxumJson(case)))
}

/// Filters of the case list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CaseQuery {
    /// `open`, `decided` or `closed`.
    pub status: Option<String>,
    /// Page number, from 1.
    pub page: Option<u32>,
    /// Items per page, 1–1000.
    pub per_page: Option<u32>,
}

/// `GET /api/v1/cases`.
#[utoipa::path(get, path = "/api/v1/cases", operation_id = "list_cases", tag = "cases",
    summary = "List cases",
    description = "Newest first: the cases of the caller's subtree and those its bureaus investigate jointly.",
    security(("bearer" = []), ("session" = [])), params(CaseQuery),
    responses(
        (status = 200, body = inline(Paged<CaseSummary>)),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn list(
    State(state): State<AppState>,
    who: Authed,
    Query(q): Query<CaseQuery>,
) -> Result<AxumJson<Paged<CaseSummary>>, ApiError> {
    let page = Page::new(q.page, q.per_page)?;
    let status = match q.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(CaseStatus::parse(s).ok_or_else(|| {
            ApiError::invalid("status", "status", "status is open, decided or closed")
        })?),
    };
    Ok(AxumJson(
        state.store.scoped(&who.0).cases(status, page).await?,
    ))
}

/// `GET /api/v1/cases/{id}`.
#[utoipa::path(get, path = "/api/v1/cases/{id}", operation_id = "get_case", tag = "cases",
    summary = "Read a case",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path)),
    responses(
        (status = 200, body = Case),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn get(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<Case>, ApiError> {
    Ok(AxumJson(state.store.scoped(&who.0).case(id).await?))
}

/// A step on a case.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseAction {
    /// `note`, `evidence`, `transfer`, `joint`, `decide` or `close`.
    pub action: String,
    /// The note, the decision, the closing report, or a note on evidence.
    pub text: Option<String>,
    /// Evidence: `complaint`, `sample`, `counterfeit`, `warning`, `batch`, `code`, `document`.
    pub kind: Option<String>,
    /// Evidence: its key.
    pub target: Option<String>,
    /// Transfer or joint: the region whose bureau takes it.
    pub region: Option<String>,
    /// Decide: the fine in yuan (absent: no fine).
    pub fine_yuan: Option<i64>,
}

/// `POST /api/v1/cases/{id}/actions`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/actions", operation_id = "act_on_case", tag = "cases",
    summary = "Record a step on a case",
    description = "Officers who see the case. `note` and `evidence` while open or decided; `transfer` (to the bureau of `region`; a region of another province's node is recorded as `external_region` for the exchange between nodes) and `joint` while open; `decide` (`text`, `fine_yuan`) from open; `close` (`text` as the report) from decided. Out of order: 409 `case_status`; a region with no bureau: 422 `bureau_unknown`.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    request_body = CaseAction,
    responses(
        (status = 200, body = Case),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`case_status`, `evidence_linked`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn act(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<CaseAction>,
) -> Result<AxumJson<Case>, ApiError> {
    let scoped = state.store.scoped(&who.0);
    let text = input.text.as_deref().unwrap_or("");
    let region = || known_region("region", input.region.as_deref().unwrap_or("").trim());
    Ok(AxumJson(match input.action.trim() {
        "note" => scoped.record_case_step(id, text).await?,
        "evidence" => {
            scoped
                .add_evidence(
                    id,
                    input.kind.as_deref().unwrap_or("").trim(),
                    input.target.as_deref().unwrap_or(""),
                    input.text.as_deref(),
                )
                .await?
        }
        "transfer" => scoped.transfer_case(id, region()?, false).await?,
        "joint" => scoped.transfer_case(id, region()?, true).await?,
        "decide" => scoped.decide_case(id, text, input.fine_yuan).await?,
        "close" => scoped.close_case(id, text).await?,
        other => {
            return Err(ApiError::invalid(
                "action",
                "action",
                format!(
                    "unknown action '{other}': note, evidence, transfer, joint, decide or close"
                ),
            ));
        }
    }))
}

/// `POST /api/v1/cases/{id}/files`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/files", operation_id = "add_case_file", tag = "cases",
    summary = "Add an evidence file to a case",
    description = "multipart/form-data with the document as `file` (PDF, image, office document or text, by content; at most `max_attachment_bytes`); at most 50 per case, while it is open or decided. The case's steps record the file's name.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    request_body(content_type = "multipart/form-data", description = "file"),
    responses(
        (status = 201, body = Case),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`too_many_files`, `case_status`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn add_file(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    form: super::extract::Multipart,
) -> Result<(StatusCode, AxumJson<Case>), ApiError> {
    let (fields, file) = form.fields_and_file().await?;
    let case = store_file(
        &state,
        &who.0,
        id,
        &fields,
        file,
        "attach the document as `file`",
    )
    .await?;
    Ok((StatusCode::CREATED, AxumJson(case)))
}

/// Checks a read form's `file` (named by its `file_name` field, else "evidence") and adds
/// it to the case; `missing` says what to do when the form carries none. The API and the
/// console's upload form both come here.
pub async fn store_file(
    state: &AppState,
    who: &zhijian_core::access::Principal,
    id: i64,
    fields: &std::collections::HashMap<String, String>,
    file: Option<Vec<u8>>,
    missing: &str,
) -> Result<Case, ApiError> {
    let file = file.ok_or_else(|| ApiError::invalid("required", "file", missing))?;
    let name = fields.get("file_name").map_or("evidence", String::as_str);
    let (name, media) =
        zhijian_core::attachment::check(name, &file, state.config.max_attachment_bytes)?;
    Ok(state
        .store
        .scoped(who)
        .add_case_file(id, &name, media, &file)
        .await?)
}

/// `GET /api/v1/cases/{id}/files/{file}`: the document itself.
#[utoipa::path(get, path = "/api/v1/cases/{id}/files/{file}", operation_id = "get_case_file", tag = "cases",
    summary = "One evidence file of a case", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path), ("file" = i64, Path)),
    responses(
        (status = 200, description = "The file.", content_type = "application/octet-stream"),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn file(
    State(state): State<AppState>,
    who: Authed,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<axum::response::Response, ApiError> {
    let (f, bytes) = state.store.scoped(&who.0).case_file(id, file).await?;
    Ok(super::private_file(f.media_type, bytes))
}
