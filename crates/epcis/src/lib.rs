//! GS1 EPCIS 2.0 and CBV 2.0, as the supply-chain event model of zhijian.
//!
//! A capture document arrives as JSON-LD (or XML, read into the same JSON form), is
//! checked against the rules of the standard's JSON schema and the CBV vocabularies,
//! and comes out as a list of [`Event`]s: the original JSON of each event, kept intact
//! (user extensions included), plus the facts the store indexes — the event time, the
//! business step, every identifier it names in its canonical form.
//!
//! ```
//! let text = br#"{"@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
//!   "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-01-01T00:00:00Z",
//!   "epcisBody": {"eventList": [{"type": "ObjectEvent", "action": "OBSERVE",
//!     "eventTime": "2026-01-01T08:00:00+08:00", "eventTimeZoneOffset": "+08:00",
//!     "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"], "bizStep": "shipping"}]}}"#;
//! let document = zhijian_epcis::read_json(text).unwrap();
//! assert_eq!(document.events.len(), 1);
//! assert_eq!(document.events[0].biz_step.as_deref(), Some("https://ref.gs1.org/cbv/BizStep-shipping"));
//! ```

mod event;
pub mod hash;
pub mod identifier;
mod json;
pub mod output;
mod problem;
pub mod query;
mod uri;
pub mod vocab;
pub mod xml;

pub use event::{Action, Event, EventType, Named, Quantity, Role, Typed};
pub use json::{
    CONTEXT, Document, KNOWN_CONTEXTS, MAX_EVENTS, read_document, read_json, read_single_event,
};
pub use problem::{Problem, Rejection};
pub use uri::is_absolute_uri;
