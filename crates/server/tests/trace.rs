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
    }
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
