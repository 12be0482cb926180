//! Bad input gets a clear 4xx problem+json naming the field and the rule, and changes
//! nothing — not even the audit chain.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::json;
use zhijian_core::access::Role;

use zhijian_store::testing::fresh_stores;

/// (what, request, expected status, expected code, expected field).
type Case = (
    &'static str,
    Request<Body>,
    StatusCode,
    &'static str,
    Option<&'static str>,
);

#[tokio::test]
async fn bad_input_is_refused_clearly_and_changes_nothing() {
    for t in fresh_stores().await {
        let s = &t.store;
        let app = app(&t);
        let officer = user(s, "sjz", Role::Officer, bureau("130100")).await;
        let tok = Some(officer.as_str());
        let existing = uscc("130102", 1);
        let a = send(
            &app,
            request(
                "POST",
                "/api/v1/enterprises",
                tok,
                Some(json!({"uscc": existing.as_str(), "name": "甲", "region": "130102"})),
            ),
        )
        .await;
        assert_eq!(a.status, StatusCode::CREATED);
        let licence = send(
            &app,
            request(
                "POST",
                "/api/v1/licences",
                tok,
                Some(json!({"enterprise": existing.as_str(), "kind": "food", "scope": ["F05"]})),
            ),
        )
        .await;
        let licence_id = licence.json["id"].as_i64().unwrap();
        let r = send(
            &app,
            request(
                "POST",
                &format!("/api/v1/enterprises/{existing}/records"),
                tok,
                Some(json!({"kind": "visit", "occurred_on": "2026-01-02", "summary": "巡查"})),
            ),
        )
        .await;
        let record_id = r.json["id"].as_i64().unwrap();
        let good = |over: serde_json::Value| {
            let mut base =
                json!({"uscc": uscc("130102", 2).as_str(), "name": "乙", "region": "130102"});
            for (k, v) in over.as_object().unwrap() {
                base[k] = v.clone();
            }
            base
        };
        let mut bad_checksum = existing.as_str().to_owned();
        bad_checksum.replace_range(
            17..18,
            if existing.as_str().ends_with('A') {
                "B"
            } else {
                "A"
            },
        );

        let cases: Vec<Case> = vec![
            (
                "malformed JSON",
                raw(
                    "POST",
                    "/api/v1/enterprises",
                    tok,
                    "application/json",
                    "{\"uscc\": ",
                ),
                StatusCode::BAD_REQUEST,
                "malformed_json",
                None,
            ),
            (
                "JSON without its content type",
                raw(
                    "POST",
                    "/api/v1/enterprises",
                    tok,
                    "text/plain",
                    &good(json!({})).to_string(),
                ),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                None,
            ),
            (
                "unknown field",
                request(
                    "POST",
                    "/api/v1/enterprises",
                    tok,
                    Some(good(json!({"nmae": "x"}))),
                ),
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_field",
                Some("nmae"),
            ),
            (
                "wrong type",
                request(
                    "POST",
                    "/api/v1/enterprises",
                    tok,
                    Some(good(json!({"name": 42}))),
                ),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_json",
                Some("name"),
            ),
            (
                "missing name",
                request(
                    "POST",
                    "/api/v1/enterprises",
                    tok,
                    Some(json!({"uscc": uscc("130102", 3).as_str(), "region": "130102"})),
                ),
                StatusCode::UNPROCESSABLE_ENTITY,
                "required",
                Some("name"),
            ),
            (
                "credit code too short",
                request(
                    "POST",
                    "/api/v1/enterprises",
                    tok,
                    Some(good(json!({"uscc": "91130102"}))),
                ),
                StatusCode::UNPROCESSABLE_ENTITY,
                "uscc_length",
                Some("uscc"),
            ),
            (
                "credit code check",
                request(
                    "POST",
                    "/api/v1/enterprises",
                    tok,
                    Some(good(json!({"uscc": bad_checksum}))),
                ),
                StatusCode::UNPROCESSABLE_ENTITY,
                "uscc_check_character",
                Some("uscc"),
            ),
            (
                "unknown region",
                request(
                    "POST",
                    "/api/v1/enterprises",
                    tok,
                    Some(good(json!({"region": "139999"}))),
                ),
                StatusCode::UNPROCESSABLE_ENTITY,
                "region_unknown",
                Some("region"),
            ),
            (
                "malformed region",
                request(
                    "POST",
                    "/api/v1/enterprises",
                    tok,
                    Some(good(json!({"region": "13-01"}))),
                ),
                StatusCode::UNPROCESSABLE_ENTITY,
                "region_format",
                Some("region"),
            ),
            (
                "duplicate enterprise",
                request(
                    "POST",
                    "/api/v1/enterprises",
                    tok,
                    Some(good(json!({"uscc": existing.as_str()}))),
                ),
                StatusCode::CONFLICT,
                "enterprise_exists",
                Some("uscc"),
            ),
            (
                "bad phone",
                request(
                    "POST",
                    "/api/v1/enterprises",
                    tok,
                    Some(good(json!({"contact_phone": "call me"}))),
                ),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_value",
                Some("contact_phone"),
            ),
            (
                "name too long",
                request(
                    "POST",
                    "/api/v1/enterprises",
                    tok,
                    Some(good(json!({"name": "长".repeat(101)}))),
                ),
                StatusCode::UNPROCESSABLE_ENTITY,
                "text_too_long",
                Some("name"),
            ),
            (
                "GTIN check digit",
                request(
                    "POST",
                    &format!("/api/v1/enterprises/{existing}/products"),
                    tok,
                    Some(json!({"name": "奶", "category": "F05", "gtin": "6901234567891"})),
                ),
                StatusCode::UNPROCESSABLE_ENTITY,
                "gtin_check_digit",
                Some("gtin"),
            ),
            (
                "unknown category",
                request(
                    "POST",
                    &format!("/api/v1/enterprises/{existing}/products"),
                    tok,
                    Some(json!({"name": "奶", "category": "Z99"})),
                ),
                StatusCode::UNPROCESSABLE_ENTITY,
                "category_unknown",
                Some("category"),
            ),
            (
                "transition not allowed",
                request(
                    "POST",
                    &format!("/api/v1/licences/{licence_id}/transitions"),
                    tok,
                    Some(json!({"action": "issue"})),
                ),
                StatusCode::CONFLICT,
                "licence_transition_not_allowed",
                None,
            ),
            (
                "unknown action",
                request(
                    "POST",
                    &format!("/api/v1/licences/{licence_id}/transitions"),
                    tok,
                    Some(json!({"action": "bless"})),
                ),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_value",
                Some("action"),
            ),
            (
                "bad date",
                request(
                    "POST",
                    &format!("/api/v1/enterprises/{existing}/records"),
                    tok,
                    Some(json!({"kind": "visit", "occurred_on": "2026-13-40", "summary": "x"})),
                ),
                StatusCode::UNPROCESSABLE_ENTITY,
                "date_format",
                Some("occurred_on"),
            ),
            (
                "attachment of the wrong type",
                upload(
                    &format!("/api/v1/records/{record_id}/attachments"),
                    tok,
                    "report.pdf",
                    b"MZ\x90\x00 not a pdf",
                ),
                StatusCode::UNPROCESSABLE_ENTITY,
                "attachment_type",
                Some("file"),
            ),
            (
                "path-like file name",
                upload(
                    &format!("/api/v1/records/{record_id}/attachments"),
                    tok,
                    "../../etc/passwd.png",
                    PNG,
                ),
                StatusCode::UNPROCESSABLE_ENTITY,
                "attachment_name",
                Some("file"),
            ),
            (
                "oversized attachment",
                upload(
                    &format!("/api/v1/records/{record_id}/attachments"),
                    tok,
                    "big.png",
                    &[PNG, &vec![0u8; 10 * 1024 * 1024 + 1]].concat(),
                ),
                StatusCode::UNPROCESSABLE_ENTITY,
                "attachment_too_large",
                Some("file"),
            ),
            (
                "oversized JSON body",
                request(
                    "POST",
                    "/api/v1/enterprises",
                    tok,
                    Some(good(json!({"address": "x".repeat(2 * 1024 * 1024)}))),
                ),
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                None,
            ),
            (
                "page zero",
                request("GET", "/api/v1/enterprises?page=0", tok, None),
                StatusCode::UNPROCESSABLE_ENTITY,
                "page",
                Some("per_page"),
            ),
            (
                "page too large",
                request("GET", "/api/v1/enterprises?per_page=1001", tok, None),
                StatusCode::UNPROCESSABLE_ENTITY,
                "page",
                Some("per_page"),
            ),
            (
                "page not a number",
                request("GET", "/api/v1/enterprises?page=x", tok, None),
                StatusCode::BAD_REQUEST,
                "invalid_query",
                None,
            ),
            (
                "licence id not a number",
                request("GET", "/api/v1/licences/abc", tok, None),
                StatusCode::BAD_REQUEST,
                "invalid_path",
                None,
            ),
            (
                "unknown token",
                request("GET", "/api/v1/me", Some("zjt_forged"), None),
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                None,
            ),
            (
                "expired session",
                Request::builder()
                    .uri("/api/v1/me")
                    .header("cookie", "zj_session=zjs_expired_or_forged")
                    .body(Body::empty())
                    .unwrap(),
                StatusCode::UNAUTHORIZED,
                "session_expired",
                None,
            ),
            (
                "unknown route",
                request("GET", "/api/v1/nothing-here", tok, None),
                StatusCode::NOT_FOUND,
                "not_found",
                None,
            ),
        ];
        for (what, req, status, code, field) in cases {
            let before = audit_head(s).await;
            let a = send(&app, req).await;
            let what = format!("{}: {what}", t.label);
            assert_eq!(a.status, status, "{what}: {:?}", a.json);
            assert_eq!(a.content_type, "application/problem+json", "{what}");
            assert_eq!(a.json["code"], code, "{what}: {:?}", a.json);
            assert_eq!(a.json["status"], status.as_u16(), "{what}");
            assert!(
                a.json["detail"].as_str().is_some_and(|d| !d.is_empty()),
                "{what}"
            );
            if let Some(f) = field {
                assert_eq!(a.json["field"], f, "{what}: {:?}", a.json);
            }
            assert_eq!(
                audit_head(s).await,
                before,
                "{what}: refused input changed data"
            );
        }
        let archive = send(
            &app,
            request("GET", &format!("/api/v1/enterprises/{existing}"), tok, None),
        )
        .await;
        assert_eq!(
            archive.json["name"], "甲",
            "{}: the duplicate did not overwrite",
            t.label
        );
        assert!(
            archive.json["records"][0]["attachments"]
                .as_array()
                .unwrap()
                .is_empty(),
            "{}",
            t.label
        );
    }
}

#[tokio::test]
async fn problems_speak_the_callers_language() {
    for t in fresh_stores().await {
        let app = app(&t);
        let token = user(&t.store, "sjz", Role::Officer, bureau("130100")).await;
        let body = json!({"uscc": "91130102", "name": "x", "region": "130102"});
        let zh = send(
            &app,
            request(
                "POST",
                "/api/v1/enterprises",
                Some(&token),
                Some(body.clone()),
            ),
        )
        .await;
        assert!(
            zh.json["detail"]
                .as_str()
                .unwrap()
                .contains("统一社会信用代码"),
            "{:?}",
            zh.json
        );
        let mut req = request("POST", "/api/v1/enterprises", Some(&token), Some(body));
        req.headers_mut()
            .insert("accept-language", "en-GB,en;q=0.9".parse().unwrap());
        let en = send(&app, req).await;
        assert_eq!(en.json["code"], zh.json["code"]);
        let detail = en.json["detail"].as_str().unwrap();
        assert!(detail.is_ascii() && detail.contains("18"), "{detail}");
    }
}

#[tokio::test]
async fn the_legacy_pilot_code_is_accepted_only_when_flagged() {
    for t in fresh_stores().await {
        let app = app(&t);
        let token = user(&t.store, "fujian", Role::Officer, bureau("350000")).await;
        let body =
            json!({"uscc": "91350211M00013FA1N", "name": "厦门试点企业", "region": "350211"});
        let refused = send(
            &app,
            request(
                "POST",
                "/api/v1/enterprises",
                Some(&token),
                Some(body.clone()),
            ),
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.json["code"], "uscc_check_character");
        let mut flagged = body;
        flagged["accept_legacy_uscc"] = json!(true);
        let ok = send(
            &app,
            request("POST", "/api/v1/enterprises", Some(&token), Some(flagged)),
        )
        .await;
        assert_eq!(ok.status, StatusCode::CREATED, "{}: {:?}", t.label, ok.json);
        assert_eq!(ok.json["uscc_legacy"], true);
    }
}

fn raw(
    method: &str,
    uri: &str,
    token: Option<&str>,
    content_type: &str,
    body: &str,
) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", content_type);
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b.body(Body::from(body.to_owned())).unwrap()
}
