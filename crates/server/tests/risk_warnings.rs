//! Risk early warning over HTTP, on both engines: officers import signals (all or
//! nothing, each fault named by element and field), detection raises a warning on a
//! surge and none on flat data, a re-run adds evidence instead of a second warning, the
//! owner bureau moves it through its lifecycle in order only, bureaus see their subtree,
//! and a public warning shows in the announcements.

mod common;

use common::*;
use serde_json::{Value, json};
use zhijian_core::access::Role;
use zhijian_store::identity::Membership;
use zhijian_store::testing::fresh_stores;

/// The instant detection looks from: Monday 2026-11-30, noon in Beijing.
const AS_OF: &str = "2026-11-30T12:00:00+08:00";

fn as_of_ms() -> i64 {
    AS_OF.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

/// `per_week` complaints of a category in a region for each of `weeks` weeks before
/// `AS_OF` (week 0 ends at it), the newest `surge_weeks` weeks with `surge` each.
fn complaints(
    category: &str,
    region: &str,
    weeks: i64,
    per_week: i64,
    surge_weeks: i64,
    surge: i64,
) -> Vec<Value> {
    let mut v = Vec::new();
    for w in 0..weeks {
        let n = if w < surge_weeks { surge } else { per_week };
        for k in 0..n {
            let at = as_of_ms() - w * 7 * 86_400_000 - (k % 6 + 1) * 86_400_000 - 3_600_000;
            let t = jiff::Timestamp::from_millisecond(at).unwrap();
            v.push(
                json!({"kind": "complaint", "category": category, "region": region,
                          "time": t.to_string(), "severity": 2}),
            );
        }
    }
    v
}

async fn signal_count(app: &axum::Router, token: &str) -> i64 {
    let r = send(
        app,
        request("GET", "/api/v1/risk-signals?per_page=1", Some(token), None),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    r.json["total"].as_i64().unwrap()
}

#[tokio::test]
async fn signal_imports_are_checked_and_all_or_nothing() {
    for t in fresh_stores().await {
        let (s, app, l) = (&t.store, app(&t), t.label);
        let admin = user(s, "admin", Role::Admin, Membership::None).await;
        let city = user(s, "sjz-officer", Role::Officer, bureau("130100")).await;
        let viewer = user(s, "sjz-viewer", Role::Viewer, bureau("130100")).await;
        let maker = uscc("130102", 1).to_string();
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/enterprises",
                Some(&city),
                Some(json!({"uscc": maker, "name": "石家庄乳业有限公司", "region": "130102"})),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {}", r.json);
        let enterprise = user(
            s,
            "maker",
            Role::Enterprise,
            Membership::Organisation(maker.clone()),
        )
        .await;
        let good = json!({"kind": "complaint", "category": "F05", "region": "130102",
                          "time": "2026-11-20T09:00:00+08:00", "severity": 3, "enterprise": maker});
        let before = audit_head(s).await;
        let stranger = uscc("130102", 2).to_string();
        for (field, value, code) in [
            ("kind", json!("rumour"), "kind_unknown"),
            ("kind", json!("sample_failed"), "kind_unknown"),
            ("category", json!("Z99"), "category_unknown"),
            ("region", json!("130199"), "region_unknown"),
            ("region", json!("13010x"), "region_unknown"),
            ("region", json!("130202"), "region_outside"),
            ("time", json!("2026-11-20T09:00:00"), "time_format"),
            ("time", json!("yesterday"), "time_format"),
            ("severity", json!(5), "severity_range"),
            ("severity", json!(0), "severity_range"),
            ("enterprise", json!(stranger), "enterprise_unknown"),
            ("category", json!(null), "required"),
        ] {
            let mut bad = good.clone();
            bad[field] = value;
            let r = send(
                &app,
                request(
                    "POST",
                    "/api/v1/signals",
                    Some(&city),
                    Some(json!([good, bad])),
                ),
            )
            .await;
            assert_eq!(r.status, 422, "{l}: {field}: {}", r.json);
            assert_eq!(r.json["code"], code, "{l}: {field}: {}", r.json);
            assert_eq!(r.json["field"], format!("[1].{field}"), "{l}: {}", r.json);
        }
        assert_eq!(
            audit_head(s).await,
            before,
            "{l}: refused imports change nothing"
        );
        assert_eq!(signal_count(&app, &city).await, 0, "{l}");

        // Only officers and admins import.
        for token in [&enterprise, &viewer] {
            let r = send(
                &app,
                request("POST", "/api/v1/signals", Some(token), Some(json!([good]))),
            )
            .await;
            assert_eq!(r.status, 403, "{l}: {}", r.json);
        }

        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/signals",
                Some(&city),
                Some(json!([good, good])),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {}", r.json);
        assert_eq!(r.json, json!({"count": 2}));

        // The same columns as CSV; an admin may name any region.
        let csv = "kind,category,region,time,severity,enterprise\n\
                   injury,I03,130202,2026-11-21T08:00:00Z,4,\n\
                   external,F05,130102,2026-11-22T08:00:00+08:00,,\n";
        let req = axum::http::Request::builder()
            .method("POST")
            .uri("/api/v1/signals")
            .header("authorization", format!("Bearer {admin}"))
            .header("content-type", "text/csv; charset=utf-8")
            .body(axum::body::Body::from(csv))
            .unwrap();
        let r = send(&app, req).await;
        assert_eq!(r.status, 201, "{l}: {}", r.json);
        assert_eq!(r.json["count"], 2);
        let bad_csv = "kind,category,region,time\ncomplaint,F05,130102,2026-11-22\n";
        let req = axum::http::Request::builder()
            .method("POST")
            .uri("/api/v1/signals")
            .header("authorization", format!("Bearer {admin}"))
            .header("content-type", "text/csv")
            .body(axum::body::Body::from(bad_csv))
            .unwrap();
        let r = send(&app, req).await;
        assert_eq!(r.status, 422, "{l}: {}", r.json);
        assert_eq!(r.json["field"], "[0].time");

        // The list joins enterprises only where one is named.
        let r = send(
            &app,
            request("GET", "/api/v1/risk-signals", Some(&admin), None),
        )
        .await;
        assert_eq!(r.json["total"], 4, "{l}: {}", r.json);
        let items = r.json["items"].as_array().unwrap();
        assert!(
            items
                .iter()
                .any(|i| i["enterprise"] == maker && i["severity"] == 3)
        );
        assert!(
            items
                .iter()
                .any(|i| i["enterprise"].is_null() && i["kind"] == "injury")
        );
        // The enterprise sees the signals that name it.
        assert_eq!(signal_count(&app, &enterprise).await, 2, "{l}");

        // Counterfeit signals of code verification are swept in once, by detection.
        let mut tx = s.db().begin().await.unwrap();
        let cs = tx
            .fetch_one(
                "INSERT INTO counterfeit_signals (at, kind, code_index, region, enterprise_id, detail) VALUES ($1, 'unknown_code', NULL, '130105', NULL, '{}') RETURNING id",
                &[as_of_ms().into()],
            )
            .await
            .unwrap()
            .int(0)
            .unwrap();
        tx.commit().await.unwrap();
        for _ in 0..2 {
            let r = send(
                &app,
                request(
                    "POST",
                    "/api/v1/risk/detect",
                    Some(&city),
                    Some(json!({"as_of": AS_OF})),
                ),
            )
            .await;
            assert_eq!(r.status, 200, "{l}: {}", r.json);
        }
        let r = send(
            &app,
            request(
                "GET",
                "/api/v1/risk-signals?kind=counterfeit",
                Some(&admin),
                None,
            ),
        )
        .await;
        assert_eq!(r.json["total"], 1, "{l}: {}", r.json);
        assert_eq!(r.json["items"][0]["source_id"], cs);
        assert_eq!(r.json["items"][0]["severity"], 3);
        assert_eq!(r.json["items"][0]["region"], "130105");
    }
}

#[tokio::test]
async fn detection_raises_on_a_surge_and_not_on_flat_data_and_a_rerun_adds_evidence() {
    for t in fresh_stores().await {
        let (s, app, l) = (&t.store, app(&t), t.label);
        let city = user(s, "sjz-officer", Role::Officer, bureau("130100")).await;
        let county = user(s, "ca-officer", Role::Officer, bureau("130102")).await;
        let other = user(s, "ts-officer", Role::Officer, bureau("130200")).await;
        let other_county = user(s, "ln-officer", Role::Officer, bureau("130202")).await;
        let province = user(s, "hb-officer", Role::Officer, bureau("130000")).await;
        let import = |token: String, body: Vec<Value>| {
            let app = app.clone();
            async move {
                let r = send(
                    &app,
                    request("POST", "/api/v1/signals", Some(&token), Some(json!(body))),
                )
                .await;
                assert_eq!(r.status, 201, "{}", r.json);
            }
        };
        let detect = |token: String| {
            let app = app.clone();
            async move {
                let r = send(
                    &app,
                    request(
                        "POST",
                        "/api/v1/risk/detect",
                        Some(&token),
                        Some(json!({"as_of": AS_OF})),
                    ),
                )
                .await;
                assert_eq!(r.status, 200, "{}", r.json);
                r.json
            }
        };
        // Flat: two complaints a week about dairy for 34 weeks, in a county of the city.
        import(city.clone(), complaints("F05", "130102", 34, 2, 0, 0)).await;
        let r = detect(city.clone()).await;
        assert_eq!(
            (r["raised"].as_i64(), r["updated"].as_i64()),
            (Some(0), Some(0)),
            "{l}: {r}"
        );

        // A surge in the last three weeks: fifteen a week.
        import(city.clone(), complaints("F05", "130102", 3, 0, 3, 13)).await;
        let r = detect(city.clone()).await;
        assert_eq!(r["raised"], 1, "{l}: {r}");
        assert_eq!(r["as_of"], "2026-11-30T04:00:00Z");
        let list = send(&app, request("GET", "/api/v1/warnings", Some(&city), None)).await;
        assert_eq!(list.status, 200, "{l}: {}", list.json);
        assert_eq!(list.json["total"], 1, "{l}: {}", list.json);
        let w = &list.json["items"][0];
        assert_eq!(w["kind"], "complaint_surge");
        assert_eq!(w["level"], "red", "{l}: dairy (grade I), very strong: {w}");
        assert_eq!(w["category"], "F05");
        assert_eq!(w["region"], "130100");
        assert_eq!(w["status"], "raised");
        assert_eq!(w["raised_at"], "2026-11-30T04:00:00Z");
        assert_eq!(w["owner"], "石家庄市市场监督管理局");
        let evidence = w["evidence_count"].as_i64().unwrap();
        assert!(evidence >= 45, "{l}: {w}");
        let id = w["id"].as_i64().unwrap();

        // The same run again changes nothing; new evidence joins the open warning.
        let r = detect(city.clone()).await;
        assert_eq!(
            (r["raised"].clone(), r["updated"].clone()),
            (json!(0), json!(0)),
            "{l}: {r}"
        );
        import(city.clone(), complaints("F05", "130102", 1, 0, 1, 4)).await;
        let r = detect(province.clone()).await;
        assert_eq!(
            (r["raised"].clone(), r["updated"].clone()),
            (json!(0), json!(1)),
            "{l}: {r}"
        );
        let one = send(
            &app,
            request("GET", &format!("/api/v1/warnings/{id}"), Some(&city), None),
        )
        .await;
        assert_eq!(one.status, 200);
        assert_eq!(one.json["evidence_count"], evidence + 4, "{l}");
        assert_eq!(
            one.json["evidence"].as_array().unwrap().len() as i64,
            evidence + 4
        );
        assert_eq!(one.json["steps"][0]["status"], "raised");
        let all = send(
            &app,
            request("GET", "/api/v1/warnings", Some(&province), None),
        )
        .await;
        assert_eq!(all.json["total"], 1, "{l}: no second warning");

        // The warning went to the owner bureau's hook.
        let queued = s.notifications_to("130100").await.unwrap();
        assert_eq!(queued.len(), 1, "{l}");
        assert_eq!(queued[0].channel, "webhook");
        let body: Value = serde_json::from_str(&queued[0].body).unwrap();
        assert_eq!(body["id"], id);

        // Scope: another city's bureaus, and a county (its subtree holds no city
        // warning), see nothing.
        for token in [&other, &other_county, &county] {
            let r = send(&app, request("GET", "/api/v1/warnings", Some(token), None)).await;
            assert_eq!(r.json["total"], 0, "{l}: {}", r.json);
            let r = send(
                &app,
                request("GET", &format!("/api/v1/warnings/{id}"), Some(token), None),
            )
            .await;
            assert_eq!(r.status, 404, "{l}");
        }
        // Filters.
        for (q, n) in [
            ("level=red", 1),
            ("level=blue", 0),
            ("category=F05", 1),
            ("category=F01", 0),
            ("status=open", 1),
            ("status=closed", 0),
            ("region=130100", 1),
            ("region=130200", 0),
        ] {
            let r = send(
                &app,
                request(
                    "GET",
                    &format!("/api/v1/warnings?{q}"),
                    Some(&province),
                    None,
                ),
            )
            .await;
            assert_eq!(r.json["total"], n, "{l}: {q}: {}", r.json);
        }
        let r = send(
            &app,
            request(
                "GET",
                "/api/v1/warnings?level=purple",
                Some(&province),
                None,
            ),
        )
        .await;
        assert_eq!(r.status, 422, "{l}");
    }
}

#[tokio::test]
async fn the_owner_moves_a_warning_through_its_lifecycle_in_order_and_may_publish_it() {
    for t in fresh_stores().await {
        let (s, app, l) = (&t.store, app(&t), t.label);
        let city = user(s, "sjz-officer", Role::Officer, bureau("130100")).await;
        let viewer = user(s, "sjz-viewer", Role::Viewer, bureau("130100")).await;
        let maker = uscc("130104", 7).to_string();
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/enterprises",
                Some(&city),
                Some(json!({"uscc": maker, "name": "石家庄电线电缆有限公司", "region": "130104"})),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {}", r.json);
        let enterprise = user(
            s,
            "maker",
            Role::Enterprise,
            Membership::Organisation(maker.clone()),
        )
        .await;
        // Three injuries from cables in one city within a fortnight: a cluster.
        let injuries: Vec<Value> = (1..=3)
            .map(|d| {
                json!({"kind": "injury", "category": "I03", "region": "130104",
                            "time": format!("2026-11-2{d}T10:00:00+08:00"), "severity": 3,
                            "enterprise": maker})
            })
            .collect();
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/signals",
                Some(&city),
                Some(json!(injuries)),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {}", r.json);
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/risk/detect",
                Some(&enterprise),
                Some(json!({"as_of": AS_OF})),
            ),
        )
        .await;
        assert_eq!(r.status, 403, "{l}");
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/risk/detect",
                Some(&city),
                Some(json!({"as_of": AS_OF})),
            ),
        )
        .await;
        assert_eq!(r.json["raised"], 1, "{l}: {}", r.json);
        let id = r.json["raised_ids"][0].as_i64().unwrap();
        let one = send(
            &app,
            request("GET", &format!("/api/v1/warnings/{id}"), Some(&city), None),
        )
        .await;
        assert_eq!(one.json["kind"], "cluster", "{l}: {}", one.json);
        assert_eq!(one.json["enterprises"][0]["uscc"], maker);
        let r = send(
            &app,
            request("GET", "/api/v1/warnings", Some(&enterprise), None),
        )
        .await;
        assert_eq!(r.status, 403, "{l}");

        let go = |token: String, body: Value| {
            let app = app.clone();
            async move {
                send(
                    &app,
                    request(
                        "POST",
                        &format!("/api/v1/warnings/{id}/transitions"),
                        Some(&token),
                        Some(body),
                    ),
                )
                .await
            }
        };
        // Out of order: refused, nothing changed.
        let before = audit_head(s).await;
        for to in ["measures", "closed", "raised"] {
            let r = go(city.clone(), json!({"to": to, "note": "too soon"})).await;
            assert_eq!(r.status, 409, "{l}: {to}: {}", r.json);
            assert_eq!(r.json["code"], "warning_transition");
        }
        let r = go(city.clone(), json!({"to": "done"})).await;
        assert_eq!(r.status, 422, "{l}");
        assert_eq!(r.json["field"], "to");
        let r = go(viewer.clone(), json!({"to": "acknowledged"})).await;
        assert_eq!(r.status, 403, "{l}");
        assert_eq!(audit_head(s).await, before, "{l}");

        let r = go(
            city.clone(),
            json!({"to": "acknowledged", "note": "已收到"}),
        )
        .await;
        assert_eq!(r.status, 200, "{l}: {}", r.json);
        assert_eq!(r.json["status"], "acknowledged");
        let r = go(city.clone(), json!({"to": "acknowledged"})).await;
        assert_eq!(r.status, 409, "{l}");
        let r = go(
            city.clone(),
            json!({"to": "measures", "note": "责令停产，抽检在售批次"}),
        )
        .await;
        assert_eq!(
            r.json["measures"], "责令停产，抽检在售批次",
            "{l}: {}",
            r.json
        );

        // Public: in the announcements for everyone.
        let r = send(&app, request("GET", "/api/v1/public-warnings", None, None)).await;
        assert_eq!(r.json["total"], 0, "{l}");
        let r = send(
            &app,
            request(
                "POST",
                &format!("/api/v1/warnings/{id}/publish"),
                Some(&city),
                Some(json!({"public": true})),
            ),
        )
        .await;
        assert_eq!(r.status, 200, "{l}: {}", r.json);
        assert_eq!(r.json["public"], true);
        let r = send(&app, request("GET", "/api/v1/public-warnings", None, None)).await;
        assert_eq!(r.json["total"], 1, "{l}");
        assert_eq!(r.json["items"][0]["id"], id);
        let page = send(&app, request("GET", "/announcements", None, None)).await;
        let html = String::from_utf8_lossy(&page.raw);
        assert!(
            html.contains(&format!("id=\"warning-{id}\"")),
            "{l}: {html}"
        );

        let r = go(city.clone(), json!({"to": "closed", "note": "整改完成"})).await;
        assert_eq!(r.json["status"], "closed", "{l}: {}", r.json);
        assert!(r.json["closed_at"].is_string());
        let steps: Vec<&str> = r.json["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["status"].as_str().unwrap())
            .collect();
        assert_eq!(steps, ["raised", "acknowledged", "measures", "closed"]);
        let r = go(city.clone(), json!({"to": "acknowledged"})).await;
        assert_eq!(r.status, 409, "{l}");

        // Closed: the next finding raises a new warning.
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/risk/detect",
                Some(&city),
                Some(json!({"as_of": AS_OF})),
            ),
        )
        .await;
        assert_eq!(r.json["raised"], 1, "{l}: {}", r.json);
    }
}

/// A console page as a browser gets it.
async fn page(
    app: &axum::Router,
    method: &str,
    uri: &str,
    cookie: &str,
    form: &str,
) -> (u16, String, String) {
    let mut b = axum::http::Request::builder().method(method).uri(uri);
    if !cookie.is_empty() {
        b = b.header("cookie", cookie);
    }
    if method == "POST" {
        b = b.header("content-type", "application/x-www-form-urlencoded");
    }
    let r = send(
        app,
        b.body(axum::body::Body::from(form.to_owned())).unwrap(),
    )
    .await;
    let raw = String::from_utf8_lossy(&r.raw).into_owned();
    (r.status.as_u16(), raw, String::new())
}

async fn console_login(app: &axum::Router, username: &str) -> String {
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(format!(
            "username={username}&password=correct+horse"
        )))
        .unwrap();
    let res = tower::ServiceExt::oneshot(app.clone(), req).await.unwrap();
    assert_eq!(res.status(), 303);
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("zj_session="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

fn csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_console_lists_warnings_and_the_owner_moves_them() {
    for t in fresh_stores().await {
        let (s, app, l) = (&t.store, app(&t), t.label);
        let city = user(s, "sjz-officer", Role::Officer, bureau("130100")).await;
        let cookie = console_login(&app, "sjz-officer").await;
        let (status, html, _) = page(&app, "GET", "/console/warnings", &cookie, "").await;
        assert_eq!(status, 200, "{l}");
        assert!(html.contains("id=\"warnings-empty\""), "{l}");
        assert!(html.contains("id=\"warning-filters\"") && html.contains("name=\"level\""));

        let injuries: Vec<Value> = (1..=3)
            .map(|d| {
                json!({"kind": "injury", "category": "I03", "region": "130104",
                            "time": format!("2026-11-2{d}T10:00:00+08:00"), "severity": 2})
            })
            .collect();
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/signals",
                Some(&city),
                Some(json!(injuries)),
            ),
        )
        .await;
        assert_eq!(r.status, 201);
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/risk/detect",
                Some(&city),
                Some(json!({"as_of": AS_OF})),
            ),
        )
        .await;
        let id = r.json["raised_ids"][0].as_i64().unwrap();

        let (_, html, _) = page(&app, "GET", "/console", &cookie, "").await;
        assert!(
            html.contains("id=\"warning-inbox\""),
            "{l}: the home page's inbox"
        );
        let (status, html, _) = page(&app, "GET", "/console/risk", &cookie, "").await;
        assert_eq!(status, 200, "{l}");
        assert!(
            html.contains("data-region=\"130100\""),
            "{l}: the dashboard's city row"
        );
        assert!(
            html.contains("id=\"risk-trend\"") && html.contains("<svg"),
            "{l}"
        );
        let (_, html, _) = page(
            &app,
            "GET",
            "/console/warnings?level=&status=open&category=I03",
            &cookie,
            "",
        )
        .await;
        assert!(html.contains(&format!("data-warning=\"{id}\"")), "{l}");
        let (_, html, _) = page(&app, "GET", "/console/warnings?category=F05", &cookie, "").await;
        assert!(html.contains("id=\"warnings-empty\""), "{l}");
        let english = format!("{cookie}; lang=en");
        let (_, html, _) = page(&app, "GET", "/console/warnings", &english, "").await;
        assert!(html.contains("Risk warnings"), "{l}");

        let uri = format!("/console/warnings/{id}");
        let (status, html, _) = page(&app, "GET", &uri, &cookie, "").await;
        assert_eq!(status, 200, "{l}");
        assert!(html.contains("id=\"transition-acknowledged\""), "{l}");
        let token = csrf(&html);
        let (status, _, _) = page(
            &app,
            "POST",
            &format!("{uri}/transition"),
            &cookie,
            &format!("csrf={token}&to=acknowledged&note=ok"),
        )
        .await;
        assert_eq!(status, 303, "{l}");
        let (_, html, _) = page(&app, "GET", &uri, &cookie, "").await;
        assert!(html.contains("data-status=\"acknowledged\""), "{l}");
        assert!(html.contains("id=\"transition-measures\""), "{l}");
        let (status, _, _) = page(
            &app,
            "POST",
            &format!("{uri}/publish"),
            &cookie,
            &format!("csrf={token}&public=true"),
        )
        .await;
        assert_eq!(status, 303, "{l}");
        let r = send(&app, request("GET", "/api/v1/public-warnings", None, None)).await;
        assert_eq!(r.json["total"], 1, "{l}");
    }
}
