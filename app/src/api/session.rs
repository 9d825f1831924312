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
    let ip = super::ssr::client_ip().await;
    let agent = super::ssr::user_agent().await;
    let login =
        formseal_core::accounts::login(&state, username.trim(), &password, code.as_deref(), ip, agent.as_deref());
    let token = login.await.map_err(super::ssr::public)?;
    super::ssr::set_session_cookie(&state, &token, true);
    Ok(())
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

#[server(prefix = "/admin/fn", endpoint = "two-factor-disable")]
pub async fn two_factor_disable(password: String) -> Result<(), ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    formseal_core::accounts::disable_two_factor(&state, &operator, &password).await.map_err(super::ssr::public)
}
