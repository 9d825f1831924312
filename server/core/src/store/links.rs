//! Personal links and their prefill values.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Store;
use super::classify::{DbOutcome, Table};
use crate::error::{Error, Result};

/// A link to create. `prefill` (personal data) goes to its own table.
#[derive(Debug, Clone, Serialize)]
pub struct NewLink {
    pub link_id: String,
    pub form_id: String,
    pub label: Option<String>,
    pub note: Option<String>,
    pub public_key: String,
    pub single_use: bool,
    /// RFC 3339.
    pub expires_at: String,
    pub created_by: String,
    pub batch: Option<String>,
    pub prefill: Value,
    pub locked: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LinkRow {
    pub link_id: String,
    pub form_id: String,
    pub label: Option<String>,
    pub note: Option<String>,
    pub public_key: String,
    pub single_use: bool,
    pub expires_at: String,
    pub created_at: String,
    pub created_by: String,
    pub batch: Option<String>,
    pub opened_at: Option<String>,
    pub submitted_at: Option<String>,
    pub uses: u64,
    pub revoked_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PrefillRow {
    pub answers: Value,
    pub locked: Vec<String>,
}

/// The statement that creates the links of `$links` ([`links_param`]) with their
/// prefill; also part of the transaction that sends links by mail.
pub(super) const CREATE_LINKS: &str = "FOR $l IN $links {
         CREATE type::record('link', $l.link_id) CONTENT {
             link_id: $l.link_id, form_id: $l.form_id, label: $l.label ?? NONE, note: $l.note ?? NONE,
             public_key: $l.public_key, single_use: $l.single_use, expires_at: <datetime>$l.expires_at,
             created_at: time::now(), created_by: $l.created_by, batch: $l.batch ?? NONE, uses: 0
         };
         CREATE type::record('link_prefill', $l.link_id) CONTENT {
             link_id: $l.link_id, form_id: $l.form_id, answers: $l.prefill, locked: $l.locked,
             delete_after: <datetime>$l.expires_at
         };
     };";

/// `$links` of [`CREATE_LINKS`].
pub(super) fn links_param(links: &[NewLink]) -> Result<Value> {
    let links = serde_json::to_value(links).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(strip_nulls_deep(links))
}

const LINK_COLUMNS: &str = "link_id, form_id, label, note, public_key, single_use, \
     <string>expires_at AS expires_at, <string>created_at AS created_at, created_by, batch, \
     (IF opened_at != NONE THEN <string>opened_at END) AS opened_at, \
     (IF submitted_at != NONE THEN <string>submitted_at END) AS submitted_at, uses, \
     (IF revoked_at != NONE THEN <string>revoked_at END) AS revoked_at";

impl Store {
    /// Notes a signed link opening by its digest until `expires_ms`: `false` if it
    /// was noted already (a replay).
    pub async fn first_link_open(&self, digest: &str, expires_ms: i64) -> Result<bool> {
        let created = self
            .exec_classified(
                "CREATE type::record('link_open_seen', $digest) CONTENT { expires_ms: $expires }",
                json!({ "digest": digest, "expires": expires_ms }),
            )
            .await;
        match created {
            Ok(()) => Ok(true),
            Err(f) => match f.outcome() {
                DbOutcome::RecordExists(Table::LinkOpenSeen) => Ok(false),
                _ => Err(f.into()),
            },
        }
    }

    /// Forgets noted openings whose time could no longer be accepted anyway.
    pub async fn forget_old_link_opens(&self, now_ms: i64) -> Result<()> {
        self.exec("DELETE link_open_seen WHERE expires_ms < $now", json!({ "now": now_ms })).await
    }

    /// Creates all the links or none (one transaction).
    pub async fn create_links(&self, links: &[NewLink]) -> Result<()> {
        if links.is_empty() {
            return Ok(());
        }
        self.exec(&format!("BEGIN;\n{CREATE_LINKS}\nCOMMIT;"), json!({ "links": links_param(links)? })).await
    }

    pub async fn link(&self, link_id: &str) -> Result<Option<LinkRow>> {
        self.first(&format!("SELECT {LINK_COLUMNS} FROM type::record('link', $link_id)"), json!({ "link_id": link_id }))
            .await
    }

    pub async fn link_prefill(&self, link_id: &str) -> Result<Option<PrefillRow>> {
        self.first("SELECT answers, locked FROM type::record('link_prefill', $link_id)", json!({ "link_id": link_id }))
            .await
    }

    /// A form's links, newest first.
    pub async fn links_of_form(&self, form_id: &str) -> Result<Vec<LinkRow>> {
        self.rows(
            &format!("SELECT {LINK_COLUMNS} FROM link WHERE form_id = $form_id ORDER BY created_at DESC"),
            json!({ "form_id": form_id }),
        )
        .await
    }

    /// Every link of every form (the console's checks and tests).
    pub async fn all_links_raw(&self) -> Result<Vec<Value>> {
        let mut rows: Vec<Value> = self.rows("SELECT * FROM link", json!({})).await?;
        rows.extend(self.rows::<Value>("SELECT * FROM link_prefill", json!({})).await?);
        Ok(rows)
    }

    /// Notes the first opening; false when it was opened before.
    pub async fn mark_link_opened(&self, link_id: &str) -> Result<bool> {
        let rows: Vec<Value> = self
            .rows(
                "UPDATE type::record('link', $link_id) SET opened_at = time::now() WHERE opened_at = NONE RETURN link_id",
                json!({ "link_id": link_id }),
            )
            .await?;
        Ok(!rows.is_empty())
    }

    /// Revokes a link and deletes its prefill (and its reminders with the sealed
    /// secret) in the same transaction; false when there is no such link or it was
    /// revoked before.
    pub async fn revoke_link(&self, link_id: &str) -> Result<bool> {
        match self.link(link_id).await? {
            Some(link) if link.revoked_at.is_none() => {}
            _ => return Ok(false),
        }
        self.exec(
            "BEGIN;
             UPDATE type::record('link', $link_id) SET revoked_at = time::now() WHERE revoked_at = NONE;
             DELETE type::record('link_prefill', $link_id);
             DELETE type::record('link_reminder', $link_id);
             COMMIT;",
            json!({ "link_id": link_id }),
        )
        .await?;
        Ok(true)
    }

    /// Moves a link's expiry (and its prefill's deletion date, its reminders' end)
    /// to `expires_at`.
    pub async fn extend_link(&self, link_id: &str, expires_at: &str) -> Result<bool> {
        let rows: Vec<Value> = self
            .rows(
                "UPDATE type::record('link', $link_id) SET expires_at = <datetime>$expires_at
                     WHERE revoked_at = NONE RETURN link_id",
                json!({ "link_id": link_id, "expires_at": expires_at }),
            )
            .await?;
        if rows.is_empty() {
            return Ok(false);
        }
        self.exec(
            "UPDATE type::record('link_prefill', $link_id) SET delete_after = <datetime>$expires_at;
             UPDATE type::record('link_reminder', $link_id) SET expires_at = <datetime>$expires_at;",
            json!({ "link_id": link_id, "expires_at": expires_at }),
        )
        .await?;
        Ok(true)
    }

    /// Deletes the prefill values of links that expired; returns how many.
    pub async fn erase_expired_prefill(&self) -> Result<u64> {
        let rows: Vec<Value> =
            self.rows("DELETE link_prefill WHERE delete_after < time::now() RETURN BEFORE", json!({})).await?;
        Ok(rows.len() as u64)
    }
}

/// Unset options are NONE in SurrealQL (`option<T>` refuses NULL), also inside
/// the objects of a list.
fn strip_nulls_deep(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls_deep).collect()),
        Value::Object(map) => Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        other => other,
    }
}
