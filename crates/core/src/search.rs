//! Name search by character bigrams.
//!
//! Chinese enterprise names are searched by fragments as short as two characters
//! ("乳业", "钢铁"), which trigram indexes (SQLite FTS5 `trigram`, PostgreSQL `pg_trgm`)
//! cannot serve. So each enterprise name is stored as the set of its two-character
//! pieces; a query's pieces select candidates by index, and a substring check removes
//! candidates whose pieces are present but not adjacent.

use std::collections::BTreeSet;

/// The form names and queries are compared in: full-width ASCII folded, ASCII
/// lower-cased, white space removed.
pub fn normalise(text: &str) -> String {
    text.chars()
        .map(crate::uscc::fold_full_width)
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The distinct bigrams of a name, in order; a one-character name is its own gram.
pub fn grams(name: &str) -> Vec<String> {
    let chars: Vec<char> = normalise(name).chars().collect();
    if chars.len() == 1 {
        return vec![chars[0].to_string()];
    }
    let mut seen = BTreeSet::new();
    chars
        .windows(2)
        .map(|w| w.iter().collect::<String>())
        .filter(|g| seen.insert(g.clone()))
        .collect()
}

/// The bigrams to look a query up by (at most `max`, spread over the query so the
/// intersection stays selective); empty when the query is shorter than two characters.
pub fn query_grams(query: &str, max: usize) -> Vec<String> {
    let all = grams(query);
    if all.len() <= max || max == 0 {
        return if normalise(query).chars().count() < 2 {
            vec![]
        } else {
            all
        };
    }
    let step = (all.len() - 1) as f64 / (max - 1).max(1) as f64;
    let mut picked: Vec<String> = (0..max)
        .map(|i| all[(i as f64 * step).round() as usize].clone())
        .collect();
    picked.dedup();
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_their_bigrams() {
        assert_eq!(grams("石家庄乳业"), vec!["石家", "家庄", "庄乳", "乳业"]);
        assert_eq!(grams("Ａ Ｂc"), vec!["ab", "bc"]);
        assert_eq!(grams("厂"), vec!["厂"]);
        assert!(grams("").is_empty());
        assert_eq!(grams("哈哈哈"), vec!["哈哈"]);
    }

    #[test]
    fn every_substring_of_two_or_more_is_covered_by_the_names_grams() {
        let name = "石家庄恒信乳业有限公司";
        let all: BTreeSet<String> = grams(name).into_iter().collect();
        let chars: Vec<char> = name.chars().collect();
        for i in 0..chars.len() {
            for j in i + 2..=chars.len() {
                let q: String = chars[i..j].iter().collect();
                assert!(query_grams(&q, 4).iter().all(|g| all.contains(g)), "{q}");
            }
        }
    }

    #[test]
    fn long_queries_use_a_few_spread_grams() {
        let q = query_grams("石家庄恒信乳业有限公司", 4);
        assert_eq!(q.len(), 4);
        assert_eq!(q.first().map(String::as_str), Some("石家"));
        assert_eq!(q.last().map(String::as_str), Some("公司"));
        assert!(query_grams("乳", 4).is_empty());
    }
}
