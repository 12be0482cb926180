//! Verification, the busiest path: what a code is, answered from memory, and every
//! query recorded durably in groups.
//!
//! Segments, activations and batches are few (one row per application or batch range),
//! so a [`Registry`] of them lives in memory and is reloaded when the change clock says
//! one of them changed; decoding a code and finding its segment and batch is then pure
//! computation. Only the per-code query state and the verification record touch the
//! database: one writer task takes queued verifications in groups, reads their codes'
//! states, writes states, records and counterfeit signals in one transaction, and only
//! then answers each caller (group commit: durable before the answer, one commit for
//! many answers).

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::{Mutex, mpsc, oneshot};
use zhijian_core::code::verdict::Verdict;
use zhijian_core::code::{CodeSpace, SupervisionCode};
use zhijian_core::page::{Page, Paged};
use zhijian_core::region::{self, RegionCode};

use crate::db::{Db, Row, Value};
use crate::{Scoped, Store, StoreError, Where, now_ms, params, rfc3339};

/// The kinds of audited change that alter what a verification answers.
const WATCHED: &[&str] = &["code_segment", "batch", "product", "enterprise", "licence"];

/// Most verifications written in one transaction.
const GROUP: usize = 512;

/// How a verification reached the node.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The public web page or a phone scanning the QR code.
    Web,
    /// A text message.
    Sms,
    /// A registered shop terminal.
    Terminal,
    /// An officer checking goods.
    Officer,
    /// Another system calling the API.
    Api,
}

impl Channel {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Sms => "sms",
            Channel::Terminal => "terminal",
            Channel::Officer => "officer",
            Channel::Api => "api",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<Channel> {
        [
            Channel::Web,
            Channel::Sms,
            Channel::Terminal,
            Channel::Officer,
            Channel::Api,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

/// Thresholds that turn queries into counterfeit signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyRules {
    /// A code queried more often than this raises a `repeat_threshold` signal.
    pub repeat_threshold: i64,
    /// A code queried from this many regions raises a `multi_region` signal.
    pub region_threshold: usize,
}

impl Default for VerifyRules {
    fn default() -> Self {
        VerifyRules {
            repeat_threshold: 5,
            region_threshold: 2,
        }
    }
}

/// The product a code is on.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ProductFacts {
    /// Name.
    pub name: String,
    /// Specification.
    pub specification: Option<String>,
    /// Catalogue category.
    pub category: String,
    /// GTIN.
    pub gtin: Option<String>,
}

/// The maker.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct MakerFacts {
    /// Credit code.
    pub uscc: String,
    /// Name.
    pub name: String,
    /// Region code.
    pub region: String,
    /// Region name.
    pub region_name: String,
    /// The production licence, if one is on file.
    pub licence: Option<LicenceFacts>,
}

/// A production licence as a verification shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct LicenceFacts {
    /// Licence number.
    pub number: String,
    /// Its state (`issued`, `suspended`, …).
    pub state: String,
    /// Valid until.
    #[schema(format = Date)]
    pub valid_until: Option<String>,
}

/// The batch.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct BatchFacts {
    /// Lot number.
    pub lot: String,
    /// Production date.
    #[schema(format = Date)]
    pub production_date: String,
    /// Expiry date.
    #[schema(format = Date)]
    pub expiry_date: Option<String>,
    /// Factory inspection report number.
    pub inspection_report: Option<String>,
    /// `active`, `recalled` or `decommissioned`.
    pub status: String,
}

/// The first query of a code.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FirstQuery {
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub at: String,
    /// Milliseconds since the epoch, for formatting.
    #[serde(skip)]
    pub at_ms: i64,
    /// Through which channel.
    pub channel: String,
    /// Region code, if known.
    pub region: Option<String>,
    /// Region name, if known.
    pub region_name: Option<String>,
}

/// What a verification found.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Verification {
    /// The code, normalised (absent for a mistyped one).
    pub code: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// The product (genuine, repeat, recalled, expired, decommissioned, not activated).
    pub product: Option<ProductFacts>,
    /// The maker.
    pub enterprise: Option<MakerFacts>,
    /// The batch (once activated).
    pub batch: Option<BatchFacts>,
    /// The first query, when this was not it.
    pub first_query: Option<FirstQuery>,
    /// How many times the code has been queried, this time included (0 for codes the
    /// node never issued).
    pub queries: i64,
    /// The batch's id, for looking up its recall.
    #[serde(skip)]
    pub batch_id: Option<i64>,
}

#[derive(Debug, Clone, Copy)]
struct SegmentEntry {
    first: u64,
    end: u64,
    product: i64,
    enterprise: i64,
}

#[derive(Debug, Clone, Copy)]
struct ActivationEntry {
    first: u64,
    end: u64,
    batch: i64,
}

/// The in-memory picture of every segment, activation and batch.
#[derive(Debug, Default)]
struct Registry {
    segments: Vec<SegmentEntry>,
    activations: Vec<ActivationEntry>,
    batches: HashMap<i64, BatchFacts>,
    products: HashMap<i64, ProductFacts>,
    makers: HashMap<i64, MakerFacts>,
}

/// Where a code stands before its query state is known.
struct Found<'a> {
    segment: &'a SegmentEntry,
    batch: Option<(i64, &'a BatchFacts)>,
}

impl Registry {
    async fn load(db: &Db) -> Result<Registry, StoreError> {
        let mut r = Registry::default();
        for row in db
            .fetch_all(
                "SELECT first_index, quantity, product_id, enterprise_id FROM code_segments ORDER BY first_index",
                params![],
            )
            .await?
        {
            let first = row.int(0)? as u64;
            r.segments.push(SegmentEntry {
                first,
                end: first + row.int(1)? as u64,
                product: row.int(2)?,
                enterprise: row.int(3)?,
            });
        }
        for row in db
            .fetch_all(
                "SELECT first_index, quantity, batch_id FROM activations ORDER BY first_index",
                params![],
            )
            .await?
        {
            let first = row.int(0)? as u64;
            r.activations.push(ActivationEntry {
                first,
                end: first + row.int(1)? as u64,
                batch: row.int(2)?,
            });
        }
        for row in db
            .fetch_all(
                "SELECT id, lot, production_date, expiry_date, inspection_report, status FROM batches",
                params![],
            )
            .await?
        {
            r.batches.insert(
                row.int(0)?,
                BatchFacts {
                    lot: row.text(1)?,
                    production_date: row.text(2)?,
                    expiry_date: row.opt_text(3)?,
                    inspection_report: row.opt_text(4)?,
                    status: row.text(5)?,
                },
            );
        }
        for row in db
            .fetch_all(
                "SELECT id, name, specification, category, gtin FROM products WHERE id IN (SELECT product_id FROM code_segments)",
                params![],
            )
            .await?
        {
            r.products.insert(
                row.int(0)?,
                ProductFacts {
                    name: row.text(1)?,
                    specification: row.opt_text(2)?,
                    category: row.text(3)?,
                    gtin: row.opt_text(4)?,
                },
            );
        }
        for row in db
            .fetch_all(
                "SELECT id, uscc, name, region FROM organisations WHERE id IN (SELECT enterprise_id FROM code_segments)",
                params![],
            )
            .await?
        {
            let region = row.text(3)?;
            r.makers.insert(
                row.int(0)?,
                MakerFacts {
                    uscc: row.text(1)?,
                    name: row.text(2)?,
                    region_name: region_name(&region).unwrap_or_default(),
                    region,
                    licence: None,
                },
            );
        }
        for row in db
            .fetch_all(
                "SELECT enterprise_id, number, state, valid_until FROM licences WHERE number IS NOT NULL AND enterprise_id IN (SELECT enterprise_id FROM code_segments) ORDER BY updated_at, id",
                params![],
            )
            .await?
        {
            if let Some(m) = r.makers.get_mut(&row.int(0)?) {
                m.licence = Some(LicenceFacts {
                    number: row.text(1)?,
                    state: row.text(2)?,
                    valid_until: row.opt_text(3)?,
                });
            }
        }
        Ok(r)
    }

    fn find(&self, index: u64) -> Option<Found<'_>> {
        let s = self.segments.partition_point(|s| s.first <= index);
        let segment = self.segments.get(s.checked_sub(1)?)?;
        if index >= segment.end {
            return None;
        }
        let a = self.activations.partition_point(|a| a.first <= index);
        let batch = a
            .checked_sub(1)
            .and_then(|a| self.activations.get(a))
            .filter(|a| index < a.end)
            .and_then(|a| self.batches.get(&a.batch).map(|b| (a.batch, b)));
        Some(Found { segment, batch })
    }
}

fn region_name(code: &str) -> Option<String> {
    RegionCode::parse(code)
        .ok()
        .and_then(region::lookup)
        .map(|r| r.name.to_owned())
}

/// One verification waiting for the writer.
struct Pending {
    index: Option<u64>,
    typed: Option<String>,
    verdict: Verdict,
    channel: Channel,
    region: Option<String>,
    terminal: Option<i64>,
    enterprise: Option<i64>,
    at: i64,
    reply: oneshot::Sender<Result<Recorded, String>>,
}

/// What the writer learnt about a code's earlier queries.
#[derive(Debug, Clone, Default)]
struct Recorded {
    queries: i64,
    first: Option<FirstQuery>,
}

/// The verification service of a node: the registry, and the writer's queue.
pub struct Verifier {
    store: Store,
    registry: Mutex<Option<(i64, Arc<Registry>)>>,
    queue: mpsc::Sender<Pending>,
}

/// What a caller asked.
#[derive(Debug, Clone)]
pub struct Query {
    /// Through which channel.
    pub channel: Channel,
    /// Where it was asked (a terminal's region, or one the caller gave).
    pub region: Option<RegionCode>,
    /// The terminal, if one asked.
    pub terminal: Option<i64>,
}

impl Verifier {
    /// Starts the writer task; needs a running Tokio runtime.
    pub fn start(store: Store, rules: VerifyRules) -> Arc<Verifier> {
        let (tx, rx) = mpsc::channel(8 * GROUP);
        tokio::spawn(writer(store.db.clone(), rules, rx));
        Arc::new(Verifier {
            store,
            registry: Mutex::new(None),
            queue: tx,
        })
    }

    async fn registry(&self) -> Result<Arc<Registry>, StoreError> {
        let db = &self.store.db;
        let changes = db.changes();
        changes.poll(db).await?;
        let mut held = self.registry.lock().await;
        if let Some((at, r)) = &*held
            && !changes.kinds_changed_since(WATCHED, *at)
        {
            return Ok(r.clone());
        }
        let at = changes.head();
        let r = Arc::new(Registry::load(db).await?);
        *held = Some((at, r.clone()));
        Ok(r)
    }

    /// Verifies a well-formed code of this node and records the query; the answer
    /// comes once the record is durable.
    pub async fn verify(
        &self,
        code: &SupervisionCode,
        query: &Query,
        today: jiff::civil::Date,
    ) -> Result<Verification, StoreError> {
        let space: &CodeSpace = self.store.code_space()?;
        let index = crate::codes::decode(space, code)?;
        let registry = self.registry().await?;
        let found = registry.find(index);
        let (verdict, enterprise, product, maker, batch) = match &found {
            None => (Verdict::Unknown, None, None, None, None),
            Some(f) => {
                let verdict = match f.batch.map(|(_, b)| b) {
                    None => Verdict::NotActivated,
                    Some(b) if b.status == "recalled" => Verdict::Recalled,
                    Some(b) if b.status == "decommissioned" => Verdict::Decommissioned,
                    Some(b)
                        if b.expiry_date
                            .as_deref()
                            .and_then(|d| d.parse::<jiff::civil::Date>().ok())
                            .is_some_and(|d| d < today) =>
                    {
                        Verdict::Expired
                    }
                    Some(_) => Verdict::Genuine,
                };
                (
                    verdict,
                    Some(f.segment.enterprise),
                    registry.products.get(&f.segment.product).cloned(),
                    registry.makers.get(&f.segment.enterprise).cloned(),
                    f.batch.map(|(_, b)| b.clone()),
                )
            }
        };
        let recorded = self
            .record(Some(index), None, verdict, query, enterprise)
            .await?;
        let verdict = if verdict == Verdict::Genuine && recorded.queries > 1 {
            Verdict::GenuineRepeat
        } else {
            verdict
        };
        let issued = found.is_some();
        let batch_id = found.as_ref().and_then(|f| f.batch.map(|(id, _)| id));
        Ok(Verification {
            code: Some(code.to_string()),
            verdict,
            product,
            enterprise: maker,
            batch,
            first_query: if recorded.queries > 1 && issued {
                recorded.first
            } else {
                None
            },
            queries: if issued { recorded.queries } else { 0 },
            batch_id,
        })
    }

    /// The GTIN of the product a code was issued for (`None`: no GTIN, or not issued).
    pub async fn product_gtin(&self, code: &SupervisionCode) -> Result<Option<String>, StoreError> {
        let index = crate::codes::decode(self.store.code_space()?, code)?;
        let registry = self.registry().await?;
        Ok(registry
            .find(index)
            .and_then(|f| registry.products.get(&f.segment.product))
            .and_then(|p| p.gtin.clone()))
    }

    /// Records the query of a code whose check digit is wrong.
    pub async fn mistyped(&self, typed: &str, query: &Query) -> Result<Verification, StoreError> {
        let typed: String = typed
            .chars()
            .filter(char::is_ascii_digit)
            .take(20)
            .collect();
        self.record(None, Some(typed), Verdict::Mistyped, query, None)
            .await?;
        Ok(Verification {
            code: None,
            verdict: Verdict::Mistyped,
            product: None,
            enterprise: None,
            batch: None,
            first_query: None,
            queries: 0,
            batch_id: None,
        })
    }

    async fn record(
        &self,
        index: Option<u64>,
        typed: Option<String>,
        verdict: Verdict,
        query: &Query,
        enterprise: Option<i64>,
    ) -> Result<Recorded, StoreError> {
        let (reply, answer) = oneshot::channel();
        let pending = Pending {
            index,
            typed,
            verdict,
            channel: query.channel,
            region: query.region.map(|r| r.as_str().to_owned()),
            terminal: query.terminal,
            enterprise,
            at: now_ms(),
            reply,
        };
        let stopped = || StoreError::Invalid {
            code: "verifier_stopped",
            field: "code",
            message: "the verification writer has stopped".into(),
        };
        self.queue.send(pending).await.map_err(|_| stopped())?;
        answer
            .await
            .map_err(|_| stopped())?
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))
    }
}

/// The writer: takes what is queued, up to [`GROUP`] at a time, and commits it at once.
async fn writer(db: Db, rules: VerifyRules, mut rx: mpsc::Receiver<Pending>) {
    let mut group = Vec::with_capacity(GROUP);
    while rx.recv_many(&mut group, GROUP).await > 0 {
        let work = std::mem::take(&mut group);
        match write_group(&db, rules, &work).await {
            Ok(recorded) => {
                for (p, r) in work.into_iter().zip(recorded) {
                    let _ = p.reply.send(Ok(r));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "recording verifications failed");
                let message = e.to_string();
                for p in work {
                    let _ = p.reply.send(Err(message.clone()));
                }
            }
        }
    }
}

/// A code's query state as the writer keeps it.
struct State {
    queries: i64,
    first_at: i64,
    first_channel: String,
    first_region: Option<String>,
    last_at: i64,
    regions: Vec<String>,
}

/// Regions kept per code (enough to see it travel).
const REGIONS_KEPT: usize = 16;

async fn write_group(
    db: &Db,
    rules: VerifyRules,
    work: &[Pending],
) -> Result<Vec<Recorded>, StoreError> {
    let mut tx = db.begin().await?;
    let mut indices: Vec<i64> = work
        .iter()
        .filter(|p| p.verdict != Verdict::Unknown)
        .filter_map(|p| p.index.map(|i| i as i64))
        .collect();
    indices.sort_unstable();
    indices.dedup();
    let mut states: HashMap<i64, State> = HashMap::new();
    for chunk in indices.chunks(200) {
        let list = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(",");
        let values: Vec<Value> = chunk.iter().map(|&i| Value::from(i)).collect();
        for r in tx
            .fetch_all(
                &format!("SELECT code_index, queries, first_at, first_channel, first_region, last_at, regions FROM code_states WHERE code_index IN ({list})"),
                &values,
            )
            .await?
        {
            states.insert(r.int(0)?, read_state(&r)?);
        }
    }
    let mut dirty: Vec<i64> = Vec::new();
    let mut verifications: Vec<Vec<Value>> = Vec::with_capacity(work.len());
    let mut signals: Vec<Vec<Value>> = Vec::new();
    let mut out = Vec::with_capacity(work.len());
    for p in work {
        let index = p.index.map(|i| i as i64);
        let mut signal = |kind: &str, detail: serde_json::Value| {
            signals.push(vec![
                p.at.into(),
                kind.into(),
                Value::Int(index),
                p.region.clone().into(),
                Value::Int(p.enterprise),
                detail.to_string().into(),
            ]);
        };
        let recorded = match index {
            Some(i) if p.verdict != Verdict::Unknown => {
                let state = states.entry(i).or_insert_with(|| State {
                    queries: 0,
                    first_at: p.at,
                    first_channel: p.channel.as_str().to_owned(),
                    first_region: p.region.clone(),
                    last_at: p.at,
                    regions: Vec::new(),
                });
                let first = (state.queries > 0).then(|| FirstQuery {
                    at: rfc3339(state.first_at),
                    at_ms: state.first_at,
                    channel: state.first_channel.clone(),
                    region_name: state.first_region.as_deref().and_then(region_name),
                    region: state.first_region.clone(),
                });
                state.queries += 1;
                state.last_at = p.at;
                let mut new_region = false;
                if let Some(r) = &p.region
                    && !state.regions.contains(r)
                    && state.regions.len() < REGIONS_KEPT
                {
                    state.regions.push(r.clone());
                    new_region = true;
                }
                if p.verdict == Verdict::NotActivated && state.queries == 1 {
                    signal(
                        "not_activated",
                        serde_json::json!({"channel": p.channel.as_str()}),
                    );
                }
                if state.queries == rules.repeat_threshold + 1 {
                    signal(
                        "repeat_threshold",
                        serde_json::json!({"queries": state.queries, "threshold": rules.repeat_threshold}),
                    );
                }
                if new_region && state.regions.len() == rules.region_threshold {
                    signal(
                        "multi_region",
                        serde_json::json!({"regions": state.regions}),
                    );
                }
                if !dirty.contains(&i) {
                    dirty.push(i);
                }
                Recorded {
                    queries: state.queries,
                    first,
                }
            }
            _ => {
                if p.verdict == Verdict::Unknown {
                    signal(
                        "unknown_code",
                        serde_json::json!({"channel": p.channel.as_str()}),
                    );
                }
                Recorded::default()
            }
        };
        verifications.push(vec![
            p.at.into(),
            Value::Int(index),
            p.typed.clone().into(),
            p.channel.as_str().into(),
            p.region.clone().into(),
            Value::Int(p.terminal),
            // Record the verdict the caller is given: a genuine code asked again is a repeat.
            if p.verdict == Verdict::Genuine && recorded.queries > 1 {
                Verdict::GenuineRepeat.as_str()
            } else {
                p.verdict.as_str()
            }
            .into(),
        ]);
        out.push(recorded);
    }
    let state_rows: Vec<Vec<Value>> = dirty
        .iter()
        .filter_map(|i| states.get(i).map(|s| (i, s)))
        .map(|(i, s)| {
            vec![
                (*i).into(),
                s.queries.into(),
                s.first_at.into(),
                s.first_channel.as_str().into(),
                s.first_region.clone().into(),
                s.last_at.into(),
                s.regions.join(",").into(),
            ]
        })
        .collect();
    tx.upsert_rows(
        "INSERT INTO code_states (code_index, queries, first_at, first_channel, first_region, last_at, regions)",
        7,
        &state_rows,
        " ON CONFLICT (code_index) DO UPDATE SET queries = excluded.queries, last_at = excluded.last_at, regions = excluded.regions",
    )
    .await?;
    tx.insert_rows(
        "INSERT INTO verifications (at, code_index, typed, channel, region, terminal_id, verdict)",
        7,
        &verifications,
    )
    .await?;
    tx.insert_rows(
        "INSERT INTO counterfeit_signals (at, kind, code_index, region, enterprise_id, detail)",
        6,
        &signals,
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

fn read_state(r: &Row) -> Result<State, StoreError> {
    let regions = r.text(6)?;
    Ok(State {
        queries: r.int(1)?,
        first_at: r.int(2)?,
        first_channel: r.text(3)?,
        first_region: r.opt_text(4)?,
        last_at: r.int(5)?,
        regions: regions
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

/// A counterfeit signal: a query that looks like fake goods.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct CounterfeitSignal {
    /// Its id.
    pub id: i64,
    /// When.
    #[schema(format = DateTime)]
    pub at: String,
    /// `unknown_code`, `repeat_threshold`, `multi_region` or `not_activated`.
    pub kind: String,
    /// The code (absent for codes the node never issued: their digits are the
    /// counterfeiter's, not ours to publish).
    pub code: Option<String>,
    /// Where the query happened.
    pub region: Option<String>,
    /// The enterprise whose code it is.
    pub enterprise: Option<String>,
    /// Details (counts, regions, channel).
    pub detail: serde_json::Value,
}

/// One recorded verification.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct VerificationRecord {
    /// When.
    #[schema(format = DateTime)]
    pub at: String,
    /// Through which channel.
    pub channel: String,
    /// Where, if known.
    pub region: Option<String>,
    /// The terminal, if one asked.
    pub terminal_id: Option<i64>,
    /// The verdict given.
    pub verdict: String,
}

/// A registered shop terminal.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Terminal {
    /// Its id.
    pub id: i64,
    /// Its name (e.g. the till it stands at).
    pub name: String,
    /// The shop.
    pub shop: String,
    /// The shop's region.
    pub region: String,
    /// When it was registered.
    #[schema(format = DateTime)]
    pub created_at: String,
}

fn read_terminal(r: &Row) -> Result<Terminal, StoreError> {
    Ok(Terminal {
        id: r.int(0)?,
        name: r.text(1)?,
        shop: r.text(2)?,
        region: r.text(3)?,
        created_at: rfc3339(r.int(4)?),
    })
}

impl Store {
    /// A shop registers its own query terminal (public; the bureau of its region may
    /// suspend it): returns it and its token, shown this once.
    pub async fn register_own_terminal(
        &self,
        name: &str,
        shop: &str,
        region: RegionCode,
    ) -> Result<(Terminal, String), StoreError> {
        insert_terminal(self, name, shop, region, "self-registered").await
    }

    /// The terminal a token belongs to, unless revoked.
    pub async fn terminal_by_token(&self, token: &str) -> Result<Option<Terminal>, StoreError> {
        let row = self
            .db
            .fetch_optional(
                "SELECT id, name, shop, region, created_at FROM terminals WHERE token_hash = $1 AND revoked_at IS NULL",
                params![crate::identity::digest(token)],
            )
            .await?;
        row.as_ref().map(read_terminal).transpose()
    }
}

impl Scoped<'_> {
    /// Registers a shop terminal in the caller's region subtree (officers, admins);
    /// returns it and its token, shown this once.
    pub async fn register_terminal(
        &self,
        name: &str,
        shop: &str,
        region: RegionCode,
    ) -> Result<(Terminal, String), StoreError> {
        if !self
            .scope(zhijian_core::access::Action::DecideCodes)
            .contains(0, region)
        {
            return Err(StoreError::Forbidden);
        }
        insert_terminal(self.store, name, shop, region, &self.principal.username).await
    }

    /// Suspends a terminal (officers of its region): its token stops working at once.
    pub async fn suspend_terminal(&self, id: i64) -> Result<(), StoreError> {
        let row = self
            .store
            .db
            .fetch_optional(
                "SELECT region FROM terminals WHERE id = $1 AND revoked_at IS NULL",
                params![id],
            )
            .await?
            .ok_or(StoreError::NotFound { entity: "terminal" })?;
        let region = RegionCode::parse(&row.text(0)?).unwrap_or(RegionCode::NATIONAL);
        if !self
            .scope(zhijian_core::access::Action::DecideCodes)
            .contains(0, region)
        {
            return Err(StoreError::NotFound { entity: "terminal" });
        }
        let at = now_ms();
        let mut tx = self.store.db.begin().await?;
        tx.execute(
            "UPDATE terminals SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            params![at, id],
        )
        .await?;
        crate::audit::append(
            &mut tx,
            at,
            crate::audit::Change {
                actor: &self.principal.username,
                action: "terminal.suspend",
                entity: "terminal",
                entity_id: id.to_string(),
                enterprise: None,
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Terminals in the caller's region subtree.
    pub async fn terminals(&self, page: Page) -> Result<Paged<Terminal>, StoreError> {
        let mut w = Where::default();
        match self.scope(zhijian_core::access::Action::Read) {
            zhijian_core::access::Scope::All => {}
            zhijian_core::access::Scope::Region(r) => {
                let p = w.arg(format!("{}%", r.prefix()));
                w.cond(format!("region LIKE {p}"));
            }
            _ => w.cond("1=0"),
        }
        w.cond("revoked_at IS NULL");
        let db = &self.store.db;
        let total = db
            .fetch_one(
                &format!("SELECT COUNT(*) FROM terminals WHERE {}", w.sql()),
                &w.values,
            )
            .await?
            .int(0)?;
        let (limit, offset) = (w.arg(page.limit()), w.arg(page.offset()));
        let rows = db
            .fetch_all(
                &format!("SELECT id, name, shop, region, created_at FROM terminals WHERE {} ORDER BY id DESC LIMIT {limit} OFFSET {offset}", w.sql()),
                &w.values,
            )
            .await?;
        let items = rows.iter().map(read_terminal).collect::<Result<_, _>>()?;
        Ok(Paged { items, total })
    }

    /// Counterfeit signals the caller may see: an enterprise its own codes', a bureau
    /// those that happened in its region subtree, an admin all.
    pub async fn counterfeit_signals(
        &self,
        page: Page,
    ) -> Result<Paged<CounterfeitSignal>, StoreError> {
        use zhijian_core::access::{Role, Scope};
        let mut w = Where::default();
        match (
            self.principal.role,
            self.scope(zhijian_core::access::Action::Read),
        ) {
            (_, Scope::All) => {}
            (Role::Officer | Role::Viewer, Scope::Region(r)) => {
                let p = w.arg(format!("{}%", r.prefix()));
                w.cond(format!("(c.region LIKE {p} OR o.region LIKE {p})"));
            }
            (_, Scope::Organisation(id)) => {
                let p = w.arg(id);
                w.cond(format!("c.enterprise_id = {p}"));
            }
            _ => w.cond("1=0"),
        }
        let db = &self.store.db;
        let from = "counterfeit_signals c LEFT JOIN organisations o ON o.id = c.enterprise_id";
        let total = db
            .fetch_one(
                &format!("SELECT COUNT(*) FROM {from} WHERE {}", w.sql()),
                &w.values,
            )
            .await?
            .int(0)?;
        let (limit, offset) = (w.arg(page.limit()), w.arg(page.offset()));
        let rows = db
            .fetch_all(
                &format!("SELECT c.id, c.at, c.kind, c.code_index, c.region, o.uscc, c.detail FROM {from} WHERE {} ORDER BY c.id DESC LIMIT {limit} OFFSET {offset}", w.sql()),
                &w.values,
            )
            .await?;
        let space = self.store.code_space().ok();
        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            let kind = r.text(2)?;
            let code = match (kind.as_str(), r.opt_int(3)?, space) {
                ("unknown_code", _, _) | (_, None, _) | (_, _, None) => None,
                (_, Some(i), Some(space)) => u64::try_from(i)
                    .ok()
                    .and_then(|i| space.encode(i).ok())
                    .map(|c| c.to_string()),
            };
            items.push(CounterfeitSignal {
                id: r.int(0)?,
                at: rfc3339(r.int(1)?),
                kind,
                code,
                region: r.opt_text(4)?,
                enterprise: r.opt_text(5)?,
                detail: serde_json::from_str(&r.text(6)?).unwrap_or_default(),
            });
        }
        Ok(Paged { items, total })
    }

    /// The recorded queries of one code, newest first, for those who may see its maker.
    pub async fn code_history(
        &self,
        code: &SupervisionCode,
        page: Page,
    ) -> Result<Paged<VerificationRecord>, StoreError> {
        let space = self.store.code_space()?;
        let index = crate::codes::decode(space, code)? as i64;
        let owner = self
            .store
            .db
            .fetch_optional(
                "SELECT o.id, o.region FROM code_segments s JOIN organisations o ON o.id = s.enterprise_id WHERE s.first_index <= $1 AND s.first_index + s.quantity > $1",
                params![index],
            )
            .await?
            .ok_or(StoreError::NotFound { entity: "code" })?;
        let region = RegionCode::parse(&owner.text(1)?)
            .map_err(|_| StoreError::NotFound { entity: "code" })?;
        if !self
            .principal
            .may(zhijian_core::access::Action::Read, owner.int(0)?, region)
        {
            return Err(StoreError::NotFound { entity: "code" });
        }
        let db = &self.store.db;
        let total = db
            .fetch_one(
                "SELECT COUNT(*) FROM verifications WHERE code_index = $1",
                params![index],
            )
            .await?
            .int(0)?;
        let rows = db
            .fetch_all(
                "SELECT at, channel, region, terminal_id, verdict FROM verifications WHERE code_index = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
                params![index, page.limit(), page.offset()],
            )
            .await?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(VerificationRecord {
                    at: rfc3339(r.int(0)?),
                    channel: r.text(1)?,
                    region: r.opt_text(2)?,
                    terminal_id: r.opt_int(3)?,
                    verdict: r.text(4)?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Paged { items, total })
    }
}

/// Records a terminal and its token's digest; audited as `actor`.
async fn insert_terminal(
    store: &Store,
    name: &str,
    shop: &str,
    region: RegionCode,
    actor: &str,
) -> Result<(Terminal, String), StoreError> {
    let text = |field: &'static str, v: &str| {
        let v = v.trim();
        if v.is_empty() || v.chars().count() > 100 || v.chars().any(char::is_control) {
            Err(StoreError::Invalid {
                code: "text",
                field,
                message: format!("{field} is 1–100 characters"),
            })
        } else {
            Ok(v.to_owned())
        }
    };
    let (name, shop) = (text("name", name)?, text("shop", shop)?);
    if region::lookup(region).is_none() {
        return Err(StoreError::Invalid {
            code: "region_unknown",
            field: "region",
            message: format!("unknown region {region}"),
        });
    }
    let token = crate::identity::secret("zjterm_");
    let at = now_ms();
    let mut tx = store.db.begin().await?;
    let id = tx
        .fetch_one(
            "INSERT INTO terminals (name, shop, region, token_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            params![name.as_str(), shop.as_str(), region.as_str(), crate::identity::digest(&token), actor, at],
        )
        .await?
        .int(0)?;
    crate::audit::append(
        &mut tx,
        at,
        crate::audit::Change {
            actor,
            action: "terminal.create",
            entity: "terminal",
            entity_id: id.to_string(),
            enterprise: None,
            before: None,
            after: Some(serde_json::json!({"name": name, "shop": shop, "region": region.as_str()})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((
        Terminal {
            id,
            name,
            shop,
            region: region.as_str().to_owned(),
            created_at: rfc3339(at),
        },
        token,
    ))
}
