//! Archive reads are served from memory but never stale: a change made through this
//! node shows at once, one made by another process within the poll interval, and a
//! kept archive is never shown to a caller outside its scope.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use zhijian_core::access::Role;
use zhijian_store::Store;
use zhijian_store::testing::fresh_stores;

#[tokio::test]
async fn cached_archives_follow_every_change_and_keep_their_scope() {
    for t in fresh_stores().await {
        let s = &t.store;
        let app = app(&t);
        let officer = user(s, "sjz-officer", Role::Officer, bureau("130100")).await;
        let outsider = user(s, "bd-officer", Role::Officer, bureau("130600")).await;
        let code = uscc("130102", 1).to_string();
        let url = format!("/api/v1/enterprises/{code}");
        let created = send(
            &app,
            request(
                "POST",
                "/api/v1/enterprises",
                Some(&officer),
                Some(json!({"uscc": code, "name": "石家庄甲食品有限公司", "region": "130102"})),
            ),
        )
        .await;
        assert_eq!(created.status, 201, "{}: {:?}", t.label, created.json);

        // Read twice (the second from memory), then change through the API.
        for _ in 0..2 {
            let a = send(&app, request("GET", &url, Some(&officer), None)).await;
            assert_eq!(a.status, 200, "{}", t.label);
            assert_eq!(a.json["name"], "石家庄甲食品有限公司");
            assert_eq!(a.content_type, "application/json");
        }
        let patched = send(
            &app,
            request(
                "PATCH",
                &url,
                Some(&officer),
                Some(json!({"name": "石家庄乙食品有限公司"})),
            ),
        )
        .await;
        assert_eq!(patched.status, 200, "{}: {:?}", t.label, patched.json);
        let a = send(&app, request("GET", &url, Some(&officer), None)).await;
        assert_eq!(a.json["name"], "石家庄乙食品有限公司", "{}", t.label);
        assert_eq!(a.json["history"][0]["action"], "enterprise.update");

        // A kept archive is still 404 for a caller outside its region.
        let hidden = send(&app, request("GET", &url, Some(&outsider), None)).await;
        assert_eq!(hidden.status, 404, "{}", t.label);

        // Another process changes it (a second store on the same database).
        let other = Store::open(&t.url, t.files()).await.unwrap();
        other
            .scoped(&admin_principal())
            .update_enterprise(
                &code,
                Some("石家庄丙食品有限公司".into()),
                &Default::default(),
            )
            .await
            .unwrap();
        other.close().await;
        tokio::time::sleep(zhijian_store::changes::POLL_INTERVAL + Duration::from_millis(100))
            .await;
        let a = send(&app, request("GET", &url, Some(&officer), None)).await;
        assert_eq!(a.json["name"], "石家庄丙食品有限公司", "{}", t.label);
    }
}

fn admin_principal() -> zhijian_core::access::Principal {
    zhijian_core::access::Principal {
        user_id: 0,
        username: "cli".into(),
        role: Role::Admin,
        region: zhijian_core::region::RegionCode::NATIONAL,
        org_id: None,
    }
}
