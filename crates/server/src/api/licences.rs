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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceInput {
    enterprise: String,
    kind: String,
    scope: Vec<String>,
}

/// `POST /api/v1/licences` → 201 with the application.
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
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// accept, review, approve, refuse, issue, change, renew, suspend, reinstate, revoke,
    /// cancel, expire.
    pub action: String,
    /// Why (required for refuse, change, suspend, revoke, cancel).
    pub reason: Option<String>,
    /// Certificate number (issue).
    pub number: Option<String>,
    /// First day of validity (issue).
    pub valid_from: Option<String>,
    /// Last day of validity (issue, renew).
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
