//! A thin SQL layer that lets every store method be written once for both engines.
//!
//! Why not sqlx's `Any` driver: it cannot take engine-specific connection settings (WAL,
//! busy timeout, one writer) and hides which engine a transaction runs on, which the audit
//! chain's lock needs. Why not generic code over `sqlx::Database`: the trait bounds for
//! every bound type make each method unreadable. Instead values are bound through a
//! small [`Value`] enum and rows are read through [`Row`]'s typed getters; the SQL text
//! uses `$1` placeholders, which both engines accept.

use std::borrow::Cow;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Row as _};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::changes::Changes;

/// Which engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The embedded default: one file in the data directory.
    Sqlite,
    /// A PostgreSQL server named by a `postgres://` URL.
    Postgres,
}

/// A value bound to a `$n` placeholder. Nulls keep their type: PostgreSQL checks the
/// declared type of every parameter, even a null one.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A 64-bit integer (ids, counts, instants as milliseconds since the epoch).
    Int(Option<i64>),
    /// A double.
    Real(Option<f64>),
    /// Text (names, codes, dates as `YYYY-MM-DD`, JSON documents).
    Text(Option<String>),
    /// Raw bytes.
    Bytes(Option<Vec<u8>>),
    /// A boolean (`INTEGER` 0/1 on SQLite, `BOOLEAN` on PostgreSQL).
    Bool(Option<bool>),
}

macro_rules! value_from {
    ($variant:ident, $t:ty, $conv:expr) => {
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::$variant(Some($conv(v)))
            }
        }
        impl From<Option<$t>> for Value {
            fn from(v: Option<$t>) -> Self {
                Value::$variant(v.map($conv))
            }
        }
    };
}

value_from!(Int, i64, |v| v);
value_from!(Int, i32, i64::from);
value_from!(Int, u32, i64::from);
value_from!(Real, f64, |v| v);
value_from!(Bool, bool, |v| v);
value_from!(Text, String, |v| v);
value_from!(Text, &String, |v: &String| v.clone());
value_from!(Text, &str, str::to_owned);
value_from!(Bytes, Vec<u8>, |v| v);

/// Builds a `&[Value]` parameter list: `params![id, name]`.
#[macro_export]
macro_rules! params {
    () => { &[] as &[$crate::db::Value] };
    ($($v:expr),+ $(,)?) => { &[$($crate::db::Value::from($v)),+] as &[$crate::db::Value] };
}

macro_rules! bind_all {
    ($q:expr, $params:expr) => {{
        let mut q = $q;
        for p in $params {
            q = match p {
                Value::Int(v) => q.bind(*v),
                Value::Real(v) => q.bind(*v),
                Value::Text(v) => q.bind(v.clone()),
                Value::Bytes(v) => q.bind(v.clone()),
                Value::Bool(v) => q.bind(*v),
            };
        }
        q
    }};
}

macro_rules! bind_owned {
    ($q:expr, $params:expr) => {{
        let mut q = $q;
        for p in $params {
            q = match p {
                Value::Int(v) => q.bind(v),
                Value::Real(v) => q.bind(v),
                Value::Text(v) => q.bind(v),
                Value::Bytes(v) => q.bind(v),
                Value::Bool(v) => q.bind(v),
            };
        }
        q
    }};
}

/// Parameters per multi-row `INSERT` on SQLite (its limit is 32 766). With anonymous
/// placeholders binding is linear, so statements can be large: an EPCIS capture's 4 000
/// identifier rows go in 4 statements instead of 50 (each a round trip to the
/// connection's worker thread; measured with the 240 of before: identifier rows 21 →
/// 15 ms, link rows 13 → 9 ms per 1 000 events).
const SQLITE_ROWS_PARAMETERS: usize = 3_000;

/// A row read back from either engine.
pub enum Row {
    /// From SQLite.
    Sqlite(SqliteRow),
    /// From PostgreSQL.
    Postgres(PgRow),
}

macro_rules! getter {
    ($(#[$doc:meta])* $name:ident, $t:ty) => {
        $(#[$doc])*
        pub fn $name(&self, idx: usize) -> Result<$t, sqlx::Error> {
            match self {
                Row::Sqlite(r) => r.try_get(idx),
                Row::Postgres(r) => r.try_get(idx),
            }
        }
    };
}

impl Row {
    getter!(
        /// An integer column.
        int, i64
    );
    getter!(
        /// A nullable integer column.
        opt_int, Option<i64>
    );
    getter!(
        /// A real column.
        real, f64
    );
    getter!(
        /// A text column.
        text, String
    );
    getter!(
        /// A nullable text column.
        opt_text, Option<String>
    );
    getter!(
        /// A boolean column.
        bool, bool
    );
    getter!(
        /// A bytes column.
        bytes, Vec<u8>
    );
}

/// An open database: a writer and a pool of readers on SQLite, one pool on PostgreSQL,
/// and the clock that tells read caches what changed.
#[derive(Clone)]
pub struct Db {
    pools: Pools,
    changes: Arc<Changes>,
    /// SQLite only: checkpoints the write-ahead log off the writer.
    checkpointer: Option<Arc<Checkpointer>>,
    /// SQLite only: the writer's foreign keys were switched off by
    /// [`Db::begin_bulk`]; the next [`Db::begin`] switches them on again.
    unchecked: Arc<std::sync::atomic::AtomicBool>,
}

/// Copies the SQLite write-ahead log into the database on a connection of its own,
/// woken by each commit. Why: a writer that checkpoints does it inside a commit, so
/// every few captures one waited for thousands of pages to be copied and the database
/// file synced (measured: 50–90 ms added to one capture in five). A passive checkpoint
/// on another connection neither blocks nor waits for the writer, which keeps appending
/// to the log meanwhile; commits still sync the log, so what they acknowledge is as
/// durable as before.
struct Checkpointer {
    /// Set by commits (a permit is kept while a checkpoint runs, so none is missed).
    wake: tokio::sync::Notify,
    /// Set by [`Db::close`]: the task ends.
    closed: std::sync::atomic::AtomicBool,
    /// The task, awaited by [`Db::close`] so its connection is closed before the writer.
    task: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Checkpointer {
    /// Starts the task on its own read-write connection.
    fn start(mut conn: sqlx::SqliteConnection) -> Arc<Checkpointer> {
        use sqlx::Connection as _;
        let checkpointer = Arc::new(Checkpointer {
            wake: tokio::sync::Notify::new(),
            closed: std::sync::atomic::AtomicBool::new(false),
            task: std::sync::Mutex::new(None),
        });
        // A weak handle: when every `Db` clone is gone (tests rarely close), the task
        // notices within a second and closes its connection.
        let weak = Arc::downgrade(&checkpointer);
        let task = tokio::spawn(async move {
            while let Some(this) = weak.upgrade() {
                let woken = tokio::time::timeout(Duration::from_secs(1), this.wake.notified())
                    .await
                    .is_ok();
                if this.closed.load(std::sync::atomic::Ordering::Acquire) {
                    break;
                }
                drop(this);
                if woken
                    && let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                        .execute(&mut conn)
                        .await
                {
                    tracing::warn!(error = %e, "checkpointing the write-ahead log failed");
                }
            }
            let _ = conn.close().await;
        });
        if let Ok(mut slot) = checkpointer.task.lock() {
            *slot = Some(task);
        }
        checkpointer
    }

    /// Tells the task a commit appended to the log.
    fn committed(&self) {
        self.wake.notify_one();
    }

    /// Ends the task and waits for its connection to close.
    async fn stop(&self) {
        self.closed
            .store(true, std::sync::atomic::Ordering::Release);
        self.wake.notify_one();
        let task = self.task.lock().ok().and_then(|mut slot| slot.take());
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

/// The connection pools of either engine.
#[derive(Clone)]
pub enum Pools {
    /// SQLite: one writer connection (writes serialise on it) and up to four readers.
    Sqlite {
        /// The single writer.
        writer: SqlitePool,
        /// Read-only connections.
        readers: SqlitePool,
    },
    /// PostgreSQL.
    Postgres(PgPool),
}

/// A transaction on either engine; dropped without [`Tx::commit`] it rolls back.
pub struct Tx {
    inner: TxInner,
    changes: Arc<Changes>,
    checkpointer: Option<Arc<Checkpointer>>,
    /// Begun by [`Db::begin_bulk`]: multi-row inserts are `INSERT OR FAIL` on SQLite.
    bulk: bool,
    /// The last audit position appended in this transaction.
    audited: Option<i64>,
    /// The enterprises those entries concern.
    touched: Vec<String>,
    /// The kinds of entity they changed.
    kinds: Vec<String>,
}

enum TxInner {
    /// On the SQLite writer.
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    /// On PostgreSQL.
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

fn sql(text: &str) -> AssertSqlSafe<String> {
    // Every statement string is a constant of the store or assembled from constant
    // fragments; user input only ever travels as bound values.
    AssertSqlSafe(text.to_owned())
}

/// Takes our own `synchronous=full|normal` parameter off a SQLite URL (sqlx knows no
/// such parameter). FULL, the default: an acknowledged commit is on disk, so it survives
/// a power cut. NORMAL: the write-ahead log is synced only at checkpoints, so commits
/// survive the process being killed (the OS holds them) but not the machine failing.
fn sqlite_synchronous(url: &str) -> Result<(String, SqliteSynchronous), sqlx::Error> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), SqliteSynchronous::Full));
    };
    let mut synchronous = SqliteSynchronous::Full;
    let mut rest = Vec::new();
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("synchronous", v)) => {
                synchronous = match v.to_ascii_lowercase().as_str() {
                    "full" => SqliteSynchronous::Full,
                    "normal" => SqliteSynchronous::Normal,
                    other => {
                        return Err(sqlx::Error::Configuration(
                            format!("synchronous={other}: use full or normal").into(),
                        ));
                    }
                }
            }
            _ => rest.push(pair),
        }
    }
    let url = if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    Ok((url, synchronous))
}

impl Db {
    /// Opens the database a URL names: `sqlite://PATH` (created if missing) or
    /// `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            return Ok(Db::new(Pools::Postgres(pool)));
        }
        let (url, synchronous) = sqlite_synchronous(url)?;
        let opts = SqliteConnectOptions::from_str(&url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Statement journals in memory: a multi-row insert inside a transaction
            // otherwise writes one to a temporary file (measured: 15 % of EPCIS capture).
            .pragma("temp_store", "memory");
        // A larger page cache for the one writer, so a capture of 1 000 events does not
        // spill pages to the WAL before it commits (the default is 2 MiB; measured:
        // spilling took 13 % of capture).
        // The writer does not checkpoint (the checkpointer does, see [`Checkpointer`])
        // unless the log passes 200 MiB: should the checkpointer fall behind, the writer
        // still keeps the log from growing without end.
        let writer_opts = opts
            .clone()
            .pragma("cache_size", "-65536")
            .pragma("wal_autocheckpoint", "50000");
        // No ping before handing out a connection: an embedded database does not drop
        // connections. (sqlx still pings each one as it is returned.)
        let writer = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(writer_opts)
            .await?;
        let readers = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(4)
            .connect_with(opts.clone().read_only(true).pragma("cache_size", "-16384"))
            .await?;
        let checkpointer = {
            use sqlx::ConnectOptions as _;
            Checkpointer::start(opts.connect().await?)
        };
        let mut db = Db::new(Pools::Sqlite { writer, readers });
        db.checkpointer = Some(checkpointer);
        Ok(db)
    }

    fn new(pools: Pools) -> Db {
        Db {
            pools,
            changes: Arc::new(Changes::new(0)),
            checkpointer: None,
            unchecked: Arc::default(),
        }
    }

    /// The connection pools.
    pub fn pools(&self) -> &Pools {
        &self.pools
    }

    /// The change clock read caches check against.
    pub fn changes(&self) -> &Changes {
        &self.changes
    }

    /// Which engine this is.
    pub fn engine(&self) -> Engine {
        match &self.pools {
            Pools::Sqlite { .. } => Engine::Sqlite,
            Pools::Postgres(_) => Engine::Postgres,
        }
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so it never fails half-way for lack of it.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        let inner = match &self.pools {
            Pools::Sqlite { writer, .. } => {
                let begin = if self.unchecked.swap(false, Ordering::SeqCst) {
                    "PRAGMA foreign_keys = ON; BEGIN IMMEDIATE"
                } else {
                    "BEGIN IMMEDIATE"
                };
                TxInner::Sqlite(writer.begin_with(begin).await?)
            }
            Pools::Postgres(pool) => TxInner::Postgres(pool.begin().await?),
        };
        Ok(self.tx(inner, false))
    }

    /// Starts a write transaction for bulk inserts whose every reference the caller has
    /// just written or read in the same transaction (EPCIS capture). On SQLite its
    /// foreign keys are not checked, and its multi-row inserts are `INSERT OR FAIL`: an
    /// immediate foreign key or an `ABORT` conflict makes SQLite keep a statement
    /// journal, a copy of every page a statement touches so that it alone can be undone
    /// (measured: a fifth of capture's writer time). A failing statement then leaves its
    /// earlier rows, and the transaction's rollback removes them with the rest. On
    /// PostgreSQL it is [`Db::begin`]: foreign keys are checked there, so the shared
    /// tests still catch a reference that does not hold.
    pub async fn begin_bulk(&self) -> Result<Tx, sqlx::Error> {
        let inner = match &self.pools {
            Pools::Sqlite { writer, .. } => {
                // Set first: should BEGIN fail after the pragma ran, the next `begin`
                // still switches foreign keys back on. (The one writer connection makes
                // the flag and the connection's state move together.) Already off, they
                // are left so: setting the pragma expires every prepared statement, and
                // re-preparing capture's long inserts took a tenth of its writer time.
                let begin = if self.unchecked.swap(true, Ordering::SeqCst) {
                    "BEGIN IMMEDIATE"
                } else {
                    "PRAGMA foreign_keys = OFF; BEGIN IMMEDIATE"
                };
                TxInner::Sqlite(writer.begin_with(begin).await?)
            }
            Pools::Postgres(pool) => TxInner::Postgres(pool.begin().await?),
        };
        Ok(self.tx(inner, true))
    }

    fn tx(&self, inner: TxInner, bulk: bool) -> Tx {
        Tx {
            inner,
            changes: self.changes.clone(),
            checkpointer: self.checkpointer.clone(),
            bulk,
            audited: None,
            touched: Vec::new(),
            kinds: Vec::new(),
        }
    }

    /// Runs a statement that may not run inside a transaction (`VACUUM`, …) on the writer.
    pub async fn execute_outside_transaction(
        &self,
        text: &str,
        params: &[Value],
    ) -> Result<u64, sqlx::Error> {
        match &self.pools {
            Pools::Sqlite { writer, .. } => {
                let q = bind_all!(sqlx::query(sql(text)), params);
                Ok(q.execute(writer).await?.rows_affected())
            }
            Pools::Postgres(pool) => {
                let q = bind_all!(sqlx::query(sql(text)), params);
                Ok(q.execute(pool).await?.rows_affected())
            }
        }
    }

    /// Runs a read query outside a transaction.
    pub async fn fetch_all(&self, text: &str, params: &[Value]) -> Result<Vec<Row>, sqlx::Error> {
        match &self.pools {
            Pools::Sqlite { readers, .. } => {
                let q = bind_all!(sqlx::query(sql(text)), params);
                Ok(q.fetch_all(readers)
                    .await?
                    .into_iter()
                    .map(Row::Sqlite)
                    .collect())
            }
            Pools::Postgres(pool) => {
                let q = bind_all!(sqlx::query(sql(text)), params);
                Ok(q.fetch_all(pool)
                    .await?
                    .into_iter()
                    .map(Row::Postgres)
                    .collect())
            }
        }
    }

    /// Runs a read query expected to give at most one row.
    pub async fn fetch_optional(
        &self,
        text: &str,
        params: &[Value],
    ) -> Result<Option<Row>, sqlx::Error> {
        match &self.pools {
            Pools::Sqlite { readers, .. } => {
                let q = bind_all!(sqlx::query(sql(text)), params);
                Ok(q.fetch_optional(readers).await?.map(Row::Sqlite))
            }
            Pools::Postgres(pool) => {
                let q = bind_all!(sqlx::query(sql(text)), params);
                Ok(q.fetch_optional(pool).await?.map(Row::Postgres))
            }
        }
    }

    /// Runs a read query that gives exactly one row.
    pub async fn fetch_one(&self, text: &str, params: &[Value]) -> Result<Row, sqlx::Error> {
        self.fetch_optional(text, params)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }

    /// Closes every connection (checkpointing the SQLite WAL).
    pub async fn close(&self) {
        if let Some(checkpointer) = &self.checkpointer {
            // First, so the writer's connection is the last and removes the log.
            checkpointer.stop().await;
        }
        match &self.pools {
            Pools::Sqlite { writer, readers } => {
                readers.close().await;
                writer.close().await;
            }
            Pools::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    /// Which engine this transaction runs on.
    pub fn engine(&self) -> Engine {
        match &self.inner {
            TxInner::Sqlite(_) => Engine::Sqlite,
            TxInner::Postgres(_) => Engine::Postgres,
        }
    }

    /// Runs a statement; returns the number of rows it changed.
    pub async fn execute(&mut self, text: &str, params: &[Value]) -> Result<u64, sqlx::Error> {
        match &mut self.inner {
            TxInner::Sqlite(tx) => {
                let q = bind_all!(sqlx::query(sql(text)), params);
                Ok(q.execute(&mut **tx).await?.rows_affected())
            }
            TxInner::Postgres(tx) => {
                let q = bind_all!(sqlx::query(sql(text)), params);
                Ok(q.execute(&mut **tx).await?.rows_affected())
            }
        }
    }

    /// Runs a query inside the transaction.
    pub async fn fetch_all(
        &mut self,
        text: &str,
        params: &[Value],
    ) -> Result<Vec<Row>, sqlx::Error> {
        match &mut self.inner {
            TxInner::Sqlite(tx) => {
                let q = bind_all!(sqlx::query(sql(text)), params);
                Ok(q.fetch_all(&mut **tx)
                    .await?
                    .into_iter()
                    .map(Row::Sqlite)
                    .collect())
            }
            TxInner::Postgres(tx) => {
                let q = bind_all!(sqlx::query(sql(text)), params);
                Ok(q.fetch_all(&mut **tx)
                    .await?
                    .into_iter()
                    .map(Row::Postgres)
                    .collect())
            }
        }
    }

    /// Runs a query expected to give at most one row.
    pub async fn fetch_optional(
        &mut self,
        text: &str,
        params: &[Value],
    ) -> Result<Option<Row>, sqlx::Error> {
        match &mut self.inner {
            TxInner::Sqlite(tx) => {
                let q = bind_all!(sqlx::query(sql(text)), params);
                Ok(q.fetch_optional(&mut **tx).await?.map(Row::Sqlite))
            }
            TxInner::Postgres(tx) => {
                let q = bind_all!(sqlx::query(sql(text)), params);
                Ok(q.fetch_optional(&mut **tx).await?.map(Row::Postgres))
            }
        }
    }

    /// Runs a query that gives exactly one row (e.g. `INSERT … RETURNING id`).
    pub async fn fetch_one(&mut self, text: &str, params: &[Value]) -> Result<Row, sqlx::Error> {
        self.fetch_optional(text, params)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }

    /// Inserts many rows with multi-row `VALUES` lists, chunked below both engines'
    /// parameter limits. `head` is `INSERT INTO t (a, b, c)`; every row has `width` values.
    pub async fn insert_rows(
        &mut self,
        head: &str,
        width: usize,
        rows: &[Vec<Value>],
    ) -> Result<(), sqlx::Error> {
        self.upsert_rows(head, width, rows, "").await
    }

    /// Like [`Tx::insert_rows`], with `tail` (e.g. `ON CONFLICT … DO UPDATE …`) after
    /// each statement's values.
    pub async fn upsert_rows(
        &mut self,
        head: &str,
        width: usize,
        rows: &[Vec<Value>],
        tail: &str,
    ) -> Result<(), sqlx::Error> {
        debug_assert!(
            !head.contains('$') && !tail.contains('$'),
            "the row values are the statement's only parameters"
        );
        // SQLite: anonymous `?` placeholders. sqlx-sqlite asks SQLite for each
        // parameter's name, and SQLite finds a named one (`$n`) by scanning the list of
        // names, so binding `$1…$n` costs n²/2 steps (measured: 10 % of EPCIS capture at
        // 240 parameters per statement, 59 % of a bulk import at 2 000). Anonymous
        // parameters have no name and bind in order, so the cost is linear and a
        // statement can carry more rows: fewer statements, each a round trip to the
        // connection's worker thread. PostgreSQL binds by position, and there each
        // statement is a round trip to the server: large chunks (measured: regrading
        // 80 000 enterprises from nothing spent most of its 2–4 s in 4 000 statements of
        // 240 parameters).
        let (budget, anonymous) = match self.inner {
            TxInner::Sqlite(_) => (SQLITE_ROWS_PARAMETERS, true),
            TxInner::Postgres(_) => (6_000, false),
        };
        let head = match head.strip_prefix("INSERT INTO ") {
            Some(rest) if anonymous && self.bulk => {
                Cow::Owned(format!("INSERT OR FAIL INTO {rest}"))
            }
            _ => Cow::Borrowed(head),
        };
        let per_chunk = (budget / width.max(1)).max(1);
        for chunk in rows.chunks(per_chunk) {
            let mut text = String::with_capacity(head.len() + chunk.len() * width * 6);
            text.push_str(&head);
            text.push_str(" VALUES ");
            let mut n = 0;
            for (i, _) in chunk.iter().enumerate() {
                if i > 0 {
                    text.push(',');
                }
                text.push('(');
                for j in 0..width {
                    if j > 0 {
                        text.push(',');
                    }
                    n += 1;
                    if anonymous {
                        text.push('?');
                    } else {
                        text.push('$');
                        text.push_str(&n.to_string());
                    }
                }
                text.push(')');
            }
            text.push_str(tail);
            let params: Vec<Value> = chunk.iter().flat_map(|r| r.iter().cloned()).collect();
            self.execute_owned(&text, params).await?;
        }
        Ok(())
    }

    /// Runs a statement, moving the values into it (no copy of their text).
    async fn execute_owned(&mut self, text: &str, params: Vec<Value>) -> Result<u64, sqlx::Error> {
        match &mut self.inner {
            TxInner::Sqlite(tx) => {
                let q = bind_owned!(sqlx::query(sql(text)), params);
                Ok(q.execute(&mut **tx).await?.rows_affected())
            }
            TxInner::Postgres(tx) => {
                let q = bind_owned!(sqlx::query(sql(text)), params);
                Ok(q.execute(&mut **tx).await?.rows_affected())
            }
        }
    }

    /// Reserves `n` consecutive ids in `table` for rows inserted with explicit ids, and
    /// returns the first. On PostgreSQL it locks the table against other writers until
    /// the transaction ends; call [`Tx::sync_identity`] after inserting.
    pub async fn reserve_ids(&mut self, table: &str) -> Result<i64, sqlx::Error> {
        if let TxInner::Postgres(_) = self.inner {
            self.execute(
                &format!("LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE"),
                &[],
            )
            .await?;
        }
        let row = self
            .fetch_one(
                &format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"),
                &[],
            )
            .await?;
        row.int(0)
    }

    /// Moves PostgreSQL's identity sequence past ids inserted explicitly (no-op on SQLite,
    /// whose rowids follow the largest id by themselves).
    pub async fn sync_identity(&mut self, table: &str) -> Result<(), sqlx::Error> {
        if let TxInner::Postgres(_) = self.inner {
            self.execute(
                &format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"),
                &[],
            )
            .await?;
        }
        Ok(())
    }

    /// Makes the transaction's changes durable.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.inner {
            TxInner::Sqlite(tx) => {
                tx.commit().await?;
                if let Some(checkpointer) = &self.checkpointer {
                    checkpointer.committed();
                }
            }
            TxInner::Postgres(tx) => tx.commit().await?,
        }
        if let Some(seq) = self.audited {
            self.changes.committed(seq, self.touched, self.kinds);
        }
        Ok(())
    }

    /// Notes audit entries appended in this transaction, for the change clock.
    pub(crate) fn audited(
        &mut self,
        seq: i64,
        enterprises: impl IntoIterator<Item = String>,
        kinds: impl IntoIterator<Item = String>,
    ) {
        self.audited = Some(seq);
        self.touched.extend(enterprises);
        self.kinds.extend(kinds);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synchronous_is_taken_off_sqlite_urls() {
        let (url, s) = sqlite_synchronous("sqlite:///d/z.db?mode=rwc&synchronous=NORMAL").unwrap();
        assert_eq!(url, "sqlite:///d/z.db?mode=rwc");
        assert!(matches!(s, SqliteSynchronous::Normal));
        let (url, s) = sqlite_synchronous("sqlite:///d/z.db").unwrap();
        assert_eq!(url, "sqlite:///d/z.db");
        assert!(matches!(s, SqliteSynchronous::Full));
        assert!(sqlite_synchronous("sqlite:///d/z.db?synchronous=off").is_err());
    }
}
