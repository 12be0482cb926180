//! Verification for everyone: the JSON API, the public `/q` page, GS1 Digital Link
//! paths, and the SMS gateway. All of them are rate-limited per client and answer
//! only about the code asked.

use askama::Template;
use axum::Json as AxumJson;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use zhijian_core::access::Role;
use zhijian_core::code::verdict::{Earlier, Verdict, message};
use zhijian_core::code::{CodeError, NodeCode, SupervisionCode};
use zhijian_core::region::{self, RegionCode};
use zhijian_store::dossier::PublicTrace;
use zhijian_store::recalls::RecallNotice;
use zhijian_store::verify::{Channel, Query as VerifyQuery, Verification};

use super::extract::{Json, Path, Query};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

/// A verification as the API answers it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VerifyAnswer {
    /// What was found.
    #[serde(flatten)]
    pub found: Verification,
    /// The verdict in words, in the caller's language.
    pub verdict_label: String,
    /// The message for the person who asked, in the caller's language.
    pub message: String,
    /// The message in both languages.
    pub messages: Messages,
    /// For a `recalled` code: the recall, its reason and what to do.
    pub recall: Option<RecallNotice>,
}

/// A message in Chinese and English.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Messages {
    /// 中文.
    pub zh: String,
    /// English.
    pub en: String,
}

/// Options of `GET /api/v1/verify/{code}`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct VerifyParams {
    /// `web`, `sms`, `terminal`, `officer` or `api` (terminal and officer need their
    /// token; default `api`).
    channel: Option<String>,
    /// Where the query happens (a six-digit region code), when the caller knows.
    region: Option<String>,
}

/// The name of the province a node code stands for.
fn node_name(node: NodeCode) -> String {
    if node.is_national() {
        return "国家节点".into();
    }
    RegionCode::parse(&format!("{node}0000"))
        .ok()
        .and_then(region::lookup)
        .map_or_else(|| format!("节点 {node}"), |r| r.name.to_owned())
}

/// What the typed text is: a code of this node, or a mistyped one. Anything else is
/// bad input (422), including a code of another node (named).
pub(crate) enum Typed {
    /// Well-formed.
    Code(SupervisionCode),
    /// The check digit is wrong.
    Mistyped(String),
}

pub(crate) fn read_code(state: &AppState, input: &str) -> Result<Typed, ApiError> {
    let own = state.store.code_space()?.node();
    match SupervisionCode::parse(input) {
        Ok(c) if c.node() == own => Ok(Typed::Code(c)),
        Ok(c) => {
            let mut e = ApiError::invalid(
                "code_foreign_node",
                "code",
                format!(
                    "this code was issued by node {} ({}); verify it there",
                    c.node(),
                    node_name(c.node())
                ),
            );
            e.detail_zh = Some(format!(
                "该监管码由{}节点（{}）签发，请到签发节点查询",
                node_name(c.node()),
                c.node()
            ));
            Err(e)
        }
        Err(CodeError::Mistyped) => Ok(Typed::Mistyped(input.to_owned())),
        Err(e) => Err(e.into()),
    }
}

/// Works out channel and place from who is asking.
fn query_of(
    caller: &Caller,
    channel: Option<&str>,
    region: Option<&str>,
    default: Channel,
) -> Result<VerifyQuery, ApiError> {
    let asked = match channel {
        Some(c) => Some(Channel::parse(c).ok_or_else(|| {
            ApiError::invalid(
                "channel",
                "channel",
                "channel must be web, sms, terminal, officer or api",
            )
        })?),
        None => None,
    };
    let region = match region.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Some(super::enterprises::known_region("region", r)?),
        None => None,
    };
    if let Some(t) = &caller.terminal {
        return Ok(VerifyQuery {
            channel: Channel::Terminal,
            region: RegionCode::parse(&t.region).ok(),
            terminal: Some(t.id),
        });
    }
    let officer = caller
        .principal
        .as_ref()
        .filter(|p| matches!(p.role, Role::Officer | Role::Viewer | Role::Admin));
    let channel = match asked {
        Some(Channel::Terminal) => {
            return Err(ApiError::invalid(
                "channel",
                "channel",
                "the terminal channel needs a terminal's token",
            ));
        }
        Some(Channel::Officer) if officer.is_none() => {
            return Err(ApiError::invalid(
                "channel",
                "channel",
                "the officer channel needs an officer's token",
            ));
        }
        Some(c) => c,
        None if officer.is_some() => Channel::Officer,
        None => default,
    };
    Ok(VerifyQuery {
        channel,
        region: region.or_else(|| {
            officer
                .filter(|_| channel == Channel::Officer)
                .map(|p| p.region)
                .filter(|r| !r.prefix().is_empty())
        }),
        terminal: None,
    })
}

pub(crate) fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .date()
}

/// Formats an instant as people in China read it.
fn local_time(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

async fn run(state: &AppState, input: &str, query: &VerifyQuery) -> Result<VerifyAnswer, ApiError> {
    let found = match read_code(state, input)? {
        Typed::Code(c) => state.verifier.verify(&c, query, today()).await?,
        Typed::Mistyped(t) => state.verifier.mistyped(&t, query).await?,
    };
    let first_at = found
        .first_query
        .as_ref()
        .map(|f| local_time(f.at_ms))
        .unwrap_or_default();
    let earlier = Earlier {
        first_at: &first_at,
        first_place: found
            .first_query
            .as_ref()
            .and_then(|f| f.region_name.as_deref()),
        queries: (found.queries - 1).max(0),
    };
    let recall = match (found.verdict, found.batch_id) {
        (Verdict::Recalled, Some(batch)) => state.store.recall_of_batch(batch).await?,
        _ => None,
    };
    let product = found.product.as_ref().map(|p| p.name.as_str());
    let zh = message(found.verdict, product, &earlier, true);
    let en = message(found.verdict, product, &earlier, false);
    Ok(VerifyAnswer {
        verdict_label: found.verdict.label(true).to_owned(),
        message: zh.clone(),
        messages: Messages { zh, en },
        recall,
        found,
    })
}

fn localise(mut a: VerifyAnswer, lang: Lang) -> VerifyAnswer {
    if lang == Lang::En {
        a.verdict_label = a.found.verdict.label(false).to_owned();
        a.message = a.messages.en.clone();
    }
    a
}

/// `GET /api/v1/verify/{code}` → the verdict (200 for every verdict, `unknown` and
/// `mistyped` included).
#[utoipa::path(get, path = "/api/v1/verify/{code}", tag = "verification",
    summary = "Verify a supervision code",
    description = "Answers `genuine`, `genuine_repeat`, `not_activated`, `recalled`, `expired`, `decommissioned`, `mistyped` or `unknown`, with the product, maker, licence and batch for issued codes. Every query is recorded before the answer is sent. Rate-limited per client (`ZHIJIAN_VERIFY_RATE_LIMIT`).",
    params(("code" = String, Path, description = "20 digits; spaces, dashes and full-width digits are accepted"), VerifyParams),
    responses((status = 200, body = VerifyAnswer), (status = 422, response = crate::openapi::Unprocessable), (status = 429, description = "`rate_limited`", body = crate::openapi::Problem, content_type = "application/problem+json")))]
pub async fn verify(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(p): Query<VerifyParams>,
) -> Result<AxumJson<VerifyAnswer>, ApiError> {
    let q = query_of(
        &caller,
        p.channel.as_deref(),
        p.region.as_deref(),
        Channel::Api,
    )?;
    let answer = run(&state, &code, &q).await?;
    Ok(AxumJson(localise(
        answer,
        Lang::from_accept_language(&headers),
    )))
}

/// The body of `POST /api/v1/sms`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmsInput {
    /// The sender's number (not stored).
    from: Option<String>,
    /// The message text: the code, perhaps with other words around it.
    text: String,
}

/// The SMS reply.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SmsReply {
    /// At most 200 characters.
    pub reply: String,
    /// The verdict, for the gateway's statistics (absent when no code was found).
    pub verdict: Option<Verdict>,
}

/// Cuts a reply to the SMS limit, on a character boundary.
fn sms_text(s: &str) -> String {
    const LIMIT: usize = 200;
    if s.chars().count() <= LIMIT {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(LIMIT - 1).collect();
    out.push('…');
    out
}

/// `POST /api/v1/sms`: text in, text reply out (at most 200 characters).
#[utoipa::path(post, path = "/api/v1/sms", tag = "verification", summary = "Verify by text message",
    request_body = SmsInput,
    responses((status = 200, body = SmsReply), (status = 429, description = "`rate_limited`", body = crate::openapi::Problem, content_type = "application/problem+json")))]
pub async fn sms(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<SmsInput>,
) -> Result<AxumJson<SmsReply>, ApiError> {
    let _ = input.from;
    // People write "查询 1340-9250-…" or paste the code among other words: take the
    // longest run of digits and separators.
    let digits: String = input
        .text
        .split(|c: char| !(c.is_ascii_digit() || ('０'..='９').contains(&c) || " -　".contains(c)))
        .max_by_key(|s| s.chars().filter(|c| !" -　".contains(*c)).count())
        .unwrap_or_default()
        .to_owned();
    let q = query_of(&caller, Some("sms"), None, Channel::Sms)?;
    let reply = match run(&state, &digits, &q).await {
        Ok(a) => SmsReply {
            reply: sms_text(&format!("【质监】{}：{}", a.verdict_label, a.messages.zh)),
            verdict: Some(a.found.verdict),
        },
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => SmsReply {
            reply: sms_text(&format!(
                "【质监】未能识别监管码（{}）。请发送商品上的20位监管码。",
                crate::messages::zh(e.code).unwrap_or("格式有误")
            )),
            verdict: None,
        },
        Err(e) => return Err(e),
    };
    Ok(AxumJson(reply))
}

/// The public page's options.
#[derive(Debug, Deserialize)]
pub struct PageParams {
    /// A code typed into the form.
    code: Option<String>,
    /// `zh` or `en`.
    lang: Option<String>,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage<'a> {
    zh: bool,
    code: &'a str,
    answer: Option<&'a VerifyAnswer>,
    problem: Option<String>,
    tone: &'static str,
    first_at: String,
    /// The traceability section, for a food batch.
    trace: Option<PublicTrace>,
}

pub(crate) fn page_lang(headers: &HeaderMap, asked: Option<&str>) -> Lang {
    asked
        .and_then(Lang::parse)
        .or_else(|| crate::auth::cookie(headers, "lang").and_then(Lang::parse))
        .unwrap_or_else(|| Lang::from_accept_language(headers))
}

fn render(page: &VerifyPage<'_>, status: StatusCode) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => ApiError::internal(&e).into_response(),
    }
}

async fn page_for(state: &AppState, caller: &Caller, code: &str, lang: Lang) -> Response {
    let zh = lang == Lang::Zh;
    let q = match query_of(caller, None, None, Channel::Web) {
        Ok(q) => q,
        Err(e) => return e.into_response(),
    };
    match run(state, code, &q).await {
        Ok(a) => {
            let a = localise(a, lang);
            let tone = match a.found.verdict {
                Verdict::Genuine => "ok",
                Verdict::GenuineRepeat | Verdict::Mistyped => "warn",
                _ => "bad",
            };
            let first_at = a
                .found
                .first_query
                .as_ref()
                .map(|f| local_time(f.at_ms))
                .unwrap_or_default();
            // Only a batch's codes have a dossier; the store says whether it is food.
            let trace = match (&a.found.code, &a.found.batch) {
                (Some(c), Some(_)) => match state.store.public_trace(c).await {
                    Ok(trace) => trace,
                    Err(e) => return ApiError::from(e).into_response(),
                },
                _ => None,
            };
            render(
                &VerifyPage {
                    zh,
                    code,
                    answer: Some(&a),
                    problem: None,
                    tone,
                    first_at,
                    trace,
                },
                StatusCode::OK,
            )
        }
        Err(e) if e.status.is_client_error() => {
            let text = if zh {
                crate::messages::zh(e.code)
                    .map(str::to_owned)
                    .unwrap_or_else(|| e.detail_en.clone())
            } else {
                e.detail_en.clone()
            };
            render(
                &VerifyPage {
                    zh,
                    code,
                    answer: None,
                    problem: Some(text),
                    tone: "warn",
                    first_at: String::new(),
                    trace: None,
                },
                e.status,
            )
        }
        Err(e) => e.into_response(),
    }
}

/// `GET /q` — the code-entry form (`?code=` redirects to `/q/{code}`).
#[utoipa::path(get, path = "/q", tag = "verification", summary = "The public code-entry page",
    params(("code" = Option<String>, Query, description = "A typed code: redirects to `/q/{code}`"), ("lang" = Option<String>, Query, description = "`zh` or `en`")),
    responses((status = 200, description = "An HTML page with a code-entry form.", content_type = "text/html"), (status = 303, description = "To `/q/{code}`.")))]
pub async fn form(
    headers: HeaderMap,
    axum::extract::Query(p): axum::extract::Query<PageParams>,
) -> Response {
    if let Some(code) = p.code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        let clean: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        let lang = p
            .lang
            .as_deref()
            .map(|l| format!("?lang={l}"))
            .unwrap_or_default();
        return Redirect::to(&format!("/q/{}{lang}", utf8_percent(&clean))).into_response();
    }
    let zh = page_lang(&headers, p.lang.as_deref()) == Lang::Zh;
    render(
        &VerifyPage {
            zh,
            code: "",
            answer: None,
            problem: None,
            tone: "",
            first_at: String::new(),
            trace: None,
        },
        StatusCode::OK,
    )
}

/// Percent-encodes what is not a digit or ASCII letter (typed codes go into a path).
fn utf8_percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `GET /q/{code}` — the verdict page, mobile first.
#[utoipa::path(get, path = "/q/{code}", tag = "verification", summary = "The public verdict page",
    params(("code" = String, Path), ("lang" = Option<String>, Query, description = "`zh` or `en`")),
    responses((status = 200, description = "An HTML page with the verdict.", content_type = "text/html"), (status = 422, description = "Not a code of this node: the page says why.", content_type = "text/html"), (status = 429, description = "`rate_limited`", body = crate::openapi::Problem, content_type = "application/problem+json")))]
pub async fn page(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    axum::extract::Path(code): axum::extract::Path<String>,
    axum::extract::Query(p): axum::extract::Query<PageParams>,
) -> Response {
    let lang = page_lang(&headers, p.lang.as_deref());
    page_for(&state, &caller, &code, lang).await
}

/// `GET /01/{gtin}/21/{serial}` — a GS1 Digital Link: the page for browsers, JSON for
/// `Accept: application/json`. The GTIN must be the product's.
#[utoipa::path(get, path = "/01/{gtin}/21/{serial}", tag = "verification", summary = "GS1 Digital Link resolver",
    params(("gtin" = String, Path), ("serial" = String, Path, description = "The supervision code")),
    responses((status = 200, description = "The verdict page, or with `Accept: application/json` the verdict.", body = VerifyAnswer), (status = 422, description = "`gtin_mismatch` and other bad input.", body = crate::openapi::Problem, content_type = "application/problem+json")))]
pub async fn digital_link(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    axum::extract::Path((gtin, serial)): axum::extract::Path<(String, String)>,
) -> Response {
    let gtin = match zhijian_core::gtin::Gtin::parse(&gtin) {
        Ok(g) => g,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    let lang = page_lang(&headers, None);
    let q = match query_of(
        &caller,
        None,
        None,
        if json { Channel::Api } else { Channel::Web },
    ) {
        Ok(q) => q,
        Err(e) => return e.into_response(),
    };
    // Check the GTIN against the code's product before recording anything.
    if let Ok(Typed::Code(c)) = read_code(&state, &serial)
        && let Ok(Some(product_gtin)) = state.verifier.product_gtin(&c).await
        && product_gtin.trim_start_matches('0') != gtin.to_string().trim_start_matches('0')
    {
        return ApiError::invalid(
            "gtin_mismatch",
            "gtin",
            "this GTIN is not the product the code was issued for",
        )
        .into_response();
    }
    if json {
        match run(&state, &serial, &q).await {
            Ok(a) => AxumJson(localise(a, lang)).into_response(),
            Err(e) => e.into_response(),
        }
    } else {
        page_for(&state, &caller, &serial, lang).await
    }
}
