use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use formseal_core::AppState;
use serde_json::{Value, json};

use crate::ServerState;
use crate::error::ApiResult;

pub fn routes() -> Router<ServerState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

/// The process is up.
async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The process can serve: the database answers.
async fn readyz(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    state.ready().await?;
    Ok(Json(json!({ "status": "ready" })))
}
