//! Tables as downloads: CSV (UTF-8 with a byte-order mark, so spreadsheet programs read
//! Chinese right) and Excel workbooks — the "sortable spreadsheet" regulators ask for.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// The content type of an xlsx workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A download: the body with its type and a file name.
pub fn attachment(name: &str, content_type: &'static str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A table as CSV.
pub fn csv(headings: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, ApiError> {
    let mut out = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    out.write_record(headings)
        .map_err(|e| ApiError::internal(&e))?;
    for row in rows {
        out.write_record(row).map_err(|e| ApiError::internal(&e))?;
    }
    out.into_inner()
        .map_err(|e| ApiError::internal(&e.into_error()))
}

/// A table as a workbook: the title in A1, headings in row 3, then one row per item;
/// cells that read as numbers are written as numbers so they sort.
pub fn xlsx(
    sheet_name: &str,
    title: &str,
    headings: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, ApiError> {
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name)?;
        let bold = rust_xlsxwriter::Format::new().set_bold();
        sheet.write_string_with_format(0, 0, title, &bold)?;
        for (col, h) in headings.iter().enumerate() {
            sheet.write_string_with_format(2, col as u16, *h, &bold)?;
            sheet.set_column_width(col as u16, 18)?;
        }
        for (i, row) in rows.iter().enumerate() {
            for (col, value) in row.iter().enumerate() {
                let (r, c) = (3 + i as u32, col as u16);
                match value.parse::<f64>() {
                    Ok(n) if n.is_finite() && !value.starts_with('0') || value == "0" => {
                        sheet.write_number(r, c, n)?
                    }
                    _ => sheet.write_string(r, c, value)?,
                };
            }
        }
        sheet.autofilter(
            2,
            0,
            2 + rows.len() as u32,
            headings.len().saturating_sub(1) as u16,
        )?;
        book.save_to_buffer()
    };
    build().map_err(|e| ApiError::internal(&e))
}
