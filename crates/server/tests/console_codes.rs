//! The supervision-code pages of the console as a browser uses them, on both engines:
//! deciding applications and handing codes to a printer through the forms, activating
//! through the multipart form with refusals that name the codes, what each role sees
//! (and does not), and the English pages.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use common::*;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use zhijian_core::access::Role;
use zhijian_store::identity::Membership;
use zhijian_store::testing::{TestStore, fresh_stores};

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

    /// The `name=value` part of the `Set-Cookie` header that sets `name`, if any.
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(|c| c.split(';').next().unwrap().to_owned())
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

    /// The text between `start` and the next `end` (empty when `start` is absent).
    fn between(&self, start: &str, end: &str) -> &str {
        match self.body.find(start) {
            Some(i) => {
                let rest = &self.body[i..];
                &rest[..rest.find(end).unwrap_or(rest.len())]
            }
            None => "",
        }
    }

    /// The element of one table row marked `data-{attr}="{id}"`.
    fn row(&self, attr: &str, id: i64) -> &str {
        self.between(&format!("data-{attr}=\"{id}\""), "</tr>")
    }

    /// The flash message shown at the top, if any.
    fn flash(&self) -> &str {
        self.between("<div class=\"flash", "</div>")
    }
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

async fn get(app: &Router, uri: &str, cookies: &str) -> Page {
    let req = Request::builder()
        .uri(uri)
        .header(header::COOKIE, cookies)
        .body(Body::empty())
        .unwrap();
    fetch(app, req).await
}

async fn post_form(app: &Router, uri: &str, cookies: &str, form: &[(&str, &str)]) -> Page {
    let body = form
        .iter()
        .map(|(k, v)| format!("{k}={}", zhijian_server::console::pct_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let req = Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::COOKIE, cookies)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    fetch(app, req).await
}

/// A multipart form post: text fields, then optionally one file named `file`.
async fn post_multipart(
    app: &Router,
    uri: &str,
    cookies: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Page {
    let boundary = "console-codes-test";
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
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::COOKIE, cookies)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    fetch(app, req).await
}

/// Follows a form's redirect as a browser would: the session cookie plus the flash
/// cookie the answer set.
async fn follow(app: &Router, res: &Page, cookies: &str) -> Page {
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let flash = res.cookie("zj_flash").expect("a flash message");
    get(app, res.location(), &format!("{cookies}; {flash}")).await
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
    res.cookie("zj_session").expect("a session cookie")
}

const MAKER_NAME: &str = "石家庄甲乳业有限公司";
const RIVAL_NAME: &str = "石家庄乙乳业有限公司";
const PRINTER_NAME: &str = "石家庄印务有限公司";

/// Two enterprises of one county with a product each, a printer, a lab, and a user for
/// every role: `sjz` (city officer), `bd-officer` (another city's officer), `hb-viewer`,
/// `root`, `maker`, `rival`, `printer` and `lab`.
struct World {
    app: Router,
    /// Bearer tokens.
    officer: String,
    maker_token: String,
    rival_token: String,
    printer_token: String,
    /// Credit codes.
    maker: String,
    printer: String,
    /// The maker's product.
    product: i64,
}

async fn world(t: &TestStore) -> World {
    let (s, app) = (&t.store, app(t));
    let officer = user(s, "sjz", Role::Officer, bureau("130100")).await;
    user(s, "bd-officer", Role::Officer, bureau("130600")).await;
    user(s, "hb-viewer", Role::Viewer, bureau("130000")).await;
    user(s, "root", Role::Admin, Membership::None).await;
    let maker = uscc("130102", 1).to_string();
    let rival = uscc("130102", 2).to_string();
    let printer = uscc("130102", 900).to_string();
    let lab = uscc("130102", 901).to_string();
    for (code, name) in [(&maker, MAKER_NAME), (&rival, RIVAL_NAME)] {
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/enterprises",
                Some(&officer),
                Some(json!({"uscc": code, "name": name, "region": "130102"})),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{}: {:?}", t.label, r.json);
    }
    for (path, code, name) in [
        ("/api/v1/printers", &printer, PRINTER_NAME),
        ("/api/v1/labs", &lab, "石家庄检验所"),
    ] {
        let r = send(
            &app,
            request(
                "POST",
                path,
                Some(&officer),
                Some(json!({"uscc": code, "name": name, "region": "130102"})),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{}: {:?}", t.label, r.json);
    }
    let org = |c: &String| Membership::Organisation(c.clone());
    let maker_token = user(s, "maker", Role::Enterprise, org(&maker)).await;
    let rival_token = user(s, "rival", Role::Enterprise, org(&rival)).await;
    let printer_token = user(s, "printer", Role::Printer, org(&printer)).await;
    user(s, "lab", Role::Lab, org(&lab)).await;
    let mut products = Vec::new();
    for (code, token, name) in [
        (&maker, &maker_token, "纯牛奶"),
        (&rival, &rival_token, "风味酸奶"),
    ] {
        let r = send(
            &app,
            request(
                "POST",
                &format!("/api/v1/enterprises/{code}/products"),
                Some(token),
                Some(json!({"name": name, "category": "F05", "specification": "250 mL", "standard": "GB 25190-2010"})),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{}: {:?}", t.label, r.json);
        products.push(r.json["id"].as_i64().unwrap());
    }
    World {
        app,
        officer,
        maker_token,
        rival_token,
        printer_token,
        maker,
        printer,
        product: products[0],
    }
}

async fn api(w: &World, method: &str, uri: &str, token: &str, body: Option<Value>) -> Answer {
    send(&w.app, request(method, uri, Some(token), body)).await
}

/// Applies for `quantity` codes of the maker's product and has them approved, through
/// the API; returns the segment's id and its codes.
async fn issue(w: &World, quantity: i64) -> (i64, Vec<String>) {
    let r = api(
        w,
        "POST",
        "/api/v1/code-applications",
        &w.maker_token,
        Some(json!({"enterprise": w.maker, "product_id": w.product, "quantity": quantity})),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    let id = r.json["id"].as_i64().unwrap();
    let r = api(
        w,
        "POST",
        &format!("/api/v1/code-applications/{id}/approve"),
        &w.officer,
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    let segment = r.json["segment"]["id"].as_i64().unwrap();
    let r = api(
        w,
        "GET",
        &format!("/api/v1/segments/{segment}/codes"),
        &w.maker_token,
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    let codes = String::from_utf8(r.raw)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    (segment, codes)
}

/// Hands the first `quantity` codes of a segment to the printer and has `printed` of
/// them confirmed, through the API; returns the job's id.
async fn print(w: &World, segment: i64, quantity: i64, printed: i64) -> i64 {
    let r = api(
        w,
        "POST",
        "/api/v1/print-jobs",
        &w.maker_token,
        Some(json!({"segment_id": segment, "printer": w.printer, "quantity": quantity})),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    let job = r.json["id"].as_i64().unwrap();
    let r = api(
        w,
        "POST",
        &format!("/api/v1/print-jobs/{job}/confirm"),
        &w.printer_token,
        Some(json!({"printed": printed, "spoiled": 0})),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    job
}

async fn verdict(w: &World, code: &str) -> String {
    let r = send(
        &w.app,
        request(
            "GET",
            &format!("/api/v1/verify/{code}?region=130102"),
            None,
            None,
        ),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    r.json["verdict"].as_str().unwrap().to_owned()
}

async fn application_status(w: &World, id: i64) -> String {
    let r = api(
        w,
        "GET",
        &format!("/api/v1/code-applications/{id}"),
        &w.officer,
        None,
    )
    .await;
    r.json["status"].as_str().unwrap_or_default().to_owned()
}

/// Whether a text holds Chinese characters.
fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{3400}'..='\u{9fff}').contains(&c))
}

#[tokio::test]
async fn an_officer_decides_applications_through_the_forms() {
    for t in fresh_stores().await {
        let l = t.label;
        let w = world(&t).await;
        let app = &w.app;

        // The enterprise applies through its form: its own product is offered.
        let maker = login(app, "maker").await;
        let page = get(app, "/console/codes/applications", &maker).await;
        assert_eq!(page.status, StatusCode::OK, "{l}");
        assert!(page.body.contains("申领监管码"), "{l}");
        assert!(
            page.body.contains(&format!(
                "<option value=\"{}\">纯牛奶 · 250 mL</option>",
                w.product
            )),
            "{l}"
        );
        assert!(page.body.contains("还没有赋码申请"), "{l}: the empty state");
        let csrf = page.csrf();
        let mut ids = Vec::new();
        for (quantity, note) in [("100", "首批包装"), ("5", "")] {
            let res = post_form(
                app,
                "/console/codes/applications",
                &maker,
                &[
                    ("csrf", &csrf),
                    ("product_id", &w.product.to_string()),
                    ("quantity", quantity),
                    ("note", note),
                    ("back", "/console/codes/applications"),
                ],
            )
            .await;
            let after = follow(app, &res, &maker).await;
            assert!(
                after.flash().contains("赋码申请已提交"),
                "{l}: {}",
                after.flash()
            );
            assert!(
                after.flash().contains(&format!("{quantity} 个监管码")),
                "{l}"
            );
            let id: i64 = after
                .between("data-application=\"", ">")
                .trim_start_matches("data-application=\"")
                .split('"')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            assert!(
                after
                    .row("application", id)
                    .contains("data-status=\"pending\""),
                "{l}"
            );
            ids.push(id);
        }
        let (big, small) = (ids[0], ids[1]);
        assert!(
            !get(app, "/console/codes/applications", &maker)
                .await
                .body
                .contains("/approve"),
            "{l}: an enterprise is offered no decision"
        );

        // The officer sees both pending ones, each with its forms.
        let sjz = login(app, "sjz").await;
        let back = "/console/codes/applications?status=pending";
        let page = get(app, back, &sjz).await;
        assert_eq!(page.status, StatusCode::OK, "{l}");
        for id in [big, small] {
            let row = page.row("application", id);
            assert!(row.contains(MAKER_NAME), "{l}: {row}");
            assert!(
                row.contains(&format!("/console/codes/applications/{id}/approve")),
                "{l}"
            );
            assert!(
                row.contains(&format!("/console/codes/applications/{id}/refuse")),
                "{l}"
            );
        }
        assert!(
            page.row("application", big).contains("首批包装"),
            "{l}: the note"
        );
        let csrf = page.csrf();

        // A forged form changes nothing.
        let approve = format!("/console/codes/applications/{big}/approve");
        let before = audit_head(&t.store).await;
        let res = post_form(app, &approve, &sjz, &[("csrf", "forged"), ("back", back)]).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{l}");
        assert!(res.body.contains("表单已失效"), "{l}");
        assert_eq!(audit_head(&t.store).await, before, "{l}");

        // Neither may an enterprise decide, nor an officer of another city.
        let res = post_form(
            app,
            &approve,
            &maker,
            &[("csrf", &get(app, "/console/codes", &maker).await.csrf())],
        )
        .await;
        let after = follow(app, &res, &maker).await;
        assert!(
            after.flash().contains("flash-error"),
            "{l}: {}",
            after.flash()
        );
        let bd = login(app, "bd-officer").await;
        let res = post_form(
            app,
            &approve,
            &bd,
            &[("csrf", &get(app, "/console/codes", &bd).await.csrf())],
        )
        .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{l}");
        assert_eq!(application_status(&w, big).await, "pending", "{l}");

        // Approving returns to the filtered list with the segment in the message.
        let res = post_form(app, &approve, &sjz, &[("csrf", &csrf), ("back", back)]).await;
        assert_eq!(res.location(), back, "{l}");
        let after = follow(app, &res, &sjz).await;
        let r = api(
            &w,
            "GET",
            &format!("/api/v1/code-applications/{big}"),
            &w.officer,
            None,
        )
        .await;
        assert_eq!(r.json["status"], "approved", "{l}");
        let segment = r.json["segment"]["id"].as_i64().unwrap();
        assert!(
            r.json["segment"].get("first_code").is_none(),
            "{l}: the officer is shown codes it may not take"
        );
        assert!(
            after.flash().contains(&format!(
                "已批准申请 #{big}，分配码段 #{segment}，共 100 个监管码"
            )),
            "{l}: {}",
            after.flash()
        );
        assert!(
            after.row("application", big).is_empty(),
            "{l}: no longer pending"
        );
        // The flash is shown once.
        assert!(get(app, back, &sjz).await.flash().is_empty(), "{l}");

        // The enterprise sees its segment's codes; the officer only its number.
        let seg = api(
            &w,
            "GET",
            &format!("/api/v1/segments/{segment}"),
            &w.maker_token,
            None,
        )
        .await;
        let first = seg.json["first_code"].as_str().unwrap().to_owned();
        let last = seg.json["last_code"].as_str().unwrap().to_owned();
        let page = get(app, "/console/codes/applications", &maker).await;
        let row = page.row("application", big);
        assert!(row.contains("data-status=\"approved\""), "{l}");
        assert!(row.contains(&first) && row.contains(&last), "{l}: {row}");
        let page = get(app, "/console/codes/applications", &sjz).await;
        let row = page.row("application", big);
        assert!(
            row.contains(&format!("#{segment}")) && !row.contains(&first),
            "{l}: {row}"
        );

        // A refusal needs a reason.
        let refuse = format!("/console/codes/applications/{small}/refuse");
        let res = post_form(app, &refuse, &sjz, &[("csrf", &csrf), ("reason", "  ")]).await;
        let after = follow(app, &res, &sjz).await;
        assert!(
            after.flash().contains("缺少必填项"),
            "{l}: {}",
            after.flash()
        );
        assert_eq!(application_status(&w, small).await, "pending", "{l}");
        let res = post_form(
            app,
            &refuse,
            &sjz,
            &[("csrf", &csrf), ("reason", "产品尚未取得生产许可证")],
        )
        .await;
        let after = follow(app, &res, &sjz).await;
        assert!(
            after.flash().contains(&format!("已驳回申请 #{small}")),
            "{l}"
        );
        let row = after.row("application", small);
        assert!(row.contains("data-status=\"refused\""), "{l}");
        assert!(row.contains("产品尚未取得生产许可证"), "{l}: {row}");
        // Decided applications offer no more forms.
        assert!(!after.body.contains("/approve\""), "{l}");
        let page = get(app, "/console/codes/applications?status=pending", &sjz).await;
        assert!(page.body.contains("没有该状态的申请"), "{l}");
    }
}

#[tokio::test]
async fn codes_go_to_the_printer_and_are_activated_through_the_forms() {
    for t in fresh_stores().await {
        let l = t.label;
        let w = world(&t).await;
        let app = &w.app;
        let (segment, codes) = issue(&w, 20).await;

        // The enterprise hands the first ten codes to the printer by its credit code.
        let maker = login(app, "maker").await;
        let page = get(app, "/console/codes/print-jobs", &maker).await;
        assert!(page.body.contains("还没有印刷任务"), "{l}");
        assert!(
            page.body
                .contains(&format!("<option value=\"{segment}\">#{segment} 纯牛奶")),
            "{l}"
        );
        let res = post_form(
            app,
            "/console/codes/print-jobs",
            &maker,
            &[
                ("csrf", &page.csrf()),
                ("segment_id", &segment.to_string()),
                ("printer", &w.printer),
                ("offset", ""),
                ("quantity", "10"),
            ],
        )
        .await;
        let after = follow(app, &res, &maker).await;
        assert!(
            after.flash().contains("已交付印刷"),
            "{l}: {}",
            after.flash()
        );
        let jobs = api(&w, "GET", "/api/v1/print-jobs", &w.maker_token, None).await;
        let job = jobs.json["items"][0]["id"].as_i64().unwrap();
        let row = after.row("job", job);
        assert!(
            row.contains(&codes[0]) && row.contains(&codes[9]),
            "{l}: {row}"
        );
        assert!(row.contains(PRINTER_NAME), "{l}");

        // The printer sees its credit code, the job, downloads the file with its session
        // and confirms eight printed labels.
        let printer = login(app, "printer").await;
        let page = get(app, "/console/codes/print-jobs", &printer).await;
        assert_eq!(page.status, StatusCode::OK, "{l}");
        assert!(
            page.body.contains(&format!("data-uscc=\"{}\"", w.printer)),
            "{l}"
        );
        let download = format!("/api/v1/segments/{segment}/codes?format=csv&#38;print_job={job}");
        assert!(
            page.row("job", job).contains(&download),
            "{l}: {}",
            page.row("job", job)
        );
        let file = get(app, &download.replace("&#38;", "&"), &printer).await;
        assert_eq!(file.status, StatusCode::OK, "{l}");
        let lines: Vec<&str> = file.body.lines().collect();
        assert_eq!(lines.len(), 11, "{l}: a header and ten codes");
        assert!(lines[1].starts_with(&codes[0]), "{l}");
        let res = post_form(
            app,
            &format!("/console/codes/print-jobs/{job}/confirm"),
            &printer,
            &[("csrf", &page.csrf()), ("printed", "8"), ("spoiled", "0")],
        )
        .await;
        let after = follow(app, &res, &printer).await;
        assert!(
            after
                .flash()
                .contains(&format!("已确认印刷任务 #{job}：印刷 8 个，废品 0 个")),
            "{l}: {}",
            after.flash()
        );
        assert!(
            after.row("job", job).contains("data-status=\"confirmed\""),
            "{l}"
        );
        assert!(!after.body.contains("/confirm\""), "{l}: confirmed once");

        // The activation form shows what is printed.
        let page = get(app, "/console/codes/activate", &maker).await;
        assert_eq!(page.status, StatusCode::OK, "{l}");
        let ready = page.row("job", job);
        assert!(
            ready.contains(&codes[0]) && ready.contains(&codes[7]),
            "{l}: {ready}"
        );
        let csrf = page.csrf();
        let batch = |lot: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("lot", lot.to_owned()),
                ("production_date", "2026-11-01".to_owned()),
                ("expiry_date", "2027-11-01".to_owned()),
                ("inspection_report", "JY-2026-001".to_owned()),
            ]
        };
        let post = |fields: Vec<(&'static str, String)>, file: Option<Vec<u8>>| {
            let maker = maker.clone();
            async move {
                let fields: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                post_multipart(
                    app,
                    "/console/codes/activate",
                    &maker,
                    &fields,
                    file.as_deref().map(|f| ("codes.csv", f)),
                )
                .await
            }
        };

        // Unprinted codes are refused by name; the form keeps what was typed.
        let before = audit_head(&t.store).await;
        let mut fields = batch("L1");
        fields.push((
            "codes",
            format!("{}\n{}\n{}", codes[0], codes[9], codes[15]),
        ));
        let res = post(fields, None).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{l}");
        assert!(res.body.contains("这些监管码尚未确认印刷"), "{l}");
        let named = res.between("<ul class=\"named-codes\">", "</ul>");
        assert!(
            named.contains(&codes[9]) && named.contains(&codes[15]),
            "{l}: {named}"
        );
        assert!(
            !named.contains(&codes[0]),
            "{l}: a printed code is not named"
        );
        assert!(res.body.contains("name=\"lot\" value=\"L1\""), "{l}");
        assert!(
            res.body.contains(&codes[15]),
            "{l}: the pasted list is kept"
        );
        assert_eq!(audit_head(&t.store).await, before, "{l}: nothing changed");
        assert_eq!(verdict(&w, &codes[0]).await, "not_activated", "{l}");

        // A line that is no code is named by its number.
        let mut fields = batch("L1");
        fields.push(("codes", format!("{}\n\n12345", codes[0])));
        let res = post(fields, None).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{l}");
        assert!(
            res.body.contains("第 3 行：12345（监管码应为20位数字）"),
            "{l}"
        );

        // A range, then a CSV file onto the same lot.
        let mut fields = batch("L1");
        fields.push(("first", codes[0].clone()));
        fields.push(("last", codes[4].clone()));
        let res = post(fields, None).await;
        assert_eq!(
            res.location(),
            "/console/codes/batches",
            "{l}: {}",
            res.body
        );
        let after = follow(app, &res, &maker).await;
        assert!(
            after.flash().contains("已在批次 L1 上激活 5 个监管码"),
            "{l}: {}",
            after.flash()
        );
        let csv = format!(
            "code,gs1_element_string,url\n{},,\n{},,\n",
            codes[5], codes[6]
        );
        let res = post(batch("L1"), Some(csv.into_bytes())).await;
        let after = follow(app, &res, &maker).await;
        assert!(
            after.flash().contains("激活 2 个监管码"),
            "{l}: {}",
            after.flash()
        );
        let batches = api(&w, "GET", "/api/v1/batches", &w.maker_token, None).await;
        let batch_id = batches.json["items"][0]["id"].as_i64().unwrap();
        let row = after.row("batch", batch_id);
        assert!(row.contains("L1") && row.contains("纯牛奶"), "{l}: {row}");
        assert!(row.contains(">7<"), "{l}: seven codes on the lot: {row}");
        assert!(row.contains("data-status=\"active\""), "{l}");
        assert_eq!(verdict(&w, &codes[2]).await, "genuine", "{l}");
        // Queried before it was activated: genuine now, but not a first query.
        assert_eq!(verdict(&w, &codes[0]).await, "genuine_repeat", "{l}");

        // Activating a code twice names it.
        let mut fields = batch("L1");
        fields.push(("codes", codes[0].clone()));
        let res = post(fields, None).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{l}");
        assert!(res.body.contains("这些监管码已经激活"), "{l}");
        assert!(
            res.between("<ul class=\"named-codes\">", "</ul>")
                .contains(&codes[0]),
            "{l}"
        );
        // Half a range is refused before anything is looked up.
        let mut fields = batch("L1");
        fields.push(("first", codes[0].clone()));
        let res = post(fields, None).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{l}");

        // The recall form takes a reason; the codes then verify as recalled.
        let page = get(app, "/console/codes/batches", &maker).await;
        let flag = format!("/console/codes/batches/{batch_id}/flag");
        assert!(page.row("batch", batch_id).contains(&flag), "{l}");
        let res = post_form(
            app,
            &flag,
            &maker,
            &[("csrf", &page.csrf()), ("action", "recall"), ("reason", "")],
        )
        .await;
        let after = follow(app, &res, &maker).await;
        assert!(after.flash().contains("缺少必填项"), "{l}");
        let res = post_form(
            app,
            &flag,
            &maker,
            &[
                ("csrf", &page.csrf()),
                ("action", "recall"),
                ("reason", "菌落总数不合格"),
            ],
        )
        .await;
        let after = follow(app, &res, &maker).await;
        assert!(
            after.flash().contains("批次 L1 已召回"),
            "{l}: {}",
            after.flash()
        );
        let row = after.row("batch", batch_id);
        assert!(
            row.contains("data-status=\"recalled\"") && row.contains("菌落总数不合格"),
            "{l}"
        );
        assert!(
            !row.contains(&flag),
            "{l}: a recalled batch offers no more forms"
        );
        assert_eq!(verdict(&w, &codes[1]).await, "recalled", "{l}");

        // A lot past its expiry date is marked so on the list.
        let r = api(
            &w,
            "POST",
            "/api/v1/activations",
            &w.maker_token,
            Some(json!({"codes": [codes[7]], "batch": {"lot": "OLD", "production_date": "2019-01-01", "expiry_date": "2020-01-01"}})),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let old = r.json["batch"]["id"].as_i64().unwrap();
        let page = get(app, "/console/codes/batches", &maker).await;
        assert!(page.row("batch", old).contains("已过保质期"), "{l}");
        assert!(!page.row("batch", batch_id).contains("已过保质期"), "{l}");

        // The code's history: every query, in China Standard Time, with its place.
        let page = get(
            app,
            &format!("/console/codes/history?code={}", codes[0]),
            &maker,
        )
        .await;
        assert_eq!(page.status, StatusCode::OK, "{l}");
        assert!(page.body.contains("共 2 次查询"), "{l}");
        let table = page.between("<tbody>", "</tbody>");
        assert_eq!(table.matches("<tr").count(), 2, "{l}");
        assert!(
            table.contains("正品（") && table.contains("未激活"),
            "{l}: {table}"
        );
        assert!(table.contains("河北省 / 石家庄市 / 长安区"), "{l}");
        assert!(table.contains("系统接口"), "{l}");
        let time = page.between("class=\"nowrap\">", "</td>");
        let time = time.trim_start_matches("class=\"nowrap\">");
        assert!(
            time.len() == 16 && time.as_bytes()[4] == b'-' && time.as_bytes()[13] == b':',
            "{l}: {time}"
        );
    }
}

#[tokio::test]
async fn every_role_sees_its_pages_and_nothing_of_other_enterprises() {
    for t in fresh_stores().await {
        let l = t.label;
        let w = world(&t).await;
        let app = &w.app;
        let (segment, codes) = issue(&w, 12).await;
        let job = print(&w, segment, 6, 6).await;
        let r = api(
            &w,
            "POST",
            "/api/v1/activations",
            &w.maker_token,
            Some(json!({"codes": [codes[0], codes[1]], "batch": {"lot": "LOT-A1", "production_date": "2026-11-01"}})),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        // A code never activated is queried: a signal about the maker's code.
        assert_eq!(verdict(&w, &codes[10]).await, "not_activated", "{l}");
        // The rival has a pending application of its own.
        let rival_uscc = uscc("130102", 2).to_string();
        let rival_product = api(
            &w,
            "GET",
            &format!("/api/v1/enterprises/{rival_uscc}"),
            &w.rival_token,
            None,
        )
        .await
        .json["products"][0]["id"]
            .as_i64()
            .unwrap();
        let r = api(
            &w,
            "POST",
            "/api/v1/code-applications",
            &w.rival_token,
            Some(json!({"enterprise": rival_uscc, "product_id": rival_product, "quantity": 3})),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);

        let history = format!("/console/codes/history?code={}", codes[0]);
        let pages = [
            "/console/codes",
            "/console/codes/applications",
            "/console/codes/print-jobs",
            "/console/codes/activate",
            "/console/codes/batches",
            &history,
            "/console/codes/signals",
        ];
        let maker_marks = [MAKER_NAME, w.maker.as_str(), "LOT-A1", codes[0].as_str()];
        // (user, status of each page in `pages`, whether the maker's data shows on the
        // lists, whether decision forms show).
        let cases: [(&str, [u16; 7], bool, bool); 8] = [
            ("maker", [200, 200, 200, 200, 200, 200, 200], true, false),
            ("rival", [200, 200, 200, 200, 200, 404, 200], false, false),
            ("sjz", [200, 200, 200, 404, 200, 200, 200], true, true),
            ("root", [200, 200, 200, 404, 200, 200, 200], true, true),
            (
                "hb-viewer",
                [200, 200, 200, 404, 200, 200, 200],
                true,
                false,
            ),
            (
                "bd-officer",
                [200, 200, 200, 404, 200, 404, 200],
                false,
                false,
            ),
            ("printer", [200, 404, 200, 404, 404, 404, 404], false, false),
            ("lab", [200, 404, 404, 404, 404, 404, 404], false, false),
        ];
        for (name, statuses, sees_maker, decides) in cases {
            let cookie = login(app, name).await;
            for (path, status) in pages.iter().zip(statuses) {
                let page = get(app, path, &cookie).await;
                assert_eq!(page.status.as_u16(), status, "{l}: {name} {path}");
                // The navigation entry is there on every page, marked on the section's.
                assert!(
                    page.body.contains("<a href=\"/console/codes\"")
                        && page.body.contains(">监管码</a>"),
                    "{l}: {name} {path}: the navigation entry"
                );
                if status == 200 {
                    assert!(
                        page.body
                            .contains("<a href=\"/console/codes\" aria-current=\"page\">"),
                        "{l}: {name} {path}"
                    );
                }
                if status != 200 || path.starts_with("/console/codes/history") {
                    continue;
                }
                let lists_maker = maker_marks.iter().any(|m| page.body.contains(m));
                if *path == "/console/codes/print-jobs" && name == "printer" {
                    // The printer sees the job it was given, and whose codes they are.
                    assert!(page.row("job", job).contains(&codes[0]), "{l}");
                    assert!(
                        !page.body.contains(MAKER_NAME),
                        "{l}: no archive for printers"
                    );
                    continue;
                }
                if matches!(*path, "/console/codes" | "/console/codes/activate") {
                    continue;
                }
                assert_eq!(lists_maker, sees_maker, "{l}: {name} {path}");
                if *path == "/console/codes/applications" {
                    assert_eq!(page.body.contains("/approve\""), decides, "{l}: {name}");
                    assert_eq!(
                        page.body.contains(RIVAL_NAME),
                        name != "maker" && name != "bd-officer" && name != "printer",
                        "{l}: {name}"
                    );
                }
                if *path == "/console/codes/batches" && sees_maker {
                    let flag = page.body.contains("/flag\"");
                    assert_eq!(flag, name != "hb-viewer", "{l}: {name}: recall forms");
                }
            }
        }

        // The index lists exactly the pages a role may use.
        let printer = login(app, "printer").await;
        let index = get(app, "/console/codes", &printer).await;
        let links = index.between("<ul class=\"links code-links\">", "</ul>");
        assert_eq!(links.matches("<li>").count(), 1, "{l}: {links}");
        assert!(links.contains("/console/codes/print-jobs"), "{l}");
        let lab = login(app, "lab").await;
        assert!(
            get(app, "/console/codes", &lab)
                .await
                .body
                .contains("您的角色没有可用的监管码功能"),
            "{l}"
        );
        let maker = login(app, "maker").await;
        let index = get(app, "/console/codes", &maker).await;
        assert_eq!(
            index
                .between("<ul class=\"links code-links\">", "</ul>")
                .matches("<li>")
                .count(),
            6,
            "{l}"
        );

        // Empty lists say what would be there.
        let rival = login(app, "rival").await;
        for (path, sentence) in [
            ("/console/codes/print-jobs", "还没有印刷任务"),
            ("/console/codes/batches", "还没有生产批次"),
            ("/console/codes/signals", "暂无假冒线索"),
        ] {
            assert!(
                get(app, path, &rival).await.body.contains(sentence),
                "{l}: {path}"
            );
        }
        let page = get(app, &history, &rival).await;
        assert!(
            page.body.contains("没有找到该监管码，或您无权查看它的记录"),
            "{l}"
        );
        assert!(!page.body.contains("LOT-A1"), "{l}");

        // Signals name the kind, the code and the place in words.
        let page = get(app, "/console/codes/signals", &maker).await;
        let row = page.between("data-kind=\"not_activated\"", "</tr>");
        assert!(row.contains("未激活的监管码被查询"), "{l}: {row}");
        assert!(row.contains(&codes[10]), "{l}");
        assert!(row.contains("河北省 / 石家庄市 / 长安区"), "{l}");
        assert!(row.contains("经系统接口"), "{l}: {row}");
    }
}

#[tokio::test]
async fn the_code_pages_speak_english_on_request() {
    for t in fresh_stores().await {
        let l = t.label;
        let w = world(&t).await;
        let app = &w.app;
        let (segment, codes) = issue(&w, 6).await;
        print(&w, segment, 3, 3).await;
        let r = api(
            &w,
            "POST",
            "/api/v1/code-applications",
            &w.maker_token,
            Some(json!({"enterprise": w.maker, "product_id": w.product, "quantity": 2})),
        )
        .await;
        let pending = r.json["id"].as_i64().unwrap();

        // The switch sets the cookie and comes back to the same page.
        let sjz = login(app, "sjz").await;
        let res = get(
            app,
            "/console/codes/applications?status=pending&lang=en",
            &sjz,
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{l}");
        assert_eq!(
            res.location(),
            "/console/codes/applications?status=pending",
            "{l}"
        );
        let lang = res.cookie("lang").expect("a lang cookie");
        assert_eq!(lang, "lang=en", "{l}");
        let sjz = format!("{sjz}; {lang}");
        let page = get(app, res.location(), &sjz).await;
        assert!(page.body.contains("<html lang=\"en\">"), "{l}");
        assert!(page.body.contains("<h1>Code applications</h1>"), "{l}");
        assert!(page.body.contains(">Pending</span>"), "{l}");
        assert!(page.body.contains(">Approve and allocate</button>"), "{l}");
        assert!(page.body.contains("1 application"), "{l}");
        for part in [
            page.between("<nav class=\"mainnav\"", "</nav>"),
            page.between("<nav class=\"section-nav subnav\"", "</nav>"),
            page.between("<thead>", "</thead>"),
            page.between("<h1>", "</h1>"),
        ] {
            assert!(!part.is_empty() && !has_cjk(part), "{l}: {part}");
        }
        let res = post_form(
            app,
            &format!("/console/codes/applications/{pending}/approve"),
            &sjz,
            &[
                ("csrf", &page.csrf()),
                ("back", "/console/codes/applications"),
            ],
        )
        .await;
        let after = follow(app, &res, &sjz).await;
        assert!(
            after
                .flash()
                .contains(&format!("Application #{pending} approved: segment")),
            "{l}: {}",
            after.flash()
        );
        assert!(after.flash().contains("2 codes."), "{l}");

        // Every page of the section, for the enterprise, in English.
        let maker = format!("{}; lang=en", login(app, "maker").await);
        for (path, heading) in [
            ("/console/codes", "Supervision codes"),
            ("/console/codes/applications", "Code applications"),
            ("/console/codes/print-jobs", "Print jobs"),
            ("/console/codes/activate", "Activate codes"),
            ("/console/codes/batches", "Batches"),
            ("/console/codes/history", "queries"),
            ("/console/codes/signals", "Counterfeit signals"),
        ] {
            let page = get(app, path, &maker).await;
            assert_eq!(page.status, StatusCode::OK, "{l}: {path}");
            let h1 = page.between("<h1>", "</h1>");
            assert!(h1.contains(heading), "{l}: {path}: {h1}");
            for part in [
                page.between("<nav class=\"mainnav\"", "</nav>"),
                page.between("<thead>", "</thead>"),
                page.between("class=\"field", "</span>"),
                page.between("class=\"card empty\">", "</div>"),
            ] {
                assert!(!has_cjk(part), "{l}: {path}: {part}");
            }
        }

        // A refused activation names the codes, in English.
        let page = get(app, "/console/codes/activate", &maker).await;
        let res = post_multipart(
            app,
            "/console/codes/activate",
            &maker,
            &[
                ("csrf", &page.csrf()),
                ("lot", "EN-1"),
                ("production_date", "2026-11-01"),
                ("codes", &format!("{}\n{}", codes[0], codes[5])),
            ],
            None,
        )
        .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{l}");
        assert!(
            res.body
                .contains("these codes have not been confirmed as printed"),
            "{l}"
        );
        assert!(res.body.contains("The codes concerned"), "{l}");
        assert!(
            res.between("<ul class=\"named-codes\">", "</ul>")
                .contains(&codes[5]),
            "{l}"
        );
        // The language switch of a refused post leads back to the form.
        assert!(
            res.body
                .contains("href=\"/console/codes/activate?lang=zh\""),
            "{l}"
        );
    }
}
