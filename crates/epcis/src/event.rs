//! A captured event: its JSON as given, and the facts the store indexes.

use serde_json::{Map, Value};

/// The five EPCIS 2.0 event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// Something was observed, commissioned, shipped, received, sold, destroyed.
    Object,
    /// Children were packed into (or taken out of) a parent.
    Aggregation,
    /// Objects were tied to (or released from) a business transaction.
    Transaction,
    /// Inputs were consumed to make outputs (raw-material lots into a batch).
    Transformation,
    /// Components were associated with an asset, e.g. a sensor with a pallet.
    Association,
}

impl EventType {
    /// Every type, in the standard's order.
    pub const ALL: [EventType; 5] = [
        EventType::Object,
        EventType::Aggregation,
        EventType::Transaction,
        EventType::Transformation,
        EventType::Association,
    ];

    /// The name used in documents and queries (`ObjectEvent`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Object => "ObjectEvent",
            EventType::Aggregation => "AggregationEvent",
            EventType::Transaction => "TransactionEvent",
            EventType::Transformation => "TransformationEvent",
            EventType::Association => "AssociationEvent",
        }
    }

    /// The type named `name`, if any.
    pub fn parse(name: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// ADD, OBSERVE or DELETE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The objects came into being or joined (commissioning, packing).
    Add,
    /// The objects were seen; nothing was created or removed.
    Observe,
    /// The objects ceased to exist or left (decommissioning, unpacking).
    Delete,
}

impl Action {
    /// The word used in documents.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Add => "ADD",
            Action::Observe => "OBSERVE",
            Action::Delete => "DELETE",
        }
    }

    /// The action written `word`, if any.
    pub fn parse(word: &str) -> Option<Action> {
        [Action::Add, Action::Observe, Action::Delete]
            .into_iter()
            .find(|a| a.as_str() == word)
    }
}

/// The part an identifier plays in an event; the query parameters `MATCH_epc`,
/// `MATCH_parentID`, `MATCH_inputEPC`, `MATCH_outputEPC` and `MATCH_anyEPC` select by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// In `epcList` (or `childEPCs`: the standard matches both with `MATCH_epc`).
    Epc,
    /// The `parentID`.
    Parent,
    /// In `inputEPCList`.
    Input,
    /// In `outputEPCList`.
    Output,
    /// The class of a quantity element (`epcClass`) in `quantityList` or
    /// `childQuantityList`.
    Class,
    /// The class of an element of a transformation's `inputQuantityList`.
    InputClass,
    /// The class of an element of a transformation's `outputQuantityList`.
    OutputClass,
}

impl Role {
    /// A short stable name for storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Epc => "epc",
            Role::Parent => "parent",
            Role::Input => "input",
            Role::Output => "output",
            Role::Class => "class",
            Role::InputClass => "input_class",
            Role::OutputClass => "output_class",
        }
    }

    /// The role stored as `name`.
    pub fn parse(name: &str) -> Option<Role> {
        [
            Role::Epc,
            Role::Parent,
            Role::Input,
            Role::Output,
            Role::Class,
        ]
        .into_iter()
        .find(|r| r.as_str() == name)
    }
}

/// An identifier an event names, with its part in the event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// Its part in the event.
    pub role: Role,
    /// As written in the document.
    pub raw: String,
    /// Its one canonical form (see [`crate::identifier`]).
    pub canonical: String,
}

/// A quantity of a class (a lot, a product) in an event.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    /// Which list it came from: `Epc` for `quantityList`/`childQuantityList`, `Input`,
    /// `Output` for the transformation's lists.
    pub role: Role,
    /// The class's canonical identifier.
    pub class: String,
    /// The amount, when given.
    pub quantity: Option<f64>,
    /// The unit (UN/CEFACT rec. 20), when given; a count of units when absent.
    pub uom: Option<String>,
}

/// A typed pair from a business transaction, source or destination list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typed {
    /// The type as a full URI (`https://ref.gs1.org/cbv/SDT-owning_party`), or empty
    /// for a business transaction without a type.
    pub kind: String,
    /// The value (a transaction reference, a party or location identifier).
    pub value: String,
}

/// One event of a captured document.
#[derive(Debug, Clone)]
pub struct Event {
    /// The event as written, plus an `eventID` when it had none.
    pub json: Map<String, Value>,
    /// Its type.
    pub kind: EventType,
    /// Its ID: as given, or the GS1 event hash.
    pub event_id: String,
    /// When it happened.
    pub event_time: jiff::Timestamp,
    /// The action, for the types that have one.
    pub action: Option<Action>,
    /// The business step as a full URI.
    pub biz_step: Option<String>,
    /// The disposition as a full URI.
    pub disposition: Option<String>,
    /// The read point's canonical identifier.
    pub read_point: Option<String>,
    /// The business location's canonical identifier.
    pub biz_location: Option<String>,
    /// Every identifier the event names.
    pub identifiers: Vec<Named>,
    /// Every quantity element.
    pub quantities: Vec<Quantity>,
    /// Business transactions.
    pub biz_transactions: Vec<Typed>,
    /// Sources.
    pub sources: Vec<Typed>,
    /// Destinations.
    pub destinations: Vec<Typed>,
    /// The event IDs this event declares in error (its `errorDeclaration`), if any.
    pub declares_error: bool,
}

impl Event {
    /// The canonical identifiers in a role.
    pub fn named(&self, role: Role) -> impl Iterator<Item = &str> {
        self.identifiers
            .iter()
            .filter(move |n| n.role == role)
            .map(|n| n.canonical.as_str())
    }
}
