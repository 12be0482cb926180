//! The console as a browser sees it: the session cookie, the login redirect, CSRF on
//! every form, region scope on archive pages, and the language switch.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use common::*;
use http_body_util::BodyExt;
use tower::ServiceExt;
use zhijian_core::access::{Principal, Role};
use zhijian_core::licence::LicenceState;
use zhijian_core::licence_number::LicenceKind;
use zhijian_core::region::RegionCode;
use zhijian_store::Store;
use zhijian_store::enterprises::{EnterpriseDetails, NewEnterprise};
use zhijian_store::licences::NewLicence;
use zhijian_store::testing::fresh_stores;

/// An HTML answer.
struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The `Set-Cookie` header that sets `name`, if any.
    fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }

    /// The value of the first hidden `csrf` field.
    fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a csrf field")
            + 19;
        self.body[at..].split('"').next().unwrap().to_owned()
    }
}

async fn get(app: &Router, uri: &str, cookies: &str) -> Page {
    let mut b = Request::builder().uri(uri);
    if !cookies.is_empty() {
        b = b.header(header::COOKIE, cookies);
    }
    fetch(app, b.body(Body::empty()).unwrap()).await
}

async fn post_form(app: &Router, uri: &str, cookies: &str, form: &[(&str, &str)]) -> Page {
    let body = form
        .iter()
        .map(|(k, v)| format!("{k}={}", zhijian_server::console::pct_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut b = Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if !cookies.is_empty() {
        b = b.header(header::COOKIE, cookies);
    }
    fetch(app, b.body(Body::from(body)).unwrap()).await
}

async fn fetch(app: &Router, req: Request<Body>) -> Page {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let raw = res.into_body().collect().await.unwrap().to_bytes();
    Page {
        status,
        headers,
        body: String::from_utf8_lossy(&raw).into_owned(),
    }
}

/// A multipart form post (text fields, then optionally one file named `file`).
fn multipart(
    uri: &str,
    cookies: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Request<Body> {
    let boundary = "console-test";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::COOKIE, cookies)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

/// Logs in through the form; returns the cookie header value to send afterwards.
async fn login(app: &Router, username: &str) -> String {
    let res = post_form(
        app,
        "/login",
        "",
        &[("username", username), ("password", "correct horse")],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let set = res.set_cookie("zj_session").expect("a session cookie");
    set.split(';').next().unwrap().to_owned()
}

async fn principal(store: &Store, name: &str) -> Principal {
    store.principal_by_username(name).await.unwrap().unwrap()
}

/// Registers an enterprise (as the admin) and returns its credit code.
async fn enterprise(store: &Store, admin: &Principal, region: &str, serial: u32) -> String {
    let code = uscc(region, serial);
    store
        .scoped(admin)
        .create_enterprise(&NewEnterprise {
            uscc: code.clone(),
            uscc_legacy: false,
            name: format!("测试乳业{serial}号有限公司"),
            region: RegionCode::parse(region).unwrap(),
            details: EnterpriseDetails::default(),
        })
        .await
        .unwrap();
    code.as_str().to_owned()
}

#[tokio::test]
async fn logging_in_sets_an_http_only_session_cookie() {
    for t in fresh_stores().await {
        let app = app(&t);
        user(&t.store, "sjz", Role::Officer, bureau("130100")).await;

        let page = get(&app, "/login", "").await;
        assert_eq!(page.status, StatusCode::OK, "{}", t.label);
        assert!(page.body.contains("name=\"password\""), "{}", t.label);

        let res = post_form(
            &app,
            "/login",
            "",
            &[
                ("username", "sjz"),
                ("password", "correct horse"),
                ("next", "/console/enterprises?q=乳业"),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", t.label);
        assert_eq!(
            res.location(),
            "/console/enterprises?q=%E4%B9%B3%E4%B8%9A",
            "{}",
            t.label
        );
        let cookie = res.set_cookie("zj_session").expect("session cookie");
        for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(cookie.contains(attr), "{}: {cookie}", t.label);
        }
        // Plain http in tests: the cookie must not demand https.
        assert!(!cookie.contains("Secure"), "{}: {cookie}", t.label);

        // A next target off the console is ignored.
        let res = post_form(
            &app,
            "/login",
            "",
            &[
                ("username", "sjz"),
                ("password", "correct horse"),
                ("next", "//evil.example/console"),
            ],
        )
        .await;
        assert_eq!(res.location(), "/console", "{}", t.label);

        // Wrong password and unknown user read the same, and set no session.
        for (name, password) in [("sjz", "wrong horse"), ("nobody", "correct horse")] {
            let res = post_form(
                &app,
                "/login",
                "",
                &[("username", name), ("password", password)],
            )
            .await;
            assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", t.label);
            assert!(res.body.contains("用户名或密码错误"), "{}", t.label);
            assert!(res.set_cookie("zj_session").is_none(), "{}", t.label);
        }
    }
}

#[tokio::test]
async fn console_pages_without_a_session_redirect_to_login() {
    for t in fresh_stores().await {
        let app = app(&t);
        let res = get(&app, "/console/enterprises?q=abc", "").await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", t.label);
        assert_eq!(
            res.location(),
            "/login?next=%2Fconsole%2Fenterprises%3Fq%3Dabc",
            "{}",
            t.label
        );

        // A session that no longer exists: redirected, and told why on the login page.
        let stale = "zj_session=zjs_0000";
        let res = get(&app, "/console", stale).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", t.label);
        assert!(res.location().starts_with("/login"), "{}", t.label);
        let login = get(&app, res.location(), stale).await;
        assert!(login.body.contains("登录已过期"), "{}", t.label);

        // Logging out ends the session for good.
        user(&t.store, "sjz", Role::Officer, bureau("130100")).await;
        let cookie = login_cookie_and_logout(&app).await;
        let res = get(&app, "/console", &cookie).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", t.label);
    }
}

/// Logs in, logs out through the form, and returns the (now dead) cookie.
async fn login_cookie_and_logout(app: &Router) -> String {
    let cookie = login(app, "sjz").await;
    let home = get(app, "/console", &cookie).await;
    assert_eq!(home.status, StatusCode::OK);
    let res = post_form(app, "/logout", &cookie, &[("csrf", &home.csrf())]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/login?bye=1");
    cookie
}

#[tokio::test]
async fn a_form_with_a_wrong_csrf_token_is_refused_and_changes_nothing() {
    for t in fresh_stores().await {
        let s = &t.store;
        let app = app(&t);
        user(
            s,
            "root",
            Role::Admin,
            zhijian_store::identity::Membership::None,
        )
        .await;
        user(s, "sjz", Role::Officer, bureau("130100")).await;
        let admin = principal(s, "root").await;
        let code = enterprise(s, &admin, "130102", 1).await;
        let licence = s
            .scoped(&admin)
            .apply_licence(
                &code,
                &NewLicence {
                    kind: LicenceKind::Food,
                    scope: vec!["F05".into()],
                },
            )
            .await
            .unwrap();
        let cookie = login(&app, "sjz").await;
        let archive_uri = format!("/console/enterprises/{code}");
        let archive = get(&app, &archive_uri, &cookie).await;
        assert_eq!(archive.status, StatusCode::OK, "{}", t.label);
        assert!(
            archive.body.contains("data-action=\"accept\""),
            "{}",
            t.label
        );
        let csrf = archive.csrf();
        let uri = format!("/console/licences/{}/transition", licence.id);

        let before = audit_head(s).await;
        for wrong in ["", "0000", &format!("{csrf}x")] {
            let res = post_form(
                &app,
                &uri,
                &cookie,
                &[("csrf", wrong), ("action", "accept")],
            )
            .await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", t.label);
            assert!(res.body.contains("表单已失效"), "{}", t.label);
            // The language switch of a POST's answer leads to a page that answers GET.
            assert!(
                res.body.contains("href=\"/console?lang=en\""),
                "{}",
                t.label
            );
        }
        let record = fetch(
            &app,
            multipart(
                &format!("{archive_uri}/records"),
                &cookie,
                &[
                    ("csrf", "forged"),
                    ("kind", "visit"),
                    ("occurred_on", "2024-05-06"),
                    ("summary", "伪造的记录"),
                ],
                Some(("a.png", PNG)),
            ),
        )
        .await;
        assert_eq!(record.status, StatusCode::FORBIDDEN, "{}", t.label);
        assert_eq!(
            audit_head(s).await,
            before,
            "{}: the audit chain moved",
            t.label
        );
        let now = s.scoped(&admin).licence(licence.id).await.unwrap().unwrap();
        assert_eq!(now.state, LicenceState::Applied, "{}", t.label);

        // The right token goes through, and the archive says so once.
        let res = post_form(
            &app,
            &uri,
            &cookie,
            &[("csrf", &csrf), ("action", "accept")],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", t.label);
        assert_eq!(
            res.location(),
            format!("{archive_uri}#licence-{}", licence.id),
            "{}",
            t.label
        );
        let flash = res.set_cookie("zj_flash").expect("a flash cookie");
        let flash = flash.split(';').next().unwrap();
        let after = get(&app, &archive_uri, &format!("{cookie}; {flash}")).await;
        assert!(after.body.contains("已办理“受理”"), "{}", t.label);
        assert!(
            after.body.contains("data-state=\"accepted\""),
            "{}",
            t.label
        );
        assert!(
            after
                .set_cookie("zj_flash")
                .is_some_and(|c| c.contains("Max-Age=0")),
            "{}: the flash is cleared once shown",
            t.label
        );

        // A refused step (a reason is required) changes nothing and says why.
        let before = audit_head(s).await;
        let res = post_form(
            &app,
            &uri,
            &cookie,
            &[("csrf", &csrf), ("action", "refuse"), ("reason", " ")],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", t.label);
        let flash = res.set_cookie("zj_flash").unwrap();
        let after = get(
            &app,
            &archive_uri,
            &format!("{cookie}; {}", flash.split(';').next().unwrap()),
        )
        .await;
        assert!(after.body.contains("该操作需要填写理由"), "{}", t.label);
        assert_eq!(audit_head(s).await, before, "{}", t.label);
    }
}

#[tokio::test]
async fn an_archive_outside_the_officers_region_is_not_found() {
    for t in fresh_stores().await {
        let s = &t.store;
        let app = app(&t);
        user(
            s,
            "root",
            Role::Admin,
            zhijian_store::identity::Membership::None,
        )
        .await;
        user(s, "sjz", Role::Officer, bureau("130100")).await;
        let admin = principal(s, "root").await;
        let inside = enterprise(s, &admin, "130102", 1).await;
        let outside = enterprise(s, &admin, "130602", 2).await;
        let cookie = login(&app, "sjz").await;

        let res = get(&app, &format!("/console/enterprises/{inside}"), &cookie).await;
        assert_eq!(res.status, StatusCode::OK, "{}", t.label);
        assert!(res.body.contains("测试乳业1号有限公司"), "{}", t.label);

        let res = get(&app, &format!("/console/enterprises/{outside}"), &cookie).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", t.label);
        assert!(!res.body.contains("测试乳业2号"), "{}", t.label);
        let absent = get(&app, "/console/enterprises/911301020000000000", &cookie).await;
        assert_eq!(absent.status, StatusCode::NOT_FOUND, "{}", t.label);
        assert_eq!(
            res.body.replace(outside.as_str(), ""),
            absent.body.replace("911301020000000000", ""),
            "{}: out of scope and absent must look alike",
            t.label
        );

        // The search finds only what is in scope, by a Chinese substring.
        let list = get(&app, "/console/enterprises?q=%E4%B9%B3%E4%B8%9A", &cookie).await;
        assert!(list.body.contains(&inside), "{}", t.label);
        assert!(!list.body.contains(&outside), "{}", t.label);
        let none = get(&app, "/console/enterprises?q=%E6%B2%A1%E6%9C%89", &cookie).await;
        assert!(none.body.contains("没有符合条件的企业"), "{}", t.label);
    }
}

#[tokio::test]
async fn lang_en_sets_a_cookie_and_renders_english() {
    for t in fresh_stores().await {
        let app = app(&t);
        user(&t.store, "sjz", Role::Officer, bureau("130100")).await;
        let cookie = login(&app, "sjz").await;

        let zh = get(&app, "/console", &cookie).await;
        assert!(zh.body.contains("工作台"), "{}", t.label);
        assert!(zh.body.contains("lang=\"zh-CN\""), "{}", t.label);

        let res = get(&app, "/console/enterprises?q=a&lang=en", &cookie).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", t.label);
        assert_eq!(res.location(), "/console/enterprises?q=a", "{}", t.label);
        let lang = res.set_cookie("lang").expect("a lang cookie");
        assert!(lang.starts_with("lang=en;"), "{}: {lang}", t.label);

        let cookies = format!("{cookie}; lang=en");
        for uri in ["/console", "/console/enterprises", "/login"] {
            let en = get(&app, uri, &cookies).await;
            assert!(en.body.contains("lang=\"en\""), "{}: {uri}", t.label);
            assert!(!en.body.contains("工作台"), "{}: {uri}", t.label);
            assert!(!en.body.contains("退出登录"), "{}: {uri}", t.label);
        }
        let en = get(&app, "/console", &cookies).await;
        assert!(en.body.contains("Dashboard"), "{}", t.label);
        assert!(en.body.contains("Log out"), "{}", t.label);
    }
}

#[tokio::test]
async fn an_officer_adds_a_record_with_a_file() {
    for t in fresh_stores().await {
        let s = &t.store;
        let app = app(&t);
        user(
            s,
            "root",
            Role::Admin,
            zhijian_store::identity::Membership::None,
        )
        .await;
        user(s, "sjz", Role::Officer, bureau("130100")).await;
        user(s, "look", Role::Viewer, bureau("130100")).await;
        let admin = principal(s, "root").await;
        let code = enterprise(s, &admin, "130102", 1).await;
        let archive_uri = format!("/console/enterprises/{code}");

        // A viewer sees the archive but no form to write with.
        let viewer = login(&app, "look").await;
        let page = get(&app, &archive_uri, &viewer).await;
        assert_eq!(page.status, StatusCode::OK, "{}", t.label);
        assert!(
            !page.body.contains("enctype=\"multipart/form-data\""),
            "{}",
            t.label
        );

        let cookie = login(&app, "sjz").await;
        let page = get(&app, &archive_uri, &cookie).await;
        assert!(
            page.body.contains("enctype=\"multipart/form-data\""),
            "{}",
            t.label
        );
        let csrf = page.csrf();
        let res = fetch(
            &app,
            multipart(
                &format!("{archive_uri}/records"),
                &cookie,
                &[
                    ("csrf", &csrf),
                    ("kind", "inspection"),
                    ("occurred_on", "2024-05-06"),
                    ("summary", "现场检查原料库"),
                    ("findings", ""),
                ],
                Some(("现场.png", PNG)),
            ),
        )
        .await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            t.label,
            res.body
        );
        let page = get(&app, &archive_uri, &cookie).await;
        assert!(page.body.contains("现场检查原料库"), "{}", t.label);
        assert!(
            page.body.contains("href=\"/api/v1/attachments/"),
            "{}",
            t.label
        );
        assert!(page.body.contains("现场.png"), "{}", t.label);

        // A file of the wrong type is refused before anything is written, and the
        // typed text comes back in the form.
        let before = audit_head(s).await;
        let res = fetch(
            &app,
            multipart(
                &format!("{archive_uri}/records"),
                &cookie,
                &[
                    ("csrf", &csrf),
                    ("kind", "visit"),
                    ("occurred_on", "2024-05-07"),
                    ("summary", "第二次巡查"),
                ],
                Some(("run.exe", b"MZ\x90\x00")),
            ),
        )
        .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", t.label);
        assert!(res.body.contains("只接受 PNG"), "{}", t.label);
        assert!(res.body.contains(">第二次巡查</textarea>"), "{}", t.label);
        assert_eq!(audit_head(s).await, before, "{}", t.label);
    }
}

#[tokio::test]
async fn an_officer_uploads_an_evidence_file_from_the_case_page() {
    for t in fresh_stores().await {
        let s = &t.store;
        let app = app(&t);
        user(
            s,
            "root",
            Role::Admin,
            zhijian_store::identity::Membership::None,
        )
        .await;
        user(s, "sjz", Role::Officer, bureau("130100")).await;
        let admin = principal(s, "root").await;
        let code = enterprise(s, &admin, "130102", 7).await;
        let officer = principal(s, "sjz").await;
        let case = s
            .scoped(&officer)
            .open_case(&zhijian_store::cases::NewCase {
                title: "仿冒插座案".into(),
                origin: zhijian_core::case::Origin::Manual,
                origin_id: None,
                enterprise: Some(code),
                region: None,
                summary: "市场巡查发现".into(),
            })
            .await
            .unwrap();
        let page_uri = format!("/console/cases/{}", case.summary.id);
        let upload = format!("{page_uri}/files");

        let cookie = login(&app, "sjz").await;
        let page = get(&app, &page_uri, &cookie).await;
        assert!(page.body.contains("id=\"file-form\""), "{}", t.label);
        let csrf = page.csrf();

        // A forged token and a file of the wrong kind change nothing.
        let before = audit_head(s).await;
        let forged = fetch(
            &app,
            multipart(
                &upload,
                &cookie,
                &[("csrf", "forged")],
                Some(("现场.png", PNG)),
            ),
        )
        .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", t.label);
        let exe = fetch(
            &app,
            multipart(
                &upload,
                &cookie,
                &[("csrf", &csrf)],
                Some(("run.exe", b"MZ\x90\x00")),
            ),
        )
        .await;
        assert_eq!(exe.status, StatusCode::SEE_OTHER, "{}", t.label);
        let page = get(
            &app,
            &page_uri,
            &[cookie.as_str(), &flash_of(&exe)].join("; "),
        )
        .await;
        assert!(page.body.contains("未能完成"), "{}: {}", t.label, page.body);
        assert!(!page.body.contains("id=\"case-files\""), "{}", t.label);
        assert_eq!(audit_head(s).await, before, "{}", t.label);

        // A photo of the scene is kept, listed and served back as it was sent.
        let res = fetch(
            &app,
            multipart(
                &upload,
                &cookie,
                &[("csrf", &csrf)],
                Some(("现场.png", PNG)),
            ),
        )
        .await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            t.label,
            res.body
        );
        assert_eq!(res.location(), page_uri, "{}", t.label);
        let page = get(
            &app,
            &page_uri,
            &[cookie.as_str(), &flash_of(&res)].join("; "),
        )
        .await;
        assert!(
            page.body.contains("证据文件已上传"),
            "{}: {}",
            t.label,
            page.body
        );
        let at = page.body.find("id=\"case-files\"").expect("the file list");
        let href = page.body[at..]
            .split("href=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        assert!(page.body[at..].contains("现场.png"), "{}", t.label);
        let file = get(&app, &href, &cookie).await;
        assert_eq!(file.status, StatusCode::OK, "{}", t.label);
        assert_eq!(
            file.body.as_bytes(),
            String::from_utf8_lossy(PNG).as_bytes(),
            "{}",
            t.label
        );
    }
}

/// The flash cookie a redirect sets, as a `Cookie` header pair.
fn flash_of(res: &Page) -> String {
    res.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("zj_flash="))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
        .unwrap_or_default()
}
