//! The palette and the list of fields: add, select, remove, and reorder by drag
//! and drop or with the move buttons (keyboard).

use formseal_model::definition::DefinitionProblem;
use formseal_model::logic::pages;
use formseal_model::{Field, FieldKind, FormDef};
use leptos::prelude::*;
use wasm_bindgen::JsCast as _;

use super::state::Editor;

pub fn type_label(type_name: &str) -> &'static str {
    match type_name {
        "short_text" => "Short text",
        "long_text" => "Long text",
        "email" => "E-mail",
        "phone" => "Phone",
        "number" => "Number",
        "date" => "Date",
        "date_time" => "Date and time",
        "address" => "Postal address",
        "single_choice" => "Single choice",
        "multiple_choice" => "Multiple choice",
        "yes_no" => "Yes / no",
        "rating" => "Rating (stars)",
        "opinion_scale" => "Opinion scale (0–10)",
        "matrix" => "Matrix (rows × columns)",
        "ranking" => "Ranking",
        "calculation" => "Calculation (score, total)",
        "consent" => "Consent checkbox",
        "signature" => "E-signature",
        "heading" => "Heading",
        "paragraph" => "Paragraph",
        "hidden" => "Hidden field",
        "page_break" => "Page break",
        _ => "Field",
    }
}

#[component]
pub fn Palette(editor: Editor) -> impl IntoView {
    let buttons = FieldKind::TYPE_NAMES
        .iter()
        .map(|name| {
            let name = *name;
            view! {
                <li>
                    <button type="button" class="palette-item" on:click=move |_| editor.add_field(name)>
                        "+ "{type_label(name)}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="palette-title">
            <h2 id="palette-title">"Add a field"</h2>
            <ul class="palette">{buttons}</ul>
        </section>
    }
}

/// Moves focus to the element with `id` once the list has been redrawn.
pub(super) fn focus_later(id: String) {
    request_animation_frame(move || {
        if let Some(el) = document().get_element_by_id(&id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    });
}

#[component]
pub fn FieldList(editor: Editor, problems: Memo<Vec<DefinitionProblem>>) -> impl IntoView {
    let dragging = RwSignal::new(None::<usize>);
    // Redrawn when the fields change; the property panel keeps its own inputs.
    let rows = move || {
        let count = editor.with_def(|d| d.fields.len());
        if count == 0 {
            return view! { <p class="muted">"No fields yet: add one from the list above."</p> }.into_any();
        }
        let items = (0..count)
            .map(|i| {
                let (label, key, type_name, is_break, logic) = editor.with_def(|d| {
                    let f = &d.fields[i];
                    (row_label(d, i, f), f.key.clone(), f.kind.type_name(), is_page_break(f), has_logic(f))
                });
                let issues = problems.with(|p| p.iter().filter(|p| p.field == Some(i)).count());
                let selected = move || editor.selected.get() == Some(i);
                let name = label.clone();
                view! {
                    <li
                        class="field-row"
                        class:selected=selected
                        class:has-problems={issues > 0}
                        class:field-page-break=is_break
                        draggable="true"
                        on:dragstart=move |ev: web_sys::DragEvent| {
                            dragging.set(Some(i));
                            if let Some(dt) = ev.data_transfer() {
                                let _ = dt.set_data("text/plain", &i.to_string());
                            }
                        }
                        on:dragover=move |ev: web_sys::DragEvent| ev.prevent_default()
                        on:drop=move |ev: web_sys::DragEvent| {
                            ev.prevent_default();
                            if let Some(from) = dragging.get_untracked() {
                                editor.move_field(from, i);
                            }
                            dragging.set(None);
                        }
                    >
                        <span class="drag" aria-hidden="true">"⠿"</span>
                        <button
                            type="button"
                            class="field-select"
                            id=format!("field-select-{i}")
                            aria-pressed=move || selected().to_string()
                            on:click=move |_| editor.selected.set(Some(i))
                        >
                            <span class="field-label">{label}</span>
                            <span class="field-meta">{type_label(type_name)}" · "<code>{key}</code></span>
                            {logic.then(|| view! { <span class="badge logic">"Logic"</span> })}
                            {(issues != 0).then(|| view! {
                                <span class="badge bad">{issues}{if issues == 1 { " problem" } else { " problems" }}</span>
                            })}
                        </button>
                        <span class="row-actions">
                            <button
                                type="button"
                                id=format!("move-up-{i}")
                                aria-label=format!("Move “{name}” up")
                                disabled={i == 0}
                                on:click=move |_| {
                                    editor.move_field(i, i - 1);
                                    focus_later(if i == 1 { format!("move-down-{}", i - 1) } else { format!("move-up-{}", i - 1) });
                                }
                            >"↑"</button>
                            <button
                                type="button"
                                id=format!("move-down-{i}")
                                aria-label=format!("Move “{name}” down")
                                disabled={i + 1 == count}
                                on:click=move |_| {
                                    editor.move_field(i, i + 1);
                                    focus_later(if i + 2 == count { format!("move-up-{}", i + 1) } else { format!("move-down-{}", i + 1) });
                                }
                            >"↓"</button>
                            <button
                                type="button"
                                aria-label=format!("Remove “{name}”")
                                on:click=move |_| {
                                    editor.remove_field(i);
                                    focus_later("fields-title".to_owned());
                                }
                            >"✕"</button>
                        </span>
                    </li>
                }
            })
            .collect_view();
        view! { <ol class="field-list">{items}</ol> }.into_any()
    };
    view! {
        <section class="panel" aria-labelledby="fields-title">
            <h2 id="fields-title" tabindex="-1">"Fields"</h2>
            <p class="muted small">"Drag to reorder, or use the arrow buttons."</p>
            {rows}
        </section>
    }
}

fn is_page_break(field: &Field) -> bool {
    matches!(field.kind, FieldKind::PageBreak { .. })
}

/// Whether the field carries a condition or, as a page break, jump rules.
fn has_logic(field: &Field) -> bool {
    field.visible_if.is_some()
        || field.required_if.is_some()
        || matches!(&field.kind, FieldKind::PageBreak { jumps } if !jumps.is_empty())
        || matches!(field.kind, FieldKind::Calculation { .. })
}

/// The row's title: the label, or for a page break "Page 2: title", so the pages
/// stand out in the list.
fn row_label(form: &FormDef, index: usize, field: &Field) -> String {
    let label = field.label.get(form.default_lang()).trim().to_owned();
    if !is_page_break(field) {
        return if label.is_empty() { "(no label)".to_owned() } else { label };
    }
    let page = pages(form).iter().position(|r| r.start == index).map_or(1, |p| p + 1);
    if label.is_empty() { format!("Page {page}: (untitled)") } else { format!("Page {page}: {label}") }
}
