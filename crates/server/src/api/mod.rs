//! The JSON API under `/api/v1`.

pub mod enterprises;
pub mod extract;
pub mod licences;
pub mod organisations;
pub mod regions;
pub mod session;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::state::AppState;

/// Every `/api/v1` route.
pub fn routes(state: &AppState) -> Router<AppState> {
    let upload_limit = state.config.max_attachment_bytes + 64 * 1024;
    Router::new()
        .route("/api/v1/login", post(session::login))
        .route("/api/v1/me", get(session::me))
        .route("/api/v1/regions/{code}", get(regions::get_region))
        .route("/api/v1/categories", get(regions::categories))
        .route(
            "/api/v1/enterprises",
            get(enterprises::list).post(enterprises::create),
        )
        .route(
            "/api/v1/enterprises/{uscc}",
            get(enterprises::get).patch(enterprises::update),
        )
        .route(
            "/api/v1/enterprises/{uscc}/products",
            post(enterprises::add_product),
        )
        .route(
            "/api/v1/enterprises/{uscc}/records",
            post(enterprises::add_record),
        )
        .route(
            "/api/v1/records/{id}/attachments",
            post(enterprises::attach).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/api/v1/attachments/{id}", get(enterprises::attachment))
        .route("/api/v1/licences", post(licences::apply))
        .route("/api/v1/licences/{id}", get(licences::get))
        .route(
            "/api/v1/licences/{id}/transitions",
            post(licences::transition),
        )
        .route("/api/v1/printers", post(organisations::create_printer))
        .route("/api/v1/labs", post(organisations::create_lab))
}
