//! Traces and recall reach on a small network checked by hand, on every engine: a maker
//! packs, ships a case and loose units to a distributor, who unpacks and ships on to two
//! shops; one shop sells a unit, the other never confirms receipt.

mod common;

use common::*;
use serde_json::{Value, json};
use zhijian_core::access::{Principal, Role};
use zhijian_core::code::list::IndexRange;
use zhijian_core::region::RegionCode;
use zhijian_epcis::identifier::Identifier;
use zhijian_store::codes::{CodeLimits, NewBatch};
use zhijian_store::identity::Membership;
use zhijian_store::testing::fresh_stores;

const GTIN: &str = "06901234567892";

fn principal(username: &str, role: Role, org_id: Option<i64>, region: &str) -> Principal {
    Principal {
        user_id: 0,
        username: username.into(),
        role,
        org_id,
        region: RegionCode::parse(region).unwrap(),
    }
}

fn canonical(id: &str) -> String {
    Identifier::parse(id).unwrap().canonical()
}

/// The network's places, as EPC URNs.
const MAKER: &str = "urn:epc:id:sgln:6901234.00001.0";
const DC: &str = "urn:epc:id:sgln:6909999.00001.0";
const SHOP_A: &str = "urn:epc:id:sgln:6908888.00001.0";
const SHOP_B: &str = "urn:epc:id:sgln:6908888.00002.0";
const CASE: &str = "urn:epc:id:sscc:6901234.0000000001";

fn event(day: u32, step: &str, epcs: &[String], at: &str, to: Option<&str>) -> Value {
    let mut e = json!({"type": "ObjectEvent", "action": if step == "commissioning" { "ADD" } else { "OBSERVE" },
        "eventTime": format!("2026-11-{day:02}T09:00:00+08:00"), "eventTimeZoneOffset": "+08:00",
        "epcList": epcs, "bizStep": step, "bizLocation": {"id": at}});
    if step == "retail_selling" {
        e["disposition"] = json!("retail_sold");
    }
    if let Some(to) = to {
        e["sourceList"] = json!([{"type": "location", "source": at}]);
        e["destinationList"] = json!([{"type": "location", "destination": to}]);
    }
    e
}

fn aggregation(day: u32, action: &str, children: &[String], at: &str) -> Value {
    json!({"type": "AggregationEvent", "action": action, "eventTime": format!("2026-11-{day:02}T09:00:00+08:00"),
        "eventTimeZoneOffset": "+08:00", "parentID": CASE, "childEPCs": children,
        "bizStep": if action == "ADD" { "packing" } else { "unpacking" }, "bizLocation": {"id": at}})
}

fn document(events: Vec<Value>) -> Vec<u8> {
    json!({"@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", "type": "EPCISDocument",
           "schemaVersion": "2.0", "creationDate": "2026-11-30T00:00:00Z", "epcisBody": {"eventList": events}})
    .to_string()
    .into_bytes()
}

#[tokio::test]
async fn traces_and_recall_reach_follow_units_through_cases_to_the_shops() {
    for t in fresh_stores().await {
        let (s, app, l) = (&t.store, app(&t), t.label);
        let officer = user(s, "sjz-officer", Role::Officer, bureau("130100")).await;
        let far = user(s, "bj-officer", Role::Officer, bureau("110000")).await;
        let admin = user(s, "root", Role::Admin, Membership::None).await;
        let maker = uscc("130102", 1).to_string();
        let dc = uscc("130102", 2).to_string();
        let printer = uscc("130102", 900).to_string();
        for (code, name) in [
            (&maker, "石家庄甲乳业有限公司"),
            (&dc, "石家庄物流配送中心"),
        ] {
            let r = send(
                &app,
                request(
                    "POST",
                    "/api/v1/enterprises",
                    Some(&officer),
                    Some(json!({"uscc": code, "name": name, "region": "130102"})),
                ),
            )
            .await;
            assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        }
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/printers",
                Some(&officer),
                Some(json!({"uscc": printer, "name": "石家庄印务有限公司", "region": "130102"})),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let ent = user(
            s,
            "maker-user",
            Role::Enterprise,
            Membership::Organisation(maker.clone()),
        )
        .await;
        let dc_user = user(
            s,
            "dc-user",
            Role::Enterprise,
            Membership::Organisation(dc.clone()),
        )
        .await;
        let r = send(
            &app,
            request(
                "POST",
                &format!("/api/v1/enterprises/{maker}/products"),
                Some(&ent),
                Some(json!({"name": "纯牛奶", "category": "F05", "gtin": GTIN})),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let product = r.json["id"].as_i64().unwrap();

        // Codes: 10 units of lot L1 and 5 of lot L2, printed and activated.
        let maker_org = s.organisation_by_uscc(&maker).await.unwrap().unwrap();
        let printer_org = s.organisation_by_uscc(&printer).await.unwrap().unwrap();
        let me = principal("maker-user", Role::Enterprise, Some(maker_org.id), "130102");
        let bureau_p = principal("sjz-officer", Role::Officer, None, "130100");
        let applied = s
            .scoped(&me)
            .apply_codes(&maker, product, 20, None, CodeLimits::default())
            .await
            .unwrap();
        let segment = s
            .scoped(&bureau_p)
            .approve_code_application(applied.id)
            .await
            .unwrap()
            .segment
            .unwrap();
        let job = s
            .scoped(&me)
            .create_print_job(segment.id, &printer, None, None)
            .await
            .unwrap();
        let printer_p = principal(
            "printer-user",
            Role::Printer,
            Some(printer_org.id),
            "130102",
        );
        s.scoped(&printer_p)
            .confirm_print_job(job.id, 20, 0)
            .await
            .unwrap();
        let first = segment.first_index as u64;
        for (lot, offset, count) in [("L1", 0, 10), ("L2", 10, 5)] {
            let batch = NewBatch {
                lot: lot.into(),
                production_date: jiff::civil::date(2026, 11, 1),
                expiry_date: None,
                inspection_report: None,
            };
            s.scoped(&me)
                .activate(
                    &batch,
                    &[IndexRange {
                        first: first + offset,
                        count,
                    }],
                )
                .await
                .unwrap();
        }
        let space = s.code_space().unwrap();
        let code = |i: u64| space.encode(first + i).unwrap().to_string();
        let unit = |i: u64| format!("https://id.gs1.org/01/{GTIN}/21/{}", code(i));
        let units = |range: std::ops::Range<u64>| range.map(unit).collect::<Vec<_>>();
        for (id, name, kind, region) in [
            (MAKER, "甲乳业一厂", "maker", "130102"),
            (DC, "石家庄配送中心", "distributor", "130102"),
            (SHOP_A, "长安超市", "shop", "130102"),
            (SHOP_B, "桥西便利店", "shop", "130104"),
        ] {
            s.db()
                .execute_outside_transaction(
                    "INSERT INTO gs1_locations (identifier, name, kind, region, created_by, created_at) VALUES ($1, $2, $3, $4, 'test', 0)",
                    &[canonical(id).into(), name.into(), kind.into(), region.into()],
                )
                .await
                .unwrap();
        }

        let l2_loose: Vec<String> = vec![unit(10), unit(11)];
        let mut shipped = vec![CASE.to_owned()];
        shipped.extend(l2_loose.clone());
        let events = vec![
            event(1, "commissioning", &units(0..15), MAKER, None),
            aggregation(2, "ADD", &units(0..6), MAKER),
            event(3, "shipping", &shipped, MAKER, Some(DC)),
            event(4, "receiving", &shipped, DC, None),
            aggregation(5, "DELETE", &[], DC),
            event(6, "shipping", &units(0..4), DC, Some(SHOP_A)),
            event(7, "receiving", &units(0..4), SHOP_A, None),
            event(8, "shipping", &units(4..5), DC, Some(SHOP_B)),
            event(9, "retail_selling", &units(0..1), SHOP_A, None),
        ];
        let r = app_capture(&app, &admin, document(events)).await;
        assert_eq!(r["success"], true, "{l}: {r}");

        // Forward: hand-checked counts, the maker first.
        let r = send(
            &app,
            request(
                "GET",
                &format!("/api/v1/trace/batch/{GTIN}/L1"),
                Some(&officer),
                None,
            ),
        )
        .await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        let holders = r.json["holders"].as_array().unwrap();
        let place = |id: &str| {
            holders
                .iter()
                .find(|h| h["location"] == canonical(id).as_str())
                .unwrap_or_else(|| panic!("{l}: {id} missing"))
        };
        let counts = |id: &str| {
            let h = place(id);
            [
                "produced",
                "received",
                "shipped",
                "sold",
                "in_transit",
                "holding",
            ]
            .map(|k| h[k].as_f64().unwrap())
        };
        assert_eq!(holders[0]["location"], canonical(MAKER).as_str(), "{l}");
        assert_eq!(place(MAKER)["name"], "甲乳业一厂");
        assert_eq!(
            counts(MAKER),
            [10.0, 0.0, 6.0, 0.0, 0.0, 4.0],
            "{l}: the case held 6"
        );
        assert_eq!(counts(DC), [0.0, 6.0, 5.0, 0.0, 0.0, 1.0], "{l}");
        assert_eq!(counts(SHOP_A), [0.0, 4.0, 0.0, 1.0, 0.0, 3.0], "{l}");
        assert_eq!(
            counts(SHOP_B),
            [0.0, 0.0, 0.0, 0.0, 1.0, 1.0],
            "{l}: shipped, never received"
        );
        assert_eq!(r.json["totals"]["holding"], 9.0);
        assert_eq!(r.json["totals"]["places_reached"], 3);
        let r = send(
            &app,
            request(
                "GET",
                &format!("/api/v1/trace/batch/{product}/L2"),
                Some(&officer),
                None,
            ),
        )
        .await;
        let l2: Vec<(String, f64)> = r.json["holders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["location"].as_str().unwrap().to_owned(),
                    h["holding"].as_f64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            l2,
            [(canonical(MAKER), 3.0), (canonical(DC), 2.0)],
            "{l}: loose units travel too"
        );

        // Backward from one unit: through the case, to the shop that sold it.
        let r = send(
            &app,
            request(
                "GET",
                &format!("/api/v1/trace/code/{}", code(0)),
                Some(&officer),
                None,
            ),
        )
        .await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        let steps: Vec<(&str, Option<&str>)> = r.json["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["biz_step"].as_str().unwrap(), s["via"].as_str()))
            .collect();
        let case = canonical(CASE);
        assert_eq!(
            steps,
            [
                ("commissioning", None),
                ("packing", None),
                ("shipping", Some(case.as_str())),
                ("receiving", Some(case.as_str())),
                ("unpacking", Some(case.as_str())),
                ("shipping", None),
                ("receiving", None),
                ("retail_selling", None),
            ],
            "{l}"
        );
        assert_eq!(
            (r.json["status"].as_str(), r.json["location_name"].as_str()),
            (Some("sold"), Some("长安超市")),
            "{l}"
        );
        assert_eq!(r.json["batch"]["lot"], "L1");

        // One unit, queried as its SGTIN, its EPC URN and its supervision code: the
        // events that name it (commissioned, packed, shipped on, received, sold).
        let epc_urn = match Identifier::parse(&unit(0)).unwrap() {
            Identifier::Sgtin { gtin, serial } => format!(
                "urn:epc:id:sgtin:{}.{}{}.{serial}",
                &gtin[1..8],
                &gtin[..1],
                &gtin[8..13]
            ),
            other => panic!("{other:?}"),
        };
        for form in [unit(0), epc_urn, format!("urn:zhijian:code:{}", code(0))] {
            let r = send(
                &app,
                request(
                    "GET",
                    &format!("/epcis/events?MATCH_epc={}", enc(&form)),
                    Some(&admin),
                    None,
                ),
            )
            .await;
            let steps: Vec<&str> = r.json["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
                .as_array()
                .unwrap_or_else(|| panic!("{l}: {form}: {:?}", r.json))
                .iter()
                .map(|e| e["bizStep"].as_str().unwrap_or_default())
                .collect();
            assert_eq!(
                steps,
                [
                    "commissioning",
                    "packing",
                    "shipping",
                    "receiving",
                    "retail_selling"
                ],
                "{l}: {form}"
            );
        }
        // A database that held events before units were keyed by their issue index
        // (migration 0022 notes it) may hold units indexed as written: reopened, the node
        // finds those too.
        s.db()
            .execute_outside_transaction(
                "INSERT INTO epcis_event_ids (identifier, role, event) SELECT $1, 'epc', MIN(id) FROM epcis_events",
                &[unit(40).into()],
            )
            .await
            .unwrap();
        let as_written = |app: axum::Router| {
            let uri = format!("/epcis/events?MATCH_epc={}", enc(&unit(40)));
            let admin = admin.clone();
            async move {
                send(&app, request("GET", &uri, Some(&admin), None))
                    .await
                    .json["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
                    .as_array()
                    .map(Vec::len)
            }
        };
        assert_eq!(
            as_written(app.clone()).await,
            Some(0),
            "{l}: a new database probes keys only"
        );
        s.db()
            .execute_outside_transaction(
                "INSERT INTO node_settings (name, value) VALUES ('units_indexed_as_written', '1')",
                &[],
            )
            .await
            .unwrap();
        let reopened = zhijian_store::Store::open(&t.url, t.dir.path().join("files"))
            .await
            .unwrap();
        assert_eq!(as_written(app_on(&t, reopened)).await, Some(1), "{l}");
        let r = send(
            &app,
            request(
                "GET",
                &format!("/api/v1/trace/code/{}", code(4)),
                Some(&officer),
                None,
            ),
        )
        .await;
        assert_eq!(
            (r.json["status"].as_str(), r.json["location_name"].as_str()),
            (Some("in_transit"), Some("桥西便利店")),
            "{l}"
        );
        // The same unit by its EPC URN.
        let urn = format!("urn:epc:id:sgtin:6901234.056789.{}", code(4));
        let r = send(
            &app,
            request(
                "GET",
                &format!("/api/v1/trace/code/{}", enc(&urn)),
                Some(&officer),
                None,
            ),
        )
        .await;
        assert_eq!(
            r.json["steps"].as_array().map(Vec::len),
            Some(6),
            "{l}: {:?}",
            r.json
        );

        // Recall reach: by lot, by code range, refusals.
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/recall-reach",
                Some(&ent),
                Some(json!({"product": GTIN, "lots": ["L1"]})),
            ),
        )
        .await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        assert_eq!(r.json["totals"]["holding"], 9.0);
        assert_eq!(r.json["totals"]["sold"], 1.0);
        let r = send(&app, request("POST", "/api/v1/recall-reach", Some(&ent), Some(json!({"product": product.to_string(), "code_ranges": [{"first": code(10), "last": code(14)}]})))).await;
        assert_eq!(
            r.json["batches"].as_array().map(|b| b[0]["lot"].clone()),
            Some(json!("L2")),
            "{l}: {:?}",
            r.json
        );
        for (body, expected) in [
            (
                json!({"product": GTIN, "lots": ["NOPE"]}),
                "scope_matches_nothing",
            ),
            (json!({"product": GTIN}), "scope_empty"),
            (
                json!({"product": "06901234567885", "lots": ["L1"]}),
                "product_unknown",
            ),
            (
                json!({"product": GTIN, "production_dates": {"from": "2026-13-01"}}),
                "date_format",
            ),
        ] {
            let r = send(
                &app,
                request("POST", "/api/v1/recall-reach", Some(&ent), Some(body)),
            )
            .await;
            assert_eq!(
                (r.status.as_u16(), r.json["code"].as_str()),
                (422, Some(expected)),
                "{l}"
            );
        }

        // Who may look: the maker and its bureaus; not another province, not the
        // distributor (it sees its own events, not the maker's batch).
        for (token, status) in [(&ent, 200), (&far, 404), (&dc_user, 404)] {
            let r = send(
                &app,
                request(
                    "GET",
                    &format!("/api/v1/trace/batch/{GTIN}/L1"),
                    Some(token),
                    None,
                ),
            )
            .await;
            assert_eq!(r.status, status, "{l}");
        }

        // The console page: the table, the graph of parties, a unit's timeline, the reach.
        let page = |uri: String| {
            let app = app.clone();
            let token = officer.clone();
            async move { send(&app, request("GET", &uri, Some(&token), None)).await }
        };
        let r = page(format!("/console/trace?product={GTIN}&lot=L1")).await;
        let html = String::from_utf8(r.raw).unwrap();
        assert_eq!(r.status, 200, "{l}: {html}");
        assert!(
            html.contains(r#"<svg class="flow-graph""#)
                && html.contains("长安超市")
                && html.contains("桥西便利店"),
            "{l}"
        );
        let r = page(format!("/console/trace?code={}", code(0))).await;
        let html = String::from_utf8(r.raw).unwrap();
        assert!(
            html.contains(r#"id="unit-status""#) && html.contains("已售出"),
            "{l}"
        );
        let r = page(format!("/console/trace?product={GTIN}&lots=L1,L2")).await;
        let html = String::from_utf8(r.raw).unwrap();
        assert!(
            html.contains(r#"id="reach""#) && html.contains("L1, L2"),
            "{l}"
        );
        let r = page(format!("/console/trace?product={GTIN}&lot=NOPE")).await;
        assert_eq!(r.status, 404, "{l}");

        // Exports: CSV and a workbook that reads back.
        let r = send(
            &app,
            request(
                "GET",
                &format!("/api/v1/trace/batch/{GTIN}/L1?format=csv"),
                Some(&officer),
                None,
            ),
        )
        .await;
        let text = String::from_utf8(r.raw).unwrap();
        assert_eq!(text.lines().count(), 5, "{l}: heading + 4 places");
        assert!(text.contains("长安超市"));
        let r = send(
            &app,
            request(
                "GET",
                &format!("/api/v1/trace/batch/{GTIN}/L1?format=xlsx"),
                Some(&officer),
                None,
            ),
        )
        .await;
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(r.raw)).unwrap();
        let sheet = book.worksheet_range("追溯").unwrap();
        let maker_row: Vec<String> = sheet
            .rows()
            .nth(3)
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(
            (maker_row[1].as_str(), maker_row[10].as_str()),
            ("甲乳业一厂", "4"),
            "{l}"
        );

        recall_lot_l1(
            &t, &app, &ent, &officer, &far, &dc_user, &admin, &dc, &code, &unit,
        )
        .await;
    }
}

/// The recall of lot L1 on the network above: the maker starts it, the bureau confirms
/// it, its four places are told, the distributor acknowledges, units come back, the
/// bureau closes it; codes of L1 verify as recalled from confirmation on.
#[allow(clippy::too_many_arguments)]
async fn recall_lot_l1(
    t: &zhijian_store::testing::TestStore,
    app: &axum::Router,
    ent: &str,
    officer: &str,
    far: &str,
    dc_user: &str,
    admin: &str,
    dc: &str,
    code: &impl Fn(u64) -> String,
    unit: &impl Fn(u64) -> String,
) {
    let (s, l) = (&t.store, t.label);
    let dc_org = s.organisation_by_uscc(dc).await.unwrap().unwrap();
    s.db()
        .execute_outside_transaction(
            "UPDATE gs1_locations SET organisation_id = $1 WHERE identifier = $2",
            &[dc_org.id.into(), canonical(DC).into()],
        )
        .await
        .unwrap();
    let post = |uri: String, token: &str, body: Value| {
        let (app, token) = (app.clone(), token.to_owned());
        async move { send(&app, request("POST", &uri, Some(&token), Some(body))).await }
    };
    let get = |uri: String, token: &str| {
        let (app, token) = (app.clone(), token.to_owned());
        async move { send(&app, request("GET", &uri, Some(&token), None)).await }
    };
    let verdict = |i: u64| {
        let uri = format!("/api/v1/verify/{}", code(i));
        let app = app.clone();
        async move { send(&app, request("GET", &uri, None, None)).await.json }
    };

    // Refused, and nothing recorded.
    for (body, status, expected) in [
        (
            json!({"product_id": 0, "lots": ["L1"], "risk_class": "II", "reason": "漏电"}),
            404,
            "not_found",
        ),
        (
            json!({"product": GTIN, "lots": ["L1"], "risk_class": "IV", "reason": "漏电"}),
            422,
            "risk_class",
        ),
        (
            json!({"product": GTIN, "lots": ["NOPE"], "risk_class": "II", "reason": "漏电"}),
            422,
            "scope_matches_nothing",
        ),
        (
            json!({"product": GTIN, "lots": ["L1"], "risk_class": "II", "reason": "  "}),
            422,
            "text",
        ),
        (
            json!({"product": GTIN, "lots": ["L1"], "risk_class": "II", "reason": "漏电", "enterprise": dc}),
            422,
            "enterprise_product",
        ),
        (
            json!({"product": GTIN, "lots": ["L1"], "risk_class": "II", "reason": "漏电", "report_every_days": 0}),
            422,
            "report_interval",
        ),
    ] {
        let r = post("/api/v1/recalls".into(), ent, body.clone()).await;
        assert_eq!(
            (r.status.as_u16(), r.json["code"].as_str()),
            (status, Some(expected)),
            "{l}: {body} {:?}",
            r.json
        );
    }
    let r = post(
        "/api/v1/recalls".into(),
        far,
        json!({"product": GTIN, "lots": ["L1"], "risk_class": "II", "reason": "漏电"}),
    )
    .await;
    assert_eq!(
        r.status, 404,
        "{l}: another province does not see the product"
    );
    assert_eq!(
        get("/api/v1/recalls".into(), officer).await.json["total"],
        0,
        "{l}"
    );

    // The maker's voluntary recall waits for the bureau; its codes still verify genuine.
    let r = post(
        "/api/v1/recalls".into(),
        ent,
        json!({"enterprise": uscc("130102", 1).to_string(), "product": GTIN, "lots": ["L1"], "risk_class": "II",
               "reason": "包装密封不严，可能变质", "remedy": "停止销售，退回生产企业",
               "plan": "经销商 7 日内退回，门店下架", "report_every_days": 7}),
    )
    .await;
    assert_eq!(r.status, 201, "{l}: {:?}", r.json);
    let id = r.json["id"].as_i64().unwrap();
    assert_eq!(
        (r.json["status"].as_str(), r.json["kind"].as_str()),
        (Some("pending"), Some("voluntary")),
        "{l}"
    );
    assert_eq!(r.json["lots"], json!(["L1"]), "{l}");
    assert_eq!(r.json["parties"], json!([]), "{l}");
    assert_eq!(
        (
            r.json["plan"].as_str(),
            r.json["report_every_days"].as_i64(),
            r.json["next_report_due"].as_str()
        ),
        (Some("经销商 7 日内退回，门店下架"), Some(7), None),
        "{l}: no report is due before it is in force"
    );
    let r = post(
        format!("/api/v1/recalls/{id}/reports"),
        ent,
        json!({"text": "too early"}),
    )
    .await;
    assert_eq!(r.json["code"], "recall_not_active", "{l}");
    assert_eq!(verdict(1).await["verdict"], "genuine", "{l}");
    let r = post(
        "/api/v1/recalls".into(),
        ent,
        json!({"product": GTIN, "lots": ["L1"], "risk_class": "I", "reason": "again"}),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.json["code"].as_str()),
        (409, Some("batch_under_recall")),
        "{l}"
    );
    for (token, status) in [(ent, 403), (far, 404), (dc_user, 404)] {
        let r = post(format!("/api/v1/recalls/{id}/confirm"), token, json!({})).await;
        assert_eq!(r.status, status, "{l}: only its bureau confirms");
    }

    // Confirmed: in force, the four places told, L1's codes recalled, L2's not.
    let r = post(format!("/api/v1/recalls/{id}/confirm"), officer, json!({})).await;
    assert_eq!(r.status, 200, "{l}: {:?}", r.json);
    assert_eq!(r.json["status"], "active", "{l}");
    let parties = r.json["parties"].as_array().unwrap();
    assert_eq!(parties.len(), 4, "{l}: {parties:?}");
    let holding = |id: &str| {
        parties
            .iter()
            .find(|p| p["location"] == canonical(id).as_str())
            .unwrap()["holding"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(
        [
            holding(MAKER),
            holding(DC),
            holding(SHOP_A),
            holding(SHOP_B)
        ],
        [4.0, 1.0, 3.0, 1.0],
        "{l}"
    );
    let told = s
        .db()
        .fetch_one("SELECT COUNT(*) FROM notifications WHERE channel = 'webhook' AND subject LIKE '产品召回%'", &[])
        .await
        .unwrap()
        .int(0)
        .unwrap();
    assert_eq!(told, 4, "{l}");
    let e = &r.json["effectiveness"];
    assert_eq!(
        [
            &e["distributed"],
            &e["sold"],
            &e["recovered"],
            &e["in_trade"]
        ],
        [6.0, 1.0, 0.0, 5.0],
        "{l}: {e}"
    );
    let v = verdict(1).await;
    assert_eq!(v["verdict"], "recalled", "{l}: {v}");
    assert_eq!(v["recall"]["remedy"], "停止销售，退回生产企业", "{l}");
    let page = send(app, request("GET", &format!("/q/{}", code(1)), None, None)).await;
    let html = String::from_utf8(page.raw).unwrap();
    assert!(
        html.contains(r#"id="recall-notice""#) && html.contains("停止销售，退回生产企业"),
        "{l}: the consumer's page says what to do"
    );
    assert_eq!(
        verdict(10).await["verdict"],
        "genuine",
        "{l}: L2 is not recalled"
    );

    // The distributor sees the recall it is a party to and acknowledges once.
    let r = get("/api/v1/recalls?status=active".into(), dc_user).await;
    assert_eq!(r.json["total"], 1, "{l}: {:?}", r.json);
    let r = post(
        format!("/api/v1/recalls/{id}/acknowledge"),
        dc_user,
        json!({}),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.json["acknowledged"].as_i64()),
        (200, Some(1)),
        "{l}: {:?}",
        r.json
    );
    let r = post(
        format!("/api/v1/recalls/{id}/acknowledge"),
        dc_user,
        json!({}),
    )
    .await;
    assert_eq!(r.json["code"], "no_party", "{l}");
    let r = post(
        format!("/api/v1/recalls/{id}/acknowledge"),
        officer,
        json!({"location": canonical(SHOP_B)}),
    )
    .await;
    assert_eq!(
        r.json["acknowledged"], 2,
        "{l}: the bureau records a shop told by phone"
    );

    // Two units go back to the maker and one is destroyed at the shop.
    let back: Vec<String> = (1..3).map(unit).collect();
    let events = vec![
        event(12, "shipping", &back, SHOP_A, Some(MAKER)),
        event(13, "receiving", &back, MAKER, None),
        event(13, "decommissioning", &[unit(3)], SHOP_A, None),
    ];
    let r = app_capture(app, admin, document(events)).await;
    assert_eq!(r["success"], true, "{l}: {r}");
    let r = get(format!("/api/v1/recalls/{id}"), ent).await;
    let e = &r.json["effectiveness"];
    assert_eq!(
        [
            &e["distributed"],
            &e["recovered"],
            &e["in_trade"],
            &e["rate"]
        ],
        [6.0, 3.0, 2.0, 0.5],
        "{l}: {e}"
    );

    // Progress reports keep the figures of their moment; a party may not file one.
    let r = post(
        format!("/api/v1/recalls/{id}/reports"),
        dc_user,
        json!({"text": "我们已退货"}),
    )
    .await;
    assert_eq!(r.status, 403, "{l}: {:?}", r.json);
    let r = post(
        format!("/api/v1/recalls/{id}/reports"),
        ent,
        json!({"text": "  "}),
    )
    .await;
    assert_eq!(r.json["code"], "text", "{l}");
    let r = post(
        format!("/api/v1/recalls/{id}/reports"),
        ent,
        json!({"text": "第一周：收回 3 件，其中 1 件在门店销毁"}),
    )
    .await;
    assert_eq!(r.status, 201, "{l}: {:?}", r.json);
    let report = &r.json["reports"][0];
    assert_eq!(
        (
            report["recovered"].as_f64(),
            report["rate"].as_f64(),
            report["reported_by"].as_str()
        ),
        (Some(3.0), Some(0.5), Some("maker-user")),
        "{l}: {report}"
    );
    assert_eq!(r.json["report_overdue"], false, "{l}");
    let due: jiff::Timestamp = r.json["next_report_due"].as_str().unwrap().parse().unwrap();
    let filed: jiff::Timestamp = report["reported_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        due.as_millisecond() - filed.as_millisecond(),
        7 * 86_400_000,
        "{l}: the next is due a week after this one"
    );
    let page = send(app, request("GET", &format!("/recalls/{id}"), None, None)).await;
    let page = String::from_utf8_lossy(&page.raw).into_owned();
    assert!(page.contains("已收回 50.0 %"), "{l}: {page}");

    // Closed by the bureau with its report; L1 stays recalled.
    let r = post(
        format!("/api/v1/recalls/{id}/close"),
        ent,
        json!({"report": "已收回"}),
    )
    .await;
    assert_eq!(r.status, 403, "{l}");
    let r = post(
        format!("/api/v1/recalls/{id}/close"),
        officer,
        json!({"report": "已收回 3 件，售出 1 件已公告"}),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.json["status"].as_str()),
        (200, Some("closed")),
        "{l}: {:?}",
        r.json
    );
    let r = post(
        format!("/api/v1/recalls/{id}/close"),
        officer,
        json!({"report": "again"}),
    )
    .await;
    assert_eq!(r.json["code"], "recall_not_active", "{l}");
    assert_eq!(verdict(2).await["verdict"], "recalled", "{l}");

    // An admin's order is in force at once.
    let r = post(
        "/api/v1/recalls".into(),
        admin,
        json!({"product": GTIN, "lots": ["L2"], "risk_class": "I", "reason": "检出致病菌"}),
    )
    .await;
    assert_eq!(r.status, 201, "{l}: {:?}", r.json);
    assert_eq!(
        (r.json["kind"].as_str(), r.json["status"].as_str()),
        (Some("ordered"), Some("active")),
        "{l}"
    );
    assert_eq!(verdict(11).await["verdict"], "recalled", "{l}");
    assert_eq!(
        get("/api/v1/recalls".into(), far).await.json["total"],
        0,
        "{l}"
    );
    assert_eq!(
        get("/api/v1/recalls".into(), officer).await.json["total"],
        2,
        "{l}"
    );
}

fn enc(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn app_capture(app: &axum::Router, token: &str, body: Vec<u8>) -> Value {
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/epcis/capture")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/ld+json")
        .body(axum::body::Body::from(body))
        .unwrap();
    let r = send(app, req).await;
    assert_eq!(r.status, 202, "{:?}", String::from_utf8_lossy(&r.raw));
    let id = r.json["captureID"].as_str().unwrap().to_owned();
    send(
        app,
        request("GET", &format!("/epcis/capture/{id}"), Some(token), None),
    )
    .await
    .json
}
