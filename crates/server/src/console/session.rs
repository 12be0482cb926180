//! `GET/POST /login` and `POST /logout`: the console session cookie's life.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;

use super::{ConsoleUser, Layout, lang_of, redirect_with, render};
use crate::auth::{Caller, SESSION_COOKIE};
use crate::error::ApiError;
use crate::lang::Lang;
use crate::state::AppState;

/// Query parameters of the login page.
#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    /// Where to go after logging in.
    next: Option<String>,
    /// Set after a logout, to say so.
    bye: Option<String>,
}

/// The login form.
#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    username: Option<String>,
    password: Option<String>,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    next: String,
    username: String,
    /// A notice (expired, logged out) or an error (wrong credentials).
    notice: Option<String>,
    error: Option<String>,
}

/// The `next` target if it is a console page on this site; anything else (another host,
/// `//evil`, a backslash trick) falls back to the dashboard.
pub fn safe_next(next: Option<&str>) -> String {
    let Some(n) = next.map(str::trim) else {
        return "/console".into();
    };
    let rest = n.strip_prefix("/console").unwrap_or("x");
    let well_placed = rest.is_empty() || rest.starts_with('/') || rest.starts_with('?');
    let harmless = !n.contains(['\\', '\r', '\n', '\t']) && !n.contains("//");
    if well_placed && harmless {
        // The value came percent-decoded from a query or form; a `Location` header
        // takes ASCII only, so non-ASCII and spaces are encoded again.
        n.bytes()
            .map(|b| {
                if b.is_ascii_graphic() {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    } else {
        "/console".into()
    }
}

fn page(
    lang: Lang,
    uri: &Uri,
    next: String,
    username: String,
    notice: Option<String>,
    error: Option<String>,
) -> LoginPage {
    let t = super::i18n::texts(lang);
    LoginPage {
        l: Layout::new(lang, uri, t.login_title),
        next,
        username,
        notice,
        error,
    }
}

fn session_cookie(state: &AppState, value: &str, max_age: i64) -> String {
    let secure = if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    format!("{SESSION_COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

/// `GET /login`.
pub async fn login_page(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<LoginQuery>,
) -> Response {
    let lang = lang_of(&headers);
    let t = super::i18n::texts(lang);
    let next = safe_next(q.next.as_deref());
    let notice = if caller.session_expired {
        Some(t.session_expired)
    } else if q.bye.is_some() {
        Some(t.logged_out)
    } else if q.next.is_some() {
        Some(t.login_required)
    } else {
        None
    };
    let mut res = render(
        StatusCode::OK,
        &page(
            lang,
            &uri,
            next,
            String::new(),
            notice.map(str::to_owned),
            None,
        ),
    );
    if caller.session_expired {
        // Said once is enough: drop the dead cookie so a reload does not repeat it.
        if let Ok(v) = session_cookie(&state, "", 0).parse() {
            res.headers_mut().append(axum::http::header::SET_COOKIE, v);
        }
    }
    res
}

/// `POST /login` (form: username, password, next).
pub async fn login(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    uri: Uri,
    form: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let t = super::i18n::texts(lang);
    let Form(form) = form.unwrap_or_default();
    let next = safe_next(form.next.as_deref());
    let username = form.username.unwrap_or_default().trim().to_owned();
    let password = form.password.unwrap_or_default();
    let principal = if username.is_empty() || password.is_empty() {
        None
    } else {
        match state.store.authenticate(&username, &password).await {
            Ok(p) => p,
            Err(e) => return unavailable(lang, &uri, ApiError::from(e)),
        }
    };
    let Some(p) = principal else {
        return render(
            StatusCode::UNAUTHORIZED,
            &page(
                lang,
                &uri,
                next,
                username,
                None,
                Some(t.login_failed.to_owned()),
            ),
        );
    };
    // A new login replaces any session this browser still had.
    if let Some(old) = &caller.session {
        let _ = state.store.delete_session(old).await;
    }
    let hours = i64::from(state.config.session_hours.max(1));
    let session = match state
        .store
        .create_session(p.user_id, hours * 3_600_000)
        .await
    {
        Ok(s) => s,
        Err(e) => return unavailable(lang, &uri, ApiError::from(e)),
    };
    redirect_with(&next, &[session_cookie(&state, &session.id, hours * 3600)])
}

/// The logout form.
#[derive(Debug, Default, Deserialize)]
pub struct LogoutForm {
    csrf: Option<String>,
}

/// `POST /logout` (form: csrf).
pub async fn logout(
    State(state): State<AppState>,
    caller: Caller,
    user: ConsoleUser,
    form: Result<Form<LogoutForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Form(form) = form.unwrap_or_default();
    if !user.csrf_ok(form.csrf.as_deref().unwrap_or("")) {
        return user.csrf_refused();
    }
    if let Some(sid) = &caller.session
        && let Err(e) = state.store.delete_session(sid).await
    {
        return user.failed(&ApiError::from(e));
    }
    redirect_with("/login?bye=1", &[session_cookie(&state, "", 0)])
}

/// The page for a failure of the store while nobody is signed in; the cause was logged
/// where the [`ApiError`] was made.
fn unavailable(lang: Lang, uri: &Uri, err: ApiError) -> Response {
    let t = super::i18n::texts(lang);
    super::error_page(
        err.status,
        Layout::new(lang, uri, t.error_title),
        t.error_text.to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_console_pages_are_followed() {
        for ok in [
            "/console",
            "/console/enterprises?q=%E4%B9%B3",
            "/console?x=1",
        ] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
        assert_eq!(
            safe_next(Some("/console/enterprises?q=乳 业")),
            "/console/enterprises?q=%E4%B9%B3%20%E4%B8%9A"
        );
        for bad in [
            "https://evil.example/console",
            "//evil.example/console",
            "/consolex",
            "/console//evil",
            "/console\\..\\x",
            "/api/v1/me",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/console", "{bad}");
        }
        assert_eq!(safe_next(None), "/console");
    }
}
