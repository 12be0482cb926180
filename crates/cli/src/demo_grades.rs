//! Demo commitments and certifications, so that grades differ by more than sampling:
//! about one enterprise in six has published a quality commitment and one in eleven
//! holds a certification (a few of them lapsed).

use anyhow::Context as _;
use zhijian_core::access::{Principal, Role};
use zhijian_core::grading::CommitmentKind;
use zhijian_core::region::RegionCode;
use zhijian_store::Store;
use zhijian_store::grading::NewCommitment;

/// The most enterprises given commitments (each is its own audited write).
const MAX_ENTERPRISES: usize = 1_000;

const CERTIFICATES: &[&str] = &[
    "ISO 9001:2015 质量管理体系认证",
    "HACCP 危害分析与关键控制点体系认证",
    "ISO 22000:2018 食品安全管理体系认证",
    "CCC 强制性产品认证",
];

/// Publishes the demo commitments and certifications.
pub async fn generate(store: &Store, seed: u64) -> anyhow::Result<usize> {
    let admin = Principal {
        user_id: 0,
        username: "demo".into(),
        role: Role::Admin,
        org_id: None,
        region: RegionCode::NATIONAL,
    };
    let scoped = store.scoped(&admin);
    let rows = store
        .db()
        .fetch_all(
            "SELECT o.uscc FROM organisations o JOIN enterprises e ON e.id = o.id ORDER BY o.id",
            &[],
        )
        .await?;
    let today = jiff::Zoned::now().date();
    let started = std::time::Instant::now();
    let mut n = 0;
    for (i, r) in rows.iter().take(MAX_ENTERPRISES).enumerate() {
        let uscc = r.text(0)?;
        let pick = (i as u64).wrapping_mul(2_654_435_761).wrapping_add(seed) % 66;
        let new = if pick < 11 {
            NewCommitment {
                kind: CommitmentKind::Commitment,
                title: "产品质量安全承诺书".into(),
                body: "本企业承诺：严格执行产品标准，建立并落实质量安全追溯制度，出厂产品批批检验，发现问题主动召回，接受社会监督。".into(),
                valid_until: None,
            }
        } else if pick < 17 {
            let lapsed = pick == 16;
            NewCommitment {
                kind: CommitmentKind::Certification,
                title: CERTIFICATES[(pick % 4) as usize].into(),
                body: format!("证书编号 DEMO-{i:06}"),
                valid_until: today
                    .checked_add(jiff::Span::new().days(if lapsed { -30 } else { 700 }))
                    .ok(),
            }
        } else {
            continue;
        };
        scoped
            .add_commitment(&uscc, &new)
            .await
            .with_context(|| format!("publishing a commitment for {uscc}"))?;
        n += 1;
    }
    eprintln!(
        "commitments and certifications: {n} published in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(n)
}
