//! Credit grading on both engines: a grade explains itself record by record and follows
//! the record as it changes; a bad rule file is refused with its line and the old rules
//! stay; grades weight the random draw and set who is due for inspection.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::*;
use serde_json::{Value, json};
use zhijian_core::access::Role;
use zhijian_core::grading::DEFAULT_RULES;
use zhijian_store::identity::Membership;
use zhijian_store::testing::fresh_stores;

/// Registers an enterprise in `region` making F01 goods, with an issued food licence
/// whose number ends in `serial`; returns its credit code and licence id.
async fn licensed(app: &axum::Router, officer: &str, region: &str, serial: u32) -> (String, i64) {
    let code = uscc(region, serial).to_string();
    let r = send(
        app,
        request(
            "POST",
            "/api/v1/enterprises",
            Some(officer),
            Some(json!({"uscc": code, "name": format!("测试食品{serial}有限公司"), "region": region})),
        ),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    let r = send(
        app,
        request(
            "POST",
            &format!("/api/v1/enterprises/{code}/products"),
            Some(officer),
            Some(json!({"name": "挂面", "category": "F01"})),
        ),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    let r = send(
        app,
        request(
            "POST",
            "/api/v1/licences",
            Some(officer),
            Some(json!({"enterprise": code, "kind": "food", "scope": ["F01"]})),
        ),
    )
    .await;
    let licence = r.json["id"].as_i64().unwrap();
    let first13 = format!("101{region}{:04}", serial % 10_000);
    let check = zhijian_core::licence_number::food_check_digit(&first13).unwrap();
    for body in [
        json!({"action": "accept"}),
        json!({"action": "review"}),
        json!({"action": "approve"}),
        json!({"action": "issue", "number": format!("SC{first13}{check}"), "valid_from": "2025-01-01", "valid_until": "2099-12-31"}),
    ] {
        transition(app, officer, licence, body).await;
    }
    (code, licence)
}

async fn transition(app: &axum::Router, officer: &str, licence: i64, body: Value) {
    let r = send(
        app,
        request(
            "POST",
            &format!("/api/v1/licences/{licence}/transitions"),
            Some(officer),
            Some(body),
        ),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.json);
}

async fn get(app: &axum::Router, uri: &str, token: &str) -> Answer {
    send(app, request("GET", uri, Some(token), None)).await
}

fn put_rules(token: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method("PUT")
        .uri("/api/v1/grading/rules")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/toml")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn factor<'a>(grade: &'a Value, name: &str) -> Option<&'a Value> {
    grade["factors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
}

#[tokio::test]
async fn a_grade_explains_itself_and_follows_the_record() {
    for t in fresh_stores().await {
        let (s, l) = (&t.store, t.label);
        let app = app(&t);
        let city = user(s, "sjz-officer", Role::Officer, bureau("130100")).await;
        let (code, licence) = licensed(&app, &city, "130102", 1).await;
        let (other, _) = licensed(&app, &city, "130102", 2).await;
        let maker = user(
            s,
            "maker",
            Role::Enterprise,
            Membership::Organisation(code.clone()),
        )
        .await;
        let rival = user(
            s,
            "rival",
            Role::Enterprise,
            Membership::Organisation(other),
        )
        .await;
        let uri = format!("/api/v1/enterprises/{code}/grade");

        // The contract: grade, score, and factors naming their contribution and source.
        let g = get(&app, &uri, &maker).await;
        assert_eq!(g.status, 200, "{l}: {:?}", g.json);
        assert_eq!(g.json["grade"], "A", "{l}: {:?}", g.json);
        assert_eq!(g.json["score"], 800, "{l}");
        let valid = factor(&g.json, "licence_valid").expect("licence factor");
        assert_eq!(valid["contribution"], 50.0, "{l}");
        assert!(
            valid["source"]
                .as_str()
                .unwrap()
                .starts_with("licence:SC101130102"),
            "{l}: {valid}"
        );
        let sum: f64 = g.json["factors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["contribution"].as_f64().unwrap())
            .sum();
        assert_eq!(sum.round() as i64, g.json["score"].as_i64().unwrap(), "{l}");
        assert_eq!(g.json["supervision"]["interval_days"], 365, "{l}");
        // Another enterprise may not read it; the bureau may.
        assert_eq!(get(&app, &uri, &rival).await.status, 404, "{l}");
        assert_eq!(get(&app, &uri, &city).await.json["grade"], "A", "{l}");

        // A published commitment counts at once, and its withdrawal too.
        let r = send(
            &app,
            request(
                "POST",
                &format!("/api/v1/enterprises/{code}/commitments"),
                Some(&maker),
                Some(json!({"kind": "commitment", "title": "食品安全承诺书", "body": "我公司承诺……"})),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let commitment = r.json["id"].as_i64().unwrap();
        let g = get(&app, &uri, &maker).await;
        assert_eq!(g.json["score"], 830, "{l}");
        assert_eq!(
            factor(&g.json, "commitment").unwrap()["source"],
            format!("commitment:{commitment}"),
            "{l}"
        );
        let r = send(
            &app,
            request(
                "POST",
                &format!("/api/v1/enterprises/{code}/commitments"),
                Some(&rival),
                Some(json!({"kind": "commitment", "title": "冒名承诺"})),
            ),
        )
        .await;
        assert!(matches!(r.status.as_u16(), 403 | 404), "{l}: {:?}", r.json);
        let r = send(
            &app,
            request(
                "POST",
                &format!("/api/v1/enterprises/{code}/commitments"),
                Some(&maker),
                Some(json!({"kind": "commitment", "title": "  "})),
            ),
        )
        .await;
        assert_eq!(r.status, 422, "{l}: {:?}", r.json);

        // A suspended licence takes points and caps the grade at C, saying why.
        transition(
            &app,
            &city,
            licence,
            json!({"action": "suspend", "reason": "停产整改"}),
        )
        .await;
        let g = get(&app, &uri, &maker).await;
        assert_eq!(g.json["grade"], "C", "{l}: {:?}", g.json);
        let cap = factor(&g.json, "cap:licence_suspended").expect("cap factor");
        assert_eq!(cap["contribution"], 0.0, "{l}");
        assert!(factor(&g.json, "licence_valid").is_none(), "{l}");
        assert_eq!(
            factor(&g.json, "licence_suspended").unwrap()["contribution"],
            -200.0,
            "{l}"
        );
        // The history keeps each change, newest first.
        let grades: Vec<&str> = g.json["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["grade"].as_str().unwrap())
            .collect();
        assert_eq!(grades, ["C", "A", "A"], "{l}: {:?}", g.json["history"]);

        let r = send(
            &app,
            request(
                "POST",
                &format!("/api/v1/enterprises/{code}/commitments/{commitment}/withdraw"),
                Some(&maker),
                None,
            ),
        )
        .await;
        assert_eq!(r.status, 204, "{l}");
        let g = get(&app, &uri, &maker).await;
        assert!(factor(&g.json, "commitment").is_none(), "{l}");
        let list = get(
            &app,
            &format!("/api/v1/enterprises/{code}/commitments"),
            &maker,
        )
        .await;
        assert!(
            list.json[0]["withdrawn_at"].is_string(),
            "{l}: {:?}",
            list.json
        );
    }
}

#[tokio::test]
async fn a_bad_rule_file_is_refused_with_its_line_and_the_old_rules_stay() {
    for t in fresh_stores().await {
        let (s, l) = (&t.store, t.label);
        let app = app(&t);
        let admin = user(s, "root", Role::Admin, Membership::None).await;
        let city = user(s, "sjz-officer", Role::Officer, bureau("130100")).await;
        let (code, _) = licensed(&app, &city, "130102", 3).await;

        let bad = DEFAULT_RULES.replace("B = 650", "B = 850");
        let line = bad.lines().position(|x| x == "B = 850").unwrap() + 1;
        let r = send(&app, put_rules(&admin, &bad)).await;
        assert_eq!(r.status, 422, "{l}: {:?}", r.json);
        assert_eq!(r.json["code"], "grading_rules", "{l}");
        let detail = r.json["detail"].as_str().unwrap_or_default().to_string();
        assert!(
            detail.contains(&format!("line {line}")) && detail.contains("thresholds.B"),
            "{l}: {detail}"
        );
        let r = send(&app, put_rules(&admin, "base = [")).await;
        assert_eq!(r.status, 422, "{l}: {:?}", r.json);
        assert_eq!(
            send(&app, put_rules(&city, DEFAULT_RULES)).await.status,
            403,
            "{l}"
        );
        let r = get(&app, "/api/v1/grading/rules", &city).await;
        assert_eq!(r.json["version"], 0, "{l}: refused rules took effect");

        // Good rules become version 1 and regrade everyone under them.
        let lower = DEFAULT_RULES.replace("base = 750", "base = 600");
        let r = send(&app, put_rules(&admin, &lower)).await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        assert_eq!(r.json["version"], 1, "{l}");
        let g = get(&app, &format!("/api/v1/enterprises/{code}/grade"), &city).await;
        assert_eq!(
            (g.json["grade"].as_str(), g.json["score"].as_i64()),
            (Some("B"), Some(650)),
            "{l}"
        );
        assert_eq!(g.json["rules_version"], 1, "{l}");
        assert_eq!(
            g.json["history"][0]["cause"], "rules",
            "{l}: {:?}",
            g.json["history"]
        );
    }
}

#[tokio::test]
async fn grades_weight_the_draw_and_set_who_is_due() {
    for t in fresh_stores().await {
        let (s, l) = (&t.store, t.label);
        let app = app(&t);
        let admin = user(s, "root", Role::Admin, Membership::None).await;
        let city = user(s, "sjz-officer", Role::Officer, bureau("130100")).await;
        let _second = user(s, "sjz-officer-2", Role::Officer, bureau("130100")).await;
        let mut codes = Vec::new();
        for i in 0..8 {
            codes.push(licensed(&app, &city, "130102", 10 + i).await);
        }
        // One maker loses its licence: grade D whatever else it has.
        let (worst, licence) = codes[5].clone();
        transition(
            &app,
            &city,
            licence,
            json!({"action": "revoke", "reason": "严重违法"}),
        )
        .await;
        // Rules where a D is drawn a million times likelier than anyone else.
        let skewed = DEFAULT_RULES
            .replace("draw_weight = 5.0", "draw_weight = 1000000.0")
            .replace("draw_weight = 1.0", "draw_weight = 0.001");
        let r = send(&app, put_rules(&admin, &skewed)).await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);

        let d = get(&app, "/api/v1/grades/distribution?region=130100", &city).await;
        assert_eq!(d.status, 200, "{l}: {:?}", d.json);
        let counts: Vec<i64> = d.json["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["count"].as_i64().unwrap())
            .collect();
        assert_eq!(counts, [0, 7, 0, 0, 1], "{l}: {:?}", d.json);
        assert_eq!(d.json["regions"][0]["region"], "130102", "{l}");
        let r = get(&app, "/api/v1/grades/distribution?category=X99", &city).await;
        assert_eq!(r.status, 422, "{l}");

        for seed in ["one", "two", "three"] {
            let r = send(
                &app,
                request(
                    "POST",
                    "/api/v1/sampling/plans",
                    Some(&city),
                    Some(json!({"name": format!("挂面抽查 {seed}"), "year": 2026, "level": "city", "region": "130100",
                        "quotas": [{"category": "F01", "region": "130102", "batches": 1}]})),
                ),
            )
            .await;
            assert_eq!(r.status, 201, "{l}: {:?}", r.json);
            let id = r.json["id"].as_i64().unwrap();
            let r = send(
                &app,
                request(
                    "POST",
                    &format!("/api/v1/sampling/plans/{id}/draw"),
                    Some(&city),
                    Some(json!({"seed": seed})),
                ),
            )
            .await;
            assert_eq!(r.status, 200, "{l}: {:?}", r.json);
            assert_eq!(r.json["enterprises"], json!([worst]), "{l}: seed {seed}");
        }

        // The calendar: never inspected, everyone is due; D first among equals.
        let due = get(&app, "/api/v1/supervision/due?within_days=30", &city).await;
        assert_eq!(due.json["total"], 8, "{l}: {:?}", due.json);
        assert_eq!(due.json["items"][0]["uscc"], worst, "{l}: {:?}", due.json);
        assert_eq!(due.json["items"][0]["due_on"], "", "{l}");
        let r = send(
            &app,
            request(
                "POST",
                &format!("/api/v1/enterprises/{}/records", codes[0].0),
                Some(&city),
                Some(json!({"kind": "inspection", "occurred_on": jiff::Zoned::now().date().to_string(), "summary": "日常监督检查"})),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let due = get(&app, "/api/v1/supervision/due?within_days=30", &city).await;
        assert_eq!(due.json["total"], 7, "{l}: an inspected A is due in a year");
        let d_only = get(&app, "/api/v1/supervision/due?grade=D", &city).await;
        assert_eq!(d_only.json["items"][0]["uscc"], worst, "{l}");
        assert_eq!(d_only.json["items"][0]["intensity"], "intensive", "{l}");
    }
}

#[tokio::test]
async fn the_background_pass_regrades_what_changed_within_seconds() {
    for t in fresh_stores().await {
        let (s, l) = (&t.store, t.label);
        let state = zhijian_server::state::AppState::new(
            s.clone(),
            zhijian_server::config::Config {
                data: t.dir.path().to_owned(),
                node_code: Some("13".into()),
                ..zhijian_server::config::Config::default()
            },
        )
        .unwrap();
        let app = zhijian_server::router(state.clone());
        let city = user(s, "sjz-officer", Role::Officer, bureau("130100")).await;
        let (_, licence) = licensed(&app, &city, "130102", 40).await;
        let task = tokio::spawn(zhijian_server::grading::run(state));
        // The distribution reads the stored grades: it shows what the pass wrote.
        let counts = |app: axum::Router, token: String| async move {
            let d = get(&app, "/api/v1/grades/distribution?region=130100", &token).await;
            d.json["counts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["count"].as_i64().unwrap())
                .collect::<Vec<_>>()
        };
        let wait_for = |want: [i64; 5]| {
            let (app, token) = (app.clone(), city.clone());
            async move {
                for _ in 0..100 {
                    if counts(app.clone(), token.clone()).await == want {
                        return true;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                false
            }
        };
        assert!(
            wait_for([0, 1, 0, 0, 0]).await,
            "{l}: the first pass grades everyone"
        );
        transition(
            &app,
            &city,
            licence,
            json!({"action": "suspend", "reason": "停产整改"}),
        )
        .await;
        assert!(
            wait_for([0, 0, 0, 1, 0]).await,
            "{l}: the suspension was regraded without anyone reading the grade"
        );
        task.abort();
    }
}
