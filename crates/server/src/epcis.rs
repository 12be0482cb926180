//! The EPCIS 2.0 REST binding: capture (`POST /epcis/capture`, `POST /epcis/events`),
//! capture jobs, and queries (`GET /epcis/events`, `GET /epcis/events/{eventID}`).
//!
//! A document is read (JSON-LD, or XML into the same JSON form), checked, its supervision
//! codes resolved, and — for an enterprise — each event checked to be about its own
//! codes, products or locations; then all of it is stored, or none. Syntax that cannot be
//! read answers 400 at once; everything else answers 202 with a capture job that tells
//! success or the faults, each with its JSON pointer and event index.

use std::collections::HashSet;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use zhijian_core::access::{Action, Principal, Role, Scope};
use zhijian_epcis::output::{self, OutEvent};
use zhijian_epcis::query::{Query, parse_query};
use zhijian_epcis::{Document, Problem, Rejection};
use zhijian_store::epcis::{CODE_URN_PREFIX, CaptureJob, Holdings, StoredEvent};

use crate::api::extract::Path;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::state::AppState;

/// The largest capture document accepted (the REST binding's
/// `GS1-EPCIS-Capture-File-Size-Limit`): 10 000 events of a few kilobytes.
pub const MAX_DOCUMENT_BYTES: usize = 32 * 1024 * 1024;

/// The EPCIS routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/epcis/capture",
            post(capture).layer(axum::extract::DefaultBodyLimit::max(MAX_DOCUMENT_BYTES)),
        )
        .route("/epcis/capture/{id}", get(capture_job))
        .route("/epcis/events", get(events).post(capture_event))
        .route("/epcis/events/{event_id}", get(event))
}

/// The JSON the REST binding gives a capture job.
fn job_json(job: &CaptureJob) -> Value {
    json!({
        "captureID": job.id.to_string(),
        "createdAt": output::millis(jiff::Timestamp::from_millisecond(job.created_at).unwrap_or_default()),
        "finishedAt": output::millis(jiff::Timestamp::from_millisecond(job.finished_at).unwrap_or_default()),
        "running": false,
        "success": job.success,
        "captureErrorBehaviour": "rollback",
        "eventCount": job.event_count,
        "storedCount": job.stored,
        "errors": job.errors,
    })
}

fn epcis_json(status: StatusCode, body: &Value) -> Response {
    let mut res = (status, body.to_string()).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/ld+json"),
    );
    headers.insert("GS1-EPCIS-Version", HeaderValue::from_static("2.0.0"));
    headers.insert("GS1-CBV-Version", HeaderValue::from_static("2.0.0"));
    res
}

/// Whether the body is XML, by its content type.
fn is_xml(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|t| t == "application/xml" || t == "text/xml")
}

/// A rejection that could not even be read as a document: 400 naming the first fault.
fn unreadable(rejection: &Rejection) -> ApiError {
    let first = rejection.problems.first();
    let mut error = ApiError::new(
        StatusCode::BAD_REQUEST,
        first.map_or("malformed_json", |p| p.code),
        first.map_or_else(
            || "the document could not be read".to_owned(),
            |p| p.message.clone(),
        ),
    );
    if let Some(p) = first {
        error = error.field(p.path.clone());
    }
    error
}

/// Faults a document can have and still be answered with a capture job.
fn is_unreadable(rejection: &Rejection) -> bool {
    rejection.problems.iter().any(|p| {
        matches!(
            p.code,
            "malformed_json" | "malformed_xml" | "too_many_events" | "document_type"
        ) || p.path.is_empty()
    })
}

/// Reads a body into a document, XML or JSON-LD by content type.
fn read(headers: &HeaderMap, body: &[u8]) -> Result<Document, Rejection> {
    if is_xml(headers) {
        let value = zhijian_epcis::xml::read_xml(body)
            .map_err(|e| Rejection::one("", "malformed_xml", e.to_string()))?;
        zhijian_epcis::read_document(value)
    } else {
        zhijian_epcis::read_json(body)
    }
}

/// Who captures: admins anything; enterprises only about their own identifiers.
enum Capturer {
    Admin,
    Enterprise {
        org: i64,
        region: String,
        holdings: Holdings,
    },
}

async fn capturer(state: &AppState, who: &Principal) -> Result<Capturer, ApiError> {
    match who.scope(Action::CaptureEvents) {
        Scope::All => Ok(Capturer::Admin),
        Scope::Organisation(org) => Ok(Capturer::Enterprise {
            org,
            region: who.region.as_str().to_owned(),
            holdings: state.store.holdings(org).await?,
        }),
        _ => Err(ApiError::forbidden()),
    }
}

/// Checks a read document for the caller (supervision codes resolved; an enterprise's
/// events about its own identifiers) and stores all of it, or — when anything is at
/// fault — none of it, recording a refused capture job. `list_path` is the JSON pointer
/// of the event list, for the faults' paths. Callers: the capture endpoints, and the
/// simple flow endpoints that build EPCIS documents for enterprises.
pub async fn capture_document(
    state: &AppState,
    who: &Principal,
    mut document: Document,
    list_path: &str,
) -> Result<CaptureJob, ApiError> {
    let capturer = capturer(state, who).await?;
    let problems = check(state, &capturer, &mut document, list_path).await?;
    if !problems.is_empty() {
        return Ok(state
            .store
            .refuse_capture(&who.username, who.org_id, document.events.len(), &problems)
            .await?);
    }
    let region = match &capturer {
        Capturer::Enterprise { region, .. } => Some(region.as_str()),
        Capturer::Admin => None,
    };
    Ok(state
        .store
        .capture(
            &who.username,
            who.org_id,
            region,
            &document.events,
            &document.namespaces,
        )
        .await?)
}

/// Resolves supervision codes and checks ownership; the problems found, if any.
async fn check(
    state: &AppState,
    capturer: &Capturer,
    document: &mut Document,
    list_path: &str,
) -> Result<Vec<Problem>, ApiError> {
    let mut problems = Vec::new();
    let mut own_codes: HashSet<String> = HashSet::new();
    for event in &mut document.events {
        for named in &mut event.identifiers {
            let Some(code) = named
                .canonical
                .strip_prefix(CODE_URN_PREFIX)
                .map(str::to_owned)
            else {
                continue;
            };
            match state.store.canonical_code(&code).await? {
                Ok((canonical, owner)) => {
                    if let Capturer::Enterprise { org, .. } = capturer
                        && owner == *org
                    {
                        own_codes.insert(canonical.clone());
                    }
                    named.canonical = canonical;
                }
                Err(message) => problems.push(Problem {
                    path: format!("{list_path}/{}", problems.len()),
                    event: None,
                    code: "code_unknown",
                    message,
                }),
            }
        }
    }
    if let Capturer::Enterprise { holdings, .. } = capturer {
        let owns = |id: &str| own_codes.contains(id) || holdings.owns(id, |_| false);
        for (index, event) in document.events.iter().enumerate() {
            let at_own_place = [&event.read_point, &event.biz_location]
                .into_iter()
                .flatten()
                .any(|id| owns(id));
            let foreign = event.identifiers.iter().find(|n| !owns(&n.canonical));
            if !at_own_place && (foreign.is_some() || event.identifiers.is_empty()) {
                problems.push(Problem {
                    path: format!("{list_path}/{index}"),
                    event: Some(index),
                    code: "not_owned",
                    message: match foreign {
                        Some(n) => format!(
                            "'{}' is not one of your codes, products or locations, and the event is not at one of your locations",
                            n.raw
                        ),
                        None => "the event names none of your codes, products or locations".to_owned(),
                    },
                });
            }
        }
    }
    Ok(problems)
}

/// `POST /epcis/capture` → 202 with `Location: /epcis/capture/{id}`.
pub async fn capture(
    State(state): State<AppState>,
    who: Authed,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    capturer(&state, &who.0).await?;
    let job = match read(&headers, &body) {
        Err(rejection) if is_unreadable(&rejection) => return Err(unreadable(&rejection)),
        Err(rejection) => {
            state
                .store
                .refuse_capture(&who.0.username, who.0.org_id, 0, &rejection.problems)
                .await?
        }
        Ok(document) => capture_document(&state, &who.0, document, "/epcisBody/eventList").await?,
    };
    let mut res = epcis_json(StatusCode::ACCEPTED, &job_json(&job));
    if let Ok(location) = HeaderValue::from_str(&format!("/epcis/capture/{}", job.id)) {
        res.headers_mut().insert(header::LOCATION, location);
    }
    Ok(res)
}

/// `POST /epcis/events` → 201 with the event's `Location`; a fault answers 400 at once.
pub async fn capture_event(
    State(state): State<AppState>,
    who: Authed,
    body: Bytes,
) -> Result<Response, ApiError> {
    capturer(&state, &who.0).await?;
    let document = zhijian_epcis::read_single_event(&body).map_err(|r| unreadable(&r))?;
    let id = document
        .events
        .first()
        .map(|e| e.event_id.clone())
        .unwrap_or_default();
    let job = capture_document(&state, &who.0, document, "").await?;
    if !job.success {
        let first = job.errors.first();
        let text = |key: &str| {
            first
                .and_then(|e| e[key].as_str())
                .unwrap_or_default()
                .to_owned()
        };
        return Err(
            ApiError::new(StatusCode::BAD_REQUEST, "event_invalid", text("message"))
                .field(text("path")),
        );
    }
    let mut res = StatusCode::CREATED.into_response();
    let location = format!("/epcis/events/{}", urlencoding(&id));
    if let Ok(location) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, location);
    }
    Ok(res)
}

/// Percent-encodes a path segment (an eventID is a URI with `:` `/` `;` `?`).
fn urlencoding(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// `GET /epcis/capture/{id}` → the job.
pub async fn capture_job(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let job = state.store.scoped(&who.0).capture_job(id).await?;
    Ok(epcis_json(StatusCode::OK, &job_json(&job)))
}

fn out_event(stored: StoredEvent) -> OutEvent {
    OutEvent {
        body: stored.body,
        namespaces: stored.namespaces,
        record_time: jiff::Timestamp::from_millisecond(stored.record_time).unwrap_or_default(),
    }
}

/// Gives the supervision codes in a query their canonical form.
pub(crate) async fn resolve_query(state: &AppState, query: &mut Query) -> Result<(), ApiError> {
    let resolve = async |value: &mut String| -> Result<(), ApiError> {
        if let Some(code) = value.strip_prefix(CODE_URN_PREFIX).map(str::to_owned)
            && let Ok((canonical, _)) = state.store.canonical_code(&code).await?
        {
            *value = canonical;
        }
        Ok(())
    };
    for (_, values) in &mut query.matches {
        for m in values {
            resolve(&mut m.canonical).await?;
        }
    }
    for (_, _, values) in &mut query.links {
        for v in values {
            resolve(v).await?;
        }
    }
    Ok(())
}

/// `GET /epcis/events?…` → an EPCIS query document, with a `Link: …; rel="next"` header
/// when more follow.
pub async fn events(
    State(state): State<AppState>,
    who: Authed,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    if matches!(who.0.role, Role::Printer | Role::Lab) {
        return Err(ApiError::forbidden());
    }
    let pairs: Vec<(String, String)> =
        form_urlencoded::parse(raw.as_deref().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let mut query = parse_query(&pairs).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "query_parameter",
            e.message.clone(),
        )
        .field(e.parameter.clone())
    })?;
    resolve_query(&state, &mut query).await?;
    let page = state.store.scoped(&who.0).epcis_events(&query).await?;
    let events: Vec<OutEvent> = page.events.into_iter().map(out_event).collect();
    let document = output::query_document(&events, jiff::Timestamp::now());
    let mut res = epcis_json(StatusCode::OK, &document);
    if let Some(next) = page.next {
        let mut kept: Vec<(String, String)> = pairs
            .into_iter()
            .filter(|(n, _)| n != "nextPageToken")
            .collect();
        kept.push(("nextPageToken".into(), next.to_string()));
        let query: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(kept)
            .finish();
        if let Ok(link) = HeaderValue::from_str(&format!("</epcis/events?{query}>; rel=\"next\"")) {
            res.headers_mut().insert(header::LINK, link);
        }
    }
    Ok(res)
}

/// `GET /epcis/events/{eventID}` → the event with its `@context`.
pub async fn event(
    State(state): State<AppState>,
    who: Authed,
    Path(event_id): Path<String>,
) -> Result<Response, ApiError> {
    let stored = state.store.scoped(&who.0).epcis_event(&event_id).await?;
    Ok(epcis_json(
        StatusCode::OK,
        &output::single_event(&out_event(stored)),
    ))
}
