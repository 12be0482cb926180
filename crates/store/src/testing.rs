//! Fresh stores for behavioural tests: a temporary SQLite file always, and a fresh
//! PostgreSQL database too when `ZHIJIAN_TEST_DATABASE_URL` names a server.
//!
//! When that variable is set and the server cannot be reached, the test fails: a suite
//! asked to run on PostgreSQL never skips silently.

use std::path::PathBuf;

use rand::RngCore;
use sqlx::Connection;

use crate::Store;

/// A store for one test, with the folder that holds its files.
pub struct TestStore {
    /// `sqlite` or `postgres`.
    pub label: &'static str,
    /// The store.
    pub store: Store,
    /// The URL it was opened with (to reopen it, e.g. after a simulated crash).
    pub url: String,
    /// Its data folder (SQLite file, attachments); removed when dropped.
    pub dir: tempfile::TempDir,
}

impl TestStore {
    /// The attachments folder.
    pub fn files(&self) -> PathBuf {
        self.dir.path().join("files")
    }
}

/// The PostgreSQL server URL to test against, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("ZHIJIAN_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Creates an empty PostgreSQL database on the test server and returns its URL.
pub async fn fresh_postgres_database(server_url: &str) -> String {
    let mut conn = sqlx::PgConnection::connect(server_url)
        .await
        .unwrap_or_else(|e| panic!("ZHIJIAN_TEST_DATABASE_URL is set but PostgreSQL is unreachable at {server_url}: {e}"));
    let mut bytes = [0u8; 6];
    rand::rng().fill_bytes(&mut bytes);
    let name = format!("zjt_{}", hex::encode(bytes));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let _ = conn.close().await;
    // Keep scheme and authority, replace the database name.
    let authority_start = server_url.find("://").map_or(0, |i| i + 3);
    let base = match server_url[authority_start..].find(['/', '?']) {
        Some(i) => &server_url[..authority_start + i],
        None => server_url,
    };
    format!("{base}/{name}")
}

/// One fresh, migrated store per configured backend.
pub async fn fresh_stores() -> Vec<TestStore> {
    let mut out = vec![];
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("zhijian.db").display());
    let store = Store::open(&url, dir.path().join("files"))
        .await
        .expect("open sqlite store");
    out.push(TestStore {
        label: "sqlite",
        store,
        url,
        dir,
    });
    if let Some(server) = postgres_url() {
        let url = fresh_postgres_database(&server).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&url, dir.path().join("files"))
            .await
            .expect("open postgres store");
        out.push(TestStore {
            label: "postgres",
            store,
            url,
            dir,
        });
    }
    out
}
