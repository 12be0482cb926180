//! Test report items from a lab's spreadsheet: the template (xlsx or CSV) and the total
//! parser of a filled one. Columns, in order: 检验项目 (item), 标准要求 (requirement),
//! 实测值 (measured value), 单位 (unit), 检验方法 (method), 单项判定 (合格/不合格 or
//! pass/fail). The first row is the heading; blank rows are skipped.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use thiserror::Error;
use zhijian_core::test_report::{Item, Outcome};

/// The template's headings.
pub const HEADINGS: [&str; 6] = [
    "检验项目",
    "标准要求",
    "实测值",
    "单位",
    "检验方法",
    "单项判定",
];

/// Most item rows one upload may hold.
const MAX_ROWS: usize = 500;

/// Why an uploaded sheet was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UploadError {
    /// Neither an xlsx workbook nor UTF-8 CSV text.
    #[error("the file is neither an Excel workbook (.xlsx) nor UTF-8 CSV")]
    Format,
    /// The workbook has no sheet.
    #[error("the workbook has no sheet")]
    NoSheet,
    /// No item rows under the heading.
    #[error("the sheet lists no items under its heading")]
    Empty,
    /// Too many rows.
    #[error("a report lists at most {MAX_ROWS} items")]
    TooMany,
    /// A row lacks a required cell.
    #[error("row {row}: {column} is empty")]
    Missing {
        /// The 1-based row in the sheet.
        row: usize,
        /// The column's heading.
        column: &'static str,
    },
    /// A verdict cell says neither pass nor fail.
    #[error("row {row}: 单项判定 must be 合格 or 不合格 (pass or fail), not “{value}”")]
    Verdict {
        /// The 1-based row.
        row: usize,
        /// What it said.
        value: String,
    },
}

/// Reads a pass/fail word as labs write it.
pub fn outcome(word: &str) -> Option<Outcome> {
    match word.trim().to_ascii_lowercase().as_str() {
        "合格" | "pass" | "符合" => Some(Outcome::Pass),
        "不合格" | "fail" | "不符合" => Some(Outcome::Fail),
        _ => None,
    }
}

/// The items of an uploaded sheet: an xlsx workbook (its first sheet) or CSV.
pub fn parse(bytes: &[u8]) -> Result<Vec<Item>, UploadError> {
    let rows = if bytes.starts_with(b"PK") {
        xlsx_rows(bytes)?
    } else {
        csv_rows(bytes)?
    };
    let mut items = Vec::new();
    // Row 1 is the heading.
    for (i, cells) in rows.into_iter().enumerate().skip(1) {
        let row = i + 1;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if items.len() == MAX_ROWS {
            return Err(UploadError::TooMany);
        }
        let cell = |n: usize| {
            cells
                .get(n)
                .map(|c| c.trim().to_owned())
                .unwrap_or_default()
        };
        let required = |n: usize| {
            let v = cell(n);
            if v.is_empty() {
                Err(UploadError::Missing {
                    row,
                    column: HEADINGS[n],
                })
            } else {
                Ok(v)
            }
        };
        let optional = |n: usize| Some(cell(n)).filter(|v| !v.is_empty());
        let verdict = required(5)?;
        items.push(Item {
            name: required(0)?,
            requirement: required(1)?,
            value: required(2)?,
            unit: optional(3),
            method: optional(4),
            verdict: outcome(&verdict).ok_or(UploadError::Verdict {
                row,
                value: verdict.chars().take(20).collect(),
            })?,
        });
    }
    if items.is_empty() {
        return Err(UploadError::Empty);
    }
    Ok(items)
}

fn xlsx_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, UploadError> {
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| UploadError::Format)?;
    let range = book
        .worksheet_range_at(0)
        .ok_or(UploadError::NoSheet)?
        .map_err(|_| UploadError::Format)?;
    Ok(range
        .rows()
        .take(MAX_ROWS + 2)
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                        format!("{}", *f as i64)
                    }
                    other => other.to_string(),
                })
                .collect()
        })
        .collect())
}

fn csv_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, UploadError> {
    let text = std::str::from_utf8(bytes).map_err(|_| UploadError::Format)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records().take(MAX_ROWS + 2) {
        let record = record.map_err(|_| UploadError::Format)?;
        rows.push(record.iter().map(str::to_owned).collect());
    }
    Ok(rows)
}

/// The template as an xlsx workbook: the headings and one example row.
pub fn template_xlsx() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("检验项目")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (col, h) in HEADINGS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *h, &bold)?;
        sheet.set_column_width(col as u16, 18)?;
    }
    for (col, v) in EXAMPLE.iter().enumerate() {
        sheet.write_string(1, col as u16, *v)?;
    }
    book.save_to_buffer()
}

/// The template as CSV (UTF-8 with a byte-order mark).
pub fn template_csv() -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    for row in [&HEADINGS, &EXAMPLE] {
        out.extend_from_slice(row.join(",").as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

const EXAMPLE: [&str; 6] = ["蛋白质", "≥2.9", "3.1", "g/100g", "GB 5009.5-2016", "合格"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_templates_parse_to_their_example() {
        let want = vec![Item {
            name: "蛋白质".into(),
            requirement: "≥2.9".into(),
            value: "3.1".into(),
            unit: Some("g/100g".into()),
            method: Some("GB 5009.5-2016".into()),
            verdict: Outcome::Pass,
        }];
        assert_eq!(parse(&template_csv()).unwrap(), want);
        assert_eq!(parse(&template_xlsx().unwrap()).unwrap(), want);
    }

    #[test]
    fn bad_sheets_are_named_not_panicked_on() {
        assert_eq!(parse(b"\xff\xfe"), Err(UploadError::Format));
        assert_eq!(parse(b"PK\x03\x04 not a zip"), Err(UploadError::Format));
        assert_eq!(parse("检验项目\n\n".as_bytes()), Err(UploadError::Empty));
        assert_eq!(
            parse("h\n铅,≤0.1,,mg/kg,,合格\n".as_bytes()),
            Err(UploadError::Missing {
                row: 2,
                column: "实测值"
            })
        );
        assert!(matches!(
            parse("h\n铅,≤0.1,0.02,,,也许\n".as_bytes()),
            Err(UploadError::Verdict { row: 2, .. })
        ));
        let long: String = std::iter::once("h\n".to_owned())
            .chain((0..501).map(|i| format!("项{i},a,b,,,合格\n")))
            .collect();
        assert_eq!(parse(long.as_bytes()), Err(UploadError::TooMany));
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_give_items_or_an_error(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let _ = parse(&bytes);
        }
    }
}
