//! Queries for exports and the integrity check: a form's submissions and versions
//! in chain order, read in pages.

use serde_json::json;

use super::Store;
use super::forms::{VERSION_COLUMNS, VersionRow};
use super::submissions::{SUBMISSION_COLUMNS, SubmissionRow};
use crate::error::Result;

impl Store {
    /// A page of a form's submissions in chain order, from sequence `from` on.
    pub async fn submissions_in_order(&self, form_id: &str, from: u64, limit: u64) -> Result<Vec<SubmissionRow>> {
        self.rows(
            &format!(
                "SELECT {SUBMISSION_COLUMNS} FROM submission WHERE form_id = $form_id AND sequence >= $from
                 ORDER BY sequence ASC LIMIT $limit"
            ),
            json!({ "form_id": form_id, "from": from, "limit": limit }),
        )
        .await
    }

    /// How many of a form's submissions were deleted (a tombstone in their place).
    pub async fn deleted_count(&self, form_id: &str) -> Result<u64> {
        let n: Option<u64> = self
            .first(
                "RETURN count(SELECT VALUE sequence FROM submission WHERE form_id = $form_id AND tombstone != NONE)",
                json!({ "form_id": form_id }),
            )
            .await?;
        Ok(n.unwrap_or(0))
    }

    /// Every published version of a form with its definition, newest first.
    pub async fn version_rows(&self, form_id: &str) -> Result<Vec<VersionRow>> {
        self.rows(
            &format!(
                "SELECT {VERSION_COLUMNS}, published_at AS t FROM form_version WHERE form_id = $form_id ORDER BY t DESC"
            ),
            json!({ "form_id": form_id }),
        )
        .await
    }

    /// The ids of all forms, for checking everything.
    pub async fn form_ids(&self) -> Result<Vec<String>> {
        self.rows("SELECT VALUE form_id FROM form ORDER BY form_id", json!({})).await
    }
}

impl Store {
    /// Runs a statement as written: only for tests that alter records behind the
    /// product's back to prove the integrity check finds it. Nothing in Formseal
    /// calls it; it exists only with the `test-support` feature.
    #[cfg(feature = "test-support")]
    pub async fn tamper_for_tests(&self, sql: &str, vars: serde_json::Value) -> Result<()> {
        self.exec(sql, vars).await
    }
}
