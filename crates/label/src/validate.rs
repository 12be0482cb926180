//! Input checks shared by every renderer, so that no symbol is drawn from data a
//! scanner would later reject.

use crate::LabelError;

/// Length of a supervision code.
pub(crate) const CODE_LEN: usize = 20;
/// Length of a GTIN as carried in AI (01).
pub(crate) const GTIN_LEN: usize = 14;

/// Checks that `code` is 20 ASCII digits.
pub(crate) fn code(code: &str) -> Result<(), LabelError> {
    if let Some((i, c)) = code.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(LabelError::CodeNotNumeric {
            position: i + 1,
            character: c,
        });
    }
    if code.len() != CODE_LEN {
        return Err(LabelError::CodeLength { found: code.len() });
    }
    Ok(())
}

/// Checks that `gtin` is 14 ASCII digits ending in the right GS1 check digit.
///
/// The check digit is verified because a DataMatrix with a wrong GTIN scans
/// perfectly and then fails at every till that looks the product up.
pub(crate) fn gtin(gtin: &str) -> Result<(), LabelError> {
    if let Some((i, c)) = gtin.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(LabelError::GtinNotNumeric {
            position: i + 1,
            character: c,
        });
    }
    if gtin.len() != GTIN_LEN {
        return Err(LabelError::GtinLength { found: gtin.len() });
    }
    let digits: Vec<u8> = gtin.bytes().map(|b| b - b'0').collect();
    let (data, check) = digits.split_at(GTIN_LEN - 1);
    let expected = gs1_check_digit(data);
    if check[0] != expected {
        return Err(LabelError::GtinCheckDigit {
            expected,
            found: check[0],
        });
    }
    Ok(())
}

/// The GS1 mod-10 check digit: weights 3, 1, 3, … from the rightmost data digit.
fn gs1_check_digit(data: &[u8]) -> u8 {
    let sum: u32 = data
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| u32::from(d) * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    // `sum % 10` is below 10, so the result fits in a digit.
    ((10 - sum % 10) % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digit_of_known_gtins() {
        // 6901234567892 is the usual EAN-13 example; 4006381333931 is from GS1's own
        // check-digit calculator page.
        assert_eq!(gs1_check_digit(&[0, 6, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), 2);
        assert_eq!(gs1_check_digit(&[0, 4, 0, 0, 6, 3, 8, 1, 3, 3, 3, 9, 3]), 1);
        assert!(gtin("06901234567892").is_ok());
        assert!(gtin("04006381333931").is_ok());
    }
}
