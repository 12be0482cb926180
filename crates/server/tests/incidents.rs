//! Emergency incidents on both engines: a bureau opens one (a risk signal too), follows
//! it on a timeline, links the records involved, changes its level and closes it with a
//! report; other regions do not see it, viewers may not write, and nothing is recorded
//! on a closed incident.

mod common;

use common::*;
use serde_json::{Value, json};
use zhijian_core::access::Role;
use zhijian_store::identity::Membership;
use zhijian_store::testing::fresh_stores;

/// The incident signal's source and severity.
async fn incident_signal(s: &zhijian_store::Store) -> (i64, i64) {
    let r = s
        .db()
        .fetch_one(
            "SELECT source_id, severity FROM risk_signals WHERE kind = 'incident'",
            &[],
        )
        .await
        .unwrap();
    (r.int(0).unwrap(), r.int(1).unwrap())
}

#[tokio::test]
async fn an_incident_from_opening_to_its_closing_report() {
    for t in fresh_stores().await {
        let (s, l) = (&t.store, t.label);
        let app = app(&t);
        let city = user(s, "sjz-officer", Role::Officer, bureau("130100")).await;
        let other = user(s, "bd-officer", Role::Officer, bureau("130600")).await;
        let viewer = user(s, "sjz-viewer", Role::Viewer, bureau("130100")).await;
        let code = uscc("130102", 1).to_string();
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/enterprises",
                Some(&city),
                Some(json!({"uscc": code, "name": "石家庄某乳业有限公司", "region": "130102"})),
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
        let post = |uri: String, token: &str, body: Value| {
            let (app, token) = (app.clone(), token.to_owned());
            async move { send(&app, request("POST", &uri, Some(&token), Some(body))).await }
        };
        let incident = json!({"title": "长安区多名儿童饮用奶制品后腹泻", "level": "III", "region": "130102",
            "category": "F05", "summary": "医院报告 6 名儿童就诊，均饮用同一品牌奶制品。"});

        // Bad input changes nothing.
        let before = audit_head(s).await;
        for (body, code) in [
            (
                json!({"title": " ", "level": "III", "region": "130102", "summary": "x"}),
                "incident_text",
            ),
            (
                json!({"title": "t", "level": "V", "region": "130102", "summary": "x"}),
                "invalid_json",
            ),
            (
                json!({"title": "t", "level": "III", "region": "139999", "summary": "x"}),
                "region_unknown",
            ),
            (
                json!({"title": "t", "level": "III", "region": "130102", "category": "X9", "summary": "x"}),
                "category",
            ),
        ] {
            let r = post("/api/v1/incidents".into(), &city, body).await;
            assert_eq!(r.json["code"], code, "{l}: {:?}", r.json);
        }
        assert_eq!(
            post("/api/v1/incidents".into(), &maker, incident.clone())
                .await
                .status,
            403,
            "{l}"
        );
        assert_eq!(
            post("/api/v1/incidents".into(), &viewer, incident.clone())
                .await
                .status,
            403,
            "{l}"
        );
        assert_eq!(
            post("/api/v1/incidents".into(), &other, incident.clone())
                .await
                .status,
            403,
            "{l}: another city"
        );
        assert_eq!(audit_head(s).await, before, "{l}: refusals changed data");

        let r = post("/api/v1/incidents".into(), &city, incident.clone()).await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let id = r.json["id"].as_i64().unwrap();
        assert_eq!(r.json["status"], "open", "{l}");
        assert_eq!(r.json["steps"][0]["kind"], "opened", "{l}");
        // It is a risk signal of its level's severity.
        assert_eq!(incident_signal(s).await, (id, 2), "{l}");

        // Scope: the viewer of the city reads it; Baoding does not see it.
        let one = format!("/api/v1/incidents/{id}");
        assert_eq!(
            send(&app, request("GET", &one, Some(&viewer), None))
                .await
                .status,
            200,
            "{l}"
        );
        assert_eq!(
            send(&app, request("GET", &one, Some(&other), None))
                .await
                .status,
            404,
            "{l}"
        );
        let list = send(
            &app,
            request("GET", "/api/v1/incidents?status=open", Some(&other), None),
        )
        .await;
        assert_eq!(list.json["total"], 0, "{l}");
        let list = send(
            &app,
            request("GET", "/api/v1/incidents?status=open", Some(&city), None),
        )
        .await;
        assert_eq!(list.json["total"], 1, "{l}");
        assert_eq!(
            send(
                &app,
                request("GET", "/api/v1/incidents?status=maybe", Some(&city), None)
            )
            .await
            .status,
            422,
            "{l}"
        );

        // The timeline, links and level.
        let r = post(
            format!("{one}/steps"),
            &city,
            json!({"kind": "action", "text": "责令涉事批次下架封存"}),
        )
        .await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        let r = post(
            format!("{one}/steps"),
            &viewer,
            json!({"kind": "update", "text": "x"}),
        )
        .await;
        assert_eq!(r.status, 403, "{l}");
        let r = post(
            format!("{one}/links"),
            &city,
            json!({"kind": "enterprise", "target": code}),
        )
        .await;
        assert_eq!(r.json["links"][0]["target"], code, "{l}: {:?}", r.json);
        let again = post(
            format!("{one}/links"),
            &city,
            json!({"kind": "enterprise", "target": code}),
        )
        .await;
        assert_eq!(
            again.json["links"].as_array().unwrap().len(),
            1,
            "{l}: linked twice"
        );
        for body in [
            json!({"kind": "sample", "target": "999999"}),
            json!({"kind": "enterprise", "target": uscc("130602", 9).to_string()}),
            json!({"kind": "planet", "target": "1"}),
        ] {
            let r = post(format!("{one}/links"), &city, body).await;
            assert_eq!(r.json["code"], "incident_link", "{l}: {:?}", r.json);
        }
        let r = post(
            format!("{one}/level"),
            &city,
            json!({"level": "III", "reason": "不变"}),
        )
        .await;
        assert_eq!(r.json["code"], "incident_level", "{l}");
        let r = post(
            format!("{one}/level"),
            &city,
            json!({"level": "II", "reason": "就诊人数升至 30 人"}),
        )
        .await;
        assert_eq!(r.json["level"], "II", "{l}: {:?}", r.json);
        assert_eq!(
            incident_signal(s).await,
            (id, 3),
            "{l}: the signal follows the level"
        );

        // Closing needs a report; then nothing more is recorded.
        let r = post(format!("{one}/close"), &city, json!({"report": "已处置"})).await;
        assert_eq!(r.json["code"], "closing_report", "{l}");
        let report =
            "经检验，涉事批次菌落总数超标；已召回 1.2 万盒并销毁，企业停产整改，患儿均已康复出院。";
        let r = post(format!("{one}/close"), &city, json!({"report": report})).await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        assert_eq!(
            (r.json["status"].as_str(), r.json["closing_report"].as_str()),
            (Some("closed"), Some(report)),
            "{l}"
        );
        let kinds: Vec<&str> = r.json["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            ["opened", "action", "linked", "level", "closed"],
            "{l}"
        );
        let before = audit_head(s).await;
        for (uri, body) in [
            (
                format!("{one}/steps"),
                json!({"kind": "update", "text": "补充"}),
            ),
            (format!("{one}/level"), json!({"level": "I", "reason": "x"})),
            (format!("{one}/close"), json!({"report": report})),
        ] {
            let r = post(uri, &city, body).await;
            assert_eq!(
                (r.status.as_u16(), r.json["code"].as_str()),
                (409, Some("incident_closed")),
                "{l}: {:?}",
                r.json
            );
        }
        assert_eq!(audit_head(s).await, before, "{l}");
    }
}
