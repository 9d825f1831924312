//! The reminder job: queues the reminders of personal links sent by mail, only
//! while a link is open and unused. Safe on several replicas: a due reminder is
//! claimed in the database (like the outbox's sender claims mail), and the mail is
//! queued in a transaction that checks the claim and the link once more.

use std::time::Duration;

use chrono::Utc;

use super::mail::{REMINDER_PURPOSE, template_for, values};
use super::{closed, sealed, template};
use crate::audit::{self, Action};
use crate::error::Result;
use crate::messages::{self, To};
use crate::state::AppState;
use crate::store::ReminderRow;
use crate::time::now_ms;

/// How long a claim holds (queueing one reminder takes milliseconds).
const LEASE_MS: i64 = 5 * 60 * 1000;
/// Reminders claimed per look.
const BATCH: u32 = 32;
/// Expired links' reminders are cleared once in this many looks (the retention
/// sweep does it too).
const HOUSEKEEPING_EVERY: u32 = 100;

/// Runs until the process ends; does nothing without a mail server.
pub async fn run(state: AppState) {
    if state.mailer.is_none() {
        return;
    }
    let mut looks = 0u32;
    loop {
        match remind_due(&state).await {
            Ok(n) if n >= BATCH as usize => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not read the reminders; trying again"),
        }
        if looks.is_multiple_of(HOUSEKEEPING_EVERY)
            && let Err(e) = state.store.forget_expired_reminders().await
        {
            tracing::warn!(error = %e, "could not clear the reminders of expired links");
        }
        looks = looks.wrapping_add(1);
        tokio::time::sleep(next_look(&state)).await;
    }
}

/// A twentieth of a reminder "day", between 10 ms (tests) and 30 s.
fn next_look(state: &AppState) -> Duration {
    Duration::from_millis(u64::try_from(state.config.reminder_day_ms / 20).unwrap_or(10).clamp(10, 30_000))
}

/// Claims and queues the reminders due now; how many were due.
async fn remind_due(state: &AppState) -> Result<usize> {
    let now = now_ms();
    let due = state.store.due_reminders(now, BATCH).await?;
    for link_id in &due {
        let claim = uuid::Uuid::now_v7().to_string();
        // Another replica may have claimed it since.
        if let Some(row) = state.store.claim_reminder(link_id, &claim, now_ms(), now_ms() + LEASE_MS).await?
            && let Err(e) = remind(state, &row, &claim).await
        {
            tracing::warn!(link = %link_id, error = %e, "could not queue a reminder");
        }
    }
    Ok(due.len())
}

async fn remind(state: &AppState, row: &ReminderRow, claim: &str) -> Result<()> {
    let link = state.store.link(&row.link_id).await?;
    let open = link.as_ref().is_some_and(|l| l.uses == 0 && closed(l, Utc::now()).is_none());
    let Some(link) = link.filter(|_| open) else {
        // Used, revoked, expired or gone: no reminder, and the secret goes now.
        return state.store.drop_reminder(&row.link_id).await;
    };
    if crate::forms::form(state, &row.form_id).await?.is_archived() {
        return state.store.drop_reminder(&row.link_id).await;
    }
    let secret = match sealed::open(&state.keys.link_seal_key()?, &row.link_id, &row.sealed) {
        Ok(secret) => secret,
        Err(e) => {
            // Another instance secret than the one that sealed it: this link gets no reminders.
            tracing::warn!(link = %row.link_id, error = %e, "a link's sealed secret does not open; no reminders");
            return state.store.drop_reminder(&row.link_id).await;
        }
    };
    let form = crate::forms::current(state, &row.form_id).await?.definition;
    let url = format!("{}/f/{}#{secret}", state.config.public_url, row.link_id);
    let expires_ms = chrono::DateTime::parse_from_rfc3339(&link.expires_at).map_or(0, |t| t.timestamp_millis());
    let expires = crate::texts::link_expires(&row.lang, expires_ms);
    let template = template_for(state, &row.form_id, &row.lang).await?;
    let values = values(&form, &row.lang, link.label.as_deref(), &row.to_address, &url, &expires);
    let mut text = template::render(&template, &values);
    text.subject = crate::texts::reminder_subject(&row.lang, &text.subject);
    let mut mail =
        messages::new_mail(state, REMINDER_PURPOSE, To::Address(&row.to_address), text, Some(&row.form_id), "system");
    mail.link_id = Some(row.link_id.clone());
    let next_ms = now_ms() + row.every_ms;
    if state.store.queue_reminder(&row.link_id, claim, &mail, next_ms).await? {
        let detail = format!("{}: reminder {} of {}", row.form_id, row.sent + 1, row.sent + row.left);
        audit::record_or_log(state, "system", Action::LinkReminderQueued, &row.link_id, &detail).await;
        state.outbox_wake.notify_one();
    }
    Ok(())
}
