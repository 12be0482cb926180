//! Batch dossiers and the event browser, on both engines: a food batch's dossier gathered
//! from its commissioning ILMD and the transformation that consumed two supplier lots;
//! the traceability section of the public verification page (food only); who may read a
//! dossier; and the console's event list filtered by business step and by a bare code.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use serde_json::{Value, json};
use zhijian_core::access::Role;
use zhijian_store::identity::Membership;
use zhijian_store::testing::fresh_stores;

const MILK: &str = "06901234567892";
/// Supplier A's raw milk: a product registered here.
const RAW_MILK: &str = "06922222000016";
/// Supplier B's stabiliser: known only by B's GS1 company prefix.
const STABILISER: &str = "06933333000024";
const CONTEXT: &str = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";
/// The maker's plant (under its prefix 6901234).
const PLANT: &str = "urn:epc:id:sgln:6901234.00001.0";

fn lgtin(gtin: &str, lot: &str) -> String {
    format!("https://id.gs1.org/01/{gtin}/10/{lot}")
}

fn document(events: Value) -> Value {
    json!({"@context": [CONTEXT, {"zj": "https://zhijian.dev/epcis/"}], "type": "EPCISDocument",
           "schemaVersion": "2.0", "creationDate": "2026-11-02T00:00:00Z",
           "epcisBody": {"eventList": events}})
}

/// The commissioning of lot L1 with its origin, formula and additives, and the
/// transformation that made it from two supplier lots.
fn milk_history() -> Value {
    document(json!([
        {"type": "TransformationEvent", "eventTime": "2026-11-01T06:00:00+08:00", "eventTimeZoneOffset": "+08:00",
         "inputQuantityList": [
            {"epcClass": lgtin(RAW_MILK, "RM-1101"), "quantity": 1200, "uom": "KGM"},
            {"epcClass": lgtin(STABILISER, "SG-889"), "quantity": 2.5, "uom": "KGM"}],
         "outputQuantityList": [{"epcClass": lgtin(MILK, "L1"), "quantity": 1000, "uom": "LTR"}],
         "readPoint": {"id": PLANT}, "bizLocation": {"id": PLANT}},
        {"type": "ObjectEvent", "action": "ADD", "eventTime": "2026-11-01T08:00:00+08:00", "eventTimeZoneOffset": "+08:00",
         "quantityList": [{"epcClass": lgtin(MILK, "L1"), "quantity": 1000, "uom": "LTR"}],
         "bizStep": "commissioning", "disposition": "active", "bizLocation": {"id": PLANT},
         "ilmd": {
            "zj:origin": {"country": "CN", "region": "内蒙古呼和浩特", "farm": "敕勒川一号牧场"},
            "zj:formula": "配方 F-2026-01",
            "zj:additives": [{"name": "卡拉胶", "function": "增稠剂", "amount": "0.2 g/kg"}],
            "cbvmda:lotNumber": "L1"}}
    ]))
}

/// A shipment of one unit, the code written as a bare supervision code URN.
fn shipment(code: &str) -> Value {
    document(json!([
        {"type": "ObjectEvent", "action": "OBSERVE", "eventTime": "2026-11-03T10:00:00+08:00", "eventTimeZoneOffset": "+08:00",
         "epcList": [format!("urn:zhijian:code:{code}")], "bizStep": "shipping", "disposition": "in_transit",
         "bizLocation": {"id": PLANT}}
    ]))
}

async fn capture(app: &Router, token: &str, document: &Value) {
    let r = send(
        app,
        request(
            "POST",
            "/epcis/capture",
            Some(token),
            Some(document.clone()),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.json);
    assert_eq!(r.json["success"], true, "{:?}", r.json);
}

/// The people of one test: tokens, and the maker's codes.
struct World {
    app: Router,
    maker: String,
    rival: String,
    officer: String,
    far_officer: String,
    /// The food batch and its codes.
    milk_batch: i64,
    milk_codes: Vec<String>,
    /// A batch of cables (not food, no GTIN) and its codes.
    cable_batch: i64,
    cable_codes: Vec<String>,
}

async fn post(app: &Router, uri: &str, token: &str, body: Value) -> Value {
    let r = send(app, request("POST", uri, Some(token), Some(body))).await;
    assert!(r.status.is_success(), "{uri}: {} {:?}", r.status, r.json);
    r.json
}

/// Registers an enterprise (as the officer) and an enterprise user for it.
async fn enterprise(
    t: &zhijian_store::testing::TestStore,
    app: &Router,
    officer: &str,
    serial: u32,
    name: &str,
    login: &str,
) -> (String, String) {
    let code = uscc("130102", serial).to_string();
    post(
        app,
        "/api/v1/enterprises",
        officer,
        json!({"uscc": code, "name": name, "region": "130102"}),
    )
    .await;
    let token = user(
        &t.store,
        login,
        Role::Enterprise,
        Membership::Organisation(code.clone()),
    )
    .await;
    (code, token)
}

/// Applies for, approves, prints and activates ten codes of a product on a batch;
/// returns the batch id and the codes.
async fn coded_batch(
    app: &Router,
    w: (&str, &str, &str),
    maker: &str,
    printer: &str,
    product: i64,
    lot: &str,
) -> (i64, Vec<String>) {
    let (ent, officer, printer_token) = w;
    let application = post(
        app,
        "/api/v1/code-applications",
        ent,
        json!({"enterprise": maker, "product_id": product, "quantity": 10}),
    )
    .await;
    let approved = post(
        app,
        &format!("/api/v1/code-applications/{}/approve", application["id"]),
        officer,
        json!({}),
    )
    .await;
    let segment = approved["segment"]["id"].as_i64().unwrap();
    let r = send(
        app,
        request(
            "GET",
            &format!("/api/v1/segments/{segment}/codes?format=txt"),
            Some(ent),
            None,
        ),
    )
    .await;
    let codes: Vec<String> = String::from_utf8(r.raw)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let job = post(
        app,
        "/api/v1/print-jobs",
        ent,
        json!({"segment_id": segment, "printer": printer}),
    )
    .await;
    post(
        app,
        &format!("/api/v1/print-jobs/{}/confirm", job["id"]),
        printer_token,
        json!({"printed": 10, "spoiled": 0}),
    )
    .await;
    let activated = post(app, "/api/v1/activations", ent, json!({"codes": codes, "batch": {"lot": lot, "production_date": "2026-11-01", "expiry_date": "2027-05-01", "inspection_report": "JY-2026-001"}})).await;
    (activated["batch"]["id"].as_i64().unwrap(), codes)
}

async fn world(t: &zhijian_store::testing::TestStore) -> World {
    let app = app(t);
    let s = &t.store;
    let officer = user(s, "sjz-officer", Role::Officer, bureau("130100")).await;
    let far_officer = user(s, "bj-officer", Role::Officer, bureau("110000")).await;
    let (maker_code, maker) =
        enterprise(t, &app, &officer, 1, "石家庄甲乳业有限公司", "maker-user").await;
    let (_, rival) = enterprise(t, &app, &officer, 2, "石家庄乙乳业有限公司", "rival-user").await;
    let (a_code, supplier_a) =
        enterprise(t, &app, &officer, 3, "呼和浩特牧业有限公司", "supplier-a").await;
    let (b_code, _) = enterprise(t, &app, &officer, 4, "石家庄辅料有限公司", "supplier-b").await;
    let printer_code = uscc("130102", 900).to_string();
    post(
        &app,
        "/api/v1/printers",
        &officer,
        json!({"uscc": printer_code, "name": "石家庄印务有限公司", "region": "130102"}),
    )
    .await;
    let printer = user(
        s,
        "printer-user",
        Role::Printer,
        Membership::Organisation(printer_code.clone()),
    )
    .await;
    for (code, prefix) in [(&maker_code, "6901234"), (&b_code, "6933333")] {
        let org = s.organisation_by_uscc(code).await.unwrap().unwrap().id;
        s.add_gs1_prefix("test", org, prefix).await.unwrap();
    }
    post(&app, &format!("/api/v1/enterprises/{a_code}/products"), &supplier_a, json!({"name": "生牛乳", "category": "F05", "specification": "散装", "standard": "GB 19301-2010", "gtin": RAW_MILK})).await;
    let milk = post(&app, &format!("/api/v1/enterprises/{maker_code}/products"), &maker, json!({"name": "纯牛奶", "category": "F05", "specification": "250 mL", "standard": "GB 25190-2010", "gtin": MILK})).await;
    let cable = post(&app, &format!("/api/v1/enterprises/{maker_code}/products"), &maker, json!({"name": "电线", "category": "I03", "specification": "BV 2.5", "standard": "GB/T 5023"})).await;
    let roles = (maker.as_str(), officer.as_str(), printer.as_str());
    let (milk_batch, milk_codes) = coded_batch(
        &app,
        roles,
        &maker_code,
        &printer_code,
        milk["id"].as_i64().unwrap(),
        "L1",
    )
    .await;
    let (cable_batch, cable_codes) = coded_batch(
        &app,
        roles,
        &maker_code,
        &printer_code,
        cable["id"].as_i64().unwrap(),
        "C1",
    )
    .await;
    capture(&app, &maker, &milk_history()).await;
    World {
        app,
        maker,
        rival,
        officer,
        far_officer,
        milk_batch,
        milk_codes,
        cable_batch,
        cable_codes,
    }
}

#[tokio::test]
async fn a_food_batch_dossier_gathers_origin_additives_and_supplier_lots() {
    for t in fresh_stores().await {
        let l = t.label;
        let w = world(&t).await;
        let uri = format!("/api/v1/batches/{}/dossier", w.milk_batch);
        let r = send(&w.app, request("GET", &uri, Some(&w.maker), None)).await;
        assert_eq!(r.status, StatusCode::OK, "{l}: {:?}", r.json);
        let d = &r.json;
        assert_eq!(d["batch"]["lot"], "L1", "{l}");
        assert_eq!(d["batch"]["food"], true, "{l}");
        assert_eq!(d["batch"]["inspection_report"], "JY-2026-001", "{l}");
        assert_eq!(
            d["batch"]["source"],
            format!("batches/{}", w.milk_batch),
            "{l}"
        );
        assert_eq!(d["lgtin"], lgtin(MILK, "L1"), "{l}");
        assert_eq!(d["origins"].as_array().unwrap().len(), 1, "{l}: {d}");
        assert_eq!(d["origins"][0]["farm"], "敕勒川一号牧场", "{l}");
        assert_eq!(d["formulas"][0]["reference"], "配方 F-2026-01", "{l}");
        assert_eq!(d["additives"][0]["name"], "卡拉胶", "{l}");
        assert_eq!(d["additives"][0]["function"], "增稠剂", "{l}");
        // Both supplier lots, with their quantities and suppliers.
        let materials = d["materials"].as_array().unwrap();
        assert_eq!(materials.len(), 2, "{l}: {d}");
        let raw = materials.iter().find(|m| m["gtin"] == RAW_MILK).unwrap();
        assert_eq!(
            (&raw["lot"], &raw["quantity"], &raw["uom"]),
            (&json!("RM-1101"), &json!(1200.0), &json!("KGM")),
            "{l}"
        );
        assert_eq!(raw["product_name"], "生牛乳", "{l}");
        assert_eq!(raw["supplier"]["name"], "呼和浩特牧业有限公司", "{l}");
        let stabiliser = materials.iter().find(|m| m["gtin"] == STABILISER).unwrap();
        assert_eq!(
            (&stabiliser["lot"], &stabiliser["quantity"]),
            (&json!("SG-889"), &json!(2.5)),
            "{l}"
        );
        assert_eq!(
            stabiliser["supplier"]["name"], "石家庄辅料有限公司",
            "{l}: by its GS1 prefix"
        );
        // Every item names its event; the events are the transformation, then the
        // commissioning, with the lot its ILMD names.
        let events = d["events"].as_array().unwrap();
        let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["transformation", "commissioning"], "{l}");
        assert_eq!(events[1]["lot_number"], "L1", "{l}");
        assert_eq!(raw["source"], events[0]["event_id"], "{l}");
        assert_eq!(d["origins"][0]["source"], events[1]["event_id"], "{l}");
        assert_eq!(
            d["locations"].as_array().unwrap().len(),
            1,
            "{l}: one plant, once"
        );
        assert!(
            d["locations"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["identifier"].as_str().unwrap().contains("/414/6901234")),
            "{l}: the plant: {d}"
        );

        // The maker's bureau sees it; another enterprise and a far bureau do not.
        let status = async |token: &str| {
            send(&w.app, request("GET", &uri, Some(token), None))
                .await
                .status
        };
        assert_eq!(status(&w.officer).await, StatusCode::OK, "{l}");
        assert_eq!(status(&w.rival).await, StatusCode::NOT_FOUND, "{l}");
        assert_eq!(status(&w.far_officer).await, StatusCode::NOT_FOUND, "{l}");
        let r = send(
            &w.app,
            request(
                "GET",
                "/api/v1/batches/999999/dossier",
                Some(&w.maker),
                None,
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{l}");

        // The console page, for the officer; a 404 for the rival.
        let page = html(
            &w.app,
            &format!("/console/batches/{}/dossier", w.milk_batch),
            &w.officer,
        )
        .await;
        assert_eq!(page.0, StatusCode::OK, "{l}");
        assert!(
            page.1.contains("敕勒川一号牧场")
                && page.1.contains("RM-1101")
                && page.1.contains("石家庄辅料有限公司"),
            "{l}"
        );
        let page = html(
            &w.app,
            &format!("/console/batches/{}/dossier", w.milk_batch),
            &w.rival,
        )
        .await;
        assert_eq!(page.0, StatusCode::NOT_FOUND, "{l}");
        let list = html(&w.app, "/console/codes/batches", &w.maker).await;
        assert!(
            list.1
                .contains(&format!("/console/batches/{}/dossier", w.milk_batch)),
            "{l}: batches link to their dossier"
        );
    }
}

/// A page read with a bearer token (the console accepts one for reading), or
/// anonymously with an empty one.
async fn html(app: &Router, uri: &str, token: &str) -> (StatusCode, String) {
    let token = Some(token).filter(|t| !t.is_empty());
    let r = send(app, request("GET", uri, token, None)).await;
    (r.status, String::from_utf8(r.raw).unwrap())
}

#[tokio::test]
async fn the_verification_page_shows_traceability_for_food_only() {
    for t in fresh_stores().await {
        let l = t.label;
        let w = world(&t).await;
        let (status, food) = html(&w.app, &format!("/q/{}", w.milk_codes[0]), "").await;
        assert_eq!(status, StatusCode::OK, "{l}");
        assert!(food.contains("id=\"trace\""), "{l}: {food}");
        for shown in [
            "追溯信息",
            "内蒙古呼和浩特",
            "敕勒川一号牧场",
            "生牛乳",
            "RM-1101",
            "SG-889",
            "卡拉胶",
            "JY-2026-001",
        ] {
            assert!(food.contains(shown), "{l}: {shown} missing");
        }
        // Names and lots only: no supplier or identifier internals.
        let supplier_code = uscc("130102", 3);
        for hidden in [
            "呼和浩特牧业有限公司",
            supplier_code.as_str(),
            "https://id.gs1.org",
        ] {
            assert!(!food.contains(hidden), "{l}: {hidden} shown to the public");
        }
        let (_, english) = html(&w.app, &format!("/q/{}?lang=en", w.milk_codes[0]), "").await;
        assert!(
            english.contains("Traceability") && english.contains("Raw materials"),
            "{l}"
        );
        let (status, cables) = html(&w.app, &format!("/q/{}", w.cable_codes[0]), "").await;
        assert_eq!(status, StatusCode::OK, "{l}");
        assert!(cables.contains("电线"), "{l}");
        assert!(
            !cables.contains("id=\"trace\"") && !cables.contains("追溯信息"),
            "{l}: not food"
        );
    }
}

/// Logs in through the form; the session cookie to send afterwards.
async fn login(app: &Router, username: &str) -> String {
    let req = Request::builder()
        .method("POST")
        .uri("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "username={username}&password=correct%20horse"
        )))
        .unwrap();
    let res = tower::ServiceExt::oneshot(app.clone(), req).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let set = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("zj_session="))
        .expect("a session cookie");
    set.split(';').next().unwrap().to_owned()
}

async fn console_page(app: &Router, uri: &str, cookie: &str) -> (StatusCode, String) {
    let req = Request::builder()
        .uri(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let r = send(app, req).await;
    (r.status, String::from_utf8(r.raw).unwrap())
}

fn rows(page: &str) -> usize {
    page.matches("data-type=\"").count()
}

#[tokio::test]
async fn the_event_browser_filters_by_business_step_and_by_a_bare_code() {
    for t in fresh_stores().await {
        let l = t.label;
        let w = world(&t).await;
        capture(&w.app, &w.maker, &shipment(&w.milk_codes[0])).await;
        let cookie = login(&w.app, "maker-user").await;
        let (status, all) = console_page(&w.app, "/console/events", &cookie).await;
        assert_eq!(status, StatusCode::OK, "{l}");
        assert!(
            all.contains("流向事件") && all.contains("id=\"nav-events\""),
            "{l}"
        );
        assert_eq!(rows(&all), 3, "{l}: {all}");
        let (_, shipping) =
            console_page(&w.app, "/console/events?biz_step=shipping", &cookie).await;
        assert_eq!(rows(&shipping), 1, "{l}");
        assert!(shipping.contains("data-biz-step=\"shipping\""), "{l}");
        let (_, by_code) = console_page(
            &w.app,
            &format!("/console/events?identifier={}", w.milk_codes[0]),
            &cookie,
        )
        .await;
        assert_eq!(
            rows(&by_code),
            1,
            "{l}: the shipment names the code: {by_code}"
        );
        let (_, other) = console_page(
            &w.app,
            &format!("/console/events?identifier={}", w.cable_codes[0]),
            &cookie,
        )
        .await;
        assert!(other.contains("id=\"events-empty\""), "{l}");
        let (status, bad) = console_page(&w.app, "/console/events?from=yesterday", &cookie).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{l}");
        assert!(bad.contains("id=\"events-problem\""), "{l}");
        // The event's own page: its fields and JSON.
        let at = shipping.find("href=\"/console/events/").unwrap() + 6;
        let href = shipping[at..].split('"').next().unwrap().to_owned();
        let (status, one) = console_page(&w.app, &href, &cookie).await;
        assert_eq!(status, StatusCode::OK, "{l}: {href}");
        assert!(
            one.contains("id=\"event-json\"") && one.contains("in_transit"),
            "{l}"
        );
        // A far bureau sees none of the maker's events, in English too.
        let _ = user(&t.store, "bj-viewer", Role::Viewer, bureau("110000")).await;
        let far = login(&w.app, "bj-viewer").await;
        let (_, nothing) =
            console_page(&w.app, "/console/events", &format!("{far}; lang=en")).await;
        assert!(nothing.contains("No events match"), "{l}: {nothing}");
        let (status, _) = console_page(&w.app, "/console/events/urn:uuid:nothing", &cookie).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{l}");
        // Printers take no part in the flow: no entry, no page.
        let printer = login(&w.app, "printer-user").await;
        let (status, _) = console_page(&w.app, "/console/events", &printer).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{l}");
        let (_, home) = console_page(&w.app, "/console", &printer).await;
        assert!(!home.contains("id=\"nav-events\""), "{l}");
    }
}

/// Twenty events a page, newest first; the next link carries the filters on.
#[tokio::test]
async fn the_event_browser_pages_on() {
    for t in fresh_stores().await {
        let l = t.label;
        let w = world(&t).await;
        let events: Vec<Value> = (0..20)
            .map(|minute| {
                json!({"type": "ObjectEvent", "action": "OBSERVE",
                       "eventTime": format!("2026-11-04T10:{minute:02}:00+08:00"), "eventTimeZoneOffset": "+08:00",
                       "epcList": [format!("urn:zhijian:code:{}", w.milk_codes[4])], "bizStep": "shipping",
                       "bizLocation": {"id": PLANT}})
            })
            .collect();
        capture(&w.app, &w.maker, &document(Value::Array(events))).await;
        let cookie = login(&w.app, "maker-user").await;
        let (_, first) = console_page(&w.app, "/console/events?biz_step=shipping", &cookie).await;
        assert_eq!(rows(&first), 20, "{l}");
        let (_, all) = console_page(&w.app, "/console/events", &cookie).await;
        assert_eq!(rows(&all), 20, "{l}");
        let at = all.find("id=\"events-next\"").expect("a next link");
        let start = all[..at].rfind("href=\"").unwrap() + 6;
        let next = all[start..]
            .split('"')
            .next()
            .unwrap()
            .replace("&#38;", "&")
            .replace("&amp;", "&");
        let (status, second) = console_page(&w.app, &next, &cookie).await;
        assert_eq!(status, StatusCode::OK, "{l}: {next}");
        assert_eq!(
            rows(&second),
            2,
            "{l}: the transformation and the commissioning: {next}"
        );
        assert!(!second.contains("id=\"events-next\""), "{l}");
        assert!(second.contains("id=\"events-first\""), "{l}");
    }
}

/// Units commissioned one by one, and a transformation that outputs units, both bring
/// their events into the batch's dossier — for a product without a GTIN too — and a unit
/// of another batch brings nothing.
#[tokio::test]
async fn units_commissioned_on_the_batch_bring_their_events() {
    for t in fresh_stores().await {
        let l = t.label;
        let w = world(&t).await;
        let code = |c: &str| format!("urn:zhijian:code:{c}");
        capture(
            &w.app,
            &w.maker,
            &document(json!([
                {"type": "ObjectEvent", "action": "ADD", "eventTime": "2026-11-01T09:00:00+08:00", "eventTimeZoneOffset": "+08:00",
                 "epcList": [code(&w.milk_codes[1]), code(&w.milk_codes[2])], "bizStep": "commissioning",
                 "ilmd": {"cbvmda:countryOfOrigin": "NZ"}},
                {"type": "TransformationEvent", "eventTime": "2026-11-01T09:30:00+08:00", "eventTimeZoneOffset": "+08:00",
                 "inputQuantityList": [{"epcClass": lgtin(RAW_MILK, "RM-1102"), "quantity": 10, "uom": "KGM"}],
                 "outputEPCList": [code(&w.milk_codes[3])], "bizLocation": {"id": PLANT}},
                {"type": "ObjectEvent", "action": "ADD", "eventTime": "2026-11-01T10:00:00+08:00", "eventTimeZoneOffset": "+08:00",
                 "epcList": [code(&w.cable_codes[0])], "bizStep": "commissioning",
                 "ilmd": {"zj:origin": "河北保定"}}
            ])),
        )
        .await;
        let dossier = async |batch: i64| {
            let r = send(
                &w.app,
                request(
                    "GET",
                    &format!("/api/v1/batches/{batch}/dossier"),
                    Some(&w.maker),
                    None,
                ),
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{l}: {:?}", r.json);
            r.json
        };
        let milk = dossier(w.milk_batch).await;
        let countries: Vec<&Value> = milk["origins"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| &o["country"])
            .collect();
        assert_eq!(countries, [&json!("CN"), &json!("NZ")], "{l}: {milk}");
        let lots: Vec<&Value> = milk["materials"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| &m["lot"])
            .collect();
        assert_eq!(
            lots,
            [&json!("RM-1101"), &json!("SG-889"), &json!("RM-1102")],
            "{l}"
        );
        assert_eq!(
            milk["events"].as_array().unwrap().len(),
            4,
            "{l}: not the cable's event"
        );
        let cable = dossier(w.cable_batch).await;
        assert_eq!(cable["batch"]["food"], false, "{l}");
        assert_eq!(cable["lgtin"], Value::Null, "{l}");
        assert_eq!(cable["origins"][0]["text"], "河北保定", "{l}: {cable}");
        assert_eq!(cable["events"].as_array().unwrap().len(), 1, "{l}");
        // The public page reads the lot's events and the asked unit's own.
        let (_, own) = html(&w.app, &format!("/q/{}", w.milk_codes[1]), "").await;
        assert!(own.contains("NZ") && own.contains("敕勒川一号牧场"), "{l}");
        let (_, other) = html(&w.app, &format!("/q/{}", w.milk_codes[5]), "").await;
        assert!(
            !other.contains("NZ") && other.contains("敕勒川一号牧场"),
            "{l}"
        );
    }
}
