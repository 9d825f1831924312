//! Console accounts and sessions. Passwords are hashed with argon2id; sessions are
//! random tokens kept by the browser in an HttpOnly cookie and stored here only as
//! their SHA-256.

use std::net::IpAddr;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use formseal_model::{b64_encode, digest};

use crate::audit::{self, Action};
use crate::error::{Error, Result};
pub use crate::permissions::{Operator, Role};
use crate::random;
use crate::state::AppState;
use crate::time::now_ms;
use crate::two_factor;

pub const OWNER: &str = "owner";

/// The console's session cookie.
pub const SESSION_COOKIE: &str = "formseal_session";

/// The session token among `Cookie` header values, if there is one.
pub fn session_from_cookies<'a>(cookie_headers: impl IntoIterator<Item = &'a str>) -> Option<String> {
    cookie_headers
        .into_iter()
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// On first start (no accounts at all) creates the owner account with a random
/// one-time password and returns it, so the caller can show it once.
pub async fn ensure_owner(state: &AppState) -> Result<Option<String>> {
    if state.store.account_count().await? > 0 {
        return Ok(None);
    }
    let password = random::token(15)?;
    let hash = hash_password(password.clone()).await?;
    if let Err(e) = state.store.create_account(OWNER, &hash, Role::Owner.as_str()).await {
        // Another replica starting on the same fresh database made it first.
        if state.store.account(OWNER).await?.is_some() {
            return Ok(None);
        }
        return Err(e);
    }
    audit::record(state, "system", Action::AccountCreated, OWNER, "first start: owner").await?;
    Ok(Some(password))
}

/// Current guidance (NIST SP 800-63B): length matters, composition rules do not,
/// and passwords known from breaches and common-password lists are refused.
pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 1000;
/// The longest user name (in bytes) an account can have.
pub const MAX_USERNAME_BYTES: usize = 100;
/// How long an invitation link works.
pub const INVITE_HOURS: i64 = 72;

/// Length, then zxcvbn (its dictionaries of common passwords, names and words,
/// keyboard patterns, and the user name itself); no composition rules.
pub fn check_password(password: &str, username: &str) -> Result<()> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(Error::BadRequest(format!("the password must have at least {MIN_PASSWORD_CHARS} characters")));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(Error::BadRequest(format!("the password can have at most {MAX_PASSWORD_CHARS} characters")));
    }
    let estimate = zxcvbn::zxcvbn(password, &[username, "formseal"]);
    if u8::from(estimate.score()) < 3 {
        let why = estimate.feedback().and_then(|f| f.warning()).map(|w| format!(" ({w})")).unwrap_or_default();
        return Err(Error::BadRequest(format!(
            "this password is too easy to guess{why}; a few unrelated words make a strong one"
        )));
    }
    Ok(())
}

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
    let hash = hash_password(password.to_owned()).await?;
    state.store.create_account(username, &hash, role.as_str()).await?;
    audit::record(state, "system", Action::AccountCreated, username, &format!("role {role}")).await
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
pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
    code: Option<&str>,
    ip: Option<IpAddr>,
    agent: Option<&str>,
) -> Result<String> {
    // No account has a longer name or password (creating and inviting refuse them):
    // such an attempt is a wrong one, answered before its text reaches the throttle's
    // table, the server log or the audit log, which it could otherwise flood.
    if username.len() > MAX_USERNAME_BYTES || password.chars().count() > MAX_PASSWORD_CHARS {
        tracing::warn!(user_bytes = username.len(), "failed log-in: name or password longer than any account's");
        return Err(Error::BadCredentials);
    }
    if let Some(wait) = state.login_throttle.blocked_for(username, ip, now_ms()) {
        audit::record_or_log(state, username, Action::LoginFailed, username, "throttled").await;
        return Err(Error::TooManyAttempts(wait.div_ceil(60)));
    }
    let account = state.store.account(username).await?;
    let hash = account.as_ref().map_or(DECOY_HASH.to_owned(), |a| a.password_hash.clone());
    let ok = password_matches(password.to_owned(), hash).await;
    let account = match account {
        Some(a) if ok && !a.disabled && a.totp_secret.is_some() => {
            match second_factor(state, &a, code.map(str::trim).filter(|c| !c.is_empty())).await? {
                SecondFactor::Missing => return Err(Error::SecondFactorRequired),
                SecondFactor::Passed => Some(a),
                SecondFactor::Wrong => None,
            }
        }
        other => other.filter(|_| ok),
    };
    match account {
        Some(a) if !a.disabled => {
            let token = random::token(32)?;
            let now = now_ms();
            state
                .store
                .create_session(
                    &token_hash(&token),
                    &a.username,
                    now,
                    now + state.config.session_max_ms,
                    ip.map(|i| i.to_string()).as_deref(),
                    agent.map(|a| a.chars().take(200).collect::<String>()).as_deref(),
                )
                .await?;
            tracing::info!(user = ?a.username, "logged in");
            state.login_throttle.succeeded(username);
            audit::record(
                state,
                &a.username,
                Action::Login,
                &a.username,
                &ip.map(|i| i.to_string()).unwrap_or_default(),
            )
            .await?;
            Ok(token)
        }
        _ => {
            // Quoted and escaped (`?`): the name is whatever was typed into the form.
            tracing::warn!(user = ?username, "failed log-in");
            state.login_throttle.failed(username, ip, now_ms());
            let detail = ip.map(|i| i.to_string()).unwrap_or_default();
            audit::record_or_log(state, username, Action::LoginFailed, username, &detail).await;
            Err(Error::BadCredentials)
        }
    }
}

enum SecondFactor {
    Missing,
    Passed,
    Wrong,
}

/// A current authenticator code, or an unused recovery code (used up now).
async fn second_factor(state: &AppState, account: &AccountRow, code: Option<&str>) -> Result<SecondFactor> {
    let (Some(secret), Some(code)) = (account.totp_secret.as_deref(), code) else {
        return Ok(SecondFactor::Missing);
    };
    if two_factor::code_matches(secret, &account.username, code) {
        return Ok(SecondFactor::Passed);
    }
    if state.store.use_recovery_code(&account.username, &two_factor::recovery_hash(code)).await? {
        audit::record(state, &account.username, Action::RecoveryCodeUsed, &account.username, "").await?;
        return Ok(SecondFactor::Passed);
    }
    Ok(SecondFactor::Wrong)
}

/// Starts setting up a second factor: a new secret, kept pending until a code
/// from the app confirms it. Returns the secret, the otpauth link and its QR code.
pub async fn begin_two_factor(state: &AppState, operator: &Operator) -> Result<(String, String, String)> {
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
    if !two_factor::code_matches(&pending, &operator.username, code) {
        return Err(Error::BadRequest("the code does not match; check the time on your phone and try again".into()));
    }
    let (codes, hashes) = two_factor::recovery_codes()?;
    state.store.enable_totp(&operator.username, &pending, &hashes).await?;
    audit::record(state, &operator.username, Action::AccountChanged, &operator.username, "second factor on").await?;
    Ok(codes)
}

/// Turns the second factor off; needs the password again.
pub async fn disable_two_factor(state: &AppState, operator: &Operator, password: &str) -> Result<()> {
    let account = state.store.account(&operator.username).await?.ok_or(Error::Unauthenticated)?;
    if !password_matches(password.to_owned(), account.password_hash).await {
        return Err(Error::BadCredentials);
    }
    state.store.disable_totp(&operator.username).await?;
    audit::record(state, &operator.username, Action::AccountChanged, &operator.username, "second factor off").await
}

pub async fn two_factor_enabled(state: &AppState, username: &str) -> Result<bool> {
    Ok(state.store.account(username).await?.is_some_and(|a| a.totp_secret.is_some()))
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
    let hash = hash_password(password.to_owned()).await?;
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
