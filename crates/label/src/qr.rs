//! The QR code that carries the verification URL.

use qrcode::types::QrError;
use qrcode::{Color, EcLevel, QrCode};

use crate::LabelError;
use crate::matrix::Modules;

/// Light modules around the symbol, as ISO/IEC 18004 requires.
pub(crate) const QUIET_ZONE: usize = 4;

/// The largest QR version a label uses. Version 15 is 77 modules wide (85 with the
/// quiet zone); on the 26 mm the SVG label gives the QR code that is 0.3 mm a module,
/// about as small as a 300 dpi label printer and a phone camera still agree on.
/// At level M it holds 412 bytes, several times any real verification URL.
pub(crate) const MAX_VERSION: i16 = 15;

/// Encodes `url` at error-correction level M (15 % of the symbol may be damaged, the
/// usual choice for printed labels that get scuffed).
pub(crate) fn encode(url: &str) -> Result<Modules, LabelError> {
    if url.is_empty() {
        return Err(LabelError::EmptyUrl);
    }
    let too_long = || LabelError::UrlTooLong {
        len: url.len(),
        max_version: MAX_VERSION,
    };
    let code = match QrCode::with_error_correction_level(url, EcLevel::M) {
        Ok(code) => code,
        Err(QrError::DataTooLong) => return Err(too_long()),
        Err(e) => {
            return Err(LabelError::QrEncoding {
                reason: e.to_string(),
            });
        }
    };
    if code.width() > version_width(MAX_VERSION) {
        return Err(too_long());
    }
    let width = code.width();
    let dark = code
        .into_colors()
        .into_iter()
        .map(|c| c == Color::Dark)
        .collect();
    Modules::new(width, dark).ok_or_else(|| LabelError::QrEncoding {
        reason: "the encoder returned a ragged matrix".to_owned(),
    })
}

/// Modules across a normal QR code of `version` (1 to 40).
fn version_width(version: i16) -> usize {
    // Versions are 1..=40, so the result is positive.
    (17 + 4 * version) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typical_urls_give_small_symbols() {
        let long = "https://node.example/01/06901234567892/21/13409250872123486107";
        // 62 bytes is exactly what version 4-M holds in byte mode.
        assert_eq!(encode(long).unwrap().width(), version_width(4));
        let short = "https://node.example/q/13409250872123486107";
        assert!(encode(short).unwrap().width() <= version_width(4));
    }

    #[test]
    fn the_largest_label_symbol_still_encodes() {
        let url = format!("https://x/{}", "a".repeat(412 - 10));
        assert_eq!(encode(&url).unwrap().width(), version_width(MAX_VERSION));
        let over = format!("https://x/{}", "a".repeat(413 - 10));
        assert_eq!(
            encode(&over),
            Err(LabelError::UrlTooLong {
                len: 413,
                max_version: MAX_VERSION
            })
        );
    }

    #[test]
    fn urls_beyond_any_qr_code_are_refused_not_panicked_on() {
        let url = "9".repeat(10_000);
        assert!(matches!(
            encode(&url),
            Err(LabelError::UrlTooLong { len: 10_000, .. })
        ));
        assert_eq!(encode(""), Err(LabelError::EmptyUrl));
    }
}
