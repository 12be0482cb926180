//! Why a document or a query was refused: every fault, each with where it is.

use std::fmt;

/// One fault in a document: where (a JSON pointer into the document as JSON, e.g.
/// `/epcisBody/eventList/3/bizStep`), which event (its 0-based index in the event
/// list), a stable code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The JSON pointer of the offending value.
    pub path: String,
    /// The 0-based index of the event in the event list, when the fault is in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<usize>,
    /// A stable machine-readable code (`required`, `vocabulary`, `time_zone`, …).
    pub code: &'static str,
    /// What is wrong, in English.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.path, self.message, self.code)
    }
}

/// A refused document: at least one [`Problem`], at most [`Rejection::LIMIT`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the document was refused: {}", .problems.first().map(ToString::to_string).unwrap_or_default())]
pub struct Rejection {
    /// The faults found, in document order.
    pub problems: Vec<Problem>,
}

impl Rejection {
    /// How many problems are collected before reading stops: enough to fix a batch,
    /// few enough that a broken 100 000-event document answers quickly.
    pub const LIMIT: usize = 100;

    /// A rejection with one problem.
    pub fn one(path: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Rejection {
            problems: vec![Problem {
                path: path.into(),
                event: None,
                code,
                message: message.into(),
            }],
        }
    }
}
