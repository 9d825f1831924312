//! Delivers what the outbox holds: claims due messages in the store (safe with
//! several replicas), hands each to the mail server or the webhook's receiver,
//! records the outcome.
//!
//! Sent twice only when the peer accepted a message and this process died before
//! recording it (the mail server's "250" or the receiver's "200" and our commit
//! cannot be one step): the message then goes out again when its claim runs out,
//! with the same Message-ID or `webhook-id`, by which the peer can drop it.

use std::time::Duration;

use super::smtp::{Mail, Mailer, Outcome};
use super::webhooks::Deliverer;
use crate::audit::{self, Action};
use crate::error::Result;
use crate::state::AppState;
use crate::store::{Delivery, MessageRow};
use crate::time::now_ms;

/// How long a claim holds: longer than one send can take (lettre's 30 s timeout
/// for each step of the conversation).
const LEASE_MS: i64 = 5 * 60 * 1000;
/// Messages claimed per look at the outbox.
const BATCH: u32 = 32;
/// How often the outbox is looked at when nobody in this process queued anything
/// (messages of other replicas, retries that came due).
const POLL: Duration = Duration::from_secs(2);
/// Housekeeping (old messages, expired reset links, the daily digests) once in
/// this many looks (every half hour when idle).
const HOUSEKEEPING_EVERY: u32 = 900;
const FAILED_KEEP_MS: i64 = 7 * 86_400_000;
const KEEP_MS: i64 = 90 * 86_400_000;

/// Runs until the process ends.
pub async fn run(state: AppState) {
    let webhooks = match Deliverer::new(state.config.allow_private_webhooks) {
        Ok(webhooks) => webhooks,
        Err(e) => {
            tracing::error!(error = %e, "the outbox sender cannot start; nothing will be sent");
            return;
        }
    };
    let peers = Peers { mailer: state.mailer.as_deref(), webhooks: &webhooks };
    let mut looks = 0u32;
    loop {
        match deliver_due(&state, &peers).await {
            // A full batch: more may be waiting.
            Ok(n) if n >= BATCH as usize => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not read the outbox; trying again"),
        }
        if looks.is_multiple_of(HOUSEKEEPING_EVERY) {
            housekeeping(&state).await;
        }
        looks = looks.wrapping_add(1);
        tokio::select! {
            _ = state.outbox_wake.notified() => {}
            _ = tokio::time::sleep(next_look(&state)) => {}
        }
    }
}

fn next_look(state: &AppState) -> Duration {
    // Retries shorter than the poll (the tests') are not kept waiting by it.
    POLL.min(Duration::from_millis(u64::try_from(state.config.message_retry_ms).unwrap_or(1).max(1)))
}

/// Where messages go.
struct Peers<'a> {
    /// `None`: this instance has no mail server (mail waits and is given up).
    mailer: Option<&'a Mailer>,
    webhooks: &'a Deliverer,
}

/// Claims and delivers the messages due now; how many were due.
async fn deliver_due(state: &AppState, peers: &Peers<'_>) -> Result<usize> {
    let now = now_ms();
    let due = state.store.due_messages(now, BATCH).await?;
    for id in &due {
        // Another replica may have claimed it since: then it is not ours to send.
        if let Some(message) = state.store.claim_message(id, now_ms(), now_ms() + LEASE_MS).await? {
            deliver(state, peers, message).await?;
        }
    }
    Ok(due.len())
}

async fn deliver(state: &AppState, peers: &Peers<'_>, message: MessageRow) -> Result<()> {
    let outcome = match message.kind.as_str() {
        "webhook" => peers.webhooks.deliver(state, &message).await,
        _ => match peers.mailer {
            Some(mailer) => send_mail(state, mailer, &message).await?,
            None => Outcome::Transient("this instance has no mail server now (the server's --smtp-url option)".into()),
        },
    };
    record(state, &message, outcome).await
}

async fn send_mail(state: &AppState, mailer: &Mailer, message: &MessageRow) -> Result<Outcome> {
    Ok(match recipient(state, message).await? {
        Err(why) => Outcome::Permanent(why),
        Ok(to) => {
            let mail = Mail {
                message_id: &message.message_id,
                to: &to,
                subject: &message.subject,
                text: message.body_text.as_deref().unwrap_or_default(),
                html: message.body_html.as_deref(),
            };
            mailer.send(&mail).await
        }
    })
}

/// Writes down what came of a try: sent, failed, or when to try again.
async fn record(state: &AppState, message: &MessageRow, outcome: Outcome) -> Result<()> {
    let now = now_ms();
    let delivery = match outcome {
        Outcome::Accepted(detail) => Delivery::Sent { detail },
        Outcome::Permanent(error) => Delivery::Failed { error },
        Outcome::Transient(error) => {
            let next_ms = now + backoff_ms(state.config.message_retry_ms, message.attempts);
            if next_ms > message.give_up_ms {
                let error = format!("given up after {} tries; the last: {error}", message.attempts);
                Delivery::Failed { error }
            } else {
                Delivery::Retry { next_ms, error }
            }
        }
    };
    state.store.finish_message(&message.message_id, now, &delivery).await?;
    let what = format!("{} {}{}", message.kind, message.purpose, form_note(message));
    match &delivery {
        Delivery::Sent { detail } => {
            tracing::info!(message = %message.message_id, purpose = %message.purpose, "message sent");
            let detail = format!("{what}: {detail}");
            audit::record_or_log(state, "system", Action::MessageSent, &message.message_id, &detail).await;
        }
        Delivery::Failed { error } => {
            tracing::warn!(message = %message.message_id, purpose = %message.purpose, error = %error, "message failed");
            let detail = format!("{what}: {error}");
            audit::record_or_log(state, "system", Action::MessageFailed, &message.message_id, &detail).await;
        }
        Delivery::Retry { error, .. } => {
            tracing::info!(message = %message.message_id, attempts = message.attempts, error = %error, "message deferred");
        }
    }
    Ok(())
}

fn form_note(message: &MessageRow) -> String {
    message.form_id.as_deref().map(|f| format!(", form {f}")).unwrap_or_default()
}

/// The address to send to, or why there is none (a permanent failure).
async fn recipient(state: &AppState, message: &MessageRow) -> Result<std::result::Result<String, String>> {
    if let Some(address) = &message.to_address {
        return Ok(Ok(address.clone()));
    }
    let Some(username) = &message.to_account else {
        return Ok(Err("the message names no recipient".into()));
    };
    Ok(match state.store.account(username).await? {
        None => Err(format!("the account {username:?} no longer exists")),
        Some(account) if account.disabled => Err(format!("the account {username:?} is disabled")),
        Some(account) => account
            .email
            .ok_or_else(|| format!("the account {username:?} has no mail address (set on its account page)")),
    })
}

/// Waiting time before try `attempts + 1`: the base doubled per try, at most an hour.
fn backoff_ms(base_ms: i64, attempts: u32) -> i64 {
    let doubled = base_ms.saturating_mul(1i64 << attempts.saturating_sub(1).min(20));
    doubled.min(3_600_000)
}

async fn housekeeping(state: &AppState) {
    let now = now_ms();
    if let Err(e) = state.store.forget_old_messages(now, FAILED_KEEP_MS, KEEP_MS).await {
        tracing::warn!(error = %e, "could not clear old messages");
    }
    if let Err(e) = state.store.forget_password_resets(now).await {
        tracing::warn!(error = %e, "could not clear expired reset links");
    }
    if let Err(e) = super::notify::send_digests(state, now).await {
        tracing::warn!(error = %e, "could not queue the daily digests");
    }
}

#[cfg(test)]
mod tests {
    use super::backoff_ms;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff_ms(30_000, 1), 30_000);
        assert_eq!(backoff_ms(30_000, 2), 60_000);
        assert_eq!(backoff_ms(30_000, 4), 240_000);
        assert_eq!(backoff_ms(30_000, 40), 3_600_000);
        assert_eq!(backoff_ms(100, 0), 100);
    }
}
