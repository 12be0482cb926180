//! Paging of console lists: which page was asked for, and the previous/next links.

use zhijian_core::page::Page;

use super::i18n;
use crate::lang::Lang;

/// Rows per page of every console list.
pub const PER_PAGE: u32 = 20;

/// Previous/next links and the counts above a list.
#[derive(Debug, Clone)]
pub struct Pager {
    /// "共 12 份申请".
    pub total_text: String,
    /// "第 1 / 3 页".
    pub page_text: String,
    /// The previous page, if any.
    pub prev_href: Option<String>,
    /// The next page, if any.
    pub next_href: Option<String>,
}

/// The pager of a list of `total` rows on page `page_no`; `base` is the list address
/// ending in `?` or `&`, to which `page=n` is appended.
pub fn pager(lang: Lang, total: i64, page_no: u32, base: &str, total_text: String) -> Pager {
    let pages = u32::try_from((total + i64::from(PER_PAGE) - 1) / i64::from(PER_PAGE))
        .unwrap_or(u32::MAX)
        .max(1);
    Pager {
        total_text,
        page_text: i18n::page_of(lang, page_no.min(pages), pages),
        prev_href: (page_no > 1).then(|| format!("{base}page={}", (page_no - 1).min(pages))),
        next_href: (page_no < pages).then(|| format!("{base}page={}", page_no + 1)),
    }
}

/// The page asked for: a malformed or zero page number shows the first page.
pub fn page_of(p: Option<&str>) -> Page {
    Page {
        page: p
            .and_then(|s| s.trim().parse::<u32>().ok())
            .filter(|&n| n >= 1)
            .unwrap_or(1),
        per_page: PER_PAGE,
    }
}
