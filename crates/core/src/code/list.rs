//! Code lists as packaging lines export them, and index ranges.
//!
//! A line scanner writes one code per line, often as the first column of a CSV file
//! with a header, sometimes with a byte-order mark, `\r\n` line ends, quotes, or
//! semicolons and tabs as separators. [`parse_code_list`] takes all of those and names
//! every bad line; [`coalesce`] turns code indices into the few ranges they are
//! stored as.

use super::SupervisionCode;

/// At most this many bad lines are named in one error.
pub const MAX_NAMED: usize = 20;

/// One line that is not a code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct BadLine {
    /// 1-based line number.
    pub line: usize,
    /// The field as given (cut to 40 characters).
    pub text: String,
    /// The rule it breaks (a stable code, e.g. `code_mistyped`).
    pub error: String,
}

/// Why a code list was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListError {
    /// The file is not UTF-8 text.
    #[error("the file is not UTF-8 text (line {line})")]
    NotText {
        /// The first line that is not.
        line: usize,
    },
    /// More codes than one activation may carry.
    #[error("the list has more than {max} codes")]
    TooMany {
        /// The limit.
        max: usize,
    },
    /// There are no codes at all.
    #[error("the list has no codes")]
    Empty,
    /// Some lines are not codes.
    #[error("{} line(s) are not valid codes, the first on line {}", .count, .lines.first().map_or(0, |l| l.line))]
    BadLines {
        /// The first [`MAX_NAMED`] bad lines.
        lines: Vec<BadLine>,
        /// How many lines were bad in all.
        count: usize,
    },
}

impl ListError {
    /// A stable snake_case identifier.
    pub fn code(&self) -> &'static str {
        match self {
            ListError::NotText { .. } => "list_not_text",
            ListError::TooMany { .. } => "list_too_many",
            ListError::Empty => "list_empty",
            ListError::BadLines { .. } => "list_bad_lines",
        }
    }
}

fn cut(text: &str) -> String {
    text.chars().take(40).collect()
}

/// The fields of a CSV/TSV line, unquoted and trimmed (`,`, `;` and tab all separate).
fn fields(line: &str) -> impl Iterator<Item = &str> {
    line.split([',', ';', '\t']).map(|field| {
        let field = field.trim();
        field
            .strip_prefix('"')
            .and_then(|f| f.strip_suffix('"'))
            .unwrap_or(field)
            .trim()
    })
}

/// The header names of the column holding each code's case (its parent logistic unit).
pub const CASE_COLUMNS: [&str; 3] = ["parent", "case", "sscc"];

/// One code of a packaging line's list, and the case it was packed into, if the list
/// has a case column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedCode {
    /// The code.
    pub code: SupervisionCode,
    /// The case's identifier as written (an 18-digit SSCC or a GS1 identifier), when
    /// the row names one.
    pub case: Option<String>,
}

/// Reads a code list: one code per line, or the first column of a CSV file. A first line
/// without a single digit is taken as a header; empty lines are skipped. Total: any
/// bytes give codes or a [`ListError`].
pub fn parse_code_list(bytes: &[u8], max: usize) -> Result<Vec<SupervisionCode>, ListError> {
    Ok(parse_packed_list(bytes, max)?
        .into_iter()
        .map(|p| p.code)
        .collect())
}

/// Reads a code list as [`parse_code_list`] does and, when the header names a column
/// `parent`, `case` or `sscc` (any case), each code's case from that column. The case
/// text is not checked here: it is an identifier for the EPCIS reader.
pub fn parse_packed_list(bytes: &[u8], max: usize) -> Result<Vec<PackedCode>, ListError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut codes = Vec::new();
    let mut bad = Vec::new();
    let mut count = 0;
    let mut case_column = None;
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = std::str::from_utf8(raw).map_err(|_| ListError::NotText { line: i + 1 })?;
        let line = line.trim_end_matches('\r');
        let field = fields(line).next().unwrap_or_default();
        if i == 0 && !field.is_empty() && !field.chars().any(|c| c.is_ascii_digit()) {
            case_column = fields(line)
                .position(|name| CASE_COLUMNS.iter().any(|c| name.eq_ignore_ascii_case(c)));
            continue;
        }
        if field.is_empty() {
            continue;
        }
        match SupervisionCode::parse(field) {
            Ok(code) => {
                if codes.len() == max {
                    return Err(ListError::TooMany { max });
                }
                let case = case_column
                    .and_then(|n| fields(line).nth(n))
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned);
                codes.push(PackedCode { code, case });
            }
            Err(e) => {
                count += 1;
                if bad.len() < MAX_NAMED {
                    bad.push(BadLine {
                        line: i + 1,
                        text: cut(field),
                        error: e.code().to_owned(),
                    });
                }
            }
        }
    }
    if count > 0 {
        return Err(ListError::BadLines { lines: bad, count });
    }
    if codes.is_empty() {
        return Err(ListError::Empty);
    }
    Ok(codes)
}

/// A run of consecutive indices: `first .. first + count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IndexRange {
    /// The first index.
    pub first: u64,
    /// How many.
    pub count: u64,
}

impl IndexRange {
    /// One past the last index.
    pub fn end(&self) -> u64 {
        self.first.saturating_add(self.count)
    }

    /// Whether `index` lies inside.
    pub fn contains(&self, index: u64) -> bool {
        index >= self.first && index < self.end()
    }

    /// Whether the two share an index.
    pub fn overlaps(&self, other: &IndexRange) -> bool {
        self.first < other.end() && other.first < self.end()
    }
}

/// Sorts indices into the fewest ranges; `Err` names an index given twice.
pub fn coalesce(mut indices: Vec<u64>) -> Result<Vec<IndexRange>, u64> {
    indices.sort_unstable();
    let mut out: Vec<IndexRange> = Vec::new();
    for i in indices {
        match out.last_mut() {
            Some(r) if r.end() > i => return Err(i),
            Some(r) if r.end() == i => r.count += 1,
            _ => out.push(IndexRange { first: i, count: 1 }),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::{CodeKey, CodeSpace, NodeCode};
    use proptest::prelude::*;

    fn codes(n: u64) -> Vec<String> {
        let key = CodeKey::from_hex("000102030405060708090a0b0c0d0e0f").unwrap();
        let space = CodeSpace::new(NodeCode::parse("13").unwrap(), &key);
        (0..n)
            .map(|i| space.encode(i).unwrap().to_string())
            .collect()
    }

    #[test]
    fn reads_what_packaging_lines_write() {
        let c = codes(3);
        let csv = format!(
            "\u{feff}code,lot\r\n\"{}\",L1\r\n{};L1\r\n\r\n{}\tL1\n",
            c[0],
            c[1],
            c[2].chars()
                .collect::<Vec<_>>()
                .chunks(4)
                .map(|g| g.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join(" ")
        );
        let got = parse_code_list(csv.as_bytes(), 10).unwrap();
        assert_eq!(got.iter().map(ToString::to_string).collect::<Vec<_>>(), c);
    }

    #[test]
    fn reads_the_case_of_each_code_when_a_column_names_it() {
        let c = codes(3);
        let csv = format!(
            "code;lot;Case\n{};L1;106141411234567897\n{};L1;\n\"{}\";L1;\"106141411234567897\"\n",
            c[0], c[1], c[2]
        );
        let got = parse_packed_list(csv.as_bytes(), 10).unwrap();
        let cases: Vec<Option<&str>> = got.iter().map(|p| p.case.as_deref()).collect();
        assert_eq!(
            cases,
            vec![Some("106141411234567897"), None, Some("106141411234567897")]
        );
        let plain = parse_packed_list(format!("code,lot\n{},L1\n", c[0]).as_bytes(), 10).unwrap();
        assert_eq!(plain[0].case, None);
    }

    #[test]
    fn names_the_bad_lines() {
        let c = codes(2);
        let mut typo = c[1].clone().into_bytes();
        typo[19] = if typo[19] == b'0' { b'1' } else { b'0' };
        let text = format!("{}\n{}\nabc\n", c[0], String::from_utf8(typo).unwrap());
        let Err(ListError::BadLines { lines, count }) = parse_code_list(text.as_bytes(), 10) else {
            panic!("expected bad lines");
        };
        assert_eq!(count, 2);
        assert_eq!(
            (lines[0].line, lines[0].error.as_str()),
            (2, "code_mistyped")
        );
        assert_eq!(
            (lines[1].line, lines[1].error.as_str()),
            (3, "code_not_numeric")
        );
    }

    #[test]
    fn limits_and_empties() {
        let c = codes(3).join("\n");
        assert_eq!(
            parse_code_list(c.as_bytes(), 2),
            Err(ListError::TooMany { max: 2 })
        );
        assert_eq!(parse_code_list(b"code\n\n", 2), Err(ListError::Empty));
        assert_eq!(
            parse_code_list(b"\xff\xfe", 2),
            Err(ListError::NotText { line: 1 })
        );
    }

    #[test]
    fn indices_become_ranges() {
        assert_eq!(
            coalesce(vec![7, 3, 4, 5, 9, 8]).unwrap(),
            vec![
                IndexRange { first: 3, count: 3 },
                IndexRange { first: 7, count: 3 }
            ]
        );
        assert_eq!(coalesce(vec![1, 2, 1]), Err(1));
        assert!(IndexRange { first: 0, count: 2 }.overlaps(&IndexRange { first: 1, count: 5 }));
        assert!(!IndexRange { first: 0, count: 2 }.overlaps(&IndexRange { first: 2, count: 5 }));
    }

    proptest! {
        #[test]
        fn any_bytes_give_codes_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse_code_list(&bytes, 50);
        }

        #[test]
        fn any_text_gives_codes_or_an_error(text in "[0-9０-９ ,;\"\t\r\n-]{0,200}") {
            let _ = parse_code_list(text.as_bytes(), 50);
        }

        #[test]
        fn ranges_hold_every_index_once(mut v in proptest::collection::btree_set(0u64..1000, 0..100)) {
            let indices: Vec<u64> = std::mem::take(&mut v).into_iter().collect();
            let ranges = coalesce(indices.clone()).unwrap();
            let back: Vec<u64> = ranges.iter().flat_map(|r| r.first..r.end()).collect();
            prop_assert_eq!(back, indices);
        }
    }
}
