//! Submissions: the hash chain of each form's receipts, storing one or a batch in
//! one transaction, and reading them back.

use serde::Deserialize;
use serde_json::{Value, json};

use super::classify::{CHAIN_MOVED, DbOutcome, LINK_CLOSED, LINK_USED, Table, Tag, UniqueIndex};
use super::pow::SpentChallenge;
use super::{Store, strip_nulls};
use crate::error::Result;

#[derive(Debug, Clone, Deserialize)]
pub struct SubmissionRow {
    pub submission_id: String,
    pub form_id: String,
    pub version: String,
    pub nonce: String,
    pub envelope: Option<Value>,
    pub envelope_digest: String,
    pub public_key: String,
    pub signature: String,
    pub sequence: u64,
    pub receipt: Value,
    pub receipt_digest: String,
    pub received_at: String,
    /// The signed statement of deletion, once the answers are gone.
    #[serde(default)]
    pub tombstone: Option<Value>,
    /// The personal link whose key signed the envelope.
    #[serde(default)]
    pub link_id: Option<String>,
}

/// What a new submission row holds; `delete_after` is when retention removes it.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    pub submission_id: String,
    pub form_id: String,
    pub version: String,
    pub nonce: String,
    pub envelope: Value,
    pub envelope_digest: String,
    pub public_key: String,
    pub signature: String,
    pub sequence: u64,
    pub receipt: Value,
    pub receipt_digest: String,
    pub received_at: String,
    pub delete_after: String,
    /// The proof-of-work challenge this submission spends, if it came with one.
    pub challenge: Option<SpentChallenge>,
    /// The person index's tokens of the answers (see [`crate::person_index`]).
    pub person_tokens: Vec<String>,
    /// Messages this submission causes (notifications), stored in the same transaction.
    pub messages: Vec<super::NewMessage>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum InsertOutcome {
    Stored,
    /// Another submission took the next place in the chain first.
    ChainMoved,
    /// Another request stored this nonce first.
    NonceTaken,
    /// The proof-of-work challenge was already used.
    ChallengeSpent,
    /// The single-use personal link was used by another submission.
    LinkUsed,
    /// The personal link was revoked or expired meanwhile.
    LinkClosed,
}

pub(super) const SUBMISSION_COLUMNS: &str = "submission_id, form_id, version, nonce, envelope, envelope_digest, public_key, \
     signature, sequence, receipt, receipt_digest, <string>received_at AS received_at, tombstone, link_id";

impl Store {
    /// The form's last sequence number and receipt digest; `(0, None)` for none yet.
    pub async fn chain_head(&self, form_id: &str) -> Result<(u64, Option<String>)> {
        #[derive(Deserialize)]
        struct Head {
            sequence: u64,
            digest: String,
        }
        let head: Option<Head> = self
            .first("SELECT sequence, digest FROM type::record('chain_head', $form_id)", json!({ "form_id": form_id }))
            .await?;
        Ok(head.map(|h| (h.sequence, Some(h.digest))).unwrap_or((0, None)))
    }

    pub async fn submission_by_nonce(&self, form_id: &str, nonce: &str) -> Result<Option<SubmissionRow>> {
        self.first(
            &format!("SELECT {SUBMISSION_COLUMNS} FROM submission WHERE form_id = $form_id AND nonce = $nonce"),
            json!({ "form_id": form_id, "nonce": nonce }),
        )
        .await
    }

    pub async fn submission(&self, submission_id: &str) -> Result<Option<SubmissionRow>> {
        self.first(
            &format!("SELECT {SUBMISSION_COLUMNS} FROM type::record('submission', $id)"),
            json!({ "id": submission_id }),
        )
        .await
    }

    /// Stores the submission and moves the chain head in one transaction, provided
    /// the head is still at `sequence - 1` (optimistic: concurrent writers retry).
    pub async fn insert_submission(&self, s: &NewSubmission) -> Result<InsertOutcome> {
        self.insert_submission_with_link(s, None).await
    }

    /// As [`Store::insert_submission`], for a submission signed with personal link
    /// `link`: in the same transaction the link must still be open (not revoked, not
    /// expired, a single-use link not used yet) and its use is counted, so of two
    /// concurrent submissions over a single-use link exactly one is stored.
    pub async fn insert_submission_with_link(&self, s: &NewSubmission, link: Option<&str>) -> Result<InsertOutcome> {
        self.insert_submissions(&[(s, link)]).await
    }

    /// Stores consecutive submissions of one form (sequences `head + 1 …`) and moves
    /// the chain head past the last, all in one transaction: one commit (one sync to
    /// disk) for the lot. Any refusal refuses all of them; the outcome then says
    /// why, not for which one (callers store them one by one to find out).
    pub async fn insert_submissions(&self, batch: &[(&NewSubmission, Option<&str>)]) -> Result<InsertOutcome> {
        let (Some((first, _)), Some((last, _))) = (batch.first(), batch.last()) else {
            return Ok(InsertOutcome::Stored);
        };
        let rows: Vec<Value> = batch
            .iter()
            .map(|(s, link)| {
                // Absent values must be NONE, not NULL, for the checks below.
                strip_nulls(json!({
                    "submission_id": s.submission_id, "version": s.version, "nonce": s.nonce,
                    "envelope": s.envelope, "envelope_digest": s.envelope_digest, "public_key": s.public_key,
                    "signature": s.signature, "sequence": s.sequence, "receipt": s.receipt,
                    "receipt_digest": s.receipt_digest, "received_at": s.received_at, "delete_after": s.delete_after,
                    "challenge": s.challenge.as_ref().map(|c| &c.id),
                    "challenge_expires": s.challenge.as_ref().map(|c| &c.expires),
                    "link": link,
                }))
            })
            .collect();
        let tokens: Vec<Value> = batch
            .iter()
            .flat_map(|(s, _)| {
                s.person_tokens
                    .iter()
                    .map(|token| json!({ "token": token, "submission_id": s.submission_id, "form_id": s.form_id }))
            })
            .collect();
        let messages: Vec<super::NewMessage> = batch.iter().flat_map(|(s, _)| s.messages.iter().cloned()).collect();
        let messages = super::outbox::outbox_rows(&messages)?;
        let result = self
            .run(
                "BEGIN;
                 LET $head = (SELECT VALUE sequence FROM type::record('chain_head', $form_id))[0] ?? 0;
                 IF $head != $first - 1 { THROW $chain_moved };
                 FOR $s IN $rows {
                     IF $s.link != NONE {
                         LET $l = (SELECT uses, single_use, revoked_at, expires_at FROM type::record('link', $s.link))[0];
                         IF $l == NONE OR $l.revoked_at != NONE OR $l.expires_at < time::now() {
                             THROW $link_closed
                         };
                         IF $l.single_use AND $l.uses > 0 { THROW $link_used };
                         UPDATE type::record('link', $s.link) SET uses += 1, submitted_at = time::now();
                         IF $l.single_use { DELETE type::record('link_prefill', $s.link) };
                         -- Used: no reminder is due any more, and its sealed secret goes.
                         DELETE type::record('link_reminder', $s.link);
                     };
                     -- A used challenge's record exists already: this CREATE fails.
                     IF $s.challenge != NONE {
                         CREATE type::record('pow_spent', $s.challenge) CONTENT {
                             form_id: $form_id, expires: <datetime>$s.challenge_expires
                         };
                     };
                     CREATE type::record('submission', $s.submission_id) CONTENT {
                         submission_id: $s.submission_id, form_id: $form_id, version: $s.version, nonce: $s.nonce,
                         envelope: $s.envelope, envelope_digest: $s.envelope_digest, public_key: $s.public_key,
                         signature: $s.signature, sequence: $s.sequence, receipt: $s.receipt,
                         receipt_digest: $s.receipt_digest, received_at: <datetime>$s.received_at,
                         delete_after: <datetime>$s.delete_after, indexed: true, link_id: $s.link
                     };
                 };
                 -- One statement for every token of the batch: each statement costs.
                 IF array::len($tokens) > 0 { INSERT INTO person_token $tokens };
                 IF array::len($messages) > 0 { INSERT INTO outbox $messages };
                 UPSERT type::record('chain_head', $form_id) CONTENT {
                     form_id: $form_id, sequence: $last, digest: $last_digest
                 };
                 COMMIT;",
                json!({
                    "form_id": first.form_id, "first": first.sequence, "last": last.sequence,
                    "last_digest": last.receipt_digest, "rows": rows, "tokens": tokens, "messages": messages,
                    "chain_moved": CHAIN_MOVED, "link_closed": LINK_CLOSED, "link_used": LINK_USED,
                }),
            )
            .await;
        let Err(failure) = result else { return Ok(InsertOutcome::Stored) };
        match failure.outcome() {
            // Not retried here: the caller builds the receipts again on the new head.
            DbOutcome::Conflict
            | DbOutcome::Thrown(Tag::ChainMoved)
            | DbOutcome::Duplicate(UniqueIndex::SubmissionSequence) => Ok(InsertOutcome::ChainMoved),
            DbOutcome::Duplicate(UniqueIndex::SubmissionNonce) => Ok(InsertOutcome::NonceTaken),
            DbOutcome::Thrown(Tag::LinkUsed) => Ok(InsertOutcome::LinkUsed),
            DbOutcome::Thrown(Tag::LinkClosed) => Ok(InsertOutcome::LinkClosed),
            // Spent before, or by a request running at the same time: the CREATE finds the record.
            DbOutcome::RecordExists(Table::PowSpent) => Ok(InsertOutcome::ChallengeSpent),
            _ => Err(failure.into()),
        }
    }

    /// A page of a form's submissions, newest first, `offset` rows below the newest.
    ///
    /// Sequences run 1, 2, 3 … without gaps (rows are never deleted, only their
    /// answers), so the page starts at sequence `head - offset`: an index range,
    /// where `START offset` would read and drop every row it skips (page 1 000 of
    /// 100 k took 600 ms).
    pub async fn submissions_page(&self, form_id: &str, offset: u64, limit: u64) -> Result<Vec<SubmissionRow>> {
        let (head, _) = self.chain_head(form_id).await?;
        let Some(top) = head.checked_sub(offset).filter(|top| *top > 0) else { return Ok(Vec::new()) };
        self.rows(
            &format!(
                "SELECT {SUBMISSION_COLUMNS} FROM submission WHERE form_id = $form_id AND sequence <= $top
                 ORDER BY sequence DESC LIMIT $limit"
            ),
            json!({ "form_id": form_id, "limit": limit, "top": top }),
        )
        .await
    }

    /// Receipts of a form in chain order, from sequence `from` on.
    pub async fn receipts(&self, form_id: &str, from: u64, limit: u64) -> Result<Vec<Value>> {
        let rows: Vec<Value> = self
            .rows(
                "SELECT VALUE receipt FROM submission WHERE form_id = $form_id AND sequence >= $from
                 ORDER BY sequence ASC LIMIT $limit",
                json!({ "form_id": form_id, "from": from, "limit": limit }),
            )
            .await?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::{row, store};

    #[tokio::test]
    async fn a_batch_is_stored_whole_or_not_at_all() {
        let store = store().await;
        let (a, b, c) = (row("s1", "n1", 1), row("s2", "n2", 2), row("s3", "n3", 3));
        let batch = [(&a, None), (&b, None), (&c, None)];
        assert_eq!(store.insert_submissions(&batch).await.unwrap(), InsertOutcome::Stored);
        assert_eq!(store.chain_head("f").await.unwrap(), (3, Some("r-s3".into())));
        let found = store.submissions_by_tokens(&["tok-s2".into()]).await.unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        // The second reuses a nonce: the first and third are not stored either.
        let (d, e, f) = (row("s4", "n4", 4), row("s5", "n1", 5), row("s6", "n6", 6));
        let batch = [(&d, None), (&e, None), (&f, None)];
        assert_eq!(store.insert_submissions(&batch).await.unwrap(), InsertOutcome::NonceTaken);
        // Two with one nonce in the same batch: likewise.
        let (g, h) = (row("s7", "n7", 4), row("s8", "n7", 5));
        assert_eq!(store.insert_submissions(&[(&g, None), (&h, None)]).await.unwrap(), InsertOutcome::NonceTaken);
        for id in ["s4", "s5", "s6", "s7", "s8"] {
            assert!(store.submission(id).await.unwrap().is_none(), "{id} was stored");
        }
        assert_eq!(store.chain_head("f").await.unwrap().0, 3);
        // A batch that does not start right after the head is refused.
        assert_eq!(store.insert_submissions(&[(&f, None)]).await.unwrap(), InsertOutcome::ChainMoved);
    }

    #[tokio::test]
    async fn a_submission_s_messages_are_stored_with_it_or_not_at_all() {
        let store = store().await;
        let mail = crate::store::testing::message;
        let a = NewSubmission { messages: vec![mail("m1")], ..row("s1", "n1", 1) };
        assert_eq!(store.insert_submission(&a).await.unwrap(), InsertOutcome::Stored);
        assert_eq!(store.message("m1").await.unwrap().unwrap().status, "queued");
        // Refused (a reused nonce): its notification is not queued either.
        let b = NewSubmission { messages: vec![mail("m2")], ..row("s2", "n1", 2) };
        assert_eq!(store.insert_submission(&b).await.unwrap(), InsertOutcome::NonceTaken);
        assert!(store.message("m2").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn the_chain_head_is_a_check_and_set() {
        let store = store().await;
        assert_eq!(store.insert_submission(&row("s1", "n1", 1)).await.unwrap(), InsertOutcome::Stored);
        assert_eq!(store.chain_head("f").await.unwrap(), (1, Some("r-s1".into())));
        // Someone else's sequence 1 after ours: refused, nothing written.
        assert_eq!(store.insert_submission(&row("s2", "n2", 1)).await.unwrap(), InsertOutcome::ChainMoved);
        // A gap is refused too.
        assert_eq!(store.insert_submission(&row("s3", "n3", 3)).await.unwrap(), InsertOutcome::ChainMoved);
        assert!(store.submission("s2").await.unwrap().is_none());
        assert!(store.submission("s3").await.unwrap().is_none());
        // A reused nonce in the right place is reported as such.
        assert_eq!(store.insert_submission(&row("s4", "n1", 2)).await.unwrap(), InsertOutcome::NonceTaken);
        assert_eq!(store.chain_head("f").await.unwrap().0, 1);
    }

    #[tokio::test]
    async fn rows_come_back_typed_and_paged_newest_first() {
        let store = store().await;
        for i in 1..=5u64 {
            assert_eq!(
                store.insert_submission(&row(&format!("s{i}"), &format!("n{i}"), i)).await.unwrap(),
                InsertOutcome::Stored
            );
        }
        let sequences = |page: Vec<SubmissionRow>| page.iter().map(|r| r.sequence).collect::<Vec<_>>();
        assert_eq!(sequences(store.submissions_page("f", 0, 2).await.unwrap()), vec![5, 4]);
        assert_eq!(sequences(store.submissions_page("f", 1, 2).await.unwrap()), vec![4, 3]);
        assert_eq!(sequences(store.submissions_page("f", 4, 2).await.unwrap()), vec![1]);
        assert!(store.submissions_page("f", 5, 2).await.unwrap().is_empty());
        assert!(store.submissions_page("f", u64::MAX, 2).await.unwrap().is_empty());
        assert!(store.submissions_page("no such form", 0, 2).await.unwrap().is_empty());
        let one = store.submission_by_nonce("f", "n2").await.unwrap().unwrap();
        assert_eq!(one.submission_id, "s2");
        assert_eq!(one.received_at, "2026-11-27T10:00:00Z");
        assert_eq!(one.envelope.unwrap()["answers"]["name"], "Ada");
        assert_eq!(store.receipts("f", 4, 10).await.unwrap().len(), 2);
    }
}
