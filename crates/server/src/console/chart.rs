//! The two charts of the statistics page, as inline SVG written by hand.
//!
//! Why no crate: the page needs a bar chart and a two-line chart, nothing more. plotters
//! would bring a drawing backend, font handling (its default features pull fontconfig)
//! and its own text layout for what is a few dozen `<rect>` and `<polyline>` elements;
//! browsers lay out SVG text themselves with the page's fonts. Geometry is worked out by
//! pure functions ([`bars`], [`line_points`]) so tests check it without parsing; the
//! text of every label is escaped.

use std::fmt::Write as _;

/// One bar: a label and a rate between 0 and 1 (none: nothing final to show).
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The group's name.
    pub label: String,
    /// The pass rate.
    pub rate: Option<f64>,
}

/// Where a bar is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BarBox {
    /// Top edge.
    pub y: f64,
    /// Length (horizontal bars: the width).
    pub length: f64,
}

/// Chart width in user units; the SVG scales to its container.
const WIDTH: f64 = 640.0;
/// The room for labels left of the bars.
const LABEL_WIDTH: f64 = 170.0;
/// The room right of the bars for the value.
const VALUE_WIDTH: f64 = 60.0;
/// One bar's row height.
const ROW: f64 = 26.0;
/// A bar's thickness inside its row.
const THICK: f64 = 18.0;

/// Escapes text for an XML text node or attribute.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Characters XML 1.0 forbids (control characters) are dropped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// The boxes of horizontal bars `length = rate × span`, one row each from the top; a
/// rate outside 0–1 is clamped.
pub fn bars(rates: &[Option<f64>], span: f64) -> Vec<BarBox> {
    rates
        .iter()
        .enumerate()
        .map(|(i, r)| BarBox {
            y: i as f64 * ROW + (ROW - THICK) / 2.0,
            length: r.unwrap_or(0.0).clamp(0.0, 1.0) * span,
        })
        .collect()
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

/// A horizontal bar chart of pass rates, one row per bar, labelled left and valued
/// right; `title` names it for screen readers.
pub fn bar_chart(title: &str, items: &[Bar]) -> String {
    let span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    let height = (items.len().max(1) as f64) * ROW;
    let boxes = bars(&items.iter().map(|b| b.rate).collect::<Vec<_>>(), span);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="100%" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}">"##,
        escape(title)
    );
    let _ = write!(svg, "<title>{}</title>", escape(title));
    for (b, g) in items.iter().zip(&boxes) {
        let text_y = g.y + THICK / 2.0 + 4.0;
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{text_y:.1}" text-anchor="end" class="chart-label" font-size="12" fill="#333">{}</text>"##,
            LABEL_WIDTH - 6.0,
            escape(&b.label)
        );
        let _ = write!(
            svg,
            r##"<rect x="{LABEL_WIDTH}" y="{:.1}" width="{span:.1}" height="{THICK}" class="chart-track" fill="#eef2f6"/>"##,
            g.y
        );
        let _ = write!(
            svg,
            r##"<rect x="{LABEL_WIDTH}" y="{:.1}" width="{:.1}" height="{THICK}" class="chart-bar" fill="#2f6fab"><title>{}: {}</title></rect>"##,
            g.y,
            g.length,
            escape(&b.label),
            percent(b.rate)
        );
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{text_y:.1}" class="chart-value" font-size="12" fill="#555">{}</text>"##,
            LABEL_WIDTH + span + 6.0,
            percent(b.rate)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The colour of a series' line: presentation attributes rather than CSS, so the
/// chart looks the same wherever the SVG is shown (and needs no stylesheet change).
fn stroke(class: &str) -> &'static str {
    match class {
        "chart-line-before" => "#9aa7b4",
        _ => "#2f6fab",
    }
}

/// A named line of rates, one point per label (none: a gap).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Shown in the legend.
    pub name: String,
    /// The CSS class of its line (`chart-line-now`, `chart-line-before`).
    pub class: &'static str,
    /// One rate per label.
    pub rates: Vec<Option<f64>>,
}

const PLOT_TOP: f64 = 24.0;
const PLOT_HEIGHT: f64 = 160.0;
const PLOT_LEFT: f64 = 44.0;
const PLOT_RIGHT: f64 = 12.0;

/// The points of a line: `n` labels spread evenly across `width`, a rate of 1 at the
/// top of the plot and 0 at its bottom; runs of points between gaps.
pub fn line_points(rates: &[Option<f64>], width: f64) -> Vec<Vec<(f64, f64)>> {
    let n = rates.len();
    let step = if n > 1 { width / (n - 1) as f64 } else { 0.0 };
    let mut runs = vec![Vec::new()];
    for (i, r) in rates.iter().enumerate() {
        match r {
            Some(r) => runs.last_mut().map_or((), |run| {
                run.push((
                    PLOT_LEFT + i as f64 * step,
                    PLOT_TOP + (1.0 - r.clamp(0.0, 1.0)) * PLOT_HEIGHT,
                ))
            }),
            None => runs.push(Vec::new()),
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

/// A line chart of monthly pass rates, each series a line, the months along the bottom
/// (every label when few, else about twelve of them).
pub fn line_chart(title: &str, labels: &[String], series: &[Series]) -> String {
    let width = WIDTH - PLOT_LEFT - PLOT_RIGHT;
    let height = PLOT_TOP + PLOT_HEIGHT + 40.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="100%" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}">"##,
        escape(title)
    );
    let _ = write!(svg, "<title>{}</title>", escape(title));
    for pct in [0, 50, 100] {
        let y = PLOT_TOP + (1.0 - f64::from(pct) / 100.0) * PLOT_HEIGHT;
        let _ = write!(
            svg,
            r##"<line x1="{PLOT_LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" class="chart-grid" stroke="#dde3ea"/><text x="{:.1}" y="{:.1}" text-anchor="end" class="chart-value" font-size="12" fill="#555">{pct}%</text>"##,
            PLOT_LEFT + width,
            PLOT_LEFT - 6.0,
            y + 4.0
        );
    }
    let every = labels.len().div_ceil(12).max(1);
    let step = if labels.len() > 1 {
        width / (labels.len() - 1) as f64
    } else {
        0.0
    };
    for (i, label) in labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="chart-label" font-size="12" fill="#333">{}</text>"##,
            PLOT_LEFT + i as f64 * step,
            PLOT_TOP + PLOT_HEIGHT + 18.0,
            escape(label)
        );
    }
    for (k, s) in series.iter().enumerate() {
        for run in line_points(&s.rates, width) {
            let points: Vec<String> = run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
            let _ = write!(
                svg,
                r##"<polyline points="{}" class="{}" fill="none" stroke="{}" stroke-width="2"/>"##,
                points.join(" "),
                s.class,
                stroke(s.class)
            );
        }
        // The legend, along the top.
        let x = PLOT_LEFT + k as f64 * 160.0;
        let _ = write!(
            svg,
            r##"<line x1="{x:.1}" y1="10" x2="{:.1}" y2="10" class="{}" stroke="{}" stroke-width="2"/><text x="{:.1}" y="14" class="chart-label" font-size="12" fill="#333">{}</text>"##,
            x + 20.0,
            s.class,
            stroke(s.class),
            x + 26.0,
            escape(&s.name)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Colours of the five credit grades, AA first (presentation attributes, as above).
const GRADE_FILLS: [&str; 5] = ["#2e7d4f", "#2f6fab", "#9aa7b4", "#c98a1b", "#c0392b"];

/// A horizontal stacked bar chart of counts: one row per `(label, counts)`, each count
/// a segment coloured by its position (the series named in `series`, e.g. grades AA…D),
/// every row scaled to the largest total, with a legend on top.
pub fn stacked_bar_chart(title: &str, series: &[&str], rows: &[(String, Vec<i64>)]) -> String {
    let span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    let legend = ROW;
    let height = legend + (rows.len().max(1) as f64) * ROW;
    let max = rows
        .iter()
        .map(|(_, c)| c.iter().sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="100%" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}">"##,
        escape(title)
    );
    let _ = write!(svg, "<title>{}</title>", escape(title));
    for (i, name) in series.iter().enumerate() {
        let x = LABEL_WIDTH + i as f64 * 70.0;
        let fill = GRADE_FILLS[i % GRADE_FILLS.len()];
        let _ = write!(
            svg,
            r##"<rect x="{x:.1}" y="4" width="12" height="12" fill="{fill}"/><text x="{:.1}" y="14" font-size="12" fill="#333">{}</text>"##,
            x + 16.0,
            escape(name)
        );
    }
    for (row, (label, counts)) in rows.iter().enumerate() {
        let y = legend + row as f64 * ROW + (ROW - THICK) / 2.0;
        let text_y = y + THICK / 2.0 + 4.0;
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{text_y:.1}" text-anchor="end" class="chart-label" font-size="12" fill="#333">{}</text>"##,
            LABEL_WIDTH - 6.0,
            escape(label)
        );
        let mut x = LABEL_WIDTH;
        for (i, &n) in counts.iter().enumerate() {
            if n <= 0 {
                continue;
            }
            let w = n as f64 / max * span;
            let _ = write!(
                svg,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{THICK}" class="chart-segment" fill="{}"><title>{} {}: {n}</title></rect>"##,
                GRADE_FILLS[i % GRADE_FILLS.len()],
                escape(label),
                escape(series.get(i).copied().unwrap_or("")),
            );
            x += w;
        }
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{text_y:.1}" class="chart-value" font-size="12" fill="#555">{}</text>"##,
            x + 6.0,
            counts.iter().sum::<i64>()
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A column chart of counts (signals a week): one column per label, the largest count
/// reaching the top; every label when few, else about twelve of them.
pub fn count_chart(title: &str, labels: &[String], counts: &[u64]) -> String {
    let width = WIDTH - PLOT_LEFT - PLOT_RIGHT;
    let height = PLOT_TOP + PLOT_HEIGHT + 40.0;
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let n = counts.len().max(1);
    let step = width / n as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="100%" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}">"##,
        escape(title)
    );
    let _ = write!(svg, "<title>{}</title>", escape(title));
    for (v, y) in [(max, PLOT_TOP), (0, PLOT_TOP + PLOT_HEIGHT)] {
        let _ = write!(
            svg,
            r##"<line x1="{PLOT_LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" class="chart-grid" stroke="#dde3ea"/><text x="{:.1}" y="{:.1}" text-anchor="end" class="chart-value" font-size="12" fill="#555">{v}</text>"##,
            PLOT_LEFT + width,
            PLOT_LEFT - 6.0,
            y + 4.0
        );
    }
    let every = labels.len().div_ceil(12).max(1);
    for (i, c) in counts.iter().enumerate() {
        let h = *c as f64 / max as f64 * PLOT_HEIGHT;
        let x = PLOT_LEFT + i as f64 * step + step * 0.15;
        let label = labels.get(i).map_or("", String::as_str);
        let _ = write!(
            svg,
            r##"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" class="chart-bar" fill="#2f6fab"><title>{}: {c}</title></rect>"##,
            PLOT_TOP + PLOT_HEIGHT - h,
            step * 0.7,
            escape(label)
        );
        if i % every == 0 {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="chart-label" font-size="12" fill="#333">{}</text>"##,
                x + step * 0.35,
                PLOT_TOP + PLOT_HEIGHT + 18.0,
                escape(label)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::events::Event;

    /// The `(name, attributes)` of every element of `svg`; fails on malformed XML.
    fn elements(svg: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut reader = quick_xml::Reader::from_str(svg);
        let mut out = Vec::new();
        loop {
            match reader.read_event().expect("well-formed SVG") {
                Event::Start(e) | Event::Empty(e) => {
                    let attrs = e
                        .attributes()
                        .map(|a| {
                            let a = a.unwrap();
                            (
                                String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                                a.decode_and_unescape_value(reader.decoder())
                                    .unwrap()
                                    .into_owned(),
                            )
                        })
                        .collect();
                    out.push((
                        String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
                        attrs,
                    ));
                }
                Event::Eof => return out,
                _ => {}
            }
        }
    }

    fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> &'a str {
        attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap()
    }

    #[test]
    fn bars_follow_the_data_and_labels_are_escaped() {
        let items = vec![
            Bar {
                label: "乳制品 <F05> & \"奶\"".into(),
                rate: Some(1.0),
            },
            Bar {
                label: "茶叶".into(),
                rate: Some(0.25),
            },
            Bar {
                label: "无".into(),
                rate: None,
            },
        ];
        let svg = bar_chart("合格率", &items);
        let bars: Vec<f64> = elements(&svg)
            .into_iter()
            .filter(|(n, a)| n == "rect" && attr(a, "class") == "chart-bar")
            .map(|(_, a)| attr(&a, "width").parse().unwrap())
            .collect();
        assert_eq!(bars.len(), 3);
        let span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
        assert!((bars[0] - span).abs() < 0.1, "{bars:?}");
        assert!((bars[1] - span / 4.0).abs() < 0.1, "{bars:?}");
        assert_eq!(bars[2], 0.0);
        assert!(svg.contains("乳制品 &lt;F05&gt; &amp; &quot;奶&quot;"));
    }

    #[test]
    fn lines_break_at_gaps_and_put_higher_rates_higher() {
        let runs = line_points(&[Some(1.0), Some(0.5), None, Some(0.0)], 300.0);
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0][0], (PLOT_LEFT, PLOT_TOP));
        assert_eq!(
            runs[0][1],
            (PLOT_LEFT + 100.0, PLOT_TOP + PLOT_HEIGHT / 2.0)
        );
        assert_eq!(runs[1][0], (PLOT_LEFT + 300.0, PLOT_TOP + PLOT_HEIGHT));
        let svg = line_chart(
            "趋势",
            &["2026-01".into(), "2026-02".into()],
            &[
                Series {
                    name: "今年".into(),
                    class: "chart-line-now",
                    rates: vec![Some(0.9), Some(0.8)],
                },
                Series {
                    name: "上年 <同期>".into(),
                    class: "chart-line-before",
                    rates: vec![None, Some(0.7)],
                },
            ],
        );
        let lines: Vec<String> = elements(&svg)
            .into_iter()
            .filter(|(n, _)| n == "polyline")
            .map(|(_, a)| attr(&a, "class").to_owned())
            .collect();
        assert_eq!(lines, ["chart-line-now", "chart-line-before"]);
    }

    #[test]
    fn stacked_bars_scale_to_the_largest_row_and_escape_labels() {
        let svg = stacked_bar_chart(
            "grades",
            &["AA", "A", "B", "C", "D"],
            &[
                ("石家庄 <市>".into(), vec![1, 1, 0, 0, 2]),
                ("保定".into(), vec![0, 2, 0, 0, 0]),
            ],
        );
        assert!(svg.contains("石家庄 &lt;市&gt;"), "{svg}");
        // Four segments in the first row (zero counts draw nothing) and one in the second.
        assert_eq!(svg.matches("class=\"chart-segment\"").count(), 4);
        // The largest row spans the whole track: its last segment ends at the value text.
        let span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
        assert!(
            svg.contains(&format!("x=\"{:.1}\"", LABEL_WIDTH + span + 6.0)),
            "{svg}"
        );
    }
}
