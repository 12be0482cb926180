//! A sampling plan's life after it is made: approval and publication, and following its
//! tasks per lab and region.

use axum::Json as AxumJson;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use zhijian_core::page::{Page, Paged};
use zhijian_core::plan_terms::PlanStep;
use zhijian_store::plan_tasks::{Progress, TaskFilter, TaskProgress};
use zhijian_store::sampling::Plan;

use super::enterprises::known_region;
use super::sampling::objection_rules;
use crate::auth::Authed;
use crate::error::ApiError;
use crate::state::AppState;

/// `POST /api/v1/sampling/plans/{id}/approve`.
#[utoipa::path(post, path = "/api/v1/sampling/plans/{id}/approve", operation_id = "approve_plan", tag = "sampling",
    summary = "Approve a draft plan",
    description = "An officer of the plan's region or a region above it, other than the plan's author (`own_approval`), or an admin.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    responses(
        (status = 200, body = Plan),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`plan_status` (not a draft) or `own_approval`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn approve(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<Plan>, ApiError> {
    step(&state, &who, id, PlanStep::Approve).await
}

async fn step(
    state: &AppState,
    who: &Authed,
    id: i64,
    step: PlanStep,
) -> Result<AxumJson<Plan>, ApiError> {
    Ok(AxumJson(
        state.store.scoped(&who.0).plan_step(id, step).await?,
    ))
}

/// `POST /api/v1/sampling/plans/{id}/publish`.
#[utoipa::path(post, path = "/api/v1/sampling/plans/{id}/publish", operation_id = "publish_plan", tag = "sampling",
    summary = "Publish an approved plan",
    description = "Officers of the plan's region (or above) and admins. From then on its inspectors may take samples.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    responses(
        (status = 200, body = Plan),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`plan_status`: not approved, or published already.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn publish(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<Plan>, ApiError> {
    step(&state, &who, id, PlanStep::Publish).await
}

/// Filters of `GET /api/v1/sampling/plans/{id}/tasks`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TaskQuery {
    /// Only the quotas of this lab (credit code).
    lab: Option<String>,
    /// Only quotas in this region's subtree.
    region: Option<String>,
    /// Page number, from 1.
    page: Option<u32>,
    /// Items per page, 1–1000.
    per_page: Option<u32>,
}

/// `GET /api/v1/sampling/plans/{id}/tasks`.
#[utoipa::path(get, path = "/api/v1/sampling/plans/{id}/tasks", operation_id = "plan_tasks", tag = "sampling",
    summary = "A drawn plan's tasks and how far each has come",
    description = "Whoever reads the plan. In draw order; filtered by the quota's lab and region.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), TaskQuery),
    responses(
        (status = 200, body = inline(Paged<TaskProgress>)),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn tasks(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Query(q): Query<TaskQuery>,
) -> Result<AxumJson<Paged<TaskProgress>>, ApiError> {
    let page = Page::new(q.page, q.per_page)
        .map_err(|e| ApiError::invalid("page", "page", e.to_string()))?;
    let filter = TaskFilter {
        lab: q.lab.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()),
        region: match q.region.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(r) => Some(known_region("region", r)?),
        },
    };
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .plan_tasks(
                id,
                &filter,
                page,
                objection_rules(&state),
                &state.config.calendar(),
            )
            .await?,
    ))
}

/// `GET /api/v1/sampling/plans/{id}/progress`.
#[utoipa::path(get, path = "/api/v1/sampling/plans/{id}/progress", operation_id = "plan_progress", tag = "sampling",
    summary = "A plan's progress per lab and region",
    description = "Tasks drawn, samples taken, reports filed, results final and failed, per quota lab and quota region.",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path)),
    responses(
        (status = 200, body = Vec<Progress>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn progress(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<Vec<Progress>>, ApiError> {
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .plan_progress(id, objection_rules(&state), &state.config.calendar())
            .await?,
    ))
}
