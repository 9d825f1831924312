//! Personal links by mail: each form's mail templates, the links created together
//! with their mails (one transaction), and the reminders still to come, each with
//! its link's secret sealed (see `links::sealed`).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::links::{CREATE_LINKS, links_param};
use super::outbox::outbox_rows;
use super::{NewLink, NewMessage, Store};
use crate::error::{Error, Result};

/// A form's own template for one language.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TemplateRow {
    pub lang: String,
    pub subject: String,
    #[serde(rename = "body")]
    pub text: String,
}

/// The reminders of one link sent by mail.
#[derive(Debug, Clone, Serialize)]
pub struct NewReminder {
    pub link_id: String,
    pub form_id: String,
    pub to_address: String,
    pub lang: String,
    /// Between the mail and the first reminder, and between reminders.
    pub every_ms: i64,
    /// Reminders to send at most.
    pub left: u32,
    pub next_ms: i64,
    /// The link's expiry (RFC 3339): the row goes with it.
    pub expires_at: String,
    /// The link's secret, sealed.
    pub sealed: String,
    pub created_by: String,
}

/// A claimed reminder.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ReminderRow {
    pub link_id: String,
    pub form_id: String,
    pub to_address: String,
    pub lang: String,
    pub every_ms: i64,
    #[serde(rename = "reminders_left")]
    pub left: u32,
    #[serde(rename = "reminders_sent")]
    pub sent: u32,
    pub sealed: String,
}

const REMINDER_COLUMNS: &str = "link_id, form_id, to_address, lang, every_ms, reminders_left, reminders_sent, sealed";

fn template_key(form_id: &str, lang: &str) -> String {
    format!("{form_id}/{lang}")
}

impl Store {
    /// The templates a form has of its own (languages without one use the default).
    pub async fn link_mail_templates(&self, form_id: &str) -> Result<Vec<TemplateRow>> {
        self.rows(
            "SELECT lang, subject, body FROM link_mail_template WHERE form_id = $form_id ORDER BY lang",
            json!({ "form_id": form_id }),
        )
        .await
    }

    pub async fn link_mail_template(&self, form_id: &str, lang: &str) -> Result<Option<TemplateRow>> {
        self.first(
            "SELECT lang, subject, body FROM type::record('link_mail_template', $key)",
            json!({ "key": template_key(form_id, lang) }),
        )
        .await
    }

    /// Stores a form's template for `lang`; `None` removes it (back to the default).
    pub async fn set_link_mail_template(
        &self,
        form_id: &str,
        lang: &str,
        template: Option<(&str, &str)>,
        by: &str,
        now_ms: i64,
    ) -> Result<()> {
        let key = template_key(form_id, lang);
        match template {
            None => self.exec("DELETE type::record('link_mail_template', $key)", json!({ "key": key })).await,
            Some((subject, text)) => {
                self.exec(
                    "UPSERT type::record('link_mail_template', $key) CONTENT {
                         form_id: $form_id, lang: $lang, subject: $subject, body: $text,
                         updated_by: $by, updated_ms: $now
                     }",
                    json!({
                        "key": key, "form_id": form_id, "lang": lang, "subject": subject, "text": text,
                        "by": by, "now": now_ms,
                    }),
                )
                .await
            }
        }
    }

    /// Creates the links, queues their mails and stores their reminders, all or
    /// nothing (one transaction).
    pub async fn create_mailed_links(
        &self,
        links: &[NewLink],
        messages: &[NewMessage],
        reminders: &[NewReminder],
    ) -> Result<()> {
        if links.is_empty() {
            return Ok(());
        }
        let reminders = serde_json::to_value(reminders).map_err(|e| Error::Internal(e.to_string()))?;
        self.exec(
            &format!(
                "BEGIN;
                 {CREATE_LINKS}
                 IF array::len($messages) > 0 {{ INSERT INTO outbox $messages }};
                 FOR $r IN $reminders {{
                     CREATE type::record('link_reminder', $r.link_id) CONTENT {{
                         link_id: $r.link_id, form_id: $r.form_id, to_address: $r.to_address, lang: $r.lang,
                         every_ms: $r.every_ms, reminders_left: $r.left, reminders_sent: 0, next_ms: $r.next_ms,
                         expires_at: <datetime>$r.expires_at, sealed: $r.sealed, created_by: $r.created_by
                     }};
                 }};
                 COMMIT;"
            ),
            json!({ "links": links_param(links)?, "messages": outbox_rows(messages)?, "reminders": reminders }),
        )
        .await
    }

    /// Ids of the links whose next reminder is due at `now_ms`, earliest first.
    pub async fn due_reminders(&self, now_ms: i64, limit: u32) -> Result<Vec<String>> {
        #[derive(Deserialize)]
        struct Due {
            link_id: String,
        }
        // The order's field must be selected.
        let rows: Vec<Due> = self
            .rows(
                "SELECT link_id, next_ms FROM link_reminder WHERE next_ms <= $now AND reminders_left > 0
                 ORDER BY next_ms LIMIT $limit",
                json!({ "now": now_ms, "limit": limit }),
            )
            .await?;
        Ok(rows.into_iter().map(|r| r.link_id).collect())
    }

    /// Claims a due reminder until `lease_ms` under `claim`: the row, or `None` when
    /// it is not due (another replica has it, or it is gone).
    pub async fn claim_reminder(
        &self,
        link_id: &str,
        claim: &str,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<Option<ReminderRow>> {
        self.first(
            &format!(
                "UPDATE type::record('link_reminder', $link_id) SET next_ms = $lease, claim = $claim
                 WHERE next_ms <= $now AND reminders_left > 0
                 RETURN {REMINDER_COLUMNS}"
            ),
            json!({ "link_id": link_id, "claim": claim, "now": now_ms, "lease": lease_ms }),
        )
        .await
    }

    /// Queues a claimed reminder's mail, provided the claim still holds and the
    /// link is still open and unused (checked in the same transaction), and moves
    /// the next one to `next_ms`; after the last one, or when the link is no longer
    /// open, the row and its sealed secret are deleted. Whether the mail was queued.
    pub async fn queue_reminder(&self, link_id: &str, claim: &str, message: &NewMessage, next_ms: i64) -> Result<bool> {
        self.exec(
            "BEGIN;
             LET $r = (SELECT claim, reminders_left FROM type::record('link_reminder', $link_id))[0];
             LET $l = (SELECT uses, revoked_at, expires_at FROM type::record('link', $link_id))[0];
             IF $r != NONE AND $r.claim == $claim {
                 IF $l != NONE AND $l.revoked_at == NONE AND $l.expires_at > time::now() AND $l.uses == 0 {
                     INSERT INTO outbox $messages;
                     IF $r.reminders_left <= 1 {
                         DELETE type::record('link_reminder', $link_id);
                     } ELSE {
                         UPDATE type::record('link_reminder', $link_id)
                             SET reminders_left -= 1, reminders_sent += 1, next_ms = $next, claim = NONE;
                     };
                 } ELSE {
                     DELETE type::record('link_reminder', $link_id);
                 };
             };
             COMMIT;",
            json!({
                "link_id": link_id, "claim": claim, "next": next_ms,
                "messages": outbox_rows(std::slice::from_ref(message))?,
            }),
        )
        .await?;
        Ok(self.message(&message.message_id).await?.is_some())
    }

    /// Deletes a link's reminders and its sealed secret.
    pub async fn drop_reminder(&self, link_id: &str) -> Result<()> {
        self.exec("DELETE type::record('link_reminder', $link_id)", json!({ "link_id": link_id })).await
    }

    /// Deletes the reminders (and sealed secrets) of links that expired; how many.
    pub async fn forget_expired_reminders(&self) -> Result<u64> {
        let rows: Vec<Value> =
            self.rows("DELETE link_reminder WHERE expires_at < time::now() RETURN BEFORE", json!({})).await?;
        Ok(rows.len() as u64)
    }

    /// A link's pending reminders, if any (what the tests look at).
    pub async fn reminder(&self, link_id: &str) -> Result<Option<ReminderRow>> {
        self.first(
            &format!("SELECT {REMINDER_COLUMNS} FROM type::record('link_reminder', $link_id)"),
            json!({ "link_id": link_id }),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::store;

    fn link(id: &str) -> NewLink {
        NewLink {
            link_id: id.into(),
            form_id: "f".into(),
            label: Some(format!("label {id}")),
            note: None,
            public_key: "pk".into(),
            single_use: true,
            expires_at: "2099-01-01T00:00:00.000Z".into(),
            created_by: "ada".into(),
            batch: None,
            prefill: json!({}),
            locked: vec![],
        }
    }

    fn mail(id: &str, link: &str) -> NewMessage {
        NewMessage {
            purpose: "personal_link".into(),
            link_id: Some(link.into()),
            to_address: Some("ada@example.org".into()),
            to_account: None,
            subject: "Your link".into(),
            body_text: "Body".into(),
            created_ms: 100,
            give_up_ms: 1_000_000,
            created_by: "ada".into(),
            ..super::super::testing::message(id)
        }
    }

    fn reminder(link: &str, left: u32) -> NewReminder {
        NewReminder {
            link_id: link.into(),
            form_id: "f".into(),
            to_address: "ada@example.org".into(),
            lang: "en".into(),
            every_ms: 1000,
            left,
            next_ms: 1000,
            expires_at: "2099-01-01T00:00:00.000Z".into(),
            sealed: "sealed".into(),
            created_by: "ada".into(),
        }
    }

    #[tokio::test]
    async fn reminders_are_claimed_once_queued_at_most_left_times_and_then_forgotten() {
        let store = store().await;
        store.create_mailed_links(&[link("a")], &[mail("m0", "a")], &[reminder("a", 2)]).await.unwrap();
        assert!(store.link("a").await.unwrap().is_some());
        assert!(store.message("m0").await.unwrap().is_some());
        assert!(store.due_reminders(999, 10).await.unwrap().is_empty());
        assert_eq!(store.due_reminders(1000, 10).await.unwrap(), vec!["a"]);

        let claimed = store.claim_reminder("a", "c1", 1000, 5000).await.unwrap().unwrap();
        assert_eq!((claimed.left, claimed.sent, claimed.sealed.as_str()), (2, 0, "sealed"));
        assert!(store.claim_reminder("a", "c2", 1001, 6000).await.unwrap().is_none(), "claimed already");
        // Another claim's holder cannot queue it.
        assert!(!store.queue_reminder("a", "c2", &mail("m-x", "a"), 2000).await.unwrap());
        assert!(store.queue_reminder("a", "c1", &mail("m1", "a"), 2000).await.unwrap());
        let after = store.reminder("a").await.unwrap().unwrap();
        assert_eq!((after.left, after.sent), (1, 1));
        store.claim_reminder("a", "c3", 2000, 9000).await.unwrap().unwrap();
        assert!(store.queue_reminder("a", "c3", &mail("m2", "a"), 3000).await.unwrap());
        assert!(store.reminder("a").await.unwrap().is_none(), "the last one: the sealed secret is gone");
        assert!(store.due_reminders(i64::MAX / 2, 10).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_used_or_revoked_link_takes_its_reminders_and_secret_with_it() {
        let store = store().await;
        store.create_mailed_links(&[link("r"), link("u")], &[], &[reminder("r", 3), reminder("u", 3)]).await.unwrap();
        assert!(store.revoke_link("r").await.unwrap());
        assert!(store.reminder("r").await.unwrap().is_none());
        // A claimed reminder of a link used meanwhile queues nothing and is dropped.
        store.claim_reminder("u", "c", 1000, 5000).await.unwrap().unwrap();
        store.exec("UPDATE link:u SET uses = 1", json!({})).await.unwrap();
        assert!(!store.queue_reminder("u", "c", &mail("m", "u"), 2000).await.unwrap());
        assert!(store.reminder("u").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn templates_are_kept_per_form_and_language() {
        let store = store().await;
        store.set_link_mail_template("f", "de", Some(("Betreff", "{link}")), "ada", 1).await.unwrap();
        store.set_link_mail_template("f", "en", Some(("Subject", "{link}")), "ada", 1).await.unwrap();
        store.set_link_mail_template("g", "en", Some(("Other", "{link}")), "ada", 1).await.unwrap();
        let rows = store.link_mail_templates("f").await.unwrap();
        assert_eq!(rows.iter().map(|r| r.lang.as_str()).collect::<Vec<_>>(), vec!["de", "en"]);
        assert_eq!(store.link_mail_template("g", "en").await.unwrap().unwrap().subject, "Other");
        store.set_link_mail_template("f", "de", None, "ada", 2).await.unwrap();
        assert!(store.link_mail_template("f", "de").await.unwrap().is_none());
        assert_eq!(store.link_mail_templates("f").await.unwrap().len(), 1);
    }
}
