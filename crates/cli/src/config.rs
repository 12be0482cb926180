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
    "node_code",
    "code_key",
    "verify_rate_limit",
    "join_rate_limit",
    "code_limit_per_application",
    "code_limit_per_day",
    "code_auto_approve_up_to",
    "repeat_threshold",
    "region_threshold",
    "objection_days",
    "food_objection_working_days",
    "notify_command",
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
// figment's Jail fixes the closure's error type; its size is not ours to choose.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn layers_apply_in_order_file_then_env_then_flags() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "zhijian.toml",
                "listen = \"127.0.0.1:9000\"\nsession_hours = 4\ndata = \"from-file\"",
            )?;
            let flags = NodeFlags::default();
            let c = load(&flags, None).map_err(|e| e.to_string())?;
            assert_eq!((c.listen.as_str(), c.session_hours), ("127.0.0.1:9000", 4));
            jail.set_env("ZHIJIAN_LISTEN", "127.0.0.1:9001");
            jail.set_env("ZHIJIAN_FIXTURES", "/not/a/setting");
            let c = load(&flags, None).map_err(|e| e.to_string())?;
            assert_eq!(c.listen, "127.0.0.1:9001");
            assert_eq!(c.data, PathBuf::from("from-file"));
            let flags = NodeFlags {
                data: Some("from-flag".into()),
                ..NodeFlags::default()
            };
            let c = load(&flags, Some("127.0.0.1:9002")).map_err(|e| e.to_string())?;
            assert_eq!(
                (c.listen.as_str(), c.data.as_path()),
                ("127.0.0.1:9002", Path::new("from-flag"))
            );
            assert_eq!(
                c.session_hours, 4,
                "untouched settings keep the file's value"
            );
            Ok(())
        });
    }

    #[test]
    fn a_typo_in_the_file_is_an_error_naming_it() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("zhijian.toml", "lisen = \"127.0.0.1:9000\"")?;
            let err = load(&NodeFlags::default(), None).unwrap_err();
            assert!(format!("{err:#}").contains("lisen"), "{err:#}");
            Ok(())
        });
    }

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
