//! Supervision records (visits, inspections, findings) and their attached files.
//!
//! Files are stored by content: `files/ab/abcdef…` named by their SHA-256, written and
//! synced before the database row that points at them commits. A file whose row never
//! commits is harmless and is reused if the same content is attached again.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};
use zhijian_core::access::Action;
use zhijian_core::region::RegionCode;

use crate::audit::{self, Change};
use crate::db::Db;
use crate::{Scoped, StoreError, Where, now_ms, params, rfc3339};

/// A kind of supervision record.
pub const RECORD_KINDS: &[(&str, &str, &str)] = &[
    ("visit", "日常巡查", "Routine visit"),
    ("inspection", "监督检查", "Inspection"),
    ("finding", "问题发现", "Finding"),
    ("interview", "约谈", "Interview"),
    ("other", "其他", "Other"),
];

/// A supervision record in an archive.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct SupervisionRecord {
    /// Its id.
    pub id: i64,
    /// One of [`RECORD_KINDS`].
    pub kind: String,
    /// The day it happened.
    #[schema(format = Date)]
    pub occurred_on: String,
    /// What was done.
    pub summary: String,
    /// What was found.
    pub findings: Option<String>,
    /// Who wrote it.
    pub author: String,
    /// When it was entered.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Attached files.
    pub attachments: Vec<Attachment>,
}

/// A record to enter.
#[derive(Debug, Clone)]
pub struct NewRecord {
    /// One of [`RECORD_KINDS`].
    pub kind: String,
    /// The day it happened (`YYYY-MM-DD`).
    pub occurred_on: jiff::civil::Date,
    /// What was done.
    pub summary: String,
    /// What was found.
    pub findings: Option<String>,
}

/// An attached file's description.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Attachment {
    /// Its id.
    pub id: i64,
    /// The record it belongs to.
    pub record_id: i64,
    /// SHA-256 of its content (hex).
    pub sha256: String,
    /// The name it was uploaded with.
    pub file_name: String,
    /// Its media type, from its content.
    pub media_type: String,
    /// Its size in bytes.
    pub size: i64,
}

pub(crate) fn content_path(root: &Path, sha: &str) -> PathBuf {
    root.join(&sha[..2]).join(sha)
}

pub(crate) async fn for_enterprise(
    db: &Db,
    enterprise_id: i64,
) -> Result<Vec<SupervisionRecord>, StoreError> {
    let rows = db
        .fetch_all(
            "SELECT id, kind, occurred_on, summary, findings, author, created_at FROM supervision_records WHERE enterprise_id = $1 ORDER BY occurred_on DESC, id DESC LIMIT 200",
            params![enterprise_id],
        )
        .await?;
    let files = db
        .fetch_all(
            "SELECT a.id, a.record_id, a.sha256, a.file_name, a.media_type, a.size FROM attachments a JOIN supervision_records r ON r.id = a.record_id WHERE r.enterprise_id = $1 ORDER BY a.id",
            params![enterprise_id],
        )
        .await?
        .iter()
        .map(read_attachment)
        .collect::<Result<Vec<_>, _>>()?;
    rows.iter()
        .map(|r| {
            let id = r.int(0)?;
            Ok(SupervisionRecord {
                id,
                kind: r.text(1)?,
                occurred_on: r.text(2)?,
                summary: r.text(3)?,
                findings: r.opt_text(4)?,
                author: r.text(5)?,
                created_at: rfc3339(r.int(6)?),
                attachments: files
                    .iter()
                    .filter(|a| a.record_id == id)
                    .cloned()
                    .collect(),
            })
        })
        .collect()
}

fn read_attachment(r: &crate::db::Row) -> Result<Attachment, StoreError> {
    Ok(Attachment {
        id: r.int(0)?,
        record_id: r.int(1)?,
        sha256: r.text(2)?,
        file_name: r.text(3)?,
        media_type: r.text(4)?,
        size: r.int(5)?,
    })
}

impl Scoped<'_> {
    /// Enters a supervision record for an enterprise (officers of its region, admins).
    pub async fn add_record(
        &self,
        uscc: &str,
        new: &NewRecord,
    ) -> Result<SupervisionRecord, StoreError> {
        if !RECORD_KINDS.iter().any(|(k, _, _)| *k == new.kind) {
            return Err(StoreError::Invalid {
                code: "record_kind",
                field: "kind",
                message: format!("unknown record kind {}", new.kind),
            });
        }
        let mut tx = self.store.db.begin().await?;
        let e = self.visible_enterprise(&mut tx, uscc).await?;
        let region = RegionCode::parse(&e.region).map_err(|_| StoreError::NotFound {
            entity: "enterprise",
        })?;
        if !self.principal.may(Action::AddRecord, e.id, region) {
            return Err(StoreError::Forbidden);
        }
        let at = now_ms();
        let author = self.principal.username.as_str();
        let occurred_on = new.occurred_on.to_string();
        let id = tx
            .fetch_one(
                "INSERT INTO supervision_records (enterprise_id, kind, occurred_on, summary, findings, author, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                params![e.id, new.kind.as_str(), occurred_on.as_str(), new.summary.as_str(), new.findings.clone(), author, at],
            )
            .await?
            .int(0)?;
        let record = SupervisionRecord {
            id,
            kind: new.kind.clone(),
            occurred_on,
            summary: new.summary.clone(),
            findings: new.findings.clone(),
            author: author.to_owned(),
            created_at: rfc3339(at),
            attachments: vec![],
        };
        audit::append(
            &mut tx,
            at,
            Change {
                actor: author,
                action: "record.create",
                entity: "supervision_record",
                entity_id: id.to_string(),
                enterprise: Some(uscc.to_owned()),
                before: None,
                after: Some(serde_json::to_value(&record).unwrap_or_default()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Attaches a checked file (see `zhijian_core::attachment::check`) to a record.
    pub async fn attach(
        &self,
        record_id: i64,
        file_name: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Attachment, StoreError> {
        let mut tx = self.store.db.begin().await?;
        let mut w = Where::default();
        let p = w.arg(record_id);
        w.cond(format!("r.id = {p}"));
        w.scope(self.scope(Action::Read), "o.id", "o.region");
        let row = tx
            .fetch_optional(
                &format!("SELECT o.id, o.region, o.uscc FROM supervision_records r JOIN organisations o ON o.id = r.enterprise_id WHERE {}", w.sql()),
                &w.values,
            )
            .await?
            .ok_or(StoreError::NotFound { entity: "supervision record" })?;
        let (org_id, region, uscc) = (row.int(0)?, row.text(1)?, row.text(2)?);
        let region = RegionCode::parse(&region).map_err(|_| StoreError::NotFound {
            entity: "supervision record",
        })?;
        if !self.principal.may(Action::AddRecord, org_id, region) {
            return Err(StoreError::Forbidden);
        }
        let sha = hex::encode(Sha256::digest(bytes));
        write_content(&self.store.files, &sha, bytes).await?;
        let at = now_ms();
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        let id = tx
            .fetch_one(
                "INSERT INTO attachments (record_id, sha256, file_name, media_type, size, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                params![record_id, sha.as_str(), file_name, media_type, size, at],
            )
            .await?
            .int(0)?;
        let attachment = Attachment {
            id,
            record_id,
            sha256: sha,
            file_name: file_name.to_owned(),
            media_type: media_type.to_owned(),
            size,
        };
        audit::append(
            &mut tx,
            at,
            Change {
                actor: &self.principal.username,
                action: "attachment.create",
                entity: "attachment",
                entity_id: id.to_string(),
                enterprise: Some(uscc),
                before: None,
                after: Some(serde_json::to_value(&attachment).unwrap_or_default()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(attachment)
    }

    /// An attachment's description and content, if the caller may see its enterprise.
    pub async fn attachment(&self, id: i64) -> Result<Option<(Attachment, Vec<u8>)>, StoreError> {
        let mut w = Where::default();
        let p = w.arg(id);
        w.cond(format!("a.id = {p}"));
        w.scope(self.scope(Action::Read), "o.id", "o.region");
        let Some(row) = self
            .store
            .db
            .fetch_optional(
                &format!("SELECT a.id, a.record_id, a.sha256, a.file_name, a.media_type, a.size FROM attachments a JOIN supervision_records r ON r.id = a.record_id JOIN organisations o ON o.id = r.enterprise_id WHERE {}", w.sql()),
                &w.values,
            )
            .await?
        else {
            return Ok(None);
        };
        let a = read_attachment(&row)?;
        let bytes = tokio::fs::read(content_path(&self.store.files, &a.sha256)).await?;
        Ok(Some((a, bytes)))
    }
}

pub(crate) async fn write_content(root: &Path, sha: &str, bytes: &[u8]) -> Result<(), StoreError> {
    let path = content_path(root, sha);
    if tokio::fs::try_exists(&path).await? {
        return Ok(());
    }
    let dir = path.parent().unwrap_or(root).to_owned();
    tokio::fs::create_dir_all(&dir).await?;
    let tmp = dir.join(format!(".{sha}.{}", std::process::id()));
    let bytes = bytes.to_vec();
    let target = path.clone();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &target)?;
        std::fs::File::open(target.parent().unwrap_or(Path::new(".")))?.sync_all()
    })
    .await
    .map_err(std::io::Error::other)??;
    Ok(())
}
