use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{ErrorCode, Login, Logout};

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = leptos_router::hooks::use_query_map();
    let reset = move || query.read().get("reset").is_some_and(|v| v == "done");
    let failed = move || login.value().get().and_then(Result::err).map(|e| e.message);
    // Shown once the server asks for the second factor; it stays for retries.
    let ask_code = RwSignal::new(false);
    Effect::new(move |_| {
        if login.value().get().and_then(Result::err).is_some_and(|e| e.code == ErrorCode::SecondFactorRequired) {
            ask_code.set(true);
        }
    });
    view! {
        <Title text="Log in · Formseal" />
        <section class="card narrow">
            <h1>"Log in"</h1>
            <Show when=reset>
                <p class="notice" role="status">"Your new password is set, and every session of the account has ended. Log in with it now."</p>
            </Show>
            <ActionForm action=login>
                <label for="username">"User name"</label>
                <input id="username" name="username" autocomplete="username" required />
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required />
                <Show when=move || ask_code.get()>
                    <label for="code">"Code from your authenticator app, or a recovery code"</label>
                    <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" autofocus />
                </Show>
                {move || failed().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                <button type="submit" disabled=move || login.pending().get()>"Log in"</button>
            </ActionForm>
            <p class="small"><a href="/admin/forgot">"Forgot your password?"</a></p>
        </section>
    }
}

#[component]
pub fn LogoutButton() -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    view! {
        <ActionForm action=logout attr:class="logout">
            <button type="submit" class="link">"Log out"</button>
        </ActionForm>
    }
}
