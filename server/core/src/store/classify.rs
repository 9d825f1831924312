//! What a failed database statement means, decided in one place: the rest of the
//! store matches on [`DbOutcome`], never on the text of an error.
//!
//! The names our SurrealQL throws and defines are the consts below. Queries bind
//! the THROW tags as parameters (`THROW $chain_moved`), so the tag thrown and the
//! tag recognised are one value; the UNIQUE indexes are defined in the migrations,
//! which a test here holds to these names.

use std::fmt;

use surrealdb::types::{AlreadyExistsError, ErrorDetails, QueryError};

use crate::error::Error;

// ---- THROW tags -------------------------------------------------------------------

/// `create_form`: a form with this id exists already.
pub(super) const FORM_EXISTS: &str = "formseal:form-exists";
/// `insert_submissions`: the chain head is no longer right before this batch.
pub(super) const CHAIN_MOVED: &str = "formseal:chain-moved";
/// `insert_submissions`: the personal link was revoked or has expired.
pub(super) const LINK_CLOSED: &str = "formseal:link-closed";
/// `insert_submissions`: the single-use personal link was used already.
pub(super) const LINK_USED: &str = "formseal:link-used";
/// `accept_invite`: the invitation was used already.
pub(super) const INVITE_USED: &str = "formseal:invite-used";
/// `append_audit`: the audit head is no longer right before this record.
pub(super) const AUDIT_MOVED: &str = "formseal:audit-moved";
/// `create_password_reset`: this account had its allowance of reset mails.
pub(super) const RESETS_EXHAUSTED: &str = "formseal:resets-exhausted";
/// `reset_password_with_token`: the reset link was used, replaced or expired.
pub(super) const RESET_UNUSABLE: &str = "formseal:reset-unusable";

// ---- UNIQUE indexes (migrations/*.surql) ---------------------------------------------

const FORM_FORM_ID: &str = "form_form_id";
const SUBMISSION_NONCE: &str = "submission_nonce";
const SUBMISSION_SEQUENCE: &str = "submission_sequence";
const ACCOUNT_USERNAME: &str = "account_username";
const AUDIT_SEQ: &str = "audit_seq";

// ---- tables whose records are once-only marks -----------------------------------------

/// A spent proof-of-work challenge: its record exists, so a second CREATE fails.
const POW_SPENT: &str = "pow_spent";
const LINK_OPEN_SEEN: &str = "link_open_seen";

/// How the message of an [`Error::Unavailable`] for a storage fault begins (for the log).
const STORAGE_FAULT: &str = "database storage fault";

/// One of our own reasons to abort a transaction (see the tag consts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tag {
    FormExists,
    ChainMoved,
    LinkClosed,
    LinkUsed,
    InviteUsed,
    AuditMoved,
    ResetsExhausted,
    ResetUnusable,
}

impl Tag {
    const ALL: [Tag; 8] = [
        Tag::FormExists,
        Tag::ChainMoved,
        Tag::LinkClosed,
        Tag::LinkUsed,
        Tag::InviteUsed,
        Tag::AuditMoved,
        Tag::ResetsExhausted,
        Tag::ResetUnusable,
    ];

    const fn text(self) -> &'static str {
        match self {
            Tag::FormExists => FORM_EXISTS,
            Tag::ChainMoved => CHAIN_MOVED,
            Tag::LinkClosed => LINK_CLOSED,
            Tag::LinkUsed => LINK_USED,
            Tag::InviteUsed => INVITE_USED,
            Tag::AuditMoved => AUDIT_MOVED,
            Tag::ResetsExhausted => RESETS_EXHAUSTED,
            Tag::ResetUnusable => RESET_UNUSABLE,
        }
    }
}

/// A UNIQUE index whose refusal the store answers (see the index consts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UniqueIndex {
    FormId,
    SubmissionNonce,
    SubmissionSequence,
    AccountUsername,
    AuditSeq,
}

impl UniqueIndex {
    const ALL: [UniqueIndex; 5] = [
        UniqueIndex::FormId,
        UniqueIndex::SubmissionNonce,
        UniqueIndex::SubmissionSequence,
        UniqueIndex::AccountUsername,
        UniqueIndex::AuditSeq,
    ];

    const fn name(self) -> &'static str {
        match self {
            UniqueIndex::FormId => FORM_FORM_ID,
            UniqueIndex::SubmissionNonce => SUBMISSION_NONCE,
            UniqueIndex::SubmissionSequence => SUBMISSION_SEQUENCE,
            UniqueIndex::AccountUsername => ACCOUNT_USERNAME,
            UniqueIndex::AuditSeq => AUDIT_SEQ,
        }
    }
}

/// A table whose record, once created, marks something as done for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Table {
    PowSpent,
    LinkOpenSeen,
}

impl Table {
    const ALL: [Table; 2] = [Table::PowSpent, Table::LinkOpenSeen];

    const fn name(self) -> &'static str {
        match self {
            Table::PowSpent => POW_SPENT,
            Table::LinkOpenSeen => LINK_OPEN_SEEN,
        }
    }
}

/// What a failed statement means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DbOutcome {
    /// An optimistic transaction lost a write conflict and was aborted as a whole:
    /// running it again is safe and may succeed.
    Conflict,
    /// The storage refuses writes (full, read-only, failing): nothing committed,
    /// and a retry may succeed once the operator has made room.
    StorageFault,
    /// One of our THROWs aborted the transaction.
    Thrown(Tag),
    /// A UNIQUE index holds the value already.
    Duplicate(UniqueIndex),
    /// A CREATE found its record there already.
    RecordExists(Table),
    /// Anything else: a fault, not an answer.
    Other,
}

/// Turns a database error into what it means.
///
/// The kinds whose text repeats what a statement wrote (thrown tags, refused
/// values, record ids) are decided before the text signs of conflicts and storage
/// faults are looked for, so a value like "IO error" in a refused user name is a
/// duplicate, never a disk fault.
pub(super) fn classify(e: &surrealdb::Error) -> DbOutcome {
    if matches!(e.query_details(), Some(QueryError::TransactionConflict)) {
        return DbOutcome::Conflict;
    }
    let message = e.message();
    match e.details() {
        ErrorDetails::Thrown => return thrown(message).map_or(DbOutcome::Other, DbOutcome::Thrown),
        ErrorDetails::AlreadyExists(Some(AlreadyExistsError::Record { id })) => {
            return existing_record(id).map_or(DbOutcome::Other, DbOutcome::RecordExists);
        }
        _ => {}
    }
    if let Some(index) = duplicate_index(message) {
        return UniqueIndex::ALL.into_iter().find(|i| i.name() == index).map_or(DbOutcome::Other, DbOutcome::Duplicate);
    }
    // A conflict reported without its structured kind still says so in words.
    if message.contains("can be retried") {
        DbOutcome::Conflict
    } else if storage_fault(message) {
        DbOutcome::StorageFault
    } else {
        DbOutcome::Other
    }
}

/// Our tag, if a THROW's message is one. SurrealDB puts the thrown value after
/// its own words ("An error occurred: formseal:chain-moved"); the tags hold no ": ".
fn thrown(message: &str) -> Option<Tag> {
    let value = message.rsplit_once(": ").map_or(message, |(_, value)| value);
    Tag::ALL.into_iter().find(|t| t.text() == value)
}

/// The table of a record id as SurrealDB writes it (`pow_spent:⟨…⟩`).
fn existing_record(id: &str) -> Option<Table> {
    let (table, _) = id.split_once(':')?;
    Table::ALL.into_iter().find(|t| t.name() == table)
}

/// The index a UNIQUE refusal names. SurrealDB says so only in words ("Database
/// index `submission_nonce` already contains ['f', 'n1'], with record `…`"); the
/// name comes before any of the refused values, so only it is read.
fn duplicate_index(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once("Database index `")?;
    let (name, rest) = rest.split_once('`')?;
    rest.trim_start().starts_with("already contains").then_some(name)
}

/// Whether a database error is the storage refusing writes (full, read-only,
/// failing), as the embedded engines and the OS word it.
fn storage_fault(message: &str) -> bool {
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

/// A failed statement: what it means, and the error the caller reports when that
/// is not an answer it expects.
#[derive(Debug)]
pub(super) struct Failure {
    outcome: DbOutcome,
    error: Error,
}

impl Failure {
    pub(super) fn outcome(&self) -> DbOutcome {
        self.outcome
    }
}

impl From<surrealdb::Error> for Failure {
    fn from(e: surrealdb::Error) -> Self {
        let outcome = classify(&e);
        let error = match outcome {
            DbOutcome::Conflict => Error::Busy,
            // 503 + Retry-After: the transaction did not commit.
            DbOutcome::StorageFault => Error::Unavailable(format!("{STORAGE_FAULT}: {}", e.message())),
            _ => Error::Internal(format!("database: {}", e.message())),
        };
        Failure { outcome, error }
    }
}

/// A failure before the database answered (no connection, no such record key).
impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure { outcome: DbOutcome::Other, error }
    }
}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Self {
        failure.error
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

/// For a statement's error read from its results: the caller's error.
pub(super) fn db_error(e: surrealdb::Error) -> Error {
    Failure::from(e).into()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store::testing::store;

    /// The outcome of running `sql` as one batch.
    async fn outcome(store: &crate::store::Store, sql: &str, vars: serde_json::Value) -> DbOutcome {
        match store.run(sql, vars).await {
            Ok(_) => panic!("{sql} succeeded"),
            Err(failure) => failure.outcome(),
        }
    }

    #[tokio::test]
    async fn every_tag_thrown_in_a_transaction_comes_back_as_itself() {
        let store = store().await;
        for tag in Tag::ALL {
            let sql = "BEGIN; CREATE probe:1 SET x = 1; IF true { THROW $tag }; COMMIT;";
            assert_eq!(outcome(&store, sql, json!({ "tag": tag.text() })).await, DbOutcome::Thrown(tag));
        }
        // A THROW of someone else's words is no answer of ours.
        let other = outcome(&store, "THROW $tag", json!({ "tag": "formseal:chain-moved!" })).await;
        assert_eq!(other, DbOutcome::Other);
    }

    #[tokio::test]
    async fn a_unique_index_and_an_existing_record_are_named_even_when_the_value_reads_like_a_fault() {
        let store = store().await;
        let account = "CREATE account CONTENT { username: $u, password_hash: 'h', role: 'owner', disabled: false, \
                       created_at: time::now() }";
        for name in ["ada", "IO error", "No space left on device", "this can be retried", "submission_sequence"] {
            store.run(account, json!({ "u": name })).await.unwrap();
            let again = outcome(&store, account, json!({ "u": name })).await;
            assert_eq!(again, DbOutcome::Duplicate(UniqueIndex::AccountUsername), "{name}");
        }
        let spend = "CREATE type::record('pow_spent', $id) CONTENT { form_id: 'f', expires: time::now() }";
        for id in ["plain", "with-dash_and.dot", "IO error"] {
            store.run(spend, json!({ "id": id })).await.unwrap();
            assert_eq!(outcome(&store, spend, json!({ "id": id })).await, DbOutcome::RecordExists(Table::PowSpent));
        }
        // A record of another table existing already is not an answer the store expects.
        store.run("CREATE probe:1", json!({})).await.unwrap();
        assert_eq!(outcome(&store, "CREATE probe:1", json!({})).await, DbOutcome::Other);
    }

    #[test]
    fn every_unique_index_named_here_is_defined_unique_by_a_migration() {
        let lines: Vec<&str> = crate::store::migrations::sql().flat_map(str::lines).collect();
        for index in UniqueIndex::ALL {
            let prefix = format!("DEFINE INDEX IF NOT EXISTS {} ON ", index.name());
            let defined = lines.iter().any(|l| l.starts_with(&prefix) && l.trim_end().ends_with(" UNIQUE;"));
            assert!(defined, "no migration defines the UNIQUE index {}", index.name());
        }
    }

    #[test]
    fn storage_faults_are_recognised_as_the_engines_word_them() {
        assert!(storage_fault("IO error: No space left on device (os error 28)"));
        assert!(storage_fault("Read-only file system (os error 30)"));
        assert!(!storage_fault("Database record `submission:x` already exists"));
    }

    #[test]
    fn only_the_index_name_of_a_unique_refusal_is_read() {
        let message = "Database index `account_username` already contains 'Database index `audit_seq` x', with \
                       record `account:1`";
        assert_eq!(duplicate_index(message), Some("account_username"));
        assert_eq!(duplicate_index("Database index `x` was removed"), None);
        assert_eq!(thrown("An error occurred: formseal:link-used"), Some(Tag::LinkUsed));
        assert_eq!(thrown("formseal:link-used"), Some(Tag::LinkUsed));
        assert_eq!(existing_record("pow_spent:⟨a-b⟩"), Some(Table::PowSpent));
        assert_eq!(existing_record("submission:x"), None);
    }
}
