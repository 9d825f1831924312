use leptos::prelude::*;
use leptos_meta::Title;

use super::{load_error, loading};
use crate::api::list_forms;

#[component]
pub fn FormsPage() -> impl IntoView {
    let forms = Resource::new(|| (), |_| list_forms());
    view! {
        <Title text="Forms · Formseal" />
        <h1>"Forms"</h1>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match forms.await {
                    Err(e) => load_error(e),
                    Ok(forms) if forms.is_empty() => view! { <p>"No forms yet."</p> }.into_any(),
                    Ok(forms) => view! {
                        <table class="list">
                            <thead><tr><th>"Form"</th><th>"Id"</th><th class="num">"Submissions"</th></tr></thead>
                            <tbody>
                                {forms.into_iter().map(|f| view! {
                                    <tr>
                                        <td><a href=format!("/admin/forms/{}", f.id)>{f.title}</a></td>
                                        <td><code>{f.id.clone()}</code></td>
                                        <td class="num">{f.submissions}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
