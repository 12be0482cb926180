//! Photos taken with a sample (the scene, the sealed sample, the label): added by the
//! task's inspectors, seen by whoever sees the sample. Contents live in the
//! content-addressed file store beside record attachments.

use serde::Serialize;
use sha2::{Digest, Sha256};
use zhijian_core::access::Role;

use crate::audit::{self, Change};
use crate::db::Row;
use crate::records::{content_path, write_content};
use crate::{Scoped, StoreError, now_ms, params, rfc3339};

/// How many photos one sample may carry.
const MAX_PHOTOS: i64 = 20;

/// A photo of a sample.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Photo {
    /// Its id.
    pub id: i64,
    /// The sample.
    pub sample_id: i64,
    /// SHA-256 of the content.
    pub sha256: String,
    /// The file name as uploaded.
    pub file_name: String,
    /// `image/png`, `image/jpeg` or `image/gif`, from the content.
    pub media_type: String,
    /// Bytes.
    pub size: i64,
    /// The inspector who added it.
    pub taken_by: String,
    /// When.
    #[schema(format = DateTime)]
    pub created_at: String,
}

const SELECT_PHOTO: &str = "SELECT id, sample_id, sha256, file_name, media_type, size, taken_by, created_at FROM sample_photos";

fn read_photo(r: &Row) -> Result<Photo, StoreError> {
    Ok(Photo {
        id: r.int(0)?,
        sample_id: r.int(1)?,
        sha256: r.text(2)?,
        file_name: r.text(3)?,
        media_type: r.text(4)?,
        size: r.int(5)?,
        taken_by: r.text(6)?,
        created_at: rfc3339(r.int(7)?),
    })
}

impl Scoped<'_> {
    /// Adds a checked photo (see `zhijian_core::attachment::check_photo`) to a sample:
    /// one of the task's inspectors, or an admin.
    pub async fn add_sample_photo(
        &self,
        sample_id: i64,
        file_name: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Photo, StoreError> {
        let row = self.sample_row(sample_id).await?;
        let inspectors = row.text(13)?;
        let me = self.principal.username.as_str();
        if self.principal.role != Role::Admin && !inspectors.split(',').any(|i| i == me) {
            return Err(StoreError::Forbidden);
        }
        let uscc = row.text(3)?;
        let mut tx = self.store.db.begin().await?;
        let count = tx
            .fetch_one(
                "SELECT COUNT(*) FROM sample_photos WHERE sample_id = $1",
                params![sample_id],
            )
            .await?
            .int(0)?;
        if count >= MAX_PHOTOS {
            return Err(StoreError::Conflict {
                code: "too_many_photos",
                field: "file",
                message: format!("a sample carries at most {MAX_PHOTOS} photos"),
            });
        }
        let sha = hex::encode(Sha256::digest(bytes));
        write_content(&self.store.files, &sha, bytes).await?;
        let at = now_ms();
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        let id = tx
            .fetch_one(
                "INSERT INTO sample_photos (sample_id, sha256, file_name, media_type, size, taken_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                params![sample_id, sha.as_str(), file_name, media_type, size, me, at],
            )
            .await?
            .int(0)?;
        let photo = Photo {
            id,
            sample_id,
            sha256: sha,
            file_name: file_name.to_owned(),
            media_type: media_type.to_owned(),
            size,
            taken_by: me.to_owned(),
            created_at: rfc3339(at),
        };
        audit::append(
            &mut tx,
            at,
            Change {
                actor: me,
                action: "sampling.photo",
                entity: "sample",
                entity_id: sample_id.to_string(),
                enterprise: Some(uscc),
                before: None,
                after: Some(serde_json::to_value(&photo).unwrap_or_default()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(photo)
    }

    /// A sample's photos, in the order they were added.
    pub async fn sample_photos(&self, sample_id: i64) -> Result<Vec<Photo>, StoreError> {
        self.sample_row(sample_id).await?;
        self.store
            .db
            .fetch_all(
                &format!("{SELECT_PHOTO} WHERE sample_id = $1 ORDER BY id"),
                params![sample_id],
            )
            .await?
            .iter()
            .map(read_photo)
            .collect()
    }

    /// One photo of a sample and its content.
    pub async fn sample_photo(
        &self,
        sample_id: i64,
        photo_id: i64,
    ) -> Result<(Photo, Vec<u8>), StoreError> {
        self.sample_row(sample_id).await?;
        let row = self
            .store
            .db
            .fetch_optional(
                &format!("{SELECT_PHOTO} WHERE sample_id = $1 AND id = $2"),
                params![sample_id, photo_id],
            )
            .await?
            .ok_or(StoreError::NotFound { entity: "photo" })?;
        let photo = read_photo(&row)?;
        let bytes = tokio::fs::read(content_path(&self.store.files, &photo.sha256)).await?;
        Ok((photo, bytes))
    }
}
