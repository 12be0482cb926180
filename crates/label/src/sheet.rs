//! A print-ready A4 page of labels, for printing from any browser.
//!
//! Three 60 × 36 mm labels across with 3 mm gaps fill 186 of the 190 mm inside the
//! 10 mm page margins; seven rows fit the 277 mm height, so a page holds 21 labels.
//! Everything is inline — no fonts, scripts or images to fetch — so the page prints
//! the same offline, from a file, or from an archive years later.

use std::fmt::Write as _;

use crate::escape::escape;
use crate::{Label, LabelError, Symbols, svg};

/// Renders the sheet; the first failing label aborts it with its index.
pub(crate) fn render(labels: &[Label], title: &str) -> Result<String, LabelError> {
    let mut cells = String::new();
    for (index, label) in labels.iter().enumerate() {
        let symbols = Symbols::prepare(label).map_err(|e| LabelError::InSheet {
            index,
            source: Box::new(e),
        })?;
        cells.push_str(r#"<div class="label">"#);
        cells.push_str(&svg::render(&symbols, label));
        cells.push_str("</div>\n");
    }
    let title = escape(title);
    let mut page = String::with_capacity(cells.len() + 2048);
    let _ = write!(
        page,
        r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
@page {{ size: A4; margin: 10mm }}
* {{ box-sizing: border-box }}
html, body {{ margin: 0; padding: 0; background: #fff; color: #000 }}
body {{ font-family: sans-serif }}
h1 {{ font-size: 5mm; margin: 0 0 4mm }}
.sheet {{ display: grid; grid-template-columns: repeat(3, {w}mm); grid-auto-rows: {h}mm; gap: 3mm }}
.label {{ width: {w}mm; height: {h}mm; overflow: hidden; break-inside: avoid; page-break-inside: avoid; outline: 0.1mm dashed #bbb }}
.label svg {{ display: block; width: {w}mm; height: {h}mm }}
@media screen {{ body {{ padding: 10mm }} }}
@media print {{ h1 {{ display: none }} .label {{ outline: none }} }}
</style>
</head>
<body>
<h1>{title}</h1>
<main class="sheet">
{cells}</main>
</body>
</html>
"#,
        w = svg::WIDTH,
        h = svg::HEIGHT,
    );
    Ok(page)
}
