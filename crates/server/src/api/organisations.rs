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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationInput {
    uscc: String,
    name: String,
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
pub async fn create_printer(
    State(state): State<AppState>,
    who: Authed,
    Json(input): Json<OrganisationInput>,
) -> Result<(StatusCode, AxumJson<Organisation>), ApiError> {
    register(state, who, OrgKind::Printer, input).await
}

/// `POST /api/v1/labs` → 201.
pub async fn create_lab(
    State(state): State<AppState>,
    who: Authed,
    Json(input): Json<OrganisationInput>,
) -> Result<(StatusCode, AxumJson<Organisation>), ApiError> {
    register(state, who, OrgKind::Lab, input).await
}
