//! The code lifecycle end to end over HTTP, on both engines: apply, approve, download,
//! print, confirm, activate, verify (every verdict), recall, signals, history, the public
//! page, the Digital Link path and SMS — and the refusals along the way.

mod common;

use common::*;
use serde_json::{Value, json};
use zhijian_core::access::Role;
use zhijian_core::code::damm;
use zhijian_store::identity::Membership;
use zhijian_store::testing::fresh_stores;

const GTIN: &str = "06901234567892";

/// A 20-digit string with a correct check digit after these 19 digits.
fn with_check(first19: &str) -> String {
    let digits: Vec<u8> = first19.bytes().map(|b| b - b'0').collect();
    format!("{first19}{}", damm::check_digit(&digits))
}

/// The same code with its check digit changed.
fn mistype(code: &str) -> String {
    let mut b = code.as_bytes().to_vec();
    b[19] = if b[19] == b'9' { b'0' } else { b[19] + 1 };
    String::from_utf8(b).unwrap()
}

fn batch(lot: &str) -> Value {
    json!({"lot": lot, "production_date": "2026-11-01", "expiry_date": "2027-11-01", "inspection_report": "JY-2026-001"})
}

#[tokio::test]
async fn the_code_lifecycle_from_application_to_verification() {
    for t in fresh_stores().await {
        let (s, app, l) = (&t.store, app(&t), t.label);
        let officer = user(s, "sjz-officer", Role::Officer, bureau("130100")).await;
        let outsider = user(s, "bd-officer", Role::Officer, bureau("130600")).await;
        let maker = uscc("130102", 1).to_string();
        let rival = uscc("130102", 2).to_string();
        let printer_code = uscc("130102", 900).to_string();
        for (code, name) in [
            (&maker, "石家庄甲乳业有限公司"),
            (&rival, "石家庄乙乳业有限公司"),
        ] {
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
            assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        }
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/printers",
                Some(&officer),
                Some(
                    json!({"uscc": printer_code, "name": "石家庄印务有限公司", "region": "130102"}),
                ),
            ),
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
        let other = user(
            s,
            "rival-user",
            Role::Enterprise,
            Membership::Organisation(rival.clone()),
        )
        .await;
        let printer = user(
            s,
            "printer-user",
            Role::Printer,
            Membership::Organisation(printer_code.clone()),
        )
        .await;

        // The enterprise registers a product (contract) and applies for codes.
        let r = send(&app, request("POST", &format!("/api/v1/enterprises/{maker}/products"), Some(&ent), Some(json!({"name": "纯牛奶", "category": "F05", "specification": "250 mL", "standard": "GB 25190-2010", "gtin": GTIN})))).await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let product = r.json["id"].as_i64().unwrap();
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/code-applications",
                Some(&ent),
                Some(json!({"enterprise": maker, "product_id": product, "quantity": 100})),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        assert_eq!(r.json["status"], "pending");
        let application = r.json["id"].as_i64().unwrap();
        // Over the per-application limit; someone else's product.
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/code-applications",
                Some(&ent),
                Some(json!({"enterprise": maker, "product_id": product, "quantity": 20_000_000})),
            ),
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), r.json["code"].as_str()),
            (422, Some("code_quantity")),
            "{l}"
        );
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/code-applications",
                Some(&other),
                Some(json!({"enterprise": maker, "product_id": product, "quantity": 5})),
            ),
        )
        .await;
        assert_eq!(
            r.status, 404,
            "{l}: another enterprise cannot apply for this one"
        );

        // Only an officer of the region approves, once.
        let approve = format!("/api/v1/code-applications/{application}/approve");
        assert_eq!(
            send(&app, request("POST", &approve, Some(&outsider), None))
                .await
                .status,
            404,
            "{l}"
        );
        assert_eq!(
            send(&app, request("POST", &approve, Some(&ent), None))
                .await
                .status,
            403,
            "{l}"
        );
        let r = send(&app, request("POST", &approve, Some(&officer), None)).await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        assert_eq!(r.json["status"], "approved");
        assert_eq!(r.json["segment"]["quantity"], 100);
        let segment = r.json["segment"]["id"].as_i64().unwrap();
        assert_eq!(
            send(&app, request("POST", &approve, Some(&officer), None))
                .await
                .status,
            409,
            "{l}"
        );

        // The owner downloads its codes; an officer and an unassigned printer cannot.
        let txt = format!("/api/v1/segments/{segment}/codes?format=txt");
        let r = send(&app, request("GET", &txt, Some(&ent), None)).await;
        assert_eq!(r.status, 200, "{l}");
        let codes: Vec<String> = String::from_utf8(r.raw)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        assert_eq!(codes.len(), 100, "{l}");
        assert!(
            codes.iter().all(|c| c.len() == 20 && c.starts_with("13")),
            "{l}"
        );
        assert_eq!(
            send(&app, request("GET", &txt, Some(&officer), None))
                .await
                .status,
            403,
            "{l}"
        );
        assert_eq!(
            send(&app, request("GET", &txt, Some(&printer), None))
                .await
                .status,
            404,
            "{l}"
        );

        // Activation before printing is refused, naming the codes.
        let before = audit_head(s).await;
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/activations",
                Some(&ent),
                Some(json!({"codes": [codes[0]], "batch": batch("L1")})),
            ),
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), r.json["code"].as_str()),
            (422, Some("codes_not_printed")),
            "{l}: {:?}",
            r.json
        );
        assert_eq!(r.json["codes"][0], codes[0].as_str());
        assert_eq!(
            audit_head(s).await,
            before,
            "{l}: a refusal changes nothing"
        );

        // Print job: the printer downloads its part as CSV and confirms.
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/print-jobs",
                Some(&ent),
                Some(json!({"segment_id": segment, "printer": printer_code})),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let job = r.json["id"].as_i64().unwrap();
        let r = send(
            &app,
            request(
                "GET",
                &format!("/api/v1/segments/{segment}/codes?format=csv"),
                Some(&printer),
                None,
            ),
        )
        .await;
        assert_eq!(r.status, 200, "{l}");
        let csv = String::from_utf8(r.raw).unwrap();
        let first = csv.lines().nth(1).unwrap();
        assert!(
            first.starts_with(&format!("{},(01){GTIN}(21){}", codes[0], codes[0])),
            "{l}: {first}"
        );
        assert!(
            first.ends_with(&format!("/01/{GTIN}/21/{}", codes[0])),
            "{l}: {first}"
        );
        assert_eq!(csv.lines().count(), 101, "{l}");
        let confirm = format!("/api/v1/print-jobs/{job}/confirm");
        assert_eq!(
            send(
                &app,
                request(
                    "POST",
                    &confirm,
                    Some(&ent),
                    Some(json!({"printed": 95, "spoiled": 5}))
                )
            )
            .await
            .status,
            403,
            "{l}"
        );
        let r = send(
            &app,
            request(
                "POST",
                &confirm,
                Some(&printer),
                Some(json!({"printed": 95, "spoiled": 6})),
            ),
        )
        .await;
        assert_eq!(r.status, 422, "{l}: more than the job holds");
        let r = send(
            &app,
            request(
                "POST",
                &confirm,
                Some(&printer),
                Some(json!({"printed": 95, "spoiled": 5})),
            ),
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), r.json["status"].as_str()),
            (200, Some("confirmed")),
            "{l}: {:?}",
            r.json
        );
        assert_eq!(
            send(
                &app,
                request(
                    "POST",
                    &confirm,
                    Some(&printer),
                    Some(json!({"printed": 1, "spoiled": 0}))
                )
            )
            .await
            .status,
            409,
            "{l}"
        );

        // Labels: one code as SVG and PNG for its owner and printer, a sheet for the printer.
        let label = format!("/api/v1/codes/{}/label", codes[0]);
        let r = send(&app, request("GET", &label, Some(&ent), None)).await;
        assert_eq!(
            (r.status.as_u16(), r.content_type.as_str()),
            (200, "image/svg+xml; charset=utf-8"),
            "{l}"
        );
        let svg = String::from_utf8(r.raw).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains(&codes[0][..4]),
            "{l}"
        );
        let r = send(
            &app,
            request(
                "GET",
                &format!("{label}?format=png&scale=4"),
                Some(&printer),
                None,
            ),
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), &r.raw[..4]),
            (200, &b"\x89PNG"[..]),
            "{l}"
        );
        assert_eq!(
            send(&app, request("GET", &label, Some(&other), None))
                .await
                .status,
            404,
            "{l}"
        );
        assert_eq!(
            send(&app, request("GET", &label, Some(&officer), None))
                .await
                .status,
            404,
            "{l}"
        );
        let r = send(
            &app,
            request(
                "GET",
                &format!("/api/v1/print-jobs/{job}/sheet?per_page=21"),
                Some(&printer),
                None,
            ),
        )
        .await;
        let html = String::from_utf8(r.raw).unwrap();
        assert_eq!(r.status, 200, "{l}");
        assert_eq!(html.matches("<svg").count(), 21, "{l}: one page of labels");
        assert!(
            html.contains(&zhijian_label::group_digits(&codes[20])),
            "{l}"
        );

        // Activation: a list, then a first/last range; twice and foreign are refused.
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/activations",
                Some(&ent),
                Some(json!({"codes": codes[0..10], "batch": batch("L1")})),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        assert_eq!(r.json["activated"], 10);
        let r = send(&app, request("POST", "/api/v1/activations", Some(&ent), Some(json!({"ranges": [{"first": codes[10], "last": codes[19]}], "batch": batch("L1")})))).await;
        assert_eq!(
            (r.status.as_u16(), r.json["batch"]["activated"].as_i64()),
            (201, Some(20)),
            "{l}: {:?}",
            r.json
        );
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/activations",
                Some(&ent),
                Some(json!({"codes": [codes[5]], "batch": batch("L1")})),
            ),
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), r.json["code"].as_str()),
            (422, Some("codes_already_active")),
            "{l}"
        );
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/activations",
                Some(&other),
                Some(json!({"codes": [codes[30]], "batch": batch("X1")})),
            ),
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), r.json["code"].as_str()),
            (422, Some("codes_not_yours")),
            "{l}"
        );
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/activations",
                Some(&ent),
                Some(json!({"codes": [codes[30], "13ab"], "batch": batch("L1")})),
            ),
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), r.json["code"].as_str()),
            (422, Some("list_bad_lines")),
            "{l}"
        );
        // A CSV file from a packaging line, expired batch.
        let file = format!("code\r\n{}\r\n{}\r\n", codes[20], codes[21]);
        let r = send(
            &app,
            multipart(
                "/api/v1/activations/upload",
                &ent,
                &[
                    ("lot", "OLD"),
                    ("production_date", "2020-01-01"),
                    ("expiry_date", "2020-06-01"),
                ],
                file.as_bytes(),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);

        // Verification: every verdict.
        let verify = |code: &str| format!("/api/v1/verify/{code}?region=130102");
        let r = send(&app, request("GET", &verify(&codes[0]), None, None)).await;
        assert_eq!(r.json["verdict"], "genuine", "{l}: {:?}", r.json);
        assert_eq!(r.json["product"]["name"], "纯牛奶");
        assert_eq!(r.json["batch"]["lot"], "L1");
        assert_eq!(r.json["enterprise"]["uscc"], maker.as_str());
        let r = send(&app, request("GET", &verify(&codes[0]), None, None)).await;
        assert_eq!(r.json["verdict"], "genuine_repeat", "{l}");
        assert_eq!(r.json["queries"], 2);
        assert_eq!(r.json["first_query"]["region"], "130102");
        assert!(
            r.json["message"].as_str().unwrap().contains("首次查询"),
            "{l}"
        );
        // Full-width digits and spaces are what people type.
        let wide: String = codes[1]
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap())
            .collect();
        let r = send(
            &app,
            request(
                "GET",
                &format!(
                    "/api/v1/verify/{}",
                    urlencode(&format!("{} {}", &wide[..12 * 3], &wide[12 * 3..]))
                ),
                None,
                None,
            ),
        )
        .await;
        assert_eq!(r.json["verdict"], "genuine", "{l}: {:?}", r.json);
        let r = send(&app, request("GET", &verify(&codes[50]), None, None)).await;
        assert_eq!(r.json["verdict"], "not_activated", "{l}");
        let r = send(&app, request("GET", &verify(&codes[20]), None, None)).await;
        assert_eq!(r.json["verdict"], "expired", "{l}");
        let r = send(
            &app,
            request("GET", &verify(&mistype(&codes[2])), None, None),
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), r.json["verdict"].as_str()),
            (200, Some("mistyped")),
            "{l}"
        );
        assert!(
            r.json["product"].is_null(),
            "{l}: a mistyped code reveals nothing"
        );
        let unknown = with_check("1399999999999999999");
        let r = send(&app, request("GET", &verify(&unknown), None, None)).await;
        assert_eq!(
            (r.status.as_u16(), r.json["verdict"].as_str()),
            (200, Some("unknown")),
            "{l}: {:?}",
            r.json
        );
        assert!(
            r.json["enterprise"].is_null() && r.json["batch"].is_null(),
            "{l}"
        );
        let r = send(
            &app,
            request(
                "GET",
                &verify(&with_check("1100000000000000001")),
                None,
                None,
            ),
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), r.json["code"].as_str()),
            (422, Some("code_foreign_node")),
            "{l}"
        );
        assert!(
            r.json["detail"].as_str().unwrap().contains("北京"),
            "{l}: names the issuing node"
        );
        let r = send(&app, request("GET", "/api/v1/verify/1340abc", None, None)).await;
        assert_eq!(
            (r.status.as_u16(), r.json["code"].as_str()),
            (422, Some("code_not_numeric")),
            "{l}"
        );
        assert_eq!(r.content_type, "application/problem+json");
        let r = send(&app, request("GET", "/api/v1/verify/1234", None, None)).await;
        assert_eq!(r.json["code"], "code_length", "{l}");

        // Recall: the batch's codes now say so.
        let batch_id = {
            let r = send(&app, request("GET", "/api/v1/batches", Some(&ent), None)).await;
            r.json["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|b| b["lot"] == "L1")
                .unwrap()["id"]
                .as_i64()
                .unwrap()
        };
        let recall = format!("/api/v1/batches/{batch_id}/recall");
        assert_eq!(
            send(
                &app,
                request("POST", &recall, Some(&other), Some(json!({"reason": "x"})))
            )
            .await
            .status,
            404,
            "{l}"
        );
        let r = send(
            &app,
            request(
                "POST",
                &recall,
                Some(&officer),
                Some(json!({"reason": "菌落总数超标"})),
            ),
        )
        .await;
        assert_eq!(
            (r.status.as_u16(), r.json["status"].as_str()),
            (200, Some("recalled")),
            "{l}: {:?}",
            r.json
        );
        let r = send(&app, request("GET", &verify(&codes[3]), None, None)).await;
        assert_eq!(r.json["verdict"], "recalled", "{l}");
        // The recall becomes a risk signal once, and counts against the maker's grade.
        assert_eq!(s.record_recall_signals().await.unwrap(), 1, "{l}");
        assert_eq!(s.record_recall_signals().await.unwrap(), 0, "{l}");
        let g = send(
            &app,
            request(
                "GET",
                &format!("/api/v1/enterprises/{maker}/grade"),
                Some(&officer),
                None,
            ),
        )
        .await;
        let recall_factor = g.json["factors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "signal_recall")
            .cloned();
        assert!(
            recall_factor.is_some_and(|f| f["contribution"].as_f64().unwrap() < 0.0),
            "{l}: {:?}",
            g.json
        );

        // Repeats beyond the threshold (5) and a second region raise signals.
        for _ in 0..5 {
            send(&app, request("GET", &verify(&codes[1]), None, None)).await;
        }
        send(
            &app,
            request(
                "GET",
                &format!("/api/v1/verify/{}?region=130602", codes[1]),
                None,
                None,
            ),
        )
        .await;
        let r = send(
            &app,
            request(
                "GET",
                "/api/v1/counterfeit-signals?per_page=100",
                Some(&ent),
                None,
            ),
        )
        .await;
        let kinds: Vec<&str> = r.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["kind"].as_str().unwrap())
            .collect();
        for k in ["not_activated", "repeat_threshold", "multi_region"] {
            assert!(kinds.contains(&k), "{l}: {k} missing from {kinds:?}");
        }
        assert!(
            !kinds.contains(&"unknown_code"),
            "{l}: an unknown code is nobody's enterprise"
        );
        let r = send(
            &app,
            request(
                "GET",
                "/api/v1/counterfeit-signals?per_page=100",
                Some(&officer),
                None,
            ),
        )
        .await;
        let kinds: Vec<&str> = r.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["kind"].as_str().unwrap())
            .collect();
        assert!(
            kinds.contains(&"unknown_code"),
            "{l}: the bureau where it happened sees it: {kinds:?}"
        );
        let r = send(
            &app,
            request("GET", "/api/v1/counterfeit-signals", Some(&other), None),
        )
        .await;
        assert_eq!(r.json["total"], 0, "{l}: another enterprise sees none");

        // History of one code, for its maker only.
        let r = send(
            &app,
            request(
                "GET",
                &format!("/api/v1/codes/{}/history", codes[0]),
                Some(&ent),
                None,
            ),
        )
        .await;
        assert_eq!(r.json["total"], 2, "{l}: {:?}", r.json);
        assert_eq!(
            r.json["items"][0]["verdict"], "genuine_repeat",
            "{l}: the verdict given is recorded"
        );
        assert_eq!(r.json["items"][1]["verdict"], "genuine", "{l}");
        let r = send(
            &app,
            request(
                "GET",
                &format!("/api/v1/codes/{}/history", codes[0]),
                Some(&other),
                None,
            ),
        )
        .await;
        assert_eq!(r.status, 404, "{l}: {:?}", r.json);

        // The public page, the Digital Link and SMS, on a fresh batch.
        let r = send(&app, request("POST", "/api/v1/activations", Some(&ent), Some(json!({"index_ranges": [{"first": r_first(&app, &ent, segment).await + 22, "count": 8}], "batch": batch("L2")})))).await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let r = send(
            &app,
            request("GET", &format!("/q/{}", codes[22]), None, None),
        )
        .await;
        let html = String::from_utf8(r.raw).unwrap();
        assert!(
            html.contains("data-verdict=\"genuine\"") && html.contains("纯牛奶"),
            "{l}"
        );
        let mut req = request("GET", &format!("/01/{GTIN}/21/{}", codes[23]), None, None);
        req.headers_mut()
            .insert("accept", "application/json".parse().unwrap());
        let r = send(&app, req).await;
        assert_eq!(r.json["verdict"], "genuine", "{l}: {:?}", r.json);
        let r = send(
            &app,
            request(
                "GET",
                &format!("/01/06901234567885/21/{}", codes[24]),
                None,
                None,
            ),
        )
        .await;
        assert_eq!(r.json["code"], "gtin_mismatch", "{l}: {:?}", r.json);
        let r = send(
            &app,
            request(
                "POST",
                "/api/v1/sms",
                None,
                Some(json!({"from": "13800000000", "text": format!("查询 {}", codes[25])})),
            ),
        )
        .await;
        let reply = r.json["reply"].as_str().unwrap();
        assert!(
            reply.contains("正品") && reply.chars().count() <= 200,
            "{l}: {reply}"
        );

        // Every verification was recorded; the audit chain holds.
        let stats = s.code_stats().await.unwrap();
        let get = |k: &str| stats.iter().find(|(n, _)| n == k).unwrap().1;
        assert_eq!(
            get("verifications"),
            17,
            "{l}: every query of a well-formed code, no other"
        );
        assert_eq!(get("codes_issued"), 100, "{l}");
        assert_eq!(get("codes_activated"), 30, "{l}");
        assert!(matches!(
            zhijian_store::audit::verify(s.db(), |_| {}).await.unwrap(),
            zhijian_store::audit::Verdict::Intact { .. }
        ));
    }
}

/// The first index of a segment, as the API reports it.
async fn r_first(app: &axum::Router, token: &str, segment: i64) -> i64 {
    let r = send(
        app,
        request(
            "GET",
            &format!("/api/v1/segments/{segment}"),
            Some(token),
            None,
        ),
    )
    .await;
    r.json["first_index"].as_i64().unwrap()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A multipart form with text fields and a file named `file`.
fn multipart(
    uri: &str,
    token: &str,
    fields: &[(&str, &str)],
    file: &[u8],
) -> axum::http::Request<axum::body::Body> {
    let boundary = "zhijian-codes-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"codes.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    axum::http::Request::builder()
        .method("POST")
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(body))
        .unwrap()
}
