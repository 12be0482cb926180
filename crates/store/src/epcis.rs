//! EPCIS 2.0 events: capture (all or nothing, each event once), the capture jobs that
//! report on it, and the standard queries.
//!
//! Events are stored as their JSON plus the columns and identifier rows the queries
//! select by; identifiers are canonical (see `zhijian_epcis::identifier`), and a
//! supervision code written `urn:zhijian:code:…` becomes the SGTIN of its product when
//! the product has a GTIN, so a unit is one identifier whichever way it was written.
//! This node's own units are indexed under their issue index (see `crate::unit_key`).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value as Json};
use zhijian_core::access::{Action, Scope};
use zhijian_core::code::SupervisionCode;
use zhijian_epcis::query::Query;
use zhijian_epcis::{Event, Problem};

use crate::unit_key::{key_for, lookup_keys};
use crate::{Scoped, Store, StoreError, Where, now_ms, params};

/// The URN of a supervision code whose product has no GTIN.
pub const CODE_URN_PREFIX: &str = "urn:zhijian:code:";

/// The outcome of one capture request, as the REST binding's capture job reports it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CaptureJob {
    /// Its id, the last segment of `/epcis/capture/{id}`.
    pub id: i64,
    /// The organisation that captured, if the caller had one.
    pub organisation_id: Option<i64>,
    /// Who sent the document.
    pub created_by: String,
    /// When the document arrived (ms).
    pub created_at: i64,
    /// When the job ended (ms).
    pub finished_at: i64,
    /// Whether every event was stored (or was already there).
    pub success: bool,
    /// Events in the document.
    pub event_count: i64,
    /// Events newly stored (error declarations on stored events count too); the rest
    /// were already captured.
    pub stored: i64,
    /// Why the document was refused: each a [`Problem`] as JSON.
    pub errors: Vec<Json>,
}

/// A stored event, ready to be written into a query document.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    /// The row id, the order of capture (and the page cursor).
    pub id: i64,
    /// Its `eventID`.
    pub event_id: String,
    /// When it was captured (ms): its `recordTime`.
    pub record_time: i64,
    /// The namespaces its extension keys use.
    pub namespaces: BTreeMap<String, String>,
    /// The event's JSON as captured (with its eventID).
    pub body: Map<String, Json>,
}

/// What an organisation holds in GS1 terms: the identifiers under these are its own.
#[derive(Debug, Clone, Default)]
pub struct Holdings {
    /// Its GS1 company prefixes.
    pub prefixes: Vec<String>,
    /// The GTINs of its products (14 digits).
    pub gtins: HashSet<String>,
}

impl Holdings {
    /// Whether a canonical identifier is one of the organisation's: a GS1 key under one
    /// of its prefixes, an item of one of its GTINs, or one of its supervision codes.
    pub fn owns(&self, canonical: &str, own_code: impl Fn(&str) -> bool) -> bool {
        if let Some(code) = canonical.strip_prefix(CODE_URN_PREFIX) {
            return own_code(code);
        }
        let Some((ai, key)) = gs1_key(canonical) else {
            return false;
        };
        if ai == "01" && self.gtins.contains(key) {
            return true;
        }
        let company = match ai {
            // The indicator digit (GTIN) or extension digit (SSCC) comes first.
            "01" | "00" => key.get(1..),
            _ => Some(key),
        };
        company.is_some_and(|digits| self.prefixes.iter().any(|p| digits.starts_with(p.as_str())))
    }
}

/// The application identifier and key of a canonical Digital Link URI:
/// `https://id.gs1.org/01/09521234543213/21/7` → `("01", "09521234543213")`.
pub fn gs1_key(canonical: &str) -> Option<(&str, &str)> {
    let rest = canonical.strip_prefix("https://id.gs1.org/")?;
    let mut parts = rest.split('/');
    let ai = parts.next()?;
    let key = parts.next()?;
    matches!(
        ai,
        "01" | "00" | "414" | "417" | "8003" | "8004" | "253" | "8018" | "255"
    )
    .then_some((ai, key))
}

/// A page of events and the cursor of the next one.
#[derive(Debug, Clone)]
pub struct EventPage {
    /// The events, in the asked order.
    pub events: Vec<StoredEvent>,
    /// The row id to continue after, when more may follow.
    pub next: Option<i64>,
}

impl Store {
    /// The GS1 prefixes and product GTINs of an organisation.
    pub async fn holdings(&self, organisation_id: i64) -> Result<Holdings, StoreError> {
        let mut holdings = Holdings::default();
        for row in self
            .db
            .fetch_all(
                "SELECT prefix FROM gs1_prefixes WHERE organisation_id = $1 ORDER BY prefix",
                params![organisation_id],
            )
            .await?
        {
            holdings.prefixes.push(row.text(0)?);
        }
        for row in self
            .db
            .fetch_all(
                "SELECT gtin FROM products WHERE enterprise_id = $1 AND gtin IS NOT NULL",
                params![organisation_id],
            )
            .await?
        {
            holdings.gtins.insert(format!("{:0>14}", row.text(0)?));
        }
        Ok(holdings)
    }

    /// The canonical identifier of a supervision code, and the enterprise it was issued
    /// to: the SGTIN of the code's product when the product has a GTIN, else
    /// `urn:zhijian:code:{code}`. A code that fails its check digit, or that this node
    /// never issued, gives the reason instead.
    pub async fn canonical_code(
        &self,
        code: &str,
    ) -> Result<Result<(String, i64), String>, StoreError> {
        let parsed = match SupervisionCode::parse(code) {
            Ok(c) => c,
            Err(e) => return Ok(Err(format!("'{code}' is not a supervision code: {e}"))),
        };
        let Ok(space) = self.code_space() else {
            return Ok(Err("this node issues no supervision codes".into()));
        };
        let Ok(index) = crate::codes::decode(space, &parsed) else {
            return Ok(Err(format!("'{code}' was not issued by this node")));
        };
        let row = self
            .db
            .fetch_optional(
                "SELECT p.gtin, s.enterprise_id FROM code_segments s JOIN products p ON p.id = s.product_id \
                 WHERE s.first_index <= $1 AND s.first_index + s.quantity > $1 ORDER BY s.first_index DESC LIMIT 1",
                params![index as i64],
            )
            .await?;
        let Some(row) = row else {
            return Ok(Err(format!("'{code}' was not issued by this node")));
        };
        let text = parsed.to_string();
        let canonical = match row.opt_text(0)? {
            Some(gtin) => format!("https://id.gs1.org/01/{gtin:0>14}/21/{text}"),
            None => format!("{CODE_URN_PREFIX}{text}"),
        };
        Ok(Ok((canonical, row.int(1)?)))
    }

    /// Records a refused document as a failed capture job.
    pub async fn refuse_capture(
        &self,
        actor: &str,
        organisation_id: Option<i64>,
        event_count: usize,
        problems: &[Problem],
    ) -> Result<CaptureJob, StoreError> {
        let at = now_ms();
        let errors = serde_json::to_string(problems).unwrap_or_else(|_| "[]".into());
        let mut tx = self.db.begin().await?;
        let id = tx
            .fetch_one(
                "INSERT INTO epcis_captures (organisation_id, created_by, created_at, finished_at, success, event_count, stored, errors) \
                 VALUES ($1, $2, $3, $3, $4, $5, 0, $6) RETURNING id",
                params![organisation_id, actor, at, false, event_count as i64, errors],
            )
            .await?
            .int(0)?;
        tx.commit().await?;
        Ok(CaptureJob {
            id,
            organisation_id,
            created_by: actor.to_owned(),
            created_at: at,
            finished_at: at,
            success: false,
            event_count: event_count as i64,
            stored: 0,
            errors: problems
                .iter()
                .filter_map(|p| serde_json::to_value(p).ok())
                .collect(),
        })
    }

    /// Stores valid events in one transaction with one audit entry. Events whose
    /// eventID is already stored (or repeated in the document) are skipped, so sending a
    /// document twice stores it once.
    pub async fn capture(
        &self,
        actor: &str,
        organisation_id: Option<i64>,
        region: Option<&str>,
        events: &[Event],
        namespaces: &BTreeMap<String, String>,
    ) -> Result<CaptureJob, StoreError> {
        let created_at = now_ms();
        // Phase timings, logged at debug level: where a capture's time goes (the
        // throughput benchmark reads them with RUST_LOG=zhijian_store::epcis=debug).
        let mut clock = crate::phase_clock::PhaseClock::start();
        // What needs no database is done before the writer is taken, so that with
        // several documents arriving at once, one is prepared while another is stored:
        // each event's JSON text, its identifier and link rows, the units' code indexes.
        let wanted = self.wanted(events);
        let unit_indexes = wanted.unit_indexes();
        let prepared: Vec<Prepared> = events
            .iter()
            .map(|e| Prepared::new(e, &unit_indexes))
            .collect();
        clock.lap("prepare");
        // Every row references the capture job, the caller's organisation, the events
        // just inserted, or batches and containers read in this transaction.
        let mut tx = self.db.begin_bulk().await?;
        clock.lap("begin");
        let mut known: HashSet<String> = HashSet::new();
        for chunk in events.chunks(200) {
            let mut w = Where::default();
            let ps: Vec<String> = chunk.iter().map(|e| w.arg(e.event_id.as_str())).collect();
            let rows = tx
                .fetch_all(
                    &format!(
                        "SELECT event_id FROM epcis_events WHERE event_id IN ({})",
                        ps.join(", ")
                    ),
                    &w.values,
                )
                .await?;
            for row in rows {
                known.insert(row.text(0)?);
            }
        }
        let mut fresh: Vec<(&Event, Prepared)> = Vec::with_capacity(events.len());
        let mut declarations: Vec<(&Event, Prepared)> = Vec::new();
        for (event, prepared) in events.iter().zip(prepared) {
            if known.insert(event.event_id.clone()) {
                fresh.push((event, prepared));
            } else if event.declares_error {
                // The standard's error declaration: the event again, under its own
                // eventID, with an `errorDeclaration` — it amends the stored event.
                declarations.push((event, prepared));
            }
        }
        let (fresh_count, declared_count) = (fresh.len(), declarations.len());
        for (event, prepared) in declarations.iter_mut() {
            tx.execute(
                "UPDATE epcis_events SET body = $1, error_declared = $2 WHERE event_id = $3",
                params![
                    std::mem::take(&mut prepared.body),
                    true,
                    event.event_id.as_str()
                ],
            )
            .await?;
        }
        let capture_id = tx
            .fetch_one(
                "INSERT INTO epcis_captures (organisation_id, created_by, created_at, finished_at, success, event_count, stored, errors) \
                 VALUES ($1, $2, $3, $3, $4, $5, $6, '[]') RETURNING id",
                params![organisation_id, actor, created_at, true, events.len() as i64, (fresh_count + declared_count) as i64],
            )
            .await?
            .int(0)?;
        clock.lap("known");
        if !fresh.is_empty() {
            let first = tx.reserve_ids("epcis_events").await?;
            let namespaces_json = serde_json::to_string(namespaces).unwrap_or_else(|_| "{}".into());
            let mut rows = Vec::with_capacity(fresh.len());
            let mut id_rows = Vec::new();
            let mut link_rows = Vec::new();
            let mut stored: Vec<(i64, &Event)> = Vec::with_capacity(fresh.len());
            for (offset, (event, prepared)) in fresh.into_iter().enumerate() {
                let id = first + offset as i64;
                stored.push((id, event));
                rows.push(vec![
                    id.into(),
                    event.event_id.as_str().into(),
                    event.kind.as_str().into(),
                    event.event_time.as_millisecond().into(),
                    created_at.into(),
                    event.action.map(|a| a.as_str()).into(),
                    event.biz_step.as_deref().into(),
                    event.disposition.as_deref().into(),
                    event.read_point.as_deref().into(),
                    event.biz_location.as_deref().into(),
                    capture_id.into(),
                    organisation_id.into(),
                    region.into(),
                    event.declares_error.into(),
                    namespaces_json.as_str().into(),
                    prepared.body.into(),
                ]);
                for mut row in prepared.identifiers {
                    row.push(id.into());
                    id_rows.push(row);
                }
                for mut row in prepared.links {
                    row.push(id.into());
                    link_rows.push(row);
                }
            }
            tx.insert_rows(
                "INSERT INTO epcis_events (id, event_id, event_type, event_time, record_time, action, biz_step, disposition, \
                 read_point, biz_location, capture_id, organisation_id, region, error_declared, namespaces, body)",
                16,
                &rows,
            )
            .await?;
            clock.lap("events");
            tx.insert_rows(
                "INSERT INTO epcis_event_ids (identifier, role, event)",
                3,
                &id_rows,
            )
            .await?;
            clock.lap("identifiers");
            tx.insert_rows(
                "INSERT INTO epcis_event_links (value, kind, type, event)",
                4,
                &link_rows,
            )
            .await?;
            tx.sync_identity("epcis_events").await?;
            clock.lap("links");
            self.derive_moves(&mut tx, &stored, wanted).await?;
            clock.lap("moves");
        }
        crate::audit::append(
            &mut tx,
            created_at,
            crate::audit::Change {
                actor,
                action: "epcis.capture",
                entity: "epcis_capture",
                entity_id: capture_id.to_string(),
                enterprise: None,
                before: None,
                after: Some(serde_json::json!({"events": events.len(), "stored": fresh_count, "declared": declared_count})),
            },
        )
        .await?;
        let finished_at = now_ms();
        tx.execute(
            "UPDATE epcis_captures SET finished_at = $1 WHERE id = $2",
            params![finished_at, capture_id],
        )
        .await?;
        clock.lap("audit");
        tx.commit().await?;
        clock.lap("commit");
        tracing::debug!(events = events.len(), phases = %clock, "capture stored");
        Ok(CaptureJob {
            id: capture_id,
            organisation_id,
            created_by: actor.to_owned(),
            created_at,
            finished_at,
            success: true,
            event_count: events.len() as i64,
            stored: (fresh_count + declared_count) as i64,
            errors: Vec::new(),
        })
    }
}

impl Scoped<'_> {
    /// A capture job the caller sent (admins see every job).
    pub async fn capture_job(&self, id: i64) -> Result<CaptureJob, StoreError> {
        let row = self
            .store
            .db
            .fetch_optional(
                "SELECT id, organisation_id, created_by, created_at, finished_at, success, event_count, stored, errors \
                 FROM epcis_captures WHERE id = $1",
                params![id],
            )
            .await?
            .ok_or(StoreError::NotFound { entity: "capture job" })?;
        let job = CaptureJob {
            id: row.int(0)?,
            organisation_id: row.opt_int(1)?,
            created_by: row.text(2)?,
            created_at: row.int(3)?,
            finished_at: row.int(4)?,
            success: row.bool(5)?,
            event_count: row.int(6)?,
            stored: row.int(7)?,
            errors: serde_json::from_str(&row.text(8)?).unwrap_or_default(),
        };
        let principal = self.principal();
        let mine = job.created_by == principal.username
            || (job.organisation_id.is_some() && job.organisation_id == principal.org_id);
        if self.scope(Action::CaptureEvents) == Scope::All || mine {
            Ok(job)
        } else {
            Err(StoreError::NotFound {
                entity: "capture job",
            })
        }
    }

    /// One event by its eventID, if the caller may see it.
    pub async fn epcis_event(&self, event_id: &str) -> Result<StoredEvent, StoreError> {
        let query = Query {
            event_ids: vec![event_id.to_owned()],
            per_page: 1,
            ..Query::default()
        };
        let page = self.epcis_events(&query).await?;
        page.events
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound { entity: "event" })
    }

    /// A page of the events that match `query` and that the caller may see: admins all;
    /// bureaus those captured in their region's subtree or by the node itself; an
    /// enterprise those it captured and those naming its own products.
    pub async fn epcis_events(&self, query: &Query) -> Result<EventPage, StoreError> {
        let per_page = query.per_page.max(1);
        let after = match &query.next_page_token {
            Some(token) => Some(parse_cursor(token).ok_or(StoreError::Invalid {
                code: "next_page_token",
                field: "nextPageToken",
                message: "the page token is not one this server gave".into(),
            })?),
            None => None,
        };
        let mut w = Where::default();
        self.visible_events(&mut w).await?;
        if !query.event_types.is_empty() {
            let ps: Vec<String> = query
                .event_types
                .iter()
                .map(|t| w.arg(t.as_str()))
                .collect();
            w.cond(format!("e.event_type IN ({})", ps.join(", ")));
        }
        for (column, bound, op) in [
            ("e.event_time", query.ge_event_time, ">="),
            ("e.event_time", query.lt_event_time, "<"),
            ("e.record_time", query.ge_record_time, ">="),
            ("e.record_time", query.lt_record_time, "<"),
        ] {
            if let Some(value) = bound {
                let p = w.arg(value.as_millisecond());
                w.cond(format!("{column} {op} {p}"));
            }
        }
        for (column, values) in [
            ("e.action", &query.actions),
            ("e.biz_step", &query.biz_steps),
            ("e.disposition", &query.dispositions),
            ("e.read_point", &query.read_points),
            ("e.biz_location", &query.biz_locations),
            ("e.event_id", &query.event_ids),
        ] {
            if !values.is_empty() {
                let ps: Vec<String> = values.iter().map(|v| w.arg(v.as_str())).collect();
                w.cond(format!("{column} IN ({})", ps.join(", ")));
            }
        }
        let space = self.store.code_space().ok();
        for (roles, values) in &query.matches {
            let rs: Vec<String> = roles.iter().map(|r| w.arg(r.as_str())).collect();
            let mut alternatives = Vec::new();
            for value in values {
                let keys: Vec<String> =
                    lookup_keys(space, &value.canonical, self.store.units_as_written())
                        .into_iter()
                        .map(|key| w.arg(key))
                        .collect();
                alternatives.push(format!("i.identifier IN ({})", keys.join(", ")));
                if value.class {
                    // Every instance of the class: `{class}/…` ('/' sorts just before '0').
                    let low = w.arg(format!("{}/", value.canonical));
                    let high = w.arg(format!("{}0", value.canonical));
                    alternatives.push(format!("(i.identifier >= {low} AND i.identifier < {high})"));
                }
            }
            // `e.id IN (…)` rather than `EXISTS`: the planner then starts from the
            // identifier index instead of probing it once per stored event.
            w.cond(format!(
                "e.id IN (SELECT i.event FROM epcis_event_ids i WHERE i.role IN ({}) AND ({}))",
                rs.join(", "),
                alternatives.join(" OR ")
            ));
        }
        for (kind, type_uri, values) in &query.links {
            let k = w.arg(kind.as_str());
            let t = w.arg(type_uri.as_str());
            let vs: Vec<String> = values.iter().map(|v| w.arg(v.as_str())).collect();
            w.cond(format!(
                "e.id IN (SELECT l.event FROM epcis_event_links l WHERE l.kind = {k} AND l.type = {t} AND l.value IN ({}))",
                vs.join(", ")
            ));
        }
        if query.error_declared {
            let p = w.arg(true);
            w.cond(format!("e.error_declared = {p}"));
        }
        if let Some(after) = after {
            let p = w.arg(after);
            w.cond(if query.descending {
                format!("e.id < {p}")
            } else {
                format!("e.id > {p}")
            });
        }
        let limit = w.arg((per_page + 1) as i64);
        let order = if query.descending { "DESC" } else { "ASC" };
        let rows = self
            .store
            .db
            .fetch_all(
                &format!(
                    "SELECT e.id, e.event_id, e.record_time, e.namespaces, e.body FROM epcis_events e \
                     WHERE {} ORDER BY e.id {order} LIMIT {limit}",
                    w.sql()
                ),
                &w.values,
            )
            .await?;
        let mut events = Vec::with_capacity(rows.len().min(per_page));
        for row in rows.iter().take(per_page) {
            events.push(StoredEvent {
                id: row.int(0)?,
                event_id: row.text(1)?,
                record_time: row.int(2)?,
                namespaces: serde_json::from_str(&row.text(3)?).unwrap_or_default(),
                body: serde_json::from_str(&row.text(4)?).unwrap_or_default(),
            });
        }
        let next = (rows.len() > per_page)
            .then(|| events.last().map(|e| e.id))
            .flatten();
        Ok(EventPage { events, next })
    }

    /// Narrows `w` (over `epcis_events e`) to the events the caller may read.
    async fn visible_events(&self, w: &mut Where) -> Result<(), StoreError> {
        match self.scope(Action::ReadEvents) {
            Scope::All => {}
            Scope::Nothing => w.cond("1=0"),
            Scope::Region(region) => {
                let p = w.arg(format!("{}%", region.prefix()));
                w.cond(format!("(e.region IS NULL OR e.region LIKE {p})"));
            }
            Scope::Organisation(org) => {
                let holdings = self.store.holdings(org).await?;
                let mut alternatives = vec![format!("e.organisation_id = {}", w.arg(org))];
                // An item of one of its GTINs: a range over the identifier index,
                // `…/01/{gtin}` up to `…/01/{gtin}0` ('/' sorts just before '0').
                for gtin in &holdings.gtins {
                    let low = w.arg(format!("https://id.gs1.org/01/{gtin}"));
                    let high = w.arg(format!("https://id.gs1.org/01/{gtin}0"));
                    alternatives.push(format!(
                        "EXISTS (SELECT 1 FROM epcis_event_ids i WHERE i.event = e.id AND i.identifier >= {low} AND i.identifier < {high})"
                    ));
                }
                w.cond(format!("({})", alternatives.join(" OR ")));
            }
        }
        Ok(())
    }
}

/// One event made ready for storing before the transaction: its JSON text, and its
/// identifier rows (identifier, role) and link rows (value, kind, type), each once,
/// still without the event's row id.
struct Prepared {
    body: String,
    identifiers: Vec<Vec<crate::db::Value>>,
    links: Vec<Vec<crate::db::Value>>,
}

impl Prepared {
    /// `unit_indexes` are the issue indexes of this node's units, by canonical identifier
    /// ([`crate::trace::Wanted::unit_indexes`]): those units are indexed by key (see
    /// [`crate::unit_key`]).
    fn new(event: &Event, unit_indexes: &HashMap<&str, u64>) -> Self {
        let body = serde_json::to_string(&event.json).unwrap_or_default();
        let mut identifiers = Vec::with_capacity(event.identifiers.len());
        let mut seen = HashSet::new();
        for named in &event.identifiers {
            if seen.insert((named.canonical.as_str(), named.role)) {
                let key = unit_indexes
                    .get(named.canonical.as_str())
                    .and_then(|&index| key_for(&named.canonical, index));
                identifiers.push(vec![
                    key.unwrap_or_else(|| named.canonical.clone()).into(),
                    named.role.as_str().into(),
                ]);
            }
        }
        let mut links = Vec::new();
        let mut seen = HashSet::new();
        for (kind, list) in [
            ("biz_transaction", &event.biz_transactions),
            ("source", &event.sources),
            ("destination", &event.destinations),
        ] {
            for typed in list {
                if seen.insert((kind, typed.kind.as_str(), typed.value.as_str())) {
                    links.push(vec![
                        typed.value.as_str().into(),
                        kind.into(),
                        typed.kind.as_str().into(),
                    ]);
                }
            }
        }
        Prepared {
            body,
            identifiers,
            links,
        }
    }
}

/// Parses the numeric row id from a value (used by page tokens).
pub fn parse_cursor(token: &str) -> Option<i64> {
    token.parse().ok().filter(|n: &i64| *n >= 0)
}
