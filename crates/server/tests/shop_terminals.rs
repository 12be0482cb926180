//! Shops registering their own query terminals, on both engines: public registration
//! with checked input, checks that carry the shop's place, suspension by the bureau of
//! the shop's region (and by no other), and the terminal's page.

mod common;

use common::*;
use serde_json::json;
use zhijian_core::access::Role;
use zhijian_core::code::damm;
use zhijian_store::testing::fresh_stores;

#[tokio::test]
async fn a_shop_registers_its_terminal_and_its_bureau_can_suspend_it() {
    for t in fresh_stores().await {
        let (s, app, l) = (&t.store, app(&t), t.label);
        let chang_an = user(s, "ca-officer", Role::Officer, bureau("130102")).await;
        let baoding = user(s, "bd-officer", Role::Officer, bureau("130600")).await;
        let register = |body: serde_json::Value| {
            let app = app.clone();
            async move {
                send(
                    &app,
                    request("POST", "/api/v1/terminals/register", None, Some(body)),
                )
                .await
            }
        };
        let before = audit_head(s).await;
        for (body, field) in [
            (
                json!({"name": " ", "shop": "华联超市", "region": "130102"}),
                "name",
            ),
            (
                json!({"name": "收银台1", "shop": "华联超市", "region": "139999"}),
                "region",
            ),
        ] {
            let r = register(body).await;
            assert_eq!(
                (r.status.as_u16(), r.json["field"].as_str()),
                (422, Some(field)),
                "{l}: {:?}",
                r.json
            );
        }
        assert_eq!(audit_head(s).await, before, "{l}: refusals changed data");
        let r =
            register(json!({"name": "收银台1", "shop": "华联超市和平路店", "region": "130102"}))
                .await;
        assert_eq!(r.status, 201, "{l}: {:?}", r.json);
        let id = r.json["terminal"]["id"].as_i64().unwrap();
        let token = r.json["token"].as_str().unwrap().to_owned();
        assert_eq!(r.json["page"], format!("/t#token={token}"), "{l}");

        // Its checks go on the terminal channel, from the shop's region.
        let code = {
            let first19 = "1399999999999999999";
            let digits: Vec<u8> = first19.bytes().map(|b| b - b'0').collect();
            format!("{first19}{}", damm::check_digit(&digits))
        };
        let verify = format!("/api/v1/verify/{code}?channel=terminal");
        let r = send(&app, request("GET", &verify, Some(&token), None)).await;
        assert_eq!(r.status, 200, "{l}: {:?}", r.json);
        assert_eq!(r.json["verdict"], "unknown", "{l}: {:?}", r.json);

        // The bureau of its region sees it and suspends it; another city cannot.
        let r = send(
            &app,
            request("GET", "/api/v1/terminals", Some(&chang_an), None),
        )
        .await;
        assert!(
            r.json["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["id"] == id),
            "{l}: {:?}",
            r.json
        );
        let suspend = format!("/api/v1/terminals/{id}/suspend");
        let r = send(&app, request("POST", &suspend, Some(&baoding), None)).await;
        assert_eq!(r.status, 404, "{l}");
        let r = send(&app, request("POST", &suspend, Some(&chang_an), None)).await;
        assert_eq!(r.status, 204, "{l}: {:?}", r.json);
        let r = send(&app, request("GET", &verify, Some(&token), None)).await;
        assert_eq!(r.status, 401, "{l}: a suspended terminal's token");

        // The terminal's page: a script from this site only, the camera where possible.
        let r = send(&app, request("GET", "/t", None, None)).await;
        assert_eq!(r.status, 200, "{l}");
        let page = String::from_utf8(r.raw).unwrap();
        assert!(page.contains(r#"<script src="/static/terminal.js""#), "{l}");
        let r = send(&app, request("GET", "/static/terminal.js", None, None)).await;
        assert!(
            String::from_utf8(r.raw)
                .unwrap()
                .contains("BarcodeDetector"),
            "{l}"
        );
    }
}
