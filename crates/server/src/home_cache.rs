//! The portal's home page, kept for a few seconds. It is the public's landing page and
//! reads five lists (about 15 ms a render); every visitor sees the same page in their
//! language, so one render serves all until something changes (the store's change clock
//! moves) or [`MAX_AGE`] passes — the age bounds what a change that bypasses the clock,
//! or the date turning, can leave stale.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::lang::Lang;

/// The longest a kept page is served.
pub const MAX_AGE: Duration = Duration::from_secs(5);

struct Kept {
    head: i64,
    at: Instant,
    body: String,
}

/// The kept home page, one per language.
#[derive(Default)]
pub struct HomeCache {
    pages: Mutex<[Option<Kept>; 2]>,
}

fn slot(lang: Lang) -> usize {
    match lang {
        Lang::Zh => 0,
        Lang::En => 1,
    }
}

impl HomeCache {
    /// The kept page in `lang` if it was rendered at change-clock position `head` less
    /// than [`MAX_AGE`] ago.
    pub fn get(&self, lang: Lang, head: i64) -> Option<String> {
        let pages = self.pages.lock().ok()?;
        pages[slot(lang)]
            .as_ref()
            .filter(|k| k.head == head && k.at.elapsed() < MAX_AGE)
            .map(|k| k.body.clone())
    }

    /// Keeps a page rendered at position `head`.
    pub fn put(&self, lang: Lang, head: i64, body: &str) {
        if let Ok(mut pages) = self.pages.lock() {
            pages[slot(lang)] = Some(Kept {
                head,
                at: Instant::now(),
                body: body.to_owned(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_page_serves_its_language_until_the_clock_moves() {
        let c = HomeCache::default();
        assert_eq!(c.get(Lang::Zh, 1), None);
        c.put(Lang::Zh, 1, "首页");
        assert_eq!(c.get(Lang::Zh, 1).as_deref(), Some("首页"));
        assert_eq!(
            c.get(Lang::En, 1),
            None,
            "the other language is its own page"
        );
        assert_eq!(c.get(Lang::Zh, 2), None, "a change since makes it stale");
    }
}
