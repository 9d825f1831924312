//! Publishing form versions and reading them back.

use formseal_model::{FormDef, PublishedVersion, demo};

use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{FormRow, VersionRow};

/// Signs `definition` with the instance key and makes it the form's current version.
/// Publishing an unchanged definition again is a no-op that returns the same digest.
pub async fn publish(state: &AppState, definition: FormDef, allowed_origins: &[String]) -> Result<PublishedVersion> {
    let key = state.keys.active();
    let published = PublishedVersion::sign(definition, &key.id, key.signing_key())?;
    let row = VersionRow {
        form_id: published.definition.id.clone(),
        digest: published.version.clone(),
        definition: serde_json::to_value(&published.definition).map_err(|e| Error::Internal(e.to_string()))?,
        key_id: published.key.clone(),
        signature: published.signature.clone(),
    };
    let title = published.definition.title.get(published.definition.default_lang()).to_owned();
    state.store.publish_version(&row, &title, allowed_origins).await?;
    tracing::info!(form = %row.form_id, version = %row.digest, "published form version");
    Ok(published)
}

/// Seeds the demo form on first start (any origin may embed it).
pub async fn seed_demo(state: &AppState) -> Result<()> {
    if state.store.form(demo::DEMO_FORM_ID).await?.is_none() {
        publish(state, demo::contact_tracing(), &["*".to_owned()]).await?;
    }
    Ok(())
}

pub fn to_published(row: VersionRow) -> Result<PublishedVersion> {
    Ok(PublishedVersion {
        definition: serde_json::from_value(row.definition)
            .map_err(|e| Error::Internal(format!("stored definition: {e}")))?,
        version: row.digest,
        key: row.key_id,
        signature: row.signature,
    })
}

pub async fn form(state: &AppState, form_id: &str) -> Result<FormRow> {
    state.store.form(form_id).await?.ok_or(Error::NotFound("form"))
}

/// The version visitors fill now.
pub async fn current(state: &AppState, form_id: &str) -> Result<PublishedVersion> {
    let form = form(state, form_id).await?;
    let digest = form.current_version.ok_or(Error::NotFound("published form"))?;
    version(state, form_id, &digest).await
}

/// A version of this form, by digest.
pub async fn version(state: &AppState, form_id: &str, digest: &str) -> Result<PublishedVersion> {
    match state.store.version(digest).await? {
        Some(row) if row.form_id == form_id => to_published(row),
        _ => Err(Error::UnknownVersion(digest.to_owned())),
    }
}

/// Whether a page on `origin` may embed the form.
pub fn origin_allowed(form: &FormRow, origin: &str) -> bool {
    form.allowed_origins.iter().any(|o| o == "*" || o.trim_end_matches('/') == origin)
}
