//! Renders a Formseal form with Leptos. The same components run in the widget
//! (client-side), in the console's preview and on the personal-link page, and they
//! validate with the model's one `validate`.

mod choices;
mod fields;
mod notice;
mod signature;
pub mod texts;

use std::collections::BTreeMap;

use formseal_model::logic::{self, Outcome};
use formseal_model::validate::check_answer;
use formseal_model::{Answers, FieldKind, FormDef, Lang, Problem, ValidationContext, normalize, validate};
use leptos::prelude::*;
use wasm_bindgen::JsCast as _;

pub use notice::NoticeView;

/// Problems to show next to fields, by field key.
pub type Problems = BTreeMap<String, Problem>;

/// The form: notice, fields, submit button. Calls `on_submit` with normalised,
/// validated answers; everything after that (signing, sending) is the caller's.
///
/// The form's logic decides live which fields show (a field the answers hide leaves
/// the page, and its answer is dropped before signing). A form with page breaks
/// shows one page at a time with its progress, Back and Next; Next checks the page
/// first, and the path skips the pages the answers rule out.
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
    /// The page shown (a position in [`logic::pages`]); the caller may keep it, say
    /// in a draft.
    #[prop(optional)]
    page: Option<RwSignal<usize>>,
) -> impl IntoView {
    let lang = form.pick_lang(&lang).to_owned();
    let t = texts::of(Lang::parse(&lang));
    let pages = logic::pages(&form);
    let page_count = pages.len();
    let page_of_field: Vec<usize> =
        pages.iter().enumerate().flat_map(|(n, range)| range.clone().map(move |_| n)).collect();
    let form = StoredValue::new(form);
    let id_prefix = format!("fs-{}", form.with_value(|f| f.id.clone()));
    let page = page.unwrap_or_else(|| RwSignal::new(0));
    let outcome: Memo<Outcome> = Memo::new(move |_| answers.with(|a| form.with_value(|f| logic::evaluate(f, a))));
    // Where the shown page stands on the path the answers so far take.
    let position = Memo::new(move |_| {
        let current = page.get();
        outcome.with(|o| o.path.iter().position(|p| *p == current).unwrap_or(0))
    });
    let on_last_page = Memo::new(move |_| outcome.with(|o| position.get() + 1 >= o.path.len()));
    let page_of_key = {
        let page_of_field = page_of_field.clone();
        move |key: &str| {
            form.with_value(|f| f.fields.iter().position(|x| x.key == key)).and_then(|i| page_of_field.get(i).copied())
        }
    };
    // Moves to `target` and puts focus on its title, so keyboard and screen-reader
    // users start reading the new page at its top.
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let go_to = move |target: usize| {
        page.set(target);
        request_animation_frame(move || {
            let title = form_ref.get_untracked().and_then(|f| f.query_selector(".fs-page-title").ok().flatten());
            if let Some(title) = title.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = title.focus();
            }
        });
    };

    // Every problem of the answers so far, as the submit button sees them.
    let all_errors = move || {
        let mut current = answers.get_untracked();
        form.with_value(|f| normalize(f, &mut current));
        (form.with_value(|f| validate(f, &current, &ctx)), current)
    };
    let show_errors = {
        let id_prefix = id_prefix.clone();
        let page_of_key = page_of_key.clone();
        move |errors: Vec<formseal_model::FieldError>| {
            let first = errors.first().map(|e| e.field.clone());
            problems.set(errors.into_iter().map(|e| (e.field, e.problem)).collect());
            let Some(first) = first else { return };
            if let Some(target) = page_of_key(&first).filter(|p| *p != page.get_untracked()) {
                page.set(target);
            }
            let id = format!("{id_prefix}-{first}");
            // After the page with the problem is on screen.
            request_animation_frame(move || {
                if let Some(form_element) = form_ref.get_untracked() {
                    focus_field(&form_element, &id);
                }
            });
        }
    };
    let submit = {
        let show_errors = show_errors.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            if !on_last_page.get_untracked() {
                // Enter in a text box submits the form: on an inner page it means Next.
                if let Some(next) = form_ref.get_untracked().and_then(|f| next_page(&f)) {
                    next.click();
                }
                return;
            }
            match all_errors() {
                (Ok(()), current) => {
                    problems.set(Problems::new());
                    on_submit.run(current);
                }
                (Err(errors), _) => show_errors(errors),
            }
        }
    };
    // Problems can also come from the server (or a check on another page): the form
    // then opens the first page that shows one.
    {
        let page_of_key = page_of_key.clone();
        Effect::new(move |_| {
            let on_pages: Vec<usize> = problems.with(|p| p.keys().filter_map(|k| page_of_key(k)).collect());
            let here = page.get_untracked();
            if let Some(first) = on_pages.iter().min().filter(|_| !on_pages.contains(&here)) {
                page.set(*first);
            }
        });
    }
    let next = {
        let page_of_key = page_of_key.clone();
        move |_| {
            let here = page.get_untracked();
            let errors: Vec<_> = match all_errors().0 {
                Ok(()) => Vec::new(),
                Err(errors) => errors.into_iter().filter(|e| page_of_key(&e.field) == Some(here)).collect(),
            };
            if !errors.is_empty() {
                return show_errors(errors);
            }
            problems.set(Problems::new());
            let target = outcome.with_untracked(|o| o.path.get(position.get_untracked() + 1).copied());
            if let Some(target) = target {
                go_to(target);
            }
        }
    };
    let back = {
        move |_| {
            let target = outcome.with_untracked(|o| o.path.get(position.get_untracked().wrapping_sub(1)).copied());
            if let Some(target) = target {
                go_to(target);
            }
        }
    };

    // Checks one field when the visitor leaves it, so mistakes show early.
    let check_one = Callback::new(move |key: String| {
        let value = answers.with_untracked(|a| a.get(&key).cloned());
        let result = form.with_value(|f| {
            let index = f.fields.iter().position(|x| x.key == key)?;
            let field = &f.fields[index];
            let mut one: Answers = value.into_iter().map(|v| (key.clone(), v)).collect();
            let single = FormDef { fields: vec![field.clone()], ..f.clone() };
            normalize(&single, &mut one);
            let required = outcome.with_untracked(|o| o.is_required(index));
            Some(check_answer(field, required, one.get(&key), &ctx))
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
            .enumerate()
            .map(|(index, field)| {
                let on_page = page_of_field.get(index).copied().unwrap_or(0);
                let shown = move || page.get() == on_page && outcome.with(|o| o.is_shown(index));
                if matches!(field.kind, FieldKind::PageBreak { .. }) {
                    // The page's title: where focus goes when the page opens.
                    let (id, title) = (format!("{id_prefix}-page"), field.label.get(&lang).to_owned());
                    return view! {
                        <Show when=shown>
                            <h3 class="fs-page-title" id=id.clone() tabindex="-1">{title.clone()}</h3>
                        </Show>
                    }
                    .into_any();
                }
                if let FieldKind::Calculation { show, .. } = field.kind {
                    // The value as the form computes it, live; the operator may keep it
                    // to themselves (it is in the envelope either way).
                    let label_id = format!("{id_prefix}-{}-label", field.key);
                    let label = field.label.get(&lang).to_owned();
                    let decimal_comma = lang == "de";
                    let value = move || {
                        let value =
                            outcome.with(|o| o.computed(index).map(str::to_owned)).unwrap_or_else(|| "–".into());
                        if decimal_comma { value.replace('.', ",") } else { value }
                    };
                    return view! {
                        <Show when=move || show && shown()>
                            <div class="fs-field fs-calculation" data-kind="calculation">
                                <span class="fs-calculation-label" id=label_id.clone()>{label.clone()}</span>
                                <output aria-labelledby=label_id.clone() aria-live="polite">{value}</output>
                            </div>
                        </Show>
                    }
                    .into_any();
                }
                let required = Signal::derive(move || outcome.with(|o| o.is_required(index)));
                let (lang, id_prefix) = (lang.clone(), id_prefix.clone());
                let locked = locked.contains(&field.key);
                view! {
                    <Show when=shown>
                        <fields::FieldView
                            locked=locked
                            field=field.clone()
                            required=required
                            lang=lang.clone()
                            id_prefix=id_prefix.clone()
                            answers=answers
                            problems=problems
                            on_leave=check_one
                            on_edit=recheck
                        />
                    </Show>
                }
                .into_any()
            })
            .collect_view()
    });
    let progress = (page_count > 1).then(|| {
        let text = move || outcome.with(|o| (t.page_of)(position.get() + 1, o.path.len()));
        view! {
            <div class="fs-progress">
                <p id=format!("{id_prefix}-progress") aria-live="polite">{text}</p>
                <progress
                    aria-labelledby=format!("{id_prefix}-progress")
                    max=move || outcome.with(|o| o.path.len()).to_string()
                    value=move || (position.get() + 1).to_string()
                ></progress>
            </div>
        }
    });
    let pager = (page_count > 1).then(|| {
        view! {
            <div class="fs-pager">
                <button type="button" class="fs-back" hidden=move || position.get() == 0 on:click=back>
                    {t.back}
                </button>
                <button type="button" class="fs-next" hidden=move || on_last_page.get() on:click=next>
                    {t.next}
                </button>
            </div>
        }
    });
    let notice = form.with_value(|f| view! { <NoticeView notice=f.notice.clone() lang=lang.clone() /> });

    view! {
        <form class="fs-form" novalidate node_ref=form_ref on:submit=submit aria-busy=move || busy.get().to_string()>
            <h2 class="fs-title">{title}</h2>
            {description.map(|d| view! { <p class="fs-description">{d}</p> })}
            {progress}
            {fields}
            {error_summary}
            {pager}
            // The notice and the button that sends, on the last page: read where one sends.
            <div class="fs-send" hidden=move || !on_last_page.get()>
                {notice}
                <button type="submit" class="fs-submit" disabled=move || busy.get()>
                    {move || if busy.get() { t.sending } else { t.submit }}
                </button>
            </div>
        </form>
    }
}

/// The page's Next button, which Enter on an inner page stands for.
fn next_page(form: &web_sys::Element) -> Option<web_sys::HtmlElement> {
    form.query_selector(".fs-next").ok().flatten()?.dyn_into::<web_sys::HtmlElement>().ok()
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
