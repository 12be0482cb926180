//! Tests that read the real outputs back: PNGs are decoded and their QR codes,
//! DataMatrix symbols and digits read; SVG paths are parsed back into module grids
//! and decoded the same way.

use ::datamatrix::DataMatrix;
use proptest::prelude::*;

use super::*;

const CODE: &str = "13409250872123486107";
const GROUPED: &str = "1340 9250 8721 2348 6107";
const GTIN: &str = "06901234567892";
const URL_GS1: &str = "https://node.example/01/06901234567892/21/13409250872123486107";
const URL_SHORT: &str = "https://node.example/q/13409250872123486107";
const GS1_DATA: &[u8] = b"01069012345678922113409250872123486107";

fn with_gtin() -> Label<'static> {
    Label {
        code: CODE,
        url: URL_GS1,
        gtin: Some(GTIN),
        caption: Some("五常大米 5kg"),
    }
}

fn without_gtin() -> Label<'static> {
    Label {
        code: CODE,
        url: URL_SHORT,
        gtin: None,
        caption: None,
    }
}

/// A decoded greyscale image, 0 black and 255 white.
struct Gray {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

impl Gray {
    fn at(&self, x: usize, y: usize) -> u8 {
        self.pixels[y * self.width + x]
    }

    fn is_dark(&self, x: usize, y: usize) -> bool {
        self.at(x, y) < 128
    }
}

fn decode_png(bytes: &[u8]) -> Gray {
    let mut decoder = ::png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(::png::Transformations::EXPAND);
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("a sane size")];
    let info = reader.next_frame(&mut buf).expect("one frame");
    assert_eq!(info.color_type, ::png::ColorType::Grayscale);
    assert_eq!(
        info.bit_depth,
        ::png::BitDepth::Eight,
        "EXPAND gives 8 bits"
    );
    let (width, height) = (info.width as usize, info.height as usize);
    let mut pixels = Vec::with_capacity(width * height);
    for row in buf.chunks(info.line_size).take(height) {
        pixels.extend_from_slice(&row[..width]);
    }
    assert!(
        pixels.iter().all(|&p| p == 0 || p == 255),
        "a two-tone image"
    );
    Gray {
        width,
        height,
        pixels,
    }
}

/// Finds and decodes every QR code in the image, as a phone would.
fn read_qr(img: &Gray) -> Vec<String> {
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(img.width, img.height, |x, y| img.at(x, y));
    prepared
        .detect_grids()
        .iter()
        .map(|grid| grid.decode().expect("a readable QR code").1)
        .collect()
}

/// A module grid drawn at `px` pixels per module, for the QR reader.
fn rasterise(modules: &Modules, px: usize) -> Gray {
    let (width, height) = (modules.width() * px, modules.height() * px);
    let mut pixels = Vec::with_capacity(width * height);
    for y in 0..height {
        for x in 0..width {
            pixels.push(if modules.is_dark(x / px, y / px) {
                0
            } else {
                255
            });
        }
    }
    Gray {
        width,
        height,
        pixels,
    }
}

/// Samples the centre of each module of a `side`×`side` symbol at `origin`
/// (quiet zone included) drawn with `px` pixels per module.
fn sample(img: &Gray, origin: (usize, usize), px: usize, side: usize) -> Modules {
    let mut bits = Vec::with_capacity(side * side);
    for my in 0..side {
        for mx in 0..side {
            bits.push(img.is_dark(origin.0 + mx * px + px / 2, origin.1 + my * px + px / 2));
        }
    }
    Modules::new(side, bits).unwrap()
}

/// Strips `quiet` modules from each side, checking that they are all light.
fn strip_quiet_zone(m: &Modules, quiet: usize) -> Modules {
    let mut bits = Vec::new();
    for y in 0..m.height() {
        for x in 0..m.width() {
            let inside =
                x >= quiet && y >= quiet && x < m.width() - quiet && y < m.height() - quiet;
            if inside {
                bits.push(m.is_dark(x, y));
            } else {
                assert!(!m.is_dark(x, y), "quiet zone module ({x}, {y}) is dark");
            }
        }
    }
    Modules::new(m.width() - 2 * quiet, bits).unwrap()
}

fn decode_dm(m: &Modules) -> Vec<u8> {
    let inner = strip_quiet_zone(m, datamatrix::QUIET_ZONE);
    let mut bits = Vec::new();
    for y in 0..inner.height() {
        for x in 0..inner.width() {
            bits.push(inner.is_dark(x, y));
        }
    }
    DataMatrix::decode(&bits, inner.width()).expect("a readable DataMatrix")
}

/// Reads the digits back by matching each character cell against the font.
fn read_digits(img: &Gray, origin: (usize, usize), scale: usize, count: usize) -> String {
    let mut out = String::new();
    for i in 0..count {
        let gx = origin.0 + i * font::ADVANCE * scale;
        let cell = |fx: usize, fy: usize| {
            img.is_dark(
                gx + fx * scale + scale / 2,
                origin.1 + fy * scale + scale / 2,
            )
        };
        let found = "0123456789 ".chars().find(|&c| {
            let glyph = font::glyph(c).unwrap();
            (0..font::GLYPH_HEIGHT).all(|fy| {
                (0..font::GLYPH_WIDTH).all(|fx| cell(fx, fy) == font::is_set(&glyph, fx, fy))
            })
        });
        out.push(found.unwrap_or('?'));
    }
    out
}

/// The `d` attribute of the path with `class`.
fn path_data<'a>(svg: &'a str, class: &str) -> &'a str {
    let marker = format!(r#"<path class="{class}""#);
    let start = svg.find(&marker).expect("the path is there");
    let rest = &svg[start..];
    let d = rest.find(r#" d=""#).expect("a d attribute") + 4;
    let end = rest[d..].find('"').unwrap();
    &rest[d..d + end]
}

/// Parses the `M{x} {y}h{len}v1h-{len}z` runs back into a grid; the grid's size is
/// the dark extent plus the quiet zone.
fn parse_runs(d: &str, quiet: usize) -> Modules {
    let mut runs = Vec::new();
    for part in d.split('M').filter(|p| !p.is_empty()) {
        let (xy, rest) = part.split_once('h').expect("h after M");
        let (x, y) = xy.split_once(' ').expect("x y");
        let (len, tail) = rest.split_once('v').expect("v after h");
        assert_eq!(tail, format!("1h-{len}z"), "a closed one-module-high run");
        let (x, y, len): (usize, usize, usize) =
            (x.parse().unwrap(), y.parse().unwrap(), len.parse().unwrap());
        runs.push((x, y, len));
    }
    let width = runs.iter().map(|&(x, _, l)| x + l).max().unwrap() + quiet;
    let height = runs.iter().map(|&(_, y, _)| y + 1).max().unwrap() + quiet;
    assert_eq!(width, height, "a square symbol");
    let mut bits = vec![false; width * height];
    for (x, y, len) in runs {
        for i in x..x + len {
            assert!(!bits[y * width + i], "runs overlap");
            bits[y * width + i] = true;
        }
    }
    Modules::new(width, bits).unwrap()
}

/// Checks that the markup's tags nest properly; `void` elements need no end tag.
fn assert_balanced(markup: &str, void: &[&str]) {
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = markup;
    while let Some(open) = rest.find('<') {
        let close = rest[open..].find('>').expect("every < is closed by >") + open;
        let tag = &rest[open + 1..close];
        assert!(!tag.contains('<'), "a stray < inside {tag:?}");
        rest = &rest[close + 1..];
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop(), Some(name), "end tag </{name}> matches");
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().unwrap();
            if !void.contains(&name) {
                stack.push(name);
            }
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert!(!rest.contains('>'), "a stray > after the last tag");
}

#[test]
fn png_qr_code_reads_back_as_the_url() {
    for label in [with_gtin(), without_gtin()] {
        for module_px in [2, 3, 5, 8] {
            let img = decode_png(&png(&label, module_px).unwrap());
            assert_eq!(
                read_qr(&img),
                vec![label.url.to_owned()],
                "at {module_px} px"
            );
        }
    }
}

#[test]
fn png_datamatrix_reads_back_as_the_gs1_data() {
    let label = with_gtin();
    let symbols = Symbols::prepare(&label).unwrap();
    for module_px in [1, 3, 6] {
        let img = decode_png(&png(&label, module_px).unwrap());
        let layout = png::layout(&symbols, module_px as usize);
        assert_eq!((img.width, img.height), (layout.width, layout.height));
        let origin = layout.dm_origin.expect("a DataMatrix is placed");
        let modules = sample(&img, origin, layout.dm_module, 22);
        assert_eq!(decode_dm(&modules), GS1_DATA);
    }
    let layout = png::layout(&Symbols::prepare(&without_gtin()).unwrap(), 3);
    assert_eq!(layout.dm_origin, None);
}

#[test]
fn png_shows_the_grouped_digits() {
    for label in [with_gtin(), without_gtin()] {
        let symbols = Symbols::prepare(&label).unwrap();
        for module_px in [1, 4, 10] {
            let img = decode_png(&png(&label, module_px).unwrap());
            let layout = png::layout(&symbols, module_px as usize);
            let text = read_digits(&img, layout.text_origin, layout.text_scale, GROUPED.len());
            assert_eq!(text, GROUPED, "at {module_px} px");
        }
    }
}

#[test]
fn png_and_svg_draw_the_same_modules() {
    let label = with_gtin();
    let symbols = Symbols::prepare(&label).unwrap();
    let doc = svg(&label).unwrap();
    let img = decode_png(&png(&label, 3).unwrap());
    let layout = png::layout(&symbols, 3);

    let svg_qr = parse_runs(path_data(&doc, svg::QR_CLASS), qr::QUIET_ZONE);
    let png_qr = sample(&img, layout.qr_origin, layout.qr_module, svg_qr.width());
    assert_eq!(svg_qr, png_qr);
    // …and both are exactly what the encoder made, not merely something a reader's
    // error correction can repair.
    let code =
        ::qrcode::QrCode::with_error_correction_level(URL_GS1, ::qrcode::EcLevel::M).unwrap();
    let encoder = Modules::new(
        code.width(),
        code.to_colors()
            .iter()
            .map(|&c| c == ::qrcode::Color::Dark)
            .collect(),
    )
    .unwrap();
    assert_eq!(strip_quiet_zone(&svg_qr, qr::QUIET_ZONE), encoder);

    let svg_dm = parse_runs(path_data(&doc, svg::DM_CLASS), datamatrix::QUIET_ZONE);
    let origin = layout.dm_origin.unwrap();
    let png_dm = sample(&img, origin, layout.dm_module, svg_dm.width());
    assert_eq!(svg_dm, png_dm);
}

#[test]
fn quiet_zones_have_the_standard_widths() {
    // Version 4 (33 modules) plus 4 on each side; 20×20 DataMatrix plus 1 on each side.
    let symbols = Symbols::prepare(&with_gtin()).unwrap();
    assert_eq!(symbols.qr.width(), 33 + 2 * 4);
    assert_eq!(symbols.dm.as_ref().map(Modules::width), Some(20 + 2));
}

#[test]
fn png_quiet_zones_are_white() {
    let label = with_gtin();
    let symbols = Symbols::prepare(&label).unwrap();
    let img = decode_png(&png(&label, 4).unwrap());
    let layout = png::layout(&symbols, 4);
    let qr_side = symbols.qr.width();
    strip_quiet_zone(&sample(&img, layout.qr_origin, 4, qr_side), qr::QUIET_ZONE);
    // The module just outside the QR box on the left, if there is room, is white too.
    let quiet_px = qr::QUIET_ZONE * 4;
    for y in 0..qr_side * 4 {
        for x in layout.qr_origin.0..layout.qr_origin.0 + quiet_px {
            assert!(!img.is_dark(x, y), "pixel ({x}, {y}) in the QR quiet zone");
        }
    }
}

#[test]
fn svg_qr_code_reads_back_as_the_url() {
    for label in [with_gtin(), without_gtin()] {
        let doc = svg(&label).unwrap();
        let modules = parse_runs(path_data(&doc, svg::QR_CLASS), qr::QUIET_ZONE);
        assert_eq!(read_qr(&rasterise(&modules, 4)), vec![label.url.to_owned()]);
    }
}

#[test]
fn svg_datamatrix_reads_back_as_the_gs1_data() {
    let doc = svg(&with_gtin()).unwrap();
    let modules = parse_runs(path_data(&doc, svg::DM_CLASS), datamatrix::QUIET_ZONE);
    assert_eq!(modules.width(), 22, "20×20 symbol plus quiet zone");
    assert_eq!(decode_dm(&modules), GS1_DATA);
    assert!(!svg(&without_gtin()).unwrap().contains(r#"class="dm""#));
}

#[test]
fn svg_is_a_well_formed_document_with_the_digits() {
    for label in [with_gtin(), without_gtin()] {
        let doc = svg(&label).unwrap();
        assert!(doc.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg""#));
        assert!(doc.ends_with("</svg>"));
        assert!(doc.contains(r#"viewBox="0 0 60 36""#));
        assert!(doc.contains(r##"fill="#fff""##), "white background");
        assert_balanced(&doc, &[]);
        assert!(doc.contains(&format!(
            r##"font-family="monospace" text-anchor="middle" fill="#000">{GROUPED}</text>"##
        )));
    }
    let doc = svg(&with_gtin()).unwrap();
    assert!(doc.contains("(01)06901234567892"));
    assert!(doc.contains(">五常大米 5kg<"));
}

#[test]
fn captions_are_escaped() {
    let label = Label {
        caption: Some(r#"<script>&"'"#),
        ..with_gtin()
    };
    let doc = svg(&label).unwrap();
    assert!(!doc.contains("<script"));
    assert!(doc.contains("&lt;script&gt;&amp;&quot;&#39;"));
    assert_balanced(&doc, &[]);
    let sheet = sheet_html(&[label], "a").unwrap();
    assert!(!sheet.contains("<script"));
    assert!(sheet.contains("&lt;script&gt;&amp;&quot;&#39;"));
}

#[test]
fn caption_is_not_drawn_on_png() {
    let a = png(&with_gtin(), 3).unwrap();
    let b = png(
        &Label {
            caption: None,
            ..with_gtin()
        },
        3,
    )
    .unwrap();
    assert_eq!(a, b);
}

#[test]
fn sheet_is_a_complete_print_page() {
    let labels = [with_gtin(), without_gtin(), with_gtin(), without_gtin()];
    let page = sheet_html(&labels, "批次 <B-7> & 'x'").unwrap();
    assert!(page.starts_with("<!doctype html>\n<html lang=\"zh-CN\">"));
    assert!(page.contains(r#"<meta charset="utf-8">"#));
    assert!(page.contains("@page { size: A4; margin: 10mm }"));
    assert!(page.contains("grid-template-columns: repeat(3, 60mm)"));
    assert!(page.contains("break-inside: avoid"));
    assert!(page.contains("<title>批次 &lt;B-7&gt; &amp; &#39;x&#39;</title>"));
    assert_eq!(page.matches(r#"<div class="label"><svg "#).count(), 4);
    assert_eq!(page.matches(GROUPED).count(), 4);
    assert_eq!(page.matches(r#"class="dm""#).count(), 2);
    assert_balanced(&page, &["meta"]);
    // Nothing to fetch: the only URL is the SVG namespace name, which is never loaded.
    let without_ns = page.replace("http://www.w3.org/2000/svg", "");
    for external in [
        "http:", "https:", "<script", "<link", "src=", "url(", "@import",
    ] {
        assert!(!without_ns.contains(external), "{external} in the sheet");
    }
}

#[test]
fn sheet_reports_which_label_failed() {
    let bad = Label {
        code: "1340925087212348610X",
        ..without_gtin()
    };
    let err = sheet_html(&[without_gtin(), without_gtin(), bad], "t").unwrap_err();
    assert_eq!(
        err,
        LabelError::InSheet {
            index: 2,
            source: Box::new(LabelError::CodeNotNumeric {
                position: 20,
                character: 'X'
            })
        }
    );
    assert!(err.to_string().starts_with("label 2 of the sheet: "));
    assert!(
        sheet_html(&[], "empty")
            .unwrap()
            .contains("<main class=\"sheet\">\n</main>")
    );
}

#[test]
fn group_digits_and_element_string() {
    assert_eq!(group_digits(CODE), GROUPED);
    assert_eq!(group_digits(""), "");
    assert_eq!(group_digits("1234"), "1234");
    assert_eq!(group_digits("12345"), "1234 5");
    assert_eq!(group_digits("一二三四五"), "一二三四 五");
    assert_eq!(
        gs1_element_string(GTIN, CODE),
        "(01)06901234567892(21)13409250872123486107"
    );
}

#[test]
fn bad_input_gives_typed_errors() {
    let check = |label: Label, want: LabelError| {
        assert_eq!(svg(&label), Err(want.clone()));
        assert_eq!(png(&label, 4), Err(want.clone()));
    };
    check(
        Label {
            code: "1340925087212348610",
            ..with_gtin()
        },
        LabelError::CodeLength { found: 19 },
    );
    check(
        Label {
            code: "134092508721234861070",
            ..with_gtin()
        },
        LabelError::CodeLength { found: 21 },
    );
    check(
        Label {
            code: "1340925087a123486107",
            ..with_gtin()
        },
        LabelError::CodeNotNumeric {
            position: 11,
            character: 'a',
        },
    );
    // Full-width digits are digits to a person but not to a scanner.
    check(
        Label {
            code: "１３４０９２５０８７２１２３４８６１０７",
            ..with_gtin()
        },
        LabelError::CodeNotNumeric {
            position: 1,
            character: '１',
        },
    );
    check(
        Label {
            gtin: Some("6901234567892"),
            ..with_gtin()
        },
        LabelError::GtinLength { found: 13 },
    );
    check(
        Label {
            gtin: Some("0690123456789x"),
            ..with_gtin()
        },
        LabelError::GtinNotNumeric {
            position: 14,
            character: 'x',
        },
    );
    check(
        Label {
            gtin: Some("06901234567893"),
            ..with_gtin()
        },
        LabelError::GtinCheckDigit {
            expected: 2,
            found: 3,
        },
    );
    check(
        Label {
            url: "",
            ..with_gtin()
        },
        LabelError::EmptyUrl,
    );
    let long_url = format!("https://node.example/q/{}", "9".repeat(5000));
    check(
        Label {
            url: &long_url,
            ..with_gtin()
        },
        LabelError::UrlTooLong {
            len: long_url.len(),
            max_version: qr::MAX_VERSION,
        },
    );
    for module_px in [0, MAX_MODULE_PX + 1, u32::MAX] {
        assert_eq!(
            png(&with_gtin(), module_px),
            Err(LabelError::ModuleSize {
                given: module_px,
                max: MAX_MODULE_PX
            })
        );
    }
    assert!(png(&with_gtin(), 1).is_ok());
}

/// Arbitrary text, weighted towards the awkward: markup, controls, CJK, empties.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[<>&\"'\\x00-\\x1f\u{fffe}\u{ffff}a-z五常大米 ]{0,40}",
        Just(String::new()),
    ]
}

fn maybe_valid_code() -> impl Strategy<Value = String> {
    prop_oneof!["[0-9]{20}", "[0-9]{0,25}", any_text()]
}

fn maybe_valid_gtin() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some(GTIN.to_owned())),
        "[0-9]{14}".prop_map(Some),
        any_text().prop_map(Some),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn no_input_makes_any_function_panic(
        code in maybe_valid_code(),
        url in prop_oneof![any_text(), "https://[a-z.]{1,30}/q/[0-9]{20}"],
        gtin in maybe_valid_gtin(),
        caption in proptest::option::of(any_text()),
        title in any_text(),
        module_px in prop_oneof![0u32..=4, any::<u32>()],
    ) {
        let label = Label {
            code: &code,
            url: &url,
            gtin: gtin.as_deref(),
            caption: caption.as_deref(),
        };
        let doc = svg(&label);
        let _ = png(&label, module_px);
        let page = sheet_html(&[label, label], &title);
        let _ = group_digits(&code);
        let _ = gs1_element_string(gtin.as_deref().unwrap_or(""), &code);
        if let Ok(doc) = doc {
            assert_balanced(&doc, &[]);
            prop_assert!(doc.contains(&group_digits(&code)));
        }
        if let Ok(page) = page {
            assert_balanced(&page, &["meta"]);
        }
    }
}
