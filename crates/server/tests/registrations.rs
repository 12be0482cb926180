//! Joining the network over HTTP, on both engines: an enterprise applies by itself, bad
//! applications change nothing, duplicates are refused, the bureau of its region — and
//! only it — returns or approves it, approval creates the archive, licences, products
//! and the administrator account at once, and the applicant is told at every step.

mod common;

use common::*;
use serde_json::{Value, json};
use zhijian_core::access::Role;
use zhijian_store::testing::fresh_stores;

/// A food licence number with a valid check digit.
fn food_licence(serial: u32) -> String {
    let first13 = format!("1051301{serial:06}");
    let check = zhijian_core::licence_number::food_check_digit(&first13).unwrap();
    format!("SC{first13}{check}")
}

fn application(code: &str, admin: &str) -> Value {
    json!({
        "enterprise": {"uscc": code, "name": "石家庄新源乳业有限公司", "region": "130102",
                       "address": "石家庄市长安区建设北大街18号", "contact_name": "王芳",
                       "contact_phone": "138 0013 8000"},
        "email": "wangfang@xinyuan.example.cn",
        "admin": {"username": admin, "password": "xinyuan-2026"},
        "licences": [{"number": food_licence(42), "scope": ["F05"], "valid_until": "2029-12-31"}],
        "products": [{"name": "纯牛奶", "category": "F05", "gtin": "06901234567892"},
                     {"name": "风味发酵乳", "category": "F05"}]
    })
}

#[tokio::test]
async fn an_enterprise_joins_by_itself_and_its_bureau_decides() {
    for t in fresh_stores().await {
        let (s, app, l) = (&t.store, app(&t), t.label);
        let city = user(s, "sjz-officer", Role::Officer, bureau("130100")).await;
        let other = user(s, "bd-officer", Role::Officer, bureau("130600")).await;
        let viewer = user(s, "hb-viewer", Role::Viewer, bureau("130000")).await;
        let post = |uri: &str, token: Option<&str>, body: Value| {
            let (app, uri, token) = (app.clone(), uri.to_owned(), token.map(str::to_owned));
            async move { send(&app, request("POST", &uri, token.as_deref(), Some(body))).await }
        };
        let get = |uri: String, token: Option<&str>| {
            let (app, token) = (app.clone(), token.map(str::to_owned));
            async move { send(&app, request("GET", &uri, token.as_deref(), None)).await }
        };
        let code = uscc("130102", 501).to_string();

        // Bad applications are refused with the field named, and change nothing.
        let before = audit_head(s).await;
        let with = |path: &[&str], value: Value| {
            let mut b = application(&code, "xinyuan-admin");
            let mut at = &mut b;
            for (i, key) in path.iter().enumerate() {
                if i + 1 == path.len() {
                    at[*key] = value.clone();
                } else {
                    at = &mut at[*key];
                }
            }
            b
        };
        for (body, code_, field) in [
            (
                with(&["enterprise", "contact_phone"], json!(null)),
                "required",
                "enterprise.contact_phone",
            ),
            (
                with(&["enterprise", "contact_phone"], json!("12345")),
                "phone_format",
                "enterprise.contact_phone",
            ),
            (
                with(&["email"], json!("wangfang@")),
                "email_format",
                "email",
            ),
            (
                with(&["enterprise", "uscc"], json!("91130102MA0000000")),
                "uscc_length",
                "uscc",
            ),
            (
                with(&["products"], json!([])),
                "products_required",
                "products",
            ),
            (
                with(&["products"], json!([{"name": "奶", "category": "Z99"}])),
                "category_unknown",
                "products[0].category",
            ),
            (
                with(
                    &["products"],
                    json!([{"name": "奶", "category": "F05", "gtin": "06901234567891"}]),
                ),
                "gtin_check_digit",
                "products[0].gtin",
            ),
            (
                with(
                    &["licences"],
                    json!([{"number": "SC123", "valid_until": "2029-12-31"}]),
                ),
                "",
                "licences[0].number",
            ),
            (
                with(
                    &["licences"],
                    json!([{"number": food_licence(42), "valid_until": "2020-01-01"}]),
                ),
                "licence_expired",
                "licences[0].valid_until",
            ),
            (
                with(
                    &["admin"],
                    json!({"username": "x", "password": "xinyuan-2026"}),
                ),
                "username_format",
                "admin.username",
            ),
            (
                with(
                    &["admin"],
                    json!({"username": "xinyuan-admin", "password": "short"}),
                ),
                "password_too_short",
                "admin.password",
            ),
        ] {
            let r = post("/api/v1/registrations", None, body).await;
            assert_eq!(r.status, 422, "{l}: {field}: {:?}", r.json);
            assert_eq!(r.json["field"], field, "{l}: {:?}", r.json);
            if !code_.is_empty() {
                assert_eq!(r.json["code"], code_, "{l}: {:?}", r.json);
            }
        }
        assert_eq!(audit_head(s).await, before, "{l}: refusals changed data");

        // The application: no account needed; the secret shows its progress.
        let r = post(
            "/api/v1/registrations",
            None,
            application(&code, "xinyuan-admin"),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let id = r.json["registration"]["id"].as_i64().unwrap();
        let token = r.json["token"].as_str().unwrap().to_owned();
        assert_eq!(r.json["registration"]["status"], "pending", "{l}");
        assert_eq!(
            r.json["registration"]["contact_phone"], "13800138000",
            "{l}"
        );
        assert_eq!(
            r.json["status_url"],
            format!("/join/{id}?token={token}"),
            "{l}"
        );
        let r = get(
            format!("/api/v1/registrations/{id}/status?token={token}"),
            None,
        )
        .await;
        assert_eq!(r.json["status"], "pending", "{l}: {:?}", r.json);
        let r = get(
            format!("/api/v1/registrations/{id}/status?token=zjr_guess"),
            None,
        )
        .await;
        assert_eq!(r.status, 404, "{l}");

        // The same enterprise or administrator name again, while it waits: refused.
        let r = post(
            "/api/v1/registrations",
            None,
            application(&code, "another-admin"),
        )
        .await;
        assert_eq!(r.json["code"], "registration_pending", "{l}: {:?}", r.json);
        let r = post(
            "/api/v1/registrations",
            None,
            application(uscc("130102", 502).as_ref(), "xinyuan-admin"),
        )
        .await;
        assert_eq!(r.json["code"], "username_taken", "{l}: {:?}", r.json);
        let r = post(
            "/api/v1/registrations",
            None,
            application(uscc("130102", 503).as_ref(), "sjz-officer"),
        )
        .await;
        assert_eq!(r.json["code"], "username_taken", "{l}: an existing user");

        // Only the bureaus of its region see it; only officers decide.
        let r = get("/api/v1/registrations?status=pending".into(), Some(&city)).await;
        assert_eq!(r.json["total"], 1, "{l}: {:?}", r.json);
        assert_eq!(
            r.json["items"][0]["application"]["products"][0]["gtin"], "06901234567892",
            "{l}"
        );
        let r = get("/api/v1/registrations".into(), Some(&other)).await;
        assert_eq!(r.json["total"], 0, "{l}");
        let r = get(format!("/api/v1/registrations/{id}"), Some(&other)).await;
        assert_eq!(r.status, 404, "{l}");
        let decision = format!("/api/v1/registrations/{id}/decision");
        let r = post(&decision, Some(&viewer), json!({"approve": true})).await;
        assert_eq!(r.status, 403, "{l}: a viewer decides");
        let r = post(&decision, Some(&other), json!({"approve": true})).await;
        assert_eq!(r.status, 404, "{l}: another city decides");

        // Returned with reasons (reasons are required); the applicant reads them and
        // is told by SMS and e-mail.
        let r = post(
            &decision,
            Some(&city),
            json!({"approve": false, "reasons": " "}),
        )
        .await;
        assert_eq!(r.json["code"], "reasons", "{l}: {:?}", r.json);
        let r = post(
            &decision,
            Some(&city),
            json!({"approve": false, "reasons": "营业执照地址与申请地址不一致，请核实后重新申请"}),
        )
        .await;
        assert_eq!(r.json["status"], "returned", "{l}: {:?}", r.json);
        let r = get(
            format!("/api/v1/registrations/{id}/status?token={token}"),
            None,
        )
        .await;
        assert!(r.json["reasons"].as_str().unwrap().contains("地址"), "{l}");
        let sms = s.notifications_to("13800138000").await.unwrap();
        assert_eq!(sms.len(), 2, "{l}: submitted, returned: {sms:?}");
        assert!(
            sms[0].body.contains("退回") && sms[0].body.contains("地址"),
            "{l}"
        );
        assert_eq!(
            s.notifications_to("wangfang@xinyuan.example.cn")
                .await
                .unwrap()
                .len(),
            2,
            "{l}"
        );
        let r = post(&decision, Some(&city), json!({"approve": true})).await;
        assert_eq!(r.json["code"], "registration_decided", "{l}");

        // Applying again after a return is allowed; approval makes everything at once.
        let r = post(
            "/api/v1/registrations",
            None,
            application(&code, "xinyuan-admin"),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let id = r.json["registration"]["id"].as_i64().unwrap();
        let r = post(
            &format!("/api/v1/registrations/{id}/decision"),
            Some(&city),
            json!({"approve": true}),
        )
        .await;
        assert_eq!(r.json["status"], "approved", "{l}: {:?}", r.json);
        assert_eq!(r.json["decided_by"], "sjz-officer", "{l}");
        let r = get(format!("/api/v1/enterprises/{code}"), Some(&city)).await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        assert_eq!(r.json["name"], "石家庄新源乳业有限公司", "{l}");
        assert_eq!(r.json["products"].as_array().unwrap().len(), 2, "{l}");
        assert_eq!(
            r.json["licences"][0]["state"], "issued",
            "{l}: {:?}",
            r.json["licences"]
        );
        assert_eq!(r.json["licences"][0]["number"], food_licence(42), "{l}");
        let r = post(
            "/api/v1/login",
            None,
            json!({"username": "xinyuan-admin", "password": "xinyuan-2026"}),
        )
        .await;
        assert_eq!(
            r.status, 200,
            "{l}: the administrator logs in: {:?}",
            r.json
        );
        let admin = r.json["token"].as_str().unwrap().to_owned();
        let r = get("/api/v1/me".into(), Some(&admin)).await;
        assert_eq!(r.json["organisation"]["uscc"], code, "{l}: {:?}", r.json);
        let sms = s.notifications_to("13800138000").await.unwrap();
        assert!(
            sms[0].body.contains("已通过") && sms[0].body.contains("xinyuan-admin"),
            "{l}: {sms:?}"
        );

        // Now in the network: applying again is refused.
        let r = post(
            "/api/v1/registrations",
            None,
            application(&code, "someone-else"),
        )
        .await;
        assert_eq!(r.json["code"], "enterprise_exists", "{l}: {:?}", r.json);
    }
}

#[tokio::test]
async fn messages_go_through_the_configured_hook_and_its_failures_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    use zhijian_server::config::Config;
    use zhijian_server::state::AppState;

    for t in fresh_stores().await {
        let l = t.label;
        let dir = t.dir.path();
        let out = dir.join("sent.jsonl");
        let hook = dir.join("hook.sh");
        let failing = dir.join("failing.sh");
        std::fs::write(
            &hook,
            format!(
                "#!/bin/sh\ncat >> '{}'\necho >> '{}'\n",
                out.display(),
                out.display()
            ),
        )
        .unwrap();
        std::fs::write(&failing, "#!/bin/sh\necho 'gateway down' >&2\nexit 3\n").unwrap();
        for f in [&hook, &failing] {
            std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let state_with = |command: &std::path::Path| {
            AppState::new(
                t.store.clone(),
                Config {
                    data: dir.to_owned(),
                    node_code: Some("13".into()),
                    notify_command: Some(command.to_owned()),
                    ..Config::default()
                },
            )
            .unwrap()
        };
        // An application queues its message; the failing gateway's error is recorded.
        let app = zhijian_server::router(state_with(&failing));
        let code = uscc("130102", 601).to_string();
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/registrations",
                None,
                Some(application(&code, "hook-admin")),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        zhijian_server::notify::deliver(&state_with(&failing)).await;
        let sms = t.store.notifications_to("13800138000").await.unwrap();
        assert_eq!(sms.len(), 1, "{l}");
        let outcome = sms[0].outcome.clone().unwrap_or_default();
        assert!(
            outcome.starts_with("error:") && outcome.contains("gateway down"),
            "{l}: {outcome}"
        );

        // A working gateway is given each unsent message once, as JSON.
        let app = zhijian_server::router(state_with(&hook));
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/registrations",
                None,
                Some(application(uscc("130102", 602).as_ref(), "hook-admin2")),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        zhijian_server::notify::deliver(&state_with(&hook)).await;
        zhijian_server::notify::deliver(&state_with(&hook)).await;
        let lines: Vec<Value> = std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2, "{l}: SMS and e-mail, once each: {lines:?}");
        assert_eq!(lines[0]["channel"], "sms", "{l}");
        assert_eq!(lines[0]["recipient"], "13800138000", "{l}");
        assert!(
            lines[1]["body"].as_str().unwrap().contains("入网申请"),
            "{l}"
        );
        let sms = t.store.notifications_to("13800138000").await.unwrap();
        assert_eq!(sms[0].outcome.as_deref(), Some("sent"), "{l}");
    }
}

#[tokio::test]
async fn applications_from_one_address_are_limited() {
    use zhijian_server::config::Config;
    use zhijian_server::state::AppState;
    for t in fresh_stores().await {
        let app = zhijian_server::router(
            AppState::new(
                t.store.clone(),
                Config {
                    data: t.dir.path().to_owned(),
                    node_code: Some("13".into()),
                    join_rate_limit: 1,
                    ..Config::default()
                },
            )
            .unwrap(),
        );
        let body = application(uscc("130102", 701).as_ref(), "limited-admin");
        let r = send(
            &app,
            request("POST", "/api/v1/registrations", None, Some(body.clone())),
        )
        .await;
        assert_eq!(r.status, 201, "{}: {:?}", t.label, r.json);
        let r = send(
            &app,
            request("POST", "/api/v1/registrations", None, Some(body)),
        )
        .await;
        assert_eq!(r.status, 429, "{}: {:?}", t.label, r.json);
        assert_eq!(r.json["code"], "rate_limited", "{}", t.label);
    }
}
