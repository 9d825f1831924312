//! Server functions for people and the audit log: accounts and invitations
//! (owner, admin), the audit log (owner, DPO). The core checks the permission and
//! audits; these find the operator and shape the answer.

use formseal_model::Role;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ConsoleError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountItem {
    pub username: String,
    pub role: Role,
    pub forms: Vec<String>,
    pub personal_forms: Vec<String>,
    pub disabled: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditItem {
    pub seq: u64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub items: Vec<AuditItem>,
    pub page: u64,
    pub more: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditCheck {
    pub records: u64,
    /// What is wrong with the first broken record, if any.
    pub broken: Option<String>,
}

/// Comma- or space-separated form ids.
pub fn split_ids(text: &str) -> Vec<String> {
    text.split([',', ' ', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

pub const AUDIT_PAGE_SIZE: u64 = 100;

#[server(prefix = "/admin/fn", endpoint = "accounts")]
pub async fn list_accounts() -> Result<Vec<AccountItem>, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let accounts = formseal_core::accounts::list(&state, &operator).await.map_err(super::ssr::public)?;
    Ok(accounts
        .into_iter()
        .map(|a| AccountItem {
            username: a.username,
            role: a.role,
            forms: a.forms,
            personal_forms: a.personal_forms,
            disabled: a.disabled,
        })
        .collect())
}

/// Returns the invitation link to hand to the person (shown once); with a mail
/// address, the link is also sent there.
#[server(prefix = "/admin/fn", endpoint = "invite")]
pub async fn invite(
    username: String,
    role: Role,
    forms: String,
    personal_forms: String,
    // Absent or empty: the link is only shown.
    email: Option<String>,
) -> Result<String, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let token = formseal_core::accounts::invite(
        &state,
        &operator,
        &username,
        role,
        split_ids(&forms),
        split_ids(&personal_forms),
        email.as_deref(),
    )
    .await
    .map_err(super::ssr::public)?;
    Ok(format!("{}/admin/invite/{token}", state.config.public_url))
}

#[server(prefix = "/admin/fn", endpoint = "update-account")]
pub async fn update_account(
    username: String,
    role: Role,
    forms: String,
    personal_forms: String,
    disabled: bool,
) -> Result<(), ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    formseal_core::accounts::update_account(
        &state,
        &operator,
        &username,
        role,
        split_ids(&forms),
        split_ids(&personal_forms),
        disabled,
    )
    .await
    .map_err(super::ssr::public)
}

/// Who an invitation is for (the page greets them); public, the token is the key.
#[server(prefix = "/admin/fn", endpoint = "invitation")]
pub async fn invitation(token: String) -> Result<String, ConsoleError> {
    let state = super::ssr::state()?;
    let invite = formseal_core::accounts::open_invite(&state, &token).await.map_err(super::ssr::public)?;
    Ok(invite.username)
}

#[server(prefix = "/admin/fn", endpoint = "accept-invite")]
pub async fn accept_invite(token: String, password: String, repeat: String) -> Result<(), ConsoleError> {
    let state = super::ssr::state()?;
    if password != repeat {
        return Err(super::ssr::public(formseal_core::Error::BadRequest("the two passwords differ".into())));
    }
    formseal_core::accounts::accept_invite(&state, &token, &password).await.map_err(super::ssr::public)?;
    leptos_axum::redirect("/admin/login?welcome=1");
    Ok(())
}

#[server(prefix = "/admin/fn", endpoint = "audit")]
pub async fn audit_log(
    actor: String,
    action: String,
    from: String,
    to: String,
    page: u64,
) -> Result<AuditPage, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let filter = formseal_core::store::AuditFilter::from_inputs(&actor, &action, &from, &to);
    // A page number from the address bar: never past what the database can skip.
    let page = page.clamp(1, 1_000_000_000);
    let offset = (page - 1) * AUDIT_PAGE_SIZE;
    let mut rows = formseal_core::audit::search(&state, &operator, &filter, offset, AUDIT_PAGE_SIZE + 1)
        .await
        .map_err(super::ssr::public)?;
    let more = rows.len() as u64 > AUDIT_PAGE_SIZE;
    rows.truncate(AUDIT_PAGE_SIZE as usize);
    Ok(AuditPage { items: rows.into_iter().map(ssr::item).collect(), page, more })
}

#[server(prefix = "/admin/fn", endpoint = "audit-verify")]
pub async fn audit_verify() -> Result<AuditCheck, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let result = formseal_core::audit::check(&state, &operator).await.map_err(super::ssr::public)?;
    let broken = result.broken.map(|(seq, why)| format!("record {seq}: {why}"));
    Ok(AuditCheck { records: result.records, broken })
}

#[cfg(feature = "ssr")]
mod ssr {
    use formseal_core::store::AuditRow;

    use super::AuditItem;

    pub fn item(row: AuditRow) -> AuditItem {
        AuditItem {
            seq: row.seq,
            at: row.at,
            actor: row.actor,
            action: row.action,
            object: row.object,
            detail: row.detail,
        }
    }
}
