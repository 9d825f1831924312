//! Console accounts and sessions. Passwords are hashed with argon2id; sessions are
//! random tokens kept by the browser in an HttpOnly cookie and stored here only as
//! their SHA-256.

use std::net::IpAddr;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use formseal_model::{b64_encode, digest};

use crate::audit::{self, action};
use crate::error::{Error, Result};
pub use crate::permissions::{Operator, Role};
use crate::random;
use crate::state::AppState;
use crate::time::now_ms;

pub const OWNER: &str = "owner";

/// On first start (no accounts at all) creates the owner account with a random
/// one-time password and returns it, so the caller can show it once.
pub async fn ensure_owner(state: &AppState) -> Result<Option<String>> {
    if state.store.account_count().await? > 0 {
        return Ok(None);
    }
    let password = random::token(15)?;
    let hash = hash_password(password.clone()).await?;
    state.store.create_account(OWNER, &hash, Role::Owner.as_str()).await?;
    audit::record(state, "system", action::ACCOUNT_CREATED, OWNER, "first start: owner").await?;
    Ok(Some(password))
}

/// Current guidance (NIST SP 800-63B): length matters, composition rules do not.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Creates a console account with the given password and role.
pub async fn create_account(state: &AppState, username: &str, password: &str, role: &str) -> Result<()> {
    let role = Role::parse(role).ok_or_else(|| Error::BadRequest(format!("there is no role {role:?}")))?;
    let username = username.trim();
    if username.is_empty() || username.len() > 100 {
        return Err(Error::BadRequest("the user name must be 1 to 100 characters".into()));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::BadRequest(format!("the password must have at least {MIN_PASSWORD_CHARS} characters")));
    }
    if state.store.account(username).await?.is_some() {
        return Err(Error::BadRequest("this user name is taken".into()));
    }
    let hash = hash_password(password.to_owned()).await?;
    state.store.create_account(username, &hash, role.as_str()).await?;
    audit::record(state, "system", action::ACCOUNT_CREATED, username, &format!("role {}", role.as_str())).await
}

async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&random::bytes::<16>()?).map_err(|e| Error::Internal(e.to_string()))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::Internal(format!("argon2: {e}")))
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?
}

async fn password_matches(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// A hash of a password nobody knows, so an unknown user name takes as long to
/// refuse as a wrong password.
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Lm6BVnGPFRxDqiG2QJI6AlVAJzBKuFnHQoR2HUNrAOs";

/// Checks the password and opens a session; returns the session token. Too many
/// failures for the account or from the address refuse further attempts for a
/// while, with the same answer whether or not the account exists.
pub async fn login(state: &AppState, username: &str, password: &str, ip: Option<IpAddr>) -> Result<String> {
    if let Some(wait) = state.login_throttle.blocked_for(username, ip, now_ms()) {
        audit::record_or_log(state, username, action::LOGIN_FAILED, username, "throttled").await;
        return Err(Error::TooManyAttempts(wait.div_ceil(60)));
    }
    let account = state.store.account(username).await?;
    let hash = account.as_ref().map_or(DECOY_HASH.to_owned(), |a| a.password_hash.clone());
    let ok = password_matches(password.to_owned(), hash).await;
    match account {
        Some(a) if ok && !a.disabled => {
            let token = random::token(32)?;
            let now = now_ms();
            state
                .store
                .create_session(&token_hash(&token), &a.username, now, now + state.config.session_max_ms)
                .await?;
            tracing::info!(user = %a.username, "logged in");
            state.login_throttle.succeeded(username);
            audit::record(
                state,
                &a.username,
                action::LOGIN,
                &a.username,
                &ip.map(|i| i.to_string()).unwrap_or_default(),
            )
            .await?;
            Ok(token)
        }
        _ => {
            tracing::warn!(user = %username, "failed log-in");
            state.login_throttle.failed(username, ip, now_ms());
            let detail = ip.map(|i| i.to_string()).unwrap_or_default();
            audit::record_or_log(state, username, action::LOGIN_FAILED, username, &detail).await;
            Err(Error::BadCredentials)
        }
    }
}

/// The operator behind a session token, if the session is alive; keeps it alive.
pub async fn authenticate(state: &AppState, token: Option<&str>) -> Result<Operator> {
    let token = token.filter(|t| !t.is_empty()).ok_or(Error::Unauthenticated)?;
    let hash = token_hash(token);
    let session = state.store.session(&hash).await?.ok_or(Error::Unauthenticated)?;
    let now = now_ms();
    if now > session.expires_ms || now - session.last_seen_ms > state.config.session_idle_ms {
        state.store.delete_session(&hash).await?;
        return Err(Error::Unauthenticated);
    }
    let account = state.store.account(&session.username).await?.ok_or(Error::Unauthenticated)?;
    if account.disabled {
        return Err(Error::Unauthenticated);
    }
    state.store.touch_session(&hash, now).await?;
    // An account whose role this version does not know gets nothing.
    let role = Role::parse(&account.role).ok_or(Error::Unauthenticated)?;
    Ok(Operator {
        username: account.username,
        role,
        forms: account.forms.unwrap_or_default(),
        personal_forms: account.personal_forms.unwrap_or_default(),
    })
}

pub async fn logout(state: &AppState, token: &str) -> Result<()> {
    let hash = token_hash(token);
    if let Some(session) = state.store.session(&hash).await? {
        audit::record_or_log(state, &session.username, action::LOGOUT, &session.username, "").await;
    }
    state.store.delete_session(&hash).await
}

fn token_hash(token: &str) -> String {
    b64_encode(&digest(token.as_bytes()))
}
