use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{Login, Logout, error_text};

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let failed = move || login.value().get().and_then(Result::err).map(|e| error_text(&e));
    view! {
        <Title text="Log in · Formseal" />
        <section class="card narrow">
            <h1>"Log in"</h1>
            <ActionForm action=login>
                <label for="username">"User name"</label>
                <input id="username" name="username" autocomplete="username" required />
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required />
                {move || failed().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                <button type="submit" disabled=move || login.pending().get()>"Log in"</button>
            </ActionForm>
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
