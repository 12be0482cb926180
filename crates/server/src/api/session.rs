//! `POST /api/v1/login` (a bearer token for scripts) and `GET /api/v1/me`.

use axum::Json as AxumJson;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use zhijian_core::access::Principal;
use zhijian_store::organisations::Organisation;

use super::extract::Json;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::state::AppState;

/// The body of `POST /api/v1/login`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    /// The login name.
    username: String,
    /// The password.
    #[schema(format = Password)]
    password: String,
}

/// `POST /api/v1/login` → `{"token", "user"}`; a wrong name or password → 401.
#[utoipa::path(
    post,
    path = "/api/v1/login",
    operation_id = "login",
    tag = "session",
    summary = "Log in and get a bearer token",
    description = "Checks a username and password and issues a new bearer token (`zjt_…`) for \
        scripts and API clients; send it as `Authorization: Bearer zjt_…`. A wrong name or \
        password answers 401 with code `login_failed`.",
    params(crate::openapi::CsrfHeader),
    request_body = LoginInput,
    responses(
        (status = 200, description = "The new token and the user it acts for.", body = crate::openapi::LoginOutput),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ),
)]
pub async fn login(
    State(state): State<AppState>,
    Json(input): Json<LoginInput>,
) -> Result<AxumJson<serde_json::Value>, ApiError> {
    let Some(p) = state
        .store
        .authenticate(input.username.trim(), &input.password)
        .await?
    else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "login_failed",
            "wrong username or password",
        ));
    };
    let token = state
        .store
        .create_token(&p.username, "login", &p.username)
        .await?;
    Ok(AxumJson(serde_json::json!({ "token": token, "user": p })))
}

/// `GET /api/v1/me` → the caller.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    operation_id = "me",
    tag = "session",
    summary = "Who am I",
    description = "The authenticated caller: user, role, organisation and the region its access is scoped to.",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The caller.", body = Me),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 500, response = crate::openapi::Internal),
    ),
)]
pub async fn me(State(state): State<AppState>, who: Authed) -> Result<AxumJson<Me>, ApiError> {
    let organisation = match who.0.org_id {
        Some(id) => state.store.organisation(id).await?,
        None => None,
    };
    Ok(AxumJson(Me {
        principal: who.0,
        organisation,
    }))
}

/// The answer of `GET /api/v1/me`: the caller, and the organisation it acts for.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    /// The caller.
    #[serde(flatten)]
    pub principal: Principal,
    /// Its organisation: credit code, name, region (none for admins).
    pub organisation: Option<Organisation>,
}
