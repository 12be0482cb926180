//! Risk signals: the evidence grading and early warning read.

use axum::Json as AxumJson;
use axum::extract::{Query, State};
use serde::Deserialize;
use zhijian_core::page::{Page, Paged};
use zhijian_store::risk_signals::RiskSignal;

use crate::auth::Authed;
use crate::error::ApiError;
use crate::state::AppState;

/// Filters of `GET /api/v1/risk-signals`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SignalFilter {
    /// Only this kind (`sample_failed`, `counterfeit`, `complaint`, `injury`, `incident`,
    /// `external`, `recall`).
    kind: Option<String>,
    /// Page number, from 1.
    page: Option<u32>,
    /// Items per page, 1–1000.
    per_page: Option<u32>,
}

/// `GET /api/v1/risk-signals`.
#[utoipa::path(get, path = "/api/v1/risk-signals", operation_id = "risk_signals", tag = "risk",
    summary = "List risk signals",
    description = "Evidence of risk, newest first: `sample_failed` for every final sampling failure (recorded when it becomes final: at once after a rejected objection or a failed re-test, hourly for windows that close), `counterfeit` for counterfeit signals of code verification (swept hourly) and imported ones, and the complaints, injuries, incidents and external alerts officers import (`POST /api/v1/signals`; no source record, maybe no enterprise). Bureaus see their subtree, an enterprise its own.",
    security(("bearer" = []), ("session" = [])), params(SignalFilter),
    responses(
        (status = 200, body = inline(Paged<RiskSignal>)),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn list(
    State(state): State<AppState>,
    who: Authed,
    Query(f): Query<SignalFilter>,
) -> Result<AxumJson<Paged<RiskSignal>>, ApiError> {
    let page = Page::new(f.page, f.per_page)
        .map_err(|e| ApiError::invalid("page", "page", e.to_string()))?;
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .risk_signals(f.kind.as_deref().map(str::trim), page)
            .await?,
    ))
}

/// Records the sampling failures that have become final; a failure here is logged, not
/// the caller's (the hourly sweep tries again).
pub async fn sweep(state: &AppState) {
    let rules = super::sampling::objection_rules(state);
    if let Err(e) = state
        .store
        .record_sampling_signals(rules, &state.config.calendar())
        .await
    {
        tracing::warn!(error = %e, "recording risk signals failed");
    }
}
