//! The outbox: every message the instance sends, its fate, its tries; a failed
//! one can be sent again; a test message shows that mail arrives.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{load_error, loading};
use crate::api::{MessageItem, RetryMessage, SendTestMessage, message_attempts, outbox};

const STATUSES: [(&str, &str); 5] =
    [("", "All"), ("queued", "Queued"), ("sending", "Sending"), ("sent", "Sent"), ("failed", "Failed")];

fn status_text(status: &str) -> &'static str {
    match status {
        "queued" => "Queued",
        "sending" => "Sending",
        "sent" => "Sent",
        "failed" => "Failed",
        _ => "Unknown",
    }
}

fn purpose_text(purpose: &str) -> &'static str {
    match purpose {
        "password_reset" => "Password reset",
        "notification" => "New submission",
        "test" => "Test message",
        "submission.created" => "Webhook: new submission",
        "submission.deleted" => "Webhook: submission deleted",
        "webhook.test" => "Webhook: test event",
        _ => "Message",
    }
}

#[component]
pub fn MessagesPage() -> impl IntoView {
    let query = use_query_map();
    let form = move || query.read().get("form").unwrap_or_default();
    let status = move || query.read().get("status").unwrap_or_default();
    let before = move || query.read().get("before").and_then(|b| b.parse::<i64>().ok());
    let retry = ServerAction::<RetryMessage>::new();
    let test = ServerAction::<SendTestMessage>::new();
    let page = Resource::new(
        move || (form(), status(), before(), retry.version().get(), test.version().get()),
        |(form, status, before, _, _)| outbox(Some(form), Some(status), before),
    );
    view! {
        <Title text="Messages · Formseal" />
        <h1>"Messages"</h1>
        <p class="muted">"Every mail and webhook this instance sends goes through this outbox: queued, sent (with the mail server's or receiver's answer) or failed (with the reason). Messages that could not be delivered are tried again, with longer waits, for 24 hours. The outbox keeps what was sent to whom and when, not the text."</p>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => load_error(e),
                    Ok(p) => {
                        let sending = match p.sending.clone() {
                            Some(server) => view! { <p>"Sending through "<code>{server}</code>"."</p> }.into_any(),
                            None => view! {
                                <p class="notice" role="status">"This instance sends no mail: no mail server is set up. Start the server with "<code>"--smtp-url"</code>" and "<code>"--mail-from"</code>" (see docs/messages.md). Until then, personal links and invitations are shown to copy, and password resets are done with "<code>"formseal accounts reset-password"</code>"."</p>
                            }.into_any(),
                        };
                        let counts = p.counts.iter().map(|(s, n)| format!("{}: {n}", status_text(s))).collect::<Vec<_>>().join(" · ");
                        let next = p.next_before.map(|b| {
                            let href = format!("/admin/messages?form={}&status={}&before={b}", form(), status());
                            view! { <p><a href=href>"Older messages"</a></p> }
                        });
                        view! {
                            {sending}
                            <TestMessage test=test can_send=p.sending.is_some() />
                            <nav class="filters" aria-label="Show">
                                {STATUSES.iter().map(|(value, label)| {
                                    let href = format!("/admin/messages?form={}&status={value}", form());
                                    let current = status() == *value;
                                    view! { <a href=href aria-current=current.then_some("page")>{*label}</a>" " }
                                }).collect_view()}
                            </nav>
                            <p class="muted small">{counts}</p>
                            {if p.items.is_empty() {
                                view! { <p>"No messages."</p> }.into_any()
                            } else {
                                view! {
                                    <table class="list messages">
                                        <thead><tr>
                                            <th>"Queued (UTC)"</th><th>"What"</th><th>"To"</th><th>"Status"</th><th>"Tries"</th><th>"Action"</th>
                                        </tr></thead>
                                        <tbody>{p.items.into_iter().map(|m| view! { <MessageRow message=m retry=retry /> }).collect_view()}</tbody>
                                    </table>
                                }.into_any()
                            }}
                            {next}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
        {move || retry.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.message}</p> })}
    }
}

#[component]
fn TestMessage(test: ServerAction<SendTestMessage>, can_send: bool) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="test-title">
            <h2 id="test-title">"Test message"</h2>
            <ActionForm action=test>
                <label for="test-to">"Send a test message to"</label>
                <input id="test-to" name="to" type="email" autocomplete="email" required maxlength="254" />
                <button type="submit" disabled=move || !can_send || test.pending().get()>"Send"</button>
            </ActionForm>
            {move || test.value().get().map(|r| match r {
                Ok(_) => view! { <p role="status" class="ok">"Queued. Its fate shows below in a moment."</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn MessageRow(message: MessageItem, retry: ServerAction<RetryMessage>) -> impl IntoView {
    let id = message.id.clone();
    let tries = Action::new(move |id: &String| message_attempts(id.clone()));
    let status = match (message.status.as_str(), &message.sent, &message.next_try) {
        ("sent", Some(at), _) => format!("Sent {at}"),
        ("queued", _, Some(next)) if message.attempts > 0 => format!("Queued: next try {next}"),
        (s, _, _) => status_text(s).to_owned(),
    };
    let what = match &message.form {
        Some(form) => format!("{} ({form})", purpose_text(&message.purpose)),
        None => purpose_text(&message.purpose).to_owned(),
    };
    let retry_id = id.clone();
    view! {
        <tr data-status=message.status.clone()>
            <td>{message.created}</td>
            <td>{what}<br /><span class="small muted">{message.subject}</span></td>
            <td>{message.to}</td>
            <td>
                {status}
                {message.last_error.map(|e| view! { <br /><span class="small error-text">{e}</span> })}
            </td>
            <td>
                <button type="button" class="link" on:click=move |_| { tries.dispatch(id.clone()); }>
                    {message.attempts.to_string()}
                </button>
            </td>
            <td>
                {message.retryable.then(|| view! {
                    <ActionForm action=retry>
                        <input type="hidden" name="id" value=retry_id.clone() />
                        <button type="submit">"Send again"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
        {move || tries.value().get().map(|r| match r {
            Err(e) => view! { <tr><td colspan="6" class="error">{e.message}</td></tr> }.into_any(),
            Ok(list) => view! {
                <tr class="attempts"><td colspan="6"><ul>
                    {list.into_iter().map(|a| view! { <li>{a.at}" · "{a.outcome}" · "{a.detail}</li> }).collect_view()}
                </ul></td></tr>
            }.into_any(),
        })}
    }
}
