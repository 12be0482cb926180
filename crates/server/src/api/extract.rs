//! Request extractors whose failures are problem+json, never axum's plain-text rejections.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body.
pub struct Json<T>(pub T);

/// Query parameters.
pub struct Query<T>(pub T);

/// Path parameters.
pub struct Path<T>(pub T);

/// A `multipart/form-data` body.
pub struct Multipart(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Multipart {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Multipart::from_request(req, state)
            .await
            .map(Multipart)
            .map_err(|e| ApiError::new(e.status(), "invalid_upload", e.body_text()).field("file"))
    }
}

impl Multipart {
    /// Reads the whole form: its text fields, and the bytes of the part named `file`
    /// (whose file name, if the sender gave one, is the field `file_name` unless the
    /// form has a field of that name).
    pub async fn fields_and_file(
        self,
    ) -> Result<(std::collections::HashMap<String, String>, Option<Vec<u8>>), ApiError> {
        let mut form = self.0;
        let mut fields = std::collections::HashMap::new();
        let mut file = None;
        while let Some(field) = form
            .next_field()
            .await
            .map_err(|e| ApiError::new(e.status(), "invalid_upload", e.body_text()).field("file"))?
        {
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let bytes = field.bytes().await.map_err(|e| {
                ApiError::new(e.status(), "invalid_upload", e.body_text()).field(name.clone())
            })?;
            if name == "file" {
                if let Some(n) = file_name {
                    fields.entry("file_name".to_owned()).or_insert(n);
                }
                file = Some(bytes.to_vec());
            } else {
                fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
        Ok((fields, file))
    }

    /// Reads a form carrying one photo as `file`: its checked name, media type (by
    /// content) and bytes, at most `max` of them.
    pub async fn photo(self, max: usize) -> Result<(String, &'static str, Vec<u8>), ApiError> {
        let (fields, file) = self.fields_and_file().await?;
        checked_photo(&fields, file, max)
    }
}

/// The photo of a read form (see [`Multipart::fields_and_file`]): its checked name, media
/// type (by content) and bytes, at most `max` of them.
pub fn checked_photo(
    fields: &std::collections::HashMap<String, String>,
    file: Option<Vec<u8>>,
    max: usize,
) -> Result<(String, &'static str, Vec<u8>), ApiError> {
    let file =
        file.ok_or_else(|| ApiError::invalid("required", "file", "attach the photo as `file`"))?;
    let name = fields
        .get("file_name")
        .map(String::as_str)
        .unwrap_or("photo");
    let (name, media) = zhijian_core::attachment::check_photo(name, &file, max)?;
    Ok((name, media, file))
}

/// The field named in a serde error message (`name: invalid type …` → `name`).
fn field_of(text: &str) -> Option<String> {
    let tail = text.rsplit("target type: ").next()?;
    match tail.split_once(": ") {
        Some((path, _)) if !path.is_empty() && !path.contains(' ') => Some(path.to_owned()),
        // "unknown field `x`, expected …" and "missing field `x`" name it in backticks.
        _ => tail.split('`').nth(1).map(str::to_owned),
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(JsonRejection::JsonDataError(e)) => {
                let text = e.body_text();
                let field = field_of(&text).or_else(|| text.split('`').nth(1).map(str::to_owned));
                let code = if text.contains("unknown field") {
                    "unknown_field"
                } else if text.contains("missing field") {
                    "required"
                } else {
                    "invalid_json"
                };
                let mut err = ApiError::invalid(code, "", text);
                err.field = field;
                Err(err)
            }
            Err(JsonRejection::JsonSyntaxError(e)) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                e.body_text(),
            )),
            Err(JsonRejection::MissingJsonContentType(e)) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                e.body_text(),
            )),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                e.body_text(),
            )),
            Err(e) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                e.body_text(),
            )),
        }
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                let text = e.body_text();
                let mut err = ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", text.clone());
                err.field = text
                    .split(": ")
                    .nth(1)
                    .filter(|f| !f.contains(' '))
                    .map(str::to_owned);
                Err(err)
            }
            Err(e) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                e.body_text(),
            )),
        }
    }
}

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_path",
                e.body_text(),
            )),
            Err(e) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_path",
                e.body_text(),
            )),
        }
    }
}

/// Parses a `YYYY-MM-DD` field.
pub fn date(field: &str, value: &str) -> Result<jiff::civil::Date, ApiError> {
    value.trim().parse::<jiff::civil::Date>().map_err(|_| {
        ApiError::invalid(
            "date_format",
            field,
            format!("{field} must be a date written YYYY-MM-DD"),
        )
    })
}

/// Checks an optional free-text field's length; `None` when blank.
pub fn text(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, ApiError> {
    zhijian_core::enterprise::text_field(value, max)
        .map_err(|e| ApiError::invalid("text_too_long", field, format!("{field}: {e}")))
}

/// Checks a required free-text field.
pub fn required(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    text(field, Some(value), max)?
        .ok_or_else(|| ApiError::invalid("required", field, format!("{field} is required")))
}

#[cfg(test)]
mod tests {
    use super::field_of;

    #[test]
    fn field_names_are_found_in_serde_messages() {
        assert_eq!(
            field_of("Failed to deserialize the JSON body into the target type: name: invalid type: integer `1`, expected a string at line 1 column 10").as_deref(),
            Some("name")
        );
        assert_eq!(
            field_of("Failed to deserialize the JSON body into the target type: unknown field `nmae`, expected one of `uscc`, `name` at line 1 column 8").as_deref(),
            Some("nmae")
        );
    }
}
