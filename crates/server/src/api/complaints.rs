//! Complaints (12365): filed and followed by anyone, handled by bureaus.

use axum::Json as AxumJson;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use zhijian_core::code::SupervisionCode;
use zhijian_core::complaint::{ComplaintStatus, Outcome};
use zhijian_core::page::{Page, Paged};
use zhijian_store::complaints::{Complaint, ComplaintFilter, Filed, NewComplaint, Tracked};
use zhijian_store::linked_files::LinkedFile;

use super::enterprises::known_region;
use super::extract::Json;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::state::AppState;

/// The body of `POST /api/v1/complaints`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintInput {
    /// What happened (1–5 000 characters).
    pub text: String,
    /// The 20-digit supervision code on the product, if there is one.
    pub code: Option<String>,
    /// How to reach you (telephone or e-mail); never published.
    pub contact: Option<String>,
    /// The enterprise's credit code, if you know it.
    pub enterprise: Option<String>,
    /// The product, as you would name it.
    pub product: Option<String>,
    /// Your region code (county, city or province), used when no enterprise is known.
    pub region: Option<String>,
}

/// Reads a complaint as filed.
pub fn parse_complaint(input: ComplaintInput) -> Result<NewComplaint, ApiError> {
    let code = match input
        .code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => None,
        Some(c) => Some(
            SupervisionCode::parse(c)
                .map_err(|e| ApiError::invalid(e.code(), "code", e.to_string()))?,
        ),
    };
    let region = match input
        .region
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        None => None,
        Some(r) => Some(known_region("region", r)?),
    };
    Ok(NewComplaint {
        text: input.text,
        contact: input.contact,
        code,
        enterprise: input.enterprise,
        product: input.product,
        region,
    })
}

/// `POST /api/v1/complaints` (no sign-in).
#[utoipa::path(post, path = "/api/v1/complaints", operation_id = "file_complaint", tag = "complaints",
    summary = "File a complaint",
    description = "No sign-in. A code names the product, batch and enterprise; the complaint goes to the bureau of the enterprise's region, else of `region`, else the node's top bureau, which accepts or rejects it within 7 working days (`accept_by`). Keep the `tracking_number`: it is the only way to follow the complaint. A blank text answers 422 `text`; a mistyped code 422 with the code's error. Rate-limited per client like verification.",
    request_body = ComplaintInput,
    responses(
        (status = 201, body = Filed),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 429, description = "`rate_limited`", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn file(
    State(state): State<AppState>,
    Json(input): Json<ComplaintInput>,
) -> Result<(StatusCode, AxumJson<Filed>), ApiError> {
    let new = parse_complaint(input)?;
    let filed = state
        .store
        .file_complaint(&new, &state.config.calendar())
        .await?;
    Ok((StatusCode::CREATED, AxumJson(filed)))
}

/// `GET /api/v1/complaints/track/{tracking_number}` (no sign-in).
#[utoipa::path(get, path = "/api/v1/complaints/track/{tracking_number}", operation_id = "track_complaint", tag = "complaints",
    summary = "Follow a complaint",
    description = "Its status, deadlines, steps and the bureau's reply. The number may be typed in any case, with spaces or dashes. An unknown number answers 404 and nothing else.",
    params(("tracking_number" = String, Path)),
    responses(
        (status = 200, body = Tracked),
        (status = 404, response = crate::openapi::NotFound),
        (status = 429, description = "`rate_limited`", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn track(
    State(state): State<AppState>,
    Path(number): Path<String>,
) -> Result<AxumJson<Tracked>, ApiError> {
    Ok(AxumJson(state.store.track_complaint(&number).await?))
}

/// Filters of a bureau's list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ComplaintQuery {
    /// `received`, `accepted`, `rejected` or `closed`.
    pub status: Option<String>,
    /// `true`: only those past a deadline.
    pub overdue: Option<bool>,
    /// Page number, from 1.
    pub page: Option<u32>,
    /// Items per page, 1–1000.
    pub per_page: Option<u32>,
}

/// `GET /api/v1/complaints`.
#[utoipa::path(get, path = "/api/v1/complaints", operation_id = "list_complaints", tag = "complaints",
    summary = "List complaints",
    description = "Bureaus: the complaints their subtree handles, newest first, each with `overdue` when a deadline passed with it still open. An enterprise: the complaints about it once a bureau accepted them, without the complainant's contact; it reads them and cannot act on them.",
    security(("bearer" = []), ("session" = [])), params(ComplaintQuery),
    responses(
        (status = 200, body = inline(Paged<Complaint>)),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn list(
    State(state): State<AppState>,
    who: Authed,
    Query(q): Query<ComplaintQuery>,
) -> Result<AxumJson<Paged<Complaint>>, ApiError> {
    let page = Page::new(q.page, q.per_page)?;
    let status = match q.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(ComplaintStatus::parse(s).ok_or_else(|| {
            ApiError::invalid(
                "status",
                "status",
                "status is received, accepted, rejected or closed",
            )
        })?),
    };
    let filter = ComplaintFilter {
        status,
        overdue: q.overdue.unwrap_or(false),
    };
    Ok(AxumJson(
        state.store.scoped(&who.0).complaints(filter, page).await?,
    ))
}

/// `GET /api/v1/complaints/{id}`.
#[utoipa::path(get, path = "/api/v1/complaints/{id}", operation_id = "get_complaint", tag = "complaints",
    summary = "Read a complaint",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path)),
    responses(
        (status = 200, body = Complaint),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn get(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<Complaint>, ApiError> {
    Ok(AxumJson(state.store.scoped(&who.0).complaint(id).await?))
}

/// What a bureau does to a complaint.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintAction {
    /// `accept`, `reject`, `transfer` or `close`.
    pub action: String,
    /// The note (accept, transfer), the reason (reject) or the reply (close) the
    /// complainant reads.
    pub text: Option<String>,
    /// The region whose bureau takes it (transfer).
    pub region: Option<String>,
    /// `substantiated` or `unsubstantiated` (close).
    pub outcome: Option<String>,
}

/// `POST /api/v1/complaints/{id}/actions`.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/actions", operation_id = "act_on_complaint", tag = "complaints",
    summary = "Accept, reject, transfer or close a complaint",
    description = "Officers of the handling bureau's subtree. `accept` (from received; the handling deadline is `complaint_handling_working_days` working days on), `reject` with `text` as the reason (from received), `transfer` to `region`'s bureau (422 `bureau_unknown` when it has none), `close` with `outcome` and `text` as the reply (from accepted). A substantiated complaint against a known enterprise becomes a risk signal `complaint`. Moves out of order answer 409 `complaint_status`, nothing changed.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    request_body = ComplaintAction,
    responses(
        (status = 200, body = Complaint),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`complaint_status`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn act(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<ComplaintAction>,
) -> Result<AxumJson<Complaint>, ApiError> {
    Ok(AxumJson(act_on(&state, &who.0, id, input).await?))
}

/// Applies a bureau's action (shared by the API and the console).
pub async fn act_on(
    state: &AppState,
    who: &zhijian_core::access::Principal,
    id: i64,
    input: ComplaintAction,
) -> Result<Complaint, ApiError> {
    let scoped = state.store.scoped(who);
    let text = input.text.as_deref().unwrap_or("");
    let note = Some(text).filter(|t| !t.trim().is_empty());
    Ok(match input.action.trim() {
        "accept" => {
            scoped
                .accept_complaint(
                    id,
                    note,
                    &state.config.calendar(),
                    state.config.complaint_handling_working_days,
                )
                .await?
        }
        "reject" => scoped.reject_complaint(id, text).await?,
        "transfer" => {
            let region = known_region("region", input.region.as_deref().unwrap_or("").trim())?;
            scoped.transfer_complaint(id, region, note).await?
        }
        "close" => {
            let outcome = Outcome::parse(input.outcome.as_deref().unwrap_or("").trim())
                .ok_or_else(|| {
                    ApiError::invalid(
                        "outcome",
                        "outcome",
                        "outcome is substantiated or unsubstantiated",
                    )
                })?;
            scoped.close_complaint(id, outcome, text).await?
        }
        other => {
            return Err(ApiError::invalid(
                "action",
                "action",
                format!("unknown action '{other}': accept, reject, transfer or close"),
            ));
        }
    })
}

/// `POST /api/v1/complaints/track/{tracking_number}/photos` (no sign-in).
#[utoipa::path(post, path = "/api/v1/complaints/track/{tracking_number}/photos", operation_id = "add_complaint_photo", tag = "complaints",
    summary = "Add a photo to a complaint (its tracking number is the key)",
    description = "multipart/form-data with the image as `file` (PNG, JPEG or GIF by content, at most `max_attachment_bytes`); at most 5 per complaint, while it is received or accepted. An unknown number answers a bare 404. Rate-limited like verification.",
    params(("tracking_number" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "file"),
    responses(
        (status = 201, body = LinkedFile),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`too_many_files`, `complaint_finished`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn add_photo(
    State(state): State<AppState>,
    Path(number): Path<String>,
    form: super::extract::Multipart,
) -> Result<(StatusCode, AxumJson<LinkedFile>), ApiError> {
    let (name, media, bytes) = form.photo(state.config.max_attachment_bytes).await?;
    let photo = state
        .store
        .add_complaint_photo(&number, &name, media, &bytes)
        .await?;
    Ok((StatusCode::CREATED, AxumJson(photo)))
}

/// `GET /api/v1/complaints/{id}/photos/{photo}`: the image itself.
#[utoipa::path(get, path = "/api/v1/complaints/{id}/photos/{photo}", operation_id = "get_complaint_photo", tag = "complaints",
    summary = "One photo of a complaint (its bureaus)", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path), ("photo" = i64, Path)),
    responses(
        (status = 200, description = "The image.", content_type = "image/*"),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn photo(
    State(state): State<AppState>,
    who: Authed,
    Path((id, photo)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let (f, bytes) = state
        .store
        .scoped(&who.0)
        .complaint_photo(id, photo)
        .await?;
    Ok(super::private_file(f.media_type, bytes))
}
