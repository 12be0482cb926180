//! Licences: applications and lifecycle transitions.

use axum::Json as AxumJson;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use zhijian_core::licence::LicenceAction;
use zhijian_core::licence_number::{LicenceKind, LicenceNumber};
use zhijian_store::licences::{Licence, NewLicence, TransitionInput};

use super::extract::{Json, Path, date, text};
use crate::auth::Authed;
use crate::error::ApiError;
use crate::state::AppState;

/// The body of `POST /api/v1/licences`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenceInput {
    /// The applicant's credit code.
    #[schema(examples("91350100M000100Y43"))]
    enterprise: String,
    /// Industrial or food.
    #[schema(value_type = crate::openapi::LicenceKindSchema)]
    kind: String,
    /// The catalogue categories to cover (at least one).
    #[schema(examples(json!(["F05"])))]
    scope: Vec<String>,
}

/// `POST /api/v1/licences` → 201 with the application.
#[utoipa::path(
    post,
    path = "/api/v1/licences",
    operation_id = "apply_licence",
    tag = "licences",
    summary = "Apply for a production licence",
    description = "Records an application; the licence starts in state `applied`. Its \
        lifecycle then moves by `POST /api/v1/licences/{id}/transitions`.",
    security(("bearer" = []), ("session" = [])),
    params(crate::openapi::CsrfHeader),
    request_body = LicenceInput,
    responses(
        (status = 201, description = "The application.", body = Licence),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ),
)]
pub async fn apply(
    State(state): State<AppState>,
    who: Authed,
    Json(input): Json<LicenceInput>,
) -> Result<(StatusCode, AxumJson<Licence>), ApiError> {
    let kind = match input.kind.trim() {
        "industrial" => LicenceKind::Industrial,
        "food" => LicenceKind::Food,
        _ => {
            return Err(ApiError::invalid(
                "invalid_value",
                "kind",
                "kind is industrial or food",
            ));
        }
    };
    let scope = input.scope.iter().map(|s| s.trim().to_owned()).collect();
    let l = state
        .store
        .scoped(&who.0)
        .apply_licence(input.enterprise.trim(), &NewLicence { kind, scope })
        .await?;
    Ok((StatusCode::CREATED, AxumJson(l)))
}

/// `GET /api/v1/licences/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/licences/{id}",
    operation_id = "get_licence",
    tag = "licences",
    summary = "Read a licence",
    description = "A licence with every transition so far. One outside the caller's scope \
        answers 404.",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "The licence's id.")),
    responses(
        (status = 200, description = "The licence.", body = Licence),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ),
)]
pub async fn get(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<Licence>, ApiError> {
    let l = state
        .store
        .scoped(&who.0)
        .licence(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(AxumJson(l))
}

/// The body of `POST /api/v1/licences/{id}/transitions`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// accept, review, approve, refuse, issue, change, renew, suspend, reinstate, revoke,
    /// cancel, expire.
    #[schema(value_type = zhijian_core::licence::LicenceAction)]
    pub action: String,
    /// Why (required for refuse, change, suspend, revoke, cancel).
    pub reason: Option<String>,
    /// Certificate number (issue).
    pub number: Option<String>,
    /// First day of validity (issue).
    #[schema(format = Date)]
    pub valid_from: Option<String>,
    /// Last day of validity (issue, renew).
    #[schema(format = Date)]
    pub valid_until: Option<String>,
    /// New scope (change).
    pub scope: Option<Vec<String>>,
}

/// Parses a transition request.
pub fn parse_transition(
    body: &TransitionBody,
) -> Result<(LicenceAction, TransitionInput), ApiError> {
    let action = LicenceAction::parse(body.action.trim()).ok_or_else(|| {
        ApiError::invalid(
            "invalid_value",
            "action",
            format!("unknown action {:?}", body.action),
        )
    })?;
    let number = match body
        .number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(n) => Some(LicenceNumber::parse(n)?),
        None => None,
    };
    let opt_date = |field: &str, v: &Option<String>| -> Result<_, ApiError> {
        v.as_deref()
            .filter(|d| !d.trim().is_empty())
            .map(|d| date(field, d))
            .transpose()
    };
    Ok((
        action,
        TransitionInput {
            reason: text("reason", body.reason.as_deref(), 1000)?,
            number,
            valid_from: opt_date("valid_from", &body.valid_from)?,
            valid_until: opt_date("valid_until", &body.valid_until)?,
            scope: body.scope.clone(),
        },
    ))
}

/// `POST /api/v1/licences/{id}/transitions` → 200 with the licence after the step.
#[utoipa::path(
    post,
    path = "/api/v1/licences/{id}/transitions",
    operation_id = "transition_licence",
    tag = "licences",
    summary = "Move a licence through its lifecycle",
    description = "applied → accepted → under_review → approved / refused → issued → \
        suspended / revoked / cancelled / expired; `change` and `renew` keep an issued licence \
        issued. `reason` is required for refuse, change, suspend, revoke and cancel; `issue` \
        needs `number`, `valid_from` and `valid_until`; `renew` needs `valid_until`; `change` \
        takes a new `scope`.",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "The licence's id."), crate::openapi::CsrfHeader),
    request_body = TransitionBody,
    responses(
        (status = 200, description = "The licence after the step.", body = Licence),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`licence_transition_not_allowed`: the action is not allowed from the current state; `licence_reason_required`: this action needs a `reason`; `licence_number_taken`: another licence has this number.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ),
)]
pub async fn transition(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(body): Json<TransitionBody>,
) -> Result<AxumJson<Licence>, ApiError> {
    let (action, input) = parse_transition(&body)?;
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .transition_licence(id, action, &input)
            .await?,
    ))
}
