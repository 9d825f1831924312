//! Matrices and rankings: choices that take more than one control.

use formseal_model::{Answers, ChoiceOption, Lang, MatrixRow};
use leptos::prelude::*;
use serde_json::{Value, json};

use crate::texts;

/// A matrix as one radio group per row: each row a fieldset whose legend is the row's
/// label, each column a labelled radio button, so arrow keys move along a row and
/// Tab from row to row. The answer is one object, row value to column value.
#[allow(clippy::too_many_arguments)]
pub fn matrix(
    id: &str,
    key: &str,
    rows: &[MatrixRow],
    columns: &[ChoiceOption],
    lang: &str,
    all_required: Signal<bool>,
    answers: RwSignal<Answers>,
    on_edit: Callback<String>,
) -> AnyView {
    let t = texts::of(Lang::parse(lang));
    let rows = rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            let row_required = row.required;
            let mark = move || {
                (row_required || all_required.get())
                    .then(|| view! { <span class="fs-required" title=t.required>" *"</span> })
            };
            let buttons = columns
                .iter()
                .enumerate()
                .map(|(c, column)| {
                    let (key, row_value, value) = (key.to_owned(), row.value.clone(), column.value.clone());
                    let checked = {
                        let (key, row_value, value) = (key.clone(), row_value.clone(), value.clone());
                        move || {
                            answers.with(|a| {
                                a.get(&key).and_then(|m| m.get(&row_value)).and_then(Value::as_str)
                                    == Some(value.as_str())
                            })
                        }
                    };
                    view! {
                        <label class="fs-option fs-cell">
                            <input
                                type="radio"
                                id=format!("{id}-{r}-{c}")
                                name=format!("{id}-{r}")
                                prop:checked=checked
                                on:change=move |_| {
                                    answers.update(|a| {
                                        let entry = a.entry(key.clone()).or_insert_with(|| json!({}));
                                        if !entry.is_object() {
                                            *entry = json!({});
                                        }
                                        if let Some(chosen) = entry.as_object_mut() {
                                            chosen.insert(row_value.clone(), json!(value.clone()));
                                        }
                                    });
                                    on_edit.run(key.clone());
                                }
                            />
                            <span>{column.label.get(lang).to_owned()}</span>
                        </label>
                    }
                })
                .collect_view();
            view! {
                <fieldset class="fs-matrix-row">
                    <legend>{row.label.get(lang).to_owned()}{mark}</legend>
                    <div class="fs-cells">{buttons}</div>
                </fieldset>
            }
        })
        .collect_view();
    view! { <div class="fs-matrix">{rows}</div> }.into_any()
}

/// A ranking: the visitor chooses the options one after another, first choice first.
/// Each option is a button that shows its place once chosen; choosing a ranked one
/// again takes it (and those after it keep their order) out. When one option is
/// left, it takes the last place by itself. The answer is the list in that order.
pub fn ranking(
    id: &str,
    key: &str,
    options: &[ChoiceOption],
    lang: &str,
    answers: RwSignal<Answers>,
    on_edit: Callback<String>,
) -> AnyView {
    let t = texts::of(Lang::parse(lang));
    let total = options.len();
    let order = {
        let key = key.to_owned();
        Memo::new(move |_| {
            answers.with(|a| {
                a.get(&key)
                    .and_then(Value::as_array)
                    .map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect::<Vec<_>>())
                    .unwrap_or_default()
            })
        })
    };
    let all: Vec<String> = options.iter().map(|o| o.value.clone()).collect();
    let set_order = {
        let key = key.to_owned();
        move |mut chosen: Vec<String>| {
            // The last option left needs no choice of its own.
            if chosen.len() + 1 == total
                && let Some(last) = all.iter().find(|v| !chosen.contains(v))
            {
                chosen.push(last.clone());
            }
            answers.update(|a| {
                if chosen.is_empty() {
                    a.remove(&key);
                } else {
                    a.insert(key.clone(), Value::Array(chosen.into_iter().map(Value::String).collect()));
                }
            });
            on_edit.run(key.clone());
        }
    };
    let buttons = options
        .iter()
        .enumerate()
        .map(|(i, option)| {
            let value = option.value.clone();
            let label = option.label.get(lang).to_owned();
            let place = {
                let value = value.clone();
                Memo::new(move |_| order.with(|o| o.iter().position(|v| *v == value).map(|p| p + 1)))
            };
            let spoken = {
                let label = label.clone();
                move || match place.get() {
                    Some(n) => (t.ranked_as)(&label, n),
                    None => (t.not_ranked)(&label),
                }
            };
            let set_order = set_order.clone();
            let toggle = move |_| {
                let mut chosen = order.get_untracked();
                match chosen.iter().position(|v| *v == value) {
                    Some(at) => {
                        chosen.remove(at);
                    }
                    None => chosen.push(value.clone()),
                }
                set_order(chosen);
            };
            view! {
                <li>
                    <button
                        type="button"
                        class="fs-rank-item"
                        id=format!("{id}-{i}")
                        aria-pressed=move || place.get().is_some().to_string()
                        aria-label=spoken
                        on:click=toggle
                    >
                        <span class="fs-rank-place" aria-hidden="true">
                            {move || place.get().map(|n| n.to_string()).unwrap_or_default()}
                        </span>
                        <span aria-hidden="true">{label.clone()}</span>
                    </button>
                </li>
            }
        })
        .collect_view();
    let status = move || (t.ranked_count)(order.with(Vec::len), total);
    let reset = move |_| set_order(Vec::new());
    view! {
        <p class="fs-help">{t.rank_hint}</p>
        <ul class="fs-ranking">{buttons}</ul>
        <p class="fs-rank-status" aria-live="polite">{status}</p>
        <button type="button" class="fs-clear" hidden=move || order.with(Vec::is_empty) on:click=reset>
            {t.rank_reset}
        </button>
    }
    .into_any()
}
