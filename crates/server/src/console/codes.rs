//! The supervision-code pages under `/console/codes`: applications and their decision,
//! print jobs, activation on a batch, batches and their recall, one code's queries and
//! the counterfeit signals.
//!
//! Each page is open only to the roles that can use it ([`Section::open_to`]); what it
//! lists comes from the same scoped store queries as the JSON API, so a page can show no
//! more than the API would. Every form posts with the session's CSRF token and answers
//! with a redirect back to the page it came from and a one-time message ([`Done`]), except
//! a refused activation, which is shown at once with the offending codes named.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use zhijian_core::access::{Action, Role, Scope};
use zhijian_core::code::SupervisionCode;
use zhijian_core::code::list::{ListError, parse_code_list};
use zhijian_core::code::verdict::Verdict;
use zhijian_core::page::Page;
use zhijian_core::region::RegionCode;
use zhijian_store::codes::{ApplicationStatus, BatchFlag};

use super::enterprises::Choice;
use super::fields::{id_of, optional_whole, whole};
use super::home::{Stat, region_path};
use super::i18n::{self, CodeTexts};
use super::paging::{Pager, page_of, pager};
use super::{
    ConsoleUser, Flash, FlashView, Layout, message, pct_encode, redirect_with, respond,
    shanghai_text, today,
};
use crate::api::codes::MAX_LISTED_CODES;
use crate::api::extract::{Json, required, text};
use crate::auth::Authed;
use crate::error::ApiError;
use crate::lang::Lang;
use crate::messages;
use crate::state::AppState;

/// The largest text field of the activation form other than the code list.
const MAX_TEXT_BYTES: usize = 16 * 1024;
/// The largest pasted code list: 100 000 codes of 20 digits, with room for separators.
const MAX_PASTED_BYTES: usize = 4 * 1024 * 1024;

/// The section's index page.
pub const INDEX: &str = "/console/codes";
const APPLICATIONS: &str = "/console/codes/applications";
const PRINT_JOBS: &str = "/console/codes/print-jobs";
const ACTIVATE: &str = "/console/codes/activate";
const BATCHES: &str = "/console/codes/batches";
const HISTORY: &str = "/console/codes/history";
const SIGNALS: &str = "/console/codes/signals";

/// One page of the code section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Applications and their decision.
    Applications,
    /// Print jobs.
    PrintJobs,
    /// Activation on a batch.
    Activate,
    /// Batches.
    Batches,
    /// One code's queries.
    History,
    /// Counterfeit signals.
    Signals,
}

impl Section {
    /// Every section, in the order the navigation shows them.
    pub const ALL: [Section; 6] = [
        Section::Applications,
        Section::PrintJobs,
        Section::Activate,
        Section::Batches,
        Section::History,
        Section::Signals,
    ];

    /// Its address.
    pub fn href(self) -> &'static str {
        match self {
            Section::Applications => APPLICATIONS,
            Section::PrintJobs => PRINT_JOBS,
            Section::Activate => ACTIVATE,
            Section::Batches => BATCHES,
            Section::History => HISTORY,
            Section::Signals => SIGNALS,
        }
    }

    /// Whether a role may use it. Printers only print and labs have no part in codes;
    /// only an enterprise activates its own codes. Everything else follows the read
    /// scope, which the store applies to every list.
    pub fn open_to(self, role: Role) -> bool {
        match self {
            Section::PrintJobs => role != Role::Lab,
            Section::Activate => role == Role::Enterprise,
            _ => matches!(
                role,
                Role::Admin | Role::Officer | Role::Viewer | Role::Enterprise
            ),
        }
    }

    fn label(self, c: &'static CodeTexts) -> &'static str {
        match self {
            Section::Applications => c.apps_title,
            Section::PrintJobs => c.jobs_title,
            Section::Activate => c.act_title,
            Section::Batches => c.batches_title,
            Section::History => c.history_title,
            Section::Signals => c.signals_title,
        }
    }

    fn hint(self, c: &'static CodeTexts) -> &'static str {
        match self {
            Section::Applications => c.apps_hint,
            Section::PrintJobs => c.jobs_hint,
            Section::Activate => c.act_hint,
            Section::Batches => c.batches_hint,
            Section::History => c.history_hint,
            Section::Signals => c.signals_hint,
        }
    }
}

/// A link to a section page.
#[derive(Debug, Clone)]
pub struct NavLink {
    /// Where.
    pub href: &'static str,
    /// Its title.
    pub label: &'static str,
    /// One line saying what is there.
    pub hint: &'static str,
    /// Whether it is the page shown.
    pub current: bool,
}

fn tabs(user: &ConsoleUser, current: Option<Section>) -> Vec<NavLink> {
    let c = i18n::code_texts(user.lang);
    Section::ALL
        .into_iter()
        .filter(|s| s.open_to(user.principal.role))
        .map(|s| NavLink {
            href: s.href(),
            label: s.label(c),
            hint: s.hint(c),
            current: Some(s) == current,
        })
        .collect()
}

/// The page frame with the flash message of the previous request, if any; the `bool`
/// says whether the flash cookie must be cleared in the answer.
fn frame(user: &ConsoleUser, title: &str, headers: &HeaderMap) -> (Layout, bool) {
    user.framed(title, "codes", headers)
}

/// The address of the page a form was posted from, when it is a page of this section;
/// anything else (another site, a path trick) falls back to `fallback`.
fn back_to(sent: Option<&str>, fallback: &str) -> String {
    match sent.map(str::trim) {
        Some(b)
            if (b == INDEX
                || b.starts_with("/console/codes/")
                || b.starts_with("/console/codes?"))
                && b.is_ascii()
                && !b.contains("//")
                && !b.contains("..")
                && !b.contains('\\')
                && !b.chars().any(|c| c.is_ascii_control()) =>
        {
            b.to_owned()
        }
        _ => fallback.to_owned(),
    }
}

/// The address of this request, for the forms' `back` field.
fn here(user: &ConsoleUser) -> String {
    user.uri
        .path_and_query()
        .map_or_else(|| INDEX.to_owned(), |pq| pq.as_str().to_owned())
}

/// `1234567` → `1,234,567`.
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The code at an index of this node's code space (empty should the space be missing,
/// which the store refuses long before a page could list a segment).
fn code_at(state: &AppState, index: i64) -> String {
    state
        .store
        .code_space()
        .ok()
        .zip(u64::try_from(index).ok())
        .and_then(|(space, i)| space.encode(i).ok())
        .map(|c| c.to_string())
        .unwrap_or_default()
}

/// A region code in words (`河北省 / 石家庄市 / 长安区`).
fn place(lang: Lang, region: Option<&str>) -> String {
    match region.map(RegionCode::parse) {
        Some(Ok(r)) => region_path(r),
        Some(Err(_)) => region.unwrap_or_default().to_owned(),
        None => i18n::code_texts(lang).unknown_place.to_owned(),
    }
}

/// The caller's own organisation: its credit code and name.
async fn own_org(
    state: &AppState,
    user: &ConsoleUser,
) -> Result<Option<(String, String)>, ApiError> {
    let Some(id) = user.principal.org_id else {
        return Ok(None);
    };
    Ok(state
        .store
        .organisation(id)
        .await?
        .and_then(|o| o.uscc.map(|u| (u, o.name))))
}

/// Names of enterprises and their products, for lists that carry only credit codes
/// and product ids.
#[derive(Debug, Default)]
struct Names {
    enterprises: HashMap<String, String>,
    products: HashMap<i64, String>,
}

impl Names {
    /// Reads the archives of these enterprises that the user may see. Archives come
    /// from memory, and a page names at most [`PER_PAGE`] enterprises. A name that cannot
    /// be read is only decoration lost: the credit code is shown anyway.
    async fn of(state: &AppState, user: &ConsoleUser, usccs: Vec<String>) -> Names {
        let mut names = Names::default();
        if user.principal.scope(Action::Read) == Scope::Nothing {
            return names;
        }
        let scoped = state.store.scoped(&user.principal);
        for uscc in usccs {
            if names.enterprises.contains_key(&uscc) {
                continue;
            }
            if let Ok(Some(a)) = scoped.archive(&uscc).await {
                for p in a.products {
                    names.products.insert(p.id, p.name);
                }
                names.enterprises.insert(a.uscc, a.name);
            }
        }
        names
    }

    fn enterprise(&self, uscc: &str) -> Option<String> {
        self.enterprises.get(uscc).cloned()
    }

    fn product(&self, id: i64) -> String {
        self.products
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("#{id}"))
    }
}

/// What a code form did, carried to the next page as its one-time message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    /// An application was filed.
    Applied {
        /// The application.
        id: i64,
        /// Codes asked for.
        quantity: i64,
    },
    /// An application was approved and its segment allocated.
    Approved {
        /// The application.
        id: i64,
        /// Codes allocated.
        quantity: i64,
        /// The segment allocated.
        segment: i64,
    },
    /// An application was refused.
    Refused {
        /// The application.
        id: i64,
    },
    /// Codes were handed to a printer.
    Handed {
        /// The print job.
        id: i64,
        /// Codes handed over.
        quantity: i64,
    },
    /// A printer confirmed a job.
    Confirmed {
        /// The print job.
        id: i64,
        /// Labels printed.
        printed: i64,
        /// Labels spoiled.
        spoiled: i64,
    },
    /// Codes were activated on a batch.
    Activated {
        /// How many.
        count: i64,
        /// The batch's lot number.
        lot: String,
    },
    /// A batch was recalled or decommissioned.
    Flagged {
        /// The batch.
        id: i64,
        /// Recalled (else decommissioned).
        recalled: bool,
        /// Its lot number.
        lot: String,
    },
}

impl Done {
    /// The text stored in the flash cookie (free text — lot numbers — goes last, so it
    /// may contain the separator).
    pub fn encode(&self) -> String {
        match self {
            Done::Applied { id, quantity } => format!("applied|{id}|{quantity}"),
            Done::Approved {
                id,
                quantity,
                segment,
            } => format!("approved|{id}|{quantity}|{segment}"),
            Done::Refused { id } => format!("refused|{id}"),
            Done::Handed { id, quantity } => format!("handed|{id}|{quantity}"),
            Done::Confirmed {
                id,
                printed,
                spoiled,
            } => format!("confirmed|{id}|{printed}|{spoiled}"),
            Done::Activated { count, lot } => format!("activated|{count}|{lot}"),
            Done::Flagged { id, recalled, lot } => {
                format!("flagged|{id}|{}|{lot}", u8::from(*recalled))
            }
        }
    }

    /// Reads [`Done::encode`]'s text; `None` for anything else.
    pub fn decode(s: &str) -> Option<Done> {
        let (kind, rest) = s.split_once('|')?;
        let int = |s: &str| s.parse::<i64>().ok();
        let done = match kind {
            "applied" => {
                let (id, quantity) = rest.split_once('|')?;
                Done::Applied {
                    id: int(id)?,
                    quantity: int(quantity)?,
                }
            }
            "approved" => {
                let mut p = rest.splitn(4, '|');
                Done::Approved {
                    id: int(p.next()?)?,
                    quantity: int(p.next()?)?,
                    segment: int(p.next()?)?,
                }
            }
            "refused" => Done::Refused { id: int(rest)? },
            "handed" => {
                let (id, quantity) = rest.split_once('|')?;
                Done::Handed {
                    id: int(id)?,
                    quantity: int(quantity)?,
                }
            }
            "confirmed" => {
                let mut p = rest.splitn(3, '|');
                Done::Confirmed {
                    id: int(p.next()?)?,
                    printed: int(p.next()?)?,
                    spoiled: int(p.next()?)?,
                }
            }
            "activated" => {
                let (count, lot) = rest.split_once('|')?;
                Done::Activated {
                    count: int(count)?,
                    lot: lot.to_owned(),
                }
            }
            "flagged" => {
                let mut p = rest.splitn(3, '|');
                Done::Flagged {
                    id: int(p.next()?)?,
                    recalled: p.next()? == "1",
                    lot: p.next()?.to_owned(),
                }
            }
            _ => return None,
        };
        Some(done)
    }

    /// The message in a language.
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (Done::Applied { id, quantity }, Lang::Zh) => format!(
                "赋码申请已提交（#{id}，{} 个监管码），请等待监管部门审批。",
                grouped(*quantity)
            ),
            (Done::Applied { id, quantity }, Lang::En) => format!(
                "Application #{id} for {} codes was filed; it awaits the bureau's decision.",
                grouped(*quantity)
            ),
            (
                Done::Approved {
                    id,
                    quantity,
                    segment,
                },
                Lang::Zh,
            ) => format!(
                "已批准申请 #{id}，分配码段 #{segment}，共 {} 个监管码。",
                grouped(*quantity)
            ),
            (
                Done::Approved {
                    id,
                    quantity,
                    segment,
                },
                Lang::En,
            ) => format!(
                "Application #{id} approved: segment #{segment}, {} codes.",
                grouped(*quantity)
            ),
            (Done::Refused { id }, Lang::Zh) => format!("已驳回申请 #{id}。"),
            (Done::Refused { id }, Lang::En) => format!("Application #{id} was refused."),
            (Done::Handed { id, quantity }, Lang::Zh) => {
                format!("已交付印刷：任务 #{id}，{} 个监管码。", grouped(*quantity))
            }
            (Done::Handed { id, quantity }, Lang::En) => format!(
                "Print job #{id} with {} codes was handed to the printer.",
                grouped(*quantity)
            ),
            (
                Done::Confirmed {
                    id,
                    printed,
                    spoiled,
                },
                Lang::Zh,
            ) => format!(
                "已确认印刷任务 #{id}：印刷 {} 个，废品 {} 个。",
                grouped(*printed),
                grouped(*spoiled)
            ),
            (
                Done::Confirmed {
                    id,
                    printed,
                    spoiled,
                },
                Lang::En,
            ) => format!(
                "Print job #{id} confirmed: {} printed, {} spoiled.",
                grouped(*printed),
                grouped(*spoiled)
            ),
            (Done::Activated { count, lot }, Lang::Zh) => {
                format!("已在批次 {lot} 上激活 {} 个监管码。", grouped(*count))
            }
            (Done::Activated { count, lot }, Lang::En) => {
                format!("{} codes were activated on lot {lot}.", grouped(*count))
            }
            (Done::Flagged { recalled, lot, .. }, Lang::Zh) => {
                format!(
                    "批次 {lot} {}。",
                    if *recalled { "已召回" } else { "已注销" }
                )
            }
            (Done::Flagged { recalled, lot, .. }, Lang::En) => format!(
                "Lot {lot} was {}.",
                if *recalled {
                    "recalled"
                } else {
                    "decommissioned"
                }
            ),
        }
    }
}

/// Ends a form post of this section (see [`ConsoleUser::after_post`]).
fn after_post(user: &ConsoleUser, back: &str, outcome: Result<Done, ApiError>) -> Response {
    user.after_post(back, outcome.map(Flash::Codes))
}

// ---------------------------------------------------------------- index

#[derive(Template)]
#[template(path = "codes_index.html")]
struct IndexPage {
    l: Layout,
    c: &'static CodeTexts,
    links: Vec<NavLink>,
    stats: Vec<Stat>,
}

/// `GET /console/codes`: the pages this user's role can use, with a few figures.
pub async fn index(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
) -> Response {
    let c = i18n::code_texts(user.lang);
    let role = user.principal.role;
    let scoped = state.store.scoped(&user.principal);
    let one = Page {
        page: 1,
        per_page: 1,
    };
    let mut stats = Vec::new();
    let figures = async {
        if Section::Applications.open_to(role) {
            let n = scoped
                .code_applications(Some(ApplicationStatus::Pending), None, one)
                .await?
                .total;
            stats.push(Stat {
                label: c.stat_pending,
                value: n,
                href: "/console/codes/applications?status=pending",
                attention: true,
            });
        }
        if Section::PrintJobs.open_to(role) {
            let n = scoped.print_jobs(one).await?.total;
            stats.push(Stat {
                label: c.stat_jobs,
                value: n,
                href: PRINT_JOBS,
                attention: false,
            });
        }
        if Section::Batches.open_to(role) {
            let n = scoped.batches(one).await?.total;
            stats.push(Stat {
                label: c.stat_batches,
                value: n,
                href: BATCHES,
                attention: false,
            });
        }
        if Section::Signals.open_to(role) {
            let n = scoped.counterfeit_signals(one).await?.total;
            stats.push(Stat {
                label: c.stat_signals,
                value: n,
                href: SIGNALS,
                attention: true,
            });
        }
        Ok::<_, zhijian_store::StoreError>(())
    };
    if let Err(e) = figures.await {
        return user.failed(&ApiError::from(e));
    }
    let (l, flash) = frame(&user, c.title, &headers);
    let page = IndexPage {
        l,
        c,
        links: tabs(&user, None),
        stats,
    };
    respond(StatusCode::OK, &page, flash)
}

// ---------------------------------------------------------------- applications

/// Query parameters of the application list.
#[derive(Debug, Default, Deserialize)]
pub struct ApplicationParams {
    status: Option<String>,
    page: Option<String>,
}

/// A segment as an application row shows it.
#[derive(Debug, Clone)]
pub struct SegmentView {
    /// Its id.
    pub id: i64,
    /// First and last code, shown only to the enterprise that owns them.
    pub codes: Option<(String, String)>,
    /// How many codes.
    pub quantity: String,
}

/// One application row.
#[derive(Debug, Clone)]
pub struct ApplicationView {
    /// Id.
    pub id: i64,
    /// Credit code.
    pub enterprise: String,
    /// Enterprise name.
    pub enterprise_name: String,
    /// Product name.
    pub product: String,
    /// Codes asked for.
    pub quantity: String,
    /// Status name (for styling and tests).
    pub status: &'static str,
    /// Status label.
    pub status_label: &'static str,
    /// The applicant's note.
    pub note: Option<String>,
    /// Why it was refused.
    pub reason: Option<String>,
    /// When and by whom it was filed.
    pub applied: String,
    /// When and by whom it was decided.
    pub decided: Option<String>,
    /// The segment, once approved.
    pub segment: Option<SegmentView>,
    /// Whether this user may decide it now.
    pub can_decide: bool,
}

/// The application form of an enterprise user.
#[derive(Debug, Clone)]
pub struct ApplyView {
    /// Its credit code.
    pub enterprise: String,
    /// Its name.
    pub enterprise_name: String,
    /// Its products.
    pub products: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "codes_applications.html")]
struct ApplicationsPage {
    l: Layout,
    c: &'static CodeTexts,
    tabs: Vec<NavLink>,
    back: String,
    statuses: Vec<Choice>,
    filtered: bool,
    error: Option<String>,
    rows: Vec<ApplicationView>,
    decide_column: bool,
    pager: Pager,
    apply: Option<ApplyView>,
}

/// `GET /console/codes/applications`.
pub async fn applications(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    params: Result<Query<ApplicationParams>, QueryRejection>,
) -> Response {
    if !Section::Applications.open_to(user.principal.role) {
        return user.not_found();
    }
    let lang = user.lang;
    let c = i18n::code_texts(lang);
    let p = params.map(|Query(p)| p).unwrap_or_default();
    let wanted = p.status.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let status = wanted.and_then(ApplicationStatus::parse);
    let error = (wanted.is_some() && status.is_none()).then(|| {
        message(
            lang,
            &ApiError::invalid("invalid_query", "status", "unknown status"),
        )
    });
    let page = page_of(p.page.as_deref());
    let scoped = state.store.scoped(&user.principal);
    let found = match scoped.code_applications(status, None, page).await {
        Ok(f) => f,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let may_decide = user.principal.scope(Action::DecideCodes) != Scope::Nothing;
    let items = found.items;
    let rows: Vec<ApplicationView> = items
        .into_iter()
        .map(|a| ApplicationView {
            id: a.id,
            can_decide: may_decide && a.status == ApplicationStatus::Pending,
            status: a.status.as_str(),
            status_label: i18n::application_status(lang, a.status),
            quantity: grouped(a.quantity),
            applied: format!("{} · {}", shanghai_text(&a.applied_at), a.applied_by),
            decided: a.decided_at.as_deref().map(|at| {
                format!(
                    "{} · {}",
                    shanghai_text(at),
                    a.decided_by.clone().unwrap_or_default()
                )
            }),
            segment: a.segment.map(|s| SegmentView {
                id: s.id,
                codes: s.first_code.zip(s.last_code),
                quantity: grouped(s.quantity),
            }),
            enterprise: a.enterprise,
            enterprise_name: a.enterprise_name,
            product: a.product_name,
            note: a.note,
            reason: a.reason,
        })
        .collect();
    let apply = if user.principal.role == Role::Enterprise {
        match apply_view(&state, &user).await {
            Ok(v) => v,
            Err(e) => return user.failed(&e),
        }
    } else {
        None
    };
    let base = match status {
        Some(s) => format!("{APPLICATIONS}?status={}&", s.as_str()),
        None => format!("{APPLICATIONS}?"),
    };
    let (l, flash) = frame(&user, c.apps_title, &headers);
    let page = ApplicationsPage {
        l,
        c,
        tabs: tabs(&user, Some(Section::Applications)),
        back: here(&user),
        statuses: [
            ApplicationStatus::Pending,
            ApplicationStatus::Approved,
            ApplicationStatus::Refused,
        ]
        .into_iter()
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            label: i18n::application_status(lang, s).to_owned(),
            selected: status == Some(s),
        })
        .collect(),
        filtered: status.is_some(),
        error,
        decide_column: rows.iter().any(|r| r.can_decide),
        rows,
        pager: pager(
            lang,
            found.total,
            page.page,
            &base,
            i18n::count(lang, found.total, "份申请", "application", "applications"),
        ),
        apply,
    };
    respond(StatusCode::OK, &page, flash)
}

async fn apply_view(state: &AppState, user: &ConsoleUser) -> Result<Option<ApplyView>, ApiError> {
    let Some((uscc, name)) = own_org(state, user).await? else {
        return Ok(None);
    };
    let products = state
        .store
        .scoped(&user.principal)
        .archive(&uscc)
        .await?
        .map(|a| a.products)
        .unwrap_or_default();
    Ok(Some(ApplyView {
        products: products
            .into_iter()
            .map(|p| Choice {
                value: p.id.to_string(),
                label: match p.specification {
                    Some(s) => format!("{} · {s}", p.name),
                    None => p.name,
                },
                selected: false,
            })
            .collect(),
        enterprise: uscc,
        enterprise_name: name,
    }))
}

/// The application form.
#[derive(Debug, Default, Deserialize)]
pub struct ApplyForm {
    csrf: Option<String>,
    product_id: Option<String>,
    quantity: Option<String>,
    note: Option<String>,
    back: Option<String>,
}

/// `POST /console/codes/applications`: an enterprise user applies for codes.
pub async fn apply(
    State(state): State<AppState>,
    user: ConsoleUser,
    form: Result<Form<ApplyForm>, FormRejection>,
) -> Response {
    let Form(form) = form.unwrap_or_default();
    if !user.csrf_ok(form.csrf.as_deref().unwrap_or("")) {
        return user.csrf_refused();
    }
    if user.principal.role != Role::Enterprise {
        return user.not_found();
    }
    let outcome = async {
        let (uscc, _) = own_org(&state, &user)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let product = whole("product_id", form.product_id.as_deref())?;
        let quantity = whole("quantity", form.quantity.as_deref())?;
        let note = text("note", form.note.as_deref(), 500)?;
        let a = state
            .store
            .scoped(&user.principal)
            .apply_codes(&uscc, product, quantity, note, state.code_limits())
            .await?;
        Ok(Done::Applied {
            id: a.id,
            quantity: a.quantity,
        })
    }
    .await;
    after_post(&user, &back_to(form.back.as_deref(), APPLICATIONS), outcome)
}

/// The approve and refuse forms.
#[derive(Debug, Default, Deserialize)]
pub struct DecideForm {
    csrf: Option<String>,
    reason: Option<String>,
    back: Option<String>,
}

/// `POST /console/codes/applications/{id}/approve`.
pub async fn approve(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
    form: Result<Form<DecideForm>, FormRejection>,
) -> Response {
    let Form(form) = form.unwrap_or_default();
    if !user.csrf_ok(form.csrf.as_deref().unwrap_or("")) {
        return user.csrf_refused();
    }
    let Some(id) = id_of(&id) else {
        return user.not_found();
    };
    let outcome = state
        .store
        .scoped(&user.principal)
        .approve_code_application(id)
        .await
        .map_err(ApiError::from)
        .map(|a| Done::Approved {
            id: a.id,
            quantity: a.quantity,
            segment: a.segment.map(|s| s.id).unwrap_or_default(),
        });
    after_post(&user, &back_to(form.back.as_deref(), APPLICATIONS), outcome)
}

/// `POST /console/codes/applications/{id}/refuse` (a reason is required).
pub async fn refuse(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
    form: Result<Form<DecideForm>, FormRejection>,
) -> Response {
    let Form(form) = form.unwrap_or_default();
    if !user.csrf_ok(form.csrf.as_deref().unwrap_or("")) {
        return user.csrf_refused();
    }
    let Some(id) = id_of(&id) else {
        return user.not_found();
    };
    let outcome = async {
        let reason = required("reason", form.reason.as_deref().unwrap_or(""), 500)?;
        let a = state
            .store
            .scoped(&user.principal)
            .refuse_code_application(id, &reason)
            .await?;
        Ok(Done::Refused { id: a.id })
    }
    .await;
    after_post(&user, &back_to(form.back.as_deref(), APPLICATIONS), outcome)
}

// ---------------------------------------------------------------- print jobs

/// Query parameters of the plain lists.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    page: Option<String>,
}

/// One print job row.
#[derive(Debug, Clone)]
pub struct JobView {
    /// Id.
    pub id: i64,
    /// The segment.
    pub segment_id: i64,
    /// The owner's credit code.
    pub enterprise: String,
    /// The owner's name, when the user may see its archive.
    pub enterprise_name: Option<String>,
    /// The printer's credit code.
    pub printer: String,
    /// The printer's name.
    pub printer_name: String,
    /// First and last code: for the owner and the printer, who may take them.
    pub codes: Option<(String, String)>,
    /// How many codes.
    pub quantity: String,
    /// The same, as the confirm form's default.
    pub quantity_raw: i64,
    /// Status name.
    pub status: String,
    /// Status label.
    pub status_label: String,
    /// Labels printed.
    pub printed: Option<String>,
    /// Labels spoiled.
    pub spoiled: Option<String>,
    /// Downloads of the code file.
    pub downloads: i64,
    /// When handed over.
    pub created_at: String,
    /// When confirmed.
    pub confirmed_at: Option<String>,
    /// The code file, for those who may download it.
    pub download_href: Option<String>,
    /// Whether this user may confirm it now.
    pub can_confirm: bool,
}

/// The caller's own organisation, shown to printers.
#[derive(Debug, Clone)]
pub struct OrgView {
    /// Credit code.
    pub uscc: String,
    /// Name.
    pub name: String,
}

#[derive(Template)]
#[template(path = "codes_print_jobs.html")]
struct JobsPage {
    l: Layout,
    c: &'static CodeTexts,
    tabs: Vec<NavLink>,
    back: String,
    rows: Vec<JobView>,
    pager: Pager,
    /// The hand-over form's segments (enterprise users only).
    segments: Option<Vec<Choice>>,
    me: Option<OrgView>,
    empty_text: &'static str,
}

/// `GET /console/codes/print-jobs`.
pub async fn print_jobs(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Response {
    let role = user.principal.role;
    if !Section::PrintJobs.open_to(role) {
        return user.not_found();
    }
    let lang = user.lang;
    let c = i18n::code_texts(lang);
    let p = params.map(|Query(p)| p).unwrap_or_default();
    let page = page_of(p.page.as_deref());
    let scoped = state.store.scoped(&user.principal);
    let found = match scoped.print_jobs(page).await {
        Ok(f) => f,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let names = Names::of(
        &state,
        &user,
        found.items.iter().map(|j| j.enterprise.clone()).collect(),
    )
    .await;
    // The owner and the printer may take the file; the store checks it again.
    let downloads = matches!(role, Role::Enterprise | Role::Printer);
    let rows = found
        .items
        .into_iter()
        .map(|j| JobView {
            id: j.id,
            segment_id: j.segment_id,
            enterprise_name: names.enterprise(&j.enterprise),
            codes: downloads.then(|| {
                (
                    code_at(&state, j.first_index),
                    code_at(&state, j.first_index + j.quantity - 1),
                )
            }),
            quantity: grouped(j.quantity),
            quantity_raw: j.quantity,
            status_label: i18n::job_status(lang, &j.status),
            can_confirm: role == Role::Printer && j.status == "assigned",
            printed: j.printed.map(grouped),
            spoiled: j.spoiled.map(grouped),
            downloads: j.downloads,
            created_at: shanghai_text(&j.created_at),
            confirmed_at: j.confirmed_at.as_deref().map(shanghai_text),
            download_href: downloads.then(|| {
                format!(
                    "/api/v1/segments/{}/codes?format=csv&print_job={}",
                    j.segment_id, j.id
                )
            }),
            status: j.status,
            enterprise: j.enterprise,
            printer: j.printer,
            printer_name: j.printer_name,
        })
        .collect();
    let segments = if role == Role::Enterprise {
        match segment_choices(&state, &user).await {
            Ok(s) => Some(s),
            Err(e) => return user.failed(&e),
        }
    } else {
        None
    };
    let me = if role == Role::Printer {
        match own_org(&state, &user).await {
            Ok(o) => o.map(|(uscc, name)| OrgView { uscc, name }),
            Err(e) => return user.failed(&e),
        }
    } else {
        None
    };
    let (l, flash) = frame(&user, c.jobs_title, &headers);
    let page = JobsPage {
        l,
        c,
        tabs: tabs(&user, Some(Section::PrintJobs)),
        back: here(&user),
        rows,
        pager: pager(
            lang,
            found.total,
            page.page,
            &format!("{PRINT_JOBS}?"),
            i18n::count(lang, found.total, "个印刷任务", "print job", "print jobs"),
        ),
        segments,
        me,
        empty_text: if role == Role::Printer {
            c.jobs_empty_printer
        } else {
            c.jobs_empty
        },
    };
    respond(StatusCode::OK, &page, flash)
}

/// The enterprise's segments, newest first, as choices of the hand-over form.
async fn segment_choices(state: &AppState, user: &ConsoleUser) -> Result<Vec<Choice>, ApiError> {
    let segments = state
        .store
        .scoped(&user.principal)
        .segments(Page {
            page: 1,
            per_page: 100,
        })
        .await?
        .items;
    let names = Names::of(
        state,
        user,
        segments.iter().map(|s| s.enterprise.clone()).collect(),
    )
    .await;
    Ok(segments
        .into_iter()
        .map(|s| Choice {
            value: s.id.to_string(),
            label: format!(
                "#{} {} · {} – {} ({})",
                s.id,
                names.product(s.product_id),
                s.first_code.unwrap_or_default(),
                s.last_code.unwrap_or_default(),
                grouped(s.quantity)
            ),
            selected: false,
        })
        .collect())
}

/// The hand-over form.
#[derive(Debug, Default, Deserialize)]
pub struct HandForm {
    csrf: Option<String>,
    segment_id: Option<String>,
    printer: Option<String>,
    offset: Option<String>,
    quantity: Option<String>,
    back: Option<String>,
}

/// `POST /console/codes/print-jobs`: the enterprise hands (part of) a segment to a
/// printer named by its credit code.
pub async fn create_print_job(
    State(state): State<AppState>,
    user: ConsoleUser,
    form: Result<Form<HandForm>, FormRejection>,
) -> Response {
    let Form(form) = form.unwrap_or_default();
    if !user.csrf_ok(form.csrf.as_deref().unwrap_or("")) {
        return user.csrf_refused();
    }
    let outcome = async {
        let segment = whole("segment_id", form.segment_id.as_deref())?;
        let typed = form.printer.as_deref().unwrap_or("").trim();
        if typed.is_empty() {
            return Err(ApiError::invalid(
                "required",
                "printer",
                "printer is required",
            ));
        }
        // People type credit codes in lower case or with full-width characters; the
        // parser normalises them. A code it refuses goes to the store as typed, which
        // then answers that no such printer is registered.
        let printer = zhijian_core::uscc::Uscc::parse(typed)
            .map_or_else(|_| typed.to_owned(), |u| u.as_str().to_owned());
        let offset = optional_whole("offset", form.offset.as_deref())?;
        let quantity = optional_whole("quantity", form.quantity.as_deref())?;
        let job = state
            .store
            .scoped(&user.principal)
            .create_print_job(segment, &printer, offset, quantity)
            .await?;
        Ok(Done::Handed {
            id: job.id,
            quantity: job.quantity,
        })
    }
    .await;
    after_post(&user, &back_to(form.back.as_deref(), PRINT_JOBS), outcome)
}

/// The printer's confirmation form.
#[derive(Debug, Default, Deserialize)]
pub struct ConfirmForm {
    csrf: Option<String>,
    printed: Option<String>,
    spoiled: Option<String>,
    back: Option<String>,
}

/// `POST /console/codes/print-jobs/{id}/confirm`.
pub async fn confirm_print_job(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
    form: Result<Form<ConfirmForm>, FormRejection>,
) -> Response {
    let Form(form) = form.unwrap_or_default();
    if !user.csrf_ok(form.csrf.as_deref().unwrap_or("")) {
        return user.csrf_refused();
    }
    let Some(id) = id_of(&id) else {
        return user.not_found();
    };
    let outcome = async {
        let printed = whole("printed", form.printed.as_deref())?;
        let spoiled = optional_whole("spoiled", form.spoiled.as_deref())?.unwrap_or(0);
        let job = state
            .store
            .scoped(&user.principal)
            .confirm_print_job(id, printed, spoiled)
            .await?;
        Ok(Done::Confirmed {
            id: job.id,
            printed: job.printed.unwrap_or(printed),
            spoiled: job.spoiled.unwrap_or(spoiled),
        })
    }
    .await;
    after_post(&user, &back_to(form.back.as_deref(), PRINT_JOBS), outcome)
}

// ---------------------------------------------------------------- activation

/// The values of the activation form (kept when a submission is refused).
#[derive(Debug, Clone, Default)]
pub struct ActivateForm {
    /// Lot number.
    pub lot: String,
    /// Production date.
    pub production_date: String,
    /// Expiry date.
    pub expiry_date: String,
    /// Inspection report number.
    pub inspection_report: String,
    /// Pasted codes.
    pub codes: String,
    /// First code of a range.
    pub first: String,
    /// Last code of a range.
    pub last: String,
}

/// A printed range the enterprise may activate codes from.
#[derive(Debug, Clone)]
pub struct ReadyView {
    /// The print job.
    pub job: i64,
    /// Its first code.
    pub first_code: String,
    /// Its last printed (or spoiled) code.
    pub last_code: String,
    /// How many.
    pub count: String,
}

#[derive(Template)]
#[template(path = "codes_activate.html")]
struct ActivatePage {
    l: Layout,
    c: &'static CodeTexts,
    tabs: Vec<NavLink>,
    form: ActivateForm,
    error: Option<String>,
    named: Vec<String>,
    ready: Vec<ReadyView>,
}

/// The confirmed print jobs of the enterprise: the ranges activation accepts.
async fn ready_ranges(state: &AppState, user: &ConsoleUser) -> Result<Vec<ReadyView>, ApiError> {
    let jobs = state
        .store
        .scoped(&user.principal)
        .print_jobs(Page {
            page: 1,
            per_page: 100,
        })
        .await?
        .items;
    Ok(jobs
        .into_iter()
        .filter(|j| j.status == "confirmed")
        .filter_map(|j| {
            // Spoiled labels count too: the store lets them be activated (and then
            // decommissioned), so the range shown is the one it accepts.
            let n = j.printed.unwrap_or(0) + j.spoiled.unwrap_or(0);
            (n > 0).then(|| ReadyView {
                job: j.id,
                first_code: code_at(state, j.first_index),
                last_code: code_at(state, j.first_index + n - 1),
                count: grouped(n),
            })
        })
        .collect())
}

async fn activate_page(
    state: &AppState,
    user: &ConsoleUser,
    headers: &HeaderMap,
    status: StatusCode,
    form: ActivateForm,
    refused: Option<ApiError>,
) -> Response {
    let c = i18n::code_texts(user.lang);
    let ready = match ready_ranges(state, user).await {
        Ok(r) => r,
        Err(e) => return user.failed(&e),
    };
    let (mut l, flash) = frame(user, c.act_title, headers);
    if let Some(e) = &refused {
        l.flash = Some(FlashView {
            ok: false,
            text: format!("{}{}", user.t().not_done, message(user.lang, e)),
        });
    }
    let page = ActivatePage {
        l,
        c,
        tabs: tabs(user, Some(Section::Activate)),
        form: ActivateForm {
            production_date: if form.production_date.is_empty() {
                today()
            } else {
                form.production_date.clone()
            },
            ..form
        },
        error: refused.as_ref().map(|e| message(user.lang, e)),
        named: refused.map(|e| e.codes).unwrap_or_default(),
        ready,
    };
    respond(status, &page, flash)
}

/// `GET /console/codes/activate` (enterprise users).
pub async fn activate_form(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
) -> Response {
    if !Section::Activate.open_to(user.principal.role) {
        return user.not_found();
    }
    activate_page(
        &state,
        &user,
        &headers,
        StatusCode::OK,
        ActivateForm::default(),
        None,
    )
    .await
}

/// What the activation form sent.
#[derive(Debug, Default)]
struct Sent {
    csrf: String,
    form: ActivateForm,
    file: Option<Vec<u8>>,
    /// Why reading stopped early.
    error: Option<ApiError>,
}

fn upload_error(detail: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_upload", detail).field("file")
}

/// Reads every field, each bounded (the route has no global body limit): the file by
/// `max_file`, the pasted list by [`MAX_PASTED_BYTES`], the rest by [`MAX_TEXT_BYTES`].
async fn read_activation(mut form: Multipart, max_file: usize) -> Sent {
    let mut sent = Sent::default();
    let result = async {
        while let Some(mut field) = form
            .next_field()
            .await
            .map_err(|e| upload_error(e.body_text()))?
        {
            let name = field.name().unwrap_or("").to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let limit = match name.as_str() {
                "file" => max_file,
                "codes" => MAX_PASTED_BYTES,
                _ => MAX_TEXT_BYTES,
            };
            let mut bytes = Vec::new();
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|e| upload_error(e.body_text()))?
            {
                if bytes.len() + chunk.len() > limit {
                    return Err(ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        format!("{name} is larger than {limit} bytes"),
                    )
                    .field(name));
                }
                bytes.extend_from_slice(&chunk);
            }
            let text = || String::from_utf8_lossy(&bytes).into_owned();
            match name.as_str() {
                "csrf" => sent.csrf = text(),
                "lot" => sent.form.lot = text(),
                "production_date" => sent.form.production_date = text(),
                "expiry_date" => sent.form.expiry_date = text(),
                "inspection_report" => sent.form.inspection_report = text(),
                "codes" => sent.form.codes = text(),
                "first" => sent.form.first = text(),
                "last" => sent.form.last = text(),
                // An empty file input still sends a part, with no name and no bytes.
                "file" if !bytes.is_empty() || file_name.is_some_and(|n| !n.is_empty()) => {
                    sent.file = Some(bytes);
                }
                _ => {}
            }
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        sent.error = Some(e);
    }
    sent
}

/// Why a line is not a code, in words.
fn line_reason(lang: Lang, code: &str) -> String {
    match lang {
        Lang::Zh => messages::zh(code).unwrap_or(code).to_owned(),
        Lang::En => match code {
            "code_empty" => "empty",
            "code_not_numeric" => "not only digits",
            "code_length" => "not 20 digits",
            "code_mistyped" => "the check digit does not match",
            "code_unknown_node" => "no node has these first two digits",
            other => other,
        }
        .to_owned(),
    }
}

/// `第 3 行：1234（监管码应为20位数字）`.
fn bad_line(lang: Lang, line: usize, text: &str, code: &str) -> String {
    let c = i18n::code_texts(lang);
    let cut: String = text.chars().take(40).collect();
    match lang {
        Lang::Zh => format!(
            "{}{}{cut}（{}）",
            c.line.replace("{}", &line.to_string()),
            c.colon,
            line_reason(lang, code)
        ),
        Lang::En => format!(
            "{}{}{cut} ({})",
            c.line.replace("{}", &line.to_string()),
            c.colon,
            line_reason(lang, code)
        ),
    }
}

/// Reads the pasted list: one code per line; blank lines are skipped. Bad lines are
/// named with their line numbers.
fn pasted_codes(lang: Lang, pasted: &str) -> Result<Vec<String>, ApiError> {
    let mut codes = Vec::new();
    let mut bad = Vec::new();
    let mut count = 0;
    for (i, line) in pasted.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match SupervisionCode::parse(line) {
            Ok(c) => codes.push(c.to_string()),
            Err(e) => {
                count += 1;
                if bad.len() < 20 {
                    bad.push(bad_line(lang, i + 1, line, e.code()));
                }
            }
        }
    }
    if count > 0 {
        let mut e = ApiError::invalid(
            "list_bad_lines",
            "codes",
            format!("{count} line(s) are not valid codes"),
        );
        e.codes = bad;
        return Err(e);
    }
    if codes.len() > MAX_LISTED_CODES {
        return Err(ListError::TooMany {
            max: MAX_LISTED_CODES,
        }
        .into());
    }
    Ok(codes)
}

/// Reads an uploaded list (one code per line, or the first column of a CSV file).
fn file_codes(lang: Lang, bytes: &[u8]) -> Result<Vec<String>, ApiError> {
    parse_code_list(bytes, MAX_LISTED_CODES)
        .map(|list| list.iter().map(ToString::to_string).collect())
        .map_err(|e| {
            let mut err = ApiError::from(e.clone());
            if let ListError::BadLines { lines, .. } = e {
                err.codes = lines
                    .iter()
                    .map(|l| bad_line(lang, l.line, &l.text, &l.error))
                    .collect();
            }
            err
        })
}

/// `POST /console/codes/activate` (multipart): activates codes given as a pasted list,
/// a first/last range and/or a file on a batch. A refusal is shown on the form itself,
/// with the codes the store names.
pub async fn activate(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let Ok(form) = form else {
        return user.failed(&upload_error("send the form as multipart/form-data"));
    };
    let mut sent = read_activation(form, state.config.max_attachment_bytes).await;
    if !user.csrf_ok(&sent.csrf) {
        return user.csrf_refused();
    }
    if !Section::Activate.open_to(user.principal.role) {
        return user.not_found();
    }
    let lang = user.lang;
    let outcome = async {
        if let Some(e) = sent.error.take() {
            return Err(e);
        }
        let f = &sent.form;
        let mut codes = pasted_codes(lang, &f.codes)?;
        if let Some(bytes) = &sent.file {
            codes.extend(file_codes(lang, bytes)?);
        }
        let ranges = match (f.first.trim(), f.last.trim()) {
            ("", "") => None,
            (first, last) if !first.is_empty() && !last.is_empty() => {
                Some(serde_json::json!([{ "first": first, "last": last }]))
            }
            (_, "") => {
                return Err(ApiError::invalid(
                    "required",
                    "last",
                    "give the last code of the range too",
                ));
            }
            _ => {
                return Err(ApiError::invalid(
                    "required",
                    "first",
                    "give the first code of the range too",
                ));
            }
        };
        let blank = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        // The API's own input and handler: one parser and one set of checks for the
        // JSON API and the form.
        let input = serde_json::from_value(serde_json::json!({
            "codes": (!codes.is_empty()).then_some(codes),
            "ranges": ranges,
            "batch": {
                "lot": f.lot,
                "production_date": f.production_date,
                "expiry_date": blank(&f.expiry_date),
                "inspection_report": blank(&f.inspection_report),
            },
        }))
        .map_err(|e| ApiError::invalid("invalid_value", "", e.to_string()))?;
        let (_, done) = crate::api::codes::activate(
            State(state.clone()),
            Authed(user.principal.clone()),
            Json(input),
        )
        .await?;
        Ok(Done::Activated {
            count: done.activated,
            lot: done.batch.lot.clone(),
        })
    }
    .await;
    match outcome {
        Ok(done) => redirect_with(BATCHES, &[Flash::Codes(done).cookie()]),
        Err(e) if e.status.is_server_error() => user.failed(&e),
        Err(e) => {
            let status = if e.status == StatusCode::PAYLOAD_TOO_LARGE {
                e.status
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            activate_page(&state, &user, &headers, status, sent.form, Some(e)).await
        }
    }
}

// ---------------------------------------------------------------- batches

/// One batch row.
#[derive(Debug, Clone)]
pub struct BatchView {
    /// Id.
    pub id: i64,
    /// Lot number.
    pub lot: String,
    /// Product name.
    pub product: String,
    /// The maker's credit code.
    pub enterprise: String,
    /// The maker's name.
    pub enterprise_name: Option<String>,
    /// Production date.
    pub production_date: String,
    /// Expiry date.
    pub expiry_date: Option<String>,
    /// Inspection report number.
    pub inspection_report: Option<String>,
    /// Codes activated on it.
    pub activated: String,
    /// Status name.
    pub status: String,
    /// Status label.
    pub status_label: String,
    /// In circulation but past its expiry date: its codes verify as expired.
    pub expired: bool,
    /// Why it was recalled or decommissioned.
    pub status_reason: Option<String>,
    /// When it was created.
    pub created_at: String,
    /// Whether this user may recall or decommission it now.
    pub can_flag: bool,
}

#[derive(Template)]
#[template(path = "codes_batches.html")]
struct BatchesPage {
    l: Layout,
    c: &'static CodeTexts,
    tabs: Vec<NavLink>,
    back: String,
    rows: Vec<BatchView>,
    pager: Pager,
    /// The two flags a batch can take: form action and button label.
    flags: [(&'static str, &'static str); 2],
}

/// `GET /console/codes/batches`.
pub async fn batches(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Response {
    if !Section::Batches.open_to(user.principal.role) {
        return user.not_found();
    }
    let lang = user.lang;
    let c = i18n::code_texts(lang);
    let p = params.map(|Query(p)| p).unwrap_or_default();
    let page = page_of(p.page.as_deref());
    let found = match state.store.scoped(&user.principal).batches(page).await {
        Ok(f) => f,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let names = Names::of(
        &state,
        &user,
        found.items.iter().map(|b| b.enterprise.clone()).collect(),
    )
    .await;
    let may_flag = user.principal.scope(Action::FlagBatch) != Scope::Nothing;
    // ISO dates compare as text.
    let today = today();
    let rows = found
        .items
        .into_iter()
        .map(|b| BatchView {
            id: b.id,
            product: names.product(b.product_id),
            enterprise_name: names.enterprise(&b.enterprise),
            activated: grouped(b.activated),
            status_label: i18n::batch_status(lang, &b.status),
            can_flag: may_flag && b.status == "active",
            expired: b.status == "active"
                && b.expiry_date.as_deref().is_some_and(|d| d < today.as_str()),
            created_at: shanghai_text(&b.created_at),
            lot: b.lot,
            enterprise: b.enterprise,
            production_date: b.production_date,
            expiry_date: b.expiry_date,
            inspection_report: b.inspection_report,
            status: b.status,
            status_reason: b.status_reason,
        })
        .collect();
    let (l, flash) = frame(&user, c.batches_title, &headers);
    let page = BatchesPage {
        l,
        c,
        tabs: tabs(&user, Some(Section::Batches)),
        back: here(&user),
        rows,
        pager: pager(
            lang,
            found.total,
            page.page,
            &format!("{BATCHES}?"),
            i18n::count(lang, found.total, "个批次", "batch", "batches"),
        ),
        flags: [("recall", c.recall), ("decommission", c.decommission)],
    };
    respond(StatusCode::OK, &page, flash)
}

/// The recall / decommission form.
#[derive(Debug, Default, Deserialize)]
pub struct FlagForm {
    csrf: Option<String>,
    action: Option<String>,
    reason: Option<String>,
    back: Option<String>,
}

/// `POST /console/codes/batches/{id}/flag` with `action` `recall` or `decommission`.
pub async fn flag_batch(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
    form: Result<Form<FlagForm>, FormRejection>,
) -> Response {
    let Form(form) = form.unwrap_or_default();
    if !user.csrf_ok(form.csrf.as_deref().unwrap_or("")) {
        return user.csrf_refused();
    }
    let Some(id) = id_of(&id) else {
        return user.not_found();
    };
    let outcome = async {
        let flag = match form.action.as_deref().map(str::trim) {
            Some("recall") => BatchFlag::Recalled,
            Some("decommission") => BatchFlag::Decommissioned,
            _ => {
                return Err(ApiError::invalid(
                    "invalid_value",
                    "action",
                    "action must be recall or decommission",
                ));
            }
        };
        let reason = required("reason", form.reason.as_deref().unwrap_or(""), 500)?;
        let b = state
            .store
            .scoped(&user.principal)
            .flag_batch(id, flag, &reason)
            .await?;
        Ok(Done::Flagged {
            id: b.id,
            recalled: flag == BatchFlag::Recalled,
            lot: b.lot,
        })
    }
    .await;
    after_post(&user, &back_to(form.back.as_deref(), BATCHES), outcome)
}

// ---------------------------------------------------------------- a code's history

/// Query parameters of the history page.
#[derive(Debug, Default, Deserialize)]
pub struct HistoryParams {
    code: Option<String>,
    page: Option<String>,
}

/// One recorded query.
#[derive(Debug, Clone)]
pub struct QueryView {
    /// When (China Standard Time).
    pub at: String,
    /// Channel label (with the terminal, if one asked).
    pub channel: String,
    /// Where.
    pub region: String,
    /// Verdict name.
    pub verdict: String,
    /// Verdict label.
    pub verdict_label: String,
    /// `ok`, `warn` or `bad`, for the badge colour.
    pub tone: &'static str,
}

#[derive(Template)]
#[template(path = "code_history.html")]
struct HistoryPage {
    l: Layout,
    c: &'static CodeTexts,
    tabs: Vec<NavLink>,
    typed: String,
    code: Option<String>,
    error: Option<String>,
    rows: Vec<QueryView>,
    pager: Option<Pager>,
}

fn tone(verdict: &str) -> &'static str {
    match Verdict::parse(verdict) {
        Some(Verdict::Genuine) => "ok",
        Some(Verdict::GenuineRepeat | Verdict::Mistyped) => "warn",
        _ => "bad",
    }
}

/// `GET /console/codes/history?code=…`.
pub async fn history(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    params: Result<Query<HistoryParams>, QueryRejection>,
) -> Response {
    if !Section::History.open_to(user.principal.role) {
        return user.not_found();
    }
    let lang = user.lang;
    let c = i18n::code_texts(lang);
    let p = params.map(|Query(p)| p).unwrap_or_default();
    let typed = p.code.as_deref().unwrap_or("").trim().to_owned();
    let (l, flash) = frame(&user, c.history_title, &headers);
    let mut page = HistoryPage {
        l,
        c,
        tabs: tabs(&user, Some(Section::History)),
        typed: typed.clone(),
        code: None,
        error: None,
        rows: Vec::new(),
        pager: None,
    };
    if typed.is_empty() {
        return respond(StatusCode::OK, &page, flash);
    }
    let code = match SupervisionCode::parse(&typed) {
        Ok(code) => code,
        Err(e) => {
            page.error = Some(message(lang, &ApiError::from(e)));
            return respond(StatusCode::UNPROCESSABLE_ENTITY, &page, flash);
        }
    };
    let shown = code.to_string();
    page.typed = shown.clone();
    let n = page_of(p.page.as_deref());
    match state
        .store
        .scoped(&user.principal)
        .code_history(&code, n)
        .await
        .map_err(ApiError::from)
    {
        Ok(found) => {
            page.rows = found
                .items
                .into_iter()
                .map(|r| QueryView {
                    at: shanghai_text(&r.at),
                    channel: match r.terminal_id {
                        Some(t) => {
                            format!("{} · {} #{t}", i18n::channel(lang, &r.channel), c.terminal)
                        }
                        None => i18n::channel(lang, &r.channel),
                    },
                    region: place(lang, r.region.as_deref()),
                    verdict_label: i18n::verdict(lang, &r.verdict),
                    tone: tone(&r.verdict),
                    verdict: r.verdict,
                })
                .collect();
            page.pager = Some(pager(
                lang,
                found.total,
                n.page,
                &format!("{HISTORY}?code={}&", pct_encode(&shown)),
                i18n::count(lang, found.total, "次查询", "query", "queries"),
            ));
            page.code = Some(shown);
            respond(StatusCode::OK, &page, flash)
        }
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            page.error = Some(c.history_not_found.to_owned());
            respond(StatusCode::NOT_FOUND, &page, flash)
        }
        Err(e) if e.status.is_client_error() => {
            page.error = Some(message(lang, &e));
            respond(StatusCode::UNPROCESSABLE_ENTITY, &page, flash)
        }
        Err(e) => user.failed(&e),
    }
}

// ---------------------------------------------------------------- signals

/// One counterfeit signal.
#[derive(Debug, Clone)]
pub struct SignalView {
    /// Id.
    pub id: i64,
    /// When.
    pub at: String,
    /// Kind name.
    pub kind: String,
    /// Kind in words.
    pub kind_label: String,
    /// The code (absent for codes this node never issued).
    pub code: Option<String>,
    /// Where the query happened.
    pub region: String,
    /// The enterprise's credit code.
    pub enterprise: Option<String>,
    /// Its name.
    pub enterprise_name: Option<String>,
    /// Details in words.
    pub details: String,
}

#[derive(Template)]
#[template(path = "codes_signals.html")]
struct SignalsPage {
    l: Layout,
    c: &'static CodeTexts,
    tabs: Vec<NavLink>,
    rows: Vec<SignalView>,
    pager: Pager,
}

/// `GET /console/codes/signals`.
pub async fn signals(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Response {
    if !Section::Signals.open_to(user.principal.role) {
        return user.not_found();
    }
    let lang = user.lang;
    let c = i18n::code_texts(lang);
    let p = params.map(|Query(p)| p).unwrap_or_default();
    let page = page_of(p.page.as_deref());
    let found = match state
        .store
        .scoped(&user.principal)
        .counterfeit_signals(page)
        .await
    {
        Ok(f) => f,
        Err(e) => return user.failed(&ApiError::from(e)),
    };
    let names = Names::of(
        &state,
        &user,
        found
            .items
            .iter()
            .filter_map(|s| s.enterprise.clone())
            .collect(),
    )
    .await;
    let rows = found
        .items
        .into_iter()
        .map(|s| SignalView {
            id: s.id,
            at: shanghai_text(&s.at),
            kind_label: i18n::signal_kind(lang, &s.kind),
            details: i18n::signal_detail(lang, &s.kind, &s.detail),
            region: place(lang, s.region.as_deref()),
            enterprise_name: s.enterprise.as_deref().and_then(|e| names.enterprise(e)),
            enterprise: s.enterprise,
            code: s.code,
            kind: s.kind,
        })
        .collect();
    let (l, flash) = frame(&user, c.signals_title, &headers);
    let page = SignalsPage {
        l,
        c,
        tabs: tabs(&user, Some(Section::Signals)),
        rows,
        pager: pager(
            lang,
            found.total,
            page.page,
            &format!("{SIGNALS}?"),
            i18n::count(lang, found.total, "条线索", "signal", "signals"),
        ),
    };
    respond(StatusCode::OK, &page, flash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn done_messages_survive_their_encoding() {
        for d in [
            Done::Applied {
                id: 7,
                quantity: 100,
            },
            Done::Approved {
                id: 7,
                quantity: 100,
                segment: 12,
            },
            Done::Refused { id: 9 },
            Done::Handed {
                id: 3,
                quantity: 50,
            },
            Done::Confirmed {
                id: 3,
                printed: 48,
                spoiled: 2,
            },
            Done::Activated {
                count: 10,
                lot: "L|2026 批".into(),
            },
            Done::Flagged {
                id: 4,
                recalled: false,
                lot: "B-1".into(),
            },
        ] {
            assert_eq!(Done::decode(&d.encode()), Some(d));
        }
        assert_eq!(Done::decode("approved|x|1|a|b"), None);
        assert_eq!(Done::decode("nonsense"), None);
    }

    #[test]
    fn forms_only_return_to_code_pages() {
        for (sent, expect) in [
            (
                Some("/console/codes/applications?status=pending&page=2"),
                "/console/codes/applications?status=pending&page=2",
            ),
            (Some("/console/codes"), "/console/codes"),
            (Some("https://evil.example/console/codes"), BATCHES),
            (Some("//evil.example/console/codes/"), BATCHES),
            (Some("/console/codes/../../logout"), BATCHES),
            (Some("/console/enterprises"), BATCHES),
            (None, BATCHES),
        ] {
            assert_eq!(back_to(sent, BATCHES), expect, "{sent:?}");
        }
    }

    #[test]
    fn big_numbers_are_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(12_345_678), "12,345,678");
        assert_eq!(grouped(-1000), "-1,000");
    }

    #[test]
    fn every_role_sees_only_its_pages() {
        let open = |r| {
            Section::ALL
                .into_iter()
                .filter(|s| s.open_to(r))
                .collect::<Vec<_>>()
        };
        assert_eq!(open(Role::Printer), vec![Section::PrintJobs]);
        assert!(open(Role::Lab).is_empty());
        assert_eq!(open(Role::Enterprise).len(), 6);
        assert!(!open(Role::Officer).contains(&Section::Activate));
    }

    #[test]
    fn pasted_lines_are_named_by_number() {
        let e = pasted_codes(Lang::Zh, "\n13000000000000000018x\n\nabc\n").unwrap_err();
        assert_eq!(e.code, "list_bad_lines");
        assert_eq!(e.codes.len(), 2);
        assert!(e.codes[0].starts_with("第 2 行："), "{:?}", e.codes);
        assert!(e.codes[1].starts_with("第 4 行：abc"), "{:?}", e.codes);
        assert_eq!(
            pasted_codes(Lang::En, "  \n").unwrap(),
            Vec::<String>::new()
        );
    }
}
