//! Writing events back out as EPCIS 2.0 JSON-LD: the query document of
//! `GET /epcis/events` and the single event of `GET /epcis/events/{eventID}`.
//!
//! An event comes back with the content it was captured with. Two things change, both
//! so that the output is valid against the standard's JSON schema: CBV terms are written
//! in their short form (`urn:epcglobal:cbv:bizstep:shipping`, legal in XML and EPCIS 1.x,
//! becomes `shipping`), and the server's `recordTime` is added.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::json::CONTEXT;
use crate::vocab::Vocabulary;

/// One stored event to write out.
#[derive(Debug, Clone)]
pub struct OutEvent {
    /// The event's JSON as captured.
    pub body: Map<String, Value>,
    /// The namespaces its extension keys use.
    pub namespaces: BTreeMap<String, String>,
    /// When it was captured.
    pub record_time: jiff::Timestamp,
}

/// Rewrites CBV vocabulary values to their short JSON-LD form, in place.
pub fn short_vocabulary(event: &mut Map<String, Value>) {
    let one = |value: &mut Value, vocabulary: Vocabulary| {
        if let Value::String(text) = value
            && let Ok(term) = vocabulary.normalise(text)
        {
            *text = term.json_form().to_owned();
        }
    };
    if let Some(v) = event.get_mut("bizStep") {
        one(v, Vocabulary::BizStep);
    }
    if let Some(v) = event.get_mut("disposition") {
        one(v, Vocabulary::Disposition);
    }
    if let Some(Value::Object(pd)) = event.get_mut("persistentDisposition") {
        for key in ["set", "unset"] {
            if let Some(Value::Array(items)) = pd.get_mut(key) {
                items
                    .iter_mut()
                    .for_each(|v| one(v, Vocabulary::Disposition));
            }
        }
    }
    for (list, vocabulary) in [
        ("bizTransactionList", Vocabulary::BizTransactionType),
        ("sourceList", Vocabulary::SourceDestType),
        ("destinationList", Vocabulary::SourceDestType),
    ] {
        if let Some(Value::Array(items)) = event.get_mut(list) {
            for item in items {
                if let Some(t) = item.as_object_mut().and_then(|o| o.get_mut("type")) {
                    one(t, vocabulary);
                }
            }
        }
    }
    if let Some(Value::Object(declaration)) = event.get_mut("errorDeclaration")
        && let Some(reason) = declaration.get_mut("reason")
    {
        one(reason, Vocabulary::ErrorReason);
    }
}

/// The event as it is written out: short vocabulary and its `recordTime`.
fn finish(event: &OutEvent) -> Map<String, Value> {
    let mut body = event.body.clone();
    short_vocabulary(&mut body);
    body.insert(
        "recordTime".to_owned(),
        Value::String(millis(event.record_time)),
    );
    body
}

/// An RFC 3339 instant with milliseconds, as EPCIS examples write them.
pub fn millis(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The `@context` of a document carrying events with these namespaces. A prefix that
/// two events bind differently stays in each event's own `@context` instead.
fn context(events: &[OutEvent]) -> (Value, Vec<Option<Map<String, Value>>>) {
    let mut shared: BTreeMap<&str, &str> = BTreeMap::new();
    let mut clashing: std::collections::BTreeSet<&str> = Default::default();
    for event in events {
        for (prefix, uri) in &event.namespaces {
            match shared.get(prefix.as_str()) {
                Some(existing) if existing != uri => {
                    clashing.insert(prefix);
                }
                _ => {
                    shared.insert(prefix, uri);
                }
            }
        }
    }
    let own: Vec<Option<Map<String, Value>>> = events
        .iter()
        .map(|event| {
            let local: Map<String, Value> = event
                .namespaces
                .iter()
                .filter(|(prefix, _)| clashing.contains(prefix.as_str()))
                .map(|(p, u)| (p.clone(), Value::String(u.clone())))
                .collect();
            (!local.is_empty()).then_some(local)
        })
        .collect();
    let declared: Map<String, Value> = shared
        .into_iter()
        .filter(|(prefix, _)| !clashing.contains(prefix))
        .map(|(p, u)| (p.to_owned(), Value::String(u.to_owned())))
        .collect();
    let context = if declared.is_empty() {
        json!([CONTEXT])
    } else {
        json!([CONTEXT, declared])
    };
    (context, own)
}

/// The EPCIS query document answering a query (`SimpleEventQuery`).
pub fn query_document(events: &[OutEvent], created: jiff::Timestamp) -> Value {
    let (context, own) = context(events);
    let list: Vec<Value> = events
        .iter()
        .zip(own)
        .map(|(event, local)| {
            let mut body = finish(event);
            if let Some(local) = local {
                body.insert("@context".to_owned(), Value::Object(local));
            }
            Value::Object(body)
        })
        .collect();
    json!({
        "@context": context,
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": millis(created),
        "epcisBody": {"queryResults": {"queryName": "SimpleEventQuery", "resultsBody": {"eventList": list}}}
    })
}

/// One event on its own, with the `@context` it needs.
pub fn single_event(event: &OutEvent) -> Value {
    let mut body = finish(event);
    let mut context = vec![Value::String(CONTEXT.to_owned())];
    if !event.namespaces.is_empty() {
        context.push(Value::Object(
            event
                .namespaces
                .iter()
                .map(|(p, u)| (p.clone(), Value::String(u.clone())))
                .collect(),
        ));
    }
    body.insert("@context".to_owned(), Value::Array(context));
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_comes_out_short_and_prefixes_are_declared() {
        let body: Map<String, Value> = serde_json::from_value(json!({
            "type": "ObjectEvent", "bizStep": "urn:epcglobal:cbv:bizstep:receiving",
            "sourceList": [{"type": "urn:epcglobal:cbv:sdt:owning_party", "source": "urn:epc:id:pgln:0614141.00000"}],
            "ext1:int": 10
        }))
        .unwrap();
        let event = OutEvent {
            body,
            namespaces: BTreeMap::from([(
                "ext1".to_owned(),
                "http://example.com/ext1/".to_owned(),
            )]),
            record_time: "2026-01-01T00:00:00Z".parse().unwrap(),
        };
        let document = query_document(
            std::slice::from_ref(&event),
            "2026-01-02T00:00:00Z".parse().unwrap(),
        );
        let out = &document["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0];
        assert_eq!(out["bizStep"], "receiving");
        assert_eq!(out["sourceList"][0]["type"], "owning_party");
        assert_eq!(out["recordTime"], "2026-01-01T00:00:00.000Z");
        assert_eq!(document["@context"][1]["ext1"], "http://example.com/ext1/");
    }

    #[test]
    fn clashing_prefixes_stay_with_their_events() {
        let event = |uri: &str| OutEvent {
            body: Map::new(),
            namespaces: BTreeMap::from([("ex".to_owned(), uri.to_owned())]),
            record_time: jiff::Timestamp::UNIX_EPOCH,
        };
        let document = query_document(
            &[event("https://a.example/"), event("https://b.example/")],
            jiff::Timestamp::UNIX_EPOCH,
        );
        let list = &document["epcisBody"]["queryResults"]["resultsBody"]["eventList"];
        assert_eq!(list[0]["@context"]["ex"], "https://a.example/");
        assert_eq!(list[1]["@context"]["ex"], "https://b.example/");
        assert_eq!(document["@context"], json!([CONTEXT]));
    }
}
