//! Demo flow data: a distribution network in Hebei (each demo maker's plant, three
//! distribution centres, a dozen shops across the cities, all named) and the EPCIS
//! events of each maker's first batch — commissioning case by case, packing into cases,
//! shipping to the centres, receiving, unpacking, shipping on to the shops, receipts
//! (a few still in transit) and sales — so traces, recall reach, the event browser and
//! the dossier have something to show. Food batches also carry their origin and
//! additives, and a transformation from two supplier lots.

use anyhow::Context;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use zhijian_core::access::{Principal, Role};
use zhijian_core::region::RegionCode;
use zhijian_epcis::identifier::Identifier;
use zhijian_store::Store;
use zhijian_store::gs1_master::{LocationKind, NewLocation};

/// The distribution centres: (location ref, name, region).
const CENTRES: &[(u32, &str, &str)] = &[
    (1, "冀中物流石家庄配送中心", "130104"),
    (2, "冀东商贸唐山配送中心", "130203"),
    (3, "保定万家物流中心", "130606"),
];

/// The shops: (location ref, name, region).
const SHOPS: &[(u32, &str, &str)] = &[
    (1, "长安区万佳超市", "130102"),
    (2, "桥西区便民超市", "130104"),
    (3, "裕华区惠民生活超市", "130108"),
    (4, "路南区家乐超市", "130202"),
    (5, "路北区鑫隆商店", "130203"),
    (6, "海港区东方超市", "130302"),
    (7, "邯山区百惠超市", "130402"),
    (8, "桥东区新世纪商场", "130502"),
    (9, "竞秀区直隶超市", "130602"),
    (10, "莲池区北国超市", "130606"),
    (11, "桥西区信誉楼", "130702"),
    (12, "运河区华联超市", "130902"),
];

fn admin() -> Principal {
    Principal {
        user_id: 0,
        username: "demo".into(),
        role: Role::Admin,
        org_id: None,
        region: RegionCode::NATIONAL,
    }
}

fn canonical(urn: &str) -> anyhow::Result<String> {
    Ok(Identifier::parse(urn)
        .with_context(|| format!("the demo identifier {urn}"))?
        .canonical())
}

/// An ObjectEvent at `place` (with `to`, a shipment from there to there), as the demo
/// and the benchmark network write them.
pub(crate) fn object_event(
    time: String,
    step: &str,
    disposition: &str,
    epcs: Vec<String>,
    place: &str,
    to: Option<&str>,
) -> Value {
    let mut e = json!({"type": "ObjectEvent", "action": if step == "commissioning" { "ADD" } else { "OBSERVE" },
        "eventTime": time, "eventTimeZoneOffset": "+08:00", "epcList": epcs, "bizStep": step,
        "disposition": disposition, "bizLocation": {"id": place}});
    if let Some(to) = to {
        e["sourceList"] = json!([{"type": "location", "source": place}]);
        e["destinationList"] = json!([{"type": "location", "destination": to}]);
    }
    e
}

/// One maker's first batch, as the codes demo left it.
struct DemoBatch {
    maker: i64,
    lot: String,
    first: u64,
    units: u64,
    gtin: Option<String>,
    food: bool,
    region: String,
}

async fn batches(store: &Store) -> anyhow::Result<Vec<DemoBatch>> {
    let rows = store
        .db()
        .fetch_all(
            "SELECT b.enterprise_id, b.lot, a.first_index, a.quantity, p.gtin, p.category, o.region \
             FROM batches b JOIN activations a ON a.batch_id = b.id JOIN products p ON p.id = b.product_id \
             JOIN organisations o ON o.id = b.enterprise_id WHERE b.lot LIKE '%A' AND b.status = 'active' ORDER BY b.id",
            &[],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(DemoBatch {
                maker: r.int(0)?,
                lot: r.text(1)?,
                first: r.int(2)? as u64,
                units: r.int(3)? as u64,
                gtin: r.opt_text(4)?,
                food: zhijian_core::catalogue::category(&r.text(5)?)
                    .is_some_and(|c| c.kind == zhijian_core::catalogue::CatalogueKind::Food),
                region: r.text(6)?,
            })
        })
        .collect()
}

/// Registers the network and captures each maker's first batch's flow.
pub async fn generate(store: &Store, seed: u64) -> anyhow::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xF10E);
    let admin = admin();
    let scoped = store.scoped(&admin);
    let place = |prefix: &str, n: u32| format!("urn:epc:id:sgln:{prefix}.{n:05}.0");
    for (n, name, region) in CENTRES {
        scoped
            .add_location(&NewLocation {
                identifier: canonical(&place("6950000", *n))?,
                name: (*name).into(),
                kind: LocationKind::Distributor,
                region: RegionCode::parse(region)?,
            })
            .await?;
    }
    for (n, name, region) in SHOPS {
        scoped
            .add_location(&NewLocation {
                identifier: canonical(&place("6960000", *n))?,
                name: (*name).into(),
                kind: LocationKind::Shop,
                region: RegionCode::parse(region)?,
            })
            .await?;
    }
    let space = store.code_space()?.clone();
    for (m, batch) in batches(store).await?.into_iter().enumerate() {
        let prefix = format!("69{:05}", 10_000 + m);
        store.add_gs1_prefix("demo", batch.maker, &prefix).await?;
        let plant = place(&prefix, 1);
        let maker = store
            .organisation(batch.maker)
            .await?
            .context("a demo maker")?;
        scoped
            .add_location(&NewLocation {
                identifier: canonical(&plant)?,
                name: format!(
                    "{}一厂",
                    maker
                        .name
                        .trim_end_matches("有限公司")
                        .trim_end_matches("有限责任公司")
                ),
                kind: LocationKind::Maker,
                region: RegionCode::parse(&batch.region)?,
            })
            .await?;
        let unit = |i: u64| -> anyhow::Result<String> {
            let code = space.encode(batch.first + i)?;
            Ok(match &batch.gtin {
                Some(gtin) => format!("https://id.gs1.org/01/{gtin:0>14}/21/{code}"),
                None => format!("urn:zhijian:code:{code}"),
            })
        };
        let start = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 30);
        let at = |hours: f64| {
            (start + jiff::SignedDuration::from_secs_f64(hours * 3600.0))
                .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string()
        };
        let object = |hours: f64,
                      step: &str,
                      disposition: &str,
                      epcs: Vec<String>,
                      place: &str,
                      to: Option<&str>| {
            crate::demo_flow::object_event(at(hours), step, disposition, epcs, place, to)
        };
        let mut events: Vec<(f64, Value)> = Vec::new();
        if batch.food
            && let Some(gtin) = &batch.gtin
        {
            // The lot made from two supplier lots, with its origin and additives.
            let lgtin = format!("https://id.gs1.org/01/{gtin:0>14}/10/{}", batch.lot);
            events.push((0.0, json!({"type": "TransformationEvent", "eventTime": at(0.0), "eventTimeZoneOffset": "+08:00",
                "inputQuantityList": [
                    {"epcClass": "urn:epc:class:lgtin:6901234.001234.RM2611A", "quantity": 1200, "uom": "KGM"},
                    {"epcClass": "urn:epc:class:lgtin:6905678.005678.S2610", "quantity": 18, "uom": "KGM"}],
                "outputQuantityList": [{"epcClass": lgtin, "quantity": batch.units}],
                "bizStep": "commissioning", "bizLocation": {"id": plant},
                "ilmd": {"zj:origin": {"country": "CN", "region": "内蒙古呼和浩特", "farm": "敕勒川一号牧场"},
                         "zj:formula": format!("配方 {}", batch.lot),
                         "zj:additives": [{"name": "卡拉胶", "function": "增稠剂", "amount": "0.2 g/kg"}]}})));
        }
        let cases = batch.units / 24;
        let mut loose = Vec::new();
        for c in 0..cases {
            let ids = (0..24)
                .map(|k| unit(c * 24 + k))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let case = format!("urn:epc:id:sscc:{prefix}.{:010}", c + 1);
            let (cn, _, _) = CENTRES[(c as usize + m) % CENTRES.len()];
            let centre = place("6950000", cn);
            let h = 1.0 + c as f64 * 0.05;
            events.push((
                h,
                object(h, "commissioning", "active", ids.clone(), &plant, None),
            ));
            events.push((h + 0.5, json!({"type": "AggregationEvent", "action": "ADD", "eventTime": at(h + 0.5),
                "eventTimeZoneOffset": "+08:00", "parentID": case, "childEPCs": ids, "bizStep": "packing",
                "disposition": "in_progress", "bizLocation": {"id": plant}})));
            if c + 2 >= cases {
                continue; // The last cases stay at the plant.
            }
            events.push((
                h + 24.0,
                object(
                    h + 24.0,
                    "shipping",
                    "in_transit",
                    vec![case.clone()],
                    &plant,
                    Some(&centre),
                ),
            ));
            events.push((
                h + 40.0,
                object(
                    h + 40.0,
                    "receiving",
                    "in_progress",
                    vec![case.clone()],
                    &centre,
                    None,
                ),
            ));
            events.push((h + 41.0, json!({"type": "AggregationEvent", "action": "DELETE", "eventTime": at(h + 41.0),
                "eventTimeZoneOffset": "+08:00", "parentID": case, "bizStep": "unpacking", "bizLocation": {"id": centre}})));
            loose.extend((0..24).map(|k| (c * 24 + k, centre.clone(), h + 41.0)));
        }
        for leg in loose.chunks(6) {
            let (sn, _, _) = SHOPS[rng.random_range(0..SHOPS.len())];
            let shop = place("6960000", sn);
            let ids = leg
                .iter()
                .map(|(i, _, _)| unit(*i))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let h = leg[0].2 + rng.random_range(24.0..240.0);
            events.push((
                h,
                object(
                    h,
                    "shipping",
                    "in_transit",
                    ids.clone(),
                    &leg[0].1,
                    Some(&shop),
                ),
            ));
            if rng.random_bool(0.9) {
                events.push((
                    h + 20.0,
                    object(
                        h + 20.0,
                        "receiving",
                        "sellable_accessible",
                        ids.clone(),
                        &shop,
                        None,
                    ),
                ));
                for id in ids {
                    if rng.random_bool(0.4) {
                        let s = h + rng.random_range(30.0..400.0);
                        events.push((
                            s,
                            object(s, "retail_selling", "retail_sold", vec![id], &shop, None),
                        ));
                    }
                }
            }
        }
        events.sort_by(|a, b| a.0.total_cmp(&b.0));
        let list: Vec<Value> = events.into_iter().map(|(_, e)| e).collect();
        let document = json!({"@context": [zhijian_epcis::CONTEXT, {"zj": "https://zhijian.dev/epcis/"}],
            "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": at(720.0),
            "epcisBody": {"eventList": list}});
        let read = zhijian_epcis::read_document(document)
            .map_err(|r| anyhow::anyhow!("the demo flow document was refused: {r}"))?;
        store
            .capture(
                "demo",
                Some(batch.maker),
                Some(&batch.region),
                &read.events,
                &read.namespaces,
            )
            .await?;
    }
    Ok(())
}
