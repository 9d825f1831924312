//! Webhooks: where a form's events are announced. No secret is stored here (each
//! is derived from the instance secret, see `messages::webhooks`).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Store;
use crate::error::Result;

/// A webhook to add.
#[derive(Debug, Clone, Serialize)]
pub struct NewWebhook {
    pub webhook_id: String,
    pub form_id: String,
    pub url: String,
    pub events: Vec<String>,
    pub include_answers: bool,
    pub created_ms: i64,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WebhookRow {
    pub webhook_id: String,
    pub form_id: String,
    pub url: String,
    pub events: Vec<String>,
    pub include_answers: bool,
    pub enabled: bool,
    pub secret_generation: u32,
    pub created_ms: i64,
    pub created_by: String,
}

impl WebhookRow {
    /// Whether this webhook hears of `event` now.
    pub fn wants(&self, event: &str) -> bool {
        self.enabled && self.events.iter().any(|e| e == event)
    }
}

const COLUMNS: &str =
    "webhook_id, form_id, url, events, include_answers, enabled, secret_generation, created_ms, created_by";

impl Store {
    pub async fn create_webhook(&self, webhook: &NewWebhook) -> Result<()> {
        let result = self
            .exec(
                "CREATE type::record('webhook', $w.webhook_id) CONTENT {
                     webhook_id: $w.webhook_id, form_id: $w.form_id, url: $w.url, events: $w.events,
                     include_answers: $w.include_answers, enabled: true, secret_generation: 0,
                     created_ms: $w.created_ms, created_by: $w.created_by
                 }",
                json!({ "w": webhook }),
            )
            .await;
        // Submissions read a form's webhooks through the cache of accepting versions.
        self.forms_changed();
        result
    }

    /// A form's webhooks, oldest first.
    pub async fn webhooks(&self, form_id: &str) -> Result<Vec<WebhookRow>> {
        self.rows(
            &format!("SELECT {COLUMNS} FROM webhook WHERE form_id = $form_id ORDER BY created_ms"),
            json!({ "form_id": form_id }),
        )
        .await
    }

    pub async fn webhook(&self, webhook_id: &str) -> Result<Option<WebhookRow>> {
        self.first(&format!("SELECT {COLUMNS} FROM type::record('webhook', $id)"), json!({ "id": webhook_id })).await
    }

    /// Switches a webhook on or off and chooses whether it carries answers; `false`
    /// if there is no such webhook.
    pub async fn set_webhook(&self, webhook_id: &str, enabled: bool, include_answers: bool) -> Result<bool> {
        let updated: Vec<Value> = self
            .rows(
                "UPDATE type::record('webhook', $id) SET enabled = $enabled, include_answers = $answers
                 WHERE webhook_id = $id RETURN webhook_id",
                json!({ "id": webhook_id, "enabled": enabled, "answers": include_answers }),
            )
            .await?;
        self.forms_changed();
        Ok(!updated.is_empty())
    }

    /// Moves the webhook to its next secret; the new generation, or `None` if there
    /// is no such webhook.
    pub async fn next_webhook_secret(&self, webhook_id: &str) -> Result<Option<u32>> {
        #[derive(Deserialize)]
        struct Generation {
            secret_generation: u32,
        }
        let row: Option<Generation> = self
            .first(
                "UPDATE type::record('webhook', $id) SET secret_generation += 1
                 WHERE webhook_id = $id RETURN secret_generation",
                json!({ "id": webhook_id }),
            )
            .await?;
        Ok(row.map(|r| r.secret_generation))
    }

    /// `false` if there was no such webhook. Its queued messages stay in the outbox
    /// and fail when their turn comes ("the webhook was removed").
    pub async fn remove_webhook(&self, webhook_id: &str) -> Result<bool> {
        let removed: Vec<Value> =
            self.rows("DELETE type::record('webhook', $id) RETURN BEFORE", json!({ "id": webhook_id })).await?;
        self.forms_changed();
        Ok(!removed.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::store;
    use super::*;

    fn hook(id: &str, form: &str, created_ms: i64) -> NewWebhook {
        NewWebhook {
            webhook_id: id.into(),
            form_id: form.into(),
            url: format!("https://hooks.example.org/{id}"),
            events: vec!["submission.created".into()],
            include_answers: false,
            created_ms,
            created_by: "owner".into(),
        }
    }

    #[tokio::test]
    async fn webhooks_are_listed_per_form_changed_and_removed() {
        let store = store().await;
        store.create_webhook(&hook("w1", "f1", 1)).await.unwrap();
        store.create_webhook(&hook("w2", "f1", 2)).await.unwrap();
        store.create_webhook(&hook("w3", "f2", 3)).await.unwrap();
        let ids = |rows: Vec<WebhookRow>| rows.into_iter().map(|w| w.webhook_id).collect::<Vec<_>>();
        assert_eq!(ids(store.webhooks("f1").await.unwrap()), ["w1", "w2"]);
        let w1 = store.webhook("w1").await.unwrap().unwrap();
        assert!(w1.enabled && !w1.include_answers && w1.wants("submission.created"));
        assert!(!w1.wants("submission.deleted"));

        assert!(store.set_webhook("w1", false, true).await.unwrap());
        let w1 = store.webhook("w1").await.unwrap().unwrap();
        assert!(!w1.enabled && w1.include_answers && !w1.wants("submission.created"));
        assert!(!store.set_webhook("nope", true, true).await.unwrap());
        assert!(store.webhook("nope").await.unwrap().is_none(), "an update never creates one");

        assert_eq!(store.next_webhook_secret("w2").await.unwrap(), Some(1));
        assert_eq!(store.next_webhook_secret("w2").await.unwrap(), Some(2));
        assert_eq!(store.next_webhook_secret("nope").await.unwrap(), None);

        assert!(store.remove_webhook("w2").await.unwrap());
        assert!(!store.remove_webhook("w2").await.unwrap());
        assert_eq!(ids(store.webhooks("f1").await.unwrap()), ["w1"]);
    }
}
