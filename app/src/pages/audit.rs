//! The audit log: filter, check the chain, export (owner and DPO).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{load_error, loading};
use crate::api::{AuditVerify, audit_log};

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let get = move |k: &str| query.read().get(k).unwrap_or_default();
    let page = move || query.read().get("page").and_then(|p| p.parse::<u64>().ok()).unwrap_or(1);
    let filter = move || (get("actor"), get("action"), get("from"), get("to"));
    let log = Resource::new(
        move || (filter(), page()),
        |((actor, action, from, to), page)| audit_log(actor, action, from, to, page),
    );
    let verify = ServerAction::<AuditVerify>::new();
    let export = move |format: &str| {
        let (actor, action, from, to) = filter();
        format!(
            "/admin/audit/export?format={format}&actor={}&action={}&from={}&to={}",
            enc(&actor),
            enc(&action),
            enc(&from),
            enc(&to)
        )
    };
    view! {
        <Title text="Audit log · Formseal" />
        <h1>"Audit log"</h1>
        <section class="card">
            <ActionForm action=verify>
                <button type="submit" class="primary">"Check the chain"</button>
            </ActionForm>
            <p role="status">{move || verify.value().get().map(|r| match r {
                Ok(check) => match check.broken {
                    None => format!("Intact: all {} records verify, none was edited or removed.", check.records),
                    Some(b) => format!("Broken at {b}. The log was tampered with after that record was written."),
                },
                Err(e) => e.message,
            })}</p>
        </section>
        <form method="get" class="filters" aria-label="Filter">
            <label for="f-actor">"Who"</label><input id="f-actor" name="actor" prop:value=move || get("actor") />
            <label for="f-action">"Action"</label>
            <select id="f-action" name="action" prop:value=move || get("action")>
                <option value="">"(any)"</option>
                // Every action the server records: the list cannot fall behind.
                {formseal_model::audit_action::Action::ALL
                    .iter()
                    .map(|a| view! { <option value=a.as_str()>{a.as_str()}</option> })
                    .collect_view()}
            </select>
            <label for="f-from">"From"</label><input id="f-from" name="from" type="date" prop:value=move || get("from") />
            <label for="f-to">"To"</label><input id="f-to" name="to" type="date" prop:value=move || get("to") />
            <button type="submit">"Filter"</button>
        </form>
        <p>
            <a href=move || export("json") download="audit.json">"Export JSON"</a>" · "
            <a href=move || export("csv") download="audit.csv">"Export CSV"</a>
        </p>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match log.await {
                    Err(e) => load_error(e),
                    Ok(p) if p.items.is_empty() => view! { <p>"No records match."</p> }.into_any(),
                    Ok(p) => {
                        let next = p.more.then(|| p.page + 1);
                        view! {
                            <table class="list">
                                <thead><tr><th class="num">"#"</th><th>"When (UTC)"</th><th>"Who"</th><th>"Action"</th><th>"Object"</th><th>"Detail"</th></tr></thead>
                                <tbody>{p.items.into_iter().map(|r| view! {
                                    <tr><td class="num">{r.seq}</td><td>{r.at}</td><td>{r.actor}</td><td>{r.action}</td><td><code>{r.object}</code></td><td>{r.detail}</td></tr>
                                }).collect_view()}</tbody>
                            </table>
                            <nav class="pager" aria-label="Pages">
                                {(p.page > 1).then(|| view! { <a rel="prev" href=format!("?page={}", p.page - 1)>"← Newer"</a> })}
                                {next.map(|n| view! { <a rel="next" href=format!("?page={n}")>"Older →"</a> })}
                            </nav>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// Percent-encodes a query value.
fn enc(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
