//! The person's own account: their sessions on every device, log out everywhere.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{load_error, loading};
use crate::api::{LogoutEverywhere, my_sessions};

#[component]
pub fn AccountPage() -> impl IntoView {
    let sessions = Resource::new(|| (), |_| my_sessions());
    let everywhere = ServerAction::<LogoutEverywhere>::new();
    view! {
        <Title text="Your account · Formseal" />
        <h1>"Your sessions"</h1>
        <p class="muted">"Where you are logged in now. Sessions end after a time without activity and after 12 hours at most."</p>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match sessions.await {
                    Err(e) => load_error(e),
                    Ok(list) => view! {
                        <table class="list">
                            <thead><tr><th>"Started (UTC)"</th><th>"Last active (UTC)"</th><th>"Address"</th><th>"Browser"</th><th></th></tr></thead>
                            <tbody>{list.into_iter().map(|s| view! {
                                <tr>
                                    <td>{s.created}</td><td>{s.last_seen}</td><td>{s.ip}</td>
                                    <td class="small">{s.agent}</td>
                                    <td>{s.current.then_some("this one")}</td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Suspense>
        <ActionForm action=everywhere>
            <button type="submit" class="primary">"Log out everywhere"</button>
        </ActionForm>
    }
}
