//! Daily digests: which form's digest of which day was queued, so each goes out
//! once whichever replica gets there first.

use serde_json::json;

use super::{NewMessage, Store};
use crate::error::Result;

impl Store {
    /// How many submissions of `form_id` arrived in `[from, to)` (RFC 3339).
    pub async fn received_between(&self, form_id: &str, from: &str, to: &str) -> Result<u64> {
        let n: Option<u64> = self
            .first(
                "RETURN count(SELECT VALUE sequence FROM submission
                     WHERE form_id = $form_id AND received_at >= <datetime>$from AND received_at < <datetime>$to)",
                json!({ "form_id": form_id, "from": from, "to": to }),
            )
            .await?;
        Ok(n.unwrap_or(0))
    }

    /// Whether the digest of `form_id` for `day` was queued already.
    pub async fn digest_done(&self, form_id: &str, day: &str) -> Result<bool> {
        let seen: Vec<String> = self
            .rows("SELECT VALUE day FROM type::record('digest', $key)", json!({ "key": key(form_id, day) }))
            .await?;
        Ok(!seen.is_empty())
    }

    /// Records the digest of `form_id` for `day` with its mails, unless it was
    /// recorded already (then nothing is queued): `true` if this call queued it.
    pub async fn queue_digest(&self, form_id: &str, day: &str, count: u64, mails: &[NewMessage]) -> Result<bool> {
        self.exec(
            "BEGIN;
             LET $seen = (SELECT VALUE day FROM type::record('digest', $key));
             IF array::len($seen) == 0 {
                 CREATE type::record('digest', $key) CONTENT { form_id: $form_id, day: $day, count: $count };
                 IF array::len($messages) > 0 { INSERT INTO outbox $messages };
             };
             COMMIT;",
            json!({
                "key": key(form_id, day), "form_id": form_id, "day": day, "count": count,
                "messages": super::outbox::outbox_rows(mails)?,
            }),
        )
        .await?;
        // Queued by this call exactly when its first mail is there now.
        match mails.first() {
            Some(first) => Ok(self.message(&first.message_id).await?.is_some()),
            None => Ok(false),
        }
    }

    /// Forgets digests older than `before_day` (`YYYY-MM-DD`).
    pub async fn forget_old_digests(&self, before_day: &str) -> Result<()> {
        self.exec("DELETE digest WHERE day < $day", json!({ "day": before_day })).await
    }
}

fn key(form_id: &str, day: &str) -> String {
    format!("{form_id}/{day}")
}

#[cfg(test)]
mod tests {
    use super::super::testing::{message, row, store};

    #[tokio::test]
    async fn a_digest_is_queued_once_per_form_and_day() {
        let store = store().await;
        assert!(!store.digest_done("f", "2026-12-03").await.unwrap());
        assert!(store.queue_digest("f", "2026-12-03", 2, &[message("d1")]).await.unwrap());
        assert!(store.digest_done("f", "2026-12-03").await.unwrap());
        // Another replica, a moment later: nothing more is queued.
        assert!(!store.queue_digest("f", "2026-12-03", 2, &[message("d2")]).await.unwrap());
        assert!(store.message("d2").await.unwrap().is_none());
        assert!(!store.digest_done("f", "2026-12-04").await.unwrap());
        store.forget_old_digests("2026-12-04").await.unwrap();
        assert!(!store.digest_done("f", "2026-12-03").await.unwrap());
    }

    #[tokio::test]
    async fn submissions_are_counted_by_the_day_they_arrived() {
        let store = store().await;
        store.insert_submission(&row("s1", "n1", 1)).await.unwrap();
        let received = store.submission("s1").await.unwrap().unwrap().received_at;
        let day = &received[..10];
        let next = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap().succ_opt().unwrap();
        let (from, to) = (format!("{day}T00:00:00Z"), format!("{next}T00:00:00Z"));
        assert_eq!(store.received_between("f", &from, &to).await.unwrap(), 1);
        assert_eq!(store.received_between("f", &to, &to).await.unwrap(), 0);
        assert_eq!(store.received_between("g", &from, &to).await.unwrap(), 0);
    }
}
