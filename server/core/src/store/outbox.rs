//! The outbox: every message the instance sends, its tries and its fate.
//!
//! A message is written here in the same transaction as the event that causes it
//! (a submission, a reset request), so a crash after that commit loses nothing: a
//! sender finds it due. Senders claim a due row by moving its `next_ms` a lease
//! ahead; two replicas claiming one row conflict in the store and one of them wins.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Store;
use crate::error::Result;

/// A message to put in the outbox.
#[derive(Debug, Clone, Serialize)]
pub struct NewMessage {
    pub message_id: String,
    /// `mail` or `webhook`.
    pub kind: String,
    /// Why it is sent: `password_reset`, `notification`, `test`; for a webhook its
    /// event type (`submission.created`, `submission.deleted`, `webhook.test`).
    pub purpose: String,
    pub form_id: Option<String>,
    pub link_id: Option<String>,
    /// A webhook's message: the webhook whose address and secret it is sent with.
    pub webhook_id: Option<String>,
    /// The submission whose answers the message carries: erasing them cancels it
    /// while it is undelivered.
    pub submission_id: Option<String>,
    /// The address, or the console account whose address is read at sending time.
    pub to_address: Option<String>,
    pub to_account: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub created_ms: i64,
    /// After this, a message that could not be delivered is given up.
    pub give_up_ms: i64,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MessageRow {
    pub message_id: String,
    pub kind: String,
    pub purpose: String,
    #[serde(default)]
    pub form_id: Option<String>,
    #[serde(default)]
    pub link_id: Option<String>,
    #[serde(default)]
    pub webhook_id: Option<String>,
    #[serde(default)]
    pub to_address: Option<String>,
    #[serde(default)]
    pub to_account: Option<String>,
    pub subject: String,
    /// Gone once the message was delivered.
    #[serde(default)]
    pub body_text: Option<String>,
    #[serde(default)]
    pub body_html: Option<String>,
    /// `queued`, `sending`, `sent` or `failed`.
    pub status: String,
    pub attempts: u32,
    pub next_ms: i64,
    pub give_up_ms: i64,
    pub created_ms: i64,
    pub created_by: String,
    #[serde(default)]
    pub sent_ms: Option<i64>,
    #[serde(default)]
    pub last_error: Option<String>,
}

/// One try to deliver a message.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AttemptRow {
    pub at_ms: i64,
    /// `sent`, `retry` or `failed`.
    pub outcome: String,
    pub detail: String,
}

/// What became of a try, as the outbox records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent {
        detail: String,
    },
    /// Tried again at `next_ms`.
    Retry {
        next_ms: i64,
        error: String,
    },
    Failed {
        error: String,
    },
}

/// Which messages a list shows.
#[derive(Debug, Clone, Default)]
pub struct MessageFilter {
    pub form_id: Option<String>,
    pub status: Option<String>,
    /// Only messages created before this (the next page of a newest-first list).
    pub before_ms: Option<i64>,
}

/// A message sent for a personal link (its mail or a reminder), for the links list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LinkMessageRow {
    pub link_id: String,
    pub purpose: String,
    pub status: String,
    #[serde(default)]
    pub last_error: Option<String>,
    pub created_ms: i64,
}

/// What lists show: everything but the bodies (only a sender reads those).
const LIST_COLUMNS: &str = "message_id, kind, purpose, form_id, link_id, webhook_id, to_address, to_account, subject, \
     status, attempts, next_ms, give_up_ms, created_ms, created_by, sent_ms, last_error";
const COLUMNS: &str = "message_id, kind, purpose, form_id, link_id, webhook_id, to_address, to_account, subject, body_text, \
     body_html, status, attempts, next_ms, give_up_ms, created_ms, created_by, sent_ms, last_error";

/// The rows an `INSERT INTO outbox` takes (the message id is also the record's key).
pub(super) fn outbox_rows(messages: &[NewMessage]) -> Result<Vec<Value>> {
    messages
        .iter()
        .map(|m| {
            let mut row = serde_json::to_value(m).map_err(|e| crate::Error::Internal(e.to_string()))?;
            row["id"] = json!(m.message_id);
            row["status"] = json!("queued");
            row["attempts"] = json!(0);
            row["next_ms"] = json!(m.created_ms);
            Ok(super::strip_nulls(row))
        })
        .collect()
}

impl Store {
    /// Puts messages in the outbox (on their own: the event that causes them is
    /// the request to send them).
    pub async fn enqueue(&self, messages: &[NewMessage]) -> Result<()> {
        if messages.is_empty() {
            return Ok(());
        }
        self.exec("INSERT INTO outbox $rows", json!({ "rows": outbox_rows(messages)? })).await
    }

    /// Ids of messages due at `now_ms` (queued, or claimed by a sender whose lease
    /// ran out), oldest due first.
    pub async fn due_messages(&self, now_ms: i64, limit: u32) -> Result<Vec<String>> {
        let mut due: Vec<(i64, String)> = Vec::new();
        for status in ["queued", "sending"] {
            #[derive(Deserialize)]
            struct Due {
                message_id: String,
                next_ms: i64,
            }
            let rows: Vec<Due> = self
                .rows(
                    "SELECT message_id, next_ms FROM outbox WHERE status = $status AND next_ms <= $now
                     ORDER BY next_ms LIMIT $limit",
                    json!({ "status": status, "now": now_ms, "limit": limit }),
                )
                .await?;
            due.extend(rows.into_iter().map(|r| (r.next_ms, r.message_id)));
        }
        due.sort();
        Ok(due.into_iter().take(limit as usize).map(|(_, id)| id).collect())
    }

    /// Claims a due message for one try until `lease_ms`: the row, or `None` when
    /// it is not due (another sender has it, or it was delivered meanwhile).
    pub async fn claim_message(&self, message_id: &str, now_ms: i64, lease_ms: i64) -> Result<Option<MessageRow>> {
        self.first(
            &format!(
                "UPDATE type::record('outbox', $id) SET status = 'sending', next_ms = $lease, attempts += 1
                 WHERE status IN ['queued', 'sending'] AND next_ms <= $now
                 RETURN {COLUMNS}"
            ),
            json!({ "id": message_id, "now": now_ms, "lease": lease_ms }),
        )
        .await
    }

    /// Records a try's outcome (and the try), provided this sender still holds the
    /// claim. A delivered message loses its body: the outbox keeps that it was
    /// sent, not what it said.
    pub async fn finish_message(&self, message_id: &str, now_ms: i64, delivery: &Delivery) -> Result<()> {
        let (set, next_ms, error, outcome, detail) = match delivery {
            Delivery::Sent { detail } => (
                "status = 'sent', sent_ms = $now, body_text = NONE, body_html = NONE, last_error = NONE",
                now_ms,
                None,
                "sent",
                detail.as_str(),
            ),
            Delivery::Retry { next_ms, error } => (
                "status = 'queued', next_ms = $next, last_error = $error",
                *next_ms,
                Some(error),
                "retry",
                error.as_str(),
            ),
            Delivery::Failed { error } => (
                "status = 'failed', next_ms = $next, last_error = $error",
                now_ms,
                Some(error),
                "failed",
                error.as_str(),
            ),
        };
        self.exec(
            &format!(
                "BEGIN;
                 UPDATE type::record('outbox', $id) SET {set} WHERE status = 'sending';
                 CREATE outbox_attempt CONTENT {{ message_id: $id, at_ms: $now, outcome: $outcome, detail: $detail }};
                 COMMIT;"
            ),
            json!({
                "id": message_id, "next": next_ms, "error": error, "now": now_ms, "outcome": outcome, "detail": detail,
            }),
        )
        .await
    }

    pub async fn message(&self, message_id: &str) -> Result<Option<MessageRow>> {
        self.first(&format!("SELECT {COLUMNS} FROM type::record('outbox', $id)"), json!({ "id": message_id })).await
    }

    /// Messages newest first, at most `limit`, without their bodies.
    pub async fn messages(&self, filter: &MessageFilter, limit: u32) -> Result<Vec<MessageRow>> {
        let mut conditions = vec!["created_ms < $before"];
        if filter.form_id.is_some() {
            conditions.push("form_id = $form_id");
        }
        if filter.status.is_some() {
            conditions.push("status = $status");
        }
        self.rows(
            &format!(
                "SELECT {LIST_COLUMNS} FROM outbox WHERE {} ORDER BY created_ms DESC LIMIT $limit",
                conditions.join(" AND ")
            ),
            json!({
                "before": filter.before_ms.unwrap_or(i64::MAX), "form_id": filter.form_id,
                "status": filter.status, "limit": limit,
            }),
        )
        .await
    }

    /// Counts of messages by status (for the outbox page's summary).
    pub async fn message_counts(&self, form_id: Option<&str>) -> Result<Vec<(String, u64)>> {
        #[derive(Deserialize)]
        struct Count {
            status: String,
            n: u64,
        }
        let filter = if form_id.is_some() { "WHERE form_id = $form_id" } else { "" };
        let rows: Vec<Count> = self
            .rows(
                &format!("SELECT status, count() AS n FROM outbox {filter} GROUP BY status"),
                json!({ "form_id": form_id }),
            )
            .await?;
        Ok(rows.into_iter().map(|c| (c.status, c.n)).collect())
    }

    pub async fn message_attempts(&self, message_id: &str) -> Result<Vec<AttemptRow>> {
        self.rows(
            "SELECT at_ms, outcome, detail FROM outbox_attempt WHERE message_id = $id ORDER BY at_ms",
            json!({ "id": message_id }),
        )
        .await
    }

    /// Queues a failed message again, to be given up at `give_up_ms`: `false` if it
    /// is not failed (or has no body left to send).
    pub async fn retry_message(&self, message_id: &str, now_ms: i64, give_up_ms: i64) -> Result<bool> {
        let updated: Vec<Value> = self
            .rows(
                "UPDATE type::record('outbox', $id) SET status = 'queued', next_ms = $now, give_up_ms = $give_up
                 WHERE status = 'failed' AND body_text != NONE
                 RETURN message_id",
                json!({ "id": message_id, "now": now_ms, "give_up": give_up_ms }),
            )
            .await?;
        Ok(!updated.is_empty())
    }

    /// The messages of a form's personal links, oldest first (no bodies).
    pub async fn link_messages(&self, form_id: &str) -> Result<Vec<LinkMessageRow>> {
        self.rows(
            "SELECT link_id, purpose, status, last_error, created_ms FROM outbox
             WHERE form_id = $form_id AND link_id != NONE ORDER BY created_ms",
            json!({ "form_id": form_id }),
        )
        .await
    }

    /// Housekeeping: failed messages keep their body for `failed_keep_ms` (so they
    /// can be sent again), every message and its tries for `keep_ms`.
    pub async fn forget_old_messages(&self, now_ms: i64, failed_keep_ms: i64, keep_ms: i64) -> Result<()> {
        self.exec(
            "UPDATE outbox SET body_text = NONE, body_html = NONE
                 WHERE status = 'failed' AND created_ms < $failed_before AND body_text != NONE;
             DELETE outbox_attempt WHERE at_ms < $before;
             DELETE outbox WHERE created_ms < $before AND status IN ['sent', 'failed'];",
            json!({ "failed_before": now_ms - failed_keep_ms, "before": now_ms - keep_ms }),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::store;

    fn mail(id: &str, at: i64) -> NewMessage {
        NewMessage {
            message_id: id.into(),
            kind: "mail".into(),
            purpose: "test".into(),
            form_id: Some("f".into()),
            link_id: None,
            webhook_id: None,
            submission_id: None,
            to_address: Some("ada@example.org".into()),
            to_account: None,
            subject: "Hello".into(),
            body_text: "Body".into(),
            body_html: None,
            created_ms: at,
            give_up_ms: at + 1_000_000,
            created_by: "ada".into(),
        }
    }

    #[tokio::test]
    async fn a_message_is_claimed_once_per_lease_and_loses_its_body_when_sent() {
        let store = store().await;
        store.enqueue(&[mail("m1", 100), mail("m2", 200)]).await.unwrap();
        assert_eq!(store.due_messages(150, 10).await.unwrap(), vec!["m1"]);
        assert_eq!(store.due_messages(250, 10).await.unwrap(), vec!["m1", "m2"]);

        let claimed = store.claim_message("m1", 250, 10_250).await.unwrap().unwrap();
        assert_eq!((claimed.status.as_str(), claimed.attempts), ("sending", 1));
        assert_eq!(claimed.body_text.as_deref(), Some("Body"));
        // Claimed: not due for anyone else until the lease ends.
        assert!(store.claim_message("m1", 300, 10_300).await.unwrap().is_none());
        assert_eq!(store.due_messages(300, 10).await.unwrap(), vec!["m2"]);
        // The lease ran out (the sender died): due again, and claimed again.
        assert_eq!(store.due_messages(10_251, 10).await.unwrap(), vec!["m2", "m1"]);
        let again = store.claim_message("m1", 10_251, 20_251).await.unwrap().unwrap();
        assert_eq!(again.attempts, 2);

        store.finish_message("m1", 10_300, &Delivery::Sent { detail: "250 OK".into() }).await.unwrap();
        let sent = store.message("m1").await.unwrap().unwrap();
        assert_eq!((sent.status.as_str(), sent.sent_ms, sent.body_text), ("sent", Some(10_300), None));
        assert!(store.claim_message("m1", 99_999, 100_000).await.unwrap().is_none());
        let tries = store.message_attempts("m1").await.unwrap();
        assert_eq!(tries.len(), 1);
        assert_eq!((tries[0].outcome.as_str(), tries[0].detail.as_str()), ("sent", "250 OK"));
    }

    #[tokio::test]
    async fn a_retry_waits_and_a_failure_can_be_queued_again() {
        let store = store().await;
        store.enqueue(&[mail("m1", 100)]).await.unwrap();
        store.claim_message("m1", 100, 1_100).await.unwrap().unwrap();
        let retry = Delivery::Retry { next_ms: 5_000, error: "421 busy".into() };
        store.finish_message("m1", 110, &retry).await.unwrap();
        assert!(store.due_messages(4_999, 10).await.unwrap().is_empty());
        assert_eq!(store.due_messages(5_000, 10).await.unwrap(), vec!["m1"]);
        store.claim_message("m1", 5_000, 6_000).await.unwrap().unwrap();
        store.finish_message("m1", 5_010, &Delivery::Failed { error: "550 no such user".into() }).await.unwrap();
        let failed = store.message("m1").await.unwrap().unwrap();
        assert_eq!((failed.status.as_str(), failed.last_error.as_deref()), ("failed", Some("550 no such user")));
        assert!(store.due_messages(i64::MAX / 2, 10).await.unwrap().is_empty());
        let counts = store.message_counts(Some("f")).await.unwrap();
        assert_eq!(counts, vec![("failed".to_owned(), 1)]);

        assert!(store.retry_message("m1", 6_000, 100_000).await.unwrap());
        assert!(!store.retry_message("m1", 6_000, 100_000).await.unwrap(), "queued already");
        assert_eq!(store.due_messages(6_000, 10).await.unwrap(), vec!["m1"]);
        let list =
            store.messages(&MessageFilter { form_id: Some("f".into()), ..Default::default() }, 10).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(store.message_attempts("m1").await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn old_messages_are_forgotten_and_failed_ones_lose_their_body_first() {
        let store = store().await;
        store.enqueue(&[mail("old", 100), mail("new", 5_000)]).await.unwrap();
        for id in ["old", "new"] {
            store.claim_message(id, 5_000, 6_000).await.unwrap().unwrap();
            store.finish_message(id, 5_000, &Delivery::Failed { error: "550".into() }).await.unwrap();
        }
        store.forget_old_messages(6_000, 1_000, 100_000).await.unwrap();
        assert_eq!(store.message("old").await.unwrap().unwrap().body_text, None);
        assert_eq!(store.message("new").await.unwrap().unwrap().body_text.as_deref(), Some("Body"));
        assert!(!store.retry_message("old", 6_000, 9_000).await.unwrap(), "nothing left to send");
        store.forget_old_messages(200_000, 1_000, 100_000).await.unwrap();
        assert!(store.message("old").await.unwrap().is_none());
        assert!(store.message("new").await.unwrap().is_none());
    }
}
