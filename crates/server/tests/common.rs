//! Shared helpers for the server's integration tests.
#![allow(dead_code, missing_docs)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;
use zhijian_core::access::Role;
use zhijian_core::region::RegionCode;
use zhijian_core::uscc::{Uscc, check_character, organisation_check_character};
use zhijian_server::config::Config;
use zhijian_server::state::AppState;
use zhijian_store::Store;
use zhijian_store::identity::{Membership, NewUser};
use zhijian_store::testing::TestStore;

/// A valid credit code registered in `region`, distinct per `serial`.
pub fn uscc(region: &str, serial: u32) -> Uscc {
    let org = format!("{serial:08}");
    let org_check = organisation_check_character(&org).unwrap();
    let body = format!("91{region}{org}{org_check}");
    let check = check_character(&body).unwrap();
    Uscc::parse(&format!("{body}{check}")).unwrap()
}

/// The application over a test store.
pub fn app(t: &TestStore) -> Router {
    app_on(t, t.store.clone())
}

/// The router of [`app`] over another store of the same database (one reopened).
pub fn app_on(t: &TestStore, store: Store) -> Router {
    let config = Config {
        data: t.dir.path().to_owned(),
        node_code: Some("13".into()),
        verify_rate_limit: 0,
        join_rate_limit: 0,
        ..Config::default()
    };
    zhijian_server::router(AppState::new(store, config).unwrap())
}

/// Creates a user and returns a bearer token for it.
pub async fn user(store: &Store, name: &str, role: Role, membership: Membership) -> String {
    store
        .create_user(
            &NewUser {
                username: name.into(),
                password: "correct horse".into(),
                role,
                membership,
                display_name: None,
            },
            "test",
        )
        .await
        .unwrap();
    store.create_token(name, "test", "test").await.unwrap()
}

pub fn bureau(region: &str) -> Membership {
    Membership::Bureau(RegionCode::parse(region).unwrap())
}

/// A request's answer: status, content type, and the body as JSON (Null when not JSON).
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub json: serde_json::Value,
    pub raw: Vec<u8>,
}

pub async fn send(app: &Router, req: Request<Body>) -> Answer {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let raw = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    let json = serde_json::from_slice(&raw).unwrap_or(serde_json::Value::Null);
    Answer {
        status,
        content_type,
        json,
        raw,
    }
}

/// Builds a JSON (or empty) request with an optional bearer token.
pub fn request(
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    match body {
        Some(v) => b
            .header("content-type", "application/json")
            .body(Body::from(v.to_string()))
            .unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}

/// A multipart upload of one file in the field `file`.
pub fn upload(uri: &str, token: Option<&str>, name: &str, bytes: &[u8]) -> Request<Body> {
    form_upload(uri, token, &[], name, bytes)
}

/// A multipart form: text fields, then one file in the field `file`.
#[allow(dead_code)]
pub fn form_upload(
    uri: &str,
    token: Option<&str>,
    fields: &[(&str, &str)],
    name: &str,
    bytes: &[u8],
) -> Request<Body> {
    let boundary = "zhijian-test-boundary";
    let mut body = Vec::new();
    for (field, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut b = Request::builder().method("POST").uri(uri).header(
        "content-type",
        format!("multipart/form-data; boundary={boundary}"),
    );
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b.body(Body::from(body)).unwrap()
}

/// The audit chain's length and head, to prove a refused request changed nothing.
pub async fn audit_head(store: &Store) -> (i64, String) {
    zhijian_store::audit::head(store.db()).await.unwrap()
}

/// A tiny valid PNG.
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde";
