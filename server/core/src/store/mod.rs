//! The store: every line of SurrealQL in Formseal lives in this module, behind
//! typed functions. Values always travel as bound parameters.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use surrealdb::engine::any::{self, Any};
use surrealdb::opt::auth::Root;
use surrealdb::types::QueryError;
use surrealdb::{IndexedResults, Surreal};

use crate::error::{Error, Result};

mod exports;
mod links;
mod migrations;
mod requests;

pub use requests::{ErasableRow, HitRow, NewRequest, RequestRow};

pub use links::{LinkRow, NewLink, PrefillRow};

pub struct Store {
    /// `None` while an embedded database is being reopened after a storage fault.
    /// Shared behind an `Arc`, never cloned: each clone of a `Surreal` handle is a new
    /// database session, which a SurrealDB server signs in again (a password hash
    /// check, ≈ 17 ms) before it runs the query.
    db: std::sync::RwLock<Option<Arc<Surreal<Any>>>>,
    config: DbConfig,
    /// When the embedded database was last reopened (at most one reopening at a time).
    reopened: tokio::sync::Mutex<Option<std::time::Instant>>,
    /// Counts writes to forms and their versions in this process, so caches of
    /// them (see [`crate::forms::accepting`]) know when to read again.
    forms_generation: std::sync::atomic::AtomicU64,
}

/// How to reach the database.
#[derive(Clone, Debug)]
pub struct DbConfig {
    pub url: String,
    pub namespace: String,
    pub user: Option<String>,
    pub password: Option<String>,
}

/// How to open the database once.
async fn open(config: &DbConfig) -> Result<Surreal<Any>> {
    let url = durable_url(&config.url);
    let unavailable = |e: surrealdb::Error| Error::Unavailable(format!("database {}: {e}", config.url));
    let db = any::connect(url).await.map_err(unavailable)?;
    if let (Some(user), Some(password)) = (&config.user, &config.password) {
        db.signin(Root { username: user.clone(), password: password.clone() }).await.map_err(unavailable)?;
    }
    // Replicas starting together on a fresh server create the namespace and the
    // database at the same moment; the one that loses that race tries again.
    let mut attempt = 0u64;
    loop {
        match db.use_ns(config.namespace.clone()).use_db(config.namespace.clone()).await {
            Ok(_) => return Ok(db),
            Err(e) if conflict(&e) && attempt < 10 => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(20 * attempt)).await;
            }
            Err(e) => return Err(unavailable(e)),
        }
    }
}

/// Embedded engines fsync every commit by default in this SurrealDB version; we say
/// so in the URL as well, so a changed default can never silently weaken durability.
pub fn durable_url(url: &str) -> String {
    let embedded_disk = url.starts_with("rocksdb://") || url.starts_with("surrealkv://");
    if embedded_disk && !url.contains("sync=") {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}sync=every")
    } else {
        url.to_owned()
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct FormRow {
    pub form_id: String,
    pub title: String,
    pub current_version: Option<String>,
    pub allowed_origins: Vec<String>,
    #[serde(default)]
    pub archived: Option<bool>,
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

const FORM_COLUMNS: &str = "form_id, title, current_version, allowed_origins, archived";
const VERSION_COLUMNS: &str = "form_id, digest, definition, key_id, signature, <string>published_at AS published_at, \
     (IF retired_at != NONE THEN <string>retired_at END) AS retired_at";

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
}

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

#[derive(Debug, Clone, Deserialize)]
pub struct AccountRow {
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub disabled: bool,
    #[serde(default)]
    pub forms: Option<Vec<String>>,
    #[serde(default)]
    pub personal_forms: Option<Vec<String>>,
    #[serde(default)]
    pub totp_secret: Option<String>,
    #[serde(default)]
    pub totp_pending: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SessionRow {
    pub username: String,
    pub last_seen_ms: i64,
    pub expires_ms: i64,
    #[serde(default)]
    pub token_hash: Option<String>,
    #[serde(default)]
    pub created_ms: Option<i64>,
    #[serde(default)]
    pub ip: Option<String>,
    #[serde(default)]
    pub agent: Option<String>,
}

impl Store {
    pub async fn connect(config: &DbConfig) -> Result<Store> {
        let db = open(config).await?;
        Ok(Store {
            db: std::sync::RwLock::new(Some(Arc::new(db))),
            config: config.clone(),
            reopened: tokio::sync::Mutex::new(None),
            forms_generation: Default::default(),
        })
    }

    /// See [`Store::forms_generation`]'s field: read it before reading a form.
    pub fn forms_generation(&self) -> u64 {
        self.forms_generation.load(std::sync::atomic::Ordering::Acquire)
    }

    fn forms_changed(&self) {
        self.forms_generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    fn db(&self) -> Option<Arc<Surreal<Any>>> {
        self.db.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The database connection, reopening the embedded database if a storage
    /// fault closed it.
    async fn connection(&self) -> Result<Arc<Surreal<Any>>> {
        if let Some(db) = self.db() {
            return Ok(db);
        }
        self.reopen().await;
        self.db().ok_or_else(|| Error::Unavailable("the database is closed after a storage fault".into()))
    }

    /// After a storage fault (disk full, read-only, I/O error) an embedded engine
    /// refuses all writes until it is opened again (RocksDB keeps its background
    /// error): close it and open it again, at most once a second, so writes
    /// succeed again once the operator has made room, without a restart.
    async fn reopen(&self) {
        let embedded = self.config.url.starts_with("rocksdb://") || self.config.url.starts_with("surrealkv://");
        let Ok(mut last) = self.reopened.try_lock() else { return };
        if !embedded || last.is_some_and(|t| t.elapsed() < std::time::Duration::from_secs(1)) {
            return;
        }
        *last = Some(std::time::Instant::now());
        // Requests still holding the old connection finish with it; the engine
        // closes (and releases its lock file) when the last one is done.
        let old = self.db.write().unwrap_or_else(|p| p.into_inner()).take();
        drop(old);
        for _ in 0..50 {
            match open(&self.config).await {
                Ok(db) => {
                    *self.db.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(db));
                    tracing::warn!("reopened the database after a storage fault");
                    return;
                }
                Err(e) => {
                    tracing::debug!(error = %e, "database not reopened yet");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
        }
        tracing::error!("the database could not be reopened after a storage fault; trying again on the next request");
    }

    /// Applies the schema migrations that are not applied yet.
    pub async fn migrate(&self) -> Result<u32> {
        migrations::apply(self).await
    }

    pub async fn ping(&self) -> Result<()> {
        let mut res =
            self.connection().await?.query("RETURN true").await.map_err(|e| Error::Unavailable(e.to_string()))?;
        let ok: Option<bool> = res.take(0).map_err(|e| Error::Unavailable(e.to_string()))?;
        if ok == Some(true) { Ok(()) } else { Err(Error::Unavailable("database did not answer".into())) }
    }

    async fn run(&self, sql: &str, vars: Value) -> Result<IndexedResults> {
        // An empty record key (`/api/v1/forms//challenge`) is no record at all;
        // SurrealDB would refuse `type::record('form', '')` with an error.
        const KEYS: [&str; 5] = ["form_id", "id", "digest", "submission_id", "token_hash"];
        if KEYS.iter().any(|k| vars.get(*k).and_then(Value::as_str).is_some_and(str::is_empty)) {
            return Err(Error::NotFound("record"));
        }
        let db = self.connection().await?;
        let result = match db.query(sql).bind(strip_nulls(vars)).await.map_err(db_error) {
            Ok(mut res) => match root_error(&mut res) {
                Some(e) => Err(db_error(e)),
                None => Ok(res),
            },
            Err(e) => Err(e),
        };
        drop(db);
        if matches!(&result, Err(Error::Unavailable(m)) if m.starts_with(STORAGE_FAULT)) {
            self.reopen().await;
        }
        result
    }

    // pub(crate): tests elsewhere in the crate tamper with records to prove detection.
    pub(crate) async fn exec(&self, sql: &str, vars: Value) -> Result<()> {
        self.run_retrying(sql, vars).await.map(drop)
    }

    /// Runs a single statement or one `BEGIN … COMMIT` batch. A transaction conflict
    /// (SurrealDB transactions are optimistic) aborts it as a whole, so it is run
    /// again here, a few times, instead of failing the request.
    async fn run_retrying(&self, sql: &str, vars: Value) -> Result<IndexedResults> {
        let mut attempt = 0u64;
        loop {
            match self.run(sql, vars.clone()).await {
                Err(Error::Busy) if attempt < 8 => {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(3 * attempt * attempt)).await;
                }
                other => return other,
            }
        }
    }

    /// One statement's rows. A transaction conflict (SurrealDB transactions are
    /// optimistic) is retried here: callers pass a single statement, which a
    /// conflict aborts as a whole, so running it again is safe.
    async fn rows<T: DeserializeOwned>(&self, sql: &str, vars: Value) -> Result<Vec<T>> {
        self.rows_of(sql, vars, 0).await
    }

    /// As [`Store::rows`], for the statement at `index` (in a transaction, `BEGIN`
    /// is statement 0); the whole batch is retried on a conflict.
    async fn rows_of<T: DeserializeOwned>(&self, sql: &str, vars: Value, index: usize) -> Result<Vec<T>> {
        let mut res = self.run_retrying(sql, vars).await?;
        let value: surrealdb::types::Value = res.take(index).map_err(db_error)?;
        let rows = match value.into_json_value() {
            Value::Array(rows) => rows,
            Value::Null => Vec::new(),
            one => vec![one],
        };
        rows.into_iter()
            .map(|r| serde_json::from_value(r).map_err(|e| Error::Internal(format!("row shape: {e}"))))
            .collect()
    }

    async fn first<T: DeserializeOwned>(&self, sql: &str, vars: Value) -> Result<Option<T>> {
        Ok(self.rows(sql, vars).await?.into_iter().next())
    }

    // ---- forms -------------------------------------------------------------------

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
            .exec(
                "BEGIN;
                 IF (SELECT VALUE form_id FROM type::record('form', $form_id))[0] != NONE {
                     THROW 'formseal:form-exists'
                 };
                 CREATE type::record('form', $form_id) CONTENT {
                     form_id: $form_id, title: $title, allowed_origins: [], archived: false,
                     draft: $draft, draft_origins: $origins, draft_saved_at: time::now(), draft_saved_by: $by,
                     created_at: time::now()
                 };
                 COMMIT;",
                json!({ "form_id": form_id, "title": title, "draft": draft, "origins": origins, "by": by }),
            )
            .await;
        match result {
            Err(Error::Internal(m)) if m.contains("formseal:form-exists") || m.contains("form_form_id") => {
                Err(Error::Conflict(format!("a form with the id {form_id:?} already exists")))
            }
            other => other,
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
                "SELECT form_id, title, current_version, allowed_origins, archived,
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

    // ---- submissions -------------------------------------------------------------

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
        let result = self
            .run(
                "BEGIN;
                 LET $head = (SELECT VALUE sequence FROM type::record('chain_head', $form_id))[0] ?? 0;
                 IF $head != $first - 1 { THROW 'formseal:chain-moved' };
                 FOR $s IN $rows {
                     IF $s.link != NONE {
                         LET $l = (SELECT uses, single_use, revoked_at, expires_at FROM type::record('link', $s.link))[0];
                         IF $l == NONE OR $l.revoked_at != NONE OR $l.expires_at < time::now() {
                             THROW 'formseal:link-closed'
                         };
                         IF $l.single_use AND $l.uses > 0 { THROW 'formseal:link-used' };
                         UPDATE type::record('link', $s.link) SET uses += 1, submitted_at = time::now();
                         IF $l.single_use { DELETE type::record('link_prefill', $s.link) };
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
                 UPSERT type::record('chain_head', $form_id) CONTENT {
                     form_id: $form_id, sequence: $last, digest: $last_digest
                 };
                 COMMIT;",
                json!({
                    "form_id": first.form_id, "first": first.sequence, "last": last.sequence,
                    "last_digest": last.receipt_digest, "rows": rows, "tokens": tokens,
                }),
            )
            .await;
        match result {
            Ok(_) => Ok(InsertOutcome::Stored),
            Err(Error::Busy) => Ok(InsertOutcome::ChainMoved),
            Err(Error::Internal(m)) if m.contains("formseal:chain-moved") || m.contains("submission_sequence") => {
                Ok(InsertOutcome::ChainMoved)
            }
            Err(Error::Internal(m)) if m.contains("submission_nonce") => Ok(InsertOutcome::NonceTaken),
            Err(Error::Internal(m)) if m.contains("formseal:link-used") => Ok(InsertOutcome::LinkUsed),
            Err(Error::Internal(m)) if m.contains("formseal:link-closed") => Ok(InsertOutcome::LinkClosed),
            // Two requests spending one challenge at once: the later CREATE finds the row.
            Err(Error::Internal(m)) if m.contains("formseal:challenge-spent") || m.contains("pow_spent") => {
                Ok(InsertOutcome::ChallengeSpent)
            }
            Err(e) => Err(e),
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

    // ---- proof of work ----------------------------------------------------------

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

    // ---- accounts and sessions ---------------------------------------------------

    pub async fn account_count(&self) -> Result<u64> {
        let n: Option<u64> = self.first("RETURN count(SELECT VALUE username FROM account)", json!({})).await?;
        Ok(n.unwrap_or(0))
    }

    pub async fn create_account(&self, username: &str, password_hash: &str, role: &str) -> Result<()> {
        self.exec(
            "CREATE account CONTENT { username: $username, password_hash: $hash, role: $role, disabled: false, created_at: time::now() }",
            json!({ "username": username, "hash": password_hash, "role": role }),
        )
        .await
    }

    pub async fn account(&self, username: &str) -> Result<Option<AccountRow>> {
        self.first(
            "SELECT username, password_hash, role, disabled, forms, personal_forms, totp_secret, totp_pending
             FROM account WHERE username = $username",
            json!({ "username": username }),
        )
        .await
    }

    pub async fn accounts(&self) -> Result<Vec<AccountRow>> {
        self.rows(
            "SELECT username, password_hash, role, disabled, forms, personal_forms FROM account ORDER BY username",
            json!({}),
        )
        .await
    }

    pub async fn update_account(
        &self,
        username: &str,
        role: &str,
        forms: &[String],
        personal_forms: &[String],
        disabled: bool,
    ) -> Result<()> {
        self.exec(
            "BEGIN;
             UPDATE account SET role = $role, forms = $forms, personal_forms = $personal, disabled = $disabled
                 WHERE username = $username;
             IF $disabled { DELETE session WHERE username = $username };
             COMMIT;",
            json!({
                "username": username, "role": role, "forms": forms, "personal": personal_forms, "disabled": disabled,
            }),
        )
        .await
    }

    pub async fn set_totp_pending(&self, username: &str, secret: &str) -> Result<()> {
        self.exec(
            "UPDATE account SET totp_pending = $secret WHERE username = $username",
            json!({ "username": username, "secret": secret }),
        )
        .await
    }

    /// Makes the pending secret the active one, with new recovery code hashes.
    pub async fn enable_totp(&self, username: &str, secret: &str, recovery_hashes: &[String]) -> Result<()> {
        self.exec(
            "UPDATE account SET totp_secret = $secret, totp_pending = NONE, recovery_hashes = $hashes
             WHERE username = $username",
            json!({ "username": username, "secret": secret, "hashes": recovery_hashes }),
        )
        .await
    }

    pub async fn disable_totp(&self, username: &str) -> Result<()> {
        self.exec(
            "UPDATE account SET totp_secret = NONE, totp_pending = NONE, recovery_hashes = [] WHERE username = $username",
            json!({ "username": username }),
        )
        .await
    }

    /// Uses up one recovery code: `true` if it was there (and is now gone).
    pub async fn use_recovery_code(&self, username: &str, hash: &str) -> Result<bool> {
        let updated: Vec<Value> = self
            .rows(
                "UPDATE account SET recovery_hashes -= $hash WHERE username = $username AND recovery_hashes CONTAINS $hash
                 RETURN username",
                json!({ "username": username, "hash": hash }),
            )
            .await?;
        Ok(!updated.is_empty())
    }

    pub async fn create_invite(&self, invite: &InviteRow, token_hash: &str) -> Result<()> {
        let mut vars = serde_json::to_value(invite).map_err(|e| Error::Internal(e.to_string()))?;
        vars["token_hash"] = json!(token_hash);
        self.exec(
            "CREATE invite CONTENT {
                 token_hash: $token_hash, username: $username, role: $role, forms: $forms,
                 personal_forms: $personal_forms, invited_by: $invited_by, expires_ms: $expires_ms, used: false
             }",
            vars,
        )
        .await
    }

    pub async fn invite(&self, token_hash: &str) -> Result<Option<InviteRow>> {
        self.first(
            "SELECT username, role, forms, personal_forms, invited_by, expires_ms, used FROM invite
             WHERE token_hash = $token_hash",
            json!({ "token_hash": token_hash }),
        )
        .await
    }

    /// Creates the invited account and uses up the invitation, in one transaction;
    /// fails if the invitation was used meanwhile or the name was taken.
    pub async fn accept_invite(&self, token_hash: &str, invite: &InviteRow, password_hash: &str) -> Result<()> {
        let result = self
            .exec(
                "BEGIN;
                 IF (SELECT VALUE used FROM invite WHERE token_hash = $token_hash)[0] != false {
                     THROW 'formseal:invite-used'
                 };
                 UPDATE invite SET used = true WHERE token_hash = $token_hash;
                 CREATE account CONTENT {
                     username: $username, password_hash: $hash, role: $role, disabled: false,
                     forms: $forms, personal_forms: $personal_forms, created_at: time::now()
                 };
                 COMMIT;",
                json!({
                    "token_hash": token_hash, "username": invite.username, "hash": password_hash, "role": invite.role,
                    "forms": invite.forms, "personal_forms": invite.personal_forms,
                }),
            )
            .await;
        match result {
            Err(Error::Internal(m)) if m.contains("formseal:invite-used") => {
                Err(Error::BadRequest("this invitation was already used".into()))
            }
            Err(Error::Internal(m)) if m.contains("account_username") => {
                Err(Error::BadRequest("this user name is taken".into()))
            }
            other => other,
        }
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        username: &str,
        now_ms: i64,
        expires_ms: i64,
        ip: Option<&str>,
        agent: Option<&str>,
    ) -> Result<()> {
        self.exec(
            "CREATE type::record('session', $token_hash) CONTENT {
                 token_hash: $token_hash, username: $username, created_ms: $now, last_seen_ms: $now, expires_ms: $expires,
                 ip: $ip, agent: $agent
             }",
            json!({
                "token_hash": token_hash, "username": username, "now": now_ms, "expires": expires_ms,
                "ip": ip, "agent": agent,
            }),
        )
        .await
    }

    /// A person's sessions, most recently used first.
    pub async fn sessions_of(&self, username: &str) -> Result<Vec<SessionRow>> {
        self.rows(
            "SELECT token_hash, username, created_ms, last_seen_ms, expires_ms, ip, agent FROM session
             WHERE username = $username ORDER BY last_seen_ms DESC",
            json!({ "username": username }),
        )
        .await
    }

    pub async fn delete_sessions_of(&self, username: &str) -> Result<()> {
        self.exec("DELETE session WHERE username = $username", json!({ "username": username })).await
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>> {
        self.first(
            "SELECT username, last_seen_ms, expires_ms FROM type::record('session', $token_hash)",
            json!({ "token_hash": token_hash }),
        )
        .await
    }

    pub async fn touch_session(&self, token_hash: &str, now_ms: i64) -> Result<()> {
        self.exec(
            "UPDATE type::record('session', $token_hash) SET last_seen_ms = $now",
            json!({ "token_hash": token_hash, "now": now_ms }),
        )
        .await
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.exec("DELETE type::record('session', $token_hash)", json!({ "token_hash": token_hash })).await
    }

    // ---- retention ---------------------------------------------------------------

    /// Submissions whose answers are due for deletion at `now` (RFC 3339).
    ///
    /// The lower bound is not a filter but keeps the index scan off deleted rows:
    /// their `delete_after` is NONE, which SurrealDB indexes and sorts before every
    /// datetime, so `<= $now` alone reads every row deleted before (measured: 36 ms
    /// against 1.6 ms for 100 due rows among 20 000 deleted ones).
    pub async fn due_for_deletion(&self, now: &str, limit: u64) -> Result<Vec<DueRow>> {
        self.rows(
            "SELECT submission_id, form_id, envelope_digest FROM submission
             WHERE delete_after >= d'1970-01-01T00:00:00Z' AND delete_after <= <datetime>$now
               AND envelope != NONE AND legal_hold = NONE
               AND form_id NOT IN (SELECT VALUE form_id FROM form WHERE legal_hold != NONE)
             LIMIT $limit",
            json!({ "now": now, "limit": limit }),
        )
        .await
    }

    /// Deletes the answers, with what was derived from them (person index tokens,
    /// corrections), and stores the tombstone, if nobody did it first: `false` when
    /// the answers were already gone (another replica), so the work is never done
    /// twice. One transaction: nothing personal is left half-deleted.
    pub async fn erase_payload(&self, submission_id: &str, tombstone: &Value) -> Result<bool> {
        let updated: Vec<Value> = self
            .rows_of(
                "BEGIN;
                 UPDATE submission SET envelope = NONE, tombstone = $tombstone, delete_after = NONE
                     WHERE submission_id = $id AND envelope != NONE RETURN submission_id;
                 DELETE person_token WHERE submission_id = $id;
                 DELETE correction WHERE submission_id = $id;
                 COMMIT;",
                json!({ "id": submission_id, "tombstone": tombstone }),
                1,
            )
            .await?;
        Ok(!updated.is_empty())
    }

    /// Puts a legal hold on a form (`Some(reason)`) or lifts it; `false` if no such form.
    pub async fn set_form_hold(&self, form_id: &str, reason: Option<&str>) -> Result<bool> {
        let updated: Vec<Value> = self
            .rows(
                "UPDATE type::record('form', $form_id) SET legal_hold = $reason RETURN form_id",
                json!({ "form_id": form_id, "reason": reason }),
            )
            .await?;
        Ok(!updated.is_empty())
    }

    pub async fn set_submission_hold(&self, submission_id: &str, reason: Option<&str>) -> Result<bool> {
        let updated: Vec<Value> = self
            .rows(
                "UPDATE submission SET legal_hold = $reason WHERE submission_id = $id RETURN submission_id",
                json!({ "id": submission_id, "reason": reason }),
            )
            .await?;
        Ok(!updated.is_empty())
    }

    /// Per form: answers held, the next due date, holds.
    pub async fn retention_overview(&self) -> Result<Vec<RetentionRow>> {
        #[derive(Deserialize)]
        struct Form {
            form_id: String,
            title: String,
            legal_hold: Option<String>,
        }
        #[derive(Deserialize, Default)]
        struct Counts {
            form_id: String,
            held: u64,
            on_hold: u64,
            erased: u64,
            expired: u64,
            next_due: Option<String>,
        }
        let forms: Vec<Form> =
            self.rows("SELECT form_id, title, legal_hold FROM form ORDER BY form_id", json!({})).await?;
        // One pass over the submissions, grouped by form. (A subquery per form and
        // figure read the whole table again each time: 70 s for 17 forms and 100 k
        // submissions.) Deleted answers have no due date, so the earliest due date is
        // that of the answers still held.
        let counts: Vec<Counts> = self
            .rows(
                "SELECT form_id, held, on_hold, erased, expired,
                     IF next_due != NONE { <string>next_due } AS next_due
                 FROM (
                     SELECT form_id,
                         count(envelope != NONE) AS held,
                         count(envelope != NONE AND legal_hold != NONE) AS on_hold,
                         count(tombstone.tombstone.reason = 'erasure') AS erased,
                         count(tombstone.tombstone.reason = 'retention') AS expired,
                         time::min(delete_after) AS next_due
                     FROM submission GROUP BY form_id
                 )",
                json!({}),
            )
            .await?;
        let mut counts: std::collections::HashMap<String, Counts> =
            counts.into_iter().map(|c| (c.form_id.clone(), c)).collect();
        Ok(forms
            .into_iter()
            .map(|form| {
                // A form without submissions has none of them.
                let c = counts.remove(&form.form_id).unwrap_or_default();
                RetentionRow {
                    form_id: form.form_id,
                    title: form.title,
                    legal_hold: form.legal_hold,
                    held: c.held,
                    on_hold: c.on_hold,
                    next_due: c.next_due,
                    erased: c.erased,
                    expired: c.expired,
                }
            })
            .collect())
    }

    pub async fn record_sweep(&self, at: &str, deleted: u64) -> Result<()> {
        self.exec(
            "UPSERT type::record('retention_run', 'last') CONTENT { at: $at, deleted: $deleted }",
            json!({ "at": at, "deleted": deleted }),
        )
        .await
    }

    pub async fn last_sweep(&self) -> Result<Option<(String, u64)>> {
        #[derive(Deserialize)]
        struct Run {
            at: String,
            deleted: u64,
        }
        let run: Option<Run> =
            self.first("SELECT at, deleted FROM type::record('retention_run', 'last')", json!({})).await?;
        Ok(run.map(|r| (r.at, r.deleted)))
    }

    // ---- audit log ---------------------------------------------------------------

    /// The audit chain's last sequence number and digest; `(0, None)` when empty.
    pub async fn audit_head(&self) -> Result<(u64, Option<String>)> {
        #[derive(Deserialize)]
        struct Head {
            seq: u64,
            digest: String,
        }
        let head: Option<Head> =
            self.first("SELECT seq, digest FROM type::record('audit_head', 'head')", json!({})).await?;
        Ok(head.map_or((0, None), |h| (h.seq, Some(h.digest))))
    }

    /// Appends a record if the head is still at `seq - 1` (else `false`: retry).
    pub async fn append_audit(&self, record: &AuditRow) -> Result<bool> {
        let result = self
            .exec(
                "BEGIN;
                 LET $head = (SELECT VALUE seq FROM type::record('audit_head', 'head'))[0] ?? 0;
                 IF $head != $seq - 1 { THROW 'formseal:audit-moved' };
                 CREATE type::record('audit', $seq) CONTENT {
                     seq: $seq, at: $at, actor: $actor, action: $action, object: $object, detail: $detail,
                     previous: $previous, digest: $digest
                 };
                 UPSERT type::record('audit_head', 'head') CONTENT { seq: $seq, digest: $digest };
                 COMMIT;",
                serde_json::to_value(record).map_err(|e| Error::Internal(e.to_string()))?,
            )
            .await;
        match result {
            Ok(()) => Ok(true),
            Err(Error::Busy) => Ok(false),
            Err(Error::Internal(m)) if m.contains("formseal:audit-moved") || m.contains("audit_seq") => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Records in order of `seq`, from `from` on.
    pub async fn audit_range(&self, from: u64, limit: u64) -> Result<Vec<AuditRow>> {
        self.rows(
            "SELECT seq, at, actor, action, object, detail, previous, digest FROM audit
             WHERE seq >= $from ORDER BY seq LIMIT $limit",
            json!({ "from": from, "limit": limit }),
        )
        .await
    }

    /// Newest first, filtered; `at` bounds compare as RFC 3339 text.
    pub async fn audit_search(&self, filter: &AuditFilter, offset: u64, limit: u64) -> Result<Vec<AuditRow>> {
        self.rows(
            "SELECT seq, at, actor, action, object, detail, previous, digest FROM audit
             WHERE ($actor = NONE OR actor = $actor) AND ($action = NONE OR action = $action)
               AND ($from = NONE OR at >= $from) AND ($to = NONE OR at <= $to)
             ORDER BY seq DESC LIMIT $limit START $offset",
            json!({
                "actor": filter.actor, "action": filter.action, "from": filter.from, "to": filter.to,
                "offset": offset, "limit": limit,
            }),
        )
        .await
    }
}

/// One form in the retention overview.
#[derive(Debug, Clone, Deserialize)]
pub struct RetentionRow {
    pub form_id: String,
    pub title: String,
    pub legal_hold: Option<String>,
    pub held: u64,
    pub on_hold: u64,
    pub next_due: Option<String>,
    /// Submissions whose answers were deleted on request (Art. 17), and by retention.
    #[serde(default)]
    pub erased: u64,
    #[serde(default)]
    pub expired: u64,
}

/// A submission due for deletion.
#[derive(Debug, Clone, Deserialize)]
pub struct DueRow {
    pub submission_id: String,
    pub form_id: String,
    pub envelope_digest: String,
}

/// An invitation to the console (the token itself is never stored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InviteRow {
    pub username: String,
    pub role: String,
    pub forms: Vec<String>,
    pub personal_forms: Vec<String>,
    pub invited_by: String,
    pub expires_ms: i64,
    #[serde(default)]
    pub used: bool,
}

/// One audit record; `digest` covers every other member (see [`crate::audit`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub seq: u64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub detail: String,
    pub previous: Option<String>,
    pub digest: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl AuditFilter {
    /// From what a person typed: empty means "any"; a date (`YYYY-MM-DD`) as the
    /// end covers that whole day.
    pub fn from_inputs(actor: &str, action: &str, from: &str, to: &str) -> Self {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        AuditFilter {
            actor: some(actor),
            action: some(action),
            from: some(from),
            to: some(to).map(|t| if t.len() == 10 { format!("{t}T23:59:59.999Z") } else { t }),
        }
    }
}

const SUBMISSION_COLUMNS: &str = "submission_id, form_id, version, nonce, envelope, envelope_digest, public_key, \
     signature, sequence, receipt, receipt_digest, <string>received_at AS received_at, tombstone, link_id";

/// Unset parameters are NONE in SurrealQL, which `option<T>` fields accept; NULL is not.
fn strip_nulls(vars: Value) -> Value {
    match vars {
        Value::Object(map) => Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        other => other,
    }
}

/// The error that caused a failed batch (a failed transaction marks its other
/// statements "not executed"; those say nothing).
fn root_error(res: &mut IndexedResults) -> Option<surrealdb::Error> {
    let mut errors: Vec<(usize, surrealdb::Error)> = res.take_errors().into_iter().collect();
    errors.sort_by_key(|(i, _)| *i);
    let is_echo =
        |e: &surrealdb::Error| matches!(e.query_details(), Some(QueryError::NotExecuted) | Some(QueryError::Cancelled));
    let root = errors.iter().position(|(_, e)| !is_echo(e)).unwrap_or(errors.len().saturating_sub(1));
    errors.into_iter().nth(root).map(|(_, e)| e)
}

/// A transaction conflict: SurrealDB transactions are optimistic, and trying again works.
fn conflict(e: &surrealdb::Error) -> bool {
    matches!(e.query_details(), Some(QueryError::TransactionConflict)) || e.message().contains("can be retried")
}

fn db_error(e: surrealdb::Error) -> Error {
    if conflict(&e) {
        Error::Busy
    } else if storage_fault(e.message()) {
        // Disk full, read-only or failing storage: the transaction did not commit,
        // and a retry may succeed once the operator has made room (503 + Retry-After).
        Error::Unavailable(format!("{STORAGE_FAULT}: {}", e.message()))
    } else {
        Error::Internal(format!("database: {}", e.message()))
    }
}

const STORAGE_FAULT: &str = "database storage fault";

/// Whether a database error is the storage refusing writes (full, read-only,
/// failing), as the embedded engines and the OS word it.
pub(crate) fn storage_fault(message: &str) -> bool {
    const SIGNS: [&str; 8] = [
        "No space left on device",
        "os error 28",
        "Read-only file system",
        "os error 30",
        "Disk quota exceeded",
        "os error 122",
        "IO error",
        "Input/output error",
    ];
    SIGNS.iter().any(|sign| message.contains(sign))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn store() -> Store {
        let store =
            Store::connect(&DbConfig { url: "mem://".into(), namespace: "test".into(), user: None, password: None })
                .await
                .unwrap();
        store.migrate().await.unwrap();
        store
    }

    fn row(id: &str, nonce: &str, sequence: u64) -> NewSubmission {
        NewSubmission {
            submission_id: id.into(),
            form_id: "f".into(),
            version: "v".into(),
            nonce: nonce.into(),
            envelope: json!({"answers": {"name": "Ada"}}),
            envelope_digest: format!("d-{nonce}"),
            public_key: "pk".into(),
            signature: "sig".into(),
            sequence,
            receipt: json!({"receipt": {"sequence": sequence, "previous": null}}),
            receipt_digest: format!("r-{id}"),
            received_at: "2026-11-27T10:00:00.000Z".into(),
            delete_after: "2026-12-27T10:00:00.000Z".into(),
            challenge: None,
            person_tokens: vec!["tok-ada".into(), format!("tok-{id}")],
        }
    }

    #[tokio::test]
    async fn erasing_answers_removes_their_index_tokens_and_corrections_in_one_go() {
        let store = store().await;
        store.insert_submission(&row("s1", "n1", 1)).await.unwrap();
        store.insert_submission(&row("s2", "n2", 2)).await.unwrap();
        let found = store.submissions_by_tokens(&["tok-ada".into()]).await.unwrap();
        assert_eq!(found, vec![("s1".into(), "f".into()), ("s2".into(), "f".into())]);
        assert!(store.add_correction("s1", &json!({"correction": {"field": "name"}}), 1).await.unwrap());
        assert_eq!(store.corrections("s1").await.unwrap().len(), 1);

        assert!(store.erase_payload("s1", &json!({"tombstone": {}})).await.unwrap());
        assert!(!store.erase_payload("s1", &json!({"tombstone": {}})).await.unwrap(), "only once");
        let found = store.submissions_by_tokens(&["tok-ada".into(), "tok-s1".into()]).await.unwrap();
        assert_eq!(found, vec![("s2".into(), "f".into())]);
        assert!(store.corrections("s1").await.unwrap().is_empty());
        // Nothing can be corrected once the answers are gone.
        assert!(!store.add_correction("s1", &json!({}), 2).await.unwrap());
        assert!(store.submission("s1").await.unwrap().unwrap().envelope.is_none());
    }

    #[tokio::test]
    async fn migrations_run_once_and_are_idempotent() {
        let store = store().await;
        let all = migrations::versions();
        assert_eq!(store.migrate().await.unwrap(), *all.last().unwrap());
        let mut applied: Vec<u32> = store.rows("SELECT VALUE version FROM schema_migration", json!({})).await.unwrap();
        applied.sort();
        assert_eq!(applied, all);
    }

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

    #[tokio::test]
    async fn audit_records_append_only_in_sequence() {
        let store = store().await;
        assert_eq!(store.audit_head().await.unwrap(), (0, None));
        let row = |seq: u64, previous: Option<&str>| AuditRow {
            seq,
            at: "2026-11-27T10:00:00.000Z".into(),
            actor: "ada".into(),
            action: "login".into(),
            object: "ada".into(),
            detail: String::new(),
            previous: previous.map(str::to_owned),
            digest: format!("d{seq}"),
        };
        assert!(store.append_audit(&row(1, None)).await.unwrap());
        assert!(!store.append_audit(&row(1, None)).await.unwrap(), "the head moved on");
        assert!(!store.append_audit(&row(3, Some("d1"))).await.unwrap(), "no gaps");
        assert!(store.append_audit(&row(2, Some("d1"))).await.unwrap());
        assert_eq!(store.audit_head().await.unwrap(), (2, Some("d2".to_owned())));
        assert_eq!(store.audit_range(1, 10).await.unwrap(), vec![row(1, None), row(2, Some("d1"))]);
        let filter = AuditFilter { actor: Some("ada".into()), ..Default::default() };
        assert_eq!(store.audit_search(&filter, 0, 1).await.unwrap(), vec![row(2, Some("d1"))]);
        let nobody = AuditFilter { actor: Some("bob".into()), ..Default::default() };
        assert!(store.audit_search(&nobody, 0, 10).await.unwrap().is_empty());
    }

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

    #[tokio::test]
    async fn parameters_are_bound_not_spliced() {
        let store = store().await;
        // An id that would be SurrealQL if it were pasted into the query.
        let hostile = "x'); DELETE submission; --";
        assert_eq!(store.insert_submission(&row("keep", "n", 1)).await.unwrap(), InsertOutcome::Stored);
        assert!(store.submission(hostile).await.unwrap().is_none());
        assert!(store.form(hostile).await.unwrap().is_none());
        assert!(store.submission("keep").await.unwrap().is_some());
    }

    #[test]
    fn disk_engines_get_explicit_fsync() {
        assert_eq!(durable_url("rocksdb:///d"), "rocksdb:///d?sync=every");
        assert_eq!(durable_url("surrealkv://d?x=1"), "surrealkv://d?x=1&sync=every");
        assert_eq!(durable_url("rocksdb://d?sync=200ms"), "rocksdb://d?sync=200ms");
        assert_eq!(durable_url("mem://"), "mem://");
        assert_eq!(durable_url("ws://h:8000"), "ws://h:8000");
    }
}
