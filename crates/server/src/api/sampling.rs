//! Supervision sampling: plans and their double-random draws.

use axum::Json as AxumJson;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use zhijian_core::page::{Page, Paged};
use zhijian_core::plan_terms::Terms;
use zhijian_core::rectification::Step;
use zhijian_core::sample_result::ObjectionRules;
use zhijian_core::sampling::{PlanLevel, Quota};
use zhijian_core::test_report::Outcome;
use zhijian_core::test_report::Report;
use zhijian_store::objections::SampleResult;
use zhijian_store::rectifications::Rectification;
use zhijian_store::samples::{CheckedCode, FiledReport, NewSample, Sample, Stage};
use zhijian_store::sampling::{Draw, DrawRules, NewPlan, Plan};
use zhijian_store::verify::{Channel, Query as VerifyQuery};

use super::verify::{Typed, read_code, today};

use super::enterprises::known_region;
use super::extract::Json;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::state::AppState;

/// The body of `POST /api/v1/sampling/plans`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    /// Its name (1–100 characters).
    name: String,
    /// The year it covers.
    year: i32,
    /// `national`, `province`, `city` or `county`: the level of `region`.
    level: PlanLevel,
    /// The organising bureau's region.
    #[schema(pattern = "^[0-9]{6}$", examples("130000"))]
    region: String,
    /// What to sample: a category, a region inside the plan's, and how many batches.
    quotas: Vec<Quota>,
    /// The total batches; when given, the quotas must add up to it.
    batches: Option<u32>,
    /// The budget in yuan.
    budget: Option<i64>,
    /// First day of sampling (within the year).
    #[schema(value_type = Option<String>, format = Date)]
    starts_on: Option<jiff::civil::Date>,
    /// Last day of sampling (within the year, not before the first).
    #[schema(value_type = Option<String>, format = Date)]
    ends_on: Option<jiff::civil::Date>,
}

/// The body of `POST /api/v1/sampling/plans/{id}/draw`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawInput {
    /// The published seed (1–200 characters), e.g. the closing figures of a lottery
    /// drawn in public.
    seed: String,
    /// Inspectors per task, 2–5 (default 2).
    inspectors_per_task: Option<usize>,
    /// Usernames that declared a conflict of interest.
    #[serde(default)]
    exclude_inspectors: Vec<String>,
}

/// Filters of `GET /api/v1/sampling/plans`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PlanFilter {
    /// Only this year.
    year: Option<i32>,
    /// Page number, from 1.
    page: Option<u32>,
    /// Items per page, 1–1000.
    per_page: Option<u32>,
}

/// `POST /api/v1/sampling/plans` → 201.
#[utoipa::path(post, path = "/api/v1/sampling/plans", operation_id = "create_plan", tag = "sampling",
    summary = "Make a sampling plan",
    description = "Officers of the plan's region and admins. The level must be the region's (a province plan is organised from `xx0000`); every quota's region lies inside the plan's; when `batches` is given the quotas add up to it (`quotas_total`). The plan starts as a `draft`: it may be drawn at once, but samples are only taken once another officer has approved it and it is published.",
    security(("bearer" = []), ("session" = [])), params(crate::openapi::CsrfHeader),
    request_body = PlanInput,
    responses(
        (status = 201, description = "The plan.", body = Plan),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn create_plan(
    State(state): State<AppState>,
    who: Authed,
    Json(input): Json<PlanInput>,
) -> Result<(StatusCode, AxumJson<Plan>), ApiError> {
    let new = NewPlan {
        name: input.name,
        year: input.year,
        level: input.level,
        region: known_region("region", &input.region)?,
        quotas: input.quotas,
        terms: Terms {
            batches: input.batches,
            budget: input.budget,
            starts_on: input.starts_on,
            ends_on: input.ends_on,
        },
    };
    Ok((
        StatusCode::CREATED,
        AxumJson(state.store.scoped(&who.0).create_plan(&new).await?),
    ))
}

/// `GET /api/v1/sampling/plans`.
#[utoipa::path(get, path = "/api/v1/sampling/plans", operation_id = "list_plans", tag = "sampling",
    summary = "List sampling plans",
    description = "Bureaus see the plans of their subtree and those of the levels above them; nobody else sees plans (whom a plan inspects is not told in advance).",
    security(("bearer" = []), ("session" = [])), params(PlanFilter),
    responses(
        (status = 200, body = inline(Paged<Plan>)),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn list_plans(
    State(state): State<AppState>,
    who: Authed,
    Query(f): Query<PlanFilter>,
) -> Result<AxumJson<Paged<Plan>>, ApiError> {
    let page = Page::new(f.page, f.per_page)
        .map_err(|e| ApiError::invalid("page", "page", e.to_string()))?;
    Ok(AxumJson(
        state.store.scoped(&who.0).plans(f.year, page).await?,
    ))
}

/// `GET /api/v1/sampling/plans/{id}`.
#[utoipa::path(get, path = "/api/v1/sampling/plans/{id}", operation_id = "get_plan", tag = "sampling",
    summary = "Read a sampling plan", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = Plan),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn get_plan(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<Plan>, ApiError> {
    Ok(AxumJson(state.store.scoped(&who.0).plan(id).await?))
}

/// `POST /api/v1/sampling/plans/{id}/draw` → the draw.
#[utoipa::path(post, path = "/api/v1/sampling/plans/{id}/draw", operation_id = "draw_plan", tag = "sampling",
    summary = "Draw the enterprises and inspectors of a plan (双随机)",
    description = "Each candidate's lot is SHA-256(seed ‖ 0x1F ‖ scope ‖ 0x1F ‖ credit code or username), weighted draws keep the largest lot^(1/weight); scope is `quota:N` for enterprises and `task:N:USCC` for inspectors. Enterprises: active, in the quota's region, with a product of its category, not sampled by a higher-level plan in the year before the draw; weight 2 with a final sampling failure in the two years before it, else 1. Inspectors: officers of the bureaus in the plan's region, none from the enterprise's own county bureau (本地回避), none excluded. The first draw is recorded and audited; the same seed again answers the same (409 `draw_changed` if the archive changed since); another seed: 409 `plan_drawn`.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    request_body = DrawInput,
    responses(
        (status = 200, description = "The draw.", body = Draw),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`plan_drawn` or `draw_changed`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn draw_plan(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<DrawInput>,
) -> Result<AxumJson<Draw>, ApiError> {
    let rules = DrawRules {
        inspectors_per_task: input.inspectors_per_task.unwrap_or(2),
        exclude: input.exclude_inspectors,
        grade_weights: state
            .grading
            .current(&state.store)
            .await?
            .rules
            .draw_weights(),
    };
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .draw_plan(id, &input.seed, &rules)
            .await?,
    ))
}

/// `GET /api/v1/sampling/plans/{id}/draw` → the recorded draw.
#[utoipa::path(get, path = "/api/v1/sampling/plans/{id}/draw", operation_id = "get_draw", tag = "sampling",
    summary = "Read a plan's recorded draw", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = Draw),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, description = "No such plan, or not drawn yet.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn get_draw(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<Draw>, ApiError> {
    state
        .store
        .scoped(&who.0)
        .plan_draw(id)
        .await?
        .map(AxumJson)
        .ok_or_else(|| ApiError::from(zhijian_store::StoreError::NotFound { entity: "draw" }))
}

/// The body of `POST /api/v1/sampling/tasks/{id}/sample`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SampleInput {
    /// `production`, `distribution` or `online`.
    stage: Stage,
    /// One of the enterprise's products.
    product_id: Option<i64>,
    /// The product as labelled, when it is none of the enterprise's registered ones.
    product_name: Option<String>,
    /// Batch or lot number.
    lot: String,
    /// Production date on the label, `YYYY-MM-DD`.
    #[schema(format = Date)]
    production_date: Option<String>,
    /// Units taken (1–10 000).
    quantity: i64,
    /// Units of them retained for a re-test (备样).
    retained: i64,
    /// Where: address, shop, or web address.
    place: String,
    /// When (RFC 3339; default now).
    #[schema(format = DateTime)]
    taken_at: Option<String>,
    /// The sampled units' supervision codes (at most 100): each is verified now, on the
    /// officer channel at the enterprise's region, and its verdict kept with the sample.
    #[serde(default)]
    codes: Vec<String>,
}

/// `POST /api/v1/sampling/tasks/{id}/sample` → 201.
#[utoipa::path(post, path = "/api/v1/sampling/tasks/{id}/sample", operation_id = "record_sample", tag = "sampling",
    summary = "Record the sample of a drawn task (抽样)",
    description = "One of the task's drawn inspectors (or an admin), once per task. The codes are checked for form first (nothing is verified if one is malformed), then verified.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    request_body = SampleInput,
    responses(
        (status = 201, description = "The sample, with each code's verdict.", body = Sample),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`sample_taken`: the task has its sample.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn record_sample(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<SampleInput>,
) -> Result<(StatusCode, AxumJson<Sample>), ApiError> {
    let scoped = state.store.scoped(&who.0);
    let taken_at = input
        .taken_at
        .as_deref()
        .map(|t| {
            t.trim()
                .parse::<jiff::Timestamp>()
                .map(|t| t.as_millisecond())
                .map_err(|_| {
                    ApiError::invalid(
                        "date_format",
                        "taken_at",
                        "taken_at must be an RFC 3339 time",
                    )
                })
        })
        .transpose()?;
    let production_date = input
        .production_date
        .as_deref()
        .map(|d| super::extract::date("production_date", d))
        .transpose()?;
    let new = NewSample {
        stage: input.stage,
        product_id: input.product_id,
        product_name: input.product_name,
        lot: input.lot,
        production_date,
        quantity: input.quantity,
        retained: input.retained,
        place: input.place,
        taken_at,
        codes: Vec::new(),
    };
    Ok((
        StatusCode::CREATED,
        AxumJson(take_sample(&state, &scoped, id, new, &input.codes).await?),
    ))
}

/// Records a task's sample with its units' codes verified on the spot (shared by the
/// API and the console's sampling form). Everything is checked before a single code is
/// verified, since a verification is a recorded query.
pub(crate) async fn take_sample(
    state: &AppState,
    scoped: &zhijian_store::Scoped<'_>,
    task_id: i64,
    mut new: NewSample,
    codes: &[String],
) -> Result<Sample, ApiError> {
    if codes.len() > 100 {
        return Err(ApiError::invalid(
            "codes",
            "codes",
            "at most 100 codes per sample",
        ));
    }
    let region = scoped.may_sample(task_id, &new).await?;
    let typed = codes
        .iter()
        .map(|c| read_code(state, c))
        .collect::<Result<Vec<_>, _>>()?;
    let query = VerifyQuery {
        channel: Channel::Officer,
        region: Some(region),
        terminal: None,
    };
    for (raw, t) in codes.iter().zip(typed) {
        let found = match t {
            Typed::Code(c) => state.verifier.verify(&c, &query, today()).await?,
            Typed::Mistyped(m) => state.verifier.mistyped(&m, &query).await?,
        };
        new.codes.push(CheckedCode {
            code: found.code.unwrap_or_else(|| raw.trim().to_owned()),
            verdict: found.verdict,
        });
    }
    Ok(scoped.record_sample(task_id, &new).await?)
}

/// `GET /api/v1/sampling/samples/{id}`.
#[utoipa::path(get, path = "/api/v1/sampling/samples/{id}", operation_id = "get_sample", tag = "sampling",
    summary = "Read a sample", description = "The bureaus that see its plan, and the sampled enterprise.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path)),
    responses(
        (status = 200, body = Sample),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn get_sample(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<Sample>, ApiError> {
    Ok(AxumJson(state.store.scoped(&who.0).sample(id).await?))
}

/// `POST /api/v1/sampling/samples/{id}/confirm`.
#[utoipa::path(post, path = "/api/v1/sampling/samples/{id}/confirm", operation_id = "confirm_sample", tag = "sampling",
    summary = "Confirm the sampling form (the sampled enterprise)",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    responses(
        (status = 200, body = Sample),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`sample_confirmed`: already confirmed.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn confirm_sample(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<Sample>, ApiError> {
    Ok(AxumJson(
        state.store.scoped(&who.0).confirm_sample(id).await?,
    ))
}

/// Paging of `GET /api/v1/sampling/lab-samples`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LabPage {
    /// Page number, from 1.
    page: Option<u32>,
    /// Items per page, 1–1000.
    per_page: Option<u32>,
}

/// `GET /api/v1/sampling/lab-samples`.
#[utoipa::path(get, path = "/api/v1/sampling/lab-samples", operation_id = "lab_samples", tag = "sampling",
    summary = "The samples a lab is to test",
    description = "A lab's users see the samples of the quotas assigned to their lab, newest first; everyone else gets an empty list.",
    security(("bearer" = []), ("session" = [])), params(LabPage),
    responses(
        (status = 200, body = inline(Paged<Sample>)),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn lab_samples(
    State(state): State<AppState>,
    who: Authed,
    Query(p): Query<LabPage>,
) -> Result<AxumJson<Paged<Sample>>, ApiError> {
    let page = Page::new(p.page, p.per_page)
        .map_err(|e| ApiError::invalid("page", "page", e.to_string()))?;
    Ok(AxumJson(
        state.store.scoped(&who.0).lab_samples(page).await?,
    ))
}

/// `POST /api/v1/sampling/samples/{id}/report` → 201.
#[utoipa::path(post, path = "/api/v1/sampling/samples/{id}/report", operation_id = "file_report", tag = "sampling",
    summary = "File a sample's test report (the lab of its quota)",
    description = "Items with requirement, measured value, unit, method and verdict; the conclusion must be `fail` when an item fails and `pass` when none does. The answer carries the signature: hex SHA-256 of the canonical text (number, issue date, conclusion, then one line per item: name, requirement, value, unit, method, verdict; fields separated by U+001F, lines ended by LF).",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    request_body = Report,
    responses(
        (status = 201, body = FiledReport),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`report_filed` or `report_number_taken`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn file_report(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<Report>,
) -> Result<(StatusCode, AxumJson<FiledReport>), ApiError> {
    let filed = state.store.scoped(&who.0).file_report(id, &input).await?;
    // A failed re-test is final at once.
    super::risk::sweep(&state).await;
    Ok((StatusCode::CREATED, AxumJson(filed)))
}

/// `GET /api/v1/sampling/samples/{id}/report`.
#[utoipa::path(get, path = "/api/v1/sampling/samples/{id}/report", operation_id = "get_report", tag = "sampling",
    summary = "Read a sample's test report", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = FiledReport),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, description = "No such sample, or no report yet.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn get_report(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<FiledReport>, ApiError> {
    state
        .store
        .scoped(&who.0)
        .report(id)
        .await?
        .map(AxumJson)
        .ok_or_else(|| ApiError::from(zhijian_store::StoreError::NotFound { entity: "report" }))
}

pub(crate) fn objection_rules(state: &AppState) -> ObjectionRules {
    ObjectionRules {
        days: state.config.objection_days,
        food_working_days: state.config.food_objection_working_days,
    }
}

/// `GET /api/v1/sampling/samples/{id}/result`.
#[utoipa::path(get, path = "/api/v1/sampling/samples/{id}/result", operation_id = "sample_result", tag = "sampling",
    summary = "Where a sample's result stands",
    description = "A pass is final when reported. A failure is preliminary until the objection window (`objection_days` calendar days, `food_objection_working_days` working days for food categories, counted from the day the report was filed) closes without an objection, or the objection is rejected, or the re-test of an accepted objection is reported.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path)),
    responses(
        (status = 200, body = SampleResult),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn sample_result(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<SampleResult>, ApiError> {
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .sample_result(id, objection_rules(&state), &state.config.calendar())
            .await?,
    ))
}

/// The body of `POST /api/v1/sampling/samples/{id}/objection`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionInput {
    /// Why (1–2 000 characters).
    reason: String,
}

/// `POST /api/v1/sampling/samples/{id}/objection` → 201.
#[utoipa::path(post, path = "/api/v1/sampling/samples/{id}/objection", operation_id = "object", tag = "sampling",
    summary = "Object to a failed result (the sampled enterprise, within the window)",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    request_body = ObjectionInput,
    responses(
        (status = 201, body = SampleResult),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`objection_filed`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`objection_not_failed`, `objection_late`, `reason`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn object(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<ObjectionInput>,
) -> Result<(StatusCode, AxumJson<SampleResult>), ApiError> {
    Ok((
        StatusCode::CREATED,
        AxumJson(
            state
                .store
                .scoped(&who.0)
                .object(
                    id,
                    &input.reason,
                    objection_rules(&state),
                    &state.config.calendar(),
                )
                .await?,
        ),
    ))
}

/// The body of `POST /api/v1/sampling/samples/{id}/objection/decide`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// Accept (re-test) or reject (the first result stands).
    accept: bool,
    /// Why (1–2 000 characters).
    reason: String,
    /// When accepting: the credit code of the lab that re-tests the retained sample
    /// (not the one that failed it).
    retest_lab: Option<String>,
}

/// `POST /api/v1/sampling/samples/{id}/objection/decide`.
#[utoipa::path(post, path = "/api/v1/sampling/samples/{id}/objection/decide", operation_id = "decide_objection", tag = "sampling",
    summary = "Accept or reject an objection (officers of the plan's region)",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    request_body = DecisionInput,
    responses(
        (status = 200, body = SampleResult),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`objection_decided`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn decide_objection(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<DecisionInput>,
) -> Result<AxumJson<SampleResult>, ApiError> {
    let decided = state
        .store
        .scoped(&who.0)
        .decide_objection(
            id,
            input.accept,
            &input.reason,
            input.retest_lab.as_deref(),
            objection_rules(&state),
            &state.config.calendar(),
        )
        .await?;
    // A rejected objection makes the failure final at once.
    super::risk::sweep(&state).await;
    Ok(AxumJson(decided))
}

/// The body of `POST /api/v1/sampling/samples/{id}/rectification`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    /// What the enterprise must do (1–2 000 characters).
    requirements: String,
    /// By when, `YYYY-MM-DD` (after today).
    #[schema(format = Date)]
    deadline: String,
}

/// The body of `POST …/rectification/report`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasuresInput {
    /// What the enterprise did (1–4 000 characters).
    measures: String,
}

/// The body of `POST …/rectification/follow-up`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpInput {
    /// The follow-up check's outcome.
    outcome: Outcome,
    /// What was checked (e.g. the follow-up sample's report number).
    note: String,
}

/// The body of `POST …/rectification/escalate`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalateInput {
    /// `public_announcement`, `suspension` or `licence_revocation` (only upwards).
    step: Step,
    /// Why.
    reason: String,
    /// The enterprise's licence to suspend or revoke.
    licence_id: Option<i64>,
}

/// `GET /api/v1/sampling/samples/{id}/rectification`.
#[utoipa::path(get, path = "/api/v1/sampling/samples/{id}/rectification", operation_id = "get_rectification", tag = "sampling",
    summary = "A failed sample's rectification", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = Rectification),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, description = "No such sample, or no rectification ordered.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn get_rectification(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<Rectification>, ApiError> {
    state
        .store
        .scoped(&who.0)
        .rectification(id)
        .await?
        .map(AxumJson)
        .ok_or_else(|| {
            ApiError::from(zhijian_store::StoreError::NotFound {
                entity: "rectification",
            })
        })
}

/// `POST /api/v1/sampling/samples/{id}/rectification` → 201.
#[utoipa::path(post, path = "/api/v1/sampling/samples/{id}/rectification", operation_id = "order_rectification", tag = "sampling",
    summary = "Order rectification of a final failure (officers of the enterprise's region)",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    request_body = OrderInput,
    responses(
        (status = 201, body = Rectification),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`rectification_ordered`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`not_final_failure`, `deadline`, `text`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn order_rectification(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<OrderInput>,
) -> Result<(StatusCode, AxumJson<Rectification>), ApiError> {
    let deadline = super::extract::date("deadline", &input.deadline)?;
    Ok((
        StatusCode::CREATED,
        AxumJson(
            state
                .store
                .scoped(&who.0)
                .order_rectification(
                    id,
                    &input.requirements,
                    deadline,
                    objection_rules(&state),
                    &state.config.calendar(),
                )
                .await?,
        ),
    ))
}

/// `POST /api/v1/sampling/samples/{id}/rectification/report`.
#[utoipa::path(post, path = "/api/v1/sampling/samples/{id}/rectification/report", operation_id = "report_rectification", tag = "sampling",
    summary = "Report the measures taken (the enterprise)", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path), crate::openapi::CsrfHeader), request_body = MeasuresInput,
    responses(
        (status = 200, body = Rectification),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`rectification_reported`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn report_rectification(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<MeasuresInput>,
) -> Result<AxumJson<Rectification>, ApiError> {
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .report_rectification(id, &input.measures)
            .await?,
    ))
}

/// `POST /api/v1/sampling/samples/{id}/rectification/follow-up`.
#[utoipa::path(post, path = "/api/v1/sampling/samples/{id}/rectification/follow-up", operation_id = "follow_up_rectification", tag = "sampling",
    summary = "Record the follow-up check (officers)", description = "Once the enterprise reported its measures, or its deadline passed.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader), request_body = FollowUpInput,
    responses(
        (status = 200, body = Rectification),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`follow_up_recorded`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`follow_up_early`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn follow_up_rectification(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<FollowUpInput>,
) -> Result<AxumJson<Rectification>, ApiError> {
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .follow_up_rectification(id, input.outcome, &input.note)
            .await?,
    ))
}

/// `POST /api/v1/sampling/samples/{id}/rectification/escalate`.
#[utoipa::path(post, path = "/api/v1/sampling/samples/{id}/rectification/escalate", operation_id = "escalate_rectification", tag = "sampling",
    summary = "Take a step up the escalation ladder (officers)",
    description = "order to correct → public announcement → suspension → licence revocation, only upwards; suspension and revocation act on the named licence of the enterprise in the same transaction (its lifecycle rules apply).",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader), request_body = EscalateInput,
    responses(
        (status = 200, body = Rectification),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, description = "`step_order`, `licence_required`, `licence_unknown`, or the licence transition's refusal.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn escalate_rectification(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<EscalateInput>,
) -> Result<AxumJson<Rectification>, ApiError> {
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .escalate_rectification(id, input.step, &input.reason, input.licence_id)
            .await?,
    ))
}

/// Format of `GET /api/v1/sampling/report-template`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TemplateQuery {
    /// `xlsx` (default) or `csv`.
    format: Option<String>,
}

/// `GET /api/v1/sampling/report-template`.
#[utoipa::path(get, path = "/api/v1/sampling/report-template", operation_id = "report_template", tag = "sampling",
    summary = "The spreadsheet template labs fill in with a report's items",
    description = "Columns 检验项目, 标准要求, 实测值, 单位, 检验方法, 单项判定 (合格/不合格); one example row.",
    security(("bearer" = []), ("session" = [])), params(TemplateQuery),
    responses(
        (status = 200, description = "The template.", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
    ))]
pub async fn report_template(
    _who: Authed,
    Query(q): Query<TemplateQuery>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let (body, content_type, name) = match q.format.as_deref().map(str::trim) {
        None | Some("xlsx") => (
            crate::report_upload::template_xlsx().map_err(|e| ApiError::internal(&e))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "report-items.xlsx",
        ),
        Some("csv") => (
            crate::report_upload::template_csv(),
            "text/csv; charset=utf-8",
            "report-items.csv",
        ),
        Some(_) => {
            return Err(ApiError::invalid(
                "invalid_query",
                "format",
                "format is xlsx or csv",
            ));
        }
    };
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_owned()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// `POST /api/v1/sampling/samples/{id}/report/upload` → 201.
#[utoipa::path(post, path = "/api/v1/sampling/samples/{id}/report/upload", operation_id = "upload_report", tag = "sampling",
    summary = "File a sample's report from a filled template (the lab)",
    description = "multipart/form-data: `number`, `issued_on` (YYYY-MM-DD), `conclusion` (合格/不合格 or pass/fail) and `file`, the filled template (xlsx or CSV). Bad rows are named (`report_upload`) and nothing is filed.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    request_body(content_type = "multipart/form-data", description = "number, issued_on, conclusion, file"),
    responses(
        (status = 201, body = FiledReport),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`report_filed` or `report_number_taken`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn upload_report(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    form: super::extract::Multipart,
) -> Result<(StatusCode, AxumJson<FiledReport>), ApiError> {
    let (fields, file) = form.fields_and_file().await?;
    let field = |name: &str| {
        fields
            .get(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let conclusion = crate::report_upload::outcome(&field("conclusion")).ok_or_else(|| {
        ApiError::invalid(
            "report_conclusion",
            "conclusion",
            "conclusion is 合格 or 不合格 (pass or fail)",
        )
    })?;
    let issued_on = super::extract::date("issued_on", &field("issued_on"))?;
    let file = file.ok_or_else(|| {
        ApiError::invalid("required", "file", "attach the filled template as `file`")
    })?;
    let items = crate::report_upload::parse(&file)
        .map_err(|e| ApiError::invalid("report_upload", "file", e.to_string()))?;
    let report = Report {
        number: field("number"),
        issued_on,
        conclusion,
        items,
    };
    let filed = state.store.scoped(&who.0).file_report(id, &report).await?;
    super::risk::sweep(&state).await;
    Ok((StatusCode::CREATED, AxumJson(filed)))
}
