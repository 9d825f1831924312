//! The one place where domain errors become HTTP responses.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use formseal_core::Error;
use serde_json::json;

/// A domain error on its way out of a handler.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let err = self.0;
        if err.is_server_fault() {
            // Details go to the log only; the client gets the public message.
            tracing::error!(error = %err, detail = ?err, "request failed");
        } else {
            tracing::debug!(error = %err, "request rejected");
        }
        let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = json!({ "error": err.code().as_str(), "message": err.public_message() });
        if let Error::Validation(fields) = &err {
            body["fields"] = fields
                .iter()
                .map(|f| {
                    let mut v = serde_json::to_value(f).unwrap_or_default();
                    v["message"] = json!(f.problem.message("en"));
                    v["message_de"] = json!(f.problem.message("de"));
                    v
                })
                .collect();
        }
        if let Error::Definition(problems) = &err {
            body["problems"] = serde_json::to_value(problems).unwrap_or_default();
        }
        let retry_after = match &err {
            Error::RateLimited(seconds) => Some(seconds.max(&1).to_string()),
            Error::Busy | Error::Unavailable(_) => Some("2".to_owned()),
            _ => None,
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(value) = retry_after.and_then(|v| HeaderValue::from_str(&v).ok()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
