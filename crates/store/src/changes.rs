//! Which enterprises changed, and when: the clock behind read caches and the name index.
//!
//! Every write appends audit entries naming the enterprises it concerns. After each
//! commit the store ticks this clock and notes those enterprises at the new tick. A read
//! taken at tick `t` (the tick read *before* reading the database) stays true for an
//! enterprise until a change concerning it is noted after `t`. Ticks are local and are
//! taken when a commit is noted, not from the audit position: two commits may note
//! themselves in the opposite order to their positions, and a reader must never see a
//! change noted "in the past".
//!
//! Writes by other processes (a second node on the same PostgreSQL database, a CLI
//! command) are read from the audit table at most [`POLL_INTERVAL`] later. The audit
//! position is assigned under the chain's lock, which is held until commit, so the
//! table's committed entries always form a gap-free prefix and reading past the last
//! position seen never misses one.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::StoreError;
use crate::db::Db;
use crate::params;

/// How often readers look for changes made by other processes.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// More external changes than this at once and every cached read is dropped instead.
const POLL_LIMIT: i64 = 10_000;

/// Entries the log keeps at most; older ones are dropped and readers behind start over.
const LOG_LIMIT: usize = 50_000;

/// The node's change clock (one per open store, shared by its clones).
#[derive(Debug)]
pub struct Changes {
    inner: Mutex<Clock>,
}

#[derive(Debug)]
struct Clock {
    /// The latest tick.
    tick: i64,
    /// Reads taken before this tick are stale for every enterprise.
    floor: i64,
    /// The tick of the last change concerning each enterprise.
    last: HashMap<String, i64>,
    /// The tick of the last change of each kind of entity (`batch`, `code_segment`, …).
    kinds: HashMap<String, i64>,
    /// Changes concerning enterprises, in tick order (for indexes that catch up).
    log: Vec<(i64, String)>,
    /// The log holds every change after this tick.
    log_floor: i64,
    /// The highest audit position read back from the table.
    audit_seen: i64,
    /// Audit positions this process committed and noted, not yet read back.
    local: BTreeSet<i64>,
    /// When the audit table was last read for other processes' changes.
    polled: Instant,
}

impl Clock {
    fn new(audit_head: i64) -> Clock {
        Clock {
            tick: 0,
            floor: 0,
            last: HashMap::new(),
            kinds: HashMap::new(),
            log: Vec::new(),
            log_floor: 0,
            audit_seen: audit_head,
            local: BTreeSet::new(),
            polled: Instant::now(),
        }
    }

    fn note(
        &mut self,
        enterprises: impl IntoIterator<Item = String>,
        kinds: impl IntoIterator<Item = String>,
    ) {
        self.tick += 1;
        for k in kinds {
            self.kinds.insert(k, self.tick);
        }
        for e in enterprises {
            self.last.insert(e.clone(), self.tick);
            self.log.push((self.tick, e));
        }
        if self.log.len() > LOG_LIMIT {
            let drop = self.log.len() / 2;
            self.log_floor = self.log[drop - 1].0;
            self.log.drain(..drop);
        }
    }
}

impl Changes {
    /// A clock for a database whose audit chain ends at position `audit_head`.
    pub(crate) fn new(audit_head: i64) -> Changes {
        Changes {
            inner: Mutex::new(Clock::new(audit_head)),
        }
    }

    /// Starts again (after migrations, when the audit table exists): every earlier read
    /// is stale.
    pub(crate) fn reset(&self, audit_head: i64) {
        let mut c = self.clock();
        let tick = c.tick + 1;
        *c = Clock {
            tick,
            floor: tick,
            log_floor: tick,
            ..Clock::new(audit_head)
        };
    }

    fn clock(&self) -> std::sync::MutexGuard<'_, Clock> {
        // Each update is a few plain assignments, so a panic elsewhere while the lock was
        // held cannot leave the clock half-changed; a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Notes a committed transaction whose last audit entry is at `seq` and whose
    /// entries concern `enterprises`.
    pub(crate) fn committed(
        &self,
        seq: i64,
        enterprises: impl IntoIterator<Item = String>,
        kinds: impl IntoIterator<Item = String>,
    ) {
        let mut c = self.clock();
        if seq > c.audit_seen {
            c.local.insert(seq);
        }
        c.note(enterprises, kinds);
    }

    /// Whether an entity of one of these kinds changed after tick `at`.
    pub fn kinds_changed_since(&self, kinds: &[&str], at: i64) -> bool {
        let c = self.clock();
        at < c.floor
            || kinds
                .iter()
                .any(|k| c.kinds.get(*k).is_some_and(|&t| t > at))
    }

    /// The tick a read starting now is taken at.
    pub fn head(&self) -> i64 {
        self.clock().tick
    }

    /// Whether a read of `enterprise` taken at tick `at` is still true.
    pub fn unchanged_since(&self, enterprise: &str, at: i64) -> bool {
        let c = self.clock();
        at >= c.floor && c.last.get(enterprise).is_none_or(|&l| l <= at)
    }

    /// The enterprises changed after tick `at`, and the tick the answer is complete up
    /// to; `None` when the log no longer reaches back to `at` (start over).
    pub fn changed_since(&self, at: i64) -> Option<(i64, Vec<String>)> {
        let c = self.clock();
        if at < c.floor || at < c.log_floor {
            return None;
        }
        let from = c.log.partition_point(|(t, _)| *t <= at);
        let mut names: Vec<String> = c.log[from..].iter().map(|(_, e)| e.clone()).collect();
        names.sort_unstable();
        names.dedup();
        Some((c.tick, names))
    }

    /// Reads changes other processes committed, when [`POLL_INTERVAL`] has passed since
    /// the last look. Cheap when nothing changed: one indexed query a second.
    pub async fn poll(&self, db: &Db) -> Result<(), StoreError> {
        let since = {
            let mut c = self.clock();
            if c.polled.elapsed() < POLL_INTERVAL {
                return Ok(());
            }
            c.polled = Instant::now();
            c.audit_seen
        };
        let rows = db
            .fetch_all(
                "SELECT seq, enterprise, entity FROM audit_entries WHERE seq > $1 ORDER BY seq LIMIT $2",
                params![since, POLL_LIMIT + 1],
            )
            .await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        let last_seq = last.int(0)?;
        let mut c = self.clock();
        if rows.len() as i64 > POLL_LIMIT {
            let tick = c.tick + 1;
            c.tick = tick;
            c.floor = tick;
            c.last.clear();
            c.kinds.clear();
            c.log.clear();
            c.log_floor = tick;
        } else {
            let (mut touched, mut kinds) = (Vec::new(), Vec::new());
            for r in &rows {
                if !c.local.contains(&r.int(0)?) {
                    touched.extend(r.opt_text(1)?);
                    kinds.push(r.text(2)?);
                }
            }
            if !kinds.is_empty() {
                c.note(touched, kinds);
            }
        }
        c.audit_seen = c.audit_seen.max(last_seq);
        let seen = c.audit_seen;
        c.local.retain(|&s| s > seen);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_goes_stale_only_when_its_enterprise_changes_after_it() {
        let c = Changes::new(10);
        let at = c.head();
        assert!(c.unchanged_since("A", at));
        c.committed(11, ["B".to_owned()], ["x".to_owned()]);
        assert!(c.unchanged_since("A", at), "another enterprise changed");
        c.committed(12, ["A".to_owned()], ["x".to_owned()]);
        assert!(!c.unchanged_since("A", at));
        assert!(c.unchanged_since("A", c.head()));
    }

    #[test]
    fn commits_noted_out_of_audit_order_are_not_lost() {
        let c = Changes::new(10);
        c.committed(12, ["B".to_owned()], ["x".to_owned()]);
        let (at, seen) = c.changed_since(0).unwrap();
        assert_eq!(seen, ["B"]);
        // Position 11 committed first but is noted after 12: still after `at`.
        c.committed(11, ["A".to_owned()], ["x".to_owned()]);
        assert_eq!(c.changed_since(at).unwrap().1, ["A"]);
        assert!(!c.unchanged_since("A", at));
    }

    #[test]
    fn the_log_lists_each_changed_enterprise_once() {
        let c = Changes::new(10);
        c.committed(11, ["B".to_owned(), "A".to_owned()], ["x".to_owned()]);
        c.committed(12, ["B".to_owned()], ["x".to_owned()]);
        assert_eq!(c.changed_since(0), Some((2, vec!["A".into(), "B".into()])));
        assert_eq!(c.changed_since(1), Some((2, vec!["B".into()])));
        assert_eq!(c.changed_since(2), Some((2, vec![])));
    }

    #[test]
    fn a_reset_makes_every_earlier_read_stale() {
        let c = Changes::new(0);
        let at = c.head();
        c.reset(5);
        assert!(!c.unchanged_since("A", at));
        assert_eq!(c.changed_since(at), None);
        assert!(c.unchanged_since("A", c.head()));
    }
}
