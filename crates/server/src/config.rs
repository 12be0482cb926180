//! The node's settings. The binary layers them: defaults → `zhijian.toml` → `ZHIJIAN_*`
//! environment variables → command-line flags.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Everything a node can be told.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Folder for the SQLite database, attachments and keys.
    pub data: PathBuf,
    /// `postgres://…` to run on PostgreSQL; empty for the embedded SQLite file.
    pub database: Option<String>,
    /// Address to listen on.
    pub listen: String,
    /// The address people reach the node at (sets the `Secure` cookie flag when https).
    pub public_url: Option<String>,
    /// How long a console login lasts, in hours.
    pub session_hours: u32,
    /// The largest attachment accepted, in bytes.
    pub max_attachment_bytes: usize,
    /// The largest JSON request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// `text` or `json` log lines.
    pub log_format: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data: PathBuf::from("zhijian-data"),
            database: None,
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            session_hours: 12,
            max_attachment_bytes: 10 * 1024 * 1024,
            max_body_bytes: 1024 * 1024,
            log_format: "text".into(),
        }
    }
}

impl Config {
    /// The database URL: the configured one, or the SQLite file in the data folder.
    pub fn database_url(&self) -> String {
        match self.database.as_deref().filter(|d| !d.is_empty()) {
            Some(url) => url.to_owned(),
            None => format!("sqlite://{}", self.data.join("zhijian.db").display()),
        }
    }

    /// Where attachment files live.
    pub fn files_dir(&self) -> PathBuf {
        self.data.join("files")
    }

    /// Whether cookies must carry the `Secure` flag.
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}

/// A commented example configuration file (what `zhijian config example` prints).
pub const EXAMPLE: &str = r#"# zhijian.toml — every setting is optional; shown with its default.
# Each can also be set as an environment variable: ZHIJIAN_<NAME> (e.g. ZHIJIAN_LISTEN).

# Folder for the embedded SQLite database, attachments and keys.
data = "zhijian-data"

# Run on PostgreSQL instead of the embedded SQLite file:
# database = "postgres://zhijian@127.0.0.1:5432/zhijian"

# Address to listen on.
listen = "127.0.0.1:8080"

# The address people reach the node at; https:// makes cookies Secure.
# public_url = "https://zhijian.example.gov.cn"

# How long a console login lasts, in hours.
session_hours = 12

# The largest attachment accepted, in bytes (10 MiB).
max_attachment_bytes = 10485760

# The largest JSON request body accepted, in bytes (1 MiB).
max_body_bytes = 1048576

# Log lines as "text" or "json".
log_format = "text"
"#;
