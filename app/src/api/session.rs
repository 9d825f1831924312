//! Server functions about the person's own session: who am I, keep alive,
//! unlock after the idle lock, own sessions, log out everywhere.

use formseal_model::Role;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ConsoleError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WhoAmI {
    pub username: String,
    pub role: Role,
    /// Inactivity after which the session ends.
    pub idle_ms: i64,
    pub two_factor: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PasswordStatus {
    pub username: String,
    /// Someone else set the password: nothing else works until it is replaced.
    pub must_change: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionItem {
    pub id: String,
    pub created: String,
    pub last_seen: String,
    pub ip: String,
    pub agent: String,
    pub current: bool,
}

#[server(prefix = "/admin/fn", endpoint = "me")]
pub async fn me() -> Result<WhoAmI, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let two_factor =
        formseal_core::accounts::two_factor_enabled(&state, &operator.username).await.map_err(super::ssr::public)?;
    Ok(WhoAmI { username: operator.username, role: operator.role, idle_ms: state.config.session_idle_ms, two_factor })
}

/// Called while the person is active, so the session does not end under them.
#[server(prefix = "/admin/fn", endpoint = "keep-alive")]
pub async fn keep_alive() -> Result<(), ConsoleError> {
    super::ssr::operator().await.map(drop)
}

/// Logs in again from the lock screen, without leaving the page.
#[server(prefix = "/admin/fn", endpoint = "unlock")]
pub async fn unlock(username: String, password: String, code: Option<String>) -> Result<(), ConsoleError> {
    let state = super::ssr::state()?;
    super::ssr::log_in(&state, &username, &password, code.as_deref()).await.map(drop)
}

#[server(prefix = "/admin/fn", endpoint = "sessions")]
pub async fn my_sessions() -> Result<Vec<SessionItem>, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let token = super::ssr::session_token().await.unwrap_or_default();
    let sessions = formseal_core::accounts::my_sessions(&state, &token, &operator).await.map_err(super::ssr::public)?;
    let time = |ms: i64| formseal_core::time::rfc3339_ms(ms).replace('T', " ").chars().take(19).collect::<String>();
    Ok(sessions
        .into_iter()
        .map(|s| SessionItem {
            id: s.id,
            created: time(s.created_ms),
            last_seen: time(s.last_seen_ms),
            ip: s.ip,
            agent: s.agent,
            current: s.current,
        })
        .collect())
}

#[server(prefix = "/admin/fn", endpoint = "logout-everywhere")]
pub async fn logout_everywhere() -> Result<(), ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    formseal_core::accounts::logout_everywhere(&state, &operator).await.map_err(super::ssr::public)?;
    super::ssr::set_session_cookie(&state, "", false);
    leptos_axum::redirect("/admin/login");
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TwoFactorSetup {
    pub secret: String,
    pub url: String,
    /// The otpauth link as a QR code (SVG markup made by the server from the link).
    pub qr_svg: String,
}

#[server(prefix = "/admin/fn", endpoint = "two-factor-begin")]
pub async fn two_factor_begin() -> Result<TwoFactorSetup, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let (secret, url, qr_svg) =
        formseal_core::accounts::begin_two_factor(&state, &operator).await.map_err(super::ssr::public)?;
    Ok(TwoFactorSetup { secret, url, qr_svg })
}

/// Returns the recovery codes, shown once.
#[server(prefix = "/admin/fn", endpoint = "two-factor-enable")]
pub async fn two_factor_enable(code: String) -> Result<Vec<String>, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    formseal_core::accounts::enable_two_factor(&state, &operator, &code).await.map_err(super::ssr::public)
}

/// Needs the password and a current code (or a recovery code).
#[server(prefix = "/admin/fn", endpoint = "two-factor-disable")]
pub async fn two_factor_disable(password: String, code: String) -> Result<(), ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let ip = super::ssr::client_ip().await;
    formseal_core::accounts::disable_two_factor(&state, &operator, &password, Some(&code), ip)
        .await
        .map_err(super::ssr::public)
}

/// Whether this account must replace its password before anything else.
#[server(prefix = "/admin/fn", endpoint = "password-state")]
pub async fn password_state() -> Result<PasswordStatus, ConsoleError> {
    let state = super::ssr::state()?;
    let token = super::ssr::session_token().await;
    let (operator, must_change) = formseal_core::accounts::authenticate_to_change_password(&state, token.as_deref())
        .await
        .map_err(super::ssr::public)?;
    Ok(PasswordStatus { username: operator.username, must_change })
}

/// The holder changes their own password (the current one first); every other
/// session of the account ends.
#[server(prefix = "/admin/fn", endpoint = "change-password")]
pub async fn change_password(current: String, new: String, repeat: String) -> Result<(), ConsoleError> {
    let state = super::ssr::state()?;
    if new != repeat {
        return Err(super::ssr::public(formseal_core::Error::BadRequest(
            "the two new passwords differ; type the same one twice".into(),
        )));
    }
    let token = super::ssr::session_token().await.unwrap_or_default();
    let ip = super::ssr::client_ip().await;
    formseal_core::accounts::change_password(&state, &token, &current, &new, ip).await.map_err(super::ssr::public)?;
    leptos_axum::redirect("/admin/account?password=changed");
    Ok(())
}
