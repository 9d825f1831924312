//! The audit log: an append-only hash chain of operator actions (see
//! [`crate::audit`]), and searching it.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Store;
use super::classify::{AUDIT_MOVED, DbOutcome, Tag, UniqueIndex};
use crate::error::Result;

/// One audit record; `digest` covers every other member (see [`crate::audit`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub seq: u64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub detail: String,
    pub previous: Option<String>,
    pub digest: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl AuditFilter {
    /// From what a person typed: empty means "any"; a date (`YYYY-MM-DD`) as the
    /// end covers that whole day.
    pub fn from_inputs(actor: &str, action: &str, from: &str, to: &str) -> Self {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        AuditFilter {
            actor: some(actor),
            action: some(action),
            from: some(from),
            to: some(to).map(|t| if t.len() == 10 { format!("{t}T23:59:59.999Z") } else { t }),
        }
    }
}

impl Store {
    /// The audit chain's last sequence number and digest; `(0, None)` when empty.
    pub async fn audit_head(&self) -> Result<(u64, Option<String>)> {
        #[derive(Deserialize)]
        struct Head {
            seq: u64,
            digest: String,
        }
        let head: Option<Head> =
            self.first("SELECT seq, digest FROM type::record('audit_head', 'head')", json!({})).await?;
        Ok(head.map_or((0, None), |h| (h.seq, Some(h.digest))))
    }

    /// Appends a record if the head is still at `seq - 1` (else `false`: retry).
    pub async fn append_audit(&self, record: &AuditRow) -> Result<bool> {
        let result = self
            .exec_classified(
                "BEGIN;
                 LET $head = (SELECT VALUE seq FROM type::record('audit_head', 'head'))[0] ?? 0;
                 IF $head != $seq - 1 { THROW $audit_moved };
                 CREATE type::record('audit', $seq) CONTENT {
                     seq: $seq, at: $at, actor: $actor, action: $action, object: $object, detail: $detail,
                     previous: $previous, digest: $digest
                 };
                 UPSERT type::record('audit_head', 'head') CONTENT { seq: $seq, digest: $digest };
                 COMMIT;",
                json!({
                    "seq": record.seq, "at": record.at, "actor": record.actor, "action": record.action,
                    "object": record.object, "detail": record.detail, "previous": record.previous,
                    "digest": record.digest, "audit_moved": AUDIT_MOVED,
                }),
            )
            .await;
        match result {
            Ok(()) => Ok(true),
            // Another record took this place first (the check, the index, or a
            // conflict that outlasted the retries): the caller builds it again.
            Err(f) => match f.outcome() {
                DbOutcome::Conflict
                | DbOutcome::Thrown(Tag::AuditMoved)
                | DbOutcome::Duplicate(UniqueIndex::AuditSeq) => Ok(false),
                _ => Err(f.into()),
            },
        }
    }

    /// Records in order of `seq`, from `from` on.
    pub async fn audit_range(&self, from: u64, limit: u64) -> Result<Vec<AuditRow>> {
        self.rows(
            "SELECT seq, at, actor, action, object, detail, previous, digest FROM audit
             WHERE seq >= $from ORDER BY seq LIMIT $limit",
            json!({ "from": from, "limit": limit }),
        )
        .await
    }

    /// Newest first, filtered; `at` bounds compare as RFC 3339 text.
    pub async fn audit_search(&self, filter: &AuditFilter, offset: u64, limit: u64) -> Result<Vec<AuditRow>> {
        self.rows(
            "SELECT seq, at, actor, action, object, detail, previous, digest FROM audit
             WHERE ($actor = NONE OR actor = $actor) AND ($action = NONE OR action = $action)
               AND ($from = NONE OR at >= $from) AND ($to = NONE OR at <= $to)
             ORDER BY seq DESC LIMIT $limit START $offset",
            json!({
                "actor": filter.actor, "action": filter.action, "from": filter.from, "to": filter.to,
                "offset": offset, "limit": limit,
            }),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::store;

    #[tokio::test]
    async fn audit_records_append_only_in_sequence() {
        let store = store().await;
        assert_eq!(store.audit_head().await.unwrap(), (0, None));
        let row = |seq: u64, previous: Option<&str>| AuditRow {
            seq,
            at: "2026-11-27T10:00:00.000Z".into(),
            actor: "ada".into(),
            action: "login".into(),
            object: "ada".into(),
            detail: String::new(),
            previous: previous.map(str::to_owned),
            digest: format!("d{seq}"),
        };
        assert!(store.append_audit(&row(1, None)).await.unwrap());
        assert!(!store.append_audit(&row(1, None)).await.unwrap(), "the head moved on");
        assert!(!store.append_audit(&row(3, Some("d1"))).await.unwrap(), "no gaps");
        assert!(store.append_audit(&row(2, Some("d1"))).await.unwrap());
        assert_eq!(store.audit_head().await.unwrap(), (2, Some("d2".to_owned())));
        assert_eq!(store.audit_range(1, 10).await.unwrap(), vec![row(1, None), row(2, Some("d1"))]);
        let filter = AuditFilter { actor: Some("ada".into()), ..Default::default() };
        assert_eq!(store.audit_search(&filter, 0, 1).await.unwrap(), vec![row(2, Some("d1"))]);
        let nobody = AuditFilter { actor: Some("bob".into()), ..Default::default() };
        assert!(store.audit_search(&nobody, 0, 10).await.unwrap().is_empty());
    }
}
