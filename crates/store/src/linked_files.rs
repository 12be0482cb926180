//! Files that belong to a complaint (the complainant's photos, added with the tracking
//! number) or to a case (evidence documents, added by its bureaus). Contents live in the
//! content-addressed file store beside record attachments; who may add and read is
//! decided by the owner's module before these functions run.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::{Row, Tx};
use crate::records::{content_path, write_content};
use crate::{Store, StoreError, params, rfc3339};

/// What a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// A complaint, by id.
    Complaint(i64),
    /// A case, by id.
    Case(i64),
}

impl Owner {
    fn parts(self) -> (&'static str, i64, i64) {
        // The last part: how many files the owner may carry.
        match self {
            Owner::Complaint(id) => ("complaint", id, 5),
            Owner::Case(id) => ("case", id, 50),
        }
    }
}

/// A file of a complaint or a case.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct LinkedFile {
    /// Its id.
    pub id: i64,
    /// SHA-256 of the content.
    pub sha256: String,
    /// The file name as uploaded.
    pub file_name: String,
    /// Its media type, from the content.
    pub media_type: String,
    /// Bytes.
    pub size: i64,
    /// Who added it (`complainant` for a complaint's photos).
    pub added_by: String,
    /// When.
    #[schema(format = DateTime)]
    pub created_at: String,
}

const SELECT: &str =
    "SELECT id, sha256, file_name, media_type, size, added_by, created_at FROM linked_files";

fn read(r: &Row) -> Result<LinkedFile, StoreError> {
    Ok(LinkedFile {
        id: r.int(0)?,
        sha256: r.text(1)?,
        file_name: r.text(2)?,
        media_type: r.text(3)?,
        size: r.int(4)?,
        added_by: r.text(5)?,
        created_at: rfc3339(r.int(6)?),
    })
}

/// A checked file about to be linked: its content is already in the file store.
pub(crate) struct Upload {
    sha: String,
    file_name: String,
    media_type: String,
    size: i64,
}

/// Puts the content in the file store (content-addressed, so a retry or a copy costs
/// nothing) before the row that links it commits.
pub(crate) async fn store_content(
    store: &Store,
    file_name: &str,
    media_type: &str,
    bytes: &[u8],
) -> Result<Upload, StoreError> {
    let sha = hex::encode(Sha256::digest(bytes));
    write_content(&store.files, &sha, bytes).await?;
    Ok(Upload {
        sha,
        file_name: file_name.to_owned(),
        media_type: media_type.to_owned(),
        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
    })
}

/// Links a stored upload to its owner in `tx`, refusing more than the owner may carry.
pub(crate) async fn link(
    tx: &mut Tx,
    owner: Owner,
    up: &Upload,
    added_by: &str,
    at: i64,
) -> Result<LinkedFile, StoreError> {
    let (kind, id, most) = owner.parts();
    let count = tx
        .fetch_one(
            "SELECT COUNT(*) FROM linked_files WHERE owner_kind = $1 AND owner_id = $2",
            params![kind, id],
        )
        .await?
        .int(0)?;
    if count >= most {
        return Err(StoreError::Conflict {
            code: "too_many_files",
            field: "file",
            message: format!("a {kind} carries at most {most} files"),
        });
    }
    let file_id = tx
        .fetch_one(
            "INSERT INTO linked_files (owner_kind, owner_id, sha256, file_name, media_type, size, added_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            params![kind, id, up.sha.as_str(), up.file_name.as_str(), up.media_type.as_str(), up.size, added_by, at],
        )
        .await?
        .int(0)?;
    Ok(LinkedFile {
        id: file_id,
        sha256: up.sha.clone(),
        file_name: up.file_name.clone(),
        media_type: up.media_type.clone(),
        size: up.size,
        added_by: added_by.to_owned(),
        created_at: rfc3339(at),
    })
}

impl Store {
    /// The owner's files, in the order they were added.
    pub(crate) async fn linked_files(&self, owner: Owner) -> Result<Vec<LinkedFile>, StoreError> {
        let (kind, id, _) = owner.parts();
        self.db
            .fetch_all(
                &format!("{SELECT} WHERE owner_kind = $1 AND owner_id = $2 ORDER BY id"),
                params![kind, id],
            )
            .await?
            .iter()
            .map(read)
            .collect()
    }

    /// One of the owner's files and its content.
    pub(crate) async fn linked_file(
        &self,
        owner: Owner,
        file_id: i64,
    ) -> Result<(LinkedFile, Vec<u8>), StoreError> {
        let (kind, id, _) = owner.parts();
        let row = self
            .db
            .fetch_optional(
                &format!("{SELECT} WHERE owner_kind = $1 AND owner_id = $2 AND id = $3"),
                params![kind, id, file_id],
            )
            .await?
            .ok_or(StoreError::NotFound { entity: "file" })?;
        let file = read(&row)?;
        let bytes = tokio::fs::read(content_path(&self.files, &file.sha256)).await?;
        Ok((file, bytes))
    }
}
