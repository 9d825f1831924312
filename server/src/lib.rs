//! The Formseal server: wires the domain ([`formseal_core`]) and the console
//! ([`app`]) into one axum router, and runs it.

pub mod api;
pub mod audit_export;
pub mod cli;
pub mod client;
pub mod console;
pub mod edge;
pub mod embed;
pub mod error;
pub mod export;
pub mod health;
pub mod link_page;
pub mod listener;
pub mod request_report;
pub mod serve;
pub mod session;
pub mod texts;
pub mod verify;

use axum::Router;
use axum::extract::FromRef;
use formseal_core::AppState;
use leptos::prelude::LeptosOptions;

/// The router's state: the domain's [`AppState`] plus what Leptos needs.
#[derive(Clone)]
pub struct ServerState {
    pub app: AppState,
    pub leptos: LeptosOptions,
    /// Per-client-address limits on the public API.
    pub rate_limit: api::RateLimit,
    /// Per-client-address limit on the console's server functions.
    pub console_limit: client::ConsoleLimit,
}

impl FromRef<ServerState> for AppState {
    fn from_ref(s: &ServerState) -> Self {
        s.app.clone()
    }
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(s: &ServerState) -> Self {
        s.leptos.clone()
    }
}

/// Every route Formseal serves.
pub fn router(state: ServerState) -> Router {
    let routes = Router::new()
        .merge(api::routes(&state.app, &state.rate_limit))
        .merge(embed::routes(&state.leptos.site_root))
        .merge(link_page::routes(&state.leptos.site_root))
        .merge(health::routes())
        .merge(console::routes(&state))
        .with_state(state);
    // Around the whole router as one service, not each route: a layer on the
    // routes would see a 405 before the router adds its `Allow` header.
    Router::new()
        .fallback_service(routes)
        .layer(axum::middleware::from_fn(edge::public_errors_as_json))
        .layer(axum::middleware::from_fn(edge::bounded_head))
        .layer(axum::middleware::from_fn(listener::request_deadline))
        .layer(serve::trace_layer())
}
