//! Numbers and ids typed into console forms and addresses.

use crate::error::ApiError;

/// A whole number typed into a form.
pub fn whole(field: &'static str, value: Option<&str>) -> Result<i64, ApiError> {
    optional_whole(field, value)?
        .ok_or_else(|| ApiError::invalid("required", field, format!("{field} is required")))
}

/// A whole number typed into a form, or `None` when left empty.
pub fn optional_whole(field: &'static str, value: Option<&str>) -> Result<Option<i64>, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
            ApiError::invalid(
                "invalid_value",
                field,
                format!("{field} must be a whole number"),
            )
        }),
    }
}

/// An id in a form's address.
pub fn id_of(raw: &str) -> Option<i64> {
    raw.trim().parse().ok()
}
