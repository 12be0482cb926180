/// Why a label cannot be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LabelError {
    /// The supervision code does not have 20 characters.
    #[error("a supervision code has 20 digits, but {found} characters were given")]
    CodeLength {
        /// How many characters the code has.
        found: usize,
    },
    /// The supervision code has a character that is not an ASCII digit.
    #[error("a supervision code has only digits, but character {position} is {character:?}")]
    CodeNotNumeric {
        /// 1-based position of the first offending character.
        position: usize,
        /// The offending character.
        character: char,
    },
    /// The GTIN does not have 14 characters.
    #[error(
        "a label's GTIN has 14 digits (pad shorter GTINs with leading zeros), \
         but {found} characters were given"
    )]
    GtinLength {
        /// How many characters the GTIN has.
        found: usize,
    },
    /// The GTIN has a character that is not an ASCII digit.
    #[error("a GTIN has only digits, but character {position} is {character:?}")]
    GtinNotNumeric {
        /// 1-based position of the first offending character.
        position: usize,
        /// The offending character.
        character: char,
    },
    /// The GTIN's last digit is not the GS1 mod-10 check digit of the others.
    #[error("the GTIN's check digit should be {expected} but is {found}")]
    GtinCheckDigit {
        /// The check digit the other 13 digits call for.
        expected: u8,
        /// The check digit given.
        found: u8,
    },
    /// The verification URL is empty: a QR code without it is of no use.
    #[error("the verification URL is empty")]
    EmptyUrl,
    /// The URL needs a QR code too dense to print legibly at label size.
    #[error(
        "the verification URL is {len} bytes, more than a QR code of version {max_version} \
         (level M) holds; a larger symbol would print too small on a label"
    )]
    UrlTooLong {
        /// Length of the URL in bytes.
        len: usize,
        /// The largest QR version a label uses.
        max_version: i16,
    },
    /// The QR encoder refused the URL for a reason other than its length.
    #[error("the QR encoder refused the URL: {reason}")]
    QrEncoding {
        /// The encoder's message.
        reason: String,
    },
    /// The DataMatrix encoder could not fit the data into a square symbol.
    #[error("{len} bytes of GS1 data do not fit in a square DataMatrix")]
    DataMatrixTooLong {
        /// Length of the data in bytes (without the leading FNC1).
        len: usize,
    },
    /// The PNG module size is 0 or above [`crate::MAX_MODULE_PX`].
    #[error("a QR module is 1 to {max} pixels wide, but {given} was asked for")]
    ModuleSize {
        /// The module size asked for.
        given: u32,
        /// The largest module size accepted.
        max: u32,
    },
    /// The PNG encoder failed (not expected when writing to memory).
    #[error("PNG encoding failed: {reason}")]
    Png {
        /// The encoder's message.
        reason: String,
    },
    /// One label of a sheet could not be drawn.
    #[error("label {index} of the sheet: {source}")]
    InSheet {
        /// 0-based index of the label in the slice given.
        index: usize,
        /// Why it could not be drawn.
        source: Box<LabelError>,
    },
}
