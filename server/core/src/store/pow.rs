//! Proof of work: a form's difficulty, and the challenges already spent (a
//! challenge is spent in the transaction of the submission it came with; see
//! [`Store::insert_submissions`]).

use serde::Deserialize;
use serde_json::{Value, json};

use super::Store;
use crate::error::Result;

/// A challenge to mark as used, kept until it expires.
#[derive(Debug, Clone)]
pub struct SpentChallenge {
    /// The challenge's digest, base64url.
    pub id: String,
    /// RFC 3339.
    pub expires: String,
}

/// A form's proof-of-work setting; `None` means the server's default.
#[derive(Debug, Clone, Deserialize)]
pub struct FormPow {
    pub pow_difficulty: Option<u32>,
}

impl Store {
    /// The form's proof-of-work setting, or `None` when there is no such form.
    pub async fn form_pow(&self, form_id: &str) -> Result<Option<FormPow>> {
        self.first("SELECT pow_difficulty FROM type::record('form', $form_id)", json!({ "form_id": form_id })).await
    }

    /// Sets (or with `None` resets to the server default) a form's difficulty.
    pub async fn set_pow_difficulty(&self, form_id: &str, difficulty: Option<u32>) -> Result<()> {
        self.exec(
            "UPDATE type::record('form', $form_id) SET pow_difficulty = $difficulty",
            json!({ "form_id": form_id, "difficulty": difficulty }),
        )
        .await
    }

    pub async fn challenge_spent(&self, id: &str) -> Result<bool> {
        let found: Option<Value> =
            self.first("SELECT VALUE id FROM type::record('pow_spent', $id)", json!({ "id": id })).await?;
        Ok(found.is_some())
    }

    /// Drops used challenges that have expired (they are refused as expired anyway).
    /// Safe on several replicas at once.
    pub async fn forget_expired_challenges(&self) -> Result<()> {
        self.exec("DELETE pow_spent WHERE expires < time::now()", json!({})).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::{row, store};
    use crate::store::{InsertOutcome, NewSubmission, VersionRow};

    #[tokio::test]
    async fn a_challenge_is_spent_once_and_forgotten_after_it_expires() {
        let store = store().await;
        let spend = |id: &str, nonce: &str, seq: u64, expires: &str| NewSubmission {
            challenge: Some(SpentChallenge { id: "c1".into(), expires: expires.into() }),
            ..row(id, nonce, seq)
        };
        let later = "2999-01-01T00:00:00.000Z";
        assert!(!store.challenge_spent("c1").await.unwrap());
        assert_eq!(store.insert_submission(&spend("s1", "n1", 1, later)).await.unwrap(), InsertOutcome::Stored);
        assert!(store.challenge_spent("c1").await.unwrap());
        // The same challenge for another submission: refused, nothing written.
        assert_eq!(store.insert_submission(&spend("s2", "n2", 2, later)).await.unwrap(), InsertOutcome::ChallengeSpent);
        assert!(store.submission("s2").await.unwrap().is_none());
        assert_eq!(store.chain_head("f").await.unwrap().0, 1);
        // A failed submission does not spend its challenge.
        let failing = NewSubmission {
            challenge: Some(SpentChallenge { id: "c2".into(), expires: later.into() }),
            ..row("s3", "n3", 5)
        };
        assert_eq!(store.insert_submission(&failing).await.unwrap(), InsertOutcome::ChainMoved);
        assert!(!store.challenge_spent("c2").await.unwrap());

        store.forget_expired_challenges().await.unwrap();
        assert!(store.challenge_spent("c1").await.unwrap());
        let past = NewSubmission {
            challenge: Some(SpentChallenge { id: "c3".into(), expires: "2020-01-01T00:00:00.000Z".into() }),
            ..row("s4", "n4", 2)
        };
        assert_eq!(store.insert_submission(&past).await.unwrap(), InsertOutcome::Stored);
        store.forget_expired_challenges().await.unwrap();
        assert!(!store.challenge_spent("c3").await.unwrap());
        assert!(store.challenge_spent("c1").await.unwrap());
    }

    #[tokio::test]
    async fn a_form_difficulty_is_stored_and_reset() {
        let store = store().await;
        assert!(store.form_pow("f").await.unwrap().is_none());
        let version = VersionRow {
            form_id: "f".into(),
            digest: "d".into(),
            definition: json!({}),
            key_id: "k".into(),
            signature: "s".into(),
            published_at: None,
            retired_at: None,
        };
        store.publish_version(&version, "F", &[]).await.unwrap();
        assert_eq!(store.form_pow("f").await.unwrap().unwrap().pow_difficulty, None);
        store.set_pow_difficulty("f", Some(20)).await.unwrap();
        assert_eq!(store.form_pow("f").await.unwrap().unwrap().pow_difficulty, Some(20));
        // Publishing again keeps the setting.
        store.publish_version(&version, "F", &[]).await.unwrap();
        assert_eq!(store.form_pow("f").await.unwrap().unwrap().pow_difficulty, Some(20));
        assert!(store.set_pow_difficulty("f", Some(99)).await.is_err());
        store.set_pow_difficulty("f", None).await.unwrap();
        assert_eq!(store.form_pow("f").await.unwrap().unwrap().pow_difficulty, None);
    }
}
