//! An in-memory index of enterprise names and credit codes, for search as people type.
//!
//! A city's enterprises fit in a few tens of megabytes, and answering from memory costs
//! microseconds where the database needs one index lookup per candidate (the exact
//! `total` of a broad query like 石家庄 counts ten thousand of them). The index is a
//! base built from every enterprise, sorted by (region, id) so a region subtree is one
//! contiguous range, with a posting list of positions per character bigram and a
//! credit-code order; changes since the base was built sit in a small overlay that
//! masks the base rows they replace. Its answers are the same, in the same order, as the
//! database's name search (`zhijian_store`'s `name_grams` plan).

use std::collections::HashMap;
use std::sync::Arc;

use crate::enterprise::EnterpriseStatus;
use crate::search::normalise;

/// One enterprise as the index knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// Organisation id (orders enterprises within a region).
    pub org_id: i64,
    /// Credit code.
    pub uscc: String,
    /// Name as registered.
    pub name: String,
    /// Region code.
    pub region: String,
    /// Operating status.
    pub status: EnterpriseStatus,
}

/// What a query looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Credit codes starting with this (upper-case ASCII, 4–18 characters).
    CodePrefix(String),
    /// Names containing this normalised text of two or more characters.
    Contains(String),
}

impl Lookup {
    /// How the index reads a typed query; `None` for queries it leaves to the database
    /// (empty, or a single character).
    pub fn parse(q: &str) -> Option<Lookup> {
        let norm = normalise(q);
        let code = norm.to_ascii_uppercase();
        if (4..=18).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Some(Lookup::CodePrefix(code));
        }
        (norm.chars().count() >= 2).then_some(Lookup::Contains(norm))
    }
}

/// Which enterprises a caller may see and asked for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter<'a> {
    /// Region code prefix (`""` for the whole country).
    pub region_prefix: &'a str,
    /// Only this status.
    pub status: Option<EnterpriseStatus>,
}

/// One page of answers and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hits {
    /// The page.
    pub items: Vec<Listing>,
    /// Every match.
    pub total: u64,
}

/// The immutable part, shared between index versions.
#[derive(Debug, Default)]
struct Base {
    /// Sorted by (region, org_id).
    listings: Vec<Listing>,
    /// Normalised names, by position.
    norms: Vec<String>,
    /// Positions of names holding each bigram, ascending.
    postings: HashMap<u64, Vec<u32>>,
    /// Positions in credit-code order.
    by_uscc: Vec<u32>,
}

/// The index: a base and the changes since it was built.
#[derive(Debug, Clone, Default)]
pub struct NameIndex {
    base: Arc<Base>,
    /// Enterprises changed since the base, by credit code (`None`: gone).
    overlay: Arc<HashMap<String, Option<Listing>>>,
    /// Base positions the overlay replaces: a search tests a flag, not a hash lookup
    /// per candidate (which was half of a search's time once anything had changed).
    shadowed: Arc<Vec<bool>>,
}

fn gram_key(a: char, b: char) -> u64 {
    (u64::from(u32::from(a)) << 32) | u64::from(u32::from(b))
}

fn gram_keys(norm: &str) -> Vec<u64> {
    let chars: Vec<char> = norm.chars().collect();
    let mut keys: Vec<u64> = chars.windows(2).map(|w| gram_key(w[0], w[1])).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

fn order_key(l: &Listing) -> (&str, i64) {
    (&l.region, l.org_id)
}

impl NameIndex {
    /// Builds the index over every enterprise.
    pub fn build(mut listings: Vec<Listing>) -> NameIndex {
        listings.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
        let norms: Vec<String> = listings.iter().map(|l| normalise(&l.name)).collect();
        let mut postings: HashMap<u64, Vec<u32>> = HashMap::new();
        for (pos, norm) in norms.iter().enumerate() {
            for key in gram_keys(norm) {
                // Positions are visited in ascending order, so each list stays sorted.
                postings.entry(key).or_default().push(pos as u32);
            }
        }
        let mut by_uscc: Vec<u32> = (0..listings.len() as u32).collect();
        by_uscc.sort_by(|&a, &b| listings[a as usize].uscc.cmp(&listings[b as usize].uscc));
        NameIndex {
            base: Arc::new(Base {
                listings,
                norms,
                postings,
                by_uscc,
            }),
            overlay: Arc::default(),
            shadowed: Arc::default(),
        }
    }

    /// A version with these enterprises replaced (`None`: removed); the base is shared.
    pub fn with_changes(
        &self,
        changes: impl IntoIterator<Item = (String, Option<Listing>)>,
    ) -> NameIndex {
        let mut overlay = (*self.overlay).clone();
        overlay.extend(changes);
        let base = &self.base;
        let mut shadowed = vec![false; base.listings.len()];
        for uscc in overlay.keys() {
            let at = base
                .by_uscc
                .partition_point(|&p| base.listings[p as usize].uscc.as_str() < uscc.as_str());
            if let Some(&p) = base.by_uscc.get(at)
                && base.listings[p as usize].uscc == *uscc
            {
                shadowed[p as usize] = true;
            }
        }
        NameIndex {
            base: self.base.clone(),
            overlay: Arc::new(overlay),
            shadowed: Arc::new(shadowed),
        }
    }

    /// How many enterprises changed since the base was built (rebuild when it grows).
    pub fn overlay_len(&self) -> usize {
        self.overlay.len()
    }

    /// How many enterprises the base holds.
    pub fn len(&self) -> usize {
        self.base.listings.len()
    }

    /// Whether the base is empty.
    pub fn is_empty(&self) -> bool {
        self.base.listings.is_empty()
    }

    /// The matches of `lookup` within `filter`, `offset` and `limit` applied, with the
    /// total: names in (region, id) order, credit codes in code order.
    pub fn search(&self, lookup: &Lookup, filter: Filter<'_>, offset: usize, limit: usize) -> Hits {
        let base = &*self.base;
        let keep = |l: &Listing| {
            l.region.starts_with(filter.region_prefix)
                && filter.status.is_none_or(|s| s == l.status)
        };
        let live = |pos: u32| {
            !self.shadowed.get(pos as usize).copied().unwrap_or(false)
                && keep(&base.listings[pos as usize])
        };
        let found: Vec<u32>;
        let mut extra: Vec<&Listing>;
        match lookup {
            Lookup::CodePrefix(prefix) => {
                let ids = &base.by_uscc;
                let lo = ids.partition_point(|&p| {
                    base.listings[p as usize].uscc.as_str() < prefix.as_str()
                });
                found = ids[lo..]
                    .iter()
                    .copied()
                    .take_while(|&p| base.listings[p as usize].uscc.starts_with(prefix.as_str()))
                    .filter(|&p| live(p))
                    .collect();
                extra = self
                    .overlay
                    .values()
                    .flatten()
                    .filter(|l| l.uscc.starts_with(prefix.as_str()) && keep(l))
                    .collect();
                extra.sort_by(|a, b| a.uscc.cmp(&b.uscc));
            }
            Lookup::Contains(norm) => {
                // The region subtree is one range of positions.
                let lo = base
                    .listings
                    .partition_point(|l| l.region.as_str() < filter.region_prefix)
                    as u32;
                let hi = lo
                    + base.listings[lo as usize..]
                        .partition_point(|l| l.region.starts_with(filter.region_prefix))
                        as u32;
                // Drive by the bigram with the fewest positions in that range, and check
                // each name it holds (faster than intersecting the other bigrams' lists,
                // measured on the city data set). A two-character query is one bigram, so
                // its positions are its matches.
                let mut drive: Option<&[u32]> = None;
                for key in gram_keys(norm) {
                    let list = base.postings.get(&key).map_or(&[][..], Vec::as_slice);
                    let a = list.partition_point(|&p| p < lo);
                    let b = list.partition_point(|&p| p < hi);
                    if drive.is_none_or(|d| b - a < d.len()) {
                        drive = Some(&list[a..b]);
                    }
                }
                let exact = norm.chars().count() == 2;
                found = drive
                    .unwrap_or_default()
                    .iter()
                    .copied()
                    .filter(|&p| {
                        (exact || base.norms[p as usize].contains(norm.as_str())) && live(p)
                    })
                    .collect();
                extra = self
                    .overlay
                    .values()
                    .flatten()
                    .filter(|l| keep(l) && normalise(&l.name).contains(norm.as_str()))
                    .collect();
                extra.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
            }
        }
        let total = (found.len() + extra.len()) as u64;
        // Merge the base matches (already in order) with the overlay's.
        let before = |a: &Listing, b: &Listing| match lookup {
            Lookup::CodePrefix(_) => a.uscc < b.uscc,
            Lookup::Contains(_) => order_key(a) < order_key(b),
        };
        let mut items = Vec::with_capacity(limit.min(found.len() + extra.len()));
        let (mut i, mut j, mut skipped) = (0, 0, 0);
        while items.len() < limit && (i < found.len() || j < extra.len()) {
            let next = match (found.get(i), extra.get(j)) {
                (Some(&p), Some(&o)) if !before(o, &base.listings[p as usize]) => {
                    i += 1;
                    &base.listings[p as usize]
                }
                (_, Some(&o)) => {
                    j += 1;
                    o
                }
                (Some(&p), None) => {
                    i += 1;
                    &base.listings[p as usize]
                }
                (None, None) => break,
            };
            if skipped < offset {
                skipped += 1;
            } else {
                items.push(next.clone());
            }
        }
        Hits { items, total }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(org_id: i64, uscc: &str, name: &str, region: &str) -> Listing {
        Listing {
            org_id,
            uscc: uscc.into(),
            name: name.into(),
            region: region.into(),
            status: EnterpriseStatus::Active,
        }
    }

    fn sample() -> NameIndex {
        NameIndex::build(vec![
            listing(3, "91130102AAAA", "石家庄恒信乳业有限公司", "130102"),
            listing(1, "91130602BBBB", "保定乳业有限公司", "130602"),
            listing(2, "91130102CCCC", "石家庄钢铁有限公司", "130102"),
            listing(4, "91130104DDDD", "Ｈｅｂｅｉ Foods 有限公司", "130104"),
        ])
    }

    fn names(h: &Hits) -> Vec<&str> {
        h.items.iter().map(|l| l.name.as_str()).collect()
    }

    fn contains(q: &str) -> Lookup {
        Lookup::parse(q).unwrap()
    }

    #[test]
    fn names_match_by_substring_in_region_then_id_order() {
        let idx = sample();
        let all = idx.search(&contains("乳业"), Filter::default(), 0, 10);
        assert_eq!(all.total, 2);
        assert_eq!(names(&all), ["石家庄恒信乳业有限公司", "保定乳业有限公司"]);
        let sjz = Filter {
            region_prefix: "1301",
            status: None,
        };
        let h = idx.search(&contains("有限公司"), sjz, 0, 10);
        assert_eq!(h.total, 3);
        assert_eq!(h.items[0].org_id, 2, "(130102, 2) before (130102, 3)");
        // Grams present but not adjacent do not match.
        assert_eq!(
            idx.search(&contains("石家乳业"), Filter::default(), 0, 10)
                .total,
            0
        );
        // Full-width and case are folded, spaces ignored.
        assert_eq!(
            idx.search(&contains("ｂｅｉ Foods 有限"), Filter::default(), 0, 10)
                .total,
            1
        );
    }

    #[test]
    fn credit_code_prefixes_match_in_code_order() {
        let idx = sample();
        let h = idx.search(&contains("911301"), Filter::default(), 0, 10);
        assert_eq!(h.total, 3);
        let codes: Vec<&str> = h.items.iter().map(|l| l.uscc.as_str()).collect();
        assert_eq!(codes, ["91130102AAAA", "91130102CCCC", "91130104DDDD"]);
        assert_eq!(Lookup::parse("乳"), None);
        assert_eq!(Lookup::parse("  "), None);
    }

    #[test]
    fn pages_cut_the_ordered_matches_and_keep_the_total() {
        let idx = sample();
        let h = idx.search(&contains("有限公司"), Filter::default(), 1, 2);
        assert_eq!(h.total, 4);
        assert_eq!(h.items.len(), 2);
        assert_eq!(h.items[0].org_id, 3);
        assert!(
            idx.search(&contains("有限公司"), Filter::default(), 9, 2)
                .items
                .is_empty()
        );
    }

    #[test]
    fn changes_replace_base_rows_and_keep_the_order() {
        let idx = sample().with_changes([
            (
                "91130102AAAA".to_owned(),
                Some(listing(3, "91130102AAAA", "石家庄新名字有限公司", "130102")),
            ),
            (
                "91130103EEEE".to_owned(),
                Some(listing(5, "91130103EEEE", "石家庄乳业二厂", "130103")),
            ),
            ("91130602BBBB".to_owned(), None),
        ]);
        let h = idx.search(&contains("乳业"), Filter::default(), 0, 10);
        assert_eq!(names(&h), ["石家庄乳业二厂"]);
        let h = idx.search(&contains("有限公司"), Filter::default(), 0, 10);
        let ids: Vec<i64> = h.items.iter().map(|l| l.org_id).collect();
        assert_eq!(ids, [2, 3, 4]);
        let h = idx.search(&contains("911301"), Filter::default(), 0, 10);
        let codes: Vec<&str> = h.items.iter().map(|l| l.uscc.as_str()).collect();
        assert_eq!(
            codes,
            [
                "91130102AAAA",
                "91130102CCCC",
                "91130103EEEE",
                "91130104DDDD"
            ]
        );
    }

    #[test]
    fn status_filter_applies_to_base_and_overlay() {
        let mut stopped = listing(6, "91130102FFFF", "石家庄停产乳业", "130102");
        stopped.status = EnterpriseStatus::Suspended;
        let idx = sample().with_changes([(stopped.uscc.clone(), Some(stopped))]);
        let f = Filter {
            region_prefix: "",
            status: Some(EnterpriseStatus::Active),
        };
        assert_eq!(idx.search(&contains("乳业"), f, 0, 10).total, 2);
    }

    proptest::proptest! {
        /// The index answers what scanning every name would: same matches, same order,
        /// same total — with repeated characters, overlays and region filters.
        #[test]
        fn answers_as_a_scan_would(
            names in proptest::collection::vec("[甲乙丙丁ab]{1,6}", 1..40),
            query in "[甲乙丙丁ab]{2,4}",
            changed in proptest::collection::vec((0usize..40, "[甲乙丙丁ab]{1,6}"), 0..5),
            region in proptest::sample::select(vec!["", "1301", "130102", "1306"]),
        ) {
            let regions = ["130102", "130104", "130602"];
            let base: Vec<Listing> = names
                .iter()
                .enumerate()
                .map(|(i, n)| listing(i as i64, &format!("U{i:03}"), n, regions[i % 3]))
                .collect();
            let mut now = base.clone();
            let mut overlay = Vec::new();
            for (i, name) in changed {
                if let Some(l) = now.get_mut(i) {
                    l.name = name;
                    overlay.push((l.uscc.clone(), Some(l.clone())));
                }
            }
            let idx = NameIndex::build(base).with_changes(overlay);
            let norm = normalise(&query);
            let mut want: Vec<&Listing> = now
                .iter()
                .filter(|l| l.region.starts_with(region) && normalise(&l.name).contains(&norm))
                .collect();
            want.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
            let f = Filter { region_prefix: region, status: None };
            let hits = idx.search(&Lookup::Contains(norm.clone()), f, 0, 100);
            proptest::prop_assert_eq!(hits.total as usize, want.len());
            let got: Vec<i64> = hits.items.iter().map(|l| l.org_id).collect();
            let want: Vec<i64> = want.iter().map(|l| l.org_id).collect();
            proptest::prop_assert_eq!(got, want);
        }
    }
}
