//! `/console/batches/{id}/dossier`: a batch's traceability dossier (追溯档案) for its
//! maker, the bureaus over its region and admins — the same as
//! `GET /api/v1/batches/{id}/dossier`, each item linking to the event it came from.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use zhijian_store::dossier::Dossier;

use super::{ConsoleUser, Layout, fields, i18n, pct_encode, respond, shanghai_text};
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "dossier.html")]
struct Page {
    l: Layout,
    zh: bool,
    d: Dossier,
    category: String,
    times: Vec<String>,
}

impl Page {
    /// A link to the console page of the event an item came from.
    fn href(&self, event_id: &str) -> String {
        format!("/console/events/{}", pct_encode(event_id))
    }
}

/// `GET /console/batches/{id}/dossier`.
pub async fn page(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = fields::id_of(&id) else {
        return user.not_found();
    };
    let d = match state.store.scoped(&user.principal).batch_dossier(id).await {
        Ok(d) => d,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let lang = user.lang;
    let (l, shown) = user.framed(lang.pick("追溯档案", "Batch dossier"), "codes", &headers);
    let view = Page {
        l,
        zh: lang == Lang::Zh,
        category: i18n::category(lang, &d.batch.category),
        times: d
            .events
            .iter()
            .map(|e| shanghai_text(&e.event_time))
            .collect(),
        d,
    };
    respond(StatusCode::OK, &view, shown)
}
