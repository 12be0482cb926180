//! Batch dossiers (追溯档案): what is known about one batch of a high-risk food, gathered
//! from the batch record and the EPCIS events about it, each item naming where it came
//! from.
//!
//! The events are found through the identifier index: those naming the batch's LGTIN
//! (`https://id.gs1.org/01/{gtin}/10/{lot}`), and those naming units whose supervision
//! codes are activated on the batch. Commissioning events (ObjectEvent `ADD`) and
//! transformations whose outputs are the batch give the origin, formula and additives
//! (from their ILMD, see [`ZJ_NAMESPACE`]) and the places; the transformations' inputs
//! give the raw materials with their supplier lots. See `docs/dossier.md`.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;
use serde_json::{Map, Value as Json};
use zhijian_core::access::Action;
use zhijian_core::catalogue::{self, CatalogueKind};
use zhijian_core::code::SupervisionCode;
use zhijian_epcis::identifier::Identifier;

use crate::epcis::CODE_URN_PREFIX;
use crate::{Scoped, Store, StoreError, Where, params};

/// Our namespace for ILMD keys (`zj:origin`, `zj:additives`, `zj:formula`).
pub const ZJ_NAMESPACE: &str = "https://zhijian.dev/epcis/";
/// The GS1 CBV master-data namespace (`cbvmda:countryOfOrigin`, `cbvmda:lotNumber`).
pub const CBVMDA_NAMESPACE: &str = "urn:epcglobal:cbv:mda#";

/// The most events one dossier gathers: a batch's history is a handful of events, and
/// the bound keeps a pathological one from making the page unbounded.
const MAX_EVENTS: usize = 500;

/// One batch's dossier.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dossier {
    /// The batch record.
    pub batch: DossierBatch,
    /// The batch's LGTIN (canonical Digital Link), when its product has a GTIN.
    pub lgtin: Option<String>,
    /// Where the food comes from, as the events declare it.
    pub origins: Vec<Origin>,
    /// Formula references (e.g. a registered formula's number).
    pub formulas: Vec<Formula>,
    /// Declared food additives.
    pub additives: Vec<Additive>,
    /// Raw materials: the inputs of the transformations that made the batch.
    pub materials: Vec<Material>,
    /// Where the batch was commissioned or made.
    pub locations: Vec<Place>,
    /// The events the dossier was assembled from, in time order.
    pub events: Vec<SourceEvent>,
}

/// The batch record of a dossier (its source is `batches/{id}`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DossierBatch {
    /// Its id.
    pub id: i64,
    /// Lot number.
    pub lot: String,
    /// Production date.
    #[schema(format = Date)]
    pub production_date: String,
    /// Expiry date.
    #[schema(format = Date)]
    pub expiry_date: Option<String>,
    /// The factory inspection report number, if the maker gave one.
    pub inspection_report: Option<String>,
    /// `active`, `recalled` or `decommissioned`.
    pub status: String,
    /// The product's id.
    pub product_id: i64,
    /// The product's name.
    pub product_name: String,
    /// The product's specification.
    pub specification: Option<String>,
    /// The product's catalogue category.
    pub category: String,
    /// Whether the category is food.
    pub food: bool,
    /// The category's risk grade (`I`, `II`, `III`).
    pub risk: Option<String>,
    /// The product's GTIN (14 digits).
    pub gtin: Option<String>,
    /// The maker's credit code.
    pub maker_uscc: String,
    /// The maker's name.
    pub maker_name: String,
    /// The maker's region code.
    pub maker_region: String,
    /// The record this came from: `batches/{id}`.
    pub source: String,
}

/// A declared origin: free text, or country, region and farm.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Origin {
    /// The origin as text (`zj:origin` given as a string).
    pub text: Option<String>,
    /// Country (ISO 3166 code or name).
    pub country: Option<String>,
    /// Region within the country.
    pub region: Option<String>,
    /// Farm, ranch or fishery.
    pub farm: Option<String>,
    /// The eventID that declared it.
    pub source: String,
}

impl Origin {
    /// The origin in one line: the text, or country · region · farm.
    pub fn display(&self) -> String {
        match &self.text {
            Some(text) => text.clone(),
            None => [&self.country, &self.region, &self.farm]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(" · "),
        }
    }
}

/// A formula reference.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Formula {
    /// The reference as declared.
    pub reference: String,
    /// The eventID that declared it.
    pub source: String,
}

/// A declared food additive.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Additive {
    /// Its name (GB 2760 name).
    pub name: String,
    /// What it does (preservative, sweetener, …).
    pub function: Option<String>,
    /// How much (as declared, with its unit).
    pub amount: Option<String>,
    /// The eventID that declared it.
    pub source: String,
}

/// A raw material: one input of a transformation that made the batch.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Material {
    /// The input's canonical identifier (an LGTIN is a supplier lot).
    pub identifier: String,
    /// Its GTIN, when it is a GS1 trade item.
    pub gtin: Option<String>,
    /// The supplier's lot, when the identifier is an LGTIN.
    pub lot: Option<String>,
    /// The product's name, when the GTIN is a product registered here.
    pub product_name: Option<String>,
    /// The quantity consumed (absent for a unit in `inputEPCList`).
    pub quantity: Option<f64>,
    /// Its unit of measure (UN/CEFACT rec. 20); absent for a count.
    pub uom: Option<String>,
    /// The supplier: the GTIN's owner when known here.
    pub supplier: Option<Supplier>,
    /// The eventID of the transformation.
    pub source: String,
}

/// The owner of a GTIN, from the products or the GS1 company prefixes registered here.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Supplier {
    /// Its name.
    pub name: String,
    /// Its credit code.
    pub uscc: String,
}

/// A place the batch was commissioned or made, listed once.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Place {
    /// The canonical GLN (Digital Link) or other identifier.
    pub identifier: String,
    /// Its name, when registered.
    pub name: Option<String>,
    /// `read_point` or `biz_location`, in the first event naming it.
    pub role: String,
    /// The first event naming it.
    pub source: String,
}

/// An event a dossier was assembled from.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SourceEvent {
    /// Its eventID.
    pub event_id: String,
    /// `commissioning` (ObjectEvent ADD) or `transformation`.
    pub kind: String,
    /// When it happened (RFC 3339).
    #[schema(format = DateTime)]
    pub event_time: String,
    /// Its bizStep (full URI).
    pub biz_step: Option<String>,
    /// The lot its ILMD names (`cbvmda:lotNumber`), if any.
    pub lot_number: Option<String>,
}

/// What a consumer's verification page shows of a food batch's dossier: names and
/// lots, no identifiers or supplier details.
#[derive(Debug, Clone, Serialize)]
pub struct PublicTrace {
    /// Origins, one line each.
    pub origins: Vec<String>,
    /// Raw materials: (name, lot).
    pub materials: Vec<(String, Option<String>)>,
    /// Additives.
    pub additives: Vec<Additive>,
    /// The factory inspection report number, if on file.
    pub inspection_report: Option<String>,
}

/// Which units' events a dossier reads besides its LGTIN's.
enum Units {
    /// Every unit activated on the batch (the dossier of the console and the API).
    AllOfBatch,
    /// The one unit a consumer asked about (its canonical identifier).
    One(String),
}

/// A stored event read for a dossier.
struct Found {
    event_id: String,
    event_type: String,
    event_time: i64,
    action: Option<String>,
    biz_step: Option<String>,
    read_point: Option<String>,
    biz_location: Option<String>,
    namespaces: BTreeMap<String, String>,
    body: Map<String, Json>,
}

const SELECT_BATCH: &str = "SELECT b.id, b.lot, b.production_date, b.expiry_date, b.inspection_report, b.status, \
     p.id, p.name, p.specification, p.category, p.gtin, o.uscc, o.name, o.region \
     FROM batches b JOIN products p ON p.id = b.product_id JOIN organisations o ON o.id = b.enterprise_id";

impl Scoped<'_> {
    /// The dossier of a batch the caller may read events about: its maker, bureaus over
    /// the maker's region, admins. Anyone else is told it does not exist.
    pub async fn batch_dossier(&self, id: i64) -> Result<Dossier, StoreError> {
        let mut w = Where::default();
        let p = w.arg(id);
        w.cond(format!("b.id = {p}"));
        w.scope(self.scope(Action::ReadEvents), "o.id", "o.region");
        let row = self
            .store
            .db
            .fetch_optional(&format!("{SELECT_BATCH} WHERE {}", w.sql()), &w.values)
            .await?
            .ok_or(StoreError::NotFound { entity: "batch" })?;
        self.store
            .assemble(read_batch(&row)?, Units::AllOfBatch)
            .await
    }
}

impl Store {
    /// The public traceability section for a code's verification page: `None` unless
    /// the code is activated on a batch of a food product.
    pub async fn public_trace(&self, code: &str) -> Result<Option<PublicTrace>, StoreError> {
        let Ok(parsed) = SupervisionCode::parse(code) else {
            return Ok(None);
        };
        let Some(batch_id) = self.batch_of_code(&parsed).await? else {
            return Ok(None);
        };
        let Some(row) = self
            .db
            .fetch_optional(
                &format!("{SELECT_BATCH} WHERE b.id = $1"),
                params![batch_id],
            )
            .await?
        else {
            return Ok(None);
        };
        let batch = read_batch(&row)?;
        if !batch.food {
            return Ok(None);
        }
        // The verification page is the busiest path: of the units, only the one asked
        // about is looked up (a point lookup), not every unit of the batch.
        let unit = match self.canonical_code(code).await? {
            Ok((canonical, _)) => Units::One(canonical),
            Err(_) => return Ok(None),
        };
        let dossier = self.assemble(batch, unit).await?;
        Ok(Some(PublicTrace {
            origins: dossier.origins.iter().map(Origin::display).collect(),
            materials: dossier
                .materials
                .iter()
                .map(|m| {
                    let name = m
                        .product_name
                        .clone()
                        .or_else(|| m.gtin.clone())
                        .unwrap_or_else(|| m.identifier.clone());
                    (name, m.lot.clone())
                })
                .collect(),
            additives: dossier.additives,
            inspection_report: dossier.batch.inspection_report,
        }))
    }

    /// Gathers a batch's dossier from the events about its LGTIN and about `units`.
    async fn assemble(&self, batch: DossierBatch, units: Units) -> Result<Dossier, StoreError> {
        let lgtin = batch.gtin.as_ref().map(|gtin| {
            Identifier::Lgtin {
                gtin: gtin.clone(),
                lot: batch.lot.clone(),
            }
            .canonical()
        });
        let mut events: HashSet<i64> = HashSet::new();
        if let Some(lgtin) = &lgtin {
            for row in self
                .db
                .fetch_all(
                    "SELECT event FROM epcis_event_ids WHERE identifier = $1",
                    params![lgtin.as_str()],
                )
                .await?
            {
                events.insert(row.int(0)?);
            }
        }
        let units = match units {
            Units::AllOfBatch => self.unit_events(&batch).await?,
            Units::One(canonical) => self.events_naming_unit(&canonical).await?,
        };
        events.extend(units.iter().map(|(event, _)| *event));
        let found = self.found_events(&events).await?;
        let output_units: HashSet<i64> = units
            .iter()
            .filter(|(_, role)| role == "output")
            .map(|(event, _)| *event)
            .collect();
        let mut dossier = Dossier {
            batch,
            lgtin,
            origins: Vec::new(),
            formulas: Vec::new(),
            additives: Vec::new(),
            materials: Vec::new(),
            locations: Vec::new(),
            events: Vec::new(),
        };
        for (id, event) in &found {
            let kind = match (event.event_type.as_str(), event.action.as_deref()) {
                ("ObjectEvent", Some("ADD")) => "commissioning",
                ("TransformationEvent", _)
                    if output_units.contains(id)
                        || outputs_class(&event.body, dossier.lgtin.as_deref()) =>
                {
                    "transformation"
                }
                _ => continue,
            };
            let lot_number = read_ilmd(event, &mut dossier);
            if kind == "transformation" {
                self.read_inputs(event, &mut dossier.materials).await?;
            }
            for (role, place) in [
                ("read_point", &event.read_point),
                ("biz_location", &event.biz_location),
            ] {
                // A plant is usually both read point and business location of every
                // step: it is listed once, with the first event that names it.
                if let Some(identifier) = place
                    && !dossier
                        .locations
                        .iter()
                        .any(|p| &p.identifier == identifier)
                {
                    dossier.locations.push(Place {
                        identifier: identifier.clone(),
                        name: self.location_name(identifier).await?,
                        role: role.to_owned(),
                        source: event.event_id.clone(),
                    });
                }
            }
            dossier.events.push(SourceEvent {
                event_id: event.event_id.clone(),
                kind: kind.to_owned(),
                event_time: crate::rfc3339(event.event_time),
                biz_step: event.biz_step.clone(),
                lot_number,
            });
        }
        Ok(dossier)
    }

    /// The events naming units of the batch as commissioned (`epc`) or made (`output`):
    /// (event row id, role). The unit identifiers under the product's GTIN (or all code
    /// URNs, for a product without one) are read from the index and kept when their code
    /// is activated on the batch.
    async fn unit_events(&self, batch: &DossierBatch) -> Result<Vec<(i64, String)>, StoreError> {
        let Ok(space) = self.code_space() else {
            return Ok(Vec::new());
        };
        let (low, high) = match &batch.gtin {
            // '/' sorts just before '0': `…/21/` up to `…/210` is every serial.
            Some(gtin) => (
                format!("https://id.gs1.org/01/{gtin}/21/"),
                format!("https://id.gs1.org/01/{gtin}/210"),
            ),
            // ':' sorts just before ';'.
            None => (
                CODE_URN_PREFIX.to_owned(),
                CODE_URN_PREFIX.replace("code:", "code;"),
            ),
        };
        let mut ranges = Vec::new();
        for row in self
            .db
            .fetch_all(
                "SELECT first_index, quantity FROM activations WHERE batch_id = $1",
                params![batch.id],
            )
            .await?
        {
            let first = row.int(0)?;
            ranges.push(first..first + row.int(1)?);
        }
        let rows = self
            .db
            .fetch_all(
                "SELECT i.identifier, i.event, i.role FROM epcis_event_ids i JOIN epcis_events e ON e.id = i.event \
                 WHERE i.identifier >= $1 AND i.identifier < $2 AND i.role IN ('epc', 'output') \
                 AND e.event_type IN ('ObjectEvent', 'TransformationEvent')",
                params![low.as_str(), high.as_str()],
            )
            .await?;
        let mut out = Vec::new();
        for row in rows {
            let identifier = row.text(0)?;
            let serial = identifier[low.len()..].to_owned();
            // A key (`~{index}`, see `unit_key`), or a code as written before keys.
            let on_batch = crate::unit_key::index_in_serial(&serial)
                .or_else(|| {
                    SupervisionCode::parse(&serial)
                        .ok()
                        .and_then(|code| crate::codes::decode(space, &code).ok())
                })
                .is_some_and(|index| ranges.iter().any(|r| r.contains(&(index as i64))));
            if on_batch {
                out.push((row.int(1)?, row.text(2)?));
            }
        }
        Ok(out)
    }

    /// The events naming one unit as commissioned (`epc`) or made (`output`): (event row
    /// id, role).
    async fn events_naming_unit(&self, canonical: &str) -> Result<Vec<(i64, String)>, StoreError> {
        let keys = crate::unit_key::lookup_keys(
            self.code_space().ok(),
            canonical,
            self.units_as_written(),
        );
        let rows = self
            .db
            .fetch_all(
                "SELECT event, role FROM epcis_event_ids WHERE identifier IN ($1, $2) AND role IN ('epc', 'output')",
                params![keys[0].as_str(), keys[keys.len() - 1].as_str()],
            )
            .await?;
        rows.iter().map(|r| Ok((r.int(0)?, r.text(1)?))).collect()
    }

    /// The stored events with these row ids, in time order, without those declared in
    /// error.
    async fn found_events(&self, ids: &HashSet<i64>) -> Result<Vec<(i64, Found)>, StoreError> {
        let mut ids: Vec<i64> = ids.iter().copied().collect();
        ids.sort_unstable();
        ids.truncate(MAX_EVENTS);
        let mut out = Vec::new();
        for chunk in ids.chunks(200) {
            let mut w = Where::default();
            let ps: Vec<String> = chunk.iter().map(|id| w.arg(*id)).collect();
            let not_declared = w.arg(false);
            let rows = self
                .db
                .fetch_all(
                    &format!(
                        "SELECT id, event_id, event_type, event_time, action, biz_step, read_point, biz_location, namespaces, body \
                         FROM epcis_events WHERE id IN ({}) AND error_declared = {not_declared}",
                        ps.join(", ")
                    ),
                    &w.values,
                )
                .await?;
            for row in rows {
                out.push((
                    row.int(0)?,
                    Found {
                        event_id: row.text(1)?,
                        event_type: row.text(2)?,
                        event_time: row.int(3)?,
                        action: row.opt_text(4)?,
                        biz_step: row.opt_text(5)?,
                        read_point: row.opt_text(6)?,
                        biz_location: row.opt_text(7)?,
                        namespaces: serde_json::from_str(&row.text(8)?).unwrap_or_default(),
                        body: serde_json::from_str(&row.text(9)?).unwrap_or_default(),
                    },
                ));
            }
        }
        out.sort_by_key(|(id, e)| (e.event_time, *id));
        Ok(out)
    }

    /// Adds a transformation's inputs to the raw materials.
    async fn read_inputs(
        &self,
        event: &Found,
        materials: &mut Vec<Material>,
    ) -> Result<(), StoreError> {
        let mut inputs: Vec<(String, Option<f64>, Option<String>)> = Vec::new();
        for q in list(&event.body, "inputQuantityList") {
            if let Some(class) = q.get("epcClass").and_then(Json::as_str) {
                inputs.push((
                    canonical(class),
                    q.get("quantity").and_then(Json::as_f64),
                    q.get("uom").and_then(Json::as_str).map(str::to_owned),
                ));
            }
        }
        for epc in list(&event.body, "inputEPCList") {
            if let Some(epc) = epc.as_str() {
                inputs.push((canonical(epc), None, None));
            }
        }
        for (identifier, quantity, uom) in inputs {
            let (gtin, lot) = match Identifier::parse(&identifier) {
                Ok(Identifier::Lgtin { gtin, lot }) => (Some(gtin), Some(lot)),
                Ok(Identifier::Sgtin { gtin, .. } | Identifier::Gtin { gtin }) => {
                    (Some(gtin), None)
                }
                _ => (None, None),
            };
            let (product_name, supplier) = match &gtin {
                Some(gtin) => self.gtin_owner(gtin).await?,
                None => (None, None),
            };
            materials.push(Material {
                identifier,
                gtin,
                lot,
                product_name,
                quantity,
                uom,
                supplier,
                source: event.event_id.clone(),
            });
        }
        Ok(())
    }

    /// The product and owner of a GTIN: a product registered here with that GTIN, else
    /// the holder of the longest GS1 company prefix it falls under.
    async fn gtin_owner(
        &self,
        gtin: &str,
    ) -> Result<(Option<String>, Option<Supplier>), StoreError> {
        let short = gtin.strip_prefix('0').unwrap_or(gtin);
        if let Some(row) = self
            .db
            .fetch_optional(
                "SELECT p.name, o.name, o.uscc FROM products p JOIN organisations o ON o.id = p.enterprise_id \
                 WHERE p.gtin = $1 OR p.gtin = $2 ORDER BY p.id LIMIT 1",
                params![gtin, short],
            )
            .await?
        {
            let supplier = Supplier {
                name: row.text(1)?,
                uscc: row.text(2)?,
            };
            return Ok((Some(row.text(0)?), Some(supplier)));
        }
        // The company prefix follows the GTIN's indicator digit.
        let company = gtin.get(1..).unwrap_or_default();
        let row = self
            .db
            .fetch_optional(
                "SELECT o.name, o.uscc FROM gs1_prefixes g JOIN organisations o ON o.id = g.organisation_id \
                 WHERE $1 LIKE (g.prefix || '%') ORDER BY length(g.prefix) DESC LIMIT 1",
                params![company],
            )
            .await?;
        let supplier = row
            .map(|r| -> Result<Supplier, StoreError> {
                Ok(Supplier {
                    name: r.text(0)?,
                    uscc: r.text(1)?,
                })
            })
            .transpose()?;
        Ok((None, supplier))
    }

    /// The registered name of a GLN or party.
    async fn location_name(&self, identifier: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .db
            .fetch_optional(
                "SELECT name FROM gs1_locations WHERE identifier = $1",
                params![identifier],
            )
            .await?
            .map(|r| r.text(0))
            .transpose()?)
    }
}

fn read_batch(r: &crate::db::Row) -> Result<DossierBatch, StoreError> {
    let id = r.int(0)?;
    let category = r.text(9)?;
    let known = catalogue::category(&category);
    Ok(DossierBatch {
        id,
        lot: r.text(1)?,
        production_date: r.text(2)?,
        expiry_date: r.opt_text(3)?,
        inspection_report: r.opt_text(4)?,
        status: r.text(5)?,
        product_id: r.int(6)?,
        product_name: r.text(7)?,
        specification: r.opt_text(8)?,
        food: known.is_some_and(|c| c.kind == CatalogueKind::Food),
        risk: known.map(|c| c.risk.as_str().to_owned()),
        category,
        gtin: r.opt_text(10)?.map(|g| format!("{g:0>14}")),
        maker_uscc: r.text(11)?,
        maker_name: r.text(12)?,
        maker_region: r.text(13)?,
        source: format!("batches/{id}"),
    })
}

/// The canonical form of an identifier as written in a stored body (bodies keep what
/// was sent); one that does not parse stays as written.
fn canonical(raw: &str) -> String {
    Identifier::parse(raw).map_or_else(|_| raw.to_owned(), |id| id.canonical())
}

/// The members of a list field of an event body.
fn list<'a>(body: &'a Map<String, Json>, key: &str) -> impl Iterator<Item = &'a Json> {
    body.get(key).and_then(Json::as_array).into_iter().flatten()
}

/// Whether a transformation's `outputQuantityList` names the batch's LGTIN.
fn outputs_class(body: &Map<String, Json>, lgtin: Option<&str>) -> bool {
    let Some(lgtin) = lgtin else {
        return false;
    };
    list(body, "outputQuantityList")
        .filter_map(|q| q.get("epcClass").and_then(Json::as_str))
        .any(|class| canonical(class) == lgtin)
}

/// Whose vocabulary an ILMD key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Vocab {
    Zhijian,
    Cbvmda,
}

/// The vocabulary and local name of an ILMD key: `prefix:name` with the prefix declared
/// in the document's context (or `zj` and `cbvmda` undeclared, their usual prefixes),
/// or a full URI in one of the namespaces.
fn term<'a>(key: &'a str, namespaces: &BTreeMap<String, String>) -> Option<(Vocab, &'a str)> {
    for (namespace, vocab) in [
        (ZJ_NAMESPACE, Vocab::Zhijian),
        (CBVMDA_NAMESPACE, Vocab::Cbvmda),
    ] {
        if let Some(local) = key.strip_prefix(namespace) {
            return Some((vocab, local));
        }
    }
    let (prefix, local) = key.split_once(':')?;
    let uri = namespaces
        .get(prefix)
        .map(String::as_str)
        .or(match prefix {
            "zj" => Some(ZJ_NAMESPACE),
            "cbvmda" => Some(CBVMDA_NAMESPACE),
            _ => None,
        })?;
    match uri {
        ZJ_NAMESPACE => Some((Vocab::Zhijian, local)),
        CBVMDA_NAMESPACE => Some((Vocab::Cbvmda, local)),
        _ => None,
    }
}

/// A field of a nested ILMD object by local name, prefixed or not (`country`,
/// `zj:country`), as text.
fn field(object: &Map<String, Json>, name: &str) -> Option<String> {
    object
        .iter()
        .find(|(k, _)| k.rsplit([':', '/']).next() == Some(name))
        .and_then(|(_, v)| text(v))
}

/// A JSON scalar as text (XML-captured ILMD gives every value as a string).
fn text(value: &Json) -> Option<String> {
    match value {
        Json::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads an event's ILMD into the dossier (origin, formula, additives, each once);
/// gives the lot its `cbvmda:lotNumber` names.
fn read_ilmd(event: &Found, dossier: &mut Dossier) -> Option<String> {
    let ilmd = event.body.get("ilmd").and_then(Json::as_object)?;
    let source = || event.event_id.clone();
    let mut lot_number = None;
    for (key, value) in ilmd {
        match term(key, &event.namespaces) {
            Some((Vocab::Zhijian, "origin")) => {
                let origin = match value {
                    Json::Object(o) => Origin {
                        text: None,
                        country: field(o, "country"),
                        region: field(o, "region"),
                        farm: field(o, "farm"),
                        source: source(),
                    },
                    other => Origin {
                        text: text(other),
                        country: None,
                        region: None,
                        farm: None,
                        source: source(),
                    },
                };
                push_origin(&mut dossier.origins, origin);
            }
            Some((Vocab::Cbvmda, "countryOfOrigin")) => push_origin(
                &mut dossier.origins,
                Origin {
                    text: None,
                    country: text(value),
                    region: None,
                    farm: None,
                    source: source(),
                },
            ),
            Some((Vocab::Cbvmda, "lotNumber")) => lot_number = text(value),
            Some((Vocab::Zhijian, "formula")) => {
                let reference = match value {
                    Json::Object(o) => field(o, "reference"),
                    other => text(other),
                };
                if let Some(reference) = reference
                    && !dossier.formulas.iter().any(|f| f.reference == reference)
                {
                    dossier.formulas.push(Formula {
                        reference,
                        source: source(),
                    });
                }
            }
            Some((Vocab::Zhijian, "additives")) => {
                for item in value.as_array().into_iter().flatten() {
                    let Some(o) = item.as_object() else { continue };
                    let Some(name) = field(o, "name") else {
                        continue;
                    };
                    let additive = Additive {
                        name,
                        function: field(o, "function"),
                        amount: field(o, "amount"),
                        source: source(),
                    };
                    if !dossier.additives.iter().any(|a| {
                        (&a.name, &a.function, &a.amount)
                            == (&additive.name, &additive.function, &additive.amount)
                    }) {
                        dossier.additives.push(additive);
                    }
                }
            }
            _ => {}
        }
    }
    lot_number
}

/// Adds an origin unless an equal one (whatever its source) is there: units and their
/// lot often declare the same.
fn push_origin(origins: &mut Vec<Origin>, origin: Origin) {
    let same = |o: &Origin| {
        (&o.text, &o.country, &o.region, &o.farm)
            == (&origin.text, &origin.country, &origin.region, &origin.farm)
    };
    if origin.display().is_empty() || origins.iter().any(same) {
        return;
    }
    origins.push(origin);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ilmd_keys_resolve_by_declared_prefix_or_full_uri() {
        let mut ns = BTreeMap::new();
        ns.insert("q".to_owned(), ZJ_NAMESPACE.to_owned());
        assert_eq!(term("q:origin", &ns), Some((Vocab::Zhijian, "origin")));
        assert_eq!(
            term("zj:formula", &BTreeMap::new()),
            Some((Vocab::Zhijian, "formula"))
        );
        assert_eq!(
            term("https://zhijian.dev/epcis/additives", &BTreeMap::new()),
            Some((Vocab::Zhijian, "additives"))
        );
        assert_eq!(
            term("cbvmda:countryOfOrigin", &BTreeMap::new()),
            Some((Vocab::Cbvmda, "countryOfOrigin"))
        );
        // A prefix bound elsewhere is not ours, even if it is spelt `zj`.
        ns.insert("zj".to_owned(), "https://example.com/".to_owned());
        assert_eq!(term("zj:origin", &ns), None);
    }

    #[test]
    fn an_origin_reads_as_one_line() {
        let o = Origin {
            text: None,
            country: Some("CN".into()),
            region: Some("内蒙古".into()),
            farm: Some("一号牧场".into()),
            source: String::new(),
        };
        assert_eq!(o.display(), "CN · 内蒙古 · 一号牧场");
    }
}
