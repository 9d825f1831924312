//! `GET /admin/requests/{id}/report.html` and `.json`: the access report (Art. 15)
//! of one request, for the owner and the DPO. The HTML page is printable and runs
//! no script; producing either is audited (in `formseal_core::requests::report`).

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use formseal_core::{AppState, Error, requests};
use formseal_model::access_report;
use serde::Deserialize;

use crate::error::ApiResult;
use crate::session::SignedIn;

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    lang: String,
}

pub async fn html(
    State(state): State<AppState>,
    SignedIn(operator): SignedIn,
    Path(id): Path<String>,
    Query(q): Query<ReportQuery>,
) -> ApiResult<impl IntoResponse> {
    let report = requests::report(&state, &operator, &id, &q.lang).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            // No script at all; the page's one style element is ours.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
            ),
        ],
        access_report::to_html(&report),
    ))
}

pub async fn json(
    State(state): State<AppState>,
    SignedIn(operator): SignedIn,
    Path(id): Path<String>,
    Query(q): Query<ReportQuery>,
) -> ApiResult<impl IntoResponse> {
    let report = requests::report(&state, &operator, &id, &q.lang).await?;
    let body = serde_json::to_string_pretty(&report).map_err(|e| Error::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"access-report-{}.json\"", report.request.id)),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    ))
}
