//! Server functions of the integrity check (owner and DPO; the core checks and audits). Exports themselves are
//! downloads: `POST /admin/forms/{form}/export` (server/src/export.rs).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ConsoleError;

/// One form's integrity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IntegrityItem {
    pub form: String,
    pub intact: bool,
    /// Counts when intact; the first break precisely otherwise.
    pub summary: String,
    pub sequence: Option<u64>,
    pub submission: Option<String>,
    pub problem: Option<String>,
}

/// Checks one form (`form` given) or every form: versions, envelopes, receipts,
/// chain, tombstones. Audited.
#[server(prefix = "/admin/fn", endpoint = "verify-integrity")]
pub async fn verify_integrity(form: String) -> Result<Vec<IntegrityItem>, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let only = Some(form.trim()).filter(|f| !f.is_empty());
    let results = formseal_core::verify::verify_as(&state, &operator, only).await.map_err(super::ssr::public)?;
    Ok(results
        .into_iter()
        .map(|r| match r.outcome {
            Ok(s) => IntegrityItem {
                form: r.form,
                intact: true,
                summary: format!(
                    "{} versions, {} receipts, {} envelopes, {} tombstones verified",
                    s.versions, s.receipts, s.envelopes, s.tombstones
                ),
                sequence: None,
                submission: None,
                problem: None,
            },
            Err(b) => IntegrityItem {
                form: r.form,
                intact: false,
                summary: b.to_string(),
                sequence: b.sequence,
                submission: b.submission,
                problem: Some(match b.version {
                    Some(v) => format!("version {v}: {}", b.problem),
                    None => b.problem,
                }),
            },
        })
        .collect())
}
