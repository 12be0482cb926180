//! What every handler can reach: the store, the settings, the metrics.

use std::sync::Arc;

use zhijian_store::Store;
use zhijian_store::codes::CodeLimits;
use zhijian_store::verify::{Verifier, VerifyRules};

use crate::ratelimit::RateLimit;

use crate::archive_cache::ArchiveCache;
use crate::auth::TokenCache;
use crate::config::Config;
use crate::metrics::Metrics;

/// Shared application state (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Store,
    /// The node's settings.
    pub config: Arc<Config>,
    /// Request metrics.
    pub metrics: Arc<Metrics>,
    /// Recently resolved bearer tokens.
    pub tokens: Arc<TokenCache>,
    /// Recently read archives, as JSON.
    pub archives: Arc<ArchiveCache>,
    /// Code verification: the in-memory registry and the group-commit writer.
    pub verifier: Arc<Verifier>,
    /// Per-client limit on the public verification endpoints.
    pub verify_limit: Arc<RateLimit>,
    /// The per-client limit on applications to join.
    pub join_limit: Arc<RateLimit>,
    /// The grading rules in force.
    pub grading: Arc<crate::grading::GradingRules>,
    /// The portal's home page, kept a few seconds.
    pub home: Arc<crate::home_cache::HomeCache>,
}

impl AppState {
    /// State over an open store: installs the node's code space (creating the key file
    /// on first start) and starts the verification writer. Needs a Tokio runtime.
    pub fn new(store: Store, config: Config) -> Result<AppState, crate::keys::KeyFileError> {
        store.install_code_space(crate::keys::code_space(&config)?);
        let verifier = Verifier::start(
            store.clone(),
            VerifyRules {
                repeat_threshold: config.repeat_threshold,
                region_threshold: config.region_threshold as usize,
            },
        );
        let verify_limit = Arc::new(RateLimit::per_second(config.verify_rate_limit));
        let join_limit = Arc::new(RateLimit::per_minute(config.join_rate_limit));
        Ok(AppState {
            verifier,
            verify_limit,
            join_limit,
            grading: Arc::default(),
            home: Arc::default(),
            store,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::new()),
            tokens: Arc::new(TokenCache::default()),
            archives: Arc::new(ArchiveCache::default()),
        })
    }

    /// The code limits from the settings.
    pub fn code_limits(&self) -> CodeLimits {
        CodeLimits {
            per_application: self.config.code_limit_per_application,
            per_day: self.config.code_limit_per_day,
            auto_approve_up_to: self.config.code_auto_approve_up_to,
        }
    }
}
