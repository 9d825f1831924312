//! The form designer at `/admin/forms/:form/design`: fields, their properties,
//! form settings, a live preview with the widget's own renderer, the data
//! overview, publishing, versions and the embed code.
//!
//! The editor is drawn in the browser only (after hydration): it is all
//! interaction, and drawing it on the server would only risk hydration mismatches.

mod choices;
mod inputs;
mod logic;
mod notifications;
mod properties;
mod publish;
mod settings;
mod state;
mod structure;
mod webhooks;

use formseal_form::{FormView, Problems};
use formseal_model::definition::check_with_origins;
use formseal_model::{Answers, ValidationContext};
use leptos::prelude::*;
use leptos_meta::{Stylesheet, Title};
use leptos_router::hooks::use_params_map;

use super::{load_error, loading};
use crate::api::{DesignerData, load_designer};
use state::{Editor, SaveState};

#[component]
pub fn DesignerPage() -> impl IntoView {
    let params = use_params_map();
    let form_id = move || params.read().get("form").unwrap_or_default();
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    view! {
        <Title text="Designer · Formseal" />
        <Stylesheet id="preview" href="/admin/preview.css" />
        <p><a href="/admin">"← Forms"</a></p>
        {move || if mounted.get() {
            view! { <Loaded form_id=form_id() /> }.into_any()
        } else {
            loading().into_any()
        }}
    }
}

#[component]
fn Loaded(form_id: String) -> impl IntoView {
    let data = LocalResource::new(move || load_designer(form_id.clone()));
    move || match data.get() {
        None => loading().into_any(),
        Some(Err(e)) => load_error(e),
        Some(Ok(data)) => view! { <Designer data=data /> }.into_any(),
    }
}

#[component]
fn Designer(data: DesignerData) -> impl IntoView {
    let form_id = data.definition.id.clone();
    let editor = Editor::new(data.definition, data.origins);
    let problems = Memo::new(move |_| editor.draft.with(|s| check_with_origins(&s.definition, &s.origins)));
    let published = RwSignal::new(0u32);
    let history = LocalResource::new({
        let form_id = form_id.clone();
        move || {
            published.track();
            load_designer(form_id.clone())
        }
    });
    // Leaving with a save still due: the browser asks first.
    let _guard = window_event_listener(leptos::ev::beforeunload, move |ev| {
        if editor.save_state.get_untracked() != SaveState::Saved {
            ev.prevent_default();
            ev.set_return_value("");
        }
    });
    let status = move || match editor.save_state.get() {
        SaveState::Saved => "All changes saved".to_owned(),
        SaveState::Unsaved => "Unsaved changes …".to_owned(),
        SaveState::Saving => "Saving …".to_owned(),
        SaveState::Failed(e) => format!("Not saved: {e}"),
    };
    let title = move || editor.with_def(|d| d.title.get(d.default_lang()).to_owned());
    let (public_url, embed_id) = (data.public_url.clone(), form_id.clone());
    let spam = view! {
        <publish::SpamProtection form_id=form_id.clone() bits=data.pow_difficulty default=data.pow_default />
        <notifications::Notifications form_id=form_id.clone() />
        <webhooks::Webhooks form_id=form_id.clone() />
    }
    .into_any();
    // Each column is type-erased: one nested view type for the whole designer is
    // deeper than the compiler's default limit.
    let structure = view! {
        <div class="column">
            <structure::Palette editor=editor />
            <structure::FieldList editor=editor problems=problems />
        </div>
    }
    .into_any();
    let properties = view! {
        <div class="column">
            <properties::FieldProperties editor=editor problems=problems />
            <settings::FormSettings editor=editor />
        </div>
    }
    .into_any();
    let outcome = view! {
        <div class="column">
            <Preview editor=editor />
            <publish::DataOverview editor=editor />
            <logic::LogicOverview editor=editor />
            <publish::PublishPanel editor=editor problems=problems published=published />
            {spam}
            <section class="panel" aria-labelledby="versions-title">
                <h2 id="versions-title">"Versions"</h2>
                {move || history.get().map(|r| match r {
                    Ok(d) => view! { <publish::VersionHistory versions=d.versions /> }.into_any(),
                    Err(e) => load_error(e),
                })}
            </section>
            {move || {
                let live = history.get().and_then(Result::ok).is_some_and(|d| d.current_version.is_some() && !d.archived)
                    || published.get() > 0;
                view! { <publish::EmbedPanel form_id=embed_id.clone() public_url=public_url.clone() live=live /> }
            }}
        </div>
    }
    .into_any();
    view! {
        <div class="designer">
            <div class="toolbar">
                <h1>{title}" "<span class="muted small">"("{form_id.clone()}")"</span></h1>
                <button type="button" on:click=move |_| editor.undo() disabled=move || !editor.can_undo()>"Undo"</button>
                <button type="button" on:click=move |_| editor.redo() disabled=move || !editor.can_redo()>"Redo"</button>
                <span class="save-state" role="status">{status}</span>
            </div>
            <div class="columns">{structure}{properties}{outcome}</div>
        </div>
    }
}

/// The form as visitors will see it, drawn by the widget's renderer from the
/// current draft, with the form's theme.
#[component]
fn Preview(editor: Editor) -> impl IntoView {
    let lang = RwSignal::new(editor.with_def(|d| d.default_lang().to_owned()));
    let answers = RwSignal::new(Answers::new());
    let problems = RwSignal::new(Problems::new());
    let valid = RwSignal::new(false);
    let now = js_sys::Date::new_0();
    let today = chrono::NaiveDate::from_ymd_opt(now.get_full_year() as i32, now.get_month() + 1, now.get_date())
        .unwrap_or_default();
    let ctx = ValidationContext { today, slack_days: 0 };
    let languages = Memo::new(move |_| editor.with_def(|d| d.languages.clone()));
    // The theme goes in through the CSSOM: the console's CSP allows no inline styles.
    let frame = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let theme = editor.with_def(|d| d.theme.clone().unwrap_or_default());
        let Some(el) = frame.get() else { return };
        let style = web_sys::HtmlElement::style(&el);
        for name in ["--fs-accent", "--fs-font", "--fs-radius"] {
            let _ = style.remove_property(name);
        }
        for declaration in theme.declarations().split(';') {
            if let Some((name, value)) = declaration.split_once(':') {
                let _ = style.set_property(name, value);
            }
        }
    });
    let form = move || {
        let definition = editor.with_def(Clone::clone);
        valid.set(false);
        view! {
            <div class="fs-preview">
                <div class="fs-root">
                    <FormView
                        form=definition
                        lang=lang.get()
                        ctx=ctx
                        answers=answers
                        problems=problems
                        busy=Signal::derive(|| false)
                        on_submit=Callback::new(move |_| valid.set(true))
                    />
                </div>
            </div>
        }
    };
    view! {
        <section class="panel preview" aria-labelledby="preview-title">
            <h2 id="preview-title">"Preview"</h2>
            <label for="preview-lang">"Language "</label>
            <select id="preview-lang" prop:value=move || lang.get() on:change=move |ev| lang.set(event_target_value(&ev))>
                {move || languages.get().into_iter().map(|l| {
                    let name = formseal_model::definition::language_name(&l).to_owned();
                    view! { <option value=l>{name}</option> }
                }).collect_view()}
            </select>
            <p class="muted small">"Try it: the preview checks answers exactly as the widget and the server do; nothing is sent."</p>
            <div node_ref=frame>{form}</div>
            <p role="status" class="ok">{move || valid.get().then_some("These answers are valid (the preview sends nothing).")}</p>
        </section>
    }
}
