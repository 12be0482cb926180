//! Real unified social credit codes from python-stdnum and hutool, read in place from
//! the folder `ZHIJIAN_FIXTURES` names (see `fixtures/README.md`; never copied here).
//!
//! Without the variable the test says so and does nothing; with it, a missing file fails.

use std::path::{Path, PathBuf};

use zhijian_core::uscc::{Uscc, UsccError, UsccWarning};

fn fixtures() -> Option<PathBuf> {
    match std::env::var_os("ZHIJIAN_FIXTURES") {
        Some(dir) => Some(PathBuf::from(dir).join("uscc")),
        None => {
            println!("ZHIJIAN_FIXTURES is not set: the uscc fixture test checked nothing");
            None
        }
    }
}

/// Rows of a small CSV file with a header; fields may be double-quoted and contain commas.
fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(split_csv_line)
        .collect()
}

fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().unwrap().push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            _ => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

#[test]
fn uscc_fixtures() {
    let Some(dir) = fixtures() else { return };
    found_online_codes_are_all_accepted(&dir);
    stdnum_corner_cases(&dir);
    hutool_examples_and_the_legacy_exception(&dir);
}

/// python-stdnum's 383 codes found online, with the checks its table says they pass.
fn found_online_codes_are_all_accepted(dir: &Path) {
    let rows = read_csv(&dir.join("python-stdnum/derived_uscc_found_online.csv"));
    assert_eq!(rows.len(), 383, "the fixture README promises 383 codes");
    for row in rows {
        let [text, _, _, gb32100_ok, gb11714_ok, region, _] = row.as_slice() else {
            panic!("unexpected row {row:?}");
        };
        assert_eq!((gb32100_ok.as_str(), gb11714_ok.as_str()), ("True", "True"));
        let code = Uscc::parse(text).unwrap_or_else(|e| panic!("{text} rejected: {e}"));
        assert_eq!(code.as_str(), text);
        assert_eq!(code.region_code(), region);
        assert_eq!(Uscc::parse_lenient(text), Ok((code, None)));
    }
}

/// python-stdnum's doctest corner cases. Its InvalidFormat for `A1110000600037341L`
/// comes from demanding digits in positions 1–2; GB 32100 allows letters there (A is
/// the military's authority), so here the check character rejects it instead.
fn stdnum_corner_cases(dir: &Path) {
    let rows = read_csv(&dir.join("python-stdnum/derived_uscc_corner_cases.csv"));
    assert!(!rows.is_empty());
    for row in rows {
        let (input, expected) = (row[0].as_str(), row[1].as_str());
        let result = Uscc::parse(input);
        match expected {
            "valid" | "valid after compacting spaces" => {
                let code = result.unwrap_or_else(|e| panic!("{input:?} rejected: {e}"));
                assert_eq!(code.as_str(), input.replace(' ', ""));
            }
            "InvalidLength" => {
                assert!(matches!(result, Err(UsccError::Length { .. })), "{input}")
            }
            "InvalidFormat" => assert!(result.is_err(), "{input} accepted"),
            "InvalidChecksum" => assert!(
                matches!(result, Err(UsccError::CheckCharacter { .. })),
                "{input}: {result:?}"
            ),
            other => panic!("unknown expectation {other:?} for {input:?}"),
        }
    }
}

/// hutool's examples: two valid codes and the Fujian pilot code that fails GB 32100.
fn hutool_examples_and_the_legacy_exception(dir: &Path) {
    let rows = read_csv(&dir.join("dromara-hutool/derived_uscc_examples.csv"));
    let mut legacy_seen = false;
    for row in rows {
        let (text, gb32100_ok) = (row[0].as_str(), row[2].as_str());
        match gb32100_ok {
            "true" => assert_eq!(Uscc::parse(text).unwrap().as_str(), text),
            "false" => {
                legacy_seen = true;
                assert_eq!(
                    Uscc::parse(text),
                    Err(UsccError::CheckCharacter {
                        expected: '3',
                        found: 'N'
                    })
                );
                let (code, warning) = Uscc::parse_lenient(text).unwrap();
                assert_eq!(code.as_str(), text);
                assert!(code.has_legacy_check_character());
                assert_eq!(
                    warning,
                    Some(UsccWarning::LegacyCheckCharacter {
                        expected: '3',
                        found: 'N'
                    })
                );
            }
            other => panic!("unexpected gb32100_check_ok {other:?} for {text}"),
        }
    }
    assert!(
        legacy_seen,
        "the legacy pilot-region code is missing from the fixture"
    );
}
