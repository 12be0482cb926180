//! The blacklist on every engine: a bureau lists an enterprise on a legal basis, it
//! grades D and shows on the public list; removal lifts both; bad input changes nothing.

mod common;

use common::*;
use serde_json::json;
use zhijian_core::access::Role;
use zhijian_store::identity::Membership;
use zhijian_store::testing::fresh_stores;

#[tokio::test]
async fn a_listed_enterprise_grades_d_and_is_public_until_removed() {
    for t in fresh_stores().await {
        let (s, app, l) = (&t.store, app(&t), t.label);
        let officer = user(s, "sjz", Role::Officer, bureau("130100")).await;
        let far = user(s, "beijing", Role::Officer, bureau("110000")).await;
        let code = uscc("130102", 5).to_string();
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/enterprises",
                Some(&officer),
                Some(json!({"uscc": code, "name": "石家庄造假食品有限公司", "region": "130102"})),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let maker = user(
            s,
            "maker",
            Role::Enterprise,
            Membership::Organisation(code.clone()),
        )
        .await;
        let grade = || {
            let (app, token, code) = (app.clone(), officer.clone(), code.clone());
            async move {
                send(
                    &app,
                    request(
                        "GET",
                        &format!("/api/v1/enterprises/{code}/grade"),
                        Some(&token),
                        None,
                    ),
                )
                .await
                .json
            }
        };
        let public = || {
            let app = app.clone();
            async move {
                send(&app, request("GET", "/api/v1/blacklist", None, None))
                    .await
                    .json
            }
        };
        assert_ne!(grade().await["grade"], "D", "{l}");
        let entry = json!({"enterprise": code, "legal_basis": "《市场监督管理严重违法失信名单管理办法》第七条",
            "decision": "冀市监失信〔2026〕12号", "reason": "生产销售假冒伪劣食品，情节严重", "until": "2029-12-06"});

        // Refused: no legal basis, a past end, not the caller's to list.
        for (field, value, expected) in [
            ("legal_basis", json!("  "), "required"),
            ("decision", json!(""), "required"),
            ("until", json!("2020-01-01"), "until_past"),
        ] {
            let mut body = entry.clone();
            body[field] = value;
            let r = send(
                &app,
                request("POST", "/api/v1/blacklist", Some(&officer), Some(body)),
            )
            .await;
            assert_eq!(
                (
                    r.status.as_u16(),
                    r.json["code"].as_str(),
                    r.json["field"].as_str()
                ),
                (422, Some(expected), Some(field)),
                "{l}: {:?}",
                r.json
            );
        }
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/blacklist",
                Some(&maker),
                Some(entry.clone()),
            ),
        )
        .await;
        assert_eq!(r.status, 403, "{l}");
        let r = send(
            &app,
            request("POST", "/api/v1/blacklist", Some(&far), Some(entry.clone())),
        )
        .await;
        assert_eq!(r.status, 404, "{l}");
        assert_eq!(public().await["total"], 0, "{l}: nothing listed");

        // Listed: grade D with the entry as its source, public without signing in.
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/blacklist",
                Some(&officer),
                Some(entry.clone()),
            ),
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), r.json["current"].as_bool()),
            (201, Some(true)),
            "{l}: {:?}",
            r.json
        );
        let id = r.json["id"].as_i64().unwrap();
        let g = grade().await;
        assert_eq!(g["grade"], "D", "{l}: {g}");
        let cap = g["factors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "cap:blacklisted")
            .cloned();
        assert_eq!(
            cap.map(|c| c["source"].clone()),
            Some(json!(format!("blacklist:{id}"))),
            "{l}: {g}"
        );
        let list = public().await;
        assert_eq!(
            (
                list["total"].as_i64(),
                list["items"][0]["decision"].as_str()
            ),
            (Some(1), Some("冀市监失信〔2026〕12号")),
            "{l}"
        );
        let page = send(&app, request("GET", "/blacklist", None, None)).await;
        assert!(
            String::from_utf8(page.raw)
                .unwrap()
                .contains("石家庄造假食品有限公司"),
            "{l}"
        );

        // Removed with a reason: off the public list, the grade back.
        let remove = |body: serde_json::Value| {
            let (app, token) = (app.clone(), officer.clone());
            async move {
                send(
                    &app,
                    request(
                        "POST",
                        &format!("/api/v1/blacklist/{id}/remove"),
                        Some(&token),
                        Some(body),
                    ),
                )
                .await
            }
        };
        assert_eq!(
            remove(json!({"reason": ""})).await.json["code"],
            "required",
            "{l}"
        );
        let r = remove(json!({"reason": "信用修复完成"})).await;
        assert_eq!(
            (r.status.as_u16(), r.json["current"].as_bool()),
            (200, Some(false)),
            "{l}: {:?}",
            r.json
        );
        assert_eq!(
            remove(json!({"reason": "again"})).await.json["code"],
            "blacklist_removed",
            "{l}"
        );
        assert_eq!(public().await["total"], 0, "{l}");
        assert_ne!(grade().await["grade"], "D", "{l}");

        // The console: the entry, removed, with its reason; enterprises do not get the page.
        let r = send(
            &app,
            request("GET", "/console/blacklist", Some(&officer), None),
        )
        .await;
        let html = String::from_utf8(r.raw).unwrap();
        assert!(
            r.status == 200
                && html.contains(&format!(r#"data-entry="{id}""#))
                && html.contains("信用修复完成"),
            "{l}: {html}"
        );
        let r = send(
            &app,
            request("GET", "/console/blacklist", Some(&maker), None),
        )
        .await;
        assert_eq!(r.status, 404, "{l}");
    }
}
