//! Deleting answers when they are due. Each submission got its due date when it
//! arrived (its form version's retention period then; changing the period later
//! applies to new submissions). A sweep deletes the answers of every due
//! submission, keeps its receipt (digests only, so the chain still verifies) and
//! stores a tombstone signed by the instance key.
//!
//! Several replicas may sweep at once: deleting is a conditional update (only
//! while the answers are still there), so no submission is done twice and a crash
//! mid-sweep leaves the rest for the next sweep.
//!
//! A sweep yields as long as it worked after each batch: deleting is never urgent
//! to the second, and visitors submitting meanwhile keep their response times
//! (docs/performance.md).

use std::time::Duration;

use formseal_model::tombstone::{SignedTombstone, Tombstone};

use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::messages::webhooks::DeletionNotices;
use crate::permissions::{Operator, Permission};
use crate::state::AppState;
use crate::store::RetentionRow;
use crate::time::{now_ms, rfc3339_ms};

const BATCH: u64 = 200;
const ATTEMPTS: u32 = 10;

/// Deletes the answers of every submission due at `now_ms`; returns how many this
/// sweep deleted.
pub async fn sweep(state: &AppState, now_ms: i64) -> Result<u64> {
    let now = rfc3339_ms(now_ms);
    let mut erased = 0;
    let mut announcements = DeletionNotices::default();
    loop {
        let started = std::time::Instant::now();
        let due = state.store.due_for_deletion(&now, BATCH).await?;
        if due.is_empty() {
            return Ok(erased);
        }
        let full = due.len() as u64 == BATCH;
        let mut progressed = false;
        for row in due {
            let value = tombstone(state, &row.submission_id, &row.form_id, &row.envelope_digest, None)?;
            let messages = announcements.messages(state, &row.form_id, &value, "system").await?;
            for attempt in 0..ATTEMPTS {
                match state.store.erase_payload(&row.submission_id, &value, &messages).await {
                    Ok(true) => {
                        erased += 1;
                        progressed = true;
                        if !messages.is_empty() {
                            state.outbox_wake.notify_one();
                        }
                        break;
                    }
                    // Another replica deleted it first.
                    Ok(false) => {
                        progressed = true;
                        break;
                    }
                    Err(Error::Busy) if attempt + 1 < ATTEMPTS => {
                        tokio::time::sleep(Duration::from_millis(10 * u64::from(attempt + 1))).await;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        if !progressed {
            return Err(Error::Busy);
        }
        if full {
            tokio::time::sleep(started.elapsed()).await;
        }
    }
}

/// The signed statement that a submission's answers are deleted now: reason
/// `retention`, or `erasure` with the request that asked for it.
pub fn tombstone(
    state: &AppState,
    submission: &str,
    form: &str,
    envelope_digest: &str,
    request: Option<&str>,
) -> Result<serde_json::Value> {
    let key = state.keys.active();
    let tombstone = Tombstone {
        v: 1,
        submission: submission.to_owned(),
        form: form.to_owned(),
        envelope: envelope_digest.to_owned(),
        reason: if request.is_some() { "erasure" } else { "retention" }.into(),
        request: request.map(str::to_owned),
        deleted_at: rfc3339_ms(crate::time::now_ms()),
    };
    let signed = SignedTombstone::sign(tombstone, &key.id, key.signing_key())?;
    serde_json::to_value(&signed).map_err(|e| Error::Internal(e.to_string()))
}

/// Puts a legal hold on a form or one submission (deletion pauses), or lifts it.
/// A hold needs a reason; both are audited.
pub async fn set_hold(
    state: &AppState,
    by: &Operator,
    form_id: Option<&str>,
    submission_id: Option<&str>,
    reason: Option<&str>,
) -> Result<()> {
    by.require(Permission::HandleRequests)?;
    let reason = reason.map(str::trim);
    if reason.is_some_and(str::is_empty) {
        return Err(Error::BadRequest("a legal hold needs a reason".into()));
    }
    let (found, object) = match (form_id, submission_id) {
        (_, Some(id)) => (state.store.set_submission_hold(id, reason).await?, id),
        (Some(id), None) => (state.store.set_form_hold(id, reason).await?, id),
        (None, None) => return Err(Error::BadRequest("name a form or a submission".into())),
    };
    if !found {
        return Err(Error::NotFound("form or submission"));
    }
    let (what, detail) = match reason {
        Some(r) => (Action::LegalHoldSet, r),
        None => (Action::LegalHoldLifted, ""),
    };
    audit::record(state, &by.username, what, object, detail).await
}

/// The retention overview: per form what is held, due and deleted, with the
/// current version's period, and the last sweep (those who handle requests).
pub struct Overview {
    /// With the current version's retention period in days, if published.
    pub forms: Vec<(RetentionRow, Option<u32>)>,
    /// When the last sweep ran and how many answers it deleted.
    pub last_sweep: Option<(String, u64)>,
}

pub async fn overview(state: &AppState, by: &Operator) -> Result<Overview> {
    by.require(Permission::HandleRequests)?;
    let mut forms = Vec::new();
    for row in state.store.retention_overview().await? {
        let days = crate::forms::current(state, &row.form_id).await.ok().map(|v| v.definition.notice.retention_days);
        forms.push((row, days));
    }
    Ok(Overview { forms, last_sweep: state.store.last_sweep().await? })
}

/// Sweeps on start and then every `every`, until the process ends.
pub async fn run(state: AppState, every: Duration) {
    loop {
        let result = sweep(&state, now_ms()).await;
        if let Ok(n) = &result
            && let Err(e) = state.store.record_sweep(&rfc3339_ms(now_ms()), *n).await
        {
            tracing::warn!(error = %e, "could not record the retention sweep");
        }
        match result {
            Ok(0) => tracing::debug!("retention sweep: nothing due"),
            Ok(n) => tracing::info!(deleted = n, "retention sweep deleted the answers of due submissions"),
            Err(e) => tracing::error!(error = %e, "retention sweep failed; it runs again later"),
        }
        // Prefill values of personal links, and the sealed secrets kept for their
        // reminders, go when their link expires.
        match crate::links::erase_expired_prefill(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "deleted the prefill values and reminders of expired personal links"),
            Err(e) => tracing::error!(error = %e, "deleting expired link prefill failed; it runs again later"),
        }
        tokio::time::sleep(every).await;
    }
}
