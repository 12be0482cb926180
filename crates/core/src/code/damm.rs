//! The Damm check digit (H. Michael Damm, 2004).
//!
//! The check digit is computed with an order-10 weakly totally antisymmetric quasigroup:
//! a 10 × 10 Latin square whose diagonal is zero and for which `(c∘x)∘y = (c∘y)∘x`
//! implies `x = y`. Because of these two properties the check digit catches every
//! single-digit substitution and every transposition of two adjacent digits, including
//! transpositions involving the check digit itself.
//!
//! ```
//! use zhijian_core::code::damm;
//! assert_eq!(damm::check_digit(&[5, 7, 2]), 4);
//! assert!(damm::is_valid(&[5, 7, 2, 4]));
//! assert!(!damm::is_valid(&[5, 2, 7, 4]));
//! ```

/// The standard quasigroup table from Damm's thesis: `TABLE[interim][digit]`.
pub const TABLE: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// Hot-path tables for issuing codes by the hundred million. An interim digit `i` is
/// carried as `i * 100`, so one addition forms the index: `PAIR_X100[i * 100 + pair]`
/// is the interim (times 100) after feeding the two digits of `pair` (00–99, most
/// significant first), and `SINGLE_X100[i * 100 + digit]` after one digit. Feeding two
/// digits per lookup halves the chain of dependent loads. The tables have 1024 entries
/// so that indexing with `& 1023` needs no bounds check and cannot panic.
static PAIR_X100: [u16; 1024] = x100_table(true);
static SINGLE_X100: [u16; 1024] = x100_table(false);

const fn x100_table(pairs: bool) -> [u16; 1024] {
    let mut out = [0u16; 1024];
    let mut interim = 0;
    while interim < 10 {
        let mut input = 0;
        while input < 100 {
            let next = if pairs {
                TABLE[TABLE[interim][input / 10] as usize][input % 10]
            } else if input < 10 {
                TABLE[interim][input]
            } else {
                0
            };
            out[interim * 100 + input] = next as u16 * 100;
            input += 1;
        }
        interim += 1;
    }
    out
}

/// Feeds two digits (`pair` in `0..100`) into an interim carried as `interim * 100`.
#[inline(always)]
pub(crate) fn step_pair_x100(interim_x100: u16, pair: u64) -> u16 {
    PAIR_X100[(interim_x100 as usize + pair as usize) & 1023]
}

/// Feeds one digit (`0..10`) into an interim carried as `interim * 100`.
#[inline(always)]
pub(crate) fn step_x100(interim_x100: u16, digit: u64) -> u16 {
    SINGLE_X100[(interim_x100 as usize + digit as usize) & 1023]
}

/// Feeds one digit value into the interim digit. Values above 9 are reduced modulo 10,
/// so the function is total; callers pass digit values `0..=9`.
#[inline]
pub(crate) const fn step(interim: u8, digit: u8) -> u8 {
    TABLE[(interim % 10) as usize][(digit % 10) as usize]
}

/// The interim digit after feeding `digits` (digit values, most significant first).
#[inline]
pub(crate) fn interim(digits: &[u8]) -> u8 {
    digits.iter().fold(0, |interim, &d| step(interim, d))
}

/// The check digit to append to `digits`, which are digit values `0..=9` (not ASCII),
/// most significant first. Values above 9 are reduced modulo 10 rather than panicking.
pub fn check_digit(digits: &[u8]) -> u8 {
    interim(digits)
}

/// Whether `digits` (digit values, the check digit last) carry a correct check digit.
/// Any value above 9 makes the number invalid; the empty slice is valid (interim 0).
pub fn is_valid(digits: &[u8]) -> bool {
    digits.iter().all(|&d| d <= 9) && interim(digits) == 0
}

/// The interim digit after feeding the decimal digits of `value`, zero-padded on the
/// left to `width` digits (`width` at most 20; a `value` with more digits contributes
/// only its low `width` digits).
pub(crate) fn interim_u64(start: u8, value: u64, width: u32) -> u8 {
    let mut digits = [0u8; 20];
    let width = width.min(20) as usize;
    let mut rest = value;
    for slot in digits[..width].iter_mut().rev() {
        *slot = (rest % 10) as u8;
        rest /= 10;
    }
    digits[..width]
        .iter()
        .fold(start, |interim, &d| step(interim, d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn table_is_a_latin_square_with_zero_diagonal() {
        for i in 0..10 {
            assert_eq!(TABLE[i][i], 0);
            let mut row = [false; 10];
            let mut col = [false; 10];
            for j in 0..10 {
                row[TABLE[i][j] as usize] = true;
                col[TABLE[j][i] as usize] = true;
            }
            assert!(row.iter().all(|&seen| seen) && col.iter().all(|&seen| seen));
        }
    }

    #[test]
    fn table_is_weakly_totally_antisymmetric() {
        for c in 0..10u8 {
            for x in 0..10u8 {
                for y in 0..10u8 {
                    if x != y {
                        assert_ne!(step(step(c, x), y), step(step(c, y), x), "{c} {x} {y}");
                    }
                }
            }
        }
    }

    #[test]
    fn known_examples() {
        // The worked example from Damm's thesis and the usual references.
        assert_eq!(check_digit(&[5, 7, 2]), 4);
        assert!(is_valid(&[5, 7, 2, 4]));
        assert_eq!(check_digit(&[]), 0);
        assert!(!is_valid(&[5, 7, 2, 10]));
    }

    #[test]
    fn x100_tables_agree_with_single_steps() {
        for interim in 0..10u8 {
            let x100 = u16::from(interim) * 100;
            for digit in 0..10u8 {
                let expected = u16::from(step(interim, digit)) * 100;
                assert_eq!(step_x100(x100, u64::from(digit)), expected);
            }
            for pair in 0..100u8 {
                let expected = step(step(interim, pair / 10), pair % 10);
                assert_eq!(
                    step_pair_x100(x100, u64::from(pair)),
                    u16::from(expected) * 100
                );
            }
        }
    }

    #[test]
    fn interim_u64_pads_with_zeros() {
        assert_eq!(interim_u64(0, 572, 3), 4);
        // Leading zeros do not change a Damm interim (row 0 maps 0 to 0).
        assert_eq!(interim_u64(0, 572, 19), 4);
    }

    fn with_check(body: &[u8]) -> Vec<u8> {
        let mut digits = body.to_vec();
        digits.push(check_digit(body));
        digits
    }

    proptest! {
        /// Every single-digit substitution and every adjacent transposition of a
        /// 20-digit number (19 digits + check digit) is caught.
        #[test]
        fn catches_substitutions_and_adjacent_transpositions(
            body in proptest::collection::vec(0u8..10, 19)
        ) {
            let digits = with_check(&body);
            prop_assert!(is_valid(&digits));
            for position in 0..digits.len() {
                for replacement in 0..10u8 {
                    if replacement == digits[position] {
                        continue;
                    }
                    let mut typo = digits.clone();
                    typo[position] = replacement;
                    prop_assert!(!is_valid(&typo), "substitution at {}", position);
                }
            }
            for position in 0..digits.len() - 1 {
                if digits[position] == digits[position + 1] {
                    continue;
                }
                let mut typo = digits.clone();
                typo.swap(position, position + 1);
                prop_assert!(!is_valid(&typo), "transposition at {}", position);
            }
        }
    }
}
