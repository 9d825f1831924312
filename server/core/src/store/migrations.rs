//! Versioned schema. Each step runs once, in order, in its own transaction with the
//! record of its application; every statement is also idempotent (`IF NOT EXISTS`),
//! so replicas starting at the same moment cannot break each other.

use serde_json::json;

use super::Store;
use crate::error::Result;

// There is no 7: the links migration was numbered 8 when it was written. Deployed
// databases record 8 as applied, so renumbering it would run it a second time there;
// the gap is harmless (versions only need to rise).
const MIGRATIONS: &[(u32, &str)] = &[
    (1, include_str!("migrations/0001_initial.surql")),
    (2, include_str!("migrations/0002_challenges.surql")),
    (3, include_str!("migrations/0003_designer.surql")),
    (4, include_str!("migrations/0004_roles_audit.surql")),
    (5, include_str!("migrations/0005_retention.surql")),
    (6, include_str!("migrations/0006_requests.surql")),
    (8, include_str!("migrations/0008_links.surql")),
    (9, include_str!("migrations/0009_sweep_index.surql")),
    (10, include_str!("migrations/0010_funnel.surql")),
    (11, include_str!("migrations/0011_security.surql")),
    (12, include_str!("migrations/0012_messages.surql")),
    (13, include_str!("migrations/0013_webhooks_digests.surql")),
    (14, include_str!("migrations/0014_link_mail.surql")),
];

/// Every migration's version, in order.
#[cfg(test)]
pub fn versions() -> Vec<u32> {
    MIGRATIONS.iter().map(|(v, _)| *v).collect()
}

/// Every migration's SurrealQL, in order.
#[cfg(test)]
pub fn sql() -> impl Iterator<Item = &'static str> {
    MIGRATIONS.iter().map(|(_, sql)| *sql)
}

pub async fn apply(store: &Store) -> Result<u32> {
    // Replicas starting together define it at the same moment: a conflict, retried.
    store
        .run_retrying(
            "DEFINE TABLE IF NOT EXISTS schema_migration SCHEMAFULL;
             DEFINE FIELD IF NOT EXISTS version ON schema_migration TYPE int;
             DEFINE FIELD IF NOT EXISTS applied_at ON schema_migration TYPE datetime;",
            json!({}),
        )
        .await?;
    let applied: Vec<u32> = store.rows("SELECT VALUE version FROM schema_migration", json!({})).await?;
    let mut current = applied.iter().copied().max().unwrap_or(0);
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| !applied.contains(v)) {
        let batch = format!(
            "BEGIN;\n{sql}\nCREATE type::record('schema_migration', $version) CONTENT {{ version: $version, applied_at: time::now() }};\nCOMMIT;"
        );
        // Replicas starting together race to apply it: a conflict is retried until
        // this one or another has applied it.
        let mut attempt = 0u64;
        loop {
            match store.run(&batch, json!({ "version": version })).await {
                Ok(_) => {
                    tracing::info!(version, "applied schema migration");
                    break;
                }
                Err(e) => {
                    let applied: Vec<u32> = store
                        .rows("SELECT VALUE version FROM schema_migration WHERE version = $v", json!({"v": version}))
                        .await?;
                    if applied.len() == 1 {
                        tracing::debug!(version, error = %e, "migration already applied by another instance");
                        break;
                    }
                    attempt += 1;
                    if attempt >= 10 {
                        return Err(e.into());
                    }
                    tracing::debug!(version, attempt, error = %e, "migration not applied; trying again");
                    tokio::time::sleep(std::time::Duration::from_millis(50 * attempt)).await;
                }
            }
        }
        current = current.max(*version);
    }
    Ok(current)
}
