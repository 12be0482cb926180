//! What every public list shares: the query it takes (search words, page, language)
//! and the links to its neighbouring pages, which keep the search and the language.

use serde::Deserialize;
use zhijian_core::page::Page;
use zhijian_store::portal::PublicFilter;

use crate::lang::Lang;

/// Search, paging and language of a public list (page or JSON).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PublicListQuery {
    /// Words to find (enterprise name or credit code, product, reason…).
    pub q: Option<String>,
    /// Page number, from 1.
    pub page: Option<u32>,
    /// Items per page, 1–1000 (JSON only; pages show 20).
    pub per_page: Option<u32>,
    /// `zh` or `en` (pages only).
    #[param(ignore)]
    pub lang: Option<String>,
}

/// Rows on one HTML page.
pub const PAGE_ROWS: u32 = 20;

impl PublicListQuery {
    /// The search as a store filter.
    pub fn filter(&self) -> PublicFilter {
        PublicFilter::text(self.q.as_deref())
    }

    /// The search words, trimmed (empty when none).
    pub fn words(&self) -> String {
        self.q.as_deref().unwrap_or("").trim().to_owned()
    }

    /// The HTML page asked for; a number out of range shows the first.
    pub fn html_page(&self) -> Page {
        Page::new(self.page.filter(|p| *p > 0), Some(PAGE_ROWS)).unwrap_or(Page {
            page: 1,
            per_page: PAGE_ROWS,
        })
    }
}

/// Links to the previous and next pages of `path`, keeping the search and language.
pub fn pager(
    path: &str,
    words: &str,
    lang: Lang,
    page: Page,
    total: i64,
) -> (Option<String>, Option<String>) {
    let link = |n: u32| {
        let mut s = format!("{path}?page={n}");
        if !words.is_empty() {
            s.push_str("&q=");
            s.push_str(&urlencode(words));
        }
        if lang == Lang::En {
            s.push_str("&lang=en");
        }
        s
    };
    let shown = u64::from(page.page) * u64::from(page.per_page);
    (
        (page.page > 1).then(|| link(page.page - 1)),
        (shown < u64::try_from(total).unwrap_or(0)).then(|| link(page.page + 1)),
    )
}

/// Encodes a query value as forms do.
pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_keep_the_search_and_language() {
        let p = Page {
            page: 2,
            per_page: 20,
        };
        let (prev, next) = pager("/recalls", "奶粉 A&B", Lang::En, p, 41);
        assert_eq!(
            prev.as_deref(),
            Some("/recalls?page=1&q=%E5%A5%B6%E7%B2%89+A%26B&lang=en")
        );
        assert_eq!(
            next.as_deref(),
            Some("/recalls?page=3&q=%E5%A5%B6%E7%B2%89+A%26B&lang=en")
        );
        let (prev, next) = pager(
            "/recalls",
            "",
            Lang::Zh,
            Page {
                page: 1,
                per_page: 20,
            },
            20,
        );
        assert_eq!((prev, next), (None, None));
    }
}
