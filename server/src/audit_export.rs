//! `GET /admin/audit/export`: the audit log (filtered as on the page) as a JSON or
//! CSV download, for the owner and the DPO. The export itself is audited.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use formseal_core::audit;
use formseal_core::store::{AuditFilter, AuditRow};
use formseal_core::{AppState, Error};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::session::SignedIn;

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    format: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

pub async fn export(
    State(state): State<AppState>,
    SignedIn(operator): SignedIn,
    Query(q): Query<ExportQuery>,
) -> ApiResult<impl IntoResponse> {
    let filter = AuditFilter::from_inputs(&q.actor, &q.action, &q.from, &q.to);
    let csv = q.format == "csv";
    let rows = audit::export(&state, &operator, &filter, if csv { "CSV" } else { "JSON" }).await?;
    let (body, content_type, name) = if csv {
        (to_csv(&rows), "text/csv; charset=utf-8", "formseal-audit.csv")
    } else {
        let json = serde_json::to_string_pretty(&rows).map_err(|e| Error::Internal(e.to_string()))?;
        (json, "application/json", "formseal-audit.json")
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    ))
}

/// RFC 4180 CSV; cells that a spreadsheet would run as a formula get a leading `'`.
fn to_csv(rows: &[AuditRow]) -> String {
    let cell = |text: &str| {
        let safe = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_owned() };
        format!("\"{}\"", safe.replace('"', "\"\""))
    };
    let mut out = String::from("seq,at,actor,action,object,detail,previous,digest\r\n");
    for r in rows {
        let line = [
            r.seq.to_string(),
            cell(&r.at),
            cell(&r.actor),
            cell(&r.action),
            cell(&r.object),
            cell(&r.detail),
            cell(r.previous.as_deref().unwrap_or("")),
            cell(&r.digest),
        ]
        .join(",");
        out.push_str(&line);
        out.push_str("\r\n");
    }
    out
}
