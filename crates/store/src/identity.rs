//! Users, passwords, API tokens and console sessions, and resolving a caller into a
//! [`Principal`].
//!
//! Secrets (tokens, session ids) are random 256-bit values; only their SHA-256 is
//! stored, so a copy of the database lets nobody in.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use zhijian_core::access::{OrgKind, Principal, Role};
use zhijian_core::region::RegionCode;

use crate::audit::{self, Change};
use crate::db::Row;
use crate::organisations::ensure_bureau_in;
use crate::{Store, StoreError, conflict_on_unique, now_ms, params};

/// Which organisation a new user belongs to.
#[derive(Debug, Clone)]
pub enum Membership {
    /// An admin belongs to none.
    None,
    /// The bureau of this region (created if missing).
    Bureau(RegionCode),
    /// The enterprise, printer or lab with this credit code.
    Organisation(String),
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name: 3–64 of letters, digits, `_ . - @`.
    pub username: String,
    /// At least 8 characters.
    pub password: String,
    /// The role.
    pub role: Role,
    /// The organisation.
    pub membership: Membership,
    /// A name to show.
    pub display_name: Option<String>,
}

/// A user as lists show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct User {
    /// Id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// Organisation id.
    pub org_id: Option<i64>,
    /// Name to show.
    pub display_name: Option<String>,
}

/// A new console session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The secret for the cookie.
    pub id: String,
    /// The token forms must echo (CSRF protection).
    pub csrf: String,
}

fn invalid(code: &'static str, field: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid {
        code,
        field,
        message: message.into(),
    }
}

/// Checks a login name.
pub fn check_username(name: &str) -> Result<(), StoreError> {
    let ok = (3..=64).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "username_format",
            "username",
            "a username has 3 to 64 letters, digits, or _ . - @",
        ))
    }
}

/// A fresh random secret, hex-encoded, with a prefix that says what it is.
pub(crate) fn secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

pub(crate) fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Hashes a password with argon2id (run on a blocking thread: it is deliberately slow).
pub async fn hash_password(password: String) -> Result<String, StoreError> {
    tokio::task::spawn_blocking(move || {
        let mut raw = [0u8; 16];
        rand::rng().fill_bytes(&mut raw);
        let salt = SaltString::encode_b64(&raw).map_err(|e| StoreError::Password(e.to_string()))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Password(e.to_string()))
    })
    .await
    .map_err(|e| StoreError::Password(e.to_string()))?
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

const SELECT_PRINCIPAL: &str = "SELECT u.id, u.username, u.role, u.org_id, o.region FROM users u LEFT JOIN organisations o ON o.id = u.org_id";

fn read_principal(r: &Row) -> Result<Option<Principal>, StoreError> {
    let Some(role) = Role::parse(&r.text(2)?) else {
        return Ok(None);
    };
    let region = r.opt_text(4)?.unwrap_or_else(|| "000000".into());
    let Ok(region) = RegionCode::parse(&region) else {
        return Ok(None);
    };
    Ok(Some(Principal {
        user_id: r.int(0)?,
        username: r.text(1)?,
        role,
        org_id: r.opt_int(3)?,
        region,
    }))
}

impl Store {
    /// Creates a user; the organisation is resolved from the membership and must fit the role.
    pub async fn create_user(&self, new: &NewUser, actor: &str) -> Result<User, StoreError> {
        check_username(&new.username)?;
        if new.password.chars().count() < 8 {
            return Err(invalid(
                "password_too_short",
                "password",
                "a password has at least 8 characters",
            ));
        }
        let hash = hash_password(new.password.clone()).await?;
        let mut tx = self.db.begin().await?;
        let org_id = match (&new.membership, new.role.organisation_kind()) {
            (Membership::None, None) => None,
            (Membership::Bureau(region), Some(OrgKind::Bureau)) => {
                if zhijian_core::region::lookup(*region).is_none() && !region.prefix().is_empty() {
                    return Err(invalid(
                        "region_unknown",
                        "region",
                        format!("unknown region {region}"),
                    ));
                }
                Some(ensure_bureau_in(&mut tx, *region, actor).await?)
            }
            (Membership::Organisation(uscc), Some(kind)) if kind != OrgKind::Bureau => {
                let row = tx
                    .fetch_optional(
                        "SELECT id, kind FROM organisations WHERE uscc = $1",
                        params![uscc.as_str()],
                    )
                    .await?
                    .ok_or_else(|| {
                        invalid(
                            "organisation_unknown",
                            "org",
                            format!("no organisation has credit code {uscc}"),
                        )
                    })?;
                if row.text(1)? != kind.as_str() {
                    return Err(invalid(
                        "organisation_kind",
                        "org",
                        format!("{uscc} is not a registered {}", kind.as_str()),
                    ));
                }
                Some(row.int(0)?)
            }
            (_, None) => {
                return Err(invalid(
                    "membership",
                    "org",
                    "an admin belongs to no organisation",
                ));
            }
            (_, Some(OrgKind::Bureau)) => {
                return Err(invalid(
                    "membership",
                    "region",
                    "officers and viewers need --region (their bureau's region)",
                ));
            }
            (_, Some(_)) => {
                return Err(invalid(
                    "membership",
                    "org",
                    "enterprise, printer and lab users need --org (a credit code)",
                ));
            }
        };
        let at = now_ms();
        let id = tx
            .fetch_one(
                "INSERT INTO users (username, password_hash, role, org_id, display_name, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                params![new.username.as_str(), hash, new.role.as_str(), org_id, new.display_name.clone(), false, at],
            )
            .await
            .map_err(|e| conflict_on_unique(e, "username_taken", "username", format!("the username {} is taken", new.username)))?
            .int(0)?;
        let user = User {
            id,
            username: new.username.clone(),
            role: new.role,
            org_id,
            display_name: new.display_name.clone(),
        };
        audit::append(
            &mut tx,
            at,
            Change {
                actor,
                action: "user.create",
                entity: "user",
                entity_id: id.to_string(),
                enterprise: None,
                before: None,
                after: Some(serde_json::to_value(&user).unwrap_or_default()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Checks a username and password; the principal when they match an enabled user.
    pub async fn authenticate(
        &self,
        username: &str,
        password: &str,
    ) -> Result<Option<Principal>, StoreError> {
        let Some(row) = self
            .db
            .fetch_optional(
                "SELECT password_hash FROM users WHERE username = $1 AND NOT disabled",
                params![username],
            )
            .await?
        else {
            // Spend the same time as a real check so timing does not reveal usernames.
            let _ = verify_password(password.to_owned(), DUMMY_HASH.to_owned()).await;
            return Ok(None);
        };
        if !verify_password(password.to_owned(), row.text(0)?).await {
            return Ok(None);
        }
        self.principal_by_username(username).await
    }

    /// The principal of a user by name.
    pub async fn principal_by_username(
        &self,
        username: &str,
    ) -> Result<Option<Principal>, StoreError> {
        let row = self
            .db
            .fetch_optional(
                &format!("{SELECT_PRINCIPAL} WHERE u.username = $1 AND NOT u.disabled"),
                params![username],
            )
            .await?;
        row.as_ref()
            .map(read_principal)
            .transpose()
            .map(Option::flatten)
    }

    /// Creates an API token for a user; returns the secret, which is shown only once.
    pub async fn create_token(
        &self,
        username: &str,
        label: &str,
        actor: &str,
    ) -> Result<String, StoreError> {
        let mut tx = self.db.begin().await?;
        let user_id = tx
            .fetch_optional(
                "SELECT id FROM users WHERE username = $1",
                params![username],
            )
            .await?
            .ok_or(StoreError::NotFound { entity: "user" })?
            .int(0)?;
        let token = secret("zjt_");
        let at = now_ms();
        let id = tx
            .fetch_one(
                "INSERT INTO api_tokens (user_id, token_hash, label, created_at, expires_at) VALUES ($1, $2, $3, $4, NULL) RETURNING id",
                params![user_id, digest(&token), label, at],
            )
            .await?
            .int(0)?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor,
                action: "token.create",
                entity: "api_token",
                entity_id: id.to_string(),
                enterprise: None,
                before: None,
                after: Some(serde_json::json!({"user": username, "label": label})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The principal a bearer token stands for, if it is valid.
    pub async fn principal_by_token(&self, token: &str) -> Result<Option<Principal>, StoreError> {
        let row = self
            .db
            .fetch_optional(
                &format!(
                    "{SELECT_PRINCIPAL} JOIN api_tokens t ON t.user_id = u.id WHERE t.token_hash = $1 AND NOT u.disabled AND (t.expires_at IS NULL OR t.expires_at > $2)"
                ),
                params![digest(token), now_ms()],
            )
            .await?;
        row.as_ref()
            .map(read_principal)
            .transpose()
            .map(Option::flatten)
    }

    /// Opens a console session for a user, valid for `ttl_ms`.
    pub async fn create_session(&self, user_id: i64, ttl_ms: i64) -> Result<Session, StoreError> {
        let session = Session {
            id: secret("zjs_"),
            csrf: secret(""),
        };
        let at = now_ms();
        let mut tx = self.db.begin().await?;
        tx.execute("DELETE FROM sessions WHERE expires_at < $1", params![at])
            .await?;
        tx.execute(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            params![digest(&session.id), user_id, session.csrf.as_str(), at, at.saturating_add(ttl_ms)],
        )
        .await?;
        tx.commit().await?;
        Ok(session)
    }

    /// The principal and CSRF token of a live session.
    pub async fn session(&self, id: &str) -> Result<Option<(Principal, String)>, StoreError> {
        let row = self
            .db
            .fetch_optional(
                &format!("{SELECT_PRINCIPAL} JOIN sessions s ON s.user_id = u.id WHERE s.id_hash = $1 AND s.expires_at > $2 AND NOT u.disabled"),
                params![digest(id), now_ms()],
            )
            .await?;
        let Some(row) = row else { return Ok(None) };
        let Some(p) = read_principal(&row)? else {
            return Ok(None);
        };
        let csrf = self
            .db
            .fetch_one(
                "SELECT csrf_token FROM sessions WHERE id_hash = $1",
                params![digest(id)],
            )
            .await?
            .text(0)?;
        Ok(Some((p, csrf)))
    }

    /// Ends a session.
    pub async fn delete_session(&self, id: &str) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        tx.execute(
            "DELETE FROM sessions WHERE id_hash = $1",
            params![digest(id)],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A valid argon2id hash of a random password, checked against when a username is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$W0kS0eUPk0Q8wUuSA0JzXTJkZc1zDcvJ6N9b7s0VlYc";
