//! GS1 master data: an enterprise's company prefixes (managed by its bureau) and the
//! names of GLNs and PGLNs (locations and parties) that traces show.

use axum::Json as AxumJson;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use zhijian_core::page::{Page, Paged};
use zhijian_store::gs1_master::{Gs1Prefix, Location, LocationFilter, LocationKind, NewLocation};

use super::enterprises::known_region;
use super::extract::{Json, Path, Query, required};
use crate::auth::Authed;
use crate::error::ApiError;
use crate::flow::location_identifier;
use crate::state::AppState;

/// The body of `POST /api/v1/enterprises/{uscc}/gs1-prefixes`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrefixInput {
    /// The GS1 company prefix, 6–12 digits.
    #[schema(pattern = "^[0-9]{6,12}$", examples("6901234"))]
    prefix: String,
}

/// `GET /api/v1/enterprises/{uscc}/gs1-prefixes`.
#[utoipa::path(get, path = "/api/v1/enterprises/{uscc}/gs1-prefixes", operation_id = "list_gs1_prefixes", tag = "gs1",
    summary = "An enterprise's GS1 company prefixes",
    security(("bearer" = []), ("session" = [])), params(crate::openapi::UsccPath),
    responses((status = 200, body = Vec<Gs1Prefix>), (status = 401, response = crate::openapi::Unauthorized), (status = 404, response = crate::openapi::NotFound)))]
pub async fn prefixes(
    State(state): State<AppState>,
    who: Authed,
    Path(uscc): Path<String>,
) -> Result<AxumJson<Vec<Gs1Prefix>>, ApiError> {
    Ok(AxumJson(
        state.store.scoped(&who.0).gs1_prefixes(&uscc).await?,
    ))
}

/// `POST /api/v1/enterprises/{uscc}/gs1-prefixes` → 201.
#[utoipa::path(post, path = "/api/v1/enterprises/{uscc}/gs1-prefixes", operation_id = "add_gs1_prefix", tag = "gs1",
    summary = "Register a GS1 company prefix as an enterprise's (admins, officers of its region)",
    description = "The GTINs, GLNs and SSCCs under the prefix become the enterprise's own: it may capture events about them. `prefix_format` (6–12 digits); `prefix_taken` (409) when another organisation holds it.",
    security(("bearer" = []), ("session" = [])), params(crate::openapi::UsccPath, crate::openapi::CsrfHeader),
    request_body = PrefixInput,
    responses((status = 201, body = Vec<Gs1Prefix>, description = "The enterprise's prefixes now."), (status = 401, response = crate::openapi::Unauthorized), (status = 403, response = crate::openapi::Forbidden), (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`prefix_taken`", body = crate::openapi::Problem, content_type = "application/problem+json"), (status = 422, response = crate::openapi::Unprocessable)))]
pub async fn add_prefix(
    State(state): State<AppState>,
    who: Authed,
    Path(uscc): Path<String>,
    Json(input): Json<PrefixInput>,
) -> Result<(StatusCode, AxumJson<Vec<Gs1Prefix>>), ApiError> {
    let scoped = state.store.scoped(&who.0);
    scoped
        .add_enterprise_prefix(&uscc, input.prefix.trim())
        .await?;
    Ok((
        StatusCode::CREATED,
        AxumJson(scoped.gs1_prefixes(&uscc).await?),
    ))
}

/// `DELETE /api/v1/enterprises/{uscc}/gs1-prefixes/{prefix}` → 204.
#[utoipa::path(delete, path = "/api/v1/enterprises/{uscc}/gs1-prefixes/{prefix}", operation_id = "remove_gs1_prefix", tag = "gs1",
    summary = "Withdraw a GS1 company prefix from an enterprise (admins, officers of its region)",
    description = "Events already captured stay; new ones about identifiers under the prefix are no longer the enterprise's own.",
    security(("bearer" = []), ("session" = [])), params(crate::openapi::UsccPath, ("prefix" = String, Path), crate::openapi::CsrfHeader),
    responses((status = 204, description = "Withdrawn."), (status = 401, response = crate::openapi::Unauthorized), (status = 403, response = crate::openapi::Forbidden), (status = 404, response = crate::openapi::NotFound)))]
pub async fn remove_prefix(
    State(state): State<AppState>,
    who: Authed,
    Path((uscc, prefix)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .scoped(&who.0)
        .remove_enterprise_prefix(&uscc, &prefix)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The body of `POST /api/v1/locations`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    /// A GLN (13 digits with check digit, `urn:epc:id:sgln:…`, or Digital Link
    /// `…/414/{gln}` with an optional `/254/{extension}`) or a party GLN
    /// (`urn:epc:id:pgln:…`, `…/417/{gln}`). Stored as its canonical Digital Link.
    #[schema(examples("6901234000016"))]
    identifier: String,
    /// Its name (1–100 characters).
    #[schema(max_length = 100)]
    name: String,
    /// What it is.
    #[schema(value_type = LocationKind)]
    kind: String,
    /// The six-digit code of the region it lies in.
    #[schema(pattern = "^[0-9]{6}$", examples("130102"))]
    region: String,
}

fn kind(field: &str, word: &str) -> Result<LocationKind, ApiError> {
    LocationKind::parse(word.trim()).ok_or_else(|| {
        ApiError::invalid(
            "kind_unknown",
            field,
            "kind is one of maker, distributor, shop, warehouse, party, other",
        )
    })
}

/// `POST /api/v1/locations` → 201.
#[utoipa::path(post, path = "/api/v1/locations", operation_id = "add_location", tag = "gs1",
    summary = "Name a location or party",
    description = "An enterprise names identifiers under its own prefixes (`location_not_yours` otherwise); officers and admins any. Faults: `location_identifier`, `gs1_check_digit`, `required`/`text_too_long` (name), `kind_unknown`, `region_unknown`; `location_taken` (409) when already named.",
    security(("bearer" = []), ("session" = [])), params(crate::openapi::CsrfHeader),
    request_body = LocationInput,
    responses((status = 201, body = Location), (status = 401, response = crate::openapi::Unauthorized), (status = 403, response = crate::openapi::Forbidden),
        (status = 409, description = "`location_taken`", body = crate::openapi::Problem, content_type = "application/problem+json"), (status = 422, response = crate::openapi::Unprocessable)))]
pub async fn add_location(
    State(state): State<AppState>,
    who: Authed,
    Json(input): Json<LocationInput>,
) -> Result<(StatusCode, AxumJson<Location>), ApiError> {
    let identifier = location_identifier("identifier", &input.identifier)?;
    let new = NewLocation {
        identifier: identifier.canonical(),
        name: required("name", &input.name, 100)?,
        kind: kind("kind", &input.kind)?,
        region: known_region("region", input.region.trim())?,
    };
    Ok((
        StatusCode::CREATED,
        AxumJson(state.store.scoped(&who.0).add_location(&new).await?),
    ))
}

/// Filters of `GET /api/v1/locations`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LocationParams {
    /// Part of the name or identifier.
    q: Option<String>,
    /// Locations in this region's subtree (six digits).
    region: Option<String>,
    /// Only this kind (maker, distributor, shop, warehouse, party, other).
    kind: Option<String>,
    /// Page number, from 1.
    page: Option<u32>,
    /// Items per page, 1–1000.
    per_page: Option<u32>,
}

/// `GET /api/v1/locations`.
#[utoipa::path(get, path = "/api/v1/locations", operation_id = "list_locations", tag = "gs1",
    summary = "Named locations and parties",
    security(("bearer" = []), ("session" = [])), params(LocationParams),
    responses((status = 200, body = inline(Paged<Location>)), (status = 401, response = crate::openapi::Unauthorized), (status = 403, response = crate::openapi::Forbidden), (status = 422, response = crate::openapi::Unprocessable)))]
pub async fn locations(
    State(state): State<AppState>,
    who: Authed,
    Query(p): Query<LocationParams>,
) -> Result<AxumJson<Paged<Location>>, ApiError> {
    let filter = LocationFilter {
        q: p.q,
        region: p
            .region
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| known_region("region", r))
            .transpose()?,
        kind: p
            .kind
            .as_deref()
            .filter(|k| !k.trim().is_empty())
            .map(|k| kind("kind", k))
            .transpose()?,
    };
    let page = Page::new(p.page, p.per_page)?;
    Ok(AxumJson(
        state.store.scoped(&who.0).locations(&filter, page).await?,
    ))
}

/// `GET /api/v1/locations/{identifier}`.
#[utoipa::path(get, path = "/api/v1/locations/{identifier}", operation_id = "get_location", tag = "gs1",
    summary = "One named location or party",
    description = "The identifier URL-encoded, in any form `POST /api/v1/locations` takes.",
    security(("bearer" = []), ("session" = [])), params(("identifier" = String, Path)),
    responses((status = 200, body = Location), (status = 401, response = crate::openapi::Unauthorized), (status = 403, response = crate::openapi::Forbidden), (status = 404, response = crate::openapi::NotFound), (status = 422, response = crate::openapi::Unprocessable)))]
pub async fn location(
    State(state): State<AppState>,
    who: Authed,
    Path(identifier): Path<String>,
) -> Result<AxumJson<Location>, ApiError> {
    let identifier = location_identifier("identifier", &identifier)?;
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .location(&identifier.canonical())
            .await?,
    ))
}
