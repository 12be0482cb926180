//! The JSON API under `/api/v1`.

pub mod announcements;
pub mod atom;
pub mod blacklist;
pub mod cases;
pub mod codes;
pub mod complaint_pages;
pub mod complaints;
pub mod dossier;
pub mod enterprises;
pub mod extract;
pub mod flow;
pub mod grading;
pub mod gs1;
pub mod incidents;
pub mod licences;
pub mod notices;
pub mod organisations;
pub mod plan_life;
pub mod portal;
pub mod public_list;
pub mod public_recalls;
pub mod recalls;
pub mod regions;
pub mod registrations;
pub mod risk;
pub mod sample_photos;
pub mod sampling;
pub mod sampling_stats;
pub mod session;
pub mod shop_terminals;
pub mod trace;
pub mod verify;
pub mod warnings;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::middleware::from_fn_with_state;
use axum::routing::{delete, get, post};

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
            "/api/v1/enterprises/{uscc}/gs1-prefixes",
            get(gs1::prefixes).post(gs1::add_prefix),
        )
        .route(
            "/api/v1/enterprises/{uscc}/gs1-prefixes/{prefix}",
            delete(gs1::remove_prefix),
        )
        .route(
            "/api/v1/locations",
            get(gs1::locations).post(gs1::add_location),
        )
        .route("/api/v1/locations/{identifier}", get(gs1::location))
        .route("/api/v1/flow/pack", post(flow::pack))
        .route("/api/v1/flow/unpack", post(flow::unpack))
        .route("/api/v1/flow/ship", post(flow::ship))
        .route("/api/v1/flow/receive", post(flow::receive))
        .route("/api/v1/flow/sell", post(flow::sell))
        .route(
            "/api/v1/enterprises/{uscc}/records",
            post(enterprises::add_record),
        )
        .route(
            "/api/v1/records/{id}/attachments",
            post(enterprises::attach).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/api/v1/attachments/{id}", get(enterprises::attachment))
        .route("/api/v1/enterprises/{uscc}/grade", get(grading::grade))
        .route(
            "/api/v1/enterprises/{uscc}/commitments",
            get(grading::commitments).post(grading::publish_commitment),
        )
        .route(
            "/api/v1/enterprises/{uscc}/commitments/{id}/withdraw",
            post(grading::withdraw_commitment),
        )
        .route("/api/v1/grades/distribution", get(grading::distribution))
        .route("/api/v1/supervision/due", get(grading::due))
        .route(
            "/api/v1/grading/rules",
            get(grading::rules).put(grading::set_rules),
        )
        .route("/api/v1/grading/regrade", post(grading::regrade))
        .route(
            "/api/v1/incidents",
            get(incidents::list).post(incidents::open),
        )
        .route("/api/v1/incidents/{id}", get(incidents::get))
        .route("/api/v1/incidents/{id}/steps", post(incidents::step))
        .route("/api/v1/incidents/{id}/level", post(incidents::level))
        .route("/api/v1/incidents/{id}/links", post(incidents::link))
        .route("/api/v1/incidents/{id}/close", post(incidents::close))
        .route("/api/v1/recalls", get(recalls::list).post(recalls::start))
        .route("/api/v1/recalls/{id}", get(recalls::get))
        .route("/api/v1/recalls/{id}/confirm", post(recalls::confirm))
        .route(
            "/api/v1/recalls/{id}/acknowledge",
            post(recalls::acknowledge),
        )
        .route("/api/v1/recalls/{id}/close", post(recalls::close))
        .route("/api/v1/recalls/{id}/reports", post(recalls::report))
        .route("/api/v1/cases", get(cases::list).post(cases::open))
        .route("/api/v1/cases/{id}", get(cases::get))
        .route("/api/v1/cases/{id}/actions", post(cases::act))
        .route("/api/v1/cases/{id}/files", post(cases::add_file))
        .route("/api/v1/cases/{id}/files/{file}", get(cases::file))
        .route(
            "/api/v1/complaints/{id}/photos/{photo}",
            get(complaints::photo),
        )
        .route("/api/v1/complaints", get(complaints::list))
        .route("/api/v1/complaints/{id}", get(complaints::get))
        .route("/api/v1/complaints/{id}/actions", post(complaints::act))
        .route("/api/v1/licences", post(licences::apply))
        .route("/api/v1/licences/{id}", get(licences::get))
        .route(
            "/api/v1/licences/{id}/transitions",
            post(licences::transition),
        )
        .route(
            "/api/v1/printers",
            post(organisations::create_printer).get(organisations::list_printers),
        )
        .route(
            "/api/v1/printers/{uscc}/filing",
            post(organisations::file_printer),
        )
        .route(
            "/api/v1/printers/{uscc}/filing/revoke",
            post(organisations::revoke_filing),
        )
        .route("/api/v1/labs", post(organisations::create_lab))
        .route(
            "/api/v1/registrations",
            get(registrations::list).post(registrations::submit.layer(from_fn_with_state(
                state.clone(),
                crate::ratelimit::limit_joining,
            ))),
        )
        .route("/api/v1/registrations/{id}", get(registrations::get))
        .route(
            "/api/v1/registrations/{id}/status",
            get(registrations::status),
        )
        .route(
            "/api/v1/registrations/{id}/decision",
            post(registrations::decide),
        )
        .route(
            "/api/v1/sampling/plans",
            get(sampling::list_plans).post(sampling::create_plan),
        )
        .route("/api/v1/sampling/plans/{id}", get(sampling::get_plan))
        .route(
            "/api/v1/sampling/plans/{id}/draw",
            get(sampling::get_draw).post(sampling::draw_plan),
        )
        .route(
            "/api/v1/sampling/plans/{id}/approve",
            post(plan_life::approve),
        )
        .route(
            "/api/v1/sampling/plans/{id}/publish",
            post(plan_life::publish),
        )
        .route("/api/v1/sampling/plans/{id}/tasks", get(plan_life::tasks))
        .route(
            "/api/v1/sampling/plans/{id}/progress",
            get(plan_life::progress),
        )
        .route(
            "/api/v1/sampling/samples/{id}/photos",
            get(sample_photos::list)
                .post(sample_photos::add)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/api/v1/sampling/samples/{id}/photos/{photo}",
            get(sample_photos::get),
        )
        .route(
            "/api/v1/sampling/tasks/{id}/sample",
            post(sampling::record_sample),
        )
        .route("/api/v1/sampling/samples/{id}", get(sampling::get_sample))
        .route(
            "/api/v1/sampling/samples/{id}/report",
            get(sampling::get_report).post(sampling::file_report),
        )
        .route("/api/v1/sampling/lab-samples", get(sampling::lab_samples))
        .route("/api/v1/sampling/notices", get(notices::list))
        .route("/api/v1/sampling/stats", get(sampling_stats::stats))
        .route("/api/v1/sampling/stats.xlsx", get(sampling_stats::xlsx))
        .route("/api/v1/trace/code/{code}", get(trace::code))
        .route("/api/v1/trace/batch/{product}/{lot}", get(trace::batch))
        .route("/api/v1/recall-reach", post(trace::reach))
        .route("/api/v1/risk-signals", get(risk::list))
        .route("/api/v1/signals", post(warnings::import))
        .route("/api/v1/risk/detect", post(warnings::detect))
        .route("/api/v1/warnings", get(warnings::list))
        .route("/api/v1/warnings/{id}", get(warnings::get))
        .route(
            "/api/v1/warnings/{id}/transitions",
            post(warnings::transition),
        )
        .route("/api/v1/warnings/{id}/publish", post(warnings::publish))
        .route("/api/v1/public-warnings", get(warnings::public_list))
        .route(
            "/api/v1/sampling/report-template",
            get(sampling::report_template),
        )
        .route(
            "/api/v1/sampling/samples/{id}/report/upload",
            post(sampling::upload_report).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/api/v1/sampling/samples/{id}/rectification",
            get(sampling::get_rectification).post(sampling::order_rectification),
        )
        .route(
            "/api/v1/sampling/samples/{id}/rectification/report",
            post(sampling::report_rectification),
        )
        .route(
            "/api/v1/sampling/samples/{id}/rectification/follow-up",
            post(sampling::follow_up_rectification),
        )
        .route(
            "/api/v1/sampling/samples/{id}/rectification/escalate",
            post(sampling::escalate_rectification),
        )
        .route(
            "/api/v1/sampling/plans/{id}/announce",
            post(announcements::announce),
        )
        .route("/api/v1/announcements", get(announcements::list))
        .route("/api/v1/announcements/{id}", get(announcements::get))
        .route("/", get(portal::home))
        .route("/enterprises", get(portal::enterprises_page))
        .route("/enterprises/{uscc}", get(portal::profile_page))
        .route("/penalties", get(portal::penalties_page))
        .route("/penalties.atom", get(portal::penalties_feed))
        .route("/warnings.atom", get(portal::warnings_feed))
        .route("/announcements.atom", get(portal::announcements_feed))
        .route("/recalls.atom", get(public_recalls::feed))
        .route("/blacklist.atom", get(blacklist::feed))
        .route("/api/v1/public-enterprises", get(portal::enterprises))
        .route("/api/v1/public-enterprises/{uscc}", get(portal::enterprise))
        .route("/api/v1/public-penalties", get(portal::penalties))
        .route("/announcements", get(announcements::page_list))
        .route("/recalls", get(public_recalls::page_list))
        .route("/blacklist", get(blacklist::page))
        .route(
            "/api/v1/blacklist",
            get(blacklist::list).post(blacklist::add),
        )
        .route("/api/v1/blacklist/{id}/remove", post(blacklist::remove))
        .route("/recalls/{id}", get(public_recalls::page_one))
        .route("/api/v1/public-recalls", get(public_recalls::list))
        .route("/api/v1/public-recalls/{id}", get(public_recalls::one))
        .route("/announcements/{id}", get(announcements::page_one))
        .route("/announcements/{id}/results.csv", get(announcements::csv))
        .route("/announcements/{id}/results.xlsx", get(announcements::xlsx))
        .route(
            "/api/v1/sampling/samples/{id}/result",
            get(sampling::sample_result),
        )
        .route(
            "/api/v1/sampling/samples/{id}/objection",
            post(sampling::object),
        )
        .route(
            "/api/v1/sampling/samples/{id}/objection/decide",
            post(sampling::decide_objection),
        )
        .route(
            "/api/v1/sampling/samples/{id}/confirm",
            post(sampling::confirm_sample),
        )
        .route(
            "/api/v1/code-applications",
            get(codes::applications).post(codes::apply),
        )
        .route("/api/v1/code-applications/{id}", get(codes::application))
        .route(
            "/api/v1/code-applications/{id}/approve",
            post(codes::approve),
        )
        .route("/api/v1/code-applications/{id}/refuse", post(codes::refuse))
        .route("/api/v1/segments", get(codes::segments))
        .route("/api/v1/segments/{id}", get(codes::segment))
        .route("/api/v1/segments/{id}/codes", get(codes::codes))
        .route(
            "/api/v1/print-jobs",
            get(codes::print_jobs).post(codes::create_print_job),
        )
        .route("/api/v1/print-jobs/{id}", get(codes::print_job))
        .route(
            "/api/v1/print-jobs/{id}/confirm",
            post(codes::confirm_print_job),
        )
        .route("/api/v1/activations", post(codes::activate))
        .route(
            "/api/v1/activations/upload",
            post(codes::activate_upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/api/v1/batches", get(codes::batches))
        .route("/api/v1/batches/{id}", get(codes::batch))
        .route("/api/v1/batches/{id}/dossier", get(dossier::dossier))
        .route("/api/v1/batches/{id}/recall", post(codes::recall))
        .route(
            "/api/v1/batches/{id}/decommission",
            post(codes::decommission),
        )
        .route(
            "/api/v1/terminals",
            get(codes::terminals).post(codes::create_terminal),
        )
        .route(
            "/api/v1/terminals/register",
            post(shop_terminals::register.layer(from_fn_with_state(
                state.clone(),
                crate::ratelimit::limit_joining,
            ))),
        )
        .route(
            "/api/v1/terminals/{id}/suspend",
            post(shop_terminals::suspend),
        )
        .route("/api/v1/counterfeit-signals", get(codes::signals))
        .route("/api/v1/codes/{code}/history", get(codes::history))
        .route("/api/v1/codes/{code}/label", get(codes::label))
        .route("/api/v1/print-jobs/{id}/sheet", get(codes::sheet))
        .route("/api/v1/segments/{id}/own-print", post(codes::own_print))
        .merge(
            Router::new()
                .route("/api/v1/verify/{code}", get(verify::verify))
                .route("/api/v1/sms", post(verify::sms))
                .route("/api/v1/complaints", post(complaints::file))
                .route(
                    "/complaints",
                    get(complaint_pages::form).post(complaint_pages::file),
                )
                .route("/complaints/track", get(complaint_pages::track))
                .route("/complaints/track/photos", post(complaint_pages::add_photo))
                .route(
                    "/api/v1/complaints/track/{tracking_number}",
                    get(complaints::track),
                )
                .route(
                    "/api/v1/complaints/track/{tracking_number}/photos",
                    post(complaints::add_photo),
                )
                .route("/q", get(verify::form))
                .route("/q/{code}", get(verify::page))
                .route("/01/{gtin}/21/{serial}", get(verify::digital_link))
                .layer(from_fn_with_state(
                    state.clone(),
                    crate::ratelimit::limit_verification,
                )),
        )
}

/// A stored file (a photo, an evidence document) as a private, cacheable download whose
/// type the browser may not second-guess.
pub(crate) fn private_file(media_type: String, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, media_type),
            (header::CACHE_CONTROL, "private, max-age=86400".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        bytes,
    )
        .into_response()
}
