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
use crate::permissions::{Operator, Permission};
use crate::state::AppState;
use crate::store::{AuditFilter, AuditRow};
use crate::time::{now_ms, rfc3339_ms};

const MAX_ATTEMPTS: u32 = 50;

pub use formseal_model::audit_action::{Action, UnknownAction};

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
pub async fn record(state: &AppState, actor: &str, action: Action, object: &str, detail: &str) -> Result<()> {
    let lock = state.chain_lock("\0audit");
    let _turn = lock.lock().await;
    for attempt in 0..MAX_ATTEMPTS {
        let (seq, previous) = state.store.audit_head().await?;
        let mut row = AuditRow {
            seq: seq + 1,
            at: rfc3339_ms(now_ms()),
            actor: actor.to_owned(),
            // The store keeps the name (its rows are plain strings).
            action: action.as_str().to_owned(),
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
pub async fn record_or_log(state: &AppState, actor: &str, action: Action, object: &str, detail: &str) {
    if let Err(e) = record(state, actor, action, object, detail).await {
        tracing::error!(error = %e, action = action.as_str(), actor, "could not write the audit record");
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

/// Records matching `filter`, oldest first, from `offset` (at most 1000).
pub async fn search(
    state: &AppState,
    by: &Operator,
    filter: &AuditFilter,
    offset: u64,
    limit: u64,
) -> Result<Vec<AuditRow>> {
    by.require(Permission::ViewAudit)?;
    state.store.audit_search(filter, offset, limit.min(1000)).await
}

/// Checks the whole chain for someone who reads the log; the check is audited.
pub async fn check(state: &AppState, by: &Operator) -> Result<Verification> {
    by.require(Permission::ViewAudit)?;
    let result = verify(state).await?;
    let detail = match &result.broken {
        Some((seq, why)) => format!("record {seq}: {why}"),
        None => format!("intact, {} records", result.records),
    };
    record(state, &by.username, Action::AuditVerified, "audit", &detail).await?;
    Ok(result)
}

/// Upper bound on one audit export; narrower filters give the rest.
pub const MAX_EXPORT_ROWS: u64 = 200_000;

/// Every record matching `filter` (up to [`MAX_EXPORT_ROWS`]) for a download in
/// `format` (as the audit record names it). The export is audited.
pub async fn export(state: &AppState, by: &Operator, filter: &AuditFilter, format: &str) -> Result<Vec<AuditRow>> {
    by.require(Permission::ViewAudit)?;
    let mut rows: Vec<AuditRow> = Vec::new();
    while (rows.len() as u64) < MAX_EXPORT_ROWS {
        let page = state.store.audit_search(filter, rows.len() as u64, 1000).await?;
        let done = page.len() < 1000;
        rows.extend(page);
        if done {
            break;
        }
    }
    let detail = format!("{} records as {format}", rows.len());
    record(state, &by.username, Action::AuditExported, "audit", &detail).await?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyRing;
    use crate::state::Config;
    use crate::store::{DbConfig, Store};

    async fn state(dir: &std::path::Path) -> AppState {
        let store =
            Store::connect(&DbConfig { url: "mem://".into(), namespace: "t".into(), user: None, password: None })
                .await
                .unwrap();
        store.migrate().await.unwrap();
        AppState::new(store, KeyRing::load_or_create(dir).unwrap(), Config::new("http://127.0.0.1:1"))
    }

    #[tokio::test]
    async fn an_edited_or_removed_record_breaks_the_chain() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(dir.path()).await;
        for n in 0..5 {
            record(&state, "ada", Action::SubmissionViewed, &format!("s{n}"), "full").await.unwrap();
        }
        assert_eq!(verify(&state).await.unwrap(), Verification { records: 5, broken: None });

        // Someone edits record 3 in the database.
        state.store.exec("UPDATE audit:3 SET actor = 'mallory'", json!({})).await.unwrap();
        let v = verify(&state).await.unwrap();
        assert_eq!(v.broken.as_ref().map(|b| b.0), Some(3), "{v:?}");
        assert!(v.broken.unwrap().1.contains("edited"));
        state.store.exec("UPDATE audit:3 SET actor = 'ada'", json!({})).await.unwrap();
        assert_eq!(verify(&state).await.unwrap().broken, None);

        // ... or removes record 2.
        state.store.exec("DELETE audit:2", json!({})).await.unwrap();
        let v = verify(&state).await.unwrap();
        assert_eq!(v.broken, Some((2, "record 2 is missing".to_owned())));
    }

    #[tokio::test]
    async fn concurrent_records_form_one_chain() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(dir.path()).await;
        let tasks: Vec<_> = (0..20)
            .map(|n| {
                let state = state.clone();
                tokio::spawn(async move { record(&state, "bob", Action::Login, &format!("{n}"), "").await })
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(verify(&state).await.unwrap(), Verification { records: 20, broken: None });
    }

    #[test]
    fn actions_keep_their_stored_names() {
        // The names records were written with: changing one would orphan them in
        // filters and exports.
        let names = [
            "login",
            "login_failed",
            "logout",
            "account_created",
            "account_changed",
            "account_invited",
            "recovery_code_used",
            "password_changed",
            "password_reset",
            "legal_hold_set",
            "legal_hold_lifted",
            "form_created",
            "form_published",
            "form_archived",
            "form_restored",
            "spam_protection_changed",
            "funnel_switched",
            "submission_viewed",
            "submissions_listed",
            "submissions_exported",
            "integrity_verified",
            "audit_exported",
            "audit_verified",
            "request_registered",
            "request_searched",
            "request_reviewed",
            "request_reported",
            "request_status",
            "erased",
            "rectified",
            "link_created",
            "links_imported",
            "link_revoked",
            "link_extended",
            "link_opened",
            "link_submitted",
            "link_qr",
            "password_reset_requested",
            "password_reset_by_mail",
            "notifications_changed",
            "message_queued",
            "message_sent",
            "message_failed",
            "message_retried",
            "email_changed",
            "webhook_added",
            "webhook_changed",
            "webhook_removed",
            "link_mails_queued",
            "link_reminder_queued",
            "link_mail_template_changed",
        ];
        assert_eq!(Action::ALL.map(Action::as_str), names);
        for action in Action::ALL {
            assert_eq!(serde_json::to_value(action).unwrap(), json!(action.as_str()));
            assert_eq!(action.as_str().parse::<Action>(), Ok(action));
        }
        assert!("launched".parse::<Action>().is_err());
    }
}
