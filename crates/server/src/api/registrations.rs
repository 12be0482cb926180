//! Joining the network (入网): the public application, the applicant's status, and the
//! bureau's decision.

use axum::Json as AxumJson;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use zhijian_core::catalogue;
use zhijian_core::contact;
use zhijian_core::licence_number::LicenceNumber;
use zhijian_core::page::{Page, Paged};
use zhijian_store::registrations::{
    ClaimedLicence, NewRegistration, Registration, RegistrationStatus,
};

use super::enterprises::{EnterpriseInput, ProductInput, parse_enterprise, parse_product};
use super::extract::{Json, date};
use crate::auth::Authed;
use crate::error::ApiError;
use crate::state::AppState;

/// Most licences and products one application may carry.
const MAX_ITEMS: usize = 50;

/// A licence the enterprise holds.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenceClaimInput {
    /// The certificate number (`SC…` food, `XK…` industrial).
    #[schema(examples("SC10613010200423"))]
    pub number: String,
    /// Catalogue categories it covers.
    #[serde(default)]
    pub scope: Vec<String>,
    /// Last day it is valid, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub valid_until: String,
}

/// The administrator account to create on approval.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminInput {
    /// Login name: 3–64 letters, digits, or `_ . - @`.
    pub username: String,
    /// At least 8 characters.
    pub password: String,
}

/// The body of `POST /api/v1/registrations`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationInput {
    /// The enterprise as for `POST /api/v1/enterprises`; `contact_phone` is required
    /// (messages about the application go to it by SMS).
    pub enterprise: EnterpriseInput,
    /// Where to send the same messages by e-mail.
    pub email: Option<String>,
    /// The administrator account.
    pub admin: AdminInput,
    /// Production licences held.
    #[serde(default)]
    pub licences: Vec<LicenceClaimInput>,
    /// The first products (at least one).
    #[serde(default)]
    pub products: Vec<ProductInput>,
}

/// What an applicant is told on submitting.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Submitted {
    /// The application as recorded.
    pub registration: Registration,
    /// The secret that shows the application's progress; given once.
    pub token: String,
    /// The page that shows it.
    pub status_url: String,
}

/// Checks an application the way the bureau will rely on it.
pub async fn parse(input: &RegistrationInput) -> Result<NewRegistration, ApiError> {
    let mut enterprise = parse_enterprise(&input.enterprise)?;
    let phone = enterprise
        .details
        .contact_phone
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .ok_or_else(|| {
            ApiError::invalid(
                "required",
                "enterprise.contact_phone",
                "a telephone number is required: messages about the application go to it",
            )
        })?;
    let phone = contact::phone(phone)
        .map_err(|e| ApiError::invalid(e.code(), "enterprise.contact_phone", e.to_string()))?;
    enterprise.details.contact_phone = Some(phone);
    let email = match input.email.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(e) => Some(
            contact::email(e).map_err(|e| ApiError::invalid(e.code(), "email", e.to_string()))?,
        ),
    };
    if input.products.is_empty() {
        return Err(ApiError::invalid(
            "products_required",
            "products",
            "name at least one product the enterprise makes",
        ));
    }
    if input.products.len() > MAX_ITEMS || input.licences.len() > MAX_ITEMS {
        return Err(ApiError::invalid(
            "too_many_items",
            "products",
            format!("at most {MAX_ITEMS} products and {MAX_ITEMS} licences per application"),
        ));
    }
    let mut products = Vec::with_capacity(input.products.len());
    for (i, p) in input.products.iter().enumerate() {
        let field = |f: &str| format!("products[{i}].{f}");
        let product = parse_product(p).map_err(|e| {
            let f = e.field.clone().unwrap_or_else(|| "name".to_owned());
            e.field(field(&f))
        })?;
        if catalogue::category(&product.category).is_none() {
            return Err(ApiError::invalid(
                "category_unknown",
                field("category"),
                format!("unknown category {}", product.category),
            ));
        }
        products.push(product);
    }
    let mut licences = Vec::with_capacity(input.licences.len());
    for (i, l) in input.licences.iter().enumerate() {
        let field = |f: &str| format!("licences[{i}].{f}");
        let number = LicenceNumber::parse(&l.number)
            .map_err(|e| ApiError::from(e).field(field("number")))?;
        let valid_until =
            date("valid_until", &l.valid_until).map_err(|e| e.field(field("valid_until")))?;
        if valid_until < crate::api::verify::today() {
            return Err(ApiError::invalid(
                "licence_expired",
                field("valid_until"),
                format!("licence {} expired on {valid_until}", number.as_str()),
            ));
        }
        if let Some(bad) = l.scope.iter().find(|c| catalogue::category(c).is_none()) {
            return Err(ApiError::invalid(
                "category_unknown",
                field("scope"),
                format!("unknown category {bad}"),
            ));
        }
        licences.push(ClaimedLicence {
            kind: number.kind(),
            number: number.as_str().to_owned(),
            scope: l.scope.clone(),
            valid_until,
        });
    }
    zhijian_store::identity::check_username(input.admin.username.trim())
        .map_err(|e| ApiError::from(e).field("admin.username"))?;
    if input.admin.password.chars().count() < 8 {
        return Err(ApiError::invalid(
            "password_too_short",
            "admin.password",
            "a password has at least 8 characters",
        ));
    }
    let password_hash =
        zhijian_store::identity::hash_password(input.admin.password.clone()).await?;
    Ok(NewRegistration {
        enterprise,
        licences,
        products,
        email,
        admin_username: input.admin.username.trim().to_owned(),
        password_hash,
    })
}

/// `POST /api/v1/registrations` → 201: an enterprise applies to join.
#[utoipa::path(post, path = "/api/v1/registrations", operation_id = "submit_registration", tag = "registrations",
    summary = "Apply to join the network (public)",
    description = "No account needed. The application goes to the bureau of the enterprise's region. A credit code already in the network (`enterprise_exists`), or with an application waiting (`registration_pending`), and a taken administrator name (`username_taken`) are refused. The answer carries a secret `token` that shows the application's progress at `status_url`; it is given once.",
    request_body = RegistrationInput,
    responses(
        (status = 201, body = Submitted),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 409, description = "`enterprise_exists`, `registration_pending` or `username_taken`.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn submit(
    State(state): State<AppState>,
    Json(input): Json<RegistrationInput>,
) -> Result<(StatusCode, AxumJson<Submitted>), ApiError> {
    let new = parse(&input).await?;
    let (registration, token) = state.store.submit_registration(&new).await?;
    deliver_later(&state);
    Ok((
        StatusCode::CREATED,
        AxumJson(Submitted {
            status_url: format!("/join/{}?token={token}", registration.id),
            registration,
            token,
        }),
    ))
}

/// Hands the messages just queued to the notification hook, without keeping the
/// caller waiting for it.
pub fn deliver_later(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move { crate::notify::deliver(&state).await });
}

/// The secret of `GET /api/v1/registrations/{id}/status`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TokenQuery {
    /// The token given on submitting.
    token: String,
}

/// `GET /api/v1/registrations/{id}/status`: the applicant follows its application.
#[utoipa::path(get, path = "/api/v1/registrations/{id}/status", operation_id = "registration_status", tag = "registrations",
    summary = "An application's progress (public, with its token)",
    params(("id" = i64, Path), TokenQuery),
    responses(
        (status = 200, body = Registration),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn status(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<TokenQuery>,
) -> Result<AxumJson<Registration>, ApiError> {
    Ok(AxumJson(
        state.store.registration_status(id, &q.token).await?,
    ))
}

/// Filters of `GET /api/v1/registrations`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only this status.
    status: Option<RegistrationStatus>,
    /// Page number, from 1.
    page: Option<u32>,
    /// Items per page, 1–1000.
    per_page: Option<u32>,
}

/// `GET /api/v1/registrations`: the applications a bureau decides.
#[utoipa::path(get, path = "/api/v1/registrations", operation_id = "list_registrations", tag = "registrations",
    summary = "Applications to join, of the caller's region",
    security(("bearer" = []), ("session" = [])), params(ListQuery),
    responses(
        (status = 200, body = inline(Paged<Registration>)),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn list(
    State(state): State<AppState>,
    who: Authed,
    Query(q): Query<ListQuery>,
) -> Result<AxumJson<Paged<Registration>>, ApiError> {
    let page = Page::new(q.page, q.per_page)
        .map_err(|e| ApiError::invalid("page", "page", e.to_string()))?;
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .registrations(q.status, page)
            .await?,
    ))
}

/// `GET /api/v1/registrations/{id}`.
#[utoipa::path(get, path = "/api/v1/registrations/{id}", operation_id = "get_registration", tag = "registrations",
    summary = "One application", security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = Registration),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn get(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
) -> Result<AxumJson<Registration>, ApiError> {
    Ok(AxumJson(state.store.scoped(&who.0).registration(id).await?))
}

/// The body of `POST /api/v1/registrations/{id}/decision`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// Approve (`true`) or return (`false`).
    pub approve: bool,
    /// Why it is returned (required then): what the enterprise should put right.
    #[serde(default)]
    pub reasons: String,
}

/// `POST /api/v1/registrations/{id}/decision`.
#[utoipa::path(post, path = "/api/v1/registrations/{id}/decision", operation_id = "decide_registration", tag = "registrations",
    summary = "Approve or return an application",
    description = "Officers of the enterprise's region. Approval creates the archive, its licences (issued) and products, and the administrator account in one transaction; a return needs reasons. The applicant is told by SMS/e-mail (the `notify_command` hook, logged when none is set).",
    security(("bearer" = []), ("session" = [])), params(("id" = i64, Path), crate::openapi::CsrfHeader),
    request_body = DecisionInput,
    responses(
        (status = 200, body = Registration),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`registration_decided`, or `enterprise_exists` when the credit code joined meanwhile.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Json(input): Json<DecisionInput>,
) -> Result<AxumJson<Registration>, ApiError> {
    let decided = state
        .store
        .scoped(&who.0)
        .decide_registration(id, input.approve, &input.reasons)
        .await?;
    deliver_later(&state);
    Ok(AxumJson(decided))
}
