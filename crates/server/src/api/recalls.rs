//! Recalls: start (voluntary or ordered), confirm, acknowledge, close, list and read.

use axum::Json as AxumJson;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use zhijian_core::page::{Page, Paged};
use zhijian_core::recall::{RecallStatus, RiskClass};
use zhijian_store::recalls::{NewRecall, Recall, RecallSummary};

use super::extract::Json;
use super::trace::{CodeRange, DateRange, recall_scope};
use crate::auth::Authed;
use crate::error::ApiError;
use crate::state::AppState;

/// The body of `POST /api/v1/recalls`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecallInput {
    /// The maker's credit code (checked against the product's maker when given).
    pub enterprise: Option<String>,
    /// The product's id (or name it by `product`).
    pub product_id: Option<i64>,
    /// The product by its GTIN or id, instead of `product_id`.
    pub product: Option<String>,
    /// Lots.
    #[serde(default)]
    pub lots: Vec<String>,
    /// Ranges of supervision codes.
    #[serde(default)]
    pub code_ranges: Vec<CodeRange>,
    /// Production dates.
    pub production_dates: Option<DateRange>,
    /// `I` (serious injury or death likely), `II` or `III`.
    pub risk_class: String,
    /// The defect and the hazard it causes (1–2 000 characters).
    pub reason: String,
    /// What holders and consumers are to do.
    pub remedy: Option<String>,
    /// How the recall is carried out (who collects, where, by when).
    pub plan: Option<String>,
    /// Days between progress reports, 1–90 (default 30).
    pub report_every_days: Option<i64>,
}

/// `POST /api/v1/recalls`.
#[utoipa::path(post, path = "/api/v1/recalls", operation_id = "start_recall", tag = "recalls",
    summary = "Start a recall",
    description = "By the product's enterprise: a voluntary recall, `pending` until a bureau confirms it. By an officer of the maker's region or an admin: an ordered recall, `active` at once. In force, its batches are flagged recalled (their codes verify as `recalled`) and every place the recall reach finds is told (a `webhook` notification per place) and listed as a party to acknowledge. A scope that matches no batch answers 422 `scope_matches_nothing`; a batch already under a pending or active recall, 409 `batch_under_recall`.",
    security(("bearer" = []), ("session" = [])), params(crate::openapi::CsrfHeader),
    request_body = RecallInput,
    responses(
        (status = 201, body = Recall),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`batch_under_recall`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn start(
    State(state): State<AppState>,
    who: Authed,
    Json(input): Json<RecallInput>,
) -> Result<(StatusCode, AxumJson<Recall>), ApiError> {
    let risk_class = RiskClass::parse(input.risk_class.trim()).ok_or_else(|| {
        ApiError::invalid("risk_class", "risk_class", "risk_class is I, II or III")
    })?;
    let product = match (&input.product, input.product_id) {
        (Some(p), _) => p.clone(),
        (None, Some(id)) => id.to_string(),
        (None, None) => {
            return Err(ApiError::invalid(
                "required",
                "product_id",
                "name the product by product_id (or product: its GTIN)",
            ));
        }
    };
    let scope = recall_scope(
        &state,
        &product,
        &input.lots,
        &input.code_ranges,
        input.production_dates.as_ref(),
    )
    .await?;
    let recall = state
        .store
        .scoped(&who.0)
        .start_recall(&NewRecall {
            enterprise: input.enterprise.filter(|e| !e.trim().is_empty()),
            scope,
            risk_class,
            reason: input.reason,
            remedy: input.remedy,
            plan: input.plan,
            report_every_days: input.report_every_days,
        })
        .await?;
    Ok((StatusCode::CREATED, AxumJson(recall)))
}

/// Filters of the recall list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RecallFilter {
    /// `pending`, `active` or `closed`.
    pub status: Option<String>,
    /// Page number, from 1.
    pub page: Option<u32>,
    /// Items per page, 1–1000.
    pub per_page: Option<u32>,
}

/// `GET /api/v1/recalls`.
#[utoipa::path(get, path = "/api/v1/recalls", operation_id = "list_recalls", tag = "recalls",
    summary = "List recalls",
    description = "Newest first. Bureaus see the recalls of their subtree's makers; an enterprise its own and those it is a party to.",
    security(("bearer" = []), ("session" = [])), params(RecallFilter),
    responses(
        (status = 200, body = inline(Paged<RecallSummary>)),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn list(
    State(state): State<AppState>,
    who: Authed,
    Query(f): Query<RecallFilter>,
) -> Result<AxumJson<Paged<RecallSummary>>, ApiError> {
    let page = Page::new(f.page, f.per_page)
        .map_err(|e| ApiError::invalid("page", "page", e.to_string()))?;
    let status = match f.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(RecallStatus::parse(s).ok_or_else(|| {
            ApiError::invalid("status", "status", "status is pending, active or closed")
        })?),
    };
    Ok(AxumJson(
        state.store.scoped(&who.0).recalls(status, page).await?,
    ))
}

/// `GET /api/v1/recalls/{id}`.
#[utoipa::path(get, path = "/api/v1/recalls/{id}", operation_id = "get_recall", tag = "recalls",
    summary = "Read a recall",
    description = "With its batches, the parties told and their acknowledgements, and its effectiveness: of the units that left their makers, the share decommissioned (returned or destroyed), computed from the flow now.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path)),
    responses(
        (status = 200, body = Recall),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn get(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<Recall>, ApiError> {
    Ok(AxumJson(state.store.scoped(&who.0).recall(id).await?))
}

/// `POST /api/v1/recalls/{id}/confirm`.
#[utoipa::path(post, path = "/api/v1/recalls/{id}/confirm", operation_id = "confirm_recall", tag = "recalls",
    summary = "Confirm a voluntary recall",
    description = "Officers of the maker's region and admins. The recall comes into force: its batches are flagged recalled and its parties told. Anything but a pending recall answers 409 `recall_not_pending`.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    responses(
        (status = 200, body = Recall),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`recall_not_pending`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn confirm(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<Recall>, ApiError> {
    Ok(AxumJson(
        state.store.scoped(&who.0).confirm_recall(id).await?,
    ))
}

/// The body of `POST /api/v1/recalls/{id}/acknowledge`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeInput {
    /// The location acknowledging (an enterprise: all of its own when absent).
    pub location: Option<String>,
}

/// `POST /api/v1/recalls/{id}/acknowledge`.
#[utoipa::path(post, path = "/api/v1/recalls/{id}/acknowledge", operation_id = "acknowledge_recall", tag = "recalls",
    summary = "Acknowledge a recall for a location",
    description = "An enterprise for its own locations among the parties (all of them when `location` is absent); an officer of the recall's region for a named one (a shop told by phone). 422 `no_party` when nothing waits to be acknowledged; 409 `recall_not_active` unless the recall is in force.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    request_body = AcknowledgeInput,
    responses(
        (status = 200, body = Recall),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`recall_not_active`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn acknowledge(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<AcknowledgeInput>,
) -> Result<AxumJson<Recall>, ApiError> {
    let location = input
        .location
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty());
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .acknowledge_recall(id, location)
            .await?,
    ))
}

/// The body of `POST /api/v1/recalls/{id}/close`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    /// The closing report: what was recovered, how, and what remains.
    pub report: String,
}

/// `POST /api/v1/recalls/{id}/close`.
#[utoipa::path(post, path = "/api/v1/recalls/{id}/close", operation_id = "close_recall", tag = "recalls",
    summary = "Close a recall",
    description = "Officers of the maker's region and admins, with the closing report. The batches stay recalled. Anything but an active recall answers 409 `recall_not_active`.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    request_body = CloseInput,
    responses(
        (status = 200, body = Recall),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`recall_not_active`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn close(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<CloseInput>,
) -> Result<AxumJson<Recall>, ApiError> {
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .close_recall(id, &input.report)
            .await?,
    ))
}

/// The body of `POST /api/v1/recalls/{id}/reports`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// What was done since the last report (1–5 000 characters).
    pub text: String,
}

/// `POST /api/v1/recalls/{id}/reports`.
#[utoipa::path(post, path = "/api/v1/recalls/{id}/reports", operation_id = "report_recall", tag = "recalls",
    summary = "File a progress report on a recall in force",
    description = "By the recalling enterprise or a bureau that may decide the recall. The report keeps the effectiveness figures of the moment; the next one is due `report_every_days` later (`next_report_due`, `report_overdue` on the recall).",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    request_body = ReportInput,
    responses(
        (status = 201, body = Recall),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`recall_not_active`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn report(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<ReportInput>,
) -> Result<(StatusCode, AxumJson<Recall>), ApiError> {
    let r = state
        .store
        .scoped(&who.0)
        .report_recall(id, &input.text)
        .await?;
    Ok((StatusCode::CREATED, AxumJson(r)))
}
