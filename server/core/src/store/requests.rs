//! SurrealQL of data-subject requests: the register, the person index, the hits a
//! search found with the reviewer's decisions, and corrections.

use serde::Deserialize;
use serde_json::{Value, json};

use super::Store;
use crate::error::Result;

/// A request as the register keeps it.
#[derive(Debug, Clone, Deserialize)]
pub struct RequestRow {
    pub request_id: String,
    pub requester: String,
    pub contact: String,
    pub received_on: String,
    pub due_on: String,
    pub identity_check: String,
    pub status: String,
    pub created_by: String,
    #[serde(default)]
    pub searched: Option<String>,
    #[serde(default)]
    pub answered_ms: Option<i64>,
    #[serde(default)]
    pub answered_by: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewRequest {
    pub request_id: String,
    pub requester: String,
    pub contact: String,
    pub received_on: String,
    pub due_on: String,
    pub identity_check: String,
    pub created_by: String,
    pub created_ms: i64,
}

/// One submission a search found for a request.
#[derive(Debug, Clone, Deserialize)]
pub struct HitRow {
    pub submission_id: String,
    pub form_id: String,
    pub include: bool,
    pub note: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ErasableRow {
    pub submission_id: String,
    pub form_id: String,
    pub envelope_digest: String,
    pub held: bool,
}

const REQUEST_COLUMNS: &str = "request_id, requester, contact, received_on, due_on, identity_check, status, \
     created_by, searched, answered_ms, answered_by";

impl Store {
    pub async fn create_request(&self, r: &NewRequest) -> Result<()> {
        self.exec(
            "CREATE type::record('access_request', $request_id) CONTENT {
                 request_id: $request_id, requester: $requester, contact: $contact, received_on: $received_on,
                 due_on: $due_on, identity_check: $identity_check, status: 'received', created_by: $created_by,
                 created_ms: $created_ms
             }",
            json!({
                "request_id": r.request_id, "requester": r.requester, "contact": r.contact,
                "received_on": r.received_on, "due_on": r.due_on, "identity_check": r.identity_check,
                "created_by": r.created_by, "created_ms": r.created_ms,
            }),
        )
        .await
    }

    /// The register, open requests first, then by due date.
    pub async fn requests(&self) -> Result<Vec<RequestRow>> {
        self.rows(
            &format!(
                "SELECT {REQUEST_COLUMNS}, status = 'answered' AS done FROM access_request
                 ORDER BY done ASC, due_on ASC, request_id ASC"
            ),
            json!({}),
        )
        .await
    }

    pub async fn request(&self, request_id: &str) -> Result<Option<RequestRow>> {
        self.first(
            &format!("SELECT {REQUEST_COLUMNS} FROM type::record('access_request', $id)"),
            json!({ "id": request_id }),
        )
        .await
    }

    pub async fn set_request_status(&self, request_id: &str, status: &str, by: &str, now_ms: i64) -> Result<bool> {
        let updated: Vec<Value> = self
            .rows(
                "UPDATE type::record('access_request', $id) SET status = $status,
                     answered_ms = IF $status = 'answered' THEN $now ELSE NONE END,
                     answered_by = IF $status = 'answered' THEN $by ELSE NONE END
                 RETURN request_id",
                json!({ "id": request_id, "status": status, "by": by, "now": now_ms }),
            )
            .await?;
        Ok(!updated.is_empty())
    }

    /// The submissions whose answers carry any of these person index tokens.
    pub async fn submissions_by_tokens(&self, tokens: &[String]) -> Result<Vec<(String, String)>> {
        #[derive(Deserialize)]
        struct Found {
            submission_id: String,
            form_id: String,
        }
        let mut found: Vec<(String, String)> = Vec::new();
        // One indexed equality lookup per token (a person has a handful).
        for token in tokens {
            let rows: Vec<Found> = self
                .rows(
                    "SELECT submission_id, form_id FROM person_token WHERE token = $wanted",
                    json!({ "wanted": token }),
                )
                .await?;
            found.extend(rows.into_iter().map(|f| (f.submission_id, f.form_id)));
        }
        found.sort();
        found.dedup();
        Ok(found)
    }

    /// Records what a search found; hits found before keep their decisions.
    pub async fn add_hits(&self, request_id: &str, hits: &[(String, String)], searched: &str) -> Result<()> {
        let hits: Vec<Value> = hits
            .iter()
            .map(|(submission, form)| json!({ "id": format!("{request_id}/{submission}"), "s": submission, "f": form }))
            .collect();
        self.exec(
            "BEGIN;
             FOR $hit IN $hits {
                 IF (SELECT VALUE id FROM type::record('request_hit', $hit.id))[0] == NONE {
                     CREATE type::record('request_hit', $hit.id) CONTENT {
                         request_id: $request_id, submission_id: $hit.s, form_id: $hit.f, include: true, note: ''
                     };
                 };
             };
             UPDATE type::record('access_request', $request_id) SET searched = $searched,
                 status = IF status = 'received' THEN 'in_review' ELSE status END;
             COMMIT;",
            json!({ "request_id": request_id, "hits": hits, "searched": searched }),
        )
        .await
    }

    pub async fn hits(&self, request_id: &str) -> Result<Vec<HitRow>> {
        self.rows(
            "SELECT submission_id, form_id, include, note FROM request_hit WHERE request_id = $id
             ORDER BY form_id, submission_id",
            json!({ "id": request_id }),
        )
        .await
    }

    pub async fn decide_hit(&self, request_id: &str, submission_id: &str, include: bool, note: &str) -> Result<bool> {
        let updated: Vec<Value> = self
            .rows(
                "UPDATE type::record('request_hit', $id) SET include = $include, note = $note RETURN submission_id",
                json!({ "id": format!("{request_id}/{submission_id}"), "include": include, "note": note }),
            )
            .await?;
        Ok(!updated.is_empty())
    }

    /// A submission's answers as the erasure needs them (only while still there),
    /// and whether a legal hold on it or its form keeps them.
    pub async fn erasable(&self, submission_id: &str) -> Result<Option<ErasableRow>> {
        self.first(
            "SELECT submission_id, form_id, envelope_digest,
                 legal_hold != NONE OR (SELECT VALUE legal_hold FROM form WHERE form_id = $parent.form_id)[0] != NONE
                     AS held
             FROM submission WHERE submission_id = $id AND envelope != NONE",
            json!({ "id": submission_id }),
        )
        .await
    }

    pub async fn add_correction(&self, submission_id: &str, signed: &Value, now_ms: i64) -> Result<bool> {
        // Only while the answers are there: a deleted submission cannot be corrected.
        let created: Vec<Value> = self
            .rows(
                "IF (SELECT VALUE envelope FROM submission WHERE submission_id = $id)[0] != NONE {
                     RETURN (CREATE correction CONTENT { submission_id: $id, signed: $signed, created_ms: $now }
                             RETURN submission_id);
                 } ELSE { RETURN []; }",
                json!({ "id": submission_id, "signed": signed, "now": now_ms }),
            )
            .await?;
        Ok(!created.is_empty())
    }

    pub async fn corrections(&self, submission_id: &str) -> Result<Vec<Value>> {
        self.rows(
            "SELECT VALUE signed FROM correction WHERE submission_id = $id ORDER BY created_ms",
            json!({ "id": submission_id }),
        )
        .await
    }

    /// Submissions stored before the person index existed, with their answers.
    pub async fn unindexed(&self, limit: u64) -> Result<Vec<(String, String, String, Value)>> {
        #[derive(Deserialize)]
        struct Row {
            submission_id: String,
            form_id: String,
            version: String,
            envelope: Value,
        }
        let rows: Vec<Row> = self
            .rows(
                "SELECT submission_id, form_id, version, envelope FROM submission
                 WHERE indexed = NONE AND envelope != NONE LIMIT $limit",
                json!({ "limit": limit }),
            )
            .await?;
        Ok(rows.into_iter().map(|r| (r.submission_id, r.form_id, r.version, r.envelope)).collect())
    }

    pub async fn set_indexed(&self, submission_id: &str, form_id: &str, tokens: &[String]) -> Result<()> {
        self.exec(
            "BEGIN;
             DELETE person_token WHERE submission_id = $id;
             FOR $tok IN $tokens {
                 CREATE person_token CONTENT { token: $tok, submission_id: $id, form_id: $form_id };
             };
             UPDATE submission SET indexed = true WHERE submission_id = $id;
             COMMIT;",
            json!({ "id": submission_id, "form_id": form_id, "tokens": tokens }),
        )
        .await
    }

    /// Accounts with access to a form's submissions beyond the own staff: partners
    /// assigned to it (the recipients an access report names).
    pub async fn partners_of(&self, form_id: &str) -> Result<Vec<String>> {
        self.rows(
            "SELECT VALUE username FROM account WHERE role = 'partner' AND disabled = false AND $form IN forms
             ORDER BY username",
            json!({ "form": form_id }),
        )
        .await
    }

    /// Every record of every table as JSON text: lets the tests prove that an
    /// erasure left no personal value anywhere.
    #[cfg(feature = "test-support")]
    pub async fn dump_all_tables(&self) -> Result<String> {
        let info: Vec<Value> = self.rows("INFO FOR DB", json!({})).await?;
        let tables: Vec<String> = info
            .first()
            .and_then(|i| i.get("tables"))
            .and_then(Value::as_object)
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        let mut out = String::new();
        for table in tables {
            let rows: Vec<Value> = self.rows("SELECT * FROM type::table($t)", json!({ "t": table })).await?;
            out.push_str(&format!("{table}: {}\n", serde_json::to_string(&rows).unwrap_or_default()));
        }
        Ok(out)
    }
}
