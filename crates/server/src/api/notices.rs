//! `GET /api/v1/sampling/notices`: what sampling asks of the caller now.

use axum::Json as AxumJson;
use axum::extract::State;
use zhijian_store::notices::Notice;

use super::sampling::objection_rules;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::state::AppState;

/// `GET /api/v1/sampling/notices`.
#[utoipa::path(get, path = "/api/v1/sampling/notices", operation_id = "sampling_notices", tag = "sampling",
    summary = "What sampling asks of the caller",
    description = "An enterprise: failed results it may still object to (with the deadline), sampling forms to confirm, rectification to report. A lab: samples to test or re-test. An officer: objections to decide in its region. Newest sample first, at most 50.",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = Vec<Notice>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn list(
    State(state): State<AppState>,
    who: Authed,
) -> Result<AxumJson<Vec<Notice>>, ApiError> {
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .sampling_notices(objection_rules(&state), &state.config.calendar())
            .await?,
    ))
}
