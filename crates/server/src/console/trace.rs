//! Traces in the console (`/console/trace`): a unit's timeline by its code, a batch's
//! places as a table and a graph of parties (with CSV and Excel downloads), what a batch
//! was made of, and the reach of a recall — the same store calls as the trace API.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use zhijian_core::code::SupervisionCode;
use zhijian_store::trace::{BatchKey, Holder, RecallScope};

use super::{ConsoleUser, Layout, respond, shanghai_text};
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

/// The page's parameters: a code, or a product and lot (and a direction), or a product
/// and lots for a recall's reach.
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    code: Option<String>,
    product: Option<String>,
    lot: Option<String>,
    direction: Option<String>,
    lots: Option<String>,
}

struct StepRow {
    time: String,
    step: String,
    disposition: String,
    place: String,
    via: String,
    event_href: String,
}

struct UnitView {
    identifier: String,
    batch: String,
    status: String,
    status_class: &'static str,
    place: String,
    steps: Vec<StepRow>,
}

struct PlaceRow {
    name: String,
    id: String,
    kind: String,
    produced: String,
    received: String,
    shipped: String,
    sold: String,
    in_transit: String,
    holding: String,
    last: String,
}

struct BatchView {
    title: String,
    rows: Vec<PlaceRow>,
    graph: String,
    totals: String,
    csv: String,
    xlsx: String,
}

struct InputRow {
    identifier: String,
    lot: String,
    quantity: String,
    supplier: String,
    time: String,
}

#[derive(Template)]
#[template(path = "trace.html")]
struct Page {
    l: Layout,
    zh: bool,
    code: String,
    product: String,
    lot: String,
    lots: String,
    backward: bool,
    unit: Option<UnitView>,
    batch: Option<BatchView>,
    inputs: Option<(String, Vec<InputRow>)>,
    reach: Option<BatchView>,
    error: Option<String>,
}

fn number(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n:.2}")
    }
}

fn status_label(lang: Lang, status: &str) -> (String, &'static str) {
    let (zh, en, class) = match status {
        "made" => ("已生产", "made", "tone-info"),
        "in_stock" => ("在库", "in stock", "tone-ok"),
        "in_transit" => ("在途", "in transit", "tone-warn"),
        "sold" => ("已售出", "sold", "tone-ok"),
        "decommissioned" => ("已注销", "decommissioned", "badge-closed"),
        "recalled" => ("已召回", "recalled", "tone-bad"),
        _ => ("未知", "unknown", "badge-closed"),
    };
    (lang.pick(zh, en).to_owned(), class)
}

/// A kind of place (maker, distributor, shop, …) in words.
pub(crate) fn place_kind_label(lang: Lang, kind: &str) -> String {
    let (zh, en) = match kind {
        "maker" => ("生产企业", "maker"),
        "distributor" => ("经销商", "distributor"),
        "shop" => ("门店", "shop"),
        "warehouse" => ("仓库", "warehouse"),
        "party" => ("交易方", "party"),
        "" => ("", ""),
        _ => ("其他", "other"),
    };
    lang.pick(zh, en).to_owned()
}

fn place_rows(lang: Lang, holders: &[Holder]) -> Vec<PlaceRow> {
    holders
        .iter()
        .map(|h| PlaceRow {
            name: h.name.clone().unwrap_or_default(),
            id: h.location.clone(),
            kind: place_kind_label(lang, h.kind.as_deref().unwrap_or("")),
            produced: number(h.produced),
            received: number(h.received),
            shipped: number(h.shipped),
            sold: number(h.sold),
            in_transit: number(h.in_transit),
            holding: number(h.holding),
            last: shanghai_text(&h.last_at),
        })
        .collect()
}

fn totals_text(lang: Lang, t: &zhijian_store::trace::Totals) -> String {
    match lang {
        Lang::Zh => format!(
            "生产 {}，售出 {}，注销 {}，在途 {}，链上持有 {}；到达 {} 个地点",
            number(t.produced),
            number(t.sold),
            number(t.decommissioned),
            number(t.in_transit),
            number(t.holding),
            t.places_reached
        ),
        Lang::En => format!(
            "{} made, {} sold, {} decommissioned, {} in transit, {} held in the chain; {} places reached",
            number(t.produced),
            number(t.sold),
            number(t.decommissioned),
            number(t.in_transit),
            number(t.holding),
            t.places_reached
        ),
    }
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn batch_key(product: &str, lot: &str) -> Result<BatchKey, ApiError> {
    let product = product.trim();
    if (8..=14).contains(&product.len()) && product.bytes().all(|b| b.is_ascii_digit()) {
        Ok(BatchKey::Gtin(product.to_owned(), lot.trim().to_owned()))
    } else {
        product
            .parse()
            .map(|id| BatchKey::Product(id, lot.trim().to_owned()))
            .map_err(|_| {
                ApiError::invalid(
                    "product",
                    "product",
                    "name the product by its GTIN (8–14 digits) or its id",
                )
            })
    }
}

/// `GET /console/trace` (bureaus, admins, enterprises for their own batches).
pub async fn page(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    params: Result<Query<Params>, QueryRejection>,
) -> Response {
    let lang = user.lang;
    let p = params.map(|Query(p)| p).unwrap_or_default();
    let scoped = state.store.scoped(&user.principal);
    let (l, shown) = user.framed(lang.pick("追溯", "Trace"), "trace", &headers);
    let mut view = Page {
        l,
        zh: lang == Lang::Zh,
        code: p.code.clone().unwrap_or_default(),
        product: p.product.clone().unwrap_or_default(),
        lot: p.lot.clone().unwrap_or_default(),
        lots: p.lots.clone().unwrap_or_default(),
        backward: p.direction.as_deref() == Some("backward"),
        unit: None,
        batch: None,
        inputs: None,
        reach: None,
        error: None,
    };
    let found: Result<(), ApiError> = async {
        let code = view.code.trim().to_owned();
        if !code.is_empty() {
            let parsed = SupervisionCode::parse(&code)
                .map_err(|e| ApiError::invalid(e.code(), "code", e.to_string()))?;
            let (identifier, _) = state
                .store
                .canonical_code(&code)
                .await?
                .map_err(|m| ApiError::invalid("code_unknown", "code", m))?;
            let batch = state.store.batch_of_code(&parsed).await?;
            let t = scoped.trace_unit(&identifier, batch).await?;
            let (status, status_class) = status_label(lang, &t.status);
            view.unit = Some(UnitView {
                identifier: t.identifier.clone(),
                batch: t
                    .batch
                    .as_ref()
                    .map(|b| format!("{} · {} · {}", b.product, b.lot, b.maker))
                    .unwrap_or_default(),
                status,
                status_class,
                place: t
                    .location_name
                    .clone()
                    .or(t.location.clone())
                    .unwrap_or_default(),
                steps: t
                    .steps
                    .iter()
                    .map(|s| StepRow {
                        time: shanghai_text(&s.time),
                        step: s.biz_step.clone().unwrap_or_else(|| s.event_type.clone()),
                        disposition: s.disposition.clone().unwrap_or_default(),
                        place: s
                            .location_name
                            .clone()
                            .or(s.location.clone())
                            .unwrap_or_default(),
                        via: s.via.clone().unwrap_or_default(),
                        event_href: format!("/epcis/events/{}", encode(&s.event_id)),
                    })
                    .collect(),
            });
            return Ok(());
        }
        let (product, lot) = (view.product.trim().to_owned(), view.lot.trim().to_owned());
        if !product.is_empty() && !lot.is_empty() {
            let key = batch_key(&product, &lot)?;
            if view.backward {
                let t = scoped.trace_backward(&key).await?;
                let rows = t
                    .inputs
                    .iter()
                    .map(|i| InputRow {
                        identifier: i.identifier.clone(),
                        lot: i.lot.clone().unwrap_or_default(),
                        quantity: i
                            .quantity
                            .map(|q| format!("{} {}", number(q), i.uom.clone().unwrap_or_default()))
                            .unwrap_or_default(),
                        supplier: i
                            .batch
                            .as_ref()
                            .map(|b| format!("{} · {}", b.maker, b.product))
                            .unwrap_or_default(),
                        time: shanghai_text(&i.time),
                    })
                    .collect();
                view.inputs = Some((format!("{} · {}", t.batch.product, t.batch.lot), rows));
            } else {
                let t = scoped.trace_forward(&key).await?;
                let title = format!("{} · {} · {}", t.batch.product, t.batch.lot, t.batch.maker);
                let graph = super::flow_graph::layout(
                    &t.holders,
                    &t.legs,
                    |h| match lang {
                        Lang::Zh => format!("持有 {}", number(h)),
                        Lang::En => format!("holds {}", number(h)),
                    },
                    |n| match lang {
                        Lang::Zh => format!("另 {n} 处"),
                        Lang::En => format!("+{n} more"),
                    },
                );
                let api = format!("/api/v1/trace/batch/{}/{}", encode(&product), encode(&lot));
                view.batch = Some(BatchView {
                    graph: super::flow_graph::svg(&graph, &title),
                    title,
                    rows: place_rows(lang, &t.holders),
                    totals: totals_text(lang, &t.totals),
                    csv: format!("{api}?format=csv"),
                    xlsx: format!("{api}?format=xlsx"),
                });
            }
            return Ok(());
        }
        let lots: Vec<String> = view
            .lots
            .split([',', '，', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        if !product.is_empty() && !lots.is_empty() {
            let product_id = match batch_key(&product, "")? {
                BatchKey::Gtin(gtin, _) => {
                    state.store.product_by_gtin(&gtin).await?.ok_or_else(|| {
                        ApiError::invalid(
                            "product_unknown",
                            "product",
                            format!("no product has the GTIN {gtin}"),
                        )
                    })?
                }
                BatchKey::Product(id, _) | BatchKey::Id(id) => id,
            };
            let r = scoped
                .recall_reach(&RecallScope {
                    product_id,
                    lots,
                    ..RecallScope::default()
                })
                .await?;
            let names: Vec<String> = r.batches.iter().map(|b| b.lot.clone()).collect();
            view.reach = Some(BatchView {
                title: format!(
                    "{} · {}",
                    r.batches
                        .first()
                        .map(|b| b.product.clone())
                        .unwrap_or_default(),
                    names.join(", ")
                ),
                rows: place_rows(lang, &r.holders),
                graph: String::new(),
                totals: totals_text(lang, &r.totals),
                csv: String::new(),
                xlsx: String::new(),
            });
        }
        Ok(())
    }
    .await;
    let status = match found {
        Ok(()) => StatusCode::OK,
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            view.error = Some(
                lang.pick(
                    "没有找到，或您无权查看。",
                    "Not found, or not yours to see.",
                )
                .to_owned(),
            );
            StatusCode::NOT_FOUND
        }
        Err(e) => {
            view.error = Some(match lang {
                Lang::Zh => crate::messages::zh(e.code)
                    .map(str::to_owned)
                    .unwrap_or(e.detail_en.clone()),
                Lang::En => e.detail_en.clone(),
            });
            e.status
        }
    };
    respond(status, &view, shown)
}
