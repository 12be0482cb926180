//! The simple flow endpoints: packing, unpacking, shipping, receiving and selling for
//! enterprises without EPCIS software, as JSON or as a CSV file of scans. Each request
//! becomes EPCIS 2.0 events (see [`crate::flow`]) captured through
//! [`crate::epcis::capture_document`], under the same validation and ownership rules as
//! `POST /epcis/capture`.

use axum::Json as AxumJson;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use zhijian_core::access::{Action, Principal, Scope};
use zhijian_epcis::Document;
use zhijian_store::epcis::CaptureJob;

use crate::auth::Authed;
use crate::error::ApiError;
use crate::flow::{
    self, Fault, Given, GivenQuantity, MAX_ITEMS, Movement, Step, movements_from_csv,
};
use crate::state::AppState;

/// The body of `POST /api/v1/flow/pack` and `/unpack`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PackInput {
    /// The case or pallet: an 18-digit SSCC, or an EPC URN / GS1 Digital Link.
    #[schema(examples("369012340000000019"))]
    parent: String,
    /// What goes in (or comes out): 20-digit supervision codes, SSCCs or identifiers.
    /// Unpacking without children empties the parent.
    #[serde(default)]
    children: Vec<String>,
    /// When, RFC 3339 with a zone; now when absent.
    time: Option<String>,
    /// Where: a 13-digit GLN, an SGLN URN or a GS1 Digital Link.
    #[schema(examples("6901234000016"))]
    location: String,
}

/// A quantity of a lot, for goods that carry no unit codes.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuantityInput {
    /// An LGTIN (`urn:epc:class:lgtin:…` or Digital Link `…/01/{gtin}/10/{lot}`), or a
    /// GTIN (14 digits, class URN or Digital Link) with `lot`.
    class: String,
    /// The lot, when `class` is a GTIN.
    lot: Option<String>,
    /// How many (above 0).
    quantity: f64,
    /// UN/ECE Recommendation 20 unit (e.g. `KGM`), when not a count of units.
    uom: Option<String>,
}

/// The body of `POST /api/v1/flow/ship` and `/receive`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TradeInput {
    /// Codes, SSCCs or identifiers.
    #[serde(default)]
    items: Vec<String>,
    /// Quantities of lots.
    #[serde(default)]
    quantities: Vec<QuantityInput>,
    /// Where the goods leave: a GLN (13 digits, URN or Digital Link) or a party GLN.
    from: String,
    /// Where the goods go: a GLN or a party GLN.
    to: String,
    /// When, RFC 3339 with a zone; now when absent.
    time: Option<String>,
    /// The despatch-advice number (letters, digits, `-._`, up to 64).
    document: Option<String>,
}

/// The body of `POST /api/v1/flow/sell`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SellInput {
    /// Codes or identifiers of the units sold.
    #[serde(default)]
    items: Vec<String>,
    /// The shop: a GLN.
    location: String,
    /// When, RFC 3339 with a zone; now when absent.
    time: Option<String>,
}

/// What a flow request stored.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FlowCapture {
    /// The capture job (`GET /epcis/capture/{id}`).
    pub capture_id: i64,
    /// The eventIDs of the events recorded, in order (`GET /epcis/events/{eventID}`).
    pub event_ids: Vec<String>,
}

fn given(at: &str, text: Option<String>) -> Option<Given> {
    text.map(|t| Given::new(at, t))
}

fn listed(name: &str, list: Vec<String>) -> Vec<Given> {
    list.into_iter()
        .enumerate()
        .map(|(i, t)| Given::new(format!("{name}/{i}"), t))
        .collect()
}

impl From<PackInput> for Movement {
    fn from(input: PackInput) -> Movement {
        Movement {
            parent: given("parent", Some(input.parent)),
            items: listed("children", input.children),
            location: given("location", Some(input.location)),
            time: given("time", input.time),
            ..Movement::default()
        }
    }
}

impl From<TradeInput> for Movement {
    fn from(input: TradeInput) -> Movement {
        Movement {
            items: listed("items", input.items),
            quantities: input
                .quantities
                .into_iter()
                .enumerate()
                .map(|(i, q)| GivenQuantity {
                    at: format!("quantities/{i}"),
                    class: q.class,
                    lot: q.lot,
                    quantity: q.quantity,
                    uom: q.uom,
                })
                .collect(),
            from: given("from", Some(input.from)),
            to: given("to", Some(input.to)),
            time: given("time", input.time),
            document: given("document", input.document),
            ..Movement::default()
        }
    }
}

impl From<SellInput> for Movement {
    fn from(input: SellInput) -> Movement {
        Movement {
            items: listed("items", input.items),
            location: given("location", Some(input.location)),
            time: given("time", input.time),
            ..Movement::default()
        }
    }
}

impl From<Fault> for ApiError {
    fn from(f: Fault) -> ApiError {
        ApiError::invalid(f.code, f.at, f.message)
    }
}

/// The 422 naming every fault: the first one's code and place, all of them in `codes`.
pub fn faults_error(faults: &[Fault]) -> ApiError {
    let first = faults.first();
    let mut error = ApiError::invalid(
        first.map_or("invalid_value", |f| f.code),
        first.map_or("", |f| f.at.as_str()),
        first.map_or_else(String::new, |f| f.message.clone()),
    );
    error.codes = faults
        .iter()
        .take(100)
        .map(|f| format!("{}: {} ({})", f.at, f.message, f.code))
        .collect();
    error
}

/// The movements of a body: the step's JSON object, or a CSV file of scans.
fn movements<T: DeserializeOwned + Into<Movement>>(
    step: Step,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Vec<Movement>, ApiError> {
    let csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/csv"));
    if csv {
        return movements_from_csv(step, body).map_err(|f| faults_error(&f));
    }
    let input: T = serde_json::from_slice(body).map_err(|e| {
        if e.is_data() {
            ApiError::invalid("invalid_json", "", e.to_string())
        } else {
            ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", e.to_string())
        }
    })?;
    Ok(vec![input.into()])
}

/// Translates movements into an EPCIS document, or 422 naming every fault.
pub fn prepare(step: Step, movements: &[Movement]) -> Result<Document, ApiError> {
    let count: usize = movements
        .iter()
        .map(|m| m.items.len() + m.quantities.len())
        .sum();
    if count > MAX_ITEMS {
        return Err(faults_error(&[flow::too_many()]));
    }
    let mut events = Vec::with_capacity(movements.len());
    let mut faults = Vec::new();
    for movement in movements {
        match flow::event(step, movement) {
            Ok(event) => events.push(event),
            Err(f) => faults.extend(f),
        }
    }
    if !faults.is_empty() {
        return Err(faults_error(&faults));
    }
    zhijian_epcis::read_document(flow::document(events)).map_err(|r| {
        let faults: Vec<Fault> = r
            .problems
            .iter()
            .map(|p| Fault {
                at: p.path.clone(),
                code: p.code,
                message: p.message.clone(),
            })
            .collect();
        faults_error(&faults)
    })
}

/// Captures a prepared document: the job, and the eventIDs in order.
pub async fn capture(
    state: &AppState,
    who: &Principal,
    document: Document,
) -> Result<(CaptureJob, Vec<String>), ApiError> {
    let event_ids = document.events.iter().map(|e| e.event_id.clone()).collect();
    let job = crate::epcis::capture_document(state, who, document, "/epcisBody/eventList").await?;
    Ok((job, event_ids))
}

/// Translates movements into events and captures them: the job and the eventIDs, or
/// 422 naming every fault (nothing stored).
pub async fn record(
    state: &AppState,
    who: &Principal,
    step: Step,
    movements: &[Movement],
) -> Result<FlowCapture, ApiError> {
    let (job, event_ids) = capture(state, who, prepare(step, movements)?).await?;
    if job.success {
        Ok(FlowCapture {
            capture_id: job.id,
            event_ids,
        })
    } else {
        Err(refused(&job))
    }
}

/// A refused capture job's faults, one line each.
pub fn job_faults(job: &CaptureJob) -> Vec<String> {
    job.errors
        .iter()
        .map(|e| {
            format!(
                "{}: {} ({})",
                e["path"].as_str().unwrap_or_default(),
                e["message"].as_str().unwrap_or_default(),
                e["code"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

/// A refused capture: 422 `flow_refused` naming the capture job and its faults.
fn refused(job: &CaptureJob) -> ApiError {
    let mut error = ApiError::invalid(
        "flow_refused",
        "",
        format!(
            "the events were refused and nothing was stored (capture job {})",
            job.id
        ),
    );
    error.codes = job_faults(job);
    error
}

/// Refuses callers who capture no events (officers, viewers, printers, labs) before
/// anything is read.
fn may_capture(who: &Principal) -> Result<(), ApiError> {
    if who.scope(Action::CaptureEvents) == Scope::Nothing {
        Err(ApiError::forbidden())
    } else {
        Ok(())
    }
}

async fn handle<T: DeserializeOwned + Into<Movement>>(
    state: &AppState,
    who: &Principal,
    step: Step,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(StatusCode, AxumJson<FlowCapture>), ApiError> {
    may_capture(who)?;
    let movements = movements::<T>(step, headers, body)?;
    let done = record(state, who, step, &movements).await?;
    Ok((StatusCode::CREATED, AxumJson(done)))
}

/// `POST /api/v1/flow/pack` → 201.
#[utoipa::path(post, path = "/api/v1/flow/pack", operation_id = "flow_pack", tag = "flow",
    summary = "Record children packed into a case or pallet",
    description = "An AggregationEvent ADD, bizStep packing. Or `text/csv` with the header row `child,parent,location,time` (one child per row; rows agreeing on parent, location and time are one event). Times are RFC 3339 with a zone (now when absent). Faults: `required`, `gs1_check_digit`, `code_mistyped`, `flow_item`, `location_identifier`, `time_format`, `flow_items_empty`, `too_many_items` (over 10 000), `flow_csv_columns`, and `flow_refused` when the events break the EPCIS rules (e.g. not at one of your locations and not about your own codes); every fault is listed in `codes`.",
    security(("bearer" = []), ("session" = [])),
    request_body(content = PackInput, description = "JSON, or the same as text/csv"),
    responses((status = 201, body = FlowCapture), (status = 400, response = crate::openapi::BadRequest), (status = 401, response = crate::openapi::Unauthorized), (status = 403, response = crate::openapi::Forbidden), (status = 422, response = crate::openapi::Unprocessable)))]
pub async fn pack(
    State(state): State<AppState>,
    who: Authed,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, AxumJson<FlowCapture>), ApiError> {
    handle::<PackInput>(&state, &who.0, Step::Pack, &headers, &body).await
}

/// `POST /api/v1/flow/unpack` → 201.
#[utoipa::path(post, path = "/api/v1/flow/unpack", operation_id = "flow_unpack", tag = "flow",
    summary = "Record children taken out of a case or pallet",
    description = "An AggregationEvent DELETE, bizStep unpacking; without children the parent is emptied. The same body and CSV columns as `/api/v1/flow/pack`.",
    security(("bearer" = []), ("session" = [])),
    request_body(content = PackInput, description = "JSON, or the same as text/csv"),
    responses((status = 201, body = FlowCapture), (status = 400, response = crate::openapi::BadRequest), (status = 401, response = crate::openapi::Unauthorized), (status = 403, response = crate::openapi::Forbidden), (status = 422, response = crate::openapi::Unprocessable)))]
pub async fn unpack(
    State(state): State<AppState>,
    who: Authed,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, AxumJson<FlowCapture>), ApiError> {
    handle::<PackInput>(&state, &who.0, Step::Unpack, &headers, &body).await
}

/// `POST /api/v1/flow/ship` → 201.
#[utoipa::path(post, path = "/api/v1/flow/ship", operation_id = "flow_ship", tag = "flow",
    summary = "Record goods shipped",
    description = "An ObjectEvent OBSERVE, bizStep shipping, disposition in_transit, at `from`; the source and destination lists name the possessing party (the PGLN of the same number) and the location of `from` and `to`; `document` becomes a despatch advice `urn:epcglobal:cbv:bt:{gln}:{number}`. Or `text/csv` with the header row `item,from,to,time,document` (one item per row; rows agreeing on the rest are one event). Faults as for `/api/v1/flow/pack`.",
    security(("bearer" = []), ("session" = [])),
    request_body(content = TradeInput, description = "JSON, or the same as text/csv"),
    responses((status = 201, body = FlowCapture), (status = 400, response = crate::openapi::BadRequest), (status = 401, response = crate::openapi::Unauthorized), (status = 403, response = crate::openapi::Forbidden), (status = 422, response = crate::openapi::Unprocessable)))]
pub async fn ship(
    State(state): State<AppState>,
    who: Authed,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, AxumJson<FlowCapture>), ApiError> {
    handle::<TradeInput>(&state, &who.0, Step::Ship, &headers, &body).await
}

/// `POST /api/v1/flow/receive` → 201.
#[utoipa::path(post, path = "/api/v1/flow/receive", operation_id = "flow_receive", tag = "flow",
    summary = "Record goods received",
    description = "As `/api/v1/flow/ship`, with bizStep receiving, disposition in_progress, at `to`.",
    security(("bearer" = []), ("session" = [])),
    request_body(content = TradeInput, description = "JSON, or the same as text/csv"),
    responses((status = 201, body = FlowCapture), (status = 400, response = crate::openapi::BadRequest), (status = 401, response = crate::openapi::Unauthorized), (status = 403, response = crate::openapi::Forbidden), (status = 422, response = crate::openapi::Unprocessable)))]
pub async fn receive(
    State(state): State<AppState>,
    who: Authed,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, AxumJson<FlowCapture>), ApiError> {
    handle::<TradeInput>(&state, &who.0, Step::Receive, &headers, &body).await
}

/// `POST /api/v1/flow/sell` → 201.
#[utoipa::path(post, path = "/api/v1/flow/sell", operation_id = "flow_sell", tag = "flow",
    summary = "Record units sold at a shop",
    description = "An ObjectEvent OBSERVE, bizStep retail_selling, disposition retail_sold, at `location`. Or `text/csv` with the header row `item,location,time` (a shop system's day of scans; rows agreeing on location and time are one event). Faults as for `/api/v1/flow/pack`.",
    security(("bearer" = []), ("session" = [])),
    request_body(content = SellInput, description = "JSON, or the same as text/csv"),
    responses((status = 201, body = FlowCapture), (status = 400, response = crate::openapi::BadRequest), (status = 401, response = crate::openapi::Unauthorized), (status = 403, response = crate::openapi::Forbidden), (status = 422, response = crate::openapi::Unprocessable)))]
pub async fn sell(
    State(state): State<AppState>,
    who: Authed,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, AxumJson<FlowCapture>), ApiError> {
    handle::<SellInput>(&state, &who.0, Step::Sell, &headers, &body).await
}
