//! The CBV 2.0 vocabularies: business steps, dispositions, business transaction types,
//! source/destination types and error reasons.
//!
//! A value may be written in three ways — the short name of the JSON-LD context
//! (`shipping`), the CBV 2.0 web URI (`https://ref.gs1.org/cbv/BizStep-shipping`) or the
//! EPCIS 1.x URN (`urn:epcglobal:cbv:bizstep:shipping`) — and all three mean the same
//! term. [`Vocabulary::normalise`] maps each to one [`Term`]; a value outside the CBV is
//! allowed only as a URI of somebody else's namespace, never as an unknown short name or
//! an unknown term inside the CBV's own namespaces.

/// The CBV 2.0 web vocabulary's base URI.
pub const CBV_BASE: &str = "https://ref.gs1.org/cbv/";

/// One of the CBV's closed vocabularies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vocabulary {
    /// `bizStep`.
    BizStep,
    /// `disposition` and `persistentDisposition`.
    Disposition,
    /// The `type` of a business transaction.
    BizTransactionType,
    /// The `type` of a source or destination.
    SourceDestType,
    /// The `reason` of an error declaration.
    ErrorReason,
}

/// A vocabulary value after normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A CBV term, by its short name (`shipping`).
    Cbv(&'static str),
    /// A value from outside the CBV: an absolute URI, kept as written.
    Other(String),
}

impl Term {
    /// The full URI of the term: the CBV 2.0 web URI, or the value itself.
    pub fn uri(&self, vocabulary: Vocabulary) -> String {
        match self {
            Term::Cbv(short) => format!("{CBV_BASE}{}{short}", vocabulary.web_prefix()),
            Term::Other(uri) => uri.clone(),
        }
    }

    /// The form EPCIS 2.0 JSON-LD prefers: the short name for a CBV term, else the URI.
    pub fn json_form(&self) -> &str {
        match self {
            Term::Cbv(short) => short,
            Term::Other(uri) => uri,
        }
    }
}

/// Why a vocabulary value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VocabularyError {
    /// A bare word that is not a term of the vocabulary.
    #[error("'{0}' is not a CBV term here; values outside the CBV must be URIs")]
    UnknownShortName(String),
    /// A URI inside the CBV's own namespaces that names no term.
    #[error("'{0}' is in the CBV namespace but names no CBV term")]
    UnknownCbvUri(String),
}

impl Vocabulary {
    /// The vocabulary's terms, by short name.
    pub fn terms(self) -> &'static [&'static str] {
        match self {
            Vocabulary::BizStep => BIZ_STEPS,
            Vocabulary::Disposition => DISPOSITIONS,
            Vocabulary::BizTransactionType => BIZ_TRANSACTION_TYPES,
            Vocabulary::SourceDestType => SOURCE_DEST_TYPES,
            Vocabulary::ErrorReason => ERROR_REASONS,
        }
    }

    /// The prefix of the term in the CBV 2.0 web URI (`BizStep-`).
    fn web_prefix(self) -> &'static str {
        match self {
            Vocabulary::BizStep => "BizStep-",
            Vocabulary::Disposition => "Disp-",
            Vocabulary::BizTransactionType => "BTT-",
            Vocabulary::SourceDestType => "SDT-",
            Vocabulary::ErrorReason => "ER-",
        }
    }

    /// The prefix of the term in the EPCIS 1.x URN (`urn:epcglobal:cbv:bizstep:`).
    fn urn_prefix(self) -> &'static str {
        match self {
            Vocabulary::BizStep => "urn:epcglobal:cbv:bizstep:",
            Vocabulary::Disposition => "urn:epcglobal:cbv:disp:",
            Vocabulary::BizTransactionType => "urn:epcglobal:cbv:btt:",
            Vocabulary::SourceDestType => "urn:epcglobal:cbv:sdt:",
            Vocabulary::ErrorReason => "urn:epcglobal:cbv:er:",
        }
    }

    /// Maps any of the three spellings of a value to its [`Term`].
    pub fn normalise(self, value: &str) -> Result<Term, VocabularyError> {
        let value = value.trim();
        let known = |name: &str| self.terms().iter().copied().find(|t| *t == name);
        // The web prefix is matched without regard to case: GS1's own examples write
        // `Bizstep-` as well as `BizStep-`.
        let web_term = |rest: &'_ str| -> Option<String> {
            let prefix = self.web_prefix();
            rest.get(..prefix.len())
                .filter(|head| head.eq_ignore_ascii_case(prefix))
                .map(|_| rest[prefix.len()..].to_owned())
        };
        let cbv_suffix = value
            .strip_prefix(self.urn_prefix())
            .map(str::to_owned)
            .or_else(|| {
                value
                    .strip_prefix(CBV_BASE)
                    .or_else(|| value.strip_prefix("http://ref.gs1.org/cbv/"))
                    .or_else(|| value.strip_prefix("cbv:"))
                    .and_then(web_term)
            });
        if let Some(suffix) = cbv_suffix {
            return known(&suffix)
                .map(Term::Cbv)
                .ok_or_else(|| VocabularyError::UnknownCbvUri(value.to_owned()));
        }
        if let Some(term) = known(value) {
            return Ok(Term::Cbv(term));
        }
        if is_cbv_namespace(value) {
            return Err(VocabularyError::UnknownCbvUri(value.to_owned()));
        }
        if crate::uri::is_absolute_uri(value) {
            Ok(Term::Other(value.to_owned()))
        } else {
            Err(VocabularyError::UnknownShortName(value.to_owned()))
        }
    }
}

/// Whether a value sits in a namespace only the CBV may define terms in.
fn is_cbv_namespace(value: &str) -> bool {
    value.starts_with("urn:epcglobal:cbv:")
        || value.starts_with(CBV_BASE)
        || value.starts_with("http://ref.gs1.org/cbv/")
        || value.starts_with("https://ns.gs1.org/cbv/")
        || value.starts_with("http://ns.gs1.org/cbv/")
}

const BIZ_STEPS: &[&str] = &[
    "accepting",
    "arriving",
    "assembling",
    "collecting",
    "commissioning",
    "consigning",
    "creating_class_instance",
    "cycle_counting",
    "decommissioning",
    "departing",
    "destroying",
    "disassembling",
    "dispensing",
    "encoding",
    "entering_exiting",
    "holding",
    "inspecting",
    "installing",
    "killing",
    "loading",
    "other",
    "packing",
    "picking",
    "receiving",
    "removing",
    "repackaging",
    "repairing",
    "replacing",
    "reserving",
    "retail_selling",
    "shipping",
    "staging_outbound",
    "stock_taking",
    "stocking",
    "storing",
    "transporting",
    "unloading",
    "unpacking",
    "void_shipping",
    "sensor_reporting",
    "sampling",
];

const DISPOSITIONS: &[&str] = &[
    "active",
    "container_closed",
    "damaged",
    "destroyed",
    "dispensed",
    "disposed",
    "encoded",
    "expired",
    "in_progress",
    "in_transit",
    "inactive",
    "no_pedigree_match",
    "non_sellable_other",
    "partially_dispensed",
    "recalled",
    "reserved",
    "retail_sold",
    "returned",
    "sellable_accessible",
    "sellable_not_accessible",
    "stolen",
    "unknown",
    "available",
    "completeness_verified",
    "completeness_inferred",
    "conformant",
    "container_open",
    "mismatch_instance",
    "mismatch_class",
    "mismatch_quantity",
    "needs_replacement",
    "non_conformant",
    "unavailable",
];

const BIZ_TRANSACTION_TYPES: &[&str] = &[
    "bol",
    "cert",
    "desadv",
    "inv",
    "pedigree",
    "po",
    "poc",
    "prodorder",
    "recadv",
    "rma",
    "testprd",
    "testres",
    "upevt",
];

const SOURCE_DEST_TYPES: &[&str] = &["owning_party", "possessing_party", "location"];

const ERROR_REASONS: &[&str] = &["did_not_occur", "incorrect_data"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_spellings_are_one_term() {
        for value in [
            "receiving",
            "urn:epcglobal:cbv:bizstep:receiving",
            "https://ref.gs1.org/cbv/BizStep-receiving",
            "cbv:BizStep-receiving",
            "https://ref.gs1.org/cbv/Bizstep-receiving",
        ] {
            assert_eq!(
                Vocabulary::BizStep.normalise(value),
                Ok(Term::Cbv("receiving")),
                "{value}"
            );
        }
        assert_eq!(
            Term::Cbv("in_transit").uri(Vocabulary::Disposition),
            "https://ref.gs1.org/cbv/Disp-in_transit"
        );
    }

    #[test]
    fn unknown_short_names_and_cbv_uris_are_refused() {
        assert!(matches!(
            Vocabulary::BizStep.normalise("teleporting"),
            Err(VocabularyError::UnknownShortName(_))
        ));
        assert!(matches!(
            Vocabulary::BizStep.normalise("urn:epcglobal:cbv:bizstep:teleporting"),
            Err(VocabularyError::UnknownCbvUri(_))
        ));
        // A disposition is not a business step.
        assert!(Vocabulary::BizStep.normalise("in_transit").is_err());
    }

    #[test]
    fn other_namespaces_pass_as_uris() {
        let own = "https://zhijian.example/bizstep/inspection_by_bureau";
        assert_eq!(
            Vocabulary::BizStep.normalise(own),
            Ok(Term::Other(own.to_owned()))
        );
        assert_eq!(
            Vocabulary::BizTransactionType.normalise("urn:zhijian:btt:contract"),
            Ok(Term::Other("urn:zhijian:btt:contract".to_owned()))
        );
    }
}
