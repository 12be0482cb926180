//! The simple flow and GS1 master data over HTTP, on every engine: a maker activates
//! and packs codes, ships the case to a distributor, who receives it and ships it on to
//! a shop, which sells a unit — each step an EPCIS event found again by code and SSCC;
//! the packaging line's CSV with cases; faults refused with nothing stored; prefixes and
//! locations with their checks and who may do what.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::{Value, json};
use zhijian_core::access::Role;
use zhijian_store::identity::Membership;
use zhijian_store::testing::{TestStore, fresh_stores};

const GTIN: &str = "06901234567892";

/// `digits` followed by their GS1 check digit.
fn gs1(digits: &str) -> String {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    format!("{digits}{}", (10 - sum % 10) % 10)
}

/// The same key with its check digit changed.
fn mistype(key: &str) -> String {
    let (body, last) = key.split_at(key.len() - 1);
    format!("{body}{}", (last.parse::<u8>().unwrap() + 1) % 10)
}

fn enc(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn csv(uri: &str, token: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "text/csv")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

async fn post(app: &Router, uri: &str, token: &str, body: Value) -> Answer {
    send(app, request("POST", uri, Some(token), Some(body))).await
}

/// The bizSteps of the events a query finds, in capture order.
async fn steps(app: &Router, token: &str, query: &str) -> Vec<String> {
    let answer = send(
        app,
        request("GET", &format!("/epcis/events?{query}"), Some(token), None),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.json);
    answer.json["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["bizStep"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn event_count(app: &Router, token: &str) -> usize {
    steps(app, token, "perPage=1000").await.len()
}

/// The cast: three enterprises of Shijiazhuang with their prefixes and GLNs, the
/// bureau, an admin and a printer.
struct World {
    app: Router,
    admin: String,
    officer: String,
    maker: String,
    distributor: String,
    shop: String,
    printer: String,
    usccs: [String; 3],
    glns: [String; 3],
}

async fn world(t: &TestStore) -> World {
    let app = app(t);
    let s = &t.store;
    let admin = user(s, "admin", Role::Admin, Membership::None).await;
    let officer = user(s, "sjz-officer", Role::Officer, bureau("130100")).await;
    let usccs = [1, 2, 3].map(|n| uscc("130102", n).to_string());
    let names = [
        "石家庄甲乳业有限公司",
        "石家庄乙商贸有限公司",
        "石家庄丙超市有限公司",
    ];
    let prefixes = ["6901234", "6907777", "6908888"];
    for ((code, name), prefix) in usccs.iter().zip(names).zip(prefixes) {
        let r = post(
            &app,
            "/api/v1/enterprises",
            &officer,
            json!({"uscc": code, "name": name, "region": "130102"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
        let r = post(
            &app,
            &format!("/api/v1/enterprises/{code}/gs1-prefixes"),
            &officer,
            json!({"prefix": prefix}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    }
    let printer_code = uscc("130102", 900).to_string();
    let r = post(
        &app,
        "/api/v1/printers",
        &officer,
        json!({"uscc": printer_code, "name": "石家庄印务有限公司", "region": "130102"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    let member = |u: &String| Membership::Organisation(u.clone());
    World {
        maker: user(s, "maker", Role::Enterprise, member(&usccs[0])).await,
        distributor: user(s, "distributor", Role::Enterprise, member(&usccs[1])).await,
        shop: user(s, "shop", Role::Enterprise, member(&usccs[2])).await,
        printer: user(
            s,
            "printer",
            Role::Printer,
            Membership::Organisation(printer_code),
        )
        .await,
        glns: prefixes.map(|p| gs1(&format!("{p}00001"))),
        app,
        admin,
        officer,
        usccs,
    }
}

/// The maker's product with a GTIN, 10 codes approved and printed; the codes.
async fn printed_codes(w: &World) -> Vec<String> {
    let maker = &w.usccs[0];
    let r = post(&w.app, &format!("/api/v1/enterprises/{maker}/products"), &w.maker,
        json!({"name": "纯牛奶", "category": "F05", "specification": "250 mL", "standard": "GB 25190-2010", "gtin": GTIN})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    let product = r.json["id"].as_i64().unwrap();
    let r = post(
        &w.app,
        "/api/v1/code-applications",
        &w.maker,
        json!({"enterprise": maker, "product_id": product, "quantity": 10}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    let application = r.json["id"].as_i64().unwrap();
    let r = send(
        &w.app,
        request(
            "POST",
            &format!("/api/v1/code-applications/{application}/approve"),
            Some(&w.officer),
            None,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    let segment = r.json["segment"]["id"].as_i64().unwrap();
    let r = post(
        &w.app,
        &format!("/api/v1/segments/{segment}/own-print"),
        &w.maker,
        json!({"quantity": 10}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    let r = send(
        &w.app,
        request(
            "GET",
            &format!("/api/v1/segments/{segment}/codes?format=txt"),
            Some(&w.maker),
            None,
        ),
    )
    .await;
    String::from_utf8(r.raw)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Uploads a packaging line's CSV file with the batch fields.
async fn upload_codes(w: &World, file: &str, location: Option<&str>) -> Answer {
    let mut fields = vec![("lot", "L1"), ("production_date", "2026-11-01")];
    if let Some(l) = location {
        fields.push(("location", l));
    }
    send(
        &w.app,
        form_upload(
            "/api/v1/activations/upload",
            Some(&w.maker),
            &fields,
            "line.csv",
            file.as_bytes(),
        ),
    )
    .await
}

#[tokio::test]
async fn goods_flow_from_maker_to_shop_and_every_step_is_found_again() {
    for t in fresh_stores().await {
        let w = world(&t).await;
        let l = t.label;
        let codes = printed_codes(&w).await;
        let [maker_gln, distributor_gln, shop_gln] = w.glns.clone();
        let sscc = gs1("36901234000000001");
        let case = gs1("36901234000000002");

        // The packaging line: codes 0–2 loose, 3–5 packed into `case` as they are activated.
        let file = format!(
            "code,case\n{},\n{},\n{},\n{},{case}\n{},{case}\n{},{case}\n",
            codes[0], codes[1], codes[2], codes[3], codes[4], codes[5]
        );
        let r = upload_codes(&w, &file, Some(&maker_gln)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{l}: {:?}", r.json);
        assert_eq!(r.json["activated"], 6, "{l}");
        assert_eq!(r.json["packing"]["success"], true, "{l}: {:?}", r.json);
        assert_eq!(
            r.json["packing"]["event_ids"].as_array().unwrap().len(),
            1,
            "{l}"
        );

        // Pack 3 codes into an SSCC, ship it, receive it, ship it on, sell one unit.
        let r = post(&w.app, "/api/v1/flow/pack", &w.maker,
            json!({"parent": sscc, "children": &codes[..3], "location": maker_gln, "time": "2026-11-02T08:00:00+08:00"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{l}: {:?}", r.json);
        assert_eq!(r.json["event_ids"].as_array().unwrap().len(), 1);
        let r = post(&w.app, "/api/v1/flow/ship", &w.maker,
            json!({"items": [sscc], "from": maker_gln, "to": distributor_gln, "document": "DA-001", "time": "2026-11-02T10:00:00+08:00"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{l}: {:?}", r.json);
        let shipped = r.json["event_ids"][0].as_str().unwrap().to_owned();
        let r = post(&w.app, "/api/v1/flow/receive", &w.distributor,
            json!({"items": [sscc], "from": maker_gln, "to": format!("urn:epc:id:sgln:6907777.00001.0"), "time": "2026-11-03T09:00:00+08:00"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{l}: {:?}", r.json);
        let r = post(&w.app, "/api/v1/flow/ship", &w.distributor,
            json!({"items": [format!("https://id.gs1.org/00/{sscc}")], "from": distributor_gln, "to": shop_gln})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{l}: {:?}", r.json);
        let r = post(
            &w.app,
            "/api/v1/flow/sell",
            &w.shop,
            json!({"items": [codes[0]], "location": shop_gln, "time": "2026-11-05T15:30:00+08:00"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{l}: {:?}", r.json);
        // The shop empties the case; the maker ships a quantity of a lot without codes.
        let r = post(
            &w.app,
            "/api/v1/flow/unpack",
            &w.shop,
            json!({"parent": sscc, "location": shop_gln}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{l}: {:?}", r.json);
        let r = post(&w.app, "/api/v1/flow/ship", &w.maker,
            json!({"quantities": [{"class": GTIN, "lot": "L1", "quantity": 20}], "from": maker_gln, "to": distributor_gln})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{l}: {:?}", r.json);
        let lot = format!("https://id.gs1.org/01/{GTIN}/10/L1");
        assert_eq!(
            steps(&w.app, &w.admin, &format!("MATCH_epcClass={}", enc(&lot))).await,
            ["shipping"],
            "{l}"
        );

        // A unit by its bare code: packed, then sold; the SSCC: shipped, received, shipped.
        assert_eq!(
            steps(&w.app, &w.admin, &format!("MATCH_anyEPC={}", codes[0])).await,
            ["packing", "retail_selling"],
            "{l}"
        );
        assert_eq!(
            steps(&w.app, &w.admin, &format!("MATCH_anyEPC={}", codes[4])).await,
            ["packing"],
            "{l}: the packaging line's case"
        );
        let sscc_dl = format!("https://id.gs1.org/00/{sscc}");
        assert_eq!(
            steps(&w.app, &w.admin, &format!("MATCH_epc={}", enc(&sscc_dl))).await,
            ["shipping", "receiving", "shipping"],
            "{l}"
        );
        assert_eq!(
            steps(
                &w.app,
                &w.admin,
                &format!("MATCH_parentID={}", enc(&sscc_dl))
            )
            .await,
            ["packing", "unpacking"],
            "{l}"
        );
        // The shipment as stored: at the maker, from its party and place, to the
        // distributor's, with the despatch advice.
        let one = send(
            &w.app,
            request(
                "GET",
                &format!("/epcis/events/{}", enc(&shipped)),
                Some(&w.admin),
                None,
            ),
        )
        .await;
        assert_eq!(one.status, StatusCode::OK, "{l}");
        let e = &one.json;
        assert_eq!(e["disposition"], "in_transit", "{l}: {e}");
        assert_eq!(
            e["bizLocation"]["id"],
            format!("https://id.gs1.org/414/{maker_gln}")
        );
        assert_eq!(
            e["sourceList"][0]["source"],
            format!("https://id.gs1.org/417/{maker_gln}")
        );
        assert_eq!(
            e["destinationList"][1]["destination"],
            format!("https://id.gs1.org/414/{distributor_gln}")
        );
        assert_eq!(
            e["bizTransactionList"][0]["bizTransaction"],
            format!("urn:epcglobal:cbv:bt:{maker_gln}:DA-001")
        );
        // The unit is stored as the SGTIN of its product (MATCH_epc covers childEPCs).
        let sold = steps(
            &w.app,
            &w.admin,
            &format!(
                "MATCH_epc={}",
                enc(&format!("https://id.gs1.org/01/{GTIN}/21/{}", codes[0]))
            ),
        )
        .await;
        assert_eq!(sold, ["packing", "retail_selling"], "{l}");

        // A shop system's day of scans as CSV: two times, two events.
        let day = format!(
            "item,location,time\n{},{shop_gln},2026-11-06T09:00:00+08:00\n{},{shop_gln},2026-11-06T17:00:00+08:00\n",
            codes[1], codes[2]
        );
        let r = send(&w.app, csv("/api/v1/flow/sell", &w.shop, &day)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{l}: {:?}", r.json);
        assert_eq!(r.json["event_ids"].as_array().unwrap().len(), 2, "{l}");
        assert_eq!(
            steps(&w.app, &w.admin, "EQ_bizStep=retail_selling")
                .await
                .len(),
            3,
            "{l}"
        );
    }
}

#[tokio::test]
async fn faults_are_named_and_nothing_is_stored() {
    for t in fresh_stores().await {
        let w = world(&t).await;
        let l = t.label;
        let codes = printed_codes(&w).await;
        let [maker_gln, distributor_gln, _] = w.glns.clone();
        let sscc = gs1("36901234000000001");
        let before = event_count(&w.app, &w.admin).await;
        let refused = |r: &Answer, code: &str, field: &str| {
            assert_eq!(
                (r.status, r.json["code"].as_str(), r.json["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some(code), Some(field)),
                "{l}: {:?}",
                r.json
            );
        };
        let ship = |body: Value| post(&w.app, "/api/v1/flow/ship", &w.maker, body);

        let r = ship(json!({"items": [sscc], "from": mistype(&maker_gln), "to": distributor_gln}))
            .await;
        refused(&r, "gs1_check_digit", "from");
        let r = ship(json!({"items": [mistype(&sscc)], "from": maker_gln, "to": distributor_gln}))
            .await;
        refused(&r, "gs1_check_digit", "items/0");
        let r = ship(json!({"items": [sscc], "from": maker_gln, "to": distributor_gln, "time": "2026-11-02T10:00:00"})).await;
        refused(&r, "time_format", "time");
        let r = ship(json!({"items": [sscc], "from": "HEBEI-1", "to": distributor_gln})).await;
        refused(&r, "location_identifier", "from");
        let r = ship(json!({"items": [], "from": maker_gln, "to": distributor_gln})).await;
        refused(&r, "flow_items_empty", "items");
        let many: Vec<String> = (0..10_001).map(|_| sscc.clone()).collect();
        let r = ship(json!({"items": many, "from": maker_gln, "to": distributor_gln})).await;
        refused(&r, "too_many_items", "items");
        // Every fault is listed, not only the first.
        let r =
            ship(json!({"items": ["x", mistype(&sscc)], "from": maker_gln, "to": distributor_gln}))
                .await;
        assert_eq!(
            r.json["codes"].as_array().map(Vec::len),
            Some(2),
            "{l}: {:?}",
            r.json
        );
        let r = send(
            &w.app,
            csv("/api/v1/flow/sell", &w.maker, "item,colour\n1,red\n"),
        )
        .await;
        refused(&r, "flow_csv_columns", "line 1");
        let r = send(
            &w.app,
            csv(
                "/api/v1/flow/sell",
                &w.maker,
                &format!(
                    "item,location,time\n{},{maker_gln},2026-11-06 09:00\n",
                    codes[0]
                ),
            ),
        )
        .await;
        refused(&r, "time_format", "line 2");

        // The distributor selling the maker's unit at the maker's place: the capture is
        // refused (a job is recorded) and nothing is stored.
        let r = post(
            &w.app,
            "/api/v1/flow/sell",
            &w.distributor,
            json!({"items": [codes[0]], "location": maker_gln}),
        )
        .await;
        assert_eq!(
            (r.status, r.json["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("flow_refused")),
            "{l}: {:?}",
            r.json
        );
        assert!(
            r.json["codes"][0].as_str().unwrap().contains("not_owned"),
            "{l}: {:?}",
            r.json
        );
        // A code this node never issued.
        let r = post(
            &w.app,
            "/api/v1/flow/sell",
            &w.maker,
            json!({"items": ["13000000000000000000"], "location": maker_gln}),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{l}: {:?}",
            r.json
        );

        // A packaging-line file with a mistyped case activates nothing.
        let file = format!("code,parent\n{},{}\n", codes[6], mistype(&sscc));
        let r = upload_codes(&w, &file, Some(&maker_gln)).await;
        refused(&r, "gs1_check_digit", "file/0");
        let r = upload_codes(&w, &format!("code,parent\n{},{sscc}\n", codes[6]), None).await;
        refused(&r, "required", "location");
        let r = upload_codes(&w, &format!("code\n{}\n", codes[6]), None).await;
        assert_eq!(r.status, StatusCode::CREATED, "{l}: {:?}", r.json);
        assert_eq!(
            (r.json["activated"].as_i64(), r.json["packing"].is_null()),
            (Some(1), true),
            "{l}"
        );

        assert_eq!(
            event_count(&w.app, &w.admin).await,
            before,
            "{l}: nothing stored"
        );

        // Who may record flow: not printers, not officers.
        let body = json!({"items": [codes[0]], "location": maker_gln});
        for token in [&w.printer, &w.officer] {
            let r = post(&w.app, "/api/v1/flow/sell", token, body.clone()).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{l}");
        }
    }
}

#[tokio::test]
async fn prefixes_and_locations_are_checked_and_named() {
    for t in fresh_stores().await {
        let w = world(&t).await;
        let l = t.label;
        let [maker, distributor, shop] = w.usccs.clone();
        let [maker_gln, distributor_gln, _] = w.glns.clone();
        let prefixes = |uscc: &str| format!("/api/v1/enterprises/{uscc}/gs1-prefixes");

        // Prefixes: the bureau adds them; one organisation each; enterprises only read.
        let r = post(
            &w.app,
            &prefixes(&distributor),
            &w.officer,
            json!({"prefix": "6901234"}),
        )
        .await;
        assert_eq!(
            (r.status, r.json["code"].as_str()),
            (StatusCode::CONFLICT, Some("prefix_taken")),
            "{l}"
        );
        let r = post(
            &w.app,
            &prefixes(&shop),
            &w.officer,
            json!({"prefix": "69012"}),
        )
        .await;
        assert_eq!(
            (r.status, r.json["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("prefix_format")),
            "{l}"
        );
        let r = post(
            &w.app,
            &prefixes(&maker),
            &w.maker,
            json!({"prefix": "6905555"}),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{l}: an enterprise cannot add prefixes"
        );
        let far = user(&t.store, "bj-officer", Role::Officer, bureau("110000")).await;
        let r = post(
            &w.app,
            &prefixes(&maker),
            &far,
            json!({"prefix": "6905555"}),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{l}: outside the officer's region"
        );
        let r = post(
            &w.app,
            &prefixes(&shop),
            &w.admin,
            json!({"prefix": "690999999"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{l}: {:?}", r.json);
        assert_eq!(r.json.as_array().unwrap().len(), 2, "{l}");
        let r = send(
            &w.app,
            request("GET", &prefixes(&maker), Some(&w.maker), None),
        )
        .await;
        assert_eq!(r.json[0]["prefix"], "6901234", "{l}: {:?}", r.json);
        let gone = format!("{}/690999999", prefixes(&shop));
        assert_eq!(
            send(&w.app, request("DELETE", &gone, Some(&w.maker), None))
                .await
                .status,
            StatusCode::NOT_FOUND,
            "{l}"
        );
        assert_eq!(
            send(&w.app, request("DELETE", &gone, Some(&w.officer), None))
                .await
                .status,
            StatusCode::NO_CONTENT,
            "{l}"
        );
        assert_eq!(
            send(&w.app, request("DELETE", &gone, Some(&w.officer), None))
                .await
                .status,
            StatusCode::NOT_FOUND,
            "{l}"
        );

        // Locations: an enterprise names its own, in any form, stored canonical.
        let add = async |token: &String, body: Value| {
            post(&w.app, "/api/v1/locations", token, body).await
        };
        let plant = json!({"identifier": maker_gln, "name": "甲乳业一厂", "kind": "maker", "region": "130102"});
        let r = add(&w.maker, plant.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{l}: {:?}", r.json);
        assert_eq!(
            r.json["identifier"],
            format!("https://id.gs1.org/414/{maker_gln}")
        );
        assert_eq!(r.json["enterprise"], maker.as_str());
        let r = add(&w.maker, plant.clone()).await;
        assert_eq!(
            (r.status, r.json["code"].as_str()),
            (StatusCode::CONFLICT, Some("location_taken")),
            "{l}"
        );
        for (change, code) in [
            (json!({"identifier": distributor_gln}), "location_not_yours"),
            (
                json!({"identifier": mistype(&maker_gln)}),
                "gs1_check_digit",
            ),
            (
                json!({"identifier": format!("https://id.gs1.org/01/{GTIN}")}),
                "location_identifier",
            ),
            (
                json!({"identifier": "urn:epc:id:sgln:6901234.00002.0", "region": "139999"}),
                "region_unknown",
            ),
            (
                json!({"identifier": "urn:epc:id:sgln:6901234.00002.0", "name": " "}),
                "required",
            ),
            (
                json!({"identifier": "urn:epc:id:sgln:6901234.00002.0", "name": "厂".repeat(101)}),
                "text_too_long",
            ),
            (
                json!({"identifier": "urn:epc:id:sgln:6901234.00002.0", "kind": "moon"}),
                "kind_unknown",
            ),
        ] {
            let mut body = plant.clone();
            for (k, v) in change.as_object().unwrap() {
                body[k] = v.clone();
            }
            let r = add(&w.maker, body).await;
            assert_eq!(
                (r.status, r.json["code"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some(code)),
                "{l}: {change}: {:?}",
                r.json
            );
        }
        // Officers name any location or party.
        let r = add(&w.officer, json!({"identifier": "urn:epc:id:pgln:6907777.00001", "name": "乙商贸", "kind": "party", "region": "130102"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{l}: {:?}", r.json);
        let party = gs1("690777700001");
        assert_eq!(
            r.json["identifier"],
            format!("https://id.gs1.org/417/{party}")
        );
        let r = add(&w.officer, json!({"identifier": "urn:epc:id:sgln:0614141.00001.7", "name": "外省仓库", "kind": "warehouse", "region": "110105"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{l}: {:?}", r.json);
        assert_eq!(r.json["enterprise"], Value::Null);
        assert_eq!(
            add(&w.printer, plant.clone()).await.status,
            StatusCode::FORBIDDEN,
            "{l}"
        );

        let list = |query: &str| {
            send(
                &w.app,
                request(
                    "GET",
                    &format!("/api/v1/locations?{query}"),
                    Some(&w.shop),
                    None,
                ),
            )
        };
        assert_eq!(list("").await.json["total"], 3, "{l}");
        assert_eq!(
            list("kind=maker").await.json["items"][0]["name"],
            "甲乳业一厂",
            "{l}"
        );
        assert_eq!(list("region=130000").await.json["total"], 2, "{l}");
        assert_eq!(
            list(&format!("q={}", enc("仓库"))).await.json["total"],
            1,
            "{l}"
        );
        assert_eq!(
            list("per_page=1&page=2").await.json["items"]
                .as_array()
                .unwrap()
                .len(),
            1,
            "{l}"
        );
        assert_eq!(
            list("kind=moon").await.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{l}"
        );
        let one = send(
            &w.app,
            request(
                "GET",
                &format!(
                    "/api/v1/locations/{}",
                    enc("urn:epc:id:sgln:6901234.00001.0")
                ),
                Some(&w.shop),
                None,
            ),
        )
        .await;
        assert_eq!(
            (one.status, one.json["kind"].as_str()),
            (StatusCode::OK, Some("maker")),
            "{l}"
        );
        let none = send(
            &w.app,
            request(
                "GET",
                &format!("/api/v1/locations/{}", gs1("690888800009")),
                Some(&w.shop),
                None,
            ),
        )
        .await;
        assert_eq!(none.status, StatusCode::NOT_FOUND, "{l}");
        let r = send(
            &w.app,
            request("GET", "/api/v1/locations", Some(&w.printer), None),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{l}");

        // What traces will show.
        let names = t
            .store
            .location_names(&[
                format!("https://id.gs1.org/414/{maker_gln}"),
                format!("https://id.gs1.org/414/{distributor_gln}"),
            ])
            .await
            .unwrap();
        assert_eq!(names.len(), 1, "{l}");
        assert_eq!(
            names[&format!("https://id.gs1.org/414/{maker_gln}")].name,
            "甲乳业一厂"
        );
    }
}
