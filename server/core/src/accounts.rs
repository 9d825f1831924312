//! Console accounts and sessions. Passwords are hashed with argon2id (through the
//! bounded queue of [`crate::passwords`]); sessions are random tokens kept by the
//! browser in an HttpOnly cookie and stored here only as their SHA-256.

use std::net::IpAddr;

use ed25519_dalek::Signer as _;
use formseal_model::{b64_decode, b64_encode, digest};

use crate::audit::{self, Action};
use crate::error::{Error, Result};
pub use crate::passwords::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, check_password};
pub use crate::permissions::{Operator, Role};
use crate::random;
use crate::state::AppState;
use crate::time::now_ms;
use crate::two_factor;

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

enum SecondFactor {
    Missing,
    Passed,
    Wrong,
}

/// A current authenticator code not used before, or an unused recovery code
/// (used up now).
async fn second_factor(state: &AppState, account: &AccountRow, code: Option<&str>) -> Result<SecondFactor> {
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

async fn session_operator(state: &AppState, token: Option<&str>, password_change: bool) -> Result<Operator> {
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
    };
    state.store.create_invite(&row, &token_hash(&token)).await?;
    let detail = format!("invited as {role}; forms {:?}", row.forms);
    audit::record(state, &by.username, Action::AccountInvited, username, &detail).await?;
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

fn token_hash(token: &str) -> String {
    b64_encode(&digest(token.as_bytes()))
}
