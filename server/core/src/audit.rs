//! The audit log: who did what, when, to which object. Records are appended in a
//! hash chain: each record's digest covers its content and the digest of the record
//! before it, so editing or removing a record breaks every later link, and
//! [`verify`] finds the first broken one.
//!
//! Recorded: log-ins (success and failure), log-outs, account and role changes,
//! form creation, publication and archiving, every view of a single submission,
//! every list or export containing personal data, audit exports.

use formseal_model::{Domain, canonical};
use serde::Serialize;
use serde_json::json;

use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{AuditFilter, AuditRow};
use crate::time::{now_ms, rfc3339_ms};

const MAX_ATTEMPTS: u32 = 50;

/// What happened; the names are stable (filters and exports use them).
pub mod action {
    pub const LOGIN: &str = "login";
    pub const LOGIN_FAILED: &str = "login_failed";
    pub const LOGOUT: &str = "logout";
    pub const ACCOUNT_CREATED: &str = "account_created";
    pub const ACCOUNT_CHANGED: &str = "account_changed";
    pub const FORM_CREATED: &str = "form_created";
    pub const FORM_PUBLISHED: &str = "form_published";
    pub const FORM_ARCHIVED: &str = "form_archived";
    pub const FORM_RESTORED: &str = "form_restored";
    pub const SUBMISSION_VIEWED: &str = "submission_viewed";
    pub const SUBMISSIONS_LISTED: &str = "submissions_listed";
    pub const AUDIT_EXPORTED: &str = "audit_exported";
    pub const AUDIT_VERIFIED: &str = "audit_verified";
}

/// The digest of a record: everything but the digest itself, canonical, with the
/// audit domain prefix.
pub fn digest_of(row: &AuditRow) -> Result<String> {
    let content = json!({
        "v": 1, "seq": row.seq, "at": row.at, "actor": row.actor, "action": row.action,
        "object": row.object, "detail": row.detail, "previous": row.previous,
    });
    canonical::digest_b64(Domain::Audit, &content).map_err(|e| Error::Internal(format!("audit digest: {e}")))
}

/// Appends one record. Callers that show personal data record first and fail if
/// recording fails: no access without its trace.
pub async fn record(state: &AppState, actor: &str, action: &str, object: &str, detail: &str) -> Result<()> {
    let lock = state.chain_lock("\0audit");
    let _turn = lock.lock().await;
    for attempt in 0..MAX_ATTEMPTS {
        let (seq, previous) = state.store.audit_head().await?;
        let mut row = AuditRow {
            seq: seq + 1,
            at: rfc3339_ms(now_ms()),
            actor: actor.to_owned(),
            action: action.to_owned(),
            object: object.to_owned(),
            detail: detail.to_owned(),
            previous,
            digest: String::new(),
        };
        row.digest = digest_of(&row)?;
        if state.store.append_audit(&row).await? {
            return Ok(());
        }
        // Another replica appended first: take the new head and try again.
        tokio::time::sleep(std::time::Duration::from_millis(u64::from(attempt.min(10)) * 5)).await;
    }
    Err(Error::Busy)
}

/// For events whose action must not fail because the log is briefly unavailable
/// (a failed log-in): the problem goes to the server log instead.
pub async fn record_or_log(state: &AppState, actor: &str, action: &str, object: &str, detail: &str) {
    if let Err(e) = record(state, actor, action, object, detail).await {
        tracing::error!(error = %e, action, actor, "could not write the audit record");
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Records checked.
    pub records: u64,
    /// The first record that does not fit, and why; `None` if the chain is intact.
    pub broken: Option<(u64, String)>,
}

/// Walks the whole chain: sequence numbers without gaps, each record's digest
/// recomputed, each link to the previous digest, and the head at the last record.
pub async fn verify(state: &AppState) -> Result<Verification> {
    let (head_seq, head_digest) = state.store.audit_head().await?;
    let mut expected_seq = 1u64;
    let mut previous: Option<String> = None;
    loop {
        let page = state.store.audit_range(expected_seq, 1000).await?;
        if page.is_empty() {
            break;
        }
        for row in page {
            let problem = if row.seq != expected_seq {
                Some(format!("record {expected_seq} is missing"))
            } else if row.previous != previous {
                Some("its link to the previous record does not match".to_owned())
            } else if digest_of(&row)? != row.digest {
                Some("its content does not match its digest (edited)".to_owned())
            } else {
                None
            };
            if let Some(problem) = problem {
                return Ok(Verification { records: expected_seq - 1, broken: Some((expected_seq, problem)) });
            }
            previous = Some(row.digest);
            expected_seq += 1;
        }
    }
    let count = expected_seq - 1;
    if count != head_seq || previous != head_digest {
        return Ok(Verification {
            records: count,
            broken: Some((count + 1, format!("the log ends at record {count}, but its head says {head_seq}"))),
        });
    }
    Ok(Verification { records: count, broken: None })
}

pub async fn search(state: &AppState, filter: &AuditFilter, offset: u64, limit: u64) -> Result<Vec<AuditRow>> {
    state.store.audit_search(filter, offset, limit.min(1000)).await
}
