//! The property panel of the selected field.

use formseal_model::definition::DefinitionProblem;
use formseal_model::{DataClass, DateBound, FieldKind, LocalText, TextPattern};
use leptos::prelude::*;

use super::choices::{calculation_settings, choice_settings, counts, matrix_settings};
use super::inputs::{check_input, count_input, field_text, list_input, optional_text, text_input};
use super::logic::logic_settings;
use super::state::Editor;
use super::structure::type_label;

/// What decides the panel's layout: redrawn only when one of these changes, never
/// while typing into it.
#[derive(Clone, Debug, PartialEq)]
struct Shape {
    index: usize,
    type_name: &'static str,
    /// Options, or a matrix's columns.
    options: usize,
    rows: usize,
}

#[component]
pub fn FieldProperties(editor: Editor, problems: Memo<Vec<DefinitionProblem>>) -> impl IntoView {
    let shape = Memo::new(move |_| {
        let index = editor.selected.get()?;
        editor.with_def(|d| {
            d.fields.get(index).map(|f| {
                let (options, rows) = counts(&f.kind);
                Shape { index, type_name: f.kind.type_name(), options, rows }
            })
        })
    });
    view! {
        <section class="panel" aria-labelledby="props-title">
            <h2 id="props-title">"Field"</h2>
            {move || match shape.get() {
                None => view! { <p class="muted">"Select a field to edit it, or add one."</p> }.into_any(),
                Some(shape) => panel(editor, problems, shape).into_any(),
            }}
        </section>
    }
}

fn panel(editor: Editor, problems: Memo<Vec<DefinitionProblem>>, shape: Shape) -> impl IntoView {
    let i = shape.index;
    let field_problems = move || {
        problems.with(|p| {
            p.iter().filter(|p| p.field == Some(i)).map(|p| view! { <li>{p.message.clone()}</li> }).collect_view()
        })
    };
    let has_problems = move || problems.with(|p| p.iter().any(|p| p.field == Some(i)));
    // A page break asks nothing either: no help, no "Required", no data class.
    let is_static = matches!(shape.type_name, "heading" | "paragraph" | "page_break");
    let label_name = match shape.type_name {
        "heading" => "Heading",
        "page_break" => "Page title",
        _ => "Label",
    };
    view! {
        <p class="field-type">{type_label(shape.type_name)}</p>
        <Show when=has_problems>
            <ul class="problems" aria-label="Problems of this field">{field_problems}</ul>
        </Show>
        {text_input(
            format!("field-{i}-key"),
            "Key (name of the answer)".into(),
            move || editor.with_def(|d| d.fields.get(i).map(|f| f.key.clone()).unwrap_or_default()),
            move |v| editor.field_edit(i, "key", |f| f.key = v.trim().to_owned()),
        )}
        {field_text(editor, i, "label", label_name, false, |f| Some(f.label.clone()), |f| Some(&mut f.label))}
        {(!is_static).then(|| view! {
            {field_text(editor, i, "help", "Help text", false, |f| f.help.clone(), |f| optional_text(&mut f.help))}
            // A calculation is computed, never typed: nothing to require.
            {(shape.type_name != "calculation").then(|| check_input(
                format!("field-{i}-required"),
                "Required".into(),
                move || editor.with_def(|d| d.fields.get(i).is_some_and(|f| f.required)),
                move |v| editor.field_edit(i, "required", |f| f.required = v),
            ))}
            {class_select(editor, i)}
        })}
        {matches!(shape.type_name, "short_text" | "long_text" | "email" | "phone" | "number").then(|| {
            field_text(editor, i, "placeholder", "Placeholder", false, |f| f.placeholder.clone(), |f| optional_text(&mut f.placeholder))
        })}
        {kind_settings(editor, &shape)}
        {logic_settings(editor, i, shape.type_name)}
    }
}

fn class_select(editor: Editor, i: usize) -> impl IntoView {
    let id = format!("field-{i}-class");
    let value = move || {
        editor.with_def(|d| match d.fields.get(i).map(|f| f.class) {
            Some(DataClass::Personal) => "personal",
            Some(DataClass::Special) => "special",
            _ => "none",
        })
    };
    view! {
        <div class="prop">
            <label for=id.clone()>"Data class"</label>
            <select
                id=id
                prop:value=value
                on:change=move |ev| {
                    let class = match event_target_value(&ev).as_str() {
                        "personal" => DataClass::Personal,
                        "special" => DataClass::Special,
                        _ => DataClass::None,
                    };
                    editor.field_edit(i, "class", |f| f.class = class);
                }
            >
                <option value="none">"Not personal"</option>
                <option value="personal">"Personal data"</option>
                <option value="special">"Special category (GDPR Art. 9: health, religion, …)"</option>
            </select>
        </div>
    }
}

/// Reads a value out of the selected field's kind.
pub(super) fn kind_value<T: Default>(editor: Editor, i: usize, f: impl Fn(&FieldKind) -> Option<T>) -> T {
    editor.with_def(|d| d.fields.get(i).and_then(|field| f(&field.kind)).unwrap_or_default())
}

pub(super) fn kind_edit(editor: Editor, i: usize, target: &str, f: impl FnOnce(&mut FieldKind)) {
    editor.field_edit(i, target, |field| f(&mut field.kind));
}

fn date_bound_text(bound: &Option<DateBound>) -> String {
    match bound {
        None => String::new(),
        Some(DateBound::Date(d)) => d.clone(),
        Some(DateBound::Today(0)) => "today".into(),
        Some(DateBound::Today(n)) => format!("today{n:+}"),
    }
}

/// `2026-01-31`, `today`, `today-30`, `today+7`; empty for none.
fn parse_date_bound(text: &str) -> Option<DateBound> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match text.strip_prefix("today") {
        Some("") => Some(DateBound::Today(0)),
        Some(offset) => match offset.trim().replace(' ', "").parse::<i32>() {
            Ok(n) => Some(DateBound::Today(n)),
            Err(_) => Some(DateBound::Date(text.to_owned())),
        },
        None => Some(DateBound::Date(text.to_owned())),
    }
}

fn kind_settings(editor: Editor, shape: &Shape) -> AnyView {
    let i = shape.index;
    let id = move |name: &str| format!("field-{i}-{name}");
    match shape.type_name {
        "short_text" => view! {
            {count_input(id("min-len"), "Minimum length".into(),
                move || kind_value(editor, i, |k| match k { FieldKind::ShortText { min_len, .. } => Some(*min_len), _ => None }),
                move |v| kind_edit(editor, i, "min-len", |k| if let FieldKind::ShortText { min_len, .. } = k { *min_len = v }))}
            {count_input(id("max-len"), "Maximum length".into(),
                move || kind_value(editor, i, |k| match k { FieldKind::ShortText { max_len, .. } => Some(*max_len), _ => None }),
                move |v| kind_edit(editor, i, "max-len", |k| if let FieldKind::ShortText { max_len, .. } = k { *max_len = v }))}
            {text_input(id("pattern"), "Pattern (regular expression, optional)".into(),
                move || kind_value(editor, i, |k| match k { FieldKind::ShortText { pattern: Some(p), .. } => Some(p.regex.clone()), _ => None }),
                move |v| kind_edit(editor, i, "pattern", |k| if let FieldKind::ShortText { pattern, .. } = k {
                    if v.is_empty() {
                        *pattern = None;
                    } else {
                        pattern.get_or_insert_with(|| TextPattern { regex: String::new(), message: LocalText::default() }).regex = v;
                    }
                }))}
            {field_text(editor, i, "pattern-message", "Message when the pattern does not match", false,
                |f| match &f.kind { FieldKind::ShortText { pattern: Some(p), .. } => Some(p.message.clone()), _ => None },
                |f| match &mut f.kind { FieldKind::ShortText { pattern: Some(p), .. } => Some(&mut p.message), _ => None })}
        }.into_any(),
        "long_text" => count_input(id("max-len"), "Maximum length".into(),
            move || kind_value(editor, i, |k| match k { FieldKind::LongText { max_len } => Some(*max_len), _ => None }),
            move |v| kind_edit(editor, i, "max-len", |k| if let FieldKind::LongText { max_len } = k { *max_len = v })).into_any(),
        "number" => {
            let decimal = move |name: &'static str, label: &'static str, pick: fn(&mut FieldKind) -> Option<&mut Option<String>>| {
                text_input(id(name), label.into(),
                    move || editor.with_def(|d| d.fields.get(i).and_then(|f| {
                        let mut kind = f.kind.clone();
                        pick(&mut kind).and_then(|v| v.clone())
                    }).unwrap_or_default()),
                    move |v| kind_edit(editor, i, name, |k| if let Some(slot) = pick(k) {
                        *slot = Some(v.trim().to_owned()).filter(|v| !v.is_empty());
                    }))
            };
            view! {
                {decimal("min", "Minimum", |k| match k { FieldKind::Number { min, .. } => Some(min), _ => None })}
                {decimal("max", "Maximum", |k| match k { FieldKind::Number { max, .. } => Some(max), _ => None })}
                {decimal("step", "Step (optional)", |k| match k { FieldKind::Number { step, .. } => Some(step), _ => None })}
                {check_input(id("integer"), "Whole numbers only".into(),
                    move || kind_value(editor, i, |k| match k { FieldKind::Number { integer, .. } => Some(*integer), _ => None }),
                    move |v| kind_edit(editor, i, "integer", |k| if let FieldKind::Number { integer, .. } = k { *integer = v }))}
            }.into_any()
        }
        "date" => view! {
            <p class="muted small">"A date (2026-01-31) or a day relative to the visit: today, today-30, today+7."</p>
            {text_input(id("date-min"), "Earliest".into(),
                move || kind_value(editor, i, |k| match k { FieldKind::Date { min, .. } => Some(date_bound_text(min)), _ => None }),
                move |v| kind_edit(editor, i, "date-min", |k| if let FieldKind::Date { min, .. } = k { *min = parse_date_bound(&v) }))}
            {text_input(id("date-max"), "Latest".into(),
                move || kind_value(editor, i, |k| match k { FieldKind::Date { max, .. } => Some(date_bound_text(max)), _ => None }),
                move |v| kind_edit(editor, i, "date-max", |k| if let FieldKind::Date { max, .. } = k { *max = parse_date_bound(&v) }))}
        }.into_any(),
        "address" => list_input(id("countries"), "Countries (codes such as DE, AT, CH; the first is preselected)".into(), false,
            move || kind_value(editor, i, |k| match k { FieldKind::Address { countries } => Some(countries.clone()), _ => None }),
            |text| text.split([',', ' ']).map(|c| c.trim().to_uppercase()).filter(|c| !c.is_empty()).collect(),
            move |v| kind_edit(editor, i, "countries", |k| if let FieldKind::Address { countries } = k { *countries = v })).into_any(),
        "single_choice" | "multiple_choice" | "ranking" => {
            choice_settings(editor, i, shape.type_name, shape.options).into_any()
        }
        "matrix" => matrix_settings(editor, i, shape.rows, shape.options).into_any(),
        "calculation" => calculation_settings(editor, i).into_any(),
        "rating" => count_input(id("rating-max"), "Number of stars (3–10)".into(),
            move || kind_value(editor, i, |k| match k { FieldKind::Rating { max } => Some(Some(*max)), _ => None }),
            move |v| kind_edit(editor, i, "rating-max", |k| if let FieldKind::Rating { max } = k { *max = v.unwrap_or(5) })).into_any(),
        "opinion_scale" => view! {
            {count_input(id("scale-min"), "Lowest point (0 or 1)".into(),
                move || kind_value(editor, i, |k| match k { FieldKind::OpinionScale { min, .. } => Some(Some(*min)), _ => None }),
                move |v| kind_edit(editor, i, "scale-min", |k| if let FieldKind::OpinionScale { min, .. } = k { *min = v.unwrap_or(0) }))}
            {count_input(id("scale-max"), "Highest point (at most 10)".into(),
                move || kind_value(editor, i, |k| match k { FieldKind::OpinionScale { max, .. } => Some(Some(*max)), _ => None }),
                move |v| kind_edit(editor, i, "scale-max", |k| if let FieldKind::OpinionScale { max, .. } = k { *max = v.unwrap_or(10) }))}
            {field_text(editor, i, "scale-min-label", "Label of the lowest point (optional)", false,
                |f| match &f.kind { FieldKind::OpinionScale { min_label, .. } => min_label.clone(), _ => None },
                |f| match &mut f.kind { FieldKind::OpinionScale { min_label, .. } => optional_text(min_label), _ => None })}
            {field_text(editor, i, "scale-max-label", "Label of the highest point (optional)", false,
                |f| match &f.kind { FieldKind::OpinionScale { max_label, .. } => max_label.clone(), _ => None },
                |f| match &mut f.kind { FieldKind::OpinionScale { max_label, .. } => optional_text(max_label), _ => None })}
        }.into_any(),
        "consent" => field_text(editor, i, "consent-text", "Consent text (stored with each answer)", true,
            |f| match &f.kind { FieldKind::Consent { text } => Some(text.clone()), _ => None },
            |f| match &mut f.kind { FieldKind::Consent { text } => Some(text), _ => None }).into_any(),
        "signature" => field_text(editor, i, "statement", "Statement the signer confirms", true,
            |f| match &f.kind { FieldKind::Signature { statement } => Some(statement.clone()), _ => None },
            |f| match &mut f.kind { FieldKind::Signature { statement } => Some(statement), _ => None }).into_any(),
        "paragraph" => field_text(editor, i, "paragraph", "Text", true,
            |f| match &f.kind { FieldKind::Paragraph { text } => Some(text.clone()), _ => None },
            |f| match &mut f.kind { FieldKind::Paragraph { text } => Some(text), _ => None }).into_any(),
        "hidden" => view! { <p class="muted small">"Not shown to visitors; a personal link fills it in."</p> }.into_any(),
        _ => ().into_any(),
    }
}
