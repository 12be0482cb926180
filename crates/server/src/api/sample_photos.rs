//! Photos of a sample: uploaded by its inspectors from the sampling form (a phone's
//! camera), shown to whoever sees the sample.

use axum::Json as AxumJson;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use zhijian_store::sample_photos::Photo;

use crate::auth::Authed;
use crate::error::ApiError;
use crate::state::AppState;

/// `POST /api/v1/sampling/samples/{id}/photos` → 201.
#[utoipa::path(post, path = "/api/v1/sampling/samples/{id}/photos", operation_id = "add_sample_photo", tag = "sampling",
    summary = "Add a photo to a sample (its inspectors)",
    description = "multipart/form-data with the image as `file` (PNG, JPEG or GIF by content, at most `max_attachment_bytes`); at most 20 per sample.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    request_body(content_type = "multipart/form-data", description = "file"),
    responses(
        (status = 201, body = Photo),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`too_many_photos`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn add(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    form: super::extract::Multipart,
) -> Result<(StatusCode, AxumJson<Photo>), ApiError> {
    let (name, media, file) = form.photo(state.config.max_attachment_bytes).await?;
    let photo = state
        .store
        .scoped(&who.0)
        .add_sample_photo(id, &name, media, &file)
        .await?;
    Ok((StatusCode::CREATED, AxumJson(photo)))
}

/// `GET /api/v1/sampling/samples/{id}/photos`.
#[utoipa::path(get, path = "/api/v1/sampling/samples/{id}/photos", operation_id = "list_sample_photos", tag = "sampling",
    summary = "A sample's photos", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = Vec<Photo>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn list(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<Vec<Photo>>, ApiError> {
    Ok(AxumJson(
        state.store.scoped(&who.0).sample_photos(id).await?,
    ))
}

/// `GET /api/v1/sampling/samples/{id}/photos/{photo}`: the image itself.
#[utoipa::path(get, path = "/api/v1/sampling/samples/{id}/photos/{photo}", operation_id = "get_sample_photo", tag = "sampling",
    summary = "One photo's image", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path), ("photo" = i64, Path)),
    responses(
        (status = 200, description = "The image.", content_type = "image/*"),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn get(
    State(state): State<AppState>,
    who: Authed,
    Path((id, photo)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let (photo, bytes) = state.store.scoped(&who.0).sample_photo(id, photo).await?;
    Ok(super::private_file(photo.media_type, bytes))
}
