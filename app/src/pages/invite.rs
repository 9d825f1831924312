//! Accepting an invitation: the person sets their own password.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::loading;
use crate::api::{AcceptInvite, invitation};

#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let who = Resource::new(token, invitation);
    let accept = ServerAction::<AcceptInvite>::new();
    let failed = move || accept.value().get().and_then(Result::err).map(|e| e.message);
    view! {
        <Title text="Welcome · Formseal" />
        <section class="card narrow">
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match who.await {
                        Err(e) => view! { <h1>"Invitation"</h1><p class="error" role="alert">{e.message}</p> }.into_any(),
                        Ok(username) => view! {
                            <h1>"Welcome, " {username}</h1>
                            <p>"Choose your password: at least 12 characters; a few unrelated words work well. Common passwords are refused."</p>
                            <ActionForm action=accept>
                                <input type="hidden" name="token" value=token() />
                                <label for="new-password">"Password"</label>
                                <input id="new-password" name="password" type="password" autocomplete="new-password" required minlength="12" />
                                <label for="repeat-password">"Password again"</label>
                                <input id="repeat-password" name="repeat" type="password" autocomplete="new-password" required minlength="12" />
                                {move || failed().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                                <button type="submit" disabled=move || accept.pending().get()>"Set password"</button>
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
