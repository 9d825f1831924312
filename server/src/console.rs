//! The operator console: Leptos pages under `/admin`, their server functions under
//! `/admin/fn`, and the built assets under `/pkg`.

use app::api::ConsoleError;
use app::{App, shell};
use axum::Router;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::{Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{LeptosRoutes, ResponseOptions, generate_route_list};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::ServerState;

/// The largest request body the console takes.
pub const MAX_CONSOLE_BODY_BYTES: usize = 4 * 1024 * 1024;

pub fn routes(state: &ServerState) -> Router<ServerState> {
    let app_state = state.app.clone();
    let routes = generate_route_list(App);
    Router::new()
        .route("/", get(|| async { Redirect::to("/admin") }))
        .route("/admin/preview.css", get(preview_css))
        .route("/admin/audit/export", get(crate::audit_export::export))
        .route("/admin/requests/{id}/report.html", get(crate::request_report::html))
        .route("/admin/requests/{id}/report.json", get(crate::request_report::json))
        .route("/admin/forms/{form}/export", post(crate::export::export))
        .leptos_routes_with_context(
            state,
            routes,
            move || {
                provide_context(app_state.clone());
                content_security_policy();
            },
            {
                let options = state.leptos.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<ServerState, _>(shell))
        .layer(middleware::from_fn(status_from_error_code))
        .layer(middleware::from_fn_with_state(state.app.config.public_url.clone(), same_origin_writes))
        .layer(middleware::from_fn_with_state(state.console_limit.clone(), crate::client::limit_server_functions))
        // The largest thing the console sends is a CSV of personal links (5,000 rows).
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_CONSOLE_BODY_BYTES))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
}

/// A strict policy for every console page: scripts only from here or carrying
/// this response's nonce (Leptos puts it on its hydration scripts), wasm allowed to
/// compile, no inline styles, no framing by anyone.
fn content_security_policy() {
    let nonce = Nonce::new();
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
         form-action 'self'; object-src 'none'"
    );
    if let (Some(response), Ok(value)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(&policy)) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
    provide_context(nonce);
}

/// The widget's own style sheet for the designer's live preview: the same rules,
/// scoped to the preview box instead of a shadow root.
async fn preview_css() -> impl IntoResponse {
    static CSS: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| include_str!("../../widget/style.css").replace(":host", ".fs-preview"));
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], CSS.as_str())
}

/// Leptos answers every server function error with 500 unless the function set
/// another status (ours do, through `ssr::public`). A call whose arguments cannot
/// be read (not a number, wrong JSON shape, missing) never reaches the function:
/// its error still carries its code (the caller's mistake: `bad_request`), and the
/// status follows the code.
async fn status_from_error_code(request: Request, next: Next) -> Response {
    let server_fn = request.uri().path().starts_with("/admin/fn/");
    let response = next.run(request).await;
    if !server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<ConsoleError>(&bytes) {
        parts.status = StatusCode::from_u16(error.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// CSRF defence in depth (the session cookie is already SameSite=Strict): a
/// state-changing console request must come from our own origin.
async fn same_origin_writes(
    axum::extract::State(public_url): axum::extract::State<String>,
    request: Request,
    next: Next,
) -> Response {
    let writes = request.method() != Method::GET && request.method() != Method::HEAD;
    if writes && request.uri().path().starts_with("/admin") {
        let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
        let origin = request.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok());
        let same =
            |o: &str| o == public_url || o.strip_prefix("http://").or_else(|| o.strip_prefix("https://")) == Some(host);
        // A form posted from a console page (the export download) says `Origin: null`,
        // because console pages send no referrer; the browser's own Sec-Fetch-Site
        // (which pages cannot set) then tells whether it came from our origin.
        let fetch_site = request.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok());
        let ours = |o: &str| same(o) || (o == "null" && fetch_site == Some("same-origin"));
        // Browsers send Origin on every cross-site POST; a request without one is
        // not from a browser page of another site.
        if origin.is_some_and(|o| !ours(o)) {
            return (StatusCode::FORBIDDEN, "cross-origin request refused").into_response();
        }
    }
    next.run(request).await
}
