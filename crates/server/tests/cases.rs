//! Law-enforcement cases on every engine: opened from a complaint, evidence and steps,
//! joint investigation, a transfer to another province's node, decision and closure;
//! moves out of order and bad input change nothing.

mod common;

use common::*;
use serde_json::{Value, json};
use zhijian_core::access::Role;
use zhijian_store::testing::fresh_stores;

#[tokio::test]
async fn a_case_from_a_complaint_is_investigated_decided_and_closed() {
    for t in fresh_stores().await {
        let (s, app, l) = (&t.store, app(&t), t.label);
        let sjz = user(s, "sjz", Role::Officer, bureau("130100")).await;
        let baoding = user(s, "baoding", Role::Officer, bureau("130600")).await;
        let code = uscc("130102", 3).to_string();
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/enterprises",
                Some(&sjz),
                Some(json!({"uscc": code, "name": "石家庄仿冒电器有限公司", "region": "130102"})),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/complaints",
                None,
                Some(json!({"text": "买到的插座是仿冒的，一插就冒烟", "enterprise": code})),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let complaint = send(&app, request("GET", "/api/v1/complaints", Some(&sjz), None))
            .await
            .json["items"][0]["id"]
            .as_i64()
            .unwrap();

        let post = |uri: String, token: String, body: Value| {
            let app = app.clone();
            async move { send(&app, request("POST", &uri, Some(&token), Some(body))).await }
        };
        // Refused: unknown origin, a complaint the caller does not handle, no region.
        for (token, body, status, expected) in [
            (
                sjz.clone(),
                json!({"title": "t", "origin": "rumour", "summary": "s"}),
                422,
                "case_origin",
            ),
            (
                baoding.clone(),
                json!({"title": "t", "origin": "complaint", "origin_id": complaint, "summary": "s"}),
                404,
                "not_found",
            ),
            (
                sjz.clone(),
                json!({"title": "t", "origin": "manual", "summary": "s"}),
                422,
                "required",
            ),
            (
                sjz.clone(),
                json!({"title": "t", "origin": "complaint", "summary": "s"}),
                422,
                "required",
            ),
        ] {
            let r = post("/api/v1/cases".into(), token, body.clone()).await;
            assert_eq!(
                (r.status.as_u16(), r.json["code"].as_str()),
                (status, Some(expected)),
                "{l}: {body} {:?}",
                r.json
            );
        }
        assert_eq!(
            s.db()
                .fetch_one("SELECT COUNT(*) FROM cases", &[])
                .await
                .unwrap()
                .int(0)
                .unwrap(),
            0,
            "{l}"
        );

        // Opened from the complaint: its enterprise, its region, the complaint as evidence.
        let r = post("/api/v1/cases".into(), sjz.clone(),
            json!({"title": "仿冒插座案", "origin": "complaint", "origin_id": complaint, "summary": "消费者投诉仿冒插座冒烟"})).await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        assert_eq!(
            (
                r.json["enterprise"].as_str(),
                r.json["region"].as_str(),
                r.json["status"].as_str()
            ),
            (Some(code.as_str()), Some("130102"), Some("open")),
            "{l}"
        );
        assert_eq!(r.json["evidence"][0]["kind"], "complaint", "{l}");
        let id = r.json["id"].as_i64().unwrap();
        let act =
            |token: String, body: Value| post(format!("/api/v1/cases/{id}/actions"), token, body);

        let r = act(sjz.clone(), json!({"action": "evidence", "kind": "code", "target": "13000000000000000001", "text": "现场封存样品"})).await;
        assert_eq!(
            r.json["evidence"].as_array().map(Vec::len),
            Some(2),
            "{l}: {:?}",
            r.json
        );
        let r = act(
            sjz.clone(),
            json!({"action": "evidence", "kind": "code", "target": "13000000000000000001"}),
        )
        .await;
        assert_eq!(r.json["code"], "evidence_linked", "{l}");
        assert_eq!(
            act(
                sjz.clone(),
                json!({"action": "evidence", "kind": "hearsay", "target": "x"})
            )
            .await
            .json["code"],
            "evidence_kind",
            "{l}"
        );
        assert_eq!(
            act(baoding.clone(), json!({"action": "note", "text": "x"}))
                .await
                .status,
            404,
            "{l}: not Baoding's yet"
        );

        // Joint investigation with Baoding; a transfer to a region without a bureau in
        // this province is refused, one to another province's node recorded.
        let r = act(sjz.clone(), json!({"action": "joint", "region": "130600"})).await;
        assert_eq!(
            r.json["joint"].as_array().map(Vec::len),
            Some(1),
            "{l}: {:?}",
            r.json
        );
        let r = act(
            baoding.clone(),
            json!({"action": "note", "text": "保定发现同批货源"}),
        )
        .await;
        assert_eq!(r.status, 200, "{l}: a joint bureau records steps");
        assert_eq!(
            act(
                sjz.clone(),
                json!({"action": "transfer", "region": "130700"})
            )
            .await
            .json["code"],
            "bureau_unknown",
            "{l}"
        );
        let r = act(
            sjz.clone(),
            json!({"action": "transfer", "region": "310000"}),
        )
        .await;
        assert_eq!(
            (
                r.json["external_region"].as_str(),
                r.json["status"].as_str()
            ),
            (Some("310000"), Some("open")),
            "{l}: {:?}",
            r.json
        );

        // Decision, then closure; nothing out of order.
        assert_eq!(
            act(sjz.clone(), json!({"action": "close", "text": "r"}))
                .await
                .json["code"],
            "case_status",
            "{l}"
        );
        assert_eq!(
            act(
                sjz.clone(),
                json!({"action": "decide", "text": "罚款", "fine_yuan": -5})
            )
            .await
            .json["code"],
            "case_fine",
            "{l}"
        );
        let r = act(
            sjz.clone(),
            json!({"action": "decide", "text": "没收违法产品并处罚款", "fine_yuan": 50000}),
        )
        .await;
        assert_eq!(
            (r.json["status"].as_str(), r.json["fine_yuan"].as_i64()),
            (Some("decided"), Some(50000)),
            "{l}"
        );
        assert_eq!(
            act(sjz.clone(), json!({"action": "joint", "region": "130600"}))
                .await
                .json["code"],
            "case_status",
            "{l}"
        );
        // An evidence file: checked by content, listed on the case, read back whole.
        let r = send(
            &app,
            upload(
                &format!("/api/v1/cases/{id}/files"),
                Some(&sjz),
                "scene.exe",
                b"MZ\x90\x00",
            ),
        )
        .await;
        assert_eq!(r.status, 422, "{l}: {:?}", r.json);
        let r = send(
            &app,
            upload(
                &format!("/api/v1/cases/{id}/files"),
                Some(&sjz),
                "现场照片.png",
                PNG,
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let f = &r.json["files"][0];
        assert_eq!(
            (
                f["file_name"].as_str(),
                f["media_type"].as_str(),
                f["added_by"].as_str()
            ),
            (Some("现场照片.png"), Some("image/png"), Some("sjz")),
            "{l}: {f}"
        );
        let fid = f["id"].as_i64().unwrap();
        let r = send(
            &app,
            request(
                "GET",
                &format!("/api/v1/cases/{id}/files/{fid}"),
                Some(&sjz),
                None,
            ),
        )
        .await;
        assert_eq!((r.status.as_u16(), r.raw.as_slice()), (200, PNG), "{l}");
        let r = send(
            &app,
            request(
                "GET",
                &format!("/api/v1/cases/{id}/files/{fid}"),
                None,
                None,
            ),
        )
        .await;
        assert_eq!(r.status, 401, "{l}: evidence is not public");
        let r = act(
            sjz.clone(),
            json!({"action": "close", "text": "罚没款已缴清，案件办结"}),
        )
        .await;
        assert_eq!(r.json["status"], "closed", "{l}");
        let late = send(
            &app,
            upload(
                &format!("/api/v1/cases/{id}/files"),
                Some(&sjz),
                "late.png",
                PNG,
            ),
        )
        .await;
        assert_eq!(
            late.json["code"], "case_status",
            "{l}: a closed case takes no files"
        );
        let kinds: Vec<&str> = r.json["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "opened",
                "evidence",
                "joint",
                "note",
                "transferred_out",
                "decided",
                "file",
                "closed"
            ],
            "{l}"
        );
        assert_eq!(
            act(sjz.clone(), json!({"action": "note", "text": "x"}))
                .await
                .json["code"],
            "case_status",
            "{l}"
        );
        let list = send(
            &app,
            request("GET", "/api/v1/cases?status=closed", Some(&baoding), None),
        )
        .await
        .json;
        assert_eq!(list["total"], 1, "{l}: the joint bureau lists it");

        // The console: the joint bureau's list, the case's page with its decision.
        let page = |uri: String, token: String| {
            let app = app.clone();
            async move {
                let r = send(&app, request("GET", &uri, Some(&token), None)).await;
                (r.status.as_u16(), String::from_utf8(r.raw).unwrap())
            }
        };
        let (status, html) = page("/console/cases".into(), baoding.clone()).await;
        assert!(
            status == 200
                && html.contains(&format!(r#"data-case="{id}""#))
                && html.contains("仿冒插座案"),
            "{l}: {html}"
        );
        let (status, html) = page(format!("/console/cases/{id}"), sjz.clone()).await;
        assert_eq!(status, 200, "{l}");
        assert!(
            html.contains("没收违法产品并处罚款")
                && html.contains("50000")
                && html.contains(r#"id="closing-report""#),
            "{l}: {html}"
        );
        assert!(
            !html.contains(r#"id="decide-form""#),
            "{l}: closed, no forms"
        );
    }
}
