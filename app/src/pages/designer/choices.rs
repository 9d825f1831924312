//! Settings of the fields that offer options (choices, rankings, matrices) and of
//! calculations.

use formseal_model::{ChoiceDisplay, ChoiceOption, FieldKind, Formula, LocalText, MatrixRow};
use leptos::prelude::*;

use super::inputs::{check_input, count_input, field_text, text_input};
use super::properties::{kind_edit, kind_value};
use super::state::Editor;

/// The options of a choice or ranking, or a matrix's columns.
pub fn options_of(kind: &mut FieldKind) -> Option<&mut Vec<ChoiceOption>> {
    match kind {
        FieldKind::SingleChoice { options, .. }
        | FieldKind::MultipleChoice { options, .. }
        | FieldKind::Ranking { options } => Some(options),
        FieldKind::Matrix { columns, .. } => Some(columns),
        _ => None,
    }
}

/// [`options_of`] for reading; none for other kinds.
fn options(kind: &FieldKind) -> &[ChoiceOption] {
    match kind {
        FieldKind::SingleChoice { options, .. }
        | FieldKind::MultipleChoice { options, .. }
        | FieldKind::Ranking { options } => options,
        FieldKind::Matrix { columns, .. } => columns,
        _ => &[],
    }
}

fn option(kind: &FieldKind, j: usize) -> Option<&ChoiceOption> {
    options(kind).get(j)
}

/// How many options (or columns) and rows the field has: the panel's layout.
pub fn counts(kind: &FieldKind) -> (usize, usize) {
    let rows = match kind {
        FieldKind::Matrix { rows, .. } => rows.len(),
        _ => 0,
    };
    (options(kind).len(), rows)
}

/// The list of options: value, label in each language, score, remove; and add.
fn options_editor(editor: Editor, i: usize, count: usize, noun: &'static str) -> impl IntoView {
    let options = (0..count)
        .map(|j| {
            let n = j + 1;
            view! {
                <li class="option">
                    {text_input(format!("field-{i}-option-{j}-value"), format!("{noun} {n} value"),
                        move || kind_value(editor, i, |k| option(k, j).map(|o| o.value.clone())),
                        move |v| kind_edit(editor, i, &format!("option-{j}-value"), |k| {
                            if let Some(o) = options_of(k).and_then(|o| o.get_mut(j)) { o.value = v.trim().to_owned() }
                        }))}
                    {field_text(editor, i, format!("option-{j}-label"), format!("{noun} {n} label"), false,
                        move |f| option(&f.kind, j).map(|o| o.label.clone()),
                        move |f| options_of(&mut f.kind).and_then(|o| o.get_mut(j)).map(|o| &mut o.label))}
                    {text_input(format!("field-{i}-option-{j}-score"), format!("{noun} {n} score (for calculations, optional)"),
                        move || kind_value(editor, i, |k| option(k, j).and_then(|o| o.score.clone())),
                        move |v| kind_edit(editor, i, &format!("option-{j}-score"), |k| {
                            if let Some(o) = options_of(k).and_then(|o| o.get_mut(j)) {
                                o.score = Some(v.trim().to_owned()).filter(|s| !s.is_empty());
                            }
                        }))}
                    <button type="button" class="link" aria-label=format!("Remove {} {n}", noun.to_lowercase())
                        on:click=move |_| kind_edit(editor, i, "remove-option", |k| {
                            if let Some(o) = options_of(k).filter(|o| j < o.len()) { o.remove(j); }
                        })>{format!("Remove {}", noun.to_lowercase())}</button>
                </li>
            }
        })
        .collect_view();
    let add = move |_| {
        kind_edit(editor, i, "add-option", |k| {
            if let Some(options) = options_of(k) {
                let n = options.len() + 1;
                options.push(ChoiceOption::new(&format!("option_{n}"), LocalText::default()));
            }
        })
    };
    let legend = if noun == "Column" { "Columns" } else { "Options" };
    view! {
        <fieldset class="options">
            <legend>{legend}</legend>
            <ol>{options}</ol>
            <button type="button" on:click=add>{format!("+ Add {}", noun.to_lowercase())}</button>
        </fieldset>
    }
}

/// Single and multiple choice, and ranking: the options and what fits the type.
pub fn choice_settings(editor: Editor, i: usize, type_name: &str, count: usize) -> impl IntoView {
    let extra = match type_name {
        "single_choice" => {
            let id = format!("field-{i}-display");
            view! {
                <div class="prop">
                    <label for=id.clone()>"Show as"</label>
                    <select id=id
                        prop:value=move || kind_value(editor, i, |k| match k {
                            FieldKind::SingleChoice { display: ChoiceDisplay::Dropdown, .. } => Some("dropdown"),
                            _ => Some("radio"),
                        })
                        on:change=move |ev| {
                            let dropdown = event_target_value(&ev) == "dropdown";
                            kind_edit(editor, i, "display", |k| if let FieldKind::SingleChoice { display, .. } = k {
                                *display = if dropdown { ChoiceDisplay::Dropdown } else { ChoiceDisplay::Radio };
                            });
                        }>
                        <option value="radio">"Radio buttons"</option>
                        <option value="dropdown">"Drop-down list"</option>
                    </select>
                </div>
            }
            .into_any()
        }
        "multiple_choice" => view! {
            {count_input(format!("field-{i}-min-choices"), "At least (choices)".into(),
                move || kind_value(editor, i, |k| match k { FieldKind::MultipleChoice { min, .. } => Some(*min), _ => None }),
                move |v| kind_edit(editor, i, "min-choices", |k| if let FieldKind::MultipleChoice { min, .. } = k { *min = v }))}
            {count_input(format!("field-{i}-max-choices"), "At most (choices)".into(),
                move || kind_value(editor, i, |k| match k { FieldKind::MultipleChoice { max, .. } => Some(*max), _ => None }),
                move |v| kind_edit(editor, i, "max-choices", |k| if let FieldKind::MultipleChoice { max, .. } = k { *max = v }))}
            {check_input(format!("field-{i}-other"), "Allow an own answer (“Other: …”)".into(),
                move || kind_value(editor, i, |k| match k { FieldKind::MultipleChoice { other, .. } => Some(*other), _ => None }),
                move |v| kind_edit(editor, i, "other", |k| if let FieldKind::MultipleChoice { other, .. } = k { *other = v }))}
        }
        .into_any(),
        _ => view! {
            <p class="muted small">"Visitors put every option in their order, first choice first."</p>
        }
        .into_any(),
    };
    view! { {options_editor(editor, i, count, "Option")}{extra} }
}

fn rows_mut(kind: &mut FieldKind) -> Option<&mut Vec<MatrixRow>> {
    match kind {
        FieldKind::Matrix { rows, .. } => Some(rows),
        _ => None,
    }
}

fn row(kind: &FieldKind, j: usize) -> Option<&MatrixRow> {
    match kind {
        FieldKind::Matrix { rows, .. } => rows.get(j),
        _ => None,
    }
}

/// A matrix: its rows (each optionally required) and its columns.
pub fn matrix_settings(editor: Editor, i: usize, rows: usize, columns: usize) -> impl IntoView {
    let row_items = (0..rows)
        .map(|j| {
            let n = j + 1;
            view! {
                <li class="option">
                    {text_input(format!("field-{i}-row-{j}-value"), format!("Row {n} value"),
                        move || kind_value(editor, i, |k| row(k, j).map(|r| r.value.clone())),
                        move |v| kind_edit(editor, i, &format!("row-{j}-value"), |k| {
                            if let Some(r) = rows_mut(k).and_then(|r| r.get_mut(j)) { r.value = v.trim().to_owned() }
                        }))}
                    {field_text(editor, i, format!("row-{j}-label"), format!("Row {n} label"), false,
                        move |f| row(&f.kind, j).map(|r| r.label.clone()),
                        move |f| rows_mut(&mut f.kind).and_then(|r| r.get_mut(j)).map(|r| &mut r.label))}
                    {check_input(format!("field-{i}-row-{j}-required"), format!("Row {n} must be answered"),
                        move || kind_value(editor, i, |k| row(k, j).map(|r| r.required)),
                        move |v| kind_edit(editor, i, &format!("row-{j}-required"), |k| {
                            if let Some(r) = rows_mut(k).and_then(|r| r.get_mut(j)) { r.required = v }
                        }))}
                    <button type="button" class="link" aria-label=format!("Remove row {n}")
                        on:click=move |_| kind_edit(editor, i, "remove-row", |k| {
                            if let Some(r) = rows_mut(k).filter(|r| j < r.len()) { r.remove(j); }
                        })>"Remove row"</button>
                </li>
            }
        })
        .collect_view();
    let add_row = move |_| {
        kind_edit(editor, i, "add-row", |k| {
            if let Some(rows) = rows_mut(k) {
                let n = rows.len() + 1;
                rows.push(MatrixRow { value: format!("row_{n}"), label: LocalText::default(), required: false });
            }
        })
    };
    view! {
        <p class="muted small">"“Required” above asks for every row; a row of its own can be required too."</p>
        <fieldset class="options">
            <legend>"Rows"</legend>
            <ol>{row_items}</ol>
            <button type="button" on:click=add_row>"+ Add row"</button>
        </fieldset>
        {options_editor(editor, i, columns, "Column")}
    }
}

/// A calculation: its formula as text, and whether the visitor sees the value.
pub fn calculation_settings(editor: Editor, i: usize) -> impl IntoView {
    let id = format!("field-{i}-formula");
    let error_id = format!("{id}-error");
    let stored = move || {
        kind_value(editor, i, |k| match k {
            FieldKind::Calculation { formula, .. } => Some(formula.to_text()),
            _ => None,
        })
    };
    // What the operator typed, kept while it does not read as a formula yet.
    let typed = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let write = move |text: String| match Formula::parse(&text) {
        Ok(formula) => {
            typed.set(None);
            error.set(None);
            kind_edit(editor, i, "formula", |k| {
                if let FieldKind::Calculation { formula: slot, .. } = k {
                    *slot = formula
                }
            });
        }
        Err(problem) => {
            typed.set(Some(text));
            error.set(Some(problem));
        }
    };
    view! {
        <div class="prop">
            <label for=id.clone()>"Formula"</label>
            <input id=id.clone() type="text" spellcheck="false" aria-describedby=format!("{id}-help {error_id}")
                aria-invalid=move || error.with(Option::is_some).to_string()
                prop:value=move || typed.get().unwrap_or_else(stored)
                on:input=move |ev| write(event_target_value(&ev)) />
            <p class="muted small" id=format!("{id}-help")>
                "Field keys of earlier fields, numbers with a dot, + − * and brackets, e.g. price * quantity + 4.95. "
                "A choice counts its chosen option's score, a matrix the sum over its rows, yes counts 1, "
                "an unanswered question 0."
            </p>
            <p class="problem" id=error_id role="status">{move || error.get()}</p>
        </div>
        {check_input(format!("field-{i}-show"), "Show the value to the visitor as they answer".into(),
            move || kind_value(editor, i, |k| match k { FieldKind::Calculation { show, .. } => Some(*show), _ => None }),
            move |v| kind_edit(editor, i, "show", |k| if let FieldKind::Calculation { show, .. } = k { *show = v }))}
    }
}
