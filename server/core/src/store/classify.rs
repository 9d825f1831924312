//! What a failed database statement means, decided in one place.

use surrealdb::types::QueryError;

use crate::error::Error;

/// A transaction conflict: SurrealDB transactions are optimistic, and trying again works.
pub(super) fn conflict(e: &surrealdb::Error) -> bool {
    matches!(e.query_details(), Some(QueryError::TransactionConflict)) || e.message().contains("can be retried")
}

pub(super) fn db_error(e: surrealdb::Error) -> Error {
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

pub(super) const STORAGE_FAULT: &str = "database storage fault";

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
