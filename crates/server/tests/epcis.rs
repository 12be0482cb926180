//! The EPCIS 2.0 interface against GS1's own examples, on every engine: capture of every
//! JSON-LD and XML example, each event back from a query with its content, output valid
//! against GS1's JSON schema, faults the schema finds reported at the schema's path,
//! canonical identifiers across EPC URNs, Digital Links and supervision codes, and an
//! enterprise held to its own identifiers.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::{Map, Value, json};
use zhijian_core::access::Role;
use zhijian_store::identity::Membership;
use zhijian_store::testing::fresh_stores;

/// The GS1 EPCIS examples: in `$ZHIJIAN_FIXTURES`, else beside the checkout.
fn gs1() -> PathBuf {
    let root = std::env::var_os("ZHIJIAN_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"));
    let dir = root.join("gs1-epcis");
    assert!(dir.is_dir(), "no GS1 EPCIS fixtures at {}", dir.display());
    dir
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path, ext));
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn post(uri: &str, token: &str, content_type: &str, body: Vec<u8>) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", content_type)
        .body(Body::from(body))
        .unwrap()
}

fn get(uri: &str, token: &str) -> Request<Body> {
    request("GET", uri, Some(token), None)
}

fn enc(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Captures a document and returns its finished job.
async fn capture(app: &axum::Router, token: &str, content_type: &str, body: Vec<u8>) -> Value {
    let res = app
        .clone()
        .oneshot_raw(post("/epcis/capture", token, content_type, body))
        .await;
    assert_eq!(
        res.0,
        StatusCode::ACCEPTED,
        "{}",
        String::from_utf8_lossy(&res.2)
    );
    let location = res.1.expect("a Location header");
    send(app, get(&location, token)).await.json
}

/// A tiny extension of `Router` for the one answer whose headers matter.
trait Raw {
    async fn oneshot_raw(self, req: Request<Body>) -> (StatusCode, Option<String>, Vec<u8>);
}

impl Raw for axum::Router {
    async fn oneshot_raw(self, req: Request<Body>) -> (StatusCode, Option<String>, Vec<u8>) {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let res = self.oneshot(req).await.unwrap();
        let status = res.status();
        let location = res
            .headers()
            .get("location")
            .or_else(|| res.headers().get("link"))
            .map(|v| v.to_str().unwrap().to_owned());
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        (status, location, body)
    }
}

fn event_list(document: &Value) -> &Vec<Value> {
    document["epcisBody"]["eventList"]
        .as_array()
        .or_else(|| document["epcisBody"]["queryResults"]["resultsBody"]["eventList"].as_array())
        .expect("an event list")
}

/// GS1's JSON schema, compiled once per test.
fn schema() -> jsonschema::Validator {
    let text = std::fs::read(gs1().join("EPCIS-JSON-Schema.json")).unwrap();
    let schema: Value = serde_json::from_slice(&text).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the GS1 schema compiles")
}

/// What a captured event should look like when it comes back: its content with CBV terms
/// short, without the server's recordTime.
fn comparable(mut event: Map<String, Value>) -> Map<String, Value> {
    zhijian_epcis::output::short_vocabulary(&mut event);
    event.remove("recordTime");
    event.remove("@context");
    event
}

#[tokio::test]
async fn every_gs1_example_is_captured_and_comes_back_with_its_content() {
    let validator = schema();
    for t in fresh_stores().await {
        let app = app(&t);
        let admin = user(&t.store, "admin", Role::Admin, Membership::None).await;
        let mut first_seen: HashMap<String, Map<String, Value>> = HashMap::new();
        for path in files(&gs1().join("JSON"), "jsonld") {
            let bytes = std::fs::read(&path).unwrap();
            let job = capture(&app, &admin, "application/ld+json", bytes.clone()).await;
            assert_eq!(job["success"], true, "{}: {job}", path.display());
            let document: Value = serde_json::from_slice(&bytes).unwrap();
            let namespaces = zhijian_epcis::hash::namespaces(&document["@context"]);
            for event in event_list(&document) {
                let event = event.as_object().unwrap().clone();
                let id = match event.get("eventID") {
                    Some(Value::String(id)) => id.clone(),
                    _ => zhijian_epcis::hash::event_hash(&event, &namespaces),
                };
                let mut expected = event.clone();
                expected.insert("eventID".into(), Value::String(id.clone()));
                // An event sent again under its ID is the same event, stored once —
                // unless it declares an error, which amends the stored event.
                if event.contains_key("errorDeclaration") {
                    first_seen.insert(id.clone(), expected.clone());
                }
                let expected = first_seen.entry(id.clone()).or_insert(expected).clone();
                let answer = send(
                    &app,
                    get(&format!("/epcis/events?EQ_eventID={}", enc(&id)), &admin),
                )
                .await;
                assert_eq!(answer.status, StatusCode::OK);
                let errors: Vec<String> = validator
                    .iter_errors(&answer.json)
                    .map(|e| format!("{} at {}", e, e.instance_path()))
                    .collect();
                assert!(
                    errors.is_empty(),
                    "{}: the query document breaks the schema: {errors:?}",
                    path.display()
                );
                let found = event_list(&answer.json);
                assert_eq!(found.len(), 1, "{}: {id}", path.display());
                let got = comparable(found[0].as_object().unwrap().clone());
                let mut want = comparable(expected);
                want.remove("@context");
                assert_eq!(
                    Value::Object(got),
                    Value::Object(want),
                    "{}: {id}",
                    path.display()
                );
            }
        }
        // The XML examples that are EPCIS documents are accepted too.
        let skipped = ["CaptureJob", "CBV-11.4", "masterData", "masterdata"];
        let mut xml = 0;
        for path in files(&gs1().join("XML"), "xml") {
            if skipped.iter().any(|s| path.to_string_lossy().contains(s)) {
                continue;
            }
            let job = capture(
                &app,
                &admin,
                "application/xml",
                std::fs::read(&path).unwrap(),
            )
            .await;
            assert_eq!(job["success"], true, "{}: {job}", path.display());
            xml += 1;
        }
        assert!(xml >= 15, "only {xml} XML examples were tried");
    }
}

/// A named change to a document, and the JSON pointer of the fault it makes.
type Mutation = (&'static str, fn(&mut Value), &'static str);

/// Mutations that GS1's schema refuses, with the path our reader must name.
fn mutations() -> Vec<Mutation> {
    vec![
        (
            "no action",
            |d| {
                drop(
                    d["epcisBody"]["eventList"][0]
                        .as_object_mut()
                        .unwrap()
                        .remove("action"),
                )
            },
            "/epcisBody/eventList/0/action",
        ),
        (
            "bad action",
            |d| d["epcisBody"]["eventList"][0]["action"] = json!("WATCH"),
            "/epcisBody/eventList/0/action",
        ),
        (
            "bad offset",
            |d| d["epcisBody"]["eventList"][0]["eventTimeZoneOffset"] = json!("+25:00"),
            "/epcisBody/eventList/0/eventTimeZoneOffset",
        ),
        (
            "bare extension",
            |d| d["epcisBody"]["eventList"][0]["colour"] = json!("red"),
            "/epcisBody/eventList/0/colour",
        ),
        (
            "number as epc",
            |d| d["epcisBody"]["eventList"][0]["epcList"] = json!([42]),
            "/epcisBody/eventList/0/epcList/0",
        ),
        (
            "no eventTime",
            |d| {
                drop(
                    d["epcisBody"]["eventList"][0]
                        .as_object_mut()
                        .unwrap()
                        .remove("eventTime"),
                )
            },
            "/epcisBody/eventList/0/eventTime",
        ),
        (
            "quantity as text",
            |d| d["epcisBody"]["eventList"][0]["quantityList"] = json!([{"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": "ten"}]),
            "/epcisBody/eventList/0/quantityList/0/quantity",
        ),
        (
            "readPoint without id",
            |d| d["epcisBody"]["eventList"][0]["readPoint"] = json!({}),
            "/epcisBody/eventList/0/readPoint/id",
        ),
        (
            "no creationDate",
            |d| drop(d.as_object_mut().unwrap().remove("creationDate")),
            "/creationDate",
        ),
    ]
}

#[tokio::test]
async fn faults_the_schema_finds_are_refused_at_the_schema_path_and_nothing_is_stored() {
    let validator = schema();
    let original: Value = serde_json::from_slice(
        &std::fs::read(gs1().join("JSON/Example_9.6.1-ObjectEvent.jsonld")).unwrap(),
    )
    .unwrap();
    assert!(validator.is_valid(&original), "the example itself is valid");
    for t in fresh_stores().await {
        let app = app(&t);
        let admin = user(&t.store, "admin", Role::Admin, Membership::None).await;
        let before = audit_head(&t.store).await;
        for (name, mutate, expected_path) in mutations() {
            let mut document = original.clone();
            mutate(&mut document);
            let schema_paths: Vec<String> = validator
                .iter_errors(&document)
                .map(|e| e.instance_path().to_string())
                .collect();
            assert!(
                !schema_paths.is_empty(),
                "{name}: the schema should refuse it"
            );
            let job = capture(
                &app,
                &admin,
                "application/ld+json",
                document.to_string().into_bytes(),
            )
            .await;
            assert_eq!(job["success"], false, "{name}: {job}");
            let ours: Vec<&str> = job["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["path"].as_str().unwrap())
                .collect();
            assert!(ours.contains(&expected_path), "{name}: we said {ours:?}");
            // The schema names the same place, or the object that lacks the field.
            let parent = expected_path.rsplit_once('/').map_or("", |(p, _)| p);
            assert!(
                schema_paths
                    .iter()
                    .any(|p| p == expected_path || p == parent),
                "{name}: the schema said {schema_paths:?}, we said {expected_path}"
            );
        }
        let answer = send(&app, get("/epcis/events", &admin)).await;
        assert_eq!(event_list(&answer.json).len(), 0, "nothing was stored");
        assert_eq!(
            audit_head(&t.store).await,
            before,
            "refused documents leave no audit entry"
        );
    }
}

#[tokio::test]
async fn unreadable_documents_answer_400_and_vocabulary_outside_the_cbv_is_refused() {
    let original =
        std::fs::read_to_string(gs1().join("JSON/Example_9.6.1-ObjectEvent.jsonld")).unwrap();
    for t in fresh_stores().await {
        let app = app(&t);
        let admin = user(&t.store, "admin", Role::Admin, Membership::None).await;
        for (body, content_type, code) in [
            (
                "{\"type\": ".to_owned(),
                "application/ld+json",
                "malformed_json",
            ),
            (
                "<epcis:EPCISDocument".to_owned(),
                "application/xml",
                "malformed_xml",
            ),
            (
                format!("{}{}", "[".repeat(5000), "]".repeat(5000)),
                "application/json",
                "malformed_json",
            ),
        ] {
            let res = app
                .clone()
                .oneshot_raw(post(
                    "/epcis/capture",
                    &admin,
                    content_type,
                    body.into_bytes(),
                ))
                .await;
            assert_eq!(res.0, StatusCode::BAD_REQUEST);
            let problem: Value = serde_json::from_slice(&res.2).unwrap();
            assert_eq!(problem["code"], code);
        }
        // A short-form business step the CBV does not have: the schema's pattern would
        // let a bare word through only from its list, and so do we.
        let bad = original.replace("\"bizStep\": \"shipping\"", "\"bizStep\": \"teleporting\"");
        assert_ne!(bad, original);
        let job = capture(&app, &admin, "application/ld+json", bad.into_bytes()).await;
        assert_eq!(job["errors"][0]["code"], "vocabulary", "{job}");
        assert_eq!(job["errors"][0]["event"], 0);
        // A check digit that fails.
        let bad = original.replace(
            "urn:epc:id:sgtin:0614141.107346.2017",
            "https://id.gs1.org/01/10614141073465/21/2017",
        );
        let job = capture(&app, &admin, "application/ld+json", bad.into_bytes()).await;
        assert_eq!(job["errors"][0]["code"], "identifier", "{job}");
        // A context from elsewhere is never fetched.
        let bad = original.replace(
            "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
            "https://evil.example/ctx.jsonld",
        );
        let job = capture(&app, &admin, "application/ld+json", bad.into_bytes()).await;
        assert_eq!(job["errors"][0]["code"], "context_unknown", "{job}");
    }
}

#[tokio::test]
async fn a_unit_is_found_in_whichever_form_it_is_asked_for_and_pages_link_on() {
    let doc = |events: Vec<Value>| {
        json!({"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument",
               "schemaVersion": "2.0", "creationDate": "2026-01-01T00:00:00Z", "epcisBody": {"eventList": events}})
    };
    let event = |serial: u32, step: &str| {
        json!({"type": "ObjectEvent", "action": "OBSERVE", "eventTime": format!("2026-03-0{}T08:00:00+08:00", serial % 9 + 1),
               "eventTimeZoneOffset": "+08:00", "epcList": [format!("urn:epc:id:sgtin:0614141.107346.{serial}")], "bizStep": step})
    };
    for t in fresh_stores().await {
        let app = app(&t);
        let admin = user(&t.store, "admin", Role::Admin, Membership::None).await;
        let events: Vec<Value> = (1..=5)
            .map(|s| event(s, if s % 2 == 0 { "receiving" } else { "shipping" }))
            .collect();
        let job = capture(
            &app,
            &admin,
            "application/json",
            doc(events.clone()).to_string().into_bytes(),
        )
        .await;
        assert_eq!(
            (job["success"].clone(), job["storedCount"].clone()),
            (json!(true), json!(5))
        );
        // Sending it again stores nothing new.
        let job = capture(
            &app,
            &admin,
            "application/json",
            doc(events).to_string().into_bytes(),
        )
        .await;
        assert_eq!(job["storedCount"], 0);

        for form in [
            "urn:epc:id:sgtin:0614141.107346.3",
            "https://id.gs1.org/01/10614141073464/21/3",
            "https://example.com/some/path/01/10614141073464/21/3?linkType=all",
        ] {
            let answer = send(
                &app,
                get(&format!("/epcis/events?MATCH_epc={}", enc(form)), &admin),
            )
            .await;
            assert_eq!(event_list(&answer.json).len(), 1, "{form}");
        }
        let class = send(
            &app,
            get(
                &format!(
                    "/epcis/events?MATCH_epc={}",
                    enc("urn:epc:idpat:sgtin:0614141.107346.*")
                ),
                &admin,
            ),
        )
        .await;
        assert_eq!(event_list(&class.json).len(), 5);
        let steps = send(&app, get("/epcis/events?EQ_bizStep=receiving", &admin)).await;
        assert_eq!(event_list(&steps.json).len(), 2);
        let bad = send(&app, get("/epcis/events?EQ_bizStep=teleporting", &admin)).await;
        assert_eq!(
            (bad.status, bad.json["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("EQ_bizStep"))
        );

        // Pages: two per page, linked on until the end.
        let mut seen = Vec::new();
        let mut next = Some("/epcis/events?perPage=2".to_owned());
        while let Some(uri) = next {
            let (status, link, body) = app.clone().oneshot_raw(get(&uri, &admin)).await;
            assert_eq!(status, StatusCode::OK);
            let page: Value = serde_json::from_slice(&body).unwrap();
            seen.extend(
                event_list(&page)
                    .iter()
                    .map(|e| e["eventID"].as_str().unwrap().to_owned()),
            );
            next = link.map(|l| {
                l.trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap()
                    .to_owned()
            });
        }
        assert_eq!(seen.len(), 5);
        assert_eq!(
            seen.iter().collect::<std::collections::BTreeSet<_>>().len(),
            5
        );

        // One event by its ID.
        let id = &seen[0];
        let one = send(&app, get(&format!("/epcis/events/{}", enc(id)), &admin)).await;
        assert_eq!(
            (one.status, one.json["eventID"].as_str()),
            (StatusCode::OK, Some(id.as_str()))
        );
        let none = send(
            &app,
            get(
                "/epcis/events/urn:uuid:00000000-0000-0000-0000-000000000000",
                &admin,
            ),
        )
        .await;
        assert_eq!(none.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn an_enterprise_captures_only_about_its_own_identifiers_and_others_see_by_region() {
    for t in fresh_stores().await {
        let app = app(&t);
        let admin = user(&t.store, "admin", Role::Admin, Membership::None).await;
        let maker = uscc("130102", 1);
        let created = send(
            &app,
            request(
                "POST",
                "/api/v1/enterprises",
                Some(&admin),
                Some(
                    json!({"uscc": maker.as_str(), "name": "冀中乳业有限公司", "region": "130102"}),
                ),
            ),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.json);
        let org = t
            .store
            .organisation_by_uscc(maker.as_str())
            .await
            .unwrap()
            .unwrap()
            .id;
        t.store
            .add_gs1_prefix("admin", org, "6901234")
            .await
            .unwrap();
        let ent = user(
            &t.store,
            "maker",
            Role::Enterprise,
            Membership::Organisation(maker.as_str().to_owned()),
        )
        .await;
        let hebei = user(&t.store, "officer-hb", Role::Officer, bureau("130000")).await;
        let far = user(&t.store, "officer-far", Role::Officer, bureau("110000")).await;

        let document = |epc: &str, place: &str| {
            json!({"@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", "type": "EPCISDocument",
                   "schemaVersion": "2.0", "creationDate": "2026-01-01T00:00:00Z", "epcisBody": {"eventList": [
                {"type": "ObjectEvent", "action": "OBSERVE", "eventTime": "2026-03-01T08:00:00+08:00", "eventTimeZoneOffset": "+08:00",
                 "epcList": [epc], "bizStep": "shipping", "bizLocation": {"id": place}}]}})
            .to_string()
            .into_bytes()
        };
        // Its own GTIN at its own place; a foreign GTIN at its own place (receiving
        // goods); a foreign GTIN at a foreign place: refused.
        let own = capture(
            &app,
            &ent,
            "application/json",
            document(
                "urn:epc:id:sgtin:6901234.012345.1",
                "urn:epc:id:sgln:6901234.00001.0",
            ),
        )
        .await;
        assert_eq!(own["success"], true, "{own}");
        let received = capture(
            &app,
            &ent,
            "application/json",
            document(
                "urn:epc:id:sgtin:0614141.107346.1",
                "urn:epc:id:sgln:6901234.00001.0",
            ),
        )
        .await;
        assert_eq!(received["success"], true, "{received}");
        let foreign = capture(
            &app,
            &ent,
            "application/json",
            document(
                "urn:epc:id:sgtin:0614141.107346.2",
                "urn:epc:id:sgln:0614141.00001.0",
            ),
        )
        .await;
        assert_eq!(
            (
                foreign["success"].clone(),
                foreign["errors"][0]["code"].clone()
            ),
            (json!(false), json!("not_owned"))
        );

        let count = async |token: &str| {
            event_list(&send(&app, get("/epcis/events", token)).await.json).len()
        };
        assert_eq!(count(&ent).await, 2, "the enterprise sees what it captured");
        assert_eq!(
            count(&hebei).await,
            2,
            "Hebei's bureau sees events captured in Hebei"
        );
        assert_eq!(count(&far).await, 0, "Beijing's does not");
        let viewer_job = send(
            &app,
            get(
                &format!("/epcis/capture/{}", own["captureID"].as_str().unwrap()),
                &far,
            ),
        )
        .await;
        assert_eq!(
            viewer_job.status,
            StatusCode::NOT_FOUND,
            "a job is its sender's"
        );
        let refused = app
            .clone()
            .oneshot_raw(post(
                "/epcis/capture",
                &hebei,
                "application/json",
                document(
                    "urn:epc:id:sgtin:6901234.012345.1",
                    "urn:epc:id:sgln:6901234.00001.0",
                ),
            ))
            .await;
        assert_eq!(refused.0, StatusCode::FORBIDDEN, "officers do not capture");
    }
}
