//! The pure domain of zhijian: identifiers, entities and rules.
//!
//! Nothing here performs I/O. Every parser is total: any input gives a value or a typed
//! error, never a panic. Values that enter the rest of the system are parsed here first:
//!
//! ```
//! use zhijian_core::uscc::Uscc;
//! let code = Uscc::parse("91110000600037341L").unwrap();
//! assert_eq!(code.as_str(), "91110000600037341L");
//! ```

pub mod access;
pub mod attachment;
pub mod calendar;
pub mod case;
pub mod catalogue;
pub mod code;
pub mod complaint;
pub mod contact;
pub mod enterprise;
pub mod filing;
pub mod grading;
pub mod gtin;
pub mod incident;
pub mod licence;
pub mod licence_number;
pub mod name_index;
pub mod page;
pub mod plan_terms;
pub mod recall;
pub mod rectification;
pub mod region;
pub mod risk;
pub mod sample_result;
pub mod sampling;
pub mod sampling_stats;
pub mod search;
pub mod test_report;
pub mod uscc;
