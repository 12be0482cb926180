//! Consumer complaints (12365 投诉): their tracking numbers, their life and deadlines.
//! A bureau decides within 7 working days whether it accepts a complaint (the SAMR
//! rules on complaints and reports), then handles it within a configurable number of
//! working days and closes it, substantiated or not, with its reply.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;

/// Working days a bureau has to accept or reject a complaint.
pub const ACCEPT_WORKING_DAYS: u32 = 7;

/// The default working days to handle an accepted complaint (mediation ends within 45
/// working days of acceptance under the SAMR rules); a node may configure its own.
pub const HANDLE_WORKING_DAYS: u32 = 45;

/// Where a complaint is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintStatus {
    /// Filed; the bureau has not decided whether to accept it.
    Received,
    /// Accepted; being handled.
    Accepted,
    /// Not accepted (the reason is given to the complainant).
    Rejected,
    /// Handled and closed, with its outcome and reply.
    Closed,
}

impl ComplaintStatus {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            ComplaintStatus::Received => "received",
            ComplaintStatus::Accepted => "accepted",
            ComplaintStatus::Rejected => "rejected",
            ComplaintStatus::Closed => "closed",
        }
    }

    /// Reads a stable name.
    pub fn parse(s: &str) -> Option<ComplaintStatus> {
        [
            ComplaintStatus::Received,
            ComplaintStatus::Accepted,
            ComplaintStatus::Rejected,
            ComplaintStatus::Closed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// How a handled complaint turned out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The complaint was founded: it becomes a risk signal and counts in grading.
    Substantiated,
    /// It was not.
    Unsubstantiated,
}

impl Outcome {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Substantiated => "substantiated",
            Outcome::Unsubstantiated => "unsubstantiated",
        }
    }

    /// Reads a stable name.
    pub fn parse(s: &str) -> Option<Outcome> {
        [Outcome::Substantiated, Outcome::Unsubstantiated]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// What may be done to a complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// Accept it for handling.
    Accept,
    /// Decline it, with a reason.
    Reject,
    /// Hand it to another bureau.
    Transfer,
    /// Close it with its outcome.
    Close,
}

/// Why a complaint cannot move as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComplaintError {
    /// The move does not apply in this status.
    #[error("a {status} complaint cannot be {verb}")]
    Status {
        /// The current status.
        status: &'static str,
        /// What was asked, as a participle.
        verb: &'static str,
    },
    /// A text is missing or too long.
    #[error("{field}: {problem}")]
    Text {
        /// Which field.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

impl ComplaintError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ComplaintError::Status { .. } => "complaint_status",
            ComplaintError::Text { .. } => "text",
        }
    }
}

/// The status a move leads to from `status`, or why it may not be made.
pub fn apply(status: ComplaintStatus, m: Move) -> Result<ComplaintStatus, ComplaintError> {
    use ComplaintStatus::*;
    let next = match (status, m) {
        (Received, Move::Accept) => Accepted,
        (Received, Move::Reject) => Rejected,
        (Received | Accepted, Move::Transfer) => status,
        (Accepted, Move::Close) => Closed,
        _ => {
            return Err(ComplaintError::Status {
                status: status.as_str(),
                verb: match m {
                    Move::Accept => "accepted",
                    Move::Reject => "rejected",
                    Move::Transfer => "transferred",
                    Move::Close => "closed",
                },
            });
        }
    };
    Ok(next)
}

/// A required text, trimmed, of at most `max` characters.
pub fn text(field: &'static str, value: &str, max: usize) -> Result<String, ComplaintError> {
    let t = value.trim();
    if t.is_empty() {
        return Err(ComplaintError::Text {
            field,
            problem: "required".into(),
        });
    }
    if t.chars().count() > max {
        return Err(ComplaintError::Text {
            field,
            problem: format!("at most {max} characters"),
        });
    }
    Ok(t.to_owned())
}

/// The last day to accept or reject a complaint received on `received`.
pub fn accept_by(calendar: &Calendar, received: Date) -> Date {
    calendar.add_working_days(received, ACCEPT_WORKING_DAYS)
}

/// Whether a complaint is overdue on `today`: not decided after its acceptance deadline,
/// or not closed after its handling deadline.
pub fn overdue(
    status: ComplaintStatus,
    accept_by: Date,
    handle_by: Option<Date>,
    today: Date,
) -> bool {
    match status {
        ComplaintStatus::Received => today > accept_by,
        ComplaintStatus::Accepted => handle_by.is_some_and(|d| today > d),
        ComplaintStatus::Rejected | ComplaintStatus::Closed => false,
    }
}

/// The alphabet of tracking numbers: Crockford's base 32, without the letters people
/// misread (I, L, O, U).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A tracking number from 60 random bits: `TS-XXXX-XXXX-XXXX`. Guessing one is as hard
/// as guessing a 60-bit key, so a tracking number alone is enough to follow a complaint.
pub fn tracking_number(random: u64) -> String {
    let mut out = String::from("TS");
    for i in 0..12 {
        if i % 4 == 0 {
            out.push('-');
        }
        let shift = 55 - 5 * i;
        out.push(ALPHABET[((random >> shift) & 31) as usize] as char);
    }
    out
}

/// Reads a tracking number as people type it (any case, spaces or dashes anywhere,
/// O for 0 and I or L for 1), or `None` when it cannot be one.
pub fn parse_tracking_number(typed: &str) -> Option<String> {
    let mut chars: Vec<u8> = Vec::with_capacity(14);
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' | '\u{3000}' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c if c.is_ascii() => c,
            _ => return None,
        };
        chars.push(c as u8);
    }
    let body = chars.strip_prefix(b"TS").unwrap_or(&chars);
    if body.len() != 12 || !body.iter().all(|c| ALPHABET.contains(c)) {
        return None;
    }
    let mut out = String::from("TS");
    for (i, c) in body.iter().enumerate() {
        if i % 4 == 0 {
            out.push('-');
        }
        out.push(*c as char);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_complaint_is_decided_once_then_closed() {
        use ComplaintStatus::*;
        assert_eq!(apply(Received, Move::Accept), Ok(Accepted));
        assert_eq!(apply(Received, Move::Reject), Ok(Rejected));
        assert_eq!(apply(Accepted, Move::Transfer), Ok(Accepted));
        assert_eq!(apply(Accepted, Move::Close), Ok(Closed));
        assert_eq!(
            apply(Received, Move::Close).unwrap_err().to_string(),
            "a received complaint cannot be closed"
        );
        for m in [Move::Accept, Move::Reject, Move::Transfer, Move::Close] {
            assert!(apply(Closed, m).is_err());
            assert!(apply(Rejected, m).is_err());
        }
    }

    #[test]
    fn deadlines_count_working_days() {
        let cal = Calendar::default();
        // Friday 2026-11-20 + 7 working days = Tuesday 2026-12-01.
        let by = accept_by(&cal, date(2026, 11, 20));
        assert_eq!(by, date(2026, 12, 1));
        assert!(!overdue(ComplaintStatus::Received, by, None, by));
        assert!(overdue(
            ComplaintStatus::Received,
            by,
            None,
            date(2026, 12, 2)
        ));
        assert!(!overdue(
            ComplaintStatus::Closed,
            by,
            None,
            date(2027, 1, 1)
        ));
        assert!(overdue(
            ComplaintStatus::Accepted,
            by,
            Some(date(2026, 12, 10)),
            date(2026, 12, 11)
        ));
    }

    #[test]
    fn tracking_numbers_read_back_as_typed() {
        let n = tracking_number(0x0123_4567_89AB_CDEF);
        assert_eq!(n.len(), 17);
        assert_eq!(parse_tracking_number(&n), Some(n.clone()));
        let typed = n.to_lowercase().replace('-', " ");
        assert_eq!(parse_tracking_number(&typed), Some(n.clone()));
        assert_eq!(parse_tracking_number(&n[3..]), Some(n.clone()));
        assert_eq!(parse_tracking_number("TS-0000-0000-000"), None);
        assert_eq!(parse_tracking_number("TS-0000-0000-000U"), None);
        assert_eq!(parse_tracking_number("投诉"), None);
        assert_eq!(parse_tracking_number(""), None);
        assert_ne!(tracking_number(1), tracking_number(2));
    }
}
