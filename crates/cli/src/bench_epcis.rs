//! `zhijian bench epcis …`: EPCIS capture throughput, and traces over a national-size
//! network of events.
//!
//! `capture` sends documents of 1 000 shipping events (each naming four coded units,
//! a source, a destination and a despatch advice) through the capture endpoint of an
//! in-process router — reading, checking, resolving codes, storing and deriving moves —
//! and reports events per second.
//!
//! `network` builds (once; it is kept in the node's database) a supply chain of
//! `--batches` batches made by the node's enterprises, packed 24 to a case, shipped to
//! 500 distributors, unpacked and shipped on to `--shops` shops four units at a time,
//! 70 % of units sold one by one — `--events-per-batch` events a batch — through the
//! store's capture path; then times forward traces of random batches, backward traces of
//! random units and `MATCH_epc` queries through the HTTP handlers.

use std::time::Instant;

use anyhow::Context;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use jiff::civil::date;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use tower::ServiceExt;
use zhijian_core::access::{OrgKind, Principal, Role};
use zhijian_core::code::list::IndexRange;
use zhijian_core::page::Page;
use zhijian_core::region::RegionCode;
use zhijian_store::Store;
use zhijian_store::codes::NewBatch;
use zhijian_store::enterprises::EnterpriseFilter;
use zhijian_store::identity::{Membership, NewUser};

use crate::config::NodeFlags;

/// The `bench epcis` subcommands.
#[derive(clap::Subcommand)]
pub enum EpcisBench {
    /// Capture throughput: documents of 1 000 events through `POST /epcis/capture`.
    Capture {
        #[command(flatten)]
        node: NodeFlags,
        /// How many documents to send.
        #[arg(long, default_value_t = 20)]
        documents: usize,
        /// Events in each document.
        #[arg(long, default_value_t = 1_000)]
        events: usize,
        /// Documents sent at once (as clients that do not wait for one answer before
        /// sending the next): while one is stored, the next is read and checked.
        #[arg(long, default_value_t = 1)]
        in_flight: usize,
    },
    /// Build the trace network (once) and time traces and queries over it.
    Network {
        #[command(flatten)]
        node: NodeFlags,
        /// Batches in the network.
        #[arg(long, default_value_t = 1_000)]
        batches: usize,
        /// Shops the distributors supply.
        #[arg(long, default_value_t = 50_000)]
        shops: usize,
        /// Events per batch (about: units are sized to give this many).
        #[arg(long, default_value_t = 10_000)]
        events_per_batch: usize,
        /// Requests timed per kind.
        #[arg(long, default_value_t = 1_000)]
        samples: usize,
        /// Recalls timed, each of one batch not yet recalled (they stay in the network).
        #[arg(long, default_value_t = 20)]
        recalls: usize,
        /// Seed of the network and of the samples.
        #[arg(long, default_value_t = 11)]
        seed: u64,
    },
}

/// Runs an `epcis` benchmark.
pub async fn run(command: EpcisBench) -> anyhow::Result<()> {
    match command {
        EpcisBench::Capture {
            node,
            documents,
            events,
            in_flight,
        } => capture(&node, documents, events, in_flight).await,
        EpcisBench::Network {
            node,
            batches,
            shops,
            events_per_batch,
            samples,
            recalls,
            seed,
        } => {
            let sizes = Sizes {
                batches,
                shops,
                events_per_batch,
                samples,
                recalls,
            };
            network(&node, sizes, seed).await
        }
    }
}

fn principal(username: &str, role: Role, org_id: Option<i64>, region: RegionCode) -> Principal {
    Principal {
        user_id: 0,
        username: username.into(),
        role,
        org_id,
        region,
    }
}

/// A maker: its credit code, product, the product's GTIN, a principal acting for it.
struct Maker {
    uscc: String,
    product: i64,
    gtin: Option<String>,
    user: Principal,
}

/// The node's enterprises with a product, up to 100 (run `zhijian demo --no-serve` first).
async fn makers(store: &Store) -> anyhow::Result<Vec<Maker>> {
    let admin = principal("bench", Role::Admin, None, RegionCode::NATIONAL);
    let listed = store
        .scoped(&admin)
        .list_enterprises(&EnterpriseFilter::default(), Page::new(Some(1), Some(300))?)
        .await?;
    let mut makers = Vec::new();
    for e in listed.items {
        let Some(archive) = store.scoped(&admin).archive(&e.uscc).await? else {
            continue;
        };
        let Some(p) = archive
            .products
            .iter()
            .find(|p| p.gtin.is_some())
            .or(archive.products.first())
        else {
            continue;
        };
        let region = RegionCode::parse(&e.region).unwrap_or(RegionCode::NATIONAL);
        makers.push(Maker {
            uscc: e.uscc.clone(),
            product: p.id,
            gtin: p.gtin.clone(),
            user: principal(
                "bench-maker",
                Role::Enterprise,
                Some(archive.org_id),
                region,
            ),
        });
        if makers.len() == 100 {
            break;
        }
    }
    anyhow::ensure!(
        !makers.is_empty(),
        "no enterprise has a product (run `zhijian demo --no-serve` first)"
    );
    Ok(makers)
}

/// Issues, prints and activates `count` codes of a maker's product as one batch; returns
/// the first code index.
async fn coded_batch(store: &Store, maker: &Maker, lot: &str, count: u64) -> anyhow::Result<u64> {
    let printer = store
        .organisations_of_kind(OrgKind::Printer)
        .await?
        .into_iter()
        .next()
        .context("no printer is registered (run `zhijian demo --no-serve` first)")?;
    let printer_uscc = printer
        .uscc
        .clone()
        .context("the printer has no credit code")?;
    let printer_user = principal(
        "bench-printer",
        Role::Printer,
        Some(printer.id),
        RegionCode::parse(&printer.region).unwrap_or(RegionCode::NATIONAL),
    );
    let segment = store
        .issue_codes(&maker.uscc, maker.product, count as i64, "bench")
        .await?;
    let scoped = store.scoped(&maker.user);
    let job = scoped
        .create_print_job(segment.id, &printer_uscc, None, None)
        .await?;
    store
        .scoped(&printer_user)
        .confirm_print_job(job.id, count as i64, 0)
        .await?;
    let batch = NewBatch {
        lot: lot.to_owned(),
        production_date: date(2026, 1, 1),
        expiry_date: Some(date(2099, 12, 31)),
        inspection_report: None,
    };
    scoped
        .activate(
            &batch,
            &[IndexRange {
                first: segment.first_index as u64,
                count,
            }],
        )
        .await?;
    Ok(segment.first_index as u64)
}

/// A unit's identifier as events carry it: the SGTIN when the product has a GTIN.
fn unit_id(store: &Store, gtin: Option<&str>, index: u64) -> anyhow::Result<String> {
    let code = store.code_space()?.encode(index)?;
    Ok(match gtin {
        Some(gtin) => format!("https://id.gs1.org/01/{gtin:0>14}/21/{code}"),
        None => format!("urn:zhijian:code:{code}"),
    })
}

/// An admin router and bearer token over the store.
async fn router(
    store: &Store,
    config: zhijian_server::config::Config,
) -> anyhow::Result<(axum::Router, String)> {
    let name = "bench-admin";
    if store.principal_by_username(name).await?.is_none() {
        store
            .create_user(
                &NewUser {
                    username: name.into(),
                    password: "bench-admin-password".into(),
                    role: Role::Admin,
                    membership: Membership::None,
                    display_name: None,
                },
                "bench",
            )
            .await?;
    }
    let token = store.create_token(name, "bench", "bench").await?;
    let config = zhijian_server::config::Config {
        verify_rate_limit: 0,
        ..config
    };
    let state = zhijian_server::state::AppState::new(store.clone(), config)?;
    Ok((zhijian_server::router(state), token))
}

async fn call(
    app: &axum::Router,
    token: &str,
    method: &str,
    uri: &str,
    body: Vec<u8>,
) -> anyhow::Result<(StatusCode, Vec<u8>)> {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/ld+json")
        .body(Body::from(body))?;
    let res = app.clone().oneshot(req).await?;
    let status = res.status();
    Ok((status, res.into_body().collect().await?.to_bytes().to_vec()))
}

fn document(events: Vec<Value>) -> Value {
    json!({"@context": zhijian_epcis::CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0",
           "creationDate": "2026-12-01T00:00:00Z", "epcisBody": {"eventList": events}})
}

fn sgln(prefix: &str, n: usize) -> String {
    format!("urn:epc:id:sgln:{prefix}.{n:06}.0")
}

async fn capture(
    node: &NodeFlags,
    documents: usize,
    events: usize,
    in_flight: usize,
) -> anyhow::Result<()> {
    let (store, config) = crate::codes::open(node).await?;
    // RUST_LOG=zhijian_store::epcis=debug shows where each capture's time goes.
    crate::node::init_logging(&config);
    let makers = makers(&store).await?;
    let maker = &makers[0];
    let units = (documents * events * 4) as u64;
    let stamp = jiff::Timestamp::now().as_second();
    let first = coded_batch(&store, maker, &format!("CAP{stamp}"), units).await?;
    let (app, token) = router(&store, config).await?;
    let mut bodies = Vec::with_capacity(documents);
    let mut next = first;
    for d in 0..documents {
        let mut list = Vec::with_capacity(events);
        for e in 0..events {
            let epcs = (0..4)
                .map(|k| unit_id(&store, maker.gtin.as_deref(), next + k))
                .collect::<anyhow::Result<Vec<_>>>()?;
            next += 4;
            let (from, to) = (sgln("694000", d), sgln("696000", e));
            list.push(json!({"type": "ObjectEvent", "action": "OBSERVE",
                "eventTime": format!("2026-11-{:02}T{:02}:{:02}:00+08:00", 1 + d % 28, e / 60 % 24, e % 60),
                "eventTimeZoneOffset": "+08:00", "epcList": epcs, "bizStep": "shipping", "disposition": "in_transit",
                "bizLocation": {"id": from},
                "bizTransactionList": [{"type": "desadv", "bizTransaction": format!("urn:zhijian:desadv:{stamp}-{d}-{e}")}],
                "sourceList": [{"type": "location", "source": from}],
                "destinationList": [{"type": "location", "destination": to}]}));
        }
        bodies.push(document(list).to_string().into_bytes());
    }
    let engine = format!("{:?}", store.engine());
    let started = Instant::now();
    let mut per_doc = Vec::with_capacity(documents);
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(in_flight.max(1)));
    let mut sent = tokio::task::JoinSet::new();
    for body in bodies {
        let slot = slots.clone().acquire_owned().await?;
        let (app, token) = (app.clone(), token.clone());
        sent.spawn(async move {
            let _slot = slot;
            let t = Instant::now();
            let (status, answer) = call(&app, &token, "POST", "/epcis/capture", body).await?;
            anyhow::ensure!(
                status == StatusCode::ACCEPTED,
                "capture answered {status}: {}",
                String::from_utf8_lossy(&answer)
            );
            let job: Value = serde_json::from_slice(&answer)?;
            anyhow::ensure!(job["success"] == true, "capture failed: {job}");
            Ok(t.elapsed().as_secs_f64())
        });
    }
    while let Some(took) = sent.join_next().await {
        per_doc.push(took??);
    }
    let total = started.elapsed().as_secs_f64();
    per_doc.sort_by(f64::total_cmp);
    println!(
        "{engine}: {documents} documents of {events} events ({in_flight} at once) in {total:.2} s: {:.0} events/s (a document: median {:.0} ms, slowest {:.0} ms)",
        (documents * events) as f64 / total,
        per_doc[per_doc.len() / 2] * 1000.0,
        per_doc[per_doc.len() - 1] * 1000.0
    );
    Ok(())
}

/// Percentiles of latencies in milliseconds.
fn report(what: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    let pick = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{what} ({} requests): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms.len(),
        pick(0.5),
        pick(0.99),
        pick(1.0)
    );
}

/// One batch of the network: its maker, lot, first code index and units.
struct NetBatch {
    maker: usize,
    lot: String,
    first: u64,
    units: u64,
}

/// The network benchmark's sizes.
struct Sizes {
    batches: usize,
    shops: usize,
    events_per_batch: usize,
    samples: usize,
    recalls: usize,
}

async fn network(node: &NodeFlags, sizes: Sizes, seed: u64) -> anyhow::Result<()> {
    let Sizes {
        batches,
        shops,
        events_per_batch,
        samples,
        recalls,
    } = sizes;
    anyhow::ensure!(
        batches > 0 && shops > 0 && events_per_batch >= 100,
        "--batches, --shops must be positive, --events-per-batch at least 100"
    );
    let (store, config) = crate::codes::open(node).await?;
    // RUST_LOG=zhijian_store::trace=debug shows where each forward trace's time goes.
    crate::node::init_logging(&config);
    let makers = makers(&store).await?;
    // Per unit: 5/24 case events, 1/2 shop legs (shipments and receipts of four units),
    // 0.7 sales.
    let units = ((events_per_batch as f64 / (5.0 / 24.0 + 0.5 + 0.7)) as u64 / 24 * 24).max(24);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut net = Vec::with_capacity(batches);
    let existing = store.db().fetch_all("SELECT b.lot, a.first_index, a.quantity FROM batches b JOIN activations a ON a.batch_id = b.id WHERE b.lot LIKE 'TR%' ORDER BY b.lot", &[]).await?;
    // A network built before (or in part, by an interrupted run) is kept and completed.
    for row in existing.iter().take(batches) {
        let lot = row.text(0)?;
        let n: usize = lot[2..].parse().unwrap_or(0);
        net.push(NetBatch {
            maker: n % makers.len(),
            lot,
            first: row.int(1)? as u64,
            units: row.int(2)? as u64,
        });
    }
    if net.len() < batches {
        build(&store, &makers, batches, shops, units, &mut rng, &mut net).await?;
    } else {
        println!("the network exists: {batches} batches");
    }
    let events = store
        .db()
        .fetch_one("SELECT COUNT(*) FROM epcis_events", &[])
        .await?
        .int(0)?;
    let moves = store
        .db()
        .fetch_one("SELECT COUNT(*) FROM batch_moves", &[])
        .await?
        .int(0)?;
    println!("{:?}: {events} events, {moves} batch moves", store.engine());

    let (app, token) = router(&store, config).await?;
    let mut forward = Vec::with_capacity(samples);
    for _ in 0..samples {
        let b = &net[rng.random_range(0..net.len())];
        let uri = format!("/api/v1/trace/batch/{}/{}", makers[b.maker].product, b.lot);
        let t = Instant::now();
        let (status, body) = call(&app, &token, "GET", &uri, Vec::new()).await?;
        forward.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(
            status == StatusCode::OK,
            "{uri}: {status} {}",
            String::from_utf8_lossy(&body)
        );
    }
    report("forward trace of a batch", forward);
    let mut backward = Vec::with_capacity(samples);
    let mut matched = Vec::with_capacity(samples);
    for _ in 0..samples {
        let b = &net[rng.random_range(0..net.len())];
        let index = b.first + rng.random_range(0..b.units);
        let code = store.code_space()?.encode(index)?;
        let t = Instant::now();
        let (status, body) = call(
            &app,
            &token,
            "GET",
            &format!("/api/v1/trace/code/{code}"),
            Vec::new(),
        )
        .await?;
        backward.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(
            status == StatusCode::OK,
            "trace {code}: {status} {}",
            String::from_utf8_lossy(&body)
        );
        let id = unit_id(&store, makers[b.maker].gtin.as_deref(), index)?;
        let uri = format!(
            "/epcis/events?MATCH_epc={}",
            form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
        );
        let t = Instant::now();
        let (status, body) = call(&app, &token, "GET", &uri, Vec::new()).await?;
        matched.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(status == StatusCode::OK, "{uri}: {status}");
        let found: Value = serde_json::from_slice(&body)?;
        anyhow::ensure!(
            found["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
                .as_array()
                .is_some_and(|l| !l.is_empty()),
            "{uri} found nothing"
        );
    }
    report("backward trace of a unit", backward);
    report("MATCH_epc for a unit", matched);

    // Recalls ordered by the admin: from the request to every place told (the parties
    // and their notifications are written in the recall's own transaction).
    let open: std::collections::HashSet<String> = store
        .db()
        .fetch_all(
            "SELECT lot FROM batches WHERE lot LIKE 'TR%' AND status = 'active'",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.text(0))
        .collect::<Result<_, _>>()?;
    let mut candidates: Vec<&NetBatch> = net.iter().filter(|b| open.contains(&b.lot)).collect();
    candidates.shuffle(&mut rng);
    let mut timed = Vec::with_capacity(recalls);
    let mut told = 0;
    for b in candidates.into_iter().take(recalls) {
        let body = json!({"product_id": makers[b.maker].product, "lots": [b.lot], "risk_class": "II",
                          "reason": "bench: a defect found in this lot"});
        let t = Instant::now();
        let (status, answer) = call(
            &app,
            &token,
            "POST",
            "/api/v1/recalls",
            body.to_string().into_bytes(),
        )
        .await?;
        timed.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(
            status == StatusCode::CREATED,
            "recall of {}: {status} {}",
            b.lot,
            String::from_utf8_lossy(&answer)
        );
        let answer: Value = serde_json::from_slice(&answer)?;
        told += answer["parties"].as_array().map_or(0, Vec::len);
    }
    if timed.is_empty() {
        println!("no batch left to recall");
    } else {
        println!("recalls: {} places told on average", told / timed.len());
        report("recall of a batch until every place is told", timed);
    }
    Ok(())
}

/// Builds the network through the store's capture path, a batch at a time.
async fn build(
    store: &Store,
    makers: &[Maker],
    batches: usize,
    shops: usize,
    units: u64,
    rng: &mut ChaCha8Rng,
    net: &mut Vec<NetBatch>,
) -> anyhow::Result<()> {
    const DISTRIBUTORS: usize = 500;
    let started = Instant::now();
    let start = net.len();
    let bar = crate::bench::progress((batches - start) as u64, "batches");
    let mut total = 0usize;
    for b in start..batches {
        let maker = b % makers.len();
        let lot = format!("TR{b:05}");
        let first = coded_batch(store, &makers[maker], &lot, units).await?;
        let gtin = makers[maker].gtin.as_deref();
        let plant = sgln("694000", maker);
        let base = jiff::Timestamp::from_second(1_767_225_600 + b as i64 * 8 * 3600)?;
        let at = |hours: f64| -> String {
            let t = base
                .checked_add(jiff::SignedDuration::from_secs_f64(hours * 3600.0))
                .unwrap_or(base);
            t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
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
        let case_count = units / 24;
        let region_distributors: Vec<usize> =
            (0..5).map(|_| rng.random_range(0..DISTRIBUTORS)).collect();
        let mut loose: Vec<(u64, usize, f64)> = Vec::new();
        for c in 0..case_count {
            let ids = (0..24)
                .map(|k| unit_id(store, gtin, first + c * 24 + k))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let case = format!("urn:epc:id:sscc:694000.{:011}", b as u64 * 100_000 + c);
            let dc_n = region_distributors[rng.random_range(0..region_distributors.len())];
            let dc = sgln("695000", dc_n);
            let h = c as f64 * 0.01;
            events.push((
                h,
                object(h, "commissioning", "active", ids.clone(), &plant, None),
            ));
            events.push((h + 0.5, json!({"type": "AggregationEvent", "action": "ADD", "eventTime": at(h + 0.5), "eventTimeZoneOffset": "+08:00",
                "parentID": case, "childEPCs": ids, "bizStep": "packing", "disposition": "in_progress", "bizLocation": {"id": plant}})));
            events.push((
                h + 24.0,
                object(
                    h + 24.0,
                    "shipping",
                    "in_transit",
                    vec![case.clone()],
                    &plant,
                    Some(&dc),
                ),
            ));
            events.push((
                h + 48.0,
                object(
                    h + 48.0,
                    "receiving",
                    "in_progress",
                    vec![case.clone()],
                    &dc,
                    None,
                ),
            ));
            events.push((h + 49.0, json!({"type": "AggregationEvent", "action": "DELETE", "eventTime": at(h + 49.0), "eventTimeZoneOffset": "+08:00",
                "parentID": case, "bizStep": "unpacking", "bizLocation": {"id": dc}})));
            for k in 0..24 {
                loose.push((first + c * 24 + k, dc_n, h + 49.0));
            }
        }
        for leg in loose.chunks(4) {
            let shop = sgln("696000", rng.random_range(0..shops));
            let dc = sgln("695000", leg[0].1);
            let ids = leg
                .iter()
                .map(|(i, _, _)| unit_id(store, gtin, *i))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let h = leg[0].2 + rng.random_range(24.0..240.0);
            events.push((
                h,
                object(h, "shipping", "in_transit", ids.clone(), &dc, Some(&shop)),
            ));
            events.push((
                h + 24.0,
                object(
                    h + 24.0,
                    "receiving",
                    "sellable_accessible",
                    ids.clone(),
                    &shop,
                    None,
                ),
            ));
            for id in ids {
                if rng.random_bool(0.7) {
                    let s = h + rng.random_range(48.0..1440.0);
                    events.push((
                        s,
                        object(s, "retail_selling", "retail_sold", vec![id], &shop, None),
                    ));
                }
            }
        }
        events.sort_by(|a, b| a.0.total_cmp(&b.0));
        total += events.len();
        let list: Vec<Value> = events.into_iter().map(|(_, e)| e).collect();
        for chunk in list.chunks(1_000) {
            let document = zhijian_epcis::read_document(document(chunk.to_vec()))
                .map_err(|r| anyhow::anyhow!("a generated document was refused: {r}"))?;
            store
                .capture("bench", None, None, &document.events, &document.namespaces)
                .await?;
        }
        net.push(NetBatch {
            maker,
            lot,
            first,
            units,
        });
        bar.inc(1);
    }
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "built {} batches of {units} units: {total} events in {secs:.0} s ({:.0} events/s)",
        batches - start,
        total as f64 / secs
    );
    Ok(())
}
