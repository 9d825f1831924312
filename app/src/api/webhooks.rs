//! Server functions about a form's webhooks: list, add (the secret shown once),
//! switch on or off, answers or not, a new secret, remove, send a test event.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use super::ConsoleError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookItem {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub include_answers: bool,
    pub enabled: bool,
    pub created: String,
    pub created_by: String,
}

/// A form's webhooks, and whether private addresses are allowed on this instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookList {
    pub items: Vec<WebhookItem>,
    pub allow_private: bool,
}

/// A webhook just added or given a new secret: the secret, shown this once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookSecret {
    pub id: String,
    pub secret: String,
}

#[server(prefix = "/admin/fn", endpoint = "webhooks")]
pub async fn webhooks(form: String) -> Result<WebhookList, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let rows = formseal_core::messages::webhooks::list(&state, &operator, &form).await.map_err(super::ssr::public)?;
    Ok(WebhookList {
        items: rows.into_iter().map(ssr::item).collect(),
        allow_private: state.config.allow_private_webhooks,
    })
}

#[server(prefix = "/admin/fn", endpoint = "add-webhook", input = Json)]
pub async fn add_webhook(
    form: String,
    url: String,
    events: Vec<String>,
    include_answers: bool,
) -> Result<WebhookSecret, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let (webhook, secret) =
        formseal_core::messages::webhooks::add(&state, &operator, &form, &url, &events, include_answers)
            .await
            .map_err(super::ssr::public)?;
    Ok(WebhookSecret { id: webhook.webhook_id, secret })
}

#[server(prefix = "/admin/fn", endpoint = "set-webhook")]
pub async fn set_webhook(id: String, enabled: bool, include_answers: bool) -> Result<(), ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    formseal_core::messages::webhooks::set(&state, &operator, &id, enabled, include_answers)
        .await
        .map_err(super::ssr::public)
}

#[server(prefix = "/admin/fn", endpoint = "new-webhook-secret")]
pub async fn new_webhook_secret(id: String) -> Result<WebhookSecret, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let secret =
        formseal_core::messages::webhooks::new_secret(&state, &operator, &id).await.map_err(super::ssr::public)?;
    Ok(WebhookSecret { id, secret })
}

#[server(prefix = "/admin/fn", endpoint = "remove-webhook")]
pub async fn remove_webhook(id: String) -> Result<(), ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    formseal_core::messages::webhooks::remove(&state, &operator, &id).await.map_err(super::ssr::public)
}

/// Returns the queued test event's message id.
#[server(prefix = "/admin/fn", endpoint = "test-webhook")]
pub async fn test_webhook(id: String) -> Result<String, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    formseal_core::messages::webhooks::send_test(&state, &operator, &id).await.map_err(super::ssr::public)
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::WebhookItem;
    use formseal_core::store::WebhookRow;

    pub fn item(row: WebhookRow) -> WebhookItem {
        WebhookItem {
            id: row.webhook_id,
            url: row.url,
            events: row.events,
            include_answers: row.include_answers,
            enabled: row.enabled,
            created: formseal_core::time::rfc3339_ms(row.created_ms).chars().take(10).collect(),
            created_by: row.created_by,
        }
    }
}
