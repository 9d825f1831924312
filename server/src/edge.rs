//! What every request meets before a handler, and every public error on its way
//! out: a bounded request head, and the one JSON error body on the public paths.

use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use formseal_core::Error;

use crate::error::ApiError;

/// The longest request target (path and query) read. Our addresses are short; the
/// HTTP library's own limit is far higher and answers without a body.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// At most this many headers of [`MAX_HEADER_BYTES`] in all: a browser sends about
/// twenty of a few KB. Below the HTTP library's own limits (100 headers, about
/// 400 KB), which answer 431 without a body, so clients get our JSON instead.
pub const MAX_HEADERS: usize = 64;
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Refuses a request whose address or headers are larger than any of ours needs,
/// with 414 or 431 and the JSON error body.
pub async fn bounded_head(request: Request, next: Next) -> Response {
    let target = request.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target > MAX_URI_BYTES {
        return ApiError(Error::UriTooLong(MAX_URI_BYTES)).into_response();
    }
    let headers = request.headers();
    let bytes: usize = headers.iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return ApiError(Error::HeadersTooLarge(MAX_HEADER_BYTES, MAX_HEADERS)).into_response();
    }
    next.run(request).await
}

/// The public API's paths: what widgets, link pages and other programs call, which
/// decide by the error body's code. Pages for people (`GET /f/…`, the console)
/// keep their HTML error pages.
fn public(method: &Method, path: &str) -> bool {
    let reads = method == Method::GET || method == Method::HEAD;
    path == "/api"
        || path.starts_with("/api/")
        || path.starts_with("/.well-known/")
        || path == "/embed.js"
        || (path.starts_with("/f/") && !reads)
}

/// Some 4xx answers do not come from our handlers: the router's 405 (an empty
/// body), an extractor's refusal (plain text), the console's fallback for a POST
/// under `/f/` (HTML). On the public paths each becomes the JSON error body every
/// other refusal has, so no client meets a second format. Headers set on the way
/// (`Allow`, CORS) stay.
pub async fn public_errors_as_json(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let is_public = public(&method, request.uri().path());
    let response = next.run(request).await;
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_public || !response.status().is_client_error() || json {
        return response;
    }
    let error = match response.status() {
        StatusCode::BAD_REQUEST => Error::BadRequest("the request could not be read".into()),
        StatusCode::NOT_FOUND => Error::NoRoute,
        StatusCode::METHOD_NOT_ALLOWED => {
            let allowed = response.headers().get(header::ALLOW).and_then(|v| v.to_str().ok()).unwrap_or("");
            let allowed = allowed.split(',').map(str::trim).filter(|m| !m.is_empty()).collect::<Vec<_>>().join(", ");
            Error::MethodNotAllowed { method: method.to_string(), allowed }
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Error::UnsupportedMediaType,
        StatusCode::URI_TOO_LONG => Error::UriTooLong(MAX_URI_BYTES),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => Error::HeadersTooLarge(MAX_HEADER_BYTES, MAX_HEADERS),
        // Every other 4xx of ours is built from an `Error` already.
        _ => return response,
    };
    let (mut parts, _) = response.into_parts();
    let (json_parts, body) = ApiError(error).into_response().into_parts();
    parts.status = json_parts.status;
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response::from_parts(parts, body)
}
