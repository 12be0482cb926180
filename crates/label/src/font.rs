//! A 5×7 bitmap font for the ten digits, used to print the code on PNG labels.
//!
//! Hand-written on purpose: there is no font file on the machines this runs on, and
//! every crate that rasterises text (ab_glyph, fontdue, rusttype, …) needs a font
//! file and a rasteriser — hundreds of kilobytes and a licence question — to draw
//! ten glyphs. A PNG label only ever shows digits and spaces, so seventy bytes of
//! bitmaps do the job and look the same on every machine.

/// Glyph width in font pixels.
pub(crate) const GLYPH_WIDTH: usize = 5;
/// Glyph height in font pixels.
pub(crate) const GLYPH_HEIGHT: usize = 7;
/// Horizontal distance from one glyph to the next, in font pixels (one blank column).
pub(crate) const ADVANCE: usize = GLYPH_WIDTH + 1;

/// Rows top to bottom; in each row bit 4 is the leftmost pixel. The shapes follow
/// the classic HD44780 character-LCD font, whose digits stay distinct at 5×7
/// (the 0 has a slash so it cannot be mistaken for an 8 or a letter O).
const DIGITS: [[u8; GLYPH_HEIGHT]; 10] = [
    [
        0b01110, 0b10001, 0b10011, 0b10101, 0b11001, 0b10001, 0b01110,
    ], // 0
    [
        0b00100, 0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110,
    ], // 1
    [
        0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b01000, 0b11111,
    ], // 2
    [
        0b11111, 0b00010, 0b00100, 0b00010, 0b00001, 0b10001, 0b01110,
    ], // 3
    [
        0b00010, 0b00110, 0b01010, 0b10010, 0b11111, 0b00010, 0b00010,
    ], // 4
    [
        0b11111, 0b10000, 0b11110, 0b00001, 0b00001, 0b10001, 0b01110,
    ], // 5
    [
        0b00110, 0b01000, 0b10000, 0b11110, 0b10001, 0b10001, 0b01110,
    ], // 6
    [
        0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b01000, 0b01000,
    ], // 7
    [
        0b01110, 0b10001, 0b10001, 0b01110, 0b10001, 0b10001, 0b01110,
    ], // 8
    [
        0b01110, 0b10001, 0b10001, 0b01111, 0b00001, 0b00010, 0b01100,
    ], // 9
];

/// The glyph of `c`: a digit's bitmap, a blank for a space, `None` for anything
/// else (which the font cannot draw).
pub(crate) fn glyph(c: char) -> Option<[u8; GLYPH_HEIGHT]> {
    match c {
        '0'..='9' => Some(DIGITS[c as usize - '0' as usize]),
        ' ' => Some([0; GLYPH_HEIGHT]),
        _ => None,
    }
}

/// Whether the pixel at column `x` (0 = left), row `y` (0 = top) of `glyph` is set.
pub(crate) fn is_set(glyph: &[u8; GLYPH_HEIGHT], x: usize, y: usize) -> bool {
    x < GLYPH_WIDTH && y < GLYPH_HEIGHT && glyph[y] >> (GLYPH_WIDTH - 1 - x) & 1 == 1
}

/// Width in font pixels of `text` drawn with this font: no blank column after the
/// last glyph.
pub(crate) fn text_width(text: &str) -> usize {
    (text.chars().count() * ADVANCE).saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_digit_glyph_is_distinct_and_not_blank() {
        for a in '0'..='9' {
            let ga = glyph(a).unwrap();
            assert!(ga.iter().any(|&row| row != 0), "{a} is blank");
            assert!(
                ga.iter().all(|&row| row < 1 << GLYPH_WIDTH),
                "{a} is too wide"
            );
            for b in '0'..='9' {
                if a != b {
                    assert_ne!(ga, glyph(b).unwrap(), "{a} and {b} look alike");
                }
            }
        }
    }

    #[test]
    fn only_digits_and_space_are_drawable() {
        assert_eq!(glyph(' '), Some([0; GLYPH_HEIGHT]));
        assert_eq!(glyph('a'), None);
        assert_eq!(glyph('٣'), None);
    }

    #[test]
    fn pixels_read_left_to_right() {
        // Rows that are not symmetric pin the orientation: a mirrored font would
        // still pass every read-back test, as those read with this same function.
        let one = glyph('1').unwrap();
        // The second row of "1" is the flag: pixels 1 and 2 from the left.
        let row: Vec<bool> = (0..GLYPH_WIDTH).map(|x| is_set(&one, x, 1)).collect();
        assert_eq!(row, [false, true, true, false, false]);
        let four = glyph('4').unwrap();
        let row: Vec<bool> = (0..GLYPH_WIDTH).map(|x| is_set(&four, x, 0)).collect();
        assert_eq!(row, [false, false, false, true, false]);
        assert!(!is_set(&one, 5, 0) && !is_set(&one, 0, 7));
        assert_eq!(text_width("12"), 11);
        assert_eq!(text_width(""), 0);
    }
}
