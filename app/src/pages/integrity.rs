//! Integrity check (owner and DPO): verifies every signed object of one form or of
//! all forms and names the first break precisely.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::VerifyIntegrity;

#[component]
pub fn IntegrityPage() -> impl IntoView {
    let check = ServerAction::<VerifyIntegrity>::new();
    let failed = move || check.value().get().and_then(Result::err).map(|e| e.message);
    let results = move || check.value().get().and_then(Result::ok);
    view! {
        <Title text="Integrity · Formseal" />
        <h1>"Integrity check"</h1>
        <p class="muted">
            "Checks every published form version's signature, every envelope whose answers are still held, every receipt and the receipt chain, and every tombstone. "
            "The same check runs offline on a JSON export: "<code>"formseal verify --export file.json --keys formseal-keys.json"</code>"."
        </p>
        <ActionForm action=check attr:class="inline-form">
            <label for="integrity-form">"Form id (empty: all forms)"</label>
            <input id="integrity-form" name="form" value="" />
            <button type="submit">"Check"</button>
        </ActionForm>
        {move || check.pending().get().then(|| view! { <p class="muted">"Checking …"</p> })}
        {move || failed().map(|m| view! { <p class="error" role="alert">{m}</p> })}
        {move || results().map(|items| view! {
            <table class="list integrity">
                <thead><tr><th>"Form"</th><th>"Result"</th><th class="num">"Sequence"</th><th>"Submission"</th><th>"Details"</th></tr></thead>
                <tbody>{items.into_iter().map(|i| view! {
                    <tr class={if i.intact { "intact" } else { "broken" }}>
                        <td><code>{i.form}</code></td>
                        <td>{if i.intact { "Intact" } else { "BROKEN" }}</td>
                        <td class="num">{i.sequence.map(|s| s.to_string()).unwrap_or_default()}</td>
                        <td>{i.submission.unwrap_or_default()}</td>
                        <td>{i.problem.unwrap_or(i.summary)}</td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
        })}
    }
}
