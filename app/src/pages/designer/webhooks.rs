//! Where the form's new submissions and deletions are announced to other systems:
//! signed webhooks (Standard Webhooks). Saved at once (not part of the published
//! version); owners and admins only, since the data leaves the instance.

use leptos::prelude::*;

use crate::api::{
    AddWebhook, ErrorCode, NewWebhookSecret, RemoveWebhook, SetWebhook, TestWebhook, WebhookItem, WebhookSecret,
    webhooks,
};

const CREATED: &str = "submission.created";
const DELETED: &str = "submission.deleted";

fn event_text(event: &str) -> &'static str {
    match event {
        CREATED => "new submissions",
        DELETED => "deletions",
        _ => "other events",
    }
}

#[component]
pub fn Webhooks(form_id: String) -> impl IntoView {
    let add = ServerAction::<AddWebhook>::new();
    let set = ServerAction::<SetWebhook>::new();
    let secret = ServerAction::<NewWebhookSecret>::new();
    let remove = ServerAction::<RemoveWebhook>::new();
    let test = ServerAction::<TestWebhook>::new();
    let id = form_id.clone();
    let list = Resource::new(
        move || (add.version().get(), set.version().get(), secret.version().get(), remove.version().get()),
        move |_| webhooks(id.clone()),
    );
    let url = RwSignal::new(String::new());
    let on_created = RwSignal::new(true);
    let on_deleted = RwSignal::new(true);
    let answers = RwSignal::new(false);
    let deliveries = format!("/admin/messages?form={form_id}");
    view! {
        <section class="panel" aria-labelledby="webhooks-title">
            <h2 id="webhooks-title">"Webhooks"</h2>
            <p class="muted small">
                "Each new submission (and each deletion by retention or erasure) is sent to these addresses as it happens, signed in the Standard Webhooks format: with the webhook's secret and with this instance's key, so receivers can check it came from here. By default an event holds ids, digests and the signed receipt — no answers. "
                <a href=deliveries.clone()>"This form's deliveries and mails"</a>
            </p>
            <Suspense fallback=|| ()>
                {move || list.get().map(|r| match r {
                    Err(e) if e.code == ErrorCode::Forbidden => view! {
                        <p class="muted small">"Owners and admins manage webhooks."</p>
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok(list) => {
                        let form_id = form_id.clone();
                        let placeholder = if list.allow_private { "http://127.0.0.1:9000/hooks" } else { "https://example.org/hooks" };
                        view! {
                            {list.items.is_empty().then(|| view! { <p class="muted small">"No webhooks yet."</p> })}
                            <ul class="webhooks">
                                {list.items.into_iter().map(|w| view! { <WebhookEntry webhook=w set=set secret=secret remove=remove test=test /> }).collect_view()}
                            </ul>
                            <fieldset>
                                <legend>"Add a webhook"</legend>
                                <label for="webhook-url">"Receiver address (URL)"</label>
                                <input id="webhook-url" type="url" placeholder=placeholder maxlength="2000"
                                    prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev)) />
                                <span class="prop-check">
                                    <input id="webhook-created" type="checkbox" prop:checked=move || on_created.get()
                                        on:change=move |ev| on_created.set(event_target_checked(&ev)) />
                                    <label for="webhook-created">"New submissions"</label>
                                </span>
                                <span class="prop-check">
                                    <input id="webhook-deleted" type="checkbox" prop:checked=move || on_deleted.get()
                                        on:change=move |ev| on_deleted.set(event_target_checked(&ev)) />
                                    <label for="webhook-deleted">"Deletions (retention, erasure)"</label>
                                </span>
                                <span class="prop-check">
                                    <input id="webhook-answers" type="checkbox" prop:checked=move || answers.get()
                                        on:change=move |ev| answers.set(event_target_checked(&ev)) />
                                    <label for="webhook-answers">"Include the answers"</label>
                                </span>
                                {move || answers.get().then(|| view! {
                                    <p class="warning small" role="note">"The answers — personal data included — then leave this instance with every new submission. The receiver becomes a processor of that data: it needs a data-processing agreement, and what it stores is no longer deleted on this form's schedule. The choice is recorded in the audit log."</p>
                                })}
                                <button type="button" on:click=move |_| {
                                    let mut events = Vec::new();
                                    if on_created.get_untracked() { events.push(CREATED.to_owned()); }
                                    if on_deleted.get_untracked() { events.push(DELETED.to_owned()); }
                                    add.dispatch(AddWebhook {
                                        form: form_id.clone(),
                                        url: url.get_untracked(),
                                        events,
                                        include_answers: answers.get_untracked(),
                                    });
                                }>"Add webhook"</button>
                            </fieldset>
                        }.into_any()
                    }
                })}
            </Suspense>
            {move || add.value().get().map(|r| secret_shown(r, "Webhook added."))}
            {move || secret.value().get().map(|r| secret_shown(r, "New secret made; the old one no longer verifies."))}
            {move || set.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.message}</p> })}
            {move || remove.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.message}</p> })}
            {move || test.value().get().map(|r| match r {
                Ok(_) => view! { <p role="status" class="ok">"Test event queued: its delivery shows under "<a href=deliveries.clone()>"Messages"</a>"."</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
            })}
        </section>
    }
}

fn secret_shown(result: Result<WebhookSecret, crate::api::ConsoleError>, done: &'static str) -> AnyView {
    match result {
        Ok(s) => view! {
            <div role="status" class="ok">
                <p>{done}" Its secret, shown only now — give it to the receiver:"</p>
                <p><code class="webhook-secret">{s.secret}</code></p>
            </div>
        }
        .into_any(),
        Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
    }
}

#[component]
fn WebhookEntry(
    webhook: WebhookItem,
    set: ServerAction<SetWebhook>,
    secret: ServerAction<NewWebhookSecret>,
    remove: ServerAction<RemoveWebhook>,
    test: ServerAction<TestWebhook>,
) -> impl IntoView {
    let events = webhook.events.iter().map(String::as_str).map(event_text).collect::<Vec<_>>().join(", ");
    let WebhookItem { id, enabled, include_answers, .. } = webhook.clone();
    let (id_set, id_answers, id_secret, id_remove, id_test) = (id.clone(), id.clone(), id.clone(), id.clone(), id);
    // Sending answers is asked twice: the warning first, then "yes".
    let confirming = RwSignal::new(false);
    let toggle_answers = move || {
        if include_answers || confirming.get_untracked() {
            confirming.set(false);
            set.dispatch(SetWebhook { id: id_answers.clone(), enabled, include_answers: !include_answers });
        } else {
            confirming.set(true);
        }
    };
    let toggle_again = toggle_answers.clone();
    view! {
        <li>
            <code>{webhook.url.clone()}</code>
            <span class="muted small">
                {format!(" — {events}; {}; added {} by {}", if enabled { "on" } else { "off" }, webhook.created, webhook.created_by)}
            </span>
            {include_answers.then(|| view! { <strong class="warning small">" Sends the answers"</strong> })}
            <span class="actions">
                <button type="button" on:click=move |_| { test.dispatch(TestWebhook { id: id_test.clone() }); }>"Send test event"</button>
                <button type="button" on:click=move |_| {
                    set.dispatch(SetWebhook { id: id_set.clone(), enabled: !enabled, include_answers });
                }>{if enabled { "Switch off" } else { "Switch on" }}</button>
                <button type="button" on:click=move |_| toggle_answers()>
                    {if include_answers { "Stop sending answers" } else { "Send answers too" }}
                </button>
                <button type="button" on:click=move |_| { secret.dispatch(NewWebhookSecret { id: id_secret.clone() }); }>"New secret"</button>
                <button type="button" class="danger" on:click=move |_| { remove.dispatch(RemoveWebhook { id: id_remove.clone() }); }>"Remove"</button>
            </span>
            {move || confirming.get().then(|| {
                let toggle = toggle_again.clone();
                view! {
                    <p class="warning small" role="alert">
                        "The answers — personal data included — will leave this instance with every new submission, to a receiver that needs a data-processing agreement. "
                        <button type="button" on:click=move |_| toggle()>"Yes, send the answers"</button>
                        <button type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                    </p>
                }
            })}
        </li>
    }
}
