//! Serialised archives kept in memory, checked against the store's change clock.
//!
//! An archive costs six queries to assemble and is read far more often than it changes.
//! Its JSON is the same for everyone who may see it, so the bytes are kept once per
//! enterprise with the audit position they were read at; a read serves them while no
//! change concerning that enterprise has landed since (see `zhijian_store::changes`).
//! The scope check is repeated in memory on every hit.

use std::sync::Arc;

use axum::body::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use zhijian_core::access::{Action, Principal};
use zhijian_core::region::RegionCode;
use zhijian_store::enterprises::Archive;

/// Memory the cache may hold, in bytes of JSON.
const CAPACITY_BYTES: u64 = 256 * 1024 * 1024;

/// One kept archive.
#[derive(Clone)]
struct Entry {
    /// The audit position the archive was read at.
    at: i64,
    org_id: i64,
    region: RegionCode,
    body: Bytes,
}

#[derive(Clone)]
struct ByLength;

impl Weighter<String, Arc<Entry>> for ByLength {
    fn weight(&self, key: &String, val: &Arc<Entry>) -> u64 {
        (key.len() + val.body.len() + 64) as u64
    }
}

/// Archives as JSON bytes, by credit code.
pub struct ArchiveCache {
    entries: Cache<String, Arc<Entry>, ByLength>,
}

impl Default for ArchiveCache {
    fn default() -> Self {
        ArchiveCache {
            entries: Cache::with_weighter(100_000, CAPACITY_BYTES, ByLength),
        }
    }
}

impl ArchiveCache {
    /// The kept JSON of `uscc` if it is still current (`current(at)` says whether
    /// nothing changed since position `at`) and `who` may read it. A kept archive the
    /// caller may not see answers `None` like a missing one, so the caller falls back to
    /// the store, which answers 404 — the same as for an enterprise that does not exist.
    pub fn get(
        &self,
        uscc: &str,
        who: &Principal,
        current: impl FnOnce(i64) -> bool,
    ) -> Option<Bytes> {
        let e = self.entries.get(uscc)?;
        (current(e.at) && who.may(Action::Read, e.org_id, e.region)).then(|| e.body.clone())
    }

    /// Keeps `archive`, read at audit position `at`, and returns its JSON.
    pub fn put(&self, at: i64, archive: &Archive) -> Result<Bytes, serde_json::Error> {
        let body = Bytes::from(serde_json::to_vec(archive)?);
        if let Ok(region) = RegionCode::parse(&archive.region) {
            self.entries.insert(
                archive.uscc.clone(),
                Arc::new(Entry {
                    at,
                    org_id: archive.org_id,
                    region,
                    body: body.clone(),
                }),
            );
        }
        Ok(body)
    }
}
