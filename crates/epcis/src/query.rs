//! The query parameters of `GET /epcis/events` (EPCIS 2.0 REST binding, §8.2.7 of the
//! standard), parsed into one [`Query`]; a bad parameter is a [`QueryError`] naming it
//! (the standard's `QueryParameterException`).

use crate::event::{EventType, Role};
use crate::identifier::Identifier;
use crate::vocab::Vocabulary;

/// Results per page when the client does not say; and the most it may ask for.
pub const DEFAULT_PER_PAGE: usize = 30;
/// The largest `perPage`.
pub const MAX_PER_PAGE: usize = 1_000;

/// A value of a `MATCH_*` parameter: an identifier, or a class that matches every
/// instance of it (`urn:epc:idpat:sgtin:0614141.107346.*`, or a GTIN's Digital Link
/// without a serial).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// The canonical identifier (or the class's canonical prefix).
    pub canonical: String,
    /// Whether instances under the class match too.
    pub class: bool,
}

/// Which list of typed pairs an `EQ_*_{type}` parameter selects by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// `EQ_bizTransaction_{type}`.
    BizTransaction,
    /// `EQ_source_{type}`.
    Source,
    /// `EQ_destination_{type}`.
    Destination,
}

impl LinkKind {
    /// The name the store keeps the list under.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::BizTransaction => "biz_transaction",
            LinkKind::Source => "source",
            LinkKind::Destination => "destination",
        }
    }
}

/// A parsed query. Empty lists and `None`s select everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// `eventType`.
    pub event_types: Vec<EventType>,
    /// `GE_eventTime` (inclusive).
    pub ge_event_time: Option<jiff::Timestamp>,
    /// `LT_eventTime` (exclusive).
    pub lt_event_time: Option<jiff::Timestamp>,
    /// `GE_recordTime`.
    pub ge_record_time: Option<jiff::Timestamp>,
    /// `LT_recordTime`.
    pub lt_record_time: Option<jiff::Timestamp>,
    /// `EQ_action`.
    pub actions: Vec<String>,
    /// `EQ_bizStep`, as full URIs.
    pub biz_steps: Vec<String>,
    /// `EQ_disposition`, as full URIs.
    pub dispositions: Vec<String>,
    /// `EQ_readPoint`, canonical.
    pub read_points: Vec<String>,
    /// `EQ_bizLocation`, canonical.
    pub biz_locations: Vec<String>,
    /// `EQ_eventID`.
    pub event_ids: Vec<String>,
    /// `MATCH_*`: each parameter's roles and values; an event must satisfy every one.
    pub matches: Vec<(Vec<Role>, Vec<Match>)>,
    /// `EQ_bizTransaction_*`, `EQ_source_*`, `EQ_destination_*`: kind, type URI (empty
    /// for an untyped business transaction), values.
    pub links: Vec<(LinkKind, String, Vec<String>)>,
    /// `EXISTS_errorDeclaration`.
    pub error_declared: bool,
    /// Newest capture first (`orderDirection=DESC`, the standard's default when
    /// `orderBy` is given); capture order otherwise.
    pub descending: bool,
    /// `perPage`.
    pub per_page: usize,
    /// `nextPageToken`, as given.
    pub next_page_token: Option<String>,
}

/// A parameter the server cannot answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{parameter}: {message}")]
pub struct QueryError {
    /// The parameter's name.
    pub parameter: String,
    /// What is wrong with it.
    pub message: String,
}

fn error(parameter: &str, message: impl Into<String>) -> QueryError {
    QueryError {
        parameter: parameter.to_owned(),
        message: message.into(),
    }
}

/// Parses query pairs (already percent-decoded). Multiple values of one parameter are
/// separated by `|` (the binding's `pipeDelimited` style) or given as repeated pairs.
/// Supervision codes (20 digits) are accepted where identifiers are, as
/// `urn:zhijian:code:{code}` — the store resolves them to their canonical form.
pub fn parse_query(pairs: &[(String, String)]) -> Result<Query, QueryError> {
    let mut query = Query {
        per_page: DEFAULT_PER_PAGE,
        ..Query::default()
    };
    let mut order_by = false;
    for (name, value) in pairs {
        let values = || value.split('|').map(str::trim).filter(|v| !v.is_empty());
        match name.as_str() {
            "eventType" => {
                for v in values() {
                    query.event_types.push(
                        EventType::parse(v)
                            .ok_or_else(|| error(name, format!("'{v}' is not an event type")))?,
                    );
                }
            }
            "GE_eventTime" => query.ge_event_time = Some(time(name, value)?),
            "LT_eventTime" => query.lt_event_time = Some(time(name, value)?),
            "GE_recordTime" => query.ge_record_time = Some(time(name, value)?),
            "LT_recordTime" => query.lt_record_time = Some(time(name, value)?),
            "EQ_action" => {
                for v in values() {
                    if !matches!(v, "ADD" | "OBSERVE" | "DELETE") {
                        return Err(error(name, format!("'{v}' is not ADD, OBSERVE or DELETE")));
                    }
                    query.actions.push(v.to_owned());
                }
            }
            "EQ_bizStep" => query
                .biz_steps
                .extend(terms(name, values(), Vocabulary::BizStep)?),
            "EQ_disposition" => {
                query
                    .dispositions
                    .extend(terms(name, values(), Vocabulary::Disposition)?)
            }
            "EQ_readPoint" => query.read_points.extend(identifiers(name, values())?),
            "EQ_bizLocation" => query.biz_locations.extend(identifiers(name, values())?),
            "EQ_eventID" => query.event_ids.extend(values().map(str::to_owned)),
            "MATCH_epc"
            | "MATCH_parentID"
            | "MATCH_inputEPC"
            | "MATCH_outputEPC"
            | "MATCH_anyEPC"
            | "MATCH_epcClass"
            | "MATCH_inputEPCClass"
            | "MATCH_outputEPCClass"
            | "MATCH_anyEPCClass" => {
                let roles = match name.as_str() {
                    "MATCH_epc" => vec![Role::Epc],
                    "MATCH_parentID" => vec![Role::Parent],
                    "MATCH_inputEPC" => vec![Role::Input],
                    "MATCH_outputEPC" => vec![Role::Output],
                    "MATCH_anyEPC" => vec![Role::Epc, Role::Parent, Role::Input, Role::Output],
                    "MATCH_epcClass" => vec![Role::Class],
                    "MATCH_inputEPCClass" => vec![Role::InputClass],
                    "MATCH_outputEPCClass" => vec![Role::OutputClass],
                    _ => vec![Role::Class, Role::InputClass, Role::OutputClass],
                };
                let matches = values()
                    .map(|v| match_value(name, v))
                    .collect::<Result<Vec<_>, _>>()?;
                if matches.is_empty() {
                    return Err(error(name, "needs at least one value"));
                }
                query.matches.push((roles, matches));
            }
            "EXISTS_errorDeclaration" => query.error_declared = true,
            "orderBy" => {
                if !matches!(value.as_str(), "recordTime" | "eventTime") {
                    return Err(error(
                        name,
                        "only recordTime and eventTime orders are offered",
                    ));
                }
                order_by = true;
            }
            "orderDirection" => match value.as_str() {
                "ASC" => query.descending = false,
                "DESC" => query.descending = true,
                _ => return Err(error(name, "must be ASC or DESC")),
            },
            "perPage" => {
                query.per_page = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_PER_PAGE).contains(n))
                    .ok_or_else(|| {
                        error(
                            name,
                            format!("must be a whole number from 1 to {MAX_PER_PAGE}"),
                        )
                    })?;
            }
            "nextPageToken" => query.next_page_token = Some(value.clone()),
            other => {
                if let Some(kind_type) = link(other) {
                    let (kind, vocabulary, type_name) = kind_type;
                    let type_uri = if type_name.is_empty() {
                        String::new()
                    } else {
                        vocabulary
                            .normalise(type_name)
                            .map_err(|e| error(name, e.to_string()))?
                            .uri(vocabulary)
                    };
                    let values: Vec<String> = match kind {
                        LinkKind::BizTransaction => values().map(str::to_owned).collect(),
                        _ => identifiers(name, values())?,
                    };
                    query.links.push((kind, type_uri, values));
                } else {
                    return Err(error(other, "this query parameter is not supported"));
                }
            }
        }
    }
    // Without orderBy, results come in capture order; with it (and no direction) the
    // standard's default is descending.
    if order_by && !pairs.iter().any(|(n, _)| n == "orderDirection") {
        query.descending = true;
    }
    Ok(query)
}

/// `EQ_bizTransaction_{type}`, `EQ_source_{type}`, `EQ_destination_{type}` → the kind,
/// the vocabulary of its type, and the type as written.
fn link(name: &str) -> Option<(LinkKind, Vocabulary, &str)> {
    if let Some(t) = name.strip_prefix("EQ_bizTransaction_") {
        return Some((LinkKind::BizTransaction, Vocabulary::BizTransactionType, t));
    }
    if let Some(t) = name.strip_prefix("EQ_source_") {
        return Some((LinkKind::Source, Vocabulary::SourceDestType, t));
    }
    if let Some(t) = name.strip_prefix("EQ_destination_") {
        return Some((LinkKind::Destination, Vocabulary::SourceDestType, t));
    }
    None
}

fn time(name: &str, value: &str) -> Result<jiff::Timestamp, QueryError> {
    value.trim().parse().map_err(|_| {
        error(
            name,
            format!("'{value}' is not an RFC 3339 time with a zone"),
        )
    })
}

fn terms<'a>(
    name: &str,
    values: impl Iterator<Item = &'a str>,
    vocabulary: Vocabulary,
) -> Result<Vec<String>, QueryError> {
    values
        .map(|v| {
            vocabulary
                .normalise(v)
                .map(|t| t.uri(vocabulary))
                .map_err(|e| error(name, e.to_string()))
        })
        .collect()
}

/// The canonical form of an identifier given in a query: a URI, or a bare supervision
/// code.
pub fn canonical(value: &str) -> Result<String, String> {
    if value.len() == 20 && value.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(format!("urn:zhijian:code:{value}"));
    }
    Identifier::parse(value)
        .map(|id| id.canonical())
        .map_err(|e| format!("'{value}': {e}"))
}

fn identifiers<'a>(
    name: &str,
    values: impl Iterator<Item = &'a str>,
) -> Result<Vec<String>, QueryError> {
    values
        .map(|v| canonical(v).map_err(|m| error(name, m)))
        .collect()
}

fn match_value(name: &str, value: &str) -> Result<Match, QueryError> {
    // An EPC pattern for every serial of a GTIN: `urn:epc:idpat:sgtin:CP.ItemRef.*`.
    if let Some(class) = value
        .strip_prefix("urn:epc:idpat:sgtin:")
        .and_then(|rest| rest.strip_suffix(".*"))
    {
        let class_uri = format!("urn:epc:idpat:sgtin:{class}.*");
        let canonical = Identifier::parse(&class_uri)
            .map_err(|e| error(name, format!("'{value}': {e}")))?
            .canonical();
        return Ok(Match {
            canonical,
            class: true,
        });
    }
    let canonical = canonical(value).map_err(|m| error(name, m))?;
    let class = is_gtin_class(&canonical);
    Ok(Match { canonical, class })
}

/// Whether a canonical identifier names a GTIN with neither serial nor lot.
fn is_gtin_class(canonical: &str) -> bool {
    canonical
        .strip_prefix("https://id.gs1.org/01/")
        .is_some_and(|rest| rest.len() == 14 && rest.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn standard_parameters_are_read() {
        let query = parse_query(&pairs(&[
            ("eventType", "ObjectEvent|AggregationEvent"),
            ("GE_eventTime", "2026-01-01T00:00:00+08:00"),
            ("EQ_bizStep", "shipping|urn:epcglobal:cbv:bizstep:receiving"),
            ("MATCH_epc", "urn:epc:id:sgtin:0614141.107346.2017"),
            (
                "EQ_source_possessing_party",
                "urn:epc:id:pgln:0614141.00000",
            ),
            ("perPage", "10"),
        ]))
        .unwrap();
        assert_eq!(
            query.event_types,
            [EventType::Object, EventType::Aggregation]
        );
        assert_eq!(
            query.ge_event_time.unwrap().to_string(),
            "2025-12-31T16:00:00Z"
        );
        assert_eq!(
            query.biz_steps,
            [
                "https://ref.gs1.org/cbv/BizStep-shipping",
                "https://ref.gs1.org/cbv/BizStep-receiving"
            ]
        );
        assert_eq!(query.matches[0].0, [Role::Epc]);
        assert_eq!(query.links[0].0, LinkKind::Source);
        assert_eq!(
            query.links[0].1,
            "https://ref.gs1.org/cbv/SDT-possessing_party"
        );
        assert_eq!(query.per_page, 10);
    }

    #[test]
    fn bad_parameters_are_named() {
        for (name, value) in [
            ("eventType", "TeleportEvent"),
            ("GE_eventTime", "2026-01-01T00:00:00"),
            ("EQ_bizStep", "teleporting"),
            ("perPage", "0"),
            ("EQ_colour", "red"),
            ("orderDirection", "UP"),
            ("MATCH_epc", "not an identifier"),
        ] {
            let refused = parse_query(&pairs(&[(name, value)])).unwrap_err();
            assert_eq!(refused.parameter, name, "{value}");
        }
    }

    #[test]
    fn codes_and_classes_match() {
        let query = parse_query(&pairs(&[("MATCH_anyEPC", "12345678901234567890")])).unwrap();
        assert_eq!(
            query.matches[0].1[0],
            Match {
                canonical: "urn:zhijian:code:12345678901234567890".into(),
                class: false
            }
        );
        let query = parse_query(&pairs(&[(
            "MATCH_epc",
            "https://id.gs1.org/01/09521234543213",
        )]))
        .unwrap();
        assert!(query.matches[0].1[0].class);
    }
}
