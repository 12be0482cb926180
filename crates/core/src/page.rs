//! Pagination as every list endpoint takes it: `page` (from 1) and `per_page` (1–1000).

use serde::{Deserialize, Serialize};

/// The largest page a caller may ask for.
pub const MAX_PER_PAGE: u32 = 1000;
/// The page size when none is asked for.
pub const DEFAULT_PER_PAGE: u32 = 50;

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    /// 1-based page number.
    pub page: u32,
    /// Items per page.
    pub per_page: u32,
}

/// A page request was out of range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    /// `page` was 0.
    #[error("page numbers start at 1")]
    PageZero,
    /// `per_page` was 0 or over the maximum.
    #[error("per_page must be between 1 and {MAX_PER_PAGE}")]
    PerPage,
}

impl Page {
    /// Validates optional query parameters, applying the defaults.
    pub fn new(page: Option<u32>, per_page: Option<u32>) -> Result<Page, PageError> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
        if page == 0 {
            return Err(PageError::PageZero);
        }
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(PageError::PerPage);
        }
        Ok(Page { page, per_page })
    }

    /// Rows to skip.
    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    /// Rows to return.
    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }
}

/// One page of a list, as every list endpoint answers.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Paged<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// How many items the whole list has.
    pub total: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bounds() {
        assert_eq!(
            Page::new(None, None),
            Ok(Page {
                page: 1,
                per_page: 50
            })
        );
        assert_eq!(Page::new(Some(0), None), Err(PageError::PageZero));
        assert_eq!(Page::new(None, Some(1001)), Err(PageError::PerPage));
        assert_eq!(Page::new(Some(3), Some(1000)).unwrap().offset(), 2000);
    }
}
