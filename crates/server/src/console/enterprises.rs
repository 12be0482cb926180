//! `GET /console/enterprises` (search) and `GET /console/enterprises/{uscc}` (the archive).

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use zhijian_core::access::Action;
use zhijian_core::catalogue::CATEGORIES;
use zhijian_core::enterprise::EnterpriseStatus;
use zhijian_core::licence::{LicenceAction, LicenceState, available_actions};
use zhijian_core::licence_number::LicenceKind;
use zhijian_core::region::{self, RegionCode};
use zhijian_store::enterprises::Archive;
use zhijian_store::records::RECORD_KINDS;

use super::{ConsoleUser, Flash, FlashView, Layout, i18n, message, pct_encode, render};
use crate::api::enterprises::{ListQuery, parse_list};
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

/// Rows per page of the enterprise list.
const PER_PAGE: u32 = 20;

/// Query parameters of the enterprise list; all text, so a malformed value becomes a
/// message on the page rather than a bare rejection.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    q: Option<String>,
    region: Option<String>,
    status: Option<String>,
    licence_state: Option<String>,
    category: Option<String>,
    page: Option<String>,
}

/// A choice in a `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The submitted value.
    pub value: String,
    /// What the user reads.
    pub label: String,
    /// Whether it is the current value.
    pub selected: bool,
}

/// One row of the result table.
#[derive(Debug, Clone)]
pub struct Row {
    /// Credit code.
    pub uscc: String,
    /// Name.
    pub name: String,
    /// Region name.
    pub region: String,
    /// Status label.
    pub status: &'static str,
    /// Status name (for the badge colour).
    pub status_class: &'static str,
}

#[derive(Template)]
#[template(path = "enterprises.html")]
struct ListPage {
    l: Layout,
    q: String,
    regions: Vec<Choice>,
    statuses: Vec<Choice>,
    licence_states: Vec<Choice>,
    categories: Vec<Choice>,
    filtered: bool,
    error: Option<String>,
    rows: Vec<Row>,
    total_text: String,
    page_text: String,
    prev_href: Option<String>,
    next_href: Option<String>,
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn choices<I: IntoIterator<Item = (String, String)>>(
    items: I,
    current: Option<&str>,
) -> Vec<Choice> {
    items
        .into_iter()
        .map(|(value, label)| Choice {
            selected: current == Some(value.as_str()),
            value,
            label,
        })
        .collect()
}

/// The regions one can narrow a search to: those directly below the user's own region,
/// plus whatever the current filter names.
fn region_choices(home: RegionCode, current: Option<&str>) -> Vec<Choice> {
    let mut items: Vec<(String, String)> = region::children(home)
        .into_iter()
        .map(|r| (r.code.as_str().to_owned(), format!("{} {}", r.code, r.name)))
        .collect();
    if let Some(c) = current
        && !items.iter().any(|(v, _)| v == c)
    {
        let name = RegionCode::parse(c)
            .ok()
            .and_then(region::lookup)
            .map_or_else(|| c.to_owned(), |r| format!("{} {}", r.code, r.name));
        items.insert(0, (c.to_owned(), name));
    }
    choices(items, current)
}

/// The list address for these filters on a page.
fn list_href(p: &ListParams, page: u32) -> String {
    let mut href = String::from("/console/enterprises?");
    for (k, v) in [
        ("q", &p.q),
        ("region", &p.region),
        ("status", &p.status),
        ("licence_state", &p.licence_state),
        ("category", &p.category),
    ] {
        if let Some(v) = nonempty(v) {
            href.push_str(&format!("{k}={}&", pct_encode(v)));
        }
    }
    href.push_str(&format!("page={page}"));
    href
}

/// Turns the form's text into the API's list query, so both share one parser.
fn to_list_query(p: &ListParams) -> Result<ListQuery, ApiError> {
    let mut obj = serde_json::Map::new();
    for (k, v) in [
        ("q", &p.q),
        ("region", &p.region),
        ("status", &p.status),
        ("licence_state", &p.licence_state),
        ("category", &p.category),
    ] {
        if let Some(v) = nonempty(v) {
            obj.insert(k.into(), v.into());
        }
    }
    let page = match nonempty(&p.page) {
        None => 1,
        Some(s) => s
            .parse::<u32>()
            .map_err(|_| ApiError::invalid("page", "page", "page numbers start at 1"))?,
    };
    obj.insert("page".into(), page.into());
    obj.insert("per_page".into(), PER_PAGE.into());
    serde_json::from_value(serde_json::Value::Object(obj))
        .map_err(|e| ApiError::invalid("invalid_query", "", e.to_string()))
}

/// A region below province level named with its city (`石家庄市 长安区`): county names
/// repeat across a province, so the county alone can be ambiguous.
fn local_region(code: &str) -> Option<String> {
    let code = RegionCode::parse(code).ok()?;
    let own = region::lookup(code)?;
    let mut names: Vec<&str> = region::parent_chain(code)
        .into_iter()
        .filter(|r| r.level != region::RegionLevel::Province)
        .map(|r| r.name)
        .collect();
    names.reverse();
    names.push(own.name);
    Some(names.join(" "))
}

fn status_class(s: EnterpriseStatus) -> &'static str {
    s.as_str()
}

/// `GET /console/enterprises`.
pub async fn list(
    State(state): State<AppState>,
    user: ConsoleUser,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Response {
    let lang = user.lang;
    let t = user.t();
    let (p, mut error) = match params {
        Ok(Query(p)) => (p, None),
        Err(e) => (
            ListParams::default(),
            Some(message(
                lang,
                &ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()),
            )),
        ),
    };
    let mut rows = Vec::new();
    let mut total = 0;
    let mut page_no = 1;
    match to_list_query(&p).and_then(|q| parse_list(&q)) {
        Ok((filter, page)) => {
            page_no = page.page;
            match state
                .store
                .scoped(&user.principal)
                .list_enterprises(&filter, page)
                .await
            {
                Ok(found) => {
                    total = found.total;
                    rows = found
                        .items
                        .into_iter()
                        .map(|e| Row {
                            uscc: e.uscc,
                            name: e.name,
                            region: local_region(&e.region).unwrap_or(e.region_name),
                            status: i18n::status(lang, e.status),
                            status_class: status_class(e.status),
                        })
                        .collect();
                }
                Err(e) => return user.failed(&ApiError::from(e)),
            }
        }
        Err(e) => error = error.or(Some(message(lang, &e))),
    }
    let pages = u32::try_from((total + i64::from(PER_PAGE) - 1) / i64::from(PER_PAGE))
        .unwrap_or(u32::MAX)
        .max(1);
    let page = ListPage {
        l: user.layout(t.ent_title, "enterprises"),
        q: nonempty(&p.q).unwrap_or("").to_owned(),
        regions: region_choices(user.principal.region, nonempty(&p.region)),
        statuses: choices(
            EnterpriseStatus::ALL
                .into_iter()
                .map(|s| (s.as_str().to_owned(), i18n::status(lang, s).to_owned())),
            nonempty(&p.status),
        ),
        licence_states: choices(
            LicenceState::ALL
                .into_iter()
                .map(|s| (s.as_str().to_owned(), i18n::state(lang, s).to_owned())),
            nonempty(&p.licence_state),
        ),
        categories: choices(
            CATEGORIES
                .iter()
                .map(|c| (c.id.to_owned(), i18n::category(lang, c.id))),
            nonempty(&p.category),
        ),
        filtered: [&p.q, &p.region, &p.status, &p.licence_state, &p.category]
            .into_iter()
            .any(|v| nonempty(v).is_some()),
        error,
        rows,
        total_text: i18n::total(lang, total),
        page_text: i18n::page_of(lang, page_no.min(pages), pages),
        prev_href: (page_no > 1).then(|| list_href(&p, (page_no - 1).min(pages))),
        next_href: (page_no < pages).then(|| list_href(&p, page_no + 1)),
    };
    render(StatusCode::OK, &page)
}

/// A labelled value in the basic data.
#[derive(Debug, Clone)]
pub struct Fact {
    /// Label.
    pub label: &'static str,
    /// Value (`None` shows "not recorded").
    pub value: Option<String>,
    /// Whether to set it in a monospace face (codes).
    pub mono: bool,
}

/// One step in a licence's history.
#[derive(Debug, Clone)]
pub struct EventView {
    /// When.
    pub at: String,
    /// Action label.
    pub action: String,
    /// `已受理 → 审查中`.
    pub change: String,
    /// Who.
    pub actor: String,
    /// Why.
    pub reason: Option<String>,
}

/// A form for one action a licence can take now.
#[derive(Debug, Clone)]
pub struct ActionView {
    /// Stable action name.
    pub name: &'static str,
    /// Button label.
    pub label: &'static str,
    /// A reason is required.
    pub reason: bool,
    /// Number and validity are required (issue).
    pub issue: bool,
    /// A new end of validity is required (renew).
    pub until: bool,
    /// It takes rights away (styled as such).
    pub danger: bool,
}

impl ActionView {
    /// Whether the action needs no input, so one button does it.
    pub fn simple(&self) -> bool {
        !(self.reason || self.issue || self.until)
    }
}

/// A licence as the archive shows it.
#[derive(Debug, Clone)]
pub struct LicenceView {
    /// Id.
    pub id: i64,
    /// Kind label.
    pub kind: &'static str,
    /// Number placeholder for the issue form.
    pub number_placeholder: &'static str,
    /// Certificate number.
    pub number: Option<String>,
    /// State name (badge colour).
    pub state: &'static str,
    /// State label.
    pub state_label: &'static str,
    /// Scope labels.
    pub scope: Vec<String>,
    /// `2024-01-01 — 2029-12-31`.
    pub validity: Option<String>,
    /// When applied.
    pub applied_at: String,
    /// History, oldest first.
    pub events: Vec<EventView>,
    /// What can be done now (empty for users who may not decide).
    pub actions: Vec<ActionView>,
}

/// A product row.
#[derive(Debug, Clone)]
pub struct ProductView {
    /// Name.
    pub name: String,
    /// Specification.
    pub specification: String,
    /// Standard.
    pub standard: String,
    /// Category label.
    pub category: String,
    /// GTIN.
    pub gtin: String,
}

/// An attachment link.
#[derive(Debug, Clone)]
pub struct FileView {
    /// Download address.
    pub href: String,
    /// File name.
    pub name: String,
    /// Human size (`12.3 KB`).
    pub size: String,
}

/// A supervision record.
#[derive(Debug, Clone)]
pub struct RecordView {
    /// Kind label.
    pub kind: String,
    /// Day.
    pub occurred_on: String,
    /// Summary.
    pub summary: String,
    /// Findings.
    pub findings: Option<String>,
    /// Author.
    pub author: String,
    /// When entered.
    pub created_at: String,
    /// Files.
    pub files: Vec<FileView>,
}

/// An audit entry.
#[derive(Debug, Clone)]
pub struct HistoryView {
    /// When.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// The thing changed.
    pub object: String,
}

/// The values of the record form (kept when a submission is refused).
#[derive(Debug, Clone, Default)]
pub struct RecordForm {
    /// Kind.
    pub kind: String,
    /// Day.
    pub occurred_on: String,
    /// Summary.
    pub summary: String,
    /// Findings.
    pub findings: String,
    /// Why the last submission was refused.
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "archive.html")]
struct ArchivePage {
    l: Layout,
    uscc: String,
    name: String,
    legacy: bool,
    status: &'static str,
    status_class: &'static str,
    region: String,
    facts: Vec<Fact>,
    licences: Vec<LicenceView>,
    products: Vec<ProductView>,
    records: Vec<RecordView>,
    history: Vec<HistoryView>,
    can_record: bool,
    record_kinds: Vec<Choice>,
    form: RecordForm,
    grade: Option<super::grades::GradeBadge>,
}

fn human_size(bytes: i64) -> String {
    #[allow(clippy::cast_precision_loss)] // sizes are far below 2^52
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if b < 1024.0 * 1024.0 {
        format!("{:.1} KB", b / 1024.0)
    } else {
        format!("{:.1} MB", b / 1024.0 / 1024.0)
    }
}

fn licence_view(lang: Lang, l: &zhijian_store::licences::Licence, can_decide: bool) -> LicenceView {
    let t = i18n::texts(lang);
    let label_of = |s: &str| {
        LicenceState::parse(s).map_or_else(|| s.to_owned(), |s| i18n::state(lang, s).to_owned())
    };
    let events = l
        .events
        .iter()
        .map(|e| EventView {
            at: super::shanghai_text(&e.at),
            action: if e.action == "apply" {
                lang.pick("申请", "Application").to_owned()
            } else {
                LicenceAction::parse(&e.action)
                    .map_or_else(|| e.action.clone(), |a| i18n::action(lang, a).to_owned())
            },
            change: match &e.from_state {
                Some(from) => format!("{} → {}", label_of(from), label_of(&e.to_state)),
                None => label_of(&e.to_state),
            },
            actor: e.actor.clone(),
            reason: e.reason.clone(),
        })
        .collect();
    let actions = if can_decide {
        available_actions(l.state)
            .into_iter()
            .map(|a| ActionView {
                name: a.as_str(),
                label: i18n::action(lang, a),
                reason: a.needs_reason(),
                issue: a == LicenceAction::Issue,
                until: a == LicenceAction::Renew,
                danger: matches!(
                    a,
                    LicenceAction::Refuse
                        | LicenceAction::Suspend
                        | LicenceAction::Revoke
                        | LicenceAction::Cancel
                ),
            })
            .collect()
    } else {
        Vec::new()
    };
    LicenceView {
        id: l.id,
        kind: i18n::licence_kind(lang, l.kind),
        number_placeholder: match l.kind {
            LicenceKind::Food => t.number_placeholder_food,
            LicenceKind::Industrial => t.number_placeholder_industrial,
        },
        number: l.number.clone(),
        state: l.state.as_str(),
        state_label: i18n::state(lang, l.state),
        scope: l.scope.iter().map(|c| i18n::category(lang, c)).collect(),
        validity: match (&l.valid_from, &l.valid_until) {
            (Some(f), Some(u)) => Some(format!("{f} — {u}")),
            (None, Some(u)) => Some(format!("— {u}")),
            _ => None,
        },
        applied_at: super::shanghai_text(&l.applied_at),
        events,
        actions,
    }
}

fn archive_page(user: &ConsoleUser, a: Archive, form: RecordForm) -> ArchivePage {
    let lang = user.lang;
    let t = user.t();
    let p = &user.principal;
    // Visible archives lie in the caller's read scope; these say whether the same
    // caller may also write there (officers and admins), which is what the store checks.
    let can_decide = p.scope(Action::DecideLicence) != zhijian_core::access::Scope::Nothing;
    let can_record = p.scope(Action::AddRecord) != zhijian_core::access::Scope::Nothing;
    let d = &a.details;
    let facts = vec![
        Fact {
            label: t.legal_representative,
            value: d.legal_representative.clone(),
            mono: false,
        },
        Fact {
            label: t.address,
            value: d.address.clone(),
            mono: false,
        },
        Fact {
            label: t.contact_name,
            value: d.contact_name.clone(),
            mono: false,
        },
        Fact {
            label: t.contact_phone,
            value: d.contact_phone.clone(),
            mono: true,
        },
        Fact {
            label: t.industry,
            value: d.industry.clone(),
            mono: false,
        },
        Fact {
            label: t.scale,
            value: d.scale.map(|s| i18n::scale(lang, s).to_owned()),
            mono: false,
        },
        Fact {
            label: t.created_at,
            value: Some(super::shanghai_text(&a.created_at)),
            mono: false,
        },
        Fact {
            label: t.updated_at,
            value: Some(super::shanghai_text(&a.updated_at)),
            mono: false,
        },
    ];
    let status = d.status.unwrap_or(EnterpriseStatus::Active);
    ArchivePage {
        l: user.layout(a.name.clone(), "enterprises"),
        legacy: a.uscc_legacy,
        status: i18n::status(lang, status),
        status_class: status_class(status),
        region: a
            .region_path
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(" / "),
        facts,
        licences: a
            .licences
            .iter()
            .map(|l| licence_view(lang, l, can_decide))
            .collect(),
        products: a
            .products
            .iter()
            .map(|p| ProductView {
                name: p.name.clone(),
                specification: p.specification.clone().unwrap_or_default(),
                standard: p.standard.clone().unwrap_or_default(),
                category: i18n::category(lang, &p.category),
                gtin: p.gtin.clone().unwrap_or_default(),
            })
            .collect(),
        records: a
            .records
            .iter()
            .map(|r| RecordView {
                kind: i18n::record_kind(lang, &r.kind),
                occurred_on: r.occurred_on.clone(),
                summary: r.summary.clone(),
                findings: r.findings.clone(),
                author: r.author.clone(),
                created_at: super::shanghai_text(&r.created_at),
                files: r
                    .attachments
                    .iter()
                    .map(|f| FileView {
                        href: format!("/api/v1/attachments/{}", f.id),
                        name: f.file_name.clone(),
                        size: human_size(f.size),
                    })
                    .collect(),
            })
            .collect(),
        history: a
            .history
            .iter()
            .map(|h| HistoryView {
                at: super::shanghai_ms(h.at),
                actor: h.actor.clone(),
                action: i18n::audit_action(lang, &h.action),
                object: format!("{} #{}", i18n::entity(lang, &h.entity), h.entity_id),
            })
            .collect(),
        can_record,
        record_kinds: choices(
            RECORD_KINDS
                .iter()
                .map(|(k, _, _)| ((*k).to_owned(), i18n::record_kind(lang, k))),
            Some(if form.kind.is_empty() {
                "inspection"
            } else {
                form.kind.as_str()
            }),
        ),
        form: RecordForm {
            occurred_on: if form.occurred_on.is_empty() {
                super::today()
            } else {
                form.occurred_on.clone()
            },
            ..form
        },
        uscc: a.uscc,
        name: a.name,
        grade: None,
    }
}

/// Renders an archive the user may see, or the 404 page (whether it is absent or out of
/// scope is not told apart).
pub async fn render_archive(
    state: &AppState,
    user: &ConsoleUser,
    uscc: &str,
    status: StatusCode,
    flash: Option<FlashView>,
    form: RecordForm,
) -> Response {
    match state.store.scoped(&user.principal).archive(uscc).await {
        Ok(Some(a)) => {
            let mut page = archive_page(user, a, form);
            page.l.flash = flash;
            page.grade = super::grades::badge(state, user, uscc).await;
            render(status, &page)
        }
        Ok(None) => user.not_found(),
        Err(e) => user.failed(&ApiError::from(e)),
    }
}

/// `GET /console/enterprises/{uscc}`.
pub async fn archive(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    Path(uscc): Path<String>,
) -> Response {
    let flash = Flash::from_headers(&headers);
    let mut res = render_archive(
        &state,
        &user,
        uscc.trim(),
        StatusCode::OK,
        flash.as_ref().map(|f| f.view(user.lang)),
        RecordForm::default(),
    )
    .await;
    if flash.is_some()
        && let Ok(v) = HeaderValue::from_str(&Flash::clear())
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}
