//! The public portal on every engine: the home page, enterprise search and profiles (the
//! grade only where the node publishes it), administrative penalties from decided cases,
//! search on the public lists, and Atom feeds that read back as XML.

mod common;

use common::*;
use serde_json::json;
use zhijian_core::access::Role;
use zhijian_core::grading::Grade;
use zhijian_server::config::Config;
use zhijian_server::state::AppState;
use zhijian_store::testing::fresh_stores;

/// The text of a page without its tags, for checks on what a reader sees.
fn text(raw: &[u8]) -> String {
    let html = String::from_utf8_lossy(raw);
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `<entry>` titles of an Atom feed, read with an XML parser.
fn feed_titles(raw: &[u8]) -> Vec<String> {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_reader(raw);
    let (mut titles, mut in_entry, mut in_title) = (Vec::new(), false, false);
    let mut buf = Vec::new();
    loop {
        match r
            .read_event_into(&mut buf)
            .expect("the feed is well-formed XML")
        {
            Event::Start(e) if e.name().as_ref() == b"entry" => in_entry = true,
            Event::End(e) if e.name().as_ref() == b"entry" => in_entry = false,
            Event::Start(e) if e.name().as_ref() == b"title" => in_title = in_entry,
            Event::End(e) if e.name().as_ref() == b"title" => in_title = false,
            Event::Text(t) if in_title => {
                titles.push(t.xml10_content().unwrap().into_owned());
            }
            Event::GeneralRef(g) if in_title => {
                let s = match &*g {
                    b"amp" => "&",
                    b"lt" => "<",
                    b"gt" => ">",
                    _ => "?",
                };
                if let Some(last) = titles.last_mut() {
                    last.push_str(s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    titles
}

#[tokio::test]
async fn the_portal_finds_enterprises_and_publishes_penalties_and_feeds() {
    for t in fresh_stores().await {
        let (s, app, l) = (&t.store, app(&t), t.label);
        let officer = user(s, "sjz", Role::Officer, bureau("130100")).await;
        let code = uscc("130102", 21).to_string();
        let other = uscc("130104", 22).to_string();
        for (c, name, region) in [
            (&code, "石家庄市恒信食品有限公司", "130102"),
            (&other, "石家庄市恒信电器厂", "130104"),
        ] {
            let r = send(
                &app,
                request(
                    "POST",
                    "/api/v1/enterprises",
                    Some(&officer),
                    Some(json!({"uscc": c, "name": name, "region": region, "address": "中山路 1 号"})),
                ),
            )
            .await;
            assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        }

        // The home page: the code query, complaints, and every list, empty ones said so.
        let r = send(&app, request("GET", "/", None, None)).await;
        assert_eq!(r.status, 200, "{l}");
        let home = text(&r.raw);
        for expected in [
            "查询产品监管码",
            "投诉举报",
            "暂无公示的行政处罚",
            "目前没有召回",
            "在列企业 0 家",
        ] {
            assert!(home.contains(expected), "{l}: {expected} in {home}");
        }
        let en = text(
            &send(&app, request("GET", "/?lang=en", None, None))
                .await
                .raw,
        );
        assert!(
            en.contains("Check a product's supervision code"),
            "{l}: {en}"
        );

        // Search: every word must appear; a credit code finds its enterprise.
        let r = send(
            &app,
            request(
                "GET",
                "/api/v1/public-enterprises?q=恒信%20食品",
                None,
                None,
            ),
        )
        .await;
        assert_eq!(r.json["total"], 1, "{l}: {:?}", r.json);
        assert_eq!(r.json["items"][0]["uscc"], code.as_str(), "{l}");
        let r = send(
            &app,
            request(
                "GET",
                "/api/v1/public-enterprises?q=食品%20石家庄",
                None,
                None,
            ),
        )
        .await;
        assert_eq!(r.json["total"], 1, "{l}: words in any order: {:?}", r.json);
        let r = send(
            &app,
            request(
                "GET",
                &format!("/api/v1/public-enterprises?q={other}"),
                None,
                None,
            ),
        )
        .await;
        assert_eq!(r.json["items"][0]["name"], "石家庄市恒信电器厂", "{l}");
        let page = text(
            &send(&app, request("GET", "/enterprises?q=恒信", None, None))
                .await
                .raw,
        );
        assert!(
            page.contains("找到 2 家企业") && page.contains("石家庄市恒信电器厂"),
            "{l}: {page}"
        );
        let page = text(
            &send(
                &app,
                request("GET", "/enterprises?q=不存在的企业", None, None),
            )
            .await
            .raw,
        );
        assert!(page.contains("没有找到匹配的企业"), "{l}: {page}");

        // A decided case is a published penalty, on its list, the profile and the feed.
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/cases",
                Some(&officer),
                Some(
                    json!({"title": "生产不合格食品案", "origin": "manual", "enterprise": code,
                    "region": "130102", "summary": "抽检不合格"}),
                ),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let case = r.json["id"].as_i64().unwrap();
        let penalties = || {
            let app = app.clone();
            async move {
                send(&app, request("GET", "/api/v1/public-penalties", None, None))
                    .await
                    .json
            }
        };
        assert_eq!(
            penalties().await["total"],
            0,
            "{l}: an open case is not public"
        );
        let r = send(
            &app,
            request(
                "POST",
                &format!("/api/v1/cases/{case}/actions"),
                Some(&officer),
                Some(
                    json!({"action": "decide", "text": "没收违法所得并处罚款", "fine_yuan": 30000}),
                ),
            ),
        )
        .await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        let p = penalties().await;
        assert_eq!(
            (
                p["total"].as_i64(),
                p["items"][0]["enterprise"].as_str(),
                p["items"][0]["fine_yuan"].as_i64(),
                p["items"][0]["decision"].as_str()
            ),
            (
                Some(1),
                Some(code.as_str()),
                Some(30000),
                Some("没收违法所得并处罚款")
            ),
            "{l}: {p}"
        );
        let r = send(
            &app,
            request("GET", "/api/v1/public-penalties?q=电器厂", None, None),
        )
        .await;
        assert_eq!(r.json["total"], 0, "{l}: the search narrows the list");
        let page = text(
            &send(&app, request("GET", "/penalties", None, None))
                .await
                .raw,
        );
        assert!(
            page.contains("共 1 项处罚决定") && page.contains("罚款 30000 元"),
            "{l}: {page}"
        );

        // The profile: its facts, the penalty, no private contact; the grade once computed.
        send(
            &app,
            request(
                "GET",
                &format!("/api/v1/enterprises/{code}/grade"),
                Some(&officer),
                None,
            ),
        )
        .await;
        let r = send(
            &app,
            request(
                "GET",
                &format!("/api/v1/public-enterprises/{code}"),
                None,
                None,
            ),
        )
        .await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        assert_eq!(r.json["penalties"][0]["case_id"], case, "{l}");
        let grade = r.json["grade"]["grade"].as_str().unwrap().to_owned();
        assert!(r.json.get("contact_phone").is_none(), "{l}");
        let page = text(
            &send(
                &app,
                request("GET", &format!("/enterprises/{code}"), None, None),
            )
            .await
            .raw,
        );
        assert!(
            page.contains("石家庄市恒信食品有限公司")
                && page.contains("中山路 1 号")
                && page.contains("没收违法所得并处罚款")
                && page.contains(&format!("信用等级 {grade}")),
            "{l}: {page}"
        );
        for missing in [
            "/api/v1/public-enterprises/91130102MA0000000X",
            "/enterprises/nobody",
        ] {
            let r = send(&app, request("GET", missing, None, None)).await;
            assert_eq!(r.status, 404, "{l}: {missing}");
        }

        // A node that publishes only some grades leaves the others out.
        let keep: Vec<Grade> = Grade::ALL
            .into_iter()
            .filter(|g| g.as_str() != grade)
            .collect();
        let strict = zhijian_server::router(
            AppState::new(
                s.clone(),
                Config {
                    data: t.dir.path().to_owned(),
                    node_code: Some("13".into()),
                    public_grades: keep,
                    ..Config::default()
                },
            )
            .unwrap(),
        );
        let r = send(
            &strict,
            request(
                "GET",
                &format!("/api/v1/public-enterprises/{code}"),
                None,
                None,
            ),
        )
        .await;
        assert!(r.json["grade"].is_null(), "{l}: {:?}", r.json["grade"]);
        let page = text(
            &send(
                &strict,
                request("GET", &format!("/enterprises/{code}"), None, None),
            )
            .await
            .raw,
        );
        assert!(page.contains("信用等级 不公开"), "{l}: {page}");

        // Blacklisted on the case's decision: the case must be about it and decided.
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/cases",
                Some(&officer),
                Some(
                    json!({"title": "另案", "origin": "manual", "enterprise": code,
                    "region": "130102", "summary": "调查中"}),
                ),
            ),
        )
        .await;
        let open_case = r.json["id"].as_i64().unwrap();
        let listing = |enterprise: &str, case_id: i64| {
            json!({"enterprise": enterprise, "legal_basis": "《市场监督管理严重违法失信名单管理办法》第七条",
                "decision": "冀市监失信〔2026〕3号", "reason": "生产销售不合格食品 <情节严重>", "case_id": case_id})
        };
        for (body, status, expected) in [
            (listing(&other, case), 422, "case_enterprise"),
            (listing(&code, open_case), 409, "case_not_decided"),
        ] {
            let r = send(
                &app,
                request("POST", "/api/v1/blacklist", Some(&officer), Some(body)),
            )
            .await;
            assert_eq!(
                (r.status.as_u16(), r.json["code"].as_str()),
                (status, Some(expected)),
                "{l}: {:?}",
                r.json
            );
        }
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/blacklist",
                Some(&officer),
                Some(listing(&code, case)),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        assert_eq!(r.json["case_id"], case, "{l}");
        for (q, n) in [("恒信", 1), ("电器", 0), (code.as_str(), 1)] {
            let r = send(
                &app,
                request("GET", &format!("/api/v1/blacklist?q={q}"), None, None),
            )
            .await;
            assert_eq!(r.json["total"], n, "{l}: {q}");
        }
        let page = text(
            &send(
                &app,
                request("GET", &format!("/enterprises/{code}"), None, None),
            )
            .await
            .raw,
        );
        assert!(page.contains("已列入严重违法失信名单"), "{l}: {page}");

        // Feeds: Atom, absolute links, the entries' titles escaped and read back.
        let r = send(&app, request("GET", "/blacklist.atom", None, None)).await;
        assert_eq!(
            (r.status.as_u16(), r.content_type.as_str()),
            (200, "application/atom+xml; charset=utf-8"),
            "{l}"
        );
        assert_eq!(
            feed_titles(&r.raw),
            vec!["列入严重违法失信名单：石家庄市恒信食品有限公司".to_owned()],
            "{l}"
        );
        let r = send(&app, request("GET", "/penalties.atom", None, None)).await;
        assert_eq!(
            feed_titles(&r.raw),
            vec!["行政处罚：石家庄市恒信食品有限公司（罚款 30000 元）".to_owned()],
            "{l}"
        );
        assert!(
            String::from_utf8_lossy(&r.raw).contains("<id>http://localhost/penalties#case-"),
            "{l}"
        );
        for empty in ["/recalls.atom", "/warnings.atom", "/announcements.atom"] {
            let r = send(&app, request("GET", empty, None, None)).await;
            assert_eq!(r.status, 200, "{l}: {empty}");
            assert!(feed_titles(&r.raw).is_empty(), "{l}: {empty}");
        }
        let home = text(&send(&app, request("GET", "/", None, None)).await.raw);
        assert!(
            home.contains("在列企业 1 家") && home.contains("罚款 30000 元"),
            "{l}: {home}"
        );
    }
}
