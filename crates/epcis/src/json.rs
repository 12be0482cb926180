//! Reading an EPCIS 2.0 JSON-LD document: the rules of the standard's JSON schema, the
//! CBV vocabularies and the identifiers' check digits, each fault reported with its
//! JSON pointer and event index.
//!
//! The schema itself is not loaded at run time: its rules are few and stable, written
//! out here as code so that every fault gets a precise path and a sentence a person can
//! act on. The tests hold this reader to the schema (documents the schema refuses are
//! refused here too) with a JSON Schema validator.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::event::{Action, Event, EventType, Named, Quantity, Role, Typed};
use crate::identifier::Identifier;
use crate::problem::{Problem, Rejection};
use crate::uri::is_absolute_uri;
use crate::vocab::{Term, Vocabulary};

/// The most events one document may carry. The REST binding lets a server set its
/// capture limit; larger sets go in several documents.
pub const MAX_EVENTS: usize = 10_000;

/// The `@context` URLs that name the EPCIS 2.0 context. Others are refused rather than
/// fetched: a server that fetches what a client names can be made to call anywhere.
pub const KNOWN_CONTEXTS: &[&str] = &[
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
    "https://gs1.github.io/EPCIS/epcis-context.jsonld",
    "https://id.gs1.org/epcis-context.jsonld",
];

/// The context this server writes into its own documents.
pub const CONTEXT: &str = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

/// A read, valid document.
#[derive(Debug, Clone)]
pub struct Document {
    /// The namespaces the document declares in its `@context` (prefix → URI), which
    /// user extension keys such as `ext1:int` refer to.
    pub namespaces: BTreeMap<String, String>,
    /// Its events, in document order.
    pub events: Vec<Event>,
}

/// Reads a capture document (an `EPCISDocument`, or an `EPCISQueryDocument` whose
/// results are captured as they are) from JSON text.
pub fn read_json(bytes: &[u8]) -> Result<Document, Rejection> {
    read_document(parse(bytes)?)
}

/// Reads one event sent on its own (`POST /epcis/events`): a JSON object with its own
/// `@context`.
pub fn read_single_event(bytes: &[u8]) -> Result<Document, Rejection> {
    let value = parse(bytes)?;
    let Value::Object(map) = value else {
        return Err(Rejection::one("", "type", "an event must be a JSON object"));
    };
    let mut reader = Reader::default();
    reader.context(map.get("@context"), "/@context", true);
    let namespaces = reader.namespaces.clone();
    let event = reader.event(0, "", map);
    reader.finish(namespaces, event.into_iter().collect())
}

fn parse(bytes: &[u8]) -> Result<Value, Rejection> {
    // serde_json stops at 128 levels of nesting, so deep documents fail here, cleanly.
    serde_json::from_slice(bytes).map_err(|error| {
        Rejection::one(
            "",
            "malformed_json",
            format!(
                "not valid JSON at line {}, column {}: {error}",
                error.line(),
                error.column()
            ),
        )
    })
}

/// Reads a document already parsed into JSON (the XML reader's output comes this way).
pub fn read_document(value: Value) -> Result<Document, Rejection> {
    let Value::Object(mut root) = value else {
        return Err(Rejection::one(
            "",
            "type",
            "a document must be a JSON object",
        ));
    };
    let mut reader = Reader::default();
    let kind = root
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let (list_path, events) = match kind.as_str() {
        "EPCISDocument" => {
            reader.keys(
                &root,
                "",
                &[
                    "@context",
                    "id",
                    "type",
                    "schemaVersion",
                    "creationDate",
                    "instanceIdentifier",
                    "sender",
                    "receiver",
                    "epcisHeader",
                    "epcisBody",
                ],
            );
            (
                "/epcisBody/eventList",
                take_list(&mut root, &["epcisBody", "eventList"]),
            )
        }
        "EPCISQueryDocument" => {
            reader.keys(
                &root,
                "",
                &[
                    "@context",
                    "id",
                    "type",
                    "schemaVersion",
                    "creationDate",
                    "epcisBody",
                ],
            );
            (
                "/epcisBody/queryResults/resultsBody/eventList",
                take_list(
                    &mut root,
                    &["epcisBody", "queryResults", "resultsBody", "eventList"],
                ),
            )
        }
        "" => {
            return Err(Rejection::one(
                "/type",
                "required",
                "the document has no type (EPCISDocument)",
            ));
        }
        other => {
            return Err(Rejection::one(
                "/type",
                "document_type",
                format!("'{other}' is not EPCISDocument or EPCISQueryDocument"),
            ));
        }
    };
    reader.context(root.get("@context"), "/@context", true);
    if kind == "EPCISDocument" {
        reader.required_string(&root, "", "schemaVersion");
        match root.get("creationDate") {
            None => reader.fail("/creationDate", "required", "creationDate is required"),
            Some(value) => {
                reader.time(value, "/creationDate");
            }
        }
    }
    let Some(events) = events else {
        reader.fail(
            list_path,
            "required",
            "the event list is missing or not an array",
        );
        return Err(reader.rejection());
    };
    if events.len() > MAX_EVENTS {
        return Err(Rejection::one(
            list_path,
            "too_many_events",
            format!(
                "{} events in one document; at most {MAX_EVENTS} — send them in several documents",
                events.len()
            ),
        ));
    }
    let namespaces = reader.namespaces.clone();
    let mut read = Vec::with_capacity(events.len());
    for (index, value) in events.into_iter().enumerate() {
        if reader.problems.len() >= Rejection::LIMIT {
            break;
        }
        let path = format!("{list_path}/{index}");
        let Value::Object(map) = value else {
            reader.event = Some(index);
            reader.fail(&path, "type", "an event must be a JSON object");
            continue;
        };
        if let Some(event) = reader.event(index, &path, map) {
            read.push(event);
        }
    }
    reader.finish(namespaces, read)
}

/// Takes the array at `keys` out of `root`, if it is one.
fn take_list(root: &mut Map<String, Value>, keys: &[&str]) -> Option<Vec<Value>> {
    let (last, parents) = keys.split_last()?;
    let mut map = root;
    for key in parents {
        map = map.get_mut(*key)?.as_object_mut()?;
    }
    match map.get_mut(*last)? {
        Value::Array(items) => Some(std::mem::take(items)),
        _ => None,
    }
}

/// The fields every event type may carry.
const COMMON: &[&str] = &[
    "@context",
    "type",
    "eventTime",
    "recordTime",
    "eventTimeZoneOffset",
    "eventID",
    "certificationInfo",
    "errorDeclaration",
];

/// The fields of each type besides [`COMMON`], as the schema's `propertyNames` say —
/// plus `persistentDisposition` on every type, as the standard and its XML schema allow
/// (GS1's JSON schema lists it for object and transformation events only).
fn fields(kind: EventType) -> &'static [&'static str] {
    match kind {
        EventType::Object => &[
            "action",
            "epcList",
            "quantityList",
            "bizStep",
            "disposition",
            "persistentDisposition",
            "readPoint",
            "bizLocation",
            "bizTransactionList",
            "sourceList",
            "destinationList",
            "sensorElementList",
            "ilmd",
        ],
        EventType::Aggregation | EventType::Association => &[
            "parentID",
            "childEPCs",
            "childQuantityList",
            "action",
            "bizStep",
            "disposition",
            "persistentDisposition",
            "readPoint",
            "bizLocation",
            "bizTransactionList",
            "sourceList",
            "destinationList",
            "sensorElementList",
        ],
        EventType::Transaction => &[
            "bizTransactionList",
            "parentID",
            "epcList",
            "quantityList",
            "action",
            "bizStep",
            "disposition",
            "persistentDisposition",
            "readPoint",
            "bizLocation",
            "sourceList",
            "destinationList",
            "sensorElementList",
        ],
        EventType::Transformation => &[
            "inputEPCList",
            "inputQuantityList",
            "outputEPCList",
            "outputQuantityList",
            "transformationID",
            "bizStep",
            "disposition",
            "persistentDisposition",
            "readPoint",
            "bizLocation",
            "bizTransactionList",
            "sourceList",
            "destinationList",
            "sensorElementList",
            "ilmd",
        ],
    }
}

/// Walks a document, collecting problems and building events.
#[derive(Default)]
struct Reader {
    problems: Vec<Problem>,
    event: Option<usize>,
    namespaces: BTreeMap<String, String>,
}

impl Reader {
    fn fail(&mut self, path: &str, code: &'static str, message: impl Into<String>) {
        if self.problems.len() < Rejection::LIMIT {
            self.problems.push(Problem {
                path: path.to_owned(),
                event: self.event,
                code,
                message: message.into(),
            });
        }
    }

    fn rejection(&mut self) -> Rejection {
        Rejection {
            problems: std::mem::take(&mut self.problems),
        }
    }

    fn finish(
        mut self,
        namespaces: BTreeMap<String, String>,
        events: Vec<Event>,
    ) -> Result<Document, Rejection> {
        if self.problems.is_empty() {
            Ok(Document { namespaces, events })
        } else {
            Err(self.rejection())
        }
    }

    /// Refuses keys that are neither in `allowed` nor extension terms (`prefix:name`
    /// or a full URI), as the schema's `propertyNames` do.
    fn keys(&mut self, map: &Map<String, Value>, path: &str, allowed: &[&str]) {
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) && !is_absolute_uri(key) {
                self.fail(
                    &format!("{path}/{}", escape(key)),
                    "unknown_field",
                    format!("'{key}' is not a field here; extensions need a namespace prefix (ext:{key})"),
                );
            }
        }
    }

    fn context(&mut self, value: Option<&Value>, path: &str, required: bool) {
        let items: Vec<&Value> = match value {
            None if required => return self.fail(path, "required", "@context is required"),
            None => return,
            Some(Value::Array(items)) => items.iter().collect(),
            Some(other) => vec![other],
        };
        for (i, item) in items.into_iter().enumerate() {
            let at = if matches!(value, Some(Value::Array(_))) {
                format!("{path}/{i}")
            } else {
                path.to_owned()
            };
            match item {
                Value::String(url) if KNOWN_CONTEXTS.contains(&url.trim_end_matches('/')) => {}
                Value::String(url) if url.starts_with("http://") && KNOWN_CONTEXTS.contains(&url.replacen("http://", "https://", 1).as_str()) => {}
                Value::String(url) => self.fail(
                    &at,
                    "context_unknown",
                    format!("'{url}' is not the EPCIS 2.0 context; remote contexts are never fetched — declare prefixes inline"),
                ),
                Value::Object(terms) => {
                    for (prefix, uri) in terms {
                        if let Value::String(uri) = uri {
                            self.namespaces.entry(prefix.clone()).or_insert_with(|| uri.clone());
                        }
                    }
                }
                _ => self.fail(&at, "type", "a context entry must be a URL or an object"),
            }
        }
    }

    fn required_string(&mut self, map: &Map<String, Value>, path: &str, key: &str) {
        match map.get(key) {
            Some(Value::String(_)) => {}
            Some(_) => self.fail(
                &format!("{path}/{key}"),
                "type",
                format!("{key} must be a string"),
            ),
            None => self.fail(
                &format!("{path}/{key}"),
                "required",
                format!("{key} is required"),
            ),
        }
    }

    /// An RFC 3339 instant with its zone.
    fn time(&mut self, value: &Value, path: &str) -> Option<jiff::Timestamp> {
        let Value::String(text) = value else {
            self.fail(path, "type", "a time must be a string");
            return None;
        };
        match text.parse::<jiff::Timestamp>() {
            Ok(t) => Some(t),
            Err(_) if !has_zone(text) => {
                self.fail(
                    path,
                    "time_zone",
                    format!("'{text}' has no time zone; write Z or ±hh:mm"),
                );
                None
            }
            Err(error) => {
                self.fail(
                    path,
                    "time",
                    format!("'{text}' is not an RFC 3339 time: {error}"),
                );
                None
            }
        }
    }

    fn uri<'v>(&mut self, value: &'v Value, path: &str) -> Option<&'v str> {
        match value {
            Value::String(text) if is_absolute_uri(text) => Some(text),
            Value::String(text) => {
                self.fail(path, "uri", format!("'{text}' is not an absolute URI"));
                None
            }
            _ => {
                self.fail(path, "type", "must be a string (a URI)");
                None
            }
        }
    }

    /// An identifier: a URI that, if it is a GS1 key, passes its checks.
    fn identifier(&mut self, value: &Value, path: &str) -> Option<(String, String)> {
        let raw = self.uri(value, path)?;
        match Identifier::parse(raw) {
            Ok(id) => Some((raw.to_owned(), id.canonical())),
            Err(error) => {
                self.fail(path, "identifier", format!("'{raw}': {error}"));
                None
            }
        }
    }

    fn vocab(&mut self, value: &Value, path: &str, vocabulary: Vocabulary) -> Option<Term> {
        let Value::String(text) = value else {
            self.fail(path, "type", "must be a string");
            return None;
        };
        match vocabulary.normalise(text) {
            Ok(term) => Some(term),
            Err(error) => {
                self.fail(path, "vocabulary", error.to_string());
                None
            }
        }
    }

    fn array<'v>(&mut self, value: &'v Value, path: &str) -> Option<&'v Vec<Value>> {
        match value {
            Value::Array(items) => Some(items),
            _ => {
                self.fail(path, "type", "must be an array");
                None
            }
        }
    }

    fn object<'v>(&mut self, value: &'v Value, path: &str) -> Option<&'v Map<String, Value>> {
        match value {
            Value::Object(map) => Some(map),
            _ => {
                self.fail(path, "type", "must be an object");
                None
            }
        }
    }

    fn event(&mut self, index: usize, path: &str, map: Map<String, Value>) -> Option<Event> {
        self.event = Some(index);
        let before = self.problems.len();
        let kind = match map.get("type") {
            Some(Value::String(name)) => match EventType::parse(name) {
                Some(kind) => Some(kind),
                None => {
                    self.fail(
                        &format!("{path}/type"),
                        "event_type",
                        format!("'{name}' is not one of the five EPCIS event types"),
                    );
                    None
                }
            },
            Some(_) => {
                self.fail(&format!("{path}/type"), "type", "type must be a string");
                None
            }
            None => {
                self.fail(&format!("{path}/type"), "required", "the event has no type");
                None
            }
        };
        let kind = kind?;
        let allowed: Vec<&str> = COMMON.iter().chain(fields(kind)).copied().collect();
        self.keys(&map, path, &allowed);
        if let Some(context) = map.get("@context") {
            self.context(Some(context), &format!("{path}/@context"), false);
        }

        let at = |key: &str| format!("{path}/{key}");
        let event_time = match map.get("eventTime") {
            Some(value) => self.time(value, &at("eventTime")),
            None => {
                self.fail(&at("eventTime"), "required", "eventTime is required");
                None
            }
        };
        match map.get("eventTimeZoneOffset") {
            Some(Value::String(offset)) if is_offset(offset) => {}
            Some(_) => self.fail(
                &at("eventTimeZoneOffset"),
                "time_zone",
                "eventTimeZoneOffset must be ±hh:mm (−14:00 to +14:00)",
            ),
            None => self.fail(
                &at("eventTimeZoneOffset"),
                "required",
                "eventTimeZoneOffset is required",
            ),
        }
        if let Some(time) = map.get("recordTime") {
            self.time(time, &at("recordTime"));
        }
        let event_id = map
            .get("eventID")
            .and_then(|v| self.uri(v, &at("eventID")))
            .map(str::to_owned);
        match map.get("certificationInfo") {
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    self.uri(item, &format!("{}/{i}", at("certificationInfo")));
                }
            }
            Some(value) => {
                self.uri(value, &at("certificationInfo"));
            }
            None => {}
        }
        let declares_error = match map.get("errorDeclaration") {
            Some(value) => {
                self.error_declaration(value, &at("errorDeclaration"));
                true
            }
            None => false,
        };

        let action = match map.get("action") {
            Some(Value::String(word)) => Action::parse(word).or_else(|| {
                self.fail(
                    &at("action"),
                    "action",
                    format!("'{word}' is not ADD, OBSERVE or DELETE"),
                );
                None
            }),
            Some(_) => {
                self.fail(&at("action"), "type", "action must be a string");
                None
            }
            None => {
                if kind != EventType::Transformation {
                    self.fail(&at("action"), "required", "action is required");
                }
                None
            }
        };

        let mut identifiers = Vec::new();
        let mut quantities = Vec::new();
        for (key, role) in [
            ("epcList", Role::Epc),
            ("childEPCs", Role::Epc),
            ("inputEPCList", Role::Input),
            ("outputEPCList", Role::Output),
        ] {
            if let Some(value) = map.get(key)
                && let Some(items) = self.array(value, &at(key))
            {
                for (i, item) in items.iter().enumerate() {
                    if let Some((raw, canonical)) =
                        self.identifier(item, &format!("{}/{i}", at(key)))
                    {
                        if identifiers
                            .iter()
                            .any(|n: &Named| n.role == role && n.raw == raw)
                        {
                            self.fail(
                                &format!("{}/{i}", at(key)),
                                "duplicate",
                                format!("'{raw}' is listed twice"),
                            );
                        }
                        identifiers.push(Named {
                            role,
                            raw,
                            canonical,
                        });
                    }
                }
            }
        }
        if let Some(value) = map.get("parentID")
            && let Some((raw, canonical)) = self.identifier(value, &at("parentID"))
        {
            identifiers.push(Named {
                role: Role::Parent,
                raw,
                canonical,
            });
        }
        if let Some(value) = map.get("transformationID") {
            self.uri(value, &at("transformationID"));
        }
        for (key, role, class_role) in [
            ("quantityList", Role::Epc, Role::Class),
            ("childQuantityList", Role::Epc, Role::Class),
            ("inputQuantityList", Role::Input, Role::InputClass),
            ("outputQuantityList", Role::Output, Role::OutputClass),
        ] {
            if let Some(value) = map.get(key)
                && let Some(items) = self.array(value, &at(key))
            {
                for (i, item) in items.iter().enumerate() {
                    if let Some(q) = self.quantity(item, &format!("{}/{i}", at(key)), role) {
                        identifiers.push(Named {
                            role: class_role,
                            raw: q.0,
                            canonical: q.1.class.clone(),
                        });
                        quantities.push(q.1);
                    }
                }
            }
        }

        let biz_step = map
            .get("bizStep")
            .and_then(|v| self.vocab(v, &at("bizStep"), Vocabulary::BizStep));
        let disposition = map
            .get("disposition")
            .and_then(|v| self.vocab(v, &at("disposition"), Vocabulary::Disposition));
        if let Some(value) = map.get("persistentDisposition") {
            self.persistent_disposition(value, &at("persistentDisposition"));
        }
        let read_point = map
            .get("readPoint")
            .and_then(|v| self.location(v, &at("readPoint")));
        let biz_location = map
            .get("bizLocation")
            .and_then(|v| self.location(v, &at("bizLocation")));
        let biz_transactions = self.typed_list(
            &map,
            path,
            "bizTransactionList",
            "bizTransaction",
            Vocabulary::BizTransactionType,
        );
        let sources = self.typed_list(
            &map,
            path,
            "sourceList",
            "source",
            Vocabulary::SourceDestType,
        );
        let destinations = self.typed_list(
            &map,
            path,
            "destinationList",
            "destination",
            Vocabulary::SourceDestType,
        );
        if let Some(value) = map.get("sensorElementList")
            && let Some(items) = self.array(value, &at("sensorElementList"))
        {
            for (i, item) in items.iter().enumerate() {
                self.sensor_element(item, &format!("{}/{i}", at("sensorElementList")));
            }
        }
        if let Some(value) = map.get("ilmd") {
            self.object(value, &at("ilmd"));
        }

        self.shape(kind, action, &map, path);
        if self.problems.len() > before {
            return None;
        }
        let event_time = event_time?;
        let json = map;
        let event_id = event_id.unwrap_or_else(|| crate::hash::event_hash(&json, &self.namespaces));
        let mut json = json;
        json.insert("eventID".to_owned(), Value::String(event_id.clone()));
        Some(Event {
            json,
            kind,
            event_id,
            event_time,
            action,
            biz_step: biz_step.map(|t| t.uri(Vocabulary::BizStep)),
            disposition: disposition.map(|t| t.uri(Vocabulary::Disposition)),
            read_point,
            biz_location,
            identifiers,
            quantities,
            biz_transactions,
            sources,
            destinations,
            declares_error,
        })
    }

    /// The type-specific rules of the schema: which lists an event needs, and where
    /// ILMD may appear.
    fn shape(
        &mut self,
        kind: EventType,
        action: Option<Action>,
        map: &Map<String, Value>,
        path: &str,
    ) {
        let non_empty = |key: &str| {
            map.get(key)
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty())
        };
        let deleting = action == Some(Action::Delete);
        match kind {
            EventType::Object => {
                let has = map.contains_key("epcList")
                    || non_empty("quantityList")
                    || (non_empty("sensorElementList") && map.contains_key("readPoint"));
                if !has {
                    self.fail(path, "what_missing", "an ObjectEvent needs epcList, quantityList, or sensor data with a readPoint");
                }
                if map.contains_key("ilmd") && action != Some(Action::Add) {
                    self.fail(
                        &format!("{path}/ilmd"),
                        "ilmd_action",
                        "ILMD belongs only to events with action ADD",
                    );
                }
            }
            EventType::Aggregation | EventType::Association => {
                if !(non_empty("childEPCs") || non_empty("childQuantityList") || deleting) {
                    self.fail(
                        path,
                        "what_missing",
                        "childEPCs or childQuantityList is required unless the action is DELETE",
                    );
                }
                if kind == EventType::Association && !map.contains_key("parentID") {
                    self.fail(
                        &format!("{path}/parentID"),
                        "required",
                        "an AssociationEvent needs a parentID",
                    );
                }
            }
            EventType::Transaction => {
                if !non_empty("bizTransactionList") {
                    self.fail(
                        &format!("{path}/bizTransactionList"),
                        "required",
                        "a TransactionEvent needs at least one business transaction",
                    );
                }
                if !(map.contains_key("epcList") || non_empty("quantityList") || deleting) {
                    self.fail(path, "what_missing", "a TransactionEvent needs epcList or quantityList unless the action is DELETE");
                }
            }
            EventType::Transformation => {
                let inputs = non_empty("inputEPCList") || non_empty("inputQuantityList");
                let outputs = non_empty("outputEPCList") || non_empty("outputQuantityList");
                if !(inputs && outputs)
                    && !(map.contains_key("transformationID") && (inputs || outputs))
                {
                    self.fail(path, "what_missing", "a TransformationEvent needs inputs and outputs (or a transformationID and one of them)");
                }
            }
        }
    }

    fn quantity(&mut self, value: &Value, path: &str, role: Role) -> Option<(String, Quantity)> {
        let map = self.object(value, path)?;
        self.keys_exact(map, path, &["epcClass", "quantity", "uom"]);
        let class = match map.get("epcClass") {
            Some(v) => self.identifier(v, &format!("{path}/epcClass")),
            None => {
                self.fail(
                    &format!("{path}/epcClass"),
                    "required",
                    "epcClass is required",
                );
                None
            }
        };
        let quantity = match map.get("quantity") {
            Some(Value::Number(n)) => n.as_f64(),
            Some(_) => {
                self.fail(
                    &format!("{path}/quantity"),
                    "type",
                    "quantity must be a number",
                );
                None
            }
            None => None,
        };
        let uom = match map.get("uom") {
            Some(Value::String(u))
                if (2..=3).contains(&u.len())
                    && u.bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) =>
            {
                Some(u.clone())
            }
            Some(_) => {
                self.fail(
                    &format!("{path}/uom"),
                    "uom",
                    "uom must be a UN/CEFACT code of 2–3 capitals or digits",
                );
                None
            }
            None => None,
        };
        if uom.is_some() && quantity.is_none() {
            self.fail(
                &format!("{path}/uom"),
                "uom_without_quantity",
                "a unit without a quantity means nothing",
            );
        }
        let (raw, class) = class?;
        Some((
            raw,
            Quantity {
                role,
                class,
                quantity,
                uom,
            },
        ))
    }

    /// Like [`Reader::keys`], for objects the schema closes (`additionalProperties: false`).
    fn keys_exact(&mut self, map: &Map<String, Value>, path: &str, allowed: &[&str]) {
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                self.fail(
                    &format!("{path}/{}", escape(key)),
                    "unknown_field",
                    format!("'{key}' is not a field here"),
                );
            }
        }
    }

    fn location(&mut self, value: &Value, path: &str) -> Option<String> {
        let map = self.object(value, path)?;
        self.keys(map, path, &["id"]);
        match map.get("id") {
            Some(id) => self
                .identifier(id, &format!("{path}/id"))
                .map(|(_, canonical)| canonical),
            None => {
                self.fail(&format!("{path}/id"), "required", "id is required");
                None
            }
        }
    }

    fn typed_list(
        &mut self,
        map: &Map<String, Value>,
        path: &str,
        list: &str,
        value_key: &str,
        vocabulary: Vocabulary,
    ) -> Vec<Typed> {
        let mut out = Vec::new();
        let Some(value) = map.get(list) else {
            return out;
        };
        let list_path = format!("{path}/{list}");
        let Some(items) = self.array(value, &list_path) else {
            return out;
        };
        for (i, item) in items.iter().enumerate() {
            let at = format!("{list_path}/{i}");
            let Some(entry) = self.object(item, &at) else {
                continue;
            };
            self.keys_exact(entry, &at, &["type", value_key]);
            let kind = match entry.get("type") {
                Some(t) => self
                    .vocab(t, &format!("{at}/type"), vocabulary)
                    .map(|t| t.uri(vocabulary)),
                None if vocabulary == Vocabulary::BizTransactionType => Some(String::new()),
                None => {
                    self.fail(&format!("{at}/type"), "required", "type is required");
                    None
                }
            };
            let value = match entry.get(value_key) {
                Some(v) if vocabulary == Vocabulary::BizTransactionType => {
                    self.uri(v, &format!("{at}/{value_key}")).map(str::to_owned)
                }
                Some(v) => self
                    .identifier(v, &format!("{at}/{value_key}"))
                    .map(|(_, canonical)| canonical),
                None => {
                    self.fail(
                        &format!("{at}/{value_key}"),
                        "required",
                        format!("{value_key} is required"),
                    );
                    None
                }
            };
            if let (Some(kind), Some(value)) = (kind, value) {
                out.push(Typed { kind, value });
            }
        }
        out
    }

    fn persistent_disposition(&mut self, value: &Value, path: &str) {
        let Some(map) = self.object(value, path) else {
            return;
        };
        self.keys_exact(map, path, &["set", "unset"]);
        if !map.contains_key("set") && !map.contains_key("unset") {
            self.fail(path, "required", "persistentDisposition needs set or unset");
        }
        for key in ["set", "unset"] {
            if let Some(v) = map.get(key)
                && let Some(items) = self.array(v, &format!("{path}/{key}"))
            {
                if items.is_empty() {
                    self.fail(
                        &format!("{path}/{key}"),
                        "empty",
                        format!("{key} must not be empty"),
                    );
                }
                for (i, item) in items.iter().enumerate() {
                    self.vocab(item, &format!("{path}/{key}/{i}"), Vocabulary::Disposition);
                }
            }
        }
    }

    fn error_declaration(&mut self, value: &Value, path: &str) {
        let Some(map) = self.object(value, path) else {
            return;
        };
        self.keys(
            map,
            path,
            &["declarationTime", "reason", "correctiveEventIDs"],
        );
        match map.get("declarationTime") {
            Some(t) => {
                self.time(t, &format!("{path}/declarationTime"));
            }
            None => self.fail(
                &format!("{path}/declarationTime"),
                "required",
                "declarationTime is required",
            ),
        }
        if let Some(reason) = map.get("reason") {
            self.vocab(reason, &format!("{path}/reason"), Vocabulary::ErrorReason);
        }
        if let Some(ids) = map.get("correctiveEventIDs")
            && let Some(items) = self.array(ids, &format!("{path}/correctiveEventIDs"))
        {
            for (i, id) in items.iter().enumerate() {
                self.uri(id, &format!("{path}/correctiveEventIDs/{i}"));
            }
        }
    }

    fn sensor_element(&mut self, value: &Value, path: &str) {
        let Some(map) = self.object(value, path) else {
            return;
        };
        self.keys(map, path, &["sensorMetadata", "sensorReport"]);
        if let Some(meta) = map.get("sensorMetadata")
            && let Some(meta) = self.object(meta, &format!("{path}/sensorMetadata"))
        {
            let meta_path = format!("{path}/sensorMetadata");
            self.keys(
                meta,
                &meta_path,
                &[
                    "time",
                    "deviceID",
                    "deviceMetadata",
                    "rawData",
                    "startTime",
                    "endTime",
                    "dataProcessingMethod",
                    "bizRules",
                ],
            );
            self.sensor_fields(meta, &meta_path);
        }
        match map.get("sensorReport") {
            Some(reports) => {
                let reports_path = format!("{path}/sensorReport");
                if let Some(items) = self.array(reports, &reports_path) {
                    if items.is_empty() {
                        self.fail(
                            &reports_path,
                            "empty",
                            "sensorReport must hold at least one report",
                        );
                    }
                    for (i, report) in items.iter().enumerate() {
                        let at = format!("{reports_path}/{i}");
                        let Some(report) = self.object(report, &at) else {
                            continue;
                        };
                        // No `type` required: GS1's JSON schema asks for one, but the
                        // standard and its XML schema do not, and GS1's XML examples
                        // report chemical substances without.
                        self.keys(report, &at, SENSOR_REPORT_FIELDS);
                        self.sensor_fields(report, &at);
                    }
                }
            }
            None => self.fail(
                &format!("{path}/sensorReport"),
                "required",
                "sensorReport is required",
            ),
        }
    }

    /// The typed fields of sensor metadata and reports.
    fn sensor_fields(&mut self, map: &Map<String, Value>, path: &str) {
        for (key, value) in map {
            let at = format!("{path}/{}", escape(key));
            match key.as_str() {
                "time" | "startTime" | "endTime" => {
                    self.time(value, &at);
                }
                "deviceID"
                | "deviceMetadata"
                | "rawData"
                | "dataProcessingMethod"
                | "bizRules"
                | "microorganism"
                | "chemicalSubstance"
                | "coordinateReferenceSystem"
                | "uriValue" => {
                    self.uri(value, &at);
                }
                "value" | "minValue" | "maxValue" | "meanValue" | "sDev" | "percRank"
                | "percValue"
                    if !value.is_number() =>
                {
                    self.fail(&at, "type", format!("{key} must be a number"));
                }
                "booleanValue" if !value.is_boolean() => {
                    self.fail(&at, "type", "booleanValue must be true or false")
                }
                "hexBinaryValue"
                    if !value.as_str().is_some_and(|s| {
                        !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
                    }) =>
                {
                    self.fail(&at, "type", "hexBinaryValue must be hexadecimal digits");
                }
                "stringValue" | "uom" | "type" | "exception" | "component"
                    if !value.is_string() =>
                {
                    self.fail(&at, "type", format!("{key} must be a string"));
                }
                _ => {}
            }
        }
    }
}

const SENSOR_REPORT_FIELDS: &[&str] = &[
    "type",
    "exception",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "bizRules",
    "time",
    "microorganism",
    "chemicalSubstance",
    "coordinateReferenceSystem",
    "value",
    "component",
    "stringValue",
    "booleanValue",
    "hexBinaryValue",
    "uriValue",
    "minValue",
    "maxValue",
    "meanValue",
    "sDev",
    "percRank",
    "percValue",
    "uom",
];

/// Whether an RFC 3339-looking text ends in a zone (`Z` or `±hh:mm`).
fn has_zone(text: &str) -> bool {
    let text = text.trim();
    text.ends_with(['Z', 'z']) || text.len() > 6 && is_offset(&text[text.len() - 6..])
}

/// `±hh:mm` within −14:00..+14:00, the schema's pattern.
fn is_offset(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 6 || !matches!(b[0], b'+' | b'-') || b[3] != b':' {
        return false;
    }
    let digits = [b[1], b[2], b[4], b[5]];
    if !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let hours = (b[1] - b'0') * 10 + (b[2] - b'0');
    let minutes = (b[4] - b'0') * 10 + (b[5] - b'0');
    (hours <= 13 && minutes <= 59) || (hours == 14 && minutes == 0)
}

/// Escapes a key for a JSON pointer (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(events: &str) -> Vec<u8> {
        format!(
            r#"{{"@context": ["{CONTEXT}", {{"ext": "https://zhijian.example/ext/"}}], "type": "EPCISDocument",
            "schemaVersion": "2.0", "creationDate": "2026-01-01T00:00:00Z", "epcisBody": {{"eventList": [{events}]}}}}"#
        )
        .into_bytes()
    }

    const SHIPPING: &str = r#"{"type": "ObjectEvent", "action": "OBSERVE", "eventTime": "2026-03-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00", "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"],
        "bizStep": "shipping", "disposition": "in_transit", "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"},
        "ext:note": {"ext:driver": "王师傅"}}"#;

    fn problems(bytes: &[u8]) -> Vec<(String, &'static str)> {
        read_json(bytes)
            .expect_err("refused")
            .problems
            .into_iter()
            .map(|p| (p.path, p.code))
            .collect()
    }

    #[test]
    fn a_valid_event_is_read_with_its_facts() {
        let document = read_json(&doc(SHIPPING)).unwrap();
        let event = &document.events[0];
        assert_eq!(event.kind, EventType::Object);
        assert_eq!(event.action, Some(Action::Observe));
        assert_eq!(
            event.biz_step.as_deref(),
            Some("https://ref.gs1.org/cbv/BizStep-shipping")
        );
        assert_eq!(event.event_time.to_string(), "2026-03-01T00:00:00Z");
        assert_eq!(
            event.named(Role::Epc).collect::<Vec<_>>(),
            ["https://id.gs1.org/01/10614141073464/21/2017"]
        );
        assert!(
            event.event_id.starts_with("ni:///sha-256;"),
            "a missing eventID becomes the event hash"
        );
        assert_eq!(
            event.json["ext:note"]["ext:driver"], "王师傅",
            "extensions are kept"
        );
        assert_eq!(document.namespaces["ext"], "https://zhijian.example/ext/");
    }

    #[test]
    fn faults_name_their_path_and_event() {
        let bad_step = SHIPPING.replace("\"shipping\"", "\"teleporting\"");
        let no_zone = SHIPPING.replace("2026-03-01T08:00:00+08:00", "2026-03-01T08:00:00");
        let events = format!("{SHIPPING}, {bad_step}, {no_zone}");
        let refused = read_json(&doc(&events)).unwrap_err();
        let found: Vec<_> = refused
            .problems
            .iter()
            .map(|p| (p.path.as_str(), p.event, p.code))
            .collect();
        assert_eq!(
            found,
            [
                ("/epcisBody/eventList/1/bizStep", Some(1), "vocabulary"),
                ("/epcisBody/eventList/2/eventTime", Some(2), "time_zone"),
            ]
        );
    }

    #[test]
    fn schema_rules_are_enforced() {
        let cases = [
            (
                SHIPPING.replace("\"action\": \"OBSERVE\",", ""),
                "/epcisBody/eventList/0/action",
                "required",
            ),
            (
                SHIPPING.replace("OBSERVE", "WATCH"),
                "/epcisBody/eventList/0/action",
                "action",
            ),
            (
                SHIPPING.replace("\"+08:00\",", "\"+8\","),
                "/epcisBody/eventList/0/eventTimeZoneOffset",
                "time_zone",
            ),
            (
                SHIPPING.replace("\"ext:note\"", "\"note\""),
                "/epcisBody/eventList/0/note",
                "unknown_field",
            ),
            (
                SHIPPING.replace("ObjectEvent", "TeleportEvent"),
                "/epcisBody/eventList/0/type",
                "event_type",
            ),
            (
                SHIPPING.replace("\"epcList\"", "\"ext:epcs\""),
                "/epcisBody/eventList/0",
                "what_missing",
            ),
            (
                SHIPPING.replace("urn:epc:id:sgtin:0614141.107346.2017", "not a uri"),
                "/epcisBody/eventList/0/epcList/0",
                "uri",
            ),
        ];
        for (event, path, code) in cases {
            assert_eq!(problems(&doc(&event)), [(path.to_owned(), code)], "{event}");
        }
    }

    #[test]
    fn documents_too_big_or_too_deep_or_foreign_are_refused() {
        let many = vec![SHIPPING; MAX_EVENTS + 1].join(",");
        assert_eq!(
            problems(&doc(&many)),
            [("/epcisBody/eventList".to_owned(), "too_many_events")]
        );
        let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(problems(deep.as_bytes())[0].1, "malformed_json");
        let foreign = String::from_utf8(doc(SHIPPING))
            .unwrap()
            .replace(CONTEXT, "https://evil.example/context.jsonld");
        assert_eq!(
            problems(foreign.as_bytes()),
            [("/@context/0".to_owned(), "context_unknown")]
        );
    }

    #[test]
    fn offsets_follow_the_schema_pattern() {
        for good in ["+08:00", "-06:00", "+14:00", "-13:59"] {
            assert!(is_offset(good), "{good}");
        }
        for bad in ["+14:01", "08:00", "+8:00", "+08:60", "+0800", "+08:00Z"] {
            assert!(!is_offset(bad), "{bad}");
        }
    }
}
