use formseal_model::address::country_name;
use formseal_model::{Answers, ChoiceDisplay, ChoiceOption, Field, FieldKind, Lang};
use leptos::prelude::*;
use serde_json::{Value, json};

use crate::{Problems, choices, signature::SignaturePad, texts};

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

/// Headings, paragraphs and hidden fields: no control, no answer typed here.
fn static_view(field: &Field, lang: &str) -> Option<AnyView> {
    match &field.kind {
        FieldKind::Heading => Some(view! { <h3 class="fs-heading">{field.label.get(lang).to_owned()}</h3> }.into_any()),
        FieldKind::Paragraph { text } => {
            Some(view! { <p class="fs-paragraph">{text.get(lang).to_owned()}</p> }.into_any())
        }
        // A calculation is shown by the form, which knows its value (crate::FormView).
        FieldKind::Hidden | FieldKind::PageBreak { .. } | FieldKind::Calculation { .. } => Some(().into_any()),
        _ => None,
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
    /// Whether an answer is needed, as the form's logic decides for the answers so far.
    #[prop(into)]
    required: Signal<bool>,
    /// Prefilled by a personal link and not to be changed: the controls are disabled.
    #[prop(optional)]
    locked: bool,
) -> impl IntoView {
    if let Some(view) = static_view(&field, &lang) {
        return view;
    }
    let t = texts::of(Lang::parse(&lang));
    let key = field.key.clone();
    let id = format!("{id_prefix}-{key}");
    let error_id = format!("{id}-error");
    let help_id = format!("{id}-help");
    let label = field.label.get(&lang).to_owned();
    let help = field.help.as_ref().map(|h| h.get(&lang).to_owned()).filter(|h| !h.trim().is_empty());
    let placeholder = field.placeholder.as_ref().map(|p| p.get(&lang).to_owned()).unwrap_or_default();
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
    let required_mark =
        move || required.get().then(|| view! { <span class="fs-required" title=t.required>" *"</span> });

    let simple_input = |input_type: &'static str, inputmode: &'static str| {
        view! {
            <input
                id=id.clone()
                name=key.clone()
                type=input_type
                inputmode=inputmode
                autocomplete=autocomplete(&field)
                placeholder=placeholder.clone()
                required=move || required.get()
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
                required=move || required.get()
                aria-invalid=invalid
                aria-describedby=described_by.clone()
                prop:value=text_value.clone()
                on:input=set_text.clone()
                on:blur=leave.clone()
            ></textarea>
        }
        .into_any(),
        FieldKind::SingleChoice { options, display: ChoiceDisplay::Dropdown } => {
            choice_select(&id, &key, options, &lang, required, described_by.clone(), invalid, answers, on_edit, on_leave)
        }
        FieldKind::SingleChoice { options, .. } => options
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
        FieldKind::MultipleChoice { options, other, .. } => {
            let boxes = options
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
            .collect_view();
            let own = other.then(|| own_answer(&id, &key, &lang, answers, on_edit));
            view! { {boxes}{own} }.into_any()
        }
        FieldKind::YesNo => [(true, t.yes), (false, t.no)]
            .into_iter()
            .map(|(choice, word)| {
                let key = key.clone();
                let checked = {
                    let key = key.clone();
                    move || answers.with(|a| a.get(&key).and_then(Value::as_bool) == Some(choice))
                };
                view! {
                    <label class="fs-option">
                        <input
                            type="radio"
                            id=format!("{id}-{}", if choice { "yes" } else { "no" })
                            name=id.clone()
                            prop:checked=checked
                            on:change=move |_| {
                                answers.update(|a| {
                                    a.insert(key.clone(), Value::Bool(choice));
                                });
                                on_edit.run(key.clone());
                            }
                        />
                        {word}
                    </label>
                }
            })
            .collect_view()
            .into_any(),
        FieldKind::Rating { .. } | FieldKind::OpinionScale { .. } => {
            point_choices(&id, &key, &field.kind, &lang, answers, on_edit)
        }
        FieldKind::Address { countries } => {
            address_inputs(&id, &key, countries, &lang, described_by.clone(), invalid, answers, on_edit, on_leave)
        }
        FieldKind::Matrix { rows, columns } => choices::matrix(&id, &key, rows, columns, &lang, required, answers, on_edit),
        FieldKind::Ranking { options } => choices::ranking(&id, &key, options, &lang, answers, on_edit),
        FieldKind::Heading
        | FieldKind::Paragraph { .. }
        | FieldKind::Hidden
        | FieldKind::PageBreak { .. }
        | FieldKind::Calculation { .. } => ().into_any(),
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
        FieldKind::SingleChoice { display: ChoiceDisplay::Radio, .. }
            | FieldKind::MultipleChoice { .. }
            | FieldKind::Signature { .. }
            | FieldKind::YesNo
            | FieldKind::Rating { .. }
            | FieldKind::OpinionScale { .. }
            | FieldKind::Address { .. }
            | FieldKind::Matrix { .. }
            | FieldKind::Ranking { .. }
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
    if is_group || locked {
        let class = if locked { "fs-field fs-locked" } else { "fs-field" };
        view! {
            <fieldset class=class data-kind=kind aria-describedby=described_by.clone() disabled=locked>
                {head}{help}{control}{error}
            </fieldset>
        }
        .into_any()
    } else {
        view! { <div class="fs-field" data-kind=kind>{head}{help}{control}{error}</div> }.into_any()
    }
}

/// A rating's or scale's points as a row of radio buttons (arrow keys move along
/// it), each labelled with its number, a rating's read as "4 of 5"; a scale's end
/// labels stand under its ends.
fn point_choices(
    id: &str,
    key: &str,
    kind: &FieldKind,
    lang: &str,
    answers: RwSignal<Answers>,
    on_edit: Callback<String>,
) -> AnyView {
    let t = texts::of(Lang::parse(lang));
    let points = kind.points().into_iter().flatten();
    let rating = matches!(kind, FieldKind::Rating { .. });
    let top = kind.points().map_or(0, |p| *p.end());
    let buttons = points
        .map(|point| {
            let (key, value) = (key.to_owned(), point.to_string());
            let checked = {
                let (key, value) = (key.clone(), value.clone());
                move || answers.with(|a| a.get(&key).and_then(Value::as_str) == Some(value.as_str()))
            };
            // A star and its number; the number is what is read out.
            let shown = if rating { format!("★ {point}") } else { point.to_string() };
            let spoken = if rating { (t.points_of)(point, top) } else { point.to_string() };
            view! {
                <label class="fs-point">
                    <input
                        type="radio"
                        id=format!("{id}-{point}")
                        name=id.to_owned()
                        aria-label=spoken
                        prop:checked=checked
                        on:change=move |_| {
                            answers.update(|a| {
                                a.insert(key.clone(), Value::String(value.clone()));
                            });
                            on_edit.run(key.clone());
                        }
                    />
                    <span aria-hidden="true">{shown}</span>
                </label>
            }
        })
        .collect_view();
    let ends = match kind {
        FieldKind::OpinionScale { min_label, max_label, .. } if min_label.is_some() || max_label.is_some() => {
            let text =
                |l: &Option<formseal_model::LocalText>| l.as_ref().map(|l| l.get(lang).to_owned()).unwrap_or_default();
            Some(view! {
                <p class="fs-scale-ends"><span>{text(min_label)}</span><span>{text(max_label)}</span></p>
            })
        }
        _ => None,
    };
    view! { <div class="fs-points">{buttons}</div>{ends} }.into_any()
}

/// A single choice offered as a drop-down list.
#[allow(clippy::too_many_arguments)]
fn choice_select(
    id: &str,
    key: &str,
    options: &[ChoiceOption],
    lang: &str,
    required: Signal<bool>,
    described_by: String,
    invalid: impl Fn() -> String + Send + Sync + 'static,
    answers: RwSignal<Answers>,
    on_edit: Callback<String>,
    on_leave: Callback<String>,
) -> AnyView {
    let key = key.to_owned();
    let current = {
        let key = key.clone();
        move || answers.with(|a| a.get(&key).and_then(Value::as_str).unwrap_or_default().to_owned())
    };
    let leave_key = key.clone();
    let t = texts::of(Lang::parse(lang));
    let choices = options
        .iter()
        .map(|o| view! { <option value=o.value.clone()>{o.label.get(lang).to_owned()}</option> })
        .collect_view();
    view! {
        <select
            id=id.to_owned()
            name=key.clone()
            required=move || required.get()
            aria-invalid=invalid
            aria-describedby=described_by
            prop:value=current
            on:change=move |ev| {
                let value = event_target_value(&ev);
                answers.update(|a| {
                    if value.is_empty() { a.remove(&key) } else { a.insert(key.clone(), json!(value)) };
                });
                on_edit.run(key.clone());
            }
            on:blur=move |_| on_leave.run(leave_key.clone())
        >
            <option value="">{t.please_choose}</option>
            {choices}
        </select>
    }
    .into_any()
}

/// The "Other" box of a multiple choice and the text of the visitor's own answer,
/// kept in the answer list as `{"other": text}`.
fn own_answer(id: &str, key: &str, lang: &str, answers: RwSignal<Answers>, on_edit: Callback<String>) -> AnyView {
    let key = key.to_owned();
    let own_text = {
        let key = key.clone();
        Memo::new(move |_| {
            answers.with(|a| {
                a.get(&key)
                    .and_then(Value::as_array)
                    .and_then(|items| items.iter().find_map(|i| i.get("other").and_then(Value::as_str)))
                    .map(str::to_owned)
            })
        })
    };
    let set_own = Callback::new(move |text: Option<String>| {
        answers.update(|a| {
            let mut items: Vec<Value> = a.get(&key).and_then(Value::as_array).cloned().unwrap_or_default();
            items.retain(|i| i.get("other").is_none());
            if let Some(text) = text {
                items.push(json!({ "other": text }));
            }
            a.insert(key.clone(), Value::Array(items));
        });
        on_edit.run(key.clone());
    });
    let checked = move || own_text.with(Option::is_some);
    let text_id = format!("{id}-other-text");
    let t = texts::of(Lang::parse(lang));
    view! {
        <label class="fs-option">
            <input
                type="checkbox"
                id=format!("{id}-other")
                prop:checked=checked
                on:change=move |ev| set_own.run(event_target_checked(&ev).then(String::new))
            />
            {t.other}
        </label>
        <Show when=checked>
            <label class="fs-sub" for=text_id.clone()>{t.your_answer}</label>
            <input
                type="text"
                id=text_id.clone()
                maxlength="200"
                prop:value=move || own_text.get().unwrap_or_default()
                on:input=move |ev| set_own.run(Some(event_target_value(&ev)))
            />
        </Show>
    }
    .into_any()
}

/// Street, postcode, city and country, each labelled; the answer is one object.
#[allow(clippy::too_many_arguments)]
fn address_inputs(
    id: &str,
    key: &str,
    countries: &[String],
    lang: &str,
    described_by: String,
    invalid: impl Fn() -> String + Clone + Send + Sync + 'static,
    answers: RwSignal<Answers>,
    on_edit: Callback<String>,
    on_leave: Callback<String>,
) -> AnyView {
    let t = texts::of(Lang::parse(lang));
    let first_country = countries.first().cloned().unwrap_or_default();
    let part_value = {
        let (key, first_country) = (key.to_owned(), first_country.clone());
        move |part: &'static str| {
            let (key, first_country) = (key.clone(), first_country.clone());
            move || {
                answers.with(|a| {
                    let value = a.get(&key).and_then(|v| v.get(part)).and_then(Value::as_str).map(str::to_owned);
                    value.unwrap_or_else(|| if part == "country" { first_country.clone() } else { String::new() })
                })
            }
        }
    };
    let set_part = {
        let (key, first_country) = (key.to_owned(), first_country.clone());
        move |part: &'static str, value: String| {
            answers.update(|a| {
                let entry = a.entry(key.clone()).or_insert_with(|| json!({}));
                if !entry.is_object() {
                    *entry = json!({});
                }
                if let Some(obj) = entry.as_object_mut() {
                    obj.entry("country").or_insert_with(|| json!(first_country.clone()));
                    obj.insert(part.to_owned(), json!(value));
                }
            });
            on_edit.run(key.clone());
        }
    };
    let text_part = |part: &'static str, label: &'static str, autocomplete: &'static str, size: &'static str| {
        let set_part = set_part.clone();
        let leave_key = key.to_owned();
        let part_id = format!("{id}-{part}");
        view! {
            <span class=format!("fs-part fs-part-{size}")>
                <label class="fs-sub" for=part_id.clone()>{label}</label>
                <input
                    id=part_id.clone()
                    type="text"
                    autocomplete=autocomplete
                    aria-invalid=invalid.clone()
                    aria-describedby=described_by.clone()
                    prop:value=part_value(part)
                    on:input=move |ev| set_part(part, event_target_value(&ev))
                    on:blur=move |_| on_leave.run(leave_key.clone())
                />
            </span>
        }
    };
    let country_id = format!("{id}-country");
    let set_country = set_part.clone();
    let country_options = countries
        .iter()
        .map(|c| view! { <option value=c.clone()>{country_name(c, lang).to_owned()}</option> })
        .collect_view();
    view! {
        <div class="fs-address">
            {text_part("street", t.street_and_number, "street-address", "wide")}
            {text_part("postcode", t.postcode, "postal-code", "short")}
            {text_part("city", t.city, "address-level2", "long")}
            <span class="fs-part fs-part-wide">
                <label class="fs-sub" for=country_id.clone()>{t.country}</label>
                <select
                    id=country_id.clone()
                    autocomplete="country"
                    prop:value=part_value("country")
                    on:change=move |ev| set_country("country", event_target_value(&ev))
                >
                    {country_options}
                </select>
            </span>
        </div>
    }
    .into_any()
}
