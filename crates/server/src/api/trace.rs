//! Traces (追溯) and recall reach: where a unit came from, where a batch went (or what it
//! was made of), and every party a recall must reach — as JSON, CSV or xlsx.

use axum::Json as AxumJson;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use zhijian_core::code::SupervisionCode;
use zhijian_store::trace::{
    BackwardTrace, BatchKey, ForwardTrace, Holder, RecallReach, RecallScope, UnitTrace,
};

use super::extract::{Json, Path, Query};
use crate::auth::Authed;
use crate::error::ApiError;
use crate::export;
use crate::state::AppState;

/// The output format of a trace.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JSON (the default).
    #[default]
    Json,
    /// CSV, UTF-8 with a byte-order mark.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

/// Query parameters of `GET /api/v1/trace/code/{code}`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct CodeParams {
    /// `json` (default), `csv` or `xlsx`.
    pub format: Option<Format>,
}

/// Query parameters of `GET /api/v1/trace/batch/{product}/{lot}`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct BatchParams {
    /// `forward` (where its units went; the default) or `backward` (what it was made of).
    pub direction: Option<String>,
    /// `json` (default), `csv` or `xlsx`.
    pub format: Option<Format>,
}

/// `GET /api/v1/trace/code/{code}`.
#[utoipa::path(get, path = "/api/v1/trace/code/{code}", tag = "trace",
    summary = "Where a unit came from and where it is",
    description = "The unit's history, oldest first — commissioning, every packing into cases and pallets, every shipment and receipt (those of the containers it travelled in count while it was in them), sale — and where it was last seen with its status (`made`, `in_stock`, `in_transit`, `sold`, `decommissioned`, `recalled`, `unknown`). `code` is a 20-digit supervision code or any EPC URN or GS1 Digital Link of the unit (URL-encoded). Visible to the maker, bureaus over the maker's region and admins.",
    security(("bearer" = []), ("session" = [])),
    params(("code" = String, Path), CodeParams),
    responses(
        (status = 200, body = UnitTrace),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    ))]
pub async fn code(
    State(state): State<AppState>,
    who: Authed,
    Path(code): Path<String>,
    Query(params): Query<CodeParams>,
) -> Result<Response, ApiError> {
    let code = code.trim();
    let (identifier, batch) = if code.len() == 20 && code.bytes().all(|b| b.is_ascii_digit()) {
        let parsed = SupervisionCode::parse(code)
            .map_err(|e| ApiError::invalid(e.code(), "code", e.to_string()))?;
        let canonical = match state.store.canonical_code(code).await? {
            Ok((canonical, _)) => canonical,
            Err(_) => return Err(ApiError::not_found()),
        };
        (canonical, state.store.batch_of_code(&parsed).await?)
    } else {
        let canonical = zhijian_epcis::query::canonical(code)
            .map_err(|m| ApiError::invalid("identifier", "code", m))?;
        let batch = match zhijian_epcis::identifier::Identifier::parse(&canonical) {
            Ok(zhijian_epcis::identifier::Identifier::Sgtin { serial, .. }) => {
                match SupervisionCode::parse(&serial) {
                    Ok(code) => state.store.batch_of_code(&code).await?,
                    Err(_) => None,
                }
            }
            _ => None,
        };
        (canonical, batch)
    };
    let trace = state
        .store
        .scoped(&who.0)
        .trace_unit(&identifier, batch)
        .await?;
    if trace.steps.is_empty() && trace.batch.is_none() {
        return Err(ApiError::not_found());
    }
    let headings = [
        "时间 time",
        "事件 event",
        "业务步骤 step",
        "状态 disposition",
        "地点 location",
        "名称 name",
        "来源 source",
        "去向 destination",
        "容器 via",
        "事件ID event ID",
    ];
    let rows = |trace: &UnitTrace| -> Vec<Vec<String>> {
        trace
            .steps
            .iter()
            .map(|s| {
                vec![
                    s.time.clone(),
                    s.event_type.clone(),
                    s.biz_step.clone().unwrap_or_default(),
                    s.disposition.clone().unwrap_or_default(),
                    s.location.clone().unwrap_or_default(),
                    s.location_name.clone().unwrap_or_default(),
                    s.source.clone().unwrap_or_default(),
                    s.destination.clone().unwrap_or_default(),
                    s.via.clone().unwrap_or_default(),
                    s.event_id.clone(),
                ]
            })
            .collect()
    };
    let title = format!("追溯 trace: {}", trace.identifier);
    respond(
        params.format.unwrap_or_default(),
        "trace-unit",
        &title,
        &headings,
        trace,
        rows,
    )
}

/// The batch a path names: a GTIN (8–14 digits) or a product id, and a lot.
fn batch_key(product: &str, lot: &str) -> Result<BatchKey, ApiError> {
    let product = product.trim();
    if product.len() >= 8 && product.len() <= 14 && product.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(BatchKey::Gtin(product.to_owned(), lot.to_owned()));
    }
    product
        .parse()
        .map(|id| BatchKey::Product(id, lot.to_owned()))
        .map_err(|_| {
            ApiError::invalid(
                "product",
                "product",
                "name the product by its GTIN (8–14 digits) or its id",
            )
        })
}

fn holder_rows(holders: &[Holder]) -> Vec<Vec<String>> {
    holders
        .iter()
        .map(|h| {
            vec![
                h.location.clone(),
                h.name.clone().unwrap_or_default(),
                h.kind.clone().unwrap_or_default(),
                h.region.clone().unwrap_or_default(),
                h.produced.to_string(),
                h.received.to_string(),
                h.shipped.to_string(),
                h.sold.to_string(),
                h.decommissioned.to_string(),
                h.in_transit.to_string(),
                h.holding.to_string(),
                h.first_at.clone(),
                h.last_at.clone(),
            ]
        })
        .collect()
}

const HOLDER_HEADINGS: [&str; 13] = [
    "地点 location",
    "名称 name",
    "类型 kind",
    "地区 region",
    "生产 produced",
    "收货 received",
    "发货 shipped",
    "售出 sold",
    "注销 decommissioned",
    "在途 in transit",
    "持有 holding",
    "首次 first",
    "最近 last",
];

/// `GET /api/v1/trace/batch/{product}/{lot}`.
#[utoipa::path(get, path = "/api/v1/trace/batch/{product}/{lot}", tag = "trace",
    summary = "Where a batch went, or what it was made of",
    description = "`product` is the product's GTIN (8–14 digits) or its id. `direction=forward` (default): every place that received units of the batch — directly, inside cases and pallets, or as counted quantities of the lot — with units produced, received, shipped, sold, decommissioned, in transit and still held, the maker first. `direction=backward`: the inputs of the transformations that made the batch (supplier lots, quantities). `format=csv|xlsx` downloads the table. Visible to the maker, bureaus over the maker's region and admins.",
    security(("bearer" = []), ("session" = [])),
    params(("product" = String, Path), ("lot" = String, Path), BatchParams),
    responses(
        (status = 200, body = ForwardTrace, description = "Forward; backward answers a BackwardTrace."),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    ))]
pub async fn batch(
    State(state): State<AppState>,
    who: Authed,
    Path((product, lot)): Path<(String, String)>,
    Query(params): Query<BatchParams>,
) -> Result<Response, ApiError> {
    let key = batch_key(&product, &lot)?;
    let scoped = state.store.scoped(&who.0);
    let format = params.format.unwrap_or_default();
    match params.direction.as_deref().unwrap_or("forward") {
        "forward" => {
            let trace = scoped.trace_forward(&key).await?;
            let title = format!(
                "流向 forward trace: {} {}",
                trace.batch.product, trace.batch.lot
            );
            respond(
                format,
                "trace-forward",
                &title,
                &HOLDER_HEADINGS,
                trace,
                |t| holder_rows(&t.holders),
            )
        }
        "backward" => {
            let trace: BackwardTrace = scoped.trace_backward(&key).await?;
            let headings = [
                "原料 input",
                "GTIN",
                "批号 lot",
                "数量 quantity",
                "单位 uom",
                "供应商 supplier",
                "时间 time",
                "地点 location",
                "事件ID event ID",
            ];
            let rows = |trace: &BackwardTrace| -> Vec<Vec<String>> {
                trace
                    .inputs
                    .iter()
                    .map(|i| {
                        vec![
                            i.identifier.clone(),
                            i.gtin.clone().unwrap_or_default(),
                            i.lot.clone().unwrap_or_default(),
                            i.quantity.map(|q| q.to_string()).unwrap_or_default(),
                            i.uom.clone().unwrap_or_default(),
                            i.batch
                                .as_ref()
                                .map(|b| b.maker.clone())
                                .unwrap_or_default(),
                            i.time.clone(),
                            i.location.clone().unwrap_or_default(),
                            i.event_id.clone(),
                        ]
                    })
                    .collect()
            };
            let title = format!(
                "原料追溯 backward trace: {} {}",
                trace.batch.product, trace.batch.lot
            );
            respond(format, "trace-backward", &title, &headings, trace, rows)
        }
        other => Err(ApiError::invalid(
            "direction",
            "direction",
            format!("'{other}' is not forward or backward"),
        )),
    }
}

/// A trace as JSON, or as a table (`rows` is only built for a download: a forward
/// trace has thousands of places).
fn respond<T: serde::Serialize>(
    format: Format,
    file: &str,
    title: &str,
    headings: &[&str],
    trace: T,
    rows: impl FnOnce(&T) -> Vec<Vec<String>>,
) -> Result<Response, ApiError> {
    Ok(match format {
        Format::Json => AxumJson(trace).into_response(),
        Format::Csv => export::attachment(
            &format!("{file}.csv"),
            "text/csv; charset=utf-8",
            export::csv(headings, &rows(&trace))?,
        ),
        Format::Xlsx => export::attachment(
            &format!("{file}.xlsx"),
            export::XLSX,
            export::xlsx("追溯", title, headings, &rows(&trace))?,
        ),
    })
}

/// A range of supervision codes, both ends included.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRange {
    /// The first code (20 digits).
    pub first: String,
    /// The last code.
    pub last: String,
}

/// Production dates, both ends included (`YYYY-MM-DD`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DateRange {
    /// From.
    pub from: Option<String>,
    /// To.
    pub to: Option<String>,
}

/// The body of `POST /api/v1/recall-reach`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReachInput {
    /// The product: its GTIN or its id.
    #[schema(examples("06901234000017"))]
    pub product: String,
    /// Lots.
    #[serde(default)]
    pub lots: Vec<String>,
    /// Ranges of supervision codes.
    #[serde(default)]
    pub code_ranges: Vec<CodeRange>,
    /// Production dates.
    pub production_dates: Option<DateRange>,
}

fn date(value: &Option<String>, field: &str) -> Result<Option<String>, ApiError> {
    match value {
        None => Ok(None),
        Some(v) => v
            .parse::<jiff::civil::Date>()
            .map(|d| Some(d.to_string()))
            .map_err(|_| {
                ApiError::invalid(
                    "date_format",
                    field.to_owned(),
                    format!("'{v}' is not a date (YYYY-MM-DD)"),
                )
            }),
    }
}

/// `POST /api/v1/recall-reach`.
#[utoipa::path(post, path = "/api/v1/recall-reach", tag = "trace",
    summary = "Every party a recall must reach",
    description = "For a product and lots, code ranges or production dates (any that match): the batches in scope and every place their units reached, with what each still holds, what is in transit to it, and how many units were already sold or decommissioned. A scope that matches no batch answers 422 `scope_matches_nothing`; naming none of lots, ranges or dates, 422 `scope_empty`. Visible to the maker, bureaus over the maker's region and admins.",
    security(("bearer" = []), ("session" = [])),
    request_body = ReachInput,
    responses(
        (status = 200, body = RecallReach),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    ))]
pub async fn reach(
    State(state): State<AppState>,
    who: Authed,
    Json(input): Json<ReachInput>,
) -> Result<AxumJson<RecallReach>, ApiError> {
    let scope = recall_scope(
        &state,
        &input.product,
        &input.lots,
        &input.code_ranges,
        input.production_dates.as_ref(),
    )
    .await?;
    let scoped = state.store.scoped(&who.0);
    Ok(AxumJson(scoped.recall_reach(&scope).await?))
}

/// A recall's scope from what a caller typed: the product (a GTIN or an id), lots, code
/// ranges and production dates. Shared by the recall reach and recalls.
pub(crate) async fn recall_scope(
    state: &AppState,
    product: &str,
    lots: &[String],
    ranges: &[CodeRange],
    dates: Option<&DateRange>,
) -> Result<RecallScope, ApiError> {
    let mut code_ranges = Vec::new();
    for (i, range) in ranges.iter().enumerate() {
        let parse = |text: &str, end: &str| {
            SupervisionCode::parse(text.trim()).map_err(|e| {
                ApiError::invalid(e.code(), format!("code_ranges[{i}].{end}"), e.to_string())
            })
        };
        code_ranges.push((parse(&range.first, "first")?, parse(&range.last, "last")?));
    }
    let product_id = match batch_key(product, "")? {
        BatchKey::Product(id, _) => id,
        BatchKey::Gtin(gtin, _) => state.store.product_by_gtin(&gtin).await?.ok_or_else(|| {
            ApiError::invalid(
                "product_unknown",
                "product",
                format!("no product has the GTIN {gtin}"),
            )
        })?,
        BatchKey::Id(id) => id,
    };
    Ok(RecallScope {
        product_id,
        lots: lots
            .iter()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect(),
        code_ranges,
        produced_from: date(&dates.and_then(|d| d.from.clone()), "production_dates.from")?,
        produced_to: date(&dates.and_then(|d| d.to.clone()), "production_dates.to")?,
    })
}
