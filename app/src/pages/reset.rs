//! "Forgot your password?" and the page a reset link opens.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::loading;
use super::password::NewPassword;
use crate::api::{ForgotPassword, ResetPassword, reset_state};

#[component]
pub fn ForgotPage() -> impl IntoView {
    let ask = ServerAction::<ForgotPassword>::new();
    view! {
        <Title text="Forgot your password · Formseal" />
        <section class="card narrow">
            <h1>"Forgot your password?"</h1>
            {move || match ask.value().get() {
                Some(Ok(())) => view! {
                    <p role="status" class="ok">
                        "If an account with this name or address has a mail address, a link to choose a new password is on its way. It works once, for 30 minutes. Nothing arrived? Look in the spam folder, or ask an owner of this console."
                    </p>
                    <p><a href="/admin/login">"Back to the log-in"</a></p>
                }.into_any(),
                other => view! {
                    <p>"Type your user name or the mail address of your account. We send a link to that address to choose a new password."</p>
                    <ActionForm action=ask>
                        <label for="forgot-who">"User name or mail address"</label>
                        <input id="forgot-who" name="who" autocomplete="username" required maxlength="254" />
                        {other.and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.message}</p> })}
                        <button type="submit" class="primary" disabled=move || ask.pending().get()>"Send the link"</button>
                    </ActionForm>
                    <p class="muted small">"No mail server set up? An owner can give you a one-time password with "<code>"formseal accounts reset-password"</code>" on the server."</p>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
pub fn ResetPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let account = Resource::new(token, reset_state);
    let reset = ServerAction::<ResetPassword>::new();
    let failed = move || reset.value().get().and_then(Result::err).map(|e| e.message);
    view! {
        <Title text="Choose a new password · Formseal" />
        <section class="card narrow">
            <h1>"Choose a new password"</h1>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match account.await {
                        Err(e) => view! {
                            <p class="error" role="alert">{e.message}</p>
                            <p><a href="/admin/forgot">"Ask for a new link"</a></p>
                        }.into_any(),
                        Ok(username) => view! {
                            <p>"For the account "<strong>{username.clone()}</strong>". Every session of the account ends; logging in afterwards still asks for your second factor if you set one up."</p>
                            <ActionForm action=reset>
                                <input type="hidden" name="token" value=token() />
                                <input type="hidden" autocomplete="username" value=username />
                                <NewPassword />
                                {move || failed().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                                <button type="submit" class="primary" disabled=move || reset.pending().get()>"Set the password"</button>
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
