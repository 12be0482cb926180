//! The public complaint pages: a form that works on a phone (`/complaints`), the page
//! that gives the tracking number, and the page that follows a complaint by it.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use zhijian_store::complaints::{Filed, Tracked};

use super::announcements::{html, local};
use super::complaints::{ComplaintInput, parse_complaint};
use super::verify::page_lang;
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

/// What the form holds (also the query that prefills it: `?code=` from a verification).
#[derive(Debug, Default, Deserialize)]
pub struct FormFields {
    text: Option<String>,
    code: Option<String>,
    contact: Option<String>,
    product: Option<String>,
    region: Option<String>,
    lang: Option<String>,
}

#[derive(Template)]
#[template(path = "complaint_form.html")]
struct FormPage {
    zh: bool,
    f: FormValues,
    problem: Option<String>,
    filed: Option<Filed>,
}

#[derive(Default)]
struct FormValues {
    text: String,
    code: String,
    contact: String,
    product: String,
    region: String,
}

fn values(f: &FormFields) -> FormValues {
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    FormValues {
        text: v(&f.text),
        code: v(&f.code),
        contact: v(&f.contact),
        product: v(&f.product),
        region: v(&f.region),
    }
}

/// `GET /complaints`: the form.
#[utoipa::path(get, path = "/complaints", tag = "complaints", summary = "The public complaint form",
    params(("code" = Option<String>, Query, description = "Prefills the code (from a verification)"), ("lang" = Option<String>, Query, description = "`zh` or `en`")),
    responses((status = 200, description = "An HTML form.", content_type = "text/html")))]
pub async fn form(headers: HeaderMap, Query(q): Query<FormFields>) -> Response {
    let zh = page_lang(&headers, q.lang.as_deref()) == Lang::Zh;
    html(
        &FormPage {
            zh,
            f: values(&q),
            problem: None,
            filed: None,
        },
        StatusCode::OK,
    )
}

/// `POST /complaints`: files the form; the page gives the tracking number, or says what
/// to correct and keeps what was typed.
#[utoipa::path(post, path = "/complaints", tag = "complaints", summary = "File a complaint from the public form",
    request_body(content_type = "application/x-www-form-urlencoded", description = "text, code, contact, product, region"),
    responses((status = 201, description = "The page with the tracking number.", content_type = "text/html"), (status = 422, description = "The form again, with what to correct.", content_type = "text/html")))]
pub async fn file(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<FormFields>,
    Form(f): Form<FormFields>,
) -> Response {
    let lang = page_lang(&headers, q.lang.as_deref().or(f.lang.as_deref()));
    let input = ComplaintInput {
        text: f.text.clone().unwrap_or_default(),
        code: f.code.clone(),
        contact: f.contact.clone(),
        enterprise: None,
        product: f.product.clone(),
        region: f.region.clone(),
    };
    let filed = match parse_complaint(input) {
        Ok(new) => state
            .store
            .file_complaint(&new, &state.config.calendar())
            .await
            .map_err(crate::error::ApiError::from),
        Err(e) => Err(e),
    };
    let zh = lang == Lang::Zh;
    match filed {
        Ok(filed) => html(
            &FormPage {
                zh,
                f: FormValues::default(),
                problem: None,
                filed: Some(filed),
            },
            StatusCode::CREATED,
        ),
        Err(e) => html(
            &FormPage {
                zh,
                f: values(&f),
                problem: Some(e.message(lang)),
                filed: None,
            },
            e.status,
        ),
    }
}

#[derive(Template)]
#[template(path = "complaint_track.html")]
struct TrackPage {
    zh: bool,
    number: String,
    found: Option<Tracked>,
    asked: bool,
    /// Why the last photo was refused.
    photo_error: Option<String>,
}

/// The tracking lookup.
#[derive(Debug, Default, Deserialize)]
pub struct TrackQuery {
    n: Option<String>,
    lang: Option<String>,
}

/// Renders the tracking page of `number` (404 when no complaint has it).
async fn track_page(
    state: &AppState,
    zh: bool,
    number: String,
    photo_error: Option<String>,
) -> Response {
    if number.trim().is_empty() {
        return html(
            &TrackPage {
                zh,
                number,
                found: None,
                asked: false,
                photo_error,
            },
            StatusCode::OK,
        );
    }
    let found = state
        .store
        .track_complaint(&number)
        .await
        .ok()
        .map(|mut t| {
            t.received_at = local(&t.received_at);
            for s in &mut t.steps {
                s.at = local(&s.at);
                s.kind = step_text(zh, &s.kind).to_owned();
            }
            t
        });
    let status = if found.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    html(
        &TrackPage {
            zh,
            number,
            found,
            asked: true,
            photo_error,
        },
        status,
    )
}

fn status_text(zh: bool, s: zhijian_core::complaint::ComplaintStatus) -> &'static str {
    use zhijian_core::complaint::ComplaintStatus::*;
    match (s, zh) {
        (Received, true) => "已收到，等待受理",
        (Accepted, true) => "已受理，正在办理",
        (Rejected, true) => "不予受理",
        (Closed, true) => "已办结",
        (Received, false) => "received, awaiting acceptance",
        (Accepted, false) => "accepted, being handled",
        (Rejected, false) => "not accepted",
        (Closed, false) => "closed",
    }
}

/// `GET /complaints/track`: follows a complaint by its tracking number.
#[utoipa::path(get, path = "/complaints/track", tag = "complaints", summary = "The public complaint tracking page",
    params(("n" = Option<String>, Query, description = "The tracking number"), ("lang" = Option<String>, Query, description = "`zh` or `en`")),
    responses((status = 200, description = "The complaint's status and steps.", content_type = "text/html"), (status = 404, description = "No complaint has this number.", content_type = "text/html")))]
pub async fn track(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<TrackQuery>,
) -> Response {
    let zh = page_lang(&headers, q.lang.as_deref()) == Lang::Zh;
    track_page(&state, zh, q.n.clone().unwrap_or_default(), None).await
}

/// `POST /complaints/track/photos`: the tracking page's photo form (multipart: `n`, `file`).
#[utoipa::path(post, path = "/complaints/track/photos", tag = "complaints", summary = "Add a photo from the tracking page",
    request_body(content_type = "multipart/form-data", description = "n (the tracking number), file, lang"),
    responses((status = 303, description = "Added: back to the tracking page."), (status = 404, description = "No complaint has this number.", content_type = "text/html"),
        (status = 422, description = "Refused (not an image, too large, too many, finished): the tracking page with the reason.", content_type = "text/html")))]
pub async fn add_photo(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: super::extract::Multipart,
) -> Response {
    let (fields, file) = match form.fields_and_file().await {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let zh = page_lang(&headers, fields.get("lang").map(String::as_str)) == Lang::Zh;
    let number = fields.get("n").cloned().unwrap_or_default();
    let added = async {
        let (name, media, file) =
            super::extract::checked_photo(&fields, file, state.config.max_attachment_bytes)?;
        state
            .store
            .add_complaint_photo(&number, &name, media, &file)
            .await
            .map_err(ApiError::from)
    }
    .await;
    match added {
        Ok(_) => Redirect::to(&format!(
            "/complaints/track?n={}{}",
            super::public_list::urlencode(&number),
            if zh { "" } else { "&lang=en" }
        ))
        .into_response(),
        Err(e) if e.status == StatusCode::NOT_FOUND => track_page(&state, zh, number, None).await,
        Err(e) => {
            let lang = if zh { Lang::Zh } else { Lang::En };
            let mut page = track_page(&state, zh, number, Some(e.message(lang))).await;
            *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            page
        }
    }
}

fn step_text(zh: bool, kind: &str) -> &'static str {
    match (kind, zh) {
        ("received", true) => "收到投诉",
        ("accepted", true) => "受理",
        ("rejected", true) => "不予受理",
        ("transferred", true) => "转交",
        ("closed", true) => "办结",
        ("received", false) => "received",
        ("accepted", false) => "accepted",
        ("rejected", false) => "not accepted",
        ("transferred", false) => "transferred",
        ("closed", false) => "closed",
        (_, true) => "处理",
        (_, false) => "step",
    }
}

impl TrackPage {
    fn status(&self) -> &'static str {
        self.found
            .as_ref()
            .map_or("", |t| status_text(self.zh, t.status))
    }
}
