//! Registering printers and labs.

use axum::Json as AxumJson;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use zhijian_core::access::OrgKind;
use zhijian_core::uscc::Uscc;
use zhijian_store::organisations::{NewOrganisation, Organisation};

use super::enterprises::known_region;
use super::extract::{Json, required};
use crate::auth::Authed;
use crate::error::ApiError;
use crate::state::AppState;

/// The body of `POST /api/v1/printers` and `POST /api/v1/labs`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationInput {
    /// Unified social credit code (18 characters, GB 32100).
    #[schema(examples("91350100M000100Y43"))]
    uscc: String,
    /// Name.
    #[schema(max_length = 100)]
    name: String,
    /// Six-digit code of a known region.
    #[schema(pattern = "^[0-9]{6}$", examples("350102"))]
    region: String,
}

async fn register(
    state: AppState,
    who: Authed,
    kind: OrgKind,
    input: OrganisationInput,
) -> Result<(StatusCode, AxumJson<Organisation>), ApiError> {
    let new = NewOrganisation {
        kind,
        uscc: Uscc::parse(&input.uscc)?,
        name: required("name", &input.name, 100)?,
        region: known_region("region", &input.region)?,
    };
    Ok((
        StatusCode::CREATED,
        AxumJson(
            state
                .store
                .scoped(&who.0)
                .register_organisation(&new)
                .await?,
        ),
    ))
}

/// `POST /api/v1/printers` → 201.
#[utoipa::path(
    post,
    path = "/api/v1/printers",
    operation_id = "create_printer",
    tag = "organisations",
    summary = "Register a printing enterprise",
    security(("bearer" = []), ("session" = [])),
    params(crate::openapi::CsrfHeader),
    request_body = OrganisationInput,
    responses(
        (status = 201, description = "The new organisation, `kind` `printer`.", body = Organisation),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, description = "`uscc_taken`: an organisation with this credit code is already registered.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ),
)]
pub async fn create_printer(
    State(state): State<AppState>,
    who: Authed,
    Json(input): Json<OrganisationInput>,
) -> Result<(StatusCode, AxumJson<Organisation>), ApiError> {
    register(state, who, OrgKind::Printer, input).await
}

/// `POST /api/v1/labs` → 201.
#[utoipa::path(
    post,
    path = "/api/v1/labs",
    operation_id = "create_lab",
    tag = "organisations",
    summary = "Register a testing laboratory",
    security(("bearer" = []), ("session" = [])),
    params(crate::openapi::CsrfHeader),
    request_body = OrganisationInput,
    responses(
        (status = 201, description = "The new organisation, `kind` `lab`.", body = Organisation),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, description = "`uscc_taken`: an organisation with this credit code is already registered.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ),
)]
pub async fn create_lab(
    State(state): State<AppState>,
    who: Authed,
    Json(input): Json<OrganisationInput>,
) -> Result<(StatusCode, AxumJson<Organisation>), ApiError> {
    register(state, who, OrgKind::Lab, input).await
}
