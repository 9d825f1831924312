use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::export_panel::ExportPanel;
use super::{load_error, loading};
use crate::api::list_submissions;

#[component]
pub fn SubmissionsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let form = move || params.read().get("form").unwrap_or_default();
    let page = move || query.read().get("page").and_then(|p| p.parse::<u64>().ok()).unwrap_or(1);
    let list = Resource::new(move || (form(), page()), |(form, page)| list_submissions(form, page));
    view! {
        <Title text="Submissions · Formseal" />
        <p><a href="/admin">"← Forms"</a></p>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => load_error(e),
                    Ok(list) => {
                        let form_id = list.form.id.clone();
                        let export_form = form_id.clone();
                        let compact_only = list.compact;
                        let (page, pages) = (list.page, list.pages);
                        view! {
                            <h1>{list.form.title.clone()}</h1>
                            <p class="muted">{list.form.submissions}" submissions · "
                                <a href=format!("/admin/forms/{}/links", form_id)>"Personal links"</a>" · "
                                <a href=format!("/admin/forms/{}/funnel", form_id)>"Funnel"</a></p>
                            {if list.items.is_empty() {
                                view! { <p>"No submissions yet."</p> }.into_any()
                            } else {
                                view! {
                                    <table class="list submissions">
                                        <thead><tr><th class="num">"#"</th><th>"Received"</th><th>"Answers"</th></tr></thead>
                                        <tbody>
                                            {list.items.into_iter().map(|s| view! {
                                                <tr>
                                                    <td class="num">{s.sequence}</td>
                                                    <td><a href=format!("/admin/forms/{}/submissions/{}", form_id, s.id)>{s.received_at}</a></td>
                                                    <td>{s.preview}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any()
                            }}
                            <nav class="pager" aria-label="Pages">
                                {(page > 1).then(|| view! { <a rel="prev" href=format!("?page={}", page - 1)>"← Newer"</a> })}
                                <span>"Page "{page}" of "{pages}</span>
                                {(page < pages).then(|| view! { <a rel="next" href=format!("?page={}", page + 1)>"Older →"</a> })}
                            </nav>
                            <ExportPanel form=export_form compact_only=compact_only />
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
