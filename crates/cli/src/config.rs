//! Loading settings: defaults → `zhijian.toml` → `ZHIJIAN_*` environment → flags.

use std::path::{Path, PathBuf};

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use zhijian_server::config::Config;

/// Flags that override the layered settings.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct NodeFlags {
    /// Data folder (SQLite database, attachments, keys). Default: ./zhijian-data
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Database URL: postgres://… to use PostgreSQL; default: the SQLite file in the data folder.
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// Settings file. Default: ./zhijian.toml when it exists.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// The environment variables that map to settings (others, like ZHIJIAN_FIXTURES, are not settings).
const ENV_KEYS: &[&str] = &[
    "data",
    "database",
    "listen",
    "public_url",
    "session_hours",
    "max_attachment_bytes",
    "max_body_bytes",
    "log_format",
];

/// Resolves the settings for a command.
pub fn load(flags: &NodeFlags, listen: Option<&str>) -> anyhow::Result<Config> {
    let mut fig = Figment::from(Serialized::defaults(Config::default()));
    let file = flags
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from("zhijian.toml"));
    if flags.config.is_some() && !file.exists() {
        anyhow::bail!("settings file {} does not exist", file.display());
    }
    if file.exists() {
        fig = fig.merge(Toml::file(&file));
    }
    fig = fig.merge(Env::prefixed("ZHIJIAN_").only(ENV_KEYS));
    if let Some(d) = &flags.data {
        fig = fig.merge(Serialized::default("data", d));
    }
    if let Some(d) = &flags.database {
        fig = fig.merge(Serialized::default("database", d));
    }
    if let Some(l) = listen {
        fig = fig.merge(Serialized::default("listen", l));
    }
    let config: Config = fig.extract().with_context(|| {
        format!(
            "reading settings (file {}, ZHIJIAN_* variables, flags)",
            display(&file)
        )
    })?;
    Ok(config)
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

/// Opens (and migrates) the store a configuration names, creating the data folder.
pub async fn open_store(config: &Config) -> anyhow::Result<zhijian_store::Store> {
    std::fs::create_dir_all(&config.data)
        .with_context(|| format!("creating the data folder {}", config.data.display()))?;
    let url = config.database_url();
    zhijian_store::Store::open(&url, config.files_dir())
        .await
        .with_context(|| format!("opening the database {}", redact(&url)))
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let cred = &url[s + 3..at];
            match cred.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://zj:secret@db:5432/zj"),
            "postgres://zj:***@db:5432/zj"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(
            redact("sqlite://zhijian-data/zhijian.db"),
            "sqlite://zhijian-data/zhijian.db"
        );
    }
}
