//! Server functions of the funnel page: the counts per version, and the switch that
//! turns counting off (which also deletes what was counted).

use formseal_model::funnel::Step;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ConsoleError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunnelVersion {
    pub version: String,
    pub current: bool,
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunnelView {
    pub form_id: String,
    pub counting: bool,
    pub versions: Vec<FunnelVersion>,
}

#[server(prefix = "/admin/fn", endpoint = "funnel")]
pub async fn funnel(id: String) -> Result<FunnelView, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let report = formseal_core::funnel::report(&state, &operator, &id).await.map_err(super::ssr::public)?;
    let versions = report
        .versions
        .into_iter()
        .map(|v| FunnelVersion { version: v.version, current: v.current, steps: v.steps })
        .collect();
    Ok(FunnelView { form_id: id, counting: report.counting, versions })
}

/// `counting` is "on" to count, anything else (an unticked box sends nothing) to stop.
#[server(prefix = "/admin/fn", endpoint = "funnel-counting")]
pub async fn set_funnel_counting(id: String, #[server(default)] counting: Option<String>) -> Result<(), ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let on = counting.as_deref() == Some("on");
    formseal_core::funnel::set_counting(&state, &operator, &id, on).await.map_err(super::ssr::public)
}
