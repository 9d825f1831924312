//! The data overview, publishing with its checks, the version history and the
//! embed code with a preview on a sample page.

use formseal_model::definition::DefinitionProblem;
use formseal_model::overview::{NoteLevel, overview};
use leptos::prelude::*;

use super::state::{Editor, SaveState};
use crate::api::{SetSpamProtection, VersionItem, publish_form, save_draft};

#[component]
pub fn DataOverview(editor: Editor) -> impl IntoView {
    let summary = Memo::new(move |_| editor.with_def(overview));
    let list = |items: Vec<String>| {
        if items.is_empty() { "—".to_owned() } else { items.join(", ") }
    };
    view! {
        <section class="panel" aria-labelledby="overview-title">
            <h2 id="overview-title">"Data overview"</h2>
            <dl class="overview">
                <dt>"Special categories (Art. 9)"</dt><dd>{move || list(summary.get().special)}</dd>
                <dt>"Personal data"</dt><dd>{move || list(summary.get().personal)}</dd>
                <dt>"Not personal"</dt><dd>{move || list(summary.get().none)}</dd>
            </dl>
            <ul class="notes">
                {move || summary.get().notes.into_iter().map(|note| {
                    let (class, word) = match note.level {
                        NoteLevel::Warning => ("note warning", "Warning: "),
                        NoteLevel::Hint => ("note hint", "Hint: "),
                    };
                    let goto = note.field.map(|i| view! {
                        <button type="button" class="link" on:click=move |_| editor.selected.set(Some(i))>"Show field"</button>
                    });
                    view! { <li class=class><strong>{word}</strong>{note.message}" "{goto}</li> }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Publishes the saved draft. The draft is saved first, so what is published is
/// exactly what the operator sees.
#[component]
pub fn PublishPanel(
    editor: Editor,
    problems: Memo<Vec<DefinitionProblem>>,
    /// Bumped after each publication, to reload the version history.
    published: RwSignal<u32>,
) -> impl IntoView {
    let message = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(false);
    let publish = move |_| {
        busy.set(true);
        message.set(None);
        let snapshot = editor.draft.get_untracked();
        leptos::task::spawn_local(async move {
            let id = snapshot.definition.id.clone();
            let result = match save_draft(id.clone(), snapshot.definition, snapshot.origins).await {
                Ok(()) => publish_form(id).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(r) if r.version.is_some() => {
                    editor.save_state.set(SaveState::Saved);
                    message.set(Some((true, "Published. Visitors get this version from now on.".into())));
                    published.update(|n| *n += 1);
                }
                Ok(r) => message.set(Some((false, format!("Not published: {} problem(s) to fix.", r.problems.len())))),
                Err(e) => message.set(Some((false, e.message))),
            }
            busy.set(false);
        });
    };
    let problem_list = move || {
        problems.with(|p| {
            p.iter()
                .map(|problem| {
                    let goto = problem.field.map(|i| {
                        view! {
                            <button type="button" class="link" on:click=move |_| editor.selected.set(Some(i))>
                                {format!("Field {}", i + 1)}
                            </button>
                            ": "
                        }
                    });
                    view! { <li>{goto}{problem.message.clone()}</li> }
                })
                .collect_view()
        })
    };
    let count = move || problems.with(Vec::len);
    view! {
        <section class="panel" aria-labelledby="publish-title">
            <h2 id="publish-title">"Publish"</h2>
            {move || if count() == 0 {
                view! { <p class="ok">"Ready to publish."</p> }.into_any()
            } else {
                view! {
                    <p>{format!("{} to fix before publishing:", if count() == 1 { "1 problem".to_owned() } else { format!("{} problems", count()) })}</p>
                    <ul class="problems">{problem_list}</ul>
                }.into_any()
            }}
            <button type="button" class="primary" on:click=publish disabled=move || { busy.get() || count() != 0 }>
                "Publish new version"
            </button>
            <p role="status" class=move || match message.get() { Some((true, _)) => "ok", _ => "error" }>
                {move || message.get().map(|(_, m)| m)}
            </p>
        </section>
    }
}

#[component]
pub fn VersionHistory(versions: Vec<VersionItem>) -> impl IntoView {
    if versions.is_empty() {
        return view! { <p class="muted">"Not published yet."</p> }.into_any();
    }
    let items = versions
        .into_iter()
        .map(|v| {
            let state = if v.current {
                "current".to_owned()
            } else {
                format!("replaced {}", v.retired_at.unwrap_or_default())
            };
            view! {
                <li>
                    <p><strong>{v.published_at}</strong>" · "{state}" · "<code title="Version digest">{v.digest[..12.min(v.digest.len())].to_owned()}</code></p>
                    <ul>{v.changes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
                </li>
            }
        })
        .collect_view();
    view! { <ol class="versions">{items}</ol> }.into_any()
}

/// The script tag to copy, and the form embedded in a sample page.
#[component]
pub fn EmbedPanel(form_id: String, public_url: String, live: bool) -> impl IntoView {
    let snippet = format!("<script src=\"{public_url}/embed.js\" data-form=\"{form_id}\" async></script>");
    let sample = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sample page</title></head>\
         <body><h1>Your page</h1>\
         <p>Your own content; the form appears where the tag is.</p>{snippet}</body></html>"
    );
    let copied = RwSignal::new(false);
    let copy = {
        let snippet = snippet.clone();
        move |_| {
            if let Some(clipboard) = window().navigator().clipboard().into() {
                let clipboard: web_sys::Clipboard = clipboard;
                let _ = clipboard.write_text(&snippet);
                copied.set(true);
            }
        }
    };
    view! {
        <section class="panel" aria-labelledby="embed-title">
            <h2 id="embed-title">"Embed"</h2>
            <label for="embed-code">"Put this tag where the form should appear:"</label>
            <textarea id="embed-code" readonly rows="2">{snippet.clone()}</textarea>
            <button type="button" on:click=copy>"Copy"</button>
            <span role="status">{move || copied.get().then_some(" Copied.")}</span>
            {if live {
                view! { <iframe class="embed-preview" title="Sample page with the embedded form" srcdoc=sample></iframe> }.into_any()
            } else {
                view! { <p class="muted">"Publish the form to see it on a sample page."</p> }.into_any()
            }}
        </section>
    }
}

/// How much work each submission costs the visitor's browser (spam protection
/// without third parties). Takes effect at once, without publishing.
#[component]
pub fn SpamProtection(form_id: String, bits: Option<u32>, default: u32) -> impl IntoView {
    let save = ServerAction::<SetSpamProtection>::new();
    let outcome = move || {
        save.value().get().map(|r| match r {
            Ok(()) => view! { <p role="status" class="ok">"Saved."</p> }.into_any(),
            Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
        })
    };
    view! {
        <section class="panel" aria-labelledby="spam-title">
            <h2 id="spam-title">"Spam protection"</h2>
            <p class="muted small">
                {format!(
                    "Each submission needs a small proof of work, solved in the background while the visitor types \
                     (about 1 s on a mid-range phone at {default} bits; each extra bit doubles it). Empty: the server's \
                     default ({default})."
                )}
            </p>
            <ActionForm action=save>
                <input type="hidden" name="id" value=form_id />
                <label for="spam-bits">"Work per submission (bits)"</label>
                <input id="spam-bits" name="bits" type="number" min="0" max="26" value=bits.map(|b| b.to_string()) />
                <button type="submit">"Save"</button>
            </ActionForm>
            {outcome}
        </section>
    }
}
