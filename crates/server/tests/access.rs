//! Every route × every role × (inside / outside the caller's region or enterprise):
//! what is allowed succeeds, what is not is refused, changes nothing, and reveals nothing.
//!
//! The expected outcomes are written out by hand below, not derived from the rules under
//! test, so a change to the rules that opens a leak makes this test fail.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;
use zhijian_core::access::Role;
use zhijian_store::identity::Membership;
use zhijian_store::testing::fresh_stores;

/// The callers, in the column order of the table below.
const CALLERS: [&str; 7] = [
    "admin",
    "officer",
    "viewer",
    "enterprise",
    "printer",
    "lab",
    "anonymous",
];

/// For each route: whether each caller may act on an enterprise inside its own scope,
/// and on one outside it (`Y` allowed, `.` refused).
const MATRIX: &[(&str, &str, &str)] = &[
    // route                          inside     outside
    ("read archive", "YYYY...", "Y......"),
    ("update archive", "YY.....", "Y......"),
    ("create enterprise", "YY.....", "Y......"),
    ("add product", "YY.Y...", "Y......"),
    ("add record", "YY.....", "Y......"),
    ("attach file", "YY.....", "Y......"),
    ("read attachment", "YYYY...", "Y......"),
    ("apply for licence", "YY.Y...", "Y......"),
    ("read licence", "YYYY...", "Y......"),
    ("decide licence", "YY.....", "Y......"),
    ("register printer", "YY.....", "Y......"),
    ("register lab", "YY.....", "Y......"),
];

struct World {
    /// Credit code, a record id, an attachment id, per side (0 inside, 1 outside).
    enterprise: [String; 2],
    record: [i64; 2],
    attachment: [i64; 2],
    region: [&'static str; 2],
    tokens: Vec<Option<String>>,
}

#[tokio::test]
async fn no_route_leaks_across_roles_and_regions() {
    for t in fresh_stores().await {
        let s = &t.store;
        let app = app(&t);
        let admin = user(s, "admin", Role::Admin, Membership::None).await;
        let officer = user(s, "sjz-officer", Role::Officer, bureau("130100")).await;
        let viewer = user(s, "sjz-viewer", Role::Viewer, bureau("130100")).await;

        // Inside: an enterprise in Shijiazhuang (130102); outside: one in Baoding (130602).
        let region = ["130102", "130602"];
        let mut enterprise = [String::new(), String::new()];
        let mut record = [0; 2];
        let mut attachment = [0; 2];
        for side in 0..2 {
            let code = uscc(region[side], side as u32 + 1);
            let a = send(
                &app,
                request(
                    "POST",
                    "/api/v1/enterprises",
                    Some(&admin),
                    Some(json!({
                        "uscc": code.as_str(), "name": format!("企业{side}"), "region": region[side]
                    })),
                ),
            )
            .await;
            assert_eq!(a.status, StatusCode::CREATED, "{}: {:?}", t.label, a.json);
            enterprise[side] = code.as_str().to_owned();
            let r = send(
                &app,
                request(
                    "POST",
                    &format!("/api/v1/enterprises/{code}/records"),
                    Some(&admin),
                    Some(json!({
                        "kind": "visit", "occurred_on": "2026-10-01", "summary": "日常巡查"
                    })),
                ),
            )
            .await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
            record[side] = r.json["id"].as_i64().unwrap();
            let f = send(
                &app,
                upload(
                    &format!("/api/v1/records/{}/attachments", record[side]),
                    Some(&admin),
                    "photo.png",
                    PNG,
                ),
            )
            .await;
            assert_eq!(f.status, StatusCode::CREATED, "{:?}", f.json);
            attachment[side] = f.json["id"].as_i64().unwrap();
        }
        let ent = user(
            s,
            "ent-a",
            Role::Enterprise,
            Membership::Organisation(enterprise[0].clone()),
        )
        .await;
        let printer_code = uscc("130102", 901);
        let lab_code = uscc("130102", 902);
        for (path, code) in [
            ("/api/v1/printers", &printer_code),
            ("/api/v1/labs", &lab_code),
        ] {
            let a = send(
                &app,
                request(
                    "POST",
                    path,
                    Some(&admin),
                    Some(json!({"uscc": code.as_str(), "name": "机构", "region": "130102"})),
                ),
            )
            .await;
            assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
        }
        let printer = user(
            s,
            "printer",
            Role::Printer,
            Membership::Organisation(printer_code.as_str().into()),
        )
        .await;
        let lab = user(
            s,
            "lab",
            Role::Lab,
            Membership::Organisation(lab_code.as_str().into()),
        )
        .await;
        let world = World {
            enterprise,
            record,
            attachment,
            region: ["130102", "130602"],
            tokens: vec![
                Some(admin.clone()),
                Some(officer),
                Some(viewer),
                Some(ent),
                Some(printer),
                Some(lab),
                None,
            ],
        };

        let mut serial = 1000;
        for (route, inside, outside) in MATRIX {
            for (side, expected) in [(0usize, inside), (1usize, outside)] {
                for (i, caller) in CALLERS.iter().enumerate() {
                    let allowed = expected.as_bytes()[i] == b'Y';
                    serial += 1;
                    let token = world.tokens[i].as_deref();
                    let req = build(route, side, &world, serial, &admin, &app).await;
                    let before = audit_head(s).await;
                    let a = send(&app, req.with_token(token)).await;
                    let what = format!(
                        "{}: {caller} {route} {}",
                        t.label,
                        if side == 0 { "inside" } else { "outside" }
                    );
                    if allowed {
                        assert!(
                            a.status.is_success(),
                            "{what}: expected success, got {} {:?}",
                            a.status,
                            a.json
                        );
                        continue;
                    }
                    assert!(
                        matches!(
                            a.status,
                            StatusCode::UNAUTHORIZED
                                | StatusCode::FORBIDDEN
                                | StatusCode::NOT_FOUND
                        ),
                        "{what}: expected refusal, got {} {:?}",
                        a.status,
                        a.json
                    );
                    assert_eq!(a.content_type, "application/problem+json", "{what}");
                    assert_eq!(
                        audit_head(s).await,
                        before,
                        "{what}: a refused request changed data"
                    );
                    if token.is_none() {
                        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{what}");
                    }
                    // Outside the caller's scope, existing things look exactly like missing ones.
                    if side == 1 && token.is_some() && route.starts_with("read") {
                        assert_eq!(a.status, StatusCode::NOT_FOUND, "{what}");
                        let text = String::from_utf8_lossy(&a.raw);
                        assert!(
                            !text.contains(&world.enterprise[1]),
                            "{what}: body names the enterprise"
                        );
                    }
                }
            }
        }

        // Lists never show what is outside; they do show what is inside.
        let expect_inside = [true, true, true, true, false, false];
        for (i, caller) in CALLERS.iter().enumerate().take(6) {
            let a = send(
                &app,
                request(
                    "GET",
                    "/api/v1/enterprises?per_page=1000",
                    world.tokens[i].as_deref(),
                    None,
                ),
            )
            .await;
            assert_eq!(a.status, StatusCode::OK, "{caller}");
            let codes: Vec<&str> = a.json["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|e| e["uscc"].as_str())
                .collect();
            assert_eq!(
                codes.contains(&world.enterprise[0].as_str()),
                expect_inside[i],
                "{}: {caller} list inside",
                t.label
            );
            assert_eq!(
                codes.contains(&world.enterprise[1].as_str()),
                *caller == "admin",
                "{}: {caller} list leaks",
                t.label
            );
            assert_eq!(
                a.json["total"].as_i64().unwrap() as usize,
                codes.len(),
                "{caller}: total counts only visible rows"
            );
        }
        let anon = send(&app, request("GET", "/api/v1/enterprises", None, None)).await;
        assert_eq!(anon.status, StatusCode::UNAUTHORIZED);

        // A missing enterprise and an invisible one give the same answer.
        let officer_token = world.tokens[1].as_deref();
        let hidden = send(
            &app,
            request(
                "GET",
                &format!("/api/v1/enterprises/{}", world.enterprise[1]),
                officer_token,
                None,
            ),
        )
        .await;
        let missing = send(
            &app,
            request(
                "GET",
                &format!("/api/v1/enterprises/{}", uscc("130602", 77)),
                officer_token,
                None,
            ),
        )
        .await;
        assert_eq!(
            (hidden.status, hidden.raw),
            (missing.status, missing.raw),
            "{}",
            t.label
        );
    }
}

/// A request without its token yet.
struct Pending(axum::http::request::Builder, axum::body::Body);

impl Pending {
    fn with_token(self, token: Option<&str>) -> axum::http::Request<axum::body::Body> {
        let mut b = self.0;
        if let Some(t) = token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        b.body(self.1).unwrap()
    }
}

fn json_req(method: &str, uri: &str, body: serde_json::Value) -> Pending {
    Pending(
        axum::http::Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json"),
        axum::body::Body::from(body.to_string()),
    )
}

fn get(uri: &str) -> Pending {
    Pending(
        axum::http::Request::builder().method("GET").uri(uri),
        axum::body::Body::empty(),
    )
}

/// Builds the request for one cell, preparing fresh objects (as admin) where the action
/// consumes them.
async fn build(
    route: &str,
    side: usize,
    w: &World,
    serial: u32,
    admin: &str,
    app: &axum::Router,
) -> Pending {
    let e = &w.enterprise[side];
    match route {
        "read archive" => get(&format!("/api/v1/enterprises/{e}")),
        "update archive" => json_req(
            "PATCH",
            &format!("/api/v1/enterprises/{e}"),
            json!({"address": format!("地址{serial}")}),
        ),
        "create enterprise" => json_req(
            "POST",
            "/api/v1/enterprises",
            json!({"uscc": uscc(w.region[side], serial).as_str(), "name": "新企业", "region": w.region[side]}),
        ),
        "add product" => json_req(
            "POST",
            &format!("/api/v1/enterprises/{e}/products"),
            json!({"name": format!("产品{serial}"), "category": "F05"}),
        ),
        "add record" => json_req(
            "POST",
            &format!("/api/v1/enterprises/{e}/records"),
            json!({"kind": "inspection", "occurred_on": "2026-11-01", "summary": "检查"}),
        ),
        "attach file" => {
            let r = upload(
                &format!("/api/v1/records/{}/attachments", w.record[side]),
                None,
                "scan.png",
                PNG,
            );
            let (parts, body) = r.into_parts();
            let mut b = axum::http::Request::builder()
                .method(parts.method)
                .uri(parts.uri);
            for (k, v) in &parts.headers {
                b = b.header(k, v);
            }
            Pending(b, body)
        }
        "read attachment" => get(&format!("/api/v1/attachments/{}", w.attachment[side])),
        "apply for licence" => json_req(
            "POST",
            "/api/v1/licences",
            json!({"enterprise": e, "kind": "food", "scope": ["F05"]}),
        ),
        "read licence" | "decide licence" => {
            let a = send(
                app,
                request(
                    "POST",
                    "/api/v1/licences",
                    Some(admin),
                    Some(json!({"enterprise": e, "kind": "food", "scope": ["F05"]})),
                ),
            )
            .await;
            let id = a.json["id"].as_i64().expect("licence created");
            if route == "read licence" {
                get(&format!("/api/v1/licences/{id}"))
            } else {
                json_req(
                    "POST",
                    &format!("/api/v1/licences/{id}/transitions"),
                    json!({"action": "accept"}),
                )
            }
        }
        "register printer" | "register lab" => json_req(
            "POST",
            if route == "register printer" {
                "/api/v1/printers"
            } else {
                "/api/v1/labs"
            },
            json!({"uscc": uscc(w.region[side], serial).as_str(), "name": "机构", "region": w.region[side]}),
        ),
        other => panic!("no request for {other}"),
    }
}
