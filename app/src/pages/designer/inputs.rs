//! Small labelled inputs bound to the draft. Each reads its value reactively and
//! writes through the editor, so typing never rebuilds the panel around it.

use formseal_model::definition::language_name;
use formseal_model::{Field, LocalText};
use leptos::prelude::*;

use super::state::Editor;

pub fn text_input(
    id: String,
    label: String,
    value: impl Fn() -> String + Send + Sync + 'static,
    set: impl Fn(String) + Send + Sync + 'static,
) -> impl IntoView {
    text_field(id, label, false, value, set)
}

/// A labelled one-line input, or a text area when `multiline`.
fn text_field(
    id: String,
    label: String,
    multiline: bool,
    value: impl Fn() -> String + Send + Sync + 'static,
    set: impl Fn(String) + Send + Sync + 'static,
) -> impl IntoView {
    let on_input = move |ev: leptos::ev::Event| set(event_target_value(&ev));
    let control = if multiline {
        view! { <textarea id=id.clone() rows="3" prop:value=value on:input=on_input></textarea> }.into_any()
    } else {
        view! { <input id=id.clone() type="text" prop:value=value on:input=on_input /> }.into_any()
    };
    view! {
        <div class="prop">
            <label for=id>{label}</label>
            {control}
        </div>
    }
}

/// A whole number or nothing (an empty input).
pub fn count_input(
    id: String,
    label: String,
    value: impl Fn() -> Option<u32> + Send + Sync + 'static,
    set: impl Fn(Option<u32>) + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <div class="prop prop-short">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                type="number"
                min="0"
                inputmode="numeric"
                prop:value=move || value().map(|v| v.to_string()).unwrap_or_default()
                on:input=move |ev| set(event_target_value(&ev).trim().parse().ok())
            />
        </div>
    }
}

pub fn check_input(
    id: String,
    label: String,
    value: impl Fn() -> bool + Send + Sync + 'static,
    set: impl Fn(bool) + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <div class="prop prop-check">
            <input id=id.clone() type="checkbox" prop:checked=value on:change=move |ev| set(event_target_checked(&ev)) />
            <label for=id>{label}</label>
        </div>
    }
}

/// One input per language of the form for a text of the definition.
pub fn local_text(
    editor: Editor,
    id: String,
    label: String,
    multiline: bool,
    target: String,
    get: impl Fn(&formseal_model::FormDef) -> Option<LocalText> + Copy + Send + Sync + 'static,
    set: impl Fn(&mut formseal_model::FormDef, &str, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let languages = Memo::new(move |_| editor.with_def(|d| d.languages.clone()));
    move || {
        let (id, label, target) = (id.clone(), label.clone(), target.clone());
        languages
            .get()
            .into_iter()
            .map(move |lang| {
                let input_id = format!("{id}-{lang}");
                let input_label = format!("{label} ({})", language_name(&lang));
                let value = {
                    let lang = lang.clone();
                    move || editor.with_def(|d| get(d).and_then(|t| t.0.get(&lang).cloned()).unwrap_or_default())
                };
                let target = format!("{target}:{lang}");
                let write = move |text: String| editor.edit(&target, |s| set(&mut s.definition, &lang, text));
                text_field(input_id, input_label, multiline, value, write)
            })
            .collect_view()
    }
}

/// [`local_text`] for a text of field `index`.
#[allow(clippy::too_many_arguments)]
pub fn field_text(
    editor: Editor,
    index: usize,
    name: impl Into<String>,
    label: impl Into<String>,
    multiline: bool,
    get: impl Fn(&Field) -> Option<LocalText> + Copy + Send + Sync + 'static,
    set: impl Fn(&mut Field) -> Option<&mut LocalText> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let (name, label) = (name.into(), label.into());
    local_text(
        editor,
        format!("field-{index}-{name}"),
        label,
        multiline,
        format!("field:{index}:{name}"),
        move |d| d.fields.get(index).and_then(get),
        move |d, lang, text| {
            if let Some(t) = d.fields.get_mut(index).and_then(set) {
                t.0.insert(lang.to_owned(), text);
            }
        },
    )
}

/// An optional text, created on first use (the renderer treats an empty one as
/// absent).
pub fn optional_text(slot: &mut Option<LocalText>) -> Option<&mut LocalText> {
    Some(slot.get_or_insert_with(LocalText::default))
}

/// A list typed as text (one item per line, or separated by commas). The text is
/// kept as typed, so a trailing separator does not vanish under the cursor; the
/// list is what the draft stores.
pub fn list_input(
    id: String,
    label: String,
    multiline: bool,
    value: impl Fn() -> Vec<String> + Send + Sync + 'static,
    parse: fn(&str) -> Vec<String>,
    set: impl Fn(Vec<String>) + Send + Sync + 'static,
) -> impl IntoView {
    let separator = if multiline { "\n" } else { ", " };
    let raw = RwSignal::new(String::new());
    // Follows the draft when it changes elsewhere (undo, redo, load).
    Effect::new(move |_| {
        let items = value();
        if raw.with_untracked(|r| parse(r)) != items {
            raw.set(items.join(separator));
        }
    });
    let write = move |text: String| {
        raw.set(text.clone());
        set(parse(&text));
    };
    text_field(id, label, multiline, move || raw.get(), write)
}
