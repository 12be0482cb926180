//! Registering printers (with their filing records) and labs; listing printers.

use axum::Json as AxumJson;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use zhijian_core::access::OrgKind;
use zhijian_core::filing;
use zhijian_core::page::{Page, Paged};
use zhijian_core::uscc::Uscc;
use zhijian_store::organisations::{NewFiling, NewOrganisation, Organisation};

use super::enterprises::known_region;
use super::extract::{Json, date, required};
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
    /// Printers only: the filing (备案) number; generated when absent.
    #[schema(max_length = 40, examples("冀质监印备字〔2024〕第001号"))]
    filing_number: Option<String>,
    /// Printers only: first day of the filing, `YYYY-MM-DD` (default today).
    #[schema(format = Date)]
    filing_valid_from: Option<String>,
    /// Printers only: last day of the filing (default three years on).
    #[schema(format = Date)]
    filing_valid_until: Option<String>,
    /// Printers only: the quality guarantee pledge (质量保证承诺书) was signed.
    pledge_signed: Option<bool>,
}

/// The body of `POST /api/v1/printers/{uscc}/filing`: the filing as it now stands.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilingInput {
    /// The filing number (default: generated).
    #[schema(max_length = 40)]
    number: Option<String>,
    /// First day, `YYYY-MM-DD` (default today).
    #[schema(format = Date)]
    valid_from: Option<String>,
    /// Last day (default three years on).
    #[schema(format = Date)]
    valid_until: Option<String>,
    /// The quality guarantee pledge was signed.
    #[serde(default)]
    pledge_signed: bool,
}

/// The body of `POST /api/v1/printers/{uscc}/filing/revoke`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeInput {
    /// Why (1–500 characters).
    reason: String,
}

/// Paging of `GET /api/v1/printers`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PrinterPage {
    /// Page number, from 1.
    page: Option<u32>,
    /// Items per page, 1–1000.
    per_page: Option<u32>,
}

fn parse_filing(
    number: Option<&str>,
    from: Option<&str>,
    until: Option<&str>,
    pledge_signed: bool,
    prefix: &str,
) -> Result<NewFiling, ApiError> {
    let field = |f: &str| format!("{prefix}{f}");
    Ok(NewFiling {
        number: number
            .map(|n| {
                filing::parse_number(n)
                    .map_err(|e| ApiError::invalid("filing_number", field("number"), e.to_string()))
            })
            .transpose()?,
        valid_from: from.map(|d| date(&field("valid_from"), d)).transpose()?,
        valid_until: until.map(|d| date(&field("valid_until"), d)).transpose()?,
        pledge_signed,
    })
}

async fn register(
    state: AppState,
    who: Authed,
    kind: OrgKind,
    input: OrganisationInput,
) -> Result<(StatusCode, AxumJson<Organisation>), ApiError> {
    let filed = input.filing_number.is_some()
        || input.filing_valid_from.is_some()
        || input.filing_valid_until.is_some()
        || input.pledge_signed.is_some();
    if kind != OrgKind::Printer && filed {
        return Err(ApiError::invalid(
            "filing_not_printer",
            "filing_number",
            "only printers are filed; labs take no filing fields",
        ));
    }
    let new = NewOrganisation {
        kind,
        uscc: Uscc::parse(&input.uscc)?,
        name: required("name", &input.name, 100)?,
        region: known_region("region", &input.region)?,
        filing: parse_filing(
            input.filing_number.as_deref(),
            input.filing_valid_from.as_deref(),
            input.filing_valid_until.as_deref(),
            input.pledge_signed.unwrap_or(false),
            "filing_",
        )?,
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

/// `GET /api/v1/printers` → registered printers with their filings.
#[utoipa::path(
    get,
    path = "/api/v1/printers",
    operation_id = "list_printers",
    tag = "organisations",
    summary = "List registered printers and their filings",
    description = "Every signed-in user may list them: enterprises pick one for a print job. A print job goes only to a printer whose filing `status` is `current`.",
    security(("bearer" = []), ("session" = [])),
    params(PrinterPage),
    responses(
        (status = 200, body = inline(Paged<Organisation>)),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 500, response = crate::openapi::Internal),
    ),
)]
pub async fn list_printers(
    State(state): State<AppState>,
    who: Authed,
    Query(p): Query<PrinterPage>,
) -> Result<AxumJson<Paged<Organisation>>, ApiError> {
    let page = Page::new(p.page, p.per_page)
        .map_err(|e| ApiError::invalid("page", "page", e.to_string()))?;
    Ok(AxumJson(state.store.scoped(&who.0).printers(page).await?))
}

/// `POST /api/v1/printers/{uscc}/filing` → the printer, filed anew.
#[utoipa::path(
    post,
    path = "/api/v1/printers/{uscc}/filing",
    operation_id = "file_printer",
    tag = "organisations",
    summary = "File a printer again (renew, renumber, reinstate)",
    description = "Replaces the printer's filing with the one given; a revoked filing is in force again. Officers of the printer's region and admins.",
    security(("bearer" = []), ("session" = [])),
    params(("uscc" = String, Path, description = "The printer's credit code."), crate::openapi::CsrfHeader),
    request_body = FilingInput,
    responses(
        (status = 200, description = "The printer with its new filing.", body = Organisation),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`filing_number_taken`: another printer holds this number.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ),
)]
pub async fn file_printer(
    State(state): State<AppState>,
    who: Authed,
    Path(uscc): Path<String>,
    Json(input): Json<FilingInput>,
) -> Result<AxumJson<Organisation>, ApiError> {
    let new = parse_filing(
        input.number.as_deref(),
        input.valid_from.as_deref(),
        input.valid_until.as_deref(),
        input.pledge_signed,
        "",
    )?;
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .file_printer(uscc.trim(), &new)
            .await?,
    ))
}

/// `POST /api/v1/printers/{uscc}/filing/revoke` → the printer, its filing revoked.
#[utoipa::path(
    post,
    path = "/api/v1/printers/{uscc}/filing/revoke",
    operation_id = "revoke_filing",
    tag = "organisations",
    summary = "Revoke a printer's filing",
    description = "The printer takes no new print jobs until filed again; jobs it holds stay. Officers of the printer's region and admins.",
    security(("bearer" = []), ("session" = [])),
    params(("uscc" = String, Path, description = "The printer's credit code."), crate::openapi::CsrfHeader),
    request_body = RevokeInput,
    responses(
        (status = 200, description = "The printer with its revoked filing.", body = Organisation),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ),
)]
pub async fn revoke_filing(
    State(state): State<AppState>,
    who: Authed,
    Path(uscc): Path<String>,
    Json(input): Json<RevokeInput>,
) -> Result<AxumJson<Organisation>, ApiError> {
    let reason = required("reason", &input.reason, 500)?;
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .revoke_filing(uscc.trim(), &reason)
            .await?,
    ))
}
