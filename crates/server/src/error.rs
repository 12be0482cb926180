//! The one error boundary: every failure becomes an `application/problem+json` answer
//! with a stable `code`, the `field` at fault, and a message in the caller's language.
//!
//! Handlers return [`ApiError`]; it travels in the response's extensions until
//! [`localise`] (a middleware that knows the request's language) writes the body.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use zhijian_store::StoreError;

use crate::lang::Lang;
use crate::messages;

/// A failure to report to the caller.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable code (snake_case) clients can branch on.
    pub code: &'static str,
    /// The input field at fault, if any.
    pub field: Option<String>,
    /// The English detail.
    pub detail_en: String,
    /// The offending codes, when the error is about some of many.
    pub codes: Vec<String>,
    /// A Chinese detail made for this occasion (else the code's standard text).
    pub detail_zh: Option<String>,
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: &'a str,
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    codes: &'a [String],
}

impl ApiError {
    /// A new error.
    pub fn new(status: StatusCode, code: &'static str, detail_en: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            field: None,
            detail_en: detail_en.into(),
            codes: Vec::new(),
            detail_zh: None,
        }
    }

    /// Names the field at fault.
    pub fn field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    /// 422: the input breaks a rule.
    pub fn invalid(
        code: &'static str,
        field: impl Into<String>,
        detail_en: impl Into<String>,
    ) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail_en).field(field)
    }

    /// 404: absent, or not visible to the caller.
    pub fn not_found() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "not found, or not visible to you",
        )
    }

    /// 401: no valid credentials.
    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "log in or send a valid bearer token",
        )
    }

    /// 403: the caller may not do this.
    pub fn forbidden() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this action is not allowed for your role",
        )
    }

    /// 500: logs the cause and says nothing internal.
    pub fn internal(cause: &dyn std::error::Error) -> ApiError {
        let mut chain = cause.to_string();
        let mut source = cause.source();
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        tracing::error!(error = %chain, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; it has been logged",
        )
    }

    /// The message for people, in a language.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.detail_en.clone(),
            Lang::Zh => match (&self.detail_zh, messages::zh(self.code)) {
                (Some(d), _) => d.clone(),
                (None, Some(m)) => m.to_owned(),
                (None, None) => format!("请求未能完成：{}", self.detail_en),
            },
        }
    }

    /// The problem document in a language.
    pub fn body(&self, lang: Lang) -> String {
        let message = self.message(lang);
        let detail = message.as_str();
        let title = self.status.canonical_reason().unwrap_or("Error");
        serde_json::to_string(&Problem {
            kind: format!("https://zhijian.dev/problems/{}", self.code),
            title,
            status: self.status.as_u16(),
            detail,
            code: self.code,
            field: self.field.as_deref(),
            codes: &self.codes,
        })
        .unwrap_or_default()
    }

    /// The complete response in a language.
    pub fn to_response(&self, lang: Lang) -> Response {
        let mut res = (self.status, self.body(lang)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        res.headers_mut().insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(lang.tag()),
        );
        res
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // Written in Chinese now; `localise` rewrites it when the caller asked otherwise.
        let mut res = self.to_response(Lang::Zh);
        res.extensions_mut().insert(self);
        res
    }
}

/// Middleware: renders problem bodies in the language of `Accept-Language`.
pub async fn localise(req: Request, next: Next) -> Response {
    let lang = Lang::from_accept_language(req.headers());
    let res = next.run(req).await;
    match res.extensions().get::<ApiError>() {
        Some(err) if lang != Lang::Zh => err.to_response(lang),
        _ => res,
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound { .. } => ApiError::not_found(),
            StoreError::Forbidden => ApiError::forbidden(),
            StoreError::Conflict {
                code,
                field,
                message,
            } => ApiError::new(StatusCode::CONFLICT, code, message).field(field),
            StoreError::Invalid {
                code,
                field,
                message,
            } => ApiError::invalid(code, field, message),
            StoreError::Rejected {
                code,
                field,
                message,
                codes,
            } => {
                let mut e = ApiError::invalid(code, field, message);
                e.codes = codes;
                e
            }
            StoreError::Transition(t) => {
                ApiError::new(StatusCode::CONFLICT, t.code(), t.to_string())
            }
            other => ApiError::internal(&other),
        }
    }
}

/// Errors of the core parsers, which all carry a stable code.
macro_rules! from_core {
    ($($t:ty => $field:literal),* $(,)?) => {$(
        impl From<$t> for ApiError {
            fn from(e: $t) -> ApiError {
                ApiError::invalid(e.code(), $field, e.to_string())
            }
        }
    )*};
}

from_core!(
    zhijian_core::uscc::UsccError => "uscc",
    zhijian_core::gtin::GtinError => "gtin",
    zhijian_core::region::RegionError => "region",
    zhijian_core::licence_number::LicenceNumberError => "number",
    zhijian_core::attachment::AttachmentError => "file",
    zhijian_core::code::CodeError => "code",
    zhijian_core::code::list::ListError => "file",
);

impl From<zhijian_core::page::PageError> for ApiError {
    fn from(e: zhijian_core::page::PageError) -> ApiError {
        ApiError::invalid("page", "per_page", e.to_string())
    }
}
