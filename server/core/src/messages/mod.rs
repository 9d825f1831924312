//! Messages the instance sends: mail and webhooks. Each goes into the outbox in the
//! transaction of the event that causes it; [`sender::run`] delivers them, retries
//! with backoff, gives up after a bounded time and records every try; operators
//! see each message's fate and can send a failed one again.
//!
//! With no mail server configured (`--smtp-url`), nothing is queued: whatever would
//! send says so ([`mailer`]), and the manual ways (a link shown to copy) stay.

pub mod notify;
mod sender;
pub mod smtp;
pub mod webhooks;

pub use sender::run;
pub use smtp::{Mailer, SmtpSettings};

use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::permissions::{Operator, Permission};
use crate::state::AppState;
use crate::store::{AttemptRow, MessageFilter, MessageRow, NewMessage};
use crate::texts::MailText;
use crate::time::{now_ms, rfc3339_ms};

/// A page of the outbox, at most.
pub const PAGE: u32 = 100;
/// Longest mail address taken (RFC 5321's path limit).
pub const MAX_ADDRESS_CHARS: usize = 254;

/// Who a mail goes to.
pub enum To<'a> {
    Address(&'a str),
    /// A console account: its address is read when the mail is sent, so a changed
    /// address is used and a removed one is reported.
    Account(&'a str),
}

/// The configured mail server, or the refusal a person reads when there is none.
pub fn mailer(state: &AppState) -> Result<&Mailer> {
    state.mailer.as_deref().ok_or_else(|| {
        Error::Conflict("this instance sends no mail: no mail server is set up (the server's --smtp-url option)".into())
    })
}

/// A mail for the outbox (not stored yet: the caller stores it with its event).
pub(crate) fn new_mail(
    state: &AppState,
    purpose: &str,
    to: To<'_>,
    text: MailText,
    form_id: Option<&str>,
    created_by: &str,
) -> NewMessage {
    let now = now_ms();
    let (to_address, to_account) = match to {
        To::Address(a) => (Some(a.to_owned()), None),
        To::Account(a) => (None, Some(a.to_owned())),
    };
    NewMessage {
        message_id: uuid::Uuid::now_v7().to_string(),
        kind: "mail".into(),
        purpose: purpose.into(),
        form_id: form_id.map(str::to_owned),
        link_id: None,
        webhook_id: None,
        submission_id: None,
        to_address,
        to_account,
        subject: text.subject,
        body_text: text.text,
        body_html: text.html,
        created_ms: now,
        give_up_ms: now + state.config.message_give_up_ms,
        created_by: created_by.into(),
    }
}

/// A mail address as typed: trimmed, the domain lower-cased, checked by the mail
/// library's parser (what the sender will need).
pub fn normalise_address(text: &str) -> Result<String> {
    let text = text.trim();
    if text.chars().count() > MAX_ADDRESS_CHARS {
        return Err(Error::BadRequest(format!("a mail address has at most {MAX_ADDRESS_CHARS} characters")));
    }
    let address: lettre::Address =
        text.parse().map_err(|_| Error::BadRequest(format!("{text:?} is not a mail address (name@example.org)")))?;
    Ok(format!("{}@{}", address.user(), address.domain().to_lowercase()))
}

/// Owners and admins: a test mail to `to`, to see that mail from this instance
/// arrives. Returns the message's id (its fate shows in the outbox).
pub async fn send_test(state: &AppState, operator: &Operator, to: &str) -> Result<String> {
    operator.require(Permission::ManageMessages)?;
    mailer(state)?;
    let to = normalise_address(to)?;
    let text = crate::texts::test_message(&state.config.public_url, &operator.username, &rfc3339_ms(now_ms()));
    let mail = new_mail(state, "test", To::Address(&to), text, None, &operator.username);
    let id = mail.message_id.clone();
    state.store.enqueue(std::slice::from_ref(&mail)).await?;
    state.outbox_wake.notify_one();
    audit::record(state, &operator.username, Action::MessageQueued, &id, "test mail").await?;
    Ok(id)
}

/// The outbox, newest first (a page of [`PAGE`]): what was sent to whom, when, and
/// what became of it. Never the bodies.
pub async fn outbox(state: &AppState, operator: &Operator, filter: &MessageFilter) -> Result<Vec<MessageRow>> {
    operator.require(Permission::ManageMessages)?;
    state.store.messages(filter, PAGE).await
}

/// Counts by status, for the outbox's summary.
pub async fn counts(state: &AppState, operator: &Operator, form_id: Option<&str>) -> Result<Vec<(String, u64)>> {
    operator.require(Permission::ManageMessages)?;
    state.store.message_counts(form_id).await
}

/// Every try to deliver one message.
pub async fn attempts(state: &AppState, operator: &Operator, message_id: &str) -> Result<Vec<AttemptRow>> {
    operator.require(Permission::ManageMessages)?;
    state.store.message_attempts(message_id).await
}

/// Sends a failed message again (with a fresh time to give up); audited.
pub async fn retry(state: &AppState, operator: &Operator, message_id: &str) -> Result<()> {
    operator.require(Permission::ManageMessages)?;
    // Mail needs a mail server; a webhook only its receiver.
    if state.store.message(message_id).await?.is_some_and(|m| m.kind == "mail") {
        mailer(state)?;
    }
    let now = now_ms();
    if !state.store.retry_message(message_id, now, now + state.config.message_give_up_ms).await? {
        return match state.store.message(message_id).await?.map(|m| m.status) {
            None => Err(Error::NotFound("message")),
            // On its way already: nothing to do.
            Some(status) if status == "queued" || status == "sending" => Ok(()),
            Some(_) => Err(Error::Conflict(
                "only a failed message can be sent again, and only while the outbox still holds its text (7 days)"
                    .into(),
            )),
        };
    }
    audit::record(state, &operator.username, Action::MessageRetried, message_id, "").await?;
    state.outbox_wake.notify_one();
    Ok(())
}

/// What the console says about sending: the server and sender (never a password),
/// or `None` when no mail server is set up.
pub fn describe(state: &AppState) -> Option<String> {
    state.mailer.as_deref().map(Mailer::describe)
}
