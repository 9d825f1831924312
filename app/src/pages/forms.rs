use formseal_model::templates::TEMPLATES;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{load_error, loading};
use crate::api::{ArchiveForm, CreateForm, FormItem, list_forms};

#[component]
pub fn FormsPage() -> impl IntoView {
    let archive = ServerAction::<ArchiveForm>::new();
    let forms = Resource::new(move || archive.version().get(), |_| list_forms());
    view! {
        <Title text="Forms · Formseal" />
        <h1>"Forms"</h1>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match forms.await {
                    Err(e) => load_error(e),
                    Ok(forms) => view! {
                        <FormTable forms=forms.clone() archive=archive />
                        <NewForm forms=forms />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn FormTable(forms: Vec<FormItem>, archive: ServerAction<ArchiveForm>) -> impl IntoView {
    if forms.is_empty() {
        return view! { <p>"No forms yet. Create the first one below."</p> }.into_any();
    }
    let rows = forms
        .into_iter()
        .map(|f| {
            let status = match (f.archived, &f.version) {
                (true, _) => "Archived",
                (false, Some(_)) => "Published",
                (false, None) => "Draft",
            };
            let title = f.title.clone();
            view! {
                <tr class:archived=f.archived>
                    <td><a href=format!("/admin/forms/{}", f.id)>{f.title.clone()}</a></td>
                    <td><code>{f.id.clone()}</code></td>
                    <td>{status}</td>
                    <td class="num">{f.submissions}</td>
                    <td class="actions">
                        <a href=format!("/admin/forms/{}/design", f.id) aria-label=format!("Design “{title}”")>"Design"</a>
                        <a href=format!("/admin?start=copy:{}#new-form", f.id) aria-label=format!("Duplicate “{title}”")>"Duplicate"</a>
                        <ActionForm action=archive attr:class="inline">
                            <input type="hidden" name="id" value=f.id.clone() />
                            <input type="hidden" name="archived" value=(!f.archived).to_string() />
                            <button type="submit" class="link" aria-label=format!("{} “{title}”", if f.archived { "Restore" } else { "Archive" })>
                                {if f.archived { "Restore" } else { "Archive" }}
                            </button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="list">
            <thead><tr><th>"Form"</th><th>"Id"</th><th>"Status"</th><th class="num">"Submissions"</th><th>"Actions"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// Create a form from a template or as a copy of another one.
#[component]
fn NewForm(forms: Vec<FormItem>) -> impl IntoView {
    let create = ServerAction::<CreateForm>::new();
    let query = use_query_map();
    let preselected = query.read_untracked().get("start").unwrap_or_else(|| "blank".to_owned());
    let failed = move || create.value().get().and_then(Result::err).map(|e| e.message);
    let templates = TEMPLATES
        .iter()
        .map(|(id, name, about)| {
            view! { <option value=*id selected=preselected == *id>{format!("{name}: {about}")}</option> }
        })
        .collect_view();
    let copies = forms
        .iter()
        .map(|f| {
            let value = format!("copy:{}", f.id);
            let selected = preselected == value;
            view! { <option value=value selected=selected>{format!("Copy of “{}” ({})", f.title, f.id)}</option> }
        })
        .collect_view();
    view! {
        <section class="card new-form" id="new-form" aria-labelledby="new-form-title">
            <h2 id="new-form-title">"New form"</h2>
            <ActionForm action=create>
                <label for="start">"Start from"</label>
                <select id="start" name="start">
                    <optgroup label="Templates">{templates}</optgroup>
                    {(!forms.is_empty()).then(|| view! { <optgroup label="Existing forms">{copies}</optgroup> })}
                </select>
                <label for="new-title">"Title"</label>
                <input id="new-title" name="title" required placeholder="Guest registration" />
                <label for="new-id">"Id"</label>
                <input id="new-id" name="id" required pattern="[a-z0-9][a-z0-9\\-]*[a-z0-9]" aria-describedby="new-id-help" placeholder="guest-registration" />
                <p class="muted" id="new-id-help">"Lowercase letters, digits and dashes; part of the embed code and links, fixed once created."</p>
                {move || failed().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                <button type="submit" class="primary" disabled=move || create.pending().get()>"Create and design"</button>
            </ActionForm>
        </section>
    }
}
