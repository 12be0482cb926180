//! Printer filing records (印刷备案登记) over HTTP, on both engines: registration with
//! and without a filing, the printer list, renewal and revocation, and print jobs going
//! only to printers whose filing is in force — with the refusals changing nothing.

mod common;

use common::*;
use serde_json::{Value, json};
use zhijian_core::access::Role;
use zhijian_store::identity::Membership;
use zhijian_store::testing::fresh_stores;

#[tokio::test]
async fn print_jobs_go_only_to_printers_whose_filing_is_in_force() {
    for t in fresh_stores().await {
        let (s, app, l) = (&t.store, app(&t), t.label);
        let officer = user(s, "sjz-officer", Role::Officer, bureau("130100")).await;
        let outsider = user(s, "bd-officer", Role::Officer, bureau("130600")).await;
        let maker = uscc("130102", 1).to_string();
        let filed = uscc("130102", 900).to_string();
        let plain = uscc("130102", 901).to_string();
        let post = |uri: String, token: &str, body: Value| {
            let app = app.clone();
            let token = token.to_owned();
            async move { send(&app, request("POST", &uri, Some(&token), Some(body))).await }
        };

        // A printer registered with its filing, and one without (the node files it).
        let r = post(
            "/api/v1/printers".into(),
            &officer,
            json!({"uscc": filed, "name": "石家庄防伪印务有限公司", "region": "130102",
                   "filing_number": " 冀质监印备字〔2024〕第001号 ", "filing_valid_from": "2024-03-01",
                   "filing_valid_until": "2099-02-28", "pledge_signed": true}),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        assert_eq!(
            r.json["filing"],
            json!({"number": "冀质监印备字〔2024〕第001号", "valid_from": "2024-03-01",
                   "valid_until": "2099-02-28", "pledge_signed": true, "revoked_reason": null,
                   "status": "current"}),
            "{l}"
        );
        let r = post(
            "/api/v1/printers".into(),
            &officer,
            json!({"uscc": plain, "name": "石家庄标签印刷有限公司", "region": "130102"}),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let f = &r.json["filing"];
        assert!(f["number"].as_str().unwrap().starts_with("YB-"), "{l}: {f}");
        assert_eq!(f["status"], "current", "{l}");
        assert_eq!(f["pledge_signed"], false, "{l}");
        let from: jiff::civil::Date = f["valid_from"].as_str().unwrap().parse().unwrap();
        let until: jiff::civil::Date = f["valid_until"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            until,
            from.checked_add(jiff::Span::new().years(3)).unwrap(),
            "{l}"
        );

        // Refusals change nothing.
        let before = audit_head(s).await;
        for (body, status, code) in [
            (
                json!({"uscc": uscc("130102", 902).to_string(), "name": "重号印刷厂", "region": "130102",
                       "filing_number": "冀质监印备字〔2024〕第001号"}),
                409,
                "filing_number_taken",
            ),
            (
                json!({"uscc": uscc("130102", 903).to_string(), "name": "倒序印刷厂", "region": "130102",
                       "filing_valid_from": "2026-01-01", "filing_valid_until": "2025-12-31"}),
                422,
                "filing_period",
            ),
            (
                json!({"uscc": uscc("130102", 904).to_string(), "name": "日期印刷厂", "region": "130102",
                       "filing_valid_until": "2026-13-01"}),
                422,
                "date_format",
            ),
        ] {
            let r = post("/api/v1/printers".into(), &officer, body).await;
            assert_eq!(
                (r.status.as_u16(), r.json["code"].as_str()),
                (status, Some(code)),
                "{l}: {:?}",
                r.json
            );
        }
        let r = post(
            "/api/v1/labs".into(),
            &officer,
            json!({"uscc": uscc("130102", 905).to_string(), "name": "检验所", "region": "130102",
                   "filing_number": "X-1"}),
        )
        .await;
        assert_eq!(r.json["code"], "filing_not_printer", "{l}: {:?}", r.json);
        assert_eq!(audit_head(s).await, before, "{l}: refusals changed data");

        // An enterprise gets codes and lists the printers to choose one.
        let r = post(
            "/api/v1/enterprises".into(),
            &officer,
            json!({"uscc": maker, "name": "石家庄甲乳业有限公司", "region": "130102"}),
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
        let r = send(
            &app,
            request("GET", "/api/v1/printers?per_page=1", Some(&ent), None),
        )
        .await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        assert_eq!(r.json["total"], 2, "{l}");
        assert_eq!(r.json["items"][0]["uscc"], filed.as_str(), "{l}");
        let r = send(&app, request("GET", "/api/v1/printers", None, None)).await;
        assert_eq!(r.status, 401, "{l}: anonymous callers list printers");
        let r = post(
            format!("/api/v1/enterprises/{maker}/products"),
            &ent,
            json!({"name": "纯牛奶", "category": "F05"}),
        )
        .await;
        let product = r.json["id"].as_i64().unwrap();
        let r = post(
            "/api/v1/code-applications".into(),
            &ent,
            json!({"enterprise": maker, "product_id": product, "quantity": 100}),
        )
        .await;
        let application = r.json["id"].as_i64().unwrap();
        let r = post(
            format!("/api/v1/code-applications/{application}/approve"),
            &officer,
            json!({}),
        )
        .await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        let segment = r.json["segment"]["id"].as_i64().unwrap();
        let job = |printer: &str, quantity: i64| json!({"segment_id": segment, "printer": printer, "quantity": quantity});

        // Only the officers of the printer's region revoke; then no print jobs.
        let revoke = format!("/api/v1/printers/{filed}/filing/revoke");
        for token in [&outsider, &ent] {
            let r = post(
                revoke.clone(),
                token,
                json!({"reason": "质量保证承诺未履行"}),
            )
            .await;
            assert_eq!(r.status, 403, "{l}: {:?}", r.json);
        }
        let r = post(revoke.clone(), &officer, json!({"reason": "  "})).await;
        assert_eq!(r.json["code"], "required", "{l}: {:?}", r.json);
        let r = post(revoke, &officer, json!({"reason": "质量保证承诺未履行"})).await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        assert_eq!(r.json["filing"]["status"], "revoked", "{l}");
        let before = audit_head(s).await;
        let r = post("/api/v1/print-jobs".into(), &ent, job(&filed, 10)).await;
        assert_eq!(
            (r.status.as_u16(), r.json["code"].as_str()),
            (422, Some("printer_not_filed")),
            "{l}: {:?}",
            r.json
        );
        assert!(
            r.json["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("备案"),
            "{l}: the refusal names the filing: {:?}",
            r.json
        );
        assert_eq!(
            audit_head(s).await,
            before,
            "{l}: a refused job changed data"
        );
        // The printer without a stated filing takes jobs.
        let r = post("/api/v1/print-jobs".into(), &ent, job(&plain, 10)).await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);

        // Filed again with a period already over: expired, still refused.
        let file = format!("/api/v1/printers/{filed}/filing");
        let r = post(
            file.clone(),
            &officer,
            json!({"number": "冀质监印备字〔2020〕第001号", "valid_from": "2020-01-01",
                   "valid_until": "2022-12-31", "pledge_signed": true}),
        )
        .await;
        assert_eq!(r.json["filing"]["status"], "expired", "{l}: {:?}", r.json);
        let r = post("/api/v1/print-jobs".into(), &ent, job(&filed, 10)).await;
        assert_eq!(r.json["code"], "printer_not_filed", "{l}: {:?}", r.json);
        let r = send(&app, request("GET", "/api/v1/printers", Some(&ent), None)).await;
        assert_eq!(
            r.json["items"][0]["filing"]["valid_until"], "2022-12-31",
            "{l}: the list shows why"
        );
        // Renewed: in force again, and the job goes through.
        let r = post(file, &officer, json!({"valid_until": "2099-12-31"})).await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        assert_eq!(r.json["filing"]["status"], "current", "{l}");
        let r = post("/api/v1/print-jobs".into(), &ent, job(&filed, 10)).await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);

        // Every change is in the audit log, and the chain holds.
        assert!(matches!(
            zhijian_store::audit::verify(s.db(), |_| {}).await.unwrap(),
            zhijian_store::audit::Verdict::Intact { .. }
        ));
    }
}
