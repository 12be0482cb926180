//! `/console/events`: the EPCIS events (流向事件) the user may see — the same events
//! as `GET /epcis/events` — filtered by type, business step, disposition, time, an
//! identifier in any form (a bare supervision code too) and business location, newest
//! first; and one event's page with its fields and its JSON.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value};
use zhijian_epcis::Role as IdRole;
use zhijian_epcis::output::{self, OutEvent};
use zhijian_epcis::query::{Query as EventQuery, parse_query};
use zhijian_store::epcis::StoredEvent;

use super::paging::PER_PAGE;
use super::{ConsoleUser, Layout, pct_encode, respond, shanghai};
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

const PAGE: &str = "/console/events";

/// The event types offered in the filter.
const TYPES: [&str; 5] = [
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
];

/// The lists of an event body that hold identifiers, and the single `parentID`.
const ID_LISTS: [&str; 8] = [
    "epcList",
    "childEPCs",
    "inputEPCList",
    "outputEPCList",
    "quantityList",
    "childQuantityList",
    "inputQuantityList",
    "outputQuantityList",
];

/// The filter form, as sent.
#[derive(Debug, Default, Deserialize)]
pub struct Filters {
    #[serde(rename = "type")]
    event_type: Option<String>,
    biz_step: Option<String>,
    disposition: Option<String>,
    /// First day (Asia/Shanghai), `YYYY-MM-DD`.
    from: Option<String>,
    /// Last day (Asia/Shanghai), inclusive.
    to: Option<String>,
    identifier: Option<String>,
    location: Option<String>,
    /// The page cursor from the previous page's next link.
    next: Option<String>,
}

impl Filters {
    fn get(v: &Option<String>) -> String {
        v.as_deref().unwrap_or_default().trim().to_owned()
    }

    /// The query pairs of the standard's parameters these filters stand for; a bad date
    /// is named like a bad parameter.
    fn pairs(&self) -> Result<Vec<(String, String)>, String> {
        let mut pairs = vec![
            ("orderDirection".to_owned(), "DESC".to_owned()),
            ("perPage".to_owned(), PER_PAGE.to_string()),
        ];
        let mut add = |name: &str, value: String| {
            if !value.is_empty() {
                pairs.push((name.to_owned(), value));
            }
        };
        add("eventType", Self::get(&self.event_type));
        add("EQ_bizStep", Self::get(&self.biz_step));
        add("EQ_disposition", Self::get(&self.disposition));
        add("MATCH_anyEPC", Self::get(&self.identifier));
        add("EQ_bizLocation", Self::get(&self.location));
        add("nextPageToken", Self::get(&self.next));
        // Days are China's: from 00:00 of the first to 00:00 after the last.
        for (name, field, after) in [
            ("GE_eventTime", &self.from, 0),
            ("LT_eventTime", &self.to, 1),
        ] {
            let text = Self::get(field);
            if text.is_empty() {
                continue;
            }
            let day: jiff::civil::Date = text
                .parse()
                .map_err(|_| format!("'{text}' is not a date (YYYY-MM-DD)"))?;
            let day = day
                .checked_add(jiff::Span::new().days(after))
                .map_err(|e| e.to_string())?;
            pairs.push((name.to_owned(), format!("{day}T00:00:00+08:00")));
        }
        Ok(pairs)
    }

    /// The list address with these filters (and no cursor), ending in `&`.
    fn base(&self) -> String {
        let mut s = format!("{PAGE}?");
        for (name, value) in [
            ("type", &self.event_type),
            ("biz_step", &self.biz_step),
            ("disposition", &self.disposition),
            ("from", &self.from),
            ("to", &self.to),
            ("identifier", &self.identifier),
            ("location", &self.location),
        ] {
            s.push_str(&format!("{name}={}&", pct_encode(&Self::get(value))));
        }
        s
    }
}

/// The standard query the filters stand for, its supervision codes resolved. The
/// identifier matches in any role, quantities' classes included.
async fn query_of(state: &AppState, filters: &Filters) -> Result<EventQuery, String> {
    let mut query = parse_query(&filters.pairs()?).map_err(|e| e.message)?;
    for (roles, _) in &mut query.matches {
        roles.push(IdRole::Class);
    }
    crate::epcis::resolve_query(state, &mut query)
        .await
        .map_err(|e| e.detail_en)?;
    Ok(query)
}

/// A CBV term without its namespace: `https://ref.gs1.org/cbv/BizStep-shipping` →
/// `shipping`.
fn short_term(uri: &str) -> String {
    uri.rsplit(['-', ':'])
        .next()
        .filter(|_| {
            uri.starts_with("https://ref.gs1.org/cbv/") || uri.starts_with("urn:epcglobal:cbv:")
        })
        .unwrap_or(uri)
        .to_owned()
}

fn str_of(body: &Map<String, Value>, key: &str) -> String {
    body.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn id_of(body: &Map<String, Value>, key: &str) -> String {
    body.get(key)
        .and_then(|v| v.get("id"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// When an event happened, in Asia/Shanghai.
fn event_time(body: &Map<String, Value>) -> String {
    let text = str_of(body, "eventTime");
    text.parse::<jiff::Timestamp>().map_or(text, shanghai)
}

/// The identifiers an event names: (list, identifier), quantities as `class × n uom`.
fn identifiers(body: &Map<String, Value>) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(parent) = body.get("parentID").and_then(Value::as_str) {
        out.push(("parentID", parent.to_owned()));
    }
    for list in ID_LISTS {
        for item in body
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let text = match item {
                Value::String(s) => s.clone(),
                Value::Object(q) => {
                    let class = q
                        .get("epcClass")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    match q.get("quantity") {
                        Some(n) => format!(
                            "{class} × {n}{}",
                            q.get("uom")
                                .and_then(Value::as_str)
                                .map(|u| format!(" {u}"))
                                .unwrap_or_default()
                        ),
                        None => class.to_owned(),
                    }
                }
                _ => continue,
            };
            out.push((list, text));
        }
    }
    out
}

struct Row {
    href: String,
    time: String,
    event_type: String,
    biz_step: String,
    disposition: String,
    location: String,
    identifiers: usize,
}

fn row(e: &StoredEvent) -> Row {
    let b = &e.body;
    let location = match id_of(b, "bizLocation") {
        l if l.is_empty() => id_of(b, "readPoint"),
        l => l,
    };
    Row {
        href: format!("{PAGE}/{}", pct_encode(&e.event_id)),
        time: event_time(b),
        event_type: str_of(b, "type"),
        biz_step: short_term(&str_of(b, "bizStep")),
        disposition: short_term(&str_of(b, "disposition")),
        location,
        identifiers: identifiers(b).len(),
    }
}

#[derive(Template)]
#[template(path = "events.html")]
struct ListPage {
    l: Layout,
    zh: bool,
    types: [&'static str; 5],
    event_type: String,
    biz_step: String,
    disposition: String,
    from: String,
    to: String,
    identifier: String,
    location: String,
    problem: Option<String>,
    rows: Vec<Row>,
    next_href: Option<String>,
    first_href: Option<String>,
}

/// `GET /console/events`.
pub async fn list(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    params: Result<Query<Filters>, QueryRejection>,
) -> Response {
    if !user.may_browse_events() {
        return user.not_found();
    }
    let lang = user.lang;
    let f = params.map(|Query(p)| p).unwrap_or_default();
    let (mut rows, mut next_href, mut problem) = (Vec::new(), None, None);
    match query_of(&state, &f).await {
        Err(message) => problem = Some(message),
        Ok(query) => match state
            .store
            .scoped(&user.principal)
            .epcis_events(&query)
            .await
        {
            Ok(page) => {
                rows = page.events.iter().map(row).collect();
                next_href = page.next.map(|n| format!("{}next={n}", f.base()));
            }
            Err(e) => {
                let e = ApiError::from(e);
                if e.status.is_server_error() {
                    return user.failed(&e);
                }
                problem = Some(e.detail_en);
            }
        },
    }
    let (l, shown) = user.framed(lang.pick("流向事件", "Events"), "events", &headers);
    let view = ListPage {
        l,
        zh: lang == Lang::Zh,
        types: TYPES,
        event_type: Filters::get(&f.event_type),
        biz_step: Filters::get(&f.biz_step),
        disposition: Filters::get(&f.disposition),
        from: Filters::get(&f.from),
        to: Filters::get(&f.to),
        identifier: Filters::get(&f.identifier),
        location: Filters::get(&f.location),
        first_href: f.next.as_ref().map(|_| f.base()),
        problem,
        rows,
        next_href,
    };
    let status = if view.problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    respond(status, &view, shown)
}

#[derive(Template)]
#[template(path = "event.html")]
struct OnePage {
    l: Layout,
    zh: bool,
    event_id: String,
    fields: Vec<(&'static str, String)>,
    identifiers: Vec<(&'static str, String)>,
    json: String,
}

/// `GET /console/events/{eventID}`.
pub async fn one(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    Path(event_id): Path<String>,
) -> Response {
    if !user.may_browse_events() {
        return user.not_found();
    }
    let stored = match state
        .store
        .scoped(&user.principal)
        .epcis_event(&event_id)
        .await
    {
        Ok(e) => e,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let lang = user.lang;
    let b = &stored.body;
    let record_time = jiff::Timestamp::from_millisecond(stored.record_time).unwrap_or_default();
    let fields = [
        (lang.pick("类型", "Type"), str_of(b, "type")),
        (lang.pick("发生时间", "Event time"), event_time(b)),
        (lang.pick("记录时间", "Recorded"), shanghai(record_time)),
        (lang.pick("动作", "Action"), str_of(b, "action")),
        (lang.pick("业务步骤", "Business step"), str_of(b, "bizStep")),
        (lang.pick("状态", "Disposition"), str_of(b, "disposition")),
        (lang.pick("读取点", "Read point"), id_of(b, "readPoint")),
        (
            lang.pick("业务地点", "Business location"),
            id_of(b, "bizLocation"),
        ),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let out = OutEvent {
        body: stored.body.clone(),
        namespaces: stored.namespaces.clone(),
        record_time,
    };
    let json = serde_json::to_string_pretty(&output::single_event(&out)).unwrap_or_default();
    let (l, shown) = user.framed(lang.pick("流向事件", "Event"), "events", &headers);
    let view = OnePage {
        l,
        zh: lang == Lang::Zh,
        identifiers: identifiers(b),
        event_id: stored.event_id,
        fields,
        json,
    };
    respond(StatusCode::OK, &view, shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_china_days() {
        let f = Filters {
            from: Some("2026-12-01".into()),
            to: Some("2026-12-01".into()),
            ..Filters::default()
        };
        let pairs = f.pairs().unwrap();
        assert!(pairs.contains(&("GE_eventTime".into(), "2026-12-01T00:00:00+08:00".into())));
        assert!(pairs.contains(&("LT_eventTime".into(), "2026-12-02T00:00:00+08:00".into())));
        let bad = Filters {
            from: Some("1 Dec".into()),
            ..Filters::default()
        };
        assert!(bad.pairs().is_err());
    }

    #[test]
    fn cbv_terms_are_shortened() {
        assert_eq!(
            short_term("https://ref.gs1.org/cbv/BizStep-shipping"),
            "shipping"
        );
        assert_eq!(
            short_term("urn:epcglobal:cbv:disp:in_transit"),
            "in_transit"
        );
        assert_eq!(
            short_term("https://example.com/step-x"),
            "https://example.com/step-x"
        );
    }
}
