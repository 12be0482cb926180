//! Traces and recall reach (追溯): where a batch went, where a unit came from, and who
//! holds what a recall must reach.
//!
//! Events are many and a batch is named in them unit by unit, or by the container it
//! was packed into, or as a counted quantity of its lot. Walking that at query time would
//! be slow, so capture derives two small things as each event arrives (in its
//! transaction): what each container holds, counted by batch (`epcis_contents`, with the
//! unit-level `epcis_containment` for backward traces), and one `batch_moves` row per
//! event and batch with the units it moved, where, from whom and to whom. A forward trace
//! is then one index range over `batch_moves`.

use std::collections::{BTreeMap, HashMap, HashSet};

use zhijian_core::code::SupervisionCode;
use zhijian_epcis::identifier::Identifier;
use zhijian_epcis::{Action, Event, EventType, Role};

use crate::db::{Tx, Value};
use crate::unit_key::{lookup_keys, unit_index};
use crate::{Store, StoreError, Where};

/// A unit's or lot's batch, as capture resolves it.
#[derive(Debug, Default)]
struct Resolver {
    /// Canonical unit identifier → batch.
    units: HashMap<String, i64>,
    /// Canonical LGTIN → batch.
    lots: HashMap<String, i64>,
    /// Container → units held, by batch.
    contents: HashMap<String, BTreeMap<i64, i64>>,
    /// Containers whose contents changed.
    dirty: HashSet<String>,
}

/// The roles whose identifiers are units or containers a move carries.
fn carried(event: &Event) -> impl Iterator<Item = &str> {
    let roles: &[Role] = match event.kind {
        EventType::Transformation => &[Role::Output],
        _ => &[Role::Epc],
    };
    event
        .identifiers
        .iter()
        .filter(move |n| roles.contains(&n.role))
        .map(|n| n.canonical.as_str())
}

/// What capture must look up to derive moves: the code indexes of units, the lots and
/// the containers the events name. Found before the capture's transaction begins (it is
/// CPU work — every supervision code decrypted — that need not hold the writer).
#[derive(Debug, Default)]
pub(crate) struct Wanted {
    /// Code index and canonical identifier of each unit named by a supervision code.
    codes: Vec<(u64, String)>,
    /// Canonical LGTIN, GTIN and lot of each lot named.
    lots: Vec<(String, String, String)>,
    /// Other identifiers that may be containers.
    others: HashSet<String>,
}

impl Wanted {
    /// The issue index of each unit named by a supervision code, by its canonical
    /// identifier (capture keys the units' index rows with it, see `unit_key`).
    pub(crate) fn unit_indexes(&self) -> HashMap<&str, u64> {
        self.codes
            .iter()
            .map(|(index, id)| (id.as_str(), *index))
            .collect()
    }
}

impl Store {
    /// The units, lots and containers the events name.
    pub(crate) fn wanted<'a>(&self, events: impl IntoIterator<Item = &'a Event>) -> Wanted {
        let mut codes: Vec<(u64, String)> = Vec::new();
        let mut lots: Vec<(String, String, String)> = Vec::new();
        let mut others: HashSet<String> = HashSet::new();
        let space = self.code_space().ok();
        for event in events {
            for named in &event.identifiers {
                let id = named.canonical.as_str();
                if let Some(index) = space.and_then(|space| unit_index(space, id)) {
                    codes.push((index, id.to_owned()));
                    continue;
                }
                match Identifier::parse(id) {
                    Ok(Identifier::Lgtin { gtin, lot }) => lots.push((id.to_owned(), gtin, lot)),
                    _ if matches!(named.role, Role::Epc | Role::Parent | Role::Output) => {
                        others.insert(id.to_owned());
                    }
                    _ => {}
                }
            }
        }
        Wanted {
            codes,
            lots,
            others,
        }
    }

    /// Resolves the units, lots and containers wanted.
    async fn resolver(&self, tx: &mut Tx, wanted: Wanted) -> Result<Resolver, StoreError> {
        let mut r = Resolver::default();
        let Wanted {
            mut codes,
            lots,
            others,
        } = wanted;
        if !codes.is_empty() {
            codes.sort();
            let (low, high) = (codes[0].0 as i64, codes[codes.len() - 1].0 as i64);
            let rows = tx
                .fetch_all(
                    "SELECT first_index, quantity, batch_id FROM activations \
                     WHERE first_index <= $1 AND first_index + quantity > $2 ORDER BY first_index",
                    &[high.into(), low.into()],
                )
                .await?;
            let mut ranges = Vec::with_capacity(rows.len());
            for row in rows {
                ranges.push((row.int(0)?, row.int(1)?, row.int(2)?));
            }
            for (index, id) in codes {
                let index = index as i64;
                let at = ranges.partition_point(|(first, _, _)| *first <= index);
                if at > 0 {
                    let (first, quantity, batch) = ranges[at - 1];
                    if index < first + quantity {
                        r.units.insert(id, batch);
                    }
                }
            }
        }
        let mut seen = HashSet::new();
        for (id, gtin, lot) in lots {
            if !seen.insert(id.clone()) {
                continue;
            }
            let short = gtin.trim_start_matches('0').to_owned();
            let row = tx
                .fetch_optional(
                    "SELECT b.id FROM batches b JOIN products p ON p.id = b.product_id \
                     WHERE p.gtin IN ($1, $2, $3) AND b.lot = $4",
                    &[
                        gtin.as_str().into(),
                        gtin.get(1..).unwrap_or_default().into(),
                        short.into(),
                        lot.into(),
                    ],
                )
                .await?;
            if let Some(row) = row {
                r.lots.insert(id, row.int(0)?);
            }
        }
        let containers: Vec<String> = others.into_iter().collect();
        for chunk in containers.chunks(200) {
            let mut w = Where::default();
            let ps: Vec<String> = chunk.iter().map(|c| w.arg(c.as_str())).collect();
            let rows = tx
                .fetch_all(
                    &format!(
                        "SELECT parent, batch_id, units FROM epcis_contents WHERE parent IN ({})",
                        ps.join(", ")
                    ),
                    &w.values,
                )
                .await?;
            for row in rows {
                r.contents
                    .entry(row.text(0)?)
                    .or_default()
                    .insert(row.int(1)?, row.int(2)?);
            }
        }
        Ok(r)
    }

    /// Derives contents, containment and batch moves for freshly stored events, in the
    /// capture's transaction; `wanted` is [`Store::wanted`] of these events (or more).
    /// Events are taken in event-time order, so a case packed and shipped in one
    /// document is shipped full.
    pub(crate) async fn derive_moves(
        &self,
        tx: &mut Tx,
        events: &[(i64, &Event)],
        wanted: Wanted,
    ) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let mut r = self.resolver(tx, wanted).await?;
        let mut ordered: Vec<&(i64, &Event)> = events.iter().collect();
        ordered.sort_by_key(|(id, e)| (e.event_time, *id));
        let mut moves: Vec<Vec<Value>> = Vec::new();
        let mut containment: Vec<Vec<Value>> = Vec::new();
        let mut released: Vec<(String, Option<String>, i64)> = Vec::new();
        for (id, event) in ordered {
            let at = event.event_time.as_millisecond();
            let mut units: BTreeMap<i64, f64> = BTreeMap::new();
            let mut children: BTreeMap<i64, i64> = BTreeMap::new();
            for item in carried(event) {
                if let Some(batch) = r.units.get(item) {
                    *children.entry(*batch).or_default() += 1;
                } else if let Some(held) = r.contents.get(item) {
                    for (batch, n) in held {
                        *children.entry(*batch).or_default() += n;
                    }
                }
            }
            for (batch, n) in &children {
                *units.entry(*batch).or_default() += *n as f64;
            }
            for q in &event.quantities {
                let counted = matches!(
                    (event.kind, q.role),
                    (EventType::Transformation, Role::Output)
                ) || (event.kind != EventType::Transformation && q.role == Role::Epc);
                if counted
                    && q.uom.is_none()
                    && let (Some(batch), Some(quantity)) = (r.lots.get(&q.class), q.quantity)
                {
                    *units.entry(*batch).or_default() += quantity;
                }
            }
            if matches!(event.kind, EventType::Aggregation)
                && let Some(parent) = event.named(Role::Parent).next()
            {
                let parent = parent.to_owned();
                let listed: Vec<String> = event.named(Role::Epc).map(str::to_owned).collect();
                match event.action {
                    Some(Action::Add) => {
                        let held = r.contents.entry(parent.clone()).or_default();
                        for (batch, n) in &children {
                            *held.entry(*batch).or_default() += n;
                        }
                        r.dirty.insert(parent.clone());
                        for child in &listed {
                            containment.push(vec![
                                child.as_str().into(),
                                parent.as_str().into(),
                                at.into(),
                                (*id).into(),
                            ]);
                        }
                    }
                    Some(Action::Delete) if listed.is_empty() => {
                        r.contents.insert(parent.clone(), BTreeMap::new());
                        r.dirty.insert(parent.clone());
                        released.push((parent, None, at));
                    }
                    Some(Action::Delete) => {
                        let held = r.contents.entry(parent.clone()).or_default();
                        for (batch, n) in &children {
                            let left = held.entry(*batch).or_default();
                            *left = (*left - n).max(0);
                        }
                        r.dirty.insert(parent.clone());
                        for child in listed {
                            released.push((parent.clone(), Some(child), at));
                        }
                    }
                    _ => {}
                }
            }
            let location = event
                .biz_location
                .as_deref()
                .or(event.read_point.as_deref());
            for (batch, n) in units {
                if n <= 0.0 {
                    continue;
                }
                moves.push(vec![
                    batch.into(),
                    (*id).into(),
                    at.into(),
                    event.kind.as_str().into(),
                    event.biz_step.as_deref().into(),
                    event.disposition.as_deref().into(),
                    location.into(),
                    party(&event.sources).into(),
                    party(&event.destinations).into(),
                    n.into(),
                ]);
            }
        }
        tx.insert_rows(
            "INSERT INTO batch_moves (batch_id, event, event_time, event_type, biz_step, disposition, location, source, destination, units)",
            10,
            &moves,
        )
        .await?;
        tx.upsert_rows(
            "INSERT INTO epcis_containment (child, parent, since, event)",
            4,
            &containment,
            " ON CONFLICT (child, parent, since) DO NOTHING",
        )
        .await?;
        for (parent, child, at) in released {
            match child {
                Some(child) => {
                    tx.execute(
                        "UPDATE epcis_containment SET until = $1 WHERE parent = $2 AND child = $3 AND until IS NULL",
                        &[at.into(), parent.into(), child.into()],
                    )
                    .await?
                }
                None => {
                    tx.execute(
                        "UPDATE epcis_containment SET until = $1 WHERE parent = $2 AND until IS NULL",
                        &[at.into(), parent.into()],
                    )
                    .await?
                }
            };
        }
        let mut rows = Vec::new();
        for parent in &r.dirty {
            tx.execute(
                "DELETE FROM epcis_contents WHERE parent = $1",
                &[parent.as_str().into()],
            )
            .await?;
            for (batch, n) in r.contents.get(parent).into_iter().flatten() {
                if *n > 0 {
                    rows.push(vec![parent.as_str().into(), (*batch).into(), (*n).into()]);
                }
            }
        }
        tx.insert_rows(
            "INSERT INTO epcis_contents (parent, batch_id, units)",
            3,
            &rows,
        )
        .await?;
        Ok(())
    }
}

/// Where a source or destination list says the goods came from or went: the location,
/// else the possessing party, else the owning party. Locations first, because traces
/// add up units by location (a receipt is captured at the receiver's location).
fn party(list: &[zhijian_epcis::Typed]) -> Option<String> {
    const ORDER: [&str; 3] = ["SDT-location", "SDT-possessing_party", "SDT-owning_party"];
    ORDER
        .iter()
        .find_map(|kind| list.iter().find(|t| t.kind.ends_with(kind)))
        .map(|t| t.value.clone())
}

/// The batch a trace is about.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TracedBatch {
    /// The batch's id.
    pub id: i64,
    /// Its product.
    pub product_id: i64,
    /// The product's name.
    pub product: String,
    /// The product's GTIN, if it has one.
    pub gtin: Option<String>,
    /// The lot.
    pub lot: String,
    /// Production date (`YYYY-MM-DD`).
    pub production_date: String,
    /// The maker's credit code.
    pub maker_uscc: Option<String>,
    /// The maker's name.
    pub maker: String,
    /// The batch's status (active, recalled, decommissioned).
    pub status: String,
}

/// One place in a forward trace: what reached it and what became of it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Holder {
    /// The location (or party) as a canonical identifier.
    pub location: String,
    /// Its registered name, if any.
    pub name: Option<String>,
    /// Its kind (maker, distributor, shop, …), if registered.
    pub kind: Option<String>,
    /// Its region code, if registered.
    pub region: Option<String>,
    /// Units made here (commissioned or transformed into the batch).
    pub produced: f64,
    /// Units received here.
    pub received: f64,
    /// Units shipped from here.
    pub shipped: f64,
    /// Units sold to consumers here.
    pub sold: f64,
    /// Units destroyed or decommissioned here.
    pub decommissioned: f64,
    /// Units shipped here and not (yet) received.
    pub in_transit: f64,
    /// Units still here: made or received (or shipped here), less what left.
    pub holding: f64,
    /// The first event here (RFC 3339).
    pub first_at: String,
    /// The last event here (RFC 3339).
    pub last_at: String,
    /// Events here.
    pub events: i64,
}

/// Sums over the places of a trace.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Totals {
    /// Units made.
    pub produced: f64,
    /// Units shipped anywhere (every leg counts).
    pub shipped: f64,
    /// Units sold to consumers.
    pub sold: f64,
    /// Units decommissioned.
    pub decommissioned: f64,
    /// Units on the way.
    pub in_transit: f64,
    /// Units held somewhere in the chain.
    pub holding: f64,
    /// Places that received units (not counting the maker).
    pub places_reached: usize,
}

/// Units shipped from one place to another: an edge of the graph of parties.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Leg {
    /// Where the units left.
    pub from: String,
    /// Where they were sent.
    pub to: String,
    /// How many.
    pub units: f64,
}

/// Where a batch went.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ForwardTrace {
    /// The batch.
    pub batch: TracedBatch,
    /// Every place its units reached, the maker's first, then by first arrival.
    pub holders: Vec<Holder>,
    /// Shipments between places, added up.
    pub legs: Vec<Leg>,
    /// The sums.
    pub totals: Totals,
}

/// A row of `batch_moves`: what one event did with a batch's units.
#[derive(Debug, PartialEq)]
struct Move<'a> {
    event_type: &'a str,
    biz_step: Option<&'a str>,
    disposition: Option<&'a str>,
    location: Option<&'a str>,
    destination: Option<&'a str>,
    units: f64,
    time: i64,
}

/// Separates a packed row's columns and its rows (see [`Store::holders`]): control
/// characters, which no stored URI, identifier or event type contains.
const FIELD: &str = "\u{1f}";
const RECORD: &str = "\u{1e}";

/// A packed column's value: empty stands for NULL.
fn present(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// The moves in a packed text of `batch_moves` rows.
fn unpack(packed: &str) -> Result<Vec<Move<'_>>, StoreError> {
    let bad = |what: &str| {
        StoreError::Db(sqlx::Error::Decode(
            format!("a packed batch move has {what}").into(),
        ))
    };
    packed
        .split(RECORD)
        .map(|record| {
            let f: Vec<&str> = record.split(FIELD).collect();
            let [
                event_type,
                biz_step,
                disposition,
                location,
                destination,
                units,
                time,
            ] = f[..]
            else {
                return Err(bad(&format!("{} fields, not 7", f.len())));
            };
            Ok(Move {
                event_type,
                biz_step: present(biz_step),
                disposition: present(disposition),
                location: present(location),
                destination: present(destination),
                units: units
                    .parse()
                    .map_err(|_| bad("units that are not a number"))?,
                time: time
                    .parse()
                    .map_err(|_| bad("a time that is not an integer"))?,
            })
        })
        .collect()
}

/// The term of a CBV URI (`…/BizStep-shipping` → `shipping`).
fn term(uri: Option<&str>) -> &str {
    uri.and_then(|u| u.rsplit_once('-').map(|(_, t)| t))
        .unwrap_or_default()
}

/// What a ledger adds up for one place while it reads the moves.
#[derive(Default)]
struct Tally {
    holder: Holder,
    /// First and last event here.
    span: Option<(i64, i64)>,
    /// Units transformed into the batch here.
    transformed: f64,
    /// Units shipped here.
    sent: f64,
}

/// Adds a batch's moves up into places, and its shipments into legs.
fn ledger(moves: &[Move<'_>]) -> (Vec<Holder>, Vec<Leg>) {
    // Keyed by the moves' own strings: a forward trace adds up ten thousand moves.
    let mut places: HashMap<&str, Tally> = HashMap::with_capacity(moves.len() / 4);
    let mut sent: Vec<(&str, f64)> = Vec::new();
    let mut legs: HashMap<(&str, &str), f64> = HashMap::new();
    for m in moves {
        let Some(at) = m.location.or(m.destination) else {
            continue;
        };
        let tally = places.entry(at).or_default();
        let place = &mut tally.holder;
        place.events += 1;
        tally.span = Some(match tally.span {
            None => (m.time, m.time),
            Some((first, last)) => (first.min(m.time), last.max(m.time)),
        });
        let step = term(m.biz_step);
        let disposition = term(m.disposition);
        match step {
            // A transformation that outputs the lot and the commissioning of its units
            // are two accounts of one production: the larger counts, not their sum.
            _ if m.event_type == "TransformationEvent" => tally.transformed += m.units,
            "commissioning" | "creating_class_instance" => place.produced += m.units,
            "shipping" | "departing" => {
                place.shipped += m.units;
                if let Some(to) = m.destination
                    && to != at
                {
                    sent.push((to, m.units));
                    *legs.entry((at, to)).or_default() += m.units;
                }
            }
            "receiving" | "arriving" | "accepting" => place.received += m.units,
            "retail_selling" => place.sold += m.units,
            "decommissioning" | "destroying" | "killing" => place.decommissioned += m.units,
            _ if disposition == "retail_sold" => place.sold += m.units,
            _ if matches!(disposition, "destroyed" | "disposed" | "inactive") => {
                place.decommissioned += m.units
            }
            _ => {}
        }
    }
    for (to, units) in sent {
        places.entry(to).or_default().sent += units;
    }
    let mut holders: Vec<(Option<i64>, Holder)> = places
        .into_iter()
        .map(|(at, tally)| {
            let mut h = tally.holder;
            h.location = at.to_owned();
            h.produced = h.produced.max(tally.transformed);
            h.in_transit = (tally.sent - h.received).max(0.0);
            let arrived = h.produced + h.received + h.in_transit;
            h.holding = (arrived - h.shipped - h.sold - h.decommissioned).max(0.0);
            if let Some((first, last)) = tally.span {
                h.first_at = crate::rfc3339(first);
                h.last_at = crate::rfc3339(last);
            }
            (tally.span.map(|(first, _)| first), h)
        })
        .collect();
    // The makers first, then by first arrival.
    holders.sort_by(|(a_first, a), (b_first, b)| {
        (b.produced > 0.0)
            .cmp(&(a.produced > 0.0))
            .then_with(|| a_first.cmp(b_first))
            .then_with(|| a.location.cmp(&b.location))
    });
    let holders = holders.into_iter().map(|(_, h)| h).collect();
    let mut legs: Vec<Leg> = legs
        .into_iter()
        .map(|((from, to), units)| Leg {
            from: from.to_owned(),
            to: to.to_owned(),
            units,
        })
        .collect();
    legs.sort_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));
    (holders, legs)
}

fn totals(holders: &[Holder]) -> Totals {
    let mut t = Totals::default();
    for h in holders {
        t.produced += h.produced;
        t.shipped += h.shipped;
        t.sold += h.sold;
        t.decommissioned += h.decommissioned;
        t.in_transit += h.in_transit;
        t.holding += h.holding;
        if h.received > 0.0 || h.in_transit > 0.0 {
            t.places_reached += 1;
        }
    }
    t
}

/// How a trace names its batch: by the product's GTIN or id, and the lot.
#[derive(Debug, Clone)]
pub enum BatchKey {
    /// A product's GTIN (8–14 digits) and a lot.
    Gtin(String, String),
    /// A product's id and a lot.
    Product(i64, String),
    /// A batch's id.
    Id(i64),
}

pub(crate) const BATCH_SELECT: &str = "SELECT b.id, b.product_id, p.name, p.gtin, b.lot, b.production_date, o.uscc, o.name, b.status \
     FROM batches b JOIN products p ON p.id = b.product_id JOIN organisations o ON o.id = b.enterprise_id";

pub(crate) fn read_batch(row: &crate::db::Row) -> Result<TracedBatch, StoreError> {
    Ok(TracedBatch {
        id: row.int(0)?,
        product_id: row.int(1)?,
        product: row.text(2)?,
        gtin: row.opt_text(3)?,
        lot: row.text(4)?,
        production_date: row.text(5)?,
        maker_uscc: row.opt_text(6)?,
        maker: row.text(7)?,
        status: row.text(8)?,
    })
}

impl crate::Scoped<'_> {
    /// A batch the caller may trace: its maker is in the caller's scope for reading
    /// events.
    pub async fn traced_batch(&self, key: &BatchKey) -> Result<TracedBatch, StoreError> {
        let mut w = Where::default();
        match key {
            BatchKey::Gtin(gtin, lot) => {
                let digits = gtin.trim_start_matches('0');
                let a = w.arg(gtin.as_str());
                let b = w.arg(format!("{digits:0>13}"));
                let c = w.arg(format!("{digits:0>14}"));
                let l = w.arg(lot.as_str());
                w.cond(format!("p.gtin IN ({a}, {b}, {c}) AND b.lot = {l}"));
            }
            BatchKey::Product(product, lot) => {
                let p = w.arg(*product);
                let l = w.arg(lot.as_str());
                w.cond(format!("b.product_id = {p} AND b.lot = {l}"));
            }
            BatchKey::Id(id) => {
                let p = w.arg(*id);
                w.cond(format!("b.id = {p}"));
            }
        }
        w.scope(
            self.scope(zhijian_core::access::Action::ReadEvents),
            "b.enterprise_id",
            "o.region",
        );
        let row = self
            .store
            .db
            .fetch_optional(
                &format!("{BATCH_SELECT} WHERE {} LIMIT 1", w.sql()),
                &w.values,
            )
            .await?
            .ok_or(StoreError::NotFound { entity: "batch" })?;
        read_batch(&row)
    }

    /// Where a batch's units went: every place they reached, with counts, through
    /// containers.
    pub async fn trace_forward(&self, key: &BatchKey) -> Result<ForwardTrace, StoreError> {
        let batch = self.traced_batch(key).await?;
        let (holders, legs) = self.store.holders(&[batch.id]).await?;
        let totals = totals(&holders);
        Ok(ForwardTrace {
            batch,
            holders,
            legs,
            totals,
        })
    }
}

impl Store {
    /// The places the units of these batches reached, added up over all of them, and
    /// the shipments between them.
    pub async fn holders(&self, batches: &[i64]) -> Result<(Vec<Holder>, Vec<Leg>), StoreError> {
        // Logged at debug level: the forward-trace benchmark reads where its time goes.
        let mut clock = crate::phase_clock::PhaseClock::start();
        // The rows come packed into one text a query: SQLite hands rows over from its
        // own thread one at a time (about 6 µs each on a two-core machine), and a
        // forward trace reads ten thousand of them. Unsorted: the ledger adds them up,
        // which is cheaper than SQLite's sort for a GROUP BY. Ten batches a query keep
        // the text to some tens of megabytes.
        let mut packed = Vec::new();
        for chunk in batches.chunks(10) {
            let mut w = Where::default();
            let (field, record) = (w.arg(FIELD), w.arg(RECORD));
            let ps: Vec<String> = chunk.iter().map(|b| w.arg(*b)).collect();
            let row = self
                .db
                .fetch_one(
                    &format!(
                        "SELECT string_agg(concat_ws({field}, event_type, COALESCE(biz_step, ''), COALESCE(disposition, ''), \
                         COALESCE(location, ''), COALESCE(destination, ''), units, event_time), {record}) \
                         FROM batch_moves WHERE batch_id IN ({})",
                        ps.join(", ")
                    ),
                    &w.values,
                )
                .await?;
            packed.extend(row.opt_text(0)?);
        }
        let mut moves = Vec::new();
        for text in &packed {
            moves.extend(unpack(text)?);
        }
        clock.lap("moves");
        let (mut holders, legs) = ledger(&moves);
        clock.lap("ledger");
        self.name_holders(&mut holders).await?;
        clock.lap("names");
        tracing::debug!(moves = moves.len(), holders = holders.len(), phases = %clock, "holders");
        Ok((holders, legs))
    }

    /// Fills in registered names, kinds and regions.
    async fn name_holders(&self, holders: &mut [Holder]) -> Result<(), StoreError> {
        let ids: Vec<String> = holders.iter().map(|h| h.location.clone()).collect();
        let names = self.location_names(&ids).await?;
        for h in holders {
            if let Some(place) = names.get(&h.location) {
                h.name = Some(place.name.clone());
                h.kind = Some(place.kind.as_str().to_owned());
                h.region = place.region.clone();
            }
        }
        Ok(())
    }
}

/// One event in a unit's history.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Step {
    /// The event's ID.
    pub event_id: String,
    /// When it happened (RFC 3339).
    pub time: String,
    /// ObjectEvent, AggregationEvent, …
    pub event_type: String,
    /// ADD, OBSERVE or DELETE.
    pub action: Option<String>,
    /// The business step's CBV term (`shipping`) or URI.
    pub biz_step: Option<String>,
    /// The disposition's CBV term or URI.
    pub disposition: Option<String>,
    /// Where (business location, else read point).
    pub location: Option<String>,
    /// Its registered name.
    pub location_name: Option<String>,
    /// Where the goods came from (source location or party).
    pub source: Option<String>,
    /// Where they went (destination location or party).
    pub destination: Option<String>,
    /// The container the unit travelled in, when the event names the container.
    pub via: Option<String>,
}

/// Where a unit came from and where it is.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct UnitTrace {
    /// The unit's canonical identifier.
    pub identifier: String,
    /// Its batch, when the unit is a supervision code this node issued.
    pub batch: Option<TracedBatch>,
    /// Its history, oldest first: its own events and those of the containers it was in
    /// while it was in them.
    pub steps: Vec<Step>,
    /// Where it was last seen.
    pub location: Option<String>,
    /// That place's registered name.
    pub location_name: Option<String>,
    /// `made`, `in_stock`, `in_transit`, `sold`, `decommissioned`, `recalled` or `unknown`.
    pub status: String,
}

/// The CBV term of a full URI, or the URI when it is not a CBV term.
fn short(uri: Option<String>) -> Option<String> {
    uri.map(|u| {
        match u
            .strip_prefix(zhijian_epcis::vocab::CBV_BASE)
            .and_then(|r| r.split_once('-'))
        {
            Some((_, t)) => t.to_owned(),
            None => u,
        }
    })
}

/// What a unit's last steps say about it.
fn status(steps: &[Step]) -> &'static str {
    let Some(last) = steps.last() else {
        return "unknown";
    };
    match (last.biz_step.as_deref(), last.disposition.as_deref()) {
        (_, Some("retail_sold")) | (Some("retail_selling"), _) => "sold",
        (_, Some("destroyed" | "disposed" | "inactive"))
        | (Some("decommissioning" | "destroying"), _) => "decommissioned",
        (_, Some("recalled")) => "recalled",
        (_, Some("in_transit")) | (Some("shipping" | "departing"), _) => "in_transit",
        (Some("commissioning"), _) => "made",
        _ => "in_stock",
    }
}

impl crate::Scoped<'_> {
    /// A unit's history, through the containers it travelled in. `identifier` is
    /// canonical; `batch` the batch it belongs to, if known (its maker decides who may
    /// look); without a batch only admins and the node's bureaus see it.
    pub async fn trace_unit(
        &self,
        identifier: &str,
        batch: Option<i64>,
    ) -> Result<UnitTrace, StoreError> {
        let batch = match batch {
            Some(id) => Some(self.traced_batch(&BatchKey::Id(id)).await?),
            None => {
                if !matches!(
                    self.scope(zhijian_core::access::Action::ReadEvents),
                    zhijian_core::access::Scope::All | zhijian_core::access::Scope::Region(_)
                ) {
                    return Err(StoreError::NotFound { entity: "unit" });
                }
                None
            }
        };
        // The unit, and every container it was in (and theirs), with the time window.
        let mut windows: Vec<(String, Option<String>, i64, Option<i64>)> =
            vec![(identifier.to_owned(), None, i64::MIN, None)];
        let mut frontier = vec![(identifier.to_owned(), i64::MIN, None::<i64>)];
        for _ in 0..4 {
            let mut next = Vec::new();
            for (child, from, to) in frontier {
                let rows = self
                    .store
                    .db
                    .fetch_all(
                        "SELECT parent, since, until FROM epcis_containment WHERE child = $1",
                        &[child.as_str().into()],
                    )
                    .await?;
                for row in rows {
                    let (parent, since, until) = (row.text(0)?, row.int(1)?, row.opt_int(2)?);
                    let since = since.max(from);
                    let until = match (until, to) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    windows.push((parent.clone(), Some(parent.clone()), since, until));
                    next.push((parent, since, until));
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        let mut steps: Vec<(i64, i64, Step)> = Vec::new();
        let mut seen = HashSet::new();
        let space = self.store.code_space().ok();
        for (id, via, since, until) in windows {
            let keys = lookup_keys(space, &id, self.store.units_as_written());
            let rows = self
                .store
                .db
                .fetch_all(
                    "SELECT e.id, e.event_id, e.event_time, e.event_type, e.action, e.biz_step, e.disposition,                      COALESCE(e.biz_location, e.read_point) FROM epcis_event_ids i JOIN epcis_events e ON e.id = i.event                      WHERE i.identifier IN ($1, $2) AND i.role IN ('epc', 'parent', 'output', 'input') AND e.event_time >= $3                      ORDER BY e.event_time",
                    &[keys[0].as_str().into(), keys[keys.len() - 1].as_str().into(), since.max(i64::MIN + 1).into()],
                )
                .await?;
            for row in rows {
                let (row_id, at) = (row.int(0)?, row.int(2)?);
                if until.is_some_and(|u| at > u) || !seen.insert(row_id) {
                    continue;
                }
                steps.push((
                    at,
                    row_id,
                    Step {
                        event_id: row.text(1)?,
                        time: crate::rfc3339(at),
                        event_type: row.text(3)?,
                        action: row.opt_text(4)?,
                        biz_step: short(row.opt_text(5)?),
                        disposition: short(row.opt_text(6)?),
                        location: row.opt_text(7)?,
                        location_name: None,
                        source: None,
                        destination: None,
                        via: via.clone(),
                    },
                ));
            }
        }
        steps.sort_by_key(|(at, id, _)| (*at, *id));
        let ids: Vec<i64> = steps.iter().map(|(_, id, _)| *id).collect();
        let links = self.store.event_parties(&ids).await?;
        let mut steps: Vec<Step> = steps
            .into_iter()
            .map(|(_, id, mut step)| {
                if let Some((source, destination)) = links.get(&id) {
                    step.source = source.clone();
                    step.destination = destination.clone();
                }
                step
            })
            .collect();
        let places: Vec<String> = steps
            .iter()
            .flat_map(|s| [s.location.clone(), s.destination.clone()])
            .flatten()
            .collect();
        let names = self.store.location_names(&places).await?;
        for step in &mut steps {
            step.location_name = step
                .location
                .as_ref()
                .and_then(|l| names.get(l))
                .map(|n| n.name.clone());
        }
        let last = steps.iter().rev().find(|s| s.location.is_some());
        let (location, location_name) = match last {
            Some(s) if status(&steps) == "in_transit" && s.destination.is_some() => {
                let to = s.destination.clone();
                let name = to
                    .as_ref()
                    .and_then(|d| names.get(d))
                    .map(|n| n.name.clone());
                (to, name)
            }
            Some(s) => (s.location.clone(), s.location_name.clone()),
            None => (None, None),
        };
        let status = if batch.as_ref().is_some_and(|b| b.status == "recalled") {
            "recalled"
        } else {
            status(&steps)
        };
        Ok(UnitTrace {
            identifier: identifier.to_owned(),
            batch,
            steps,
            location,
            location_name,
            status: status.to_owned(),
        })
    }
}

impl Store {
    /// The source and destination (location first) of each event.
    async fn event_parties(
        &self,
        events: &[i64],
    ) -> Result<HashMap<i64, (Option<String>, Option<String>)>, StoreError> {
        let mut out: HashMap<i64, (Option<String>, Option<String>)> = HashMap::new();
        for chunk in events.chunks(200) {
            let mut w = Where::default();
            let ps: Vec<String> = chunk.iter().map(|e| w.arg(*e)).collect();
            let rows = self
                .db
                .fetch_all(
                    &format!(
                        "SELECT event, kind, type, value FROM epcis_event_links WHERE kind IN ('source', 'destination') AND event IN ({})                          ORDER BY event, CASE WHEN type LIKE '%SDT-location' THEN 0 WHEN type LIKE '%SDT-possessing_party' THEN 1 ELSE 2 END",
                        ps.join(", ")
                    ),
                    &w.values,
                )
                .await?;
            for row in rows {
                let entry = out.entry(row.int(0)?).or_default();
                let slot = if row.text(1)? == "source" {
                    &mut entry.0
                } else {
                    &mut entry.1
                };
                if slot.is_none() {
                    *slot = Some(row.text(3)?);
                }
            }
        }
        Ok(out)
    }

    /// The batch a supervision code belongs to, if it was activated.
    pub async fn batch_of_code(&self, code: &SupervisionCode) -> Result<Option<i64>, StoreError> {
        let Ok(space) = self.code_space() else {
            return Ok(None);
        };
        let Ok(index) = space.decode(code) else {
            return Ok(None);
        };
        let index = index as i64;
        let row = self
            .db
            .fetch_optional(
                "SELECT batch_id, first_index, quantity FROM activations WHERE first_index <= $1 ORDER BY first_index DESC LIMIT 1",
                &[index.into()],
            )
            .await?;
        Ok(match row {
            Some(row) if index < row.int(1)? + row.int(2)? => Some(row.int(0)?),
            _ => None,
        })
    }
}

/// A lot (or units) consumed to make a batch.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct InputLot {
    /// The input's canonical identifier (an LGTIN, a unit, a class).
    pub identifier: String,
    /// The GTIN, when the input is a GS1 trade item.
    pub gtin: Option<String>,
    /// The supplier's lot, when named.
    pub lot: Option<String>,
    /// The quantity consumed, when given (units when `uom` is absent).
    pub quantity: Option<f64>,
    /// The unit of measure.
    pub uom: Option<String>,
    /// The input's batch on this node, when there is one.
    pub batch: Option<TracedBatch>,
    /// The transformation event.
    pub event_id: String,
    /// When (RFC 3339).
    pub time: String,
    /// Where.
    pub location: Option<String>,
}

/// What a batch was made from.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BackwardTrace {
    /// The batch.
    pub batch: TracedBatch,
    /// Its inputs, by transformation event.
    pub inputs: Vec<InputLot>,
}

/// What a recall covers: one product, and lots, code ranges or production dates.
#[derive(Debug, Clone, Default)]
pub struct RecallScope {
    /// The product.
    pub product_id: i64,
    /// Lots.
    pub lots: Vec<String>,
    /// Inclusive ranges of supervision codes.
    pub code_ranges: Vec<(SupervisionCode, SupervisionCode)>,
    /// Production dates from (inclusive, `YYYY-MM-DD`).
    pub produced_from: Option<String>,
    /// Production dates to (inclusive).
    pub produced_to: Option<String>,
}

/// Everyone a recall must reach.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RecallReach {
    /// The batches in scope.
    pub batches: Vec<TracedBatch>,
    /// Every place the batches' units reached, with what each holds.
    pub holders: Vec<Holder>,
    /// The sums.
    pub totals: Totals,
}

impl crate::Scoped<'_> {
    /// What a batch was made from: the inputs of the transformations that output it.
    pub async fn trace_backward(&self, key: &BatchKey) -> Result<BackwardTrace, StoreError> {
        let batch = self.traced_batch(key).await?;
        let rows = self
            .store
            .db
            .fetch_all(
                "SELECT e.event_id, e.event_time, COALESCE(e.biz_location, e.read_point), e.body FROM batch_moves m \
                 JOIN epcis_events e ON e.id = m.event WHERE m.batch_id = $1 AND m.event_type = 'TransformationEvent' \
                 ORDER BY e.event_time",
                &[batch.id.into()],
            )
            .await?;
        let mut inputs = Vec::new();
        for row in rows {
            let (event_id, at, location) = (row.text(0)?, row.int(1)?, row.opt_text(2)?);
            let body: serde_json::Value = serde_json::from_str(&row.text(3)?).unwrap_or_default();
            let mut found: Vec<(String, Option<f64>, Option<String>)> = Vec::new();
            for epc in body["inputEPCList"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str())
            {
                found.push((epc.to_owned(), Some(1.0), None));
            }
            for q in body["inputQuantityList"].as_array().into_iter().flatten() {
                if let Some(class) = q["epcClass"].as_str() {
                    found.push((
                        class.to_owned(),
                        q["quantity"].as_f64(),
                        q["uom"].as_str().map(str::to_owned),
                    ));
                }
            }
            // Units of one lot are added up into one line.
            let mut lines: BTreeMap<String, InputLot> = BTreeMap::new();
            for (raw, quantity, uom) in found {
                let id = Identifier::parse(&raw).ok();
                let canonical = id.as_ref().map_or(raw.clone(), Identifier::canonical);
                let (gtin, lot, key) = match &id {
                    Some(Identifier::Lgtin { gtin, lot }) => {
                        (Some(gtin.clone()), Some(lot.clone()), canonical.clone())
                    }
                    Some(Identifier::Sgtin { gtin, .. }) => {
                        (Some(gtin.clone()), None, format!("gtin:{gtin}"))
                    }
                    Some(Identifier::Gtin { gtin }) => {
                        (Some(gtin.clone()), None, canonical.clone())
                    }
                    _ => (None, None, canonical.clone()),
                };
                let line = lines.entry(key).or_insert_with(|| InputLot {
                    identifier: canonical,
                    gtin,
                    lot,
                    quantity: None,
                    uom,
                    batch: None,
                    event_id: event_id.clone(),
                    time: crate::rfc3339(at),
                    location: location.clone(),
                });
                if let Some(q) = quantity {
                    line.quantity = Some(line.quantity.unwrap_or(0.0) + q);
                }
            }
            for mut line in lines.into_values() {
                if let (Some(gtin), Some(lot)) = (&line.gtin, &line.lot) {
                    line.batch = self.store.batch_by_lot(gtin, lot).await?;
                }
                inputs.push(line);
            }
        }
        Ok(BackwardTrace { batch, inputs })
    }

    /// Every place that received units of the batches a recall covers, and what each
    /// holds. A scope that matches no batch of the product is refused.
    pub async fn recall_reach(&self, scope: &RecallScope) -> Result<RecallReach, StoreError> {
        let mut w = Where::default();
        let p = w.arg(scope.product_id);
        w.cond(format!("b.product_id = {p}"));
        let mut any = Vec::new();
        if !scope.lots.is_empty() {
            let ls: Vec<String> = scope.lots.iter().map(|l| w.arg(l.as_str())).collect();
            any.push(format!("b.lot IN ({})", ls.join(", ")));
        }
        if scope.produced_from.is_some() || scope.produced_to.is_some() {
            let from = w.arg(
                scope
                    .produced_from
                    .clone()
                    .unwrap_or_else(|| "0000-01-01".into()),
            );
            let to = w.arg(
                scope
                    .produced_to
                    .clone()
                    .unwrap_or_else(|| "9999-12-31".into()),
            );
            any.push(format!(
                "(b.production_date >= {from} AND b.production_date <= {to})"
            ));
        }
        if !scope.code_ranges.is_empty() {
            let space = self.store.code_space()?;
            let mut ranges = Vec::new();
            for (first, last) in &scope.code_ranges {
                let (a, b) = (space.decode(first), space.decode(last));
                let (Ok(a), Ok(b)) = (a, b) else {
                    return Err(StoreError::Invalid {
                        code: "code_unknown",
                        field: "code_ranges",
                        message: format!("{first}–{last} are not codes this node issued"),
                    });
                };
                let (lo, hi) = (a.min(b) as i64, a.max(b) as i64);
                let (lo, hi) = (w.arg(lo), w.arg(hi));
                ranges.push(format!(
                    "(a.first_index <= {hi} AND a.first_index + a.quantity > {lo})"
                ));
            }
            any.push(format!(
                "EXISTS (SELECT 1 FROM activations a WHERE a.batch_id = b.id AND ({}))",
                ranges.join(" OR ")
            ));
        }
        if any.is_empty() {
            return Err(StoreError::Invalid {
                code: "scope_empty",
                field: "lots",
                message: "name lots, code ranges or production dates".into(),
            });
        }
        w.cond(format!("({})", any.join(" OR ")));
        w.scope(
            self.scope(zhijian_core::access::Action::ReadEvents),
            "b.enterprise_id",
            "o.region",
        );
        let rows = self
            .store
            .db
            .fetch_all(
                &format!(
                    "{BATCH_SELECT} WHERE {} ORDER BY b.production_date, b.lot",
                    w.sql()
                ),
                &w.values,
            )
            .await?;
        let batches = rows.iter().map(read_batch).collect::<Result<Vec<_>, _>>()?;
        if batches.is_empty() {
            return Err(StoreError::Invalid {
                code: "scope_matches_nothing",
                field: "lots",
                message: "no batch of this product matches the recall's scope".into(),
            });
        }
        let ids: Vec<i64> = batches.iter().map(|b| b.id).collect();
        let (holders, _) = self.store.holders(&ids).await?;
        let totals = totals(&holders);
        Ok(RecallReach {
            batches,
            holders,
            totals,
        })
    }
}

impl Store {
    /// The product with this GTIN (written with or without leading zeros).
    pub async fn product_by_gtin(&self, gtin: &str) -> Result<Option<i64>, StoreError> {
        let digits = gtin.trim_start_matches('0');
        let row = self
            .db
            .fetch_optional(
                "SELECT id FROM products WHERE gtin IN ($1, $2, $3) LIMIT 1",
                &[
                    gtin.into(),
                    format!("{digits:0>13}").into(),
                    format!("{digits:0>14}").into(),
                ],
            )
            .await?;
        row.map(|r| r.int(0)).transpose().map_err(Into::into)
    }

    /// A batch on this node by its product's GTIN and its lot.
    async fn batch_by_lot(&self, gtin: &str, lot: &str) -> Result<Option<TracedBatch>, StoreError> {
        let digits = gtin.trim_start_matches('0');
        let row = self
            .db
            .fetch_optional(
                &format!("{BATCH_SELECT} WHERE p.gtin IN ($1, $2, $3) AND b.lot = $4 LIMIT 1"),
                &[
                    gtin.into(),
                    format!("{digits:0>13}").into(),
                    format!("{digits:0>14}").into(),
                    lot.into(),
                ],
            )
            .await?;
        row.as_ref().map(read_batch).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m<'a>(step: &str, location: &'a str, destination: Option<&'a str>, units: f64) -> Move<'a> {
        Move {
            event_type: "ObjectEvent",
            biz_step: Some(String::leak(format!(
                "https://ref.gs1.org/cbv/BizStep-{step}"
            ))),
            disposition: None,
            location: Some(location),
            destination,
            units,
            time: 0,
        }
    }

    #[test]
    fn a_ledger_follows_units_from_maker_to_shops() {
        let moves = [
            m("commissioning", "maker", None, 100.0),
            m("shipping", "maker", Some("dc"), 60.0),
            m("receiving", "dc", None, 60.0),
            m("shipping", "dc", Some("shop-a"), 20.0),
            m("shipping", "dc", Some("shop-b"), 10.0),
            m("receiving", "shop-a", None, 20.0),
            m("retail_selling", "shop-a", None, 5.0),
        ];
        let mut made = m("commissioning", "maker", None, 100.0);
        made.event_type = "TransformationEvent";
        let moves: Vec<Move> = moves.into_iter().chain([made]).collect();
        let (holders, legs) = ledger(&moves);
        assert_eq!(legs.len(), 3, "maker→dc, dc→shop-a, dc→shop-b");
        let by = |l: &str| holders.iter().find(|h| h.location == l).unwrap().clone();
        assert_eq!(holders[0].location, "maker", "the maker comes first");
        assert_eq!(by("maker").holding, 40.0);
        assert_eq!(by("dc").holding, 30.0);
        assert_eq!((by("shop-a").holding, by("shop-a").sold), (15.0, 5.0));
        assert_eq!(
            (by("shop-b").in_transit, by("shop-b").holding),
            (10.0, 10.0),
            "shipped, not yet received"
        );
        let t = totals(&holders);
        assert_eq!(
            (t.produced, t.sold, t.holding, t.places_reached),
            (100.0, 5.0, 95.0, 3)
        );
    }

    #[test]
    fn packed_moves_read_back_with_absent_columns_as_none() {
        let packed = [
            [
                "ObjectEvent",
                "https://ref.gs1.org/cbv/BizStep-shipping",
                "",
                "urn:a",
                "urn:b",
                "24.0",
                "1770076800000",
            ]
            .join(FIELD),
            ["ObjectEvent", "", "", "", "urn:c", "4", "-5"].join(FIELD),
        ]
        .join(RECORD);
        let moves = unpack(&packed).unwrap();
        assert_eq!(moves.len(), 2);
        assert_eq!(
            (
                moves[0].location,
                moves[0].destination,
                moves[0].units,
                moves[0].time
            ),
            (Some("urn:a"), Some("urn:b"), 24.0, 1_770_076_800_000)
        );
        assert_eq!((moves[1].biz_step, moves[1].location), (None, None));
        for bad in [
            "ObjectEvent",
            &["a", "", "", "", "", "x", "1"].join(FIELD),
            &["a", "", "", "", "", "1", "1.5"].join(FIELD),
        ] {
            assert!(
                matches!(unpack(bad), Err(StoreError::Db(sqlx::Error::Decode(_)))),
                "{bad:?} is not a move"
            );
        }
    }
}
