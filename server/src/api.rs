//! The public JSON API that widgets and personal-link pages talk to.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::response::IntoResponse;
use axum::routing::{any, get};
use axum::{Json, Router};
use formseal_core::{AppState, Error, forms, links, pow, submissions};
use formseal_model::link::SignedLinkOpen;
use formseal_model::{SubmissionRequest, ijson};
use governor::middleware::NoOpMiddleware;
use serde_json::{Value, json};
use tower_governor::GovernorError;
use tower_governor::GovernorLayer;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::ServerState;
use crate::client::ClientKey;
use crate::error::{ApiError, ApiResult};

/// Largest accepted submission body. A drawn signature is the bulk of a big one.
pub const MAX_SUBMISSION_BYTES: usize = 256 * 1024;

/// Limits per client address (IPv6: per /64) on the public API (kept in this
/// process: with several replicas, each allows the burst; the load balancer should
/// limit too).
pub type RateLimit = std::sync::Arc<GovernorConfig<ClientKey, NoOpMiddleware>>;

pub fn rate_limit(burst: u32, key: ClientKey) -> Result<RateLimit, Error> {
    GovernorConfigBuilder::default()
        .key_extractor(key)
        .per_second(1)
        .burst_size(burst)
        .finish()
        .map(std::sync::Arc::new)
        .ok_or_else(|| Error::BadRequest("the rate-limit burst must be at least 1".into()))
}

/// Drops the state of clients that have been quiet, so memory stays bounded.
pub async fn forget_quiet_clients(limit: RateLimit, console: crate::client::ConsoleLimit) {
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        limit.limiter().retain_recent();
        console.limiter.retain_recent();
    }
}

fn limited(limit: &RateLimit) -> GovernorLayer<ClientKey, NoOpMiddleware, axum::body::Body> {
    GovernorLayer::new(limit.clone()).error_handler(|e| {
        let err = match e {
            GovernorError::TooManyRequests { wait_time, .. } => Error::RateLimited(wait_time),
            other => Error::Internal(format!("rate limiter: {other}")),
        };
        ApiError(err).into_response()
    })
}

pub fn routes(state: &AppState, limit: &RateLimit) -> Router<ServerState> {
    let forms_api = Router::new()
        .route("/api/v1/forms/{id}", get(get_form))
        .route("/api/v1/forms/{id}/challenge", get(get_challenge))
        .route(
            "/api/v1/forms/{id}/submissions",
            axum::routing::post(post_submission).layer(DefaultBodyLimit::max(MAX_SUBMISSION_BYTES)),
        )
        .route(
            "/api/v1/forms/{id}/events",
            axum::routing::post(post_event).layer(DefaultBodyLimit::max(MAX_EVENT_BYTES)),
        )
        .layer(limited(limit))
        .layer(cors(state.clone()))
        .layer(axum::middleware::from_fn_with_state(
            Preflights { limit: limit.clone(), key: ClientKey::new(&state.config.trusted_proxies) },
            limit_preflights,
        ));
    // Personal links are opened from their page on this origin only: no CORS.
    let links_api = Router::new()
        .route(
            "/api/v1/links/{id}/open",
            axum::routing::post(open_link).layer(DefaultBodyLimit::max(MAX_LINK_OPEN_BYTES)),
        )
        .layer(limited(limit));
    Router::new()
        .merge(forms_api)
        .merge(links_api)
        .route("/.well-known/formseal-keys.json", get(keys))
        // Unknown addresses under the public prefixes get the API's JSON 404, not
        // the console's page.
        .route("/api", any(no_route))
        .route("/api/{*rest}", any(no_route))
        .route("/.well-known/{*rest}", any(no_route))
}

/// The CORS layer answers a preflight (`OPTIONS`) itself, before the rate limit
/// sees it: preflights are counted here against the same per-address allowance, so
/// they cannot be sent without limit either.
#[derive(Clone)]
struct Preflights {
    limit: RateLimit,
    key: ClientKey,
}

async fn limit_preflights(
    State(preflights): State<Preflights>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use governor::clock::{Clock as _, DefaultClock};
    use tower_governor::key_extractor::KeyExtractor as _;
    if request.method() == Method::OPTIONS
        && let Ok(ip) = preflights.key.extract(&request)
        && let Err(not_until) = preflights.limit.limiter().check_key(&ip)
    {
        let wait = not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1);
        return ApiError(Error::RateLimited(wait)).into_response();
    }
    next.run(request).await
}

async fn no_route() -> ApiError {
    ApiError(Error::NoRoute)
}

/// Cross-origin calls are allowed only from the origins each form lists.
fn cors(state: AppState) -> CorsLayer {
    CorsLayer::new()
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        .max_age(std::time::Duration::from_secs(600))
        .allow_origin(AllowOrigin::async_predicate(move |origin: HeaderValue, parts: &Parts| {
            let state = state.clone();
            let form_id = parts
                .uri
                .path()
                .strip_prefix("/api/v1/forms/")
                .and_then(|rest| rest.split('/').next())
                .map(str::to_owned);
            async move {
                let (Some(form_id), Ok(origin)) = (form_id, origin.to_str()) else { return false };
                forms::embeddable(&state, &form_id, origin).await
            }
        }))
}

async fn get_form(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<impl IntoResponse> {
    let version = forms::current(&state, &id).await?;
    // Short cache: a newly published version reaches visitors within a minute.
    Ok(([(header::CACHE_CONTROL, "public, max-age=60")], Json(version)))
}

/// A fresh proof-of-work challenge; each submission needs its own.
async fn get_challenge(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<impl IntoResponse> {
    let challenge = pow::issue(&state, &id).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(challenge)))
}

async fn post_submission(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<impl IntoResponse> {
    forms::require_origin(&state, &id, origin(&headers)?).await?;
    require_json(&headers)?;
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => Error::TooLarge(MAX_SUBMISSION_BYTES),
        _ => Error::BadRequest("the body could not be read".into()),
    })?;
    let request: SubmissionRequest = read_signed(&body, "a submission")?;
    let accepted = submissions::accept(&state, &id, request).await?;
    let status = if accepted.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(accepted.receipt)))
}

/// An event has a stage, a version digest and perhaps a page number.
const MAX_EVENT_BYTES: usize = 512;

/// One funnel event of a page load: counted, nothing about the visitor kept.
async fn post_event(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<impl IntoResponse> {
    forms::require_origin(&state, &id, origin(&headers)?).await?;
    require_json(&headers)?;
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => Error::TooLarge(MAX_EVENT_BYTES),
        _ => Error::BadRequest("the body could not be read".into()),
    })?;
    let event: formseal_model::funnel::Event =
        serde_json::from_slice(&body).map_err(|e| Error::BadRequest(format!("the body is not an event: {e}")))?;
    formseal_core::funnel::record(&state, &id, &event).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A link opening is a link id, a time and a signature.
const MAX_LINK_OPEN_BYTES: usize = 4096;

/// The link page proves it holds the link's secret (a signed, fresh request) and
/// gets the form with the prefill; the first opening is noted.
async fn open_link(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<impl IntoResponse> {
    require_json(&headers)?;
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => Error::TooLarge(MAX_LINK_OPEN_BYTES),
        _ => Error::BadRequest("the body could not be read".into()),
    })?;
    let request: SignedLinkOpen = read_signed(&body, "a link opening")?;
    let view = links::open(&state, &id, &request).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(view)))
}

/// The page that sent the request, if a browser says so. A header that is not
/// text is no origin any form lists.
fn origin(headers: &HeaderMap) -> Result<Option<&str>, Error> {
    headers
        .get(header::ORIGIN)
        .map(|value| {
            value.to_str().map_err(|_| Error::OriginNotAllowed(String::from_utf8_lossy(value.as_bytes()).into()))
        })
        .transpose()
}

/// The bodies read here are JSON and nothing else. A browser sends `text/plain`
/// (or a form encoding) across origins without asking first (no CORS preflight);
/// insisting on `application/json` means another site's page can only send after
/// the preflight that the form's embed origins decide.
fn require_json(headers: &HeaderMap) -> Result<(), Error> {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(str::trim);
    match media_type {
        Some(media_type) if media_type.eq_ignore_ascii_case("application/json") => Ok(()),
        _ => Err(Error::UnsupportedMediaType),
    }
}

/// Reads a body that is (or carries) a signed object: as I-JSON, so a member name
/// twice is refused and never read last-wins (see `formseal_model::ijson`).
fn read_signed<T: serde::de::DeserializeOwned>(body: &[u8], what: &str) -> Result<T, Error> {
    ijson::from_slice(body).map_err(|e| match e {
        ijson::ReadError::Duplicate(duplicate) => Error::DuplicateMember(duplicate),
        ijson::ReadError::Json(e) => Error::BadRequest(format!("the body is not {what}: {e}")),
    })
}

async fn keys(State(state): State<AppState>) -> impl IntoResponse {
    let body: Value = json!({ "keys": state.keys.public_entries() });
    ([(header::CACHE_CONTROL, "public, max-age=300")], Json(body))
}
