//! Complaints (12365) on every engine: filed without an account and routed to the right
//! bureau, followed by tracking number, accepted, transferred and closed by bureaus; a
//! substantiated one becomes a risk signal; bad input changes nothing.

mod common;

use common::*;
use serde_json::{Value, json};
use zhijian_core::access::{Principal, Role};
use zhijian_core::code::list::IndexRange;
use zhijian_core::region::RegionCode;
use zhijian_store::codes::{CodeLimits, NewBatch};
use zhijian_store::identity::Membership;
use zhijian_store::testing::fresh_stores;

fn principal(username: &str, role: Role, org_id: Option<i64>, region: &str) -> Principal {
    Principal {
        user_id: 0,
        username: username.into(),
        role,
        org_id,
        region: RegionCode::parse(region).unwrap(),
    }
}

async fn count(s: &zhijian_store::Store, sql: &str) -> i64 {
    s.db().fetch_one(sql, &[]).await.unwrap().int(0).unwrap()
}

#[tokio::test]
async fn complaints_are_routed_followed_and_handled() {
    for t in fresh_stores().await {
        let (s, app, l) = (&t.store, app(&t), t.label);
        let province = user(s, "hebei", Role::Officer, bureau("130000")).await;
        let sjz = user(s, "sjz", Role::Officer, bureau("130100")).await;
        let baoding = user(s, "baoding", Role::Officer, bureau("130600")).await;
        let maker = uscc("130102", 1).to_string();
        let printer = uscc("130102", 900).to_string();
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/enterprises",
                Some(&sjz),
                Some(json!({"uscc": maker, "name": "石家庄甲食品有限公司", "region": "130102"})),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/printers",
                Some(&sjz),
                Some(json!({"uscc": printer, "name": "石家庄印务有限公司", "region": "130102"})),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let ent = user(
            s,
            "maker",
            Role::Enterprise,
            Membership::Organisation(maker.clone()),
        )
        .await;
        let r = send(
            &app,
            request(
                "POST",
                &format!("/api/v1/enterprises/{maker}/products"),
                Some(&ent),
                Some(json!({"name": "速冻水饺", "category": "F05"})),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let product = r.json["id"].as_i64().unwrap();

        // Ten codes, printed and activated on lot A1.
        let maker_org = s.organisation_by_uscc(&maker).await.unwrap().unwrap();
        let printer_org = s.organisation_by_uscc(&printer).await.unwrap().unwrap();
        let me = principal("maker", Role::Enterprise, Some(maker_org.id), "130102");
        let applied = s
            .scoped(&me)
            .apply_codes(&maker, product, 10, None, CodeLimits::default())
            .await
            .unwrap();
        let segment = s
            .scoped(&principal("sjz", Role::Officer, None, "130100"))
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
        s.scoped(&principal(
            "p",
            Role::Printer,
            Some(printer_org.id),
            "130102",
        ))
        .confirm_print_job(job.id, 10, 0)
        .await
        .unwrap();
        let first = segment.first_index as u64;
        s.scoped(&me)
            .activate(
                &NewBatch {
                    lot: "A1".into(),
                    production_date: jiff::civil::date(2026, 11, 1),
                    expiry_date: None,
                    inspection_report: None,
                },
                &[IndexRange { first, count: 10 }],
            )
            .await
            .unwrap();
        let code = s
            .code_space()
            .unwrap()
            .encode(first + 3)
            .unwrap()
            .to_string();

        let file = |body: Value| {
            let app = app.clone();
            async move {
                send(
                    &app,
                    request("POST", "/api/v1/complaints", None, Some(body)),
                )
                .await
            }
        };

        // Bad input: a clear error, nothing stored.
        let mut mistyped = code.clone().into_bytes();
        mistyped[19] = if mistyped[19] == b'9' {
            b'0'
        } else {
            mistyped[19] + 1
        };
        for (body, expected) in [
            (json!({"text": "   "}), "text"),
            (
                json!({"text": "饺子里有异物", "code": String::from_utf8(mistyped).unwrap()}),
                "code_mistyped",
            ),
            (
                json!({"text": "饺子里有异物", "enterprise": uscc("130102", 77).to_string()}),
                "enterprise_unknown",
            ),
            (
                json!({"text": "饺子里有异物", "region": "139999"}),
                "region_unknown",
            ),
        ] {
            let r = file(body.clone()).await;
            assert_eq!(
                (r.status.as_u16(), r.json["code"].as_str()),
                (422, Some(expected)),
                "{l}: {body} {:?}",
                r.json
            );
        }
        let r = file(json!({"text": "x", "photos": []})).await;
        assert_eq!(r.status, 422, "{l}: unknown fields are refused");
        assert_eq!(count(s, "SELECT COUNT(*) FROM complaints").await, 0, "{l}");

        // Routing: by the code's enterprise, by the complainant's region, else the top bureau.
        let by_code =
            file(json!({"text": "速冻水饺煮后有异味", "code": code, "contact": "13800000000"}))
                .await;
        assert_eq!(by_code.status, 201, "{l}: {:?}", by_code.json);
        let number = by_code.json["tracking_number"].as_str().unwrap().to_owned();
        assert!(
            number.starts_with("TS-") && number.len() == 17,
            "{l}: {number}"
        );
        // Photos go with the tracking number: images only, unknown numbers not found.
        let photos = format!("/api/v1/complaints/track/{number}/photos");
        let r = send(&app, upload(&photos, None, "receipt.txt", b"not an image")).await;
        assert_eq!(r.status, 422, "{l}: {:?}", r.json);
        let r = send(&app, upload(&photos, None, "水饺.png", PNG)).await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        assert_eq!(r.json["added_by"], "complainant", "{l}");
        let r = send(
            &app,
            upload(
                "/api/v1/complaints/track/TS-0000-0000-0000/photos",
                None,
                "x.png",
                PNG,
            ),
        )
        .await;
        assert_eq!(r.status, 404, "{l}");
        let r = send(
            &app,
            request(
                "GET",
                &format!("/api/v1/complaints/track/{number}"),
                None,
                None,
            ),
        )
        .await;
        assert_eq!(r.json["photos"], 1, "{l}: {:?}", r.json);
        // The tracking page's own form: a photo goes back to the page, a refusal says why.
        let r = send(
            &app,
            form_upload(
                "/complaints/track/photos",
                None,
                &[("n", &number)],
                "标签.png",
                PNG,
            ),
        )
        .await;
        assert_eq!(r.status, 303, "{l}");
        let r = send(
            &app,
            form_upload(
                "/complaints/track/photos",
                None,
                &[("n", &number)],
                "a.txt",
                b"text",
            ),
        )
        .await;
        let page = String::from_utf8_lossy(&r.raw).into_owned();
        assert_eq!(r.status, 422, "{l}");
        assert!(
            page.contains("已上传照片 2 张") && page.contains("id=\"photo-error\""),
            "{l}: {page}"
        );
        let by_region =
            file(json!({"text": "超市销售过期酸奶", "region": "130602", "product": "酸奶"})).await;
        assert_eq!(by_region.status, 201, "{l}");
        let bare = file(json!({"text": "网购的电热毯漏电"})).await;
        assert_eq!(bare.status, 201, "{l}");
        assert_ne!(by_code.json["bureau"], bare.json["bureau"], "{l}");
        let list = |token: String, query: &'static str| {
            let app = app.clone();
            async move {
                send(
                    &app,
                    request(
                        "GET",
                        &format!("/api/v1/complaints{query}"),
                        Some(&token),
                        None,
                    ),
                )
                .await
                .json
            }
        };
        let mine = list(sjz.clone(), "").await;
        assert_eq!(mine["total"], 1, "{l}: {mine}");
        let c = &mine["items"][0];
        assert_eq!(
            (
                c["enterprise"].as_str(),
                c["product_id"].as_i64(),
                c["status"].as_str()
            ),
            (Some(maker.as_str()), Some(product), Some("received")),
            "{l}: {c}"
        );
        assert!(c["batch_id"].is_i64(), "{l}: the code names the batch");
        let id = c["id"].as_i64().unwrap();
        assert_eq!(list(baoding.clone(), "").await["total"], 1, "{l}");
        assert_eq!(
            list(province.clone(), "").await["total"],
            3,
            "{l}: the province sees its subtree"
        );
        assert_eq!(
            list(ent.clone(), "").await["total"],
            0,
            "{l}: enterprises handle none"
        );

        // Following it: any case, spaces; an unknown number tells nothing.
        let track = |n: String| {
            let app = app.clone();
            async move {
                send(
                    &app,
                    request("GET", &format!("/api/v1/complaints/track/{n}"), None, None),
                )
                .await
            }
        };
        let r = track(number.to_lowercase().replace('-', "%20")).await;
        assert_eq!(
            (r.status.as_u16(), r.json["status"].as_str()),
            (200, Some("received")),
            "{l}: {:?}",
            r.json
        );
        assert!(
            r.json.get("text").is_none() && r.json.get("contact").is_none(),
            "{l}: {:?}",
            r.json
        );
        for unknown in ["TS-0000-0000-0000", "nonsense", "TS-%E6%8A%95"] {
            let r = track(unknown.into()).await;
            assert_eq!(r.status, 404, "{l}: {unknown}");
            assert!(r.json.get("tracking_number").is_none(), "{l}");
        }

        // Handling: order enforced; transfer to a bureau that exists; close substantiated.
        let act = |token: String, body: Value| {
            let app = app.clone();
            async move {
                send(
                    &app,
                    request(
                        "POST",
                        &format!("/api/v1/complaints/{id}/actions"),
                        Some(&token),
                        Some(body),
                    ),
                )
                .await
            }
        };
        let r = act(
            sjz.clone(),
            json!({"action": "close", "outcome": "substantiated", "text": "x"}),
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), r.json["code"].as_str()),
            (409, Some("complaint_status")),
            "{l}"
        );
        let r = act(baoding.clone(), json!({"action": "accept"})).await;
        assert_eq!(r.status, 404, "{l}: another city does not see it");
        // The enterprise complained about sees it only once a bureau accepts it.
        let about_us = || {
            let (app, ent) = (app.clone(), ent.clone());
            async move {
                send(&app, request("GET", "/api/v1/complaints", Some(&ent), None))
                    .await
                    .json
            }
        };
        assert_eq!(about_us().await["total"], 0, "{l}");
        let r = act(
            sjz.clone(),
            json!({"action": "accept", "text": "已受理，将组织核查"}),
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), r.json["status"].as_str()),
            (200, Some("accepted")),
            "{l}: {:?}",
            r.json
        );
        assert!(r.json["handle_by"].is_string(), "{l}");
        let seen = about_us().await;
        assert_eq!(
            (seen["total"].as_i64(), seen["items"][0]["id"].as_i64()),
            (Some(1), Some(id)),
            "{l}: {seen}"
        );
        assert!(
            seen["items"][0]["contact"].is_null(),
            "{l}: no contact for the enterprise"
        );
        let r = act(
            ent.clone(),
            json!({"action": "close", "outcome": "unsubstantiated", "text": "x"}),
        )
        .await;
        assert_eq!(r.status, 403, "{l}: it reads, it does not handle");
        let r = act(
            sjz.clone(),
            json!({"action": "transfer", "region": "130700"}),
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), r.json["code"].as_str()),
            (422, Some("bureau_unknown")),
            "{l}"
        );
        let r = act(
            sjz.clone(),
            json!({"action": "transfer", "region": "130600", "text": "生产地核查"}),
        )
        .await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        assert_eq!(
            list(sjz.clone(), "").await["total"],
            0,
            "{l}: it left Shijiazhuang"
        );
        assert_eq!(
            count(
                s,
                "SELECT COUNT(*) FROM risk_signals WHERE kind = 'complaint'"
            )
            .await,
            0,
            "{l}"
        );
        let r = act(baoding.clone(), json!({"action": "close", "outcome": "substantiated", "text": "经查属实，已责令企业召回并整改"})).await;
        assert_eq!(
            (r.status.as_u16(), r.json["outcome"].as_str()),
            (200, Some("substantiated")),
            "{l}: {:?}",
            r.json
        );
        assert_eq!(count(s, "SELECT COUNT(*) FROM risk_signals WHERE kind = 'complaint' AND enterprise_id IS NOT NULL AND category = 'F05'").await, 1, "{l}");
        let r = track(number.clone()).await;
        let kinds: Vec<&str> = r.json["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            ["received", "accepted", "transferred", "closed"],
            "{l}"
        );
        assert_eq!(r.json["reply"], "经查属实，已责令企业召回并整改", "{l}");
        assert!(
            r.json["steps"][1].get("actor").is_none(),
            "{l}: who handled it is not told"
        );

        // Rejection with a reason; overdue ones are flagged.
        let bare_n = bare.json["tracking_number"].as_str().unwrap().to_owned();
        let bare_id = list(province.clone(), "?status=received").await["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["tracking_number"] == bare_n.as_str())
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let r = send(
            &app,
            request(
                "POST",
                &format!("/api/v1/complaints/{bare_id}/actions"),
                Some(&province),
                Some(json!({"action": "reject", "text": "   "})),
            ),
        )
        .await;
        assert_eq!(r.json["code"], "text", "{l}: a rejection says why");
        let r = send(
            &app,
            request(
                "POST",
                &format!("/api/v1/complaints/{bare_id}/actions"),
                Some(&province),
                Some(json!({"action": "reject", "text": "未提供经营者信息，请补充后重新投诉"})),
            ),
        )
        .await;
        assert_eq!(r.json["status"], "rejected", "{l}: {:?}", r.json);
        assert_eq!(
            track(bare_n).await.json["reply"],
            "未提供经营者信息，请补充后重新投诉",
            "{l}"
        );
        assert_eq!(
            list(province.clone(), "?overdue=true").await["total"],
            0,
            "{l}"
        );
        s.db()
            .execute_outside_transaction(
                "UPDATE complaints SET accept_by = '2020-01-02' WHERE status = 'received'",
                &[],
            )
            .await
            .unwrap();
        let late = list(province.clone(), "?overdue=true").await;
        assert_eq!(late["total"], 1, "{l}: {late}");
        assert_eq!(late["items"][0]["overdue"], true, "{l}");

        // The public pages: the form (prefilled from a verification), what to correct,
        // the tracking number, and the progress page.
        let page = |method: &'static str, uri: String, body: Option<String>| {
            let app = app.clone();
            async move {
                let mut req = axum::http::Request::builder().method(method).uri(uri);
                if body.is_some() {
                    req = req.header("content-type", "application/x-www-form-urlencoded");
                }
                let r = send(
                    &app,
                    req.body(axum::body::Body::from(body.unwrap_or_default()))
                        .unwrap(),
                )
                .await;
                (r.status.as_u16(), String::from_utf8(r.raw).unwrap())
            }
        };
        let (status, html) = page("GET", format!("/q/{code}"), None).await;
        assert!(
            status == 200 && html.contains(&format!("/complaints?code={code}")),
            "{l}: the verification page links to the form"
        );
        let (status, html) = page("GET", format!("/complaints?code={code}"), None).await;
        assert!(
            status == 200 && html.contains(&format!(r#"value="{code}""#)),
            "{l}"
        );
        let before = count(s, "SELECT COUNT(*) FROM complaints").await;
        let (status, html) = page(
            "POST",
            "/complaints".into(),
            Some("text=+&contact=0311-1234".into()),
        )
        .await;
        assert_eq!(status, 422, "{l}");
        assert!(
            html.contains(r#"id="problem""#)
                && html.contains("请填写内容")
                && html.contains("0311-1234"),
            "{l}: {html}"
        );
        assert_eq!(
            count(s, "SELECT COUNT(*) FROM complaints").await,
            before,
            "{l}"
        );
        let form = format!("text=%E9%A5%BA%E5%AD%90%E5%8F%91%E9%9C%89&code={code}");
        let (status, html) = page("POST", "/complaints".into(), Some(form)).await;
        assert_eq!(status, 201, "{l}: {html}");
        let start =
            html.find(r#"id="tracking-number">"#).unwrap() + r#"id="tracking-number">"#.len();
        let n = html[start..start + 17].to_owned();
        let (status, html) = page(
            "GET",
            format!("/complaints/track?n={}", n.to_lowercase()),
            None,
        )
        .await;
        assert!(
            status == 200 && html.contains(r#"data-status="received""#) && html.contains("已收到"),
            "{l}: {html}"
        );
        let (status, html) =
            page("GET", "/complaints/track?n=TS-0000-0000-0000".into(), None).await;
        assert!(status == 404 && html.contains(r#"id="not-found""#), "{l}");

        // The console: the province's list, the handling bureau's page.
        let console = |uri: String, token: String| {
            let app = app.clone();
            async move {
                let r = send(&app, request("GET", &uri, Some(&token), None)).await;
                (r.status.as_u16(), String::from_utf8(r.raw).unwrap())
            }
        };
        let (status, html) =
            console("/console/complaints?overdue=1".into(), province.clone()).await;
        assert_eq!(status, 200, "{l}: {html}");
        assert!(
            html.contains(r#"class="overdue""#) && !html.contains(&number),
            "{l}"
        );
        let (status, html) = console(format!("/console/complaints/{id}"), baoding.clone()).await;
        assert!(
            status == 200 && html.contains("经查属实") && html.contains(&number),
            "{l}: {html}"
        );
        assert!(
            !html.contains(r#"id="close-form""#),
            "{l}: closed, nothing left to do"
        );
        let (status, _) = console(format!("/console/complaints/{id}"), sjz.clone()).await;
        assert_eq!(status, 404, "{l}");
    }
}
