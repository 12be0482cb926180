//! The graph of parties a batch went through, as inline SVG: makers on the left, then
//! each further step of the chain in its own column, a box per place with what it holds,
//! a line per shipment as thick as its share of units.
//!
//! Written by hand for the reason `chart.rs` gives: a few dozen rectangles and paths. The
//! layout is pure ([`layout`]) so tests check it without parsing SVG. A batch can reach
//! thousands of shops; each column shows its busiest places and folds the rest into one
//! "+N more" box.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt::Write as _;

use zhijian_store::trace::{Holder, Leg};

use super::chart::escape;

/// Places shown per column before the rest are folded.
pub const PER_COLUMN: usize = 8;
/// Columns at most (makers, distributors, shops, and anything further).
const COLUMNS: usize = 4;
const COLUMN_WIDTH: f64 = 230.0;
const BOX_WIDTH: f64 = 170.0;
const BOX_HEIGHT: f64 = 40.0;
const GAP: f64 = 14.0;

/// A box of the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The place's identifier, or `""` for a folded box.
    pub id: String,
    /// What the box says.
    pub label: String,
    /// Its second line (units held).
    pub detail: String,
    /// Column.
    pub column: usize,
    /// Row within the column.
    pub row: usize,
}

/// The laid-out graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The boxes.
    pub nodes: Vec<Node>,
    /// Lines between boxes: (from node, to node, units).
    pub edges: Vec<(usize, usize, f64)>,
}

/// Places each place in a column by its distance from a maker along the shipments, keeps
/// the busiest [`PER_COLUMN`] of each column and folds the rest.
pub fn layout(
    holders: &[Holder],
    legs: &[Leg],
    held: impl Fn(f64) -> String,
    more: impl Fn(usize) -> String,
) -> Layout {
    let mut depth: HashMap<&str, usize> = HashMap::new();
    let mut queue: VecDeque<&str> = VecDeque::new();
    for h in holders.iter().filter(|h| h.produced > 0.0) {
        depth.insert(&h.location, 0);
        queue.push_back(&h.location);
    }
    while let Some(at) = queue.pop_front() {
        let d = depth[at];
        for leg in legs.iter().filter(|l| l.from == at) {
            if !depth.contains_key(leg.to.as_str()) {
                depth.insert(&leg.to, (d + 1).min(COLUMNS - 1));
                queue.push_back(&leg.to);
            }
        }
    }
    let mut columns: BTreeMap<usize, Vec<&Holder>> = BTreeMap::new();
    for h in holders {
        let column = depth
            .get(h.location.as_str())
            .copied()
            .unwrap_or(COLUMNS - 1);
        columns.entry(column).or_default().push(h);
    }
    let mut nodes = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut folded: HashMap<usize, usize> = HashMap::new();
    for (column, mut places) in columns {
        places.sort_by(|a, b| {
            (b.received + b.produced + b.in_transit)
                .total_cmp(&(a.received + a.produced + a.in_transit))
        });
        for (row, h) in places.iter().take(PER_COLUMN).enumerate() {
            index.insert(&h.location, nodes.len());
            nodes.push(Node {
                id: h.location.clone(),
                label: h.name.clone().unwrap_or_else(|| short_id(&h.location)),
                detail: held(h.holding),
                column,
                row,
            });
        }
        if places.len() > PER_COLUMN {
            folded.insert(column, nodes.len());
            for h in &places[PER_COLUMN..] {
                index.insert(&h.location, nodes.len());
            }
            nodes.push(Node {
                id: String::new(),
                label: more(places.len() - PER_COLUMN),
                detail: held(places[PER_COLUMN..].iter().map(|h| h.holding).sum()),
                column,
                row: PER_COLUMN,
            });
        }
    }
    let mut edges: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for leg in legs {
        if let (Some(a), Some(b)) = (index.get(leg.from.as_str()), index.get(leg.to.as_str()))
            && a != b
        {
            *edges.entry((*a, *b)).or_default() += leg.units;
        }
    }
    Layout {
        nodes,
        edges: edges.into_iter().map(|((a, b), u)| (a, b, u)).collect(),
    }
}

/// The tail of an identifier, for places without a registered name.
fn short_id(id: &str) -> String {
    id.rsplit('/').next().unwrap_or(id).to_owned()
}

fn position(node: &Node) -> (f64, f64) {
    (
        10.0 + node.column as f64 * COLUMN_WIDTH,
        10.0 + node.row as f64 * (BOX_HEIGHT + GAP),
    )
}

/// The graph as an `<svg>` element.
pub fn svg(layout: &Layout, title: &str) -> String {
    let columns = layout.nodes.iter().map(|n| n.column + 1).max().unwrap_or(1);
    let rows = layout.nodes.iter().map(|n| n.row + 1).max().unwrap_or(1);
    let width = 20.0 + (columns as f64 - 1.0) * COLUMN_WIDTH + BOX_WIDTH;
    let height = 20.0 + rows as f64 * (BOX_HEIGHT + GAP);
    let most = layout.edges.iter().map(|e| e.2).fold(1.0, f64::max);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="flow-graph" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        escape(title)
    );
    for (a, b, units) in &layout.edges {
        let (ax, ay) = position(&layout.nodes[*a]);
        let (bx, by) = position(&layout.nodes[*b]);
        let (x1, y1, x2, y2) = (
            ax + BOX_WIDTH,
            ay + BOX_HEIGHT / 2.0,
            bx,
            by + BOX_HEIGHT / 2.0,
        );
        let mid = (x1 + x2) / 2.0;
        let thick = 1.0 + 7.0 * units / most;
        let _ = write!(
            out,
            r#"<path class="leg" d="M{x1:.1},{y1:.1} C{mid:.1},{y1:.1} {mid:.1},{y2:.1} {x2:.1},{y2:.1}" stroke-width="{thick:.1}" fill="none"><title>{units}</title></path>"#
        );
    }
    for node in &layout.nodes {
        let (x, y) = position(node);
        let class = if node.id.is_empty() {
            "place folded"
        } else {
            "place"
        };
        let _ = write!(
            out,
            r#"<g class="{class}" data-place="{}"><rect x="{x:.1}" y="{y:.1}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="6"/><text x="{:.1}" y="{:.1}">{}</text><text class="detail" x="{:.1}" y="{:.1}">{}</text></g>"#,
            escape(&node.id),
            x + 8.0,
            y + 16.0,
            escape(&node.label.chars().take(14).collect::<String>()),
            x + 8.0,
            y + 32.0,
            escape(&node.detail)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(id: &str, produced: f64, received: f64, holding: f64) -> Holder {
        Holder {
            location: id.into(),
            produced,
            received,
            holding,
            ..Holder::default()
        }
    }

    fn leg(from: &str, to: &str, units: f64) -> Leg {
        Leg {
            from: from.into(),
            to: to.into(),
            units,
        }
    }

    #[test]
    fn columns_follow_the_chain_and_crowds_fold() {
        let mut holders = vec![
            holder("maker", 100.0, 0.0, 10.0),
            holder("dc", 0.0, 90.0, 0.0),
        ];
        let mut legs = vec![leg("maker", "dc", 90.0)];
        for i in 0..12 {
            holders.push(holder(&format!("shop{i:02}"), 0.0, 12.0 - i as f64, 1.0));
            legs.push(leg("dc", &format!("shop{i:02}"), 12.0 - i as f64));
        }
        let g = layout(&holders, &legs, |h| format!("{h}"), |n| format!("+{n}"));
        let column = |id: &str| g.nodes.iter().find(|n| n.id == id).map(|n| n.column);
        assert_eq!(
            (column("maker"), column("dc"), column("shop00")),
            (Some(0), Some(1), Some(2))
        );
        assert_eq!(
            g.nodes.iter().filter(|n| n.column == 2).count(),
            PER_COLUMN + 1
        );
        let folded = g.nodes.iter().find(|n| n.id.is_empty()).unwrap();
        assert_eq!(
            (folded.label.as_str(), folded.detail.as_str()),
            ("+4", "4"),
            "the four quietest shops fold"
        );
        // The folded shops' shipments merge into one edge.
        let to_folded = g
            .edges
            .iter()
            .filter(|e| g.nodes[e.1].id.is_empty())
            .count();
        assert_eq!(to_folded, 1);
        let svg = svg(&g, "流向 <图>");
        assert!(svg.contains("流向 &lt;图&gt;") && svg.matches("<rect").count() == g.nodes.len());
    }
}
