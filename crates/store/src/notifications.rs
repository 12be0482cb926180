//! The outbox of messages to people outside the console (SMS, e-mail). A message is
//! queued in the transaction of the change it tells of, so it exists exactly when the
//! change does; the server delivers queued messages afterwards through the configured
//! hook and records what became of each.

use serde::Serialize;

use crate::db::Tx;
use crate::{Store, StoreError, now_ms, params, rfc3339};

/// A message to queue: the same text by SMS and, when there is an address, e-mail.
#[derive(Debug, Clone)]
pub struct Message {
    /// Mobile or landline number.
    pub phone: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Subject line (e-mail).
    pub subject: String,
    /// The text.
    pub body: String,
}

impl Message {
    /// A message to a telephone and, optionally, an e-mail address.
    pub fn to(phone: &str, email: Option<&str>, subject: &str, body: &str) -> Message {
        Message {
            phone: phone.to_owned(),
            email: email.map(str::to_owned),
            subject: subject.to_owned(),
            body: body.to_owned(),
        }
    }
}

/// A queued message on one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Notification {
    /// Its id.
    pub id: i64,
    /// `sms` or `email`.
    pub channel: String,
    /// The number or address.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// The text.
    pub body: String,
    /// When it was queued.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When the hook took it (or it was logged).
    #[schema(format = DateTime)]
    pub sent_at: Option<String>,
    /// What became of it: `sent`, `logged`, or the hook's error.
    pub outcome: Option<String>,
}

/// Queues a message inside the caller's transaction.
pub(crate) async fn queue(tx: &mut Tx, m: &Message, at: i64) -> Result<(), StoreError> {
    let mut channels = Vec::new();
    if !m.phone.is_empty() {
        channels.push(("sms", m.phone.as_str()));
    }
    if let Some(e) = m.email.as_deref().filter(|e| !e.is_empty()) {
        channels.push(("email", e));
    }
    for (channel, recipient) in channels {
        tx.execute(
            "INSERT INTO notifications (channel, recipient, subject, body, created_at) VALUES ($1, $2, $3, $4, $5)",
            params![channel, recipient, m.subject.as_str(), m.body.as_str(), at],
        )
        .await?;
    }
    Ok(())
}

const SELECT: &str =
    "SELECT id, channel, recipient, subject, body, created_at, sent_at, outcome FROM notifications";

fn read(r: &crate::db::Row) -> Result<Notification, StoreError> {
    Ok(Notification {
        id: r.int(0)?,
        channel: r.text(1)?,
        recipient: r.text(2)?,
        subject: r.text(3)?,
        body: r.text(4)?,
        created_at: rfc3339(r.int(5)?),
        sent_at: r.opt_int(6)?.map(rfc3339),
        outcome: r.opt_text(7)?,
    })
}

impl Store {
    /// Messages not yet handed to the hook, oldest first.
    pub async fn unsent_notifications(&self, limit: i64) -> Result<Vec<Notification>, StoreError> {
        self.db
            .fetch_all(
                &format!("{SELECT} WHERE sent_at IS NULL ORDER BY id LIMIT $1"),
                params![limit],
            )
            .await?
            .iter()
            .map(read)
            .collect()
    }

    /// Records what became of a message.
    pub async fn mark_notification(&self, id: i64, outcome: &str) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        tx.execute(
            "UPDATE notifications SET sent_at = $1, outcome = $2 WHERE id = $3 AND sent_at IS NULL",
            params![now_ms(), outcome, id],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The messages sent to a number or address, newest first (for operators and tests).
    pub async fn notifications_to(&self, recipient: &str) -> Result<Vec<Notification>, StoreError> {
        self.db
            .fetch_all(
                &format!("{SELECT} WHERE recipient = $1 ORDER BY id DESC"),
                params![recipient],
            )
            .await?
            .iter()
            .map(read)
            .collect()
    }
}
