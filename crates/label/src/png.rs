//! One label as a 1-bit PNG for raster label printers.
//!
//! Every size is a whole number of pixels derived from the QR module size, so
//! modules stay crisp squares: a scaled or anti-aliased module edge is what makes
//! cheap scanners misread a code.

use crate::matrix::Modules;
use crate::{LabelError, Symbols, font};

/// See [`crate::MAX_MODULE_PX`]. 40 px modules put a version-15 QR code at 3400 px,
/// already more than a 600 dpi printer needs for a 14 cm symbol.
pub(crate) const MAX_MODULE_PX: u32 = 40;

/// Where each part of a PNG label goes, in pixels from the top left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Image width.
    pub(crate) width: usize,
    /// Image height.
    pub(crate) height: usize,
    /// Top left of the QR code's quiet zone.
    pub(crate) qr_origin: (usize, usize),
    /// Pixels per QR module.
    pub(crate) qr_module: usize,
    /// Top left of the DataMatrix's quiet zone, when there is one.
    pub(crate) dm_origin: Option<(usize, usize)>,
    /// Pixels per DataMatrix module.
    pub(crate) dm_module: usize,
    /// Top left of the first digit.
    pub(crate) text_origin: (usize, usize),
    /// Image pixels per font pixel.
    pub(crate) text_scale: usize,
}

/// Places the QR code at left, the DataMatrix (if any) to its right with the tops of
/// both symbols level, and the digits centred underneath.
pub(crate) fn layout(symbols: &Symbols, module_px: usize) -> Layout {
    let m = module_px;
    let qr_px = symbols.qr.width() * m;
    // The same proportions as the SVG label: the DataMatrix box is 16/26 of the
    // QR box, and the digits about 9 % of it.
    let (dm_module, dm_px) = match &symbols.dm {
        Some(dm) => {
            let d = (qr_px * 16 / 26 / dm.width()).max(1);
            (d, dm.width() * d)
        }
        None => (0, 0),
    };
    // Symbol tops level: the DataMatrix quiet zone is thinner than the QR code's.
    let dm_top = (crate::qr::QUIET_ZONE * m).saturating_sub(dm_module);
    // White to the right of the DataMatrix symbol as wide as the QR quiet zone.
    let dm_right_pad = if symbols.dm.is_some() {
        (crate::qr::QUIET_ZONE * m).saturating_sub(dm_module)
    } else {
        0
    };
    let symbols_width = qr_px + dm_px + dm_right_pad;
    let symbols_height = qr_px.max(dm_top + dm_px);

    let text_scale = (qr_px * 9 / (100 * font::GLYPH_HEIGHT)).max(1);
    let text_width = font::text_width(&symbols.digits) * text_scale;
    let side = crate::qr::QUIET_ZONE * m;
    let width = symbols_width.max(text_width + 2 * side);
    let height = symbols_height + font::GLYPH_HEIGHT * text_scale + 3 * text_scale;

    let symbols_x = (width - symbols_width) / 2;
    Layout {
        width,
        height,
        qr_origin: (symbols_x, 0),
        qr_module: m,
        dm_origin: symbols.dm.as_ref().map(|_| (symbols_x + qr_px, dm_top)),
        dm_module,
        text_origin: ((width - text_width) / 2, symbols_height),
        text_scale,
    }
}

/// Renders the label; `module_px` must be 1 to [`MAX_MODULE_PX`].
pub(crate) fn render(symbols: &Symbols, module_px: u32) -> Result<Vec<u8>, LabelError> {
    if module_px == 0 || module_px > MAX_MODULE_PX {
        return Err(LabelError::ModuleSize {
            given: module_px,
            max: MAX_MODULE_PX,
        });
    }
    // At most 40, so the conversion is exact.
    let layout = layout(symbols, module_px as usize);
    let mut canvas = Canvas::new(layout.width, layout.height);
    canvas.draw_modules(&symbols.qr, layout.qr_origin, layout.qr_module);
    if let (Some(dm), Some(origin)) = (&symbols.dm, layout.dm_origin) {
        canvas.draw_modules(dm, origin, layout.dm_module);
    }
    canvas.draw_text(&symbols.digits, layout.text_origin, layout.text_scale);
    canvas.encode()
}

/// A white image on which dark rectangles are drawn.
struct Canvas {
    width: usize,
    height: usize,
    dark: Vec<bool>,
}

impl Canvas {
    fn new(width: usize, height: usize) -> Self {
        Canvas {
            width,
            height,
            dark: vec![false; width * height],
        }
    }

    /// Darkens a rectangle, clipped to the image.
    fn fill(&mut self, x: usize, y: usize, w: usize, h: usize) {
        for row in y..(y + h).min(self.height) {
            let start = row * self.width;
            let (from, to) = (x.min(self.width), (x + w).min(self.width));
            self.dark[start + from..start + to].fill(true);
        }
    }

    fn draw_modules(&mut self, modules: &Modules, (ox, oy): (usize, usize), px: usize) {
        for (x, y, len) in modules.dark_runs() {
            self.fill(ox + x * px, oy + y * px, len * px, px);
        }
    }

    /// Draws digits and spaces; other characters are skipped, which cannot happen
    /// for a validated code.
    fn draw_text(&mut self, text: &str, (ox, oy): (usize, usize), scale: usize) {
        for (i, c) in text.chars().enumerate() {
            let Some(glyph) = font::glyph(c) else {
                continue;
            };
            let gx = ox + i * font::ADVANCE * scale;
            for fy in 0..font::GLYPH_HEIGHT {
                for fx in 0..font::GLYPH_WIDTH {
                    if font::is_set(&glyph, fx, fy) {
                        self.fill(gx + fx * scale, oy + fy * scale, scale, scale);
                    }
                }
            }
        }
    }

    /// Encodes as 1-bit greyscale, where a 0 bit is black.
    fn encode(&self) -> Result<Vec<u8>, LabelError> {
        let row_bytes = self.width.div_ceil(8);
        let mut packed = vec![0u8; row_bytes * self.height];
        for y in 0..self.height {
            for x in 0..self.width {
                if !self.dark[y * self.width + x] {
                    packed[y * row_bytes + x / 8] |= 0x80 >> (x % 8);
                }
            }
        }
        let png_error = |e: ::png::EncodingError| LabelError::Png {
            reason: e.to_string(),
        };
        let too_large = || LabelError::Png {
            reason: "image dimensions exceed 32 bits".to_owned(),
        };
        let width = u32::try_from(self.width).map_err(|_| too_large())?;
        let height = u32::try_from(self.height).map_err(|_| too_large())?;
        let mut out = Vec::new();
        let mut encoder = ::png::Encoder::new(&mut out, width, height);
        encoder.set_color(::png::ColorType::Grayscale);
        encoder.set_depth(::png::BitDepth::One);
        let mut writer = encoder.write_header().map_err(png_error)?;
        writer.write_image_data(&packed).map_err(png_error)?;
        writer.finish().map_err(png_error)?;
        Ok(out)
    }
}
