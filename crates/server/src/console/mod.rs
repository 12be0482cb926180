//! The console: server-rendered pages for officers and enterprise users, in Chinese by
//! default and in English on request, usable on a phone and without JavaScript.
//!
//! Pages live under `/console` (plus `/login`, `/logout` and the stylesheet). They use
//! the same session cookie and store scope as the JSON API; every form carries the
//! session's CSRF token in a hidden `csrf` field. A visitor without a valid session is
//! sent to `/login?next=…`; `?lang=en` or `?lang=zh` on any page sets the `lang` cookie.
//!
//! Handlers build plain view structs (strings already localised and formatted) so the
//! askama templates in `crates/server/templates` stay free of logic.

pub mod blacklist;
pub mod cases;
pub mod chart;
pub mod codes;
pub mod complaints;
pub mod dossier;
pub mod enterprises;
pub mod events;
pub mod fields;
pub mod flow_graph;
pub mod grades;
pub mod home;
pub mod i18n;
pub mod incidents;
pub mod join;
pub mod licences;
pub mod paging;
pub mod recalls;
pub mod records;
pub mod registrations;
pub mod samples;
pub mod sampling;
pub mod sampling_stats;
pub mod sampling_texts;
pub mod session;
pub mod start;
pub mod terminals;
pub mod tilemap;
pub mod trace;
pub mod warnings;

use std::sync::LazyLock;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Request};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use zhijian_core::access::Principal;

use crate::auth::{Caller, cookie};
use crate::error::ApiError;
use crate::lang::Lang;
use crate::messages;
use crate::state::AppState;
use i18n::Texts;

/// The cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "lang";
/// The cookie that carries a one-time message to the next page.
pub const FLASH_COOKIE: &str = "zj_flash";

/// The stylesheet, embedded so the binary is the whole deployment.
const CSS: &str = include_str!("../../static/console.css");

/// `/static/console.css?v=…`: the version changes with the content, so the file can be
/// cached for a year and a new build is still picked up at once.
static CSS_HREF: LazyLock<String> = LazyLock::new(|| {
    // FNV-1a: stable across builds and platforms, unlike std's hasher.
    let hash = CSS.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("/static/console.css?v={:08x}", hash >> 32)
});

/// Every console route; merged into the application router.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/login", get(session::login_page).post(session::login))
        .route(
            "/join",
            get(join::form).post(join::submit.layer(axum::middleware::from_fn_with_state(
                state.clone(),
                crate::ratelimit::limit_joining,
            ))),
        )
        .route(
            "/join/shop",
            get(join::shop_form).post(join::shop_submit.layer(
                axum::middleware::from_fn_with_state(
                    state.clone(),
                    crate::ratelimit::limit_joining,
                ),
            )),
        )
        .route("/join/{id}", get(join::status))
        .route("/logout", post(session::logout))
        .route("/console", get(home::home))
        .route("/console/start", get(start::start))
        .route("/console/warnings", get(warnings::list))
        .route("/console/risk", get(warnings::dashboard))
        .route("/console/warnings/{id}", get(warnings::one))
        .route(
            "/console/warnings/{id}/transition",
            post(warnings::transition),
        )
        .route("/console/warnings/{id}/publish", post(warnings::publish))
        .route("/console/start/print", post(start::print))
        .route("/console/enterprises", get(enterprises::list))
        .route("/console/enterprises/{uscc}", get(enterprises::archive))
        .route(
            "/console/enterprises/{uscc}/records",
            // The handler bounds every multipart field itself (the file by the
            // configured attachment limit), so the global body limit must not cut the
            // upload short first.
            post(records::add).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/console/licences/{id}/transition",
            post(licences::transition),
        )
        .route("/console/codes", get(codes::index))
        .route(
            "/console/codes/applications",
            get(codes::applications).post(codes::apply),
        )
        .route(
            "/console/codes/applications/{id}/approve",
            post(codes::approve),
        )
        .route(
            "/console/codes/applications/{id}/refuse",
            post(codes::refuse),
        )
        .route(
            "/console/codes/print-jobs",
            get(codes::print_jobs).post(codes::create_print_job),
        )
        .route(
            "/console/codes/print-jobs/{id}/confirm",
            post(codes::confirm_print_job),
        )
        .route(
            "/console/codes/activate",
            // Like the record form: the handler bounds each field itself (the file by
            // the attachment limit, as the API's upload route does).
            get(codes::activate_form)
                .post(codes::activate)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/console/codes/batches", get(codes::batches))
        .route("/console/batches/{id}/dossier", get(dossier::page))
        .route("/console/events", get(events::list))
        .route("/console/events/{event_id}", get(events::one))
        .route("/console/codes/batches/{id}/flag", post(codes::flag_batch))
        .route("/console/codes/history", get(codes::history))
        .route("/console/codes/signals", get(codes::signals))
        .route("/console/sampling", get(sampling::index))
        .route("/console/sampling/plans", post(sampling::create_plan))
        .route("/console/sampling/plans/{id}", get(sampling::plan))
        .route(
            "/console/sampling/plans/{id}/approve",
            post(sampling::approve),
        )
        .route(
            "/console/sampling/plans/{id}/publish",
            post(sampling::publish),
        )
        .route("/console/sampling/plans/{id}/draw", post(sampling::draw))
        .route(
            "/console/sampling/plans/{id}/announce",
            post(sampling::announce),
        )
        .route(
            "/console/sampling/plans/{plan}/tasks/{task}/sample",
            // The handler bounds every part itself (photos by the attachment limit).
            get(samples::take_form)
                .post(samples::take)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/console/sampling/samples/{id}", get(samples::sample))
        .route(
            "/console/sampling/samples/{id}/photos",
            post(samples::add_photo).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/console/sampling/samples/{id}/confirm",
            post(samples::confirm),
        )
        .route(
            "/console/sampling/samples/{id}/report",
            post(samples::report),
        )
        .route(
            "/console/sampling/samples/{id}/objection",
            post(samples::object),
        )
        .route(
            "/console/sampling/samples/{id}/decision",
            post(samples::decide),
        )
        .route(
            "/console/sampling/samples/{id}/rectification",
            post(samples::order),
        )
        .route(
            "/console/sampling/samples/{id}/measures",
            post(samples::measures),
        )
        .route(
            "/console/sampling/samples/{id}/follow-up",
            post(samples::follow_up),
        )
        .route(
            "/console/sampling/samples/{id}/escalation",
            post(samples::escalate),
        )
        .route("/console/sampling/stats", get(sampling_stats::page))
        .route("/console/registrations", get(registrations::list))
        .route("/console/enterprises/{uscc}/grade", get(grades::grade))
        .route(
            "/console/enterprises/{uscc}/commitments",
            post(grades::publish),
        )
        .route(
            "/console/enterprises/{uscc}/commitments/{id}/withdraw",
            post(grades::withdraw),
        )
        .route("/console/grades", get(grades::distribution))
        .route("/console/my-grade", get(grades::mine))
        .route("/console/trace", get(trace::page))
        .route(
            "/console/incidents",
            get(incidents::list).post(incidents::open),
        )
        .route("/console/incidents/{id}", get(incidents::page))
        .route("/console/incidents/{id}/act", post(incidents::act))
        .route("/console/recalls", get(recalls::list).post(recalls::start))
        .route("/console/recalls/{id}", get(recalls::page))
        .route("/console/recalls/{id}/act", post(recalls::act))
        .route(
            "/console/blacklist",
            get(blacklist::list).post(blacklist::add),
        )
        .route("/console/blacklist/{id}/remove", post(blacklist::remove))
        .route("/console/cases", get(cases::list).post(cases::open))
        .route("/console/cases/{id}", get(cases::page))
        .route("/console/cases/{id}/act", post(cases::act))
        .route("/console/cases/{id}/files", post(cases::add_file))
        .route("/console/complaints", get(complaints::list))
        .route("/console/complaints/{id}", get(complaints::page))
        .route("/console/complaints/{id}/act", post(complaints::act))
        .route("/console/supervision", get(grades::due))
        .route(
            "/console/grading/rules",
            get(grades::rules).post(grades::set_rules),
        )
        .route("/console/terminals", get(terminals::list))
        .route("/console/terminals/{id}/suspend", post(terminals::suspend))
        .route(
            "/console/registrations/{id}/decision",
            post(registrations::decide),
        )
        .route("/console/{*rest}", get(not_found))
        .layer(from_fn(switch_language))
        .route("/static/console.css", get(stylesheet))
        .route("/t", get(crate::api::shop_terminals::page))
        .route(
            "/static/terminal.js",
            get(crate::api::shop_terminals::script),
        )
}

/// `GET /static/console.css`.
async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        CSS,
    )
        .into_response()
}

/// Middleware: `GET …?lang=en` stores the language in a cookie and redirects to the
/// same address without the parameter, so the choice sticks and URLs stay clean.
async fn switch_language(req: Request, next: Next) -> Response {
    if req.method() == Method::GET
        && let Some(query) = req.uri().query()
    {
        let mut chosen = None;
        let mut rest = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("lang", v)) => chosen = chosen.or(Lang::parse(v)),
                _ => rest.push(pair),
            }
        }
        if let Some(lang) = chosen {
            let mut to = req.uri().path().to_owned();
            if !rest.is_empty() {
                to.push('?');
                to.push_str(&rest.join("&"));
            }
            let code = match lang {
                Lang::Zh => "zh",
                Lang::En => "en",
            };
            return redirect_with(
                &to,
                &[format!(
                    "{LANG_COOKIE}={code}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly"
                )],
            );
        }
    }
    next.run(req).await
}

/// The console language: the `lang` cookie, else Chinese.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or(Lang::Zh)
}

/// A signed-in console user. Extracting it from a request without a valid session
/// answers with a redirect to the login page instead.
#[derive(Debug, Clone)]
pub struct ConsoleUser {
    /// Who.
    pub principal: Principal,
    /// The session's CSRF token (empty when authenticated by bearer token, so that
    /// such callers can never submit a console form).
    pub csrf: String,
    /// The page language.
    pub lang: Lang,
    /// The address of this request (for the language switch link).
    pub uri: Uri,
}

impl<S: Send + Sync> FromRequestParts<S> for ConsoleUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let caller = parts
            .extensions
            .get::<Caller>()
            .cloned()
            .unwrap_or_default();
        let lang = lang_of(&parts.headers);
        match caller.principal {
            Some(principal) => Ok(ConsoleUser {
                principal,
                csrf: caller.csrf.unwrap_or_default(),
                lang,
                uri: page_uri(parts),
            }),
            None => {
                // After login, come back to the page asked for; a form post cannot be
                // replayed, so those return to the dashboard.
                let back = if parts.method == Method::GET {
                    parts
                        .uri
                        .path_and_query()
                        .map_or("/console", |pq| pq.as_str())
                } else {
                    "/console"
                };
                let to = if back == "/console" {
                    "/login".to_owned()
                } else {
                    format!("/login?next={}", pct_encode(back))
                };
                Err(redirect_with(&to, &[]))
            }
        }
    }
}

/// The page a request shows, for the language switch: the request itself for a `GET`;
/// after a form post (whose address answers `POST` only) the archive or code page it
/// came from, or the dashboard.
fn page_uri(parts: &Parts) -> Uri {
    if parts.method == Method::GET {
        return parts.uri.clone();
    }
    let path = parts.uri.path();
    if let Some(rest) = path.strip_prefix("/console/codes/") {
        // `/console/codes/<page>/…` → `/console/codes/<page>`.
        let section = rest.split('/').next().unwrap_or_default();
        return format!("/console/codes/{section}")
            .parse()
            .unwrap_or_else(|_| Uri::from_static(codes::INDEX));
    }
    if let Some(rest) = path.strip_prefix("/console/sampling/") {
        // A form under a plan or a sample → that plan's or sample's page.
        let mut parts = rest.split('/');
        if let (Some(kind @ ("plans" | "samples")), Some(id)) = (parts.next(), parts.next()) {
            return format!("/console/sampling/{kind}/{id}")
                .parse()
                .unwrap_or_else(|_| Uri::from_static(sampling::INDEX));
        }
        return Uri::from_static(sampling::INDEX);
    }
    path.strip_suffix("/records")
        .filter(|p| p.starts_with("/console/enterprises/"))
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| Uri::from_static("/console"))
}

impl ConsoleUser {
    /// The texts of this user's language.
    pub fn t(&self) -> &'static Texts {
        i18n::texts(self.lang)
    }

    /// The page frame for this user.
    pub fn layout(&self, title: impl Into<String>, nav: &'static str) -> Layout {
        let mut l = Layout::new(self.lang, &self.uri, title);
        l.user = Some(UserBar {
            username: self.principal.username.clone(),
            role: i18n::role(self.lang, self.principal.role),
            samples: self.principal.role != zhijian_core::access::Role::Printer,
            traces: self
                .principal
                .scope(zhijian_core::access::Action::ReadEvents)
                != zhijian_core::access::Scope::Nothing,
            bureau: self.is_bureau(),
            events: self.may_browse_events(),
        });
        l.csrf = self.csrf.clone();
        l.nav = nav;
        l
    }

    /// Whether a form's token is this session's (compared in constant time).
    pub fn csrf_ok(&self, sent: &str) -> bool {
        !self.csrf.is_empty()
            && self.csrf.len() == sent.len()
            && self
                .csrf
                .bytes()
                .zip(sent.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// The page frame with the previous request's one-time message, if any; the `bool`
    /// says whether the flash cookie must be cleared in the answer (see [`respond`]).
    pub fn framed(&self, title: &str, nav: &'static str, headers: &HeaderMap) -> (Layout, bool) {
        let mut l = self.layout(title, nav);
        let flash = Flash::from_headers(headers);
        l.flash = flash.as_ref().map(|f| f.view(self.lang));
        (l, flash.is_some())
    }

    /// Whether the user may browse EPCIS events (as `GET /epcis/events` allows):
    /// everyone but printers and labs, who take no part in the flow.
    pub fn may_browse_events(&self) -> bool {
        !matches!(
            self.principal.role,
            zhijian_core::access::Role::Printer | zhijian_core::access::Role::Lab
        )
    }

    /// Whether the user works for a bureau or runs the node (grades, risk and
    /// registration pages).
    pub fn is_bureau(&self) -> bool {
        matches!(
            self.principal.role,
            zhijian_core::access::Role::Officer
                | zhijian_core::access::Role::Viewer
                | zhijian_core::access::Role::Admin
        )
    }

    /// Ends a form post: a redirect to `back` carrying what was done or why not, or —
    /// for a thing the user may not see — the 404 page (absent and out of scope are not
    /// told apart); a server fault shows the error page.
    pub fn after_post(&self, back: &str, outcome: Result<Flash, ApiError>) -> Response {
        match outcome {
            Err(e) if e.status == StatusCode::NOT_FOUND => self.not_found(),
            Err(e) if e.status.is_server_error() => self.failed(&e),
            Ok(done) => redirect_with(back, &[done.cookie()]),
            Err(e) => redirect_with(
                back,
                &[Flash::Error(e.code.to_owned(), e.detail_en).cookie()],
            ),
        }
    }

    /// The id a form acts on, once its CSRF token is this session's; otherwise the
    /// page to answer with (403 for a forged form, 404 for an id that is none).
    pub fn form_target(&self, csrf: Option<&str>, id: &str) -> Result<i64, Box<Response>> {
        if !self.csrf_ok(csrf.unwrap_or("")) {
            return Err(Box::new(self.csrf_refused()));
        }
        fields::id_of(id).ok_or_else(|| Box::new(self.not_found()))
    }

    /// The 403 page for a form whose CSRF token did not match.
    pub fn csrf_refused(&self) -> Response {
        let t = self.t();
        error_page(
            StatusCode::FORBIDDEN,
            self.layout(t.forbidden_title, ""),
            t.csrf_text.to_owned(),
        )
    }

    /// The 404 page (for absent things and things the user may not see alike).
    pub fn not_found(&self) -> Response {
        let t = self.t();
        error_page(
            StatusCode::NOT_FOUND,
            self.layout(t.not_found_title, ""),
            t.not_found_text.to_owned(),
        )
    }

    /// The page for an error from the store or a parser.
    pub fn failed(&self, err: &ApiError) -> Response {
        let t = self.t();
        match err.status {
            StatusCode::NOT_FOUND => self.not_found(),
            s if s.is_server_error() => {
                error_page(s, self.layout(t.error_title, ""), t.error_text.to_owned())
            }
            s => error_page(
                s,
                self.layout(t.forbidden_title, ""),
                message(self.lang, err),
            ),
        }
    }
}

/// The logged-in user shown in the header.
#[derive(Debug, Clone)]
pub struct UserBar {
    /// Login name.
    pub username: String,
    /// Role label.
    pub role: &'static str,
    /// Whether the sampling pages concern this user (printers take no part).
    pub samples: bool,
    /// Whether this is a bureau's user (grades and risk pages).
    pub bureau: bool,
    /// Whether traces concern this user (bureaus, admins, enterprises).
    pub traces: bool,
    /// Whether the user may browse EPCIS events (everyone but printers and labs).
    pub events: bool,
}

/// A one-time message shown at the top of a page.
#[derive(Debug, Clone)]
pub struct FlashView {
    /// Success (`true`) or failure.
    pub ok: bool,
    /// The localised text.
    pub text: String,
}

/// What every page's frame needs: language, title, user, CSRF token, language switch.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The texts.
    pub t: &'static Texts,
    /// The `lang` attribute of the page.
    pub lang_tag: &'static str,
    /// The page title (before the product name).
    pub title: String,
    /// The signed-in user, if any.
    pub user: Option<UserBar>,
    /// The session's CSRF token for the page's forms.
    pub csrf: String,
    /// The address of this page in the other language.
    pub switch_href: String,
    /// Which navigation entry is current (`home`, `enterprises`, `codes`, `sampling`,
    /// `grades`, `risk` or empty).
    pub nav: &'static str,
    /// A message carried over from the previous request.
    pub flash: Option<FlashView>,
    /// The stylesheet's versioned address.
    pub css_href: &'static str,
}

impl Layout {
    /// A frame without a user (the login page).
    pub fn new(lang: Lang, uri: &Uri, title: impl Into<String>) -> Layout {
        let other = match lang {
            Lang::Zh => "en",
            Lang::En => "zh",
        };
        let mut switch_href = uri.path().to_owned();
        switch_href.push('?');
        if let Some(q) = uri.query() {
            for pair in q
                .split('&')
                .filter(|p| !p.is_empty() && !p.starts_with("lang="))
            {
                switch_href.push_str(pair);
                switch_href.push('&');
            }
        }
        switch_href.push_str("lang=");
        switch_href.push_str(other);
        Layout {
            t: i18n::texts(lang),
            lang_tag: lang.tag(),
            title: title.into(),
            user: None,
            csrf: String::new(),
            switch_href,
            nav: "",
            flash: None,
            css_href: CSS_HREF.as_str(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    message: String,
}

/// A page that says what went wrong, with the given status.
pub fn error_page(status: StatusCode, l: Layout, message: String) -> Response {
    render(status, &ErrorPage { l, message })
}

/// `GET /console/…` for any address that is not a page.
async fn not_found(user: ConsoleUser) -> Response {
    user.not_found()
}

/// Renders a template as an HTML answer with the console's security headers.
pub fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => {
            let mut res = (status, body).into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            // Pages show personal and regulatory data: never keep them in a shared cache.
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
                ),
            );
            h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
            h.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            );
            res
        }
        Err(e) => ApiError::internal(&e).into_response(),
    }
}

/// Renders a page, removing the flash cookie once its message was shown.
pub fn respond(status: StatusCode, page: &impl Template, shown_flash: bool) -> Response {
    let mut res = render(status, page);
    if shown_flash && let Ok(v) = HeaderValue::from_str(&Flash::clear()) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// A 303 redirect that also sets cookies.
pub fn redirect_with(to: &str, cookies: &[String]) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    // Callers pass ASCII paths; should one not be, the dashboard is a safe landing.
    let location =
        HeaderValue::from_str(to).unwrap_or_else(|_| HeaderValue::from_static("/console"));
    res.headers_mut().insert(header::LOCATION, location);
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// The message of an error in a language (the same texts the JSON API uses).
pub fn message(lang: Lang, err: &ApiError) -> String {
    match lang {
        Lang::En => err.detail_en.clone(),
        Lang::Zh => messages::zh(err.code).map_or_else(
            || format!("{}{}", i18n::ZH.request_failed, err.detail_en),
            str::to_owned,
        ),
    }
}

/// A message for the next page, carried in a short-lived cookie scoped to the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flash {
    /// A licence took a step and is now in this state.
    Transition(
        zhijian_core::licence::LicenceAction,
        zhijian_core::licence::LicenceState,
    ),
    /// A supervision record was saved.
    RecordAdded,
    /// A supervision-code form did something.
    Codes(codes::Done),
    /// A sampling form did something.
    Sampling(sampling::Done),
    /// A shop terminal was suspended.
    TerminalSuspended,
    /// A grading form did something.
    Grading(grades::Done),
    /// An incident form did something.
    Incident(incidents::Done),
    /// A recall form did something.
    Recall(recalls::Done),
    /// A complaint form did this action (`accept`, `reject`, `transfer`, `close`).
    Complaint(String),
    /// A case form did this action (`open`, `note`, `evidence`, …).
    Case(String),
    /// A blacklist form did this (`add`, `remove`).
    Blacklist(String),
    /// An application to join was decided.
    Registration(zhijian_store::registrations::RegistrationStatus),
    /// A warning moved (its new status) or was made public (`public`, `withdrawn`).
    Warning(String),
    /// Something was refused: the error's code and English detail.
    Error(String, String),
}

impl Flash {
    /// The `Set-Cookie` value that carries it.
    pub fn cookie(&self) -> String {
        let raw = match self {
            Flash::Transition(a, s) => format!("t|{}|{}", a.as_str(), s.as_str()),
            Flash::RecordAdded => "r".to_owned(),
            Flash::Codes(d) => format!("c|{}", d.encode()),
            Flash::Sampling(d) => format!("s|{}", d.encode()),
            Flash::Registration(s) => format!("j|{}", s.as_str()),
            Flash::TerminalSuspended => "ts".to_owned(),
            Flash::Grading(d) => format!("g|{}", d.encode()),
            Flash::Incident(d) => format!("i|{}", d.encode()),
            Flash::Recall(d) => format!("rc|{}", d.encode()),
            Flash::Complaint(a) => format!("cp|{a}"),
            Flash::Case(a) => format!("cs|{a}"),
            Flash::Blacklist(a) => format!("bl|{a}"),
            Flash::Warning(s) => format!("w|{s}"),
            Flash::Error(code, detail) => format!("e|{code}|{detail}"),
        };
        format!(
            "{FLASH_COOKIE}={}; Path=/console; Max-Age=120; SameSite=Lax; HttpOnly",
            pct_encode(&raw)
        )
    }

    /// Reads the flash cookie of a request, if any.
    pub fn from_headers(headers: &HeaderMap) -> Option<Flash> {
        let raw = pct_decode(cookie(headers, FLASH_COOKIE)?)?;
        if let Some(done) = raw.strip_prefix("c|") {
            return codes::Done::decode(done).map(Flash::Codes);
        }
        if let Some(done) = raw.strip_prefix("s|") {
            return sampling::Done::decode(done).map(Flash::Sampling);
        }
        if let Some(a) = raw.strip_prefix("bl|") {
            return Some(Flash::Blacklist(a.to_owned()));
        }
        if let Some(a) = raw.strip_prefix("cs|") {
            return Some(Flash::Case(a.to_owned()));
        }
        if let Some(a) = raw.strip_prefix("cp|") {
            return Some(Flash::Complaint(a.to_owned()));
        }
        if let Some(done) = raw.strip_prefix("rc|") {
            return recalls::Done::decode(done).map(Flash::Recall);
        }
        if let Some(done) = raw.strip_prefix("i|") {
            return incidents::Done::decode(done).map(Flash::Incident);
        }
        if let Some(done) = raw.strip_prefix("g|") {
            return grades::Done::decode(done).map(Flash::Grading);
        }
        if let Some(s) = raw.strip_prefix("j|") {
            return zhijian_store::registrations::RegistrationStatus::parse(s)
                .map(Flash::Registration);
        }
        let mut parts = raw.splitn(3, '|');
        match (parts.next()?, parts.next(), parts.next()) {
            ("t", Some(a), Some(s)) => Some(Flash::Transition(
                zhijian_core::licence::LicenceAction::parse(a)?,
                zhijian_core::licence::LicenceState::parse(s)?,
            )),
            ("r", None, None) => Some(Flash::RecordAdded),
            ("ts", None, None) => Some(Flash::TerminalSuspended),
            ("w", Some(s), None) => Some(Flash::Warning(s.to_owned())),
            ("e", Some(code), Some(detail)) => {
                Some(Flash::Error(code.to_owned(), detail.to_owned()))
            }
            _ => None,
        }
    }

    /// The `Set-Cookie` value that removes it once shown.
    pub fn clear() -> String {
        format!("{FLASH_COOKIE}=; Path=/console; Max-Age=0; SameSite=Lax; HttpOnly")
    }

    /// The localised message.
    pub fn view(&self, lang: Lang) -> FlashView {
        let t = i18n::texts(lang);
        match self {
            Flash::Transition(a, s) => FlashView {
                ok: true,
                text: i18n::transition_done(lang, *a, *s),
            },
            Flash::RecordAdded => FlashView {
                ok: true,
                text: t.record_added.to_owned(),
            },
            Flash::Codes(d) => FlashView {
                ok: true,
                text: d.text(lang),
            },
            Flash::Sampling(d) => FlashView {
                ok: true,
                text: d.text(lang),
            },
            Flash::Grading(d) => FlashView {
                ok: true,
                text: d.text(lang),
            },
            Flash::Incident(d) => FlashView {
                ok: true,
                text: d.text(lang).to_owned(),
            },
            Flash::Recall(d) => FlashView {
                ok: true,
                text: d.text(lang).to_owned(),
            },
            Flash::Complaint(a) => FlashView {
                ok: true,
                text: complaints::done_text(lang, a),
            },
            Flash::Case(a) => FlashView {
                ok: true,
                text: cases::done_text(lang, a),
            },
            Flash::Blacklist(a) => FlashView {
                ok: true,
                text: blacklist::done_text(lang, a),
            },
            Flash::TerminalSuspended => FlashView {
                ok: true,
                text: lang
                    .pick("终端已暂停。", "The terminal is suspended.")
                    .to_owned(),
            },
            Flash::Registration(s) => FlashView {
                ok: true,
                text: format!(
                    "{}{}",
                    lang.pick("入网申请", "The application is "),
                    registrations::status_label(lang, *s)
                ),
            },
            Flash::Warning(s) => FlashView {
                ok: true,
                text: warnings::done_text(lang, s),
            },
            Flash::Error(code, detail) => {
                // The Chinese text is looked up by code in the table the API uses; the
                // English detail travels in the cookie itself.
                let text = match lang {
                    Lang::En => detail.clone(),
                    Lang::Zh => messages::zh(code)
                        .map_or_else(|| format!("{}{detail}", t.request_failed), str::to_owned),
                };
                FlashView {
                    ok: false,
                    text: format!("{}{text}", t.not_done),
                }
            }
        }
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn pct_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reverses [`pct_encode`]; `None` for malformed input.
pub fn pct_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The China Standard Time zone; the fixed +08:00 offset is the same rule (no daylight
/// saving since 1991) should the bundled database ever lack the name.
static SHANGHAI: LazyLock<jiff::tz::TimeZone> = LazyLock::new(|| {
    jiff::tz::TimeZone::get("Asia/Shanghai")
        .unwrap_or_else(|_| jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
});

/// An instant as `YYYY-MM-DD HH:MM` in Asia/Shanghai.
pub fn shanghai(ts: jiff::Timestamp) -> String {
    ts.to_zoned(SHANGHAI.clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// An RFC 3339 instant (as the store returns them) in Asia/Shanghai; the text itself
/// when it does not parse.
pub fn shanghai_text(rfc3339: &str) -> String {
    rfc3339
        .parse::<jiff::Timestamp>()
        .map_or_else(|_| rfc3339.to_owned(), shanghai)
}

/// Milliseconds since the epoch in Asia/Shanghai.
pub fn shanghai_ms(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map_or_else(|_| ms.to_string(), shanghai)
}

/// Today's date in Asia/Shanghai (`YYYY-MM-DD`), the default day of a new record.
pub fn today() -> String {
    jiff::Timestamp::now()
        .to_zoned(SHANGHAI.clone())
        .date()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_coding_round_trips() {
        for s in [
            "/console/enterprises?q=乳业&page=2",
            "e|code|a \"quote\"; x=1",
        ] {
            let enc = pct_encode(s);
            assert!(enc.bytes().all(|b| b.is_ascii_graphic() && b != b';'));
            assert_eq!(pct_decode(&enc).as_deref(), Some(s));
        }
        assert_eq!(pct_decode("%E4%B9"), None);
        assert_eq!(pct_decode("%4"), None);
    }

    #[test]
    fn times_are_shown_in_china_standard_time() {
        assert_eq!(shanghai_text("2024-03-01T16:30:00Z"), "2024-03-02 00:30");
        assert_eq!(shanghai_ms(0), "1970-01-01 08:00");
        assert_eq!(shanghai_text("garbage"), "garbage");
    }

    #[test]
    fn flashes_survive_their_cookie() {
        use zhijian_core::licence::{LicenceAction, LicenceState};
        for f in [
            Flash::Transition(LicenceAction::Issue, LicenceState::Issued),
            Flash::RecordAdded,
            Flash::Codes(codes::Done::Activated {
                count: 3,
                lot: "批号|1".into(),
            }),
            Flash::Error(
                "licence_validity".into(),
                "valid_until | must be later".into(),
            ),
        ] {
            let set = f.cookie();
            let value = set.split(';').next().unwrap();
            let mut h = HeaderMap::new();
            h.insert(header::COOKIE, value.parse().unwrap());
            assert_eq!(Flash::from_headers(&h), Some(f));
        }
    }

    #[test]
    fn the_language_switch_keeps_the_query() {
        let uri: Uri = "/console/enterprises?q=a&lang=zh&page=2".parse().unwrap();
        let l = Layout::new(Lang::Zh, &uri, "x");
        assert_eq!(l.switch_href, "/console/enterprises?q=a&page=2&lang=en");
    }
}
