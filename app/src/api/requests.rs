//! Server functions of data-subject requests: the register, the person search, the
//! review, erasure and rectification (owner and DPO; see `formseal_core::requests`).
//! The report itself is a download: `/admin/requests/<id>/report.html|json`.

use formseal_model::access_report::ReportEntry;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ConsoleError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestItem {
    pub id: String,
    pub requester: String,
    pub contact: String,
    pub received_on: String,
    pub due_on: String,
    pub identity_check: String,
    pub status: String,
    /// Still open after its due date.
    pub overdue: bool,
    /// Which keys the last search used.
    pub searched: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewData {
    pub request: RequestItem,
    pub entries: Vec<ReportEntry>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErasureSummary {
    pub erased: u64,
    pub already: u64,
    pub held: Vec<String>,
}

#[cfg(feature = "ssr")]
fn item(row: formseal_core::store::RequestRow) -> RequestItem {
    let today = chrono::DateTime::from_timestamp_millis(formseal_core::time::now_ms())
        .map(|t| t.date_naive().to_string())
        .unwrap_or_default();
    RequestItem {
        overdue: row.status != "answered" && row.due_on < today,
        id: row.request_id,
        requester: row.requester,
        contact: row.contact,
        received_on: row.received_on,
        due_on: row.due_on,
        identity_check: row.identity_check,
        status: row.status,
        searched: row.searched,
    }
}

#[server(prefix = "/admin/fn", endpoint = "requests")]
pub async fn list_requests() -> Result<Vec<RequestItem>, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let rows = formseal_core::requests::list(&state, &operator).await.map_err(super::ssr::public)?;
    Ok(rows.into_iter().map(item).collect())
}

#[server(prefix = "/admin/fn", endpoint = "register-request")]
pub async fn register_request(
    requester: String,
    contact: String,
    received_on: String,
    identity_check: String,
) -> Result<String, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let input = formseal_core::requests::RequestInput { requester, contact, received_on, identity_check };
    formseal_core::requests::register(&state, &operator, &input).await.map_err(super::ssr::public)
}

#[server(prefix = "/admin/fn", endpoint = "request-review")]
pub async fn request_review(id: String, lang: String) -> Result<ReviewData, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let row = formseal_core::requests::get(&state, &operator, &id).await.map_err(super::ssr::public)?;
    let lang = formseal_model::Lang::parse(&lang).tag();
    let entries = formseal_core::requests::entries(&state, &operator, &id, lang).await.map_err(super::ssr::public)?;
    Ok(ReviewData { request: item(row), entries })
}

#[server(prefix = "/admin/fn", endpoint = "search-person")]
pub async fn search_person(
    id: String,
    email: String,
    phone: String,
    name: String,
    birth_date: String,
) -> Result<usize, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let criteria = formseal_core::requests::Criteria { email, phone, name, birth_date };
    formseal_core::requests::search(&state, &operator, &id, &criteria).await.map_err(super::ssr::public)
}

/// `include` is "true" or "false" (a form field).
#[server(prefix = "/admin/fn", endpoint = "decide-hit")]
pub async fn decide_hit(id: String, submission: String, include: String, note: String) -> Result<(), ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    formseal_core::requests::decide(&state, &operator, &id, &submission, include == "true", &note)
        .await
        .map_err(super::ssr::public)
}

#[server(prefix = "/admin/fn", endpoint = "request-status")]
pub async fn set_request_status(id: String, status: String) -> Result<(), ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    formseal_core::requests::set_status(&state, &operator, &id, &status).await.map_err(super::ssr::public)
}

#[server(prefix = "/admin/fn", endpoint = "erase-request")]
pub async fn erase_request(id: String) -> Result<ErasureSummary, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let done = formseal_core::requests::erase(&state, &operator, &id).await.map_err(super::ssr::public)?;
    Ok(ErasureSummary { erased: done.erased, already: done.already, held: done.held })
}

#[server(prefix = "/admin/fn", endpoint = "rectify")]
pub async fn rectify_answer(
    id: String,
    submission: String,
    field: String,
    value: String,
    reason: String,
) -> Result<(), ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    formseal_core::requests::rectify(&state, &operator, &id, &submission, &field, &value, &reason)
        .await
        .map_err(super::ssr::public)
}
