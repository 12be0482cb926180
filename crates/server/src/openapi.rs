//! The OpenAPI 3.1 document of the JSON API, generated from the handlers and the types
//! they take and answer (with utoipa), and served at `GET /api/v1/openapi.json`.
//!
//! Every handler in [`crate::api`] carries a `#[utoipa::path]` attribute; [`ApiDoc`]
//! gathers them. The types that exist only to be described (the problem document, the
//! login answer, the upload form) live here. A committed copy of the document is kept in
//! `docs/openapi.json`; `tests/openapi.rs` fails when the two drift, and
//! `ZHIJIAN_UPDATE_OPENAPI=1 cargo test -p zhijian-server --test openapi` rewrites it.
//!
//! ```
//! let doc = zhijian_server::openapi::openapi();
//! assert_eq!(doc.info.title, "zhijian");
//! assert!(doc.paths.paths.contains_key("/api/v1/enterprises/{uscc}"));
//! ```

use axum::Json;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{Object, ObjectBuilder, Ref, RefBuilder, Schema, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToResponse, ToSchema};
use zhijian_core::access::Principal;
use zhijian_core::catalogue::{CatalogueKind, RiskGrade};
use zhijian_store::records::RECORD_KINDS;

use crate::api;

const DESCRIPTION: &str = "\
The JSON API of a zhijian node: enterprise archives, products, supervision records and \
their attachments, production licences, printers and labs.

**Authentication.** Scripts log in with `POST /api/v1/login` and send the token they get \
as `Authorization: Bearer zjt_…` (scheme `bearer`). The console authenticates with the \
`zj_session` cookie (scheme `session`); a cookie-authenticated request that changes \
something (any method but GET, HEAD and OPTIONS) must also echo the session's CSRF token \
in the `X-CSRF-Token` header, or it is refused with 403 `csrf`. An unknown or expired \
bearer token is refused with 401 on every route, public ones included.

**Scope.** Every query is narrowed to what the caller may see: an enterprise, licence or \
record outside it answers 404, exactly as one that does not exist.

**Pagination.** List endpoints take `page` (from 1, default 1) and `per_page` (1–1000, \
default 50) and answer `{\"items\": […], \"total\": n}`, where `total` counts the whole \
list, not the page.

**Errors.** Every failure is `application/problem+json` with `type`, `title`, `status`, \
`detail`, a stable snake_case `code` to branch on, and `field` naming the input at fault \
when there is one. `detail` is in Chinese unless `Accept-Language` prefers English.";

/// The document: every `/api/v1` route, the schemas they use, and the security schemes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "zhijian",
        version = env!("CARGO_PKG_VERSION"),
        description = DESCRIPTION,
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(
        api::session::login,
        api::session::me,
        api::regions::get_region,
        api::regions::categories,
        api::enterprises::list,
        api::enterprises::create,
        api::enterprises::get,
        api::enterprises::update,
        api::enterprises::add_product,
        api::enterprises::add_record,
        api::enterprises::attach,
        api::enterprises::attachment,
        api::licences::apply,
        api::licences::get,
        api::licences::transition,
        api::organisations::create_printer,
        api::organisations::create_lab,
        api::organisations::list_printers,
        api::organisations::file_printer,
        api::organisations::revoke_filing,
        api::sampling::create_plan,
        api::sampling::list_plans,
        api::sampling::get_plan,
        api::sampling::draw_plan,
        api::sampling::get_draw,
        api::notices::list,
        api::registrations::submit,
        api::shop_terminals::register,
        api::shop_terminals::suspend,
        api::registrations::status,
        api::registrations::list,
        api::registrations::get,
        api::registrations::decide,
        api::plan_life::approve,
        api::plan_life::publish,
        api::plan_life::tasks,
        api::plan_life::progress,
        api::sample_photos::add,
        api::sample_photos::list,
        api::sample_photos::get,
        api::sampling::record_sample,
        api::sampling::get_sample,
        api::sampling::confirm_sample,
        api::sampling::lab_samples,
        api::sampling::file_report,
        api::sampling::get_report,
        api::sampling::sample_result,
        api::sampling::object,
        api::sampling::decide_objection,
        api::sampling_stats::stats,
        api::sampling_stats::xlsx,
        api::risk::list,
        api::grading::grade,
        api::grading::commitments,
        api::grading::publish_commitment,
        api::grading::withdraw_commitment,
        api::grading::distribution,
        api::grading::due,
        api::grading::rules,
        api::grading::set_rules,
        api::grading::regrade,
        api::incidents::open,
        api::incidents::list,
        api::incidents::get,
        api::incidents::step,
        api::incidents::level,
        api::incidents::link,
        api::incidents::close,
        api::complaints::file,
        api::complaints::track,
        api::complaints::list,
        api::complaints::get,
        api::complaints::act,
        api::complaint_pages::form,
        api::complaint_pages::file,
        api::complaint_pages::track,
        api::cases::open,
        api::cases::list,
        api::cases::get,
        api::cases::act,
        api::blacklist::add,
        api::blacklist::remove,
        api::blacklist::list,
        api::blacklist::page,
        api::recalls::start,
        api::recalls::list,
        api::recalls::get,
        api::recalls::confirm,
        api::recalls::acknowledge,
        api::recalls::close,
        api::recalls::report,
        api::public_recalls::list,
        api::public_recalls::one,
        api::public_recalls::page_list,
        api::public_recalls::page_one,
        api::public_recalls::feed,
        api::blacklist::feed,
        api::portal::home,
        api::complaints::add_photo,
        api::complaint_pages::add_photo,
        api::complaints::photo,
        api::cases::add_file,
        api::cases::file,
        api::portal::enterprises,
        api::portal::enterprise,
        api::portal::enterprises_page,
        api::portal::profile_page,
        api::portal::penalties,
        api::portal::penalties_page,
        api::portal::penalties_feed,
        api::portal::warnings_feed,
        api::portal::announcements_feed,
        api::trace::code,
        api::trace::batch,
        api::trace::reach,
        api::warnings::import,
        api::warnings::detect,
        api::warnings::list,
        api::warnings::get,
        api::warnings::transition,
        api::warnings::publish,
        api::warnings::public_list,
        api::sampling::report_template,
        api::sampling::upload_report,
        api::sampling::get_rectification,
        api::sampling::order_rectification,
        api::sampling::report_rectification,
        api::sampling::follow_up_rectification,
        api::sampling::escalate_rectification,
        api::announcements::announce,
        api::announcements::list,
        api::announcements::get,
        api::announcements::page_list,
        api::announcements::page_one,
        api::announcements::csv,
        api::announcements::xlsx,
        api::gs1::prefixes,
        api::gs1::add_prefix,
        api::gs1::remove_prefix,
        api::gs1::add_location,
        api::gs1::locations,
        api::gs1::location,
        api::flow::pack,
        api::flow::unpack,
        api::flow::ship,
        api::flow::receive,
        api::flow::sell,
        api::codes::apply,
        api::codes::applications,
        api::codes::application,
        api::codes::approve,
        api::codes::refuse,
        api::codes::segments,
        api::codes::segment,
        api::codes::codes,
        api::codes::create_print_job,
        api::codes::print_jobs,
        api::codes::print_job,
        api::codes::confirm_print_job,
        api::codes::activate,
        api::codes::activate_upload,
        api::codes::batches,
        api::codes::batch,
        api::dossier::dossier,
        api::codes::recall,
        api::codes::decommission,
        api::codes::create_terminal,
        api::codes::terminals,
        api::codes::signals,
        api::codes::history,
        api::codes::label,
        api::codes::sheet,
        api::codes::own_print,
        api::verify::verify,
        api::verify::sms,
        api::verify::form,
        api::verify::page,
        api::verify::digital_link,
        document,
    ),
    components(
        schemas(Problem, LicenceKindSchema),
        responses(
            BadRequest,
            Unauthorized,
            Forbidden,
            NotFound,
            PayloadTooLarge,
            UnsupportedMediaType,
            Unprocessable,
            Internal,
        ),
    ),
    modifiers(&Extras),
    tags(
        (name = "session", description = "Logging in and finding out who you are."),
        (name = "reference", description = "Public reference data: regions and the product catalogue."),
        (name = "enterprises", description = "Enterprise archives and their products."),
        (name = "records", description = "Supervision records and their attached files."),
        (name = "licences", description = "Production licences and their lifecycle."),
        (name = "organisations", description = "Printers and labs."),
        (name = "registrations", description = "Joining the network: an enterprise's own application and the bureau's decision."),
        (name = "sampling", description = "Supervision sampling: plans and double-random draws."),
        (name = "grading", description = "Credit grades with their reasons, commitments, classified supervision and the grading rules."),
        (name = "risk", description = "Risk signals, detection, early warnings and incidents."),
        (name = "complaints", description = "Consumer complaints (12365): filed and followed without an account, handled by bureaus within their deadlines."),
        (name = "cases", description = "Law-enforcement cases: opened from complaints, samples, counterfeit signals and warnings; evidence, transfer, joint investigation, decision, closure."),
        (name = "blacklist", description = "The blacklist of serious violators: listing on a legal basis, removal, the public list."),
        (name = "recalls", description = "Defective-product recalls: voluntary or ordered, their parties, acknowledgements, effectiveness and closure."),
        (name = "trace", description = "Traces of units and batches through the supply chain (from EPCIS events), and the reach of a recall."),
        (name = "codes", description = "Supervision codes: applications, segments, print jobs, activation, batches, terminals, counterfeit signals."),
        (name = "gs1", description = "GS1 master data: enterprises' company prefixes, named locations and parties."),
        (name = "flow", description = "The simple flow: packing, shipping, receiving and selling recorded as EPCIS events, as JSON or CSV."),
        (name = "portal", description = "The public portal: its home page, enterprise search and public profiles, administrative penalties, and Atom feeds of every public list."),
        (name = "verification", description = "Verifying a code: the public API and the SMS gateway (rate-limited)."),
        (name = "meta", description = "This document."),
    ),
)]
pub struct ApiDoc;

/// The document as a value.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// `GET /api/v1/openapi.json`.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    operation_id = "openapi_document",
    tag = "meta",
    summary = "This OpenAPI document",
    description = "The OpenAPI 3.1 description of this API. Public.",
    responses(
        (status = 200, description = "The document.", body = Object),
        (status = 401, response = Unauthorized),
    ),
)]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}

/// A failure, as every error of the API answers (`application/problem+json`, RFC 9457).
#[derive(ToSchema)]
pub struct Problem {
    /// `https://zhijian.dev/problems/{code}`.
    #[schema(rename = "type", format = "uri")]
    pub kind: String,
    /// The HTTP status's reason phrase.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong, in the caller's language.
    pub detail: String,
    /// A stable snake_case code to branch on.
    pub code: String,
    /// The input field at fault, when there is one.
    #[schema(nullable = false)]
    pub field: Option<String>,
}

/// The answer of `POST /api/v1/login`.
#[derive(ToSchema)]
pub struct LoginOutput {
    /// A new bearer token; send it as `Authorization: Bearer zjt_…`.
    #[schema(pattern = "^zjt_")]
    pub token: String,
    /// The user the token acts for.
    pub user: Principal,
}

/// A category of the product catalogue.
#[derive(ToSchema)]
pub struct CategoryView {
    /// Stable id, e.g. `F05` (dairy) or `I03` (wires and cables).
    pub id: String,
    /// The Chinese name.
    pub name: String,
    /// The English name.
    pub name_en: String,
    /// The catalogue it comes from.
    pub kind: CatalogueKind,
    /// Its risk grade: I is the highest.
    pub risk_grade: RiskGrade,
}

/// Which licence regime: industrial products (`XK…`) or food (`SC…`).
// Described here because `zhijian_core::licence_number::LicenceKind` carries no schema;
// a test checks that the two spell their values alike.
#[derive(ToSchema)]
#[schema(as = LicenceKind, rename_all = "snake_case")]
pub enum LicenceKindSchema {
    /// Industrial product production licence, `XK…`.
    Industrial,
    /// Food (and food additive) production licence, `SC…`.
    Food,
}

/// The multipart form of an attachment upload.
#[derive(ToSchema)]
pub struct AttachmentUpload {
    /// The file: PNG, JPEG, GIF or PDF. The part's file name becomes the attachment's name
    /// (a plain name of at most 200 characters).
    #[schema(value_type = String, content_media_type = "application/octet-stream")]
    pub file: Vec<u8>,
}

/// The path parameter naming an enterprise.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UsccPath {
    /// The enterprise's unified social credit code.
    #[param(example = "91350100M000100Y43")]
    pub uscc: String,
}

/// The CSRF header of cookie-authenticated writes.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct CsrfHeader {
    /// The session's CSRF token. Required when authenticating with the `zj_session`
    /// cookie (a missing or wrong one answers 403 `csrf`); not needed with a bearer token.
    #[param(rename = "X-CSRF-Token", nullable = false)]
    pub x_csrf_token: Option<String>,
}

/// 400: the request could not be read: malformed JSON (`malformed_json`), a bad query
/// string or unknown query parameter (`invalid_query`), a bad path parameter
/// (`invalid_path`), or a broken multipart upload (`invalid_upload`).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "https://zhijian.dev/problems/malformed_json",
        "title": "Bad Request",
        "status": 400,
        "detail": "Failed to parse the request body as JSON: expected value at line 1 column 1",
        "code": "malformed_json"
    })
)]
pub struct BadRequest(pub Problem);

/// 401: no valid credentials: none sent (`unauthorized`), an unknown or expired bearer
/// token (`unauthorized`), an expired session (`session_expired`), or a wrong username or
/// password at login (`login_failed`).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "https://zhijian.dev/problems/unauthorized",
        "title": "Unauthorized",
        "status": 401,
        "detail": "log in or send a valid bearer token",
        "code": "unauthorized"
    })
)]
pub struct Unauthorized(pub Problem);

/// 403: the caller's role may not do this (`forbidden`), or a cookie-authenticated write
/// came without the right `X-CSRF-Token` header (`csrf`).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "https://zhijian.dev/problems/forbidden",
        "title": "Forbidden",
        "status": 403,
        "detail": "this action is not allowed for your role",
        "code": "forbidden"
    })
)]
pub struct Forbidden(pub Problem);

/// 404: absent, or outside what the caller may see (`not_found`); the two are not told
/// apart.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "https://zhijian.dev/problems/not_found",
        "title": "Not Found",
        "status": 404,
        "detail": "not found, or not visible to you",
        "code": "not_found"
    })
)]
pub struct NotFound(pub Problem);

/// 413: the body is larger than the node accepts (`payload_too_large`).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "https://zhijian.dev/problems/payload_too_large",
        "title": "Payload Too Large",
        "status": 413,
        "detail": "Failed to buffer the request body: length limit exceeded",
        "code": "payload_too_large"
    })
)]
pub struct PayloadTooLarge(pub Problem);

/// 415: the body is not sent as `application/json` (`unsupported_media_type`).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "https://zhijian.dev/problems/unsupported_media_type",
        "title": "Unsupported Media Type",
        "status": 415,
        "detail": "Expected request with `Content-Type: application/json`",
        "code": "unsupported_media_type"
    })
)]
pub struct UnsupportedMediaType(pub Problem);

/// 422: the input breaks a rule; `field` names it. Codes include `required`,
/// `unknown_field`, `invalid_json` (a value of the wrong type), `invalid_value`,
/// `text_too_long`, `date_format`, `immutable_field`, `page`, the parsers' codes
/// (`uscc_*`, `gtin_*`, `region_*`, `licence_*`, `attachment_*`) and the store's
/// (`region_unknown`, `category_unknown`, `record_kind`, `licence_scope_empty`,
/// `licence_field_required`, `licence_number_kind`, `licence_validity`).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "https://zhijian.dev/problems/required",
        "title": "Unprocessable Entity",
        "status": 422,
        "detail": "name is required",
        "code": "required",
        "field": "name"
    })
)]
pub struct Unprocessable(pub Problem);

/// 500: something failed inside the node (`internal`); the cause is logged, not told.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "https://zhijian.dev/problems/internal",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "internal error; it has been logged",
        "code": "internal"
    })
)]
pub struct Internal(pub Problem);

/// The schema of a region's `level`.
pub fn region_level() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(["national", "province", "city", "county"]))
        .build()
}

/// The schema of a supervision record's `kind`: a reference to `RecordKind`.
pub fn record_kind() -> RefOr<Schema> {
    Ref::from_schema_name("RecordKind").into()
}

/// `RecordKind`, from the store's list of kinds.
fn record_kind_schema() -> Schema {
    let labels: Vec<String> = RECORD_KINDS
        .iter()
        .map(|(id, zh, en)| format!("`{id}`: {zh} ({en})"))
        .collect();
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(format!(
                "A kind of supervision record. {}.",
                labels.join("; ")
            )))
            .enum_values(Some(RECORD_KINDS.iter().map(|(id, _, _)| *id)))
            .build(),
    )
}

/// What derives cannot say: the security schemes, and the fields of store types whose
/// values come from types without a schema.
struct Extras;

impl Modify for Extras {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("zjt_…")
                    .description(Some(
                        "`Authorization: Bearer zjt_…`, with a token from `POST /api/v1/login` \
                         (or issued by an administrator).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "zj_session",
                "The console's session cookie. Requests other than GET, HEAD and OPTIONS \
                 must also send the session's CSRF token in `X-CSRF-Token`, or they are \
                 refused with 403 `csrf`.",
            ))),
        );
        components
            .schemas
            .insert("RecordKind".into(), record_kind_schema().into());
        point_property_at(
            components,
            "Licence",
            "kind",
            "LicenceKind",
            "Industrial or food.",
        );
        point_property_at(
            components,
            "SupervisionRecord",
            "kind",
            "RecordKind",
            "What kind of record.",
        );
    }
}

/// Replaces `schema.property` with a reference to the schema `target`.
fn point_property_at(
    components: &mut utoipa::openapi::Components,
    schema: &str,
    property: &str,
    target: &str,
    description: &str,
) {
    if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(schema)
        && let Some(slot) = object.properties.get_mut(property)
    {
        *slot = RefBuilder::new()
            .ref_location_from_schema_name(target)
            .description(Some(description))
            .build()
            .into();
    }
}
