//! The funnel of a form: per version, how many page loads showed it, started it,
//! reached each page and sent it, with the drop-off between steps. Counters only,
//! nothing about any visitor (docs/storage.md).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{load_error, loading};
use crate::api::{FunnelVersion, SetFunnelCounting, funnel};

#[component]
pub fn FunnelPage() -> impl IntoView {
    let params = use_params_map();
    let form = move || params.read().get("form").unwrap_or_default();
    let switch = ServerAction::<SetFunnelCounting>::new();
    let data = Resource::new(move || (form(), switch.version().get()), |(form, _)| funnel(form));
    view! {
        <Title text="Funnel · Formseal" />
        <p><a href=move || format!("/admin/forms/{}", form())>"← Submissions"</a></p>
        <h1>"Funnel"</h1>
        <p class="muted">
            "Counts per form version: page loads that showed the form, started answering, reached each page and \
             sent it. No cookie, identifier, address or fingerprint is kept; each page load adds one to a counter \
             per day."
        </p>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_error(e),
                    Ok(view) => {
                        let tables = if view.versions.is_empty() {
                            view! { <p>"Nothing counted yet."</p> }.into_any()
                        } else {
                            view.versions.into_iter().map(version_table).collect_view().into_any()
                        };
                        view! {
                            <ActionForm action=switch>
                                <input type="hidden" name="id" value=view.form_id.clone() />
                                <div class="prop prop-check">
                                    <input id="funnel-counting" type="checkbox" name="counting" checked=view.counting />
                                    <label for="funnel-counting">"Count this form's funnel"</label>
                                </div>
                                <p class="muted small">"Switching it off deletes what was counted."</p>
                                <button type="submit">"Save"</button>
                            </ActionForm>
                            {tables}
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

fn version_table(version: FunnelVersion) -> impl IntoView {
    let first = version.steps.first().map_or(0, |s| s.count).max(1);
    let short = version.version.chars().take(12).collect::<String>();
    let caption = if version.current { format!("Version {short}… (current)") } else { format!("Version {short}…") };
    let rows = version
        .steps
        .into_iter()
        .map(|step| {
            // The bar's width: this step's share of the page loads that showed the form.
            let share = (step.count * 100 / first).min(100);
            view! {
                <tr>
                    <th scope="row">{step.label}</th>
                    <td class="num">{step.count}</td>
                    <td class="num">{step.drop_off_percent.map(|p| format!("{p} %")).unwrap_or_else(|| "–".into())}</td>
                    <td class="funnel-bar" aria-hidden="true"><span style=format!("width:{share}%")></span></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="list funnel">
            <caption>{caption}</caption>
            <thead><tr><th scope="col">"Step"</th><th scope="col" class="num">"Count"</th><th scope="col" class="num">"Lost since the step before"</th><th scope="col">"Share of those shown"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
