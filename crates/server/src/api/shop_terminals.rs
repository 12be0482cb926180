//! Shops and their query terminals: a shop registers one by itself (public), the bureau
//! of its region may suspend it, and `/t` is the terminal's phone page.

use axum::Json as AxumJson;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use zhijian_store::verify::Terminal;

use super::enterprises::known_region;
use super::extract::Json;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::state::AppState;

/// The body of `POST /api/v1/terminals/register`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnTerminalInput {
    /// The terminal's name (e.g. 收银台1).
    pub name: String,
    /// The shop's name and address.
    pub shop: String,
    /// The shop's region (six digits).
    pub region: String,
}

/// A shop's new terminal.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OwnTerminal {
    /// The terminal.
    pub terminal: Terminal,
    /// Its bearer token (shown once): verifications sent with it carry the shop's place.
    pub token: String,
    /// The terminal's page with the token in its fragment (kept on the device, never
    /// sent to the server in the address).
    pub page: String,
}

/// `POST /api/v1/terminals/register` → 201: a shop registers its own terminal.
#[utoipa::path(post, path = "/api/v1/terminals/register", operation_id = "register_own_terminal", tag = "codes",
    summary = "A shop registers its own query terminal (public)",
    description = "No account needed; rate-limited per address like applications to join. The bureau of the region sees the terminal and may suspend it.",
    request_body = OwnTerminalInput,
    responses((status = 201, body = OwnTerminal), (status = 422, response = crate::openapi::Unprocessable), (status = 429, description = "`rate_limited`", body = crate::openapi::Problem, content_type = "application/problem+json")))]
pub async fn register(
    State(state): State<AppState>,
    Json(input): Json<OwnTerminalInput>,
) -> Result<(StatusCode, AxumJson<OwnTerminal>), ApiError> {
    let region = known_region("region", input.region.trim())?;
    let (terminal, token) = state
        .store
        .register_own_terminal(&input.name, &input.shop, region)
        .await?;
    Ok((
        StatusCode::CREATED,
        AxumJson(OwnTerminal {
            page: format!("/t#token={token}"),
            terminal,
            token,
        }),
    ))
}

/// `POST /api/v1/terminals/{id}/suspend`.
#[utoipa::path(post, path = "/api/v1/terminals/{id}/suspend", operation_id = "suspend_terminal", tag = "codes",
    summary = "Suspend a shop terminal (officers of its region)",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    responses((status = 204, description = "Suspended: its token no longer works."), (status = 401, response = crate::openapi::Unauthorized), (status = 404, response = crate::openapi::NotFound)))]
pub async fn suspend(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.store.scoped(&who.0).suspend_terminal(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The terminal page: a code box, and the camera where the browser can read codes.
const PAGE: &str = include_str!("../../static/terminal.html");
/// Its script.
const SCRIPT: &str = include_str!("../../static/terminal.js");

/// `GET /t`: the shop terminal's phone page.
pub async fn page() -> Response {
    let mut res = axum::response::Html(PAGE).into_response();
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; media-src 'self' blob: mediastream:; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

/// `GET /static/terminal.js`.
pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SCRIPT,
    )
        .into_response()
}
