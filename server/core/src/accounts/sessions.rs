//! Log-ins and sessions: the throttled log-in (with the second factor and the
//! device cookie that exempts a known browser from the account-wide limit), the
//! operator behind a session token, and ending sessions.

use std::net::IpAddr;

use ed25519_dalek::Signer as _;
use formseal_model::{b64_decode, b64_encode, digest};

use super::credentials::{SecondFactor, second_factor};
use super::{DEVICE_DAYS, MAX_PASSWORD_CHARS, MAX_USERNAME_BYTES, Operator, stored_role};
use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::random;
use crate::state::AppState;
use crate::time::now_ms;

/// Where a log-in comes from.
#[derive(Clone, Copy, Debug, Default)]
pub struct Client<'a> {
    /// The client's address (behind trusted proxies, the forwarded one).
    pub ip: Option<IpAddr>,
    pub agent: Option<&'a str>,
    /// The device cookie this browser got at an earlier log-in, if any.
    pub device: Option<&'a str>,
}

/// A session just opened.
#[derive(Debug)]
pub struct LoggedIn {
    pub token: String,
    /// A fresh device cookie for this browser and account.
    pub device: String,
    /// The password must be changed before anything else works.
    pub must_change_password: bool,
}

/// Checks the password and opens a session. Every attempt is counted before the
/// password is checked ([`crate::throttle`]); too many failures refuse further
/// attempts for a while, with the same answer whether or not the account exists.
pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
    code: Option<&str>,
    client: &Client<'_>,
) -> Result<LoggedIn> {
    // No account has a longer name or password (creating and inviting refuse them):
    // such an attempt is a wrong one, answered before its text reaches the throttle's
    // table, the server log or the audit log, which it could otherwise flood.
    if username.len() > MAX_USERNAME_BYTES || password.chars().count() > MAX_PASSWORD_CHARS {
        tracing::warn!(user_bytes = username.len(), "failed log-in: name or password longer than any account's");
        return Err(Error::BadCredentials);
    }
    let known = client.device.is_some_and(|d| device_known(state, username, d));
    let attempt = match state.login_throttle.begin(username, client.ip, known, now_ms()) {
        Ok(attempt) => attempt,
        Err(refused) => {
            // Once per window and key: a flood of refused attempts adds one record.
            if refused.first {
                audit::record_or_log(state, username, Action::LoginFailed, username, "throttled").await;
            }
            return Err(Error::TooManyAttempts(refused.wait_seconds.div_ceil(60)));
        }
    };
    let account = state.store.account(username).await?;
    let ok = state.passwords.matches(password.to_owned(), account.as_ref().map(|a| a.password_hash.clone())).await?;
    let account = match account {
        Some(a) if ok && !a.disabled && a.totp_secret.is_some() => {
            match second_factor(state, &a, code.map(str::trim).filter(|c| !c.is_empty())).await? {
                // The password was right; the attempt stays counted until the code is.
                SecondFactor::Missing => return Err(Error::SecondFactorRequired),
                SecondFactor::Passed => Some(a),
                SecondFactor::Wrong => None,
            }
        }
        other => other.filter(|_| ok),
    };
    let ip_text = client.ip.map(|i| i.to_string()).unwrap_or_default();
    match account {
        Some(a) if !a.disabled => {
            state.login_throttle.succeeded(attempt);
            let token = random::token(32)?;
            let now = now_ms();
            state
                .store
                .create_session(
                    &token_hash(&token),
                    &a.username,
                    now,
                    now + state.config.session_max_ms,
                    client.ip.map(|i| i.to_string()).as_deref(),
                    client.agent.map(|a| a.chars().take(200).collect::<String>()).as_deref(),
                )
                .await?;
            tracing::info!(user = ?a.username, "logged in");
            audit::record(state, &a.username, Action::Login, &a.username, &ip_text).await?;
            Ok(LoggedIn {
                token,
                device: device_token(state, &a.username),
                must_change_password: a.must_change_password(),
            })
        }
        _ => {
            drop(attempt);
            // Quoted and escaped (`?`): the name is whatever was typed into the form.
            tracing::warn!(user = ?username, "failed log-in");
            audit::record_or_log(state, username, Action::LoginFailed, username, &ip_text).await;
            Err(Error::BadCredentials)
        }
    }
}

/// The signed statement a device cookie carries: this browser logged in to this
/// account at this time. Signed with the instance key, so every replica can check
/// it and nothing is stored.
fn device_message(username: &str, issued_ms: i64) -> Vec<u8> {
    format!("formseal/v1/device\n{}\n{issued_ms}", username.to_lowercase()).into_bytes()
}

fn device_token(state: &AppState, username: &str) -> String {
    let issued = now_ms();
    let signature = state.keys.active().signing_key().sign(&device_message(username, issued));
    format!("{issued}.{}", b64_encode(&signature.to_bytes()))
}

/// Whether `token` is a device cookie for `username` that is still in its time,
/// signed by any of the instance's keys (old ones included).
fn device_known(state: &AppState, username: &str, token: &str) -> bool {
    let Some((issued, signature)) = token.split_once('.') else { return false };
    let (Ok(issued), Some(signature)) = (issued.parse::<i64>(), b64_decode(signature)) else { return false };
    let Ok(signature) = ed25519_dalek::Signature::from_slice(&signature) else { return false };
    let now = now_ms();
    if issued > now + 60_000 || now - issued > DEVICE_DAYS * 86_400_000 {
        return false;
    }
    let message = device_message(username, issued);
    state.keys.all().any(|k| k.verifying_key().verify_strict(&message, &signature).is_ok())
}

/// The operator behind a session token, if the session is alive; keeps it alive.
/// An account whose password must be changed first gets
/// [`Error::PasswordChangeRequired`] here, so no operation runs for it.
pub async fn authenticate(state: &AppState, token: Option<&str>) -> Result<Operator> {
    session_operator(state, token, false).await
}

/// As [`authenticate`], also for an account that must change its password: for
/// the password page, which is all such an account can use.
pub async fn authenticate_to_change_password(state: &AppState, token: Option<&str>) -> Result<(Operator, bool)> {
    let operator = session_operator(state, token, true).await?;
    let must = state.store.account(&operator.username).await?.is_some_and(|a| a.must_change_password());
    Ok((operator, must))
}

pub(super) async fn session_operator(state: &AppState, token: Option<&str>, password_change: bool) -> Result<Operator> {
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
    if account.must_change_password() && !password_change {
        return Err(Error::PasswordChangeRequired);
    }
    // An account whose role this version does not know gets nothing (and the log
    // says why).
    let role = stored_role(&account.username, &account.role).map_err(|e| {
        tracing::warn!(error = %e, "session refused");
        Error::Unauthenticated
    })?;
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
        audit::record_or_log(state, &session.username, Action::Logout, &session.username, "").await;
    }
    state.store.delete_session(&hash).await
}

/// One of a person's sessions, as their own list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    /// A short, non-secret handle (the start of the token's hash).
    pub id: String,
    pub created_ms: i64,
    pub last_seen_ms: i64,
    pub ip: String,
    pub agent: String,
    pub current: bool,
}

/// The live sessions of the person behind `token`.
pub async fn my_sessions(state: &AppState, token: &str, operator: &Operator) -> Result<Vec<SessionInfo>> {
    let mine = token_hash(token);
    let now = now_ms();
    Ok(state
        .store
        .sessions_of(&operator.username)
        .await?
        .into_iter()
        .filter(|s| now <= s.expires_ms && now - s.last_seen_ms <= state.config.session_idle_ms)
        .map(|s| {
            let hash = s.token_hash.unwrap_or_default();
            SessionInfo {
                id: hash.chars().take(8).collect(),
                created_ms: s.created_ms.unwrap_or(s.last_seen_ms),
                last_seen_ms: s.last_seen_ms,
                ip: s.ip.unwrap_or_default(),
                agent: s.agent.unwrap_or_default(),
                current: hash == mine,
            }
        })
        .collect())
}

/// Ends every session of this person, on every device (this one included).
pub async fn logout_everywhere(state: &AppState, operator: &Operator) -> Result<()> {
    state.store.delete_sessions_of(&operator.username).await?;
    audit::record(state, &operator.username, Action::Logout, &operator.username, "everywhere").await
}

pub(super) fn token_hash(token: &str) -> String {
    b64_encode(&digest(token.as_bytes()))
}
