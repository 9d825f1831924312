//! The client's address for the rate limits: the TCP peer, or behind the
//! operator's trusted proxies the forwarded address ([`formseal_core::client`]),
//! counted per IPv6 /64 as the log-in throttle counts.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, State};
use axum::http::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use formseal_core::client::TrustedProxies;
use formseal_core::throttle::counted_address;
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use tower_governor::GovernorError;
use tower_governor::key_extractor::KeyExtractor;

use crate::error::ApiError;

/// The key of the per-client rate limits.
#[derive(Clone, Debug, Default)]
pub struct ClientKey {
    pub trusted: Arc<TrustedProxies>,
}

impl ClientKey {
    pub fn new(trusted: &TrustedProxies) -> Self {
        ClientKey { trusted: Arc::new(trusted.clone()) }
    }

    /// The client's address of a request (without connection info, e.g. in a test
    /// that calls the router directly: none).
    pub fn address<T>(&self, req: &Request<T>) -> Option<IpAddr> {
        let peer = req.extensions().get::<ConnectInfo<SocketAddr>>()?.0.ip();
        let values = |name| req.headers().get_all(name).iter().filter_map(|v| v.to_str().ok());
        Some(self.trusted.client(peer, values("x-forwarded-for"), values("forwarded")))
    }
}

impl KeyExtractor for ClientKey {
    type Key = IpAddr;

    fn extract<T>(&self, req: &Request<T>) -> Result<Self::Key, GovernorError> {
        self.address(req).map(counted_address).ok_or(GovernorError::UnableToExtractKey)
    }
}

/// The limit on the console's server functions (`/admin/fn/…`), per client
/// address: a person clicking through the console stays far below it; a script
/// hammering the log-in or any other function gets 429 with `Retry-After`.
#[derive(Clone)]
pub struct ConsoleLimit {
    pub key: ClientKey,
    pub limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl ConsoleLimit {
    /// `burst` calls at once, refilled at `per_second`.
    pub fn new(key: ClientKey, burst: u32, per_second: u32) -> Self {
        let burst = std::num::NonZeroU32::new(burst.max(1)).unwrap_or(std::num::NonZeroU32::MIN);
        let rate = std::num::NonZeroU32::new(per_second.max(1)).unwrap_or(std::num::NonZeroU32::MIN);
        ConsoleLimit {
            key,
            limiter: Arc::new(DefaultKeyedRateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))),
        }
    }
}

/// A log-in is a user name, a password and perhaps a code: a larger body is refused
/// before it is read, so a flood of 1 MB "user names" costs the server next to nothing.
pub const MAX_LOGIN_BODY_BYTES: usize = 16 * 1024;

pub async fn limit_server_functions(
    State(limit): State<ConsoleLimit>,
    request: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if !path.starts_with("/admin/fn/") {
        return next.run(request).await;
    }
    if let Some(ip) = limit.key.address(&request).map(counted_address)
        && let Err(not_until) = limit.limiter.check_key(&ip)
    {
        let wait = not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1);
        return ApiError(formseal_core::Error::RateLimited(wait)).into_response();
    }
    if matches!(path, "/admin/fn/login" | "/admin/fn/unlock") {
        let too_large = || ApiError(formseal_core::Error::TooLarge(MAX_LOGIN_BODY_BYTES)).into_response();
        let declared = request
            .headers()
            .get(axum::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|bytes| bytes > MAX_LOGIN_BODY_BYTES) {
            return too_large();
        }
        // Without a length (chunked), at most the limit is read.
        let (parts, body) = request.into_parts();
        return match axum::body::to_bytes(body, MAX_LOGIN_BODY_BYTES).await {
            Ok(bytes) => next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await,
            Err(_) => too_large(),
        };
    }
    next.run(request).await
}
