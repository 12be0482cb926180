//! Sampling plans and their double-random draws over HTTP, on both engines: who may
//! make and see plans, bad plans changing nothing, a draw that follows the published
//! algorithm, keeps inspectors away from their own county, and answers the same when
//! asked again with the same seed.

mod common;

use common::*;
use serde_json::{Value, json};
use zhijian_core::access::Role;
use zhijian_core::code::damm;
use zhijian_core::sampling::{self, Candidate};
use zhijian_store::identity::Membership;
use zhijian_store::testing::fresh_stores;

#[tokio::test]
async fn plans_are_drawn_reproducibly_and_seen_only_by_bureaus() {
    for t in fresh_stores().await {
        let (s, app, l) = (&t.store, app(&t), t.label);
        let province = user(s, "hb-officer", Role::Officer, bureau("130000")).await;
        let chief = user(s, "hb-chief", Role::Officer, bureau("130000")).await;
        let city = user(s, "sjz-officer", Role::Officer, bureau("130100")).await;
        let chang_an = user(s, "ca-officer", Role::Officer, bureau("130102")).await;
        let qiao_xi = user(s, "qx-officer", Role::Officer, bureau("130104")).await;
        let baoding = user(s, "bd-officer", Role::Officer, bureau("130600")).await;
        let viewer = user(s, "hb-viewer", Role::Viewer, bureau("130000")).await;
        let post = |uri: String, token: &str, body: Value| {
            let app = app.clone();
            let token = token.to_owned();
            async move { send(&app, request("POST", &uri, Some(&token), Some(body))).await }
        };
        let get = |uri: String, token: &str| {
            let app = app.clone();
            let token = token.to_owned();
            async move { send(&app, request("GET", &uri, Some(&token), None)).await }
        };

        // Dairies in two districts of Shijiazhuang, one stopped, and a brewery.
        let mut dairies = Vec::new();
        for i in 0..12u32 {
            let region = if i % 2 == 0 { "130102" } else { "130104" };
            let code = uscc(region, 100 + i).to_string();
            let r = post(
                "/api/v1/enterprises".into(),
                &city,
                json!({"uscc": code, "name": format!("石家庄第{i}乳业有限公司"), "region": region}),
            )
            .await;
            assert_eq!(r.status, 201, "{l}: {:?}", r.json);
            let category = if i == 11 { "F14" } else { "F05" };
            let r = post(
                format!("/api/v1/enterprises/{code}/products"),
                &city,
                json!({"name": "纯牛奶", "category": category}),
            )
            .await;
            assert_eq!(r.status, 201, "{l}: {:?}", r.json);
            if i == 10 {
                let r = send(
                    &app,
                    request(
                        "PATCH",
                        &format!("/api/v1/enterprises/{code}"),
                        Some(&city),
                        Some(json!({"status": "suspended"})),
                    ),
                )
                .await;
                assert_eq!(r.status, 200, "{l}: {:?}", r.json);
            } else if i < 10 {
                dairies.push(code);
            }
        }

        // Bad plans and callers without the right change nothing.
        // Two labs; the plan's quota goes to the first.
        let lab_code = uscc("130104", 900).to_string();
        let rival_lab = uscc("130104", 901).to_string();
        for (code, name) in [
            (&lab_code, "河北省食品检验研究院"),
            (&rival_lab, "石家庄检测中心"),
        ] {
            let r = post(
                "/api/v1/labs".into(),
                &province,
                json!({"uscc": code, "name": name, "region": "130104"}),
            )
            .await;
            assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        }
        let lab = user(
            s,
            "lab-user",
            Role::Lab,
            Membership::Organisation(lab_code.clone()),
        )
        .await;
        let other_lab = user(
            s,
            "lab-rival",
            Role::Lab,
            Membership::Organisation(rival_lab.clone()),
        )
        .await;
        let plan = json!({"name": "2026年河北省乳制品监督抽查", "year": 2026, "level": "province",
                          "region": "130000", "quotas": [{"category": "F05", "region": "130100", "batches": 4, "lab": lab_code}]});
        let before = audit_head(s).await;
        for (token, body, status, code) in [
            (
                &province,
                {
                    let mut b = plan.clone();
                    b["level"] = json!("city");
                    b
                },
                422,
                "plan_level",
            ),
            (
                &city,
                {
                    let mut b = plan.clone();
                    b["level"] = json!("city");
                    b["region"] = json!("130100");
                    b["quotas"][0]["region"] = json!("130600");
                    b
                },
                422,
                "quota_region",
            ),
            (
                &province,
                {
                    let mut b = plan.clone();
                    b["quotas"][0]["category"] = json!("Z99");
                    b
                },
                422,
                "category_unknown",
            ),
            (
                &province,
                {
                    let mut b = plan.clone();
                    b["quotas"][0]["batches"] = json!(0);
                    b
                },
                422,
                "quota_batches",
            ),
            (
                &province,
                {
                    let mut b = plan.clone();
                    b["quotas"] = json!([]);
                    b
                },
                422,
                "plan_quotas",
            ),
            (
                &province,
                {
                    let mut b = plan.clone();
                    b["quotas"][0]["lab"] = json!(dairies[0]);
                    b
                },
                422,
                "lab_unknown",
            ),
            (&city, plan.clone(), 403, "forbidden"),
            (&viewer, plan.clone(), 403, "forbidden"),
        ] {
            let r = post("/api/v1/sampling/plans".into(), token, body).await;
            assert_eq!(
                (r.status.as_u16(), r.json["code"].as_str()),
                (status, Some(code)),
                "{l}: {:?}",
                r.json
            );
        }
        assert_eq!(audit_head(s).await, before, "{l}: refusals changed data");

        let r = post("/api/v1/sampling/plans".into(), &province, plan.clone()).await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let id = r.json["id"].as_i64().unwrap();
        assert_eq!(r.json["quotas"][0]["batches"], 4, "{l}");
        let r = post(
            "/api/v1/sampling/plans".into(),
            &city,
            json!({"name": "石家庄市乳制品抽查", "year": 2026, "level": "city", "region": "130100",
                   "quotas": [{"category": "F05", "region": "130102", "batches": 5}]}),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let city_plan = r.json["id"].as_i64().unwrap();

        // Bureaus see their subtree's plans and those above; nobody else sees any.
        for (token, seen) in [
            (&province, vec![city_plan, id]),
            (&chang_an, vec![city_plan, id]),
            (&baoding, vec![id]),
            (&viewer, vec![city_plan, id]),
        ] {
            let r = get("/api/v1/sampling/plans".into(), token).await;
            let ids: Vec<i64> = r.json["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_i64().unwrap())
                .collect();
            assert_eq!(ids, seen, "{l}");
        }
        let r = get(format!("/api/v1/sampling/plans/{city_plan}"), &baoding).await;
        assert_eq!(r.status, 404, "{l}");
        let maker = user(
            s,
            "maker",
            Role::Enterprise,
            Membership::Organisation(dairies[0].clone()),
        )
        .await;
        let r = get("/api/v1/sampling/plans".into(), &maker).await;
        assert_eq!(r.json["total"], 0, "{l}: an enterprise sees plans");
        let r = get(format!("/api/v1/sampling/plans/{id}"), &maker).await;
        assert_eq!(r.status, 404, "{l}");

        // The draw: as the published algorithm says, inspectors never from the
        // enterprise's own county.
        let draw = format!("/api/v1/sampling/plans/{id}/draw");
        let r = post(draw.clone(), &maker, json!({"seed": "x"})).await;
        assert_eq!(r.status, 404, "{l}: {:?}", r.json);
        let r = post(draw.clone(), &city, json!({"seed": "x"})).await;
        assert_eq!(r.status, 403, "{l}: a city officer draws a province plan");
        let r = post(draw.clone(), &province, json!({"seed": " "})).await;
        assert_eq!(r.json["code"], "seed", "{l}: {:?}", r.json);
        let seed = "2026-冀-乳-01";
        let r = post(draw.clone(), &province, json!({"seed": seed})).await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        let first = r.json.clone();
        let candidates: Vec<Candidate> = dairies
            .iter()
            .map(|id| Candidate { id, weight: 1.0 })
            .collect();
        let expected = sampling::draw(seed, "quota:0", &candidates, 4);
        assert_eq!(first["enterprises"], json!(expected), "{l}");
        let county_of = |name: &str| match name {
            "ca-officer" => Some("130102"),
            "qx-officer" => Some("130104"),
            _ => None,
        };
        for task in first["tasks"].as_array().unwrap() {
            let inspectors = task["inspectors"].as_array().unwrap();
            assert_eq!(inspectors.len(), 2, "{l}: {task}");
            for i in inspectors {
                assert_ne!(
                    county_of(i.as_str().unwrap()),
                    task["region"].as_str(),
                    "{l}: an inspector of the enterprise's own county: {task}"
                );
            }
        }

        // Asked again with the same seed: the same answer, nothing written.
        let before = audit_head(s).await;
        let r = post(draw.clone(), &province, json!({"seed": seed})).await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        assert_eq!(r.json, first, "{l}");
        let r = post(draw.clone(), &province, json!({"seed": "another"})).await;
        assert_eq!(r.json["code"], "plan_drawn", "{l}: {:?}", r.json);
        assert_eq!(audit_head(s).await, before, "{l}");
        let r = get(draw.clone(), &qiao_xi).await;
        assert_eq!(r.json["tasks"], first["tasks"], "{l}");
        assert_eq!(r.json["seed"], seed, "{l}");
        let r = get(format!("/api/v1/sampling/plans/{city_plan}/draw"), &city).await;
        assert_eq!(r.status, 404, "{l}: not drawn yet");

        // Excluding inspectors until too few are left is refused.
        let r = post(
            format!("/api/v1/sampling/plans/{city_plan}/draw"),
            &city,
            json!({"seed": seed, "exclude_inspectors": ["sjz-officer", "ca-officer"]}),
        )
        .await;
        assert_eq!(r.json["code"], "too_few_inspectors", "{l}: {:?}", r.json);

        // A drawn inspector records the sample; its codes are verified on the spot.
        let task = &first["tasks"][0];
        let task_id = task["id"].as_i64().unwrap();
        let drawn: Vec<&str> = task["inspectors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_str().unwrap())
            .collect();
        let officers = [
            ("hb-officer", &province),
            ("hb-chief", &chief),
            ("sjz-officer", &city),
            ("ca-officer", &chang_an),
            ("qx-officer", &qiao_xi),
            ("bd-officer", &baoding),
        ];
        let inspector = officers.iter().find(|(n, _)| *n == drawn[0]).unwrap().1;
        let bystander = officers.iter().find(|(n, _)| !drawn.contains(n)).unwrap().1;
        let unissued = {
            let first19 = "1399999999999999999";
            let digits: Vec<u8> = first19.bytes().map(|b| b - b'0').collect();
            format!("{first19}{}", damm::check_digit(&digits))
        };
        let mut mistyped = unissued.clone().into_bytes();
        mistyped[19] = if mistyped[19] == b'9' {
            b'0'
        } else {
            mistyped[19] + 1
        };
        let mistyped = String::from_utf8(mistyped).unwrap();
        // Samples are taken only under a published plan: approved first by an officer
        // other than its author, then published.
        let sample = json!({"stage": "production", "product_name": "纯牛奶 250 mL", "lot": "20261101A",
                            "quantity": 6, "retained": 3, "place": "石家庄市长安区和平路1号"});
        let take = format!("/api/v1/sampling/tasks/{task_id}/sample");
        let r = post(take.clone(), inspector, sample).await;
        assert_eq!(r.json["code"], "plan_not_published", "{l}: {:?}", r.json);
        let life = |step: &str| format!("/api/v1/sampling/plans/{id}/{step}");
        for (token, step, status, code) in [
            (&province, "approve", 409, "own_approval"),
            (&city, "approve", 403, "forbidden"),
            (&chief, "publish", 409, "plan_status"),
        ] {
            let r = post(life(step), token, json!({})).await;
            assert_eq!(
                (r.status.as_u16(), r.json["code"].as_str()),
                (status, Some(code)),
                "{l}: {step}: {:?}",
                r.json
            );
        }
        let r = post(life("approve"), &chief, json!({})).await;
        assert_eq!(
            (r.json["status"].as_str(), r.json["approved_by"].as_str()),
            (Some("approved"), Some("hb-chief")),
            "{l}: {:?}",
            r.json
        );
        let r = post(life("approve"), &chief, json!({})).await;
        assert_eq!(r.json["code"], "plan_status", "{l}: approved twice");
        let r = post(life("publish"), &province, json!({})).await;
        assert_eq!(r.json["status"], "published", "{l}: {:?}", r.json);
        assert!(r.json["published_at"].is_string(), "{l}");

        // The plan's tasks per lab and region, before any sample.
        let r = get(life("progress"), &province).await;
        assert_eq!(
            r.json,
            json!([{"lab": lab_code, "lab_name": "河北省食品检验研究院", "region": "130100",
                    "region_name": "石家庄市", "tasks": 4, "sampled": 0, "reported": 0,
                    "finals": 0, "failed": 0}]),
            "{l}"
        );
        let r = get(format!("{}?lab={rival_lab}", life("tasks")), &province).await;
        assert_eq!(r.json["total"], 0, "{l}: {:?}", r.json);
        let r = get(
            format!("{}?region=130100&per_page=2", life("tasks")),
            &province,
        )
        .await;
        assert_eq!(r.json["total"], 4, "{l}: {:?}", r.json);
        assert_eq!(r.json["items"][0]["task_id"], task_id, "{l}");
        assert!(r.json["items"][0]["sample_id"].is_null(), "{l}");
        let r = get(life("tasks"), &maker).await;
        assert_eq!(r.status, 404, "{l}: an enterprise follows the tasks");

        let sample = json!({"stage": "production", "product_name": "纯牛奶 250 mL", "lot": "20261101A",
                            "production_date": "2026-11-01", "quantity": 6, "retained": 3,
                            "place": "石家庄市长安区和平路1号", "codes": [unissued, mistyped]});
        let take = format!("/api/v1/sampling/tasks/{task_id}/sample");
        let before = audit_head(s).await;
        let verifications = |s: &zhijian_store::Store| {
            let s = s.clone();
            async move {
                s.code_stats()
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|(n, _)| n == "verifications")
                    .unwrap()
                    .1
            }
        };
        let counted = verifications(s).await;
        for (token, body, status, code) in [
            (bystander, sample.clone(), 403, "forbidden"),
            (
                inspector,
                {
                    let mut b = sample.clone();
                    b["codes"][1] = json!("13ABC");
                    b
                },
                422,
                "code_not_numeric",
            ),
            (
                inspector,
                {
                    let mut b = sample.clone();
                    b["retained"] = json!(7);
                    b
                },
                422,
                "retained",
            ),
            (
                inspector,
                {
                    let mut b = sample.clone();
                    b["lot"] = json!(" ");
                    b
                },
                422,
                "text",
            ),
        ] {
            let r = post(take.clone(), token, body).await;
            assert_eq!(
                (r.status.as_u16(), r.json["code"].as_str()),
                (status, Some(code)),
                "{l}: {:?}",
                r.json
            );
        }
        assert_eq!(
            audit_head(s).await,
            before,
            "{l}: refused samples changed data"
        );
        assert_eq!(
            verifications(s).await,
            counted,
            "{l}: refused samples verified codes"
        );
        let r = post(take.clone(), inspector, sample.clone()).await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let id = r.json["id"].as_i64().unwrap();
        assert_eq!(
            r.json["codes"],
            json!([{"code": unissued, "verdict": "unknown"}, {"code": mistyped, "verdict": "mistyped"}]),
            "{l}"
        );
        assert_eq!(r.json["inspectors"], task["inspectors"], "{l}");
        let r = post(take, inspector, sample).await;
        assert_eq!(r.json["code"], "sample_taken", "{l}: {:?}", r.json);
        let r = get(life("progress"), &province).await;
        assert_eq!(r.json[0]["sampled"], 1, "{l}: {:?}", r.json);

        // Photos from the sampling form: images only, by the inspectors.
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR-scene";
        let photos = format!("/api/v1/sampling/samples/{id}/photos");
        let r = send(
            &app,
            form_upload(&photos, Some(bystander), &[], "scene.png", png),
        )
        .await;
        assert_eq!(r.status, 403, "{l}: {:?}", r.json);
        let r = send(
            &app,
            form_upload(&photos, Some(inspector), &[], "x.png", b"%PDF-1.7"),
        )
        .await;
        assert_eq!(r.json["code"], "photo_type", "{l}: {:?}", r.json);
        let r = send(
            &app,
            form_upload(&photos, Some(inspector), &[], "现场.png", png),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        assert_eq!(
            (r.json["file_name"].as_str(), r.json["media_type"].as_str()),
            (Some("现场.png"), Some("image/png")),
            "{l}"
        );
        let photo = r.json["id"].as_i64().unwrap();
        let r = get(photos.clone(), &province).await;
        assert_eq!(
            r.json.as_array().map(Vec::len),
            Some(1),
            "{l}: {:?}",
            r.json
        );
        let r = send(
            &app,
            request("GET", &format!("{photos}/{photo}"), Some(&province), None),
        )
        .await;
        assert_eq!(r.status, 200, "{l}");
        assert_eq!(r.raw, png.to_vec(), "{l}: the photo comes back as sent");

        // The sampled enterprise reads and confirms its form; no other enterprise sees it.
        let sampled = user(
            s,
            "sampled",
            Role::Enterprise,
            Membership::Organisation(task["enterprise"].as_str().unwrap().to_owned()),
        )
        .await;
        let other = dairies
            .iter()
            .find(|d| d.as_str() != task["enterprise"].as_str().unwrap())
            .unwrap();
        let stranger = user(
            s,
            "stranger",
            Role::Enterprise,
            Membership::Organisation(other.clone()),
        )
        .await;
        let r = get(format!("/api/v1/sampling/samples/{id}"), &stranger).await;
        assert_eq!(r.status, 404, "{l}");
        let r = get(format!("/api/v1/sampling/samples/{id}"), &sampled).await;
        assert_eq!(r.json["lot"], "20261101A", "{l}: {:?}", r.json);
        let confirm = format!("/api/v1/sampling/samples/{id}/confirm");
        let r = post(confirm.clone(), inspector, json!({})).await;
        assert_eq!(
            r.status, 403,
            "{l}: an inspector confirms for the enterprise"
        );
        let r = post(confirm.clone(), &sampled, json!({})).await;
        assert_eq!(r.json["confirmed_by"], "sampled", "{l}: {:?}", r.json);
        let r = post(confirm, &sampled, json!({})).await;
        assert_eq!(r.json["code"], "sample_confirmed", "{l}: {:?}", r.json);

        // The plan's lab sees the sample and files its report; another lab sees nothing.
        let r = get("/api/v1/sampling/lab-samples".into(), &lab).await;
        assert_eq!(r.json["total"], 1, "{l}: {:?}", r.json);
        assert_eq!(r.json["items"][0]["id"], id, "{l}");
        let r = get("/api/v1/sampling/lab-samples".into(), &other_lab).await;
        assert_eq!(r.json["total"], 0, "{l}");
        let report_uri = format!("/api/v1/sampling/samples/{id}/report");
        // What each is asked to do now, newest sample first.
        let notices = |token: &str| {
            let token = token.to_owned();
            async move {
                let r = get("/api/v1/sampling/notices".into(), &token).await;
                r.json
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| {
                        (
                            n["kind"].as_str().unwrap().to_owned(),
                            n["sample_id"].as_i64().unwrap(),
                            n["deadline"].clone(),
                        )
                    })
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            notices(&lab).await,
            vec![("test".to_owned(), id, Value::Null)],
            "{l}"
        );
        assert_eq!(notices(&other_lab).await, vec![], "{l}");
        assert_eq!(
            notices(&sampled).await,
            vec![],
            "{l}: the form is confirmed, nothing failed"
        );
        let report = json!({"number": "JY2026-0042", "issued_on": "2026-11-25", "conclusion": "fail",
            "items": [
                {"name": "蛋白质", "requirement": "≥2.9 g/100g", "value": "2.6", "unit": "g/100g",
                 "method": "GB 5009.5-2016", "verdict": "fail"},
                {"name": "菌落总数", "requirement": "≤100000 CFU/mL", "value": "2300", "unit": "CFU/mL",
                 "method": "GB 4789.2-2022", "verdict": "pass"}]});
        let before = audit_head(s).await;
        let passing = {
            let mut b = report.clone();
            b["conclusion"] = json!("pass");
            b
        };
        let empty = {
            let mut b = report.clone();
            b["items"] = json!([]);
            b
        };
        for (token, body, status, code) in [
            (&other_lab, report.clone(), 404, "not_found"),
            (inspector, report.clone(), 403, "forbidden"),
            (&lab, passing, 422, "report_conclusion"),
            (&lab, empty, 422, "report_items"),
        ] {
            let r = post(report_uri.clone(), token, body).await;
            assert_eq!(
                (r.status.as_u16(), r.json["code"].as_str()),
                (status, Some(code)),
                "{l}: {:?}",
                r.json
            );
        }
        assert_eq!(
            audit_head(s).await,
            before,
            "{l}: refused reports changed data"
        );
        let r = post(report_uri.clone(), &lab, report.clone()).await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let parsed: zhijian_core::test_report::Report =
            serde_json::from_value(report.clone()).unwrap();
        assert_eq!(
            r.json["signature"],
            zhijian_core::test_report::signature(&parsed),
            "{l}: the signature is the published one"
        );
        assert_eq!(r.json["lab"], lab_code.as_str(), "{l}");
        let r = post(report_uri.clone(), &lab, report).await;
        assert_eq!(r.json["code"], "report_filed", "{l}: {:?}", r.json);
        for token in [&sampled, &province, &lab] {
            let r = get(report_uri.clone(), token).await;
            assert_eq!(r.json["conclusion"], "fail", "{l}: {:?}", r.json);
        }
        let r = get(report_uri, &stranger).await;
        assert_eq!(r.status, 404, "{l}");

        // A failed dairy product: the enterprise has seven working days to object.
        let result = format!("/api/v1/sampling/samples/{id}/result");
        let r = get(result.clone(), &sampled).await;
        assert_eq!(
            r.json["standing"]["stage"], "objection_window",
            "{l}: {:?}",
            r.json
        );
        assert_eq!(r.json["standing"]["outcome"], "fail", "{l}");
        let filed_on = jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
            .date();
        let deadline = zhijian_core::sample_result::objection_deadline(
            filed_on,
            true,
            Default::default(),
            &Default::default(),
        );
        assert_eq!(
            r.json["standing"]["objection_deadline"],
            deadline.to_string(),
            "{l}"
        );
        assert_eq!(
            notices(&sampled).await,
            vec![("failed".to_owned(), id, json!(deadline.to_string()))],
            "{l}: the enterprise is told of the failure and its deadline"
        );
        assert_eq!(notices(&lab).await, vec![], "{l}: reported");
        let object = format!("/api/v1/sampling/samples/{id}/objection");
        let why = json!({"reason": "备样封条完好，申请复检：蛋白质检测方法与标准不符"});
        let before = audit_head(s).await;
        for (token, body, status, code) in [
            (&stranger, why.clone(), 404, "not_found"),
            (inspector, why.clone(), 403, "forbidden"),
            (&sampled, json!({"reason": " "}), 422, "reason"),
        ] {
            let r = post(object.clone(), token, body).await;
            assert_eq!(
                (r.status.as_u16(), r.json["code"].as_str()),
                (status, Some(code)),
                "{l}: {:?}",
                r.json
            );
        }
        assert_eq!(
            audit_head(s).await,
            before,
            "{l}: refused objections changed data"
        );
        let r = post(object.clone(), &sampled, why.clone()).await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        assert_eq!(r.json["standing"]["stage"], "objection_pending", "{l}");
        let r = post(object, &sampled, why).await;
        assert_eq!(r.json["code"], "objection_filed", "{l}: {:?}", r.json);
        assert_eq!(notices(&sampled).await, vec![], "{l}");
        assert_eq!(
            notices(&province).await,
            vec![("decide".to_owned(), id, Value::Null)],
            "{l}"
        );
        assert_eq!(
            notices(&baoding).await,
            vec![],
            "{l}: another city's officer"
        );

        // The province decides: a re-test at another lab.
        let decide = format!("/api/v1/sampling/samples/{id}/objection/decide");
        let accept = |lab: Option<&str>| json!({"accept": true, "reason": "备样完好，同意复检", "retest_lab": lab});
        for (token, body, status, code) in [
            (&city, accept(Some(&rival_lab)), 403, "forbidden"),
            (&province, accept(None), 422, "retest_lab"),
            (&province, accept(Some(&lab_code)), 422, "retest_lab"),
        ] {
            let r = post(decide.clone(), token, body).await;
            assert_eq!(
                (r.status.as_u16(), r.json["code"].as_str()),
                (status, Some(code)),
                "{l}: {:?}",
                r.json
            );
        }
        let r = post(decide.clone(), &province, accept(Some(&rival_lab))).await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        assert_eq!(r.json["standing"]["stage"], "retest", "{l}");
        assert_eq!(r.json["objection"]["retest_lab"], rival_lab.as_str(), "{l}");
        let r = post(decide, &province, accept(Some(&rival_lab))).await;
        assert_eq!(r.json["code"], "objection_decided", "{l}: {:?}", r.json);

        // The re-test lab now sees the sample and files the re-test; it is final.
        let r = get(format!("/api/v1/sampling/samples/{id}"), &other_lab).await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        let retest = json!({"number": "FJ2026-0007", "issued_on": "2026-12-01", "conclusion": "pass",
            "items": [{"name": "蛋白质", "requirement": "≥2.9 g/100g", "value": "3.0", "unit": "g/100g",
                       "method": "GB 5009.5-2016", "verdict": "pass"}]});
        let report_uri = format!("/api/v1/sampling/samples/{id}/report");
        let r = post(report_uri.clone(), &other_lab, retest).await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        assert_eq!(r.json["retest"], true, "{l}");
        let r = get(result, &province).await;
        assert_eq!(
            (&r.json["standing"]["stage"], &r.json["standing"]["outcome"]),
            (&json!("final"), &json!("pass")),
            "{l}: {:?}",
            r.json
        );
        assert_eq!(
            r.json["report"]["conclusion"], "fail",
            "{l}: the first report stays"
        );

        // A second task: failed, objected to, objection rejected — final fail.
        let task2 = &first["tasks"][1];
        let who2: Vec<&str> = task2["inspectors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_str().unwrap())
            .collect();
        let inspector2 = officers.iter().find(|(n, _)| *n == who2[0]).unwrap().1;
        let r = post(
            format!("/api/v1/sampling/tasks/{}/sample", task2["id"]),
            inspector2,
            json!({"stage": "distribution", "product_name": "酸奶", "lot": "B2", "quantity": 4,
                   "retained": 2, "place": "石家庄市桥西区中华北大街超市"}),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let id2 = r.json["id"].as_i64().unwrap();
        // Its lab files the report from a filled template (CSV); a bad row is named and
        // nothing is filed.
        let r = get("/api/v1/sampling/report-template?format=xlsx".into(), &lab).await;
        assert_eq!(r.status, 200, "{l}");
        let example =
            zhijian_server::report_upload::parse(&r.raw).expect("the template reads back");
        assert_eq!(example[0].name, "蛋白质", "{l}");
        let fields = [
            ("number", "JY2026-0043"),
            ("issued_on", "2026-11-26"),
            ("conclusion", "不合格"),
        ];
        let sheet = |verdict: &str| {
            format!(
                "检验项目,标准要求,实测值,单位,检验方法,单项判定\n酸度,≥70,62,°T,GB 5009.239-2016,{verdict}\n蛋白质,≥2.3 g/100g,2.0,,,不合格\n"
            )
        };
        let upload_uri = format!("/api/v1/sampling/samples/{id2}/report/upload");
        let before = audit_head(s).await;
        let r = send(
            &app,
            form_upload(
                &upload_uri,
                Some(&lab),
                &fields,
                "items.csv",
                sheet("也许").as_bytes(),
            ),
        )
        .await;
        assert_eq!(r.json["code"], "report_upload", "{l}: {:?}", r.json);
        assert_eq!(
            audit_head(s).await,
            before,
            "{l}: a bad sheet filed something"
        );
        let r = send(
            &app,
            form_upload(
                &upload_uri,
                Some(&lab),
                &fields,
                "items.csv",
                sheet("不合格").as_bytes(),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        assert_eq!(r.json["items"][0]["unit"], "°T", "{l}");
        let owner2 = user(
            s,
            "owner2",
            Role::Enterprise,
            Membership::Organisation(task2["enterprise"].as_str().unwrap().to_owned()),
        )
        .await;
        let r = post(
            format!("/api/v1/sampling/samples/{id2}/objection"),
            &owner2,
            json!({"reason": "不服"}),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let r = post(
            format!("/api/v1/sampling/samples/{id2}/objection/decide"),
            &province,
            json!({"accept": false, "reason": "备样已过保质期，不予复检"}),
        )
        .await;
        assert_eq!(r.json["standing"]["stage"], "final", "{l}: {:?}", r.json);
        assert_eq!(r.json["standing"]["outcome"], "fail", "{l}");

        // The final failure is a risk signal, once; its enterprise and bureaus see it.
        let r = get("/api/v1/risk-signals".into(), &province).await;
        assert_eq!(r.json["total"], 1, "{l}: {:?}", r.json);
        let signal = &r.json["items"][0];
        assert_eq!(
            (&signal["kind"], &signal["source_id"], &signal["category"]),
            (&json!("sample_failed"), &json!(id2), &json!("F05")),
            "{l}: {signal}"
        );
        assert_eq!(
            signal["detail"]["failing_items"],
            json!(["酸度", "蛋白质"]),
            "{l}"
        );
        let again = s
            .record_sampling_signals(Default::default(), &Default::default())
            .await
            .unwrap();
        assert_eq!(again, 0, "{l}: a signal is recorded once");
        for (token, seen) in [(&owner2, 1), (&sampled, 0), (&lab, 0), (&baoding, 0)] {
            let r = get("/api/v1/risk-signals".into(), token).await;
            assert_eq!(r.json["total"], seen, "{l}: {:?}", r.json);
        }

        // Statistics count final results only, for bureaus within their region.
        let r = get(
            "/api/v1/sampling/stats?region=130000&group_by=category".into(),
            &province,
        )
        .await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        assert_eq!(
            r.json["rows"].as_array().unwrap().len(),
            1,
            "{l}: {:?}",
            r.json
        );
        let row = &r.json["rows"][0];
        assert_eq!(
            (
                &row["key"],
                &row["tested"],
                &row["passed"],
                &row["failed"],
                &row["pass_rate"]
            ),
            (&json!("F05"), &json!(2), &json!(1), &json!(1), &json!(0.5)),
            "{l}: {row}"
        );
        assert_eq!(
            r.json["failing_items"],
            json!([{"name": "蛋白质", "count": 1}, {"name": "酸度", "count": 1}]),
            "{l}"
        );
        let r = get("/api/v1/sampling/stats?group_by=region".into(), &province).await;
        assert_eq!(r.json["rows"][0]["key"], "130100", "{l}: {:?}", r.json);
        assert_eq!(r.json["rows"][0]["name"], "石家庄市", "{l}");
        let r = get("/api/v1/sampling/stats?group_by=period".into(), &city).await;
        let month = jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
            .strftime("%Y-%m")
            .to_string();
        assert_eq!(r.json["rows"][0]["key"], month, "{l}: {:?}", r.json);
        assert_eq!(r.json["total"]["tested"], 2, "{l}");
        let r = get("/api/v1/sampling/stats?region=130100".into(), &baoding).await;
        assert_eq!(r.status, 403, "{l}");
        let r = get("/api/v1/sampling/stats".into(), &sampled).await;
        assert_eq!(r.status, 403, "{l}");
        let r = get("/api/v1/sampling/stats?group_by=weekly".into(), &province).await;
        assert_eq!(r.status, 400, "{l}");

        // The province publishes the plan's final results; anyone reads them.
        let announce = format!("/api/v1/sampling/plans/{id}/announce");
        let r = post(announce.clone(), &city, json!({})).await;
        assert_eq!(r.status, 403, "{l}: {:?}", r.json);
        let r = post(
            announce.clone(),
            &province,
            json!({"title": "公".repeat(201)}),
        )
        .await;
        assert_eq!(r.json["code"], "title", "{l}: {:?}", r.json);
        let r = post(announce.clone(), &province, json!({})).await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let published = r.json["id"].as_i64().unwrap();
        assert_eq!(
            (&r.json["passed"], &r.json["failed"], &r.json["pending"]),
            (&json!(1), &json!(1), &json!(0)),
            "{l}: {:?}",
            r.json
        );
        assert_eq!(
            r.json["title"], "关于2026年河北省乳制品监督抽查结果的公告",
            "{l}"
        );
        let r = post(announce, &province, json!({})).await;
        assert_eq!(r.json["code"], "plan_announced", "{l}: {:?}", r.json);
        let anyone = |uri: String| {
            let app = app.clone();
            async move { send(&app, request("GET", &uri, None, None)).await }
        };
        let r = anyone("/api/v1/announcements".into()).await;
        assert_eq!(r.json["total"], 1, "{l}: {:?}", r.json);
        let enterprise_name = r#"石家庄第"#;
        let r = anyone(format!(
            "/api/v1/announcements?q={}",
            "%E9%85%B8%E5%A5%B6" // 酸奶
        ))
        .await;
        assert_eq!(r.json["total"], 1, "{l}: a product finds its announcement");
        let r = anyone("/api/v1/announcements?q=%E5%8C%97%E4%BA%AC".into()).await; // 北京
        assert_eq!(r.json["total"], 0, "{l}");
        let page = anyone("/announcements".into()).await;
        let body = String::from_utf8_lossy(&page.raw).to_string();
        assert!(
            body.contains(&format!("data-announcement=\"{published}\""))
                && body.contains("合格 1 批次，不合格 1 批次"),
            "{l}: {body}"
        );
        let page = anyone(format!("/announcements/{published}?lang=en")).await;
        let body = String::from_utf8_lossy(&page.raw).to_string();
        assert!(
            body.contains("1 batches passed and 1 failed")
                && body.contains(enterprise_name)
                && body.matches("data-result=").count() == 2
                && body.contains("data-result=\"fail\""),
            "{l}: {body}"
        );
        let r = anyone("/announcements/999999".into()).await;
        assert_eq!(r.status, 404, "{l}");

        // The files read back: CSV (with a byte-order mark) and Excel.
        let file = anyone(format!("/announcements/{published}/results.csv")).await;
        assert!(file.raw.starts_with("\u{feff}".as_bytes()), "{l}");
        let mut reader = csv::Reader::from_reader(&file.raw[3..]);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2, "{l}");
        let results: Vec<&str> = rows.iter().map(|r| &r[7]).collect();
        assert!(
            results.contains(&"合格") && results.contains(&"不合格"),
            "{l}"
        );
        assert!(
            rows.iter().any(|r| &r[8] == "酸度、蛋白质"),
            "{l}: failing items: {rows:?}"
        );
        let file = anyone(format!("/announcements/{published}/results.xlsx")).await;
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(file.raw.to_vec()))
                .expect("an xlsx file");
        let sheet = book.worksheet_range("抽查结果").expect("the results sheet");
        let title = sheet.get_value((0, 0)).map(|v| v.to_string());
        assert_eq!(
            title.as_deref(),
            Some("关于2026年河北省乳制品监督抽查结果的公告"),
            "{l}"
        );
        let col: Vec<String> = (3..5)
            .filter_map(|row| sheet.get_value((row, 7)).map(|v| v.to_string()))
            .collect();
        assert_eq!(col.len(), 2, "{l}: {col:?}");
        assert!(col.contains(&"不合格".to_owned()), "{l}: {col:?}");

        // The city plan's draw leaves out the enterprises the province sampled this year.
        let sampled_by_province: Vec<&str> = [task, task2]
            .iter()
            .map(|t| t["enterprise"].as_str().unwrap())
            .collect();
        let r = post(
            format!("/api/v1/sampling/plans/{city_plan}/draw"),
            &city,
            json!({"seed": "2026-石-01"}),
        )
        .await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        let city_drawn: Vec<&str> = r.json["enterprises"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap())
            .collect();
        // Every active dairy of the district but those: five asked, all there are.
        let excluded = sampled_by_province
            .iter()
            .filter(|e| uscc_region(e) == "130102")
            .count();
        assert!(excluded > 0, "{l}: the province sampled in the district");
        assert_eq!(city_drawn.len(), 5 - excluded, "{l}: {:?}", r.json);
        for e in &city_drawn {
            assert!(
                !sampled_by_province.contains(e),
                "{l}: {e} was sampled by the province this year"
            );
            assert!(
                dairies.iter().any(|d| d == e) && uscc_region(e) == "130102",
                "{l}: {e}"
            );
        }

        // Rectification of the final failure: order, report, follow-up, escalation that
        // suspends the enterprise's licence.
        let owner2_code = task2["enterprise"].as_str().unwrap().to_owned();
        let r = post(
            "/api/v1/licences".into(),
            &city,
            json!({"enterprise": owner2_code, "kind": "food", "scope": ["F05"]}),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let licence = r.json["id"].as_i64().unwrap();
        let first13 = "1051301020042";
        let check = zhijian_core::licence_number::food_check_digit(first13).unwrap();
        for body in [
            json!({"action": "accept"}),
            json!({"action": "review"}),
            json!({"action": "approve"}),
            json!({"action": "issue", "number": format!("SC{first13}{check}"),
                   "valid_from": "2025-01-01", "valid_until": "2029-12-31"}),
        ] {
            let r = post(
                format!("/api/v1/licences/{licence}/transitions"),
                &city,
                body,
            )
            .await;
            assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        }
        let rect = format!("/api/v1/sampling/samples/{id2}/rectification");
        let r = get(rect.clone(), &province).await;
        assert_eq!(r.status, 404, "{l}: none ordered yet");
        let order = json!({"requirements": "查明酸度、蛋白质不合格原因，召回同批次产品，整改后申请复查", "deadline": "2099-01-31"});
        let before = audit_head(s).await;
        for (uri, token, body, status, code) in [
            (rect.clone(), &owner2, order.clone(), 403, "forbidden"),
            (
                rect.clone(),
                &province,
                json!({"requirements": "x", "deadline": "2020-01-01"}),
                422,
                "deadline",
            ),
            (
                format!("/api/v1/sampling/samples/{id}/rectification"),
                &province,
                order.clone(),
                422,
                "not_final_failure",
            ),
        ] {
            let r = post(uri, token, body).await;
            assert_eq!(
                (r.status.as_u16(), r.json["code"].as_str()),
                (status, Some(code)),
                "{l}: {:?}",
                r.json
            );
        }
        assert_eq!(
            audit_head(s).await,
            before,
            "{l}: refused orders changed data"
        );
        let r = post(rect.clone(), &province, order.clone()).await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        assert_eq!(r.json["step"], "order_to_correct", "{l}");
        let r = post(rect.clone(), &province, order).await;
        assert_eq!(r.json["code"], "rectification_ordered", "{l}: {:?}", r.json);
        let follow = format!("{rect}/follow-up");
        let r = post(
            follow.clone(),
            &province,
            json!({"outcome": "fail", "note": "复查抽样 JY2026-0099"}),
        )
        .await;
        assert_eq!(r.json["code"], "follow_up_early", "{l}: {:?}", r.json);
        let r = post(
            format!("{rect}/report"),
            &owner2,
            json!({"measures": "更换原料供应商，召回批次B2共1200箱"}),
        )
        .await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        let r = post(
            follow,
            &province,
            json!({"outcome": "fail", "note": "复查抽样 JY2026-0099 仍不合格"}),
        )
        .await;
        assert_eq!(r.json["follow_up"], "fail", "{l}: {:?}", r.json);

        let escalate = format!("{rect}/escalate");
        let before = audit_head(s).await;
        for (body, code) in [
            (
                json!({"step": "order_to_correct", "reason": "x"}),
                "step_order",
            ),
            (
                json!({"step": "suspension", "reason": "复查仍不合格"}),
                "licence_required",
            ),
            (
                json!({"step": "suspension", "reason": "复查仍不合格", "licence_id": 999_999}),
                "licence_unknown",
            ),
        ] {
            let r = post(escalate.clone(), &province, body).await;
            assert_eq!(r.json["code"], code, "{l}: {:?}", r.json);
        }
        assert_eq!(
            audit_head(s).await,
            before,
            "{l}: refused steps changed data"
        );
        let r = post(
            escalate.clone(),
            &province,
            json!({"step": "suspension", "reason": "复查仍不合格，暂停生产许可", "licence_id": licence}),
        )
        .await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        assert_eq!(r.json["step"], "suspension", "{l}");
        assert_eq!(r.json["steps"].as_array().unwrap().len(), 2, "{l}");
        let r = get(format!("/api/v1/licences/{licence}"), &province).await;
        assert_eq!(r.json["state"], "suspended", "{l}: {:?}", r.json);
        let r = post(
            escalate,
            &province,
            json!({"step": "public_announcement", "reason": "x"}),
        )
        .await;
        assert_eq!(r.json["code"], "step_order", "{l}: {:?}", r.json);
        let r = get(rect, &owner2).await;
        assert_eq!(
            r.json["steps"][1]["licence_id"], licence,
            "{l}: {:?}",
            r.json
        );
    }
}

/// The region digits of a credit code.
fn uscc_region(code: &str) -> &str {
    &code[2..8]
}
