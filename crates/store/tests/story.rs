//! The store's behavioural suite: one story per capability, run on SQLite and, when
//! `ZHIJIAN_TEST_DATABASE_URL` is set, on PostgreSQL.

use zhijian_core::access::{Principal, Role};
use zhijian_core::enterprise::EnterpriseStatus;
use zhijian_core::licence::{LicenceAction, LicenceState};
use zhijian_core::licence_number::LicenceNumber;
use zhijian_core::page::Page;
use zhijian_core::region::RegionCode;
use zhijian_core::uscc::Uscc;
use zhijian_store::audit::{self, Verdict};
use zhijian_store::enterprises::{EnterpriseDetails, EnterpriseFilter, NewEnterprise, NewProduct};
use zhijian_store::identity::{Membership, NewUser};
use zhijian_store::licences::{NewLicence, TransitionInput};
use zhijian_store::testing::fresh_stores;
use zhijian_store::{Store, StoreError};

fn region(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

/// A valid credit code registered in `region` with a serial number.
fn uscc(region: &str, serial: u32) -> Uscc {
    let org = format!("{serial:08}");
    let org_check = zhijian_core::uscc::organisation_check_character(&org).expect("valid org code");
    let body = format!("91{region}{org}{org_check}");
    let check = zhijian_core::uscc::check_character(&body).expect("valid body");
    Uscc::parse(&format!("{body}{check}")).unwrap()
}

fn food_licence(first13: &str) -> LicenceNumber {
    let check = zhijian_core::licence_number::food_check_digit(first13).unwrap();
    LicenceNumber::parse(&format!("SC{first13}{check}")).unwrap()
}

async fn officer(store: &Store, name: &str, region_code: &str) -> Principal {
    store
        .create_user(
            &NewUser {
                username: name.into(),
                password: "correct horse".into(),
                role: Role::Officer,
                membership: Membership::Bureau(region(region_code)),
                display_name: None,
            },
            "test",
        )
        .await
        .unwrap();
    store.principal_by_username(name).await.unwrap().unwrap()
}

fn enterprise(code: &Uscc, name: &str, region_code: &str) -> NewEnterprise {
    NewEnterprise {
        uscc: code.clone(),
        uscc_legacy: false,
        name: name.into(),
        region: region(region_code),
        details: EnterpriseDetails {
            address: Some("中华大街1号".into()),
            ..Default::default()
        },
    }
}

#[tokio::test]
async fn archives_are_scoped_to_the_officers_region() {
    for t in fresh_stores().await {
        let s = &t.store;
        let shijiazhuang = officer(s, "sjz", "130100").await;
        let baoding = officer(s, "baoding", "130600").await;
        let hebei = officer(s, "hebei", "130000").await;
        let a = uscc("130102", 1);
        s.scoped(&shijiazhuang)
            .create_enterprise(&enterprise(&a, "石家庄乳业有限公司", "130102"))
            .await
            .unwrap();

        assert!(
            s.scoped(&shijiazhuang)
                .archive(a.as_str())
                .await
                .unwrap()
                .is_some(),
            "{}",
            t.label
        );
        assert!(
            s.scoped(&hebei)
                .archive(a.as_str())
                .await
                .unwrap()
                .is_some(),
            "{}",
            t.label
        );
        assert!(
            s.scoped(&baoding)
                .archive(a.as_str())
                .await
                .unwrap()
                .is_none(),
            "{}: leak to another city",
            t.label
        );

        // Creating outside one's subtree is refused and leaves no trace.
        let (n_before, _) = audit::head(s.db()).await.unwrap();
        let err = s
            .scoped(&baoding)
            .create_enterprise(&enterprise(&uscc("130102", 2), "越权企业", "130102"))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Forbidden), "{}: {err:?}", t.label);
        assert_eq!(
            audit::head(s.db()).await.unwrap().0,
            n_before,
            "{}",
            t.label
        );
    }
}

#[tokio::test]
async fn a_duplicate_credit_code_is_a_conflict_and_changes_nothing() {
    for t in fresh_stores().await {
        let s = &t.store;
        let o = officer(s, "sjz", "130100").await;
        let a = uscc("130102", 7);
        s.scoped(&o)
            .create_enterprise(&enterprise(&a, "甲公司", "130102"))
            .await
            .unwrap();
        let head = audit::head(s.db()).await.unwrap();
        let err = s
            .scoped(&o)
            .create_enterprise(&enterprise(&a, "乙公司", "130102"))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Conflict {
                    code: "enterprise_exists",
                    ..
                }
            ),
            "{}: {err:?}",
            t.label
        );
        assert_eq!(audit::head(s.db()).await.unwrap(), head, "{}", t.label);
        let archive = s.scoped(&o).archive(a.as_str()).await.unwrap().unwrap();
        assert_eq!(archive.name, "甲公司");
    }
}

#[tokio::test]
async fn lists_filter_by_subtree_and_search_by_chinese_name() {
    for t in fresh_stores().await {
        let s = &t.store;
        let hebei = officer(s, "hebei", "130000").await;
        let names = [
            ("130102", "石家庄钢铁有限公司"),
            ("130104", "石家庄乳业有限公司"),
            ("130602", "保定钢铁集团"),
        ];
        for (i, (r, n)) in names.iter().enumerate() {
            s.scoped(&hebei)
                .create_enterprise(&enterprise(&uscc(r, i as u32), n, r))
                .await
                .unwrap();
        }
        let page = Page::new(None, None).unwrap();
        let all = s
            .scoped(&hebei)
            .list_enterprises(&EnterpriseFilter::default(), page)
            .await
            .unwrap();
        assert_eq!(all.total, 3, "{}", t.label);

        let sjz = EnterpriseFilter {
            region: Some(region("130100")),
            ..Default::default()
        };
        assert_eq!(
            s.scoped(&hebei)
                .list_enterprises(&sjz, page)
                .await
                .unwrap()
                .total,
            2,
            "{}",
            t.label
        );

        let steel = EnterpriseFilter {
            q: Some("钢铁".into()),
            ..Default::default()
        };
        let found = s
            .scoped(&hebei)
            .list_enterprises(&steel, page)
            .await
            .unwrap();
        assert_eq!(found.total, 2, "{}", t.label);
        assert!(found.items.iter().all(|e| e.name.contains("钢铁")));

        // Grams present but not adjacent do not match; longer fragments and code prefixes do.
        let apart = EnterpriseFilter {
            q: Some("石家乳业".into()),
            ..Default::default()
        };
        assert_eq!(
            s.scoped(&hebei)
                .list_enterprises(&apart, page)
                .await
                .unwrap()
                .total,
            0,
            "{}",
            t.label
        );
        let long = EnterpriseFilter {
            q: Some("庄钢铁有限".into()),
            ..Default::default()
        };
        assert_eq!(
            s.scoped(&hebei)
                .list_enterprises(&long, page)
                .await
                .unwrap()
                .total,
            1,
            "{}",
            t.label
        );
        let one_char = EnterpriseFilter {
            q: Some("乳".into()),
            ..Default::default()
        };
        assert_eq!(
            s.scoped(&hebei)
                .list_enterprises(&one_char, page)
                .await
                .unwrap()
                .total,
            1,
            "{}",
            t.label
        );
        let code = uscc("130602", 2);
        let by_code = EnterpriseFilter {
            q: Some(code.as_str()[..12].to_lowercase()),
            ..Default::default()
        };
        let found = s
            .scoped(&hebei)
            .list_enterprises(&by_code, page)
            .await
            .unwrap();
        assert_eq!(
            found
                .items
                .iter()
                .map(|e| e.uscc.as_str())
                .collect::<Vec<_>>(),
            vec![code.as_str()],
            "{}",
            t.label
        );

        // A renamed enterprise is found by its new name only.
        s.scoped(&hebei)
            .update_enterprise(
                code.as_str(),
                Some("保定新能源电池有限公司".into()),
                &EnterpriseDetails::default(),
            )
            .await
            .unwrap();
        let old = EnterpriseFilter {
            q: Some("保定钢铁".into()),
            ..Default::default()
        };
        assert_eq!(
            s.scoped(&hebei)
                .list_enterprises(&old, page)
                .await
                .unwrap()
                .total,
            0,
            "{}",
            t.label
        );
        let new = EnterpriseFilter {
            q: Some("电池".into()),
            ..Default::default()
        };
        assert_eq!(
            s.scoped(&hebei)
                .list_enterprises(&new, page)
                .await
                .unwrap()
                .total,
            1,
            "{}",
            t.label
        );

        // A search term with LIKE wildcards matches literally.
        let pct = EnterpriseFilter {
            q: Some("%".into()),
            ..Default::default()
        };
        assert_eq!(
            s.scoped(&hebei)
                .list_enterprises(&pct, page)
                .await
                .unwrap()
                .total,
            0,
            "{}",
            t.label
        );

        let small = Page::new(Some(2), Some(2)).unwrap();
        let p2 = s
            .scoped(&hebei)
            .list_enterprises(&EnterpriseFilter::default(), small)
            .await
            .unwrap();
        assert_eq!((p2.items.len(), p2.total), (1, 3), "{}", t.label);

        let closed = EnterpriseFilter {
            status: Some(EnterpriseStatus::Closed),
            ..Default::default()
        };
        assert_eq!(
            s.scoped(&hebei)
                .list_enterprises(&closed, page)
                .await
                .unwrap()
                .total,
            0
        );
    }
}

#[tokio::test]
async fn a_licence_runs_its_lifecycle_and_refuses_bad_transitions() {
    for t in fresh_stores().await {
        let s = &t.store;
        let o = officer(s, "sjz", "130100").await;
        let a = uscc("130102", 3);
        let scoped = s.scoped(&o);
        scoped
            .create_enterprise(&enterprise(&a, "石家庄乳业有限公司", "130102"))
            .await
            .unwrap();
        let l = scoped
            .apply_licence(
                a.as_str(),
                &NewLicence {
                    kind: zhijian_core::licence_number::LicenceKind::Food,
                    scope: vec!["F05".into()],
                },
            )
            .await
            .unwrap();
        assert_eq!(l.state, LicenceState::Applied);
        for action in [
            LicenceAction::Accept,
            LicenceAction::Review,
            LicenceAction::Approve,
        ] {
            scoped
                .transition_licence(l.id, action, &TransitionInput::default())
                .await
                .unwrap();
        }
        // Issuing without a number is refused, and the licence stays approved.
        let err = scoped
            .transition_licence(l.id, LicenceAction::Issue, &TransitionInput::default())
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Invalid {
                    field: "number",
                    ..
                }
            ),
            "{}: {err:?}",
            t.label
        );
        assert_eq!(
            scoped.licence(l.id).await.unwrap().unwrap().state,
            LicenceState::Approved
        );

        let issue = TransitionInput {
            number: Some(food_licence("1051301020001")),
            valid_from: Some("2024-01-01".parse().unwrap()),
            valid_until: Some("2029-01-01".parse().unwrap()),
            ..Default::default()
        };
        let issued = scoped
            .transition_licence(l.id, LicenceAction::Issue, &issue)
            .await
            .unwrap();
        assert_eq!(issued.state, LicenceState::Issued);
        assert_eq!(issued.events.len(), 5, "{}", t.label);

        let err = scoped
            .transition_licence(l.id, LicenceAction::Approve, &TransitionInput::default())
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Transition(_)), "{err:?}");

        // Expiry applies by itself once the validity has ended.
        assert_eq!(
            s.expire_licences("2029-01-02".parse().unwrap())
                .await
                .unwrap(),
            1,
            "{}",
            t.label
        );
        let expired = scoped.licence(l.id).await.unwrap().unwrap();
        assert_eq!(expired.state, LicenceState::Expired);
        assert_eq!(expired.events.last().unwrap().actor, "system");
    }
}

#[tokio::test]
async fn enterprises_add_their_own_products_only() {
    for t in fresh_stores().await {
        let s = &t.store;
        let o = officer(s, "sjz", "130100").await;
        let mine = uscc("130102", 4);
        let theirs = uscc("130102", 5);
        s.scoped(&o)
            .create_enterprise(&enterprise(&mine, "甲", "130102"))
            .await
            .unwrap();
        s.scoped(&o)
            .create_enterprise(&enterprise(&theirs, "乙", "130102"))
            .await
            .unwrap();
        s.create_user(
            &NewUser {
                username: "jia".into(),
                password: "correct horse".into(),
                role: Role::Enterprise,
                membership: Membership::Organisation(mine.as_str().into()),
                display_name: None,
            },
            "test",
        )
        .await
        .unwrap();
        let me = s.principal_by_username("jia").await.unwrap().unwrap();
        let product = NewProduct {
            name: "纯牛奶".into(),
            specification: Some("250mL".into()),
            standard: Some("GB 25190".into()),
            category: "F05".into(),
            gtin: None,
        };
        s.scoped(&me)
            .add_product(mine.as_str(), &product)
            .await
            .unwrap();
        let err = s
            .scoped(&me)
            .add_product(theirs.as_str(), &product)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound { .. }),
            "{}: {err:?}",
            t.label
        );
        let bad = NewProduct {
            category: "X99".into(),
            ..product
        };
        assert!(matches!(
            s.scoped(&me)
                .add_product(mine.as_str(), &bad)
                .await
                .unwrap_err(),
            StoreError::Invalid {
                code: "category_unknown",
                ..
            }
        ));
        let archive = s.scoped(&me).archive(mine.as_str()).await.unwrap().unwrap();
        assert_eq!(archive.products.len(), 1);
        assert!(archive.history.iter().any(|h| h.action == "product.create"));
    }
}

#[tokio::test]
async fn the_audit_chain_catches_a_changed_byte() {
    for t in fresh_stores().await {
        let s = &t.store;
        let o = officer(s, "sjz", "130100").await;
        for i in 0..5 {
            s.scoped(&o)
                .create_enterprise(&enterprise(&uscc("130102", 100 + i), "企业", "130102"))
                .await
                .unwrap();
        }
        let Verdict::Intact { entries } = audit::verify(s.db(), |_| {}).await.unwrap() else {
            panic!("{}: chain should be intact", t.label)
        };
        assert!(entries >= 7);
        // Tamper with one byte of entry 4's recorded state, directly in the database.
        let mut tx = s.db().begin().await.unwrap();
        tx.execute(
            "UPDATE audit_entries SET after = REPLACE(after, '企业', '企止') WHERE seq = 4",
            &[],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        match audit::verify(s.db(), |_| {}).await.unwrap() {
            Verdict::Broken { seq, .. } => assert_eq!(seq, 4, "{}", t.label),
            v => panic!("{}: tampering not caught: {v:?}", t.label),
        }
    }
}

#[tokio::test]
async fn tokens_and_sessions_resolve_to_their_user() {
    for t in fresh_stores().await {
        let s = &t.store;
        let o = officer(s, "sjz", "130100").await;
        let token = s.create_token("sjz", "test", "test").await.unwrap();
        assert_eq!(
            s.principal_by_token(&token).await.unwrap(),
            Some(o.clone()),
            "{}",
            t.label
        );
        assert_eq!(s.principal_by_token("zjt_nope").await.unwrap(), None);
        assert!(
            s.authenticate("sjz", "correct horse")
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            s.authenticate("sjz", "wrong horse")
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            s.authenticate("nobody", "correct horse")
                .await
                .unwrap()
                .is_none()
        );
        let session = s.create_session(o.user_id, 60_000).await.unwrap();
        let (p, csrf) = s.session(&session.id).await.unwrap().unwrap();
        assert_eq!((p, csrf), (o.clone(), session.csrf.clone()));
        s.delete_session(&session.id).await.unwrap();
        assert!(s.session(&session.id).await.unwrap().is_none());
        let expired = s.create_session(o.user_id, -1).await.unwrap();
        assert!(
            s.session(&expired.id).await.unwrap().is_none(),
            "{}",
            t.label
        );
    }
}

#[tokio::test]
async fn a_bulk_transaction_is_all_or_nothing_and_leaves_references_checked() {
    for t in fresh_stores().await {
        let db = t.store.db();
        let job = |id: i64, org: Option<i64>| -> Vec<zhijian_store::db::Value> {
            vec![
                id.into(),
                org.into(),
                "bulk-test".into(),
                0i64.into(),
                0i64.into(),
                true.into(),
                0i64.into(),
                0i64.into(),
            ]
        };
        let head = "INSERT INTO epcis_captures (id, organisation_id, created_by, created_at, finished_at, success, event_count, stored)";
        let count = || async {
            db.fetch_one(
                "SELECT COUNT(*) FROM epcis_captures WHERE created_by = 'bulk-test'",
                &[],
            )
            .await
            .unwrap()
            .int(0)
            .unwrap()
        };

        // A statement that fails half-way (the third row repeats an id) stores nothing,
        // not even the rows of earlier statements, once the transaction is dropped.
        let mut tx = db.begin_bulk().await.unwrap();
        tx.insert_rows(head, 8, &[job(9001, None)]).await.unwrap();
        let failed = tx
            .insert_rows(
                head,
                8,
                &[job(9002, None), job(9003, None), job(9002, None)],
            )
            .await;
        assert!(failed.is_err(), "{}: a repeated id is refused", t.label);
        drop(tx);
        assert_eq!(
            count().await,
            0,
            "{}: nothing of the refused transaction stays",
            t.label
        );

        let mut tx = db.begin_bulk().await.unwrap();
        tx.insert_rows(head, 8, &[job(9004, None), job(9005, None)])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(count().await, 2, "{}", t.label);

        // The next ordinary transaction checks references again.
        let mut tx = db.begin().await.unwrap();
        let dangling = tx.insert_rows(head, 8, &[job(9006, Some(987_654))]).await;
        let committed = match dangling {
            Ok(()) => tx.commit().await,
            Err(e) => Err(e),
        };
        assert!(
            committed.is_err(),
            "{}: an organisation that does not exist is refused",
            t.label
        );
        assert_eq!(count().await, 2, "{}", t.label);
    }
}
