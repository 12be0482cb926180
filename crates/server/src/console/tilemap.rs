//! Tile maps: one equal square per region, placed roughly where the region lies, so that
//! small regions count as much as large ones (a province's cities, or the provinces of
//! the country). Written by hand like the other charts (see `chart.rs` for why); the
//! layouts are this project's own approximations of geography.

use std::fmt::Write as _;

use super::chart::escape;

/// Hebei's eleven cities, as (region code, column, row).
const HEBEI: &[(&str, u8, u8)] = &[
    ("130700", 0, 0), // 张家口
    ("130800", 2, 0), // 承德
    ("130600", 1, 1), // 保定
    ("131000", 2, 1), // 廊坊
    ("130200", 3, 1), // 唐山
    ("130300", 4, 1), // 秦皇岛
    ("130100", 0, 2), // 石家庄
    ("131100", 1, 2), // 衡水
    ("130900", 2, 2), // 沧州
    ("130500", 0, 3), // 邢台
    ("130400", 0, 4), // 邯郸
];

/// The provinces of the country, as (region code, column, row).
const CHINA: &[(&str, u8, u8)] = &[
    ("150000", 4, 0),
    ("230000", 7, 0),
    ("650000", 0, 1),
    ("640000", 3, 1),
    ("140000", 4, 1),
    ("110000", 5, 1),
    ("210000", 6, 1),
    ("220000", 7, 1),
    ("630000", 1, 2),
    ("620000", 2, 2),
    ("610000", 3, 2),
    ("130000", 4, 2),
    ("120000", 5, 2),
    ("370000", 6, 2),
    ("540000", 0, 3),
    ("510000", 2, 3),
    ("500000", 3, 3),
    ("410000", 4, 3),
    ("320000", 5, 3),
    ("310000", 6, 3),
    ("530000", 2, 4),
    ("520000", 3, 4),
    ("420000", 4, 4),
    ("340000", 5, 4),
    ("330000", 6, 4),
    ("450000", 3, 5),
    ("430000", 4, 5),
    ("360000", 5, 5),
    ("350000", 6, 5),
    ("710000", 7, 5),
    ("460000", 3, 6),
    ("440000", 4, 6),
    ("810000", 5, 6),
    ("820000", 6, 6),
];

/// The layout for the children of `region` (`""`: the country), when there is one.
pub fn layout_for(region: &str) -> Option<&'static [(&'static str, u8, u8)]> {
    match region {
        "" | "000000" => Some(CHINA),
        "130000" => Some(HEBEI),
        _ => None,
    }
}

/// One region's tile: what it shows and how strongly it is coloured (0 none … 4 most).
#[derive(Debug, Clone, PartialEq)]
pub struct Tile {
    /// Region code (six digits).
    pub code: String,
    /// Its name.
    pub name: String,
    /// The figure shown under the name.
    pub value: String,
    /// Colour step, 0–4.
    pub step: u8,
}

/// Fills from calm to alarming (presentation attributes, as in `chart.rs`).
const STEPS: [&str; 5] = ["#eef2f6", "#cfe0f3", "#f3d9a4", "#eea66a", "#d9534f"];
const SIDE: f64 = 86.0;
const GAP: f64 = 6.0;

/// The colour step of `value` against `max` (0 for nothing).
pub fn step(value: f64, max: f64) -> u8 {
    if value <= 0.0 || max <= 0.0 || !value.is_finite() {
        return 0;
    }
    (((value / max) * 4.0).ceil() as u8).clamp(1, 4)
}

/// Draws `tiles` on `layout`; regions of the layout without a tile are drawn empty,
/// tiles for regions the layout lacks are left out.
pub fn tile_map(title: &str, layout: &[(&str, u8, u8)], tiles: &[Tile]) -> String {
    let cols = layout.iter().map(|t| t.1).max().unwrap_or(0) as f64 + 1.0;
    let rows = layout.iter().map(|t| t.2).max().unwrap_or(0) as f64 + 1.0;
    let (w, h) = (cols * (SIDE + GAP), rows * (SIDE + GAP));
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart tilemap" width="{w}" viewBox="0 0 {w} {h}" style="max-width:100%;height:auto" role="img" aria-label="{}"><title>{}</title>"##,
        escape(title),
        escape(title)
    );
    for (code, col, row) in layout {
        let x = f64::from(*col) * (SIDE + GAP);
        let y = f64::from(*row) * (SIDE + GAP);
        let tile = tiles.iter().find(|t| t.code == *code);
        let fill = STEPS[usize::from(tile.map_or(0, |t| t.step.min(4)))];
        let name = tile.map_or_else(|| super::i18n::region_name(code), |t| t.name.clone());
        let value = tile.map_or("–", |t| t.value.as_str());
        let _ = write!(
            svg,
            r##"<g class="tile" data-region="{code}"><rect x="{x:.1}" y="{y:.1}" width="{SIDE}" height="{SIDE}" rx="6" fill="{fill}"><title>{}: {}</title></rect><text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="13" fill="#1d2b3a">{}</text><text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="15" font-weight="700" fill="#1d2b3a">{}</text></g>"##,
            escape(&name),
            escape(value),
            x + SIDE / 2.0,
            y + SIDE / 2.0 - 6.0,
            escape(&name),
            x + SIDE / 2.0,
            y + SIDE / 2.0 + 16.0,
            escape(value),
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_has_one_tile_and_no_two_share_a_place() {
        for layout in [HEBEI, CHINA] {
            let mut places: Vec<(u8, u8)> = layout.iter().map(|t| (t.1, t.2)).collect();
            places.sort_unstable();
            places.dedup();
            assert_eq!(places.len(), layout.len());
            for (code, ..) in layout {
                assert!(zhijian_core::region::resolve(code).is_ok(), "{code}");
            }
        }
        assert_eq!(HEBEI.len(), 11);
    }

    #[test]
    fn tiles_are_coloured_by_their_share_of_the_largest() {
        assert_eq!(step(0.0, 10.0), 0);
        assert_eq!(step(1.0, 10.0), 1);
        assert_eq!(step(10.0, 10.0), 4);
        assert_eq!(step(f64::NAN, 10.0), 0);
        let svg = tile_map(
            "t",
            HEBEI,
            &[Tile {
                code: "130100".into(),
                name: "石家庄<".into(),
                value: "12%".into(),
                step: 4,
            }],
        );
        assert_eq!(svg.matches("class=\"tile\"").count(), 11);
        assert!(svg.contains("石家庄&lt;") && svg.contains(STEPS[4]));
    }
}
