//! The OpenAPI document: the committed copy matches what the server serves, every route
//! is described, and the hand-written parts agree with the code they describe.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use zhijian_server::config::Config;
use zhijian_server::state::AppState;

/// The committed copy.
const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
/// How to rewrite it.
const REGENERATE: &str = "ZHIJIAN_UPDATE_OPENAPI=1 cargo test -p zhijian-server --test openapi";
/// The API's routes, as `api::routes` declares them.
const API_ROUTES: &str = include_str!("../src/api/mod.rs");
/// The HTTP methods axum's `routing` functions are named after.
const METHODS: [&str; 7] = ["get", "post", "put", "patch", "delete", "head", "options"];

/// GETs `uri` from a fresh application and returns the status and the JSON body.
async fn get_json(uri: &str) -> (StatusCode, Option<String>, Value) {
    let stores = zhijian_store::testing::fresh_stores().await;
    let config = Config {
        code_key: Some("000102030405060708090a0b0c0d0e0f".into()),
        ..Config::default()
    };
    let state = AppState::new(stores[0].store.clone(), config).unwrap();
    let res = zhijian_server::router(state)
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = res.status();
    let media = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    let body = serde_json::from_slice(&bytes).expect("a JSON body");
    (status, media, body)
}

/// The document as `GET /api/v1/openapi.json` serves it.
async fn served() -> Value {
    let (status, media, doc) = get_json("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(media.as_deref(), Some("application/json"));
    doc
}

/// The form the committed copy is kept in.
fn pretty(doc: &Value) -> String {
    let mut text = serde_json::to_string_pretty(doc).expect("serialise");
    text.push('\n');
    text
}

#[tokio::test]
async fn committed_document_is_the_served_one() {
    let served = pretty(&served().await);
    if std::env::var_os("ZHIJIAN_UPDATE_OPENAPI").is_some() {
        std::fs::write(COMMITTED, &served).expect("write docs/openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    if committed != served {
        let (line, (old, new)) = committed
            .lines()
            .chain(std::iter::repeat(""))
            .zip(served.lines().chain(std::iter::repeat("")))
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .expect("texts that differ differ on some line");
        panic!(
            "docs/openapi.json is not the document the server serves (first difference at \
             line {}):\n  committed: {old}\n  served:    {new}\nRegenerate it with\n  {REGENERATE}\n\
             and commit the result.",
            line + 1
        );
    }
}

/// `(method, path)` for every `.route("…", get(…).post(…))` in `api/mod.rs`.
fn declared_routes() -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for call in API_ROUTES.split(".route(").skip(1) {
        let mut parts = call.splitn(3, '"');
        let (_, path, handlers) = (parts.next(), parts.next(), parts.next());
        let (Some(path), Some(handlers)) = (path, handlers) else {
            continue;
        };
        for (at, _) in handlers.match_indices('(') {
            let before = &handlers[..at];
            let word_start = before
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(0, |i| i + 1);
            let word = &before[word_start..];
            let qualified = before[..word_start].ends_with(':');
            if METHODS.contains(&word) && !qualified {
                routes.insert((word.to_owned(), path.to_owned()));
            }
        }
    }
    routes
}

/// `(method, path)` for every operation in the document.
fn documented_routes(doc: &Value) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(method).is_some() {
                routes.insert((method.to_owned(), path.clone()));
            }
        }
    }
    routes
}

#[tokio::test]
async fn every_route_is_documented_and_nothing_else() {
    let mut declared = declared_routes();
    assert!(
        declared.len() >= 17,
        "found only {} routes in api/mod.rs; has the way routes are declared changed?",
        declared.len()
    );
    declared.insert(("get".into(), "/api/v1/openapi.json".into()));
    let documented = documented_routes(&served().await);
    let missing: Vec<_> = declared.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&declared).collect();
    assert!(
        missing.is_empty(),
        "routes without a #[utoipa::path] in openapi::ApiDoc: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "documented routes that api::routes does not serve: {extra:?}"
    );
}

#[tokio::test]
async fn document_is_openapi_3_1_titled_zhijian() {
    let doc = served().await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["title"], "zhijian");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["session"]["name"], "zj_session");
}

#[tokio::test]
async fn every_error_answer_is_problem_json() {
    let doc = served().await;
    let responses = &doc["components"]["responses"];
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            for (status, answer) in op["responses"].as_object().expect("responses") {
                if status.starts_with('2') || status.starts_with('3') {
                    continue;
                }
                let answer = match answer["$ref"].as_str() {
                    Some(r) => &responses[r.trim_start_matches("#/components/responses/")],
                    None => answer,
                };
                // Public HTML pages answer errors as pages people read.
                if answer["content"].get("text/html").is_some() {
                    continue;
                }
                assert!(
                    answer["content"]["application/problem+json"]["schema"]["$ref"]
                        == "#/components/schemas/Problem",
                    "{method} {path} answers {status} without a problem+json body"
                );
            }
        }
    }
}

#[tokio::test]
async fn pagination_limits_are_the_core_ones() {
    let doc = served().await;
    let params = doc["paths"]["/api/v1/enterprises"]["get"]["parameters"]
        .as_array()
        .expect("parameters");
    let per_page = params
        .iter()
        .find(|p| p["name"] == "per_page")
        .expect("per_page");
    assert_eq!(
        per_page["schema"]["maximum"],
        zhijian_core::page::MAX_PER_PAGE
    );
    assert_eq!(
        per_page["schema"]["default"],
        zhijian_core::page::DEFAULT_PER_PAGE
    );
    let paged = &doc["paths"]["/api/v1/enterprises"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    let paged = match paged["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => paged,
    };
    let fields: BTreeSet<&str> = paged["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(fields, BTreeSet::from(["items", "total"]));
}

/// The names of a schema's properties.
fn properties(doc: &Value, schema: &str) -> BTreeSet<String> {
    doc["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("schema {schema} has no properties"))
        .keys()
        .cloned()
        .collect()
}

/// The names of a JSON object's fields.
fn fields(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .cloned()
        .collect()
}

#[tokio::test]
async fn problem_schema_has_the_fields_errors_carry() {
    use zhijian_server::error::ApiError;
    use zhijian_server::lang::Lang;
    let doc = served().await;
    let body = ApiError::invalid("required", "name", "name is required").body(Lang::En);
    let body: Value = serde_json::from_str(&body).expect("problem JSON");
    assert_eq!(fields(&body), properties(&doc, "Problem"));
}

#[tokio::test]
async fn category_schema_has_the_fields_categories_carry() {
    let doc = served().await;
    let (status, _, list) = get_json("/api/v1/categories").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fields(&list["items"][0]), properties(&doc, "CategoryView"));
}

#[tokio::test]
async fn licence_kind_schema_spells_the_core_values() {
    use zhijian_core::licence_number::LicenceKind;
    let doc = served().await;
    let described = &doc["components"]["schemas"]["LicenceKind"]["enum"];
    let actual = serde_json::to_value([LicenceKind::Industrial, LicenceKind::Food]).expect("json");
    assert_eq!(described, &actual);
    assert_eq!(
        doc["components"]["schemas"]["Licence"]["properties"]["kind"]["$ref"],
        "#/components/schemas/LicenceKind"
    );
}
