//! GS1 identifiers in EPCIS events, reduced to one canonical spelling each.
//!
//! One item can be named three ways in EPCIS — an EPC pure-identity URN
//! (`urn:epc:id:sgtin:0614141.107346.2017`), an EPC class or pattern URN, or a GS1
//! Digital Link URI on any host (`https://example.com/01/10614141073464/21/2017`). The
//! store indexes and the event hash compare identifiers, so every spelling is parsed into
//! an [`Identifier`] whose [`canonical`](Identifier::canonical) form is the Digital Link
//! URI on `https://id.gs1.org` with the element strings in standard order, GS1 keys at full
//! length with their check digits, and serials percent-encoded.
//!
//! ```
//! use zhijian_epcis::identifier::Identifier;
//! let id = Identifier::parse("urn:epc:id:sgtin:0614141.107346.2017").unwrap();
//! assert_eq!(id.canonical(), "https://id.gs1.org/01/10614141073464/21/2017");
//! ```

use std::fmt;

use zhijian_core::gtin::gs1_check_digit;

/// The host of canonical GS1 Digital Link URIs.
const CANONICAL_HOST: &str = "https://id.gs1.org";

/// An identifier as found in an EPCIS event, GS1 keys parsed into their parts.
///
/// Digit strings are stored at full length with the check digit; serials, lots and
/// other alphanumeric parts are stored decoded (no percent escapes).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Identifier {
    /// A serialised trade item: GTIN (AI 01) and serial number (AI 21).
    Sgtin {
        /// The GTIN, 14 digits.
        gtin: String,
        /// The serial number, 1–20 characters of GS1 set 82.
        serial: String,
    },
    /// A batch or lot of a trade item: GTIN (AI 01) and lot number (AI 10).
    Lgtin {
        /// The GTIN, 14 digits.
        gtin: String,
        /// The lot number, 1–20 characters of GS1 set 82.
        lot: String,
    },
    /// A trade item class (AI 01), from `urn:epc:idpat:sgtin:…*` or a bare GTIN link.
    Gtin {
        /// The GTIN, 14 digits.
        gtin: String,
    },
    /// A logistic unit: SSCC (AI 00).
    Sscc {
        /// The SSCC, 18 digits.
        sscc: String,
    },
    /// A physical location: GLN (AI 414) with an optional extension (AI 254).
    Sgln {
        /// The GLN, 13 digits.
        gln: String,
        /// The GLN extension; `None` where the EPC URN says `0`.
        extension: Option<String>,
    },
    /// A party: GLN of a party (AI 417).
    Pgln {
        /// The party GLN, 13 digits.
        gln: String,
    },
    /// A returnable asset: GRAI (AI 8003), optionally serialised.
    Grai {
        /// The GRAI without serial, 14 digits (a leading `0` and the check digit).
        grai: String,
        /// The serial component, up to 16 characters of set 82.
        serial: Option<String>,
    },
    /// An individual asset: GIAI (AI 8004).
    Giai {
        /// The whole GIAI (company prefix and asset reference), up to 30 characters.
        giai: String,
    },
    /// A service relation: GSRN (AI 8018).
    Gsrn {
        /// The GSRN, 18 digits.
        gsrn: String,
    },
    /// A document: GDTI (AI 253), optionally serialised.
    Gdti {
        /// The document type, 13 digits.
        gdti: String,
        /// The serial component, up to 17 characters of set 82.
        serial: Option<String>,
    },
    /// A coupon: GCN (AI 255), optionally serialised.
    Sgcn {
        /// The coupon reference, 13 digits.
        gcn: String,
        /// The serial component, up to 12 digits.
        serial: Option<String>,
    },
    /// A component or part: CPID (AI 8010), optionally serialised (AI 8011).
    Cpi {
        /// The component/part identifier, up to 30 characters of set 39.
        cpid: String,
        /// The serial, up to 12 digits.
        serial: Option<String>,
    },
    /// Any other absolute URI (another URN, a non-GS1 web link, `geo:`…), kept as given.
    Other(String),
}

/// Why a string is not a usable identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    /// No URI scheme (`scheme:` prefix), so the string is not a URI at all.
    #[error("{0:?} is not a URI (it has no scheme such as `urn:` or `https:`)")]
    NotAUri(String),
    /// The structure of an EPC URN or GS1 Digital Link is wrong.
    #[error("malformed identifier: {0}")]
    Malformed(&'static str),
    /// A GS1 company prefix outside 6–12 digits.
    #[error("a GS1 company prefix has 6 to 12 digits, but {found} were given")]
    CompanyPrefixLength {
        /// How many digits the prefix has.
        found: usize,
    },
    /// A digit string of the wrong length (e.g. company prefix and item reference of an
    /// SGTIN not totalling 13).
    #[error("the {field} should have {expected} digits, but has {found}")]
    DigitCount {
        /// Which part.
        field: &'static str,
        /// How many digits it must have.
        expected: usize,
        /// How many it has.
        found: usize,
    },
    /// A character other than a digit where only digits are allowed.
    #[error("the {field} must be digits only")]
    NotNumeric {
        /// Which part.
        field: &'static str,
    },
    /// The last digit of a GS1 key is not its check digit.
    #[error("the check digit of the {field} should be {expected} but is {found}")]
    CheckDigit {
        /// Which key.
        field: &'static str,
        /// The correct check digit.
        expected: u8,
        /// The one given.
        found: u8,
    },
    /// A serial, lot or other alphanumeric part longer than GS1 allows.
    #[error("the {field} may have at most {max} characters, but has {found}")]
    TooLong {
        /// Which part.
        field: &'static str,
        /// The maximum.
        max: usize,
        /// The length given (after decoding escapes).
        found: usize,
    },
    /// A character outside the set GS1 allows for that part (set 82 for serials and lots).
    #[error("the {field} contains {character:?}, which GS1 does not allow there")]
    InvalidCharacter {
        /// Which part.
        field: &'static str,
        /// The offending character.
        character: char,
    },
    /// A `%` not followed by two hex digits encoding an ASCII character.
    #[error("the {field} has a broken percent escape")]
    BadEscape {
        /// Which part.
        field: &'static str,
    },
}

impl IdentifierError {
    /// A stable snake_case code for this rule, used in problem+json bodies.
    pub fn code(&self) -> &'static str {
        match self {
            IdentifierError::NotAUri(_) => "not_a_uri",
            IdentifierError::Malformed(_) => "malformed",
            IdentifierError::CompanyPrefixLength { .. } => "company_prefix_length",
            IdentifierError::DigitCount { .. } => "digit_count",
            IdentifierError::NotNumeric { .. } => "not_numeric",
            IdentifierError::CheckDigit { .. } => "check_digit",
            IdentifierError::TooLong { .. } => "too_long",
            IdentifierError::InvalidCharacter { .. } => "invalid_character",
            IdentifierError::BadEscape { .. } => "bad_escape",
        }
    }
}

impl Identifier {
    /// Parses an EPC URN, EPC class/pattern URN, GS1 Digital Link URI or other absolute
    /// URI. Surrounding whitespace is ignored.
    pub fn parse(s: &str) -> Result<Identifier, IdentifierError> {
        let s = s.trim();
        let colon = scheme_end(s).ok_or_else(|| IdentifierError::NotAUri(s.to_owned()))?;
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(IdentifierError::Malformed(
                "a URI has no spaces or control characters",
            ));
        }
        let scheme = s[..colon].to_ascii_lowercase();
        match scheme.as_str() {
            "urn" => parse_urn(s),
            "http" | "https" => parse_digital_link(s),
            _ => Ok(Identifier::Other(s.to_owned())),
        }
    }

    /// The canonical GS1 Digital Link URI on `https://id.gs1.org`, or the URI itself for
    /// [`Identifier::Other`].
    pub fn canonical(&self) -> String {
        let path = match self {
            Identifier::Sgtin { gtin, serial } => format!("/01/{gtin}/21/{}", encode(serial)),
            Identifier::Lgtin { gtin, lot } => format!("/01/{gtin}/10/{}", encode(lot)),
            Identifier::Gtin { gtin } => format!("/01/{gtin}"),
            Identifier::Sscc { sscc } => format!("/00/{sscc}"),
            Identifier::Sgln {
                gln,
                extension: None,
            } => format!("/414/{gln}"),
            Identifier::Sgln {
                gln,
                extension: Some(ext),
            } => {
                format!("/414/{gln}/254/{}", encode(ext))
            }
            Identifier::Pgln { gln } => format!("/417/{gln}"),
            Identifier::Grai { grai, serial } => format!("/8003/{grai}{}", encode_opt(serial)),
            Identifier::Giai { giai } => format!("/8004/{}", encode(giai)),
            Identifier::Gsrn { gsrn } => format!("/8018/{gsrn}"),
            Identifier::Gdti { gdti, serial } => format!("/253/{gdti}{}", encode_opt(serial)),
            Identifier::Sgcn { gcn, serial } => {
                format!("/255/{gcn}{}", serial.as_deref().unwrap_or(""))
            }
            Identifier::Cpi { cpid, serial: None } => format!("/8010/{}", encode(cpid)),
            Identifier::Cpi {
                cpid,
                serial: Some(serial),
            } => {
                format!("/8010/{}/8011/{serial}", encode(cpid))
            }
            Identifier::Other(uri) => return uri.clone(),
        };
        format!("{CANONICAL_HOST}{path}")
    }

    /// Whether this is a GS1 key (anything but [`Identifier::Other`]).
    pub fn is_gs1_key(&self) -> bool {
        !matches!(self, Identifier::Other(_))
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

/// The byte index of the `:` ending a RFC 3986 scheme, if `s` starts with one and has
/// something after it.
fn scheme_end(s: &str) -> Option<usize> {
    let colon = s.find(':')?;
    let scheme = &s[..colon];
    let mut chars = scheme.chars();
    let starts_alpha = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (starts_alpha && rest_ok && colon + 1 < s.len()).then_some(colon)
}

// ---------------------------------------------------------------------------------------
// EPC URNs (GS1 EPC Tag Data Standard 2.x, section 6)
// ---------------------------------------------------------------------------------------

/// Parses a `urn:` URI: EPC URNs into keys, every other URN into [`Identifier::Other`].
fn parse_urn(s: &str) -> Result<Identifier, IdentifierError> {
    // The URN scheme and namespace identifier are case-insensitive; the EPC parts are not.
    let lower = s.to_ascii_lowercase();
    for (prefix, parse) in EPC_URN_SCHEMES {
        if lower.starts_with(prefix) {
            return parse(&s[prefix.len()..]);
        }
    }
    // Other EPC schemes (usdod, adi, bic, imovn…), other class/pattern URNs and non-EPC
    // URNs have no Digital Link form and are kept as given; only a GID is checked first.
    if let Some(body) = lower.strip_prefix("urn:epc:id:gid:") {
        check_gid(body)?;
    }
    Ok(Identifier::Other(s.to_owned()))
}

/// The EPC URN prefixes with a Digital Link equivalent, each with the parser of its body.
type UrnParser = fn(&str) -> Result<Identifier, IdentifierError>;
const EPC_URN_SCHEMES: [(&str, UrnParser); 12] = [
    ("urn:epc:id:sgtin:", urn_sgtin),
    ("urn:epc:id:sscc:", urn_sscc),
    ("urn:epc:id:sgln:", urn_sgln),
    ("urn:epc:id:pgln:", urn_pgln),
    ("urn:epc:id:grai:", urn_grai),
    ("urn:epc:id:giai:", urn_giai),
    ("urn:epc:id:gsrn:", urn_gsrn),
    ("urn:epc:id:gdti:", urn_gdti),
    ("urn:epc:id:sgcn:", urn_sgcn),
    ("urn:epc:id:cpi:", urn_cpi),
    ("urn:epc:class:lgtin:", urn_lgtin),
    ("urn:epc:idpat:sgtin:", urn_idpat_sgtin),
];

/// Splits an EPC URN body into exactly `n` dot-separated parts; the last part may itself
/// contain dots (serials may).
fn split_parts(body: &str, n: usize) -> Result<Vec<&str>, IdentifierError> {
    let parts: Vec<&str> = body.splitn(n, '.').collect();
    if parts.len() == n {
        Ok(parts)
    } else {
        Err(IdentifierError::Malformed(
            "an EPC URN has too few dot-separated parts",
        ))
    }
}

/// Checks a company prefix: 6–12 digits.
fn company_prefix(cp: &str) -> Result<&str, IdentifierError> {
    digits(cp, "company prefix")?;
    if !(6..=12).contains(&cp.len()) {
        return Err(IdentifierError::CompanyPrefixLength { found: cp.len() });
    }
    Ok(cp)
}

/// Checks that a company prefix and a reference are digits totalling `total`.
fn prefix_and_reference(
    cp: &str,
    reference: &str,
    field: &'static str,
    total: usize,
) -> Result<(), IdentifierError> {
    company_prefix(cp)?;
    digits(reference, field)?;
    let found = cp.len() + reference.len();
    if found != total {
        return Err(IdentifierError::DigitCount {
            field,
            expected: total,
            found,
        });
    }
    Ok(())
}

/// `digits` followed by their GS1 check digit.
fn with_check_digit(digits: &str) -> String {
    let values: Vec<u8> = digits.bytes().map(|b| b.wrapping_sub(b'0')).collect();
    format!("{digits}{}", gs1_check_digit(&values))
}

/// The GTIN-14 of an SGTIN/LGTIN: indicator digit, company prefix, rest of item reference.
fn gtin_from_epc(cp: &str, item_ref: &str) -> Result<String, IdentifierError> {
    prefix_and_reference(cp, item_ref, "company prefix and item reference", 13)?;
    let (indicator, rest) = item_ref.split_at(1);
    Ok(with_check_digit(&format!("{indicator}{cp}{rest}")))
}

fn urn_sgtin(body: &str) -> Result<Identifier, IdentifierError> {
    let p = split_parts(body, 3)?;
    let gtin = gtin_from_epc(p[0], p[1])?;
    let serial = set82(&percent_decode(p[2], "serial")?, "serial", 20)?;
    Ok(Identifier::Sgtin { gtin, serial })
}

fn urn_lgtin(body: &str) -> Result<Identifier, IdentifierError> {
    let p = split_parts(body, 3)?;
    let gtin = gtin_from_epc(p[0], p[1])?;
    let lot = set82(&percent_decode(p[2], "lot")?, "lot", 20)?;
    Ok(Identifier::Lgtin { gtin, lot })
}

fn urn_idpat_sgtin(body: &str) -> Result<Identifier, IdentifierError> {
    let p = split_parts(body, 3)?;
    if p[2] != "*" {
        return Err(IdentifierError::Malformed(
            "a GTIN pattern URN ends in `.*`",
        ));
    }
    Ok(Identifier::Gtin {
        gtin: gtin_from_epc(p[0], p[1])?,
    })
}

fn urn_sscc(body: &str) -> Result<Identifier, IdentifierError> {
    let p = split_parts(body, 2)?;
    prefix_and_reference(p[0], p[1], "company prefix and serial reference", 17)?;
    let (extension, rest) = p[1].split_at(1);
    Ok(Identifier::Sscc {
        sscc: with_check_digit(&format!("{extension}{}{rest}", p[0])),
    })
}

/// The GLN of an SGLN/PGLN: company prefix and location reference, 12 digits, plus check.
fn gln_from_epc(cp: &str, reference: &str) -> Result<String, IdentifierError> {
    prefix_and_reference(cp, reference, "company prefix and location reference", 12)?;
    Ok(with_check_digit(&format!("{cp}{reference}")))
}

fn urn_sgln(body: &str) -> Result<Identifier, IdentifierError> {
    let p = split_parts(body, 3)?;
    let gln = gln_from_epc(p[0], p[1])?;
    let extension = set82(&percent_decode(p[2], "GLN extension")?, "GLN extension", 20)?;
    // TDS: extension `0` means "no extension".
    let extension = (extension != "0").then_some(extension);
    Ok(Identifier::Sgln { gln, extension })
}

fn urn_pgln(body: &str) -> Result<Identifier, IdentifierError> {
    let p = split_parts(body, 2)?;
    Ok(Identifier::Pgln {
        gln: gln_from_epc(p[0], p[1])?,
    })
}

fn urn_grai(body: &str) -> Result<Identifier, IdentifierError> {
    let p = split_parts(body, 3)?;
    prefix_and_reference(p[0], p[1], "company prefix and asset type", 12)?;
    let grai = with_check_digit(&format!("0{}{}", p[0], p[1]));
    let serial = set82(&percent_decode(p[2], "serial")?, "serial", 16)?;
    Ok(Identifier::Grai {
        grai,
        serial: non_empty(serial),
    })
}

fn urn_giai(body: &str) -> Result<Identifier, IdentifierError> {
    let p = split_parts(body, 2)?;
    let cp = company_prefix(p[0])?;
    let giai = set82(
        &format!("{cp}{}", percent_decode(p[1], "asset reference")?),
        "GIAI",
        30,
    )?;
    Ok(Identifier::Giai { giai })
}

fn urn_gsrn(body: &str) -> Result<Identifier, IdentifierError> {
    let p = split_parts(body, 2)?;
    prefix_and_reference(p[0], p[1], "company prefix and service reference", 17)?;
    Ok(Identifier::Gsrn {
        gsrn: with_check_digit(&format!("{}{}", p[0], p[1])),
    })
}

fn urn_gdti(body: &str) -> Result<Identifier, IdentifierError> {
    let p = split_parts(body, 3)?;
    prefix_and_reference(p[0], p[1], "company prefix and document type", 12)?;
    let gdti = with_check_digit(&format!("{}{}", p[0], p[1]));
    let serial = set82(&percent_decode(p[2], "serial")?, "serial", 17)?;
    Ok(Identifier::Gdti {
        gdti,
        serial: non_empty(serial),
    })
}

fn urn_sgcn(body: &str) -> Result<Identifier, IdentifierError> {
    let p = split_parts(body, 3)?;
    prefix_and_reference(p[0], p[1], "company prefix and coupon reference", 12)?;
    let gcn = with_check_digit(&format!("{}{}", p[0], p[1]));
    let serial = digits(p[2], "serial")?;
    max_len(serial, "serial", 12)?;
    Ok(Identifier::Sgcn {
        gcn,
        serial: non_empty(serial.to_owned()),
    })
}

fn urn_cpi(body: &str) -> Result<Identifier, IdentifierError> {
    // The component/part reference may not contain dots, so the serial is after the last.
    let (head, serial) = body
        .rsplit_once('.')
        .ok_or(IdentifierError::Malformed("a CPI URN has three parts"))?;
    let p = split_parts(head, 2)?;
    let cp = company_prefix(p[0])?;
    let cpid = set39(&format!(
        "{cp}{}",
        percent_decode(p[1], "component/part reference")?
    ))?;
    digits(serial, "serial")?;
    max_len(serial, "serial", 12)?;
    Ok(Identifier::Cpi {
        cpid,
        serial: non_empty(serial.to_owned()),
    })
}

/// Checks a GID body (`manager.class.serial`, all decimal) so that a broken GID is reported
/// rather than kept.
fn check_gid(body: &str) -> Result<(), IdentifierError> {
    let p = split_parts(body, 3)?;
    for part in p {
        if part.is_empty() {
            return Err(IdentifierError::Malformed(
                "a GID has three non-empty parts",
            ));
        }
        digits(part, "GID part")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// GS1 Digital Link URIs (GS1 Digital Link Standard 1.2)
// ---------------------------------------------------------------------------------------

/// Short names of primary keys and qualifiers that the Digital Link standard allows in
/// place of numeric AIs.
const SHORT_NAMES: [(&str, &str); 17] = [
    ("gtin", "01"),
    ("itip", "8006"),
    ("cpid", "8010"),
    ("gln", "414"),
    ("party", "417"),
    ("gsrnp", "8017"),
    ("gsrn", "8018"),
    ("gcn", "255"),
    ("sscc", "00"),
    ("gdti", "253"),
    ("ginc", "401"),
    ("gsin", "402"),
    ("grai", "8003"),
    ("giai", "8004"),
    ("cpv", "22"),
    ("lot", "10"),
    ("ser", "21"),
];

/// The primary-key AIs this module turns into identifiers.
const PRIMARY_KEYS: [&str; 11] = [
    "01", "00", "414", "417", "8003", "8004", "8018", "253", "255", "8010", "8017",
];

/// The numeric AI for a path segment, resolving short names.
fn ai_of(segment: &str) -> &str {
    SHORT_NAMES
        .iter()
        .find(|(name, _)| *name == segment)
        .map_or(segment, |(_, ai)| ai)
}

/// Parses an `http(s):` URI; one whose path holds no GS1 primary key is
/// [`Identifier::Other`].
fn parse_digital_link(s: &str) -> Result<Identifier, IdentifierError> {
    // The query string carries data attributes and the fragment is local: neither is part
    // of the identifier.
    let without_query = s.split(['?', '#']).next().unwrap_or(s);
    let after_scheme = without_query.split_once("://").map_or("", |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
    let segments: Vec<&str> = path.split('/').filter(|seg| !seg.is_empty()).collect();
    // A Digital Link may sit under a path prefix; the key is the first primary-key AI
    // followed by a value that starts with four digits (every GS1 key does: company
    // prefixes have at least four), so that `/2023/01/01/post` is no GTIN.
    let starts_like_key =
        |value: &str| value.bytes().take(4).filter(u8::is_ascii_digit).count() == 4;
    let start = segments.iter().enumerate().position(|(i, seg)| {
        PRIMARY_KEYS.contains(&ai_of(seg))
            && segments.get(i + 1).is_some_and(|v| starts_like_key(v))
    });
    let Some(start) = start else {
        return Ok(Identifier::Other(s.to_owned()));
    };
    let rest = &segments[start..];
    if !rest.len().is_multiple_of(2) {
        return Err(IdentifierError::Malformed(
            "a Digital Link path has AI/value pairs",
        ));
    }
    let mut pairs = Vec::with_capacity(rest.len() / 2);
    for pair in rest.chunks(2) {
        pairs.push((
            ai_of(pair[0]),
            percent_decode(pair[1], "Digital Link value")?,
        ));
    }
    digital_link_key(&pairs)
}

/// The identifier named by Digital Link (AI, value) pairs, primary key first.
fn digital_link_key(pairs: &[(&str, String)]) -> Result<Identifier, IdentifierError> {
    let (key_ai, key) = (&pairs[0].0, pairs[0].1.as_str());
    let qualifiers = &pairs[1..];
    let allowed: &[&str] = match *key_ai {
        "01" => &["22", "10", "21"],
        "414" => &["254"],
        "8010" => &["8011"],
        _ => &[],
    };
    for (i, (ai, _)) in qualifiers.iter().enumerate() {
        if !allowed.contains(ai) || qualifiers[..i].iter().any(|(seen, _)| seen == ai) {
            return Err(IdentifierError::Malformed(
                "unexpected or repeated key qualifier",
            ));
        }
    }
    let qualifier = |ai: &str| qualifiers.iter().find(|(q, _)| *q == ai).map(|(_, v)| v);
    match *key_ai {
        "01" => dl_gtin(key, qualifier("10"), qualifier("21")),
        "00" => Ok(Identifier::Sscc {
            sscc: checked_key(key, "SSCC", 18)?,
        }),
        "414" => {
            let gln = checked_key(key, "GLN", 13)?;
            let extension = match qualifier("254") {
                Some(ext) => Some(set82(ext, "GLN extension", 20)?),
                None => None,
            };
            Ok(Identifier::Sgln { gln, extension })
        }
        "417" => Ok(Identifier::Pgln {
            gln: checked_key(key, "party GLN", 13)?,
        }),
        "8003" => dl_grai(key),
        "8004" => Ok(Identifier::Giai {
            giai: set82(key, "GIAI", 30)?,
        }),
        "8018" => Ok(Identifier::Gsrn {
            gsrn: checked_key(key, "GSRN", 18)?,
        }),
        "253" => dl_gdti(key),
        "255" => dl_gcn(key),
        "8010" => dl_cpi(key, qualifier("8011")),
        _ => Err(IdentifierError::Malformed(
            "this GS1 key has no EPCIS identifier form",
        )),
    }
}

/// A GTIN link: the finest level given (serial over lot over class), as the hash
/// algorithm reduces identifiers to their most fine-grained level; CPV (AI 22) is dropped.
fn dl_gtin(
    key: &str,
    lot: Option<&String>,
    serial: Option<&String>,
) -> Result<Identifier, IdentifierError> {
    digits(key, "GTIN")?;
    if ![8, 12, 13, 14].contains(&key.len()) {
        return Err(IdentifierError::DigitCount {
            field: "GTIN",
            expected: 14,
            found: key.len(),
        });
    }
    let gtin = checked_key(&format!("{key:0>14}"), "GTIN", 14)?;
    if let Some(serial) = serial {
        return Ok(Identifier::Sgtin {
            gtin,
            serial: set82(serial, "serial", 20)?,
        });
    }
    if let Some(lot) = lot {
        return Ok(Identifier::Lgtin {
            gtin,
            lot: set82(lot, "lot", 20)?,
        });
    }
    Ok(Identifier::Gtin { gtin })
}

fn dl_grai(value: &str) -> Result<Identifier, IdentifierError> {
    let (key, serial) = split_key(value, 14, "GRAI")?;
    let grai = checked_key(key, "GRAI", 14)?;
    let serial = set82(serial, "serial", 16)?;
    Ok(Identifier::Grai {
        grai,
        serial: non_empty(serial),
    })
}

fn dl_gdti(value: &str) -> Result<Identifier, IdentifierError> {
    let (key, serial) = split_key(value, 13, "GDTI")?;
    let gdti = checked_key(key, "GDTI", 13)?;
    let serial = set82(serial, "serial", 17)?;
    Ok(Identifier::Gdti {
        gdti,
        serial: non_empty(serial),
    })
}

fn dl_gcn(value: &str) -> Result<Identifier, IdentifierError> {
    let (key, serial) = split_key(value, 13, "GCN")?;
    let gcn = checked_key(key, "GCN", 13)?;
    digits(serial, "serial")?;
    max_len(serial, "serial", 12)?;
    Ok(Identifier::Sgcn {
        gcn,
        serial: non_empty(serial.to_owned()),
    })
}

fn dl_cpi(cpid: &str, serial: Option<&String>) -> Result<Identifier, IdentifierError> {
    let cpid = set39(cpid)?;
    let serial = match serial {
        Some(serial) => {
            digits(serial, "serial")?;
            max_len(serial, "serial", 12)?;
            Some(serial.clone())
        }
        None => None,
    };
    Ok(Identifier::Cpi { cpid, serial })
}

/// Splits a fixed-length numeric key from the serial that follows it in one AI value.
fn split_key<'a>(
    value: &'a str,
    len: usize,
    field: &'static str,
) -> Result<(&'a str, &'a str), IdentifierError> {
    if value.len() < len || !value.is_char_boundary(len) {
        return Err(IdentifierError::DigitCount {
            field,
            expected: len,
            found: value.len(),
        });
    }
    Ok(value.split_at(len))
}

/// Checks a numeric GS1 key of `len` digits including a correct check digit.
fn checked_key(key: &str, field: &'static str, len: usize) -> Result<String, IdentifierError> {
    digits(key, field)?;
    if key.len() != len {
        return Err(IdentifierError::DigitCount {
            field,
            expected: len,
            found: key.len(),
        });
    }
    let values: Vec<u8> = key.bytes().map(|b| b - b'0').collect();
    let (data, check) = values.split_at(len - 1);
    let expected = gs1_check_digit(data);
    if check[0] != expected {
        return Err(IdentifierError::CheckDigit {
            field,
            expected,
            found: check[0],
        });
    }
    Ok(key.to_owned())
}

// ---------------------------------------------------------------------------------------
// Character sets and escaping
// ---------------------------------------------------------------------------------------

/// Checks that `s` is ASCII digits only (the empty string passes; lengths are checked
/// separately).
fn digits<'a>(s: &'a str, field: &'static str) -> Result<&'a str, IdentifierError> {
    if s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s)
    } else {
        Err(IdentifierError::NotNumeric { field })
    }
}

fn max_len(s: &str, field: &'static str, max: usize) -> Result<(), IdentifierError> {
    let found = s.chars().count();
    if found > max {
        return Err(IdentifierError::TooLong { field, max, found });
    }
    Ok(())
}

/// GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1).
fn is_set82(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '!' | '"'
                | '%'
                | '&'
                | '\''
                | '('
                | ')'
                | '*'
                | '+'
                | ','
                | '-'
                | '.'
                | '/'
                | ':'
                | ';'
                | '<'
                | '='
                | '>'
                | '?'
                | '_'
        )
}

/// Checks a decoded serial, lot or similar part against set 82 and a maximum length.
fn set82(s: &str, field: &'static str, max: usize) -> Result<String, IdentifierError> {
    if let Some(character) = s.chars().find(|&c| !is_set82(c)) {
        return Err(IdentifierError::InvalidCharacter { field, character });
    }
    max_len(s, field, max)?;
    Ok(s.to_owned())
}

/// Checks a component/part identifier against set 39 (digits, capitals, `#`, `-`, `/`).
fn set39(s: &str) -> Result<String, IdentifierError> {
    let field = "component/part identifier";
    let allowed = |c: char| c.is_ascii_digit() || c.is_ascii_uppercase() || "#-/".contains(c);
    if let Some(character) = s.chars().find(|&c| !allowed(c)) {
        return Err(IdentifierError::InvalidCharacter { field, character });
    }
    max_len(s, field, 30)?;
    Ok(s.to_owned())
}

/// Decodes `%XX` escapes into ASCII characters. EPC URNs escape `"`, `%`, `&`, `/`, `<`,
/// `>`, `?` this way (TDS table A-1) and Digital Link values escape more; both decode alike.
fn percent_decode(s: &str, field: &'static str) -> Result<String, IdentifierError> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let hex: String = chars.by_ref().take(2).collect();
        let is_hex_pair = hex.len() == 2 && hex.bytes().all(|b| b.is_ascii_hexdigit());
        let byte = is_hex_pair
            .then(|| u8::from_str_radix(&hex, 16).ok())
            .flatten()
            .filter(u8::is_ascii)
            .ok_or(IdentifierError::BadEscape { field })?;
        out.push(char::from(byte));
    }
    Ok(out)
}

/// Percent-encodes everything but the RFC 3986 unreserved characters, as the Digital Link
/// standard requires for set-82 characters in path values (uppercase hex).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~') {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

fn encode_opt(s: &Option<String>) -> String {
    s.as_deref().map(encode).unwrap_or_default()
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        match Identifier::parse(s) {
            Ok(id) => id.canonical(),
            Err(e) => panic!("{s}: {e}"),
        }
    }

    fn code(s: &str) -> &'static str {
        match Identifier::parse(s) {
            Ok(id) => panic!("{s} parsed as {id:?}"),
            Err(e) => e.code(),
        }
    }

    #[test]
    fn epc_urns_become_canonical_digital_links() {
        let cases = [
            (
                "urn:epc:id:sgtin:0614141.107346.2017",
                "https://id.gs1.org/01/10614141073464/21/2017",
            ),
            (
                "urn:epc:id:sgtin:0614141.011111.987",
                "https://id.gs1.org/01/00614141111114/21/987",
            ),
            (
                "urn:epc:id:sgln:0012345.11111.400",
                "https://id.gs1.org/414/0012345111112/254/400",
            ),
            (
                "urn:epc:id:sgln:0012345.11111.0",
                "https://id.gs1.org/414/0012345111112",
            ),
            (
                "urn:epc:id:sscc:0614141.1234567890",
                "https://id.gs1.org/00/106141412345678908",
            ),
            (
                "urn:epc:id:sscc:4047023.0111111122",
                "https://id.gs1.org/00/040470231111111229",
            ),
            (
                "urn:epc:class:lgtin:4012345.012345.998877",
                "https://id.gs1.org/01/04012345123456/10/998877",
            ),
            (
                "urn:epc:class:lgtin:4012345.099988.2014-02-10",
                "https://id.gs1.org/01/04012345999884/10/2014-02-10",
            ),
            (
                "urn:epc:idpat:sgtin:4012345.012345.*",
                "https://id.gs1.org/01/04012345123456",
            ),
            (
                "urn:epc:id:pgln:4012345.00000",
                "https://id.gs1.org/417/4012345000009",
            ),
            (
                "urn:epc:id:grai:4012345.00022.334455",
                "https://id.gs1.org/8003/04012345000221334455",
            ),
            (
                "urn:epc:id:giai:4000001.111",
                "https://id.gs1.org/8004/4000001111",
            ),
            (
                "urn:epc:id:gsrn:4012345.0000006765",
                "https://id.gs1.org/8018/401234500000067657",
            ),
            (
                "urn:epc:id:gdti:4012345.55555.1234",
                "https://id.gs1.org/253/40123455555541234",
            ),
            (
                "urn:epc:id:gdti:4012345.11111.123",
                "https://id.gs1.org/253/4012345111118123",
            ),
            (
                "urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234",
                "https://id.gs1.org/8010/061414111111111111111-A%23%2F/8011/1234",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(canon(input), expected, "{input}");
        }
    }

    #[test]
    fn urn_escapes_are_decoded_then_encoded_for_digital_link() {
        assert_eq!(
            canon("urn:epc:id:sgtin:0614141.107346.A%2FB%25C(1)"),
            "https://id.gs1.org/01/10614141073464/21/A%2FB%25C%281%29"
        );
    }

    #[test]
    fn digital_links_on_any_host_are_canonicalised() {
        let cases = [
            (
                "https://id.gs1.org/01/09521234543213/21/ABC",
                "https://id.gs1.org/01/09521234543213/21/ABC",
            ),
            (
                "https://example.com/shop/01/9521234543213/10/L1?17=270101",
                "https://id.gs1.org/01/09521234543213/10/L1",
            ),
            (
                "http://example.com/gtin/09521234543213/lot/L1/ser/S%2F1",
                "https://id.gs1.org/01/09521234543213/21/S%2F1",
            ),
            (
                "https://example.com/01/12345670",
                "https://id.gs1.org/01/00000012345670",
            ),
            (
                "https://example.com/00/106141412345678908",
                "https://id.gs1.org/00/106141412345678908",
            ),
            (
                "https://example.com/414/0012345111112/254/400",
                "https://id.gs1.org/414/0012345111112/254/400",
            ),
            (
                "https://example.com/417/4012345000009",
                "https://id.gs1.org/417/4012345000009",
            ),
            (
                "https://example.org/8004/401234599999",
                "https://id.gs1.org/8004/401234599999",
            ),
            (
                "https://id.gs1.org/8003/04012345000221334455",
                "https://id.gs1.org/8003/04012345000221334455",
            ),
            (
                "https://id.gs1.org/253/4012345111118123",
                "https://id.gs1.org/253/4012345111118123",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(canon(input), expected, "{input}");
        }
    }

    #[test]
    fn other_uris_are_kept_trimmed() {
        for uri in [
            "http://transaction.acme.com/po/12345678",
            "urn:uuid:1234",
            "geo:47.5,-122.3",
            "urn:epc:id:usdod:2S194.12345",
        ] {
            assert_eq!(canon(&format!("  {uri}\n")), uri);
        }
        assert_eq!(
            canon("urn:epc:id:gid:95100000.12345.400"),
            "urn:epc:id:gid:95100000.12345.400"
        );
    }

    #[test]
    fn errors_have_stable_codes() {
        assert_eq!(code("https://id.gs1.org/01/09521234543214"), "check_digit");
        assert_eq!(code("https://id.gs1.org/414/0012345111113"), "check_digit");
        assert_eq!(
            code("https://id.gs1.org/00/106141412345678907"),
            "check_digit"
        );
        assert_eq!(code("urn:epc:id:sgtin:0614141.10734.2017"), "digit_count");
        assert_eq!(
            code("urn:epc:id:sgtin:06141.1073461234.2017"),
            "company_prefix_length"
        );
        assert_eq!(code("urn:epc:id:sgtin:06141A1.107346.2017"), "not_numeric");
        assert_eq!(
            code("urn:epc:id:sgtin:0614141.107346.123456789012345678901"),
            "too_long"
        );
        assert_eq!(
            code("urn:epc:id:sgtin:0614141.107346.a%7Eb"),
            "invalid_character"
        );
        assert_eq!(code("urn:epc:id:sgtin:0614141.107346.a%zz"), "bad_escape");
        assert_eq!(code("urn:epc:id:sgtin:0614141.107346.a%+1"), "bad_escape");
        assert_eq!(
            code("urn:epc:id:sgtin:0614141.107346.a%C3%A9"),
            "bad_escape"
        );
        assert_eq!(code("urn:epc:id:sgtin:0614141.107346"), "malformed");
        assert_eq!(
            code("https://id.gs1.org/01/09521234543213/99/x"),
            "malformed"
        );
        assert_eq!(code("0614141.107346.2017"), "not_a_uri");
        assert_eq!(code(""), "not_a_uri");
        assert_eq!(code("urn:epc:id:gid:95100000.x.400"), "not_numeric");
    }

    #[test]
    fn display_is_canonical() {
        let id = Identifier::parse("urn:epc:id:pgln:0614141.00777").map(|id| id.to_string());
        assert_eq!(id, Ok("https://id.gs1.org/417/0614141007776".to_owned()));
    }
}
