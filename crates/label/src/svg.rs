//! One label as SVG, in millimetres, for browsers and vector print workflows.
//!
//! Layout of the 60 × 36 mm label:
//!
//! ```text
//! ┌──────────────────────────────────────────┐
//! │ ┌────────────┐      ┌────────┐           │
//! │ │            │      │  DM    │           │
//! │ │    QR      │      └────────┘           │
//! │ │  26 × 26   │   (01)06901234567892      │
//! │ │            │     caption line 1        │
//! │ └────────────┘     caption line 2        │
//! │         1340 9250 8721 2348 6107         │
//! └──────────────────────────────────────────┘
//! ```
//!
//! Without a GTIN the caption gets the whole right column.

use std::fmt::Write as _;

use crate::escape::escape;
use crate::matrix::Modules;
use crate::{Label, Symbols};

/// Label width in mm.
pub(crate) const WIDTH: f64 = 60.0;
/// Label height in mm.
pub(crate) const HEIGHT: f64 = 36.0;
/// The QR box (quiet zone included), in mm from the left and top.
const QR_BOX: (f64, f64, f64) = (1.0, 1.0, 26.0);
/// Left and right edge of the column beside the QR code.
const COLUMN: (f64, f64) = (28.0, 59.0);
/// Side of the DataMatrix box (quiet zone included).
const DM_SIDE: f64 = 16.0;
/// Font size of the grouped digits.
const DIGITS_SIZE: f64 = 3.4;
/// Font size of the GTIN line under the DataMatrix.
const GTIN_SIZE: f64 = 2.2;
/// Font size and line pitch of the caption.
const CAPTION_SIZE: f64 = 2.8;
const CAPTION_PITCH: f64 = 3.5;
/// Lowest point captions may reach: just above the digits' cap height.
const CAPTION_BOTTOM: f64 = 30.2;

/// Class of the QR code's path, so tests and stylesheets can find it.
pub(crate) const QR_CLASS: &str = "qr";
/// Class of the DataMatrix's path.
pub(crate) const DM_CLASS: &str = "dm";

/// Renders the label as a standalone SVG document that can also be inlined in HTML
/// (no XML declaration, no ids that would clash between labels).
pub(crate) fn render(symbols: &Symbols, label: &Label) -> String {
    let mut s = String::with_capacity(8 * 1024);
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}mm" height="{h}mm" viewBox="0 0 {w} {h}" shape-rendering="crispEdges"><rect width="{w}" height="{h}" fill="#fff"/>"##,
        w = num(WIDTH),
        h = num(HEIGHT),
    );
    modules_path(&mut s, &symbols.qr, QR_BOX, QR_CLASS);

    let column_mid = (COLUMN.0 + COLUMN.1) / 2.0;
    let mut caption_top = QR_BOX.1;
    if let (Some(dm), Some(gtin)) = (&symbols.dm, &symbols.gtin) {
        let dm_box = (column_mid - DM_SIDE / 2.0, QR_BOX.1, DM_SIDE);
        modules_path(&mut s, dm, dm_box, DM_CLASS);
        let baseline = dm_box.1 + DM_SIDE + GTIN_SIZE + 0.4;
        text(
            &mut s,
            column_mid,
            baseline,
            GTIN_SIZE,
            "monospace",
            &format!("(01){gtin}"),
        );
        caption_top = baseline + 0.8;
    }
    if let Some(caption) = label.caption {
        let lines_room = ((CAPTION_BOTTOM - caption_top) / CAPTION_PITCH).floor();
        // At most a handful of lines, so the conversion is exact.
        let max_lines = lines_room.max(1.0) as usize;
        let max_em = (COLUMN.1 - COLUMN.0) / CAPTION_SIZE;
        for (i, line) in wrap(caption, max_em, max_lines).iter().enumerate() {
            let baseline = caption_top + CAPTION_PITCH * (i as f64 + 1.0) - 0.6;
            text(
                &mut s,
                column_mid,
                baseline,
                CAPTION_SIZE,
                "sans-serif",
                line,
            );
        }
    }
    let digits_baseline = HEIGHT - 2.4;
    text(
        &mut s,
        WIDTH / 2.0,
        digits_baseline,
        DIGITS_SIZE,
        "monospace",
        &symbols.digits,
    );
    s.push_str("</svg>");
    s
}

/// One path for a whole symbol, one closed rectangle per horizontal run, in module
/// units scaled into `(x, y, side)`. A single path keeps the SVG small and leaves no
/// hairlines between neighbouring modules in renderers that anti-alias.
fn modules_path(s: &mut String, modules: &Modules, (x, y, side): (f64, f64, f64), class: &str) {
    let scale = side / modules.width().max(modules.height()) as f64;
    let _ = write!(
        s,
        r##"<path class="{class}" fill="#000" transform="translate({} {}) scale({})" d=""##,
        num(x),
        num(y),
        num(scale),
    );
    for (rx, ry, len) in modules.dark_runs() {
        let _ = write!(s, "M{rx} {ry}h{len}v1h-{len}z");
    }
    s.push_str(r#""/>"#);
}

/// A centred line of text; `content` is escaped here.
fn text(s: &mut String, x: f64, baseline: f64, size: f64, family: &str, content: &str) {
    let _ = write!(
        s,
        r##"<text x="{}" y="{}" font-size="{}" font-family="{family}" text-anchor="middle" fill="#000">{}</text>"##,
        num(x),
        num(baseline),
        num(size),
        escape(content),
    );
}

/// A coordinate with at most four decimals and no trailing zeros.
fn num(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// Breaks `caption` into at most `max_lines` lines of at most `max_em` ems, ending
/// the last with "…" when the text does not fit.
///
/// SVG has no text wrapping, so widths are estimated: a CJK or full-width
/// character is 1 em, anything else 0.6 em, which over-estimates most Latin text
/// and so errs towards fitting.
pub(crate) fn wrap(caption: &str, max_em: f64, max_lines: usize) -> Vec<String> {
    let normalised: String = caption
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut used = 0.0;
    if max_lines == 0 {
        return lines;
    }
    for c in normalised.chars() {
        let w = em_width(c);
        if used + w > max_em && !line.is_empty() {
            if lines.len() + 1 == max_lines {
                // Out of lines: make room for the ellipsis and stop.
                while used + em_width('…') > max_em {
                    match line.pop() {
                        Some(p) => used -= em_width(p),
                        None => break,
                    }
                }
                line.push('…');
                lines.push(line.trim().to_owned());
                return lines;
            }
            // Latin words stay whole when the break can move back to a space
            // without wasting much of the line; Chinese breaks anywhere.
            let carry = match line.rfind(' ') {
                Some(i) if c != ' ' && em(&line[i + 1..]) <= max_em * 0.4 => line.split_off(i + 1),
                _ => String::new(),
            };
            lines.push(line.trim_end().to_owned());
            used = em(&carry);
            line = carry;
            if c == ' ' && line.is_empty() {
                continue;
            }
        }
        line.push(c);
        used += w;
    }
    if !line.trim().is_empty() {
        lines.push(line.trim().to_owned());
    }
    lines
}

/// Estimated width of `text` in ems; see [`wrap`].
fn em(text: &str) -> f64 {
    text.chars().map(em_width).sum()
}

/// Estimated advance of `c` in ems; see [`wrap`].
fn em_width(c: char) -> f64 {
    let wide = matches!(c as u32,
        0x1100..=0x115F      // Hangul Jamo
        | 0x2E80..=0xA4CF    // CJK radicals … Yi, including CJK punctuation and ideographs
        | 0xAC00..=0xD7A3    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0xFE30..=0xFE4F    // CJK compatibility forms
        | 0xFF00..=0xFF60    // full-width forms
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1FAFF  // emoji
        | 0x20000..=0x3FFFD  // CJK extensions B and later
    );
    if wide { 1.0 } else { 0.6 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(60.0), "60");
        assert_eq!(num(0.634_146_3), "0.6341");
        assert_eq!(num(-0.000_01), "0");
    }

    #[test]
    fn short_captions_stay_on_one_line() {
        assert_eq!(wrap("  优质  大米\n5kg ", 11.0, 2), vec!["优质 大米 5kg"]);
        assert!(wrap("", 11.0, 2).is_empty());
        assert!(wrap(" \t\n", 11.0, 2).is_empty());
    }

    #[test]
    fn long_captions_wrap_and_end_in_an_ellipsis() {
        let caption = "五常稻花香大米真空包装特级新米五公斤装礼盒";
        let lines = wrap(caption, 10.0, 2);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0], "五常稻花香大米真空包");
        assert!(lines[1].ends_with('…'));
        for line in &lines {
            let em: f64 = line.chars().map(em_width).sum();
            assert!(em <= 10.0, "{line} is {em} em");
        }
    }

    #[test]
    fn latin_words_stay_whole() {
        let lines = wrap("Stainless steel kettle 1.7 L, model K-200", 11.0, 3);
        assert_eq!(
            lines,
            vec!["Stainless steel", "kettle 1.7 L,", "model K-200"]
        );
        // A space early in Chinese text is not worth a half-empty line.
        let lines = wrap("A 五常稻花香大米真空包装", 6.0, 3);
        assert_eq!(lines[0], "A 五常稻花");
    }

    #[test]
    fn a_line_narrower_than_one_character_still_terminates() {
        let lines = wrap("大米大米", 0.5, 3);
        assert!(lines.len() <= 3);
    }
}
