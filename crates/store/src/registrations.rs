//! Joining the network (入网): an enterprise applies by itself — archive, licences it
//! holds, first products, an administrator account — and the bureau of its region
//! approves it (everything is created in one transaction) or returns it with reasons.
//! The applicant follows its application by a secret link; messages to it go through
//! the notification outbox ([`crate::notifications`]).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zhijian_core::access::{Action, Role, Scope};
use zhijian_core::enterprise::EnterpriseStatus;
use zhijian_core::gtin::Gtin;
use zhijian_core::licence::LicenceState;
use zhijian_core::licence_number::LicenceKind;
use zhijian_core::page::{Page, Paged};
use zhijian_core::region::RegionCode;
use zhijian_core::uscc::Uscc;

use crate::audit::{self, Change};
use crate::db::Row;
use crate::enterprises::{EnterpriseDetails, NewEnterprise, NewProduct};
use crate::import::{ImportEnterprise, ImportLicence, ImportUser, import_in, import_users_in};
use crate::notifications::{Message, queue};
use crate::search::prefix_end;
use crate::{Scoped, Store, StoreError, Where, now_ms, params, rfc3339};

/// A licence the enterprise says it holds (checked by the bureau on approval).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClaimedLicence {
    /// Industrial or food.
    #[schema(value_type = String, examples("food"))]
    pub kind: LicenceKind,
    /// The certificate number.
    pub number: String,
    /// Product categories it covers.
    pub scope: Vec<String>,
    /// Last day it is valid.
    #[schema(value_type = String, format = Date)]
    pub valid_until: Date,
}

/// A product as applied for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClaimedProduct {
    /// Name.
    pub name: String,
    /// Catalogue category.
    pub category: String,
    /// Specification or model.
    pub specification: Option<String>,
    /// The standard it is made to.
    pub standard: Option<String>,
    /// GTIN in its 14-digit form.
    pub gtin: Option<String>,
}

/// What an enterprise applies with, checked.
#[derive(Debug, Clone)]
pub struct NewRegistration {
    /// Identity and basic data.
    pub enterprise: NewEnterprise,
    /// Licences held.
    pub licences: Vec<ClaimedLicence>,
    /// First products.
    pub products: Vec<NewProduct>,
    /// Where to send messages besides SMS.
    pub email: Option<String>,
    /// The administrator account's login name.
    pub admin_username: String,
    /// Its password, hashed.
    pub password_hash: String,
}

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    /// Waiting for the bureau.
    Pending,
    /// Approved: the enterprise is in the network.
    Approved,
    /// Returned with reasons; the enterprise may apply again.
    Returned,
}

impl RegistrationStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationStatus::Pending => "pending",
            RegistrationStatus::Approved => "approved",
            RegistrationStatus::Returned => "returned",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<RegistrationStatus> {
        [
            RegistrationStatus::Pending,
            RegistrationStatus::Approved,
            RegistrationStatus::Returned,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// The stored body of an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Application {
    /// Basic data.
    pub details: EnterpriseDetails,
    /// Whether the credit code is a known legacy one.
    pub uscc_legacy: bool,
    /// Licences held.
    pub licences: Vec<ClaimedLicence>,
    /// First products.
    pub products: Vec<ClaimedProduct>,
}

/// An application as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Registration {
    /// Its number.
    pub id: i64,
    /// The credit code.
    pub uscc: String,
    /// The enterprise's name.
    pub name: String,
    /// Its region (the deciding bureau's).
    pub region: String,
    /// Telephone for SMS.
    pub contact_phone: String,
    /// E-mail.
    pub email: Option<String>,
    /// The administrator's login name.
    pub admin_username: String,
    /// Where it stands.
    pub status: RegistrationStatus,
    /// Why it was returned.
    pub reasons: Option<String>,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When.
    #[schema(format = DateTime)]
    pub decided_at: Option<String>,
    /// When it was submitted.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// What was applied for.
    pub application: Application,
}

const SELECT: &str = "SELECT id, uscc, name, region, contact_phone, email, admin_username, status, reasons, decided_by, decided_at, created_at, body FROM registrations";

fn read(r: &Row) -> Result<Registration, StoreError> {
    let status = r.text(7)?;
    Ok(Registration {
        id: r.int(0)?,
        uscc: r.text(1)?,
        name: r.text(2)?,
        region: r.text(3)?,
        contact_phone: r.text(4)?,
        email: r.opt_text(5)?,
        admin_username: r.text(6)?,
        status: RegistrationStatus::parse(&status).ok_or(StoreError::Invalid {
            code: "corrupt_row",
            field: "status",
            message: format!("unknown registration status {status}"),
        })?,
        reasons: r.opt_text(8)?,
        decided_by: r.opt_text(9)?,
        decided_at: r.opt_int(10)?.map(rfc3339),
        created_at: rfc3339(r.int(11)?),
        application: serde_json::from_str(&r.text(12)?).map_err(|e| StoreError::Invalid {
            code: "corrupt_row",
            field: "body",
            message: e.to_string(),
        })?,
    })
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn conflict(code: &'static str, field: &'static str, message: String) -> StoreError {
    StoreError::Conflict {
        code,
        field,
        message,
    }
}

impl Store {
    /// Records an application (anyone may apply); returns it and the secret that lets
    /// the applicant follow it. A registered credit code or login name, or one already
    /// waiting in another application, is refused.
    pub async fn submit_registration(
        &self,
        new: &NewRegistration,
    ) -> Result<(Registration, String), StoreError> {
        crate::identity::check_username(&new.admin_username)?;
        let e = &new.enterprise;
        let uscc = e.uscc.as_str();
        let mut tx = self.db.begin().await?;
        if tx
            .fetch_optional("SELECT 1 FROM organisations WHERE uscc = $1", params![uscc])
            .await?
            .is_some()
        {
            return Err(conflict(
                "enterprise_exists",
                "uscc",
                format!("{uscc} is already in the network; ask its administrator for an account"),
            ));
        }
        if tx
            .fetch_optional(
                "SELECT 1 FROM users WHERE username = $1",
                params![new.admin_username.as_str()],
            )
            .await?
            .is_some()
        {
            return Err(conflict(
                "username_taken",
                "admin_username",
                format!("the username {} is taken", new.admin_username),
            ));
        }
        let application = Application {
            details: e.details.clone(),
            uscc_legacy: e.uscc_legacy,
            licences: new.licences.clone(),
            products: new
                .products
                .iter()
                .map(|p| ClaimedProduct {
                    name: p.name.clone(),
                    category: p.category.clone(),
                    specification: p.specification.clone(),
                    standard: p.standard.clone(),
                    gtin: p.gtin.as_ref().map(|g| g.as_str().to_owned()),
                })
                .collect(),
        };
        let body = serde_json::to_string(&application).unwrap_or_default();
        let token = crate::identity::secret("zjr_");
        let at = now_ms();
        let phone = e.details.contact_phone.clone().unwrap_or_default();
        let id = tx
            .fetch_one(
                "INSERT INTO registrations (uscc, name, region, contact_phone, email, admin_username, password_hash, body, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                params![
                    uscc, e.name.as_str(), e.region.as_str(), phone.as_str(), new.email.clone(),
                    new.admin_username.as_str(), new.password_hash.as_str(), body.as_str(),
                    token_hash(&token).as_str(), at
                ],
            )
            .await
            .map_err(|err| {
                let pending = err
                    .as_database_error()
                    .is_some_and(|d| d.message().contains("admin"));
                if pending {
                    crate::conflict_on_unique(
                        err,
                        "username_taken",
                        "admin_username",
                        format!("the username {} is asked for in another application", new.admin_username),
                    )
                } else {
                    crate::conflict_on_unique(
                        err,
                        "registration_pending",
                        "uscc",
                        format!("an application for {uscc} is already waiting for its bureau"),
                    )
                }
            })?
            .int(0)?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor: "public",
                action: "registration.submit",
                entity: "registration",
                entity_id: id.to_string(),
                enterprise: Some(uscc.to_owned()),
                before: None,
                after: Some(serde_json::json!({
                    "uscc": uscc, "name": e.name, "region": e.region.as_str(),
                    "admin_username": new.admin_username, "application": application,
                })),
            },
        )
        .await?;
        let text = format!(
            "【质监】{}：入网申请（编号 {id}）已提交，由所在地市场监管部门审核。",
            e.name
        );
        queue(
            &mut tx,
            &Message::to(&phone, new.email.as_deref(), "入网申请已提交", &text),
            at,
        )
        .await?;
        tx.commit().await?;
        let row = self
            .db
            .fetch_one(&format!("{SELECT} WHERE id = $1"), params![id])
            .await?;
        Ok((read(&row)?, token))
    }

    /// An application, for whoever holds its secret.
    pub async fn registration_status(
        &self,
        id: i64,
        token: &str,
    ) -> Result<Registration, StoreError> {
        let row = self
            .db
            .fetch_optional(
                &format!("{SELECT} WHERE id = $1 AND token_hash = $2"),
                params![id, token_hash(token.trim()).as_str()],
            )
            .await?
            .ok_or(StoreError::NotFound {
                entity: "registration",
            })?;
        read(&row)
    }
}

impl Scoped<'_> {
    fn registration_scope(&self, w: &mut Where, action: Action) -> Result<(), StoreError> {
        match self.principal.scope(action) {
            Scope::All => Ok(()),
            Scope::Region(r) if matches!(self.principal.role, Role::Officer | Role::Viewer) => {
                if let Some(hi) = prefix_end(r.prefix()) {
                    let lo = w.arg(r.prefix());
                    let hi = w.arg(hi);
                    w.cond(format!("region >= {lo} AND region < {hi}"));
                }
                Ok(())
            }
            _ => Err(StoreError::Forbidden),
        }
    }

    /// The applications of the caller's region (bureaus), newest first.
    pub async fn registrations(
        &self,
        status: Option<RegistrationStatus>,
        page: Page,
    ) -> Result<Paged<Registration>, StoreError> {
        let mut w = Where::default();
        self.registration_scope(&mut w, Action::Read)?;
        if let Some(s) = status {
            let p = w.arg(s.as_str());
            w.cond(format!("status = {p}"));
        }
        let db = &self.store.db;
        let total = db
            .fetch_one(
                &format!("SELECT COUNT(*) FROM registrations WHERE {}", w.sql()),
                &w.values,
            )
            .await?
            .int(0)?;
        let (limit, offset) = (w.arg(page.limit()), w.arg(page.offset()));
        let items = db
            .fetch_all(
                &format!(
                    "{SELECT} WHERE {} ORDER BY id DESC LIMIT {limit} OFFSET {offset}",
                    w.sql()
                ),
                &w.values,
            )
            .await?
            .iter()
            .map(read)
            .collect::<Result<_, _>>()?;
        Ok(Paged { items, total })
    }

    /// One application of the caller's region.
    pub async fn registration(&self, id: i64) -> Result<Registration, StoreError> {
        let mut w = Where::default();
        self.registration_scope(&mut w, Action::Read)
            .map_err(|_| StoreError::NotFound {
                entity: "registration",
            })?;
        let p = w.arg(id);
        w.cond(format!("id = {p}"));
        let row = self
            .store
            .db
            .fetch_optional(&format!("{SELECT} WHERE {}", w.sql()), &w.values)
            .await?
            .ok_or(StoreError::NotFound {
                entity: "registration",
            })?;
        read(&row)
    }

    /// Approves a waiting application — the archive, its licences and products and the
    /// administrator account are created in the same transaction — or returns it with
    /// reasons. Officers of the enterprise's region.
    pub async fn decide_registration(
        &self,
        id: i64,
        approve: bool,
        reasons: &str,
    ) -> Result<Registration, StoreError> {
        let reg = self.registration(id).await?;
        let region = RegionCode::parse(&reg.region).unwrap_or(RegionCode::NATIONAL);
        if !matches!(self.principal.role, Role::Officer | Role::Admin)
            || !self
                .principal
                .scope(Action::EditArchive)
                .contains(0, region)
        {
            return Err(StoreError::Forbidden);
        }
        if reg.status != RegistrationStatus::Pending {
            return Err(conflict(
                "registration_decided",
                "status",
                format!("application {id} was {} already", reg.status.as_str()),
            ));
        }
        let reasons = reasons.trim();
        if !approve && reasons.is_empty() {
            return Err(StoreError::Invalid {
                code: "reasons",
                field: "reasons",
                message: "say why the application is returned, so the enterprise can put it right"
                    .into(),
            });
        }
        if reasons.chars().count() > 2_000 {
            return Err(StoreError::Invalid {
                code: "reasons",
                field: "reasons",
                message: "reasons are at most 2 000 characters".into(),
            });
        }
        let actor = self.principal.username.as_str();
        let at = now_ms();
        let mut tx = self.store.db.begin().await?;
        let status = if approve {
            RegistrationStatus::Approved
        } else {
            RegistrationStatus::Returned
        };
        let updated = tx
            .execute(
                "UPDATE registrations SET status = $1, reasons = $2, decided_by = $3, decided_at = $4 WHERE id = $5 AND status = 'pending'",
                params![status.as_str(), (!reasons.is_empty()).then_some(reasons), actor, at, id],
            )
            .await?;
        if updated != 1 {
            return Err(conflict(
                "registration_decided",
                "status",
                format!("application {id} was decided a moment ago"),
            ));
        }
        let hash = tx
            .fetch_one(
                "SELECT password_hash FROM registrations WHERE id = $1",
                params![id],
            )
            .await?
            .text(0)?;
        if approve {
            let app = &reg.application;
            let enterprise = NewEnterprise {
                uscc: Uscc::parse_lenient(&reg.uscc)
                    .map(|(u, _)| u)
                    .map_err(|e| StoreError::Invalid {
                        code: "corrupt_row",
                        field: "uscc",
                        message: e.to_string(),
                    })?,
                uscc_legacy: app.uscc_legacy,
                name: reg.name.clone(),
                region,
                details: EnterpriseDetails {
                    status: Some(EnterpriseStatus::Active),
                    ..app.details.clone()
                },
            };
            let item = ImportEnterprise {
                enterprise,
                created_at: at,
                products: app
                    .products
                    .iter()
                    .map(|p| NewProduct {
                        name: p.name.clone(),
                        specification: p.specification.clone(),
                        standard: p.standard.clone(),
                        category: p.category.clone(),
                        gtin: p.gtin.as_deref().and_then(|g| Gtin::parse(g).ok()),
                    })
                    .collect(),
                licences: app
                    .licences
                    .iter()
                    .map(|l| ImportLicence {
                        kind: l.kind,
                        number: Some(l.number.clone()),
                        state: LicenceState::Issued,
                        scope: l.scope.clone(),
                        valid_from: None,
                        valid_until: Some(l.valid_until),
                        applied_at: at,
                        events: Vec::new(),
                    })
                    .collect(),
                records: Vec::new(),
            };
            import_in(&mut tx, &[item], actor).await?;
            import_users_in(
                &mut tx,
                &[ImportUser {
                    username: reg.admin_username.clone(),
                    password_hash: hash,
                    role: Role::Enterprise,
                    org_uscc: Some(reg.uscc.clone()),
                    region: None,
                    display_name: Some(format!("{}管理员", reg.name)),
                }],
                actor,
            )
            .await?;
        }
        audit::append(
            &mut tx,
            at,
            Change {
                actor,
                action: if approve {
                    "registration.approve"
                } else {
                    "registration.return"
                },
                entity: "registration",
                entity_id: id.to_string(),
                enterprise: Some(reg.uscc.clone()),
                before: Some(serde_json::json!({"status": "pending"})),
                after: Some(serde_json::json!({"status": status.as_str(), "reasons": reasons})),
            },
        )
        .await?;
        let (subject, text) = if approve {
            (
                "入网申请已通过",
                format!(
                    "【质监】{}：入网申请（编号 {id}）已通过，请用管理员账号 {} 登录控制台申请监管码。",
                    reg.name, reg.admin_username
                ),
            )
        } else {
            (
                "入网申请被退回",
                format!(
                    "【质监】{}：入网申请（编号 {id}）被退回：{reasons}。修改后可重新申请。",
                    reg.name
                ),
            )
        };
        queue(
            &mut tx,
            &Message::to(&reg.contact_phone, reg.email.as_deref(), subject, &text),
            at,
        )
        .await?;
        tx.commit().await?;
        self.registration(id).await
    }
}
