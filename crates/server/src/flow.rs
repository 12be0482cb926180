//! The simple flow: packing, shipping, receiving and selling written as a few fields
//! (or a CSV file of scans) by enterprises that have no EPCIS software, translated
//! into EPCIS 2.0 events.
//!
//! Nothing here stores anything: a [`Movement`] becomes the JSON of one event, the
//! events become an EPCIS document, and the caller reads that document with
//! `zhijian_epcis::read_document` and captures it like any other, so the same rules
//! (vocabulary, identifiers, ownership) hold whichever way events arrive.
//!
//! Identifiers are taken as people have them at hand: a bare 20-digit supervision code
//! (written `urn:zhijian:code:{code}`), a bare 18-digit SSCC or 13-digit GLN (check
//! digits checked), or any EPC URN or GS1 Digital Link.

use jiff::Timestamp;
use serde_json::{Map, Value, json};
use zhijian_core::code::SupervisionCode;
use zhijian_epcis::CONTEXT;
use zhijian_epcis::identifier::{Identifier, IdentifierError};
use zhijian_store::epcis::CODE_URN_PREFIX;

/// The most items (codes, SSCCs, quantities) one request may carry.
pub const MAX_ITEMS: usize = 10_000;

/// One thing wrong with the input: where (`items/3`, `line 7`, `from`), a stable code
/// and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// Where: a JSON field path or a CSV line.
    pub at: String,
    /// A stable code.
    pub code: &'static str,
    /// What is wrong, in English.
    pub message: String,
}

impl Fault {
    fn new(at: &str, code: &'static str, message: impl Into<String>) -> Fault {
        Fault {
            at: at.to_owned(),
            code,
            message: message.into(),
        }
    }
}

/// A value as given, and where it was given (for faults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    /// Where: a JSON field path or a CSV line.
    pub at: String,
    /// The text.
    pub text: String,
}

impl Given {
    /// A value found at `at`.
    pub fn new(at: impl Into<String>, text: impl Into<String>) -> Given {
        Given {
            at: at.into(),
            text: text.into(),
        }
    }
}

/// A quantity of a class of goods (a lot), for goods that carry no unit codes.
#[derive(Debug, Clone, PartialEq)]
pub struct GivenQuantity {
    /// Where it was given.
    pub at: String,
    /// An LGTIN (URN or Digital Link), a GTIN class, or a bare 14-digit GTIN.
    pub class: String,
    /// The lot, when `class` is a bare GTIN or a GTIN class.
    pub lot: Option<String>,
    /// How many.
    pub quantity: f64,
    /// The UN/ECE Recommendation 20 unit, when not a count of units.
    pub uom: Option<String>,
}

/// The business step a movement records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Items packed into a parent (AggregationEvent ADD).
    Pack,
    /// Items taken out of a parent (AggregationEvent DELETE).
    Unpack,
    /// Goods leaving `from` for `to`.
    Ship,
    /// Goods arriving at `to` from `from`.
    Receive,
    /// Goods sold to consumers at a shop.
    Sell,
}

/// One movement as given: what moved, where, when. Which fields a step needs is
/// checked by [`event`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Movement {
    /// The parent (case, pallet) of a packing.
    pub parent: Option<Given>,
    /// Codes, SSCCs or identifiers.
    pub items: Vec<Given>,
    /// Quantities of lots.
    pub quantities: Vec<GivenQuantity>,
    /// Where it happened (pack, unpack, sell).
    pub location: Option<Given>,
    /// Where goods leave (ship, receive).
    pub from: Option<Given>,
    /// Where goods go (ship, receive).
    pub to: Option<Given>,
    /// When, RFC 3339 with a zone; now when absent.
    pub time: Option<Given>,
    /// A despatch-advice number.
    pub document: Option<Given>,
}

/// Whether the text is `len` ASCII digits.
fn digits(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_digit())
}

/// The fault for an identifier that does not parse.
fn identifier_fault(at: &str, text: &str, e: &IdentifierError, otherwise: &'static str) -> Fault {
    let code = match e {
        IdentifierError::CheckDigit { .. } => "gs1_check_digit",
        _ => otherwise,
    };
    Fault::new(at, code, format!("'{}': {e}", cut(text)))
}

fn cut(text: &str) -> String {
    text.chars().take(60).collect()
}

/// The canonical identifier of a GLN (bare 13 digits, SGLN URN or Digital Link, with
/// or without extension) or PGLN: `https://id.gs1.org/414/…` or `…/417/…`.
pub fn location_identifier(at: &str, text: &str) -> Result<Identifier, Fault> {
    let text = text.trim();
    let uri = if digits(text, 13) {
        format!("https://id.gs1.org/414/{text}")
    } else {
        text.to_owned()
    };
    match Identifier::parse(&uri) {
        Ok(id @ (Identifier::Sgln { .. } | Identifier::Pgln { .. })) => Ok(id),
        Ok(_) => Err(Fault::new(
            at,
            "location_identifier",
            format!(
                "'{}' is not a GLN or party GLN: give 13 digits, an SGLN/PGLN URN or a GS1 Digital Link with /414/ or /417/",
                cut(text)
            ),
        )),
        Err(e) => Err(identifier_fault(at, text, &e, "location_identifier")),
    }
}

/// An item as an EPCIS identifier: a bare supervision code becomes
/// `urn:zhijian:code:{code}`, a bare SSCC its Digital Link; anything else must be an
/// EPC URN or Digital Link.
pub fn item_identifier(given: &Given) -> Result<String, Fault> {
    let text = given.text.trim();
    if digits(text, 20) {
        return SupervisionCode::parse(text)
            .map(|code| format!("{CODE_URN_PREFIX}{code}"))
            .map_err(|e| Fault::new(&given.at, e.code(), format!("'{text}': {e}")));
    }
    if let Some(code) = text.strip_prefix(CODE_URN_PREFIX) {
        return SupervisionCode::parse(code)
            .map(|code| format!("{CODE_URN_PREFIX}{code}"))
            .map_err(|e| Fault::new(&given.at, e.code(), format!("'{text}': {e}")));
    }
    let uri = if digits(text, 18) {
        format!("https://id.gs1.org/00/{text}")
    } else {
        text.to_owned()
    };
    match Identifier::parse(&uri) {
        Ok(id) if id.is_gs1_key() => Ok(id.canonical()),
        Ok(_) => Err(Fault::new(
            &given.at,
            "flow_item",
            format!(
                "'{}' is not a supervision code, SSCC or GS1 identifier",
                cut(text)
            ),
        )),
        Err(e) => Err(identifier_fault(&given.at, text, &e, "flow_item")),
    }
}

/// The event time and its zone offset: the given RFC 3339 time (a zone is required),
/// or now in China's time.
pub fn event_time(given: Option<&Given>) -> Result<(String, String), Fault> {
    let Some(given) = given.filter(|g| !g.text.trim().is_empty()) else {
        let now = Timestamp::now().to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)));
        return Ok((
            now.strftime("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string(),
            "+08:00".into(),
        ));
    };
    let text = given.text.trim();
    let bad = || {
        Fault::new(
            &given.at,
            "time_format",
            format!(
                "'{}' is not an RFC 3339 time with a zone, such as 2026-11-30T09:00:00+08:00",
                cut(text)
            ),
        )
    };
    text.parse::<Timestamp>().map_err(|_| bad())?;
    let offset = if text.ends_with(['Z', 'z']) {
        "+00:00".to_owned()
    } else {
        let tail = text.get(text.len().saturating_sub(6)..).unwrap_or_default();
        if !(tail.starts_with(['+', '-']) && tail.as_bytes().get(3) == Some(&b':')) {
            return Err(bad());
        }
        tail.to_owned()
    };
    Ok((text.to_owned(), offset))
}

/// A despatch advice as a business transaction: the CBV's
/// `urn:epcglobal:cbv:bt:{gln}:{number}` under the GLN of the shipper.
fn despatch_advice(given: &Given, from: &Identifier) -> Result<Value, Fault> {
    let number = given.text.trim();
    let ok = !number.is_empty()
        && number.len() <= 64
        && number
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if !ok {
        return Err(Fault::new(
            &given.at,
            "flow_document",
            "a despatch-advice number is 1 to 64 letters, digits, '-', '.' or '_'",
        ));
    }
    let gln = match from {
        Identifier::Sgln { gln, .. } | Identifier::Pgln { gln } => gln.as_str(),
        _ => "",
    };
    Ok(json!({"type": "desadv", "bizTransaction": format!("urn:epcglobal:cbv:bt:{gln}:{number}")}))
}

/// The party and the place of a GLN: the party is the PGLN of the same number, the
/// place the GLN itself; a PGLN is a party only. `key` is `source` or `destination`.
fn party_and_place(key: &str, id: &Identifier) -> Value {
    let entry = |kind: &str, value: String| {
        let mut m = Map::new();
        m.insert("type".into(), json!(kind));
        m.insert(key.into(), json!(value));
        Value::Object(m)
    };
    match id {
        Identifier::Sgln { gln, .. } => json!([
            entry("possessing_party", format!("https://id.gs1.org/417/{gln}")),
            entry("location", id.canonical()),
        ]),
        _ => json!([entry("possessing_party", id.canonical())]),
    }
}

/// A quantity element: `epcClass` canonical, a positive quantity, an optional unit.
fn quantity(q: &GivenQuantity) -> Result<Value, Fault> {
    let class = q.class.trim();
    let at = format!("{}/class", q.at);
    let uri = if digits(class, 14) {
        format!("https://id.gs1.org/01/{class}")
    } else {
        class.to_owned()
    };
    let id = Identifier::parse(&uri).map_err(|e| identifier_fault(&at, class, &e, "flow_class"))?;
    let class = match (id, q.lot.as_deref().map(str::trim)) {
        (Identifier::Lgtin { gtin, lot }, None) => Identifier::Lgtin { gtin, lot },
        (Identifier::Gtin { gtin }, Some(lot)) if !lot.is_empty() => Identifier::Lgtin {
            gtin,
            lot: lot.to_owned(),
        },
        (Identifier::Gtin { gtin }, None) => Identifier::Gtin { gtin },
        _ => {
            return Err(Fault::new(
                &at,
                "flow_class",
                "a class is an LGTIN, or a GTIN with an optional lot",
            ));
        }
    };
    if !(q.quantity.is_finite() && q.quantity > 0.0) {
        return Err(Fault::new(
            &format!("{}/quantity", q.at),
            "flow_quantity",
            "a quantity is a number above 0",
        ));
    }
    let mut out = json!({"epcClass": class.canonical(), "quantity": q.quantity});
    if let Some(uom) = q.uom.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        out["uom"] = json!(uom);
    }
    Ok(out)
}

/// A required field of a step.
fn required<'a>(field: &'a Option<Given>, name: &str) -> Result<&'a Given, Fault> {
    field
        .as_ref()
        .filter(|g| !g.text.trim().is_empty())
        .ok_or_else(|| Fault::new(name, "required", format!("give `{name}`")))
}

/// Collects the faults of a list of results, or their values.
fn all<T>(results: impl IntoIterator<Item = Result<T, Fault>>) -> Result<Vec<T>, Vec<Fault>> {
    let (ok, bad): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    if bad.is_empty() {
        Ok(ok.into_iter().filter_map(Result::ok).collect())
    } else {
        Err(bad.into_iter().filter_map(Result::err).collect())
    }
}

/// The JSON of the EPCIS event that records a movement, or every fault in it.
pub fn event(step: Step, movement: &Movement) -> Result<Value, Vec<Fault>> {
    let mut faults = Vec::new();
    let time = event_time(movement.time.as_ref())
        .map_err(|f| faults.push(f))
        .ok();
    let items = all(movement.items.iter().map(item_identifier))
        .map_err(|f| faults.extend(f))
        .ok();
    let quantities = all(movement.quantities.iter().map(quantity))
        .map_err(|f| faults.extend(f))
        .ok();
    let mut event = Map::new();
    if let Some((time, offset)) = time {
        event.insert("eventTime".into(), json!(time));
        event.insert("eventTimeZoneOffset".into(), json!(offset));
    }
    let items = items.unwrap_or_default();
    let quantities = quantities.unwrap_or_default();
    match step {
        Step::Pack | Step::Unpack => {
            aggregation(step, movement, items, quantities, &mut event, &mut faults)
        }
        Step::Ship | Step::Receive | Step::Sell => {
            if items.is_empty() && quantities.is_empty() && faults.is_empty() {
                faults.push(Fault::new("items", "flow_items_empty", "give the items"));
            }
            event.insert("type".into(), json!("ObjectEvent"));
            event.insert("action".into(), json!("OBSERVE"));
            event.insert("epcList".into(), json!(items));
            if !quantities.is_empty() {
                event.insert("quantityList".into(), json!(quantities));
            }
            let (step_word, disposition) = match step {
                Step::Ship => ("shipping", "in_transit"),
                Step::Receive => ("receiving", "in_progress"),
                _ => ("retail_selling", "retail_sold"),
            };
            event.insert("bizStep".into(), json!(step_word));
            event.insert("disposition".into(), json!(disposition));
            if step == Step::Sell {
                match place(&movement.location, "location") {
                    Ok(location) => at_place(&mut event, &location),
                    Err(f) => faults.push(f),
                }
            } else {
                trade(step, movement, &mut event, &mut faults);
            }
        }
    }
    if faults.is_empty() {
        Ok(Value::Object(event))
    } else {
        Err(faults)
    }
}

/// A required location field, read.
fn place(field: &Option<Given>, name: &str) -> Result<Identifier, Fault> {
    required(field, name).and_then(|g| location_identifier(&g.at, &g.text))
}

/// Sets the read point and business location.
fn at_place(event: &mut Map<String, Value>, location: &Identifier) {
    let id = location.canonical();
    event.insert("readPoint".into(), json!({"id": id}));
    event.insert("bizLocation".into(), json!({"id": id}));
}

/// Packing (ADD) or unpacking (DELETE) of children into or out of a parent. Unpacking
/// without children empties the parent, as EPCIS has it.
fn aggregation(
    step: Step,
    movement: &Movement,
    items: Vec<String>,
    quantities: Vec<Value>,
    event: &mut Map<String, Value>,
    faults: &mut Vec<Fault>,
) {
    if step == Step::Pack && items.is_empty() && quantities.is_empty() && faults.is_empty() {
        faults.push(Fault::new(
            "children",
            "flow_items_empty",
            "give the children packed",
        ));
    }
    let (action, step_word) = if step == Step::Pack {
        ("ADD", "packing")
    } else {
        ("DELETE", "unpacking")
    };
    event.insert("type".into(), json!("AggregationEvent"));
    event.insert("action".into(), json!(action));
    match required(&movement.parent, "parent").and_then(item_identifier) {
        Ok(parent) => {
            event.insert("parentID".into(), json!(parent));
        }
        Err(f) => faults.push(f),
    }
    event.insert("childEPCs".into(), json!(items));
    if !quantities.is_empty() {
        event.insert("childQuantityList".into(), json!(quantities));
    }
    event.insert("bizStep".into(), json!(step_word));
    event.insert("disposition".into(), json!("in_progress"));
    match place(&movement.location, "location") {
        Ok(location) => at_place(event, &location),
        Err(f) => faults.push(f),
    }
}

/// The places and parties of a shipment or a receipt, and its despatch advice.
fn trade(step: Step, movement: &Movement, event: &mut Map<String, Value>, faults: &mut Vec<Fault>) {
    let (from, to) = match (place(&movement.from, "from"), place(&movement.to, "to")) {
        (Ok(from), Ok(to)) => (from, to),
        (from, to) => {
            faults.extend(from.err());
            faults.extend(to.err());
            return;
        }
    };
    let here = if step == Step::Ship { &from } else { &to };
    if matches!(here, Identifier::Sgln { .. }) {
        at_place(event, here);
    }
    event.insert("sourceList".into(), party_and_place("source", &from));
    event.insert(
        "destinationList".into(),
        party_and_place("destination", &to),
    );
    if let Some(document) = &movement.document
        && !document.text.trim().is_empty()
    {
        match despatch_advice(document, &from) {
            Ok(t) => {
                event.insert("bizTransactionList".into(), json!([t]));
            }
            Err(f) => faults.push(f),
        }
    }
}

/// An EPCIS document holding these events.
pub fn document(events: Vec<Value>) -> Value {
    let created = Timestamp::now().to_string();
    json!({
        "@context": [CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": created,
        "epcisBody": {"eventList": events},
    })
}

/// The columns a step's CSV file may have: the column of items first.
pub fn csv_columns(step: Step) -> &'static [&'static str] {
    match step {
        Step::Pack | Step::Unpack => &["child", "parent", "location", "time"],
        Step::Ship | Step::Receive => &["item", "from", "to", "time", "document"],
        Step::Sell => &["item", "location", "time"],
    }
}

/// Reads a CSV file of scans, one item per row under a header row naming the step's
/// [`csv_columns`]: rows that agree on every other column form one movement, in the
/// order they first appear.
pub fn movements_from_csv(step: Step, bytes: &[u8]) -> Result<Vec<Movement>, Vec<Fault>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let allowed = csv_columns(step);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| vec![Fault::new("line 1", "csv_format", e.to_string())])?
        .iter()
        .map(str::to_ascii_lowercase)
        .collect();
    let columns = header_columns(&header, allowed)?;
    let mut movements: Vec<(Vec<String>, Movement)> = Vec::new();
    let mut faults = Vec::new();
    let mut count = 0;
    for (n, record) in reader.records().enumerate() {
        let line = format!("line {}", n + 2);
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                faults.push(Fault::new(&line, "csv_format", e.to_string()));
                continue;
            }
        };
        let cell = |name: &str| {
            columns
                .iter()
                .position(|c| c == name)
                .and_then(|i| record.get(i))
                .unwrap_or_default()
                .to_owned()
        };
        let item = cell(allowed[0]);
        if item.is_empty() {
            continue;
        }
        count += 1;
        if count > MAX_ITEMS {
            return Err(vec![too_many()]);
        }
        let key: Vec<String> = allowed[1..].iter().map(|c| cell(c)).collect();
        let index = match movements.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                let given = |name: &str| {
                    let text = cell(name);
                    (!text.is_empty()).then(|| Given::new(line.clone(), text))
                };
                movements.push((
                    key,
                    Movement {
                        parent: given("parent"),
                        location: given("location"),
                        from: given("from"),
                        to: given("to"),
                        time: given("time"),
                        document: given("document"),
                        ..Movement::default()
                    },
                ));
                movements.len() - 1
            }
        };
        movements[index].1.items.push(Given::new(line, item));
    }
    if count == 0 {
        faults.push(Fault::new(
            "line 2",
            "flow_items_empty",
            "the file has no rows",
        ));
    }
    if faults.is_empty() {
        Ok(movements.into_iter().map(|(_, m)| m).collect())
    } else {
        Err(faults)
    }
}

/// Checks a CSV header against the allowed columns (the items' column required).
fn header_columns(header: &[String], allowed: &[&str]) -> Result<Vec<String>, Vec<Fault>> {
    let wrong: Vec<Fault> = header
        .iter()
        .filter(|h| !allowed.contains(&h.as_str()))
        .map(|h| {
            Fault::new(
                "line 1",
                "flow_csv_columns",
                format!(
                    "unknown column '{}'; the columns are {}",
                    cut(h),
                    allowed.join(", ")
                ),
            )
        })
        .collect();
    if !wrong.is_empty() {
        return Err(wrong);
    }
    if !header.iter().any(|h| h == allowed[0]) {
        return Err(vec![Fault::new(
            "line 1",
            "flow_csv_columns",
            format!(
                "the header row names no '{}' column; the columns are {}",
                allowed[0],
                allowed.join(", ")
            ),
        )]);
    }
    Ok(header.to_vec())
}

/// The fault of a request with more than [`MAX_ITEMS`] items.
pub fn too_many() -> Fault {
    Fault::new(
        "items",
        "too_many_items",
        format!("at most {MAX_ITEMS} items in one request"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(text: &str) -> Given {
        Given::new("items/0", text)
    }

    #[test]
    fn bare_keys_become_identifiers_with_their_check_digits_checked() {
        assert_eq!(
            item_identifier(&given("106141411234567897")),
            Ok("https://id.gs1.org/00/106141411234567897".into())
        );
        assert_eq!(
            item_identifier(&given("106141411234567890"))
                .unwrap_err()
                .code,
            "gs1_check_digit"
        );
        assert_eq!(
            location_identifier("from", "0614141000012").map(|i| i.canonical()),
            Ok("https://id.gs1.org/414/0614141000012".into())
        );
        assert_eq!(
            location_identifier("from", "0614141000013")
                .unwrap_err()
                .code,
            "gs1_check_digit"
        );
        assert_eq!(
            location_identifier("from", "urn:epc:id:sgln:0614141.00001.7").map(|i| i.canonical()),
            Ok("https://id.gs1.org/414/0614141000012/254/7".into())
        );
        assert_eq!(
            location_identifier("from", "https://id.gs1.org/00/106141411234567897")
                .unwrap_err()
                .code,
            "location_identifier"
        );
        assert_eq!(
            item_identifier(&given("hello")).unwrap_err().code,
            "flow_item"
        );
    }

    #[test]
    fn times_need_a_zone() {
        let t = |s: &str| event_time(Some(&Given::new("time", s)));
        assert_eq!(
            t("2026-03-01T08:00:00+08:00"),
            Ok(("2026-03-01T08:00:00+08:00".into(), "+08:00".into()))
        );
        assert_eq!(t("2026-03-01T00:00:00Z").unwrap().1, "+00:00");
        assert_eq!(t("2026-03-01T08:00:00").unwrap_err().code, "time_format");
        assert_eq!(event_time(None).unwrap().1, "+08:00");
    }

    #[test]
    fn a_shipment_names_its_parties_places_and_despatch_advice() {
        let m = Movement {
            items: vec![given("106141411234567897")],
            from: Some(Given::new("from", "0614141000012")),
            to: Some(Given::new("to", "urn:epc:id:pgln:0614141.00002")),
            document: Some(Given::new("document", "DA-1")),
            time: Some(Given::new("time", "2026-03-01T08:00:00+08:00")),
            ..Movement::default()
        };
        let e = event(Step::Ship, &m).unwrap();
        assert_eq!(e["bizStep"], "shipping");
        assert_eq!(
            e["bizLocation"]["id"],
            "https://id.gs1.org/414/0614141000012"
        );
        assert_eq!(
            e["sourceList"],
            json!([{"type": "possessing_party", "source": "https://id.gs1.org/417/0614141000012"},
                   {"type": "location", "source": "https://id.gs1.org/414/0614141000012"}])
        );
        assert_eq!(
            e["destinationList"],
            json!([{"type": "possessing_party", "destination": "https://id.gs1.org/417/0614141000029"}])
        );
        assert_eq!(
            e["bizTransactionList"][0]["bizTransaction"],
            "urn:epcglobal:cbv:bt:0614141000012:DA-1"
        );
        let doc = document(vec![e]);
        zhijian_epcis::read_document(doc).expect("the reader takes what we write");
    }

    #[test]
    fn every_fault_is_named() {
        let m = Movement {
            items: vec![given("1"), Given::new("items/1", "106141411234567890")],
            time: Some(Given::new("time", "yesterday")),
            ..Movement::default()
        };
        let faults = event(Step::Sell, &m).unwrap_err();
        let at: Vec<&str> = faults.iter().map(|f| f.at.as_str()).collect();
        assert_eq!(at, vec!["time", "items/0", "items/1", "location"]);
    }

    #[test]
    fn csv_rows_that_agree_form_one_movement() {
        let csv = "item,location,time\n106141411234567897,0614141000012,2026-03-01T08:00:00+08:00\n\
                   106141411234567804,0614141000012,2026-03-01T08:00:00+08:00\n\
                   106141411234567811,0614141000012,2026-03-01T09:00:00+08:00\n";
        let m = movements_from_csv(Step::Sell, csv.as_bytes()).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].items.len(), 2);
        assert_eq!(m[1].items[0].at, "line 4");
        let bad = movements_from_csv(Step::Sell, b"item,colour\n1,red\n").unwrap_err();
        assert_eq!(bad[0].code, "flow_csv_columns");
    }
}
