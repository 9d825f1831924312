//! Renders a Formseal form with Leptos. The same components run in the widget
//! (client-side), in the console's preview and on the personal-link page, and they
//! validate with the model's one `validate`.

mod fields;
mod notice;
mod signature;
pub mod texts;

use std::collections::BTreeMap;

use formseal_model::{Answers, FormDef, Lang, Problem, ValidationContext, check_field, normalize, validate};
use leptos::prelude::*;
use wasm_bindgen::JsCast as _;

pub use notice::NoticeView;

/// Problems to show next to fields, by field key.
pub type Problems = BTreeMap<String, Problem>;

/// The form: notice, fields, submit button. Calls `on_submit` with normalised,
/// validated answers; everything after that (signing, sending) is the caller's.
#[component]
pub fn FormView(
    form: FormDef,
    #[prop(into)] lang: String,
    ctx: ValidationContext,
    answers: RwSignal<Answers>,
    problems: RwSignal<Problems>,
    #[prop(into)] busy: Signal<bool>,
    on_submit: Callback<Answers>,
    /// Answers fixed by a personal link: shown, not editable.
    #[prop(optional)]
    locked: Vec<String>,
) -> impl IntoView {
    let lang = form.pick_lang(&lang).to_owned();
    let t = texts::of(Lang::parse(&lang));
    let form = StoredValue::new(form);
    let id_prefix = format!("fs-{}", form.with_value(|f| f.id.clone()));

    let submit = {
        let id_prefix = id_prefix.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            let mut current = answers.get_untracked();
            form.with_value(|f| normalize(f, &mut current));
            match form.with_value(|f| validate(f, &current, &ctx)) {
                Ok(()) => {
                    problems.set(Problems::new());
                    on_submit.run(current);
                }
                Err(errors) => {
                    let first = errors.first().map(|e| format!("{id_prefix}-{}", e.field));
                    problems.set(errors.into_iter().map(|e| (e.field, e.problem)).collect());
                    let form_element = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
                    if let (Some(first), Some(form_element)) = (first, form_element) {
                        focus_field(&form_element, &first);
                    }
                }
            }
        }
    };

    // Checks one field when the visitor leaves it, so mistakes show early.
    let check_one = Callback::new(move |key: String| {
        let value = answers.with_untracked(|a| a.get(&key).cloned());
        let result = form.with_value(|f| {
            f.field(&key).map(|field| {
                let mut one: Answers = value.into_iter().map(|v| (key.clone(), v)).collect();
                let single = FormDef { fields: vec![field.clone()], ..f.clone() };
                normalize(&single, &mut one);
                check_field(field, one.get(&key), &ctx)
            })
        });
        problems.update(|p| match result {
            Some(Err(problem)) => {
                p.insert(key, problem);
            }
            _ => {
                p.remove(&key);
            }
        });
    });

    let recheck = Callback::new(move |key: String| {
        if problems.with_untracked(|p| p.contains_key(&key)) {
            check_one.run(key);
        }
    });

    let title = form.with_value(|f| f.title.get(&lang).to_owned());
    let description =
        form.with_value(|f| f.description.as_ref().map(|d| d.get(&lang).to_owned()).filter(|d| !d.trim().is_empty()));
    let error_summary = move || {
        let count = problems.with(|p| p.len());
        (count > 0).then(|| view! { <p class="fs-summary" role="alert">{(t.fix_errors)(count)}</p> })
    };
    let fields = form.with_value(|f| {
        f.fields
            .iter()
            .cloned()
            .map(|field| {
                view! {
                    <fields::FieldView
                        locked=locked.contains(&field.key)
                        field=field
                        lang=lang.clone()
                        id_prefix=id_prefix.clone()
                        answers=answers
                        problems=problems
                        on_leave=check_one
                        on_edit=recheck
                    />
                }
            })
            .collect_view()
    });
    let notice = form.with_value(|f| view! { <NoticeView notice=f.notice.clone() lang=lang.clone() /> });

    view! {
        <form class="fs-form" novalidate on:submit=submit aria-busy=move || busy.get().to_string()>
            <h2 class="fs-title">{title}</h2>
            {description.map(|d| view! { <p class="fs-description">{d}</p> })}
            {fields}
            {notice}
            {error_summary}
            <button type="submit" class="fs-submit" disabled=move || busy.get()>
                {move || if busy.get() { t.sending } else { t.submit }}
            </button>
        </form>
    }
}

/// Moves focus to the control of field `id` (or its first option), so keyboard and
/// screen-reader users land on the first problem.
fn focus_field(form: &web_sys::Element, id: &str) {
    let Ok(controls) = form.query_selector_all("input, textarea, select") else { return };
    let option_prefix = format!("{id}-");
    for i in 0..controls.length() {
        let Some(control) = controls.item(i).and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) else { continue };
        let control_id = control.id();
        if control_id == id || control_id.starts_with(&option_prefix) {
            let _ = control.focus();
            return;
        }
    }
}
