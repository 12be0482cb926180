//! The JSON-LD reader is total: arbitrary bytes, and GS1's examples with their values
//! swapped, dropped or retyped at random, give a document or a rejection — never a panic
//! — and a rejection always names where. (cargo-fuzz needs a nightly toolchain this
//! machine cannot fetch; proptest stands in.)

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::{Value, json};

fn gs1() -> PathBuf {
    let root = std::env::var_os("ZHIJIAN_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"));
    let dir = root.join("gs1-epcis/JSON");
    assert!(dir.is_dir(), "no GS1 EPCIS fixtures at {}", dir.display());
    dir
}

/// A few of GS1's examples, of every event type.
fn corpus() -> Vec<Value> {
    [
        "Example_9.6.1-ObjectEvent.jsonld",
        "Example_9.6.3-AggregationEvent.jsonld",
        "Example_9.6.4-TransformationEvent.jsonld",
        "WithFullCombinationOfFields/transaction_event_all_possible_fields.jsonld",
        "WithFullCombinationOfFields/association_event_all_possible_fields.jsonld",
        "WithSensorData/SensorDataExample1.jsonld",
    ]
    .iter()
    .map(|f| serde_json::from_slice(&std::fs::read(gs1().join(f)).unwrap()).unwrap())
    .collect()
}

/// Every JSON pointer in a value.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            pointers(
                v,
                format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                out,
            )
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| pointers(v, format!("{at}/{i}"), out)),
        _ => {}
    }
    out.push(at);
}

fn replacement(kind: u8) -> Value {
    match kind % 8 {
        0 => Value::Null,
        1 => json!(-1.5e308),
        2 => json!("not a uri"),
        3 => json!([]),
        4 => json!({}),
        5 => json!("2026-02-30T25:61:00"),
        6 => json!(true),
        _ => json!("urn:epc:id:sgtin:0614141.107346.☃"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic_the_json_reader(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = zhijian_epcis::read_json(&bytes);
        let _ = zhijian_epcis::read_single_event(&bytes);
    }

    #[test]
    fn mutated_examples_are_read_or_refused_with_a_place(
        which in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), any::<bool>()), 1..4),
    ) {
        let corpus = corpus();
        let mut document = corpus[which.index(corpus.len())].clone();
        for (at, kind, remove) in edits {
            let mut all = Vec::new();
            pointers(&document, String::new(), &mut all);
            let pointer = all[at.index(all.len())].clone();
            if pointer.is_empty() {
                continue;
            }
            let (parent, key) = pointer.rsplit_once('/').unwrap();
            match document.pointer_mut(parent) {
                Some(Value::Object(map)) if remove => { map.remove(&key.replace("~1", "/").replace("~0", "~")); }
                _ => if let Some(slot) = document.pointer_mut(&pointer) { *slot = replacement(kind) },
            }
        }
        let text = document.to_string();
        match zhijian_epcis::read_json(text.as_bytes()) {
            Ok(read) => prop_assert!(read.events.iter().all(|e| e.event_id.contains(':'))),
            Err(refused) => {
                prop_assert!(!refused.problems.is_empty());
                for p in &refused.problems {
                    prop_assert!(p.path.is_empty() || document.pointer(&p.path).is_some() || p.code == "required",
                        "{} names no place in the document", p.path);
                }
            }
        }
    }
}
