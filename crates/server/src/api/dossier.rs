//! `GET /api/v1/batches/{id}/dossier`: a batch's traceability dossier (追溯档案) — the
//! batch record, origin, formula, additives, raw materials with their supplier lots, and
//! the places, each naming the event or record it came from. See `docs/dossier.md`.

use axum::Json as AxumJson;
use axum::extract::State;
use zhijian_store::dossier::Dossier;

use super::extract::Path;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::state::AppState;

/// `GET /api/v1/batches/{id}/dossier`.
#[utoipa::path(get, path = "/api/v1/batches/{id}/dossier", tag = "codes", summary = "A batch's traceability dossier",
    description = "Assembled from the batch record and the EPCIS events naming the batch's LGTIN or its units: origin, formula and additives from commissioning ILMD, raw materials (supplier lots) from transformations that output the batch. For the maker, bureaus over its region and admins.",
    params(("id" = i64, Path)), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Dossier), (status = 404, response = crate::openapi::NotFound)))]
pub async fn dossier(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<Dossier>, ApiError> {
    Ok(AxumJson(
        state.store.scoped(&who.0).batch_dossier(id).await?,
    ))
}
