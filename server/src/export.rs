//! `POST /admin/forms/{form}/export`: one form's submissions as a download (CSV,
//! XLSX or JSON; full or compact; plain or in an AES-256 ZIP).
//!
//! A POST, not a GET: the password of an encrypted export travels in the body, never
//! in a URL (which logs and browser histories keep). The console's same-origin rule
//! for writes applies (a cross-site page cannot start an export), the session cookie
//! is SameSite=Strict, and the server keeps neither the file nor the password.

use axum::Form;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use formseal_core::export::{self, Content, Format, Options};
use formseal_core::{AppState, Error};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::session::SignedIn;

#[derive(Deserialize)]
pub struct ExportRequest {
    /// `csv`, `xlsx` or `json`.
    #[serde(default)]
    format: String,
    /// `compact` or `full`.
    #[serde(default)]
    scope: String,
    /// Present (any value but "false"/"off") for an encrypted ZIP.
    #[serde(default)]
    encrypted: Option<String>,
    #[serde(default)]
    password: String,
}

pub async fn export(
    State(state): State<AppState>,
    SignedIn(operator): SignedIn,
    Path(form): Path<String>,
    Form(request): Form<ExportRequest>,
) -> ApiResult<impl IntoResponse> {
    let format =
        Format::parse(&request.format).ok_or_else(|| Error::BadRequest("format must be csv, xlsx or json".into()))?;
    let compact = match request.scope.as_str() {
        "compact" => true,
        "full" => false,
        _ => return Err(Error::BadRequest("scope must be compact or full".into()).into()),
    };
    let encrypted = request.encrypted.as_deref().is_some_and(|v| !matches!(v, "" | "false" | "off"));
    let password = encrypted.then_some(request.password);
    let file = export::export(&state, &operator, &form, &Options { format, compact, password }).await?;
    let body = match file.content {
        Content::Whole(bytes) => Body::from(bytes),
        // Streamed a page at a time: an error ends the body early, so the browser
        // reports the download as failed rather than keeping half a file.
        Content::Chunks(chunks) => Body::from_stream(futures_util::stream::unfold(chunks, |mut chunks| async move {
            let chunk = chunks.recv().await?;
            Some((chunk.map_err(|e| std::io::Error::other(e.to_string())), chunks))
        })),
    };
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", file.name)),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    ))
}
