//! "Forgot your password?": a single-use link by mail to the account's address,
//! and the account's mail address itself.
//!
//! The answer to a reset request is the same whether or not the account exists or
//! has an address, so the page cannot be used to find accounts. The link is stored
//! only as the hash of its token, works for [`RESET_MINUTES`], once; using it sets
//! the password through the same checks as a change, ends every session, and the
//! next log-in still asks for the second factor.

use super::check_password;
use super::sessions::token_hash;
use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::messages::{self, To, new_mail, normalise_address};
use crate::permissions::Operator;
use crate::random;
use crate::state::AppState;
use crate::time::now_ms;

/// How long a reset link works.
pub const RESET_MINUTES: i64 = 30;
/// Reset mails one account gets per hour at most (more requests are answered
/// alike and send nothing): a stranger cannot fill someone's mailbox.
pub const RESETS_PER_HOUR: u32 = 3;

/// Asks for a reset link for the account named `who` (its user name or its mail
/// address). Always the same `Ok(())` when mail can be sent at all.
pub async fn request_reset(state: &AppState, who: &str) -> Result<()> {
    messages::mailer(state)?;
    let who = who.trim();
    if who.is_empty() || who.len() > messages::MAX_ADDRESS_CHARS {
        return Ok(());
    }
    let account = match normalise_address(who) {
        Ok(address) => state.store.account_by_email(&address).await?,
        Err(_) => state.store.account(who).await?,
    };
    let Some(account) = account.filter(|a| !a.disabled && a.email.is_some()) else {
        return Ok(());
    };
    let token = random::token(32)?;
    let link = format!("{}/admin/reset/{token}", state.config.public_url);
    let console = format!("{}/admin", state.config.public_url);
    let text = crate::texts::password_reset(&account.username, &console, &link, RESET_MINUTES);
    let mut mail = new_mail(state, "password_reset", To::Account(&account.username), text, None, &account.username);
    let now = now_ms();
    let expires = now + RESET_MINUTES * 60_000;
    // A reset mail that could not go out within its link's lifetime is of no use.
    mail.give_up_ms = expires;
    let hash = token_hash(&token);
    let reset = crate::store::NewReset {
        token_hash: &hash,
        username: &account.username,
        now_ms: now,
        expires_ms: expires,
        since_ms: now - 3_600_000,
        max_recent: RESETS_PER_HOUR,
    };
    let queued = state.store.create_password_reset(&reset, &mail).await?;
    if queued {
        state.outbox_wake.notify_one();
        audit::record_or_log(state, "anonymous", Action::PasswordResetRequested, &account.username, "mail queued")
            .await;
    }
    Ok(())
}

/// The account a reset link is for, while it works.
pub async fn reset_account(state: &AppState, token: &str) -> Result<String> {
    state.store.password_reset(&token_hash(token), now_ms()).await?.ok_or_else(unusable)
}

fn unusable() -> Error {
    Error::Gone("this reset link was used or has expired; ask for a new one".into())
}

/// Sets the password through a reset link; every session of the account ends.
pub async fn reset_with_token(state: &AppState, token: &str, new: &str) -> Result<String> {
    let hash_of_token = token_hash(token);
    let username = state.store.password_reset(&hash_of_token, now_ms()).await?.ok_or_else(unusable)?;
    check_password(new, &username)?;
    let hash = state.passwords.hash(new.to_owned()).await?;
    if !state.store.reset_password_with_token(&hash_of_token, &hash, now_ms()).await? {
        return Err(unusable());
    }
    audit::record(state, &username, Action::PasswordResetByMail, &username, "every session ended").await?;
    Ok(username)
}

/// The holder sets (or, with an empty text, removes) their own mail address.
pub async fn set_my_email(state: &AppState, operator: &Operator, email: &str) -> Result<Option<String>> {
    let email = if email.trim().is_empty() { None } else { Some(normalise_address(email)?) };
    state.store.set_email(&operator.username, email.as_deref()).await?;
    let detail = if email.is_some() { "set" } else { "removed" };
    audit::record(state, &operator.username, Action::EmailChanged, &operator.username, detail).await?;
    Ok(email)
}

/// The holder's own mail address.
pub async fn my_email(state: &AppState, operator: &Operator) -> Result<Option<String>> {
    Ok(state.store.account(&operator.username).await?.and_then(|a| a.email))
}
