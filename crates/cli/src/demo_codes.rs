//! Supervision codes in the demo: each demo enterprise applies, is approved, hands its
//! codes to the demo printer, activates batches (one later recalled, one expired), and
//! consumers verify them from across the province — so every codes page and every
//! verdict has something real to show. Deterministic apart from the node's random key.

use anyhow::Context;
use jiff::civil::date;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use zhijian_core::access::{Principal, Role};
use zhijian_core::code::list::IndexRange;
use zhijian_core::code::{SupervisionCode, damm};
use zhijian_core::region::RegionCode;
use zhijian_store::Store;
use zhijian_store::codes::{BatchFlag, CodeLimits, NewBatch};
use zhijian_store::verify::{Channel, Query, Verifier, VerifyRules};

/// Places consumers verify from: Hebei's city districts.
const PLACES: &[&str] = &[
    "130102", "130104", "130202", "130302", "130402", "130502", "130602", "130702", "130802",
    "130902", "131002", "131102",
];

fn principal(username: &str, role: Role, org_id: Option<i64>, region: &str) -> Principal {
    Principal {
        user_id: 0,
        username: username.into(),
        role,
        org_id,
        region: RegionCode::parse(region).unwrap_or(RegionCode::NATIONAL),
    }
}

/// Creates the code data for the demo enterprises (`(uscc, username)`), handing print
/// jobs to the printer with credit code `printer`.
pub async fn generate(
    store: &Store,
    enterprises: &[(String, String)],
    printer: &str,
    seed: u64,
) -> anyhow::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xC0DE);
    let officer = principal("officer-130000", Role::Officer, None, "130000");
    let printer_org = store
        .organisation_by_uscc(printer)
        .await?
        .context("the demo printer")?;
    let printer_user = principal(
        "printer-1",
        Role::Printer,
        Some(printer_org.id),
        &printer_org.region,
    );
    let verifier = Verifier::start(store.clone(), VerifyRules::default());
    let space = store.code_space()?.clone();
    let today = jiff::Zoned::now().date();
    for (n, (uscc, username)) in enterprises.iter().enumerate() {
        let org = store
            .organisation_by_uscc(uscc)
            .await?
            .context("a demo enterprise")?;
        let me = principal(username, Role::Enterprise, Some(org.id), &org.region);
        let archive = store
            .scoped(&officer)
            .archive(uscc)
            .await?
            .context("a demo archive")?;
        let Some(product) = archive.products.first() else {
            continue;
        };
        let scoped = store.scoped(&me);
        let applied = scoped
            .apply_codes(
                uscc,
                product.id,
                1_000,
                Some("首批产品赋码".into()),
                CodeLimits::default(),
            )
            .await?;
        let approved = store
            .scoped(&officer)
            .approve_code_application(applied.id)
            .await?;
        let segment = approved.segment.context("an approved segment")?;
        if n < 2 {
            let pending = scoped
                .apply_codes(
                    uscc,
                    product.id,
                    500,
                    Some("扩产追加".into()),
                    CodeLimits::default(),
                )
                .await?;
            if n == 1 {
                store
                    .scoped(&officer)
                    .refuse_code_application(pending.id, "申请数量与产能不符，请补充材料")
                    .await?;
            }
        }
        let job = scoped
            .create_print_job(segment.id, printer, None, None)
            .await?;
        store
            .scoped(&printer_user)
            .confirm_print_job(job.id, 990, 10)
            .await?;
        let first = segment.first_index as u64;
        let lot = |s: &str| format!("{}{:02}{s}", today.strftime("%Y%m"), n + 1);
        let batches = [
            (
                0,
                600,
                lot("A"),
                date(2026, 10, 15),
                Some(date(2028, 4, 15)),
            ),
            (600, 100, lot("B"), date(2026, 9, 1), Some(date(2028, 3, 1))),
            (700, 50, lot("C"), date(2025, 1, 1), Some(date(2025, 7, 1))),
        ];
        let mut ids = vec![];
        for (offset, count, lot, made, expires) in batches {
            let done = scoped
                .activate(
                    &NewBatch {
                        lot,
                        production_date: made,
                        expiry_date: expires,
                        inspection_report: Some(format!(
                            "JY{}-{:04}",
                            made.year(),
                            n * 10 + ids.len()
                        )),
                    },
                    &[IndexRange {
                        first: first + offset,
                        count,
                    }],
                )
                .await?;
            ids.push(done.batch.id);
        }
        store
            .scoped(&officer)
            .flag_batch(ids[1], BatchFlag::Recalled, "抽检不合格，责令召回")
            .await?;

        // Consumers and shops verify: first queries, repeats, a code queried far too
        // often and from several cities, codes never activated, recalled and expired
        // goods, typos and counterfeits.
        let code = |i: u64| space.encode(first + i).context("encoding a demo code");
        let query = |rng: &mut ChaCha8Rng| Query {
            channel: [
                Channel::Web,
                Channel::Web,
                Channel::Web,
                Channel::Sms,
                Channel::Api,
            ][rng.random_range(0..5)],
            region: RegionCode::parse(PLACES[rng.random_range(0..PLACES.len())]).ok(),
            terminal: None,
        };
        let ask = |i: u64, rng: &mut ChaCha8Rng| {
            let q = query(rng);
            let c = code(i);
            let v = &verifier;
            async move { v.verify(&c?, &q, today).await.map_err(anyhow::Error::from) }
        };
        for i in 0..40 {
            ask(i * 13 % 600, &mut rng).await?;
        }
        for i in 0..10 {
            ask(i * 13 % 600, &mut rng).await?;
        }
        for _ in 0..7 {
            ask(599, &mut rng).await?;
        }
        for i in [800, 801, 802, 650, 651, 720] {
            ask(i, &mut rng).await?;
        }
        for _ in 0..3 {
            let body: String = (0..17)
                .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                .collect();
            let first19 = format!("{}{body}", space.node());
            let digits: Vec<u8> = first19.bytes().map(|b| b - b'0').collect();
            let typed = format!("{first19}{}", damm::check_digit(&digits));
            if let Ok(c) = SupervisionCode::parse(&typed) {
                verifier.verify(&c, &query(&mut rng), today).await?;
            }
        }
    }
    Ok(())
}
