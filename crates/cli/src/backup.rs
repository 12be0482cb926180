//! `zhijian backup`: one tar file holding a consistent database snapshot and the data
//! folder's attachments and keys.

use std::path::Path;

use anyhow::Context;
use zhijian_server::config::Config;
use zhijian_store::{Engine, Store};

/// Writes the backup to `out` (via a temporary file renamed into place).
pub async fn write(store: &Store, config: &Config, out: &Path) -> anyhow::Result<()> {
    let staging = tempfile_in(out)?;
    let snapshot = staging.path().join("snapshot");
    match store.engine() {
        Engine::Sqlite => store
            .snapshot_sqlite(&snapshot)
            .await
            .context("snapshotting the SQLite database")?,
        Engine::Postgres => {
            let status = std::process::Command::new("pg_dump")
                .arg("--format=custom")
                .arg("--file")
                .arg(&snapshot)
                .arg(config.database_url())
                .status()
                .context("running pg_dump (install the PostgreSQL client tools)")?;
            anyhow::ensure!(status.success(), "pg_dump failed ({status})");
        }
    }
    let name = match store.engine() {
        Engine::Sqlite => "zhijian.db",
        Engine::Postgres => "zhijian.pgdump",
    };
    let tmp = out.with_extension("partial");
    {
        let file =
            std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        let mut tar = tar::Builder::new(file);
        tar.append_path_with_name(&snapshot, name)?;
        for dir in ["files", "keys"] {
            let path = config.data.join(dir);
            if path.is_dir() {
                tar.append_dir_all(dir, &path)
                    .with_context(|| format!("adding {}", path.display()))?;
            }
        }
        tar.into_inner()?.sync_all()?;
    }
    std::fs::rename(&tmp, out).with_context(|| format!("writing {}", out.display()))?;
    Ok(())
}

/// A scratch folder beside the output, so the snapshot never crosses file systems.
fn tempfile_in(out: &Path) -> anyhow::Result<tempfile::TempDir> {
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    tempfile::Builder::new()
        .prefix(".zhijian-backup")
        .tempdir_in(dir)
        .context("creating a scratch folder")
}
