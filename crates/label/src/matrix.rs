//! A grid of dark and light modules, the one form both symbologies are drawn from.

/// A rectangular grid of modules, `true` meaning dark, rows top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Modules {
    width: usize,
    height: usize,
    dark: Vec<bool>,
}

impl Modules {
    /// Wraps row-major bits; `None` when they do not fill `width` columns exactly.
    pub(crate) fn new(width: usize, dark: Vec<bool>) -> Option<Self> {
        if width == 0 || !dark.len().is_multiple_of(width) {
            return None;
        }
        let height = dark.len() / width;
        Some(Modules {
            width,
            height,
            dark,
        })
    }

    /// Width in modules.
    pub(crate) fn width(&self) -> usize {
        self.width
    }

    /// Height in modules.
    pub(crate) fn height(&self) -> usize {
        self.height
    }

    /// Whether the module at column `x`, row `y` is dark; outside the grid is light.
    pub(crate) fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.height && self.dark[y * self.width + x]
    }

    /// The same grid surrounded by `quiet` light modules on every side.
    ///
    /// Renderers then draw the quiet zone like any other module, so no output can
    /// forget it.
    pub(crate) fn with_quiet_zone(&self, quiet: usize) -> Self {
        let width = self.width + 2 * quiet;
        let height = self.height + 2 * quiet;
        let mut dark = vec![false; width * height];
        for y in 0..self.height {
            for x in 0..self.width {
                dark[(y + quiet) * width + x + quiet] = self.is_dark(x, y);
            }
        }
        Modules {
            width,
            height,
            dark,
        }
    }

    /// Horizontal runs of dark modules as `(x, y, length)`, row by row.
    ///
    /// Vector output draws one rectangle per run rather than per module: a QR code
    /// has roughly half as many runs as dark modules, and the SVG shrinks accordingly.
    pub(crate) fn dark_runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for y in 0..self.height {
            let mut x = 0;
            while x < self.width {
                if self.is_dark(x, y) {
                    let start = x;
                    while x < self.width && self.is_dark(x, y) {
                        x += 1;
                    }
                    runs.push((start, y, x - start));
                } else {
                    x += 1;
                }
            }
        }
        runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_zone_pads_with_light_modules() {
        let m = Modules::new(2, vec![true, false, false, true]).unwrap();
        let q = m.with_quiet_zone(1);
        assert_eq!((q.width(), q.height()), (4, 4));
        assert!(q.is_dark(1, 1) && !q.is_dark(2, 1) && !q.is_dark(1, 2) && q.is_dark(2, 2));
        let border_dark = (0..4)
            .any(|i| q.is_dark(i, 0) || q.is_dark(0, i) || q.is_dark(i, 3) || q.is_dark(3, i));
        assert!(!border_dark);
    }

    #[test]
    fn runs_cover_exactly_the_dark_modules() {
        let bits = vec![true, true, false, true, false, false, true, true];
        let m = Modules::new(4, bits).unwrap();
        assert_eq!(m.dark_runs(), vec![(0, 0, 2), (3, 0, 1), (2, 1, 2)]);
    }

    #[test]
    fn ragged_bits_are_refused() {
        assert!(Modules::new(3, vec![true; 4]).is_none());
        assert!(Modules::new(0, vec![]).is_none());
    }
}
