//! The funnel that tracks no one: counts of views, starts, pages reached and
//! submissions per form version and day (see `formseal_model::funnel` and
//! docs/storage.md). Visitors' events carry no identifier and nothing about them is
//! kept: the server only adds one to a counter.

use formseal_model::funnel::{self, Event, Step};
use formseal_model::logic;

use crate::accounts::Operator;
use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::forms;
use crate::permissions::Permission;
use crate::state::AppState;

/// Counts one event of a page load. Events for a version that takes no
/// submissions, or a page the form does not have, are refused; on a form whose
/// operator switched counting off they are taken and dropped.
pub async fn record(state: &AppState, form_id: &str, event: &Event) -> Result<()> {
    let version = forms::accepting(state, form_id, event.version()).await?.version;
    if let Event::Page { page, .. } = event {
        let pages = logic::pages(&version.definition).len();
        if !(2..=pages).contains(&(*page as usize)) {
            return Err(Error::BadRequest(format!("the form has no page {page} to count")));
        }
    }
    count(state, form_id, &version.version, &event.counter()).await
}

/// Counts a stored submission. Called after it is stored and acknowledged: a
/// counter that fails to count loses a number in a statistic, never an answer.
pub async fn count_submission(state: &AppState, form_id: &str, version: &str) {
    if let Err(e) = count(state, form_id, version, funnel::SUBMIT).await {
        tracing::warn!(form = %form_id, error = %e, "the funnel's submission counter was not updated");
    }
}

async fn count(state: &AppState, form_id: &str, version: &str, counter: &str) -> Result<()> {
    if state.store.funnel_off(form_id).await?.unwrap_or(true) {
        return Ok(());
    }
    let day = chrono::Utc::now().date_naive().to_string();
    state.store.count_funnel(form_id, version, &day, counter).await
}

/// One version's funnel.
#[derive(Debug, Clone)]
pub struct VersionFunnel {
    pub version: String,
    pub current: bool,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub counting: bool,
    /// Newest version first; versions nobody has seen yet are left out.
    pub versions: Vec<VersionFunnel>,
}

/// The funnel of each version of the form (those who see the form's list see it:
/// the counts say nothing about anyone).
pub async fn report(state: &AppState, operator: &Operator, form_id: &str) -> Result<Report> {
    operator.require(Permission::ViewForms)?;
    if !operator.sees_form(form_id) {
        return Err(Error::NotFound("form"));
    }
    let form = forms::form(state, form_id).await?;
    let counting = !state.store.funnel_off(form_id).await?.unwrap_or(true);
    let counts = state.store.funnel(form_id).await?;
    let mut versions = Vec::new();
    for info in state.store.versions(form_id).await? {
        let mine: Vec<(String, u64)> =
            counts.iter().filter(|c| c.version == info.digest).map(|c| (c.counter.clone(), c.count)).collect();
        if mine.is_empty() {
            continue;
        }
        let definition = forms::version(state, form_id, &info.digest).await?.definition;
        versions.push(VersionFunnel {
            current: form.current_version.as_deref() == Some(info.digest.as_str()),
            steps: funnel::steps(&mine, logic::pages(&definition).len()),
            version: info.digest,
        });
    }
    Ok(Report { counting, versions })
}

/// Switches counting on or off for the form (form designers); off also deletes
/// what was counted. Audited.
pub async fn set_counting(state: &AppState, operator: &Operator, form_id: &str, on: bool) -> Result<()> {
    operator.require(Permission::DesignForms)?;
    forms::form(state, form_id).await?;
    state.store.set_funnel_off(form_id, !on).await?;
    let detail = if on { "on" } else { "off, counts deleted" };
    audit::record(state, &operator.username, Action::FunnelSwitched, form_id, detail).await
}
