//! Forms: creating them, the designer's drafts, publishing versions and reading
//! them back, and which versions still take submissions.
//!
//! The rule for old versions: a submission must answer the form's current
//! version, or a version that was replaced less than a grace period ago (24 hours
//! by default, `--retired-version-grace-hours`): a visitor who opened the page
//! before the operator published keeps a day to send it. Later ones get
//! [`Error::RetiredVersion`]; archived forms take none.
//!
//! Which version takes submissions is read for every submission, so it is kept
//! for a moment ([`ACCEPTING_TTL`]): a form archived or republished in this
//! process is seen at once, one changed through another replica within that time.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use formseal_model::definition;
use formseal_model::{FormDef, PublishedVersion, demo, templates};
use serde_json::Value;

use crate::accounts::Operator;
use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::permissions::Permission;
use crate::state::AppState;
use crate::store::{FormRow, VersionInfo, VersionRow};

/// How long a replica may go on using what it read about a form's versions.
pub const ACCEPTING_TTL: Duration = Duration::from_secs(1);

/// A cached answer of [`accepting`]: when it was read, under which generation of
/// the form's versions, and the version.
type AcceptingEntry = (Instant, u64, Accepting);

/// A version that takes submissions, with what its form says about them.
#[derive(Debug, Clone)]
pub struct Accepting {
    pub version: PublishedVersion,
    /// Who hears of each new submission.
    pub notify: Option<crate::store::Notify>,
    /// The form's webhooks.
    pub hooks: Vec<crate::store::WebhookRow>,
}

/// Recent answers of [`accepting`], by form and version (part of [`AppState`]).
#[derive(Default)]
pub struct AcceptingCache(Mutex<HashMap<(String, String), AcceptingEntry>>);

impl AcceptingCache {
    fn get(&self, form_id: &str, digest: &str, generation: u64) -> Option<Accepting> {
        let map = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let (at, seen, version) = map.get(&(form_id.to_owned(), digest.to_owned()))?;
        (*seen == generation && at.elapsed() < ACCEPTING_TTL).then(|| version.clone())
    }

    fn put(&self, form_id: &str, digest: &str, generation: u64, version: &Accepting) {
        let mut map = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Ids come from visitors' requests: keep the map small whatever they send.
        if map.len() >= 1_000 {
            map.retain(|_, (at, _, _)| at.elapsed() < ACCEPTING_TTL);
            if map.len() >= 1_000 {
                map.clear();
            }
        }
        map.insert((form_id.to_owned(), digest.to_owned()), (Instant::now(), generation, version.clone()));
    }
}

/// The designer's working copy of a form.
#[derive(Debug, Clone)]
pub struct Draft {
    pub definition: FormDef,
    pub origins: Vec<String>,
    pub saved_at: Option<String>,
    pub saved_by: Option<String>,
}

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
        published_at: None,
        retired_at: None,
    };
    let title = published.definition.title.get(published.definition.default_lang()).to_owned();
    state.store.publish_version(&row, &title, allowed_origins).await?;
    tracing::info!(form = %row.form_id, version = %row.digest, "published form version");
    Ok(published)
}

/// Seeds the demo form on first start (any origin may embed it).
pub async fn seed_demo(state: &AppState) -> Result<()> {
    if state.store.form(demo::DEMO_FORM_ID).await?.is_none()
        && let Err(e) = publish(state, demo::contact_tracing(), &["*".to_owned()]).await
    {
        // Another replica starting on the same fresh database published it first.
        if state.store.form(demo::DEMO_FORM_ID).await?.is_none() {
            return Err(e);
        }
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

/// The forms `operator` sees (partners: their assigned ones), each with its number of
/// submissions.
pub async fn list(state: &AppState, operator: &Operator) -> Result<Vec<(FormRow, u64)>> {
    operator.require(Permission::ViewForms)?;
    let forms = state.store.forms().await?;
    Ok(forms.into_iter().filter(|(f, _)| operator.sees_form(&f.form_id)).collect())
}

/// What the designer opens: the form, its working copy, every published version
/// (newest first) and the form's own spam-protection setting.
pub struct Design {
    pub form: FormRow,
    pub draft: Draft,
    pub versions: Vec<(VersionInfo, FormDef)>,
    pub pow_difficulty: Option<u32>,
}

pub async fn design(state: &AppState, operator: &Operator, form_id: &str) -> Result<Design> {
    operator.require(Permission::DesignForms)?;
    let form = form(state, form_id).await?;
    let draft = draft(state, form_id).await?;
    let mut versions = Vec::new();
    for info in state.store.versions(form_id).await? {
        let definition = version(state, form_id, &info.digest).await?.definition;
        versions.push((info, definition));
    }
    let pow_difficulty = state.store.form_pow(form_id).await?.and_then(|p| p.pow_difficulty);
    Ok(Design { form, draft, versions, pow_difficulty })
}

pub async fn form(state: &AppState, form_id: &str) -> Result<FormRow> {
    state.store.form(form_id).await?.ok_or(Error::NotFound("form"))
}

/// The version visitors fill now.
pub async fn current(state: &AppState, form_id: &str) -> Result<PublishedVersion> {
    let form = form(state, form_id).await?;
    if form.is_archived() {
        return Err(Error::Archived);
    }
    let digest = form.current_version.ok_or(Error::NotFound("published form"))?;
    version(state, form_id, &digest).await
}

/// The version a submission answers, if that version still takes submissions.
pub async fn accepting(state: &AppState, form_id: &str, digest: &str) -> Result<Accepting> {
    // Read before the form: a change after this point makes the entry stale.
    let generation = state.store.forms_generation();
    if let Some(version) = state.accepting.get(form_id, digest, generation) {
        return Ok(version);
    }
    let version = accepting_now(state, form_id, digest).await?;
    state.accepting.put(form_id, digest, generation, &version);
    Ok(version)
}

async fn accepting_now(state: &AppState, form_id: &str, digest: &str) -> Result<Accepting> {
    let form = form(state, form_id).await?;
    if form.is_archived() {
        return Err(Error::Archived);
    }
    let row = match state.store.version(digest).await? {
        Some(row) if row.form_id == form_id => row,
        _ => return Err(Error::UnknownVersion(digest.to_owned())),
    };
    if form.current_version.as_deref() != Some(digest) {
        let retired = row.retired_at.as_deref().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
        let fresh = retired.is_some_and(|t| {
            chrono::Utc::now() - t.to_utc() < chrono::Duration::hours(state.config.retired_grace_hours.into())
        });
        if !fresh {
            return Err(Error::RetiredVersion);
        }
    }
    let hooks = state.store.webhooks(form_id).await?;
    Ok(Accepting { version: to_published(row)?, notify: form.notify, hooks })
}

/// Creates a form from a template (see [`templates::TEMPLATES`]); it is published
/// once its draft passes the definition checks.
pub async fn create(
    state: &AppState,
    operator: &Operator,
    template: &str,
    form_id: &str,
    title: &str,
) -> Result<Draft> {
    operator.require(Permission::DesignForms)?;
    let by = operator.username.as_str();
    let (form_id, title) = (form_id.trim(), title.trim());
    if !definition::is_form_id(form_id) {
        return Err(Error::BadRequest(
            "the form id must be 2–64 lowercase letters, digits or dashes, e.g. guest-list".into(),
        ));
    }
    if title.is_empty() {
        return Err(Error::BadRequest("the title is missing".into()));
    }
    let definition = templates::build(template, form_id, title)
        .ok_or_else(|| Error::BadRequest(format!("there is no template {template:?}")))?;
    state.store.create_form(form_id, title, &to_json(&definition)?, &[], by).await?;
    tracing::info!(form = %form_id, template, by, "created form");
    audit::record(state, by, Action::FormCreated, form_id, &format!("template {template}")).await?;
    draft(state, form_id).await
}

/// A new form with the same fields and settings as `source` (its draft).
pub async fn duplicate(
    state: &AppState,
    operator: &Operator,
    source: &str,
    form_id: &str,
    title: &str,
) -> Result<Draft> {
    operator.require(Permission::DesignForms)?;
    let by = operator.username.as_str();
    let original = draft(state, source).await?;
    let form_id = form_id.trim();
    if !definition::is_form_id(form_id) {
        return Err(Error::BadRequest("the form id must be 2–64 lowercase letters, digits or dashes".into()));
    }
    let mut copy = original.definition;
    copy.id = form_id.to_owned();
    if !title.trim().is_empty() {
        for text in copy.title.0.values_mut() {
            *text = title.trim().to_owned();
        }
    }
    let title = copy.title.get(copy.default_lang()).to_owned();
    state.store.create_form(form_id, &title, &to_json(&copy)?, &original.origins, by).await?;
    tracing::info!(form = %form_id, source, by, "duplicated form");
    audit::record(state, by, Action::FormCreated, form_id, &format!("copy of {source}")).await?;
    draft(state, form_id).await
}

pub async fn set_archived(state: &AppState, operator: &Operator, form_id: &str, archived: bool) -> Result<()> {
    operator.require(Permission::DesignForms)?;
    let by = operator.username.as_str();
    if !state.store.set_archived(form_id, archived).await? {
        return Err(Error::NotFound("form"));
    }
    tracing::info!(form = %form_id, archived, by, "changed archive state");
    let what = if archived { Action::FormArchived } else { Action::FormRestored };
    audit::record(state, by, what, form_id, "").await?;
    Ok(())
}

/// The working copy; a form that was never edited in the designer (the seeded
/// demo) starts from its current version.
pub async fn draft(state: &AppState, form_id: &str) -> Result<Draft> {
    let form = form(state, form_id).await?;
    let row = state.store.draft(form_id).await?;
    if let Some(row) = row.filter(|r| r.draft.is_some()) {
        let definition = serde_json::from_value(row.draft.unwrap_or_default())
            .map_err(|e| Error::Internal(format!("stored draft: {e}")))?;
        return Ok(Draft {
            definition,
            origins: row.draft_origins.unwrap_or_default(),
            saved_at: row.draft_saved_at,
            saved_by: row.draft_saved_by,
        });
    }
    let published = current_or_retired(state, &form).await?;
    Ok(Draft { definition: published.definition, origins: form.allowed_origins, saved_at: None, saved_by: None })
}

async fn current_or_retired(state: &AppState, form: &FormRow) -> Result<PublishedVersion> {
    let digest = form.current_version.as_deref().ok_or(Error::NotFound("draft"))?;
    version(state, &form.form_id, digest).await
}

/// Saves the working copy as it is, problems included: leaving the designer
/// loses nothing, and publishing is where the checks are enforced.
pub async fn save_draft(
    state: &AppState,
    operator: &Operator,
    form_id: &str,
    definition: &FormDef,
    origins: &[String],
) -> Result<()> {
    operator.require(Permission::DesignForms)?;
    if definition.id != form_id {
        return Err(Error::BadRequest(format!("the draft is for form {:?}, not {form_id:?}", definition.id)));
    }
    if origins.len() > 100 {
        return Err(Error::BadRequest("at most 100 embed origins".into()));
    }
    if !state.store.save_draft(form_id, &to_json(definition)?, origins, &operator.username).await? {
        return Err(Error::NotFound("form"));
    }
    Ok(())
}

/// Publishes the draft as a new signed version, if it passes every check.
pub async fn publish_draft(state: &AppState, operator: &Operator, form_id: &str) -> Result<PublishedVersion> {
    operator.require(Permission::DesignForms)?;
    let by = operator.username.as_str();
    let draft = draft(state, form_id).await?;
    let problems = definition::check_with_origins(&draft.definition, &draft.origins);
    if !problems.is_empty() {
        return Err(Error::Definition(problems));
    }
    let published = publish(state, draft.definition, &draft.origins).await?;
    tracing::info!(form = %form_id, version = %published.version, by, "published from the designer");
    audit::record(state, by, Action::FormPublished, form_id, &format!("version {}", published.version)).await?;
    Ok(published)
}

fn to_json(definition: &FormDef) -> Result<Value> {
    serde_json::to_value(definition).map_err(|e| Error::Internal(e.to_string()))
}

/// A version of this form, by digest.
pub async fn version(state: &AppState, form_id: &str, digest: &str) -> Result<PublishedVersion> {
    match state.store.version(digest).await? {
        Some(row) if row.form_id == form_id => to_published(row),
        _ => Err(Error::UnknownVersion(digest.to_owned())),
    }
}

/// Whether a page on `origin` may embed the form.
/// The instance's own pages (the demo, the console's embed preview, personal-link
/// pages) may always embed its forms.
pub fn origin_allowed(state: &AppState, form: &FormRow, origin: &str) -> bool {
    origin == state.config.public_url
        || form.allowed_origins.iter().any(|o| o == "*" || o.trim_end_matches('/') == origin)
}

/// Refuses a write (a submission, a funnel event) that a browser page on `origin`
/// sent to a form that does not list it. CORS alone only stops that page from
/// reading the answer: a `text/plain` post needs no preflight and is sent anyway.
/// No `Origin` (not a browser page, or an old browser's same-origin request) passes.
pub async fn require_origin(state: &AppState, form_id: &str, origin: Option<&str>) -> Result<()> {
    let Some(origin) = origin else { return Ok(()) };
    let form = state.store.form(form_id).await?.ok_or(Error::NotFound("form"))?;
    if origin_allowed(state, &form, origin) { Ok(()) } else { Err(Error::OriginNotAllowed(origin.to_owned())) }
}

/// Whether a page on `origin` may embed form `form_id` (false for an unknown form).
pub async fn embeddable(state: &AppState, form_id: &str, origin: &str) -> bool {
    match state.store.form(form_id).await {
        Ok(Some(form)) => origin_allowed(state, &form, origin),
        _ => false,
    }
}
