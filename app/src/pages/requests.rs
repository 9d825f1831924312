//! The register of data-subject requests: register one, see what is due (owner and
//! DPO).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

use super::{load_error, loading};
use crate::api::{RegisterRequest, RequestItem, list_requests};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    Due,
    Received,
}

pub fn status_label(status: &str) -> &'static str {
    match status {
        "received" => "Received",
        "in_review" => "In review",
        "answered" => "Answered",
        _ => "Unknown",
    }
}

#[component]
pub fn RequestsPage() -> impl IntoView {
    let register = ServerAction::<RegisterRequest>::new();
    let list = Resource::new(move || register.version().get(), |_| list_requests());
    let sort = RwSignal::new(Sort::Due);
    let navigate = use_navigate();
    Effect::new(move || {
        if let Some(Ok(id)) = register.value().get() {
            navigate(&format!("/admin/requests/{id}"), Default::default());
        }
    });
    let failed = move || register.value().get().and_then(Result::err).map(|e| e.message);
    let sorted = move |mut items: Vec<RequestItem>| {
        match sort.get() {
            Sort::Due => {
                items.sort_by(|a, b| (a.status == "answered", &a.due_on).cmp(&(b.status == "answered", &b.due_on)))
            }
            Sort::Received => items.sort_by(|a, b| b.received_on.cmp(&a.received_on)),
        }
        items
    };
    view! {
        <Title text="Requests · Formseal" />
        <h1>"Data-subject requests"</h1>
        <p class="muted">"Access (Art. 15), rectification (Art. 16) and erasure (Art. 17). A request is due one month after it arrived."</p>
        <section class="card">
            <h2>"Register a request"</h2>
            <ActionForm action=register attr:class="stacked">
                <label for="r-requester">"Who asked"</label>
                <input id="r-requester" name="requester" required maxlength="200" />
                <label for="r-contact">"Reply to (e-mail or address)"</label>
                <input id="r-contact" name="contact" maxlength="200" />
                <label for="r-received">"Received on"</label>
                <input id="r-received" name="received_on" type="date" required />
                <label for="r-identity">"Identity check"</label>
                <textarea id="r-identity" name="identity_check" maxlength="1000"
                    placeholder="How the person's identity was confirmed"></textarea>
                <button type="submit" class="primary">"Register"</button>
            </ActionForm>
            {move || failed().map(|m| view! { <p class="error" role="alert">{m}</p> })}
        </section>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => load_error(e),
                    Ok(items) if items.is_empty() => view! { <p>"No requests yet."</p> }.into_any(),
                    Ok(items) => view! {
                        <table class="list" aria-label="Requests">
                            <thead><tr>
                                <th><button type="button" class="link" aria-pressed=move || (sort.get() == Sort::Received).to_string()
                                    on:click=move |_| sort.set(Sort::Received)>"Received"</button></th>
                                <th><button type="button" class="link" aria-pressed=move || (sort.get() == Sort::Due).to_string()
                                    on:click=move |_| sort.set(Sort::Due)>"Due"</button></th>
                                <th>"Who asked"</th><th>"Status"</th><th>"Identity check"</th>
                            </tr></thead>
                            <tbody>{move || sorted(items.clone()).into_iter().map(|r| view! {
                                <tr class:overdue=r.overdue>
                                    <td>{r.received_on}</td>
                                    <td>{r.due_on}{r.overdue.then_some(" (overdue)")}</td>
                                    <td><a href=format!("/admin/requests/{}", r.id)>{r.requester}</a></td>
                                    <td>{status_label(&r.status)}</td>
                                    <td>{if r.identity_check.is_empty() { "not noted".to_owned() } else { r.identity_check }}</td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
