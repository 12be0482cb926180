//! `POST /console/enterprises/{uscc}/records`: a supervision record, optionally with one
//! file, entered from the archive page (multipart form).

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::enterprises::{RecordForm, render_archive};
use super::{ConsoleUser, Flash, FlashView, message, pct_encode, redirect_with};
use crate::api::enterprises::{RecordInput, parse_record};
use crate::error::ApiError;
use crate::state::AppState;

/// The largest text field accepted; the parsers allow 4000 characters, which is at most
/// 16 000 bytes of UTF-8.
const MAX_TEXT_BYTES: usize = 16 * 1024;

/// What the form sent.
#[derive(Debug, Default)]
struct Sent {
    csrf: String,
    form: RecordForm,
    file: Option<(String, Vec<u8>)>,
    /// Why reading stopped early (a field too large, a broken body).
    error: Option<ApiError>,
}

fn upload_error(detail: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_upload", detail).field("file")
}

/// Reads every field, each bounded (the route has no global body limit, so these are the
/// limits): text fields by [`MAX_TEXT_BYTES`], the file by the attachment limit. Stops at
/// the first fault and keeps what came before it (the form sends `csrf` first, so a too
/// large file can still be answered on the archive page).
async fn read_form(form: Multipart, max_file: usize) -> Sent {
    let mut sent = Sent::default();
    if let Err(e) = read_fields(form, max_file, &mut sent).await {
        sent.error = Some(e);
    }
    sent
}

async fn read_fields(
    mut form: Multipart,
    max_file: usize,
    sent: &mut Sent,
) -> Result<(), ApiError> {
    while let Some(mut field) = form
        .next_field()
        .await
        .map_err(|e| upload_error(e.body_text()))?
    {
        let name = field.name().unwrap_or("").to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let limit = if name == "file" {
            max_file
        } else {
            MAX_TEXT_BYTES
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field
            .chunk()
            .await
            .map_err(|e| upload_error(e.body_text()))?
        {
            if bytes.len() + chunk.len() > limit {
                return Err(if name == "file" {
                    zhijian_core::attachment::AttachmentError::TooLarge {
                        size: bytes.len() + chunk.len(),
                        max: limit,
                    }
                    .into()
                } else {
                    ApiError::invalid("text_too_long", name, "a text field is longer than allowed")
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "csrf" => sent.csrf = text(),
            "kind" => sent.form.kind = text(),
            "occurred_on" => sent.form.occurred_on = text(),
            "summary" => sent.form.summary = text(),
            "findings" => sent.form.findings = text(),
            // A file input left empty still sends a part, with no name and no bytes.
            "file" if !bytes.is_empty() || file_name.as_deref().is_some_and(|n| !n.is_empty()) => {
                sent.file = Some((file_name.unwrap_or_default(), bytes));
            }
            _ => {}
        }
    }
    Ok(())
}

/// `POST /console/enterprises/{uscc}/records`.
pub async fn add(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(uscc): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let Ok(form) = form else {
        return user.failed(&upload_error("send the form as multipart/form-data"));
    };
    let mut sent = read_form(form, state.config.max_attachment_bytes).await;
    if !user.csrf_ok(&sent.csrf) {
        return user.csrf_refused();
    }
    let uscc = uscc.trim();
    let refuse = |e: ApiError, form: RecordForm| {
        let state = state.clone();
        let user = user.clone();
        let uscc = uscc.to_owned();
        async move {
            let status = if e.status.is_client_error() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                e.status
            };
            let flash = FlashView {
                ok: false,
                text: format!("{}{}", user.t().not_done, message(user.lang, &e)),
            };
            let form = RecordForm {
                error: Some(message(user.lang, &e)),
                ..form
            };
            render_archive(&state, &user, &uscc, status, Some(flash), form).await
        }
    };
    if let Some(e) = sent.error.take() {
        return refuse(e, sent.form).await;
    }
    let input: RecordInput = match serde_json::from_value(serde_json::json!({
        "kind": sent.form.kind,
        "occurred_on": sent.form.occurred_on,
        "summary": sent.form.summary,
        "findings": sent.form.findings,
    })) {
        Ok(i) => i,
        Err(e) => {
            return refuse(
                ApiError::invalid("invalid_value", "", e.to_string()),
                sent.form,
            )
            .await;
        }
    };
    let new = match parse_record(&input) {
        Ok(n) => n,
        Err(e) => return refuse(e, sent.form).await,
    };
    // The file is checked before the record is written, so a refused file leaves no
    // half-entered record behind.
    let file = match &sent.file {
        None => None,
        Some((name, bytes)) => {
            match zhijian_core::attachment::check(name, bytes, state.config.max_attachment_bytes) {
                Ok((name, media)) => Some((name, media, bytes)),
                Err(e) => return refuse(e.into(), sent.form).await,
            }
        }
    };
    let scoped = state.store.scoped(&user.principal);
    let record = match scoped.add_record(uscc, &new).await {
        Ok(r) => r,
        Err(e) => {
            let e = ApiError::from(e);
            if e.status == StatusCode::NOT_FOUND {
                return user.not_found();
            }
            return refuse(e, sent.form).await;
        }
    };
    if let Some((name, media, bytes)) = file
        && let Err(e) = scoped.attach(record.id, &name, media, bytes).await
    {
        let e = ApiError::from(e);
        return redirect_with(
            &format!("/console/enterprises/{}#records", pct_encode(uscc)),
            &[Flash::Error(e.code.to_owned(), e.detail_en).cookie()],
        );
    }
    redirect_with(
        &format!("/console/enterprises/{}#records", pct_encode(uscc)),
        &[Flash::RecordAdded.cookie()],
    )
}
