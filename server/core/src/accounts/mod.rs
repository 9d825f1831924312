//! Console accounts: the first owner, creating and inviting accounts, roles and
//! the forms a partner is given. Log-ins and sessions are in [`sessions`], what a
//! holder proves and changes about their own credentials (passwords, second factor)
//! in [`credentials`], the reset link by mail in [`reset`]. Passwords are hashed with argon2id (through the bounded queue
//! of [`crate::passwords`]); sessions are random tokens kept by the browser in an
//! HttpOnly cookie and stored here only as their SHA-256.

mod credentials;
mod reset;
mod sessions;

pub use credentials::{
    begin_two_factor, change_password, disable_two_factor, enable_two_factor, reset_password, two_factor_enabled,
};
pub use reset::{
    RESET_MINUTES, RESETS_PER_HOUR, my_email, request_reset, reset_account, reset_with_token, set_my_email,
};
pub use sessions::{
    Client, LoggedIn, SessionInfo, authenticate, authenticate_to_change_password, login, logout, logout_everywhere,
    my_sessions,
};

use crate::audit::{self, Action};
use crate::error::{Error, Result};
pub use crate::passwords::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, check_password};
pub use crate::permissions::{Operator, Role};
use crate::random;
use crate::state::AppState;
use crate::time::now_ms;
use sessions::token_hash;

pub const OWNER: &str = "owner";

/// On first start (no accounts at all) creates the owner account with a random
/// one-time password and returns it, so the caller can show it once. That password
/// must be changed at the first log-in. Any later start finds an account and
/// returns `None`: the password is never shown (or logged) again.
pub async fn ensure_owner(state: &AppState) -> Result<Option<String>> {
    if state.store.account_count().await? > 0 {
        return Ok(None);
    }
    let password = random::token(15)?;
    let hash = state.passwords.hash(password.clone()).await?;
    if let Err(e) = state.store.create_account(OWNER, &hash, Role::Owner.as_str(), true).await {
        // Another replica starting on the same fresh database made it first.
        if state.store.account(OWNER).await?.is_some() {
            return Ok(None);
        }
        return Err(e);
    }
    audit::record(state, "system", Action::AccountCreated, OWNER, "first start: owner").await?;
    Ok(Some(password))
}

/// The longest user name (in bytes) an account can have.
pub const MAX_USERNAME_BYTES: usize = 100;
/// How long an invitation link works.
pub const INVITE_HOURS: i64 = 72;
/// How long a browser that logged in counts as known to the account (see
/// [`crate::throttle`]: known browsers are exempt from the account-wide limit).
pub const DEVICE_DAYS: i64 = 180;

/// Creates a console account with the given password and role.
pub async fn create_account(state: &AppState, username: &str, password: &str, role: Role) -> Result<()> {
    let username = username.trim();
    if username.is_empty() || username.len() > MAX_USERNAME_BYTES {
        return Err(Error::BadRequest("the user name must be 1 to 100 characters".into()));
    }
    check_password(password, username)?;
    if state.store.account(username).await?.is_some() {
        return Err(Error::BadRequest("this user name is taken".into()));
    }
    let hash = state.passwords.hash(password.to_owned()).await?;
    state.store.create_account(username, &hash, role.as_str(), false).await?;
    audit::record(state, "system", Action::AccountCreated, username, &format!("role {role}")).await
}

pub use crate::store::AccountRow;

/// An account as the accounts page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub username: String,
    pub role: Role,
    /// Partners: the forms assigned to them.
    pub forms: Vec<String>,
    /// Partners: the assigned forms whose personal data they may see.
    pub personal_forms: Vec<String>,
    pub disabled: bool,
}

/// The role of a stored account or invitation. The store keeps the name; one this
/// version does not know (written by a newer version, or by hand) is an error
/// naming the account, not a guess.
fn stored_role(username: &str, role: &str) -> Result<Role> {
    Role::parse(role).ok_or_else(|| {
        Error::Internal(format!("{username:?} is stored with the role {role:?}, which this version does not know"))
    })
}

/// Every account (owners and administrators only).
pub async fn list(state: &AppState, by: &Operator) -> Result<Vec<Account>> {
    by.require(crate::permissions::Permission::ManageAccounts)?;
    state
        .store
        .accounts()
        .await?
        .into_iter()
        .map(|a| {
            Ok(Account {
                role: stored_role(&a.username, &a.role)?,
                username: a.username,
                forms: a.forms.unwrap_or_default(),
                personal_forms: a.personal_forms.unwrap_or_default(),
                disabled: a.disabled,
            })
        })
        .collect()
}

/// Invites a person: returns the one-time token for the link
/// `/admin/invite/<token>`, valid [`INVITE_HOURS`]; only its hash is stored.
pub async fn invite(
    state: &AppState,
    by: &Operator,
    username: &str,
    role: Role,
    forms: Vec<String>,
    personal_forms: Vec<String>,
    email: Option<&str>,
) -> Result<String> {
    by.require(crate::permissions::Permission::ManageAccounts)?;
    if !by.may_grant(role) {
        return Err(Error::Forbidden);
    }
    let username = username.trim();
    if username.is_empty() || username.len() > MAX_USERNAME_BYTES || username.chars().any(char::is_whitespace) {
        return Err(Error::BadRequest("the user name must be 1 to 100 characters without spaces".into()));
    }
    if state.store.account(username).await?.is_some() {
        return Err(Error::BadRequest("this user name is taken".into()));
    }
    let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
        Some(address) => {
            crate::messages::mailer(state)?;
            Some(crate::messages::normalise_address(address)?)
        }
        None => None,
    };
    let (forms, personal_forms) = scope(role, forms, personal_forms);
    let token = random::token(32)?;
    let row = crate::store::InviteRow {
        username: username.to_owned(),
        role: role.as_str().to_owned(),
        forms,
        personal_forms,
        invited_by: by.username.clone(),
        expires_ms: now_ms() + INVITE_HOURS * 3_600_000,
        used: false,
        email: email.clone(),
    };
    // The mail goes into the invitation's own transaction: no invitation is
    // announced that was not stored, none stored is silently left unsent.
    let mail = email.as_deref().map(|address| {
        let link = format!("{}/admin/invite/{token}", state.config.public_url);
        let text = crate::texts::invitation(
            username,
            &by.username,
            role.as_str(),
            &state.config.public_url,
            &link,
            INVITE_HOURS,
        );
        crate::messages::new_mail(state, "invitation", crate::messages::To::Address(address), text, None, &by.username)
    });
    state.store.create_invite(&row, &token_hash(&token), mail.as_slice()).await?;
    let mailed = if mail.is_some() { "; the link sent by mail" } else { "" };
    let detail = format!("invited as {role}; forms {:?}{mailed}", row.forms);
    audit::record(state, &by.username, Action::AccountInvited, username, &detail).await?;
    if mail.is_some() {
        state.outbox_wake.notify_one();
    }
    Ok(token)
}

/// Only partners have form assignments; grants are a subset of the assignment.
fn scope(role: Role, forms: Vec<String>, personal_forms: Vec<String>) -> (Vec<String>, Vec<String>) {
    if role != Role::Partner {
        return (Vec::new(), Vec::new());
    }
    let personal = personal_forms.into_iter().filter(|f| forms.contains(f)).collect();
    (forms, personal)
}

/// The invitation behind a token, if it can still be used.
pub async fn open_invite(state: &AppState, token: &str) -> Result<crate::store::InviteRow> {
    let invite = state.store.invite(&token_hash(token)).await?.ok_or(Error::NotFound("invitation"))?;
    if invite.used {
        return Err(Error::Gone("this invitation was already used; please log in".into()));
    }
    if now_ms() > invite.expires_ms {
        return Err(Error::Gone("this invitation has expired; please ask for a new one".into()));
    }
    Ok(invite)
}

/// The invited person sets their password; the account exists from then on.
pub async fn accept_invite(state: &AppState, token: &str, password: &str) -> Result<String> {
    let invite = open_invite(state, token).await?;
    // Checked before the account exists: it would be one nobody can log in with.
    let role = stored_role(&invite.username, &invite.role)?;
    check_password(password, &invite.username)?;
    let hash = state.passwords.hash(password.to_owned()).await?;
    state.store.accept_invite(&token_hash(token), &invite, &hash).await?;
    let detail = format!("role {role}, invited by {}", invite.invited_by);
    audit::record(state, &invite.username, Action::AccountCreated, &invite.username, &detail).await?;
    Ok(invite.username)
}

/// Changes an account's role, form assignments or whether it is disabled.
/// Administrators cannot touch owners or make one; the last active owner cannot be
/// demoted or disabled (the instance would be locked out of its keys and users).
pub async fn update_account(
    state: &AppState,
    by: &Operator,
    username: &str,
    role: Role,
    forms: Vec<String>,
    personal_forms: Vec<String>,
    disabled: bool,
) -> Result<()> {
    by.require(crate::permissions::Permission::ManageAccounts)?;
    let account = state.store.account(username).await?.ok_or(Error::NotFound("account"))?;
    // A stored role this version does not know is not an owner's: such an account
    // can still be given a known role here (which is how it gets repaired).
    let is_owner = |a: &AccountRow| Role::parse(&a.role) == Some(Role::Owner);
    let was_owner = is_owner(&account);
    if (was_owner && by.role != Role::Owner) || !by.may_grant(role) {
        return Err(Error::Forbidden);
    }
    if was_owner && !account.disabled && (role != Role::Owner || disabled) {
        let active_owners = state.store.accounts().await?.iter().filter(|a| is_owner(a) && !a.disabled).count();
        if active_owners <= 1 {
            return Err(Error::Conflict("this is the last active owner; make someone else owner first".into()));
        }
    }
    let (forms, personal_forms) = scope(role, forms, personal_forms);
    state.store.update_account(username, role.as_str(), &forms, &personal_forms, disabled).await?;
    let detail = format!("role {role}, forms {forms:?}, personal data {personal_forms:?}, disabled {disabled}");
    audit::record(state, &by.username, Action::AccountChanged, username, &detail).await
}
