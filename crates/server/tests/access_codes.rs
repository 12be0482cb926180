//! Every supervision-code route × every role × (inside / outside the caller's region,
//! enterprise or print job): what is allowed succeeds, what is not is refused, changes
//! nothing, and reveals nothing; the lists show only what the caller may see.
//!
//! The expected outcomes are written out by hand below, not derived from the rules under
//! test, so a change to the rules that opens a leak makes this test fail. The public
//! verification endpoints are not part of the matrix (they only set up signals here).

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{Value, json};
use zhijian_core::access::Role;
use zhijian_core::code::damm;
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

/// For each route: whether each caller may act on the inside side and on the outside one
/// (`Y` allowed, `.` refused).
///
/// Inside: the caller's own enterprise (enterprise user), its region (officer and viewer of
/// the Shijiazhuang bureau 130100: an enterprise in 130102), the print job assigned to it
/// (printer). Outside: an enterprise in Baoding (130602) whose print jobs went to another
/// printer. Codes are handled (download, print jobs, activation) only by their enterprise
/// and printed only by the printer given the job; bureaus decide and recall in their
/// subtree; viewers only read; labs have nothing here.
#[rustfmt::skip]
const MATRIX: &[(&str, &str, &str)] = &[
    // route                  inside     outside
    //                        AOVEPLa    AOVEPLa    (admin officer viewer enterprise
    //                                               printer lab anonymous)
    ("read application",     "YYYY...", "Y......"),
    ("apply for codes",      "YY.Y...", "Y......"),
    ("approve application",  "YY.....", "Y......"),
    ("refuse application",   "YY.....", "Y......"),
    ("read segment",         "YYYYY..", "Y......"),
    ("download codes",       "...YY..", "......."),
    ("create print job",     "...Y...", "......."),
    ("read print job",       "YYYYY..", "Y......"),
    ("print sheet",          "...YY..", "......."),
    ("confirm print job",    "....Y..", "......."),
    ("activate codes",       "...Y...", "......."),
    ("read batch",           "YYYY...", "Y......"),
    ("recall batch",         "YY.Y...", "Y......"),
    ("decommission batch",   "YY.Y...", "Y......"),
    ("code history",         "YYYY...", "Y......"),
    ("code label",           "...YY..", "......."),
    ("register terminal",    "YY.....", "Y......"),
];

/// For each list: whether each caller (anonymous aside) sees the inside side's items.
/// Nobody but the admin ever sees the outside side's.
#[rustfmt::skip]
const LISTS: &[(&str, &str, &str)] = &[
    // list                          item field    inside (AOVEPL)
    ("/api/v1/code-applications",   "enterprise", "YYYY.."),
    ("/api/v1/segments",            "enterprise", "YYYYY."),
    ("/api/v1/print-jobs",          "enterprise", "YYYYY."),
    ("/api/v1/batches",             "enterprise", "YYYY.."),
    ("/api/v1/counterfeit-signals", "enterprise", "YYYY.."),
    ("/api/v1/terminals",           "region",     "YYY..."),
];

/// Codes per side's segment.
const SEGMENT: i64 = 1000;
/// The first `PRINTED` codes are in the side's print job, confirmed as printed.
const PRINTED: i64 = 500;
/// The first `ACTIVE` codes are activated on the side's batch.
const ACTIVE: i64 = 10;

/// One side's enterprise and the things of it the routes act on.
struct Side {
    /// Credit code and region of the enterprise.
    enterprise: String,
    region: &'static str,
    /// A token of the enterprise's own user (to prepare fresh objects).
    owner: String,
    product: i64,
    /// The credit code of the printer this side's print jobs go to.
    printer: String,
    /// The approved application, its segment and the segment's first index.
    application: i64,
    segment: i64,
    first_index: i64,
    /// The print job of the first `PRINTED` codes, confirmed.
    job: i64,
    /// The batch the first `ACTIVE` codes are on.
    batch: i64,
    /// The segment's first code (printed, in `job`, active) and last (never handed out).
    code: String,
    last_code: String,
}

struct World {
    side: [Side; 2],
    tokens: Vec<Option<String>>,
}

/// The label of one cell or check, for assertion messages.
fn cell(engine: &str, caller: &str, route: &str, side: usize) -> String {
    let side = if side == 0 { "inside" } else { "outside" };
    format!("{engine}: {caller} {route} {side}")
}

/// Sends a request that must succeed (setup), returning its JSON.
async fn must(
    app: &axum::Router,
    what: &str,
    method: &str,
    uri: &str,
    token: &str,
    body: Option<Value>,
) -> Value {
    let a = send(app, request(method, uri, Some(token), body)).await;
    assert!(
        a.status.is_success(),
        "setup {what}: {method} {uri} answered {} {:?}",
        a.status,
        a.json
    );
    a.json
}

/// Activates the side's printed code at `offset` on a new batch `lot`; returns the batch.
async fn activate(app: &axum::Router, what: &str, s: &Side, offset: i64, lot: &str) -> i64 {
    let a = must(
        app,
        what,
        "POST",
        "/api/v1/activations",
        &s.owner,
        Some(activation(s, offset, lot)),
    )
    .await;
    a["batch"]["id"].as_i64().expect("batch id")
}

/// The body activating the side's code at `offset` on batch `lot`.
fn activation(s: &Side, offset: i64, lot: &str) -> Value {
    json!({
        "index_ranges": [{"first": s.first_index + offset, "count": 1}],
        "batch": {"lot": lot, "production_date": "2026-11-01", "expiry_date": "2027-11-01"}
    })
}

/// Creates one side's enterprise, printer, product, segment, confirmed print job, batch,
/// terminal and a counterfeit signal.
async fn prepare(
    app: &axum::Router,
    store: &zhijian_store::Store,
    engine: &str,
    admin: &str,
    i: usize,
    region: &'static str,
) -> Side {
    let what = format!("{engine}: side {i}");
    let enterprise = uscc(region, i as u32 + 1).to_string();
    let printer = uscc(region, i as u32 + 901).to_string();
    must(
        app,
        &what,
        "POST",
        "/api/v1/enterprises",
        admin,
        Some(json!({"uscc": enterprise, "name": format!("企业{i}"), "region": region})),
    )
    .await;
    must(
        app,
        &what,
        "POST",
        "/api/v1/printers",
        admin,
        Some(json!({"uscc": printer, "name": format!("印务{i}"), "region": region})),
    )
    .await;
    let owner = user(
        store,
        &format!("ent-{i}"),
        Role::Enterprise,
        Membership::Organisation(enterprise.clone()),
    )
    .await;
    let printer_user = user(
        store,
        &format!("printer-{i}"),
        Role::Printer,
        Membership::Organisation(printer.clone()),
    )
    .await;
    let product = must(
        app,
        &what,
        "POST",
        &format!("/api/v1/enterprises/{enterprise}/products"),
        admin,
        Some(json!({"name": "纯牛奶", "category": "F05"})),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let application = must(
        app,
        &what,
        "POST",
        "/api/v1/code-applications",
        &owner,
        Some(json!({"enterprise": enterprise, "product_id": product, "quantity": SEGMENT})),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let approved = must(
        app,
        &what,
        "POST",
        &format!("/api/v1/code-applications/{application}/approve"),
        admin,
        None,
    )
    .await;
    // The approving admin is not shown the codes; the owner reads them.
    let seg = &must(
        app,
        &what,
        "GET",
        &format!("/api/v1/segments/{}", approved["segment"]["id"]),
        &owner,
        None,
    )
    .await;
    let job = must(
        app,
        &what,
        "POST",
        "/api/v1/print-jobs",
        &owner,
        Some(
            json!({"segment_id": seg["id"], "printer": printer, "offset": 0, "quantity": PRINTED}),
        ),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    must(
        app,
        &what,
        "POST",
        &format!("/api/v1/print-jobs/{job}/confirm"),
        &printer_user,
        Some(json!({"printed": PRINTED, "spoiled": 0})),
    )
    .await;
    let mut side = Side {
        enterprise,
        region,
        owner,
        product,
        printer,
        application,
        segment: seg["id"].as_i64().unwrap(),
        first_index: seg["first_index"].as_i64().unwrap(),
        job,
        batch: 0,
        code: seg["first_code"].as_str().unwrap().to_owned(),
        last_code: seg["last_code"].as_str().unwrap().to_owned(),
    };
    let a = must(
        app,
        &what,
        "POST",
        "/api/v1/activations",
        &side.owner,
        Some(json!({
            "index_ranges": [{"first": side.first_index, "count": ACTIVE}],
            "batch": {"lot": "MAIN", "production_date": "2026-11-01"}
        })),
    )
    .await;
    side.batch = a["batch"]["id"].as_i64().unwrap();
    // One query of the active code (history), one of the never printed last code in the
    // side's own region (a `not_activated` signal), one terminal in the region.
    for code in [&side.code, &side.last_code] {
        let v = send(
            app,
            request(
                "GET",
                &format!("/api/v1/verify/{code}?region={region}"),
                None,
                None,
            ),
        )
        .await;
        assert_eq!(v.status, StatusCode::OK, "{what}: verify {:?}", v.json);
    }
    must(
        app,
        &what,
        "POST",
        "/api/v1/terminals",
        admin,
        Some(json!({"name": "收银台", "shop": format!("商店{i}"), "region": region})),
    )
    .await;
    side
}

#[tokio::test]
async fn no_code_route_leaks_across_roles_regions_and_printers() {
    for t in fresh_stores().await {
        let s = &t.store;
        let app = app(&t);
        let engine = t.label;
        let admin = user(s, "admin", Role::Admin, Membership::None).await;
        let officer = user(s, "sjz-officer", Role::Officer, bureau("130100")).await;
        let viewer = user(s, "sjz-viewer", Role::Viewer, bureau("130100")).await;
        let inside = prepare(&app, s, engine, &admin, 0, "130102").await;
        let outside = prepare(&app, s, engine, &admin, 1, "130602").await;
        let lab_code = uscc("130102", 902);
        must(
            &app,
            engine,
            "POST",
            "/api/v1/labs",
            &admin,
            Some(json!({"uscc": lab_code.as_str(), "name": "检测所", "region": "130102"})),
        )
        .await;
        let lab = user(
            s,
            "lab",
            Role::Lab,
            Membership::Organisation(lab_code.as_str().into()),
        )
        .await;
        // The printer caller is the inside side's printer: the outside side's jobs went
        // to the other one.
        let printer = user(
            s,
            "printer",
            Role::Printer,
            Membership::Organisation(inside.printer.clone()),
        )
        .await;
        let world = World {
            tokens: vec![
                Some(admin.clone()),
                Some(officer),
                Some(viewer),
                Some(inside.owner.clone()),
                Some(printer),
                Some(lab),
                None,
            ],
            side: [inside, outside],
        };

        // `n` numbers the cells: each consuming cell takes the codes at offset
        // `ACTIVE + n` (printed) or `PRINTED + n` (not yet with a printer).
        let mut n = 0;
        for (route, inside, outside) in MATRIX {
            for (side, expected) in [(0usize, inside), (1usize, outside)] {
                for (i, caller) in CALLERS.iter().enumerate() {
                    let allowed = expected.as_bytes()[i] == b'Y';
                    n += 1;
                    let what = cell(engine, caller, route, side);
                    let token = world.tokens[i].as_deref();
                    let req = build(route, side, &world, n, &app, &what).await;
                    let read = req.0.method_ref() == Some(&Method::GET);
                    let before = audit_head(s).await;
                    let a = send(&app, req.with_token(token)).await;
                    if allowed {
                        assert!(
                            a.status.is_success(),
                            "{what}: expected success, got {} {:?}",
                            a.status,
                            a.json
                        );
                        continue;
                    }
                    // Activation answers codes outside the caller's segments as it
                    // answers codes never issued: 422 `codes_not_yours`.
                    let foreign_codes = *route == "activate codes"
                        && a.status == StatusCode::UNPROCESSABLE_ENTITY
                        && a.json["code"] == "codes_not_yours";
                    assert!(
                        matches!(
                            a.status,
                            StatusCode::UNAUTHORIZED
                                | StatusCode::FORBIDDEN
                                | StatusCode::NOT_FOUND
                        ) || foreign_codes,
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
                    if side == 1 && token.is_some() {
                        // Outside the caller's scope, existing things look exactly like
                        // missing ones (the admin's scope has no outside).
                        if read && *caller != "admin" {
                            assert_eq!(a.status, StatusCode::NOT_FOUND, "{what}");
                        }
                        let text = String::from_utf8_lossy(&a.raw);
                        assert!(
                            !text.contains(&world.side[1].enterprise),
                            "{what}: body names the enterprise"
                        );
                    }
                }
            }
        }

        // Lists never show what is outside; they show what is inside to those who may
        // see it; totals count only visible rows.
        for (list, field, inside) in LISTS {
            for (i, caller) in CALLERS.iter().enumerate().take(6) {
                let what = format!("{engine}: {caller} list {list}");
                let a = send(
                    &app,
                    request(
                        "GET",
                        &format!("{list}?per_page=1000"),
                        world.tokens[i].as_deref(),
                        None,
                    ),
                )
                .await;
                assert_eq!(a.status, StatusCode::OK, "{what}: {:?}", a.json);
                let items = a.json["items"].as_array().expect("items");
                let keys: Vec<&str> = items.iter().filter_map(|e| e[*field].as_str()).collect();
                assert_eq!(keys.len(), items.len(), "{what}: every item has {field}");
                let key = |side: usize| -> &str {
                    if *field == "region" {
                        world.side[side].region
                    } else {
                        &world.side[side].enterprise
                    }
                };
                assert_eq!(
                    keys.contains(&key(0)),
                    inside.as_bytes()[i] == b'Y',
                    "{what}: inside items shown?"
                );
                assert_eq!(
                    keys.contains(&key(1)),
                    *caller == "admin",
                    "{what}: outside items shown?"
                );
                assert_eq!(
                    a.json["total"].as_u64(),
                    Some(items.len() as u64),
                    "{what}: total counts only visible rows"
                );
            }
            let anon = send(&app, request("GET", list, None, None)).await;
            assert_eq!(
                anon.status,
                StatusCode::UNAUTHORIZED,
                "{engine}: anonymous list {list}"
            );
        }

        // A hidden thing and a missing one give the same answer.
        let officer = world.tokens[1].as_deref();
        let ent = world.tokens[3].as_deref();
        let far = &world.side[1];
        for (what, token, hidden, missing) in [
            (
                "officer application",
                officer,
                format!("/api/v1/code-applications/{}", far.application),
                "/api/v1/code-applications/99999999".to_owned(),
            ),
            (
                "officer segment",
                officer,
                format!("/api/v1/segments/{}", far.segment),
                "/api/v1/segments/99999999".to_owned(),
            ),
            (
                "officer print job",
                officer,
                format!("/api/v1/print-jobs/{}", far.job),
                "/api/v1/print-jobs/99999999".to_owned(),
            ),
            (
                "officer batch",
                officer,
                format!("/api/v1/batches/{}", far.batch),
                "/api/v1/batches/99999999".to_owned(),
            ),
            (
                "printer label of a code outside its job",
                world.tokens[4].as_deref(),
                format!("/api/v1/codes/{}/label", world.side[0].last_code),
                format!("/api/v1/codes/{}/label", unissued()),
            ),
            (
                "enterprise code history",
                ent,
                format!("/api/v1/codes/{}/history", far.code),
                format!("/api/v1/codes/{}/history", unissued()),
            ),
        ] {
            let h = send(&app, request("GET", &hidden, token, None)).await;
            let m = send(&app, request("GET", &missing, token, None)).await;
            assert_eq!(h.status, StatusCode::NOT_FOUND, "{engine}: {what} hidden");
            assert_eq!(
                (h.status, h.raw),
                (m.status, m.raw),
                "{engine}: {what}: hidden and missing differ"
            );
        }
        // Activating another enterprise's printed codes answers as for codes never
        // issued, and changes nothing.
        let near = &world.side[0];
        let before = audit_head(s).await;
        let mut answers = Vec::new();
        for first in [far.first_index + ACTIVE, far.first_index + 1_000_000] {
            let mut body = activation(near, 0, "X1");
            body["index_ranges"][0]["first"] = json!(first);
            let a = send(
                &app,
                request("POST", "/api/v1/activations", ent, Some(body)),
            )
            .await;
            answers.push((a.status, a.json["code"].clone()));
        }
        assert_eq!(
            answers[0],
            (StatusCode::UNPROCESSABLE_ENTITY, json!("codes_not_yours")),
            "{engine}: enterprise activates another's codes"
        );
        assert_eq!(
            answers[0], answers[1],
            "{engine}: another's codes and unissued ones answer differently"
        );
        assert_eq!(
            audit_head(s).await,
            before,
            "{engine}: refused activations changed data"
        );

        // Reading a segment, or the application that holds it, must not hand a caller
        // codes it may not download: the last code of the inside segment was never given
        // to any printer, so only its enterprise may learn it.
        for (uri, shown_to) in [
            (
                format!("/api/v1/segments/{}", near.segment),
                LAST_CODE_SHOWN[0],
            ),
            (
                format!("/api/v1/code-applications/{}", near.application),
                LAST_CODE_SHOWN[1],
            ),
        ] {
            for (i, caller) in CALLERS.iter().enumerate().take(6) {
                let a = send(&app, request("GET", &uri, world.tokens[i].as_deref(), None)).await;
                assert_eq!(
                    String::from_utf8_lossy(&a.raw).contains(&near.last_code),
                    shown_to.as_bytes()[i] == b'Y',
                    "{engine}: {caller} GET {uri} ({}): shows the never-printed last code?",
                    a.status
                );
            }
        }
    }
}

/// Who learns a never-printed code of the inside segment by reading the segment, and by
/// reading the approved application that embeds it: only the enterprise, which may take
/// its codes anyway (a printer sees its print jobs' codes in their files, not here).
#[rustfmt::skip]
const LAST_CODE_SHOWN: [&str; 2] = [
    // AOVEPL   (admin officer viewer enterprise printer lab)
    "...Y..",   // GET /api/v1/segments/{id}
    "...Y..",   // GET /api/v1/code-applications/{id}
];

/// A well-formed code of this node that was never issued: its index (under the node's
/// key) is one of 10^17 and almost surely not among the few thousand allocated.
fn unissued() -> String {
    let first19 = "1399999999999999999";
    let digits: Vec<u8> = first19.bytes().map(|b| b - b'0').collect();
    format!("{first19}{}", damm::check_digit(&digits))
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

fn json_req(method: &str, uri: &str, body: Value) -> Pending {
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

/// Builds the request for cell `n`, preparing fresh objects (as the side's enterprise)
/// where the action consumes them.
async fn build(
    route: &str,
    side: usize,
    w: &World,
    n: i64,
    app: &axum::Router,
    what: &str,
) -> Pending {
    let s = &w.side[side];
    assert!(
        ACTIVE + n < PRINTED && PRINTED + n < SEGMENT - 1,
        "more cells than fresh codes"
    );
    match route {
        "read application" => get(&format!("/api/v1/code-applications/{}", s.application)),
        "apply for codes" => json_req(
            "POST",
            "/api/v1/code-applications",
            json!({"enterprise": s.enterprise, "product_id": s.product, "quantity": 1}),
        ),
        "approve application" | "refuse application" => {
            let a = must(
                app,
                what,
                "POST",
                "/api/v1/code-applications",
                &s.owner,
                Some(json!({"enterprise": s.enterprise, "product_id": s.product, "quantity": 1})),
            )
            .await;
            let id = a["id"].as_i64().unwrap();
            if route == "approve application" {
                json_req(
                    "POST",
                    &format!("/api/v1/code-applications/{id}/approve"),
                    json!({}),
                )
            } else {
                json_req(
                    "POST",
                    &format!("/api/v1/code-applications/{id}/refuse"),
                    json!({"reason": "材料不全"}),
                )
            }
        }
        "read segment" => get(&format!("/api/v1/segments/{}", s.segment)),
        "download codes" => get(&format!("/api/v1/segments/{}/codes", s.segment)),
        "create print job" => json_req(
            "POST",
            "/api/v1/print-jobs",
            json!({"segment_id": s.segment, "printer": s.printer, "offset": PRINTED + n, "quantity": 1}),
        ),
        "read print job" => get(&format!("/api/v1/print-jobs/{}", s.job)),
        "print sheet" => get(&format!("/api/v1/print-jobs/{}/sheet?per_page=1", s.job)),
        "confirm print job" => {
            let job = must(
                app,
                what,
                "POST",
                "/api/v1/print-jobs",
                &s.owner,
                Some(json!({"segment_id": s.segment, "printer": s.printer, "offset": PRINTED + n, "quantity": 1})),
            )
            .await["id"]
                .as_i64()
                .unwrap();
            json_req(
                "POST",
                &format!("/api/v1/print-jobs/{job}/confirm"),
                json!({"printed": 1, "spoiled": 0}),
            )
        }
        "activate codes" => json_req(
            "POST",
            "/api/v1/activations",
            activation(s, ACTIVE + n, &format!("A{n}")),
        ),
        "read batch" => get(&format!("/api/v1/batches/{}", s.batch)),
        "recall batch" | "decommission batch" => {
            let batch = activate(app, what, s, ACTIVE + n, &format!("F{n}")).await;
            let action = if route == "recall batch" {
                "recall"
            } else {
                "decommission"
            };
            json_req(
                "POST",
                &format!("/api/v1/batches/{batch}/{action}"),
                json!({"reason": "菌落总数超标"}),
            )
        }
        "code history" => get(&format!("/api/v1/codes/{}/history", s.code)),
        "code label" => get(&format!("/api/v1/codes/{}/label", s.code)),
        "register terminal" => json_req(
            "POST",
            "/api/v1/terminals",
            json!({"name": format!("终端{n}"), "shop": "超市", "region": s.region}),
        ),
        other => panic!("no request for {other}"),
    }
}
