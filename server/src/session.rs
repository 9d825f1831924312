//! The console's session for the HTTP handlers outside the server functions
//! (exports, the audit export, access reports): one extractor turns the session
//! cookie into the logged-in [`Operator`], or answers 401 before the handler runs.
//! What the operator may do is then the core's check, as everywhere.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use formseal_core::AppState;
use formseal_core::accounts::{self, Operator};

use crate::error::ApiError;

/// The operator whose session cookie came with the request.
pub struct SignedIn(pub Operator);

impl<S> FromRequestParts<S> for SignedIn
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let cookies = parts.headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok());
        let token = formseal_core::cookies::read(&state.config, formseal_core::cookies::SESSION, cookies);
        Ok(SignedIn(accounts::authenticate(&state, token.as_deref()).await?))
    }
}
