//! Per-client rate limits on the public endpoints (verification, the `/q` page, SMS,
//! applications to join): a guesser must not try codes faster than a person scans them,
//! nor a script fill a bureau's queue faster than a person fills the form.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;
use crate::state::AppState;

/// A keyed limiter, or none when the limit is 0 (unlimited).
pub struct RateLimit {
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

impl RateLimit {
    /// At most `n` requests per second per client, with bursts of `n`; 0 = unlimited.
    pub fn per_second(n: u32) -> RateLimit {
        RateLimit {
            limiter: NonZeroU32::new(n).map(|n| RateLimiter::keyed(Quota::per_second(n))),
        }
    }

    /// At most `n` requests per minute per client, with bursts of `n`; 0 = unlimited.
    pub fn per_minute(n: u32) -> RateLimit {
        RateLimit {
            limiter: NonZeroU32::new(n).map(|n| RateLimiter::keyed(Quota::per_minute(n))),
        }
    }

    /// Whether a request from `client` may go ahead now.
    pub fn check(&self, client: IpAddr) -> bool {
        let Some(l) = &self.limiter else {
            return true;
        };
        if l.len() > 100_000 {
            // Forget clients whose buckets are full again, so the table cannot grow without bound.
            l.retain_recent();
        }
        l.check_key(&client).is_ok()
    }
}

/// The caller's address; requests without one (in-process tests) share one bucket.
fn client(req: &Request) -> IpAddr {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip())
}

/// Middleware: 429 problem+json when the caller's IP is over the verification limit.
pub async fn limit_verification(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if state.verify_limit.check(client(&req)) {
        next.run(req).await
    } else {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many verifications from your address; try again in a moment",
        )
        .into_response()
    }
}

/// Middleware: 429 problem+json when the caller's IP sends applications to join faster
/// than a person fills the form (`join_rate_limit` per minute).
pub async fn limit_joining(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state.join_limit.check(client(&req)) {
        next.run(req).await
    } else {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many applications from your address; try again in a minute",
        )
        .into_response()
    }
}
