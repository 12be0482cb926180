//! Sampling statistics against a hand computation, on both engines: a small province
//! with two plan years, results in every stage (passed, failed and final after a
//! rejected objection, failed with the objection window open, failed with the window
//! closed, passed on re-test, awaiting a report), counted by category, region, month,
//! plan and level, compared with the year before, filtered by months, and read back
//! from the Excel export.

mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use common::*;
use serde_json::{Value, json};
use zhijian_core::access::Role;
use zhijian_core::test_report::{Item, Outcome, Report};
use zhijian_store::identity::Membership;
use zhijian_store::testing::fresh_stores;

/// Noon on the 15th of `month` (`YYYY-MM`) in China, as RFC 3339.
fn mid(month: &str) -> String {
    format!("{month}-15T04:00:00Z")
}

fn report(number: &str, conclusion: &str, failed: &[&str]) -> Value {
    let mut items: Vec<Value> = failed
        .iter()
        .map(|n| json!({"name": n, "requirement": "≤1", "value": "2", "verdict": "fail"}))
        .collect();
    items.push(
        json!({"name": "净含量", "requirement": "≥250 mL", "value": "251", "verdict": "pass"}),
    );
    json!({"number": number, "issued_on": "2026-01-05", "conclusion": conclusion, "items": items})
}

#[tokio::test]
async fn statistics_match_a_hand_computation() {
    // Plan years wholly in the past, whatever the day the test runs.
    let this_year = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .year();
    let (y, ly) = (i32::from(this_year) - 1, i32::from(this_year) - 2);
    for t in fresh_stores().await {
        let (s, app, l) = (&t.store, app(&t), t.label);
        let province = user(s, "hb-officer", Role::Officer, bureau("130000")).await;
        let city = user(s, "sjz-officer", Role::Officer, bureau("130100")).await;
        let _city2 = user(s, "sjz-officer2", Role::Officer, bureau("130100")).await;
        let _baoding = user(s, "bd-officer", Role::Officer, bureau("130600")).await;
        let admin = user(s, "admin", Role::Admin, Membership::None).await;
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

        // Enterprises: three dairies and a tea maker in Chang'an (Shijiazhuang), two
        // dairies in Baoding.
        let mut makers = Vec::new();
        for (i, (region, category)) in [
            ("130102", "F05"),
            ("130102", "F05"),
            ("130102", "F05"),
            ("130102", "F14"),
            ("130602", "F05"),
            ("130602", "F05"),
        ]
        .into_iter()
        .enumerate()
        {
            let code = uscc(region, 200 + i as u32).to_string();
            let r = post(
                "/api/v1/enterprises".into(),
                &province,
                json!({"uscc": code, "name": format!("河北第{i}食品有限公司"), "region": region}),
            )
            .await;
            assert_eq!(r.status, 201, "{l}: {:?}", r.json);
            let r = post(
                format!("/api/v1/enterprises/{code}/products"),
                &province,
                json!({"name": "产品", "category": category}),
            )
            .await;
            assert_eq!(r.status, 201, "{l}: {:?}", r.json);
            makers.push(code);
        }
        let (lab_code, retest_code) = (uscc("130104", 900), uscc("130104", 901));
        for code in [&lab_code, &retest_code] {
            let r = post(
                "/api/v1/labs".into(),
                &province,
                json!({"uscc": code.to_string(), "name": format!("检验机构{code}"), "region": "130104"}),
            )
            .await;
            assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        }
        let lab = user(
            s,
            "lab",
            Role::Lab,
            Membership::Organisation(lab_code.to_string()),
        )
        .await;
        let retest_lab = user(
            s,
            "retest-lab",
            Role::Lab,
            Membership::Organisation(retest_code.to_string()),
        )
        .await;

        // Two plans: this plan year's and last year's, every candidate drawn.
        let plan = |year: i32, quotas: Value| {
            json!({"name": format!("{year}年河北省食品监督抽查"), "year": year, "level": "province",
                   "region": "130000", "quotas": quotas})
        };
        let quota = |category: &str, region: &str, batches: u32| json!({"category": category, "region": region, "batches": batches, "lab": lab_code.to_string()});
        let mut tasks = std::collections::HashMap::new();
        let mut plan_ids = Vec::new();
        for (year, quotas) in [
            (
                y,
                json!([
                    quota("F05", "130100", 3),
                    quota("F14", "130100", 1),
                    quota("F05", "130600", 2)
                ]),
            ),
            (ly, json!([quota("F05", "130100", 3)])),
        ] {
            let r = post(
                "/api/v1/sampling/plans".into(),
                &province,
                plan(year, quotas),
            )
            .await;
            assert_eq!(r.status, 201, "{l}: {:?}", r.json);
            let id = r.json["id"].as_i64().unwrap();
            plan_ids.push(id);
            // Samples are taken under a published plan: approved by another, then published.
            for (step, token) in [("approve", &admin), ("publish", &province)] {
                let r = post(
                    format!("/api/v1/sampling/plans/{id}/{step}"),
                    token,
                    json!({}),
                )
                .await;
                assert_eq!(r.status, 200, "{l}: {step}: {:?}", r.json);
            }
            let r = post(
                format!("/api/v1/sampling/plans/{id}/draw"),
                &province,
                json!({"seed": format!("seed-{year}")}),
            )
            .await;
            assert_eq!(r.status, 200, "{l}: {:?}", r.json);
            for task in r.json["tasks"].as_array().unwrap() {
                tasks.insert(
                    (year, task["enterprise"].as_str().unwrap().to_owned()),
                    task["id"].as_i64().unwrap(),
                );
            }
        }
        assert_eq!(tasks.len(), 9, "{l}: {tasks:?}");

        // One sample per task, taken in the month given.
        let take = |year: i32, maker: usize, month: String| {
            let task = tasks[&(year, makers[maker].clone())];
            let post = &post;
            let admin = &admin;
            async move {
                let r = post(
                    format!("/api/v1/sampling/tasks/{task}/sample"),
                    admin,
                    json!({"stage": "production", "product_name": "产品", "lot": format!("L{task}"),
                           "quantity": 4, "retained": 2, "place": "厂区成品库", "taken_at": mid(&month)}),
                )
                .await;
                assert_eq!(r.status, 201, "{:?}", r.json);
                r.json["id"].as_i64().unwrap()
            }
        };
        let file = |id: i64, token: &str, body: Value| {
            let post = &post;
            let token = token.to_owned();
            async move {
                let r = post(
                    format!("/api/v1/sampling/samples/{id}/report"),
                    &token,
                    body,
                )
                .await;
                assert_eq!(r.status, 201, "{:?}", r.json);
            }
        };
        let (mar, jun, ly_mar) = (format!("{y}-03"), format!("{y}-06"), format!("{ly}-03"));
        // A1 passes.
        let a1 = take(y, 0, mar.clone()).await;
        file(a1, &lab, report("A1", "pass", &[])).await;
        // A2 fails on two items; the objection is rejected: a final failure.
        let a2 = take(y, 1, mar.clone()).await;
        file(a2, &lab, report("A2", "fail", &["蛋白质", "酸度"])).await;
        let sampled = user(
            s,
            "a2-maker",
            Role::Enterprise,
            Membership::Organisation(makers[1].clone()),
        )
        .await;
        let r = post(
            format!("/api/v1/sampling/samples/{a2}/objection"),
            &sampled,
            json!({"reason": "申请复检"}),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let r = post(
            format!("/api/v1/sampling/samples/{a2}/objection/decide"),
            &province,
            json!({"accept": false, "reason": "理由不成立"}),
        )
        .await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        // A3 fails today: the window is open, not final.
        let a3 = take(y, 2, jun.clone()).await;
        file(a3, &lab, report("A3", "fail", &["蛋白质"])).await;
        // C1 (tea) awaits its report.
        take(y, 3, mar.clone()).await;
        // B1 failed sixty days ago and nobody objected: final.
        let b1 = take(y, 4, jun.clone()).await;
        let lab_principal = s.principal_by_token(&lab).await.unwrap().unwrap();
        let sixty_days_ago = jiff::Timestamp::now().as_millisecond() - 60 * 86_400_000;
        let failed_report = |number: &str, names: &[&str]| Report {
            number: number.into(),
            issued_on: jiff::civil::date(2026, 1, 5),
            conclusion: Outcome::Fail,
            items: names
                .iter()
                .map(|n| Item {
                    name: (*n).into(),
                    requirement: "≤1".into(),
                    value: "2".into(),
                    unit: None,
                    method: None,
                    verdict: Outcome::Fail,
                })
                .collect(),
        };
        s.scoped(&lab_principal)
            .file_report_at(
                b1,
                &failed_report("B1", &["菌落总数", "蛋白质"]),
                sixty_days_ago,
            )
            .await
            .unwrap();
        // B2 fails, the objection is accepted, the re-test passes: a final pass.
        let b2 = take(y, 5, jun.clone()).await;
        file(b2, &lab, report("B2", "fail", &["大肠菌群"])).await;
        let objector = user(
            s,
            "b2-maker",
            Role::Enterprise,
            Membership::Organisation(makers[5].clone()),
        )
        .await;
        let r = post(
            format!("/api/v1/sampling/samples/{b2}/objection"),
            &objector,
            json!({"reason": "申请复检"}),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let r = post(
            format!("/api/v1/sampling/samples/{b2}/objection/decide"),
            &province,
            json!({"accept": true, "reason": "同意复检", "retest_lab": retest_code.to_string()}),
        )
        .await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        // Pending until the re-test is filed.
        let r = get(format!("/api/v1/sampling/stats?year={y}"), &province).await;
        assert_eq!(r.json["total"]["pending"], 3, "{l}: {:?}", r.json);
        file(b2, &retest_lab, report("B2R", "pass", &[])).await;
        // Last year: one pass, one failure final long ago.
        let d1 = take(ly, 0, ly_mar.clone()).await;
        file(d1, &lab, report("D1", "pass", &[])).await;
        let d2 = take(ly, 1, ly_mar.clone()).await;
        s.scoped(&lab_principal)
            .file_report_at(
                d2,
                &failed_report("D2", &["酸度"]),
                sixty_days_ago - 300 * 86_400_000,
            )
            .await
            .unwrap();

        // By category, this plan year: F05 has A1 ✓, A2 ✗, A3 (open), B1 ✗, B2 ✓; F14
        // has C1 (no report). Last year F05: D1 ✓, D2 ✗.
        let r = get(
            format!("/api/v1/sampling/stats?region=130000&group_by=category&year={y}"),
            &province,
        )
        .await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        let counts = |row: &Value| {
            (
                row["key"].as_str().unwrap_or("").to_owned(),
                row["tested"].as_u64().unwrap(),
                row["passed"].as_u64().unwrap(),
                row["failed"].as_u64().unwrap(),
                row["pending"].as_u64().unwrap(),
            )
        };
        let rows: Vec<_> = r.json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(counts)
            .collect();
        assert_eq!(
            rows,
            vec![("F05".into(), 4, 2, 2, 1), ("F14".into(), 0, 0, 0, 1)],
            "{l}: {:?}",
            r.json
        );
        assert_eq!(r.json["rows"][0]["pass_rate"], 0.5, "{l}");
        assert_eq!(r.json["rows"][0]["name"], "乳制品", "{l}");
        assert_eq!(
            r.json["rows"][0]["last_year"],
            json!({"tested": 2, "passed": 1, "pass_rate": 0.5, "change": 0.0}),
            "{l}"
        );
        assert_eq!(
            r.json["rows"][1]["last_year"],
            json!({"tested": 0, "passed": 0, "pass_rate": null, "change": null}),
            "{l}"
        );
        assert_eq!(
            counts(&r.json["total"]),
            ("total".into(), 4, 2, 2, 2),
            "{l}"
        );
        assert_eq!(r.json["total"]["last_year"]["tested"], 2, "{l}");
        // A2's two items and B1's two; A3 is not final, B2 passed on re-test.
        assert_eq!(
            r.json["failing_items"],
            json!([{"name": "蛋白质", "count": 2}, {"name": "菌落总数", "count": 1}, {"name": "酸度", "count": 1}]),
            "{l}"
        );
        // The trend: March (A1 ✓, A2 ✗, C1) against last March (D1 ✓, D2 ✗); June.
        let trend: Vec<_> = r.json["trend"]
            .as_array()
            .unwrap()
            .iter()
            .map(counts)
            .collect();
        assert_eq!(
            trend,
            vec![(mar.clone(), 2, 1, 1, 1), (jun.clone(), 2, 1, 1, 1)],
            "{l}"
        );
        assert_eq!(r.json["trend"][0]["last_year"]["tested"], 2, "{l}");
        assert_eq!(r.json["trend"][1]["last_year"]["tested"], 0, "{l}");

        // By region: Shijiazhuang A1 ✓ A2 ✗ A3 C1; Baoding B1 ✗ B2 ✓.
        let r = get(
            format!("/api/v1/sampling/stats?group_by=region&year={y}"),
            &province,
        )
        .await;
        let rows: Vec<_> = r.json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(counts)
            .collect();
        assert_eq!(
            rows,
            vec![("130100".into(), 2, 1, 1, 2), ("130600".into(), 2, 1, 1, 0)],
            "{l}: {:?}",
            r.json
        );
        assert_eq!(r.json["rows"][1]["name"], "保定市", "{l}");
        assert_eq!(r.json["rows"][1]["last_year"]["tested"], 0, "{l}");
        assert_eq!(
            r.json["rows"][0]["last_year"]["pass_rate"], 0.5,
            "{l}: {:?}",
            r.json
        );

        // By month over a period: each month against the same month a year before.
        let r = get(
            format!("/api/v1/sampling/stats?group_by=period&from={y}-01&to={y}-12"),
            &city,
        )
        .await;
        let rows: Vec<_> = r.json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(counts)
            .collect();
        // The city sees Shijiazhuang only: March A1 ✓ A2 ✗ C1, June A3.
        assert_eq!(
            rows,
            vec![(mar.clone(), 2, 1, 1, 1), (jun.clone(), 0, 0, 0, 1)],
            "{l}: {:?}",
            r.json
        );
        assert_eq!(
            r.json["rows"][0]["last_year"],
            json!({"tested": 2, "passed": 1, "pass_rate": 0.5, "change": 0.0}),
            "{l}"
        );
        // June alone (ties in code-point order).
        let r = get(
            format!("/api/v1/sampling/stats?from={jun}&to={jun}"),
            &province,
        )
        .await;
        assert_eq!(
            counts(&r.json["total"]),
            ("total".into(), 2, 1, 1, 1),
            "{l}"
        );
        assert_eq!(
            r.json["failing_items"],
            json!([{"name": "菌落总数", "count": 1}, {"name": "蛋白质", "count": 1}]),
            "{l}"
        );

        // By plan and by level, all years.
        let r = get("/api/v1/sampling/stats?group_by=plan".into(), &province).await;
        let rows: Vec<_> = r.json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(counts)
            .collect();
        assert_eq!(
            rows,
            vec![
                (plan_ids[0].to_string(), 4, 2, 2, 2),
                (plan_ids[1].to_string(), 2, 1, 1, 0)
            ],
            "{l}: {:?}",
            r.json
        );
        assert_eq!(
            r.json["rows"][1]["name"],
            format!("{ly}年河北省食品监督抽查"),
            "{l}"
        );
        assert_eq!(r.json["rows"][0]["last_year"], Value::Null, "{l}");
        let r = get(
            format!(
                "/api/v1/sampling/stats?group_by=level&level=province&category=F05&plan={}",
                plan_ids[0]
            ),
            &province,
        )
        .await;
        let rows: Vec<_> = r.json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(counts)
            .collect();
        assert_eq!(
            rows,
            vec![("province".into(), 4, 2, 2, 1)],
            "{l}: {:?}",
            r.json
        );
        let r = get("/api/v1/sampling/stats?category=Z99".into(), &province).await;
        assert_eq!(
            counts(&r.json["total"]),
            ("total".into(), 0, 0, 0, 0),
            "{l}"
        );

        // Bad filters and callers outside the region.
        for (uri, status, code) in [
            (format!("/api/v1/sampling/stats?from={y}-13"), 422, "month"),
            (
                format!("/api/v1/sampling/stats?from={y}-06&to={y}-03"),
                422,
                "period",
            ),
            (
                "/api/v1/sampling/stats?region=130600".into(),
                403,
                "forbidden",
            ),
        ] {
            let r = get(uri.clone(), &city).await;
            assert_eq!(
                (r.status.as_u16(), r.json["code"].as_str()),
                (status, Some(code)),
                "{l}: {uri} {:?}",
                r.json
            );
        }
        let r = get("/api/v1/sampling/stats.xlsx".into(), &sampled).await;
        assert_eq!(r.status, 403, "{l}");

        // The console page draws one bar per group and links to the same figures.
        let r = get(
            format!("/console/sampling/stats?group_by=region&year={y}&from=&level="),
            &province,
        )
        .await;
        assert_eq!(r.status, 200, "{l}");
        let html = String::from_utf8(r.raw.clone()).unwrap();
        assert_eq!(
            html.matches("class=\"chart-bar\"").count(),
            2,
            "{l}: {html}"
        );
        assert!(html.contains("保定市"), "{l}");
        assert!(
            html.contains(&format!(
                "/api/v1/sampling/stats.xlsx?year={y}&#38;group_by=region"
            )),
            "{l}: {html}"
        );
        let r = get("/console/sampling/stats?from=2026-13".into(), &province).await;
        assert_eq!(r.status, 422, "{l}");
        assert!(
            String::from_utf8(r.raw).unwrap().contains("role=\"alert\""),
            "{l}"
        );
        let r = get("/console/sampling/stats".into(), &sampled).await;
        assert_eq!(r.status, 403, "{l}");

        // The workbook says the same.
        let r = get(
            format!("/api/v1/sampling/stats.xlsx?group_by=category&year={y}"),
            &province,
        )
        .await;
        assert_eq!(r.status, 200, "{l}");
        assert!(r.content_type.contains("spreadsheetml"), "{l}");
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(r.raw)).unwrap();
        let sheet = book.worksheet_range("统计").unwrap();
        let cell = |row: u32, col: u32| sheet.get_value((row, col)).cloned();
        assert_eq!(cell(0, 2), Some(Data::String("检验批次".into())), "{l}");
        assert_eq!(cell(1, 0), Some(Data::String("F05".into())), "{l}");
        assert_eq!(cell(1, 2), Some(Data::Float(4.0)), "{l}");
        assert_eq!(cell(1, 3), Some(Data::Float(2.0)), "{l}");
        assert_eq!(cell(1, 5), Some(Data::Float(0.5)), "{l}");
        assert_eq!(cell(1, 7), Some(Data::Float(2.0)), "{l}");
        assert_eq!(cell(3, 0), Some(Data::String("total".into())), "{l}");
        assert_eq!(cell(3, 6), Some(Data::Float(2.0)), "{l}");
        let items = book.worksheet_range("不合格项目").unwrap();
        assert_eq!(
            items.get_value((1, 0)),
            Some(&Data::String("蛋白质".into())),
            "{l}"
        );
        assert_eq!(items.get_value((1, 1)), Some(&Data::Float(2.0)), "{l}");

        // Filling the table from the samples (as migrating an older database does)
        // gives the rows the writes kept.
        let rows = || async {
            s.db()
                .fetch_all(
                    "SELECT sample_id, plan_id, level, year, month, category, region, settled, notified_on, failing_items FROM sample_results ORDER BY sample_id",
                    &[],
                )
                .await
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        (r.int(0).unwrap(), r.int(1).unwrap(), r.text(2).unwrap()),
                        (r.int(3).unwrap(), r.int(4).unwrap(), r.text(5).unwrap()),
                        (r.text(6).unwrap(), r.int(7).unwrap(), r.opt_int(8).unwrap()),
                        r.opt_text(9).unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        };
        let kept = rows().await;
        assert_eq!(kept.len(), 8, "{l}");
        let mut tx = s.db().begin().await.unwrap();
        tx.execute("DELETE FROM sample_results", &[]).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(s.backfill_sample_results().await.unwrap(), 8, "{l}");
        assert_eq!(rows().await, kept, "{l}");
    }
}
