//! Printable labels for supervision codes.
//!
//! Every product unit carries a 20-digit supervision code. This crate turns one code
//! into label artwork a printer can use: a QR code carrying the verification URL, the
//! code as human-readable digits grouped 4-4-4-4-4, and — when the product has a
//! GTIN — a GS1 DataMatrix of `(01)<gtin>(21)<code>` that retail scanners read.
//!
//! Everything here is a pure function of its input: no I/O, no fonts, no clock.
//! SVG and PNG are drawn from the same module matrices, so what a browser prints
//! and what a raster printer prints carry the same symbols.
//!
//! ```
//! use zhijian_label::{Label, svg, png, group_digits};
//! let label = Label {
//!     code: "13409250872123486107",
//!     url: "https://node.example/q/13409250872123486107",
//!     gtin: Some("06901234567892"),
//!     caption: Some("示例产品"),
//! };
//! let doc = svg(&label).unwrap();
//! assert!(doc.contains(&group_digits(label.code)));
//! let bytes = png(&label, 4).unwrap();
//! assert_eq!(&bytes[1..4], b"PNG");
//! ```

mod datamatrix;
mod error;
mod escape;
mod font;
mod matrix;
mod png;
mod qr;
mod sheet;
mod svg;
mod validate;

pub use error::LabelError;

use matrix::Modules;

/// Everything one label shows: the code, the URL its QR code carries, and optionally
/// a GTIN (adds a GS1 DataMatrix) and a caption line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label<'a> {
    /// The 20-digit supervision code, printed as grouped digits.
    pub code: &'a str,
    /// The verification URL the QR code carries, e.g.
    /// `https://node.example/q/13409250872123486107`.
    pub url: &'a str,
    /// The product's 14-digit GTIN, if it has one; adds a GS1 DataMatrix of
    /// `(01)<gtin>(21)<code>`.
    pub gtin: Option<&'a str>,
    /// A product-name line for SVG and HTML output; not drawn on PNG, which has
    /// only a digit font.
    pub caption: Option<&'a str>,
}

/// Renders one label as a standalone SVG document (viewBox in millimetres,
/// white background).
pub fn svg(label: &Label) -> Result<String, LabelError> {
    let symbols = Symbols::prepare(label)?;
    Ok(svg::render(&symbols, label))
}

/// Renders one label as a 1-bit greyscale PNG whose QR modules are `module_px`
/// pixels wide (1 to [`MAX_MODULE_PX`]). Shows the QR code, the DataMatrix when
/// there is a GTIN, and the grouped digits; not the caption.
pub fn png(label: &Label, module_px: u32) -> Result<Vec<u8>, LabelError> {
    let symbols = Symbols::prepare(label)?;
    png::render(&symbols, module_px)
}

/// The largest `module_px` [`png`] accepts: beyond it an image only grows, and a
/// careless caller could ask for gigabytes.
pub const MAX_MODULE_PX: u32 = png::MAX_MODULE_PX;

/// Renders a print-ready A4 HTML page with the labels in a grid of fixed-size cells.
///
/// A failing label is reported as [`LabelError::InSheet`] with its index.
pub fn sheet_html(labels: &[Label], title: &str) -> Result<String, LabelError> {
    sheet::render(labels, title)
}

/// Groups a code as 4-4-4-4-4 characters separated by spaces:
/// `"13409250872123486107"` → `"1340 9250 8721 2348 6107"`.
///
/// Any string is accepted; groups are counted in characters.
pub fn group_digits(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + code.len() / 4);
    for (i, c) in code.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// The human-readable GS1 element string of a GTIN and a supervision code as serial
/// number: `(01)06901234567892(21)13409250872123486107`.
///
/// No validation: this only formats.
pub fn gs1_element_string(gtin: &str, code: &str) -> String {
    format!("(01){gtin}(21){code}")
}

/// The validated content of a label, encoded once and drawn by every renderer.
pub(crate) struct Symbols {
    /// QR code with its 4-module quiet zone.
    qr: Modules,
    /// GS1 DataMatrix with its 1-module quiet zone, when the label has a GTIN.
    dm: Option<Modules>,
    /// The code grouped 4-4-4-4-4.
    digits: String,
    /// The GTIN, validated, when there is one.
    gtin: Option<String>,
}

impl Symbols {
    fn prepare(label: &Label) -> Result<Self, LabelError> {
        validate::code(label.code)?;
        if let Some(gtin) = label.gtin {
            validate::gtin(gtin)?;
        }
        let qr = qr::encode(label.url)?.with_quiet_zone(qr::QUIET_ZONE);
        let dm = match label.gtin {
            Some(gtin) => Some(
                datamatrix::encode_gs1(gtin, label.code)?.with_quiet_zone(datamatrix::QUIET_ZONE),
            ),
            None => None,
        };
        Ok(Symbols {
            qr,
            dm,
            digits: group_digits(label.code),
            gtin: label.gtin.map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests;
