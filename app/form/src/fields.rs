use formseal_model::{Answers, Field, FieldKind};
use leptos::prelude::*;
use serde_json::{Value, json};

use crate::{Problems, signature::SignaturePad, texts};

/// What the browser may offer to autofill, guessed from the field's key and type.
fn autocomplete(field: &Field) -> &'static str {
    match (&field.kind, field.key.as_str()) {
        (FieldKind::Email, _) => "email",
        (FieldKind::Phone, _) => "tel",
        (_, "name" | "full_name") => "name",
        (_, "address" | "street") => "street-address",
        (_, "postcode" | "zip") => "postal-code",
        (_, "city") => "address-level2",
        _ => "off",
    }
}

#[component]
pub fn FieldView(
    field: Field,
    lang: String,
    id_prefix: String,
    answers: RwSignal<Answers>,
    problems: RwSignal<Problems>,
    on_leave: Callback<String>,
    /// Re-checks a field that shows a problem while it is being corrected, so the
    /// message is gone before the visitor reaches the submit button (a message that
    /// vanished on blur would shift the button away from under the pointer).
    on_edit: Callback<String>,
) -> impl IntoView {
    let key = field.key.clone();
    let id = format!("{id_prefix}-{key}");
    let error_id = format!("{id}-error");
    let help_id = format!("{id}-help");
    let label = field.label.get(&lang).to_owned();
    let help = field.help.as_ref().map(|h| h.get(&lang).to_owned());
    let placeholder = field.placeholder.as_ref().map(|p| p.get(&lang).to_owned()).unwrap_or_default();
    let required = field.required;
    let described_by = if help.is_some() { format!("{help_id} {error_id}") } else { error_id.clone() };

    let problem = {
        let key = key.clone();
        Memo::new(move |_| problems.with(|p| p.get(&key).cloned()))
    };
    let invalid = move || problem.with(|p| p.is_some()).to_string();
    let error_text = {
        let lang = lang.clone();
        move || problem.get().map(|p| p.message(&lang))
    };
    let text_value = {
        let key = key.clone();
        move || answers.with(|a| a.get(&key).and_then(Value::as_str).unwrap_or_default().to_owned())
    };
    let set_text = {
        let key = key.clone();
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            answers.update(|a| {
                a.insert(key.clone(), Value::String(value));
            });
            on_edit.run(key.clone());
        }
    };
    let leave = {
        let key = key.clone();
        move |_| on_leave.run(key.clone())
    };
    let required_mark = required.then(|| view! { <span class="fs-required" title=texts::required(&lang)>" *"</span> });

    let simple_input = |input_type: &'static str, inputmode: &'static str| {
        view! {
            <input
                id=id.clone()
                name=key.clone()
                type=input_type
                inputmode=inputmode
                autocomplete=autocomplete(&field)
                placeholder=placeholder.clone()
                required=required
                aria-invalid=invalid
                aria-describedby=described_by.clone()
                prop:value=text_value.clone()
                on:input=set_text.clone()
                on:blur=leave.clone()
            />
        }
        .into_any()
    };

    let control = match &field.kind {
        FieldKind::ShortText { .. } => simple_input("text", "text"),
        FieldKind::Email => simple_input("email", "email"),
        FieldKind::Phone => simple_input("tel", "tel"),
        FieldKind::Number { .. } => simple_input("text", "decimal"),
        FieldKind::Date { .. } => simple_input("date", "numeric"),
        FieldKind::DateTime => simple_input("datetime-local", "numeric"),
        FieldKind::LongText { .. } => view! {
            <textarea
                id=id.clone()
                name=key.clone()
                rows="3"
                autocomplete=autocomplete(&field)
                placeholder=placeholder.clone()
                required=required
                aria-invalid=invalid
                aria-describedby=described_by.clone()
                prop:value=text_value.clone()
                on:input=set_text.clone()
                on:blur=leave.clone()
            ></textarea>
        }
        .into_any(),
        FieldKind::SingleChoice { options } => options
            .iter()
            .enumerate()
            .map(|(i, option)| {
                let (key, value) = (key.clone(), option.value.clone());
                let checked = {
                    let (key, value) = (key.clone(), value.clone());
                    move || answers.with(|a| a.get(&key).and_then(Value::as_str) == Some(value.as_str()))
                };
                view! {
                    <label class="fs-option">
                        <input
                            type="radio"
                            id=format!("{id}-{i}")
                            name=id.clone()
                            prop:checked=checked
                            on:change=move |_| {
                                answers.update(|a| {
                                    a.insert(key.clone(), json!(value.clone()));
                                });
                                on_edit.run(key.clone());
                            }
                        />
                        {option.label.get(&lang).to_owned()}
                    </label>
                }
            })
            .collect_view()
            .into_any(),
        FieldKind::MultipleChoice { options, .. } => options
            .iter()
            .enumerate()
            .map(|(i, option)| {
                let (key, value) = (key.clone(), option.value.clone());
                let checked = {
                    let (key, value) = (key.clone(), value.clone());
                    move || answers.with(|a| a.get(&key).and_then(Value::as_array).is_some_and(|v| v.iter().any(|x| x.as_str() == Some(&value))))
                };
                view! {
                    <label class="fs-option">
                        <input
                            type="checkbox"
                            id=format!("{id}-{i}")
                            prop:checked=checked
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                answers.update(|a| {
                                    let mut chosen: Vec<Value> = a.get(&key).and_then(Value::as_array).cloned().unwrap_or_default();
                                    chosen.retain(|x| x.as_str() != Some(&value));
                                    if on {
                                        chosen.push(json!(value.clone()));
                                    }
                                    a.insert(key.clone(), Value::Array(chosen));
                                });
                                on_edit.run(key.clone());
                            }
                        />
                        {option.label.get(&lang).to_owned()}
                    </label>
                }
            })
            .collect_view()
            .into_any(),
        FieldKind::Consent { text } => {
            let shown = text.get(&lang).to_owned();
            let key = key.clone();
            let accepted = {
                let key = key.clone();
                move || answers.with(|a| a.get(&key).and_then(|v| v.get("accepted")).and_then(Value::as_bool).unwrap_or(false))
            };
            view! {
                <label class="fs-option fs-consent">
                    <input
                        type="checkbox"
                        id=id.clone()
                        prop:checked=accepted
                        aria-invalid=invalid
                        aria-describedby=described_by.clone()
                        on:change=move |ev| {
                            let accepted = event_target_checked(&ev);
                            answers.update(|a| {
                                a.insert(key.clone(), json!({"accepted": accepted, "text": shown.clone()}));
                            });
                            on_edit.run(key.clone());
                        }
                    />
                    {text.get(&lang).to_owned()}
                </label>
            }
            .into_any()
        }
        FieldKind::Signature { statement } => view! {
            <SignaturePad field_key=key.clone() statement=statement.get(&lang).to_owned() lang=lang.clone() answers=answers />
        }
        .into_any(),
    };

    let is_group = matches!(
        field.kind,
        FieldKind::SingleChoice { .. } | FieldKind::MultipleChoice { .. } | FieldKind::Signature { .. }
    );
    let kind = field.kind.type_name();
    let head = if is_group {
        view! { <legend>{label.clone()}{required_mark}</legend> }.into_any()
    } else if matches!(field.kind, FieldKind::Consent { .. }) {
        ().into_any()
    } else {
        view! { <label for=id.clone()>{label.clone()}{required_mark}</label> }.into_any()
    };
    let help = help.map(|h| view! { <p class="fs-help" id=help_id.clone()>{h}</p> });
    let error = view! { <p class="fs-error" id=error_id.clone() aria-live="polite">{error_text}</p> };
    if is_group {
        view! {
            <fieldset class="fs-field" data-kind=kind aria-describedby=described_by.clone()>
                {head}{help}{control}{error}
            </fieldset>
        }
        .into_any()
    } else {
        view! { <div class="fs-field" data-kind=kind>{head}{help}{control}{error}</div> }.into_any()
    }
}
