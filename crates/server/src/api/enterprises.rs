//! Enterprise archives: register, change, read, list and search; products; records.

use axum::Json as AxumJson;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use zhijian_core::enterprise::{EnterpriseStatus, Scale};
use zhijian_core::gtin::Gtin;
use zhijian_core::licence::LicenceState;
use zhijian_core::page::{Page, Paged};
use zhijian_core::region::{self, RegionCode};
use zhijian_core::uscc::Uscc;
use zhijian_store::enterprises::{
    Archive, EnterpriseDetails, EnterpriseFilter, EnterpriseSummary, NewEnterprise, NewProduct,
    Product,
};
use zhijian_store::records::{Attachment, NewRecord, SupervisionRecord};

use super::extract::{Json, Multipart, Path, Query, date, required, text};
use crate::auth::{Authed, Caller};
use crate::error::ApiError;
use crate::state::AppState;

/// The body of `POST /api/v1/enterprises` and of `PATCH /api/v1/enterprises/{uscc}`
/// (where the credit code and region cannot change).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseInput {
    /// Unified social credit code (18 characters, GB 32100). Required when registering;
    /// cannot be sent when changing.
    #[schema(examples("91350100M000100Y43"))]
    uscc: Option<String>,
    /// Name. Required when registering.
    #[schema(max_length = 100)]
    name: Option<String>,
    /// Six-digit code of a known region. Required when registering; cannot be sent when
    /// changing.
    #[schema(pattern = "^[0-9]{6}$", examples("350102"))]
    region: Option<String>,
    /// Accept a credit code whose only fault is its check character (pilot-region codes
    /// issued before GB 32100); the archive then carries a warning flag.
    #[serde(default)]
    accept_legacy_uscc: bool,
    /// Registered address.
    #[schema(max_length = 200)]
    address: Option<String>,
    /// Legal representative.
    #[schema(max_length = 50)]
    legal_representative: Option<String>,
    /// Contact person.
    #[schema(max_length = 50)]
    contact_name: Option<String>,
    /// Contact telephone: digits, spaces and `- + ( )`.
    #[schema(max_length = 40, pattern = "^[0-9 +()-]*$")]
    contact_phone: Option<String>,
    /// Industry (free text, e.g. 食品制造业).
    #[schema(max_length = 100)]
    industry: Option<String>,
    /// Size class.
    #[schema(value_type = Option<Scale>)]
    scale: Option<String>,
    /// Operating status.
    #[schema(value_type = Option<EnterpriseStatus>)]
    status: Option<String>,
}

impl EnterpriseInput {
    fn details(&self) -> Result<EnterpriseDetails, ApiError> {
        let scale = match self
            .scale
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => Some(Scale::parse(s).ok_or_else(|| {
                ApiError::invalid(
                    "invalid_value",
                    "scale",
                    "scale is one of large, medium, small, micro",
                )
            })?),
        };
        let status = match self
            .status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => Some(EnterpriseStatus::parse(s).ok_or_else(|| {
                ApiError::invalid(
                    "invalid_value",
                    "status",
                    "status is one of active, suspended, closed",
                )
            })?),
        };
        let phone = text("contact_phone", self.contact_phone.as_deref(), 40)?;
        if let Some(p) = &phone
            && !p
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')'))
        {
            return Err(ApiError::invalid(
                "invalid_value",
                "contact_phone",
                "a telephone number has digits, spaces and - + ( ) only",
            ));
        }
        Ok(EnterpriseDetails {
            address: text("address", self.address.as_deref(), 200)?,
            legal_representative: text(
                "legal_representative",
                self.legal_representative.as_deref(),
                50,
            )?,
            contact_name: text("contact_name", self.contact_name.as_deref(), 50)?,
            contact_phone: phone,
            industry: text("industry", self.industry.as_deref(), 100)?,
            scale,
            status,
        })
    }
}

/// Parses a region code that must exist in the region table.
pub fn known_region(field: &str, code: &str) -> Result<RegionCode, ApiError> {
    let r = region::resolve(code).map_err(|e| ApiError::from(e).field(field))?;
    Ok(r.code)
}

/// Parses an enterprise registration.
pub fn parse_enterprise(input: &EnterpriseInput) -> Result<NewEnterprise, ApiError> {
    let missing = |f: &str| ApiError::invalid("required", f, format!("{f} is required"));
    let (uscc, warning) =
        Uscc::parse_lenient(input.uscc.as_deref().ok_or_else(|| missing("uscc"))?)?;
    if let Some(w) = warning
        && !input.accept_legacy_uscc
    {
        return Err(ApiError::invalid(
            "uscc_check_character",
            "uscc",
            format!(
                "{w}; if this is a known pilot-region code issued before GB 32100, send accept_legacy_uscc: true"
            ),
        ));
    }
    Ok(NewEnterprise {
        uscc_legacy: warning.is_some(),
        uscc,
        name: required(
            "name",
            input.name.as_deref().ok_or_else(|| missing("name"))?,
            100,
        )?,
        region: known_region(
            "region",
            input.region.as_deref().ok_or_else(|| missing("region"))?,
        )?,
        details: input.details()?,
    })
}

/// Loads an archive the caller may see, or 404.
async fn load_archive(state: &AppState, who: &Authed, uscc: &str) -> Result<Archive, ApiError> {
    state
        .store
        .scoped(&who.0)
        .archive(uscc)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// `POST /api/v1/enterprises` → 201 with the archive.
#[utoipa::path(
    post,
    path = "/api/v1/enterprises",
    operation_id = "create_enterprise",
    tag = "enterprises",
    summary = "Register an enterprise",
    description = "Creates an enterprise archive. `uscc`, `name` and `region` are required. A \
        credit code whose only fault is its check character is refused (422 \
        `uscc_check_character`) unless `accept_legacy_uscc` is true.",
    security(("bearer" = []), ("session" = [])),
    params(crate::openapi::CsrfHeader),
    request_body = EnterpriseInput,
    responses(
        (status = 201, description = "The new archive.", body = Archive),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, description = "`enterprise_exists`: an organisation with this credit code is already registered.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ),
)]
pub async fn create(
    State(state): State<AppState>,
    who: Authed,
    Json(input): Json<EnterpriseInput>,
) -> Result<(StatusCode, AxumJson<Archive>), ApiError> {
    let new = parse_enterprise(&input)?;
    state.store.scoped(&who.0).create_enterprise(&new).await?;
    Ok((
        StatusCode::CREATED,
        AxumJson(load_archive(&state, &who, new.uscc.as_str()).await?),
    ))
}

/// `GET /api/v1/enterprises/{uscc}` → the whole archive.
#[utoipa::path(
    get,
    path = "/api/v1/enterprises/{uscc}",
    operation_id = "get_enterprise",
    tag = "enterprises",
    summary = "Read an enterprise archive",
    description = "The whole archive: basic data, licences with their history, products, \
        supervision records with attachments, and the latest audited changes. An enterprise \
        outside the caller's scope answers 404.",
    security(("bearer" = []), ("session" = [])),
    params(crate::openapi::UsccPath),
    responses(
        (status = 200, description = "The archive.", body = Archive),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ),
)]
pub async fn get(
    State(state): State<AppState>,
    who: Authed,
    Path(uscc): Path<String>,
) -> Result<Response, ApiError> {
    let uscc = uscc.trim();
    let changes = state.store.db().changes();
    changes.poll(state.store.db()).await?;
    let body = match state
        .archives
        .get(uscc, &who.0, |at| changes.unchanged_since(uscc, at))
    {
        Some(body) => body,
        None => {
            let at = changes.head();
            let archive = load_archive(&state, &who, uscc).await?;
            state
                .archives
                .put(at, &archive)
                .map_err(|e| ApiError::internal(&e))?
        }
    };
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// `PATCH /api/v1/enterprises/{uscc}`.
#[utoipa::path(
    patch,
    path = "/api/v1/enterprises/{uscc}",
    operation_id = "update_enterprise",
    tag = "enterprises",
    summary = "Change an enterprise's basic data",
    description = "Changes the fields sent; fields left out keep their values. `uscc` and \
        `region` cannot be changed (422 `immutable_field`).",
    security(("bearer" = []), ("session" = [])),
    params(crate::openapi::UsccPath, crate::openapi::CsrfHeader),
    request_body = EnterpriseInput,
    responses(
        (status = 200, description = "The archive after the change.", body = Archive),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ),
)]
pub async fn update(
    State(state): State<AppState>,
    who: Authed,
    Path(uscc): Path<String>,
    Json(patch): Json<EnterpriseInput>,
) -> Result<AxumJson<Archive>, ApiError> {
    for (field, sent) in [
        ("uscc", patch.uscc.is_some()),
        ("region", patch.region.is_some()),
    ] {
        if sent {
            return Err(ApiError::invalid(
                "immutable_field",
                field,
                format!("{field} cannot be changed"),
            ));
        }
    }
    let name = match &patch.name {
        Some(n) => Some(required("name", n, 100)?),
        None => None,
    };
    let details = patch.details()?;
    state
        .store
        .scoped(&who.0)
        .update_enterprise(&uscc, name, &details)
        .await?;
    Ok(AxumJson(load_archive(&state, &who, &uscc).await?))
}

/// Query parameters of `GET /api/v1/enterprises`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// The page, from 1.
    #[param(minimum = 1, default = 1)]
    page: Option<u32>,
    /// Items per page, at most 1000.
    #[param(minimum = 1, maximum = 1000, default = 50)]
    per_page: Option<u32>,
    /// Only enterprises in this region's subtree (six-digit code of a known region).
    #[param(pattern = "^[0-9]{6}$", example = "350100")]
    region: Option<String>,
    /// Only enterprises with a product in this catalogue category.
    #[param(example = "F05")]
    category: Option<String>,
    /// Only enterprises with this operating status.
    #[param(value_type = Option<EnterpriseStatus>)]
    status: Option<String>,
    /// Only enterprises holding a licence in this state.
    #[param(value_type = Option<LicenceState>)]
    licence_state: Option<String>,
    /// Name contains this text, or credit code starts with it (the first 100 characters
    /// are used).
    q: Option<String>,
}

/// Turns list parameters into a filter and a page.
pub fn parse_list(q: &ListQuery) -> Result<(EnterpriseFilter, Page), ApiError> {
    let page = Page::new(q.page, q.per_page)?;
    let nonempty = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let filter = EnterpriseFilter {
        region: nonempty(&q.region)
            .map(|r| known_region("region", &r))
            .transpose()?,
        category: nonempty(&q.category),
        status: nonempty(&q.status)
            .map(|s| {
                EnterpriseStatus::parse(&s).ok_or_else(|| {
                    ApiError::invalid(
                        "invalid_value",
                        "status",
                        "status is one of active, suspended, closed",
                    )
                })
            })
            .transpose()?,
        licence_state: nonempty(&q.licence_state)
            .map(|s| {
                LicenceState::parse(&s).ok_or_else(|| {
                    ApiError::invalid("invalid_value", "licence_state", "unknown licence state")
                })
            })
            .transpose()?,
        q: nonempty(&q.q).map(|s| s.chars().take(100).collect()),
    };
    Ok((filter, page))
}

/// `GET /api/v1/enterprises` → `{"items", "total"}`.
#[utoipa::path(
    get,
    path = "/api/v1/enterprises",
    operation_id = "list_enterprises",
    tag = "enterprises",
    summary = "List and search enterprises",
    description = "The enterprises in the caller's scope, filtered and paginated. `total` \
        counts every match, not just this page. Unknown parameters answer 400 \
        `invalid_query`; `page` 0 or `per_page` outside 1–1000 answer 422 `page`.",
    security(("bearer" = []), ("session" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "One page of enterprises.", body = Paged<EnterpriseSummary>),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ),
)]
pub async fn list(
    State(state): State<AppState>,
    who: Authed,
    Query(q): Query<ListQuery>,
) -> Result<AxumJson<Paged<EnterpriseSummary>>, ApiError> {
    let (filter, page) = parse_list(&q)?;
    Ok(AxumJson(
        state
            .store
            .scoped(&who.0)
            .list_enterprises(&filter, page)
            .await?,
    ))
}

/// The body of `POST /api/v1/enterprises/{uscc}/products`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductInput {
    /// Name.
    #[schema(max_length = 100)]
    name: String,
    /// Catalogue category id (see `GET /api/v1/categories`).
    #[schema(max_length = 10, examples("F05"))]
    category: String,
    /// Specification or model.
    #[schema(max_length = 100)]
    specification: Option<String>,
    /// The standard it is made to (e.g. GB 19645-2010).
    #[schema(max_length = 100)]
    standard: Option<String>,
    /// GTIN-8, -12, -13 or -14 with a valid check digit; kept in its 14-digit form.
    #[schema(examples("06901234567892"))]
    gtin: Option<String>,
}

/// Parses a product registration.
pub fn parse_product(input: &ProductInput) -> Result<NewProduct, ApiError> {
    Ok(NewProduct {
        name: required("name", &input.name, 100)?,
        specification: text("specification", input.specification.as_deref(), 100)?,
        standard: text("standard", input.standard.as_deref(), 100)?,
        category: required("category", &input.category, 10)?,
        gtin: match input
            .gtin
            .as_deref()
            .map(str::trim)
            .filter(|g| !g.is_empty())
        {
            Some(g) => Some(Gtin::parse(g)?),
            None => None,
        },
    })
}

/// `POST /api/v1/enterprises/{uscc}/products` → 201 with the product.
#[utoipa::path(
    post,
    path = "/api/v1/enterprises/{uscc}/products",
    operation_id = "add_product",
    tag = "enterprises",
    summary = "Register a product",
    security(("bearer" = []), ("session" = [])),
    params(crate::openapi::UsccPath, crate::openapi::CsrfHeader),
    request_body = ProductInput,
    responses(
        (status = 201, description = "The new product.", body = Product),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "`gtin_taken`: another product already has this GTIN.", body = crate::openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ),
)]
pub async fn add_product(
    State(state): State<AppState>,
    who: Authed,
    Path(uscc): Path<String>,
    Json(input): Json<ProductInput>,
) -> Result<(StatusCode, AxumJson<Product>), ApiError> {
    let new = parse_product(&input)?;
    Ok((
        StatusCode::CREATED,
        AxumJson(state.store.scoped(&who.0).add_product(&uscc, &new).await?),
    ))
}

/// The body of `POST /api/v1/enterprises/{uscc}/records`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordInput {
    /// What kind of record.
    #[schema(schema_with = crate::openapi::record_kind)]
    kind: String,
    /// The day it happened, `YYYY-MM-DD`.
    #[schema(format = Date)]
    occurred_on: String,
    /// What was done.
    #[schema(max_length = 2000)]
    summary: String,
    /// What was found.
    #[schema(max_length = 4000)]
    findings: Option<String>,
}

/// Parses a supervision record.
pub fn parse_record(input: &RecordInput) -> Result<NewRecord, ApiError> {
    Ok(NewRecord {
        kind: input.kind.trim().to_owned(),
        occurred_on: date("occurred_on", &input.occurred_on)?,
        summary: required("summary", &input.summary, 2000)?,
        findings: text("findings", input.findings.as_deref(), 4000)?,
    })
}

/// `POST /api/v1/enterprises/{uscc}/records` → 201 with the record.
#[utoipa::path(
    post,
    path = "/api/v1/enterprises/{uscc}/records",
    operation_id = "add_record",
    tag = "records",
    summary = "Enter a supervision record",
    security(("bearer" = []), ("session" = [])),
    params(crate::openapi::UsccPath, crate::openapi::CsrfHeader),
    request_body = RecordInput,
    responses(
        (status = 201, description = "The new record.", body = SupervisionRecord),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ),
)]
pub async fn add_record(
    State(state): State<AppState>,
    who: Authed,
    Path(uscc): Path<String>,
    Json(input): Json<RecordInput>,
) -> Result<(StatusCode, AxumJson<SupervisionRecord>), ApiError> {
    let new = parse_record(&input)?;
    Ok((
        StatusCode::CREATED,
        AxumJson(state.store.scoped(&who.0).add_record(&uscc, &new).await?),
    ))
}

/// Reads the single `file` part of a multipart upload, refusing it when too large.
pub async fn read_upload(
    mut form: axum::extract::Multipart,
    max: usize,
) -> Result<(String, Vec<u8>), ApiError> {
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, "invalid_upload", m).field("file");
    while let Some(mut field) = form.next_field().await.map_err(|e| bad(e.body_text()))? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("").to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| bad(e.body_text()))? {
            if bytes.len() + chunk.len() > max {
                return Err(zhijian_core::attachment::AttachmentError::TooLarge {
                    size: bytes.len() + chunk.len(),
                    max,
                }
                .into());
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok((name, bytes));
    }
    Err(ApiError::invalid(
        "required",
        "file",
        "send the file as a multipart field named \"file\"",
    ))
}

/// `POST /api/v1/records/{id}/attachments` (multipart, field `file`) → 201.
#[utoipa::path(
    post,
    path = "/api/v1/records/{id}/attachments",
    operation_id = "add_attachment",
    tag = "records",
    summary = "Attach a file to a supervision record",
    description = "A `multipart/form-data` upload whose part `file` is a PNG, JPEG, GIF or PDF \
        (recognised by its content, not its name) of at most the configured \
        `max_attachment_bytes` (10 MiB by default). A body that is not \
        `multipart/form-data` at all is refused with 400 by the framework, in plain text.",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "The supervision record's id."), crate::openapi::CsrfHeader),
    request_body(content = crate::openapi::AttachmentUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The stored attachment.", body = Attachment),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 500, response = crate::openapi::Internal),
    ),
)]
pub async fn attach(
    State(state): State<AppState>,
    who: Authed,
    Path(id): Path<i64>,
    Multipart(form): Multipart,
) -> Result<(StatusCode, AxumJson<Attachment>), ApiError> {
    let max = state.config.max_attachment_bytes;
    let (name, bytes) = read_upload(form, max).await?;
    let (name, media) = zhijian_core::attachment::check(&name, &bytes, max)?;
    let a = state
        .store
        .scoped(&who.0)
        .attach(id, &name, media, &bytes)
        .await?;
    Ok((StatusCode::CREATED, AxumJson(a)))
}

/// `GET /api/v1/attachments/{id}` → the file.
#[utoipa::path(
    get,
    path = "/api/v1/attachments/{id}",
    operation_id = "get_attachment",
    tag = "records",
    summary = "Download an attachment",
    description = "The file's bytes, with the media type found in its content and its upload \
        name in `Content-Disposition`.",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "The attachment's id.")),
    responses(
        (status = 200, description = "The file.", content(
            ("image/png"),
            ("image/jpeg"),
            ("image/gif"),
            ("application/pdf"),
        )),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 500, response = crate::openapi::Internal),
    ),
)]
pub async fn attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let who = caller.principal.ok_or_else(ApiError::unauthorized)?;
    let (a, bytes) = state
        .store
        .scoped(&who)
        .attachment(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let disposition = format!("inline; filename*=UTF-8''{}", percent_encode(&a.file_name));
    Ok((
        [
            (header::CONTENT_TYPE, a.media_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// RFC 5987 encoding for a file name in `Content-Disposition`.
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
