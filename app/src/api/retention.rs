//! Server functions of the retention overview and legal holds (owner and DPO).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ConsoleError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetentionItem {
    pub form_id: String,
    pub title: String,
    /// The current version's retention period.
    pub days: Option<u32>,
    /// Submissions whose answers are still stored.
    pub held: u64,
    pub on_hold: u64,
    pub next_due: Option<String>,
    pub legal_hold: Option<String>,
    /// Answers deleted on request (Art. 17), and because their time was up.
    pub erased: u64,
    pub expired: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetentionReport {
    pub forms: Vec<RetentionItem>,
    /// When the last sweep ran and how many it deleted.
    pub last_sweep: Option<(String, u64)>,
}

#[server(prefix = "/admin/fn", endpoint = "retention")]
pub async fn retention_overview() -> Result<RetentionReport, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let overview = formseal_core::retention::overview(&state, &operator).await.map_err(super::ssr::public)?;
    let forms = overview
        .forms
        .into_iter()
        .map(|(row, days)| RetentionItem {
            form_id: row.form_id,
            title: row.title,
            days,
            held: row.held,
            on_hold: row.on_hold,
            next_due: row.next_due,
            legal_hold: row.legal_hold,
            erased: row.erased,
            expired: row.expired,
        })
        .collect();
    Ok(RetentionReport { forms, last_sweep: overview.last_sweep })
}

/// Sets (with a reason) or lifts (empty reason) a legal hold on a form, or on one
/// submission when `submission` is given.
#[server(prefix = "/admin/fn", endpoint = "legal-hold")]
pub async fn legal_hold(form: String, submission: String, reason: String) -> Result<(), ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let (form, submission, reason) = (some(&form), some(&submission), some(&reason));
    formseal_core::retention::set_hold(&state, &operator, form.as_deref(), submission.as_deref(), reason.as_deref())
        .await
        .map_err(super::ssr::public)
}
