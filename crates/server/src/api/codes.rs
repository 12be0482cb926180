//! Supervision codes: applications and approvals, segments and their code files, print
//! jobs, activation on batches, batch flags, terminals, signals and code histories.

use axum::Json as AxumJson;
use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use zhijian_core::code::list::{IndexRange, ListError, PackedCode, coalesce, parse_packed_list};
use zhijian_core::code::{CodeSpace, SupervisionCode};
use zhijian_core::page::{Page, Paged};
use zhijian_store::codes::{
    Activation, ApplicationStatus, Batch, BatchFlag, CodeApplication, NewBatch, PrintJob, Segment,
};
use zhijian_store::verify::{CounterfeitSignal, Terminal, VerificationRecord};

use super::enterprises::known_region;
use super::extract::{Json, Multipart, Path, Query, date, required, text};
use crate::auth::Authed;
use crate::error::ApiError;
use crate::state::AppState;

/// Most codes one activation may carry when listed one by one.
pub const MAX_LISTED_CODES: usize = 100_000;

/// Page parameters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// Page number, from 1.
    page: Option<u32>,
    /// Items per page, 1–1000.
    per_page: Option<u32>,
}

fn page(p: &PageParams) -> Result<Page, ApiError> {
    Page::new(p.page, p.per_page).map_err(|e| ApiError::invalid("page", "page", e.to_string()))
}

/// The body of `POST /api/v1/code-applications`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationInput {
    /// The applying enterprise's credit code.
    enterprise: String,
    /// One of its products.
    product_id: i64,
    /// How many codes.
    quantity: i64,
    /// A note for the bureau.
    note: Option<String>,
}

/// `POST /api/v1/code-applications` → 201.
#[utoipa::path(post, path = "/api/v1/code-applications", tag = "codes",
    summary = "Apply for supervision codes",
    security(("bearer" = []), ("session" = [])), request_body = ApplicationInput,
    responses((status = 201, body = CodeApplication), (status = 404, response = crate::openapi::NotFound), (status = 422, response = crate::openapi::Unprocessable)))]
pub async fn apply(
    State(state): State<AppState>,
    who: Authed,
    Json(input): Json<ApplicationInput>,
) -> Result<(StatusCode, AxumJson<CodeApplication>), ApiError> {
    let note = text("note", input.note.as_deref(), 500)?;
    let app = state
        .store
        .scoped(&who.0)
        .apply_codes(
            input.enterprise.trim(),
            input.product_id,
            input.quantity,
            note,
            state.code_limits(),
        )
        .await?;
    Ok((StatusCode::CREATED, AxumJson(app)))
}

/// Filters for the application list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ApplicationFilter {
    /// `pending`, `approved` or `refused`.
    status: Option<ApplicationStatus>,
    /// An enterprise's credit code.
    enterprise: Option<String>,
    /// Page number, from 1.
    page: Option<u32>,
    /// Items per page, 1–1000.
    per_page: Option<u32>,
}

/// `GET /api/v1/code-applications`.
#[utoipa::path(get, path = "/api/v1/code-applications", tag = "codes",
    summary = "List code applications", params(ApplicationFilter),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = inline(Paged<CodeApplication>))))]
pub async fn applications(
    State(state): State<AppState>,
    who: Authed,
    Query(f): Query<ApplicationFilter>,
) -> Result<AxumJson<Paged<CodeApplication>>, ApiError> {
    let p = Page::new(f.page, f.per_page)
        .map_err(|e| ApiError::invalid("page", "page", e.to_string()))?;
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .code_applications(f.status, f.enterprise.as_deref().map(str::trim), p)
            .await?,
    ))
}

/// `GET /api/v1/code-applications/{id}`.
#[utoipa::path(get, path = "/api/v1/code-applications/{id}", tag = "codes",
    summary = "Read a code application", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = CodeApplication), (status = 404, response = crate::openapi::NotFound)))]
pub async fn application(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<CodeApplication>, ApiError> {
    Ok(AxumJson(
        state.store.scoped(&who.0).code_application(id).await?,
    ))
}

/// `POST /api/v1/code-applications/{id}/approve` → the application with its segment.
#[utoipa::path(post, path = "/api/v1/code-applications/{id}/approve", tag = "codes",
    summary = "Approve a code application and allocate its segment",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = CodeApplication), (status = 403, response = crate::openapi::Forbidden), (status = 404, response = crate::openapi::NotFound), (status = 409, description = "`application_decided`", body = crate::openapi::Problem, content_type = "application/problem+json")))]
pub async fn approve(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<CodeApplication>, ApiError> {
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .approve_code_application(id)
            .await?,
    ))
}

/// The body of a refusal, recall or decommissioning.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    /// Why.
    reason: String,
}

/// `POST /api/v1/code-applications/{id}/refuse`.
#[utoipa::path(post, path = "/api/v1/code-applications/{id}/refuse", tag = "codes",
    summary = "Refuse a code application", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path)), request_body = ReasonInput,
    responses((status = 200, body = CodeApplication), (status = 403, response = crate::openapi::Forbidden), (status = 404, response = crate::openapi::NotFound)))]
pub async fn refuse(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<ReasonInput>,
) -> Result<AxumJson<CodeApplication>, ApiError> {
    let reason = required("reason", &input.reason, 500)?;
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .refuse_code_application(id, &reason)
            .await?,
    ))
}

/// `GET /api/v1/segments`.
#[utoipa::path(get, path = "/api/v1/segments", tag = "codes", summary = "List code segments",
    params(PageParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = inline(Paged<Segment>))))]
pub async fn segments(
    State(state): State<AppState>,
    who: Authed,
    Query(p): Query<PageParams>,
) -> Result<AxumJson<Paged<Segment>>, ApiError> {
    Ok(AxumJson(
        state.store.scoped(&who.0).segments(page(&p)?).await?,
    ))
}

/// `GET /api/v1/segments/{id}`.
#[utoipa::path(get, path = "/api/v1/segments/{id}", tag = "codes", summary = "Read a code segment",
    params(("id" = i64, Path)), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Segment), (status = 404, response = crate::openapi::NotFound)))]
pub async fn segment(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<Segment>, ApiError> {
    Ok(AxumJson(state.store.scoped(&who.0).segment(id).await?))
}

/// How to download a segment's codes.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CodesParams {
    /// `txt` (one code per line, the default) or `csv` (code, GS1 element string,
    /// verification URL).
    format: Option<String>,
    /// Only this print job's codes.
    print_job: Option<i64>,
}

/// The verification URL printed in a label's QR code: a GS1 Digital Link when the
/// product has a GTIN, else the node's `/q/` page.
pub fn verification_url(base: &str, gtin: Option<&str>, code: &str) -> String {
    match gtin {
        Some(g) => format!("{base}/01/{g}/21/{code}"),
        None => format!("{base}/q/{code}"),
    }
}

/// The node's public address for printed URLs.
pub fn public_base(state: &AppState) -> String {
    state
        .config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", state.config.listen))
        .trim_end_matches('/')
        .to_owned()
}

/// `GET /api/v1/segments/{id}/codes` → the code file, streamed.
#[utoipa::path(get, path = "/api/v1/segments/{id}/codes", tag = "codes",
    summary = "Download a segment's codes",
    description = "Streams the codes the caller may take: the owning enterprise the whole segment (or one print job), a printer its print jobs. Every download is audited.",
    params(("id" = i64, Path), CodesParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "One code per line (txt) or CSV.", content_type = "text/plain"), (status = 403, response = crate::openapi::Forbidden), (status = 404, response = crate::openapi::NotFound)))]
pub async fn codes(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Query(q): Query<CodesParams>,
) -> Result<Response, ApiError> {
    let csv = match q.format.as_deref().unwrap_or("txt") {
        "txt" => false,
        "csv" => true,
        other => {
            return Err(ApiError::invalid(
                "format",
                "format",
                format!("format must be txt or csv, not {other}"),
            ));
        }
    };
    let plan = state
        .store
        .scoped(&who.0)
        .download_codes(id, q.print_job)
        .await?;
    let space = state.store.code_space()?.clone();
    let base = public_base(&state);
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let ranges = plan.ranges.clone();
    let gtin = plan.gtin.clone();
    // Encoding is CPU work: a blocking thread writes chunks the response streams out.
    tokio::task::spawn_blocking(move || {
        if csv {
            let _ = tx.blocking_send(Ok(b"code,gs1_element_string,url\n".to_vec()));
        }
        for r in ranges {
            let mut next = r.first;
            while next < r.end() {
                let n = (r.end() - next).min(65_536);
                let mut buf = Vec::with_capacity(n as usize * if csv { 120 } else { 21 });
                let result = if csv {
                    write_csv(&space, next, n, gtin.as_deref(), &base, &mut buf)
                } else {
                    space.write_range(next, n, &mut buf)
                };
                if let Err(e) = result {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
                if tx.blocking_send(Ok(buf)).is_err() {
                    return;
                }
                next += n;
            }
        }
    });
    let stream = futures_stream(rx);
    let name = format!(
        "segment-{id}{}.{}",
        q.print_job.map(|j| format!("-job-{j}")).unwrap_or_default(),
        if csv { "csv" } else { "txt" }
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                if csv {
                    "text/csv; charset=utf-8"
                } else {
                    "text/plain; charset=utf-8"
                }
                .to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

fn futures_stream(
    rx: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|x| (x, rx)) })
}

fn write_csv(
    space: &CodeSpace,
    first: u64,
    count: u64,
    gtin: Option<&str>,
    base: &str,
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    use std::io::Write;
    let mut lines = Vec::with_capacity(count as usize * 21);
    space.write_range(first, count, &mut lines)?;
    for line in lines.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let code = std::str::from_utf8(line).unwrap_or_default();
        let element = gtin
            .map(|g| format!("(01){g}(21){code}"))
            .unwrap_or_default();
        writeln!(
            out,
            "{code},{element},{}",
            verification_url(base, gtin, code)
        )?;
    }
    Ok(())
}

/// The body of `POST /api/v1/print-jobs`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrintJobInput {
    /// The segment.
    segment_id: i64,
    /// The printer's credit code.
    printer: String,
    /// Where in the segment the part starts (0-based; default: the first code not yet
    /// with a printer).
    offset: Option<i64>,
    /// How many codes (default: the rest of the segment).
    quantity: Option<i64>,
}

/// `POST /api/v1/print-jobs` → 201.
#[utoipa::path(post, path = "/api/v1/print-jobs", tag = "codes", summary = "Hand codes to a printer",
    security(("bearer" = []), ("session" = [])), request_body = PrintJobInput,
    responses((status = 201, body = PrintJob), (status = 403, response = crate::openapi::Forbidden), (status = 404, response = crate::openapi::NotFound), (status = 409, description = "`print_job_overlap`", body = crate::openapi::Problem, content_type = "application/problem+json"), (status = 422, response = crate::openapi::Unprocessable)))]
pub async fn create_print_job(
    State(state): State<AppState>,
    who: Authed,
    Json(input): Json<PrintJobInput>,
) -> Result<(StatusCode, AxumJson<PrintJob>), ApiError> {
    let job = state
        .store
        .scoped(&who.0)
        .create_print_job(
            input.segment_id,
            input.printer.trim(),
            input.offset,
            input.quantity,
        )
        .await?;
    Ok((StatusCode::CREATED, AxumJson(job)))
}

/// `GET /api/v1/print-jobs`.
#[utoipa::path(get, path = "/api/v1/print-jobs", tag = "codes", summary = "List print jobs",
    params(PageParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = inline(Paged<PrintJob>))))]
pub async fn print_jobs(
    State(state): State<AppState>,
    who: Authed,
    Query(p): Query<PageParams>,
) -> Result<AxumJson<Paged<PrintJob>>, ApiError> {
    Ok(AxumJson(
        state.store.scoped(&who.0).print_jobs(page(&p)?).await?,
    ))
}

/// `GET /api/v1/print-jobs/{id}`.
#[utoipa::path(get, path = "/api/v1/print-jobs/{id}", tag = "codes", summary = "Read a print job",
    params(("id" = i64, Path)), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = PrintJob), (status = 404, response = crate::openapi::NotFound)))]
pub async fn print_job(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<PrintJob>, ApiError> {
    Ok(AxumJson(state.store.scoped(&who.0).print_job(id).await?))
}

/// The body of `POST /api/v1/print-jobs/{id}/confirm`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmInput {
    /// Labels printed.
    printed: i64,
    /// Labels spoiled.
    spoiled: i64,
}

/// `POST /api/v1/print-jobs/{id}/confirm` (the printer).
#[utoipa::path(post, path = "/api/v1/print-jobs/{id}/confirm", tag = "codes",
    summary = "Confirm what was printed", params(("id" = i64, Path)),
    security(("bearer" = []), ("session" = [])), request_body = ConfirmInput,
    responses((status = 200, body = PrintJob), (status = 403, response = crate::openapi::Forbidden), (status = 404, response = crate::openapi::NotFound), (status = 409, description = "`print_job_confirmed`", body = crate::openapi::Problem, content_type = "application/problem+json"), (status = 422, response = crate::openapi::Unprocessable)))]
pub async fn confirm_print_job(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<ConfirmInput>,
) -> Result<AxumJson<PrintJob>, ApiError> {
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .confirm_print_job(id, input.printed, input.spoiled)
            .await?,
    ))
}

/// Batch data in an activation.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchInput {
    /// Lot number.
    lot: String,
    /// Production date, `YYYY-MM-DD`.
    production_date: String,
    /// Expiry date, `YYYY-MM-DD`.
    expiry_date: Option<String>,
    /// The factory inspection report number.
    inspection_report: Option<String>,
}

/// A first/last code pair.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRange {
    /// The first code.
    first: String,
    /// The last code (same segment, later index).
    last: String,
}

/// An index range.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndexRangeInput {
    /// The first index.
    first: i64,
    /// How many.
    count: i64,
}

/// The body of `POST /api/v1/activations`: one of `codes`, `ranges`, `index_ranges`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivationInput {
    /// Codes one by one.
    codes: Option<Vec<String>>,
    /// First/last code pairs.
    ranges: Option<Vec<CodeRange>>,
    /// Index ranges (as segments report them).
    index_ranges: Option<Vec<IndexRangeInput>>,
    /// The batch.
    batch: BatchInput,
}

fn new_batch(b: &BatchInput) -> Result<NewBatch, ApiError> {
    let production_date = date("batch.production_date", &b.production_date)?;
    let expiry_date = b
        .expiry_date
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map(|d| date("batch.expiry_date", d))
        .transpose()?;
    if expiry_date.is_some_and(|e| e < production_date) {
        return Err(ApiError::invalid(
            "batch_dates",
            "batch.expiry_date",
            "the expiry date is before the production date",
        ));
    }
    Ok(NewBatch {
        lot: required("batch.lot", &b.lot, 64)?,
        production_date,
        expiry_date,
        inspection_report: text(
            "batch.inspection_report",
            b.inspection_report.as_deref(),
            64,
        )?,
    })
}

/// Decodes codes of this node into indices, naming the ones that are not.
fn indices(space: &CodeSpace, codes: &[SupervisionCode]) -> Result<Vec<u64>, ApiError> {
    let mut out = Vec::with_capacity(codes.len());
    let mut foreign = Vec::new();
    for c in codes {
        match space.decode(c) {
            Ok(i) => out.push(i),
            Err(_) => foreign.push(c.to_string()),
        }
    }
    if !foreign.is_empty() {
        let mut e = ApiError::invalid(
            "code_foreign_node",
            "codes",
            "these codes were issued by another node",
        );
        foreign.truncate(20);
        e.codes = foreign;
        return Err(e);
    }
    Ok(out)
}

fn ranges_of(space: &CodeSpace, indices: Vec<u64>) -> Result<Vec<IndexRange>, ApiError> {
    coalesce(indices).map_err(|dup| {
        let mut e = ApiError::invalid("code_duplicate", "codes", "a code is listed twice");
        e.codes = space
            .encode(dup)
            .map(|c| vec![c.to_string()])
            .unwrap_or_default();
        e
    })
}

fn parse_codes(list: &[String]) -> Result<Vec<SupervisionCode>, ApiError> {
    if list.len() > MAX_LISTED_CODES {
        return Err(ApiError::invalid(
            "list_too_many",
            "codes",
            format!("one activation lists at most {MAX_LISTED_CODES} codes; use ranges"),
        ));
    }
    let mut bad = Vec::new();
    let mut out = Vec::with_capacity(list.len());
    for (i, c) in list.iter().enumerate() {
        match SupervisionCode::parse(c) {
            Ok(code) => out.push(code),
            Err(e) => bad.push(format!(
                "#{}: {} ({})",
                i + 1,
                c.chars().take(40).collect::<String>(),
                e.code()
            )),
        }
    }
    if !bad.is_empty() {
        let mut e = ApiError::invalid(
            "list_bad_lines",
            "codes",
            "some entries are not valid codes",
        );
        bad.truncate(20);
        e.codes = bad;
        return Err(e);
    }
    Ok(out)
}

/// `POST /api/v1/activations` → 201.
#[utoipa::path(post, path = "/api/v1/activations", tag = "codes",
    summary = "Activate printed codes on a batch",
    description = "Codes as a list, first/last pairs, or index ranges. Codes outside the enterprise's segments, not confirmed as printed, or already active are refused with the offending codes named (`codes`).",
    security(("bearer" = []), ("session" = [])), request_body = ActivationInput,
    responses((status = 201, body = Activation), (status = 403, response = crate::openapi::Forbidden), (status = 409, description = "`batch_mismatch`", body = crate::openapi::Problem, content_type = "application/problem+json"), (status = 422, response = crate::openapi::Unprocessable)))]
pub async fn activate(
    State(state): State<AppState>,
    who: Authed,
    Json(input): Json<ActivationInput>,
) -> Result<(StatusCode, AxumJson<Activation>), ApiError> {
    let space = state.store.code_space()?;
    let batch = new_batch(&input.batch)?;
    let mut all: Vec<u64> = Vec::new();
    let mut ranges: Vec<IndexRange> = Vec::new();
    if let Some(list) = &input.codes {
        all.extend(indices(space, &parse_codes(list)?)?);
    }
    if let Some(pairs) = &input.ranges {
        for p in pairs {
            let first = SupervisionCode::parse(&p.first)
                .map_err(|e| ApiError::from(e).field("ranges.first"))?;
            let last = SupervisionCode::parse(&p.last)
                .map_err(|e| ApiError::from(e).field("ranges.last"))?;
            let ix = indices(space, &[first, last])?;
            if ix[1] < ix[0] {
                return Err(ApiError::invalid(
                    "range_order",
                    "ranges",
                    "the last code comes before the first",
                ));
            }
            ranges.push(IndexRange {
                first: ix[0],
                count: ix[1] - ix[0] + 1,
            });
        }
    }
    if let Some(rs) = &input.index_ranges {
        for r in rs {
            if r.first < 0
                || r.count <= 0
                || r.first
                    .checked_add(r.count)
                    .is_none_or(|e| e as u64 > CodeSpace::SIZE)
            {
                return Err(ApiError::invalid(
                    "range_bounds",
                    "index_ranges",
                    "index ranges must lie inside the code space",
                ));
            }
            ranges.push(IndexRange {
                first: r.first as u64,
                count: r.count as u64,
            });
        }
    }
    let ranges = merge(ranges, ranges_of(space, all)?, space)?;
    if ranges.is_empty() {
        return Err(ApiError::invalid(
            "list_empty",
            "codes",
            "give codes, ranges or index_ranges",
        ));
    }
    let done = state.store.scoped(&who.0).activate(&batch, &ranges).await?;
    Ok((StatusCode::CREATED, AxumJson(done)))
}

/// Joins listed codes and ranges; any overlap is a code given twice.
fn merge(
    mut a: Vec<IndexRange>,
    b: Vec<IndexRange>,
    space: &CodeSpace,
) -> Result<Vec<IndexRange>, ApiError> {
    a.extend(b);
    a.sort();
    for w in a.windows(2) {
        if w[0].overlaps(&w[1]) {
            let mut e = ApiError::invalid("code_duplicate", "codes", "a code is listed twice");
            e.codes = space
                .encode(w[1].first)
                .map(|c| vec![c.to_string()])
                .unwrap_or_default();
            return Err(e);
        }
    }
    Ok(a)
}

/// What `POST /api/v1/activations/upload` did: the activation, and the packing of the
/// codes into their cases when the file names them.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ActivationUpload {
    /// The activation.
    #[serde(flatten)]
    pub activation: Activation,
    /// The packing events, when the file has a case column.
    pub packing: Option<Packing>,
}

/// The AggregationEvents that packed an uploaded file's codes into their cases.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Packing {
    /// The capture job (`GET /epcis/capture/{id}`).
    pub capture_id: i64,
    /// Whether the events were stored; when not, `errors` says why (the codes stay
    /// activated; send the packing again through `POST /api/v1/flow/pack`).
    pub success: bool,
    /// The eventIDs, one per case.
    pub event_ids: Vec<String>,
    /// Why the events were refused.
    pub errors: Vec<String>,
}

/// The packing movements of a list with cases: one per case, in order of appearance,
/// at the form's `location` and `time`.
fn packings(
    packed: &[PackedCode],
    location: Option<String>,
    time: Option<String>,
) -> Vec<crate::flow::Movement> {
    use crate::flow::{Given, Movement};
    let mut out: Vec<Movement> = Vec::new();
    for (n, p) in packed.iter().enumerate() {
        let Some(case) = &p.case else { continue };
        let at = format!("file/{n}");
        let index = match out
            .iter()
            .position(|m| m.parent.as_ref().is_some_and(|g| g.text == *case))
        {
            Some(i) => i,
            None => {
                out.push(Movement {
                    parent: Some(Given::new(at.clone(), case.clone())),
                    location: location.clone().map(|l| Given::new("location", l)),
                    time: time.clone().map(|t| Given::new("time", t)),
                    ..Movement::default()
                });
                out.len() - 1
            }
        };
        out[index].items.push(Given::new(at, p.code.to_string()));
    }
    out
}

/// `POST /api/v1/activations/upload`: the same from a packaging line's CSV file
/// (multipart fields `lot`, `production_date`, `expiry_date`, `inspection_report`,
/// `file`, and with a case column `location` and `time`).
#[utoipa::path(post, path = "/api/v1/activations/upload", tag = "codes",
    summary = "Activate codes listed in an uploaded CSV file",
    description = "The codes are the file's first column (a first line without digits is a header). When the header names a column `parent`, `case` or `sscc` holding each code's case (an 18-digit SSCC or a GS1 identifier), the codes are also recorded as packed into their cases: one AggregationEvent ADD (bizStep packing) per case, at the GLN of the form field `location` (required then) and at `time` (RFC 3339 with a zone; now when absent). Faults in the cases, location or time are refused before anything is activated; `packing` tells how the capture went.",
    security(("bearer" = []), ("session" = [])),
    request_body(content_type = "multipart/form-data", description = "Fields lot, production_date, expiry_date, inspection_report, location, time and the file."),
    responses((status = 201, body = ActivationUpload), (status = 413, response = crate::openapi::PayloadTooLarge), (status = 422, response = crate::openapi::Unprocessable)))]
pub async fn activate_upload(
    State(state): State<AppState>,
    who: Authed,
    form: Multipart,
) -> Result<(StatusCode, AxumJson<ActivationUpload>), ApiError> {
    let space = state.store.code_space()?;
    let (mut fields, file) = form.fields_and_file().await?;
    let batch = new_batch(&BatchInput {
        lot: fields.remove("lot").unwrap_or_default(),
        production_date: fields.remove("production_date").unwrap_or_default(),
        expiry_date: fields.remove("expiry_date"),
        inspection_report: fields.remove("inspection_report"),
    })?;
    let file = file
        .ok_or_else(|| ApiError::invalid("required", "file", "attach the code list as `file`"))?;
    let packed = parse_packed_list(&file, MAX_LISTED_CODES).map_err(|e| {
        let mut err = ApiError::from(e.clone());
        if let ListError::BadLines { lines, .. } = e {
            err.codes = lines
                .iter()
                .map(|l| format!("line {}: {} ({})", l.line, l.text, l.error))
                .collect();
        }
        err
    })?;
    let movements = packings(&packed, fields.remove("location"), fields.remove("time"));
    // Checked before activating, so a mistyped case or location changes nothing.
    let document = (!movements.is_empty())
        .then(|| super::flow::prepare(crate::flow::Step::Pack, &movements))
        .transpose()?;
    let codes: Vec<SupervisionCode> = packed.into_iter().map(|p| p.code).collect();
    let ranges = ranges_of(space, indices(space, &codes)?)?;
    let activation = state.store.scoped(&who.0).activate(&batch, &ranges).await?;
    let packing = match document {
        Some(document) => {
            let (job, event_ids) = super::flow::capture(&state, &who.0, document).await?;
            Some(Packing {
                capture_id: job.id,
                success: job.success,
                event_ids: if job.success { event_ids } else { Vec::new() },
                errors: super::flow::job_faults(&job),
            })
        }
        None => None,
    };
    Ok((
        StatusCode::CREATED,
        AxumJson(ActivationUpload {
            activation,
            packing,
        }),
    ))
}

/// `GET /api/v1/batches`.
#[utoipa::path(get, path = "/api/v1/batches", tag = "codes", summary = "List batches",
    params(PageParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = inline(Paged<Batch>))))]
pub async fn batches(
    State(state): State<AppState>,
    who: Authed,
    Query(p): Query<PageParams>,
) -> Result<AxumJson<Paged<Batch>>, ApiError> {
    Ok(AxumJson(
        state.store.scoped(&who.0).batches(page(&p)?).await?,
    ))
}

/// `GET /api/v1/batches/{id}`.
#[utoipa::path(get, path = "/api/v1/batches/{id}", tag = "codes", summary = "Read a batch",
    params(("id" = i64, Path)), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Batch), (status = 404, response = crate::openapi::NotFound)))]
pub async fn batch(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<Batch>, ApiError> {
    Ok(AxumJson(state.store.scoped(&who.0).batch(id).await?))
}

async fn flag(
    state: AppState,
    who: Authed,
    id: i64,
    input: ReasonInput,
    flag: BatchFlag,
) -> Result<AxumJson<Batch>, ApiError> {
    let reason = required("reason", &input.reason, 500)?;
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .flag_batch(id, flag, &reason)
            .await?,
    ))
}

/// `POST /api/v1/batches/{id}/recall`.
#[utoipa::path(post, path = "/api/v1/batches/{id}/recall", tag = "codes", summary = "Flag a batch recalled",
    params(("id" = i64, Path)), security(("bearer" = []), ("session" = [])), request_body = ReasonInput,
    responses((status = 200, body = Batch), (status = 403, response = crate::openapi::Forbidden), (status = 404, response = crate::openapi::NotFound), (status = 409, description = "`batch_flagged`", body = crate::openapi::Problem, content_type = "application/problem+json")))]
pub async fn recall(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<ReasonInput>,
) -> Result<AxumJson<Batch>, ApiError> {
    flag(state, who, id, input, BatchFlag::Recalled).await
}

/// `POST /api/v1/batches/{id}/decommission`.
#[utoipa::path(post, path = "/api/v1/batches/{id}/decommission", tag = "codes", summary = "Flag a batch decommissioned",
    params(("id" = i64, Path)), security(("bearer" = []), ("session" = [])), request_body = ReasonInput,
    responses((status = 200, body = Batch), (status = 403, response = crate::openapi::Forbidden), (status = 404, response = crate::openapi::NotFound), (status = 409, description = "`batch_flagged`", body = crate::openapi::Problem, content_type = "application/problem+json")))]
pub async fn decommission(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<ReasonInput>,
) -> Result<AxumJson<Batch>, ApiError> {
    flag(state, who, id, input, BatchFlag::Decommissioned).await
}

/// The body of `POST /api/v1/terminals`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TerminalInput {
    /// The terminal's name (e.g. the till).
    name: String,
    /// The shop.
    shop: String,
    /// The shop's region.
    region: String,
}

/// A new terminal and its token (shown once).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct NewTerminal {
    /// The terminal.
    #[serde(flatten)]
    terminal: Terminal,
    /// Its bearer token: verifications sent with it carry the shop's place.
    token: String,
}

/// `POST /api/v1/terminals` → 201 with the token.
#[utoipa::path(post, path = "/api/v1/terminals", tag = "codes", summary = "Register a shop terminal",
    security(("bearer" = []), ("session" = [])), request_body = TerminalInput,
    responses((status = 201, body = NewTerminal), (status = 403, response = crate::openapi::Forbidden), (status = 422, response = crate::openapi::Unprocessable)))]
pub async fn create_terminal(
    State(state): State<AppState>,
    who: Authed,
    Json(input): Json<TerminalInput>,
) -> Result<(StatusCode, AxumJson<NewTerminal>), ApiError> {
    let name = required("name", &input.name, 100)?;
    let shop = required("shop", &input.shop, 100)?;
    let region = known_region("region", &input.region)?;
    let (terminal, token) = state
        .store
        .scoped(&who.0)
        .register_terminal(&name, &shop, region)
        .await?;
    Ok((
        StatusCode::CREATED,
        AxumJson(NewTerminal { terminal, token }),
    ))
}

/// `GET /api/v1/terminals`.
#[utoipa::path(get, path = "/api/v1/terminals", tag = "codes", summary = "List shop terminals",
    params(PageParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = inline(Paged<Terminal>))))]
pub async fn terminals(
    State(state): State<AppState>,
    who: Authed,
    Query(p): Query<PageParams>,
) -> Result<AxumJson<Paged<Terminal>>, ApiError> {
    Ok(AxumJson(
        state.store.scoped(&who.0).terminals(page(&p)?).await?,
    ))
}

/// `GET /api/v1/counterfeit-signals`.
#[utoipa::path(get, path = "/api/v1/counterfeit-signals", tag = "codes", summary = "List counterfeit signals",
    params(PageParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = inline(Paged<CounterfeitSignal>))))]
pub async fn signals(
    State(state): State<AppState>,
    who: Authed,
    Query(p): Query<PageParams>,
) -> Result<AxumJson<Paged<CounterfeitSignal>>, ApiError> {
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .counterfeit_signals(page(&p)?)
            .await?,
    ))
}

/// `GET /api/v1/codes/{code}/history`.
#[utoipa::path(get, path = "/api/v1/codes/{code}/history", tag = "codes", summary = "A code's recorded queries",
    params(("code" = String, Path), PageParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = inline(Paged<VerificationRecord>)), (status = 404, response = crate::openapi::NotFound)))]
pub async fn history(
    State(state): State<AppState>,
    who: Authed,
    Path(code): Path<String>,
    Query(p): Query<PageParams>,
) -> Result<AxumJson<Paged<VerificationRecord>>, ApiError> {
    let code = SupervisionCode::parse(&code)?;
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .code_history(&code, page(&p)?)
            .await?,
    ))
}

/// How to draw a label.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LabelParams {
    /// `svg` (default) or `png`.
    format: Option<String>,
    /// PNG only: pixels per QR module, 1–40 (default 8).
    scale: Option<u32>,
}

fn label_error(e: zhijian_label::LabelError) -> ApiError {
    ApiError::invalid("label", "code", e.to_string())
}

/// `GET /api/v1/codes/{code}/label` → one label: QR code of the verification URL, the
/// digits, and a GS1 DataMatrix when the product has a GTIN.
#[utoipa::path(get, path = "/api/v1/codes/{code}/label", tag = "codes", summary = "A printable label for one code",
    params(("code" = String, Path), LabelParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "SVG or PNG.", content_type = "image/svg+xml"), (status = 404, response = crate::openapi::NotFound), (status = 422, response = crate::openapi::Unprocessable)))]
pub async fn label(
    State(state): State<AppState>,
    who: Authed,
    Path(code): Path<String>,
    Query(p): Query<LabelParams>,
) -> Result<Response, ApiError> {
    let code = SupervisionCode::parse(&code)?;
    let (gtin, product) = state.store.scoped(&who.0).code_label(&code).await?;
    let digits = code.to_string();
    let url = verification_url(&public_base(&state), gtin.as_deref(), &digits);
    let label = zhijian_label::Label {
        code: &digits,
        url: &url,
        gtin: gtin.as_deref(),
        caption: Some(&product),
    };
    match p.format.as_deref().unwrap_or("svg") {
        "svg" => Ok((
            [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
            zhijian_label::svg(&label).map_err(label_error)?,
        )
            .into_response()),
        "png" => Ok((
            [(header::CONTENT_TYPE, "image/png")],
            zhijian_label::png(&label, p.scale.unwrap_or(8)).map_err(label_error)?,
        )
            .into_response()),
        other => Err(ApiError::invalid(
            "format",
            "format",
            format!("format must be svg or png, not {other}"),
        )),
    }
}

/// Which labels of a print job to lay out.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SheetParams {
    /// Page of labels, from 1.
    page: Option<u32>,
    /// Labels per page, 1–1000 (default 210: ten A4 sheets).
    per_page: Option<u32>,
}

/// `GET /api/v1/print-jobs/{id}/sheet` → a print-ready HTML page of labels.
#[utoipa::path(get, path = "/api/v1/print-jobs/{id}/sheet", tag = "codes", summary = "Print-ready label sheets",
    params(("id" = i64, Path), SheetParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "An HTML page of labels laid out for A4.", content_type = "text/html"), (status = 403, response = crate::openapi::Forbidden), (status = 404, response = crate::openapi::NotFound)))]
pub async fn sheet(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Query(p): Query<SheetParams>,
) -> Result<Response, ApiError> {
    let scoped = state.store.scoped(&who.0);
    let job = scoped.print_job(id).await?;
    let plan = scoped.download_codes(job.segment_id, Some(id)).await?;
    let title = |product: &str, page: u32| format!("印刷任务 {id} · {product} · 第 {page} 页");
    labels_sheet(&state, &plan, &p, title)
}

/// The body of `POST /api/v1/segments/{id}/own-print`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnPrintInput {
    /// How many labels (1–1000), the next ones not yet printed.
    pub quantity: i64,
}

/// `POST /api/v1/segments/{id}/own-print` → 201: the enterprise prints labels itself.
#[utoipa::path(post, path = "/api/v1/segments/{id}/own-print", tag = "codes", summary = "Print one's own labels on an office printer",
    description = "The owning enterprise takes the next `quantity` (1–1000) codes of its segment to print itself: recorded as a print job done by the enterprise and confirmed at once, so the labels can be activated. Its A4 sheet is `GET /api/v1/print-jobs/{job}/sheet`. Larger runs go to a filed printer.",
    params(("id" = i64, Path), crate::openapi::CsrfHeader), security(("bearer" = []), ("session" = [])),
    request_body = OwnPrintInput,
    responses((status = 201, body = PrintJob), (status = 403, response = crate::openapi::Forbidden), (status = 404, response = crate::openapi::NotFound), (status = 409, description = "`print_job_overlap`", body = crate::openapi::Problem, content_type = "application/problem+json"), (status = 422, response = crate::openapi::Unprocessable)))]
pub async fn own_print(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<OwnPrintInput>,
) -> Result<(StatusCode, AxumJson<PrintJob>), ApiError> {
    let job = state
        .store
        .scoped(&who.0)
        .print_own_labels(id, input.quantity)
        .await?;
    Ok((StatusCode::CREATED, AxumJson(job)))
}

/// Lays out one page of a download plan's labels on A4.
fn labels_sheet(
    state: &AppState,
    plan: &zhijian_store::codes::Download,
    p: &SheetParams,
    title: impl Fn(&str, u32) -> String,
) -> Result<Response, ApiError> {
    let page = Page::new(p.page, Some(p.per_page.unwrap_or(210)))
        .map_err(|e| ApiError::invalid("page", "page", e.to_string()))?;
    let space = state.store.code_space()?;
    let base = public_base(state);
    let range = plan
        .ranges
        .first()
        .copied()
        .ok_or_else(ApiError::not_found)?;
    let skip = page.offset() as u64;
    let count = (page.limit() as u64).min(range.count.saturating_sub(skip));
    let codes: Vec<String> = (0..count)
        .filter_map(|i| space.encode(range.first + skip + i).ok())
        .map(|c| c.to_string())
        .collect();
    let urls: Vec<String> = codes
        .iter()
        .map(|c| verification_url(&base, plan.gtin.as_deref(), c))
        .collect();
    let labels: Vec<zhijian_label::Label> = codes
        .iter()
        .zip(&urls)
        .map(|(c, u)| zhijian_label::Label {
            code: c,
            url: u,
            gtin: plan.gtin.as_deref(),
            caption: Some(&plan.product_name),
        })
        .collect();
    let html = zhijian_label::sheet_html(&labels, &title(&plan.product_name, page.page))
        .map_err(label_error)?;
    Ok(axum::response::Html(html).into_response())
}
