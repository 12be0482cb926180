//! The append-only, hash-chained audit log.
//!
//! Every write appends an entry in the same transaction as the change. Each entry's hash
//! covers its own fields and the previous entry's hash, so changing, removing or
//! reordering any stored entry breaks the chain from that point on.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::{Db, Engine, Tx};
use crate::{StoreError, params};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A change about to be recorded.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    /// Who made it: a username, or `system` / `cli`.
    pub actor: &'a str,
    /// What was done, e.g. `enterprise.create`.
    pub action: &'a str,
    /// The kind of thing changed, e.g. `enterprise`.
    pub entity: &'a str,
    /// Its id (a credit code, a numeric id, …).
    pub entity_id: String,
    /// The credit code of the enterprise the change concerns, for its archive history.
    pub enterprise: Option<String>,
    /// The state before (absent for creations).
    pub before: Option<serde_json::Value>,
    /// The state after (absent for deletions).
    pub after: Option<serde_json::Value>,
}

/// One stored entry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When, in milliseconds since the epoch.
    pub at: i64,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// The kind of thing changed.
    pub entity: String,
    /// Its id.
    pub entity_id: String,
    /// The enterprise it concerns.
    pub enterprise: Option<String>,
    /// State before, as stored JSON text.
    pub before: Option<String>,
    /// State after, as stored JSON text.
    pub after: Option<String>,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

/// Computes an entry's hash from its fields; the JSON array form leaves no ambiguity
/// about where one field ends and the next begins.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    seq: i64,
    at: i64,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    enterprise: Option<&str>,
    before: Option<&str>,
    after: Option<&str>,
    prev_hash: &str,
) -> String {
    let canonical = serde_json::json!([
        seq, at, actor, action, entity, entity_id, enterprise, before, after, prev_hash
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// Appends an entry inside the caller's transaction; returns its position.
pub async fn append(tx: &mut Tx, at: i64, change: Change<'_>) -> Result<i64, StoreError> {
    append_many(tx, at, vec![change]).await
}

/// Appends entries in order inside the caller's transaction; returns the last position.
pub async fn append_many(
    tx: &mut Tx,
    at: i64,
    changes: Vec<Change<'_>>,
) -> Result<i64, StoreError> {
    if tx.engine() == Engine::Postgres {
        // Serialise appenders: the chain needs one gap-free order. SQLite has one writer.
        tx.execute("SELECT pg_advisory_xact_lock(7157001)", params![])
            .await?;
    }
    let head = tx
        .fetch_optional(
            "SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1",
            params![],
        )
        .await?;
    let (mut seq, mut prev) = match head {
        Some(r) => (r.int(0)?, r.text(1)?),
        None => (0, GENESIS.to_owned()),
    };
    let mut rows = Vec::with_capacity(changes.len());
    let (mut touched, mut kinds) = (Vec::new(), Vec::new());
    for c in changes {
        touched.extend(c.enterprise.clone());
        kinds.push(c.entity.to_owned());
        seq += 1;
        let before = c.before.map(|v| v.to_string());
        let after = c.after.map(|v| v.to_string());
        let hash = entry_hash(
            seq,
            at,
            c.actor,
            c.action,
            c.entity,
            &c.entity_id,
            c.enterprise.as_deref(),
            before.as_deref(),
            after.as_deref(),
            &prev,
        );
        rows.push(vec![
            seq.into(),
            at.into(),
            c.actor.into(),
            c.action.into(),
            c.entity.into(),
            c.entity_id.into(),
            c.enterprise.into(),
            before.into(),
            after.into(),
            prev.into(),
            hash.clone().into(),
        ]);
        prev = hash;
    }
    tx.insert_rows(
        "INSERT INTO audit_entries (seq, at, actor, action, entity, entity_id, enterprise, before, after, prev_hash, hash)",
        11,
        &rows,
    )
    .await?;
    tx.audited(seq, touched, kinds);
    Ok(seq)
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every entry's hash and link is right.
    Intact {
        /// How many entries were checked.
        entries: i64,
    },
    /// The chain breaks at this entry.
    Broken {
        /// The first bad entry's position.
        seq: i64,
        /// What is wrong with it.
        reason: String,
    },
}

const SELECT_ENTRY: &str = "SELECT seq, at, actor, action, entity, entity_id, enterprise, before, after, prev_hash, hash FROM audit_entries";

fn read_entry(r: &crate::db::Row) -> Result<AuditEntry, sqlx::Error> {
    Ok(AuditEntry {
        seq: r.int(0)?,
        at: r.int(1)?,
        actor: r.text(2)?,
        action: r.text(3)?,
        entity: r.text(4)?,
        entity_id: r.text(5)?,
        enterprise: r.opt_text(6)?,
        before: r.opt_text(7)?,
        after: r.opt_text(8)?,
        prev_hash: r.text(9)?,
        hash: r.text(10)?,
    })
}

/// Recomputes the whole chain, in pages, and reports the first broken entry.
pub async fn verify(db: &Db, mut progress: impl FnMut(i64)) -> Result<Verdict, StoreError> {
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_owned();
    loop {
        let rows = db
            .fetch_all(
                &format!("{SELECT_ENTRY} WHERE seq >= $1 ORDER BY seq LIMIT 5000"),
                params![expected_seq],
            )
            .await?;
        if rows.is_empty() {
            return Ok(Verdict::Intact {
                entries: expected_seq - 1,
            });
        }
        for row in &rows {
            let e = read_entry(row)?;
            if e.seq != expected_seq {
                return Ok(Verdict::Broken {
                    seq: expected_seq,
                    reason: format!("entry {expected_seq} is missing (next is {})", e.seq),
                });
            }
            if e.prev_hash != prev {
                return Ok(Verdict::Broken {
                    seq: e.seq,
                    reason: "its link to the previous entry does not match".into(),
                });
            }
            let h = entry_hash(
                e.seq,
                e.at,
                &e.actor,
                &e.action,
                &e.entity,
                &e.entity_id,
                e.enterprise.as_deref(),
                e.before.as_deref(),
                e.after.as_deref(),
                &e.prev_hash,
            );
            if h != e.hash {
                return Ok(Verdict::Broken {
                    seq: e.seq,
                    reason: "its content does not match its hash".into(),
                });
            }
            prev = e.hash;
            expected_seq += 1;
        }
        progress(expected_seq - 1);
    }
}

/// The latest entries concerning one enterprise, newest first.
pub async fn for_enterprise(
    db: &Db,
    uscc: &str,
    limit: i64,
) -> Result<Vec<AuditEntry>, StoreError> {
    let rows = db
        .fetch_all(
            &format!("{SELECT_ENTRY} WHERE enterprise = $1 ORDER BY seq DESC LIMIT $2"),
            params![uscc, limit],
        )
        .await?;
    Ok(rows.iter().map(read_entry).collect::<Result<_, _>>()?)
}

/// The number of entries and the head hash (used to prove a refused write changed nothing).
pub async fn head(db: &Db) -> Result<(i64, String), StoreError> {
    let row = db
        .fetch_optional(
            "SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1",
            params![],
        )
        .await?;
    Ok(match row {
        Some(r) => (r.int(0)?, r.text(1)?),
        None => (0, GENESIS.to_owned()),
    })
}
