//! zhijian's HTTP face: the JSON API under `/api/v1`, the console, and operations
//! endpoints, over one [`zhijian_store::Store`].
//!
//! [`router`] builds the whole application; [`serve`] runs it on a bound listener until
//! a shutdown signal, so tests bind `127.0.0.1:0` and never poll for readiness.
//!
//! ```no_run
//! # async fn run(store: zhijian_store::Store) -> std::io::Result<()> {
//! let state = zhijian_server::state::AppState::new(store, Default::default()).expect("code key");
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! zhijian_server::serve(listener, state, std::future::pending()).await
//! # }
//! ```

pub mod api;
pub mod archive_cache;
pub mod auth;
pub mod config;
pub mod console;
pub mod epcis;
pub mod error;
pub mod export;
pub mod flow;
pub mod grading;
pub mod home_cache;
pub mod keys;
pub mod lang;
pub mod messages;
pub mod metrics;
pub mod notify;
pub mod openapi;
pub mod ops;
pub mod ratelimit;
pub mod report_upload;
pub mod state;

use std::future::Future;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::middleware::from_fn;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::state::AppState;

/// The whole application.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config.max_body_bytes;
    Router::new()
        .merge(api::routes(&state))
        .route("/api/v1/openapi.json", get(openapi::document))
        .merge(console::routes(&state))
        .merge(epcis::routes())
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(metrics::metrics))
        .fallback(|| async { ApiError::not_found() })
        .layer(from_fn_with_state(state.clone(), auth::resolve))
        .layer(from_fn(error::localise))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(from_fn_with_state(state.clone(), metrics::track))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves the application on `listener` until `shutdown` completes, then drains.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
