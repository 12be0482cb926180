//! The grading rules in force and the work that keeps grades current: enterprises whose
//! record changed are regraded within seconds (the store's change clock and new risk
//! signals say which), and every enterprise nightly, for time decay and expiries.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::RwLock;
use zhijian_core::calendar::Calendar;
use zhijian_core::grading::Rules;
use zhijian_store::grading::{Cause, Context};
use zhijian_store::{Store, StoreError};

use crate::state::AppState;

/// A rule set and its version.
#[derive(Debug)]
pub struct Active {
    /// 0 for the built-in default.
    pub version: i64,
    /// The rules.
    pub rules: Rules,
}

/// The rule set in force, read from the store on first use.
#[derive(Debug, Default)]
pub struct GradingRules {
    active: RwLock<Option<Arc<Active>>>,
}

impl GradingRules {
    /// The rules in force.
    pub async fn current(&self, store: &Store) -> Result<Arc<Active>, StoreError> {
        if let Some(a) = self.active.read().await.as_ref() {
            return Ok(a.clone());
        }
        let mut slot = self.active.write().await;
        if let Some(a) = slot.as_ref() {
            return Ok(a.clone());
        }
        let set = store.grading_rules().await?;
        // A stored rule set was checked when it was set; should a later program refuse
        // it, grading goes on under the default rather than stopping.
        let rules = Rules::parse(&set.body).unwrap_or_else(|e| {
            tracing::warn!(version = set.version, error = %e, "stored grading rules no longer parse; using the default");
            Rules::default()
        });
        let a = Arc::new(Active {
            version: set.version,
            rules,
        });
        *slot = Some(a.clone());
        Ok(a)
    }

    /// Puts a newly set rule set in force.
    pub async fn replace(&self, version: i64, rules: Rules) -> Arc<Active> {
        let a = Arc::new(Active { version, rules });
        *self.active.write().await = Some(a.clone());
        a
    }
}

/// What grading reads besides the rules, for today.
pub fn context<'a>(state: &AppState, calendar: &'a Calendar) -> Context<'a> {
    Context {
        objections: crate::api::sampling::objection_rules(state),
        calendar,
        today: crate::api::verify::today(),
    }
}

/// An enterprise's grade as `who` may read it, recomputed from its record as it stands,
/// with the rules it was computed under.
pub async fn grade_for(
    state: &AppState,
    who: &zhijian_core::access::Principal,
    uscc: &str,
) -> Result<(zhijian_store::grading::GradeView, Arc<Active>), StoreError> {
    let active = state.grading.current(&state.store).await?;
    let calendar = state.config.calendar();
    let grade = state
        .store
        .scoped(who)
        .grade(
            uscc,
            &active.rules,
            active.version,
            context(state, &calendar),
        )
        .await?;
    Ok((grade, active))
}

/// Regrades every enterprise now; returns how many grades changed.
pub async fn regrade_all(state: &AppState, cause: Cause) -> Result<usize, StoreError> {
    let active = state.grading.current(&state.store).await?;
    let calendar = state.config.calendar();
    state
        .store
        .regrade(
            &active.rules,
            active.version,
            None,
            cause,
            context(state, &calendar),
        )
        .await
}

/// Keeps grades current, forever: a full pass at start and every 24 hours, and every
/// two seconds the enterprises whose records changed or who were named by new signals.
pub async fn run(state: AppState) {
    let changes = state.store.db().changes();
    let mut tick = changes.head();
    let mut signal_head = 0;
    let mut last_full: Option<Instant> = None;
    let mut every = tokio::time::interval(Duration::from_secs(2));
    loop {
        every.tick().await;
        if last_full.is_none_or(|t| t.elapsed() >= Duration::from_secs(86_400)) {
            let started = Instant::now();
            match regrade_all(&state, Cause::Nightly).await {
                Ok(n) => {
                    tracing::info!(
                        changed = n,
                        ms = started.elapsed().as_millis() as u64,
                        "enterprises regraded"
                    );
                    last_full = Some(Instant::now());
                    tick = changes.head();
                    if let Ok(head) = state.store.signal_head().await {
                        signal_head = head;
                    }
                }
                Err(e) => tracing::warn!(error = %e, "regrading failed; trying again shortly"),
            }
            continue;
        }
        if let Err(e) = changes.poll(state.store.db()).await {
            tracing::warn!(error = %e, "reading other processes' changes failed");
        }
        let mut ids = match changes.changed_since(tick) {
            Some((head, usccs)) => {
                tick = head;
                if usccs.is_empty() {
                    Vec::new()
                } else {
                    state
                        .store
                        .enterprise_ids(&usccs)
                        .await
                        .map(|m| m.into_values().collect())
                        .unwrap_or_default()
                }
            }
            // The log no longer reaches back: regrade everyone.
            None => {
                last_full = None;
                continue;
            }
        };
        match state.store.signalled_since(signal_head).await {
            Ok((head, named)) => {
                signal_head = head;
                ids.extend(named);
            }
            Err(e) => tracing::warn!(error = %e, "reading new risk signals failed"),
        }
        if ids.is_empty() {
            continue;
        }
        ids.sort_unstable();
        ids.dedup();
        let Ok(active) = state.grading.current(&state.store).await else {
            continue;
        };
        let calendar = state.config.calendar();
        for chunk in ids.chunks(500) {
            if let Err(e) = state
                .store
                .regrade(
                    &active.rules,
                    active.version,
                    Some(chunk),
                    Cause::Record,
                    context(&state, &calendar),
                )
                .await
            {
                tracing::warn!(error = %e, "regrading changed enterprises failed");
            }
        }
    }
}
