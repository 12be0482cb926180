//! Production licences and their lifecycle, with who, when and why for every transition.

use jiff::civil::Date;
use serde::Serialize;
use zhijian_core::access::Action;
use zhijian_core::catalogue;
use zhijian_core::licence::{self, LicenceAction, LicenceState};
use zhijian_core::licence_number::{LicenceKind, LicenceNumber};
use zhijian_core::region::RegionCode;

use crate::audit::{self, Change};
use crate::db::{Db, Row, Tx};
use crate::{Scoped, Store, StoreError, Where, conflict_on_unique, now_ms, params, rfc3339};

/// A licence as the archive shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Licence {
    /// Its id.
    pub id: i64,
    /// The holder's credit code.
    pub enterprise: String,
    /// Industrial or food.
    #[schema(value_type = String)]
    pub kind: LicenceKind,
    /// The certificate number, once issued.
    pub number: Option<String>,
    /// Where it is in its lifecycle.
    pub state: LicenceState,
    /// The product categories it covers.
    pub scope: Vec<String>,
    /// First day of validity.
    #[schema(format = Date)]
    pub valid_from: Option<String>,
    /// Last day of validity.
    #[schema(format = Date)]
    pub valid_until: Option<String>,
    /// When it was applied for.
    #[schema(format = DateTime)]
    pub applied_at: String,
    /// When it last changed.
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Every transition so far, oldest first.
    pub events: Vec<LicenceEvent>,
}

/// One step in a licence's history.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct LicenceEvent {
    /// The action taken (`apply` for the application itself).
    pub action: String,
    /// The state before.
    pub from_state: Option<String>,
    /// The state after.
    pub to_state: String,
    /// Who.
    pub actor: String,
    /// Why.
    pub reason: Option<String>,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub at: String,
}

/// A licence application, or an existing paper licence being entered.
#[derive(Debug, Clone)]
pub struct NewLicence {
    /// Industrial or food.
    pub kind: LicenceKind,
    /// Product categories applied for (checked against the catalogue).
    pub scope: Vec<String>,
}

/// The particulars a transition may carry.
#[derive(Debug, Clone, Default)]
pub struct TransitionInput {
    /// Why (required for refusals, penalties and changes).
    pub reason: Option<String>,
    /// The certificate number (required to issue).
    pub number: Option<LicenceNumber>,
    /// Validity start (required to issue).
    pub valid_from: Option<Date>,
    /// Validity end (required to issue and to renew).
    pub valid_until: Option<Date>,
    /// A new scope (for changes).
    pub scope: Option<Vec<String>>,
}

pub(crate) const SELECT_LICENCE: &str = "SELECT l.id, o.uscc, l.kind, l.number, l.state, l.scope, l.valid_from, l.valid_until, l.applied_at, l.updated_at, o.region, o.id FROM licences l JOIN organisations o ON o.id = l.enterprise_id";

pub(crate) fn read_licence(r: &Row) -> Result<(Licence, i64, String), StoreError> {
    let kind = match r.text(2)?.as_str() {
        "food" => LicenceKind::Food,
        _ => LicenceKind::Industrial,
    };
    let state = r.text(4)?;
    let licence = Licence {
        id: r.int(0)?,
        enterprise: r.text(1)?,
        kind,
        number: r.opt_text(3)?,
        state: LicenceState::parse(&state).ok_or(StoreError::Invalid {
            code: "corrupt_row",
            field: "state",
            message: format!("unknown licence state {state}"),
        })?,
        scope: serde_json::from_str(&r.text(5)?).unwrap_or_default(),
        valid_from: r.opt_text(6)?,
        valid_until: r.opt_text(7)?,
        applied_at: rfc3339(r.int(8)?),
        updated_at: rfc3339(r.int(9)?),
        events: vec![],
    };
    Ok((licence, r.int(11)?, r.text(10)?))
}

fn read_event(r: &Row) -> Result<LicenceEvent, StoreError> {
    Ok(LicenceEvent {
        action: r.text(0)?,
        from_state: r.opt_text(1)?,
        to_state: r.text(2)?,
        actor: r.text(3)?,
        reason: r.opt_text(4)?,
        at: rfc3339(r.int(5)?),
    })
}

async fn events_of(db: &Db, licence_id: i64) -> Result<Vec<LicenceEvent>, StoreError> {
    let rows = db
        .fetch_all(
            "SELECT action, from_state, to_state, actor, reason, at FROM licence_events WHERE licence_id = $1 ORDER BY id",
            params![licence_id],
        )
        .await?;
    rows.iter().map(read_event).collect()
}

/// The licences of one enterprise with their histories.
pub(crate) async fn for_enterprise(
    db: &Db,
    enterprise_id: i64,
) -> Result<Vec<Licence>, StoreError> {
    let rows = db
        .fetch_all(
            &format!("{SELECT_LICENCE} WHERE l.enterprise_id = $1 ORDER BY l.id"),
            params![enterprise_id],
        )
        .await?;
    let mut out = rows
        .iter()
        .map(|r| read_licence(r).map(|(l, _, _)| l))
        .collect::<Result<Vec<_>, _>>()?;
    if out.is_empty() {
        return Ok(out);
    }
    // Every licence's events in one query (the archive is a hot path).
    let events = db
        .fetch_all(
            "SELECT v.action, v.from_state, v.to_state, v.actor, v.reason, v.at, v.licence_id FROM licence_events v JOIN licences l ON l.id = v.licence_id WHERE l.enterprise_id = $1 ORDER BY v.id",
            params![enterprise_id],
        )
        .await?;
    for r in &events {
        let licence_id = r.int(6)?;
        if let Some(l) = out.iter_mut().find(|l| l.id == licence_id) {
            l.events.push(read_event(r)?);
        }
    }
    Ok(out)
}

fn check_scope(scope: &[String]) -> Result<(), StoreError> {
    if scope.is_empty() {
        return Err(StoreError::Invalid {
            code: "licence_scope_empty",
            field: "scope",
            message: "a licence covers at least one product category".into(),
        });
    }
    if let Some(bad) = scope.iter().find(|c| catalogue::category(c).is_none()) {
        return Err(StoreError::Invalid {
            code: "category_unknown",
            field: "scope",
            message: format!("unknown product category {bad}"),
        });
    }
    Ok(())
}

fn missing(field: &'static str, action: LicenceAction) -> StoreError {
    StoreError::Invalid {
        code: "licence_field_required",
        field,
        message: format!("the action {} needs {field}", action.as_str()),
    }
}

/// One transition to record in a licence's history.
#[derive(Debug, Clone)]
pub struct LicenceStep {
    /// The action (`apply` for the application).
    pub action: &'static str,
    /// State before.
    pub from: Option<LicenceState>,
    /// State after.
    pub to: LicenceState,
    /// Who.
    pub actor: String,
    /// Why.
    pub reason: Option<String>,
    /// When (milliseconds since the epoch).
    pub at: i64,
}

async fn record_event(tx: &mut Tx, licence_id: i64, step: &LicenceStep) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO licence_events (licence_id, action, from_state, to_state, actor, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        params![
            licence_id,
            step.action,
            step.from.map(LicenceState::as_str),
            step.to.as_str(),
            step.actor.as_str(),
            step.reason.clone(),
            step.at
        ],
    )
    .await?;
    Ok(())
}

/// Applies a checked transition to a loaded licence inside `tx`, with its audit entry.
pub(crate) async fn apply_transition(
    tx: &mut Tx,
    mut licence: Licence,
    action: LicenceAction,
    input: &TransitionInput,
    actor: &str,
) -> Result<Licence, StoreError> {
    let to = licence::check_transition(licence.state, action, input.reason.as_deref())?;
    let before = serde_json::to_value(&licence).unwrap_or_default();
    let from = licence.state;
    match action {
        LicenceAction::Issue => {
            let number = input
                .number
                .as_ref()
                .ok_or_else(|| missing("number", action))?;
            if number.kind() != licence.kind {
                return Err(StoreError::Invalid {
                    code: "licence_number_kind",
                    field: "number",
                    message: format!(
                        "{} is not a number of this kind of licence",
                        number.as_str()
                    ),
                });
            }
            let vf = input
                .valid_from
                .ok_or_else(|| missing("valid_from", action))?;
            let vu = input
                .valid_until
                .ok_or_else(|| missing("valid_until", action))?;
            if vu <= vf {
                return Err(StoreError::Invalid {
                    code: "licence_validity",
                    field: "valid_until",
                    message: "valid_until must be after valid_from".into(),
                });
            }
            licence.number = Some(number.as_str().to_owned());
            licence.valid_from = Some(vf.to_string());
            licence.valid_until = Some(vu.to_string());
        }
        LicenceAction::Renew => {
            let vu = input
                .valid_until
                .ok_or_else(|| missing("valid_until", action))?;
            if licence
                .valid_until
                .as_deref()
                .is_some_and(|cur| vu.to_string().as_str() <= cur)
            {
                return Err(StoreError::Invalid {
                    code: "licence_validity",
                    field: "valid_until",
                    message: "a renewal must extend the validity".into(),
                });
            }
            licence.valid_until = Some(vu.to_string());
        }
        LicenceAction::Change => {
            if let Some(scope) = &input.scope {
                check_scope(scope)?;
                licence.scope = scope.clone();
            }
        }
        _ => {}
    }
    licence.state = to;
    let at = now_ms();
    licence.updated_at = rfc3339(at);
    tx.execute(
        "UPDATE licences SET state = $1, number = $2, scope = $3, valid_from = $4, valid_until = $5, updated_at = $6 WHERE id = $7",
        params![
            to.as_str(),
            licence.number.clone(),
            serde_json::to_string(&licence.scope).unwrap_or_default(),
            licence.valid_from.clone(),
            licence.valid_until.clone(),
            at,
            licence.id
        ],
    )
    .await
    .map_err(|e| conflict_on_unique(e, "licence_number_taken", "number", "another licence has this number".into()))?;
    let step = LicenceStep {
        action: action.as_str(),
        from: Some(from),
        to,
        actor: actor.to_owned(),
        reason: input.reason.clone(),
        at,
    };
    record_event(tx, licence.id, &step).await?;
    audit::append(
        tx,
        at,
        Change {
            actor,
            action: &format!("licence.{}", action.as_str()),
            entity: "licence",
            entity_id: licence.id.to_string(),
            enterprise: Some(licence.enterprise.clone()),
            before: Some(before),
            after: Some(serde_json::json!({
                "state": to.as_str(), "number": licence.number, "scope": licence.scope,
                "valid_from": licence.valid_from, "valid_until": licence.valid_until,
                "reason": input.reason,
            })),
        },
    )
    .await?;
    Ok(licence)
}

impl Scoped<'_> {
    /// Files a licence application for an enterprise (its own users, officers, admins).
    pub async fn apply_licence(&self, uscc: &str, new: &NewLicence) -> Result<Licence, StoreError> {
        check_scope(&new.scope)?;
        let mut tx = self.store.db.begin().await?;
        let e = self.visible_enterprise(&mut tx, uscc).await?;
        let region = RegionCode::parse(&e.region).map_err(|_| StoreError::NotFound {
            entity: "enterprise",
        })?;
        if !self.principal.may(Action::ApplyLicence, e.id, region) {
            return Err(StoreError::Forbidden);
        }
        let at = now_ms();
        let kind = match new.kind {
            LicenceKind::Food => "food",
            LicenceKind::Industrial => "industrial",
        };
        let scope = serde_json::to_string(&new.scope).unwrap_or_default();
        let id = tx
            .fetch_one(
                "INSERT INTO licences (enterprise_id, kind, number, state, scope, valid_from, valid_until, applied_at, updated_at) VALUES ($1, $2, NULL, 'applied', $3, NULL, NULL, $4, $4) RETURNING id",
                params![e.id, kind, scope, at],
            )
            .await?
            .int(0)?;
        let actor = self.principal.username.as_str();
        let step = LicenceStep {
            action: "apply",
            from: None,
            to: LicenceState::Applied,
            actor: actor.to_owned(),
            reason: None,
            at,
        };
        record_event(&mut tx, id, &step).await?;
        audit::append(
            &mut tx,
            at,
            Change {
                actor,
                action: "licence.apply",
                entity: "licence",
                entity_id: id.to_string(),
                enterprise: Some(uscc.to_owned()),
                before: None,
                after: Some(
                    serde_json::json!({"kind": kind, "scope": new.scope, "state": "applied"}),
                ),
            },
        )
        .await?;
        tx.commit().await?;
        self.licence(id)
            .await?
            .ok_or(StoreError::NotFound { entity: "licence" })
    }

    /// One licence, if the caller may see its holder.
    pub async fn licence(&self, id: i64) -> Result<Option<Licence>, StoreError> {
        let mut w = Where::default();
        let p = w.arg(id);
        w.cond(format!("l.id = {p}"));
        w.scope(self.scope(Action::Read), "o.id", "o.region");
        let db = &self.store.db;
        let Some(row) = db
            .fetch_optional(&format!("{SELECT_LICENCE} WHERE {}", w.sql()), &w.values)
            .await?
        else {
            return Ok(None);
        };
        let (mut l, _, _) = read_licence(&row)?;
        l.events = events_of(db, l.id).await?;
        Ok(Some(l))
    }

    /// Moves a licence through its lifecycle (officers of the holder's region, admins).
    pub async fn transition_licence(
        &self,
        id: i64,
        action: LicenceAction,
        input: &TransitionInput,
    ) -> Result<Licence, StoreError> {
        let mut tx = self.store.db.begin().await?;
        let mut w = Where::default();
        let p = w.arg(id);
        w.cond(format!("l.id = {p}"));
        w.scope(self.scope(Action::Read), "o.id", "o.region");
        let row = tx
            .fetch_optional(&format!("{SELECT_LICENCE} WHERE {}", w.sql()), &w.values)
            .await?
            .ok_or(StoreError::NotFound { entity: "licence" })?;
        let (licence, org_id, region) = read_licence(&row)?;
        let region =
            RegionCode::parse(&region).map_err(|_| StoreError::NotFound { entity: "licence" })?;
        if !self.principal.may(Action::DecideLicence, org_id, region) {
            return Err(StoreError::Forbidden);
        }
        let licence =
            apply_transition(&mut tx, licence, action, input, &self.principal.username).await?;
        tx.commit().await?;
        Ok(Licence {
            events: events_of(&self.store.db, licence.id).await?,
            ..licence
        })
    }
}

impl Store {
    /// Marks every licence whose validity ended before `today` as expired, each with its
    /// own event and audit entry; returns how many.
    pub async fn expire_licences(&self, today: Date) -> Result<usize, StoreError> {
        let mut expired = 0;
        loop {
            let mut tx = self.db.begin().await?;
            let rows = tx
                .fetch_all(
                    &format!("{SELECT_LICENCE} WHERE l.state IN ('issued', 'suspended') AND l.valid_until < $1 ORDER BY l.id LIMIT 500"),
                    params![today.to_string()],
                )
                .await?;
            if rows.is_empty() {
                return Ok(expired);
            }
            for r in &rows {
                let (licence, _, _) = read_licence(r)?;
                let input = TransitionInput {
                    reason: Some("validity ended".into()),
                    ..Default::default()
                };
                apply_transition(&mut tx, licence, LicenceAction::Expire, &input, "system").await?;
                expired += 1;
            }
            tx.commit().await?;
        }
    }
}
