//! EPCIS XML documents read into the EPCIS 2.0 JSON-LD form.
//!
//! Capture arrives in XML as often as in JSON-LD. Rather than validating and hashing two
//! models, an XML `EPCISDocument` (EPCIS 2.0, namespace `urn:epcglobal:epcis:xsd:2`, or a
//! simple 1.x one with its `extension` wrappers) is turned into the JSON-LD document the
//! standard's XML/JSON correspondence gives: lists become arrays, attributes become
//! members, sensor values become numbers and booleans, and user extension elements become
//! `prefix:local` members with their namespaces added to the `@context`. Vocabulary values
//! and identifiers are copied as written; normalising them is the validator's job.
//! Attributes of user extension elements (other than `xsi:type`) and the `EPCISHeader`
//! (SBDH, master data) are not carried into the JSON form.
//!
//! The reader is defensive: it never expands entities other than the five predefined ones
//! and character references, rejects DTDs that declare entities, stops at depth 64 and at
//! 100 000 events while reading, and reports every failure with a location.
//!
//! ```
//! let xml = br#"<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"
//!     schemaVersion="2.0" creationDate="2026-01-01T00:00:00Z"><EPCISBody><EventList>
//!   <ObjectEvent><eventTime>2026-01-01T08:00:00+08:00</eventTime>
//!     <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
//!     <epcList><epc>urn:epc:id:sgtin:0614141.107346.2017</epc></epcList>
//!     <action>OBSERVE</action></ObjectEvent>
//! </EventList></EPCISBody></epcis:EPCISDocument>"#;
//! let doc = zhijian_epcis::xml::read_xml(xml).unwrap();
//! assert_eq!(doc["epcisBody"]["eventList"][0]["epcList"][0], "urn:epc:id:sgtin:0614141.107346.2017");
//! ```

use std::collections::BTreeMap;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use serde_json::{Map, Number, Value};

/// The standard EPCIS 2.0 JSON-LD context, first in every document's `@context`.
pub const EPCIS_CONTEXT: &str = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

/// Elements may nest this deep and no deeper (EPCIS needs about ten).
pub const MAX_DEPTH: usize = 64;

/// A document may hold this many events and no more.
pub const MAX_EVENTS: usize = 100_000;

/// The XML Schema instance namespace, whose `type` attribute types extension values.
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The event elements of EPCIS 1.x and 2.0.
const EVENT_TYPES: [&str; 5] = [
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
];

/// Why an XML document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// Not well-formed XML (or not UTF-8).
    #[error("malformed XML at byte {offset}: {message}")]
    Malformed {
        /// Byte offset where the reader stopped.
        offset: u64,
        /// What the XML reader reported.
        message: String,
    },
    /// The DTD declares entities; they are never expanded (entity-expansion attacks).
    #[error("the DTD at byte {offset} declares entities, which are not accepted")]
    EntityDeclaration {
        /// Byte offset of the DTD.
        offset: u64,
    },
    /// A reference to an entity other than the five XML predefines.
    #[error("unknown entity &{name}; at byte {offset}")]
    UnknownEntity {
        /// Byte offset of the reference.
        offset: u64,
        /// The entity name.
        name: String,
    },
    /// Elements nested deeper than [`MAX_DEPTH`].
    #[error("elements nest deeper than {MAX_DEPTH} at byte {offset}")]
    TooDeep {
        /// Byte offset of the element that is too deep.
        offset: u64,
    },
    /// More than [`MAX_EVENTS`] events.
    #[error("more than {MAX_EVENTS} events; the event at byte {offset} is one too many")]
    TooManyEvents {
        /// Byte offset of the first event over the limit.
        offset: u64,
    },
    /// The root element is not an `EPCISDocument`.
    #[error("the root element is {root}, not EPCISDocument")]
    NotEpcisDocument {
        /// The root element's name as written.
        root: String,
    },
    /// An element in the event list that is not an EPCIS event.
    #[error("{path} is not an EPCIS event")]
    UnknownEvent {
        /// The element path, e.g. `EPCISDocument/EPCISBody/EventList/FooEvent`.
        path: String,
    },
}

impl XmlError {
    /// A stable snake_case code for this failure, used in problem+json bodies.
    pub fn code(&self) -> &'static str {
        match self {
            XmlError::Malformed { .. } => "malformed_xml",
            XmlError::EntityDeclaration { .. } => "entity_declaration",
            XmlError::UnknownEntity { .. } => "unknown_entity",
            XmlError::TooDeep { .. } => "too_deep",
            XmlError::TooManyEvents { .. } => "too_many_events",
            XmlError::NotEpcisDocument { .. } => "not_epcis_document",
            XmlError::UnknownEvent { .. } => "unknown_event",
        }
    }
}

/// Reads an XML `EPCISDocument` into the equivalent EPCIS 2.0 JSON-LD document value.
pub fn read_xml(bytes: &[u8]) -> Result<Value, XmlError> {
    let root = parse_tree(bytes)?;
    if root.local != "EPCISDocument" || root.namespace.as_deref().is_some_and(|ns| !is_epcis(ns)) {
        return Err(XmlError::NotEpcisDocument {
            root: root.qualified_name(),
        });
    }
    Converter::default().document(&root)
}

// ---------------------------------------------------------------------------------------
// Reading: XML text into a tree of elements
// ---------------------------------------------------------------------------------------

/// An element with its namespace resolved and its text collected.
#[derive(Debug)]
struct Element {
    prefix: Option<String>,
    namespace: Option<String>,
    local: String,
    attributes: Vec<Attribute>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    /// Whether the element carries `xsi:nil="true"`.
    fn is_nil(&self) -> bool {
        self.attributes.iter().any(|a| {
            a.local == "nil"
                && a.namespace.as_deref() == Some("http://www.w3.org/2001/XMLSchema-instance")
                && matches!(a.value.trim(), "true" | "1")
        })
    }
}

/// A (non-namespace-declaring) attribute with its namespace resolved.
#[derive(Debug)]
struct Attribute {
    prefix: Option<String>,
    namespace: Option<String>,
    local: String,
    value: String,
}

impl Element {
    fn qualified_name(&self) -> String {
        match &self.prefix {
            Some(prefix) => format!("{prefix}:{}", self.local),
            None => self.local.clone(),
        }
    }

    fn trimmed_text(&self) -> &str {
        self.text.trim()
    }

    /// Whether this is a user extension: an element in a namespace other than EPCIS's.
    fn is_extension(&self) -> bool {
        self.namespace.as_deref().is_some_and(|ns| !is_epcis(ns))
    }

    /// The standard (non-extension) children with this local name.
    fn standard<'a>(&'a self, local: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children
            .iter()
            .filter(move |c| !c.is_extension() && c.local == local)
    }

    fn xsi_type(&self) -> Option<&str> {
        let attribute = self
            .attributes
            .iter()
            .find(|a| a.namespace.as_deref() == Some(XSI) && a.local == "type")?;
        Some(
            attribute
                .value
                .rsplit(':')
                .next()
                .unwrap_or(&attribute.value),
        )
    }
}

fn is_epcis(namespace: &str) -> bool {
    namespace.starts_with("urn:epcglobal:epcis")
}

/// In-scope namespace declarations, innermost last; `None` is the default namespace.
type Scopes = Vec<Vec<(Option<String>, String)>>;

fn resolve(scopes: &Scopes, prefix: Option<&str>) -> Option<String> {
    if prefix == Some("xml") {
        return Some("http://www.w3.org/XML/1998/namespace".to_owned());
    }
    scopes
        .iter()
        .rev()
        .flat_map(|scope| scope.iter().rev())
        .find(|(declared, _)| declared.as_deref() == prefix)
        .map(|(_, uri)| uri.clone())
        .filter(|uri| !uri.is_empty())
}

/// Streams the document into a tree, enforcing the depth, event-count and entity rules
/// as it goes.
fn parse_tree(bytes: &[u8]) -> Result<Element, XmlError> {
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    let mut scopes: Scopes = Vec::new();
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut events = 0usize;
    loop {
        let offset = reader.buffer_position();
        let event = reader.read_event().map_err(|e| XmlError::Malformed {
            offset: reader.error_position(),
            message: e.to_string(),
        })?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(malformed(offset, "content after the root element"));
            }
            Event::Start(start) => {
                let element = open(&start, &mut scopes, &stack, offset, &mut events)?;
                stack.push(element);
            }
            Event::Empty(start) => {
                let element = open(&start, &mut scopes, &stack, offset, &mut events)?;
                scopes.pop();
                close(element, &mut stack, &mut root);
            }
            Event::End(_) => {
                let element = stack
                    .pop()
                    .ok_or_else(|| malformed(offset, "unmatched end tag"))?;
                scopes.pop();
                close(element, &mut stack, &mut root);
            }
            Event::Text(text) => {
                let text = text
                    .xml_content()
                    .map_err(|e| malformed(offset, &e.to_string()))?;
                push_text(&mut stack, &text, offset)?;
            }
            Event::CData(cdata) => {
                let text = cdata
                    .decode()
                    .map_err(|e| malformed(offset, &e.to_string()))?;
                push_text(&mut stack, &text, offset)?;
            }
            Event::GeneralRef(reference) => {
                let text = resolve_reference(&reference, offset)?;
                push_text(&mut stack, &text, offset)?;
            }
            Event::DocType(doctype) => {
                // Never expand entities: a DTD that declares any is refused outright.
                if doctype.windows(8).any(|w| w == b"<!ENTITY") {
                    return Err(XmlError::EntityDeclaration { offset });
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(malformed(
            reader.buffer_position(),
            "unclosed element at end of input",
        ));
    }
    root.ok_or_else(|| malformed(0, "no root element"))
}

fn malformed(offset: u64, message: &str) -> XmlError {
    XmlError::Malformed {
        offset,
        message: message.to_owned(),
    }
}

fn utf8(bytes: &[u8], offset: u64) -> Result<String, XmlError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| malformed(offset, "a name is not UTF-8"))
}

/// Builds the element for a start tag: declares its namespaces, resolves its name and
/// attributes, and checks depth and the event count.
fn open(
    start: &BytesStart<'_>,
    scopes: &mut Scopes,
    stack: &[Element],
    offset: u64,
    events: &mut usize,
) -> Result<Element, XmlError> {
    if stack.len() >= MAX_DEPTH {
        return Err(XmlError::TooDeep { offset });
    }
    let mut declarations = Vec::new();
    let mut raw_attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| malformed(offset, &e.to_string()))?;
        let key = utf8(attribute.key.as_ref(), offset)?;
        // Decoded by hand rather than with `unescape_value`, which the workspace's
        // quick-xml (built with its `encoding` feature for the xlsx reader) lacks.
        let raw = utf8(&attribute.value, offset)?;
        let value = quick_xml::escape::unescape(&raw).map_err(|e| match e {
            quick_xml::escape::EscapeError::UnrecognizedEntity(_, name) => {
                XmlError::UnknownEntity { offset, name }
            }
            other => malformed(offset, &other.to_string()),
        })?;
        match key.split_once(':') {
            _ if key == "xmlns" => declarations.push((None, value.into_owned())),
            Some(("xmlns", prefix)) => {
                declarations.push((Some(prefix.to_owned()), value.into_owned()))
            }
            Some((prefix, local)) => raw_attributes.push((
                Some(prefix.to_owned()),
                local.to_owned(),
                value.into_owned(),
            )),
            None => raw_attributes.push((None, key, value.into_owned())),
        }
    }
    scopes.push(declarations);
    let name = utf8(start.name().as_ref(), offset)?;
    let (prefix, local) = match name.split_once(':') {
        Some((prefix, local)) => (Some(prefix.to_owned()), local.to_owned()),
        None => (None, name),
    };
    let namespace = resolve(scopes, prefix.as_deref());
    let attributes = raw_attributes
        .into_iter()
        .map(|(prefix, local, value)| Attribute {
            // Unprefixed attributes are in no namespace, whatever the default.
            namespace: prefix.as_deref().and_then(|p| resolve(scopes, Some(p))),
            prefix,
            local,
            value,
        })
        .collect();
    let element = Element {
        prefix,
        namespace,
        local,
        attributes,
        children: Vec::new(),
        text: String::new(),
    };
    if is_event_position(stack, &element) {
        *events += 1;
        if *events > MAX_EVENTS {
            return Err(XmlError::TooManyEvents { offset });
        }
    }
    Ok(element)
}

/// Whether an element opened under `stack` is an event: a child of `EventList`, or of the
/// 1.x `extension` wrapper directly inside it.
fn is_event_position(stack: &[Element], element: &Element) -> bool {
    let parent = stack.last().map(|e| e.local.as_str());
    let grandparent = stack.len().checked_sub(2).map(|i| stack[i].local.as_str());
    match (grandparent, parent) {
        (_, Some("EventList")) => element.local != "extension",
        (Some("EventList"), Some("extension")) => true,
        _ => false,
    }
}

fn close(element: Element, stack: &mut [Element], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

fn push_text(stack: &mut [Element], text: &str, offset: u64) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(element) => element.text.push_str(text),
        None if text.trim().is_empty() => {}
        None => return Err(malformed(offset, "text outside the root element")),
    }
    Ok(())
}

/// The text of `&name;`: a character reference or one of the five predefined entities.
fn resolve_reference(
    reference: &quick_xml::events::BytesRef<'_>,
    offset: u64,
) -> Result<String, XmlError> {
    if reference.is_char_ref() {
        return match reference.resolve_char_ref() {
            Ok(Some(c)) => Ok(c.to_string()),
            _ => Err(malformed(offset, "invalid character reference")),
        };
    }
    let name = reference
        .decode()
        .map_err(|e| malformed(offset, &e.to_string()))?;
    let text = match name.as_ref() {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => {
            return Err(XmlError::UnknownEntity {
                offset,
                name: name.into_owned(),
            });
        }
    };
    Ok(text.to_owned())
}

// ---------------------------------------------------------------------------------------
// Converting: the element tree into the JSON-LD document
// ---------------------------------------------------------------------------------------

/// The conversion state: the extension namespaces met so far, for the `@context`.
#[derive(Default)]
struct Converter {
    /// prefix → namespace URI, as they will appear in the `@context`.
    prefixes: BTreeMap<String, String>,
}

/// Standard list fields whose items are elements of one name.
const LISTS: [(&str, &str); 4] = [
    ("epcList", "epc"),
    ("childEPCs", "epc"),
    ("inputEPCList", "epc"),
    ("outputEPCList", "epc"),
];
const QUANTITY_LISTS: [&str; 4] = [
    "quantityList",
    "childQuantityList",
    "inputQuantityList",
    "outputQuantityList",
];
const TYPED_LISTS: [(&str, &str); 3] = [
    ("bizTransactionList", "bizTransaction"),
    ("sourceList", "source"),
    ("destinationList", "destination"),
];

/// sensorReport attributes whose JSON form is a number.
const NUMERIC_REPORT_ATTRIBUTES: [&str; 7] = [
    "value",
    "minValue",
    "maxValue",
    "meanValue",
    "sDev",
    "percRank",
    "percValue",
];

impl Converter {
    fn document(mut self, root: &Element) -> Result<Value, XmlError> {
        let mut events = Vec::new();
        for body in root.standard("EPCISBody") {
            for list in body.standard("EventList") {
                self.event_list(list, &mut events)?;
            }
        }
        let mut document = Map::new();
        document.insert("type".into(), "EPCISDocument".into());
        for attribute in &root.attributes {
            if attribute.namespace.is_none() {
                document.insert(attribute.local.clone(), attribute.value.clone().into());
            }
        }
        let mut body = Map::new();
        body.insert("eventList".into(), Value::Array(events));
        document.insert("epcisBody".into(), Value::Object(body));
        let mut context = vec![Value::from(EPCIS_CONTEXT)];
        if !self.prefixes.is_empty() {
            let prefixes = self
                .prefixes
                .into_iter()
                .map(|(p, uri)| (p, Value::from(uri)));
            context.push(Value::Object(prefixes.collect()));
        }
        document.insert("@context".into(), Value::Array(context));
        Ok(Value::Object(document))
    }

    fn event_list(&mut self, list: &Element, events: &mut Vec<Value>) -> Result<(), XmlError> {
        for child in &list.children {
            if !child.is_extension() && child.local == "extension" {
                // EPCIS 1.x wraps TransformationEvent and AssociationEvent in <extension>.
                self.event_list(child, events)?;
            } else if !child.is_extension() && EVENT_TYPES.contains(&child.local.as_str()) {
                let mut event = Map::new();
                event.insert("type".into(), child.local.clone().into());
                self.fields(child, &mut event);
                events.push(Value::Object(event));
            } else {
                let path = format!(
                    "EPCISDocument/EPCISBody/EventList/{}",
                    child.qualified_name()
                );
                return Err(XmlError::UnknownEvent { path });
            }
        }
        Ok(())
    }

    /// Adds the JSON members for the children of `element` (an event or a standard
    /// field with members) to `map`.
    fn fields(&mut self, element: &Element, map: &mut Map<String, Value>) {
        for child in &element.children {
            // `xsi:nil="true"` says the field has no value: JSON leaves it out.
            if child.is_nil() {
                continue;
            }
            if child.is_extension() {
                let key = self.key(
                    child.prefix.as_deref(),
                    child.namespace.as_deref(),
                    &child.local,
                );
                let value = self.extension_value(child);
                insert_repeated(map, key, value);
                continue;
            }
            let name = child.local.as_str();
            let value = match name {
                // EPCIS 1.x `extension` / `baseExtension` wrappers are flattened.
                "extension" | "baseExtension" => {
                    self.fields(child, map);
                    continue;
                }
                _ if LISTS.iter().any(|(list, _)| *list == name) => texts(child, "epc"),
                _ if QUANTITY_LISTS.contains(&name) => Value::Array(
                    child
                        .standard("quantityElement")
                        .map(|q| self.object(q))
                        .collect(),
                ),
                _ => match TYPED_LISTS.iter().find(|(list, _)| *list == name) {
                    Some((_, item)) => self.typed_list(child, item),
                    None => self.standard_value(child),
                },
            };
            insert_repeated(map, name.to_owned(), value);
        }
    }

    /// The JSON value of a standard field that is not a list.
    fn standard_value(&mut self, element: &Element) -> Value {
        match element.local.as_str() {
            "persistentDisposition" => {
                let mut map = Map::new();
                for key in ["set", "unset"] {
                    let values: Vec<Value> = element
                        .standard(key)
                        .map(|e| e.trimmed_text().into())
                        .collect();
                    if !values.is_empty() {
                        map.insert(key.into(), Value::Array(values));
                    }
                }
                Value::Object(map)
            }
            "correctiveEventIDs" => texts(element, "correctiveEventID"),
            "sensorElementList" => Value::Array(
                element
                    .standard("sensorElement")
                    .map(|e| self.sensor_element(e))
                    .collect(),
            ),
            "quantity" => number(element.trimmed_text()),
            // Members-only fields stay objects even when written empty (`<ilmd/>`).
            "readPoint" | "bizLocation" | "ilmd" | "errorDeclaration" => self.object(element),
            _ if element.children.is_empty() => element.trimmed_text().into(),
            _ => self.object(element),
        }
    }

    /// An element with members (readPoint, errorDeclaration, ilmd, quantityElement…).
    fn object(&mut self, element: &Element) -> Value {
        let mut map = Map::new();
        self.fields(element, &mut map);
        Value::Object(map)
    }

    /// bizTransactionList, sourceList, destinationList: `{"type": …, item: …}` objects.
    fn typed_list(&mut self, list: &Element, item: &str) -> Value {
        let items = list.standard(item).map(|element| {
            let mut map = Map::new();
            if let Some(kind) = element
                .attributes
                .iter()
                .find(|a| a.local == "type" && a.namespace.is_none())
            {
                map.insert("type".into(), kind.value.clone().into());
            }
            map.insert(item.to_owned(), element.trimmed_text().into());
            Value::Object(map)
        });
        Value::Array(items.collect())
    }

    fn sensor_element(&mut self, element: &Element) -> Value {
        let mut map = Map::new();
        let mut reports = Vec::new();
        for child in &element.children {
            match (child.is_extension(), child.local.as_str()) {
                (false, "sensorMetadata") => {
                    let metadata = self.attribute_object(child, false);
                    map.insert("sensorMetadata".into(), metadata);
                }
                (false, "sensorReport") => reports.push(self.attribute_object(child, true)),
                (false, "extension") => {
                    if let Value::Object(members) = self.object(child) {
                        map.extend(members);
                    }
                }
                _ => {
                    let key = self.key(
                        child.prefix.as_deref(),
                        child.namespace.as_deref(),
                        &child.local,
                    );
                    let value = self.extension_value(child);
                    insert_repeated(&mut map, key, value);
                }
            }
        }
        if !reports.is_empty() {
            map.insert("sensorReport".into(), Value::Array(reports));
        }
        Value::Object(map)
    }

    /// sensorMetadata / sensorReport: attributes (and any extension children) as members;
    /// in a report, measurement attributes are numbers and `booleanValue` a boolean.
    fn attribute_object(&mut self, element: &Element, report: bool) -> Value {
        let mut map = Map::new();
        for attribute in &element.attributes {
            if attribute.namespace.as_deref() == Some(XSI) {
                continue;
            }
            let key = self.key(
                attribute.prefix.as_deref(),
                attribute.namespace.as_deref(),
                &attribute.local,
            );
            let value = match attribute.local.as_str() {
                name if report
                    && attribute.namespace.is_none()
                    && NUMERIC_REPORT_ATTRIBUTES.contains(&name) =>
                {
                    number(&attribute.value)
                }
                "booleanValue" if report && attribute.namespace.is_none() => {
                    boolean(&attribute.value)
                }
                _ => attribute.value.clone().into(),
            };
            map.insert(key, value);
        }
        self.fields(element, &mut map);
        Value::Object(map)
    }

    /// A user extension element: nested elements as an object (repeated names as arrays),
    /// a leaf as its text — a JSON number when `xsi:type` says integer or double (or one
    /// of their XSD relatives), a string otherwise (booleans too: JSON-LD examples write
    /// extension booleans as strings).
    fn extension_value(&mut self, element: &Element) -> Value {
        if element.children.is_empty() {
            let text = element.trimmed_text();
            return match element.xsi_type() {
                Some(
                    "integer" | "int" | "long" | "short" | "byte" | "decimal" | "double" | "float",
                ) => number(text),
                _ => text.into(),
            };
        }
        let mut map = Map::new();
        for child in &element.children {
            let key = self.key(
                child.prefix.as_deref(),
                child.namespace.as_deref(),
                &child.local,
            );
            let value = self.extension_value(child);
            insert_repeated(&mut map, key, value);
        }
        Value::Object(map)
    }

    /// The JSON key of a name: `prefix:local` for names in a non-EPCIS namespace (the
    /// prefix recorded for the `@context`), the local name otherwise.
    fn key(&mut self, prefix: Option<&str>, namespace: Option<&str>, local: &str) -> String {
        let Some(namespace) = namespace.filter(|ns| !is_epcis(ns)) else {
            return local.to_owned();
        };
        // A prefix already bound to another namespace (or none, for a default namespace)
        // gets a numbered variant so that the @context stays one-to-one.
        let wanted = prefix.unwrap_or("ns");
        let mut candidate = wanted.to_owned();
        let mut n = 1;
        while let Some(bound) = self.prefixes.get(&candidate) {
            if bound == namespace {
                break;
            }
            n += 1;
            candidate = format!("{wanted}{n}");
        }
        self.prefixes
            .insert(candidate.clone(), namespace.to_owned());
        format!("{candidate}:{local}")
    }
}

/// The texts of the children named `item`, as an array.
fn texts(list: &Element, item: &str) -> Value {
    Value::Array(
        list.standard(item)
            .map(|e| e.trimmed_text().into())
            .collect(),
    )
}

/// A number if `text` is one (integers stay integers), the text otherwise.
fn number(text: &str) -> Value {
    let text = text.trim();
    if let Ok(integer) = text.parse::<i64>() {
        return Value::Number(integer.into());
    }
    match text.parse::<f64>().ok().and_then(Number::from_f64) {
        Some(n) if text.bytes().any(|b| b.is_ascii_digit()) => Value::Number(n),
        _ => text.into(),
    }
}

/// `booleanValue` of a sensor report: a JSON boolean for the XSD boolean spellings.
fn boolean(text: &str) -> Value {
    match text.trim() {
        "true" | "1" => Value::Bool(true),
        "false" | "0" => Value::Bool(false),
        other => other.into(),
    }
}

/// Inserts `value` under `key`; a repeated key collects its values into an array.
fn insert_repeated(map: &mut Map<String, Value>, key: String, value: Value) {
    match map.get_mut(&key) {
        None => {
            map.insert(key, value);
        }
        Some(Value::Array(values)) if !matches!(value, Value::Array(_)) => values.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
    }
}
