//! The store: every line of SurrealQL in Formseal lives in this module, behind
//! typed functions. Values always travel as bound parameters.
//!
//! This file holds the connection (opening, reopening after a storage fault) and
//! the shared ways of running a statement (retries, typed rows); each entity's
//! queries live in a submodule with its row types and tests, and
//! `classify` decides what a failed statement means.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;
use surrealdb::engine::any::{self, Any};
use surrealdb::opt::auth::Root;
use surrealdb::types::QueryError;
use surrealdb::{IndexedResults, Surreal};

use crate::error::{Error, Result};
use classify::{DbOutcome, Failure, classify, db_error};

mod accounts;
mod audit;
mod classify;
mod digests;
mod exports;
mod forms;
mod funnel;
mod link_mail;
mod links;
mod migrations;
mod outbox;
mod pow;
mod requests;
mod retention;
mod sessions;
mod submissions;
mod webhooks;

pub use accounts::{AccountRow, InviteRow, NewReset};
pub use audit::{AuditFilter, AuditRow};
pub use forms::{DraftRow, FormRow, Notify, VersionInfo, VersionRow};
pub use funnel::FunnelCount;
pub use link_mail::{NewReminder, ReminderRow, TemplateRow};
pub use links::{LinkRow, NewLink, PrefillRow};
pub use outbox::{AttemptRow, Delivery, LinkMessageRow, MessageFilter, MessageRow, NewMessage};
pub use pow::{FormPow, SpentChallenge};
pub use requests::{ErasableRow, HitRow, NewRequest, RequestRow};
pub use retention::{DueRow, RetentionRow};
pub use sessions::SessionRow;
pub use submissions::{InsertOutcome, NewSubmission, SubmissionRow};
pub use webhooks::{NewWebhook, WebhookRow};

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
            Err(e) if classify(&e) == DbOutcome::Conflict && attempt < 10 => {
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

    /// Runs `sql` once; a failure says what it means (see [`classify`]).
    async fn run(&self, sql: &str, vars: Value) -> Result<IndexedResults, Failure> {
        // An empty record key (`/api/v1/forms//challenge`) is no record at all;
        // SurrealDB would refuse `type::record('form', '')` with an error.
        const KEYS: [&str; 5] = ["form_id", "id", "digest", "submission_id", "token_hash"];
        if KEYS.iter().any(|k| vars.get(*k).and_then(Value::as_str).is_some_and(str::is_empty)) {
            return Err(Error::NotFound("record").into());
        }
        let db = self.connection().await?;
        let result = match db.query(sql).bind(strip_nulls(vars)).await {
            Ok(mut res) => match root_error(&mut res) {
                Some(e) => Err(Failure::from(e)),
                None => Ok(res),
            },
            Err(e) => Err(Failure::from(e)),
        };
        drop(db);
        if matches!(&result, Err(f) if f.outcome() == DbOutcome::StorageFault) {
            self.reopen().await;
        }
        result
    }

    // pub(crate): tests elsewhere in the crate tamper with records to prove detection.
    pub(crate) async fn exec(&self, sql: &str, vars: Value) -> Result<()> {
        Ok(self.exec_classified(sql, vars).await?)
    }

    /// As [`Store::exec`], for callers that answer some outcomes themselves (a
    /// THROW of theirs, a UNIQUE index): the failure says what it means.
    async fn exec_classified(&self, sql: &str, vars: Value) -> Result<(), Failure> {
        self.run_retrying(sql, vars).await.map(drop)
    }

    /// Runs a single statement or one `BEGIN … COMMIT` batch. A transaction conflict
    /// (SurrealDB transactions are optimistic) aborts it as a whole, so it is run
    /// again here, a few times, instead of failing the request.
    async fn run_retrying(&self, sql: &str, vars: Value) -> Result<IndexedResults, Failure> {
        let mut attempt = 0u64;
        loop {
            match self.run(sql, vars.clone()).await {
                Err(f) if f.outcome() == DbOutcome::Conflict && attempt < 8 => {
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
}

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

/// What the tests of every entity start from.
#[cfg(test)]
mod testing {
    use serde_json::json;

    use super::*;

    /// A migrated database in memory, of its own.
    pub async fn store() -> Store {
        let store =
            Store::connect(&DbConfig { url: "mem://".into(), namespace: "test".into(), user: None, password: None })
                .await
                .unwrap();
        store.migrate().await.unwrap();
        store
    }

    /// A queued notification mail of form `f`, `id` its message id.
    pub fn message(id: &str) -> NewMessage {
        NewMessage {
            message_id: id.into(),
            kind: "mail".into(),
            purpose: "notification".into(),
            form_id: Some("f".into()),
            link_id: None,
            webhook_id: None,
            submission_id: None,
            to_address: None,
            to_account: Some("ed".into()),
            subject: "New submission".into(),
            body_text: "Receipt".into(),
            body_html: None,
            created_ms: 1,
            give_up_ms: 2,
            created_by: "system".into(),
        }
    }

    /// Submission `id` of form `f` at `sequence`, with index tokens of its own and
    /// one shared with every other (`tok-ada`).
    pub fn row(id: &str, nonce: &str, sequence: u64) -> NewSubmission {
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
            messages: vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::testing::{row, store};
    use super::*;

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
