//! Resolving the caller once per request: a bearer token (API clients) or a session
//! cookie (the console). Handlers then take [`Caller`] or [`Authed`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use zhijian_core::access::Principal;

use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "zj_session";
/// The header API calls made from the console echo the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Who is calling, if anyone.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    /// The principal, when authenticated.
    pub principal: Option<Principal>,
    /// The session's CSRF token, when authenticated by cookie.
    pub csrf: Option<String>,
    /// The raw session id, when authenticated by cookie.
    pub session: Option<String>,
    /// Whether a session cookie was sent but is no longer valid.
    pub session_expired: bool,
    /// The shop terminal, when one sent its token.
    pub terminal: Option<zhijian_store::verify::Terminal>,
}

/// A caller that must be authenticated.
#[derive(Debug, Clone)]
pub struct Authed(pub Principal);

/// Reads a cookie's value from the request headers.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Bearer tokens resolved in the last [`TokenCache::TTL`], so busy API clients cost no
/// token query per request. A disabled user or a deleted token is refused at the latest
/// that long after the change.
#[derive(Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<[u8; 32], (Principal, Instant)>>,
}

impl TokenCache {
    /// How long a resolved token is trusted without asking the database again.
    pub const TTL: Duration = Duration::from_secs(30);
    /// Entries kept at most (the cache is emptied when full).
    const CAPACITY: usize = 10_000;

    fn key(token: &str) -> [u8; 32] {
        Sha256::digest(token.as_bytes()).into()
    }

    fn get(&self, token: &str) -> Option<Principal> {
        let entries = self.entries.lock().ok()?;
        let (p, at) = entries.get(&Self::key(token))?;
        (at.elapsed() < Self::TTL).then(|| p.clone())
    }

    fn put(&self, token: &str, p: &Principal) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= Self::CAPACITY {
                entries.clear();
            }
            entries.insert(Self::key(token), (p.clone(), Instant::now()));
        }
    }
}

/// Middleware: resolves the caller and enforces CSRF on cookie-authenticated API writes.
pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let mut caller = Caller::default();
    let headers = req.headers();
    if let Some(token) = bearer(headers).filter(|t| t.starts_with("zjterm_")) {
        match state.store.terminal_by_token(token).await {
            Ok(Some(t)) => caller.terminal = Some(t),
            Ok(None) => {
                let lang = Lang::from_accept_language(headers);
                return ApiError::unauthorized().to_response(lang);
            }
            Err(e) => return ApiError::from(e).into_response(),
        }
    } else if let Some(token) = bearer(headers) {
        let cached = state.tokens.get(token);
        let found = match cached {
            Some(p) => Ok(Some(p)),
            None => state.store.principal_by_token(token).await,
        };
        match found {
            Ok(Some(p)) => {
                state.tokens.put(token, &p);
                caller.principal = Some(p);
            }
            Ok(None) => {
                let lang = Lang::from_accept_language(headers);
                return ApiError::unauthorized().to_response(lang);
            }
            Err(e) => return ApiError::from(e).into_response(),
        }
    } else if let Some(sid) = cookie(headers, SESSION_COOKIE) {
        match state.store.session(sid).await {
            Ok(Some((p, csrf))) => {
                caller.principal = Some(p);
                caller.csrf = Some(csrf);
                caller.session = Some(sid.to_owned());
            }
            Ok(None) => caller.session_expired = true,
            Err(e) => return ApiError::from(e).into_response(),
        }
        let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        if unsafe_method
            && req.uri().path().starts_with("/api/")
            && let Some(expected) = &caller.csrf
        {
            let sent = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            if sent != Some(expected.as_str()) {
                return ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    "missing or wrong X-CSRF-Token header",
                )
                .into_response();
            }
        }
    }
    req.extensions_mut().insert(caller);
    next.run(req).await
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Caller>()
            .cloned()
            .unwrap_or_default())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let caller = parts
            .extensions
            .get::<Caller>()
            .cloned()
            .unwrap_or_default();
        match caller.principal {
            Some(p) => Ok(Authed(p)),
            None if caller.session_expired => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "session_expired",
                "your session has expired; log in again",
            )),
            None => Err(ApiError::unauthorized()),
        }
    }
}
