//! Emergency product-safety incidents (突发事件): open, follow, link, re-level, close.

use axum::Json as AxumJson;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use zhijian_core::incident::{IncidentLevel, StepKind};
use zhijian_core::page::{Page, Paged};
use zhijian_store::incidents::{Incident, IncidentSummary, NewIncident};

use super::enterprises::known_region;
use super::extract::Json;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::state::AppState;

/// A new incident.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentInput {
    /// What happened, in a line (1–200 characters).
    pub title: String,
    /// `I` (gravest) … `IV`.
    pub level: IncidentLevel,
    /// Region code; its bureau owns the incident.
    pub region: String,
    /// Product category, when known.
    pub category: Option<String>,
    /// What is known so far.
    pub summary: String,
}

/// Reads an incident input.
pub fn parse_incident(input: IncidentInput) -> Result<NewIncident, ApiError> {
    Ok(NewIncident {
        title: input.title,
        level: input.level,
        region: known_region("region", input.region.trim())?,
        category: input
            .category
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty()),
        summary: input.summary,
    })
}

/// `POST /api/v1/incidents`.
#[utoipa::path(post, path = "/api/v1/incidents", operation_id = "open_incident", tag = "risk",
    summary = "Open an emergency product-safety incident",
    description = "Officers of the region (or above) and admins; the region's bureau owns it. It is also recorded as a risk signal `incident` with the level's severity (I → 4 … IV → 1).",
    security(("bearer" = []), ("session" = [])), params(crate::openapi::CsrfHeader),
    request_body = IncidentInput,
    responses(
        (status = 201, body = Incident),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn open(
    State(state): State<AppState>,
    who: Authed,
    Json(input): Json<IncidentInput>,
) -> Result<(StatusCode, AxumJson<Incident>), ApiError> {
    let new = parse_incident(input)?;
    let i = state.store.scoped(&who.0).open_incident(&new).await?;
    Ok((StatusCode::CREATED, AxumJson(i)))
}

/// Filters of the incident list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct IncidentFilter {
    /// `open` or `closed`.
    pub status: Option<String>,
    /// Page number, from 1.
    pub page: Option<u32>,
    /// Items per page, 1–1000.
    pub per_page: Option<u32>,
}

/// Reads a status filter.
pub fn status_filter(s: Option<&str>) -> Result<Option<&'static str>, ApiError> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some("open") => Ok(Some("open")),
        Some("closed") => Ok(Some("closed")),
        Some(_) => Err(ApiError::invalid(
            "status",
            "status",
            "status is open or closed",
        )),
    }
}

/// `GET /api/v1/incidents`.
#[utoipa::path(get, path = "/api/v1/incidents", operation_id = "list_incidents", tag = "risk",
    summary = "List incidents",
    description = "Newest first; bureaus see their subtree.",
    security(("bearer" = []), ("session" = [])), params(IncidentFilter),
    responses(
        (status = 200, body = inline(Paged<IncidentSummary>)),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn list(
    State(state): State<AppState>,
    who: Authed,
    Query(f): Query<IncidentFilter>,
) -> Result<AxumJson<Paged<IncidentSummary>>, ApiError> {
    let page = Page::new(f.page, f.per_page)
        .map_err(|e| ApiError::invalid("page", "page", e.to_string()))?;
    let status = status_filter(f.status.as_deref())?;
    Ok(AxumJson(
        state.store.scoped(&who.0).incidents(status, page).await?,
    ))
}

/// `GET /api/v1/incidents/{id}`.
#[utoipa::path(get, path = "/api/v1/incidents/{id}", operation_id = "get_incident", tag = "risk",
    summary = "An incident with its timeline and links",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path)),
    responses(
        (status = 200, body = Incident),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn get(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<Incident>, ApiError> {
    Ok(AxumJson(state.store.scoped(&who.0).incident(id).await?))
}

/// A step on the timeline.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// `update` (something learnt) or `action` (something done).
    pub kind: StepKind,
    /// What.
    pub text: String,
}

/// `POST /api/v1/incidents/{id}/steps`.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/steps", operation_id = "incident_step", tag = "risk",
    summary = "Record an update or an action on an incident",
    description = "Officers who may handle it. A closed incident refuses with 409 `incident_closed`.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    request_body = StepInput,
    responses(
        (status = 200, body = Incident),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`incident_closed`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn step(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<StepInput>,
) -> Result<AxumJson<Incident>, ApiError> {
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .record_incident_step(id, input.kind, &input.text)
            .await?,
    ))
}

/// A level change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelInput {
    /// The new level.
    pub level: IncidentLevel,
    /// Why.
    pub reason: String,
}

/// `POST /api/v1/incidents/{id}/level`.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/level", operation_id = "incident_level", tag = "risk",
    summary = "Raise or lower an incident's level",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    request_body = LevelInput,
    responses(
        (status = 200, body = Incident),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`incident_closed`, or `incident_level` (the level it has).", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn level(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<LevelInput>,
) -> Result<AxumJson<Incident>, ApiError> {
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .change_incident_level(id, input.level, &input.reason)
            .await?,
    ))
}

/// A record to link.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// `warning`, `sample`, `batch` or `enterprise`.
    pub kind: String,
    /// Its id, or the enterprise's credit code.
    pub target: String,
}

/// `POST /api/v1/incidents/{id}/links`.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/links", operation_id = "incident_link", tag = "risk",
    summary = "Link a warning, sample, batch or enterprise to an incident",
    description = "The record must exist and be visible to the caller (422 `incident_link` otherwise). Linking it again changes nothing.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    request_body = LinkInput,
    responses(
        (status = 200, body = Incident),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`incident_closed`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn link(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<LinkInput>,
) -> Result<AxumJson<Incident>, ApiError> {
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .link_incident(id, input.kind.trim(), &input.target)
            .await?,
    ))
}

/// The closing report.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    /// What happened, what was done, what was learnt (at least 20 characters).
    pub report: String,
}

/// `POST /api/v1/incidents/{id}/close`.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/close", operation_id = "close_incident", tag = "risk",
    summary = "Close an incident with its report",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    request_body = CloseInput,
    responses(
        (status = 200, body = Incident),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`incident_closed`: closed already.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn close(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<CloseInput>,
) -> Result<AxumJson<Incident>, ApiError> {
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .close_incident(id, &input.report)
            .await?,
    ))
}
