//! Checks the embedded region table against independent GB/T 2260 lists.
//!
//! The lists live in `$ZHIJIAN_FIXTURES/regions/` (see `shared/fixtures/README.md`); they
//! are read in place and never copied into the repository. Without `ZHIJIAN_FIXTURES` the
//! test says so and does nothing; with it, a missing file fails the test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use zhijian_core::region::{self, RegionCode};

/// Districts renamed under the same code after the 2019 ministry list (邢台, 2020).
const RENAMED_SINCE_2019: [(&str, &str, &str); 2] = [
    ("130502", "桥东区", "襄都区"),
    ("130503", "桥西区", "信都区"),
];

/// Reads a fixture file; a missing or unreadable file fails the test.
fn read(root: &Path, relative: &str) -> String {
    let path = root.join("regions").join(relative);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("fixture {} is missing: {error}", path.display()))
}

/// `Source  Revision  Code  Name` lists of cn/GB2260.
fn gb2260_tsv(root: &Path, relative: &str) -> BTreeMap<String, String> {
    let text = read(root, relative);
    let mut lines = text.lines();
    assert_eq!(
        lines.next().map(str::trim),
        Some("Source\tRevision\tCode\tName"),
        "{relative}: unexpected header"
    );
    let list: BTreeMap<_, _> = lines
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.trim_end().split('\t').collect();
            assert_eq!(fields.len(), 4, "{relative}: bad line {line:?}");
            (fields[2].to_string(), fields[3].to_string())
        })
        .collect();
    assert!(list.len() > 3000, "{relative}: only {} codes", list.len());
    list
}

/// `code,name,…` CSV lists, where codes may be shortened to 2 or 4 digits.
fn csv_codes(root: &Path, files: &[&str]) -> BTreeMap<String, String> {
    let mut list = BTreeMap::new();
    for relative in files {
        let text = read(root, relative);
        for line in text.lines().skip(1).filter(|line| !line.trim().is_empty()) {
            let mut fields = line.split(',');
            let code = fields.next().unwrap_or_default().trim();
            let name = fields.next().unwrap_or_default().trim().trim_matches('"');
            assert!(
                matches!(code.len(), 2 | 4 | 6),
                "{relative}: bad code in {line:?}"
            );
            list.insert(format!("{code:0<6}"), name.to_string());
        }
    }
    assert!(list.len() > 3000, "{files:?}: only {} codes", list.len());
    list
}

fn resolves_all(list: &BTreeMap<String, String>, what: &str) {
    let unknown: Vec<_> = list
        .iter()
        .filter(|(code, _)| region::resolve(code).is_err())
        .collect();
    assert!(
        unknown.is_empty(),
        "{what}: codes that do not resolve: {unknown:?}"
    );
}

fn fixtures() -> Option<PathBuf> {
    match std::env::var_os("ZHIJIAN_FIXTURES") {
        Some(root) => Some(PathBuf::from(root)),
        None => {
            println!("ZHIJIAN_FIXTURES is not set: region fixture checks did nothing");
            None
        }
    }
}

#[test]
fn regions_of_the_newest_ministry_list_resolve_with_their_names() {
    let Some(root) = fixtures() else { return };
    let ministry = gb2260_tsv(&root, "cn-GB2260/mca/201904.tsv");
    resolves_all(&ministry, "ministry 2019-04");

    let mut disagree = Vec::new();
    for (code, name) in &ministry {
        let Ok(ours) = region::resolve(code) else {
            continue;
        };
        if ours.retired || ours.name == name {
            continue;
        }
        let renamed = RENAMED_SINCE_2019
            .iter()
            .any(|&(c, old, new)| c == code && old == name && new == ours.name);
        if !renamed {
            disagree.push((code, name, ours.name));
        }
    }
    assert!(
        disagree.is_empty(),
        "names differ (code, list, ours): {disagree:?}"
    );
}

#[test]
fn every_region_code_in_the_history_resolves() {
    let Some(root) = fixtures() else { return };
    for list in ["cn-GB2260/200712.tsv", "cn-GB2260/mca/201512.tsv"] {
        resolves_all(&gb2260_tsv(&root, list), list);
    }
    let uiwjs = csv_codes(
        &root,
        &[
            "uiwjs/packages/core/dist/province.csv",
            "uiwjs/packages/core/dist/city.csv",
            "uiwjs/packages/core/dist/area.csv",
        ],
    );
    resolves_all(&uiwjs, "uiwjs 2021");
}

#[test]
fn regions_of_the_2023_statistics_list_resolve_with_their_names() {
    let Some(root) = fixtures() else { return };
    let statistics = csv_codes(
        &root,
        &[
            "modood/dist/provinces.csv",
            "modood/dist/cities.csv",
            "modood/dist/areas.csv",
        ],
    );
    resolves_all(&statistics, "statistics 2023");
    let disagree: Vec<_> = statistics
        .iter()
        .filter_map(|(code, name)| {
            let ours = region::resolve(code).ok()?;
            (!ours.retired && ours.name != name).then_some((code, name, ours.name))
        })
        .collect();
    assert!(
        disagree.is_empty(),
        "names differ (code, list, ours): {disagree:?}"
    );
}

/// Codes the 2019 ministry list had and the 2023 statistics list dropped have retired;
/// every current code of ours appears in one of the lists, and the tree that
/// `children()` walks reaches every one of them.
#[test]
fn current_and_retired_regions_agree_with_the_lists() {
    let Some(root) = fixtures() else { return };
    let ministry = gb2260_tsv(&root, "cn-GB2260/mca/201904.tsv");
    let statistics = csv_codes(
        &root,
        &[
            "modood/dist/provinces.csv",
            "modood/dist/cities.csv",
            "modood/dist/areas.csv",
        ],
    );

    let outside_statistics = ["71", "81", "82"]; // Taiwan, Hong Kong, Macao
    let wrongly_current: Vec<_> = ministry
        .keys()
        .filter(|code| !statistics.contains_key(*code))
        .filter(|code| !outside_statistics.iter().any(|p| code.starts_with(p)))
        .filter(|code| region::resolve(code).is_ok_and(|r| !r.retired))
        .collect();
    assert!(
        wrongly_current.is_empty(),
        "dropped since 2019 but still current: {wrongly_current:?}"
    );

    // Walk the tree of current regions from the top with children().
    let mut walked = BTreeSet::new();
    let mut stack = region::children(RegionCode::NATIONAL);
    while let Some(current) = stack.pop() {
        walked.insert(current.code.as_str().to_string());
        stack.extend(region::children(current.code));
    }
    let unlisted: Vec<_> = walked
        .iter()
        .filter(|code| !ministry.contains_key(*code) && !statistics.contains_key(*code))
        .collect();
    assert!(
        unlisted.is_empty(),
        "current codes in neither list: {unlisted:?}"
    );
    let unreached: Vec<_> = ministry
        .keys()
        .chain(statistics.keys())
        .filter(|code| region::resolve(code).is_ok_and(|r| !r.retired))
        .filter(|code| !walked.contains(*code))
        .collect();
    assert!(
        unreached.is_empty(),
        "current codes children() never reaches: {unreached:?}"
    );
}
