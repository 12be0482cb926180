//! Credit grades: an enterprise's grade with its reasons, its commitments, the grade
//! distribution, the supervision calendar, and the rule set.

use axum::Json as AxumJson;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use zhijian_core::access::Role;
use zhijian_core::grading::{CommitmentKind, Grade, Supervision};
use zhijian_core::page::{Page, Paged};
use zhijian_store::grading::{
    Cause, Commitment, Distribution, DueInspection, GradeView, NewCommitment, RuleSet,
};

use super::enterprises::known_region;
use super::extract::Json;
use crate::api::verify::today;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::grading::{grade_for, regrade_all};
use crate::state::AppState;

/// A grade with its reasons and the supervision it brings.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GradeAnswer {
    /// The grade, its score, factors and history.
    #[serde(flatten)]
    pub grade: GradeView,
    /// Classified supervision for this grade.
    pub supervision: Supervision,
}

/// `GET /api/v1/enterprises/{uscc}/grade`.
#[utoipa::path(get, path = "/api/v1/enterprises/{uscc}/grade", operation_id = "enterprise_grade", tag = "grading",
    summary = "An enterprise's credit grade and why",
    description = "The grade (`AA`, `A`, `B`, `C`, `D`), the score (0–1000) and every factor: its `name`, its `contribution` in points and its `source` record (`sample:12`, `licence:SC…`, `rectification:12`, `signal:7`, `commitment:3`; caps from hard rules have `cap:` names and contribute 0). Recomputed from the record as it stands. With the change history and the grade's classified supervision. Anyone who may read the archive: bureaus in their region, the enterprise itself.",
    security(("bearer" = []), ("session" = [])), params(("uscc" = String, Path)),
    responses(
        (status = 200, body = GradeAnswer),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn grade(
    State(state): State<AppState>,
    who: Authed,
    Path(uscc): Path<String>,
) -> Result<AxumJson<GradeAnswer>, ApiError> {
    let (grade, active) = grade_for(&state, &who.0, uscc.trim()).await?;
    let supervision = active.rules.supervision(grade.grade).clone();
    Ok(AxumJson(GradeAnswer { grade, supervision }))
}

/// A commitment or certification to publish.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentInput {
    /// `commitment` or `certification`.
    pub kind: CommitmentKind,
    /// Title, 1–200 characters.
    pub title: String,
    /// Text (the commitment, or the certificate's particulars).
    #[serde(default)]
    pub body: String,
    /// Last valid day (`YYYY-MM-DD`), for certifications.
    pub valid_until: Option<String>,
}

/// `GET /api/v1/enterprises/{uscc}/commitments`.
#[utoipa::path(get, path = "/api/v1/enterprises/{uscc}/commitments", operation_id = "list_commitments", tag = "grading",
    summary = "An enterprise's commitments and certifications",
    description = "Newest first, withdrawn ones included (with `withdrawn_at`).",
    security(("bearer" = []), ("session" = [])), params(("uscc" = String, Path)),
    responses(
        (status = 200, body = Vec<Commitment>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn commitments(
    State(state): State<AppState>,
    who: Authed,
    Path(uscc): Path<String>,
) -> Result<AxumJson<Vec<Commitment>>, ApiError> {
    Ok(AxumJson(
        state.store.scoped(&who.0).commitments(uscc.trim()).await?,
    ))
}

/// Reads a commitment input.
pub fn parse_commitment(input: CommitmentInput) -> Result<NewCommitment, ApiError> {
    let valid_until = match input.valid_until.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(d) => Some(d.parse().map_err(|_| {
            ApiError::invalid(
                "date",
                "valid_until",
                "valid_until must be a date YYYY-MM-DD",
            )
        })?),
    };
    Ok(NewCommitment {
        kind: input.kind,
        title: input.title,
        body: input.body,
        valid_until,
    })
}

/// `POST /api/v1/enterprises/{uscc}/commitments`.
#[utoipa::path(post, path = "/api/v1/enterprises/{uscc}/commitments", operation_id = "publish_commitment", tag = "grading",
    summary = "Publish a quality commitment or certification",
    description = "The enterprise itself, or an officer of its region. It counts in the grade at once.",
    security(("bearer" = []), ("session" = [])), params(("uscc" = String, Path), crate::openapi::CsrfHeader),
    request_body = CommitmentInput,
    responses(
        (status = 201, body = Commitment),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn publish_commitment(
    State(state): State<AppState>,
    who: Authed,
    Path(uscc): Path<String>,
    Json(input): Json<CommitmentInput>,
) -> Result<(StatusCode, AxumJson<Commitment>), ApiError> {
    let new = parse_commitment(input)?;
    let c = state
        .store
        .scoped(&who.0)
        .add_commitment(uscc.trim(), &new)
        .await?;
    Ok((StatusCode::CREATED, AxumJson(c)))
}

/// `POST /api/v1/enterprises/{uscc}/commitments/{id}/withdraw`.
#[utoipa::path(post, path = "/api/v1/enterprises/{uscc}/commitments/{id}/withdraw", operation_id = "withdraw_commitment", tag = "grading",
    summary = "Withdraw a commitment or certification",
    description = "It stops counting in the grade at once.",
    security(("bearer" = []), ("session" = [])), params(("uscc" = String, Path), ("id" = i64, Path), crate::openapi::CsrfHeader),
    responses(
        (status = 204, description = "Withdrawn."),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn withdraw_commitment(
    State(state): State<AppState>,
    who: Authed,
    Path((uscc, id)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .scoped(&who.0)
        .withdraw_commitment(uscc.trim(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Filters of the grade distribution.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DistributionFilter {
    /// Region subtree (default: the caller's whole scope).
    pub region: Option<String>,
    /// Only enterprises making products of this category.
    pub category: Option<String>,
}

/// `GET /api/v1/grades/distribution`.
#[utoipa::path(get, path = "/api/v1/grades/distribution", operation_id = "grade_distribution", tag = "grading",
    summary = "How many enterprises hold each grade",
    description = "In the region and per child region (cities of a province, counties of a city), among the enterprises the caller may read.",
    security(("bearer" = []), ("session" = [])), params(DistributionFilter),
    responses(
        (status = 200, body = Distribution),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn distribution(
    State(state): State<AppState>,
    who: Authed,
    Query(f): Query<DistributionFilter>,
) -> Result<AxumJson<Distribution>, ApiError> {
    let region = match f.region.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(r) => Some(known_region("region", r)?),
    };
    let category = match f.category.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) if zhijian_core::catalogue::category(c).is_some() => Some(c),
        Some(c) => {
            return Err(ApiError::invalid(
                "category",
                "category",
                format!("unknown category {c}"),
            ));
        }
    };
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .grade_distribution(region, category)
            .await?,
    ))
}

/// Filters of the supervision calendar.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DueFilter {
    /// Due within this many days from today (0–366, default 30).
    pub within_days: Option<u16>,
    /// Only this grade.
    pub grade: Option<Grade>,
    /// Page number, from 1.
    pub page: Option<u32>,
    /// Items per page, 1–1000.
    pub per_page: Option<u32>,
}

/// `GET /api/v1/supervision/due`.
#[utoipa::path(get, path = "/api/v1/supervision/due", operation_id = "supervision_due", tag = "grading",
    summary = "The supervision calendar: who is due for inspection",
    description = "Enterprises whose next routine inspection (the last inspection record or sample plus the interval of their grade's classified supervision) falls within `within_days` of today; never-inspected enterprises first (`due_on` empty), then most overdue.",
    security(("bearer" = []), ("session" = [])), params(DueFilter),
    responses(
        (status = 200, body = inline(Paged<DueInspection>)),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn due(
    State(state): State<AppState>,
    who: Authed,
    Query(f): Query<DueFilter>,
) -> Result<AxumJson<Paged<DueInspection>>, ApiError> {
    let page = Page::new(f.page, f.per_page)
        .map_err(|e| ApiError::invalid("page", "page", e.to_string()))?;
    let within = f.within_days.unwrap_or(30);
    if within > 366 {
        return Err(ApiError::invalid(
            "within_days",
            "within_days",
            "within_days may be at most 366",
        ));
    }
    let until = today()
        .checked_add(jiff::Span::new().days(i64::from(within)))
        .map_err(|e| ApiError::invalid("within_days", "within_days", e.to_string()))?;
    let active = state.grading.current(&state.store).await?;
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .supervision_due(&active.rules, until, f.grade, page)
            .await?,
    ))
}

/// `GET /api/v1/grading/rules`.
#[utoipa::path(get, path = "/api/v1/grading/rules", operation_id = "grading_rules", tag = "grading",
    summary = "The grading rule set in force",
    description = "Its TOML text and version (0: the built-in default, documented in docs/grading.md).",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = RuleSet),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn rules(
    State(state): State<AppState>,
    _who: Authed,
) -> Result<AxumJson<RuleSet>, ApiError> {
    Ok(AxumJson(state.store.grading_rules().await?))
}

/// The outcome of setting rules or regrading.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Regraded {
    /// The rule-set version in force.
    pub version: i64,
    /// Grades that changed.
    pub regraded: usize,
    /// How long regrading took, in milliseconds.
    pub millis: u64,
}

/// Sets a new rule set and regrades everyone under it.
pub async fn put_rules(state: &AppState, who: &Authed, body: &str) -> Result<Regraded, ApiError> {
    let (set, rules) = state.store.scoped(&who.0).set_grading_rules(body).await?;
    state.grading.replace(set.version, rules).await;
    let started = std::time::Instant::now();
    let regraded = regrade_all(state, Cause::Rules).await?;
    Ok(Regraded {
        version: set.version,
        regraded,
        millis: started.elapsed().as_millis() as u64,
    })
}

/// `PUT /api/v1/grading/rules`.
#[utoipa::path(put, path = "/api/v1/grading/rules", operation_id = "set_grading_rules", tag = "grading",
    summary = "Set a new grading rule set",
    description = "Admins. The body is the TOML text (see docs/grading.md). A rule set that does not parse or check is refused with `grading_rules` and the line and reason in the message; the rules in force stay. Otherwise it becomes the next version and every enterprise is regraded under it.",
    security(("bearer" = []), ("session" = [])), params(crate::openapi::CsrfHeader),
    request_body(content = String, content_type = "application/toml"),
    responses(
        (status = 200, body = Regraded),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn set_rules(
    State(state): State<AppState>,
    who: Authed,
    body: String,
) -> Result<AxumJson<Regraded>, ApiError> {
    Ok(AxumJson(put_rules(&state, &who, &body).await?))
}

/// `POST /api/v1/grading/regrade`.
#[utoipa::path(post, path = "/api/v1/grading/regrade", operation_id = "regrade", tag = "grading",
    summary = "Regrade every enterprise now",
    description = "Admins. What the nightly pass does; grades also follow each record change within seconds without it.",
    security(("bearer" = []), ("session" = [])), params(crate::openapi::CsrfHeader),
    responses(
        (status = 200, body = Regraded),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn regrade(
    State(state): State<AppState>,
    who: Authed,
) -> Result<AxumJson<Regraded>, ApiError> {
    if who.0.role != Role::Admin {
        return Err(ApiError::forbidden());
    }
    let started = std::time::Instant::now();
    let regraded = regrade_all(&state, Cause::Nightly).await?;
    let version = state.grading.current(&state.store).await?.version;
    Ok(AxumJson(Regraded {
        version,
        regraded,
        millis: started.elapsed().as_millis() as u64,
    }))
}
