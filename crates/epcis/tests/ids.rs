//! Identifiers, event hashes and the XML reader, checked against reference vectors and
//! the GS1 EPCIS example documents.
//!
//! The GS1 examples are not copied into the project: they are read from the folder named
//! by `ZHIJIAN_FIXTURES` (e.g. `/work/shared/fixtures`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use zhijian_epcis::hash::{event_hash, namespaces, pre_hash};
use zhijian_epcis::identifier::Identifier;
use zhijian_epcis::xml::read_xml;

// ---------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------

/// The GS1 EPCIS examples folder inside `$ZHIJIAN_FIXTURES`.
fn gs1() -> PathBuf {
    let Some(root) = std::env::var_os("ZHIJIAN_FIXTURES") else {
        panic!(
            "ZHIJIAN_FIXTURES is not set: point it at the shared fixtures folder \
             (e.g. ZHIJIAN_FIXTURES=/work/shared/fixtures) to run these tests"
        );
    };
    PathBuf::from(root).join("gs1-epcis")
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

/// A fixture document as JSON: XML files through [`read_xml`], JSON files as they are.
fn document(path: &Path) -> Value {
    let bytes = read(path);
    if path.extension().is_some_and(|ext| ext == "xml") {
        read_xml(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}

fn events(document: &Value) -> Vec<Map<String, Value>> {
    let list = document["epcisBody"]["eventList"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    list.into_iter()
        .filter_map(|e| e.as_object().cloned())
        .collect()
}

fn files_under(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path, extension));
        } else if path.extension().is_some_and(|ext| ext == extension) {
            found.push(path);
        }
    }
    found.sort();
    found
}

// ---------------------------------------------------------------------------------------
// Identifiers
// ---------------------------------------------------------------------------------------

/// A valid company prefix and a reference of the right total length.
fn prefix_and_reference(total: usize) -> impl Strategy<Value = (String, String)> {
    (6usize..=12).prop_flat_map(move |cp| {
        (
            proptest::string::string_regex(&format!("[0-9]{{{cp}}}")).unwrap(),
            proptest::string::string_regex(&format!("[0-9]{{{}}}", total - cp)).unwrap(),
        )
    })
}

/// A serial of set-82 characters, URN-escaped where the EPC URN requires it.
fn urn_serial() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[A-Za-z0-9!'()*+,.:;=_\"%&/<>?-]{1,20}")
        .unwrap()
        .prop_map(|s| {
            s.chars()
                .map(|c| match c {
                    '"' | '%' | '&' | '/' | '<' | '>' | '?' => format!("%{:02X}", c as u32),
                    c => c.to_string(),
                })
                .collect()
        })
}

fn valid_urn() -> impl Strategy<Value = String> {
    prop_oneof![
        (prefix_and_reference(13), urn_serial())
            .prop_map(|((cp, r), s)| format!("urn:epc:id:sgtin:{cp}.{r}.{s}")),
        prefix_and_reference(17).prop_map(|(cp, r)| format!("urn:epc:id:sscc:{cp}.{r}")),
        (prefix_and_reference(12), urn_serial())
            .prop_map(|((cp, r), s)| format!("urn:epc:id:sgln:{cp}.{r}.{s}")),
    ]
}

proptest! {
    #[test]
    fn identifier_parsing_never_panics(s in any::<String>()) {
        let _ = Identifier::parse(&s).map(|id| id.canonical());
    }

    #[test]
    fn mutated_urns_never_panic(urn in valid_urn(), at in any::<prop::sample::Index>(),
                                c in any::<char>(), cut in any::<bool>()) {
        let mut chars: Vec<char> = urn.chars().collect();
        let i = at.index(chars.len());
        if cut { chars.truncate(i) } else { chars[i] = c }
        let mutated: String = chars.into_iter().collect();
        let _ = Identifier::parse(&mutated).map(|id| id.canonical());
    }

    #[test]
    fn canonical_digital_links_round_trip(urn in valid_urn()) {
        let id = Identifier::parse(&urn).map_err(|e| TestCaseError::fail(format!("{urn}: {e}")))?;
        let canonical = id.canonical();
        let again = Identifier::parse(&canonical)
            .map_err(|e| TestCaseError::fail(format!("{canonical}: {e}")))?;
        prop_assert_eq!(&again, &id);
        prop_assert_eq!(again.canonical(), canonical);
    }
}

// ---------------------------------------------------------------------------------------
// Event hash: reference vectors
// ---------------------------------------------------------------------------------------

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn example_namespace() -> BTreeMap<String, String> {
    BTreeMap::from([(
        "example".to_owned(),
        "https://ns.example.com/epcis".to_owned(),
    )])
}

/// The worked example of CBV 2.0 §8.9 (event hash ID), as also used by the EVRYTHNG/GS1
/// port of the reference implementation: pre-hash and hash are the published ones.
#[test]
fn cbv_2_0_worked_example() {
    let event = object(json!({
        "type": "ObjectEvent",
        "eventTime": "2020-03-04T11:00:30.000+01:00",
        "eventTimeZoneOffset": "+01:00",
        "recordTime": "2020-03-04T11:00:30.999+01:00",
        "eventID": "urn:uuid:7e2b5c0a-0000-4000-8000-000000000000",
        "epcList": ["urn:epc:id:sgtin:0614141.011111.987"],
        "action": "OBSERVE",
        "bizStep": "departing",
        "disposition": "urn:epcglobal:cbv:disp:in_transit",
        "readPoint": {"id": "urn:epc:id:sgln:4012345.00011.0", "example:myField1": "AB-12"},
        "bizTransactionList": [{"type": "po", "bizTransaction": "urn:epc:id:gdti:4012345.11111.123"}],
        "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:4012345.00000"}],
        "destinationList": [{"type": "owning_party", "destination": "urn:epc:id:pgln:0614141.00000"}],
        "example:userExt": "CD-34"
    }));
    let expected = "eventType=ObjectEventeventTime=2020-03-04T10:00:30.000ZeventTimeZoneOffset=+01:00\
        epcListepc=https://id.gs1.org/01/00614141111114/21/987action=OBSERVE\
        bizStep=https://ns.gs1.org/voc/Bizstep-departingdisposition=https://ns.gs1.org/voc/Disp-in_transit\
        readPointid=https://id.gs1.org/414/4012345000115bizTransactionList\
        bizTransaction=https://id.gs1.org/253/4012345111118123type=https://ns.gs1.org/voc/BTT-po\
        sourceListsource=https://id.gs1.org/417/4012345000009type=https://ns.gs1.org/voc/SDT-owning_party\
        destinationListdestination=https://id.gs1.org/417/0614141000005type=https://ns.gs1.org/voc/SDT-owning_party\
        readPoint{https://ns.example.com/epcis}myField1=AB-12{https://ns.example.com/epcis}userExt=CD-34";
    assert_eq!(pre_hash(&event, &example_namespace()), expected);
    assert_eq!(
        event_hash(&event, &example_namespace()),
        "ni:///sha-256;b19f1beb88382b7a670c276a699a61c9805174586eaeb1845c4a1dbce8b75aa3?ver=CBV2.0"
    );
}

/// The reference implementation's `epcisDocWithXMLstartTagAndErrorDeclaration` vector
/// (pre-hash from its tests/examples at commit 0aa25e1, the `ns.gs1.org/voc` era; the hash
/// is the SHA-256 of that pre-hash). The XML input is read through `read_xml`, so this
/// also covers errorDeclaration, quantity lists and an extension inside a standard field.
#[test]
fn reference_vector_with_error_declaration() {
    let xml = br#"<?xml version="1.0"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:example="https://ns.example.com/epcis"
    schemaVersion="2.0" creationDate="2020-01-15T07:47:21.677Z">
  <EPCISBody><EventList><TransformationEvent>
    <eventTime>2020-01-14T00:00:00.000+01:00</eventTime>
    <eventTimeZoneOffset>+01:00</eventTimeZoneOffset>
    <eventID>urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8</eventID>
    <errorDeclaration>
      <declarationTime>2020-01-15T00:00:00.000+01:00</declarationTime>
      <reason>urn:epcglobal:cbv:er:incorrect_data</reason>
      <example:vendorExtension>Test1</example:vendorExtension>
    </errorDeclaration>
    <inputEPCList><epc>urn:epc:id:sgtin:4012345.011111.987</epc></inputEPCList>
    <inputQuantityList><quantityElement>
      <epcClass>urn:epc:class:lgtin:4012345.022222.87545GHGH</epcClass>
    </quantityElement></inputQuantityList>
    <outputEPCList><epc>urn:epc:id:sgtin:4012345.033333.AGHFG</epc></outputEPCList>
    <outputQuantityList><quantityElement>
      <epcClass>urn:epc:idpat:sgtin:4012345.044444.*</epcClass>
      <quantity>452.0</quantity><uom>KGM</uom>
    </quantityElement></outputQuantityList>
    <bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
    <readPoint><id>urn:epc:id:sgln:4012345.00000.0</id></readPoint>
  </TransformationEvent></EventList></EPCISBody>
</epcis:EPCISDocument>"#;
    let document = read_xml(xml).unwrap_or_else(|e| panic!("{e}"));
    let ns = namespaces(&document["@context"]);
    let [event] = events(&document)
        .try_into()
        .unwrap_or_else(|_| panic!("one event"));
    let expected = "eventType=TransformationEventeventTime=2020-01-13T23:00:00.000Z\
        eventTimeZoneOffset=+01:00errorDeclarationdeclarationTime=2020-01-14T23:00:00.000Z\
        reason=https://ns.gs1.org/voc/ER-incorrect_data\
        inputEPCListepc=https://id.gs1.org/01/04012345111118/21/987\
        inputQuantityListquantityElementepcClass=https://id.gs1.org/01/04012345222227/10/87545GHGH\
        outputEPCListepc=https://id.gs1.org/01/04012345333336/21/AGHFG\
        outputQuantityListquantityElementepcClass=https://id.gs1.org/01/04012345444445quantity=452uom=KGM\
        bizStep=https://ns.gs1.org/voc/Bizstep-commissioning\
        readPointid=https://id.gs1.org/414/4012345000009\
        errorDeclaration{https://ns.example.com/epcis}vendorExtension=Test1";
    assert_eq!(pre_hash(&event, &ns), expected);
    assert_eq!(
        event_hash(&event, &ns),
        "ni:///sha-256;697536d1a76b84b7b7dd43c52e37a1f167ee0610cae78344bdace6f284128776?ver=CBV2.0"
    );
}

// ---------------------------------------------------------------------------------------
// Event hash: GS1's WithEventHashID examples
// ---------------------------------------------------------------------------------------

/// GS1's seven spellings of one event (XML with varied order, URNs vs. Digital Links,
/// prefixes…, and JSON-LD) hash alike — except variant 2, which the fixture describes as
/// "different time zone but exactly identical event" but which also changes
/// `eventTimeZoneOffset` to -05:00. The offset is part of the pre-hash (CBV 2.0 and the
/// reference implementation keep it), so variant 2 differs in exactly that one field.
#[test]
fn gs1_identical_event_variants_hash_alike() {
    let dir = gs1().join("XML/WithEventHashID");
    let hashes: Vec<(String, String)> = (1..=7)
        .map(|i| {
            let ext = if i == 7 { "json" } else { "xml" };
            let document = document(&dir.join(format!("event_with_identical_hash_id_{i}.{ext}")));
            let ns = namespaces(&document["@context"]);
            let [event] = events(&document)
                .try_into()
                .unwrap_or_else(|_| panic!("variant {i}: one event"));
            (event_hash(&event, &ns), pre_hash(&event, &ns))
        })
        .collect();
    let (base_hash, base_pre_hash) = &hashes[0];
    for (i, (hash, pre)) in hashes.iter().enumerate() {
        if i == 1 {
            let offset_changed =
                base_pre_hash.replace("eventTimeZoneOffset=-06:00", "eventTimeZoneOffset=-05:00");
            assert_eq!(pre, &offset_changed, "variant 2 differs only in its offset");
        } else {
            assert_eq!(
                hash,
                base_hash,
                "variant {}:\n{pre}\nvs\n{base_pre_hash}",
                i + 1
            );
        }
    }
}

/// GS1's JSON examples carry `ni:` eventIDs; none is the hash of its own event (several
/// events even share one), so they are illustrative. This records that finding: if a
/// fixture update makes them real, this test says so.
#[test]
fn gs1_example_event_ids_are_illustrative() {
    let mut checked = 0;
    let mut matching = 0;
    for path in files_under(&gs1().join("JSON"), "jsonld") {
        let document = document(&path);
        let ns = namespaces(&document["@context"]);
        for event in events(&document) {
            let Some(id) = event
                .get("eventID")
                .and_then(Value::as_str)
                .filter(|id| id.starts_with("ni:"))
            else {
                continue;
            };
            checked += 1;
            matching += usize::from(event_hash(&event, &ns) == id);
        }
    }
    assert!(checked > 0, "no ni: eventIDs found");
    assert_eq!(
        matching, 0,
        "{matching} of {checked} GS1 example eventIDs now match their hash"
    );
}

// ---------------------------------------------------------------------------------------
// XML reader
// ---------------------------------------------------------------------------------------

/// Fixture XML files that are not event documents: capture-job status documents, CBV
/// master-data documents and master-data-only EPCISDocuments.
const NOT_EVENT_DOCUMENTS: [&str; 7] = [
    "CaptureJob/Example-CaptureJobRunning.xml",
    "CaptureJob/Example-CaptureJobSuccess.xml",
    "CaptureJob/Example-CaptureJobWithErrorFile.xml",
    "CaptureJob/Example-CaptureJobWithErrors.xml",
    "CBV/CBV-11.4-2020-06-16a.xml",
    "Mimasu/Example-masterData.xml",
    "WithFullCombinationOfFields/masterdata_all_possible_fields.xml",
];

#[test]
fn every_gs1_xml_event_document_reads() {
    let root = gs1().join("XML");
    let mut read_count = 0;
    for path in files_under(&root, "xml") {
        let relative = path
            .strip_prefix(&root)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        if NOT_EVENT_DOCUMENTS.contains(&relative.as_str()) {
            continue;
        }
        let document = document(&path);
        let events = events(&document);
        assert!(!events.is_empty(), "{relative}: no events");
        for (i, event) in events.iter().enumerate() {
            assert!(
                event.get("type").is_some_and(Value::is_string),
                "{relative} event {i}: no type"
            );
            assert!(
                event.get("eventTime").is_some_and(Value::is_string),
                "{relative} event {i}: no eventTime"
            );
        }
        read_count += 1;
    }
    assert!(read_count >= 25, "only {read_count} documents read");
}
