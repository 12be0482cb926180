//! The samples that concern a lab or an enterprise: a lab's to test (its quotas', and
//! the re-tests given to it), an enterprise's taken from it. Newest first.

use zhijian_core::access::Role;
use zhijian_core::page::{Page, Paged};

use crate::samples::{SELECT_SAMPLE, Sample, read_sample};
use crate::{Scoped, StoreError, params};

impl Scoped<'_> {
    /// The caller's own samples: a lab's to test or re-test, an enterprise's; none for
    /// other roles (bureaus follow samples through their plans).
    pub async fn own_samples(&self, page: Page) -> Result<Paged<Sample>, StoreError> {
        let (cond, org) = match (self.principal.role, self.principal.org_id) {
            (Role::Lab, Some(id)) => ("(q.lab_id = $1 OR ob.retest_lab_id = $1)", id),
            (Role::Enterprise, Some(id)) => ("t.enterprise_id = $1", id),
            _ => {
                return Ok(Paged {
                    items: Vec::new(),
                    total: 0,
                });
            }
        };
        let db = &self.store.db;
        let from = SELECT_SAMPLE
            .split_once(" FROM ")
            .map_or(SELECT_SAMPLE, |(_, from)| from);
        let total = db
            .fetch_one(
                &format!("SELECT COUNT(*) FROM {from} WHERE {cond}"),
                params![org],
            )
            .await?
            .int(0)?;
        let rows = db
            .fetch_all(
                &format!("{SELECT_SAMPLE} WHERE {cond} ORDER BY s.id DESC LIMIT $2 OFFSET $3"),
                params![org, page.limit(), page.offset()],
            )
            .await?;
        let items = rows.iter().map(read_sample).collect::<Result<_, _>>()?;
        Ok(Paged { items, total })
    }
}
