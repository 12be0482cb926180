//! The GS1 DataMatrix that retail scanners read: GTIN as AI (01), code as AI (21).

use ::datamatrix::{DataMatrix, SymbolList};

use crate::LabelError;
use crate::matrix::Modules;

/// Light modules around the symbol, as ISO/IEC 16022 requires.
pub(crate) const QUIET_ZONE: usize = 1;

/// Encodes the element string `01<gtin>21<code>` behind a leading FNC1, which marks
/// the symbol as GS1. AI (21) has variable length, but as the last element it
/// needs no GS separator.
pub(crate) fn encode_gs1(gtin: &str, code: &str) -> Result<Modules, LabelError> {
    encode_gs1_data(format!("01{gtin}21{code}").as_bytes())
}

/// Encodes raw GS1 data (without FNC1) in the smallest square symbol that holds it.
///
/// Square only: GS1's guidelines prefer square symbols for product marking, and
/// scanners set up for them may ignore the rectangular sizes.
pub(crate) fn encode_gs1_data(data: &[u8]) -> Result<Modules, LabelError> {
    let symbol = DataMatrix::encode_gs1(data, SymbolList::default().enforce_square())
        .map_err(|_| LabelError::DataMatrixTooLong { len: data.len() })?;
    let bitmap = symbol.bitmap();
    let mut dark = vec![false; bitmap.width() * bitmap.height()];
    for (x, y) in bitmap.pixels() {
        dark[y * bitmap.width() + x] = true;
    }
    Modules::new(bitmap.width(), dark).ok_or(LabelError::DataMatrixTooLong { len: data.len() })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads the modules back with the crate's own decoder (which skips the leading
    /// FNC1) and also checks that FNC1 (codeword 232) is really there.
    fn decode(modules: &Modules) -> Vec<u8> {
        let mut bits = Vec::new();
        for y in 0..modules.height() {
            for x in 0..modules.width() {
                bits.push(modules.is_dark(x, y));
            }
        }
        DataMatrix::decode(&bits, modules.width()).expect("the symbol decodes")
    }

    #[test]
    fn round_trips_the_element_string() {
        let m = encode_gs1("06901234567892", "13409250872123486107").unwrap();
        assert_eq!(decode(&m), b"01069012345678922113409250872123486107");
    }

    #[test]
    fn starts_with_fnc1() {
        let data = b"01069012345678922113409250872123486107" as &[u8];
        let symbol = DataMatrix::encode_gs1(data, SymbolList::default().enforce_square()).unwrap();
        assert_eq!(
            symbol.data_codewords()[0],
            232,
            "FNC1 first marks the symbol as GS1"
        );
    }

    #[test]
    fn size_matches_the_data() {
        // FNC1 plus 38 digits packed two per codeword is 20 codewords: the 20×20
        // symbol (22 data codewords) is the smallest square that holds them.
        let m = encode_gs1("06901234567892", "13409250872123486107").unwrap();
        assert_eq!((m.width(), m.height()), (20, 20));
    }

    #[test]
    fn too_much_data_is_refused() {
        // The largest square symbol (144×144) holds 3116 digits.
        let data = vec![b'7'; 4000];
        assert_eq!(
            encode_gs1_data(&data),
            Err(LabelError::DataMatrixTooLong { len: 4000 })
        );
    }
}
