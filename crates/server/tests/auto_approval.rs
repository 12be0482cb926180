//! The auto-approval of small code applications (issue 8's "joining in minutes"), on both
//! engines: with the rule on, an enterprise in good standing gets a small application
//! approved at once; a larger one, or one from an enterprise with a suspended licence or
//! a recent sampling failure, waits for its bureau; with the rule off, all wait.

mod common;

use common::*;
use serde_json::{Value, json};
use zhijian_core::access::Role;
use zhijian_server::config::Config;
use zhijian_server::state::AppState;
use zhijian_store::identity::Membership;
use zhijian_store::testing::fresh_stores;

#[tokio::test]
async fn small_applications_from_enterprises_in_good_standing_are_approved_at_once() {
    for t in fresh_stores().await {
        let (s, l) = (&t.store, t.label);
        let with_rule = |up_to: i64| {
            zhijian_server::router(
                AppState::new(
                    s.clone(),
                    Config {
                        data: t.dir.path().to_owned(),
                        node_code: Some("13".into()),
                        code_auto_approve_up_to: up_to,
                        ..Config::default()
                    },
                )
                .unwrap(),
            )
        };
        let app = with_rule(1_000);
        let city = user(s, "sjz-officer", Role::Officer, bureau("130100")).await;
        let post = |app: &axum::Router, uri: String, token: &str, body: Value| {
            let (app, token) = (app.clone(), token.to_owned());
            async move { send(&app, request("POST", &uri, Some(&token), Some(body))).await }
        };
        // Two makers: one in good standing, one whose licence is suspended.
        let mut makers = Vec::new();
        for (i, name) in ["石家庄良好食品有限公司", "石家庄停产食品有限公司"]
            .iter()
            .enumerate()
        {
            let code = uscc("130102", 800 + i as u32).to_string();
            let r = post(
                &app,
                "/api/v1/enterprises".into(),
                &city,
                json!({"uscc": code, "name": name, "region": "130102"}),
            )
            .await;
            assert_eq!(r.status, 201, "{l}: {:?}", r.json);
            let r = post(
                &app,
                format!("/api/v1/enterprises/{code}/products"),
                &city,
                json!({"name": "挂面", "category": "F01"}),
            )
            .await;
            let product = r.json["id"].as_i64().unwrap();
            let token = user(
                s,
                &format!("maker-{i}"),
                Role::Enterprise,
                Membership::Organisation(code.clone()),
            )
            .await;
            makers.push((code, product, token));
        }
        let (bad_code, ..) = &makers[1];
        let r = post(
            &app,
            "/api/v1/licences".into(),
            &city,
            json!({"enterprise": bad_code, "kind": "food", "scope": ["F01"]}),
        )
        .await;
        let licence = r.json["id"].as_i64().unwrap();
        let first13 = "1010130102001";
        let check = zhijian_core::licence_number::food_check_digit(first13).unwrap();
        for body in [
            json!({"action": "accept"}),
            json!({"action": "review"}),
            json!({"action": "approve"}),
            json!({"action": "issue", "number": format!("SC{first13}{check}"), "valid_from": "2025-01-01", "valid_until": "2029-12-31"}),
            json!({"action": "suspend", "reason": "停产整改"}),
        ] {
            let r = post(
                &app,
                format!("/api/v1/licences/{licence}/transitions"),
                &city,
                body,
            )
            .await;
            assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        }
        let apply = |app: &axum::Router, who: usize, quantity: i64| {
            let (code, product, token) = makers[who].clone();
            let app = app.clone();
            async move {
                let r = send(&app, request("POST", "/api/v1/code-applications", Some(&token),
                    Some(json!({"enterprise": code, "product_id": product, "quantity": quantity})))).await;
                assert_eq!(r.status, 201, "{:?}", r.json);
                r.json
            }
        };
        let a = apply(&app, 0, 1_000).await;
        assert_eq!(a["status"], "approved", "{l}: {a:?}");
        assert_eq!(a["decided_by"], "auto-approval", "{l}");
        assert!(
            a["segment"].is_object(),
            "{l}: the codes are allocated: {a:?}"
        );
        // The enterprise prints a first sheet itself on an office printer; nobody else may.
        let segment = a["segment"]["id"].as_i64().unwrap();
        let own = format!("/api/v1/segments/{segment}/own-print");
        let r = send(
            &app,
            request(
                "POST",
                &own,
                Some(&makers[1].2),
                Some(json!({"quantity": 21})),
            ),
        )
        .await;
        assert!(
            matches!(r.status.as_u16(), 403 | 404),
            "{l}: another enterprise prints: {:?}",
            r.json
        );
        let r = send(
            &app,
            request(
                "POST",
                &own,
                Some(&makers[0].2),
                Some(json!({"quantity": 5000})),
            ),
        )
        .await;
        assert_eq!(r.json["code"], "own_print_quantity", "{l}: {:?}", r.json);
        let r = send(
            &app,
            request(
                "POST",
                &own,
                Some(&makers[0].2),
                Some(json!({"quantity": 21})),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        assert_eq!(
            r.json["status"], "confirmed",
            "{l}: printed by the enterprise itself"
        );
        let job = r.json["id"].as_i64().unwrap();
        let sheet = format!("/api/v1/print-jobs/{job}/sheet?per_page=21");
        let r = send(&app, request("GET", &sheet, Some(&makers[0].2), None)).await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        let html = String::from_utf8(r.raw.clone()).unwrap();
        assert_eq!(html.matches(r#"<div class="label">"#).count(), 21, "{l}");
        assert!(
            html.contains("挂面"),
            "{l}: the product's name on the labels"
        );
        let r = send(
            &app,
            request(
                "POST",
                &own,
                Some(&makers[0].2),
                Some(json!({"quantity": 21})),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: the next 21: {:?}", r.json);
        assert_eq!(
            r.json["first_index"].as_i64().unwrap(),
            a["segment"]["first_index"].as_i64().unwrap() + 21,
            "{l}"
        );
        let a = apply(&app, 0, 1_001).await;
        assert_eq!(a["status"], "pending", "{l}: over the rule's quantity");
        let a = apply(&app, 1, 10).await;
        assert_eq!(a["status"], "pending", "{l}: a suspended licence");
        let a = apply(&with_rule(0), 0, 10).await;
        assert_eq!(a["status"], "pending", "{l}: the rule off");
    }
}
