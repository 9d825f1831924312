//! What an account holder proves and changes about their own credentials: the
//! second factor (authenticator codes, recovery codes), the password, and the
//! owner's reset on the command line.

use std::net::IpAddr;

use super::sessions::{session_operator, token_hash};
use super::{AccountRow, MAX_PASSWORD_CHARS, Operator, check_password};
use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::random;
use crate::state::AppState;
use crate::time::now_ms;
use crate::two_factor;

pub(super) enum SecondFactor {
    Missing,
    Passed,
    Wrong,
}

/// A current authenticator code not used before, or an unused recovery code
/// (used up now).
pub(super) async fn second_factor(state: &AppState, account: &AccountRow, code: Option<&str>) -> Result<SecondFactor> {
    let (Some(secret), Some(code)) = (account.totp_secret.as_deref(), code) else {
        return Ok(SecondFactor::Missing);
    };
    if let Some(step) = two_factor::matching_step(secret, &account.username, code, now_ms()) {
        // Someone who saw the code (over a shoulder, in a proxy's log) cannot use it again.
        return Ok(if state.store.use_totp_step(&account.username, step).await? {
            SecondFactor::Passed
        } else {
            SecondFactor::Wrong
        });
    }
    if state.store.use_recovery_code(&account.username, &two_factor::recovery_hash(code)).await? {
        audit::record(state, &account.username, Action::RecoveryCodeUsed, &account.username, "").await?;
        return Ok(SecondFactor::Passed);
    }
    Ok(SecondFactor::Wrong)
}

/// What the holder must show again before a change to their own credentials.
#[derive(Clone, Copy)]
enum Confirm<'a> {
    Password,
    /// The password and, where set up, a second-factor code.
    PasswordAndCode(Option<&'a str>),
}

/// Checks the account holder's current password (and second factor, when asked)
/// before a change to their own credentials. Counted like a log-in attempt, so a
/// stolen session cannot be used to guess the password.
async fn confirm_holder(
    state: &AppState,
    account: &AccountRow,
    password: &str,
    confirm: Confirm<'_>,
    ip: Option<IpAddr>,
) -> Result<()> {
    let code = match confirm {
        Confirm::Password => None,
        Confirm::PasswordAndCode(code) => Some(code.map(str::trim).filter(|c| !c.is_empty())),
    };
    let attempt = match state.login_throttle.begin(&account.username, ip, true, now_ms()) {
        Ok(attempt) => attempt,
        Err(refused) => return Err(Error::TooManyAttempts(refused.wait_seconds.div_ceil(60))),
    };
    let ok = password.chars().count() <= MAX_PASSWORD_CHARS
        && state.passwords.matches(password.to_owned(), Some(account.password_hash.clone())).await?;
    let ok = ok
        && match (&account.totp_secret, code) {
            (Some(_), Some(code)) => matches!(second_factor(state, account, code).await?, SecondFactor::Passed),
            _ => true,
        };
    if !ok {
        drop(attempt);
        let detail = "wrong password or code when changing credentials";
        audit::record_or_log(state, &account.username, Action::LoginFailed, &account.username, detail).await;
        return Err(match (&account.totp_secret, code) {
            (Some(_), Some(None)) => Error::SecondFactorRequired,
            _ => Error::BadCredentials,
        });
    }
    state.login_throttle.succeeded(attempt);
    Ok(())
}

/// Starts setting up a second factor: a new secret, kept pending until a code
/// from the app confirms it. Returns the secret, the otpauth link and its QR code.
/// With a second factor on, it must be turned off first (which asks for the
/// password and a code): a stolen session cannot replace it.
pub async fn begin_two_factor(state: &AppState, operator: &Operator) -> Result<(String, String, String)> {
    if two_factor_enabled(state, &operator.username).await? {
        return Err(Error::Conflict("two-factor authentication is on; turn it off first to set up a new app".into()));
    }
    let secret = two_factor::new_secret()?;
    state.store.set_totp_pending(&operator.username, &secret).await?;
    let (url, svg) = two_factor::enrolment(&secret, &operator.username)?;
    Ok((secret, url, svg))
}

/// Confirms the pending secret with a current code; returns the recovery codes
/// (shown once).
pub async fn enable_two_factor(state: &AppState, operator: &Operator, code: &str) -> Result<Vec<String>> {
    let account = state.store.account(&operator.username).await?.ok_or(Error::Unauthenticated)?;
    let pending = account.totp_pending.ok_or_else(|| Error::BadRequest("start the set-up first".into()))?;
    let Some(step) = two_factor::matching_step(&pending, &operator.username, code, now_ms()) else {
        return Err(Error::BadRequest("the code does not match; check the time on your phone and try again".into()));
    };
    let (codes, hashes) = two_factor::recovery_codes()?;
    state.store.enable_totp(&operator.username, &pending, &hashes).await?;
    // The code that confirmed the app cannot also log in.
    state.store.use_totp_step(&operator.username, step).await?;
    audit::record(state, &operator.username, Action::AccountChanged, &operator.username, "second factor on").await?;
    Ok(codes)
}

/// Turns the second factor off; needs the password and a current code (or a
/// recovery code) again, with attempts limited as log-ins are.
pub async fn disable_two_factor(
    state: &AppState,
    operator: &Operator,
    password: &str,
    code: Option<&str>,
    ip: Option<IpAddr>,
) -> Result<()> {
    let account = state.store.account(&operator.username).await?.ok_or(Error::Unauthenticated)?;
    confirm_holder(state, &account, password, Confirm::PasswordAndCode(code), ip).await?;
    state.store.disable_totp(&operator.username).await?;
    audit::record(state, &operator.username, Action::AccountChanged, &operator.username, "second factor off").await
}

pub async fn two_factor_enabled(state: &AppState, username: &str) -> Result<bool> {
    Ok(state.store.account(username).await?.is_some_and(|a| a.totp_secret.is_some()))
}

/// The holder changes their own password: the current one first (the session
/// already passed the second factor); every other session of the account ends; audited. Also the
/// way out of a password someone else set (the first start's, a reset).
pub async fn change_password(
    state: &AppState,
    token: &str,
    current: &str,
    new: &str,
    ip: Option<IpAddr>,
) -> Result<()> {
    let operator = session_operator(state, Some(token), true).await?;
    let account = state.store.account(&operator.username).await?.ok_or(Error::Unauthenticated)?;
    confirm_holder(state, &account, current, Confirm::Password, ip).await?;
    if new == current {
        return Err(Error::BadRequest("choose a password different from the current one".into()));
    }
    check_password(new, &account.username)?;
    let hash = state.passwords.hash(new.to_owned()).await?;
    state.store.set_password(&account.username, &hash, false, Some(&token_hash(token))).await?;
    let detail = if account.must_change_password() { "replaced a password set by someone else" } else { "" };
    audit::record(state, &account.username, Action::PasswordChanged, &account.username, detail).await
}

/// An owner locked out (`formseal accounts reset-password USER`, on the server's
/// command line): a new one-time password, returned to be shown once, that must be
/// changed at the next log-in; every session of the account ends; audited.
pub async fn reset_password(state: &AppState, username: &str) -> Result<String> {
    let account = state.store.account(username).await?.ok_or(Error::NotFound("account"))?;
    let password = random::token(15)?;
    let hash = state.passwords.hash(password.clone()).await?;
    state.store.set_password(&account.username, &hash, true, None).await?;
    let detail = "on the server's command line; sessions ended";
    audit::record(state, "system", Action::PasswordReset, &account.username, detail).await?;
    Ok(password)
}
