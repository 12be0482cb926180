//! Storage for zhijian: one API over SQLite (the embedded default) and PostgreSQL.
//!
//! [`Store::open`] picks the engine from the URL scheme and runs the embedded migrations.
//! Methods are shaped by use cases and own their transaction: a change and its audit
//! entry commit together or not at all. Reads and writes on behalf of a person go
//! through [`Scoped`], which narrows every query to what the caller's role and region
//! allow, so a new query cannot forget the scope.
//!
//! ```no_run
//! # async fn demo() -> Result<(), zhijian_store::StoreError> {
//! let store = zhijian_store::Store::open("sqlite://zhijian-data/zhijian.db", "zhijian-data/files".into()).await?;
//! println!("{:?}", store.engine());
//! # Ok(()) }
//! ```

pub mod announcements;
pub mod audit;
pub mod blacklist;
pub mod cases;
pub mod changes;
pub mod codes;
pub mod complaints;
pub mod db;
pub mod dossier;
pub mod enterprises;
pub mod epcis;
pub mod grading;
pub mod gs1_master;
pub mod identity;
pub mod import;
pub mod incidents;
pub mod licences;
pub mod linked_files;
mod name_index;
pub mod notices;
pub mod notifications;
pub mod objections;
pub mod organisations;
pub mod own_samples;
mod phase_clock;
pub mod plan_tasks;
pub mod portal;
pub mod recalls;
pub mod records;
pub mod rectifications;
pub mod registrations;
pub mod risk_signals;
pub mod sample_photos;
mod sample_results;
pub mod samples;
pub mod sampling;
pub mod sampling_stats;
mod search;
pub mod testing;
pub mod trace;
mod unit_key;
pub mod verify;
pub mod warnings;

use std::path::PathBuf;

use thiserror::Error;
use zhijian_core::access::{Action, Principal, Scope};
use zhijian_core::licence::TransitionError;

pub use db::Engine;
use db::{Db, Pools, Value};

/// Everything a store method can fail with.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database failed or could not be reached.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// Migrating the schema failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The thing does not exist, or the caller may not see it (the two are not told apart).
    #[error("{entity} not found")]
    NotFound {
        /// What was looked for.
        entity: &'static str,
    },
    /// The caller can see the thing but may not change it.
    #[error("this action is not allowed for your role")]
    Forbidden,
    /// The change clashes with what exists (a duplicate credit code, …).
    #[error("{message}")]
    Conflict {
        /// A stable code.
        code: &'static str,
        /// The field at fault.
        field: &'static str,
        /// A readable message.
        message: String,
    },
    /// The input breaks a rule only the store can check (an unknown product, …).
    #[error("{message}")]
    Invalid {
        /// A stable code.
        code: &'static str,
        /// The field at fault.
        field: &'static str,
        /// A readable message.
        message: String,
    },
    /// The input names things that break a rule; `codes` lists (the first of) them.
    #[error("{message}")]
    Rejected {
        /// A stable code.
        code: &'static str,
        /// The field at fault.
        field: &'static str,
        /// A readable message.
        message: String,
        /// The offending codes.
        codes: Vec<String>,
    },
    /// A licence transition was refused.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// Attachment files could not be written or read.
    #[error("file storage error: {0}")]
    Io(#[from] std::io::Error),
    /// Password hashing failed.
    #[error("password hashing failed: {0}")]
    Password(String),
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// An open store.
#[derive(Clone)]
pub struct Store {
    db: Db,
    files: PathBuf,
    names: std::sync::Arc<name_index::IndexHolder>,
    code_space: std::sync::Arc<std::sync::OnceLock<std::sync::Arc<zhijian_core::code::CodeSpace>>>,
    /// Sampling results in memory for statistics; a tokio lock, as catching up awaits
    /// the database.
    results: std::sync::Arc<tokio::sync::Mutex<sample_results::Snapshot>>,
    /// Whether `epcis_event_ids` may hold units indexed as written (captured before
    /// units were keyed by issue index, see `unit_key`): lookups then try both forms.
    units_as_written: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Store {
    /// Opens the database at `url` (`sqlite://…` or `postgres://…`) and migrates it;
    /// attachment files live under `files`.
    pub async fn open(url: &str, files: PathBuf) -> Result<Store, StoreError> {
        let store = Store::open_unmigrated(url, files).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens without migrating (for `migrate` itself and for inspecting old databases).
    pub async fn open_unmigrated(url: &str, files: PathBuf) -> Result<Store, StoreError> {
        Ok(Store {
            db: Db::connect(url).await?,
            files,
            names: Default::default(),
            code_space: Default::default(),
            results: Default::default(),
            // Until `migrate` knows better, assume an old database.
            units_as_written: std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true)),
        })
    }

    /// Brings the schema up to date; returns how many migrations were applied.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let before = self.applied_migrations().await.unwrap_or(0);
        match self.db.pools() {
            Pools::Sqlite { writer, .. } => SQLITE_MIGRATIONS.run(writer).await?,
            Pools::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        self.backfill_name_grams().await?;
        self.backfill_sample_results().await?;
        let as_written = self
            .db
            .fetch_optional(
                "SELECT value FROM node_settings WHERE name = 'units_indexed_as_written'",
                params![],
            )
            .await?
            .is_some();
        self.units_as_written
            .store(as_written, std::sync::atomic::Ordering::Relaxed);
        self.db.changes().reset(audit::head(&self.db).await?.0);
        Ok(self.applied_migrations().await?.saturating_sub(before))
    }

    async fn applied_migrations(&self) -> Result<usize, StoreError> {
        let row = self
            .db
            .fetch_one(
                "SELECT COUNT(*) FROM _sqlx_migrations WHERE success",
                params![],
            )
            .await?;
        Ok(usize::try_from(row.int(0)?).unwrap_or(0))
    }

    /// Whether units may be indexed as written as well as by key (see `unit_key`).
    pub(crate) fn units_as_written(&self) -> bool {
        self.units_as_written
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Which engine the store runs on.
    pub fn engine(&self) -> Engine {
        self.db.engine()
    }

    /// The raw database, for tests and tools that inspect it.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.fetch_one("SELECT 1", params![]).await?;
        Ok(())
    }

    /// Writes a consistent copy of a SQLite database to `path` (`VACUUM INTO`).
    pub async fn snapshot_sqlite(&self, path: &std::path::Path) -> Result<(), StoreError> {
        if self.engine() != Engine::Sqlite {
            return Err(StoreError::Invalid {
                code: "engine",
                field: "database",
                message: "snapshots are for SQLite; use pg_dump for PostgreSQL".into(),
            });
        }
        self.db
            .execute_outside_transaction("VACUUM INTO $1", params![path.display().to_string()])
            .await?;
        Ok(())
    }

    /// Refreshes the query planner's statistics; call after bulk imports. PostgreSQL
    /// plans a freshly loaded database from empty statistics (measured: archive reads
    /// at 100 req/s before, 1 800 after); SQLite's planner needs no statistics here.
    pub async fn analyze(&self) -> Result<(), StoreError> {
        if self.engine() == Engine::Postgres {
            self.db
                .execute_outside_transaction("ANALYZE", params![])
                .await?;
        }
        Ok(())
    }

    /// Builds the in-memory name index and reads the sampling results statistics count
    /// now rather than on the first search or count (call in the background at start: a
    /// city's index takes about a second to build, a national decade of results five).
    pub async fn warm(&self) -> Result<(), StoreError> {
        self.names.current(&self.db).await?;
        self.results.lock().await.catch_up(&self.db).await
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.db.close().await;
    }

    /// A view of the store that acts for `principal`, within its scope.
    pub fn scoped<'a>(&'a self, principal: &'a Principal) -> Scoped<'a> {
        Scoped {
            store: self,
            principal,
        }
    }
}

/// The store seen by one caller: every query carries the caller's scope.
#[derive(Clone, Copy)]
pub struct Scoped<'a> {
    store: &'a Store,
    principal: &'a Principal,
}

impl<'a> Scoped<'a> {
    /// The caller.
    pub fn principal(&self) -> &Principal {
        self.principal
    }

    fn scope(&self, action: Action) -> Scope {
        self.principal.scope(action)
    }
}

/// A required text, trimmed, of at most `max` characters, or `required` naming the field.
pub(crate) fn required_text(
    field: &'static str,
    v: &str,
    max: usize,
) -> Result<String, StoreError> {
    let t = v.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(StoreError::Invalid {
            code: "required",
            field,
            message: format!("{field} is required (at most {max} characters)"),
        });
    }
    Ok(t.to_owned())
}

/// The bureau at `region` or nearest above it (county, city, province, nation), with
/// its region.
pub(crate) async fn nearest_bureau(
    tx: &mut db::Tx,
    region: zhijian_core::region::RegionCode,
) -> Result<Option<(i64, zhijian_core::region::RegionCode)>, StoreError> {
    for r in std::iter::successors(Some(region), |r| r.parent()) {
        if let Some(row) = tx
            .fetch_optional(
                "SELECT id FROM organisations WHERE kind = 'bureau' AND region = $1",
                params![r.as_str()],
            )
            .await?
        {
            return Ok(Some((row.int(0)?, r)));
        }
    }
    Ok(None)
}

/// The current instant in milliseconds since the epoch.
pub(crate) fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// Today's date in China (UTC+8), the day bureaus' dates are written in.
pub(crate) fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .date()
}

/// Builds a `WHERE` clause whose values are bound, numbering placeholders as it goes.
#[derive(Debug, Default)]
pub(crate) struct Where {
    conds: Vec<String>,
    /// The bound values, in placeholder order.
    pub(crate) values: Vec<Value>,
}

impl Where {
    /// Binds a value and returns its placeholder (`$n`).
    pub(crate) fn arg(&mut self, v: impl Into<Value>) -> String {
        self.values.push(v.into());
        format!("${}", self.values.len())
    }

    /// Adds a condition (joined with `AND`).
    pub(crate) fn cond(&mut self, c: impl Into<String>) {
        self.conds.push(c.into());
    }

    /// Restricts organisation rows (`org_col`, `region_col`) to `scope`.
    pub(crate) fn scope(&mut self, scope: Scope, org_col: &str, region_col: &str) {
        match scope {
            Scope::All => {}
            Scope::Nothing => self.cond("1=0"),
            Scope::Organisation(id) => {
                let p = self.arg(id);
                self.cond(format!("{org_col} = {p}"));
            }
            Scope::Region(r) if r.prefix().is_empty() => {}
            Scope::Region(r) => {
                let p = self.arg(format!("{}%", r.prefix()));
                self.cond(format!("{region_col} LIKE {p}"));
            }
        }
    }

    /// The clause text, without the `WHERE` keyword (`1=1` when empty).
    pub(crate) fn sql(&self) -> String {
        if self.conds.is_empty() {
            "1=1".into()
        } else {
            self.conds.join(" AND ")
        }
    }
}

/// Maps a unique-constraint violation to a conflict on `field`; other errors pass through.
pub(crate) fn conflict_on_unique(
    err: sqlx::Error,
    code: &'static str,
    field: &'static str,
    message: String,
) -> StoreError {
    match &err {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict {
            code,
            field,
            message,
        },
        _ => StoreError::Db(err),
    }
}

/// Formats milliseconds since the epoch as RFC 3339 UTC.
pub fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map_or_else(|_| ms.to_string(), |t| t.to_string())
}
