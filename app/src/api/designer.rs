//! Server functions of the form designer. Drafts travel as JSON (the definition is
//! a nested document). The core checks the editor role and audits; these only
//! find the operator and shape the answer.

use formseal_model::FormDef;
use formseal_model::definition::DefinitionProblem;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use super::ConsoleError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionItem {
    pub digest: String,
    pub published_at: String,
    pub retired_at: Option<String>,
    pub current: bool,
    /// What changed against the version before it.
    pub changes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DesignerData {
    pub definition: FormDef,
    pub origins: Vec<String>,
    pub saved_at: Option<String>,
    pub archived: bool,
    pub current_version: Option<String>,
    pub versions: Vec<VersionItem>,
    /// Where this server is reached, for the embed snippet.
    pub public_url: String,
    /// This form's proof-of-work difficulty, if it has its own, and the server's.
    pub pow_difficulty: Option<u32>,
    pub pow_default: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublishResult {
    /// The new current version, when publishing worked.
    pub version: Option<String>,
    /// What to fix first, when it did not.
    pub problems: Vec<DefinitionProblem>,
}

/// Creates a form from a template, or as a copy of an existing form when `start`
/// is `copy:<form id>`, then opens it in the designer.
#[server(prefix = "/admin/fn", endpoint = "create-form")]
pub async fn create_form(start: String, id: String, title: String) -> Result<String, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let draft = match start.strip_prefix("copy:") {
        Some(source) => formseal_core::forms::duplicate(&state, &operator, source, &id, &title).await,
        None => formseal_core::forms::create(&state, &operator, &start, &id, &title).await,
    }
    .map_err(super::ssr::public)?;
    leptos_axum::redirect(&format!("/admin/forms/{}/design", draft.definition.id));
    Ok(draft.definition.id)
}

#[server(prefix = "/admin/fn", endpoint = "archive-form")]
pub async fn archive_form(id: String, archived: bool) -> Result<(), ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    formseal_core::forms::set_archived(&state, &operator, &id, archived).await.map_err(super::ssr::public)
}

#[server(prefix = "/admin/fn", endpoint = "designer")]
pub async fn load_designer(id: String) -> Result<DesignerData, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let design = formseal_core::forms::design(&state, &operator, &id).await.map_err(super::ssr::public)?;
    Ok(ssr::designer_data(&state, design))
}

#[server(prefix = "/admin/fn", endpoint = "save-draft", input = Json)]
pub async fn save_draft(id: String, definition: FormDef, origins: Vec<String>) -> Result<(), ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    formseal_core::forms::save_draft(&state, &operator, &id, &definition, &origins).await.map_err(super::ssr::public)
}

#[server(prefix = "/admin/fn", endpoint = "publish")]
pub async fn publish_form(id: String) -> Result<PublishResult, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    match formseal_core::forms::publish_draft(&state, &operator, &id).await {
        Ok(published) => Ok(PublishResult { version: Some(published.version), problems: Vec::new() }),
        Err(formseal_core::Error::Definition(problems)) => Ok(PublishResult { version: None, problems }),
        Err(e) => Err(super::ssr::public(e)),
    }
}

/// Sets how much work (leading zero bits) each submission to the form costs the
/// visitor's browser; empty goes back to the server's default.
#[server(prefix = "/admin/fn", endpoint = "spam-protection")]
pub async fn set_spam_protection(id: String, bits: String) -> Result<(), ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let bits = match bits.trim() {
        "" => None,
        text => Some(text.parse::<u32>().map_err(|_| {
            super::ssr::public(formseal_core::Error::BadRequest("enter a whole number of bits, or nothing".into()))
        })?),
    };
    formseal_core::pow::set_difficulty(&state, &operator, &id, bits).await.map_err(super::ssr::public)
}

#[cfg(feature = "ssr")]
mod ssr {
    use formseal_core::AppState;
    use formseal_core::forms::Design;
    use formseal_model::diff;

    use super::*;

    pub fn designer_data(state: &AppState, design: Design) -> DesignerData {
        let Design { form, draft, versions: newest_first, pow_difficulty } = design;
        // Oldest first to diff each version against the one before, shown newest first.
        let mut versions = Vec::with_capacity(newest_first.len());
        let mut previous: Option<FormDef> = None;
        for (info, definition) in newest_first.into_iter().rev() {
            let changes = match &previous {
                Some(before) => diff::changes(before, &definition),
                None => vec!["First version.".to_owned()],
            };
            versions.push(VersionItem {
                current: form.current_version.as_deref() == Some(info.digest.as_str()),
                digest: info.digest,
                published_at: info.published_at,
                retired_at: info.retired_at,
                changes,
            });
            previous = Some(definition);
        }
        versions.reverse();
        DesignerData {
            archived: form.is_archived(),
            current_version: form.current_version,
            definition: draft.definition,
            origins: draft.origins,
            saved_at: draft.saved_at,
            versions,
            public_url: state.config.public_url.clone(),
            pow_difficulty,
            pow_default: state.config.pow_difficulty,
        }
    }
}
