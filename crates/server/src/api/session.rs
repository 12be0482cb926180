//! `POST /api/v1/login` (a bearer token for scripts) and `GET /api/v1/me`.

use axum::Json as AxumJson;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use zhijian_core::access::Principal;

use super::extract::Json;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::state::AppState;

/// The body of `POST /api/v1/login`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    username: String,
    password: String,
}

/// `POST /api/v1/login` → `{"token", "user"}`; a wrong name or password → 401.
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
pub async fn me(who: Authed) -> AxumJson<Principal> {
    AxumJson(who.0)
}
