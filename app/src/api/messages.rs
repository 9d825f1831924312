//! Server functions about mail: the outbox and its retries, the test message, a
//! form's notifications, the account's own address, and the password reset by mail.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use super::ConsoleError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageItem {
    pub id: String,
    pub purpose: String,
    pub form: Option<String>,
    /// The address, or "account alice".
    pub to: String,
    pub subject: String,
    /// `queued`, `sending`, `sent`, `failed`.
    pub status: String,
    pub attempts: u32,
    pub created: String,
    pub sent: Option<String>,
    pub next_try: Option<String>,
    pub last_error: Option<String>,
    /// Failed, with its text still held: it can be sent again.
    pub retryable: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttemptItem {
    pub at: String,
    pub outcome: String,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxPage {
    /// The mail server and sender, or `None` when the instance sends no mail.
    pub sending: Option<String>,
    pub counts: Vec<(String, u64)>,
    pub items: Vec<MessageItem>,
    /// Where the next (older) page starts.
    pub next_before: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotifyCandidate {
    pub username: String,
    pub has_address: bool,
    pub chosen: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotifySettings {
    pub candidates: Vec<NotifyCandidate>,
    pub include_plain: bool,
    /// A daily count instead of a mail for each submission.
    pub daily: bool,
    pub can_send: bool,
}

#[server(prefix = "/admin/fn", endpoint = "outbox")]
pub async fn outbox(
    form: Option<String>,
    status: Option<String>,
    before: Option<i64>,
) -> Result<OutboxPage, ConsoleError> {
    use formseal_core::messages;
    let (state, operator) = super::ssr::operator().await?;
    let form = form.filter(|f| !f.is_empty());
    let status = status.filter(|s| !s.is_empty());
    let filter = formseal_core::store::MessageFilter { form_id: form.clone(), status, before_ms: before };
    let rows = messages::outbox(&state, &operator, &filter).await.map_err(super::ssr::public)?;
    let counts = messages::counts(&state, &operator, form.as_deref()).await.map_err(super::ssr::public)?;
    let next_before = (rows.len() == messages::PAGE as usize).then(|| rows.last().map(|r| r.created_ms)).flatten();
    let items = rows.into_iter().map(ssr::message_item).collect();
    Ok(OutboxPage { sending: messages::describe(&state), counts, items, next_before })
}

#[server(prefix = "/admin/fn", endpoint = "message-attempts")]
pub async fn message_attempts(id: String) -> Result<Vec<AttemptItem>, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let rows = formseal_core::messages::attempts(&state, &operator, &id).await.map_err(super::ssr::public)?;
    Ok(rows.into_iter().map(|a| AttemptItem { at: ssr::time(a.at_ms), outcome: a.outcome, detail: a.detail }).collect())
}

#[server(prefix = "/admin/fn", endpoint = "retry-message")]
pub async fn retry_message(id: String) -> Result<(), ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    formseal_core::messages::retry(&state, &operator, &id).await.map_err(super::ssr::public)
}

/// Returns the queued message's id.
#[server(prefix = "/admin/fn", endpoint = "test-message")]
pub async fn send_test_message(to: String) -> Result<String, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    formseal_core::messages::send_test(&state, &operator, &to).await.map_err(super::ssr::public)
}

#[server(prefix = "/admin/fn", endpoint = "notifications")]
pub async fn notifications(form: String) -> Result<NotifySettings, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let settings =
        formseal_core::messages::notify::settings(&state, &operator, &form).await.map_err(super::ssr::public)?;
    Ok(NotifySettings {
        candidates: settings
            .candidates
            .into_iter()
            .map(|c| NotifyCandidate { username: c.username, has_address: c.has_address, chosen: c.chosen })
            .collect(),
        include_plain: settings.include_plain,
        daily: settings.daily,
        can_send: state.mailer.is_some(),
    })
}

#[server(prefix = "/admin/fn", endpoint = "set-notifications", input = Json)]
pub async fn set_notifications(
    form: String,
    accounts: Vec<String>,
    include_plain: bool,
    daily: bool,
) -> Result<(), ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    formseal_core::messages::notify::set(&state, &operator, &form, accounts, include_plain, daily)
        .await
        .map_err(super::ssr::public)
}

/// The account's own mail address, and whether the instance sends mail at all.
#[server(prefix = "/admin/fn", endpoint = "my-email")]
pub async fn my_email() -> Result<(Option<String>, bool), ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let email = formseal_core::accounts::my_email(&state, &operator).await.map_err(super::ssr::public)?;
    Ok((email, state.mailer.is_some()))
}

#[server(prefix = "/admin/fn", endpoint = "set-my-email")]
pub async fn set_my_email(email: String) -> Result<Option<String>, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    formseal_core::accounts::set_my_email(&state, &operator, &email).await.map_err(super::ssr::public)
}

/// "Forgot your password?": the same answer whether or not the account exists.
#[server(prefix = "/admin/fn", endpoint = "forgot-password")]
pub async fn forgot_password(who: String) -> Result<(), ConsoleError> {
    let state = super::ssr::state()?;
    formseal_core::accounts::request_reset(&state, &who).await.map_err(super::ssr::public)
}

/// The account a reset link is for, while the link works.
#[server(prefix = "/admin/fn", endpoint = "reset-state")]
pub async fn reset_state(token: String) -> Result<String, ConsoleError> {
    let state = super::ssr::state()?;
    formseal_core::accounts::reset_account(&state, &token).await.map_err(super::ssr::public)
}

#[server(prefix = "/admin/fn", endpoint = "reset-password")]
pub async fn reset_password(token: String, new: String, repeat: String) -> Result<(), ConsoleError> {
    let state = super::ssr::state()?;
    if new != repeat {
        return Err(super::ssr::public(formseal_core::Error::BadRequest(
            "the two new passwords differ; type the same one twice".into(),
        )));
    }
    formseal_core::accounts::reset_with_token(&state, &token, &new).await.map_err(super::ssr::public)?;
    leptos_axum::redirect("/admin/login?reset=done");
    Ok(())
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::MessageItem;
    use formseal_core::store::MessageRow;

    pub fn time(ms: i64) -> String {
        formseal_core::time::rfc3339_ms(ms).replace('T', " ").chars().take(19).collect()
    }

    pub fn message_item(row: MessageRow) -> MessageItem {
        let to = match (&row.to_address, &row.to_account) {
            (Some(address), _) => address.clone(),
            (None, Some(account)) => format!("account {account}"),
            (None, None) => String::new(),
        };
        let next_try = (row.status == "queued").then(|| time(row.next_ms));
        MessageItem {
            retryable: row.status == "failed",
            id: row.message_id,
            purpose: row.purpose,
            form: row.form_id,
            to,
            subject: row.subject,
            attempts: row.attempts,
            created: time(row.created_ms),
            sent: row.sent_ms.map(time),
            next_try,
            last_error: row.last_error,
            status: row.status,
        }
    }
}
