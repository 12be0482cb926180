//! `/console/registrations`: the applications to join of a bureau's region, each with
//! what it claims (licences, products) and the approve / return forms.

use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use zhijian_core::access::Role;
use zhijian_store::registrations::{Registration, RegistrationStatus};

use super::paging::{Pager, page_of, pager};
use super::{ConsoleUser, Flash, Layout, respond, shanghai_text};
use crate::api::registrations::deliver_later;
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

const PAGE: &str = "/console/registrations";

/// A status's label.
pub fn status_label(lang: Lang, s: RegistrationStatus) -> &'static str {
    match s {
        RegistrationStatus::Pending => lang.pick("待审核", "Pending"),
        RegistrationStatus::Approved => lang.pick("已通过", "Approved"),
        RegistrationStatus::Returned => lang.pick("已退回", "Returned"),
    }
}

/// The list's filters.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    status: Option<String>,
    page: Option<String>,
}

struct Row {
    id: i64,
    name: String,
    uscc: String,
    region: String,
    phone: String,
    email: String,
    admin: String,
    status: &'static str,
    status_label: &'static str,
    submitted: String,
    reasons: Option<String>,
    licences: Vec<String>,
    products: Vec<String>,
    pending: bool,
}

#[derive(Template)]
#[template(path = "registrations.html")]
struct ListPage {
    l: Layout,
    zh: bool,
    rows: Vec<Row>,
    pager: Pager,
    filter: &'static str,
    can_decide: bool,
    filters: Vec<(&'static str, &'static str)>,
}

fn row(lang: Lang, r: Registration) -> Row {
    Row {
        id: r.id,
        region: super::i18n::region_name(&r.region),
        phone: r.contact_phone,
        email: r.email.unwrap_or_default(),
        admin: r.admin_username,
        status: r.status.as_str(),
        status_label: status_label(lang, r.status),
        submitted: shanghai_text(&r.created_at),
        reasons: r.reasons,
        licences: r
            .application
            .licences
            .iter()
            .map(|l| format!("{} · {} · {}", l.number, l.scope.join(","), l.valid_until))
            .collect(),
        products: r
            .application
            .products
            .iter()
            .map(|p| {
                let mut s = format!("{} · {}", p.name, super::i18n::category(lang, &p.category));
                if let Some(g) = &p.gtin {
                    s.push_str(&format!(" · GTIN {g}"));
                }
                s
            })
            .collect(),
        pending: r.status == RegistrationStatus::Pending,
        name: r.name,
        uscc: r.uscc,
    }
}

/// `GET /console/registrations`.
pub async fn list(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Response {
    if !user.is_bureau() {
        return user.not_found();
    }
    let lang = user.lang;
    let p = params.map(|Query(p)| p).unwrap_or_default();
    let status = match p.status.as_deref() {
        Some("all") => None,
        Some(s) => RegistrationStatus::parse(s).or(Some(RegistrationStatus::Pending)),
        None => Some(RegistrationStatus::Pending),
    };
    let page = page_of(p.page.as_deref());
    let found = match state
        .store
        .scoped(&user.principal)
        .registrations(status, page)
        .await
    {
        Ok(f) => f,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let title = lang.pick("入网申请", "Applications to join");
    let (l, shown) = user.framed(title, "", &headers);
    let filter = status.map_or("all", RegistrationStatus::as_str);
    let total = match lang {
        Lang::Zh => format!("共 {} 份申请", found.total),
        Lang::En => format!("{} applications", found.total),
    };
    let page_view = ListPage {
        l,
        zh: lang == Lang::Zh,
        pager: pager(
            lang,
            found.total,
            page.page,
            &format!("{PAGE}?status={filter}&"),
            total,
        ),
        rows: found.items.into_iter().map(|r| row(lang, r)).collect(),
        filter,
        can_decide: matches!(user.principal.role, Role::Officer | Role::Admin),
        filters: [
            RegistrationStatus::Pending,
            RegistrationStatus::Returned,
            RegistrationStatus::Approved,
        ]
        .into_iter()
        .map(|s| (s.as_str(), status_label(lang, s)))
        .chain([("all", lang.pick("全部", "All"))])
        .collect(),
    };
    respond(StatusCode::OK, &page_view, shown)
}

/// The decision form.
#[derive(Debug, Default, Deserialize)]
pub struct DecisionForm {
    csrf: Option<String>,
    decision: Option<String>,
    reasons: Option<String>,
}

/// `POST /console/registrations/{id}/decision`.
pub async fn decide(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
    form: Result<Form<DecisionForm>, FormRejection>,
) -> Response {
    let Form(form) = form.unwrap_or_default();
    let id = match user.form_target(form.csrf.as_deref(), &id) {
        Ok(id) => id,
        Err(refused) => return *refused,
    };
    let approve = form.decision.as_deref() == Some("approve");
    let outcome = state
        .store
        .scoped(&user.principal)
        .decide_registration(id, approve, form.reasons.as_deref().unwrap_or(""))
        .await
        .map_err(ApiError::from);
    if outcome.is_ok() {
        deliver_later(&state);
    }
    user.after_post(
        &format!("{PAGE}?status=pending"),
        outcome.map(|r| Flash::Registration(r.status)),
    )
}
