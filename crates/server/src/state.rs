//! What every handler can reach: the store, the settings, the metrics.

use std::sync::Arc;

use zhijian_store::Store;

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
}

impl AppState {
    /// State over an open store.
    pub fn new(store: Store, config: Config) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::new()),
            tokens: Arc::new(TokenCache::default()),
            archives: Arc::new(ArchiveCache::default()),
        }
    }
}
