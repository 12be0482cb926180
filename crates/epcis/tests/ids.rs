//! Identifiers, event hashes and the XML reader, checked against reference vectors and
//! the GS1 EPCIS example documents.
//!
//! The GS1 examples are not copied into the project: they are read from the folder named
//! by `ZHIJIAN_FIXTURES` (e.g. `/work/shared/fixtures`), or beside the checkout.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use zhijian_epcis::hash::{event_hash, namespaces, pre_hash};
use zhijian_epcis::identifier::Identifier;
use zhijian_epcis::xml::{XmlError, read_xml};

// ---------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------

/// The GS1 EPCIS examples: in `$ZHIJIAN_FIXTURES`, else in the `shared/fixtures` folder
/// beside the checkout (where `.ci/run` looks too).
fn gs1() -> PathBuf {
    let root = std::env::var_os("ZHIJIAN_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"));
    let dir = root.join("gs1-epcis");
    assert!(
        dir.is_dir(),
        "no GS1 EPCIS fixtures at {}: set ZHIJIAN_FIXTURES to the shared fixtures folder",
        dir.display()
    );
    dir
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

/// A value with the differences that are spelling, not content, removed: timestamps as
/// UTC instants, CBV URNs and `gs1:` CURIEs as bare names, numbers as f64.
fn spelling_free(value: &Value) -> Value {
    match value {
        Value::String(s) => {
            if let Ok(t) = s.parse::<jiff::Timestamp>() {
                return Value::String(t.to_string());
            }
            let bare = s
                .strip_prefix("urn:epcglobal:cbv:")
                .and_then(|rest| rest.split_once(':'))
                .map(|(_, name)| name);
            Value::String(
                bare.or_else(|| s.strip_prefix("gs1:"))
                    .unwrap_or(s)
                    .to_owned(),
            )
        }
        Value::Number(n) => json!(n.as_f64()),
        Value::Array(items) => Value::Array(items.iter().map(spelling_free).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), spelling_free(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// GS1's "all possible fields" ObjectEvent in XML and in JSON-LD. The two fixtures do not
/// hold the same event: the JSON adds eventID, certificationInfo, errorDeclaration, ILMD
/// and other user extensions, says action ADD where the XML says OBSERVE, and writes
/// times in UTC and vocabulary as short names. So the standard fields both carry are
/// compared, modulo spelling (see `spelling_free`: timestamps by instant, CBV URN vs. short
/// name, `gs1:` CURIE vs. bare term, `26.0` vs `26`), and the known differences are
/// checked to be just those.
#[test]
fn full_combination_object_event_matches_its_json_form() {
    let dir = gs1();
    let from_xml =
        document(&dir.join("XML/WithFullCombinationOfFields/object_event_all_possible_fields.xml"));
    let from_json = document(
        &dir.join("JSON/WithFullCombinationOfFields/object_event_all_possible_fields.jsonld"),
    );
    for key in ["type", "schemaVersion", "creationDate"] {
        assert_eq!(from_xml[key], from_json[key], "document {key}");
    }
    let [xml_event] = events(&from_xml)
        .try_into()
        .unwrap_or_else(|_| panic!("one XML event"));
    let [json_event] = events(&from_json)
        .try_into()
        .unwrap_or_else(|_| panic!("one JSON event"));
    let standard = [
        "type",
        "eventTime",
        "eventTimeZoneOffset",
        "epcList",
        "bizStep",
        "disposition",
        "readPoint",
        "bizLocation",
        "bizTransactionList",
        "quantityList",
        "sourceList",
        "destinationList",
        "persistentDisposition",
    ];
    for key in standard {
        assert_eq!(
            spelling_free(&xml_event[key]),
            spelling_free(&json_event[key]),
            "{key}"
        );
    }
    let sensor = |event: &Map<String, Value>, part: &str| {
        spelling_free(&event["sensorElementList"][0][part])
    };
    assert_eq!(
        sensor(&xml_event, "sensorMetadata"),
        sensor(&json_event, "sensorMetadata")
    );
    assert_eq!(
        sensor(&xml_event, "sensorReport"),
        sensor(&json_event, "sensorReport")
    );
    // Extensions the XML does carry come out as the JSON form writes them.
    assert_eq!(
        xml_event["sensorElementList"][0]["ext1:default"],
        "stringAsDefaultValue"
    );
    assert_eq!(
        xml_event["sensorElementList"][0]["ext1:object"]["ext2:object"]["ext3:string"],
        "stringInObjectInObject"
    );
    assert_eq!(
        xml_event["sensorElementList"][0]["ext1:object"]["ext2:array"],
        11
    );
    assert_eq!(xml_event["sensorElementList"][0]["ext1:boolean"], "true");
    // The known content differences of the fixtures themselves.
    assert_eq!(
        (xml_event["action"].as_str(), json_event["action"].as_str()),
        (Some("OBSERVE"), Some("ADD"))
    );
    for only_in_json in [
        "eventID",
        "certificationInfo",
        "errorDeclaration",
        "ilmd",
        "ext1:int",
    ] {
        assert!(
            xml_event.get(only_in_json).is_none() && json_event.get(only_in_json).is_some(),
            "{only_in_json}"
        );
    }
    let context = namespaces(&from_xml["@context"]);
    assert_eq!(
        context,
        namespaces(&from_json["@context"]),
        "the extension namespaces in @context"
    );
}

#[test]
fn the_json_form_of_xml_fields() {
    let xml = br#"<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:my="urn:my"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" schemaVersion="2.0" creationDate="2020-01-01T00:00:00Z">
      <EPCISBody><EventList><AggregationEvent>
        <eventTime>2020-01-01T00:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
        <!-- comments are ignored -->
        <parentID>urn:epc:id:sscc:0614141.1234567890</parentID>
        <childEPCs><epc>urn:epc:id:sgtin:0614141.107346.1</epc><epc>urn:epc:id:sgtin:0614141.107346.2</epc></childEPCs>
        <action>ADD</action>
        <errorDeclaration><declarationTime>2020-01-02T00:00:00Z</declarationTime><reason>urn:epcglobal:cbv:er:did_not_occur</reason>
          <correctiveEventIDs><correctiveEventID>urn:uuid:1</correctiveEventID><correctiveEventID>urn:uuid:2</correctiveEventID></correctiveEventIDs>
        </errorDeclaration>
        <my:note>a &amp; b &#x4E2D;</my:note>
        <my:n xsi:type="xsd:double">1.5</my:n>
        <my:n xsi:type="xsd:double">2</my:n>
      </AggregationEvent></EventList></EPCISBody></epcis:EPCISDocument>"#;
    let document = read_xml(xml).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        document["@context"],
        json!(["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"my": "urn:my"}])
    );
    let event = &document["epcisBody"]["eventList"][0];
    assert_eq!(
        event["childEPCs"],
        json!([
            "urn:epc:id:sgtin:0614141.107346.1",
            "urn:epc:id:sgtin:0614141.107346.2"
        ])
    );
    assert_eq!(
        event["errorDeclaration"]["correctiveEventIDs"],
        json!(["urn:uuid:1", "urn:uuid:2"])
    );
    assert_eq!(event["my:note"], "a & b 中");
    assert_eq!(event["my:n"], json!([1.5, 2]));
}

#[test]
fn epcis_1_x_extension_wrappers_are_flattened() {
    let xml = br#"<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" schemaVersion="1.2" creationDate="2020-01-01T00:00:00Z">
      <EPCISBody><EventList>
        <ObjectEvent><eventTime>2020-01-01T00:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
          <baseExtension><eventID>urn:uuid:1</eventID></baseExtension>
          <epcList/><action>ADD</action>
          <extension><quantityList><quantityElement><epcClass>urn:epc:class:lgtin:4012345.012345.998877</epcClass>
            <quantity>200.5</quantity><uom>KGM</uom></quantityElement></quantityList></extension>
        </ObjectEvent>
        <extension><TransformationEvent><eventTime>2020-01-01T00:00:00Z</eventTime></TransformationEvent></extension>
      </EventList></EPCISBody></epcis:EPCISDocument>"#;
    let document = read_xml(xml).unwrap_or_else(|e| panic!("{e}"));
    let events = events(&document);
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["eventID"], "urn:uuid:1");
    assert_eq!(events[0]["epcList"], json!([]));
    assert_eq!(events[0]["quantityList"][0]["quantity"], 200.5);
    assert_eq!(events[1]["type"], "TransformationEvent");
}

fn error_code(xml: &[u8]) -> &'static str {
    match read_xml(xml) {
        Ok(document) => panic!("read: {document}"),
        Err(e) => e.code(),
    }
}

const HEAD: &str =
    r#"<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"><EPCISBody><EventList>"#;
const TAIL: &str = "</EventList></EPCISBody></epcis:EPCISDocument>";

#[test]
fn xml_errors_are_typed_and_located() {
    assert_eq!(
        error_code(b"<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\"><EPCISBody>"),
        "malformed_xml"
    );
    assert_eq!(error_code(b"<a><b></a></b>"), "malformed_xml");
    assert_eq!(error_code(b""), "malformed_xml");
    assert_eq!(
        error_code(b"<epcis:EPCISQueryDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\"/>"),
        "not_epcis_document"
    );
    assert_eq!(
        error_code(format!("{HEAD}<FooEvent/>{TAIL}").as_bytes()),
        "unknown_event"
    );
    let laughs = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>{HEAD}<ObjectEvent><x>&lol2;</x></ObjectEvent>{TAIL}"
    );
    assert_eq!(error_code(laughs.as_bytes()), "entity_declaration");
    assert_eq!(
        error_code(
            format!("{HEAD}<ObjectEvent><action>&foo;</action></ObjectEvent>{TAIL}").as_bytes()
        ),
        "unknown_entity"
    );
    let deep = format!(
        "{HEAD}<ObjectEvent>{}{}</ObjectEvent>{TAIL}",
        "<a>".repeat(70),
        "</a>".repeat(70)
    );
    assert_eq!(error_code(deep.as_bytes()), "too_deep");
    match read_xml(format!("{HEAD}<Bad/>{TAIL}").as_bytes()) {
        Err(XmlError::UnknownEvent { path }) => {
            assert_eq!(path, "EPCISDocument/EPCISBody/EventList/Bad")
        }
        other => panic!("{other:?}"),
    }
    match read_xml(b"<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\"><a></b>") {
        Err(XmlError::Malformed { offset, .. }) => assert!(offset > 0),
        other => panic!("{other:?}"),
    }
}

#[test]
fn too_many_events_stop_the_reading_early() {
    // The limit is checked as events start, so a document is refused at event 100 001
    // even though it is broken further on (it never closes).
    let events = "<ObjectEvent/>".repeat(zhijian_epcis::xml::MAX_EVENTS + 1);
    let truncated = format!("{HEAD}{events}<ObjectEvent><unclosed>");
    match read_xml(truncated.as_bytes()) {
        Err(XmlError::TooManyEvents { offset }) => {
            assert!(offset as usize > HEAD.len() + 14 * 100_000 - 1)
        }
        other => panic!("{other:?}"),
    }
    let exactly = format!(
        "{HEAD}{}{TAIL}",
        "<ObjectEvent/>".repeat(zhijian_epcis::xml::MAX_EVENTS)
    );
    assert!(read_xml(exactly.as_bytes()).is_ok());
}

/// A byte-level mutation of a document.
#[derive(Debug, Clone)]
enum Mutation {
    Truncate(prop::sample::Index),
    Flip(prop::sample::Index, u8),
    Splice(prop::sample::Index, prop::sample::Index, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        (any::<prop::sample::Index>(), 1u8..=255).prop_map(|(at, bit)| Mutation::Flip(at, bit)),
        (
            any::<prop::sample::Index>(),
            any::<prop::sample::Index>(),
            prop::collection::vec(any::<u8>(), 0..16)
        )
            .prop_map(|(a, b, bytes)| Mutation::Splice(a, b, bytes)),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for mutation in mutations {
        if bytes.is_empty() {
            break;
        }
        match mutation {
            Mutation::Truncate(at) => bytes.truncate(at.index(bytes.len())),
            Mutation::Flip(at, bits) => {
                let i = at.index(bytes.len());
                bytes[i] ^= bits;
            }
            Mutation::Splice(a, b, insert) => {
                let (x, y) = (a.index(bytes.len()), b.index(bytes.len()));
                let (from, to) = (x.min(y), x.max(y));
                bytes.splice(from..to, insert.iter().copied());
            }
        }
    }
    bytes
}

fn fuzz_corpus() -> Vec<Vec<u8>> {
    let root = gs1().join("XML");
    [
        "WithEventHashID/event_with_identical_hash_id_1.xml",
        "WithFullCombinationOfFields/object_event_all_possible_fields.xml",
        "WithSensorData/SensorDataExamples.xml",
        "WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.xml",
        "Example_9.6.1-ObjectEvent-2020_06_18a.xml",
    ]
    .iter()
    .map(|name| read(&root.join(name)))
    .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic_the_xml_reader(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_xml(&bytes);
    }

    #[test]
    fn mutated_fixtures_never_panic_the_xml_reader(which in any::<prop::sample::Index>(),
                                                  mutations in prop::collection::vec(mutation(), 1..4)) {
        let corpus = fuzz_corpus();
        let mutated = mutate(corpus[which.index(corpus.len())].clone(), &mutations);
        if let Ok(document) = read_xml(&mutated) {
            // Whatever is read must hash without panicking too.
            let ns = namespaces(&document["@context"]);
            for event in events(&document) {
                let _ = event_hash(&event, &ns);
            }
        }
    }
}
