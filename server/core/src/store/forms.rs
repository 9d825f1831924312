//! Forms, the designer's draft of each, and their published versions.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Store;
use super::classify::{DbOutcome, FORM_EXISTS, Tag, UniqueIndex};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Deserialize)]
pub struct FormRow {
    pub form_id: String,
    pub title: String,
    pub current_version: Option<String>,
    pub allowed_origins: Vec<String>,
    #[serde(default)]
    pub archived: Option<bool>,
    /// Who hears of new submissions; `None`: nobody.
    #[serde(default)]
    pub notify: Option<Notify>,
}

/// Console accounts told of each new submission of a form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notify {
    pub accounts: Vec<String>,
    /// The mail may list the answers classed "not personal" (off: no answer at all).
    #[serde(default)]
    pub include_plain: bool,
    /// One mail a day with the day's count instead of one per submission.
    #[serde(default)]
    pub daily: bool,
}

impl FormRow {
    pub fn is_archived(&self) -> bool {
        self.archived.unwrap_or(false)
    }
}

/// The designer's working copy of a form.
#[derive(Debug, Clone, Deserialize)]
pub struct DraftRow {
    pub draft: Option<Value>,
    pub draft_origins: Option<Vec<String>>,
    pub draft_saved_at: Option<String>,
    pub draft_saved_by: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct VersionRow {
    pub form_id: String,
    pub digest: String,
    pub definition: Value,
    pub key_id: String,
    pub signature: String,
    #[serde(default)]
    pub published_at: Option<String>,
    #[serde(default)]
    pub retired_at: Option<String>,
}

/// A version in a form's history (without its definition).
#[derive(Debug, Clone, Deserialize)]
pub struct VersionInfo {
    pub digest: String,
    pub published_at: String,
    pub retired_at: Option<String>,
}

const FORM_COLUMNS: &str = "form_id, title, current_version, allowed_origins, archived, notify";
pub(super) const VERSION_COLUMNS: &str = "form_id, digest, definition, key_id, signature, \
     <string>published_at AS published_at, (IF retired_at != NONE THEN <string>retired_at END) AS retired_at";

impl Store {
    /// Stores a signed version if it is new (versions are content-addressed, so the
    /// same definition is the same row) and makes it the form's current version; the
    /// version it replaces is marked retired now.
    pub async fn publish_version(&self, version: &VersionRow, title: &str, allowed_origins: &[String]) -> Result<()> {
        let result = self
            .exec(
            "BEGIN;
             IF (SELECT VALUE digest FROM form_version WHERE digest = $digest)[0] == NONE {
                 CREATE type::record('form_version', $digest) CONTENT {
                     form_id: $form_id, digest: $digest, definition: $definition,
                     key_id: $key_id, signature: $signature, published_at: time::now()
                 };
             };
             LET $previous = (SELECT VALUE current_version FROM type::record('form', $form_id))[0];
             IF $previous != NONE AND $previous != $digest {
                 UPDATE type::record('form_version', $previous) SET retired_at = time::now();
             };
             UPDATE type::record('form_version', $digest) SET retired_at = NONE;
             UPSERT type::record('form', $form_id) MERGE {
                 form_id: $form_id, title: $title, current_version: $digest, allowed_origins: $origins
             };
             UPDATE type::record('form', $form_id) SET created_at = time::now() WHERE created_at == NONE;
             COMMIT;",
            json!({
                "digest": version.digest, "form_id": version.form_id, "definition": version.definition,
                "key_id": version.key_id, "signature": version.signature, "title": title, "origins": allowed_origins,
            }),
        )
        .await;
        self.forms_changed();
        result
    }

    pub async fn form(&self, form_id: &str) -> Result<Option<FormRow>> {
        self.first(&format!("SELECT {FORM_COLUMNS} FROM type::record('form', $form_id)"), json!({ "form_id": form_id }))
            .await
    }

    /// Creates a form that is not published yet, with its first draft. Fails with
    /// [`Error::Conflict`] when the id is taken.
    pub async fn create_form(
        &self,
        form_id: &str,
        title: &str,
        draft: &Value,
        origins: &[String],
        by: &str,
    ) -> Result<()> {
        let result = self
            .exec_classified(
                "BEGIN;
                 IF (SELECT VALUE form_id FROM type::record('form', $form_id))[0] != NONE {
                     THROW $form_exists
                 };
                 CREATE type::record('form', $form_id) CONTENT {
                     form_id: $form_id, title: $title, allowed_origins: [], archived: false,
                     draft: $draft, draft_origins: $origins, draft_saved_at: time::now(), draft_saved_by: $by,
                     created_at: time::now()
                 };
                 COMMIT;",
                json!({
                    "form_id": form_id, "title": title, "draft": draft, "origins": origins, "by": by,
                    "form_exists": FORM_EXISTS,
                }),
            )
            .await;
        match result {
            Ok(()) => Ok(()),
            // The check above, or the index when another request created it meanwhile.
            Err(f)
                if matches!(
                    f.outcome(),
                    DbOutcome::Thrown(Tag::FormExists) | DbOutcome::Duplicate(UniqueIndex::FormId)
                ) =>
            {
                Err(Error::Conflict(format!("a form with the id {form_id:?} already exists")))
            }
            Err(f) => Err(f.into()),
        }
    }

    /// Saves the designer's working copy; `false` if there is no such form.
    pub async fn save_draft(&self, form_id: &str, draft: &Value, origins: &[String], by: &str) -> Result<bool> {
        let updated: Vec<Value> = self
            .rows(
                "UPDATE type::record('form', $form_id) SET
                     draft = $draft, draft_origins = $origins, draft_saved_at = time::now(), draft_saved_by = $by
                 RETURN form_id",
                json!({ "form_id": form_id, "draft": draft, "origins": origins, "by": by }),
            )
            .await?;
        Ok(!updated.is_empty())
    }

    pub async fn draft(&self, form_id: &str) -> Result<Option<DraftRow>> {
        self.first(
            "SELECT draft, draft_origins, (IF draft_saved_at != NONE THEN <string>draft_saved_at END) AS draft_saved_at,
                    draft_saved_by
             FROM type::record('form', $form_id)",
            json!({ "form_id": form_id }),
        )
        .await
    }

    pub async fn set_archived(&self, form_id: &str, archived: bool) -> Result<bool> {
        let updated: Result<Vec<Value>> = self
            .rows(
                "UPDATE type::record('form', $form_id) SET archived = $archived RETURN form_id",
                json!({ "form_id": form_id, "archived": archived }),
            )
            .await;
        self.forms_changed();
        Ok(!updated?.is_empty())
    }

    /// Who hears of the form's new submissions (`None` or no accounts: nobody).
    pub async fn set_notify(&self, form_id: &str, notify: Option<&Notify>) -> Result<()> {
        let notify = notify.filter(|n| !n.accounts.is_empty());
        let result = self
            .exec(
                "UPDATE type::record('form', $form_id) SET notify = $notify",
                json!({ "form_id": form_id, "notify": notify }),
            )
            .await;
        // Submissions read it through the cache of accepting versions.
        self.forms_changed();
        result
    }

    /// A form's versions, newest first.
    pub async fn versions(&self, form_id: &str) -> Result<Vec<VersionInfo>> {
        self.rows(
            "SELECT digest, <string>published_at AS published_at,
                    (IF retired_at != NONE THEN <string>retired_at END) AS retired_at, published_at AS t
             FROM form_version WHERE form_id = $form_id ORDER BY t DESC",
            json!({ "form_id": form_id }),
        )
        .await
    }

    pub async fn forms(&self) -> Result<Vec<(FormRow, u64)>> {
        #[derive(Deserialize)]
        struct Row {
            #[serde(flatten)]
            form: FormRow,
            submissions: Option<u64>,
        }
        let rows: Vec<Row> = self
            .rows(
                "SELECT form_id, title, current_version, allowed_origins, archived, notify,
                        (SELECT VALUE sequence FROM type::record('chain_head', $parent.form_id))[0] AS submissions
                 FROM form ORDER BY form_id",
                json!({}),
            )
            .await?;
        Ok(rows.into_iter().map(|r| (r.form, r.submissions.unwrap_or(0))).collect())
    }

    pub async fn version(&self, digest: &str) -> Result<Option<VersionRow>> {
        self.first(
            &format!("SELECT {VERSION_COLUMNS} FROM type::record('form_version', $digest)"),
            json!({ "digest": digest }),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::store;

    #[tokio::test]
    async fn forms_keep_a_draft_and_versions_retire_when_replaced() {
        let store = store().await;
        store.create_form("f", "F", &json!({"id": "f"}), &[], "ed").await.unwrap();
        assert!(matches!(store.create_form("f", "F", &json!({}), &[], "ed").await, Err(Error::Conflict(_))));
        assert!(store.save_draft("f", &json!({"id": "f", "x": 1}), &["*".into()], "ed").await.unwrap());
        assert!(!store.save_draft("nope", &json!({}), &[], "ed").await.unwrap());
        let draft = store.draft("f").await.unwrap().unwrap();
        assert_eq!(draft.draft, Some(json!({"id": "f", "x": 1})));
        assert_eq!(draft.draft_origins, Some(vec!["*".to_owned()]));
        assert!(draft.draft_saved_at.is_some());

        let version = |digest: &str| VersionRow {
            form_id: "f".into(),
            digest: digest.into(),
            definition: json!({"id": "f"}),
            key_id: "k".into(),
            signature: "s".into(),
            published_at: None,
            retired_at: None,
        };
        store.publish_version(&version("v1"), "F", &[]).await.unwrap();
        store.publish_version(&version("v2"), "F", &[]).await.unwrap();
        assert!(store.version("v1").await.unwrap().unwrap().retired_at.is_some());
        assert!(store.version("v2").await.unwrap().unwrap().retired_at.is_none());
        let history: Vec<String> = store.versions("f").await.unwrap().into_iter().map(|v| v.digest).collect();
        assert_eq!(history, vec!["v2", "v1"]);
        // Publishing an earlier version again makes it current, not retired.
        store.publish_version(&version("v1"), "F", &[]).await.unwrap();
        assert!(store.version("v1").await.unwrap().unwrap().retired_at.is_none());
        assert!(store.version("v2").await.unwrap().unwrap().retired_at.is_some());

        assert!(store.set_archived("f", true).await.unwrap());
        assert!(store.form("f").await.unwrap().unwrap().is_archived());
        assert!(!store.set_archived("nope", true).await.unwrap());
    }
}
