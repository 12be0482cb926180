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
    /// The two-digit node code codes start with: the province part of the region code
    /// (`13` Hebei), `00` for the national node. Recorded in the database on first
    /// start (default `00`); a different value later is refused.
    pub node_code: Option<String>,
    /// The code key as 32 hex digits; when absent it is read from (or created in)
    /// `keys/code.key` in the data folder.
    pub code_key: Option<Secret>,
    /// Public verifications per second per client; 0 = unlimited.
    pub verify_rate_limit: u32,
    /// Applications to join per minute per client; 0 = unlimited.
    pub join_rate_limit: u32,
    /// Most codes one application may ask for.
    pub code_limit_per_application: i64,
    /// Most codes one enterprise may apply for in a day.
    pub code_limit_per_day: i64,
    /// Applications of at most this many codes from an enterprise in good standing
    /// (operating, no licence suspended or revoked, no final sampling failure in the
    /// year) are approved at once; 0 = every application waits for the bureau.
    pub code_auto_approve_up_to: i64,
    /// A code queried more often than this raises a counterfeit signal.
    pub repeat_threshold: i64,
    /// A code queried from this many regions raises a counterfeit signal.
    pub region_threshold: u32,
    /// Calendar days an enterprise has to object to a failed sampling result.
    pub objection_days: u32,
    /// Working days it has for food (catalogue categories `F…`).
    pub food_objection_working_days: u32,
    /// Working days a bureau has to handle an accepted complaint.
    pub complaint_handling_working_days: u32,
    /// Public holidays (`YYYY-MM-DD`), not counted as working days.
    pub holidays: Vec<jiff::civil::Date>,
    /// Weekend days worked in exchange for holidays (调休), counted as working days.
    pub workdays: Vec<jiff::civil::Date>,
    /// The program that sends SMS and e-mail: run once per message with the message as
    /// JSON on its standard input; exit status 0 means sent. Unset: messages are only
    /// logged (and kept in the outbox either way).
    pub notify_command: Option<PathBuf>,
    /// The credit grades an enterprise's public profile shows; others are not shown
    /// (e.g. `["AA", "A"]` publishes only the good ones, a 红名单).
    pub public_grades: Vec<zhijian_core::grading::Grade>,
}

/// A secret setting (the code key): shown as `[redacted]` in debug output and logs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Secret {
        Secret(s.to_owned())
    }
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
            node_code: None,
            code_key: None,
            verify_rate_limit: 10,
            join_rate_limit: 5,
            code_limit_per_application: 10_000_000,
            code_limit_per_day: 100_000_000,
            code_auto_approve_up_to: 0,
            repeat_threshold: 5,
            region_threshold: 2,
            objection_days: 15,
            food_objection_working_days: 7,
            complaint_handling_working_days: zhijian_core::complaint::HANDLE_WORKING_DAYS,
            holidays: Vec::new(),
            workdays: Vec::new(),
            notify_command: None,
            public_grades: zhijian_core::grading::Grade::ALL.to_vec(),
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

    /// The node code to use: the configured one, else the national `00`.
    pub fn node_code(&self) -> &str {
        self.node_code.as_deref().unwrap_or("00")
    }

    /// Where the code key lives when not given in the settings.
    pub fn code_key_file(&self) -> PathBuf {
        self.data.join("keys").join("code.key")
    }

    /// The working-day calendar deadlines are counted in.
    pub fn calendar(&self) -> zhijian_core::calendar::Calendar {
        zhijian_core::calendar::Calendar::new(
            self.holidays.iter().copied(),
            self.workdays.iter().copied(),
        )
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

# The two-digit node code every supervision code starts with: the province part of the
# region code (13 = Hebei), 00 for the national node. Recorded in the database on first
# start (00 unless given); giving a different one later is refused.
# node_code = "13"

# The code key (32 hex digits). Leave unset to keep it in keys/code.key in the data
# folder (created on first start, mode 0600, included in backups). Never share it.
# code_key = "…"

# Public verifications per second per client (0 = unlimited).
verify_rate_limit = 10

# Applications to join the network per minute per client (0 = unlimited).
join_rate_limit = 5

# Most codes in one application, and per enterprise per day.
code_limit_per_application = 10000000
code_limit_per_day = 100000000

# Applications of at most this many codes from an enterprise in good standing (operating,
# no licence suspended or revoked, no final sampling failure in the last year) are
# approved at once; 0 = every application waits for the bureau.
code_auto_approve_up_to = 0

# Counterfeit signals: a code queried more often than this, or from this many regions.
repeat_threshold = 5
region_threshold = 2

# Objections to a failed sampling result: calendar days, and working days for food.
objection_days = 15
food_objection_working_days = 7

# Complaints: accepted or rejected within 7 working days (fixed by the rules), then
# handled within this many working days.
complaint_handling_working_days = 45

# The working-day calendar: public holidays, and weekend days worked in exchange (调休),
# as published each year, e.g. holidays = ["2026-10-01", "2026-10-02"].
holidays = []
workdays = []

# The program that sends SMS and e-mail (to applicants joining the network, …): run once
# per message with {"channel": "sms"|"email", "recipient", "subject", "body"} on its
# standard input; exit status 0 means sent. Unset: messages are logged and kept.
# notify_command = "/usr/local/bin/zhijian-notify"

# The credit grades the public portal shows on an enterprise's profile; an enterprise
# with another grade shows none. ["AA", "A"] publishes only the good ones.
public_grades = ["AA", "A", "B", "C", "D"]
"#;
