//! The node's code key: given in the settings, or kept in `keys/code.key` in the data
//! folder (created on first start with mode 0600; backups include the folder).

use std::io::Write;
use std::path::Path;

use zhijian_core::code::{CodeKey, CodeSpace, NodeCode};

use crate::config::Config;

/// Why the node's code space could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The node code in the settings is not two digits naming a node.
    #[error("node_code: {0}")]
    NodeCode(#[from] zhijian_core::code::NodeCodeError),
    /// The key in the settings or the file is not 32 hex digits.
    #[error("code key: {0}")]
    Key(#[from] zhijian_core::code::KeyError),
    /// The key file could not be read or created.
    #[error("code key file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
}

/// The node's code space from the settings: the configured key, or the key file
/// (created when missing).
pub fn code_space(config: &Config) -> Result<CodeSpace, KeyFileError> {
    let node = NodeCode::parse(config.node_code())?;
    let key = match config
        .code_key
        .as_ref()
        .map(|k| k.0.as_str())
        .filter(|k| !k.trim().is_empty())
    {
        Some(hex) => CodeKey::from_hex(hex.trim())?,
        None => key_file(&config.code_key_file())?,
    };
    Ok(CodeSpace::new(node, &key))
}

fn key_file(path: &Path) -> Result<CodeKey, KeyFileError> {
    let io = |source| KeyFileError::Io {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => return Ok(CodeKey::from_hex(text.trim())?),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
        Err(_) => {}
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    let hex = hex::encode(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut f) => {
            f.write_all(hex.as_bytes()).map_err(io)?;
            f.sync_all().map_err(io)?;
            Ok(CodeKey::from_bytes(bytes))
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(path).map_err(io)?;
            Ok(CodeKey::from_hex(text.trim())?)
        }
        Err(e) => Err(io(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_is_created_once_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            data: dir.path().to_owned(),
            node_code: Some("13".into()),
            ..Config::default()
        };
        let a = code_space(&config).unwrap().encode(7).unwrap();
        let b = code_space(&config).unwrap().encode(7).unwrap();
        assert_eq!(a, b, "the same key is read back");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(config.code_key_file())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let other = Config {
            code_key: Some("000102030405060708090a0b0c0d0e0f".into()),
            ..config.clone()
        };
        assert_ne!(code_space(&other).unwrap().encode(7).unwrap(), a);
        let bad = Config {
            code_key: Some("xyz".into()),
            ..config
        };
        assert!(code_space(&bad).is_err());
        assert!(
            !format!("{:?}", other.code_key).contains("0001"),
            "the key is never shown"
        );
    }
}
