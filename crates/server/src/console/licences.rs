//! `POST /console/licences/{id}/transition`: one step in a licence's lifecycle from the
//! archive page, answered with a redirect back to it and a flash message.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::{ConsoleUser, Flash, pct_encode, redirect_with};
use crate::api::licences::{TransitionBody, parse_transition};
use crate::error::ApiError;
use crate::state::AppState;

/// The transition form: the API's body, as text fields, plus the CSRF token.
#[derive(Debug, Default, Deserialize)]
pub struct TransitionForm {
    csrf: Option<String>,
    action: Option<String>,
    reason: Option<String>,
    number: Option<String>,
    valid_from: Option<String>,
    valid_until: Option<String>,
}

/// `POST /console/licences/{id}/transition`.
pub async fn transition(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
    form: Result<Form<TransitionForm>, FormRejection>,
) -> Response {
    let Form(form) = form.unwrap_or_default();
    // The token is checked before anything else is looked at, so a forged request
    // learns nothing, not even whether the licence exists.
    if !user.csrf_ok(form.csrf.as_deref().unwrap_or("")) {
        return user.csrf_refused();
    }
    let Ok(id) = id.parse::<i64>() else {
        return user.not_found();
    };
    let scoped = state.store.scoped(&user.principal);
    let holder = match scoped.licence(id).await {
        Ok(Some(l)) => l.enterprise,
        Ok(None) => return user.not_found(),
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let body = TransitionBody {
        action: form.action.unwrap_or_default(),
        reason: form.reason,
        number: form.number,
        valid_from: form.valid_from,
        valid_until: form.valid_until,
        scope: None,
    };
    let outcome = match parse_transition(&body) {
        Ok((action, input)) => scoped
            .transition_licence(id, action, &input)
            .await
            .map(|l| Flash::Transition(action, l.state))
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    let flash = outcome.unwrap_or_else(|e| Flash::Error(e.code.to_owned(), e.detail_en));
    redirect_with(
        &format!("/console/enterprises/{}#licence-{id}", pct_encode(&holder)),
        &[flash.cookie()],
    )
}
