//! The standard EPCIS event hash (CBV 2.0 §8.9, "Event hash ID").
//!
//! Two captures of one event — in XML or JSON-LD, with fields in any order, identifiers
//! as EPC URNs or Digital Links, vocabulary as URNs or short names, times in any offset —
//! get one and the same `ni:///sha-256;…?ver=CBV2.0` identifier. The event is first
//! written as a *pre-hash string*: `eventType=…`, then the standard fields in the
//! canonical property order with normalised values, then every remaining field (user
//! extensions, ILMD, extension members of standard fields) sorted, with namespace-expanded
//! names. This module follows the reference implementation
//! (RalphTro/epcis-event-hash-generator) in the form that the CBV 2.0 standard's worked
//! example uses: CBV web vocabulary on `https://ns.gs1.org/voc/` (`Bizstep-`, `Disp-`,
//! `BTT-`, `SDT-`, `ER-`), `errorDeclaration` right after the time-zone offset,
//! `recordTime`, `eventID` and `certificationInfo` left out, a sensor's own `time` not
//! converted to UTC (the reference converts only names with "time" after their first
//! letter). Newer reference versions moved to `https://ref.gs1.org/cbv/` and put `type`
//! before the business transaction; such hashes differ from these. Sensor measurement
//! types and alert types are written as `https://gs1.org/voc/` URIs whether given as
//! `gs1:` CURIEs (XML) or bare terms (JSON-LD), so both syntaxes hash alike.
//!
//! ```
//! use std::collections::BTreeMap;
//! let event = serde_json::json!({"type": "ObjectEvent", "action": "OBSERVE",
//!     "eventTime": "2020-03-04T11:00:30+01:00", "eventTimeZoneOffset": "+01:00",
//!     "epcList": ["urn:epc:id:sgtin:0614141.011111.987"], "bizStep": "departing"});
//! let event = event.as_object().unwrap();
//! assert_eq!(zhijian_epcis::hash::pre_hash(event, &BTreeMap::new()),
//!     "eventType=ObjectEventeventTime=2020-03-04T10:00:30.000ZeventTimeZoneOffset=+01:00\
//!      epcListepc=https://id.gs1.org/01/00614141111114/21/987action=OBSERVE\
//!      bizStep=https://ns.gs1.org/voc/Bizstep-departing");
//! ```

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::identifier::Identifier;

/// The `ni:` hash URI of one event (RFC 6920 with the CBV version), e.g.
/// `ni:///sha-256;…?ver=CBV2.0`.
///
/// `namespaces` maps the document's JSON-LD prefixes to namespace URIs (see
/// [`namespaces`]), so that user extension names are hashed by namespace, not by prefix.
pub fn event_hash(event: &Map<String, Value>, namespaces: &BTreeMap<String, String>) -> String {
    let digest = Sha256::digest(pre_hash(event, namespaces).as_bytes());
    format!("ni:///sha-256;{}?ver=CBV2.0", hex::encode(digest))
}

/// The canonical pre-hash string of one event, the input of [`event_hash`]; useful for
/// comparing with other implementations.
pub fn pre_hash(event: &Map<String, Value>, namespaces: &BTreeMap<String, String>) -> String {
    // An event may carry its own @context (events in query results do); its prefixes
    // apply to it on top of the document's.
    let mut namespaces = namespaces.clone();
    if let Some(context) = event.get("@context") {
        namespaces.extend(self::namespaces(context));
    }
    let event_type = event
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut nodes = event_nodes(event, &namespaces);
    let ordered = ordered_part(&mut nodes, PROPERTY_ORDER);
    format!("eventType={event_type}{ordered}{}", remainder(&nodes))
}

/// The prefix → namespace URI pairs declared in a JSON-LD `@context` (a string, an object
/// or an array of them); keywords (`@vocab`…) and remote context URLs are skipped.
pub fn namespaces(context: &Value) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    match context {
        Value::Array(items) => items.iter().for_each(|item| found.extend(namespaces(item))),
        Value::Object(map) => {
            for (prefix, uri) in map {
                let uri = uri
                    .as_str()
                    .or_else(|| uri.get("@id").and_then(Value::as_str));
                if let (false, Some(uri)) = (prefix.starts_with('@'), uri) {
                    found.insert(prefix.clone(), uri.to_owned());
                }
            }
        }
        _ => {}
    }
    found
}

// ---------------------------------------------------------------------------------------
// The event as a tree of named values, as the XML form has it
// ---------------------------------------------------------------------------------------

/// One element of the event: a name (namespace-expanded for extensions), its own text,
/// and its child elements. Attributes of the XML form are children here too.
#[derive(Debug)]
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
}

/// Event fields that never enter the hash: the type is written first, the hash replaces
/// the eventID, the record time is the receiver's, certification info is excluded by CBV
/// 2.0, the context only declares prefixes.
const IGNORED: [&str; 5] = [
    "type",
    "eventID",
    "recordTime",
    "certificationInfo",
    "@context",
];

/// Members that are remarks, not data, at any depth.
const COMMENTS: [&str; 2] = ["rdfs:comment", "comment"];

/// JSON arrays that stand for an XML list element wrapping one element per item.
const LIST_ITEMS: [(&str, &str); 13] = [
    ("epcList", "epc"),
    ("childEPCs", "epc"),
    ("inputEPCList", "epc"),
    ("outputEPCList", "epc"),
    ("quantityList", "quantityElement"),
    ("childQuantityList", "quantityElement"),
    ("inputQuantityList", "quantityElement"),
    ("outputQuantityList", "quantityElement"),
    ("bizTransactionList", "bizTransaction"),
    ("sourceList", "source"),
    ("destinationList", "destination"),
    ("sensorElementList", "sensorElement"),
    ("correctiveEventIDs", "correctiveEventID"),
];

/// Fields whose values are CBV or GS1 vocabulary: the URN (or CURIE) prefix of their
/// terms, the web-URI prefix the hash writes, and the newer `ref.gs1.org` prefix.
struct Vocabulary {
    urn: &'static str,
    web: &'static str,
    ref_web: &'static str,
}

const BIZ_STEP: Vocabulary = Vocabulary {
    urn: "urn:epcglobal:cbv:bizstep:",
    web: "https://ns.gs1.org/voc/Bizstep-",
    ref_web: "https://ref.gs1.org/cbv/BizStep-",
};
const DISPOSITION: Vocabulary = Vocabulary {
    urn: "urn:epcglobal:cbv:disp:",
    web: "https://ns.gs1.org/voc/Disp-",
    ref_web: "https://ref.gs1.org/cbv/Disp-",
};
const BTT: Vocabulary = Vocabulary {
    urn: "urn:epcglobal:cbv:btt:",
    web: "https://ns.gs1.org/voc/BTT-",
    ref_web: "https://ref.gs1.org/cbv/BTT-",
};
const SDT: Vocabulary = Vocabulary {
    urn: "urn:epcglobal:cbv:sdt:",
    web: "https://ns.gs1.org/voc/SDT-",
    ref_web: "https://ref.gs1.org/cbv/SDT-",
};
const ER: Vocabulary = Vocabulary {
    urn: "urn:epcglobal:cbv:er:",
    web: "https://ns.gs1.org/voc/ER-",
    ref_web: "https://ref.gs1.org/cbv/ER-",
};
/// GS1 web vocabulary terms such as sensor measurement types (`gs1:Temperature`, or
/// bare `Temperature` in JSON-LD), expanded as the standard EPCIS context expands `gs1:`.
const GS1_TERM: Vocabulary = Vocabulary {
    urn: "gs1:",
    web: "https://gs1.org/voc/",
    ref_web: "https://ref.gs1.org/voc/",
};
/// Sensor alert types (`ALARM_CONDITION`…), members of the GS1 `SensorAlertType` class.
const SENSOR_ALERT: Vocabulary = Vocabulary {
    urn: "gs1:SensorAlertType-",
    web: "https://gs1.org/voc/SensorAlertType-",
    ref_web: "https://ref.gs1.org/voc/SensorAlertType-",
};
const VOCABULARIES: [&Vocabulary; 6] = [&BIZ_STEP, &DISPOSITION, &BTT, &SDT, &ER, &GS1_TERM];

/// The vocabulary of a field, by its name and its parent's, for fields whose JSON form
/// allows bare short names (`"bizStep": "shipping"`).
fn vocabulary_of(parent: &str, name: &str) -> Option<&'static Vocabulary> {
    match (parent, name) {
        (_, "bizStep") => Some(&BIZ_STEP),
        (_, "disposition") | ("persistentDisposition", "set" | "unset") => Some(&DISPOSITION),
        ("bizTransaction", "type") => Some(&BTT),
        ("source" | "destination", "type") => Some(&SDT),
        ("errorDeclaration", "reason") => Some(&ER),
        ("sensorReport", "type") => Some(&GS1_TERM),
        ("sensorReport", "exception") => Some(&SENSOR_ALERT),
        _ => None,
    }
}

/// The top-level nodes of an event.
fn event_nodes(event: &Map<String, Value>, namespaces: &BTreeMap<String, String>) -> Vec<Node> {
    let fields = event
        .iter()
        .filter(|(key, _)| !IGNORED.contains(&key.as_str()) && !COMMENTS.contains(&key.as_str()));
    fields
        .flat_map(|(key, value)| field_nodes("", key, value, namespaces))
        .collect()
}

/// The nodes for one JSON member `key: value` of an object whose node is named `parent`.
/// An array is one list node (for the standard list fields) or one node per item (as a
/// repeated XML element).
fn field_nodes(
    parent: &str,
    key: &str,
    value: &Value,
    namespaces: &BTreeMap<String, String>,
) -> Vec<Node> {
    let name = expand_name(key, namespaces);
    if let Value::Array(items) = value {
        if let Some((_, item_name)) = LIST_ITEMS.iter().find(|(list, _)| *list == key) {
            let children = items
                .iter()
                .map(|item| value_node(&name, item_name, item, namespaces))
                .collect();
            return vec![Node {
                name,
                text: String::new(),
                children,
            }];
        }
        return items
            .iter()
            .map(|item| value_node(parent, &name, item, namespaces))
            .collect();
    }
    vec![value_node(parent, &name, value, namespaces)]
}

/// The node named `name` for one JSON value.
fn value_node(
    parent: &str,
    name: &str,
    value: &Value,
    namespaces: &BTreeMap<String, String>,
) -> Node {
    let mut node = Node {
        name: name.to_owned(),
        text: String::new(),
        children: Vec::new(),
    };
    match value {
        Value::Object(map) => {
            // A bizTransaction/source/destination is, in XML, an element whose text is the
            // identifier and whose `type` attribute is a child here.
            let text_key = match name {
                "bizTransaction" | "source" | "destination" => Some(name),
                _ => None,
            };
            for (key, member) in map {
                if Some(key.as_str()) == text_key || key == "#text" || key == "@value" {
                    node.text = scalar_text(member);
                } else if !key.starts_with("@xmlns") && !COMMENTS.contains(&key.as_str()) {
                    node.children
                        .extend(field_nodes(name, key, member, namespaces));
                }
            }
        }
        Value::Array(items) => {
            // Nested arrays have no XML form; their items are kept as repeated children.
            let children = items
                .iter()
                .map(|item| value_node(name, name, item, namespaces));
            node.children = children.collect();
        }
        scalar => {
            node.text = scalar_text(scalar);
            if let Some(vocabulary) = vocabulary_of(parent, name) {
                node.text = expand_short_name(node.text.trim(), vocabulary);
            }
        }
    }
    node
}

/// The text of a JSON scalar as its XML form would have it.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null | Value::Array(_) | Value::Object(_) => String::new(),
    }
}

/// `prefix:local` with a declared prefix becomes `{namespace}local`, so that the hash does
/// not depend on the prefix a document happens to choose.
fn expand_name(key: &str, namespaces: &BTreeMap<String, String>) -> String {
    match key.split_once(':') {
        Some((prefix, local)) => match namespaces.get(prefix) {
            Some(uri) => format!("{{{uri}}}{local}"),
            None => key.to_owned(),
        },
        None => key.to_owned(),
    }
}

/// A bare vocabulary short name (`shipping`) or a newer `https://ref.gs1.org/cbv/` URI as
/// the web URI; URNs are handled with all other values in [`canonical_value`].
fn expand_short_name(value: &str, vocabulary: &Vocabulary) -> String {
    if let Some(term) = value.strip_prefix(vocabulary.ref_web) {
        return format!("{}{term}", vocabulary.web);
    }
    if value.is_empty() || value.contains(':') {
        return value.to_owned();
    }
    format!("{}{value}", vocabulary.web)
}

// ---------------------------------------------------------------------------------------
// The pre-hash string
// ---------------------------------------------------------------------------------------

/// One entry of the canonical property order: a field and the order of its children
/// (empty for a field whose children, if any, are not ordered).
struct Property {
    name: &'static str,
    children: &'static [Property],
}

const fn leaf(name: &'static str) -> Property {
    Property {
        name,
        children: &[],
    }
}

const QUANTITY: &[Property] = &[Property {
    name: "quantityElement",
    children: &[leaf("epcClass"), leaf("quantity"), leaf("uom")],
}];
const EPC: &[Property] = &[leaf("epc")];

/// The canonical property order of CBV 2.0 §8.9 as the reference implements it.
const PROPERTY_ORDER: &[Property] = &[
    leaf("eventTime"),
    leaf("eventTimeZoneOffset"),
    Property {
        name: "errorDeclaration",
        children: &[
            leaf("declarationTime"),
            leaf("reason"),
            Property {
                name: "correctiveEventIDs",
                children: &[leaf("correctiveEventID")],
            },
        ],
    },
    Property {
        name: "epcList",
        children: EPC,
    },
    leaf("parentID"),
    Property {
        name: "inputEPCList",
        children: EPC,
    },
    Property {
        name: "childEPCs",
        children: EPC,
    },
    Property {
        name: "quantityList",
        children: QUANTITY,
    },
    Property {
        name: "childQuantityList",
        children: QUANTITY,
    },
    Property {
        name: "inputQuantityList",
        children: QUANTITY,
    },
    Property {
        name: "outputEPCList",
        children: EPC,
    },
    Property {
        name: "outputQuantityList",
        children: QUANTITY,
    },
    leaf("action"),
    leaf("transformationID"),
    leaf("bizStep"),
    leaf("disposition"),
    Property {
        name: "persistentDisposition",
        children: &[leaf("set"), leaf("unset")],
    },
    Property {
        name: "readPoint",
        children: &[leaf("id")],
    },
    Property {
        name: "bizLocation",
        children: &[leaf("id")],
    },
    Property {
        name: "bizTransactionList",
        children: &[Property {
            name: "bizTransaction",
            children: &[leaf("type")],
        }],
    },
    Property {
        name: "sourceList",
        children: &[Property {
            name: "source",
            children: &[leaf("type")],
        }],
    },
    Property {
        name: "destinationList",
        children: &[Property {
            name: "destination",
            children: &[leaf("type")],
        }],
    },
    Property {
        name: "sensorElementList",
        children: &[Property {
            name: "sensorElement",
            children: &[
                Property {
                    name: "sensorMetadata",
                    children: SENSOR_METADATA,
                },
                Property {
                    name: "sensorReport",
                    children: SENSOR_REPORT,
                },
            ],
        }],
    },
];

const SENSOR_METADATA: &[Property] = &[
    leaf("time"),
    leaf("startTime"),
    leaf("endTime"),
    leaf("deviceID"),
    leaf("deviceMetadata"),
    leaf("rawData"),
    leaf("dataProcessingMethod"),
    leaf("bizRules"),
];

const SENSOR_REPORT: &[Property] = &[
    leaf("type"),
    leaf("exception"),
    leaf("deviceID"),
    leaf("deviceMetadata"),
    leaf("rawData"),
    leaf("dataProcessingMethod"),
    leaf("time"),
    leaf("microorganism"),
    leaf("chemicalSubstance"),
    leaf("value"),
    leaf("component"),
    leaf("stringValue"),
    leaf("booleanValue"),
    leaf("hexBinaryValue"),
    leaf("uriValue"),
    leaf("minValue"),
    leaf("maxValue"),
    leaf("meanValue"),
    leaf("sDev"),
    leaf("percRank"),
    leaf("percValue"),
    leaf("uom"),
    leaf("coordinateReferenceSystem"),
];

/// Writes the nodes named in `order`, in that order (same-named siblings sorted), and
/// removes what it wrote from the tree: nodes left with children stay, so that their
/// extension members are written by [`remainder`].
fn ordered_part(nodes: &mut Vec<Node>, order: &[Property]) -> String {
    let mut out = String::new();
    for property in order {
        // Most properties are absent from a given event: skip them without the
        // collecting and the `retain` pass.
        if !nodes.iter().any(|node| node.name == property.name) {
            continue;
        }
        let mut parts: Vec<String> = nodes
            .iter_mut()
            .filter(|node| node.name == property.name)
            .map(|node| ordered_node(node, property))
            .filter(|part| !part.is_empty())
            .collect();
        nodes.retain(|node| node.name != property.name || !node.children.is_empty());
        parts.sort();
        out.push_str(&parts.concat());
    }
    out
}

/// `name=value` followed by the ordered children, or nothing if both are empty.
fn ordered_node(node: &mut Node, property: &Property) -> String {
    let children = if property.children.is_empty() {
        String::new()
    } else {
        ordered_part(&mut node.children, property.children)
    };
    let text = node.text.trim();
    let value = if is_time_field(&node.name) {
        canonical_time(text)
    } else {
        canonical_value(text)
    };
    if value.is_empty() && children.is_empty() {
        return String::new();
    }
    let equals = if value.is_empty() { "" } else { "=" };
    format!("{}{equals}{value}{children}", node.name)
}

/// Every node not written in the ordered part, sorted, with namespace-expanded names.
fn remainder(nodes: &[Node]) -> String {
    let mut parts: Vec<String> = nodes
        .iter()
        .map(|node| {
            let value = canonical_value(node.text.trim());
            let equals = if value.is_empty() { "" } else { "=" };
            format!("{}{equals}{value}{}", node.name, remainder(&node.children))
        })
        .collect();
    parts.sort();
    parts.concat()
}

/// Whether a field holds a timestamp to be normalised: `eventTime`, `declarationTime`,
/// `startTime`, `endTime`. The reference matches "time" after the first character, so a
/// sensor's plain `time` keeps its offset; following it keeps hashes interoperable.
fn is_time_field(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.find("time").is_some_and(|at| at > 0) && !lower.contains("offset")
}

/// A timestamp in UTC at millisecond precision with `Z`; the fourth fractional digit
/// rounds half up. A time without offset is taken as UTC. Unparseable text is kept.
fn canonical_time(text: &str) -> String {
    let parsed = text.parse::<jiff::Timestamp>().ok().or_else(|| {
        let civil = text.parse::<jiff::civil::DateTime>().ok()?;
        civil
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|zoned| zoned.timestamp())
    });
    let Some(timestamp) = parsed else {
        return text.to_owned();
    };
    let sub_milli = timestamp.subsec_nanosecond().rem_euclid(1_000_000);
    let rounded = if sub_milli >= 500_000 {
        timestamp.checked_add(jiff::SignedDuration::from_nanos(i64::from(
            1_000_000 - sub_milli,
        )))
    } else {
        timestamp.checked_sub(jiff::SignedDuration::from_nanos(i64::from(sub_milli)))
    };
    match rounded {
        Ok(t) => t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        Err(_) => text.to_owned(),
    }
}

/// A value in canonical form: CBV URNs as web URIs, numbers without redundant digits, GS1
/// identifiers as canonical Digital Links; anything else as given.
fn canonical_value(text: &str) -> String {
    for vocabulary in VOCABULARIES {
        if let Some(term) = text.strip_prefix(vocabulary.urn) {
            return format!("{}{term}", vocabulary.web);
        }
    }
    if let Some(number) = canonical_number(text) {
        return number;
    }
    if is_plain_sgtin_link(text) {
        return text.to_owned();
    }
    match Identifier::parse(text) {
        Ok(id) if id.is_gs1_key() => id.canonical(),
        _ => text.to_owned(),
    }
}

/// Whether `text` is `https://id.gs1.org/01/{14 digits}/21/{letters and digits}`: its
/// canonical form is itself whether or not the GTIN's check digit holds (a valid one is
/// written back the same; an invalid one is no identifier and stays as given), so the
/// parse can be skipped. Why: these are most of the values a capture hashes — every
/// unit of every event — and parsing them was a third of the hash's time.
fn is_plain_sgtin_link(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("https://id.gs1.org/01/") else {
        return false;
    };
    let (Some(gtin), Some(serial)) = (
        rest.get(..14),
        rest.get(14..).and_then(|r| r.strip_prefix("/21/")),
    ) else {
        return false;
    };
    gtin.bytes().all(|b| b.is_ascii_digit())
        && (1..=20).contains(&serial.len())
        && serial.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A decimal number written as the reference writes it (Python's `str` of the float,
/// or of the integer when the value is whole): `200.0` → `200`, `0.10` → `0.1`,
/// `0.00001` → `1e-05`. `None` for text that is not a plain decimal number.
fn canonical_number(text: &str) -> Option<String> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits_ok(e)
    });
    if whole.len() + fraction.len() == 0
        || !digits_ok(whole)
        || !digits_ok(fraction)
        || !exponent_ok
    {
        return None;
    }
    let value: f64 = text.parse().ok()?;
    if !value.is_finite() {
        return None;
    }
    if value == value.trunc() {
        // Whole numbers print in full, as Python's int() does; -0 is 0.
        let whole = if value == 0.0 { 0.0 } else { value };
        return Some(format!("{whole:.0}"));
    }
    if value.abs() < 1e-4 {
        return Some(python_exponent(&format!("{value:e}")));
    }
    Some(value.to_string())
}

/// Rust's `1.5e-7` as Python's `1.5e-07` (at least two exponent digits).
fn python_exponent(rust: &str) -> String {
    match rust.split_once("e-") {
        Some((mantissa, exponent)) if exponent.len() < 2 => format!("{mantissa}e-0{exponent}"),
        Some((mantissa, exponent)) => format!("{mantissa}e-{exponent}"),
        None => rust.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_are_written_as_the_reference_writes_them() {
        let cases = [
            ("200.0", "200"),
            ("26.0", "26"),
            ("0.10", "0.1"),
            ("+5", "5"),
            ("-0.0", "0"),
            ("1e3", "1000"),
            ("0.00001", "1e-05"),
            ("13.2", "13.2"),
            ("0614141", "614141"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                canonical_number(input).as_deref(),
                Some(expected),
                "{input}"
            );
        }
        for not_number in ["", ".", "abc", "1.2.3", "1e", "inf", "NaN", "0x10", "1 2"] {
            assert_eq!(canonical_number(not_number), None, "{not_number}");
        }
    }

    #[test]
    fn plain_sgtin_links_skip_the_parse_and_keep_its_answer() {
        let parsed = |text: &str| match Identifier::parse(text) {
            Ok(id) if id.is_gs1_key() => id.canonical(),
            _ => text.to_owned(),
        };
        for text in [
            "https://id.gs1.org/01/10614141073464/21/3",
            "https://id.gs1.org/01/10614141073465/21/3",
            "https://id.gs1.org/01/06901234567892/21/13000000000000000017",
            "https://id.gs1.org/01/06901234567892/21/AbC9",
        ] {
            assert!(is_plain_sgtin_link(text), "{text}");
            assert_eq!(canonical_value(text), parsed(text), "{text}");
        }
        for text in [
            "https://id.gs1.org/01/10614141073464/21/a%2Fb",
            "https://id.gs1.org/01/10614141073464/21/",
            "https://id.gs1.org/01/10614141073464/21/123456789012345678901",
            "https://id.gs1.org/01/1061414107346/21/3",
            "https://id.gs1.org/01/10614141073464/10/LOT",
            "https://example.com/01/10614141073464/21/3",
        ] {
            assert!(!is_plain_sgtin_link(text), "{text}");
        }
    }

    #[test]
    fn times_become_utc_milliseconds() {
        assert_eq!(
            canonical_time("2005-04-03T20:33:31.116000-06:00"),
            "2005-04-04T02:33:31.116Z"
        );
        assert_eq!(
            canonical_time("2019-10-21T11:00:30+01:00"),
            "2019-10-21T10:00:30.000Z"
        );
        assert_eq!(
            canonical_time("2005-04-03T20:33:31.116"),
            "2005-04-03T20:33:31.116Z"
        );
        assert_eq!(
            canonical_time("2005-04-03T20:33:31.1165Z"),
            "2005-04-03T20:33:31.117Z"
        );
        assert_eq!(
            canonical_time("2005-04-03T23:59:59.9999Z"),
            "2005-04-04T00:00:00.000Z"
        );
        assert_eq!(canonical_time("yesterday"), "yesterday");
    }

    #[test]
    fn namespaces_come_from_context_objects() {
        let context = json!(["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
            {"ext1": "http://example.com/ext1", "@vocab": "x"}, {"ext2": {"@id": "urn:ext2"}}]);
        let expected: BTreeMap<String, String> =
            [("ext1", "http://example.com/ext1"), ("ext2", "urn:ext2")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
        assert_eq!(namespaces(&context), expected);
    }

    #[test]
    fn sensor_types_hash_alike_as_curie_or_bare_term() {
        let report = |kind: &str| json!({"type": "ObjectEvent", "sensorElementList": [{"sensorReport": [{"type": kind, "value": 1}]}]});
        let pre = |v: Value| v.as_object().map(|e| pre_hash(e, &BTreeMap::new()));
        assert_eq!(pre(report("gs1:Temperature")), pre(report("Temperature")));
        assert_eq!(
            pre(report("https://gs1.org/voc/Temperature")).as_deref(),
            Some(
                "eventType=ObjectEventsensorElementListsensorElementsensorReport\
                  type=https://gs1.org/voc/Temperaturevalue=1"
            )
        );
    }

    #[test]
    fn the_prefix_does_not_change_the_hash() {
        let a = json!({"type": "ObjectEvent", "eventTime": "2020-01-01T00:00:00Z", "a:x": {"a:y": "1"}});
        let b = json!({"type": "ObjectEvent", "eventTime": "2020-01-01T00:00:00Z", "b:x": {"b:y": "1.0"}});
        let ns = |p: &str| BTreeMap::from([(p.to_owned(), "urn:example".to_owned())]);
        let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
            unreachable!()
        };
        assert_eq!(event_hash(a, &ns("a")), event_hash(b, &ns("b")));
        assert!(pre_hash(a, &ns("a")).ends_with("{urn:example}x{urn:example}y=1"));
    }
}
